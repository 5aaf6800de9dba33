// The fixture contract (conformance/FIXTURE.md) as the reference implements it: every wire example
// of the contract, byte for byte.
#include "sio/apps/sio_fixture.hpp"

#include <gtest/gtest.h>

#include "server_harness.hpp"

namespace sio::apps {
namespace {

using test::ServerHarness;
using test::WireClient;

class FixtureTest : public ::testing::Test {
 protected:
  ServerHarness h;
  SioFixture fixture{*h.server, FixtureLevel::extended};

  // The one text frame the client got since the last call.
  std::string one(WireClient& client) {
    const auto frames = client.texts();
    EXPECT_EQ(frames.size(), 1u) << (frames.empty() ? "nothing" : frames.back());
    return frames.empty() ? "" : frames.front();
  }
  // Connects to "/" and swallows the CONNECT reply and the auth event.
  std::string join(WireClient& client, std::string_view nsp = "/") {
    const auto id = client.connect(nsp);
    client.texts();
    return id;
  }
};

TEST_F(FixtureTest, OfficialConnectAndAuth) {
  auto client = h.websocket_client();
  client.send("0");
  EXPECT_EQ(client.texts(), (std::vector<std::string>{R"(40{"sid":"s1"})", R"(42["auth",{}])"}));
  client.send(R"(0/custom,{"token":"abc"})");
  EXPECT_EQ(client.texts(), (std::vector<std::string>{R"(40/custom,{"sid":"s2"})",
                                                      R"(42/custom,["auth",{"token":"abc"}])"}));
  client.send("0/random,");
  EXPECT_EQ(one(client), R"(44/random,{"message":"Invalid namespace"})");
  client.send("0/random");
  EXPECT_EQ(one(client), R"(44/random,{"message":"Invalid namespace"})");
}

TEST_F(FixtureTest, OfficialEchoAndAckOnRootOnly) {
  auto client = h.websocket_client();
  join(client);
  join(client, "/custom");
  client.send(R"(2["message",1,"2",{"3":[true]}])");
  EXPECT_EQ(one(client), R"(42["message-back",1,"2",{"3":[true]}])");
  client.send(R"(2456["message-with-ack",1,"2",{"3":[false]}])");
  EXPECT_EQ(one(client), R"(43456[1,"2",{"3":[false]}])");
  client.send(R"(2/custom,["message",1])");
  client.send(R"(2/custom,5["message-with-ack",1])");
  EXPECT_TRUE(client.texts().empty());
}

TEST_F(FixtureTest, OfficialBinaryEchoAndAck) {
  auto client = h.websocket_client();
  join(client);
  client.send(R"(51-["message",{"_placeholder":true,"num":0}])");
  client.send_binary("\x01\x02\x03");
  auto frames = client.take();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].bytes, R"(451-["message-back",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(frames[1].bytes, "\x01\x02\x03");
  client.send(
      R"(52-789["message-with-ack",{"_placeholder":true,"num":0},{"n":[{"_placeholder":true,"num":1}]}])");
  client.send_binary("\x01");
  client.send_binary("\x02");
  frames = client.take();
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].bytes,
            R"(462-789[{"_placeholder":true,"num":0},{"n":[{"_placeholder":true,"num":1}]}])");
  EXPECT_EQ(frames[1].bytes, "\x01");
  EXPECT_EQ(frames[2].bytes, "\x02");
}

TEST_F(FixtureTest, AuthNamespaceRefusesThenAccepts) {
  auto client = h.websocket_client();
  client.send(R"(0/auth,{"token":"nope"})");
  EXPECT_EQ(one(client), R"(44/auth,{"message":"unauthorized","data":{"reason":"bad token"}})");
  client.send(R"(0/auth,{"token":"secret"})");
  EXPECT_EQ(client.texts(), (std::vector<std::string>{R"(40/auth,{"sid":"s2"})",
                                                      R"(42/auth,["auth",{"token":"secret"}])"}));
}

TEST_F(FixtureTest, DynamicNamespaces) {
  auto client = h.websocket_client();
  client.send("0/dyn-12,");
  EXPECT_EQ(client.texts(),
            (std::vector<std::string>{R"(40/dyn-12,{"sid":"s1"})", R"(42/dyn-12,["auth",{}])"}));
  client.send("0/dyn-x,");
  EXPECT_EQ(one(client), R"(44/dyn-x,{"message":"Invalid namespace"})");
}

TEST_F(FixtureTest, JoinLeaveAndRooms) {
  auto client = h.websocket_client();
  const auto id = join(client);
  client.send(R"(21["ctl:join","r1"])");
  EXPECT_EQ(one(client), R"(431[["r1",")" + id + R"("]])");
  client.send(R"(22["ctl:leave",["r1","r2"]])");
  EXPECT_EQ(one(client), R"(432[[")" + id + R"("]])");
  client.send(R"(23["ctl:rooms"])");
  EXPECT_EQ(one(client), R"(433[[")" + id + R"("]])");
}

