// PLACEHOLDER: replaced by the real subcommand.
#include "command.h"

namespace cxrvqa::app {

Command add_batch_command(CLI::App& parent) {
  Command command;
  command.app = parent.add_subcommand("batch", "(not built yet)");
  command.run = [] { return fail("batch is not built yet"); };
  return command;
}

}  // namespace cxrvqa::app
