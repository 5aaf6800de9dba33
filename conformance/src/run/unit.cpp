#include "siocheck/run/unit.hpp"

#include <chrono>
#include <ctime>

namespace conform::run {

std::string_view to_string(Verdict verdict) noexcept {
  switch (verdict) {
    case Verdict::pass:
      return "PASS";
    case Verdict::non_strict:
      return "NON-STRICT";
    case Verdict::informational:
      return "INFORMATIONAL";
    case Verdict::unimplemented:
      return "UNIMPLEMENTED";
    case Verdict::fail:
      return "FAIL";
    case Verdict::crash:
      return "CRASH";
    case Verdict::not_run:
      return "NOT RUN";
  }
  return "?";
}

Outcome not_run(std::string why) {
  Outcome out;
  out.verdict = Verdict::not_run;
  out.reason = std::move(why);
  return out;
}

std::string_view to_string(Mark mark) noexcept {
  switch (mark) {
    case Mark::known_failing:
      return "known-failing";
    case Mark::known_flaky:
      return "known-flaky";
    case Mark::stale:
      return "stale";
    case Mark::none:
      break;
  }
  return "";
}

bool Report::regressed() const {
  for (const auto& r : results)
    if (r.regression) return true;
  return false;
}

namespace {

void count(Report::Counts& counts, Verdict verdict) {
  for (std::size_t v = 0; v < kVerdicts.size(); ++v)
    if (kVerdicts[v] == verdict) ++counts[v];
}

}  // namespace

Report::Counts Report::counts() const {
  Counts out{};
  for (const auto& r : results)
    count(out, r.outcome.verdict);
  return out;
}

std::map<std::string, Report::Counts> Report::counts_by_group() const {
  std::map<std::string, Counts> out;
  for (const auto& r : results)
    count(out[r.info.group], r.outcome.verdict);
  return out;
}

std::string iso_now() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

}  // namespace conform::run
