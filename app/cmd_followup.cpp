// PLACEHOLDER: replaced by the real subcommand.
#include "command.h"

namespace cxrvqa::app {

Command add_followup_command(CLI::App& parent) {
  Command command;
  command.app = parent.add_subcommand("followup", "(not built yet)");
  command.run = [] { return fail("followup is not built yet"); };
  return command;
}

}  // namespace cxrvqa::app
