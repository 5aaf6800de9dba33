// One connection's packets: namespace multiplexing, the connect timeout, and the protocol
// violations that close the connection (rows S1-S19, S30 of socket.io 4.8's observed behaviour).
#include "sio/server/client.hpp"

#include <gtest/gtest.h>

#include "server_harness.hpp"

namespace sio::server {
namespace {

using test::ServerHarness;
using test::WireClient;

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h.server->of("/").on_connection([this](Socket& s) {
      s.on_disconnect([this](Socket& socket, DisconnectReason r) { reasons[socket.id()] = r; });
      s.on("echo", [](Socket&, const Args& args, const Ack& ack) {
        if (ack) ack(args);
      });
      s.on_any([this](Socket&, std::string_view event, const Args& args) {
        events.emplace_back(std::string(event) + args.array_json());
      });
    });
    h.server->of("/custom").on_connection([this](Socket& s) {
      s.on_disconnect([this](Socket& socket, DisconnectReason r) { reasons[socket.id()] = r; });
    });
  }

  // The connection was closed promptly by the server (no ping timeout involved).
  void expect_closed(WireClient& client) {
    EXPECT_TRUE(client.closed());
    EXPECT_EQ(h.server->client_count(), 0u);
  }

  ServerHarness h;
  std::map<std::string, DisconnectReason> reasons;
  std::vector<std::string> events;
};

TEST_F(ClientTest, NamespacesAreMultiplexedOverOneConnection) {
  auto client = h.websocket_client();
  const auto root = client.connect("/");
  const auto custom = client.connect("/custom", R"({"token":"abc"})");
  EXPECT_NE(root, custom);
  EXPECT_NE(root, client.sid());  // socket ids are never the Engine.IO id
  client.send(R"(2/custom,["x"])");
  client.send(R"(2["y"])");
  EXPECT_EQ(events, std::vector<std::string>{R"(y[])"});  // only / has an on_any
  client.send("1/custom,");
  EXPECT_EQ(reasons[custom], DisconnectReason::client_namespace_disconnect);
  client.send(R"(27["echo",1])");
  EXPECT_EQ(client.texts(), std::vector<std::string>{"437[1]"});
  EXPECT_FALSE(client.closed());
}

TEST_F(ClientTest, ConnectReplyComesBeforeAnythingTheHandlerEmits) {
  h.server->of("/hello").on_connection([](Socket& s) { s.emit("hi", Args::of(1)); });
  auto client = h.websocket_client();
  client.send("0/hello,");
  const auto frames = client.texts();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0], R"(40/hello,{"sid":"s1"})");
  EXPECT_EQ(frames[1], R"(42/hello,["hi",1])");
}

TEST_F(ClientTest, S1_ASecondConnectToTheSameNamespaceClosesTheConnection) {
  auto client = h.websocket_client();
  const auto id = client.connect("/");
  client.send("0");
  expect_closed(client);
  EXPECT_EQ(reasons[id], DisconnectReason::forced_server_close);
}

TEST_F(ClientTest, S2_AnEventBeforeAnyConnectClosesTheConnection) {
  auto client = h.websocket_client();
  client.send(R"(2["x"])");
  expect_closed(client);
}

TEST_F(ClientTest, S3_APacketForANamespaceNotJoinedClosesTheConnection) {
  for (const char* packet : {R"(2/custom,["x"])", "1/custom,", R"(3/custom,1[])"}) {
    SCOPED_TRACE(packet);
    auto client = h.websocket_client();
    const auto id = client.connect("/");
    client.send(packet);
    expect_closed(client);
    EXPECT_EQ(reasons[id], DisconnectReason::forced_server_close);
  }
}

TEST_F(ClientTest, S4_AConnectPayloadThatIsNotAnObjectClosesTheConnection) {
  for (const char* packet : {"0/custom,[]", R"(0"s")", "0[]", "0true"}) {
    SCOPED_TRACE(packet);
    auto client = h.websocket_client();
    client.send(packet);
    expect_closed(client);
  }
}

