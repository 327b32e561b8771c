// The synthetic corpus: a plan of subjects (sequential, cheap), then each subject's studies
// and reports written in parallel, each from its own random stream.
#include "synth/synth.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "common/hash.h"
#include "common/parallel.h"
#include "common/rng.h"
#include "corpus/metadata.h"
#include "synth/templates.h"

namespace cxrvqa {

namespace {

using synth::SentenceKind;
using synth::SynthTemplates;

constexpr uint64_t kFirstSubject = 10000000;
constexpr uint64_t kSubjectStride = 137;    // spreads subjects over p10..p19
constexpr uint64_t kFirstStudy = 50000000;
constexpr double kMeanExtraStudies = 3.0;   // about 3.5 studies per subject, as in MIMIC-CXR
constexpr size_t kMaxStudies = 40;
constexpr int kFirstYear = 2110, kYearSpan = 80;  // MIMIC's shifted dates

struct SubjectPlan {
  std::string subject_id;
  size_t first_study = 0;  // global index of the subject's first study
  size_t studies = 0;
};

std::vector<SubjectPlan> plan_subjects(size_t total_studies, uint64_t seed) {
  std::vector<SubjectPlan> plan;
  size_t assigned = 0;
  for (uint64_t i = 0; assigned < total_studies; ++i) {
    SplitMix64 rng(stable_hash64("plan", seed + i));
    size_t extra = static_cast<size_t>(-std::log(1.0 - rng.Unit()) * kMeanExtraStudies);
    size_t studies = std::min({1 + extra, kMaxStudies, total_studies - assigned});
    plan.push_back({std::to_string(kFirstSubject + i * kSubjectStride), assigned, studies});
    assigned += studies;
  }
  return plan;
}

// A positive finding with its attributes as written in one report.
struct Positive {
  int finding = 0;
  std::string_view level, location, type, region;
};

std::string_view pick(const std::vector<std::string>& options, SplitMix64& rng, double chance) {
  if (options.empty() || !rng.Chance(chance)) return {};
  return options[rng.Below(options.size())];
}

std::string study_date(int day_number) {
  using namespace std::chrono;
  year_month_day date{sys_days{days{day_number}}};
  return fmt::format("{:04}{:02}{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
}

std::string dicom_id(SplitMix64& rng) {
  uint64_t a = rng.Next(), b = rng.Next(), c = rng.Next();
  return fmt::format("{:08x}-{:08x}-{:08x}-{:08x}-{:08x}", a >> 32, a & 0xffffffffu, b >> 32,
                     b & 0xffffffffu, c >> 32);
}

// Writes one subject's reports; fills its metadata rows.
class SubjectWriter {
 public:
  SubjectWriter(const SynthTemplates& templates, const SubjectPlan& plan, uint64_t seed)
      : templates_(templates), plan_(plan), rng_(stable_hash64(plan.subject_id, seed)) {}

  Status Write(const std::filesystem::path& files_root, std::vector<StudyRecord>& rows) {
    std::filesystem::path dir = files_root / ("p" + plan_.subject_id.substr(0, 2)) / ("p" + plan_.subject_id);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::IoError("cannot create " + dir.string() + ": " + ec.message());

    double u = rng_.Unit();
    std::string split = u < 0.90 ? "train" : (u < 0.94 ? "validate" : "test");
    // Study ids in a block; dates in an order unrelated to the ids.
    std::vector<size_t> by_date(plan_.studies);
    std::iota(by_date.begin(), by_date.end(), 0);
    for (size_t i = by_date.size(); i > 1; --i) std::swap(by_date[i - 1], by_date[rng_.Below(i)]);
    using namespace std::chrono;
    int day = sys_days{year{kFirstYear} / 1 / 1}.time_since_epoch().count() +
              static_cast<int>(rng_.Below(365 * kYearSpan));
    for (size_t rank = 0; rank < plan_.studies; ++rank) {
      StudyRecord row;
      row.subject_id = plan_.subject_id;
      row.study_id = std::to_string(kFirstStudy + plan_.first_study + by_date[rank]);
      row.split = split;
      row.study_date = study_date(day);
      row.study_order = static_cast<int>(rank) + 1;
      double v = rng_.Unit();
      bool ap = v < 0.55, pa = !ap && v < 0.90;
      row.view = ap ? "antero-posterior" : (pa ? "postero-anterior" : "lateral");
      row.dicom_id = dicom_id(rng_);
      std::string text = Report(ap);
      std::filesystem::path file = dir / ("s" + row.study_id + ".txt");
      CXRVQA_RETURN_IF_ERROR(WriteFile(file, text));
      rows.push_back(std::move(row));
      day += 1 + static_cast<int>(rng_.Below(300));
    }
    return Status::Ok();
  }

 private:
  static Status WriteFile(const std::filesystem::path& path, const std::string& text) {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) return Status::IoError("cannot write " + path.string());
    bool ok = std::fwrite(text.data(), 1, text.size(), file) == text.size();
    ok = std::fclose(file) == 0 && ok;
    return ok ? Status::Ok() : Status::IoError("cannot write " + path.string());
  }

  const synth::Template& Choose(SentenceKind kind) {
    const auto& list = templates_.of(kind);
    return list[rng_.Below(list.size())];
  }

  bool Used(int finding) const {
    return std::find(used_.begin(), used_.end(), finding) != used_.end();
  }

  // A finding from `choice` not used yet in this report, or -1.
  int Fresh(const synth::WeightedChoice& choice) {
    for (int tries = 0; tries < 8; ++tries) {
      int finding = choice.Draw(rng_);
      if (finding >= 0 && !Used(finding)) {
        used_.push_back(finding);
        return finding;
      }
    }
    return -1;
  }

  Positive Describe(int index) {
    const synth::SynthFinding& f = templates_.findings[index];
    Positive p{index, pick(f.levels, rng_, 0.5), {}, pick(f.types, rng_, 0.4), {}};
    if (rng_.Chance(0.5)) {
      p.location = pick(f.locations, rng_, 0.8);
    } else {
      p.region = pick(f.regions, rng_, 0.7);
    }
    return p;
  }

  // Carries some of the previous study's findings over, adds new ones.
  std::vector<Positive> NextPositives() {
    std::vector<Positive> positives;
    for (const Positive& previous : state_) {
      if (!rng_.Chance(0.6)) continue;
      Positive carried = previous;
      if (rng_.Chance(0.3)) carried.level = pick(templates_.findings[carried.finding].levels, rng_, 0.7);
      used_.push_back(carried.finding);
      positives.push_back(carried);
    }
    double u = rng_.Unit();
    int fresh = u < 0.4 ? 0 : (u < 0.72 ? 1 : (u < 0.92 ? 2 : 3));
    for (int i = 0; i < fresh; ++i) {
      int finding = Fresh(templates_.positive);
      if (finding >= 0) positives.push_back(Describe(finding));
    }
    return positives;
  }

  void Sentence(const synth::Template& tmpl, const std::array<std::string_view, synth::kSlotCount>& values,
                std::string& out) {
    if (!out.empty()) out += ' ';
    synth::render_template(tmpl, values, out);
  }

  void PositiveSentence(const Positive& p, std::string& out) {
    unsigned have = 0;
    std::array<std::string_view, synth::kSlotCount> values{p.level, p.location, p.type, p.region,
                                                           templates_.findings[p.finding].name, {}};
    for (int slot = synth::kLevel; slot <= synth::kRegion; ++slot) {
      if (!values[slot].empty()) have |= 1u << slot;
    }
    const auto& list = templates_.of(SentenceKind::kPositive);
    // The template using the most of the attributes at hand, among a few random ones.
    const synth::Template* best = nullptr;
    for (int tries = 0; tries < 12; ++tries) {
      const synth::Template& tmpl = list[rng_.Below(list.size())];
      if ((tmpl.required & ~have) != 0) continue;
      if (best == nullptr || std::popcount(tmpl.required) > std::popcount(best->required)) best = &tmpl;
    }
    if (best == nullptr) {
      for (const auto& tmpl : list) {
        if ((tmpl.required & ~have) == 0) best = &tmpl;
      }
    }
    if (best != nullptr) Sentence(*best, values, out);
  }

  void NegativeSentences(std::string& out) {
    size_t count = 1 + rng_.Below(4);
    for (size_t i = 0; i < count;) {
      int first = Fresh(templates_.negative);
      if (first < 0) return;
      std::array<std::string_view, synth::kSlotCount> values{};
      values[synth::kFinding] = templates_.findings[first].name;
      const synth::Template* tmpl = &Choose(SentenceKind::kNegative);
      if (tmpl->pair) {
        int second = i + 1 < count ? Fresh(templates_.negative) : -1;
        if (second >= 0) {
          values[synth::kFinding2] = templates_.findings[second].name;
          ++i;
        } else {
          while (tmpl->pair) tmpl = &Choose(SentenceKind::kNegative);
        }
      }
      Sentence(*tmpl, values, out);
      ++i;
    }
  }

  std::string Report(bool ap) {
    used_.clear();
    std::vector<Positive> positives = NextPositives();
    std::string findings;
    for (const Positive& p : positives) PositiveSentence(p, findings);
    if (positives.empty()) {
      size_t normals = 2 + rng_.Below(3);
      for (size_t i = 0; i < normals; ++i) Sentence(Choose(SentenceKind::kNormal), {}, findings);
    }
    NegativeSentences(findings);
    if (rng_.Chance(0.25)) {
      int finding = Fresh(templates_.uncertain);
      std::array<std::string_view, synth::kSlotCount> values{};
      if (finding >= 0) {
        values[synth::kFinding] = templates_.findings[finding].name;
        Sentence(Choose(SentenceKind::kUncertain), values, findings);
      }
    }
    size_t devices = rng_.Chance(ap ? 0.5 : 0.08) ? 1 + rng_.Below(2) : 0;
    for (size_t i = 0; i < devices; ++i) Sentence(Choose(SentenceKind::kDevice), {}, findings);

    std::string impression;
    if (positives.empty()) {
      Sentence(Choose(SentenceKind::kImpressionNormal), {}, impression);
    } else {
      PositiveSentence(positives.front(), impression);
    }
    state_ = std::move(positives);
    return Layout(ap, findings, impression);
  }

  std::string Layout(bool ap, const std::string& findings, const std::string& impression) {
    std::array<std::string_view, synth::kSlotCount> none{};
    std::string indication, comparison;
    synth::render_template(Choose(SentenceKind::kIndication), none, indication);
    synth::render_template(Choose(SentenceKind::kComparison), none, comparison);
    std::string text = "                                 FINAL REPORT\n";
    text += ap ? " EXAMINATION:  CHEST (PORTABLE AP)\n \n" : " EXAMINATION:  CHEST (PA AND LAT)\n \n";
    text += " INDICATION:  " + indication + "\n \n";
    text += " COMPARISON:  " + comparison + "\n \n";
    double u = rng_.Unit();
    if (u < 0.10) {  // impression only: the findings are written there
      AppendSection(text, "IMPRESSION", findings + " " + impression);
    } else {
      AppendSection(text, "FINDINGS", findings);
      if (u >= 0.05 + 0.10) AppendSection(text, "IMPRESSION", impression);
    }
    return text;
  }

  // " NAME:\n \n" then `body` wrapped at about 76 columns, one leading space per line.
  static void AppendSection(std::string& text, std::string_view name, std::string_view body) {
    constexpr size_t kWidth = 76;
    text += fmt::format(" {}:\n \n", name);
    size_t column = 0;
    size_t pos = 0;
    while (pos < body.size()) {
      size_t end = body.find(' ', pos);
      if (end == std::string_view::npos) end = body.size();
      std::string_view word = body.substr(pos, end - pos);
      if (column > 0 && column + 1 + word.size() > kWidth) {
        text += '\n';
        column = 0;
      }
      text += ' ';
      text += word;
      column += 1 + word.size();
      pos = end + 1;
    }
    text += "\n \n";
  }

  const SynthTemplates& templates_;
  const SubjectPlan& plan_;
  SplitMix64 rng_;
  std::vector<Positive> state_;  // positives of the previous study
  std::vector<int> used_;        // findings already named in the current report
};

}  // namespace

Result<SynthSummary> write_synthetic_corpus(const std::filesystem::path& out, const SynthOptions& options) {
  CXRVQA_ASSIGN_OR_RETURN(auto templates, synth::load_synth_templates(options.templates));
  std::vector<SubjectPlan> plan = plan_subjects(options.studies, options.seed);
  std::vector<std::vector<StudyRecord>> rows(plan.size());
  std::vector<Status> failures(plan.size());
  std::filesystem::path files_root = out / "files";
  parallel_chunks(plan.size(), options.threads, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      failures[i] = SubjectWriter(templates, plan[i], options.seed).Write(files_root, rows[i]);
    }
  }, 16);
  for (const Status& failure : failures) CXRVQA_RETURN_IF_ERROR(failure);

  SynthSummary summary;
  summary.subjects = plan.size();
  std::vector<StudyRecord> table;
  table.reserve(options.studies);
  for (auto& subject_rows : rows) {
    std::sort(subject_rows.begin(), subject_rows.end(),
              [](const StudyRecord& a, const StudyRecord& b) { return a.study_id < b.study_id; });
    for (StudyRecord& row : subject_rows) {
      summary.frontal += is_frontal(view_kind(row.view));
      table.push_back(std::move(row));
    }
  }
  summary.studies = table.size();
  CXRVQA_RETURN_IF_ERROR(write_mimic_all(out / "mimic_all.csv", table));
  return summary;
}

std::string SynthSummary::ToString() const {
  return fmt::format("synth: {} studies, {} subjects, {} frontal -> {} ({:.1f} s)\n", studies, subjects, frontal,
                     out.string(), seconds);
}

Json SynthSummary::ToJson() const {
  return Json{{"studies", studies}, {"subjects", subjects}, {"frontal", frontal}, {"out", out.string()},
              {"seconds", seconds}};
}

Result<SynthSummary> RunSynth(const SynthOptions& options) {
  auto start = std::chrono::steady_clock::now();
  CXRVQA_ASSIGN_OR_RETURN(auto summary, write_synthetic_corpus(options.out, options));
  summary.out = options.out;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace cxrvqa
