// PLACEHOLDER: replaced by the real subcommand.
#include "command.h"

namespace cxrvqa::app {

Command add_stats_command(CLI::App& parent) {
  Command command;
  command.app = parent.add_subcommand("stats", "(not built yet)");
  command.run = [] { return fail("stats is not built yet"); };
  return command;
}

}  // namespace cxrvqa::app
