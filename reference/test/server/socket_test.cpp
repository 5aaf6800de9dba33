// Sockets: events and acks both ways, binary, rooms, disconnects (rows S9-S13, S22-S28).
#include "sio/server/socket.hpp"

#include <gtest/gtest.h>

#include "server_harness.hpp"

namespace sio::server {
namespace {

using test::ServerHarness;
using test::WireClient;

class SocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"/", "/custom"}) {
      h.server->of(name).on_connection([this](Socket& s) {
        sockets[s.id()] = s.shared_from_this();
        s.on("message", [](Socket& socket, const Args& args, const Ack&) {
          socket.emit("message-back", args);
        });
        s.on("message-with-ack", [](Socket&, const Args& args, const Ack& ack) {
          if (ack) ack(args);
        });
        s.on_disconnecting(
            [this](Socket& socket, DisconnectReason) { rooms_when_leaving = socket.rooms(); });
        s.on_disconnect([this](Socket& socket, DisconnectReason reason) {
          reasons[socket.id()] = reason;
          rooms_after_leaving = socket.rooms();
        });
      });
    }
  }
  Socket& socket(const std::string& id) { return *sockets.at(id); }

  ServerHarness h;
  std::map<std::string, std::shared_ptr<Socket>> sockets;
  std::map<std::string, DisconnectReason> reasons;
  std::set<std::string> rooms_when_leaving;
  std::set<std::string> rooms_after_leaving;
};

TEST_F(SocketTest, EventsAreDispatchedWithTheirArgumentsByteForByte) {
  auto client = h.websocket_client();
  client.connect("/");
  client.send(R"(2["message",1,"2",{"3":[true]}])");
  EXPECT_EQ(client.texts(), std::vector<std::string>{R"(42["message-back",1,"2",{"3":[true]}])"});
}

TEST_F(SocketTest, NonCanonicalArgumentsComeBackAsNodeWouldWriteThem) {
  auto client = h.websocket_client();
  client.connect("/");
  client.send(R"(2[ "message" , 1.0 , "\u0041" , {"b":1,"1":2} ])");
  EXPECT_EQ(client.texts(), std::vector<std::string>{R"(42["message-back",1,"A",{"1":2,"b":1}])"});
}

TEST_F(SocketTest, S10_AClientAckIdIsEchoedExactly) {
  auto client = h.websocket_client();
  client.connect("/");
  client.send(R"(2456["message-with-ack",1,"2",{"3":[false]}])");
  client.send(R"(2007["message-with-ack",1])");
  EXPECT_EQ(client.texts(), (std::vector<std::string>{R"(43456[1,"2",{"3":[false]}])", "437[1]"}));
}

TEST_F(SocketTest, S12_S13_NumericAndErrorEventNamesAreDelivered) {
  std::vector<std::string> seen;
  h.server->of("/").on_connection([&](Socket& s) {
    s.on_any([&](Socket&, std::string_view event, const Args& args) {
      seen.push_back(std::string(event) + args.array_json());
    });
  });
  auto client = h.websocket_client();
  client.connect("/");
  client.send(R"(2[1,"x"])");
  client.send(R"(2["error","x"])");
  EXPECT_EQ(seen, (std::vector<std::string>{R"(1["x"])", R"(error["x"])"}));
}

TEST_F(SocketTest, S24_AnAckIsSentOnceAndEmptyAcksAreEmptyArrays) {
  h.server->of("/").on_connection([](Socket& s) {
    s.on("twice", [](Socket&, const Args&, const Ack& ack) {
      ack(Args::of(1));
      ack(Args::of(2));
    });
    s.on("empty", [](Socket&, const Args&, const Ack& ack) { ack(); });
  });
  auto client = h.websocket_client();
  client.connect("/");
  client.send(R"(27["twice"])");
  client.send(R"(26["empty"])");
  EXPECT_EQ(client.texts(), (std::vector<std::string>{"437[1]", "436[]"}));
}

TEST_F(SocketTest, S9_AcksWithUnknownIdsAreIgnored) {
  auto client = h.websocket_client();
  client.connect("/");
  client.send(R"(30["x"])");
  client.send(R"(399[])");
  EXPECT_FALSE(client.closed());
  EXPECT_TRUE(client.texts().empty());
}

