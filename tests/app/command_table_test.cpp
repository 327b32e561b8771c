// The README's command table against the program's own option registry: every subcommand
// the program has is in the table, every command the table names exists, and every option
// a table row shows is one that command accepts.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace cxrvqa {
namespace {

using testing::read_text;
using testing::run_cxrvqa;

// The names listed under "Subcommands:" in `help`.
std::set<std::string> subcommands_of(const std::string& help) {
  std::set<std::string> names;
  std::istringstream lines(help.substr(help.find("Subcommands:")));
  std::string line;
  std::getline(lines, line);
  std::regex entry(R"(^  ([a-z][a-z0-9-]*)\s)");
  while (std::getline(lines, line)) {
    std::smatch match;
    if (std::regex_search(line, match, entry)) names.insert(match[1]);
  }
  return names;
}

// The first cells of the command table (the one right under "## Commands", headed
// "| command |"): the code spans of each row.
std::vector<std::string> command_spans(const std::string& readme) {
  size_t table = readme.find("| command |", readme.find("## Commands"));
  if (table == std::string::npos) return {};
  std::istringstream lines(readme.substr(table));
  std::vector<std::string> spans;
  std::string line;
  std::regex span("`([^`]+)`");
  while (std::getline(lines, line) && line.rfind("|", 0) == 0) {
    if (line.rfind("| `", 0) != 0) continue;  // the header and its rule
    std::string first_cell = line.substr(0, line.find(" | "));
    for (std::sregex_iterator it(first_cell.begin(), first_cell.end(), span), stop; it != stop; ++it) {
      spans.push_back((*it)[1]);
    }
  }
  return spans;
}

TEST(CommandTable, ListsExactlyTheProgramsCommandsWithOptionsTheyAccept) {
  std::string help;
  ASSERT_EQ(run_cxrvqa("--help", &help), 0) << help;
  std::set<std::string> program = subcommands_of(help);
  ASSERT_GE(program.size(), 10u) << help;

  std::string readme = read_text(std::filesystem::path(CXRVQA_SOURCE_DIR) / "README.md");
  std::vector<std::string> spans = command_spans(readme);
  ASSERT_FALSE(spans.empty());
  std::set<std::string> documented;
  std::regex option(R"((--[a-z][a-z0-9-]*))");
  for (const std::string& span : spans) {
    std::string command = span.substr(0, span.find(' '));
    documented.insert(command);
    EXPECT_TRUE(program.count(command)) << "README names a command the program lacks: " << span;
    if (!program.count(command)) continue;
    std::string command_help;
    ASSERT_EQ(run_cxrvqa(command + " --help", &command_help), 0) << command_help;
    // A command with subcommands of its own (batch, golden, review) shows their options
    // in their own help.
    std::set<std::string> nested = subcommands_of(command_help + "\nSubcommands:\n");
    for (const std::string& sub : nested) {
      std::string sub_help;
      ASSERT_EQ(run_cxrvqa(command + " " + sub + " --help", &sub_help), 0) << sub_help;
      command_help += sub_help;
    }
    for (std::sregex_iterator it(span.begin(), span.end(), option), stop; it != stop; ++it) {
      std::string name = (*it)[1];
      EXPECT_NE(command_help.find(name), std::string::npos)
          << "README shows " << name << " for `" << command << "`, which does not accept it";
    }
  }
  for (const std::string& command : program) {
    EXPECT_TRUE(documented.count(command)) << "the README's command table lacks `" << command << "`";
  }
}

}  // namespace
}  // namespace cxrvqa
