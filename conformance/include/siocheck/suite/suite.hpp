// The conformance suite as the run engine sees it: the case variants a selection plans (ids,
// globs, areas, shards), each turned into a run unit that drives the target and reports what it
// observed against what it expected.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "siocheck/run/unit.hpp"
#include "siocheck/suite/case.hpp"

namespace conform {

struct Selection {
  std::vector<std::string> cases;            // patterns to run (empty: all)
  std::vector<std::string> skip;             // patterns to leave out
  std::optional<std::pair<int, int>> shard;  // shard i of n, from 1
};

struct Planned {
  const Case* c = nullptr;
  std::optional<Transport> variant;
  std::string name;  // id, or id@variant
};

// The case variants `selection` picks, in the suite's order.
std::vector<Planned> plan(const Selection& selection);

// The facts of one planned variant, as every report shows them.
run::UnitInfo unit_info(const Planned& planned);
// Every variant of every case: what baselines are checked against.
std::vector<run::UnitInfo> all_unit_infos();

// The planned variants as run units against `settings` (which must outlive the units). A case
// that needs fixture level extended is UNIMPLEMENTED on a target at level official.
std::vector<run::Unit> units(const std::vector<Planned>& planned, const Settings& settings);

}  // namespace conform
