// RunGolden and RunFinetune: the golden-set stages as `cxrvqa golden select` and
// `cxrvqa finetune-data` run them.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/embedded.h"
#include "common/file_io.h"
#include "followup/followup.h"
#include "followup/followup_run.h"
#include "golden/finetune.h"
#include "golden/golden.h"

namespace cxrvqa {

namespace {

// The instruction: the given file verbatim, or the embedded prompts/simple_system.txt.
Result<std::string> instruction_text(const std::optional<std::filesystem::path>& file) {
  if (file) return read_file(*file);
  return read_data_file(std::nullopt, "prompts", "simple_system.txt");
}

}  // namespace

std::string GoldenSummary::ToString() const {
  return fmt::format("golden select: {} studies with report text, {} excluded ({} ids listed), "
                     "{} selected (seed {}) -> {}\n",
                     candidates, excluded, exclude_listed, selected, seed, out.string());
}

Json GoldenSummary::ToJson() const {
  return Json{{"candidates", candidates}, {"excluded", excluded}, {"exclude_listed", exclude_listed},
              {"requested", requested},   {"selected", selected}, {"seed", seed},
              {"out", out.string()}};
}

Result<GoldenSummary> RunGolden(const GoldenOptions& options) {
  std::unordered_set<std::string> exclude;
  if (options.exclude) {
    CXRVQA_ASSIGN_OR_RETURN(exclude, read_id_list(*options.exclude));
  }
  std::vector<CorpusIssue> issues;
  CXRVQA_ASSIGN_OR_RETURN(auto candidates, read_study_ids(options.corpus, issues));
  warn_corpus_issues(issues);

  std::vector<std::string> chosen = select_golden_ids(candidates, options.n, options.seed, exclude);
  std::string text;
  for (const std::string& id : chosen) text.append(id).push_back('\n');
  CXRVQA_RETURN_IF_ERROR(write_file_atomic(options.out, text));

  GoldenSummary summary;
  summary.candidates = candidates.size();
  for (const std::string& id : candidates) summary.excluded += exclude.count(id);
  summary.exclude_listed = exclude.size();
  summary.requested = options.n;
  summary.selected = chosen.size();
  summary.seed = options.seed;
  summary.out = options.out;
  return summary;
}

std::string FinetuneSummary::ToString() const {
  return fmt::format("finetune-data: {} golden records ({} lines skipped), {} examples written, "
                     "{} without a report\n  {}\n  {} (entry \"{}\")\n  {}\n  {} (use it verbatim: "
                     "extract --system-prompt)\n",
                     golden_records, skipped_lines, examples, without_report, files.alpaca.string(),
                     files.dataset_info.string(), name, files.openai.string(), prompt_copy.string());
}

Json FinetuneSummary::ToJson() const {
  return Json{{"golden_records", golden_records},
              {"skipped_lines", skipped_lines},
              {"examples", examples},
              {"without_report", without_report},
              {"files", {{"alpaca", files.alpaca.string()},
                         {"dataset_info", files.dataset_info.string()},
                         {"openai", files.openai.string()},
                         {"system_prompt", prompt_copy.string()}}}};
}

Result<FinetuneSummary> RunFinetune(const FinetuneOptions& options) {
  CXRVQA_ASSIGN_OR_RETURN(auto instruction, instruction_text(options.system_prompt));
  FinetuneSummary summary;
  summary.name = options.name;
  CXRVQA_ASSIGN_OR_RETURN(auto golden, read_keyinfo_warned(options.keyinfo, summary.skipped_lines));
  summary.golden_records = golden.size();

  std::unordered_set<std::string> wanted;
  for (const KeyInfo& record : golden) wanted.insert(record.meta.study_id);
  CXRVQA_ASSIGN_OR_RETURN(auto texts, read_report_texts(options.corpus, &wanted));
  warn_corpus_issues(texts.issues);

  std::vector<FinetuneExample> examples;
  for (const KeyInfo& record : golden) {
    auto text = texts.by_study.find(record.meta.study_id);
    if (text == texts.by_study.end()) {
      ++summary.without_report;
      spdlog::warn("study {}: no report text in the corpus; left out", record.meta.study_id);
      continue;
    }
    examples.push_back({record.meta.study_id, text->second, keyinfo_answer_json(record)});
  }
  if (examples.empty()) return summary;

  CXRVQA_ASSIGN_OR_RETURN(summary.files, write_finetune_files(options.out_dir, options.name, examples, instruction));
  summary.prompt_copy = options.out_dir / "system_prompt.txt";
  CXRVQA_RETURN_IF_ERROR(write_file_atomic(summary.prompt_copy, instruction));
  summary.examples = examples.size();
  return summary;
}

}  // namespace cxrvqa
