// Broadcasts: rooms, exceptions, the sender left out, flags, acks from many (rows S28, S29).
#include "sio/server/broadcast.hpp"

#include <gtest/gtest.h>

#include "server_harness.hpp"

namespace sio::server {
namespace {

using test::ServerHarness;
using test::WireClient;

class BroadcastTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h.server->of("/").on_connection([this](Socket& s) { sockets[s.id()] = s.shared_from_this(); });
    for (int i = 0; i < 3; ++i) {
      clients.push_back(h.websocket_client());
      ids.push_back(clients.back().connect("/"));
    }
    // a: r1   b: r1, r2   c: r2
    socket(0).join("r1");
    socket(1).join(std::vector<std::string>{"r1", "r2"});
    socket(2).join("r2");
  }
  Socket& socket(int i) { return *sockets.at(ids[static_cast<std::size_t>(i)]); }
  // Who received `event` (by client index).
  std::vector<int> receivers(std::string_view event) {
    std::vector<int> out;
    for (std::size_t i = 0; i < clients.size(); ++i)
      for (const auto& text : clients[i].texts())
        if (text.find("\"" + std::string(event) + "\"") != std::string::npos)
          out.push_back(static_cast<int>(i));
    return out;
  }

  ServerHarness h;
  std::map<std::string, std::shared_ptr<Socket>> sockets;
  std::vector<WireClient> clients;
  std::vector<std::string> ids;
};

TEST_F(BroadcastTest, S28_ToARoomLeavesTheSenderOut) {
  socket(0).to("r1").emit("e");
  EXPECT_EQ(receivers("e"), std::vector<int>{1});
}

TEST_F(BroadcastTest, S28_BroadcastReachesEveryOtherSocket) {
  socket(0).broadcast().emit("e");
  EXPECT_EQ(receivers("e"), (std::vector<int>{1, 2}));
}

TEST_F(BroadcastTest, SeveralRoomsReachEachSocketOnce) {
  h.server->of("/").to("r1").to("r2").emit("e");
  EXPECT_EQ(receivers("e"), (std::vector<int>{0, 1, 2}));
  for (auto& client : clients)
    EXPECT_TRUE(client.texts().empty());
}

TEST_F(BroadcastTest, ExceptRemovesTheSocketsOfARoom) {
  h.server->of("/").to("r1").except("r2").emit("e");
  EXPECT_EQ(receivers("e"), std::vector<int>{0});
  h.server->of("/").except("r1").emit("f");
  EXPECT_EQ(receivers("f"), std::vector<int>{2});
}

TEST_F(BroadcastTest, APrivateMessageGoesThroughTheOwnIdRoom) {
  socket(0).to(ids[2]).emit("dm", Args::of("hi"));
  EXPECT_EQ(receivers("dm"), std::vector<int>{2});
}

TEST_F(BroadcastTest, TheNamespaceEmitReachesEveryone) {
  h.server->emit("all");
  EXPECT_EQ(receivers("all"), (std::vector<int>{0, 1, 2}));
}

TEST_F(BroadcastTest, OnePacketIsEncodedOnceForEveryRecipient) {
  h.server->of("/").emit("shared", Args::of(Binary{"xyz"}));
  std::vector<const std::string*> text_buffers;
  std::vector<const std::string*> binary_buffers;
  for (auto& client : clients) {
    const auto frames = client.take();
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].bytes, R"(451-["shared",{"_placeholder":true,"num":0}])");
    text_buffers.push_back(frames[0].buffer);
    binary_buffers.push_back(frames[1].buffer);
  }
  EXPECT_EQ(text_buffers[0], text_buffers[1]);
  EXPECT_EQ(text_buffers[1], text_buffers[2]);
  EXPECT_EQ(binary_buffers[0], binary_buffers[2]);
}

