// PLACEHOLDER: replaced by the real subcommand.
#include "command.h"

namespace cxrvqa::app {

Command add_libraries_command(CLI::App& parent) {
  Command command;
  command.app = parent.add_subcommand("libraries", "(not built yet)");
  command.run = [] { return fail("libraries is not built yet"); };
  return command;
}

}  // namespace cxrvqa::app
