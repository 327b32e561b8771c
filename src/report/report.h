// `cxrvqa report`: a dataset folder at a glance, as one self-contained HTML file (inline CSS
// and SVG, no script, nothing fetched from the network).
//
// Sections and their charts (each an <svg data-chart="..."> inside
// <figure class="chart-figure" id="figure-...">, ids in kReportCharts):
//   questions per type beside the released Medical-CXR-VQA figures (questions-per-type),
//   the 30 most frequent answers of each type (answers-<type>), yes/no balance per type
//   (yes-no-balance), questions per split and type (questions-per-split), findings by
//   frequency, their levels, locations and types (findings, levels, locations, finding-types;
//   from libraries/), difference answers by kind (difference-kinds), the extraction summary
//   (extraction, from the manifest's extract stage) and the manifest itself (tables).
// The output depends only on the folder's files (no time stamp), so the same dataset gives
// the same report.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "stats/stats.h"

namespace cxrvqa {

// The data-chart names of every chart of a report, in page order.
std::vector<std::string> report_chart_names();

struct ReportOptions {
  std::filesystem::path dataset;   // pipeline output folder
  std::filesystem::path out;       // "" = <dataset>/report.html
  // RunStats of the folder's question file, when the caller has just run it on that same
  // file (the pipeline's stats stage): the report then does not read the file again.
  std::shared_ptr<const StatsSummary> question_stats = nullptr;
};

struct ReportSummary {
  std::filesystem::path out;
  size_t questions = 0;
  size_t charts = 0;
  size_t bytes = 0;
  std::string ToString() const;
  Json ToJson() const;
  // The figures the pipeline records for its report stage: {charts, bytes} (the path and the
  // question count are the run's own, recorded elsewhere).
  Json StageCounts() const;
};

// Reads the folder (questions, libraries/, manifest.json; the last two may be absent: their
// charts then say so) and writes the page atomically. Errors: no questions file in the
// folder, an unreadable file, the page cannot be written.
Result<ReportSummary> RunReport(const ReportOptions& options);

}  // namespace cxrvqa
