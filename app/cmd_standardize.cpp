// PLACEHOLDER: replaced by the real subcommand.
#include "command.h"

namespace cxrvqa::app {

Command add_standardize_command(CLI::App& parent) {
  Command command;
  command.app = parent.add_subcommand("standardize", "(not built yet)");
  command.run = [] { return fail("standardize is not built yet"); };
  return command;
}

}  // namespace cxrvqa::app
