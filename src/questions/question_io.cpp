// questions.csv / questions.jsonl writing and reading.
#include <algorithm>
#include <array>

#include "common/csv.h"
#include "common/file_io.h"
#include "common/jsonl.h"
#include "common/parallel.h"
#include "common/text.h"
#include "questions/questions.h"

namespace cxrvqa {

Result<QuestionFormat> parse_question_format(std::string_view name) {
  std::string lower = to_lower(name);
  if (lower == "csv") return QuestionFormat::kCsv;
  if (lower == "jsonl") return QuestionFormat::kJsonl;
  return Status::InvalidArgument("unknown question format '" + std::string(name) + "' (csv or jsonl)");
}

namespace {

// The fields of `q` in kQuestionColumns order; `id` holds the question id they point to.
std::array<std::string_view, kQuestionColumnCount> question_fields(const QuestionRef& q, std::string& id) {
  id.clear();
  append_question_id(id, q);
  return {q.study_id, q.subject_id, question_type_name(q.type), q.question,
          q.answer,   q.dicom_id,   q.split,                     q.ref_id, id};
}

void append_csv_line(std::string& out, const QuestionRef& question, const QuestionLayout& layout,
                     std::string& id) {
  auto fields = question_fields(question, id);
  std::array<std::string_view, kQuestionColumnCount> in_layout;
  for (size_t i = 0; i < layout.size(); ++i) in_layout[i] = fields[layout[i]];
  append_csv_record(out, in_layout);
}

void append_json_line(std::string& out, const QuestionRef& question, const QuestionLayout& layout,
                      std::string& id) {
  auto fields = question_fields(question, id);
  out += '{';
  for (size_t i = 0; i < layout.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, kQuestionColumns[layout[i]]);
    out += ':';
    append_json_string(out, fields[layout[i]]);
  }
  out += '}';
}

}  // namespace

void append_question_line(std::string& out, const QuestionRef& question, QuestionFormat format,
                          const QuestionLayout& layout, std::string& id_buffer) {
  if (format == QuestionFormat::kCsv) {
    append_csv_line(out, question, layout, id_buffer);
  } else {
    append_json_line(out, question, layout, id_buffer);
  }
}

void append_question_line(std::string& out, const QuestionRef& question, QuestionFormat format,
                          const QuestionLayout& layout) {
  std::string id_buffer;
  append_question_line(out, question, format, layout, id_buffer);
}

std::string question_to_csv_line(const Question& question) {
  std::string line;
  append_question_line(line, question_ref(question), QuestionFormat::kCsv);
  return line;
}

std::string question_to_json_line(const Question& question) {
  std::string line;
  append_question_line(line, question_ref(question), QuestionFormat::kJsonl);
  return line;
}

Status write_questions(const std::filesystem::path& path, const std::vector<Question>& questions,
                       QuestionFormat format, unsigned threads, const QuestionLayout& layout) {
  constexpr size_t kBlock = 4096;
  QuestionLines lines;
  lines.format = format;
  lines.layout = layout;
  lines.count = questions.size();
  lines.blocks.resize((questions.size() + kBlock - 1) / kBlock);
  parallel_chunks(lines.blocks.size(), threads, [&](size_t begin, size_t end) {
    std::string id_buffer;
    for (size_t b = begin; b < end; ++b) {
      size_t last = std::min(questions.size(), (b + 1) * kBlock);
      for (size_t i = b * kBlock; i < last; ++i) {
        append_question_line(lines.blocks[b], question_ref(questions[i]), format, layout, id_buffer);
        lines.blocks[b] += '\n';
      }
    }
  }, 1);
  return write_question_lines(path, lines);
}

std::string question_file_header(QuestionFormat format, const QuestionLayout& layout) {
  if (format != QuestionFormat::kCsv) return "";
  std::vector<std::string> columns;
  for (uint8_t column : layout) columns.emplace_back(kQuestionColumns[column]);
  return csv_line(columns) + "\n";
}

Status write_question_lines(const std::filesystem::path& path, const QuestionLines& lines) {
  std::string header = question_file_header(lines.format, lines.layout);
  std::vector<std::string_view> pieces{header};
  pieces.insert(pieces.end(), lines.blocks.begin(), lines.blocks.end());
  return write_file_atomic(path, pieces);
}

