// PLACEHOLDER: replaced by the real subcommand.
#include "command.h"

namespace cxrvqa::app {

Command add_eval_command(CLI::App& parent) {
  Command command;
  command.app = parent.add_subcommand("eval", "(not built yet)");
  command.run = [] { return fail("eval is not built yet"); };
  return command;
}

}  // namespace cxrvqa::app