TEST_F(SocketTest, S22_ServerAckIdsCountPerNamespaceFromZero) {
  auto client = h.websocket_client();
  const auto id = client.connect("/");
  const auto custom = client.connect("/custom");
  std::vector<std::string> answers;
  auto record = [&](std::optional<AckError> error, const Args& args) {
    answers.push_back(error ? error->message : args.array_json());
  };
  socket(id).emit_with_ack("q1", Args::of(1), record);
  socket(id).emit_with_ack("q2", {}, record);
  socket(custom).emit_with_ack("q3", {}, record);
  EXPECT_EQ(client.texts(),
            (std::vector<std::string>{R"(420["q1",1])", R"(421["q2"])", R"(42/custom,0["q3"])"}));
  client.send(R"(31["b"])");
  client.send(R"(3/custom,0[])");
  client.send(R"(30["a",2])");
  EXPECT_EQ(answers, (std::vector<std::string>{R"(["b"])", "[]", R"(["a",2])"}));
}

TEST_F(SocketTest, S25_AnUnansweredAckTimesOut) {
  auto client = h.websocket_client();
  const auto id = client.connect("/");
  std::optional<std::string> error;
  socket(id)
      .timeout(engine::Duration(200))
      .emit_with_ack("q", {}, [&](std::optional<AckError> e, const Args&) {
        error = e ? e->message : "answered";
      });
  h.scheduler.advance(engine::Duration(199));
  EXPECT_FALSE(error);
  h.scheduler.advance(engine::Duration(1));
  EXPECT_EQ(error, "operation has timed out");
  client.send(R"(30["late"])");  // too late: ignored
  EXPECT_EQ(error, "operation has timed out");
}

TEST_F(SocketTest, PendingAcksFailWhenTheSocketLeaves) {
  auto client = h.websocket_client();
  const auto id = client.connect("/");
  std::optional<std::string> error;
  socket(id).emit_with_ack(
      "q", {}, [&](std::optional<AckError> e, const Args&) { error = e ? e->message : "ok"; });
  client.send("1");
  EXPECT_EQ(error, "socket has been disconnected");
}

TEST_F(SocketTest, BinaryArgumentsStayBinaryInEventsAndAcks) {
  auto client = h.websocket_client();
  client.connect("/");
  client.send(
      R"(52-["message",{"_placeholder":true,"num":0},{"n":[{"_placeholder":true,"num":1}]}])");
  client.send_binary("\x01");
  client.send_binary("\x02");
  auto frames = client.take();
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(
      frames[0].bytes,
      R"(452-["message-back",{"_placeholder":true,"num":0},{"n":[{"_placeholder":true,"num":1}]}])");
  EXPECT_TRUE(frames[1].binary);
  EXPECT_EQ(frames[1].bytes, "\x01");
  EXPECT_EQ(frames[2].bytes, "\x02");
  client.send(R"(51-789["message-with-ack",{"_placeholder":true,"num":0}])");
  client.send_binary("\x09");
  frames = client.take();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].bytes, R"(461-789[{"_placeholder":true,"num":0}])");
  EXPECT_EQ(frames[1].bytes, "\x09");
}

TEST_F(SocketTest, S23_AServerAckWithBinaryIsABinaryAck) {
  h.server->of("/").on_connection([](Socket& s) {
    s.on("get",
         [](Socket&, const Args&, const Ack& ack) { ack(Args::of(Binary{"\x09\x08"}, "x")); });
  });
  auto client = h.websocket_client();
  client.connect("/");
  client.send(R"(25["get"])");
  const auto frames = client.take();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].bytes, R"(461-5[{"_placeholder":true,"num":0},"x"])");
  EXPECT_EQ(frames[1].bytes, "\x09\x08");
}

TEST_F(SocketTest, BinaryAcksOnACustomNamespaceCarryTheNamespace) {
  auto client = h.websocket_client();
  const auto id = client.connect("/custom");
  std::string got;
  socket(id).emit_with_ack("q", {}, [&](std::optional<AckError>, const Args& args) {
    got = std::string(args.bytes(0));
  });
  client.texts();
  client.send(R"(61-/custom,0[{"_placeholder":true,"num":0}])");
  client.send_binary("\x07");
  EXPECT_EQ(got, "\x07");
}

TEST_F(SocketTest, SendIsTheMessageEvent) {
  h.server->of("/").on_connection([](Socket& s) { s.send(Args::of("hello")); });
  auto client = h.websocket_client();
  client.send("0");
  const auto frames = client.texts();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[1], R"(42["message","hello"])");
}