TEST_F(ClientTest, S5_ADisconnectWithAPayloadClosesTheConnection) {
  auto client = h.websocket_client();
  const auto id = client.connect("/");
  client.send("1{}");
  expect_closed(client);
  EXPECT_EQ(reasons[id], DisconnectReason::parse_error);
}

TEST_F(ClientTest, S6_AConnectErrorFromTheClientClosesTheConnection) {
  auto client = h.websocket_client();
  client.connect("/");
  client.send(R"(4{"message":"x"})");
  expect_closed(client);
}

TEST_F(ClientTest, S7_InvalidEventsCloseTheConnection) {
  for (const char* packet : {"2[]", "2[{}]", R"(2["disconnect"])", R"(2["connect_error"])",
                             "2-1[1]", "2{}", R"(2abc["x"])", "2[null,1]"}) {
    SCOPED_TRACE(packet);
    auto client = h.websocket_client();
    const auto id = client.connect("/");
    client.send(packet);
    expect_closed(client);
    EXPECT_EQ(reasons[id], DisconnectReason::parse_error);
  }
}

TEST_F(ClientTest, S8_AnEventWithoutPayloadClosesTheConnectionUnlikeSocketIo) {
  // socket.io 4.8 dispatches "42" as an event named undefined; the specification requires the
  // array, and so does this server.
  auto client = h.websocket_client();
  client.connect("/");
  client.send("2");
  expect_closed(client);
}

TEST_F(ClientTest, UnknownSocketIoPacketTypesCloseTheConnection) {
  for (const char* packet : {"abc", "9", ""}) {
    SCOPED_TRACE(packet);
    auto client = h.websocket_client();
    client.send(packet);
    expect_closed(client);
  }
}

TEST_F(ClientTest, S14_TextWhileAttachmentsArePendingClosesTheConnection) {
  auto client = h.websocket_client();
  client.connect("/");
  client.send(R"(51-["x",{"_placeholder":true,"num":0}])");
  client.send(R"(2["y"])");
  expect_closed(client);
}

TEST_F(ClientTest, S15_ABinaryMessageWithNothingPendingClosesTheConnection) {
  auto client = h.websocket_client();
  client.connect("/");
  client.send_binary("\x01");
  expect_closed(client);
}

TEST_F(ClientTest, S16_APlaceholderOutOfRangeClosesTheConnection) {
  auto client = h.websocket_client();
  client.connect("/");
  client.send(R"(51-["x",{"_placeholder":true,"num":1}])");
  client.send_binary("\x01");
  expect_closed(client);
  EXPECT_TRUE(events.empty());
}

TEST_F(ClientTest, S16_TheSplicePlaceholderOfCve2022_2421IsRefused) {
  auto client = h.websocket_client();
  client.connect("/");
  client.send(R"(51-["hello",{"_placeholder":true,"num":"splice"}])");
  client.send_binary("x");
  expect_closed(client);
  EXPECT_TRUE(events.empty());
}

TEST_F(ClientTest, S17_PlaceholderKeyOrderDoesNotMatter) {
  auto client = h.websocket_client();
  client.connect("/");
  client.send(R"(51-["bin",{"num":0,"_placeholder":true}])");
  client.send_binary("\x01");
  EXPECT_FALSE(client.closed());
  EXPECT_EQ(events, std::vector<std::string>{R"(bin[{"_placeholder":true,"num":0}])"});
}

TEST_F(ClientTest, S18_S19_AttachmentCountsOutsideOneToTheLimitCloseTheConnection) {
  for (const char* packet : {R"(511-["x"])", R"(50-["x"])"}) {
    SCOPED_TRACE(packet);
    auto client = h.websocket_client();
    client.connect("/");
    client.send(packet);
    expect_closed(client);
  }
}

