// `siocheck model`: the RapidCheck model of rooms, broadcasts and acks (conformance/src/model.hpp)
// against a target, with the shrunk counterexample printed and written as a scenario script.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "target.hpp"

namespace siocheck {

struct ModelOptions {
  TargetOptions where;
  std::vector<std::string> faults;  // embedded server only
  int runs = 100;
  std::optional<std::uint64_t> seed;
  int max_clients = 3;
  int max_steps = 30;
  std::string transport = "mixed";  // websocket, polling or mixed (every second client polls)
  int timeout_ms = 5000;
  std::optional<std::string> scenario_out;
  std::optional<std::string> level;  // skip discovery
};

// Exit status: 0 every run passed, 1 the model found a counterexample, 2 usage error, an
// unreachable target or one without the extended fixture level.
int run_model(const ModelOptions& options);

}  // namespace siocheck
