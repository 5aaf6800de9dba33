// A stateful model of Socket.IO rooms, broadcasts and acks, checked with RapidCheck (rc::state)
// against a live fixture of level extended (conformance/FIXTURE.md). Several clients connect to
// and leave the namespaces of the run, join and leave rooms, broadcast with to / except /
// includeSelf, and ask for acks; the model predicts exactly which socket receives what, and
// ctl:fence proves that nothing else arrived. A failing sequence is shrunk, printed one step a
// line with the packet expected and the one observed, and written as a scenario script
// (scenarios/README.md) that replays it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "siocheck/driver/driver.hpp"

namespace conform::model {

enum class Transports { websocket, polling, mixed };  // mixed: every second client polls
std::string_view to_string(Transports t) noexcept;    // "websocket", "polling", "mixed"

struct Options {
  Target target;
  int runs = 100;          // successful runs wanted
  std::uint64_t seed = 0;  // RapidCheck's seed: the same seed draws the same runs
  int max_clients = 3;     // clients (Engine.IO connections) in a run, 1 to 8
  int max_steps = 30;      // the longest command sequence of a run
  Transports transports = Transports::mixed;
  Ms timeout{5000};  // how long an expected packet may take
};

// How far the check has come, for a progress line.
struct Progress {
  int runs = 0;     // runs finished
  int shrinks = 0;  // shrinks accepted (a shorter or simpler failing sequence)
  int tried = 0;    // shrinks tried
  bool shrinking = false;
};

struct Outcome {
  bool passed = false;
  int runs = 0;       // runs that passed
  int steps = 0;      // commands run in the passing runs
  int shrinks = 0;    // accepted shrinks of the failure
  std::string error;  // the check itself failed (it could not generate commands, ...)
  // A failure: the shrunk sequence, one line per step (the failing one last), what went wrong at
  // the failing step (expected and observed), and the sequence as a scenario script.
  std::vector<std::string> sequence;
  std::string failure;
  std::string trace;  // the wire trace before the failure (its last lines)
  std::string scenario;
};

// Runs the model. `progress` is called after each run and each shrink tried.
Outcome check(const Options& options, const std::function<void(const Progress&)>& progress);

}  // namespace conform::model
