// The follow-up step: where the LLM's KeyInfo disagrees with the rules reference, the LLM is
// asked again in the same conversation (system prompt, report, its previous answer, a
// question naming the disagreements) and its updated answer replaces the old record.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "followup/disagreement.h"
#include "followup/prompts.h"
#include "keyinfo/keyinfo.h"
#include "libraries/libraries.h"
#include "llm/chat.h"
#include "standardize/standardize.h"

namespace cxrvqa {

// The content of a KeyInfo record as the model writes it: opacity_vs_clear, entity,
// uncertain_entity, no_entity (no study metadata), compact JSON.
std::string keyinfo_answer_json(const KeyInfo& record);

// Turns a raw KeyInfo object (an answer's fields after the study metadata, as written by
// llm::raw_keyinfo_line) into a strict record.
using RecordStandardizer = std::function<Result<KeyInfo>(const Json& raw)>;

// The standardize stage as a RecordStandardizer: lexicon repairs, then attribute words
// re-filed by `frequencies` (the libraries of the KeyInfo set being followed up).
RecordStandardizer standardize_with(std::shared_ptr<const Standardizer> standardizer,
                                    std::shared_ptr<const Libraries> frequencies);

// One study's follow-up conversation. Each question is one turn; a turn is sent after the
// previous one was answered, with every earlier question and answer in the conversation.
struct FollowupConversation {
  std::string study_id;
  std::vector<llm::ChatMessage> messages;  // system, user report, assistant previous JSON, ...
  std::vector<std::string> questions;      // one (all disagreements) or one per finding
  size_t asked = 0;                        // questions already appended to messages
  std::string last_answer;                 // the latest assistant answer ("" before any)
  bool failed = false;                     // a turn failed: no further turns are sent
};

// The conversation for a study: system, user report text, assistant = previous answer JSON,
// and the questions (a single one listing all disagreements, or one per disagreement).
FollowupConversation build_conversation(const std::string& system_prompt,
                                        const std::string& report_text, const KeyInfo& previous,
                                        const std::vector<Disagreement>& items,
                                        const FollowupTemplates& templates, bool per_finding);

// Appends the next question as a user turn and returns the job to send; the conversation must
// have a question left and not have failed.
llm::ChatJob next_turn(FollowupConversation& conversation);
// Records a turn's outcome: an answer is appended as an assistant turn; anything else marks
// the conversation failed.
void record_turn(FollowupConversation& conversation, const llm::ChatOutcome& outcome);
bool has_next_turn(const FollowupConversation& conversation);

struct FollowupSettings {
  std::string system_prompt;
  FollowupTemplates templates;
  bool per_finding = false;
  int rounds = 1;
};

struct FollowupRound {
  size_t disagreeing_studies = 0;   // studies with at least one disagreement
  size_t requests = 0;              // chat jobs (turns) sent, cache hits included
  size_t changed = 0;               // records that differ after the round
  size_t failed = 0;                // conversations without a usable answer (record kept)
  size_t filtered = 0;              // content-filter refusals (record kept)
  size_t without_report = 0;        // disagreeing studies whose report text is missing
  size_t unusable_answers = 0;      // answers that did not standardize (record kept)
};

struct FollowupSummary {
  size_t studies_compared = 0;       // LLM studies with a reference record
  size_t llm_without_reference = 0;  // LLM studies the reference lacks
  std::vector<FollowupRound> rounds;
  std::vector<std::string> problems;  // "study <id>: <reason>" (no report text), first ones

  // Filled by RunFollowup (followup_run.h) only.
  std::filesystem::path out;           // the updated KeyInfo file
  size_t first_round_disagreeing = 0;  // studies disagreeing before the first round
  size_t skipped_llm_lines = 0;        // unusable LLM KeyInfo lines (not in the output)
  size_t skipped_reference_lines = 0;  // unusable reference KeyInfo lines
  size_t corpus_issues = 0;            // problems met while reading report texts
  size_t written = 0;                  // records in `out`

  // Totals over the rounds.
  size_t requests() const;  // chat jobs, cache hits included
  size_t changed() const;
  size_t failed() const;
  size_t asked() const;  // disagreeing studies with a report text, the conversations tried
  // One line of totals, then one line per round (no report text).
  std::string ToString() const;
  // {compared, without_reference, disagreeing (first round), requests, rounds (a count),
  // changed, failed, written, bad_lines (LLM and reference)}.
  Json ToJson() const;
};

// Runs `settings.rounds` rounds over `records` (updated in place, order kept). Each round
// recomputes the disagreements of the current records against `reference`, completes the
// conversations through `runner` (turn by turn in per-finding mode) and replaces each record
// whose final answer standardizes by the standardized answer (metadata kept). A round with no
// disagreeing study ends the loop early. Returns an error only when the runner stops on a
// fatal server answer; the records then hold what was completed.
Result<FollowupSummary> run_followup(std::vector<KeyInfo>& records,
                                     const std::vector<KeyInfo>& reference,
                                     const std::unordered_map<std::string, std::string>& report_texts,
                                     const FindingMatcher& matcher, const FollowupSettings& settings,
                                     llm::ChatRunner& runner, const RecordStandardizer& standardize);

}  // namespace cxrvqa
