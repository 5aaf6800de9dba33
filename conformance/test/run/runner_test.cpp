// The run engine (siocheck/run/runner.hpp): running units, grading against baselines, flaky
// retries. No network: the units here are plain functions.
#include "siocheck/run/runner.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

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

}  // namespace
}  // namespace conform::run
