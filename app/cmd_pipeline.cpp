// PLACEHOLDER: replaced by the real subcommand.
#include "command.h"

namespace cxrvqa::app {

Command add_pipeline_command(CLI::App& parent) {
  Command command;
  command.app = parent.add_subcommand("pipeline", "(not built yet)");
  command.run = [] { return fail("pipeline is not built yet"); };
  return command;
}

}  // namespace cxrvqa::app
