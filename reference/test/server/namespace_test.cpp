// Namespaces: static and dynamic, middlewares, connection handlers (rows S20, S21).
#include "sio/server/namespace.hpp"

#include <gtest/gtest.h>

#include "server_harness.hpp"

namespace sio::server {
namespace {

using test::ServerHarness;

TEST(Namespace, RootAlwaysExistsAndOthersOnlyWhenDeclared) {
  ServerHarness h;
  auto client = h.websocket_client();
  EXPECT_EQ(client.connect("/"), "s1");
  client.send("0/custom,");
  EXPECT_EQ(client.texts(),
            std::vector<std::string>{R"(44/custom,{"message":"Invalid namespace"})"});
  h.server->of("/custom");
  EXPECT_EQ(client.connect("/custom"), "s2");
}

TEST(Namespace, TheConnectPayloadIsTheHandshakeAuthAndDefaultsToAnEmptyObject) {
  ServerHarness h;
  std::vector<std::string> auths;
  h.server->of("/").on_connection([&](Socket& s) { auths.push_back(s.handshake().auth); });
  auto a = h.websocket_client();
  a.connect("/");
  auto b = h.websocket_client();
  b.connect("/", R"({ "token" : "123" })");
  EXPECT_EQ(auths, (std::vector<std::string>{"{}", R"({"token":"123"})"}));
}

TEST(Namespace, HandshakeDataComesFromTheEngineRequest) {
  ServerHarness h;
  Handshake seen;
  h.server->of("/").on_connection([&](Socket& s) { seen = s.handshake(); });
  auto client = h.websocket_client();
  client.connect("/");
  EXPECT_EQ(seen.address, "127.0.0.1:40000");
  EXPECT_EQ(seen.query.get("EIO"), "4");
  EXPECT_EQ(seen.url, "/socket.io/?EIO=4&transport=websocket");
  EXPECT_GT(seen.issued, 0);
}

TEST(Namespace, S21_DynamicNamespacesByRegexExistOnFirstUse) {
  ServerHarness h;
  int connected = 0;
  auto& parent = h.server->of(std::regex("^/dyn-[0-9]+$"));
  parent.on_connection([&](Socket& s) {
    ++connected;
    s.emit("auth", Args::of(Json{s.handshake().auth}));
  });
  auto client = h.websocket_client();
  client.send("0/dyn-12,");
  EXPECT_EQ(client.texts(),
            (std::vector<std::string>{R"(40/dyn-12,{"sid":"s1"})", R"(42/dyn-12,["auth",{}])"}));
  client.send("0/dyn-x,");
  EXPECT_EQ(client.texts(),
            std::vector<std::string>{R"(44/dyn-x,{"message":"Invalid namespace"})"});
  auto other = h.websocket_client();
  other.connect("/dyn-12");
  EXPECT_EQ(connected, 2);
  EXPECT_EQ(parent.children().size(), 1u);  // the same child for both
  EXPECT_EQ(h.server->find("/dyn-12")->sockets().size(), 2u);
}

TEST(Namespace, DynamicNamespacesByPredicateSeeTheAuth) {
  ServerHarness h;
  h.server->of([](std::string_view name, const std::string& auth) {
    return name.starts_with("/team-") && auth == R"({"ok":true})";
  });
  auto client = h.websocket_client();
  client.send(R"(0/team-a,{"ok":false})");
  EXPECT_EQ(client.texts(),
            std::vector<std::string>{R"(44/team-a,{"message":"Invalid namespace"})"});
  EXPECT_EQ(client.connect("/team-a", R"({"ok":true})"), "s1");
}

TEST(Namespace, S20_AMiddlewareRefusalIsAConnectErrorWithItsDataAndARetryIsAllowed) {
  ServerHarness h;
  h.server->of("/auth").use([](Socket& s, Next next) {
    if (s.handshake().auth == R"({"token":"secret"})") return next(std::nullopt);
    next(ConnectError{"unauthorized", R"({"reason":"bad token"})"});
  });
  auto client = h.websocket_client();
  client.send(R"(0/auth,{"token":"nope"})");
  EXPECT_EQ(client.texts(),
            std::vector<std::string>{
                R"(44/auth,{"message":"unauthorized","data":{"reason":"bad token"}})"});
  EXPECT_EQ(client.connect("/auth", R"({"token":"secret"})"), "s2");
  EXPECT_FALSE(client.closed());
}

TEST(Namespace, AConnectErrorWithoutDataLeavesDataOut) {
  ServerHarness h;
  h.server->use([](Socket&, Next next) { next(ConnectError{"Not authorized", std::nullopt}); });
  auto client = h.websocket_client();
  client.send("0");
  EXPECT_EQ(client.texts(), std::vector<std::string>{R"(44{"message":"Not authorized"})"});
}

TEST(Namespace, MiddlewaresRunInOrderAndMayAnswerLater) {
  ServerHarness h;
  std::vector<std::string> order;
  Next later;
  h.server->of("/").use([&](Socket&, Next next) {
    order.push_back("first");
    later = std::move(next);  // answers on a later turn
  });
  h.server->of("/").use([&](Socket&, Next next) {
    order.push_back("second");
    next(std::nullopt);
    next(ConnectError{"ignored: next was already called", std::nullopt});
  });
  auto client = h.websocket_client();
  client.send("0");
  EXPECT_TRUE(client.texts().empty());
  EXPECT_EQ(order, std::vector<std::string>{"first"});
  later(std::nullopt);
  EXPECT_EQ(order, (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(client.texts(), std::vector<std::string>{R"(40{"sid":"s1"})"});
}

TEST(Namespace, AConnectWhileMiddlewaresRunIsAViolation) {
  ServerHarness h;
  Next pending;
  h.server->of("/").use([&](Socket&, Next next) { pending = std::move(next); });
  auto client = h.websocket_client();
  client.send("0");
  client.send("0");
  EXPECT_TRUE(client.closed());
  pending(std::nullopt);  // too late: nothing happens
  EXPECT_TRUE(h.server->of("/").sockets().empty());
}

TEST(Namespace, AMiddlewareThatThrowsRefusesTheConnection) {
  ServerHarness h;
  h.server->of("/").use([](Socket&, Next) { throw std::runtime_error("boom"); });
  auto client = h.websocket_client();
  client.send("0");
  EXPECT_EQ(client.texts(), std::vector<std::string>{R"(44{"message":"middleware error: boom"})"});
  EXPECT_FALSE(client.closed());
}

TEST(Namespace, ChildrenStartWithTheParentsMiddlewares) {
  ServerHarness h;
  h.server->of(std::regex("^/dyn-[0-9]+$")).use([](Socket&, Next next) {
    next(ConnectError{"closed", R"("for now")"});
  });
  auto client = h.websocket_client();
  client.send("0/dyn-1,");
  EXPECT_EQ(client.texts(),
            std::vector<std::string>{R"(44/dyn-1,{"message":"closed","data":"for now"})"});
}

}  // namespace
}  // namespace sio::server