TEST_F(BroadcastTest, VolatileSkipsRecipientsThatCannotTakeItNow) {
  const auto sid = h.polling_handshake();  // a polling client with no GET pending
  h.post(sid, "40");
  h.poll(sid);
  clients[1].channel().set_buffered(10);  // a WebSocket with a write in flight
  h.server->of("/").with_volatile().emit("v");
  EXPECT_EQ(receivers("v"), (std::vector<int>{0, 2}));
  auto poll = h.poll(sid);
  EXPECT_FALSE(poll->answered());  // nothing was kept for it
}

TEST_F(BroadcastTest, S29_AcksFromManyShareOneIdAndTimeOutWithWhatCameIn) {
  std::optional<std::string> error;
  std::vector<std::string> responses;
  h.server->of("/")
      .timeout(engine::Duration(300))
      .emit_with_ack("bq", {}, [&](std::optional<AckError> e, std::vector<Args> got) {
        error = e ? e->message : "none";
        for (const auto& r : got)
          responses.push_back(r.array_json());
      });
  for (auto& client : clients)
    EXPECT_EQ(client.texts(), std::vector<std::string>{R"(420["bq"])"});
  clients[0].send(R"(30["a"])");
  clients[1].send(R"(31["wrong id"])");  // not this broadcast: ignored
  h.scheduler.advance(engine::Duration(300));
  EXPECT_EQ(error, "operation has timed out");
  EXPECT_EQ(responses, std::vector<std::string>{R"(["a"])"});
}

TEST_F(BroadcastTest, AcksFromEveryRecipientCompleteTheBroadcast) {
  std::optional<std::string> error;
  std::vector<std::string> responses;
  socket(0)
      .to("r2")
      .timeout(engine::Duration(1000))
      .emit_with_ack("q", Args::of(1), [&](std::optional<AckError> e, std::vector<Args> got) {
        error = e ? e->message : "none";
        for (const auto& r : got)
          responses.push_back(r.array_json());
      });
  clients[1].send(R"(30["b",{"more":1}])");
  EXPECT_FALSE(error);
  clients[2].send("30[]");
  EXPECT_EQ(error, "none");
  EXPECT_EQ(responses, (std::vector<std::string>{R"(["b"])", "[]"}));  // the first argument of each
}

TEST_F(BroadcastTest, AnAckBroadcastToNobodyCompletesAtOnce) {
  bool done = false;
  h.server->of("/").to("empty").emit_with_ack(
      "q", {}, [&](std::optional<AckError> e, std::vector<Args> got) { done = !e && got.empty(); });
  EXPECT_TRUE(done);
}

TEST_F(BroadcastTest, FetchJoinLeaveAndDisconnectSockets) {
  const auto in_r2 = h.server->of("/").to("r2").fetch_sockets();
  EXPECT_EQ(in_r2.size(), 2u);
  h.server->of("/").to("r1").sockets_join("r3");
  EXPECT_EQ(h.server->of("/").adapter().sockets_in("r3").size(), 2u);
  h.server->of("/").to("r3").sockets_leave("r1");
  EXPECT_FALSE(h.server->of("/").adapter().has_room("r1"));
  h.server->of("/").to("r2").disconnect_sockets();
  EXPECT_EQ(h.server->of("/").sockets().size(), 1u);
  EXPECT_EQ(clients[2].texts(), std::vector<std::string>{"41"});
}

TEST_F(BroadcastTest, AParentNamespaceEmitsToEveryChild) {
  auto& parent = h.server->of(std::regex("^/dyn-[0-9]+$"));
  auto a = h.websocket_client();
  a.connect("/dyn-1");
  auto b = h.websocket_client();
  b.connect("/dyn-2");
  parent.emit("all");
  EXPECT_EQ(a.texts(), std::vector<std::string>{R"(42/dyn-1,["all"])"});
  EXPECT_EQ(b.texts(), std::vector<std::string>{R"(42/dyn-2,["all"])"});
  h.server->find("/dyn-1")->emit("one");  // a child alone
  EXPECT_EQ(a.texts(), std::vector<std::string>{R"(42/dyn-1,["one"])"});
  EXPECT_TRUE(b.texts().empty());
}

}  // namespace
}  // namespace sio::server
