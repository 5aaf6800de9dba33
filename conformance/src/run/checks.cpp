#include "siocheck/run/checks.hpp"

namespace conform::run {

std::string_view to_string(Level level) noexcept {
  switch (level) {
    case Level::must:
      return "MUST";
    case Level::should:
      return "SHOULD";
    case Level::may:
      return "MAY";
  }
  return "?";
}

void Checks::check(bool ok, std::string what, std::string expected, std::string observed) {
  checks_.push_back({what, std::move(expected), std::move(observed), ok});
  if (ok) return;
  const Verdict verdict = level_ == Level::must     ? Verdict::fail
                          : level_ == Level::should ? Verdict::non_strict
                                                    : Verdict::informational;
  throw Ended(verdict, std::move(what));
}

void Checks::expect_eq(std::string_view what, std::string_view expected,
                       std::string_view observed) {
  check(expected == observed, std::string(what), std::string(expected), std::string(observed));
}

void Checks::fail(std::string what, std::string expected, std::string observed) {
  check(false, std::move(what), std::move(expected), std::move(observed));
  throw Ended(Verdict::fail, "unreachable");
}

void Checks::alternative(std::string what, std::string expected, std::string observed) {
  checks_.push_back({what, std::move(expected), std::move(observed), false});
  throw Ended(Verdict::non_strict, std::move(what));
}

void Checks::unimplemented(std::string why) {
  checks_.push_back({"needs", why, "not available on this target", false});
  throw Ended(Verdict::unimplemented, std::move(why));
}

void Checks::informational(std::string what, std::string observed) {
  checks_.push_back({what, "(recorded, not judged)", std::move(observed), true});
  throw Ended(Verdict::informational, "recorded");
}

void Checks::passed(std::string what, std::string expected, std::string observed) {
  checks_.push_back({std::move(what), std::move(expected), std::move(observed), true});
}

}  // namespace conform::run
