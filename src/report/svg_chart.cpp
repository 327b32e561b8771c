#include "report/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace cxrvqa::report {

namespace {

constexpr double kWidth = 760;       // viewBox width
constexpr double kRow = 22;          // height of one bar row
constexpr double kBar = 15;          // bar thickness
constexpr double kValueSpace = 120;  // room right of the longest bar for its figure
constexpr double kCharWidth = 6.6;   // average width of a 12px label character
constexpr size_t kMaxLabel = 46;     // longer labels are cut (the tooltip keeps them whole)

std::string short_label(std::string_view label) {
  if (label.size() <= kMaxLabel) return std::string(label);
  size_t cut = kMaxLabel - 1;
  while (cut > 0 && (static_cast<unsigned char>(label[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 boundary
  return std::string(label.substr(0, cut)) + "\u2026";
}

double label_width(const std::vector<std::string>& labels) {
  size_t longest = 0;
  for (const std::string& label : labels) longest = std::max(longest, std::min(label.size(), kMaxLabel));
  return std::clamp(static_cast<double>(longest) * kCharWidth + 12, 70.0, 320.0);
}

std::string format_count(double value) {
  if (std::abs(value - std::round(value)) < 1e-9) return fmt::format("{}", static_cast<long long>(std::llround(value)));
  return fmt::format("{:.2f}", value);
}

// The opening of a chart's <svg> and its title line.
void open_svg(std::string& out, std::string_view id, std::string_view title, double height, size_t marks) {
  fmt::format_to(std::back_inserter(out),
                 "<svg class=\"chart\" id=\"chart-{0}\" data-chart=\"{0}\" data-marks=\"{1}\" role=\"img\" "
                 "aria-label=\"{2}\" viewBox=\"0 0 {3} {4}\" width=\"{3}\" height=\"{4}\" "
                 "xmlns=\"http://www.w3.org/2000/svg\">",
                 escape_html(id), marks, escape_html(title), kWidth, height);
}

void text(std::string& out, double x, double y, std::string_view anchor, std::string_view css, std::string_view body) {
  fmt::format_to(std::back_inserter(out), "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\" class=\"{}\">{}</text>", x,
                 y, anchor, css, escape_html(body));
}

void mark(std::string& out, double x, double y, double width, double height, size_t series, std::string_view tooltip) {
  fmt::format_to(std::back_inserter(out),
                 "<rect class=\"mark s{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" rx=\"2\">"
                 "<title>{}</title></rect>",
                 series % 8, x, y, std::max(width, 0.0), height, escape_html(tooltip));
}

// Legend swatches in one row at the top; returns the height used.
double legend(std::string& out, const std::vector<std::string>& names, double x) {
  for (size_t i = 0; i < names.size(); ++i) {
    fmt::format_to(std::back_inserter(out), "<rect class=\"swatch s{}\" x=\"{:.1f}\" y=\"4\" width=\"12\" height=\"12\" rx=\"2\"/>",
                   i % 8, x);
    text(out, x + 16, 14.5, "start", "legend", names[i]);
    x += 16 + static_cast<double>(names[i].size()) * kCharWidth + 18;
  }
  return 24;
}

size_t positive(const std::vector<double>& values) {
  return static_cast<size_t>(std::count_if(values.begin(), values.end(), [](double v) { return v > 0; }));
}

}  // namespace

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string horizontal_bars(std::string_view chart_id, std::string_view title, const std::vector<Bar>& bars) {
  if (bars.empty()) return empty_chart(chart_id, title, "nothing to show");
  std::vector<std::string> labels;
  std::vector<double> values;
  double largest = 0;
  for (const Bar& bar : bars) {
    labels.push_back(bar.label);
    values.push_back(bar.value);
    largest = std::max(largest, bar.value);
  }
  double left = label_width(labels);
  double span = kWidth - left - kValueSpace;
  std::string out;
  open_svg(out, chart_id, title, static_cast<double>(bars.size()) * kRow + 6, positive(values));
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& bar = bars[i];
    double y = static_cast<double>(i) * kRow + 3;
    double width = largest > 0 ? bar.value / largest * span : 0;
    std::string figure = bar.value_text.empty() ? format_count(bar.value) : bar.value_text;
    text(out, left - 8, y + kBar - 3, "end", "label", short_label(bar.label));
    mark(out, left, y, width, kBar, 0, bar.tooltip.empty() ? bar.label + ": " + figure : bar.tooltip);
    text(out, left + width + 6, y + kBar - 3, "start", "value", figure);
  }
  out += "</svg>";
  return out;
}

std::string grouped_bars(std::string_view chart_id, std::string_view title, const GroupedBars& data) {
  if (data.categories.empty()) return empty_chart(chart_id, title, "nothing to show");
  double largest = 0;
  std::vector<double> all;
  for (const auto& row : data.values) {
    for (double v : row) {
      largest = std::max(largest, v);
      all.push_back(v);
    }
  }
  double left = label_width(data.categories);
  double span = kWidth - left - kValueSpace;
  double series_height = kBar * 0.8;
  double group_height = static_cast<double>(data.series.size()) * (series_height + 2) + 10;
  std::string out;
  double top = 0;
  std::string body;
  top = legend(body, data.series, left);
  for (size_t c = 0; c < data.categories.size(); ++c) {
    double y = top + static_cast<double>(c) * group_height;
    text(body, left - 8, y + group_height / 2, "end", "label", short_label(data.categories[c]));
    for (size_t s = 0; s < data.series.size(); ++s) {
      double value = data.values[c][s];
      double bar_y = y + static_cast<double>(s) * (series_height + 2);
      const std::string& figure = data.value_texts[c][s];
      if (value < 0) {
        text(body, left + 4, bar_y + series_height - 1, "start", "value muted", figure);
        continue;
      }
      double width = largest > 0 ? value / largest * span : 0;
      mark(body, left, bar_y, width, series_height, s, data.categories[c] + ", " + data.series[s] + ": " + figure);
      text(body, left + width + 6, bar_y + series_height - 1, "start", "value", figure);
    }
  }
  open_svg(out, chart_id, title, top + static_cast<double>(data.categories.size()) * group_height, positive(all));
  out += body;
  out += "</svg>";
  return out;
}

std::string stacked_bars(std::string_view chart_id, std::string_view title, const StackedBars& data) {
  if (data.categories.empty()) return empty_chart(chart_id, title, "nothing to show");
  std::vector<double> totals, all;
  for (const auto& row : data.values) {
    double total = 0;
    for (double v : row) {
      total += v;
      all.push_back(v);
    }
    totals.push_back(total);
  }
  double largest = *std::max_element(totals.begin(), totals.end());
  double left = label_width(data.categories);
  double span = kWidth - left - kValueSpace;
  std::string body;
  double top = legend(body, data.segments, left);
  for (size_t c = 0; c < data.categories.size(); ++c) {
    double y = top + static_cast<double>(c) * kRow;
    double scale = data.normalised ? (totals[c] > 0 ? span / totals[c] : 0) : (largest > 0 ? span / largest : 0);
    text(body, left - 8, y + kBar - 3, "end", "label", short_label(data.categories[c]));
    double x = left;
    for (size_t s = 0; s < data.segments.size(); ++s) {
      double value = data.values[c][s];
      if (value <= 0) continue;
      double share = totals[c] > 0 ? 100.0 * value / totals[c] : 0;
      mark(body, x, y, value * scale, kBar, s,
           fmt::format("{}, {}: {} ({:.1f}%)", data.categories[c], data.segments[s], format_count(value), share));
      x += value * scale;
    }
    text(body, x + 6, y + kBar - 3, "start", "value", format_count(totals[c]));
  }
  std::string out;
  open_svg(out, chart_id, title, top + static_cast<double>(data.categories.size()) * kRow + 6, positive(all));
  out += body;
  out += "</svg>";
  return out;
}

std::string empty_chart(std::string_view chart_id, std::string_view title, std::string_view reason) {
  std::string out;
  open_svg(out, chart_id, title, 30, 0);
  text(out, 8, 20, "start", "value muted", reason);
  out += "</svg>";
  return out;
}

}  // namespace cxrvqa::report
