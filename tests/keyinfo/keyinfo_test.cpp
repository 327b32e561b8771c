#include "keyinfo/keyinfo.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <thread>

#include "common/file_io.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

KeyInfo sample_record() {
  KeyInfo r;
  r.meta = {"50000001", "10000001", "dcm-1", "postero-anterior", 2, "train"};
  r.opacity = OpacityStatement{"bibasilar", std::nullopt, std::nullopt};
  r.clear = ClearStatement{"right lung"};
  r.entity.push_back({"pleural effusion", {"bilateral", "small", "layering", std::nullopt}});
  r.entity.push_back({"atelectasis", {"left lower lobe", std::nullopt, "plate-like", "the left lower lobe"}});
  r.uncertain_entity = {"pneumonia"};
  r.no_entity = {"pneumothorax", "edema \"quoted\""};
  return r;
}

TEST(KeyInfoJson, WritesKeysInStableOrder) {
  std::string line = keyinfo_to_json_line(sample_record());
  EXPECT_EQ(line.find("\"study_id\""), 1u);
  EXPECT_LT(line.find("\"split\""), line.find("\"opacity_vs_clear\""));
  EXPECT_LT(line.find("\"opacity_vs_clear\""), line.find("\"entity\""));
  EXPECT_LT(line.find("\"entity\""), line.find("\"uncertain_entity\""));
  EXPECT_LT(line.find("\"uncertain_entity\""), line.find("\"no_entity\""));
  // Entities keep their order of mention, not alphabetical order.
  EXPECT_LT(line.find("pleural effusion"), line.find("atelectasis"));
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

// The escaping rule written plainly: quote, backslash, LF, CR and tab get their short
// escapes, other control bytes \u00XX, everything else (UTF-8 included) is written as it is.
std::string plainly_escaped(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20) {
      out += "\\u00";
      out += "0123456789abcdef"[u >> 4];
      out += "0123456789abcdef"[u & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

TEST(KeyInfoJson, StringsAreEscapedWhateverTheirLengthAndPlace) {
  const std::string pieces[] = {"\"", "\\", "\n", "\r", "\t", "\x01", "\x1f", "\x7f", "\xc3\xa9", " "};
  for (size_t length = 0; length <= 40; ++length) {
    for (size_t at = 0; at <= length; ++at) {
      for (const std::string& piece : pieces) {
        std::string text(length, 'a');
        text.insert(at, piece);
        std::string out = "kept";
        append_json_string(out, text);
        EXPECT_EQ(out, "kept" + plainly_escaped(text)) << length << " " << at;
      }
    }
  }
  const KeyInfo record = sample_record();
  EXPECT_EQ(keyinfo_to_json_line(record),
            "{\"study_id\":\"50000001\",\"subject_id\":\"10000001\",\"dicom_id\":\"dcm-1\","
            "\"view\":\"postero-anterior\",\"study_order\":2,\"split\":\"train\",\"opacity_vs_clear\":"
            "{\"opacity\":{\"location\":\"bibasilar\",\"level\":null,\"type\":null},\"clear\":"
            "{\"location\":\"right lung\"}},\"entity\":{\"pleural effusion\":{\"location\":\"bilateral\","
            "\"level\":\"small\",\"type\":\"layering\",\"post_location\":null},\"atelectasis\":"
            "{\"location\":\"left lower lobe\",\"level\":null,\"type\":\"plate-like\",\"post_location\":"
            "\"the left lower lobe\"}},\"uncertain_entity\":[\"pneumonia\"],\"no_entity\":[\"pneumothorax\","
            "\"edema \\\"quoted\\\"\"]}");
}

// A record whose every string is made of control bytes, each written as six (\u00XX): the
// longest line a record of its sizes can have, on the stack and, past 4 KB, in the output.
KeyInfo record_of_escapes(size_t length, size_t entities) {
  auto text = [&](size_t n) { return std::string(length + n, '\x01'); };
  KeyInfo r;
  r.meta = {text(0), text(1), text(2), text(3), -2147483647 - 1, text(4)};
  r.opacity = OpacityStatement{text(5), text(6), text(7)};
  r.clear = ClearStatement{text(8)};
  for (size_t i = 0; i < entities; ++i) {
    r.entity.push_back({text(9) + std::to_string(i), {text(10), text(11), text(12), text(13)}});
    r.uncertain_entity.push_back(text(14) + std::to_string(i));
    r.uncertain_attributes.push_back({text(15), std::nullopt, text(16), text(17)});
    r.no_entity.push_back(text(18) + std::to_string(i));
  }
  return r;
}

TEST(KeyInfoJson, LinesOfStringsThatAreAllEscapesAreWholeAtAnySize) {
  auto attributes = [](const EntityAttributes& a) {
    auto value = [](const std::optional<std::string>& v) { return v ? plainly_escaped(*v) : std::string("null"); };
    return "{\"location\":" + value(a.location) + ",\"level\":" + value(a.level) + ",\"type\":" + value(a.type) +
           ",\"post_location\":" + value(a.post_location) + "}";
  };
  for (size_t length : {0, 1, 7, 15, 16, 100}) {
    for (size_t entities : {0, 1, 3, 12}) {
      KeyInfo r = record_of_escapes(length, entities);
      // The schema's layout written plainly.
      std::string expected = "{\"study_id\":" + plainly_escaped(r.meta.study_id) + ",\"subject_id\":" +
                             plainly_escaped(r.meta.subject_id) + ",\"dicom_id\":" + plainly_escaped(r.meta.dicom_id) +
                             ",\"view\":" + plainly_escaped(r.meta.view) + ",\"study_order\":-2147483648,\"split\":" +
                             plainly_escaped(r.meta.split) + ",\"opacity_vs_clear\":{\"opacity\":{\"location\":" +
                             plainly_escaped(*r.opacity->location) + ",\"level\":" + plainly_escaped(*r.opacity->level) +
                             ",\"type\":" + plainly_escaped(*r.opacity->type) + "},\"clear\":{\"location\":" +
                             plainly_escaped(*r.clear->location) + "}},\"entity\":{";
      for (size_t i = 0; i < entities; ++i) {
        expected += (i > 0 ? "," : "") + plainly_escaped(r.entity[i].name) + ":" + attributes(r.entity[i].attributes);
      }
      expected += "},\"uncertain_entity\":";
      expected += entities > 0 ? "{" : "[";
      for (size_t i = 0; i < entities; ++i) {
        expected += (i > 0 ? "," : "") + plainly_escaped(r.uncertain_entity[i]) + ":" +
                    attributes(r.uncertain_attributes[i]);
      }
      expected += entities > 0 ? "}" : "]";
      expected += ",\"no_entity\":[";
      for (size_t i = 0; i < entities; ++i) expected += (i > 0 ? "," : "") + plainly_escaped(r.no_entity[i]);
      expected += "]}";
      std::string out = "kept";
      append_keyinfo_json_line(out, r);
      EXPECT_EQ(out, "kept" + expected) << length << " " << entities;
      auto back = keyinfo_from_json(Json::parse(expected));
      ASSERT_TRUE(back.ok()) << back.status().message();
      EXPECT_TRUE(*back == r) << length << " " << entities;
    }
  }
}

TEST(KeyInfoJson, StrictReadingIntoAUsedRecordLeavesNothingOfTheOldOne) {
  KeyInfo sparse;
  sparse.meta = {"50000002", "10000002", "dcm-2", "PA", 0, ""};
  KeyInfo escapes = record_of_escapes(3, 2);
  escapes.uncertain_attributes.clear();  // the strict form lists uncertain names only
  std::vector<KeyInfo> earlier = {sample_record(), escapes, sparse};
  for (const KeyInfo& before : earlier) {
    for (const KeyInfo& record : earlier) {
      KeyInfo used;
      ASSERT_TRUE(parse_strict_keyinfo_line(keyinfo_to_json_line(before), used));
      ASSERT_TRUE(parse_strict_keyinfo_line(keyinfo_to_json_line(record), used));
      EXPECT_TRUE(used == record) << keyinfo_to_json_line(before) << "\nthen " << keyinfo_to_json_line(record);
    }
  }
}

TEST(KeyInfoJson, RoundTripsThroughJsonl) {
  testing::TempDir dir;
  KeyInfo a = sample_record();
  KeyInfo b;
  b.meta.study_id = "7";
  b.no_entity = {"pneumothorax"};
  {
    auto out = AtomicFileWriter::Open(dir / "k.jsonl");
    ASSERT_TRUE(out.ok());
    ASSERT_TRUE((*out)->Append(keyinfo_to_json_line(a)).ok());
    ASSERT_TRUE((*out)->Append(keyinfo_to_json_line(b)).ok());
    ASSERT_TRUE((*out)->Commit().ok());
  }
  std::vector<LineError> errors;
  auto records = read_keyinfo_jsonl(dir / "k.jsonl", errors);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0], a);
  EXPECT_EQ((*records)[1], b);
}

TEST(KeyInfoJson, ReportsBadLinesWithFileAndLine) {
  testing::TempDir dir;
  testing::write_text(dir / "bad.jsonl",
                      keyinfo_to_json_line(sample_record()) + "\n{not json\n" +
                          "{\"study_id\": 12, \"entity\": []}\n" +
                          "{\"study_id\": 13, \"no_entity\": [\"edema\"]}\n");
  std::vector<LineError> errors;
  auto records = read_keyinfo_jsonl(dir / "bad.jsonl", errors);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[1].meta.study_id, "13");  // a numeric id becomes a string
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].line, 2u);
  EXPECT_EQ(errors[1].line, 3u);
  EXPECT_NE(errors[1].ToString().find("bad.jsonl:3: entity is not an object"), std::string::npos);
}

