// The HTML page of `cxrvqa report`.
#include "report/report.h"

#include <fmt/format.h>

#include <iterator>

#include "common/embedded.h"
#include "common/file_io.h"
#include "report/report_figures.h"
#include "report/svg_chart.h"

namespace cxrvqa {

namespace fs = std::filesystem;
using report::Bar;
using report::escape_html;
using report::ReportFigures;

namespace {

constexpr const char* kReleasedName = "Medical-CXR-VQA (released)";

template <typename... Args>
void append(std::string& out, fmt::format_string<Args...> format, Args&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
}

// 1234567 -> "1,234,567".
std::string grouped(size_t value) {
  std::string digits = std::to_string(value), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

double percent(size_t part, size_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

std::string type_name(size_t type) { return std::string(question_type_name(static_cast<QuestionType>(type))); }

void figure(std::string& out, std::string_view name, std::string_view caption, const std::string& svg) {
  append(out, "<figure class=\"chart-figure\" id=\"figure-{}\"><figcaption>{}</figcaption>{}</figure>\n",
         escape_html(name), escape_html(caption), svg);
}

void open_section(std::string& out, std::string_view id, std::string_view title, std::string_view note) {
  append(out, "<section id=\"{}\"><h2>{}</h2>", id, escape_html(title));
  if (!note.empty()) append(out, "<p class=\"note\">{}</p>", escape_html(note));
  out += '\n';
}

// An HTML table; cells whose header starts with '#' are right-aligned numbers.
void table(std::string& out, const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  out += "<table><tr>";
  for (const std::string& cell : header) {
    bool number = !cell.empty() && cell[0] == '#';
    append(out, "<th{}>{}</th>", number ? " class=\"num\"" : "", escape_html(number ? cell.substr(1) : cell));
  }
  out += "</tr>";
  for (const auto& row : rows) {
    out += "<tr>";
    for (size_t i = 0; i < row.size(); ++i) {
      bool number = i < header.size() && !header[i].empty() && header[i][0] == '#';
      append(out, "<td{}>{}</td>", number ? " class=\"num\"" : "", escape_html(row[i]));
    }
    out += "</tr>";
  }
  out += "</table>\n";
}

std::optional<size_t> released_count(size_t type) {
  for (const ReleasedFigure& figure : kReleasedFigures) {
    if (static_cast<size_t>(figure.type) == type) return figure.count;
  }
  return std::nullopt;
}

void cards(std::string& out, const QuestionStats& s, const ReportFigures& f) {
  auto card = [&](std::string figure, std::string caption) {
    append(out, "<div class=\"card\"><div class=\"figure\">{}</div><div class=\"caption\">{}</div></div>",
           escape_html(figure), escape_html(caption));
  };
  out += "<div class=\"cards\">";
  card(grouped(s.total), "questions");
  card(grouped(s.images), "images");
  card(grouped(s.patients), "patients");
  card(fmt::format("{:.1f}%", percent(s.closed, s.total)), "closed (yes/no) questions");
  card(fmt::format("{:.1f}%", percent(s.yes, s.closed)), "of yes/no answers are yes");
  card(grouped(s.per_type[static_cast<size_t>(QuestionType::kDifference)].count), "difference questions (image pairs)");
  card(grouped(s.answer_vocabulary), "distinct answers");
  if (f.malformed_rows > 0) card(grouped(f.malformed_rows), "malformed question rows skipped");
  out += "</div>\n";
}

void types_section(std::string& out, const ReportFigures& f) {
  const QuestionStats& s = f.stats;
  open_section(out, "types", "Questions per type",
               "Share of each question type here and in the released Medical-CXR-VQA dataset (780,014 "
               "questions; difference questions are not part of that release).");
  report::GroupedBars bars;
  bars.series = {"this dataset", kReleasedName};
  std::vector<std::vector<std::string>> rows;
  for (size_t t = 0; t < kQuestionTypeCount; ++t) {
    const TypeStats& type = s.per_type[t];
    std::optional<size_t> released = released_count(t);
    double share = percent(type.count, s.total);
    bars.categories.push_back(type_name(t));
    bars.values.push_back({share, released ? percent(*released, kReleasedTotal) : -1.0});
    bars.value_texts.push_back({fmt::format("{:.1f}% ({})", share, grouped(type.count)),
                                released ? fmt::format("{:.1f}% ({})", percent(*released, kReleasedTotal), grouped(*released))
                                         : "not released"});
    rows.push_back({type_name(t), grouped(type.count), fmt::format("{:.1f}%", share),
                    released ? grouped(*released) : "-", grouped(type.closed), grouped(type.yes), grouped(type.no),
                    grouped(type.answer_vocabulary)});
  }
  figure(out, "questions-per-type", "Questions per type (share of all questions)",
         report::grouped_bars("questions-per-type", "Questions per type", bars));
  table(out, {"type", "#questions", "#share", "#released", "#closed", "#yes", "#no", "#distinct answers"}, rows);
  out += "</section>\n";
}

void answers_section(std::string& out, const ReportFigures& f) {
  open_section(out, "answers", "Answers per type",
               "The 30 most frequent answers of each question type (hover a bar for the exact count).");
  out += "<div class=\"grid\">\n";
  for (size_t t = 0; t < kQuestionTypeCount; ++t) {
    std::string name = "answers-" + type_name(t);
    size_t total = f.stats.per_type[t].count;
    std::vector<Bar> bars;
    for (const auto& [answer, count] : f.top_answers[t]) {
      bars.push_back({answer, static_cast<double>(count), fmt::format("{} ({:.1f}%)", grouped(count), percent(count, total)), ""});
    }
    std::string title = fmt::format("{}: top {} of {} distinct answers", type_name(t), bars.size(),
                                    grouped(f.stats.per_type[t].answer_vocabulary));
    figure(out, name, title,
           bars.empty() ? report::empty_chart(name, title, "no questions of this type")
                        : report::horizontal_bars(name, title, bars));
  }
  out += "</div></section>\n";
}

void balance_and_splits_section(std::string& out, const ReportFigures& f) {
  const QuestionStats& s = f.stats;
  open_section(out, "balance", "Yes/no balance and splits",
               "Closed questions answered yes or no per type, and how the questions fall into the splits.");
  report::StackedBars balance;
  balance.segments = {"yes", "no", "other answers"};
  balance.normalised = true;
  for (size_t t = 0; t < kQuestionTypeCount; ++t) {
    const TypeStats& type = s.per_type[t];
    if (type.closed == 0) continue;
    balance.categories.push_back(type_name(t));
    balance.values.push_back({static_cast<double>(type.yes), static_cast<double>(type.no),
                              static_cast<double>(type.count - type.closed)});
  }
  balance.categories.push_back("all types");
  balance.values.push_back({static_cast<double>(s.yes), static_cast<double>(s.no), static_cast<double>(s.open)});
  report::StackedBars splits;
  for (size_t t = 0; t < kQuestionTypeCount; ++t) splits.segments.push_back(type_name(t));
  std::vector<std::vector<std::string>> rows;
  for (const auto& [split, per_type] : f.split_types) {
    std::string label = split.empty() ? "(none)" : split;
    splits.categories.push_back(label);
    splits.values.emplace_back(per_type.begin(), per_type.end());
    const SplitStats& counts = s.per_split.at(split);
    rows.push_back({label, grouped(counts.questions), fmt::format("{:.1f}%", percent(counts.questions, s.total)),
                    grouped(counts.images), grouped(counts.patients)});
  }
  out += "<div class=\"grid\">\n";
  figure(out, "yes-no-balance", "Yes / no / other answers per type (100% each)",
         report::stacked_bars("yes-no-balance", "Yes/no balance", balance));
  figure(out, "questions-per-split", "Questions per split, by type",
         report::stacked_bars("questions-per-split", "Questions per split", splits));
  out += "</div>\n";
  table(out, {"split", "#questions", "#share", "#images", "#patients"}, rows);
  out += "</section>\n";
}

// The `limit` first entries of a library list as bars.
std::vector<Bar> library_bars(const CountList& list, size_t limit) {
  std::vector<Bar> bars;
  for (size_t i = 0; i < list.size() && i < limit; ++i) {
    bars.push_back({list[i].first, static_cast<double>(list[i].second), "", ""});
  }
  return bars;
}

void findings_section(std::string& out, const ReportFigures& f) {
  open_section(out, "findings", "Findings",
               "Positive findings by the number of studies that have them, and the level, location and type "
               "words attached to them (libraries/ of the dataset).");
  struct LibraryChart {
    const char* name;
    const char* caption;
    LibraryKind kind;
    size_t limit;
  };
  const LibraryChart charts[] = {{"findings", "Findings (top 30)", LibraryKind::kEntity, 30},
                                 {"levels", "Levels (top 20)", LibraryKind::kLevel, 20},
                                 {"locations", "Locations (top 30)", LibraryKind::kLocation, 30},
                                 {"finding-types", "Finding types (top 20)", LibraryKind::kType, 20}};
  out += "<div class=\"grid\">\n";
  for (const LibraryChart& chart : charts) {
    std::string svg = f.libraries ? report::horizontal_bars(chart.name, chart.caption,
                                                            library_bars(f.libraries->list(chart.kind), chart.limit))
                                   : report::empty_chart(chart.name, chart.caption, "the folder has no libraries/");
    figure(out, chart.name, chart.caption, svg);
  }
  out += "</div></section>\n";
}

void difference_section(std::string& out, const ReportFigures& f) {
  open_section(out, "difference", "Difference answers",
               "What the answers of difference questions say about the main image compared with the earlier "
               "reference image of the same patient.");
  size_t total = f.stats.per_type[static_cast<size_t>(QuestionType::kDifference)].count;
  std::vector<Bar> bars;
  for (size_t k = 0; k < report::kDifferenceKindCount; ++k) {
    size_t count = f.difference_kinds[k];
    bars.push_back({std::string(report::difference_kind_name(static_cast<report::DifferenceKind>(k))),
                    static_cast<double>(count), fmt::format("{} ({:.1f}%)", grouped(count), percent(count, total)), ""});
  }
  figure(out, "difference-kinds", "Difference answers by kind",
         total == 0 ? report::empty_chart("difference-kinds", "Difference answers by kind", "no difference questions")
                    : report::horizontal_bars("difference-kinds", "Difference answers by kind", bars));
  out += "</section>\n";
}

void extraction_section(std::string& out, const ReportFigures& f) {
  const ManifestFacts& m = f.manifest;
  open_section(out, "extraction", "Extraction",
               "Finding mentions by polarity as the extractor read them, and what each pipeline stage counted.");
  const Json* counts = nullptr;
  for (const auto& stage : m.stages) {
    if (stage.counts.contains("positive")) {
      counts = &stage.counts;
      break;
    }
  }
  std::vector<Bar> bars;
  if (counts != nullptr) {
    for (const char* key : {"reports", "written", "positive", "uncertain", "negated", "issues"}) {
      const Json& value = counts->value(key, Json());
      if (value.is_number()) bars.push_back({key, value.get<double>(), "", ""});
    }
    Json issues = counts->value("issues_by_kind", Json::object());
    for (const auto& [kind, value] : issues.items()) {
      if (value.is_number()) bars.push_back({"issue: " + kind, value.get<double>(), "", ""});
    }
  }
  figure(out, "extraction", "Extraction summary",
         bars.empty() ? report::empty_chart("extraction", "Extraction summary", "no extraction counts in manifest.json")
                      : report::horizontal_bars("extraction", "Extraction summary", bars));
  std::vector<std::vector<std::string>> rows;
  for (const auto& stage : m.stages) rows.push_back({stage.name, stage.summary});
  if (!rows.empty()) table(out, {"stage", "counts"}, rows);
  out += "</section>\n";
}

void manifest_section(std::string& out, const ReportFigures& f) {
  const ManifestFacts& m = f.manifest;
  open_section(out, "manifest", "Manifest", "How the dataset was made (manifest.json; input files by name).");
  if (m.program.empty()) {
    out += "<p class=\"note\">The folder has no manifest.json.</p></section>\n";
    return;
  }
  table(out, {"program", "build", "seed", "extractor"}, {{m.program, m.build_id, m.seed, m.extractor}});
  std::vector<std::vector<std::string>> options, inputs;
  for (const auto& [key, value] : m.options) options.push_back({key, value});
  for (const auto& input : m.inputs) inputs.push_back({input.name, input.kind, grouped(input.bytes), input.sha256});
  table(out, {"option", "value"}, options);
  if (!inputs.empty()) table(out, {"input", "kind", "#bytes", "sha256"}, inputs);
  out += "</section>\n";
}

std::string render_page(const ReportFigures& f) {
  std::string_view css = embedded_file("report/report.css").value_or("");
  std::string out;
  append(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
              "<title>Dataset report: {}</title><style>{}</style></head><body>\n",
         escape_html(f.dataset_name), css);
  append(out, "<header><h1>Dataset report: {}</h1><p>{}{}</p></header>\n", escape_html(f.dataset_name),
         escape_html(f.manifest.program.empty() ? "cxrvqa" : f.manifest.program),
         escape_html(f.manifest.seed.empty() ? "" : ", seed " + f.manifest.seed + ", extractor " + f.manifest.extractor));
  out += "<nav><a href=\"#types\">Types</a><a href=\"#answers\">Answers</a><a href=\"#balance\">Balance and splits</a>"
         "<a href=\"#findings\">Findings</a><a href=\"#difference\">Difference</a><a href=\"#extraction\">Extraction</a>"
         "<a href=\"#manifest\">Manifest</a></nav>\n<main>\n";
  cards(out, f.stats, f);
  types_section(out, f);
  answers_section(out, f);
  balance_and_splits_section(out, f);
  findings_section(out, f);
  difference_section(out, f);
  extraction_section(out, f);
  manifest_section(out, f);
  out += "</main><footer>Made by cxrvqa report. Self-contained: no scripts, nothing loaded from the network. "
         "Hover a bar for its exact figure.</footer>\n</body></html>\n";
  return out;
}

}  // namespace

std::vector<std::string> report_chart_names() {
  std::vector<std::string> names = {"questions-per-type"};
  for (size_t t = 0; t < kQuestionTypeCount; ++t) names.push_back("answers-" + type_name(t));
  for (const char* name : {"yes-no-balance", "questions-per-split", "findings", "levels", "locations", "finding-types",
                           "difference-kinds", "extraction"}) {
    names.emplace_back(name);
  }
  return names;
}

std::string ReportSummary::ToString() const {
  return fmt::format("report: {} questions, {} charts, {} bytes -> {}\n", questions, charts, bytes, out.string());
}

Json ReportSummary::ToJson() const {
  return Json{{"out", out.string()}, {"questions", questions}, {"charts", charts}, {"bytes", bytes}};
}

Json ReportSummary::StageCounts() const { return Json{{"charts", charts}, {"bytes", bytes}}; }

Result<ReportSummary> RunReport(const ReportOptions& options) {
  CXRVQA_ASSIGN_OR_RETURN(auto folder, open_dataset_folder(options.dataset));
  CXRVQA_ASSIGN_OR_RETURN(auto figures, report::gather_report_figures(folder, options.question_stats.get()));
  std::string page = render_page(figures);
  ReportSummary summary;
  summary.out = options.out.empty() ? options.dataset / "report.html" : options.out;
  CXRVQA_RETURN_IF_ERROR(write_file_atomic(summary.out, page));
  summary.questions = figures.stats.total;
  summary.charts = report_chart_names().size();
  summary.bytes = page.size();
  return summary;
}

}  // namespace cxrvqa
