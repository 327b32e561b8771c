// Standardize throughput (records/s, one core, output line included) over messy LLM-style
// records and strict records as the rules extractor writes them. The reading alone is
// measured too, to show its share.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/json_tree.h"
#include "keyinfo/keyinfo.h"
#include "lexicon/lexicon.h"
#include "libraries/libraries.h"
#include "standardize/standardize.h"

namespace cxrvqa {
namespace {

const char* kFindings[] = {"pleural effusion", "effusions", "atelectasis", "volume loss",
                           "cardiomegaly", "edema", "pneumothorax", "consolidation", "opacity",
                           "hilar congestion", "granuloma", "nodules", "emphysema", "scarring"};
const char* kLocations[] = {"left", "right", "bilateral", "left lower lobe", "bibasilar",
                            "right base", "retrocardiac", "left-sided"};
const char* kLevels[] = {"small", "mild", "moderate", "large", "trace", "minimal"};
const char* kTypes[] = {"layering", "patchy", "linear", "interstitial", "calcified"};

template <size_t N>
const char* pick(std::mt19937& rng, const char* (&items)[N]) {
  return items[rng() % N];
}

std::string json_quoted(const std::string& text) { return "\"" + text + "\""; }

// One messy record in one of several LLM-style shapes.
std::string messy_record(std::mt19937& rng, int id) {
  std::string f1 = pick(rng, kFindings), f2 = pick(rng, kFindings), f3 = pick(rng, kFindings);
  std::string loc = pick(rng, kLocations), lev = pick(rng, kLevels), typ = pick(rng, kTypes);
  std::string head = "{\"study_id\": " + (id % 2 ? std::to_string(50000000 + id)
                                                 : json_quoted(std::to_string(50000000 + id))) +
                     ", \"subject_id\": " + std::to_string(10000000 + id / 3) + ", ";
  switch (rng() % 6) {
    case 0:
      return head + "\"entity\": " + json_quoted(lev + " " + loc + " " + f1 + ", " + f2) +
             ", \"no_entity\": " + json_quoted(f3) + "}";
    case 1:
      return head + "\"entity\": [{\"name\": " + json_quoted(f1) + ", \"location\": [" + json_quoted(loc) +
             "], \"level\": " + json_quoted(lev) + "}, {\"description\": " + json_quoted("new areas of " + f2) +
             "}], \"uncertain_entity\": [" + json_quoted(f3) + "], \"no_entity\": {\"pneumothorax\": null}}";
    case 2:
      return head + "\"entity\": {" + json_quoted(f1) + ": {\"location\": {" + json_quoted(loc) + ": " +
             json_quoted(lev) + "}, \"type\": " + json_quoted(typ) + ", " + json_quoted(f2) +
             ": {\"location\": \"right\"}}}, \"no_entity\": [\"pneumothorax\", \"pleural effusions\"]}";
    case 3:
      return head + "\"entity\": {" + json_quoted(f1 + " in the " + loc) + ": {\"level\": " +
             json_quoted("location: " + loc + ", level: " + lev) + "}, \"endotracheal tube\": {}}, " +
             "\"opacity_vs_clear\": {\"opacity\": " + json_quoted(typ + " " + loc) + ", \"clear\": null}}";
    case 4:
      return head + "\"entity\": {" + json_quoted(typ + " " + f1) + ": {\"location\": " + json_quoted(lev) +
             ", \"level\": 2, \"type\": \"\"}, " + json_quoted(f2) + ": null}, \"uncertain_entity\": " +
             json_quoted(f3) + ", \"no_entity\": null}";
    default:
      return head + "\"entity\": {" + json_quoted(f1) + ": {\"location\": " + json_quoted(loc) +
             ", \"level\": " + json_quoted(lev) + ", \"type\": null, \"post_location\": null}, " +
             json_quoted(f2) + ": {\"location\": null, \"level\": null, \"type\": " + json_quoted(typ) +
             ", \"post_location\": null}}, \"uncertain_entity\": [], \"no_entity\": [" + json_quoted(f3) + "]}";
  }
}

// A strict record as the rules extractor writes it.
std::string strict_record(std::mt19937& rng, int id) {
  KeyInfo record;
  record.meta = {std::to_string(50000000 + id), std::to_string(10000000 + id / 3),
                 "0123456789abcdef-0123456789abcdef", "postero-anterior", 1 + id % 4, "train"};
  record.opacity = OpacityStatement{"bibasilar", std::nullopt, std::nullopt};
  record.entity = {{"pleural effusion", {std::string(pick(rng, kLocations)), std::string(pick(rng, kLevels)),
                                         std::nullopt, std::nullopt}},
                   {"atelectasis", {std::string("left"), std::nullopt, std::nullopt, std::nullopt}}};
  record.uncertain_entity = {"pneumonia"};
  record.no_entity = {"pneumothorax", "edema"};
  return keyinfo_to_json_line(record);
}

struct Fixture {
  std::shared_ptr<const Lexicon> lexicon;
  std::unique_ptr<Standardizer> standardizer;
  std::vector<std::string> messy, strict;
  Libraries libraries;

  Fixture() {
    auto loaded = Lexicon::Load(std::nullopt);
    if (!loaded.ok()) return;
    lexicon = *loaded;
    standardizer = std::make_unique<Standardizer>(lexicon);
    std::mt19937 rng(7);
    std::vector<KeyInfo> repaired;
    for (int i = 0; i < 4096; ++i) {
      messy.push_back(messy_record(rng, i));
      strict.push_back(strict_record(rng, i));
      RepairCounts counts;
      auto record = standardizer->Repair(Json::parse(messy.back()), counts);
      if (record.ok()) repaired.push_back(*record);
    }
    libraries = compute_libraries(repaired, lexicon.get());
  }
};

Fixture& fixture() {
  static Fixture instance;
  return instance;
}

void run_standardize(benchmark::State& state, const std::vector<std::string>& lines) {
  Fixture& f = fixture();
  if (!f.standardizer) {
    state.SkipWithError("lexicon did not load");
    return;
  }
  RepairCounts counts;
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& line = lines[i++ % lines.size()];
    auto record = f.standardizer->Standardize(line, f.libraries, counts);
    std::string out = record.ok() ? keyinfo_to_json_line(*record) : std::string();
    benchmark::DoNotOptimize(out);
    bytes += line.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["records/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_StandardizeMessy(benchmark::State& state) { run_standardize(state, fixture().messy); }
void BM_StandardizeStrict(benchmark::State& state) { run_standardize(state, fixture().strict); }

// The reading alone: the JSON tree for messy lines, the strict reader for strict lines.
template <typename Read>
void parse_only(benchmark::State& state, const std::vector<std::string>& lines, Read read) {
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(read(lines[i++ % lines.size()]));
  state.counters["records/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_ParseOnlyMessy(benchmark::State& state) {
  parse_only(state, fixture().messy, [](const std::string& line) { return JsonTree::Parse(line).ok(); });
}
void BM_ParseOnlyStrict(benchmark::State& state) {
  parse_only(state, fixture().strict, [](const std::string& line) {
    KeyInfo record;
    return parse_strict_keyinfo_line(line, record);
  });
}

BENCHMARK(BM_StandardizeMessy);
BENCHMARK(BM_StandardizeStrict);
BENCHMARK(BM_ParseOnlyMessy);
BENCHMARK(BM_ParseOnlyStrict);

}  // namespace
}  // namespace cxrvqa

BENCHMARK_MAIN();
