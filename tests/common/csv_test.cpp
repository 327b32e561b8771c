#include "common/csv.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "common/file_io.h"
#include "common/text.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

// Every row of `path`; `status` (when given) gets how reading ended.
std::vector<CsvRow> read_all(const std::filesystem::path& path, Status* status = nullptr) {
  auto reader = CsvReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  std::vector<CsvRow> rows;
  CsvRow row;
  while ((*reader)->Next(row)) rows.push_back(row);
  if (status != nullptr) *status = (*reader)->status();
  return rows;
}

TEST(Csv, ReadsQuotedFieldsWithCommasQuotesAndNewlines) {
  testing::TempDir dir;
  testing::write_text(dir / "a.csv",
                      "id,text\r\n1,\"a, b\"\r\n2,\"say \"\"hi\"\"\nsecond line\"\n3,plain\n");
  auto rows = read_all(dir / "a.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields[1], "a, b");
  EXPECT_EQ(rows[1].fields[1], "say \"hi\"\nsecond line");
  EXPECT_EQ(rows[1].line, 3u);
  EXPECT_EQ(rows[2].line, 5u);
  EXPECT_EQ(rows[2].fields[1], "plain");
}

TEST(Csv, ReportsWrongFieldCountAndKeepsGoing) {
  testing::TempDir dir;
  testing::write_text(dir / "b.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n");
  auto rows = read_all(dir / "b.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_TRUE(rows[0].error.empty());
  EXPECT_EQ(rows[1].error, "expected 3 fields, found 2");
  EXPECT_EQ(rows[1].line, 3u);
  EXPECT_TRUE(rows[2].error.empty());
}

TEST(Csv, UnclosedQuoteIsOneBadRowNotTheRestOfTheFile) {
  testing::TempDir dir;
  std::string text = "a,b\n1,\"open\n";
  for (int i = 0; i < 300; ++i) text += std::to_string(i) + ",x\n";
  testing::write_text(dir / "c.csv", text);
  auto rows = read_all(dir / "c.csv");
  ASSERT_EQ(rows.size(), 301u);
  EXPECT_EQ(rows[0].error, "unclosed quote");
  EXPECT_EQ(rows[0].line, 2u);
  EXPECT_EQ(rows[1].fields[0], "0");
  EXPECT_EQ(rows[1].line, 3u);
  EXPECT_EQ(rows.back().fields[0], "299");
}

TEST(Csv, AnUnclosedQuoteNeverSwallowsTheNextRecord) {
  testing::TempDir dir;
  // Row 1's quote is never closed; row 2 ends with a stray quote that would close it.
  testing::write_text(dir / "r.csv", "study_id,text\n1,\"Heart size normal.\n2,Small left effusion.\"\n3,Clear.\n");
  auto rows = read_all(dir / "r.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].error, "unclosed quote");
  EXPECT_EQ(rows[0].line, 2u);
  EXPECT_EQ(rows[0].get(0), "1") << "the broken row still names its study";
  EXPECT_TRUE(rows[1].error.empty()) << rows[1].error;
  EXPECT_EQ(rows[1].line, 3u);
  EXPECT_EQ(rows[1].get(0), "2");
  EXPECT_EQ(rows[1].get(1), "Small left effusion.\"") << "study 2 keeps its own text";
  EXPECT_EQ(rows[2].get(0), "3");
}

TEST(Csv, TextAfterAClosingQuoteIsABrokenRow) {
  testing::TempDir dir;
  testing::write_text(dir / "t.csv", "study_id,text\n1,\"Heart normal.\" Lungs clear.\n2,\"Fine\"  \n3,x\"y\n");
  auto rows = read_all(dir / "t.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].error, "text after a closing quote");
  EXPECT_EQ(rows[0].get(0), "1");
  EXPECT_TRUE(rows[1].error.empty()) << "blanks after a closing quote are allowed";
  EXPECT_EQ(rows[1].get(1), "Fine");
  EXPECT_TRUE(rows[2].error.empty()) << "a quote inside an unquoted field is a character";
  EXPECT_EQ(rows[2].get(1), "x\"y");
}

TEST(Csv, ResynchronisesAfterABrokenMultiLineRecordAndNamesEveryStudy) {
  testing::TempDir dir;
  // Row 1 opens a quote that closes inside row 2 ("text after a closing quote"); row 2 is a
  // valid multi-line record of its own and must come back whole.
  testing::write_text(dir / "m.csv",
                      "study_id,text\n10,\"Heart normal.\n11,\"Two\nlines.\"\n12,\"After.\"\n");
  auto rows = read_all(dir / "m.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_FALSE(rows[0].error.empty());
  EXPECT_EQ(rows[0].get(0), "10");
  EXPECT_TRUE(rows[1].error.empty()) << rows[1].error;
  EXPECT_EQ(rows[1].get(0), "11");
  EXPECT_EQ(rows[1].get(1), "Two\nlines.");
  EXPECT_EQ(rows[2].get(0), "12");
}

TEST(Csv, ReadsGzipTransparently) {
  testing::TempDir dir;
  std::string path = (dir / "d.csv.gz").string();
  gzFile gz = gzopen(path.c_str(), "wb");
  std::string text = "x,y\n1,2\n";
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
  auto rows = read_all(path);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields[1], "2");
}

// The fields' vector is filled again for every record: a shorter record after a longer one
// leaves none of the longer one's fields behind, whatever the shape of either.
TEST(Csv, ParsingIntoUsedFieldsGivesOnlyTheNewRecord) {
  std::vector<std::string> fields;
  ASSERT_EQ(parse_csv_fields("10000032,50414267,02aa804e-bde0afdd-112c0b34-7bc16630-4e384014,PA,train", fields),
            CsvParse::kComplete);
  ASSERT_EQ(fields.size(), 5u);
  EXPECT_EQ(parse_csv_fields("1,\"a, \"\"b\"\"\"", fields), CsvParse::kComplete);
  EXPECT_EQ(fields, (std::vector<std::string>{"1", "a, \"b\""}));
  EXPECT_EQ(parse_csv_fields("7,\"open", fields), CsvParse::kOpenQuote);
  EXPECT_EQ(fields, (std::vector<std::string>{"7", "open"}));
  EXPECT_EQ(parse_csv_fields("\"x\" y,z", fields), CsvParse::kTextAfterQuote);
  EXPECT_EQ(fields, (std::vector<std::string>{"x"}));
  EXPECT_EQ(parse_csv_fields("", fields), CsvParse::kComplete);
  EXPECT_EQ(fields, (std::vector<std::string>{""}));
  EXPECT_EQ(parse_csv_fields("a,,b,", fields), CsvParse::kComplete);
  EXPECT_EQ(fields, (std::vector<std::string>{"a", "", "b", ""}));
}

TEST(Csv, EscapesOnlyWhenNeeded) {
  EXPECT_EQ(csv_line({"a", "b,c", "say \"x\"", "l1\nl2"}), "a,\"b,c\",\"say \"\"x\"\"\",\"l1\nl2\"");
  std::vector<std::string> fields;
  ASSERT_TRUE(parse_csv_record(csv_line({"a", "b,c", "say \"x\""}), fields));
  EXPECT_EQ(fields, (std::vector<std::string>{"a", "b,c", "say \"x\""}));
}

TEST(Csv, NeedsQuotesFindsASpecialByteAtAnyPlace) {
  // Every length around the 8- and 16-byte steps, each special byte at each place, and the bytes
  // next to the special ones (which must not count).
  for (size_t length = 0; length <= 40; ++length) {
    std::string plain(length, 'a');
    EXPECT_FALSE(needs_csv_quotes(plain)) << length;
    for (char near : {'+', '-', '!', '#', '\t', '\x0b', '\x0c', '\x0e', '\x8c', '\xa2'}) {
      std::string field = plain;
      for (size_t at = 0; at < length; ++at) field[at] = near;
      EXPECT_FALSE(needs_csv_quotes(field)) << length << " " << int(near);
    }
    for (char special : {',', '"', '\r', '\n'}) {
      for (size_t at = 0; at < length; ++at) {
        std::string field = plain;
        field[at] = special;
        EXPECT_TRUE(needs_csv_quotes(field)) << length << " at " << at << " " << int(special);
      }
    }
  }
  EXPECT_EQ(csv_escape("a\xe2\x80\x9c" "b"), "a\xe2\x80\x9c" "b");
  EXPECT_EQ(csv_escape("12345678,"), "\"12345678,\"");
}

TEST(Csv, RecordsAreQuotedFieldByFieldAsEachFieldNeeds) {
  // Every pair and triple of these fields, written as one record.
  const std::vector<std::string> samples = {"", "a", "a,b", "say \"x\"", "l1\nl2", "cr\r", "12345678,",
                                            "what abnormalities are seen in this image?",
                                            "atelectasis, pleural effusion", ",,", std::string(17, 'x')};
  // The rule written plainly: a field with a comma, quote, CR or LF is quoted, its quotes doubled.
  auto plain_record = [](const std::vector<std::string>& fields) {
    std::string record;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) record += ',';
      if (fields[i].find_first_of(",\"\r\n") == std::string::npos) {
        record += fields[i];
        continue;
      }
      record += '"';
      for (char c : fields[i]) record += c == '"' ? std::string("\"\"") : std::string(1, c);
      record += '"';
    }
    return record;
  };
  auto check = [&](const std::vector<std::string>& fields) {
    std::vector<std::string_view> views(fields.begin(), fields.end());
    std::string out = "kept|";
    append_csv_record(out, views);
    EXPECT_EQ(out, "kept|" + plain_record(fields));
    EXPECT_EQ(csv_line(fields), plain_record(fields));
  };
  for (const std::string& a : samples) {
    check({a});
    for (const std::string& b : samples) {
      check({a, b});
      for (const std::string& c : samples) check({a, b, c});
    }
  }
  // Long runs of commas (their count passes what one byte lane can hold) and long plain text.
  check({std::string(9000, ','), "a"});
  check({std::string(9000, 'a'), std::string(4100, ',') + "b", "c"});
  check({std::string(9000, 'a'), "b"});
  std::string comma_every_16th;  // 256 commas in one lane: a count kept in a byte would wrap to 0
  for (int i = 0; i < 256; ++i) comma_every_16th += "," + std::string(15, 'x');
  check({comma_every_16th, "a"});
  std::string out = "kept";
  append_csv_record(out, {});
  EXPECT_EQ(out, "kept");
}

TEST(Csv, TruncatedGzipEndsWithAnErrorNamingTheFile) {
  testing::TempDir dir;
  std::string path = (dir / "big.csv.gz").string();
  gzFile gz = gzopen(path.c_str(), "wb");
  std::string text = "x,y\n";
  for (int i = 0; i < 20000; ++i) text += std::to_string(i) + ",value " + std::to_string(i * 7) + "\n";
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  Status status;
  EXPECT_LT(read_all(path, &status).size(), 20000u);
  ASSERT_FALSE(status.ok()) << "a truncated file ended quietly";
  EXPECT_NE(status.message().find("big.csv.gz"), std::string::npos) << status.message();
}

TEST(Text, IdsAreShortTokens) {
  EXPECT_TRUE(looks_like_id("50000001"));
  EXPECT_TRUE(looks_like_id("CXR1234_IM-0001"));
  EXPECT_FALSE(looks_like_id(""));
  EXPECT_FALSE(looks_like_id("Heart size is normal"));
  EXPECT_FALSE(looks_like_id("a,b"));
  EXPECT_FALSE(looks_like_id(std::string(65, '1')));
}

TEST(Text, NonBlankLinesAreNumberedAsLineReaderReadsThem) {
  testing::TempDir dir;
  std::string text = "first\r\n\n  \t\r\nsecond\r\r\nthird";
  testing::write_text(dir / "lines.txt", text);
  auto reader = LineReader::Open(dir / "lines.txt");
  ASSERT_TRUE(reader.ok());
  std::vector<NumberedLine> expected;
  std::vector<std::string> kept;  // LineReader reuses its line: keep the texts
  std::string line;
  while ((*reader)->Next(line)) {
    if (trim(line).empty()) continue;
    kept.push_back(line);
    expected.push_back({(*reader)->line_number(), {}});
  }
  std::vector<NumberedLine> lines = non_blank_lines(text);
  ASSERT_EQ(lines.size(), 3u);
  ASSERT_EQ(lines.size(), expected.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].number, expected[i].number);
    EXPECT_EQ(lines[i].text, kept[i]);
  }
  EXPECT_EQ(lines[1].text, "second\r");  // only the '\r' before the newline is dropped
  EXPECT_EQ(lines[2].number, 5u);
  EXPECT_TRUE(non_blank_lines("").empty());
  EXPECT_TRUE(non_blank_lines("\n \n").empty());
}

TEST(Text, Utf8ValidationAndRepair) {
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9"));
  EXPECT_FALSE(is_valid_utf8("bad \xFF byte"));
  EXPECT_FALSE(is_valid_utf8("truncated \xE2\x82"));
  size_t replaced = 0;
  EXPECT_EQ(sanitize_utf8("a\xFF" "b\xC0", &replaced), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
  EXPECT_EQ(replaced, 2u);
}

}  // namespace
}  // namespace cxrvqa
