// `siocheck scenario`: runs YAML multi-client scripts (scenarios/README.md) against a target.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "target.hpp"

namespace siocheck {

struct ScenarioOptions {
  std::vector<std::string> paths;  // files or folders of *.yaml
  TargetOptions where;
  std::string app = "fixture";        // what the target serves: fixture or signaling
  std::optional<std::string> level;   // skip discovery: official or extended
  std::vector<std::string> features;  // what else the target has, for `requires: features`
  int jobs = 4;
  bool trace = false;  // the whole trace of each failure (otherwise its last lines)
  bool check = false;  // only parse the scripts
  std::optional<std::string> known_failing;
  std::optional<std::string> junit;
};

// Exit status: 0 every script passed or was skipped, 1 a failure (or a stale known-failing
// entry), 2 usage error, bad script or unreachable target.
int run_scenarios(const ScenarioOptions& options);

}  // namespace siocheck
