// PLACEHOLDER: replaced by the real subcommand.
#include "command.h"

namespace cxrvqa::app {

Command add_finetune_data_command(CLI::App& parent) {
  Command command;
  command.app = parent.add_subcommand("finetune-data", "(not built yet)");
  command.run = [] { return fail("finetune-data is not built yet"); };
  return command;
}

}  // namespace cxrvqa::app