TEST_F(FixtureTest, BroadcastToARoomWithBinaryArguments) {
  auto a = h.websocket_client();
  join(a);
  auto b = h.websocket_client();
  join(b);
  auto c = h.websocket_client();
  join(c);
  a.send(R"(21["ctl:join","r1"])");
  b.send(R"(21["ctl:join","r1"])");
  a.texts();
  b.texts();
  a.send(R"(24["ctl:broadcast",{"event":"news","args":["hi",{"$bin":"AQID"}],"to":["r1"]}])");
  const auto got = b.take();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].bytes, R"(451-["news","hi",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(got[1].bytes, "\x01\x02\x03");
  EXPECT_EQ(one(a), R"(434[{"ok":true}])");
  EXPECT_TRUE(c.take().empty());
}

TEST_F(FixtureTest, BroadcastWithoutToReachesEveryOtherSocketAndIncludeSelfTheSenderToo) {
  auto a = h.websocket_client();
  join(a);
  auto b = h.websocket_client();
  join(b);
  a.send(R"(21["ctl:broadcast",{"event":"e","args":[]}])");
  EXPECT_EQ(one(b), R"(42["e"])");
  EXPECT_EQ(one(a), R"(431[{"ok":true}])");
  a.send(R"(22["ctl:broadcast",{"event":"f","args":[1],"includeSelf":true}])");
  EXPECT_EQ(one(b), R"(42["f",1])");
  EXPECT_EQ(a.texts(), (std::vector<std::string>{R"(42["f",1])", R"(432[{"ok":true}])"}));
  const auto b_id = h.server->of("/").sockets().rbegin()->first;
  a.send(R"(23["ctl:broadcast",{"event":"g","args":[],"except":")" + b_id + R"("}])");
  EXPECT_TRUE(b.texts().empty());
  EXPECT_EQ(one(a), R"(433[{"ok":true}])");
}

TEST_F(FixtureTest, ExceptLeavesARoomOut) {
  auto a = h.websocket_client();
  join(a);
  auto b = h.websocket_client();
  const auto b_id = join(b);
  auto c = h.websocket_client();
  join(c);
  a.send(R"(21["ctl:broadcast",{"event":"e","args":[],"except":[")" + b_id + R"("]}])");
  EXPECT_TRUE(b.texts().empty());
  EXPECT_EQ(one(c), R"(42["e"])");
}

TEST_F(FixtureTest, BroadcastWithAckGathersTheFirstArgumentOfEachAnswer) {
  auto a = h.websocket_client();
  join(a);
  auto b = h.websocket_client();
  join(b);
  a.send(R"(25["ctl:broadcast-with-ack",{"event":"q","args":[1],"timeoutMs":500}])");
  EXPECT_EQ(one(b), R"(420["q",1])");
  b.send(R"(30["b-answer","ignored"])");
  EXPECT_EQ(one(a), R"(435[{"ok":true,"responses":["b-answer"]}])");
}

TEST_F(FixtureTest, BroadcastWithAckTimesOutWithThoseThatAnswered) {
  auto a = h.websocket_client();
  join(a);
  auto b = h.websocket_client();
  join(b);
  auto c = h.websocket_client();
  join(c);
  a.send(R"(25["ctl:broadcast-with-ack",{"event":"q","args":[],"timeoutMs":500}])");
  b.texts();
  c.texts();
  c.send("30[]");
  h.scheduler.advance(engine::Duration(500));
  EXPECT_EQ(one(a), R"(435[{"ok":false,"error":"timeout","responses":[null]}])");
}

TEST_F(FixtureTest, BinaryAnswersToABroadcastStayBinary) {
  auto a = h.websocket_client();
  join(a);
  auto b = h.websocket_client();
  join(b);
  a.send(R"(25["ctl:broadcast-with-ack",{"event":"q","args":[],"timeoutMs":500}])");
  b.texts();
  b.send(R"(61-0[{"_placeholder":true,"num":0}])");
  b.send_binary("\x05");
  const auto got = a.take();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].bytes, R"(461-5[{"ok":true,"responses":[{"_placeholder":true,"num":0}]}])");
  EXPECT_EQ(got[1].bytes, "\x05");
}

TEST_F(FixtureTest, EmitWithAckToTheSenderItself) {
  auto client = h.websocket_client();
  join(client);
  client.send(R"(26["ctl:emit-with-ack",{"event":"ping-me","args":[],"timeoutMs":500}])");
  EXPECT_EQ(one(client), R"(420["ping-me"])");
  client.send(R"(30["pong",2])");
  EXPECT_EQ(one(client), R"(436[{"ok":true,"response":["pong",2]}])");
  client.send(
      R"(27["ctl:emit-with-ack",{"event":"ping-me","args":[{"$bin":"AA=="}],"timeoutMs":500}])");
  const auto frames = client.take();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].bytes, R"(451-1["ping-me",{"_placeholder":true,"num":0}])");
  h.scheduler.advance(engine::Duration(500));
  EXPECT_EQ(one(client), R"(437[{"ok":false,"error":"timeout"}])");
}

