// standardize_file: the file-level run (two passes, threads, rejects, summary).
#include <algorithm>
#include <mutex>
#include <unordered_set>

#include "common/file_io.h"
#include "common/mapped_file.h"
#include "common/ordered_writer.h"
#include "common/parallel.h"
#include "common/text.h"
#include "standardize/standardize.h"

namespace cxrvqa {

namespace {

// One input line's outcome after the first pass.
struct LineOutcome {
  std::optional<KeyInfo> record;
  std::string reject_reason;
};

// Runs `body(index, counts)` over [0, n) on `threads` threads and sums the counts.
template <typename Body>
RepairCounts parallel_counted(size_t n, unsigned threads, Body body) {
  RepairCounts total;
  std::mutex mutex;
  parallel_chunks(n, threads, [&](size_t begin, size_t end) {
    RepairCounts local;
    for (size_t i = begin; i < end; ++i) body(i, local);
    std::lock_guard<std::mutex> lock(mutex);
    total += local;
  }, 256);
  return total;
}

std::string reject_line(const std::filesystem::path& file, const NumberedLine& line,
                        const std::string& reason) {
  std::string out = "{\"file\":";
  append_json_string(out, file.string());
  out += ",\"line\":" + std::to_string(line.number) + ",\"reason\":";
  append_json_string(out, reason);
  out += ",\"text\":";
  append_json_string(out, sanitize_utf8(line.text));
  out += "}\n";
  return out;
}

void reject_duplicates(std::vector<LineOutcome>& outcomes) {
  std::unordered_set<std::string_view> seen;  // the ids of records kept, which stay in place
  seen.reserve(outcomes.size());
  for (auto& outcome : outcomes) {
    if (!outcome.record) continue;
    if (!seen.insert(outcome.record->meta.study_id).second) {
      outcome.record.reset();
      outcome.reject_reason = "duplicate study_id";
    }
  }
}

Result<Libraries> frequencies_for(const StandardizeOptions& options,
                                  const std::vector<LineOutcome>& outcomes, const Lexicon& lexicon) {
  if (options.libraries) return load_libraries(*options.libraries);
  LibraryCounter counter;
  for (const auto& outcome : outcomes) {
    if (outcome.record) counter.Add(*outcome.record);
  }
  return std::move(counter).Finish(&lexicon);
}

}  // namespace

size_t StandardizeSummary::rejected_total() const {
  size_t total = 0;
  for (const auto& [reason, count] : rejected) total += count;
  return total;
}

std::string StandardizeSummary::ToString() const {
  std::string out = "standardize: " + std::to_string(read) + " read, " + std::to_string(written) +
                    " written, " + std::to_string(rejected_total()) + " rejected\n";
  for (const auto& [reason, count] : rejected) {
    out += "  rejected (" + reason + "): " + std::to_string(count) + "\n";
  }
  for (bool meaning : {false, true}) {
    out += meaning ? "  repairs that change meaning:" : "  repairs of shape and wording:";
    bool any = false;
    for (size_t i = 0; i < kRepairKinds; ++i) {
      auto kind = static_cast<Repair>(i);
      if (repairs.counts[i] == 0 || repair_changes_meaning(kind) != meaning) continue;
      out += std::string(any ? ", " : " ") + std::string(repair_name(kind)) + " " +
             std::to_string(repairs.counts[i]);
      any = true;
    }
    out += any ? "\n" : " none\n";
  }
  if (rejected_total() > 0 && !rejects.empty()) {
    out += "  rejected lines (file, line, reason) are in " + rejects.string() + "\n";
  }
  return out;
}

Json StandardizeSummary::ToJson() const {
  return Json{{"read", read}, {"written", written}, {"rejected", rejected_total()}};
}

Result<StandardizeSummary> standardize_file(const Standardizer& standardizer,
                                            const StandardizeOptions& options) {
  std::filesystem::path rejects_path = options.rejects_file();
  std::vector<std::filesystem::path> inputs = {options.in};
  if (options.libraries) inputs.push_back(*options.libraries);
  CXRVQA_RETURN_IF_ERROR(check_outputs_apart({options.out, rejects_path}, inputs));
  CXRVQA_ASSIGN_OR_RETURN(auto input, MappedFile::Open(options.in));
  std::vector<NumberedLine> lines = non_blank_lines(input.text());
  std::vector<LineOutcome> outcomes(lines.size());
  StandardizeSummary summary;
  summary.read = lines.size();
  summary.repairs = parallel_counted(lines.size(), options.threads, [&](size_t i, RepairCounts& r) {
    auto record = standardizer.RepairLine(lines[i].text, r);
    if (record.ok()) {
      outcomes[i].record = std::move(*record);
    } else {
      outcomes[i].reject_reason = record.status().message();
    }
  });
  reject_duplicates(outcomes);
  CXRVQA_ASSIGN_OR_RETURN(auto frequencies, frequencies_for(options, outcomes, standardizer.lexicon()));
  std::string rejects;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (outcomes[i].record) {
      ++summary.written;
    } else {
      rejects += reject_line(options.in, lines[i], outcomes[i].reject_reason);
      ++summary.rejected[outcomes[i].reject_reason];
    }
  }
  // Second pass: re-filed and written block by block, in order, as the blocks are done.
  CXRVQA_ASSIGN_OR_RETURN(auto out, AtomicFileWriter::Open(options.out));
  OrderedBlockWriter blocks(*out);
  std::mutex mutex;
  constexpr size_t kBlockLines = 1024;
  parallel_in_order((lines.size() + kBlockLines - 1) / kBlockLines, options.threads, [&](size_t b) {
    RepairCounts repairs;
    size_t first = b * kBlockLines, end = std::min(lines.size(), first + kBlockLines);
    std::string text;
    // A standardized record is usually about as long as its input line.
    text.reserve(static_cast<size_t>(lines[end - 1].text.end() - lines[first].text.begin()) + 1);
    for (size_t i = first; i < end; ++i) {
      if (!outcomes[i].record) continue;
      standardizer.Refile(*outcomes[i].record, frequencies, repairs);
      append_keyinfo_json_line(text, *outcomes[i].record);
      text += '\n';
      outcomes[i].record.reset();  // written: its memory can go
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      summary.repairs += repairs;
    }
    blocks.Put(b, std::move(text));
  });
  CXRVQA_RETURN_IF_ERROR(blocks.status());
  CXRVQA_RETURN_IF_ERROR(out->Commit());
  CXRVQA_RETURN_IF_ERROR(write_file_atomic(rejects_path, rejects));
  return summary;
}

}  // namespace cxrvqa