namespace {

// The columns a question file must have; the others are read as "" when absent.
constexpr std::string_view kRequiredColumns[] = {"study_id", "question_type", "question", "answer"};

bool is_required(std::string_view column) {
  return std::find(std::begin(kRequiredColumns), std::end(kRequiredColumns), column) != std::end(kRequiredColumns);
}

// The question in `fields` (kQuestionColumns order; an empty question_id is derived when
// written); its views point into `fields`.
Result<QuestionRef> question_from_fields(const std::array<std::string_view, kQuestionColumnCount>& fields) {
  std::optional<QuestionType> type = parse_question_type(fields[2]);
  if (!type) return Status::ParseError("unknown question_type '" + std::string(fields[2]) + "'");
  return QuestionRef{fields[0], fields[1], *type,     fields[3], fields[4],
                     fields[5], fields[6], fields[7], fields[8]};
}

using QuestionCallback = std::function<void(const QuestionRef&)>;

Status for_each_question_csv(const std::filesystem::path& path, const QuestionCallback& on_question,
                             std::vector<LineError>& errors) {
  CXRVQA_ASSIGN_OR_RETURN(auto reader, CsvReader::Open(path));
  std::vector<std::string> required(std::begin(kRequiredColumns), std::end(kRequiredColumns));
  CXRVQA_RETURN_IF_ERROR(reader->require_columns(required).status());
  std::array<std::optional<size_t>, kQuestionColumnCount> columns;
  for (size_t i = 0; i < kQuestionColumnCount; ++i) columns[i] = reader->column(kQuestionColumns[i]);
  CsvRow row;
  std::array<std::string_view, kQuestionColumnCount> fields;
  while (reader->Next(row)) {
    if (!row.error.empty()) {
      errors.push_back({path, row.line, row.error});
      continue;
    }
    for (size_t i = 0; i < kQuestionColumnCount; ++i) fields[i] = columns[i] ? row.get(*columns[i]) : std::string_view();
    auto question = question_from_fields(fields);
    if (!question.ok()) {
      errors.push_back({path, row.line, question.status().message()});
      continue;
    }
    on_question(*question);
  }
  return reader->status();
}

Status for_each_question_jsonl(const std::filesystem::path& path, const QuestionCallback& on_question,
                               std::vector<LineError>& errors) {
  std::array<std::string, kQuestionColumnCount> values;
  std::array<std::string_view, kQuestionColumnCount> fields;
  return for_each_jsonl(
      path,
      [&](const Json& object, size_t) -> Status {
        if (!object.is_object()) return Status::ParseError("not a JSON object");
        for (size_t i = 0; i < kQuestionColumnCount; ++i) {
          auto it = object.find(kQuestionColumns[i]);
          values[i].clear();
          if (it != object.end() && it->is_number_integer()) {
            values[i] = std::to_string(it->get<long long>());  // ids written as numbers
          } else if (it != object.end() && it->is_string()) {
            values[i] = it->get<std::string>();
          } else if (is_required(kQuestionColumns[i]) || (it != object.end() && !it->is_null())) {
            return Status::ParseError(std::string("missing or non-string field '") + kQuestionColumns[i] + "'");
          }
          fields[i] = values[i];
        }
        CXRVQA_ASSIGN_OR_RETURN(auto question, question_from_fields(fields));
        on_question(question);
        return Status::Ok();
      },
      [&](const LineError& error) { errors.push_back(error); });
}

}  // namespace

Status for_each_question(const std::filesystem::path& path, const QuestionCallback& on_question,
                         std::vector<LineError>& errors) {
  std::string extension = to_lower(path.extension().string());
  if (extension == ".gz") extension = to_lower(path.stem().extension().string());
  if (extension == ".jsonl" || extension == ".json") return for_each_question_jsonl(path, on_question, errors);
  return for_each_question_csv(path, on_question, errors);
}

Result<std::vector<Question>> read_questions(const std::filesystem::path& path,
                                             std::vector<LineError>& errors) {
  std::vector<Question> questions;
  CXRVQA_RETURN_IF_ERROR(for_each_question(
      path, [&](const QuestionRef& question) { questions.push_back(to_question(question)); }, errors));
  return questions;
}

}  // namespace cxrvqa
