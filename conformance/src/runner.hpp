// Runs the suite: plans the case variants (selection, shards, fixture level), runs them on many
// threads (timing-sensitive ones in a lane of their own), applies the baselines, and decides
// whether the run regressed.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "suite.hpp"

namespace conform {

// A known-failing or known-flaky list: one id, id@variant or glob per line, each with "# reason".
struct Baseline {
  struct Entry {
    std::string pattern;
    std::string reason;
    int line = 0;
  };
  std::string file;
  std::vector<Entry> entries;
  // Reads `path`; on error returns nullopt and says why (file and line) in `error`.
  static std::optional<Baseline> load(const std::string& path, std::string& error);
  const Entry* match(const std::string& id, const std::string& name) const;
};

// "*" matches any run of characters, "?" one.
bool glob_match(std::string_view pattern, std::string_view text);
// Whether `pattern` selects the case: a glob on the id or id@variant, or an id prefix
// ("eio/polling").
bool selects(std::string_view pattern, const std::string& id, const std::string& name);

struct Planned {
  const Case* c = nullptr;
  std::optional<Transport> variant;
  std::string name;  // id, or id@variant
};

struct RunOptions {
  Settings settings;
  std::vector<std::string> cases;  // selection (empty: all)
  std::vector<std::string> skip;
  int jobs = 12;
  int timing_jobs = 3;
  std::optional<std::pair<int, int>> shard;  // i of n, from 1
  bool strict = false;
  std::optional<Baseline> known_failing;
  std::optional<Baseline> known_flaky;
  std::function<void(std::size_t done, std::size_t total, const struct CaseResult&)> progress;
};

struct CaseResult {
  const Case* c = nullptr;
  std::string name;
  std::string variant;
  Verdict verdict = Verdict::pass;
  std::string reason;  // the failed check, or why it could not run
  std::vector<Check> checks;
  std::vector<TraceEntry> trace;
  double duration_ms = 0;
  enum class Baseline { none, known_failing, known_flaky, stale } baseline = Baseline::none;
  std::string baseline_reason;
  bool regression = false;
};

struct RunReport {
  std::string target;
  std::string level;
  std::string started;  // ISO 8601, UTC
  double wall_ms = 0;
  bool strict = false;
  std::vector<CaseResult> results;
  bool regressed() const;
};

std::vector<Planned> plan(const RunOptions& options);
RunReport run(const RunOptions& options);

}  // namespace conform
