// The run engine (siocheck/run/runner.hpp): running units, grading against baselines, flaky
// retries. No network: the units here are plain functions.
#include "siocheck/run/runner.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <thread>

namespace conform::run {
namespace {

Unit unit(std::string id, Verdict verdict, bool timing = false) {
  Unit u;
  u.info.id = u.info.name = id;
  u.info.group = "g";
  u.info.timing = timing;
  u.run = [verdict] {
    Outcome o;
    o.verdict = verdict;
    return o;
  };
  return u;
}

Result result(std::string id, Verdict verdict) {
  Result r;
  r.info.id = r.info.name = id;
  r.outcome.verdict = verdict;
  return r;
}

Baseline baseline(const std::string& text) {
  std::string error;
  auto b = Baseline::parse(text, "b.txt", error);
  EXPECT_TRUE(b) << error;
  return *b;
}

TEST(RunEngine, AFailIsARegressionAndNonStrictOnlyUnderStrict) {
  std::vector<Result> results{result("a", Verdict::pass), result("b", Verdict::fail),
                              result("c", Verdict::non_strict), result("d", Verdict::unimplemented),
                              result("e", Verdict::informational)};
  grade(results, {});
  EXPECT_FALSE(results[0].regression);
  EXPECT_TRUE(results[1].regression);
  EXPECT_FALSE(results[2].regression);
  EXPECT_FALSE(results[3].regression);
  EXPECT_FALSE(results[4].regression);
  grade(results, {.strict = true});
  EXPECT_TRUE(results[2].regression);
  EXPECT_FALSE(results[3].regression);
}

TEST(RunEngine, AKnownFailingUnitMayFailAndIsStaleWhenItPasses) {
  const auto known = baseline("b # broken\na # was broken\nc # strict only\n");
  std::vector<Result> results{result("a", Verdict::pass), result("b", Verdict::fail),
                              result("c", Verdict::non_strict)};
  grade(results, {.known_failing = &known});
  EXPECT_EQ(results[0].mark, Mark::stale);
  EXPECT_TRUE(results[0].regression);
  EXPECT_EQ(results[0].mark_reason, "was broken");
  EXPECT_EQ(results[1].mark, Mark::known_failing);
  EXPECT_FALSE(results[1].regression);
  // NON-STRICT without --strict is not a failure: listed, it is neither known failing nor stale.
  EXPECT_EQ(results[2].mark, Mark::none);
  EXPECT_FALSE(results[2].regression);
  grade(results, {.strict = true, .known_failing = &known});
  EXPECT_EQ(results[2].mark, Mark::known_failing);
}

TEST(RunEngine, AKnownFlakyUnitNeverFailsTheRunEitherWay) {
  const auto flaky = baseline("a # timing\nb # timing\n");
  const auto known = baseline("a # also listed as failing\n");
  std::vector<Result> results{result("a", Verdict::pass), result("b", Verdict::fail)};
  grade(results, {.known_failing = &known, .known_flaky = &flaky});
  for (const auto& r : results) {
    EXPECT_EQ(r.mark, Mark::known_flaky);
    EXPECT_FALSE(r.regression);
  }
}

TEST(RunEngine, ResultsKeepTheUnitsOrderWhateverOrderTheyFinishIn) {
  std::vector<Unit> units;
  for (int i = 0; i < 40; ++i)
    units.push_back(
        unit("u" + std::to_string(i), i % 3 ? Verdict::pass : Verdict::fail, i % 5 == 0));
  Report report;
  std::size_t calls = 0, last_done = 0;
  run(report, units, {.jobs = 7, .timing_jobs = 2, .progress = [&](const Progress& p) {
                        ++calls;
                        EXPECT_EQ(p.done, last_done + 1);
                        EXPECT_EQ(p.total, 40u);
                        last_done = p.done;
                      }});
  ASSERT_EQ(report.results.size(), 40u);
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(report.results[i].info.id, "u" + std::to_string(i));
    EXPECT_EQ(report.results[i].outcome.verdict, i % 3 ? Verdict::pass : Verdict::fail);
  }
  EXPECT_EQ(calls, 40u);
  EXPECT_TRUE(report.regressed());
  EXPECT_FALSE(report.started.empty());
  EXPECT_EQ(report.counts()[0], 26);  // PASS
  EXPECT_EQ(report.counts()[4], 14);  // FAIL
}

TEST(RunEngine, AUnitThatThrowsFailsWithWhatItSaid) {
  Unit u = unit("x", Verdict::pass);
  u.run = []() -> Outcome { throw std::runtime_error("no such file"); };
  const auto r = run_one(u);
  EXPECT_EQ(r.outcome.verdict, Verdict::fail);
  EXPECT_EQ(r.outcome.reason, "the check could not run: no such file");
}

// A unit that fails its first `failures` runs, then passes.
Unit failing_first(std::string id, std::shared_ptr<std::atomic<int>> runs, int failures) {
  Unit u = unit(id, Verdict::pass);
  u.run = [runs, failures] {
    Outcome o;
    o.verdict = (*runs)++ < failures ? Verdict::fail : Verdict::pass;
    return o;
  };
  return u;
}

TEST(RunEngine, AFailingKnownFlakyUnitRunsAgainUntilItPasses) {
  const auto flaky = baseline("f # races\n");
  auto runs = std::make_shared<std::atomic<int>>(0);
  Report report;
  run(report, {failing_first("f", runs, 2)},
      {.flaky_retries = 2, .grading = {.known_flaky = &flaky}});
  EXPECT_EQ(*runs, 3);
  EXPECT_EQ(report.results[0].attempts, 3);
  EXPECT_EQ(report.results[0].outcome.verdict, Verdict::pass);
  EXPECT_EQ(report.results[0].mark, Mark::known_flaky);
}

TEST(RunEngine, RetriesStopWhenSpentAndOnlyKnownFlakyUnitsGetThem) {
  const auto flaky = baseline("f # races\n");
  auto flaky_runs = std::make_shared<std::atomic<int>>(0);
  auto other_runs = std::make_shared<std::atomic<int>>(0);
  Report report;
  run(report, {failing_first("f", flaky_runs, 10), failing_first("g", other_runs, 10)},
      {.flaky_retries = 2, .grading = {.known_flaky = &flaky}});
  EXPECT_EQ(*flaky_runs, 3);
  EXPECT_EQ(report.results[0].outcome.verdict, Verdict::fail);
  EXPECT_FALSE(report.results[0].regression);
  EXPECT_EQ(*other_runs, 1);
  EXPECT_EQ(report.results[1].attempts, 1);
  EXPECT_TRUE(report.results[1].regression);
}

// A target for the liveness tests: units may kill it; check() tells, revive() restarts it (or
// cannot, like a target given by URL).
class FakeTarget final : public Liveness {
 public:
  explicit FakeTarget(bool revivable) : revivable_(revivable) {}
  std::atomic<bool> alive{true};
  std::atomic<int> revivals{0};
  std::optional<std::string> check(const Result&) override {
    if (alive) return std::nullopt;
    return std::string("exited with status 1; its last output:\n    boom");
  }
  bool revive(std::string& why) override {
    if (!revivable_) {
      why = "it was not started by siocheck";
      return false;
    }
    ++revivals;
    alive = true;
    return true;
  }

