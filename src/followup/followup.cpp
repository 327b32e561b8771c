#include "followup/followup.h"

#include <spdlog/spdlog.h>

#include <unordered_map>
#include <utility>

#include "llm/extraction.h"
#include "llm/lenient_json.h"

namespace cxrvqa {
namespace {

constexpr size_t kMaxProblemsKept = 20;

// Record metadata keys, which an answer does not carry.
constexpr const char* kMetaKeys[] = {"study_id", "subject_id", "dicom_id",
                                     "view",     "study_order", "split"};

void note_problem(FollowupSummary& summary, const std::string& study_id, const char* reason) {
  if (summary.problems.size() < kMaxProblemsKept) {
    summary.problems.push_back("study " + study_id + ": " + reason);
  }
}

// The record that replaces `previous` after a finished conversation, or nullopt (counted in
// `round`) when there is no usable answer.
std::optional<KeyInfo> updated_record(const FollowupConversation& conversation,
                                      const KeyInfo& previous, const RecordStandardizer& standardize,
                                      FollowupRound& round) {
  if (conversation.last_answer.empty()) return std::nullopt;
  Result<Json> parsed = llm::parse_llm_json(conversation.last_answer);
  Result<KeyInfo> record = parsed.ok()
      ? standardize(Json::parse(llm::raw_keyinfo_line(*parsed, previous.meta)))
      : Result<KeyInfo>(parsed.status());
  if (!record.ok()) {
    ++round.unusable_answers;
    spdlog::warn("study {}: follow-up answer not usable ({}); previous record kept",
                 previous.meta.study_id, record.status().message());
    return std::nullopt;
  }
  record->meta = previous.meta;
  return std::move(*record);
}

// Sends the conversations turn by turn: each wave sends the next question of every
// conversation that still has one.
Status complete_conversations(std::vector<FollowupConversation>& conversations,
                              llm::ChatRunner& runner, FollowupRound& round) {
  std::unordered_map<std::string, FollowupConversation*> by_id;
  for (auto& conversation : conversations) by_id.emplace(conversation.study_id, &conversation);
  const llm::AnswerCheck check = llm::keyinfo_answer_check();
  for (;;) {
    std::vector<llm::ChatJob> wave;
    for (auto& conversation : conversations) {
      if (has_next_turn(conversation)) wave.push_back(next_turn(conversation));
    }
    if (wave.empty()) return Status::Ok();
    round.requests += wave.size();
    CXRVQA_RETURN_IF_ERROR(runner.Run(
        wave,
        [&](const llm::ChatOutcome& outcome) {
          if (outcome.kind == llm::ChatOutcome::Kind::kFiltered) ++round.filtered;
          record_turn(*by_id.at(outcome.id), outcome);
        },
        check));
  }
}

}  // namespace

std::string keyinfo_answer_json(const KeyInfo& record) {
  Json object = Json::parse(keyinfo_to_json_line(record));
  for (const char* key : kMetaKeys) object.erase(key);
  return object.dump();
}

RecordStandardizer standardize_with(std::shared_ptr<const Standardizer> standardizer,
                                    std::shared_ptr<const Libraries> frequencies) {
  return [standardizer, frequencies](const Json& raw) -> Result<KeyInfo> {
    RepairCounts repairs;
    Result<KeyInfo> record = standardizer->Repair(raw, repairs);
    if (record.ok()) standardizer->Refile(*record, *frequencies, repairs);
    return record;
  };
}

FollowupConversation build_conversation(const std::string& system_prompt,
                                        const std::string& report_text, const KeyInfo& previous,
                                        const std::vector<Disagreement>& items,
                                        const FollowupTemplates& templates, bool per_finding) {
  FollowupConversation conversation;
  conversation.study_id = previous.meta.study_id;
  conversation.messages = llm::extraction_messages(system_prompt, report_text);
  conversation.messages.push_back({"assistant", keyinfo_answer_json(previous)});
  if (per_finding) {
    for (const Disagreement& item : items) {
      conversation.questions.push_back(question_for_one(templates, item));
    }
  } else {
    conversation.questions.push_back(question_for_all(templates, items));
  }
  return conversation;
}

bool has_next_turn(const FollowupConversation& conversation) {
  return !conversation.failed && conversation.asked < conversation.questions.size();
}

llm::ChatJob next_turn(FollowupConversation& conversation) {
  conversation.messages.push_back({"user", conversation.questions[conversation.asked++]});
  return {conversation.study_id, conversation.messages};
}

void record_turn(FollowupConversation& conversation, const llm::ChatOutcome& outcome) {
  if (outcome.kind != llm::ChatOutcome::Kind::kOk) {
    conversation.failed = true;
    return;
  }
  conversation.messages.push_back({"assistant", outcome.content});
  conversation.last_answer = outcome.content;
}

Result<FollowupSummary> run_followup(std::vector<KeyInfo>& records,
                                     const std::vector<KeyInfo>& reference,
                                     const std::unordered_map<std::string, std::string>& report_texts,
                                     const FindingMatcher& matcher, const FollowupSettings& settings,
                                     llm::ChatRunner& runner, const RecordStandardizer& standardize) {
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < records.size(); ++i) index.emplace(records[i].meta.study_id, i);

  FollowupSummary summary;
  for (int r = 0; r < settings.rounds; ++r) {
    DisagreementScan scan = scan_disagreements(records, reference, matcher);
    summary.studies_compared = scan.studies_compared;
    summary.llm_without_reference = scan.llm_without_reference;
    if (scan.studies.empty()) break;
    FollowupRound& round = summary.rounds.emplace_back();
    round.disagreeing_studies = scan.studies.size();

    std::vector<FollowupConversation> conversations;
    for (const StudyDisagreements& study : scan.studies) {
      auto text = report_texts.find(study.study_id);
      if (text == report_texts.end()) {
        ++round.without_report;
        note_problem(summary, study.study_id, "no report text in the corpus; not asked");
        continue;
      }
      conversations.push_back(build_conversation(settings.system_prompt, text->second,
                                                  records[index.at(study.study_id)], study.items,
                                                  settings.templates, settings.per_finding));
    }
    Status status = complete_conversations(conversations, runner, round);
    for (const FollowupConversation& conversation : conversations) {
      KeyInfo& record = records[index.at(conversation.study_id)];
      if (conversation.failed && conversation.last_answer.empty()) ++round.failed;
      std::optional<KeyInfo> updated = updated_record(conversation, record, standardize, round);
      if (!updated) continue;
      if (!(*updated == record)) ++round.changed;
      record = std::move(*updated);
    }
    if (!status.ok()) return status;
  }
  return summary;
}

}  // namespace cxrvqa
