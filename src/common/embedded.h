// Data files (lexicon, prompts, eval maps, templates) compiled into the program.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cxrvqa {

// The bytes of data/<relative_path> as built into the program, or nullopt.
std::optional<std::string_view> embedded_file(std::string_view relative_path);
// Every embedded path, relative to data/ (e.g. "lexicon/findings.csv").
std::vector<std::string_view> embedded_file_names();

// Reads `name` from `override_dir` when one is given (the file must exist there), otherwise
// from the embedded copy of data/<embedded_subdir>/<name>.
Result<std::string> read_data_file(const std::optional<std::filesystem::path>& override_dir,
                                   std::string_view embedded_subdir, std::string_view name);

}  // namespace cxrvqa