 private:
  bool revivable_;
};

// A unit that kills the target when it runs, after a short while (the others are in flight).
Unit killer(std::string id, FakeTarget& target) {
  Unit u = unit(id, Verdict::fail);
  u.run = [&target] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    target.alive = false;
    Outcome o;
    o.verdict = Verdict::fail;  // what a case sees of a dead server: a refused connection
    o.reason = "connection refused";
    return o;
  };
  return u;
}

// A unit that passes while the target lives, and fails on a dead one.
Unit honest(std::string id, FakeTarget& target) {
  Unit u = unit(id, Verdict::pass);
  u.run = [&target] {
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
    Outcome o;
    o.verdict = target.alive ? Verdict::pass : Verdict::fail;
    return o;
  };
  return u;
}

TEST(RunEngine, TheUnitThatKillsTheTargetIsCrashAndTheOthersKeepTheirVerdicts) {
  FakeTarget target(true);
  std::vector<Unit> units;
  for (int i = 0; i < 12; ++i)
    units.push_back(i == 5 ? killer("k", target) : honest("u" + std::to_string(i), target));
  Report report;
  run(report, units, {.jobs = 6, .liveness = &target});
  ASSERT_EQ(report.results.size(), 12u);
  for (const auto& r : report.results) {
    if (r.info.id == "k") {
      EXPECT_EQ(r.outcome.verdict, Verdict::crash);
      EXPECT_EQ(r.outcome.reason, "the target exited with status 1");
      EXPECT_EQ(r.outcome.checks.back().observed,
                "exited with status 1; its last output:\n    boom");
      EXPECT_TRUE(r.regression);
    } else {
      EXPECT_EQ(r.outcome.verdict, Verdict::pass) << r.info.id;
    }
  }
  EXPECT_GE(target.revivals, 1);
}

