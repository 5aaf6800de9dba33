#include "sio/server/server.hpp"

#include <gtest/gtest.h>

#include "server_harness.hpp"

namespace sio::server {
namespace {

using test::ServerHarness;

TEST(Server, CloseTellsEverySocketTheServerIsShuttingDownThenClosesTheConnections) {
  ServerHarness h;
  std::vector<std::string> reasons;
  for (const char* name : {"/", "/custom"}) {
    h.server->of(name).on_connection([&](Socket& s) {
      s.on_disconnect([&](Socket&, DisconnectReason r) { reasons.emplace_back(to_string(r)); });
    });
  }
  auto a = h.websocket_client();
  a.connect("/");
  a.connect("/custom");
  auto b = h.websocket_client();
  b.connect("/");
  h.server->close();
  EXPECT_EQ(reasons, std::vector<std::string>(3, "server shutting down"));
  EXPECT_TRUE(a.closed());
  EXPECT_TRUE(b.closed());
  EXPECT_EQ(h.server->client_count(), 0u);
  EXPECT_TRUE(h.engine->shutting_down());
}

TEST(Server, TheOfficialFixtureExchangeByteForByte) {
  // The official suite's server, written with this API.
  ServerHarness h;
  for (const char* name : {"/", "/custom"}) {
    h.server->of(name).on_connection(
        [](Socket& s) { s.emit("auth", Args::of(Json{s.handshake().auth})); });
  }
  h.server->of("/").on_connection([](Socket& s) {
    s.on("message",
         [](Socket& socket, const Args& args, const Ack&) { socket.emit("message-back", args); });
    s.on("message-with-ack", [](Socket&, const Args& args, const Ack& ack) { ack(args); });
  });
  auto client = h.websocket_client();
  client.send("0");
  EXPECT_EQ(client.texts(), (std::vector<std::string>{R"(40{"sid":"s1"})", R"(42["auth",{}])"}));
  client.send(R"(0/custom,{"token":"abc"})");
  EXPECT_EQ(client.texts(), (std::vector<std::string>{R"(40/custom,{"sid":"s2"})",
                                                      R"(42/custom,["auth",{"token":"abc"}])"}));
  client.send("0/random,");
  EXPECT_EQ(client.texts(),
            std::vector<std::string>{R"(44/random,{"message":"Invalid namespace"})"});
  client.send(R"(2["message",1,"2",{"3":[true]}])");
  EXPECT_EQ(client.texts(), std::vector<std::string>{R"(42["message-back",1,"2",{"3":[true]}])"});
  client.send(R"(2456["message-with-ack",1,"2",{"3":[false]}])");
  EXPECT_EQ(client.texts(), std::vector<std::string>{R"(43456[1,"2",{"3":[false]}])"});
  client.send(R"(2/custom,["message",1])");  // /custom has no message handler
  EXPECT_TRUE(client.texts().empty());
}

TEST(Server, SessionsWithoutAClientAreIgnoredAndClientsGoWithTheirSession) {
  ServerHarness h;
  auto client = h.websocket_client();
  EXPECT_EQ(h.server->client_count(), 1u);
  client.channel().peer_closed(true);
  EXPECT_EQ(h.server->client_count(), 0u);
}

TEST(Server, DestroyingTheServerStopsItsTimers) {
  auto h = std::make_unique<ServerHarness>();
  h->server->of("/").on_connection([](Socket& s) {
    s.timeout(engine::Duration(5000))
        .emit_with_ack("q", {}, [](std::optional<AckError>, const Args&) {});
  });
  auto client = h->websocket_client();
  client.connect("/");
  EXPECT_GT(h->scheduler.pending_timers(), 0u);
  h->engine.reset();
  h->server.reset();
  EXPECT_EQ(h->scheduler.pending_timers(), 0u);  // nothing can fire into freed memory
}

}  // namespace
}  // namespace sio::server
