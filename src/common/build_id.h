// The identity of the running program's build: the GNU build ID the linker writes into the
// executable (a hash of its linked content), so that any change of code gives a new identity.
#pragma once

#include <string>

namespace cxrvqa {

// Lower-case hex build ID of the main executable, or "" when it has none.
std::string program_build_id();

}  // namespace cxrvqa
