#include "options.h"

#include <cmath>

namespace cxrvqa::app {

CLI::Option* add_ap_keep_rate_option(CLI::App& app, std::string& value) {
  return app.add_option("--ap-keep-rate", value,
                        "Share of AP images asked a view question: a number in [0, 1], or auto (the preset's "
                        "rule: cxrvqa balances AP to PA, the release presets keep 5 %)");
}

CLI::Option* add_preset_option(CLI::App& app, std::string& value) {
  return app.add_option("--preset", value, "Question rules: cxrvqa (default), medical-cxr-vqa or medical-diff-vqa")
      ->check(CLI::IsMember({"cxrvqa", "medical-cxr-vqa", "medical-diff-vqa"}));
}

std::optional<std::filesystem::path> optional_path(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return std::filesystem::path(value);
}

Result<std::optional<double>> parse_ap_keep_rate(const std::string& text) {
  if (text.empty() || text == "auto") return std::optional<double>();
  double rate = -1;
  size_t used = 0;
  try {
    rate = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || !(rate >= 0 && rate <= 1)) {  // NaN fails too
    return Status::InvalidArgument("--ap-keep-rate must be a number in [0, 1] or 'auto', not '" + text + "'");
  }
  return std::optional<double>(rate);
}

}  // namespace cxrvqa::app
