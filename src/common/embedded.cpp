#include "common/embedded.h"

#include "common/file_io.h"

namespace cxrvqa {

Result<std::string> read_data_file(const std::optional<std::filesystem::path>& override_dir,
                                   std::string_view embedded_subdir, std::string_view name) {
  if (override_dir) return read_file(*override_dir / std::string(name));
  std::string key = std::string(embedded_subdir) + "/" + std::string(name);
  auto content = embedded_file(key);
  if (!content) return Status::NotFound("no embedded data file " + key);
  return std::string(*content);
}

}  // namespace cxrvqa
