// A live fuzzing campaign: sequences drawn from a seed, played by several jobs at once against one
// target, each followed by the liveness probe. A failure is confirmed alone (other jobs wait),
// minimised by removing steps while the same finding still comes out, and written as a finding
// file that replay plays again; a crashed or hung --launch target is restarted.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "siocheck/fuzz/execution.hpp"
#include "siocheck/host/target_host.hpp"
#include "siocheck/run/unit.hpp"

namespace conform::fuzz {

struct CampaignOptions {
  std::uint64_t seed = 0;  // 0: a random seed (reported)
  double duration_s = 60;
  std::optional<std::uint64_t> sequences;  // stop after this many (with or before the duration)
  int jobs = 2;
  Ms probe_timeout{2000};  // the liveness probe's bound, and each step's
  int max_findings = 10;   // stop once this many distinct findings are written
  std::string findings_dir = "fuzz-findings";
  bool quiet = false;                       // no progress lines
  const std::atomic<bool>* stop = nullptr;  // set from elsewhere (a signal): stop early
};

struct Finding {
  Outcome outcome;
  std::vector<Step> steps;
  std::size_t original_steps = 0;  // before minimising
  std::uint64_t index = 0;         // the sequence's index: (seed, index) draws it again
  double after_s = 0;
  bool minimised = false;
  std::string file;  // where it was written
  int repeats = 0;   // seen again (not written again)
};

struct CampaignResult {
  std::uint64_t seed = 0;
  std::uint64_t sequences = 0;
  double seconds = 0;
  int restarts = 0;
  int unconfirmed = 0;       // failures that did not come out again alone
  bool target_down = false;  // the target could not be brought back: the campaign stopped
  std::vector<Finding> findings;
};

// Runs the campaign against `host`'s target; progress lines and each finding go to `log` as they
// come. Finding files are written under options.findings_dir.
CampaignResult run_campaign(host::TargetHost& host, const CampaignOptions& options,
                            std::ostream& log);

// A finding file as replay reads it.
struct FindingFile {
  std::string file;
  Kind kind = Kind::none;
  std::string code;
  std::vector<Step> steps;
};
// On error: nullopt, and what is wrong with the file.
std::optional<FindingFile> load_finding(const std::string& path, std::string& error);

// The requirement every finding breaks, as reports state it.
extern const char* const kLivenessRequirement;

// Report units: a finding as a FAIL (its steps and the replay command in the details); a campaign
// without findings as one PASS; a replayed file as FAIL when its finding (or another) came out.
run::Result finding_result(const Finding& finding);
run::Result clean_campaign_result(const CampaignResult& result);
run::UnitInfo replay_info(const FindingFile& file);
run::Outcome replay_outcome(const FindingFile& file, const Outcome& got);

}  // namespace conform::fuzz
