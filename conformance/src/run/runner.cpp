#include "siocheck/run/runner.hpp"

#include <algorithm>
#include <condition_variable>
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

// "exited with status 1; its last output: ..." -> "exited with status 1".
std::string first_line(const std::string& text) {
  return text.substr(0, text.find_first_of(";\n"));
}

// The unit's result as CRASH: what it saw (its trace) stays; the target's end is the failed check.
Result crashed(Result seen, const std::string& death) {
  seen.outcome.verdict = Verdict::crash;
  seen.outcome.reason = "the target " + first_line(death);
  seen.outcome.checks.push_back({"the target", "keeps running and answering", death, false});
  return seen;
}

// A death that none of the units in flight repeats alone.
Result unattributed(const std::string& death, const std::vector<std::string>& suspects) {
  Result r;
  r.info = {.id = "target/crash",
            .name = "target/crash",
            .group = "target",
            .title = "The target died while several units ran; none brought it down alone",
            .requirement = "A server MUST NOT crash or stop answering, whatever a client sends.",
            .level = "MUST",
            .source = "the run's liveness checks"};
  std::string names;
  for (const auto& s : suspects)
    names += (names.empty() ? "" : ", ") + s;
  r.outcome.verdict = Verdict::crash;
  r.outcome.reason = "the target " + first_line(death);
  r.outcome.checks.push_back(
      {"the target while " + names + " ran", "keeps running and answering", death, false});
  r.outcome.details = "run alone, each of " + names + " left the target alive";
  return r;
}

class Scheduler {
 public:
  Scheduler(Report& report, const std::vector<Unit>& units, const RunOptions& options)
      : report_(report), units_(units), options_(options), started_(units.size(), false) {
    for (std::size_t i = 0; i < units.size(); ++i)
      (units[i].info.timing ? timing_ : normal_).push_back(i);
    progress_.total = units.size();
  }

  void run() {
    std::vector<std::thread> threads;
    const auto start_lane = [&](const std::vector<std::size_t>& lane, std::size_t& next, int jobs) {
      if (lane.empty()) return;
      const int n = std::clamp(jobs, 1, static_cast<int>(lane.size()));
      for (int i = 0; i < n; ++i)
        threads.emplace_back([this, &lane, &next] { work(lane, next); });
    };
    start_lane(normal_, next_normal_, options_.jobs);
    start_lane(timing_, next_timing_, options_.timing_jobs);
    wait_ticking(threads.size());
    for (auto& t : threads)
      t.join();
    settle();
  }

 private:
  bool stopping() const { return options_.stop && options_.stop->load(); }

  // Until every worker has finished, a tick every tick_every.
  void wait_ticking(std::size_t workers) {
    std::unique_lock lock(mutex_);
    while (!changed_.wait_for(lock, options_.tick_every,
                              [&] { return finished_workers_ == workers; })) {
      const auto snapshot = progress_;
      lock.unlock();
      if (options_.tick) options_.tick(snapshot);
      lock.lock();
    }
  }

  void work(const std::vector<std::size_t>& lane, std::size_t& next) {
    std::unique_lock lock(mutex_);
    for (;;) {
      changed_.wait(lock, [&] { return !paused_ || stopping(); });
      if (stopping() || gone_ || next >= lane.size()) break;
      const auto k = lane[next++];
      started_[k] = true;
      ++in_flight_;
      lock.unlock();
      auto result = run_with_retries(units_[k], options_);
      auto death = options_.liveness ? options_.liveness->check(result) : std::nullopt;
      lock.lock();
      --in_flight_;
      report_.results[k] = std::move(result);
      // A unit that ends while a death is handled was in flight when it happened: a suspect.
      if (death || paused_) suspects_.push_back(k);
      const bool lead = death && !paused_;
      if (lead) {
        paused_ = true;
        death_ = *death;
      }
      publish(k);
      changed_.notify_all();
      if (lead) {
        changed_.wait(lock, [&] { return in_flight_ == 0; });
        recover(lock);
        suspects_.clear();
        paused_ = false;
        changed_.notify_all();
      }
    }
    ++finished_workers_;
    changed_.notify_all();
  }

