// PLACEHOLDER: replaced by the real subcommand.
#include "command.h"

namespace cxrvqa::app {

Command add_questions_command(CLI::App& parent) {
  Command command;
  command.app = parent.add_subcommand("questions", "(not built yet)");
  command.run = [] { return fail("questions is not built yet"); };
  return command;
}

}  // namespace cxrvqa::app