TEST(KeyInfoJson, ManyLinesReadOnAnyNumberOfThreadsGiveTheSameRecordsAndErrorsInFileOrder) {
  testing::TempDir dir;
  // 3,000 lines: records, blank lines (CRLF too), and a bad line every 250th, so that the
  // lines are read in several chunks; the last line has no newline.
  std::string text;
  std::vector<std::string> ids;
  std::vector<size_t> bad_lines;
  for (size_t line = 1; line <= 3000; ++line) {
    if (line % 250 == 0) {
      text += "{\"study_id\": \"" + std::to_string(line) + "\", \"entity\": []}\n";
      bad_lines.push_back(line);
    } else if (line % 97 == 0) {
      text += line % 2 == 0 ? "  \r\n" : "\n";
    } else {
      KeyInfo record = sample_record();
      record.meta.study_id = std::to_string(line);
      text += keyinfo_to_json_line(record) + (line % 3 == 0 ? "\r\n" : "\n");
      ids.push_back(record.meta.study_id);
    }
  }
  text.pop_back();
  testing::write_text(dir / "many.jsonl", text);
  for (unsigned threads : {1u, 2u, 4u}) {
    std::vector<LineError> errors;
    auto records = read_keyinfo_jsonl(dir / "many.jsonl", errors, threads);
    ASSERT_TRUE(records.ok()) << records.status().ToString();
    ASSERT_EQ(records->size(), ids.size()) << threads << " threads";
    for (size_t i = 0; i < ids.size(); ++i) {
      ASSERT_EQ((*records)[i].meta.study_id, ids[i]) << threads << " threads, record " << i;
    }
    EXPECT_EQ(records->back().no_entity, sample_record().no_entity);
    ASSERT_EQ(errors.size(), bad_lines.size());
    for (size_t i = 0; i < bad_lines.size(); ++i) EXPECT_EQ(errors[i].line, bad_lines[i]);
  }
}

