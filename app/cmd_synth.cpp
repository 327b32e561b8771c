// PLACEHOLDER: replaced by the real subcommand.
#include "command.h"

namespace cxrvqa::app {

Command add_synth_command(CLI::App& parent) {
  Command command;
  command.app = parent.add_subcommand("synth", "(not built yet)");
  command.run = [] { return fail("synth is not built yet"); };
  return command;
}

}  // namespace cxrvqa::app
