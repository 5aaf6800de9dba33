#include "sio/server/adapter.hpp"

#include <gtest/gtest.h>

namespace sio::server {
namespace {

class AdapterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* sid : {"a", "b", "c"})
      adapter.join(sid, sid);
    adapter.join("a", "r1");
    adapter.join("b", "r1");
    adapter.join("b", "r2");
    adapter.join("c", "r2");
  }
  Adapter adapter;
};

TEST_F(AdapterTest, RoomsAreSortedAndJoiningTwiceIsOnce) {
  adapter.join("b", "r1");
  EXPECT_EQ(adapter.rooms_of("b"), (std::set<std::string>{"b", "r1", "r2"}));
  EXPECT_EQ(adapter.sockets_in("r1"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(adapter.rooms_of("nobody").empty());
}

TEST_F(AdapterTest, RecipientsAreTheUnionOfRoomsMinusExceptEachOnce) {
  EXPECT_EQ(adapter.recipients({"r1", "r2"}, {}), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(adapter.recipients({"r1", "r2"}, {"r2"}), (std::vector<std::string>{"a"}));
  EXPECT_EQ(adapter.recipients({}, {"a"}), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(adapter.recipients({"nowhere"}, {}), std::vector<std::string>{});
  EXPECT_EQ(adapter.recipients({"c"}, {}), std::vector<std::string>{"c"});  // a private message
}

TEST_F(AdapterTest, EmptyRoomsDisappear) {
  adapter.leave("a", "r1");
  adapter.leave("b", "r1");
  EXPECT_FALSE(adapter.has_room("r1"));
  adapter.leave("a", "r1");  // leaving twice is harmless
}

TEST_F(AdapterTest, LeaveAllRemovesEveryRoomOfTheSocket) {
  adapter.leave_all("b");
  EXPECT_TRUE(adapter.rooms_of("b").empty());
  EXPECT_EQ(adapter.sockets_in("r1"), std::vector<std::string>{"a"});
  EXPECT_FALSE(adapter.has_room("b"));
  EXPECT_EQ(adapter.recipients({}, {}), (std::vector<std::string>{"a", "c"}));
}

}  // namespace
}  // namespace sio::server