TEST_F(FixtureTest, DisconnectAndLastDisconnect) {
  auto a = h.websocket_client();
  join(a);
  auto b = h.websocket_client();
  const auto b_id = join(b);
  b.send(R"(2["ctl:disconnect",{"close":false}])");
  EXPECT_EQ(one(b), "41");
  a.send(R"(27["ctl:last-disconnect",{"sid":")" + b_id + R"("}])");
  EXPECT_EQ(one(a), R"(437["server namespace disconnect"])");
  auto c = h.websocket_client();
  const auto c_id = join(c);
  c.send("1");
  a.send(R"(28["ctl:last-disconnect",{"sid":")" + c_id + R"("}])");
  EXPECT_EQ(one(a), R"(438["client namespace disconnect"])");
  a.send(R"(29["ctl:last-disconnect",{"sid":"nobody"}])");
  EXPECT_EQ(one(a), "439[null]");
}

TEST_F(FixtureTest, DisconnectWithCloseClosesTheConnection) {
  auto client = h.websocket_client();
  join(client);
  join(client, "/custom");
  client.send(R"(2/custom,["ctl:disconnect",{"close":true}])");
  EXPECT_EQ(client.texts(), (std::vector<std::string>{"41", "41/custom,"}));
  EXPECT_TRUE(client.closed());
}

TEST_F(FixtureTest, SocketsOfTheNamespaceOrOfARoom) {
  auto a = h.websocket_client();
  const auto a_id = join(a);
  auto b = h.websocket_client();
  const auto b_id = join(b);
  b.send(R"(21["ctl:join","r1"])");
  b.texts();
  a.send(R"(28["ctl:sockets",{"room":"r1"}])");
  EXPECT_EQ(one(a), R"(438[[")" + b_id + R"("]])");
  a.send(R"(29["ctl:sockets",{}])");
  EXPECT_EQ(one(a), R"(439[[")" + a_id + R"(",")" + b_id + R"("]])");
}

TEST_F(FixtureTest, FenceAnswersAfterEverythingBeforeIt) {
  auto client = h.websocket_client();
  join(client);
  client.send(R"(2["message","x"])");
  client.send(R"(29["ctl:fence"])");
  EXPECT_EQ(client.texts(),
            (std::vector<std::string>{R"(42["message-back","x"])", R"(439[{"ok":true}])"}));
}

TEST_F(FixtureTest, ArgumentsOfTheWrongShapeAreABadRequest) {
  auto client = h.websocket_client();
  join(client);
  for (const char* packet :
       {R"(2["ctl:join",{"not":"a room"}])", R"(2["ctl:join"])", R"(2["ctl:join","a","b"])",
        R"(2["ctl:join",[1]])", R"(2["ctl:rooms",1])", R"(2["ctl:fence",{}])",
        R"(2["ctl:broadcast",{"event":"e"}])", R"(2["ctl:broadcast",{"event":1,"args":[]}])",
        R"(2["ctl:broadcast",{"event":"connect","args":[]}])",
        R"(2["ctl:broadcast",{"event":"e","args":[],"volatile":"yes"}])",
        R"(2["ctl:broadcast",{"event":"e","args":[{"$bin":"not base64!"}]}])",
        R"(2["ctl:broadcast",{"event":"e","args":[{"$bin":"AA==","x":1}]}])",
        R"(2["ctl:broadcast-with-ack",{"event":"e","args":[]}])",
        R"(2["ctl:broadcast-with-ack",{"event":"e","args":[],"timeoutMs":1.5}])",
        R"(2["ctl:emit-with-ack",{"event":"e","args":[],"timeoutMs":0}])",
        R"(2["ctl:disconnect",{"close":1}])", R"(2["ctl:last-disconnect",{}])",
        R"(2["ctl:sockets"])", R"(2["ctl:sockets",{"room":1}])"}) {
    SCOPED_TRACE(packet);
    std::string with_ack = std::string("25") + (packet + 1);
    client.send(with_ack);
    EXPECT_EQ(one(client), R"(435[{"ok":false,"error":"bad request"}])");
  }
  EXPECT_FALSE(client.closed());
}

TEST_F(FixtureTest, ControlEventsWithoutAnAckIdDoTheirWorkSilently) {
  auto client = h.websocket_client();
  const auto id = join(client);
  client.send(R"(2["ctl:join","quiet"])");
  EXPECT_TRUE(client.texts().empty());
  client.send(R"(21["ctl:rooms"])");
  EXPECT_EQ(one(client), R"(431[["quiet",")" + id + R"("]])");
}

TEST(FixtureOfficialLevel, HasNoControlEventsAndNoExtendedNamespaces) {
  ServerHarness h;
  SioFixture fixture(*h.server, FixtureLevel::official);
  auto client = h.websocket_client();
  client.connect("/");
  client.texts();
  client.send(R"(21["ctl:rooms"])");
  EXPECT_TRUE(client.texts().empty());  // no ack: how siocheck discovers the level
  client.send(R"(0/auth,{"token":"secret"})");
  EXPECT_EQ(client.texts(), std::vector<std::string>{R"(44/auth,{"message":"Invalid namespace"})"});
  client.send("0/dyn-1,");
  EXPECT_EQ(client.texts(),
            std::vector<std::string>{R"(44/dyn-1,{"message":"Invalid namespace"})"});
}

}  // namespace
}  // namespace sio::apps
