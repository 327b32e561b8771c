// PLACEHOLDER: replaced by the real subcommand.
#include "command.h"

namespace cxrvqa::app {

Command add_golden_command(CLI::App& parent) {
  Command command;
  command.app = parent.add_subcommand("golden", "(not built yet)");
  command.run = [] { return fail("golden is not built yet"); };
  return command;
}

}  // namespace cxrvqa::app
