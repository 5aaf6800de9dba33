// How a check ends a unit: what every kind of case (server or client) records as expected versus
// observed, and the verdict a failed comparison gives at the requirement's level.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "siocheck/run/unit.hpp"

namespace conform::run {

enum class Level { must, should, may };
std::string_view to_string(Level level) noexcept;  // "MUST", "SHOULD", "MAY"

// Thrown by the checks below to end a unit with a verdict other than PASS.
struct Ended : std::runtime_error {
  Ended(Verdict v, std::string why) : std::runtime_error(why), verdict(v) {}
  Verdict verdict;
};

class Checks {
 public:
  explicit Checks(Level level) : level_(level) {}

  // Records a comparison. A failed one ends the unit: FAIL for MUST, NON-STRICT for SHOULD,
  // INFORMATIONAL for MAY.
  void check(bool ok, std::string what, std::string expected, std::string observed);
  void expect_eq(std::string_view what, std::string_view expected, std::string_view observed);
  [[noreturn]] void fail(std::string what, std::string expected, std::string observed);
  // An allowed alternative outcome: NON-STRICT, whatever the level.
  [[noreturn]] void alternative(std::string what, std::string expected, std::string observed);
  [[noreturn]] void unimplemented(std::string why);
  // Records behaviour without judging it.
  [[noreturn]] void informational(std::string what, std::string observed);
  // A comparison that passed, for the report.
  void passed(std::string what, std::string expected, std::string observed);
  const std::vector<Check>& checks() const noexcept { return checks_; }

 private:
  Level level_;
  std::vector<Check> checks_;
};

}  // namespace conform::run
