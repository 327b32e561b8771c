// A small pipeline output folder written by hand (manifest, KeyInfo, questions, a CSV corpus),
// so that what the review figures should be can be worked out by hand.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "keyinfo/keyinfo.h"
#include "review/review.h"
#include "test_util.h"

namespace cxrvqa::testing {

inline KeyInfo make_record(const std::string& study_id, const std::string& subject_id, std::vector<Entity> entity,
                           std::vector<std::string> uncertain, std::vector<std::string> negated) {
  KeyInfo record;
  record.meta = {study_id, subject_id, "d" + study_id, "postero-anterior", 1, "train"};
  record.entity = std::move(entity);
  record.uncertain_entity = std::move(uncertain);
  record.no_entity = std::move(negated);
  return record;
}

// Studies S1..S4 have questions, report text and KeyInfo; R2 is the reference of S2's
// difference question; S5 has questions and text but no KeyInfo; S6 has questions and
// KeyInfo but no report text. 13 question-answer pairs belong to S1..S4.
inline void write_hand_dataset(const std::filesystem::path& dir) {
  write_text(dir / "corpus" / "reports.csv",
             "study_id,subject_id,text\n"
             "S1,P1,\"Small left pleural effusion.\n\nNo pneumothorax.\"\n"
             "S2,P2,Mild cardiomegaly. Possible pneumonia.\n"
             "R2,P2,No pleural effusion. Heart size normal.\n"
             "S3,P3,\"Patchy right lower lobe atelectasis, no effusion.\"\n"
             "S4,P4,The lungs are clear. No pneumothorax.\n"
             "S5,P5,Moderate pulmonary edema.\n");
  std::vector<KeyInfo> records = {
      make_record("S1", "P1", {{"pleural effusion", {"left", "small", std::nullopt, std::nullopt}}}, {},
                  {"pneumothorax"}),
      make_record("S2", "P2", {{"cardiomegaly", {std::nullopt, "mild", std::nullopt, std::nullopt}}}, {"pneumonia"},
                  {}),
      make_record("R2", "P2", {}, {}, {"pleural effusion"}),
      make_record("S3", "P3", {{"atelectasis", {"right lower lobe", std::nullopt, "patchy", std::nullopt}}}, {},
                  {"pleural effusion"}),
      make_record("S4", "P4", {}, {}, {"pneumothorax"}),
      make_record("S6", "P6", {{"pneumonia", {}}}, {}, {}),
  };
  std::string lines;
  for (const KeyInfo& record : records) lines += keyinfo_to_json_line(record) + "\n";
  write_text(dir / "dataset" / "keyinfo.jsonl", lines);
  write_text(dir / "dataset" / "questions.csv",
             "study_id,subject_id,question_type,question,answer,dicom_id,split,ref_id\n"
             "S1,P1,abnormality,what abnormalities are seen in this image?,pleural effusion,dS1,train,\n"
             "S1,P1,presence,is there pneumothorax?,no,dS1,train,\n"
             "S1,P1,location,where is the pleural effusion?,left,dS1,train,\n"
             "S1,P1,level,what level is the pleural effusion?,small,dS1,train,\n"
             "S1,P1,view,which view is this image taken?,PA view,dS1,train,\n"
             "S2,P2,presence,is there evidence of cardiomegaly in this image?,yes,dS2,train,\n"
             "S2,P2,level,what level is the cardiomegaly?,mild,dS2,train,\n"
             "S2,P2,difference,what has changed compared to the reference image?,"
             "the main image has additional findings of cardiomegaly.,dS2,train,R2\n"
             "S3,P3,abnormality,what abnormalities are seen in this image?,atelectasis,dS3,train,\n"
             "S3,P3,type,what type is the atelectasis?,patchy,dS3,train,\n"
             "S3,P3,location,where is the atelectasis?,right lower lobe,dS3,train,\n"
             "S4,P4,abnormality,is there evidence of any abnormalities in this image?,no,dS4,train,\n"
             "S4,P4,view,is this AP view?,no,dS4,train,\n"
             "S5,P5,presence,is there edema?,yes,dS5,train,\n"
             "S6,P6,presence,is there pneumonia?,yes,dS6,train,\n");
  nlohmann::json manifest = {{"program", "cxrvqa"},
                             {"options", {{"corpus", "csv"},
                                          {"reports", "corpus/reports.csv"},
                                          {"metadata", nullptr},
                                          {"out_dir", "dataset"},
                                          {"format", "csv"}}}};
  write_text(dir / "dataset" / "manifest.json", manifest.dump(2));
}

// Writes the hand dataset into `dir`; returns the options that sample all of it (every type's
// share larger than its studies) into dir/review.sqlite.
inline ReviewSampleOptions hand_sample_options(const std::filesystem::path& dir) {
  write_hand_dataset(dir);
  ReviewSampleOptions options;
  options.dataset = dir / "dataset";
  options.db = dir / "review.sqlite";
  options.per_type = 10;
  return options;
}

}  // namespace cxrvqa::testing
