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
  }
  return "?";
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

std::array<int, kVerdicts.size()> Report::counts() const {
  std::array<int, kVerdicts.size()> out{};
  for (const auto& r : results)
    for (std::size_t v = 0; v < kVerdicts.size(); ++v)
      if (kVerdicts[v] == r.outcome.verdict) ++out[v];
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