  void publish(std::size_t k) {
    ++progress_.done;
    if (failing(report_.results[k].outcome.verdict, options_.grading.strict)) ++progress_.failures;
    progress_.last = &report_.results[k];
    if (options_.progress) options_.progress(progress_);
  }

  // The target died; no unit runs. The suspects run again alone on the revived target: the one
  // that brings it down again is CRASH. Called and returns with the lock held.
  void recover(std::unique_lock<std::mutex>& lock) {
    const auto suspects = suspects_;
    const auto death = death_;
    lock.unlock();
    std::string why;
    const bool revived = options_.liveness->revive(why);
    std::vector<Result> alone(suspects.size());
    std::optional<std::string> lost;
    bool attributed = false;
    if (!revived) {
      lost = "the target " + first_line(death) + ", and it cannot be brought back: " + why;
      // Each died under it; which one brought it down cannot be told without a revived target.
      for (std::size_t i = 0; i < suspects.size(); ++i) {
        alone[i] = crashed(report_.results[suspects[i]], death);
        if (suspects.size() > 1)
          alone[i].outcome.reason += " while this and " + std::to_string(suspects.size() - 1) +
                                     " other units ran (a target siocheck can restart is run "
                                     "again one unit at a time, to find the one)";
      }
      attributed = true;
    } else if (suspects.size() == 1) {
      alone[0] = crashed(report_.results[suspects[0]], death);
      attributed = true;
    } else {
      for (std::size_t i = 0; i < suspects.size(); ++i) {
        if (lost) {
          alone[i] = report_.results[suspects[i]];
          alone[i].outcome = not_run(*lost);
          continue;
        }
        alone[i] = run_with_retries(units_[suspects[i]], options_);
        if (auto again = options_.liveness->check(alone[i])) {
          alone[i] = crashed(std::move(alone[i]), *again);
          attributed = true;
          if (!options_.liveness->revive(why))
            lost = "the target " + first_line(*again) + ", and it cannot be brought back: " + why;
        }
      }
    }
    lock.lock();
    std::vector<std::string> names;
    for (std::size_t i = 0; i < suspects.size(); ++i) {
      names.push_back(units_[suspects[i]].info.name);
      report_.results[suspects[i]] = std::move(alone[i]);
    }
    if (!attributed) extra_.push_back(unattributed(death, names));
    if (lost) {
      gone_ = true;
      gone_why_ = *lost;
    }
  }

  // Units that never started are NOT RUN; a death no unit repeated is a result of its own.
  void settle() {
    const std::string why = gone_                  ? "not run: " + gone_why_
                            : options_.stopped_why ? options_.stopped_why()
                                                   : "the run was stopped";
    bool any = false;
    for (std::size_t k = 0; k < units_.size(); ++k)
      if (!started_[k]) {
        report_.results[k].info = units_[k].info;
        report_.results[k].outcome = not_run(why);
        any = true;
      }
    if (any && !gone_) report_.incomplete = why;
    for (auto& r : extra_)
      report_.results.push_back(std::move(r));
  }

  Report& report_;
  const std::vector<Unit>& units_;
  const RunOptions& options_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::size_t> normal_, timing_;
  std::size_t next_normal_ = 0, next_timing_ = 0;
  std::vector<bool> started_;
  std::size_t finished_workers_ = 0;
  int in_flight_ = 0;
  bool paused_ = false;  // a death is being handled: no unit starts
  bool gone_ = false;    // the target cannot be brought back
  std::string gone_why_;
  std::vector<std::size_t> suspects_;
  std::string death_;
  std::vector<Result> extra_;
  Progress progress_;
};

}  // namespace

bool failing(Verdict verdict, bool strict) noexcept {
  return verdict == Verdict::fail || verdict == Verdict::crash || verdict == Verdict::not_run ||
         (strict && verdict == Verdict::non_strict);
}

void grade(std::vector<Result>& results, const Grading& grading) {
  for (auto& r : results) {
    r.mark = Mark::none;
    r.mark_reason.clear();
    r.regression = false;
    if (r.outcome.verdict == Verdict::not_run) {
      r.regression = true;  // nothing was checked: no baseline speaks for it
      continue;
    }
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
  const auto start = Clock::now();
  Scheduler(report, units, options).run();
  report.wall_ms = ms_since(start);
  grade(report.results, options.grading);
}

}  // namespace conform::run
