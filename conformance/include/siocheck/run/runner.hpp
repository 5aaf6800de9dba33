// The run engine: runs units on many threads (timing-sensitive ones in a lane of their own), runs
// a failing known-flaky unit again, and grades every result against the baselines. Every checker
// (conform, scenario, model, fuzz, replay) reports through it, so what is added here reaches all.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "siocheck/run/baseline.hpp"
#include "siocheck/run/unit.hpp"

namespace conform::run {

// How results become regressions.
struct Grading {
  bool strict = false;                      // a NON-STRICT verdict is a failure too
  const Baseline* known_failing = nullptr;  // may fail; a listed unit that passes is stale
  const Baseline* known_flaky = nullptr;    // never fails the run, either way
};

// Whether the verdict is a failure (FAIL, CRASH, NOT RUN, or NON-STRICT under strict), before
// any baseline.
bool failing(Verdict verdict, bool strict) noexcept;

// Marks each result (known failing, known flaky, stale) and decides which are regressions: a
// failure not in known-failing (a baseline may excuse a CRASH, never a NOT RUN), and a
// known-failing entry whose unit passes.
void grade(std::vector<Result>& results, const Grading& grading);

// What the engine asks about the target between units, so that a target that dies is reported
// as such: the unit in flight gets CRASH, the target is brought back, and the run goes on.
class Liveness {
 public:
  virtual ~Liveness() = default;
  // Asked after every unit, with its result: nothing while the target lives; otherwise how it
  // ended ("exited with status 1; its last output: ...", "stopped answering: ...").
  virtual std::optional<std::string> check(const Result& result) = 0;
  // Brings the target back (a launched one is started again). False, with why, when it cannot be:
  // the units not run yet are then NOT RUN.
  virtual bool revive(std::string& why) = 0;
};

struct Progress {
  std::size_t done = 0;
  std::size_t total = 0;
  std::size_t failures = 0;  // results so far that fail (before baselines)
  const Result* last = nullptr;
};

struct RunOptions {
  int jobs = 12;        // units at once in the main lane
  int timing_jobs = 3;  // units at once in the timing lane
  // A known-flaky unit that fails runs again, up to this many more times; the last attempt counts.
  int flaky_retries = 2;
  Grading grading;
  std::function<void(const Progress&)> progress;  // after each unit, from one thread at a time
  // Every `tick_every` while units run, from the calling thread (a progress line on time).
  std::function<void(const Progress&)> tick;
  std::chrono::milliseconds tick_every{10'000};
  // Watches the target (none: units are trusted to tell). See Liveness.
  Liveness* liveness = nullptr;
  // Set from elsewhere (a signal): no further unit starts; those not started are NOT RUN with
  // `stopped_why()`, and the report says it is incomplete.
  const std::atomic<bool>* stop = nullptr;
  std::function<std::string()> stopped_why;
};

// Runs every unit, in order of `units` in the results whatever order they finish in, and grades
// them. A unit whose run throws gets FAIL with "the check could not run: ...". When the target
// dies (see Liveness), the units in flight run again one at a time on the revived target: the one
// that brings it down again is CRASH, the others keep the verdict they get alone; a crash that no
// unit repeats alone is reported as a unit of its own ("target/crash"). Fills `report`'s
// results, wall_ms, started (when empty), strict and incomplete.
void run(Report& report, const std::vector<Unit>& units, const RunOptions& options);

// One unit, timed; a thrown exception becomes a FAIL.
Result run_one(const Unit& unit);

}  // namespace conform::run
