// What `siocheck conform` is told and selects: its flags (server and client mode), its patterns
// checked, its shard read, its plan listed.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "flags.hpp"
#include "siocheck/client/client_suite.hpp"
#include "siocheck/suite/suite.hpp"

namespace siocheck::cli {

struct ConformFlags {
  conform::host::TargetOptions where;
  conform::Selection selection;
  std::optional<std::string> shard;  // "i/n"
  bool list = false;
  std::optional<int> jobs;  // default: 12 (server mode), 6 (client mode: a process per case)
  bool strict = false;
  BaselineFlags baselines;
  int tolerance_ms = 150;
  std::optional<int> connect_timeout_ms;
  std::optional<int> upgrade_timeout_ms;
  std::optional<conform::FixtureLevel> level;
  bool trace = false;
  ReportFlags reports;
  std::optional<std::string> write_known_failing;
  // Client mode: --client -- ADAPTER...
  bool client = false;
  std::vector<std::string> adapter;
  double time_tolerance = 0.25;
};

// `siocheck conform --client`: the client suite against the adapter's library (conform_client.cpp).
int run_conform_client(ConformFlags& f);

class Interrupts;
// After a run: the summary, the reports and the baseline asked for; the exit status.
int finish_conform(const conform::run::Report& report, const ConformFlags& f,
                   const Interrupts& interrupts);

// "2/4" into {2, 4}; false unless 1 <= i <= n.
bool parse_shard(const std::string& text, std::pair<int, int>& shard);
// --list: one line per case variant, then the counts per area. Returns the exit status (0).
int list(const std::vector<conform::Planned>& planned);
// The same for client mode: one line per case, with the features it needs.
int list_client(const std::vector<const conform::client::Case*>& planned);
// Patterns that select nothing turn a gate green by accident: each must name one of `all`. False,
// with the flag and the pattern in `error`, for the first that names none.
bool check_patterns(const std::vector<std::string>& patterns, const char* flag,
                    const std::vector<conform::run::UnitInfo>& all, std::string& error);
// The shard "i/n" of `items`: every n-th from the i-th.
template <class T>
std::vector<T> shard_of(const std::vector<T>& items, std::pair<int, int> shard) {
  std::vector<T> mine;
  for (std::size_t k = 0; k < items.size(); ++k)
    if (static_cast<int>(k % static_cast<std::size_t>(shard.second)) == shard.first - 1)
      mine.push_back(items[k]);
  return mine;
}

}  // namespace siocheck::cli
