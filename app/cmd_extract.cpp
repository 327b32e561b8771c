// PLACEHOLDER: replaced by the real subcommand.
#include "command.h"

namespace cxrvqa::app {

Command add_extract_command(CLI::App& parent) {
  Command command;
  command.app = parent.add_subcommand("extract", "(not built yet)");
  command.run = [] { return fail("extract is not built yet"); };
  return command;
}

}  // namespace cxrvqa::app