TEST(KeyInfoJson, ReadsJsonlAndArraysFromAPipe) {
  // A pipe can be read only once: the reader must tell the shape from what it has read.
  KeyInfo record = sample_record();
  std::string line = keyinfo_to_json_line(record);
  for (const std::string& text : {"\n" + line + "\n" + line + "\n", "  [" + line + ",\n" + line + "]\n"}) {
    testing::TempDir dir;
    auto fifo = dir / "keyinfo.jsonl";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    std::thread writer([&] { testing::write_text(fifo, text); });
    std::vector<LineError> errors;
    auto records = read_keyinfo_jsonl(fifo, errors);
    writer.join();
    ASSERT_TRUE(records.ok()) << records.status().ToString();
    EXPECT_TRUE(errors.empty()) << errors.front().ToString();
    ASSERT_EQ(records->size(), 2u) << text.substr(0, 3);
    EXPECT_EQ((*records)[1], record);
  }
}

TEST(KeyInfoJson, DeepLinesAreBadLinesAndHugeIdsStayWhole) {
  testing::TempDir dir;
  testing::write_text(dir / "k.jsonl",
                      "{\"study_id\": \"1\", \"view\": " + std::string(100000, '[') + std::string(100000, ']') + "}\n" +
                          "{\"study_id\": 18446744073709551615}\n");
  std::vector<LineError> errors;
  auto records = read_keyinfo_jsonl(dir / "k.jsonl", errors);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 1u);
  EXPECT_NE(errors[0].message.find("nested deeper"), std::string::npos) << errors[0].message;
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].meta.study_id, "18446744073709551615");
}
}  // namespace
}  // namespace cxrvqa
