#include <toml++/toml.h>

#include <limits>

#include "common/file_io.h"
#include "pipeline/pipeline.h"

namespace cxrvqa {

namespace fs = std::filesystem;

namespace {

template <typename T>
Status read_value(const toml::node& node, std::string_view key, T& out, const fs::path& file) {
  auto value = node.value<T>();
  if (!value) return Status::ParseError(file.string() + ": '" + std::string(key) + "' has the wrong type");
  out = *value;
  return Status::Ok();
}

Status read_path(const toml::node& node, std::string_view key, fs::path& out, const fs::path& file) {
  std::string text;
  CXRVQA_RETURN_IF_ERROR(read_value(node, key, text, file));
  fs::path path(text);
  out = path.is_absolute() ? path : file.parent_path() / path;
  return Status::Ok();
}

// A string value that `parse` turns into `out` (a corpus kind, a format, a preset).
template <typename T, typename Parse>
Status read_named(const toml::node& node, std::string_view key, const fs::path& file, Parse parse, T& out) {
  std::string name;
  CXRVQA_RETURN_IF_ERROR(read_value(node, key, name, file));
  Result<T> parsed = parse(name);
  if (!parsed.ok()) return Status::ParseError(file.string() + ": " + std::string(key) + ": " + parsed.status().message());
  out = *parsed;
  return Status::Ok();
}

// The optional path option a path key sets.
std::optional<fs::path>& optional_path_option(std::string_view key, PipelineOptions& o) {
  if (key == "metadata") return o.metadata;
  if (key == "projections") return o.projections;
  if (key == "lexicon") return o.lexicon_dir;
  if (key == "llm_config") return o.llm_config;
  return o.system_prompt;
}

// The largest value an integer key takes (threads, questions per type and rounds are small).
int64_t largest_value(std::string_view key) {
  if (key == "threads") return 4096;
  if (key == "per_type") return 1000;
  if (key == "followup_rounds") return 100;
  return std::numeric_limits<int64_t>::max();
}

Status apply_key(std::string_view key, const toml::node& node, const fs::path& file, PipelineOptions& o) {
  if (key == "corpus") return read_named(node, key, file, parse_corpus_kind, o.corpus);
  if (key == "reports") return read_path(node, key, o.reports, file);
  if (key == "out_dir") return read_path(node, key, o.out_dir, file);
  if (key == "metadata" || key == "projections" || key == "lexicon" || key == "llm_config" ||
      key == "system_prompt") {
    fs::path path;
    CXRVQA_RETURN_IF_ERROR(read_path(node, key, path, file));
    optional_path_option(key, o) = path;
    return Status::Ok();
  }
  if (key == "extractor") {
    CXRVQA_RETURN_IF_ERROR(read_value(node, key, o.extractor, file));
    if (o.extractor != "rules" && o.extractor != "llm") {
      return Status::ParseError(file.string() + ": extractor must be \"rules\" or \"llm\"");
    }
    return Status::Ok();
  }
  if (key == "per_finding") return read_value(node, key, o.per_finding, file);
  if (key == "preset") return read_named(node, key, file, parse_question_preset, o.preset);
  if (key == "format") return read_named(node, key, file, parse_question_format, o.format);
  int64_t number = 0;
  if (key == "ap_keep_rate") {
    double rate = 0;
    CXRVQA_RETURN_IF_ERROR(read_value(node, key, rate, file));
    if (!(rate >= 0 && rate <= 1)) {  // NaN fails too
      return Status::ParseError(file.string() + ": 'ap_keep_rate' must be a number in [0, 1]");
    }
    o.ap_keep_rate = rate;
    return Status::Ok();
  }
  if (key != "seed" && key != "threads" && key != "min_count" && key != "per_type" &&
      key != "followup_rounds") {
    return Status::ParseError(file.string() + ": unknown key '" + std::string(key) + "'");
  }
  CXRVQA_RETURN_IF_ERROR(read_value(node, key, number, file));
  if (number < 0) return Status::ParseError(file.string() + ": '" + std::string(key) + "' must not be negative");
  if (int64_t most = largest_value(key); number > most) {
    return Status::ParseError(file.string() + ": '" + std::string(key) + "' must be at most " + std::to_string(most));
  }
  if (key == "seed") o.seed = static_cast<uint64_t>(number);
  if (key == "threads") o.threads = static_cast<unsigned>(number);
  if (key == "min_count") o.min_count = static_cast<size_t>(number);
  if (key == "per_type") {
    if (number < 1) return Status::ParseError(file.string() + ": 'per_type' must be at least 1");
    o.per_type = static_cast<size_t>(number);
  }
  if (key == "followup_rounds") {
    if (number < 1) return Status::ParseError(file.string() + ": 'followup_rounds' must be at least 1");
    o.followup_rounds = static_cast<int>(number);
  }
  return Status::Ok();
}

}  // namespace

Status apply_pipeline_config(const fs::path& toml_file, PipelineOptions& options) {
  CXRVQA_ASSIGN_OR_RETURN(auto text, read_file(toml_file));
  return apply_pipeline_config_text(text, toml_file, options);
}

Status apply_pipeline_config_text(std::string_view toml_text, const fs::path& toml_file, PipelineOptions& options) {
  toml::table table;
  try {
    table = toml::parse(toml_text, toml_file.string());
  } catch (const toml::parse_error& error) {
    return Status::ParseError(toml_file.string() + ":" + std::to_string(error.source().begin.line) +
                              ": " + std::string(error.description()));
  }
  for (const auto& [key, node] : table) {
    CXRVQA_RETURN_IF_ERROR(apply_key(key.str(), node, toml_file, options));
  }
  return Status::Ok();
}

}  // namespace cxrvqa
