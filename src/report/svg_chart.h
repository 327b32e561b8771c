// Inline SVG bar charts for the HTML report (internal to the report module). Each chart is
// one <svg> element, sized to its content, with one <rect class="mark"> per bar or segment
// (a <title> child gives the exact figure on hover) and data-chart / data-marks attributes
// that name the chart and count its marks.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cxrvqa::report {

// One bar of a horizontal bar chart.
struct Bar {
  std::string label;
  double value = 0;
  std::string value_text;  // shown right of the bar; "" = the value as an integer
  std::string tooltip;     // "" = "<label>: <value_text>"
};

// Bars from top to bottom, lengths proportional to value.
std::string horizontal_bars(std::string_view chart_id, std::string_view title, const std::vector<Bar>& bars);

// Several series side by side for each category (e.g. this dataset's share of a type beside
// the released share). values[category][series]; a value < 0 draws no bar ("not released").
struct GroupedBars {
  std::vector<std::string> categories;
  std::vector<std::string> series;
  std::vector<std::vector<double>> values;
  std::vector<std::vector<std::string>> value_texts;  // same shape; shown right of each bar
};
std::string grouped_bars(std::string_view chart_id, std::string_view title, const GroupedBars& data);

// One horizontal bar per category split into segments (counts), either to scale with the
// largest category or each normalised to 100 %.
struct StackedBars {
  std::vector<std::string> categories;
  std::vector<std::string> segments;
  std::vector<std::vector<double>> values;  // values[category][segment]
  bool normalised = false;
};
std::string stacked_bars(std::string_view chart_id, std::string_view title, const StackedBars& data);

// A chart with nothing to draw: the frame and a one-line reason.
std::string empty_chart(std::string_view chart_id, std::string_view title, std::string_view reason);

// `text` with &, <, >, " escaped for HTML and SVG.
std::string escape_html(std::string_view text);

}  // namespace cxrvqa::report
