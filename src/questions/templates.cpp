// Recognising the template a question text was made from.
#include <array>

#include "questions/questions.h"

namespace cxrvqa {

namespace {

// A template and how its texts look: prefix, then a non-empty slot, optionally `infix` and
// a second non-empty slot, then suffix. A template without slots has only a prefix.
struct TemplateShape {
  std::string_view name;
  std::string_view prefix, infix, suffix;
};

// Tried in order: fixed texts first, then the longer prefixes and suffixes before the
// shorter ones that would also match.
constexpr std::array<TemplateShape, 17> kShapes = {{
    {"what abnormalities are seen in this image?", "what abnormalities are seen in this image?", {}, {}},
    {"is there evidence of any abnormalities in this image?",
     "is there evidence of any abnormalities in this image?", {}, {}},
    {"which view is this image taken?", "which view is this image taken?", {}, {}},
    {"is this PA view?", "is this PA view?", {}, {}},
    {"is this AP view?", "is this AP view?", {}, {}},
    {"what has changed compared to the reference image?", "what has changed compared to the reference image?", {}, {}},
    {"what abnormalities are seen in the xxx?", "what abnormalities are seen in the ", {}, "?"},
    {"is there evidence of xxx in this image?", "is there evidence of ", {}, " in this image?"},
    {"is the xxx located on the left side or right side?", "is the ", {}, " located on the left side or right side?"},
    {"is the xxx bilateral?", "is the ", {}, " bilateral?"},
    {"is there xxx in the lxxx?", "is there ", " in the ", "?"},
    {"is there xxx?", "is there ", {}, "?"},
    {"where in the image is the xxx located?", "where in the image is the ", {}, " located?"},
    {"where is the xxx?", "where is the ", {}, "?"},
    {"what level is the xxx?", "what level is the ", {}, "?"},
    {"what type is the xxx?", "what type is the ", {}, "?"},
    {"what has changed in the lxxx area?", "what has changed in the ", {}, " area?"},
}};

bool fits(const TemplateShape& shape, std::string_view text) {
  bool fixed = shape.suffix.empty();
  if (fixed) return text == shape.prefix;
  if (!text.starts_with(shape.prefix) || !text.ends_with(shape.suffix)) return false;
  if (text.size() <= shape.prefix.size() + shape.suffix.size()) return false;  // empty slot
  std::string_view slots = text.substr(shape.prefix.size(), text.size() - shape.prefix.size() - shape.suffix.size());
  if (shape.infix.empty()) return true;
  size_t infix = slots.find(shape.infix);
  return infix != std::string_view::npos && infix > 0 && infix + shape.infix.size() < slots.size();
}

}  // namespace

std::string_view question_template(std::string_view question) {
  for (const TemplateShape& shape : kShapes) {
    if (fits(shape, question)) return shape.name;
  }
  return {};
}

}  // namespace cxrvqa
