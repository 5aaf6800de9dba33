// In the unit tests a broken expectation of the fake I/O fails the running test (non-fatally, as
// the EXPECT_* it replaces) instead of aborting the whole test program.
#include <gtest/gtest.h>

#include "sio/testing/fake_io.hpp"

namespace {

void fail_test(const char* file, int line, const std::string& message) {
  ADD_FAILURE_AT(file, line) << message;
}

[[maybe_unused]] const bool installed = [] {
  sio::test::set_failure_reporter(fail_test);
  return true;
}();

}  // namespace
