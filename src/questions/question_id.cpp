// Stable question ids.
#include <algorithm>

#include "common/hash.h"
#include "questions/questions.h"

namespace cxrvqa {

namespace {

constexpr char kSeparator = '\x1f';  // cannot occur in a study id, type name or question

void append_derived_id(std::string& out, std::string_view study_id, QuestionType type,
                       std::string_view question, std::string_view ref_id) {
  std::string_view type_name = question_type_name(type);
  std::string_view separator(&kSeparator, 1);
  // The hash of study_id, type, question and (when given) ref_id, joined by the separator.
  // 48 bits of it: the ids of one study and type collide with odds of about 2^-48.
  uint64_t hash = ref_id.empty()
                      ? stable_hash64_of_parts({study_id, separator, type_name, separator, question})
                      : stable_hash64_of_parts({study_id, separator, type_name, separator, question, separator, ref_id});
  // study_id-type-and the 48 bits as 12 lower-case hex digits, written in place.
  constexpr size_t kDigits = 12;
  size_t start = out.size();
  out.resize(start + study_id.size() + type_name.size() + 2 + kDigits);
  char* at = std::copy(study_id.begin(), study_id.end(), out.data() + start);
  *at++ = '-';
  at = std::copy(type_name.begin(), type_name.end(), at);
  *at++ = '-';
  uint64_t bits = hash >> 16;
  for (size_t i = kDigits; i-- > 0; bits >>= 4) at[i] = "0123456789abcdef"[bits & 15];
}

}  // namespace

std::string make_question_id(std::string_view study_id, QuestionType type, std::string_view question,
                             std::string_view ref_id) {
  std::string id;
  append_derived_id(id, study_id, type, question, ref_id);
  return id;
}

void append_question_id(std::string& out, const QuestionRef& question) {
  if (!question.question_id.empty()) {
    out.append(question.question_id);
    return;
  }
  append_derived_id(out, question.study_id, question.type, question.question, question.ref_id);
}

}  // namespace cxrvqa
