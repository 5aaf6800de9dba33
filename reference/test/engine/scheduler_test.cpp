#include "sio/engine/scheduler.hpp"

#include <gtest/gtest.h>

#include "sio/testing/fake_io.hpp"

namespace sio::engine {
namespace {

TEST(Timer, FiresOnceAfterItsDelay) {
  test::VirtualScheduler scheduler;
  Timer timer(scheduler);
  int fired = 0;
  timer.start(Duration(100), [&] { ++fired; });
  EXPECT_TRUE(timer.armed());
  scheduler.advance(Duration(99));
  EXPECT_EQ(fired, 0);
  scheduler.advance(Duration(1));
  EXPECT_EQ(fired, 1);
  EXPECT_FALSE(timer.armed());
  scheduler.advance(Duration(1000));
  EXPECT_EQ(fired, 1);
}

TEST(Timer, RestartReplacesThePendingCallback) {
  test::VirtualScheduler scheduler;
  Timer timer(scheduler);
  std::vector<int> fired;
  timer.start(Duration(100), [&] { fired.push_back(1); });
  scheduler.advance(Duration(50));
  timer.start(Duration(100), [&] { fired.push_back(2); });
  scheduler.advance(Duration(99));
  EXPECT_TRUE(fired.empty());
  scheduler.advance(Duration(1));
  EXPECT_EQ(fired, std::vector<int>{2});
  EXPECT_EQ(scheduler.pending_timers(), 0u);
}

TEST(Timer, DestructionCancels) {
  test::VirtualScheduler scheduler;
  int fired = 0;
  {
    Timer timer(scheduler);
    timer.start(Duration(10), [&] { ++fired; });
  }
  EXPECT_EQ(scheduler.pending_timers(), 0u);
  scheduler.advance(Duration(100));
  EXPECT_EQ(fired, 0);
}

TEST(VirtualScheduler, RunsTimersInDueOrderAndPostedWorkBetween) {
  test::VirtualScheduler scheduler;
  std::vector<std::string> order;
  scheduler.start_timer(Duration(20), [&] { order.push_back("t20"); });
  scheduler.start_timer(Duration(10), [&] {
    order.push_back("t10");
    scheduler.post([&] { order.push_back("posted"); });
  });
  scheduler.start_timer(Duration(10), [&] { order.push_back("t10b"); });
  scheduler.advance(Duration(30));
  EXPECT_EQ(order, (std::vector<std::string>{"t10", "posted", "t10b", "t20"}));
}

}  // namespace
}  // namespace sio::engine