TEST_F(ClientTest, TheAttachmentLimitIsConfigurable) {
  auto options = ServerHarness::default_options();
  options.max_attachments = 2;
  ServerHarness small(options);
  small.server->of("/");
  auto client = small.websocket_client();
  client.connect("/");
  client.send(R"(53-["x",1])");
  EXPECT_TRUE(client.closed());
}

TEST_F(ClientTest, S30_WithoutAConnectTheConnectionClosesAtTheConnectTimeout) {
  const auto sid = h.polling_handshake();
  h.scheduler.advance(engine::Duration(999));
  EXPECT_EQ(h.server->client_count(), 1u);
  h.scheduler.advance(engine::Duration(1));
  // On polling the close waits for the next GET, which gets a noop and the close packet.
  EXPECT_EQ(h.poll(sid)->body(), std::string("6\x1e") + "1");
  EXPECT_EQ(h.poll(sid)->status(), 400u);
}

TEST_F(ClientTest, TheConnectTimeoutIsCancelledByAConnectAndNotRearmedAfterADisconnect) {
  auto client = h.websocket_client();
  client.connect("/");
  client.send("1");
  h.scheduler.advance(engine::Duration(5000));
  EXPECT_FALSE(client.closed());  // zero namespaces, and the connection stays
}

TEST_F(ClientTest, ARefusedConnectIsNotAViolationAndARetryWorks) {
  auto client = h.websocket_client();
  client.send("0/nowhere,");
  EXPECT_EQ(client.texts(),
            std::vector<std::string>{R"(44/nowhere,{"message":"Invalid namespace"})"});
  client.send("0/nowhere");  // no trailing comma: the same namespace
  EXPECT_EQ(client.texts(),
            std::vector<std::string>{R"(44/nowhere,{"message":"Invalid namespace"})"});
  EXPECT_FALSE(client.closed());
  client.connect("/");
}

TEST_F(ClientTest, ViolationsAreLoggedWithTheirCause) {
  auto client = h.websocket_client();
  client.send(R"(2["x"])");
  ASSERT_FALSE(h.log.empty());
  bool found = false;
  for (const auto& line : h.log)
    found = found || line.find("which this client has not joined") != std::string::npos;
  EXPECT_TRUE(found);
}

TEST_F(ClientTest, ABadClientLeavesTheOthersAlone) {
  auto good = h.websocket_client();
  good.connect("/");
  auto bad = h.websocket_client();
  bad.connect("/");
  bad.send("2{}");
  EXPECT_TRUE(bad.closed());
  good.send(R"(21["echo","still here"])");
  EXPECT_EQ(good.texts(), std::vector<std::string>{R"(431["still here"])"});
}

TEST_F(ClientTest, TheTransportClosingEndsEveryNamespaceWithTheEngineReason) {
  auto client = h.websocket_client();
  const auto root = client.connect("/");
  const auto custom = client.connect("/custom");
  client.channel().peer_closed(false);
  EXPECT_EQ(reasons[root], DisconnectReason::transport_close);
  EXPECT_EQ(reasons[custom], DisconnectReason::transport_close);
  EXPECT_EQ(h.server->client_count(), 0u);
}

TEST_F(ClientTest, APingTimeoutEndsEveryNamespace) {
  auto client = h.websocket_client();
  const auto root = client.connect("/");
  h.scheduler.advance(engine::Duration(45000));
  EXPECT_EQ(reasons[root], DisconnectReason::ping_timeout);
}

TEST_F(ClientTest, BinaryPacketsArriveWholeOverPolling) {
  const auto sid = h.polling_handshake();
  h.post(sid, "40");
  h.poll(sid);  // the CONNECT reply
  EXPECT_EQ(
      h.post(sid, std::string(R"(451-["bin",{"_placeholder":true,"num":0}])") + "\x1e" + "bAQID")
          ->body(),
      "ok");
  EXPECT_EQ(events, std::vector<std::string>{R"(bin[{"_placeholder":true,"num":0}])"});
}

}  // namespace
}  // namespace sio::server
