#include "siocheck/run/runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>

namespace conform::run {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// A failing known-flaky unit runs again until it passes or its retries are spent.
Result run_with_retries(const Unit& unit, const RunOptions& options) {
  auto result = run_one(unit);
  const auto* flaky = options.grading.known_flaky;
  if (!flaky || !flaky->match(unit.info)) return result;
  for (int retry = 0;
       retry < options.flaky_retries && failing(result.outcome.verdict, options.grading.strict);
       ++retry) {
    const int attempts = result.attempts + 1;
    result = run_one(unit);
    result.attempts = attempts;
  }
  return result;
}

}  // namespace

bool failing(Verdict verdict, bool strict) noexcept {
  return verdict == Verdict::fail || (strict && verdict == Verdict::non_strict);
}

void grade(std::vector<Result>& results, const Grading& grading) {
  for (auto& r : results) {
    r.mark = Mark::none;
    r.mark_reason.clear();
    r.regression = false;
    const bool fails = failing(r.outcome.verdict, grading.strict);
    const auto* flaky = grading.known_flaky ? grading.known_flaky->match(r.info) : nullptr;
    const auto* known = grading.known_failing ? grading.known_failing->match(r.info) : nullptr;
    if (flaky) {
      r.mark = Mark::known_flaky;
      r.mark_reason = flaky->reason;
    } else if (known && fails) {
      r.mark = Mark::known_failing;
      r.mark_reason = known->reason;
    } else if (known && r.outcome.verdict == Verdict::pass) {
      // The list says it fails, and it passes: the list is out of date.
      r.mark = Mark::stale;
      r.mark_reason = known->reason;
      r.regression = true;
    } else if (fails) {
      r.regression = true;
    }
  }
}

Result run_one(const Unit& unit) {
  Result result;
  result.info = unit.info;
  const auto start = Clock::now();
  try {
    result.outcome = unit.run();
  } catch (const std::exception& e) {
    result.outcome.verdict = Verdict::fail;
    result.outcome.reason = std::string("the check could not run: ") + e.what();
  }
  result.duration_ms = ms_since(start);
  return result;
}

void run(Report& report, const std::vector<Unit>& units, const RunOptions& options) {
  if (report.started.empty()) report.started = iso_now();
  report.strict = options.grading.strict;
  report.results.assign(units.size(), Result{});

  // Two lanes: most units run many at once; timing-sensitive ones with little company.
  std::vector<std::size_t> normal, timing;
  for (std::size_t i = 0; i < units.size(); ++i)
    (units[i].info.timing ? timing : normal).push_back(i);
  std::atomic<std::size_t> next_normal{0}, next_timing{0};
  std::mutex mutex;
  Progress progress;
  progress.total = units.size();
  const auto start = Clock::now();
  auto worker = [&](const std::vector<std::size_t>& lane, std::atomic<std::size_t>& next) {
    for (std::size_t k; (k = next.fetch_add(1)) < lane.size();) {
      auto result = run_with_retries(units[lane[k]], options);
      std::lock_guard lock(mutex);
      auto& slot = report.results[lane[k]];
      slot = std::move(result);
      ++progress.done;
      if (failing(slot.outcome.verdict, options.grading.strict)) ++progress.failures;
      progress.last = &slot;
      if (options.progress) options.progress(progress);
    }
  };
  std::vector<std::thread> threads;
  const auto start_lane = [&](const std::vector<std::size_t>& lane, std::atomic<std::size_t>& next,
                              int jobs) {
    const int n = std::clamp(jobs, 1, std::max(1, static_cast<int>(lane.size())));
    if (lane.empty()) return;
    for (int i = 0; i < n; ++i)
      threads.emplace_back(worker, std::cref(lane), std::ref(next));
  };
  start_lane(normal, next_normal, options.jobs);
  start_lane(timing, next_timing, options.timing_jobs);
  for (auto& t : threads)
    t.join();
  report.wall_ms = ms_since(start);
  grade(report.results, options.grading);
}

}  // namespace conform::run
