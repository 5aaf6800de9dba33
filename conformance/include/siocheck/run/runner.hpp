// The run engine: runs units on many threads (timing-sensitive ones in a lane of their own), runs
// a failing known-flaky unit again, and grades every result against the baselines. Every checker
// (conform, scenario, model, fuzz, replay) reports through it, so what is added here reaches all.
#pragma once

#include <cstddef>
#include <functional>
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

// Whether the verdict is a failure (FAIL, or NON-STRICT under strict), before any baseline.
bool failing(Verdict verdict, bool strict) noexcept;

// Marks each result (known failing, known flaky, stale) and decides which are regressions: a
// failure not in known-failing, and a known-failing entry whose unit passes.
void grade(std::vector<Result>& results, const Grading& grading);

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
};

// Runs every unit, in order of `units` in the results whatever order they finish in, and grades
// them. A unit whose run throws gets FAIL with "the check could not run: ...". Fills `report`'s
// results, wall_ms, started (when empty) and strict.
void run(Report& report, const std::vector<Unit>& units, const RunOptions& options);

// One unit, timed; a thrown exception becomes a FAIL.
Result run_one(const Unit& unit);

}  // namespace conform::run