TEST_F(SocketTest, ReservedNamesCannotBeEmitted) {
  auto client = h.websocket_client();
  const auto id = client.connect("/");
  for (const char* name :
       {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"})
    EXPECT_FALSE(socket(id).emit(name)) << name;
  EXPECT_TRUE(client.texts().empty());
}

TEST_F(SocketTest, RoomsIncludeTheOwnIdAndJoinAndLeaveAreIdempotent) {
  auto client = h.websocket_client();
  const auto id = client.connect("/");
  auto& s = socket(id);
  EXPECT_EQ(s.rooms(), std::set<std::string>{id});
  s.join(std::vector<std::string>{"r2", "r1"});
  s.join("r1");
  EXPECT_EQ(s.rooms(), (std::set<std::string>{"r1", "r2", id}));
  s.leave("r2");
  s.leave("r2");
  EXPECT_EQ(s.rooms(), (std::set<std::string>{"r1", id}));
}

TEST_F(SocketTest, DisconnectingStillSeesTheRoomsAndDisconnectDoesNot) {
  auto client = h.websocket_client();
  const auto id = client.connect("/");
  socket(id).join("r1");
  client.send("1");
  EXPECT_EQ(rooms_when_leaving, (std::set<std::string>{"r1", id}));
  EXPECT_TRUE(rooms_after_leaving.empty());
  EXPECT_FALSE(h.server->of("/").adapter().has_room("r1"));
}

TEST_F(SocketTest, AClientDisconnectGetsNoReplyAndKeepsTheConnection) {
  auto client = h.websocket_client();
  const auto id = client.connect("/");
  client.send("1");
  EXPECT_EQ(reasons[id], DisconnectReason::client_namespace_disconnect);
  EXPECT_TRUE(client.texts().empty());
  EXPECT_FALSE(client.closed());
  h.scheduler.advance(engine::Duration(25000));
  EXPECT_EQ(client.texts(), std::vector<std::string>{"2"});  // the next frame is the ping
  client.send(R"(2["message"])");  // a packet for the namespace it left: a violation now
  EXPECT_TRUE(client.closed());
}

TEST_F(SocketTest, S26_AServerDisconnectSendsDisconnectForThatNamespaceOnly) {
  auto client = h.websocket_client();
  const auto root = client.connect("/");
  const auto custom = client.connect("/custom");
  socket(custom).disconnect();
  socket(root).disconnect();
  EXPECT_EQ(client.texts(), (std::vector<std::string>{"41/custom,", "41"}));
  EXPECT_EQ(reasons[root], DisconnectReason::server_namespace_disconnect);
  EXPECT_EQ(reasons[custom], DisconnectReason::server_namespace_disconnect);
  EXPECT_FALSE(client.closed());
  EXPECT_FALSE(socket(root).connected());
  EXPECT_FALSE(socket(root).emit("late"));
}

TEST_F(SocketTest, S27_DisconnectWithCloseEndsEveryNamespaceThenTheConnection) {
  h.server->of(std::regex("^/dyn-[0-9]+$")).on_connection([this](Socket& s) {
    s.on_disconnect([this](Socket& socket, DisconnectReason r) { reasons[socket.id()] = r; });
  });
  auto client = h.websocket_client();
  const auto root = client.connect("/");
  const auto dyn = client.connect("/dyn-1");
  socket(root).disconnect(true);
  EXPECT_EQ(client.texts(), (std::vector<std::string>{"41", "41/dyn-1,"}));
  EXPECT_TRUE(client.closed());
  EXPECT_EQ(reasons[root], DisconnectReason::server_namespace_disconnect);
  EXPECT_EQ(reasons[dyn], DisconnectReason::server_namespace_disconnect);
}

TEST_F(SocketTest, VolatileEmitsAreDroppedWhenThePollingClientHasNoGetPending) {
  const auto sid = h.polling_handshake();
  h.post(sid, "40");
  h.poll(sid);  // the CONNECT reply
  auto& s = socket("s1");
  EXPECT_FALSE(s.with_volatile().emit("lost"));
  auto poll = h.poll(sid);
  EXPECT_TRUE(s.with_volatile().emit("kept"));
  h.run();
  EXPECT_EQ(poll->body(), R"(42["kept"])");
}

TEST_F(SocketTest, CompressFalseReachesTheWebSocketFrame) {
  auto client = h.websocket_client();
  const auto id = client.connect("/");
  socket(id).compress(false).emit("plain");
  socket(id).emit("default");
  const auto frames = client.take();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_FALSE(frames[0].compress);
  EXPECT_TRUE(frames[1].compress);
}

TEST_F(SocketTest, AnExceptionInAHandlerIsLoggedAndTheServerGoesOn) {
  h.server->of("/").on_connection([](Socket& s) {
    s.on("bad", [](Socket&, const Args&, const Ack&) { throw std::runtime_error("bug"); });
  });
  auto client = h.websocket_client();
  client.connect("/");
  client.send(R"(2["bad"])");
  client.send(R"(21["message-with-ack","fine"])");
  EXPECT_EQ(client.texts(), std::vector<std::string>{R"(431["fine"])"});
  bool logged = false;
  for (const auto& line : h.log)
    logged = logged || line.find("threw: bug") != std::string::npos;
  EXPECT_TRUE(logged);
}

}  // namespace
}  // namespace sio::server