TEST(RunEngine, ATargetThatCannotBeRevivedLeavesTheRestNotRun) {
  FakeTarget target(false);
  std::vector<Unit> units{honest("a", target), killer("k", target)};
  for (int i = 0; i < 6; ++i)
    units.push_back(honest("after" + std::to_string(i), target));
  Report report;
  run(report, units, {.jobs = 1, .liveness = &target});
  EXPECT_EQ(report.results[0].outcome.verdict, Verdict::pass);
  EXPECT_EQ(report.results[1].outcome.verdict, Verdict::crash);
  for (std::size_t i = 2; i < report.results.size(); ++i) {
    EXPECT_EQ(report.results[i].outcome.verdict, Verdict::not_run);
    EXPECT_EQ(report.results[i].outcome.reason,
              "not run: the target exited with status 1, and it cannot be brought back: it was "
              "not started by siocheck");
    EXPECT_TRUE(report.results[i].regression);
  }
  EXPECT_TRUE(report.incomplete.empty());  // the run went to its end: nothing was interrupted
}

TEST(RunEngine, ACrashNoUnitRepeatsAloneIsReportedOnItsOwn) {
  FakeTarget target(true);
  std::atomic<bool> once{true};
  Unit flaky_killer = unit("sometimes", Verdict::pass);
  flaky_killer.run = [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (once.exchange(false)) target.alive = false;
    return Outcome{};
  };
  Report report;
  run(report, {flaky_killer, honest("b", target), honest("c", target)},
      {.jobs = 3, .liveness = &target});
  ASSERT_EQ(report.results.size(), 4u);
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_EQ(report.results[i].outcome.verdict, Verdict::pass) << report.results[i].info.id;
  EXPECT_EQ(report.results[3].info.id, "target/crash");
  EXPECT_EQ(report.results[3].outcome.verdict, Verdict::crash);
  EXPECT_TRUE(report.results[3].regression);
}

TEST(RunEngine, AStoppedRunLeavesTheRestNotRunAndSaysItIsIncomplete) {
  std::atomic<bool> stop{false};
  std::vector<Unit> units;
  for (int i = 0; i < 10; ++i) {
    Unit u = unit("u" + std::to_string(i), Verdict::pass);
    u.run = [&stop, i] {
      if (i == 2) stop = true;
      return Outcome{};
    };
    units.push_back(u);
  }
  Report report;
  run(report, units,
      {.jobs = 1, .stop = &stop, .stopped_why = [] { return std::string("SIGTERM"); }});
  EXPECT_EQ(report.results[2].outcome.verdict, Verdict::pass);
  EXPECT_EQ(report.results[3].outcome.verdict, Verdict::not_run);
  EXPECT_EQ(report.results[3].outcome.reason, "SIGTERM");
  EXPECT_EQ(report.incomplete, "SIGTERM");
}

TEST(RunEngine, ABaselineMayExcuseACrashButNeverANotRun) {
  const auto known = baseline("c # crashes the server: issue 7\nn # whatever\n");
  std::vector<Result> results{result("c", Verdict::crash), result("n", Verdict::not_run)};
  grade(results, {.known_failing = &known});
  EXPECT_EQ(results[0].mark, Mark::known_failing);
  EXPECT_FALSE(results[0].regression);
  EXPECT_EQ(results[1].mark, Mark::none);
  EXPECT_TRUE(results[1].regression);
}

}  // namespace
}  // namespace conform::run
