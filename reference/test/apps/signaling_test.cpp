// The signaling app (scenarios/SIGNALING.md, contract v1): every wire example of the contract,
// byte for byte, on in-memory WebSockets.
#include "sio/apps/signaling.hpp"

#include <gtest/gtest.h>

#include "server_harness.hpp"

namespace sio::apps {
namespace {

using test::ServerHarness;
using test::WireClient;
using Frames = std::vector<std::string>;

class SignalingTest : public ::testing::Test {
 protected:
  ServerHarness h;
  Signaling app{*h.server};

  // A client connected to "/" (the CONNECT reply swallowed).
  WireClient peer() {
    auto client = h.websocket_client();
    client.connect();
    return client;
  }
  // Two clients in room r1: A created it, B joined it (their answers swallowed).
  std::pair<WireClient, WireClient> pair_in(std::string_view room = "r1") {
    auto a = peer();
    auto b = peer();
    const auto join = R"(2["create or join",")" + std::string(room) + R"("])";
    a.send(join);
    b.send(join);
    a.texts();
    b.texts();
    return {std::move(a), std::move(b)};
  }
};

TEST_F(SignalingTest, ConnectingSendsNothing) {
  auto client = h.websocket_client();
  client.send("0");
  EXPECT_EQ(client.texts(), Frames{R"(40{"sid":"s1"})"});
}

TEST_F(SignalingTest, FirstCreatesSecondJoinsBothAreReadyThirdIsFull) {
  auto a = peer();
  auto b = peer();
  auto c = peer();
  a.send(R"(2["create or join","r1"])");
  EXPECT_EQ(a.texts(), Frames{R"(42["created","r1"])"});
  EXPECT_EQ(app.members("r1"), 1u);
  b.send(R"(2["create or join","r1"])");
  EXPECT_EQ(b.texts(), (Frames{R"(42["joined","r1"])", R"(42["ready","r1"])"}));
  EXPECT_EQ(a.texts(), Frames{R"(42["ready","r1"])"});
  c.send(R"(2["create or join","r1"])");
  EXPECT_EQ(c.texts(), Frames{R"(42["full","r1"])"});
  EXPECT_TRUE(a.texts().empty());
  EXPECT_TRUE(b.texts().empty());
  EXPECT_EQ(app.members("r1"), 2u);
  EXPECT_EQ(app.room_of("s3"), nullptr);
}

TEST_F(SignalingTest, AFullSocketMayJoinAnotherRoom) {
  auto [a, b] = pair_in("r1");
  auto c = peer();
  c.send(R"(2["create or join","r1"])");
  c.texts();
  c.send(R"(2["create or join","r2"])");
  EXPECT_EQ(c.texts(), Frames{R"(42["created","r2"])"});
}

TEST_F(SignalingTest, OfferAnswerAndCandidatesGoToTheOtherPeerOnly) {
  auto [a, b] = pair_in("r1");
  auto [c, d] = pair_in("r2");
  auto loner = peer();
  const std::string offer = R"(2["offer",{"room":"r1","sdp":{"type":"offer","sdp":"v=0\r\n"}}])";
  a.send(offer);
  EXPECT_EQ(b.texts(), Frames{"4" + offer});
  b.send(R"(2["answer",{"room":"r1","sdp":{"type":"answer","sdp":"v=0\r\n"}}])");
  EXPECT_EQ(a.texts(),
            Frames{R"(42["answer",{"room":"r1","sdp":{"type":"answer","sdp":"v=0\r\n"}}])"});
  const std::string candidate =
      R"(2["candidate",{"room":"r1","candidate":{"candidate":"candidate:1 1 udp 2113937151 192.0.2.2 40000 typ host","sdpMid":"0","sdpMLineIndex":0}}])";
  a.send(candidate);
  EXPECT_EQ(b.texts(), Frames{"4" + candidate});
  EXPECT_TRUE(a.texts().empty());  // never back to the sender
  EXPECT_TRUE(c.texts().empty());  // never outside the room
  EXPECT_TRUE(d.texts().empty());
  EXPECT_TRUE(loner.texts().empty());
}

TEST_F(SignalingTest, RelayedMessagesKeepTheirOrder) {
  auto [a, b] = pair_in();
  a.send(R"(2["candidate",{"room":"r1","n":1}])");
  a.send(R"(2["candidate",{"room":"r1","n":2}])");
  a.send(R"(2["offer",{"room":"r1","n":3}])");
  EXPECT_EQ(b.texts(), (Frames{R"(42["candidate",{"room":"r1","n":1}])",
                               R"(42["candidate",{"room":"r1","n":2}])",
                               R"(42["offer",{"room":"r1","n":3}])"}));
}

TEST_F(SignalingTest, AloneInTheRoomARelayReachesNobody) {
  auto a = peer();
  auto other = peer();
  a.send(R"(2["create or join","r1"])");
  a.texts();
  a.send(R"(2["offer",{"room":"r1"}])");
  EXPECT_TRUE(a.texts().empty());
  EXPECT_TRUE(other.texts().empty());
}

TEST_F(SignalingTest, ByeTellsTheOtherPeerAndANewPeerMakesTheRoomReadyAgain) {
  auto [a, b] = pair_in();
  a.send(R"(2["bye","r1"])");
  EXPECT_TRUE(a.texts().empty());
  EXPECT_EQ(b.texts(), Frames{R"(42["bye","r1"])"});
  EXPECT_EQ(app.room_of("s1"), nullptr);
  EXPECT_EQ(app.members("r1"), 1u);
  auto c = peer();
  c.send(R"(2["create or join","r1"])");
  EXPECT_EQ(c.texts(), (Frames{R"(42["joined","r1"])", R"(42["ready","r1"])"}));
  EXPECT_EQ(b.texts(), Frames{R"(42["ready","r1"])"});
  EXPECT_TRUE(a.texts().empty());
  a.send(R"(2["create or join","r1"])");  // a may come back to a room with space
  EXPECT_EQ(a.texts(), Frames{R"(42["full","r1"])"});
}

TEST_F(SignalingTest, DisconnectingIsABye) {
  auto [a, b] = pair_in();
  b.channel().peer_closed();
  h.run();
  EXPECT_EQ(a.texts(), Frames{R"(42["bye","r1"])"});
  EXPECT_EQ(app.room_of("s2"), nullptr);
  auto [c, d] = pair_in("r2");
  d.send("1");  // leaving the namespace
  EXPECT_EQ(c.texts(), Frames{R"(42["bye","r2"])"});
}

TEST_F(SignalingTest, TheLastOneOutEmptiesTheRoom) {
  auto [a, b] = pair_in();
  a.send(R"(2["bye","r1"])");
  b.send(R"(2["bye","r1"])");
  EXPECT_EQ(app.members("r1"), 0u);
  auto c = peer();
  c.send(R"(2["create or join","r1"])");
  EXPECT_EQ(c.texts(), Frames{R"(42["created","r1"])"});
}

TEST_F(SignalingTest, BadRoomsAreRefusedAndTheConnectionGoesOn) {
  auto a = peer();
  for (const auto* bad : {R"(2["create or join",7])", R"(2["create or join",""])",
                          R"(2["create or join"])", R"(2["create or join","r1","r2"])",
                          R"(2["create or join",{"room":"r1"}])", R"(2["create or join",null])"}) {
    a.send(bad);
    EXPECT_EQ(a.texts(), Frames{R"(42["error",{"event":"create or join","message":"bad room"}])"})
        << bad;
  }
  a.send(R"(2["bye",["r1"]])");
  EXPECT_EQ(a.texts(), Frames{R"(42["error",{"event":"bye","message":"bad room"}])"});
  EXPECT_FALSE(a.closed());
  a.send(R"(2["create or join","r1"])");
  EXPECT_EQ(a.texts(), Frames{R"(42["created","r1"])"});
}

TEST_F(SignalingTest, RoomNamesAreOneTo128Bytes) {
  auto a = peer();
  auto b = peer();
  const std::string longest(Signaling::kMaxRoomBytes, 'x');
  a.send(R"(2["create or join",")" + longest + R"("])");
  EXPECT_EQ(a.texts(), Frames{R"(42["created",")" + longest + R"("])"});
  b.send(R"(2["create or join",")" + longest + R"(x"])");
  EXPECT_EQ(b.texts(), Frames{R"(42["error",{"event":"create or join","message":"bad room"}])"});
  // Bytes of UTF-8, not characters: 43 three-byte characters are 129 bytes.
  std::string wide;
  for (int i = 0; i < 43; ++i)
    wide += "\xe2\x82\xac";
  b.send(R"(2["create or join",")" + wide + R"("])");
  EXPECT_EQ(b.texts(), Frames{R"(42["error",{"event":"create or join","message":"bad room"}])"});
  b.send(R"(2["create or join",")" + wide.substr(3) + R"("])");
  EXPECT_EQ(b.texts(), Frames{R"(42["created",")" + wide.substr(3) + R"("])"});
}

TEST_F(SignalingTest, ASocketIsInOneRoomAtATime) {
  auto [a, b] = pair_in();
  b.send(R"(2["create or join","r2"])");
  EXPECT_EQ(b.texts(),
            Frames{R"(42["error",{"event":"create or join","message":"already in a room"}])"});
  b.send(R"(2["create or join","r1"])");
  EXPECT_EQ(b.texts(),
            Frames{R"(42["error",{"event":"create or join","message":"already in a room"}])"});
  b.send(R"(2["create or join",7])");  // a bad room is refused as such first
  EXPECT_EQ(b.texts(), Frames{R"(42["error",{"event":"create or join","message":"bad room"}])"});
  EXPECT_EQ(app.members("r2"), 0u);
  EXPECT_TRUE(a.texts().empty());
}

TEST_F(SignalingTest, BadRelaysAreRefused) {
  auto [a, b] = pair_in();
  for (const auto* event : {"offer", "answer", "candidate"}) {
    const std::string name = event;
    const auto refusal = R"(42["error",{"event":")" + name + R"(","message":"bad message"}])";
    for (const auto& bad :
         {R"(2[")" + name + R"(","r1"])", R"(2[")" + name + R"("])",
          R"(2[")" + name + R"(",{"sdp":{}}])", R"(2[")" + name + R"(",{"room":1}])",
          R"(2[")" + name + R"(",{"room":"r1"},2])"}) {
      a.send(bad);
      EXPECT_EQ(a.texts(), Frames{refusal}) << bad;
    }
  }
  EXPECT_TRUE(b.texts().empty());
  EXPECT_FALSE(a.closed());
}

TEST_F(SignalingTest, RelaysAndByeForAnotherRoomAreRefused) {
  auto [a, b] = pair_in("r1");
  auto [c, d] = pair_in("r2");
  auto loner = peer();
  a.send(R"(2["offer",{"room":"r2"}])");
  EXPECT_EQ(a.texts(), Frames{R"(42["error",{"event":"offer","message":"not in room"}])"});
  loner.send(R"(2["candidate",{"room":"r1","candidate":{}}])");
  EXPECT_EQ(loner.texts(), Frames{R"(42["error",{"event":"candidate","message":"not in room"}])"});
  loner.send(R"(2["bye","r1"])");
  EXPECT_EQ(loner.texts(), Frames{R"(42["error",{"event":"bye","message":"not in room"}])"});
  a.send(R"(2["bye","r2"])");
  EXPECT_EQ(a.texts(), Frames{R"(42["error",{"event":"bye","message":"not in room"}])"});
  EXPECT_TRUE(b.texts().empty());
  EXPECT_TRUE(c.texts().empty());
  EXPECT_TRUE(d.texts().empty());
  EXPECT_EQ(app.members("r1"), 2u);
}

TEST_F(SignalingTest, AcksAreNeverAnsweredAndOtherEventsAreIgnored) {
  auto [a, b] = pair_in();
  a.send(R"(25["offer",{"room":"r1"}])");
  EXPECT_EQ(b.texts(), Frames{R"(42["offer",{"room":"r1"}])"});
  EXPECT_TRUE(a.texts().empty());
  a.send(R"(26["hello","r1"])");
  a.send(R"(2["message","r1"])");
  EXPECT_TRUE(a.texts().empty());
  EXPECT_TRUE(b.texts().empty());
}

TEST_F(SignalingTest, BinaryInARelayedMessageStaysBinary) {
  auto [a, b] = pair_in();
  a.send(R"(51-["candidate",{"room":"r1","blob":{"_placeholder":true,"num":0}}])");
  a.send_binary("\x01\x02");
  const auto got = b.take();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].bytes,
            R"(451-["candidate",{"room":"r1","blob":{"_placeholder":true,"num":0}}])");
  EXPECT_EQ(got[1].bytes, "\x01\x02");
}

TEST_F(SignalingTest, OtherNamespacesDoNotExist) {
  auto client = h.websocket_client();
  client.send("0/other,");
  EXPECT_EQ(client.texts(), Frames{R"(44/other,{"message":"Invalid namespace"})"});
}

}  // namespace
}  // namespace sio::apps
