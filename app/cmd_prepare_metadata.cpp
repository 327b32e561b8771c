// PLACEHOLDER: replaced by the real subcommand.
#include "command.h"

namespace cxrvqa::app {

Command add_prepare_metadata_command(CLI::App& parent) {
  Command command;
  command.app = parent.add_subcommand("prepare-metadata", "(not built yet)");
  command.run = [] { return fail("prepare-metadata is not built yet"); };
  return command;
}

}  // namespace cxrvqa::app
