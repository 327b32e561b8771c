#include <fmt/format.h>

#include <system_error>

#include "libraries/libraries.h"

namespace cxrvqa {

std::string LibrariesSummary::ToString(const std::filesystem::path& out) const {
  return fmt::format("libraries: {} records read, {} lines skipped; {} entities, {} locations, {} levels, {} types, "
                     "{} diseases -> {}\n",
                     records, bad_lines.size(), entity_names, location_words, level_words, type_words, diseases,
                     out.string());
}

Json LibrariesSummary::ToJson() const {
  return Json{{"records", records},          {"bad_lines", bad_lines.size()},
              {"entity_names", entity_names}, {"location_words", location_words},
              {"level_words", level_words},   {"type_words", type_words}};
}

Result<LibrariesSummary> RunLibraries(const LibrariesOptions& options) {
  std::error_code ec;
  std::filesystem::path in_dir = options.in.parent_path().empty() ? "." : options.in.parent_path();
  if (std::filesystem::equivalent(in_dir, options.out, ec)) {
    return Status::InvalidArgument("refusing to write the folder " + options.out.string() + ": it holds the input " +
                                   options.in.string() + ", which would be replaced");
  }
  LibrariesSummary summary;
  CXRVQA_ASSIGN_OR_RETURN(auto records, read_keyinfo_jsonl(options.in, summary.bad_lines));
  Libraries libraries = compute_libraries(records, options.lexicon);
  CXRVQA_RETURN_IF_ERROR(write_libraries(libraries, options.out));
  summary.records = records.size();
  summary.entity_names = libraries.entity.size();
  summary.location_words = libraries.location.size();
  summary.level_words = libraries.level.size();
  summary.type_words = libraries.type.size();
  summary.diseases = libraries.diseases.size();
  return summary;
}

}  // namespace cxrvqa
