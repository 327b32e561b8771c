#include "golden/finetune.h"

#include "common/file_io.h"

namespace cxrvqa {
namespace {

Json message(const char* role, const std::string& content) {
  return Json{{"role", role}, {"content", content}};
}

// The dataset_info.json already in `path` (an empty object when there is none).
Result<Json> existing_dataset_info(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return Json::object();
  Result<std::string> text = read_file(path);
  if (!text.ok()) return text.status();
  auto info = parse_json(*text);
  if (!info.ok()) return Status::ParseError(path.string() + ": " + info.status().message());
  if (!info->is_object()) return Status::ParseError(path.string() + ": not a JSON object");
  return info;
}

}  // namespace

Json alpaca_records(const std::vector<FinetuneExample>& examples, const std::string& instruction) {
  Json records = Json::array();
  for (const FinetuneExample& example : examples) {
    records.push_back(
        {{"instruction", instruction}, {"input", example.report_text}, {"output", example.answer}});
  }
  return records;
}

Json alpaca_dataset_info(const std::string& dataset_name, const std::string& file_name) {
  Json columns = {{"prompt", "instruction"}, {"query", "input"}, {"response", "output"}};
  return Json{{dataset_name, {{"file_name", file_name}, {"columns", columns}}}};
}

std::string openai_chat_jsonl(const std::vector<FinetuneExample>& examples,
                              const std::string& system_prompt) {
  std::string out;
  for (const FinetuneExample& example : examples) {
    Json line = {{"messages",
                  {message("system", system_prompt), message("user", example.report_text),
                   message("assistant", example.answer)}}};
    out.append(line.dump()).push_back('\n');
  }
  return out;
}

Result<FinetuneFiles> write_finetune_files(const std::filesystem::path& dir, const std::string& name,
                                           const std::vector<FinetuneExample>& examples,
                                           const std::string& system_prompt) {
  FinetuneFiles files{dir / (name + "_alpaca.json"), dir / "dataset_info.json",
                      dir / (name + "_openai.jsonl")};
  Result<Json> info = existing_dataset_info(files.dataset_info);
  if (!info.ok()) return info.status();
  info->update(alpaca_dataset_info(name, files.alpaca.filename().string()));
  CXRVQA_RETURN_IF_ERROR(
      write_file_atomic(files.alpaca, alpaca_records(examples, system_prompt).dump(2) + "\n"));
  CXRVQA_RETURN_IF_ERROR(write_file_atomic(files.dataset_info, info->dump(2) + "\n"));
  CXRVQA_RETURN_IF_ERROR(write_file_atomic(files.openai, openai_chat_jsonl(examples, system_prompt)));
  return files;
}

}  // namespace cxrvqa
