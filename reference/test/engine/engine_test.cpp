// The Engine.IO engine: the handshake, the checks and routing of requests (errors, CORS, the
// session limit), and shutdown, driven without sockets on a virtual clock. Rows E1-E8 refer to the
// observed-behaviour table of Node's engine.io 6.6 that siocheck's conformance suite also checks.
// One session's behaviour is tested in session_test.cpp.
#include "sio/engine/engine.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <set>

#include "sio/engine/error.hpp"
#include "sio/testing/fake_io.hpp"

namespace sio::engine {
namespace {

using test::EngineHarness;

std::string error_body(int code, std::string_view message) {
  return "{\"code\":" + std::to_string(code) + ",\"message\":\"" + std::string(message) + "\"}";
}

class EngineTest : public ::testing::Test {
 protected:
  EngineHarness h;

  void expect_error(const std::shared_ptr<test::FakeExchange>& exchange, unsigned status, int code,
                    std::string_view message) {
    EXPECT_EQ(exchange->status(), status);
    EXPECT_EQ(exchange->body(), error_body(code, message));
  }
};

// ---- handshake -------------------------------------------------------------------------------

TEST_F(EngineTest, PollingHandshakeAnswersTheOpenPacketWithExactlyTheFiveKeys) {
  auto exchange = h.request(Method::get, "EIO=4&transport=polling");
  EXPECT_EQ(exchange->status(), 200u);
  EXPECT_EQ(
      exchange->body(),
      R"(0{"sid":"sid-1","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000})");
  EXPECT_EQ(exchange->header("Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(exchange->header("Cache-Control"), "no-store");
  EXPECT_EQ(exchange->header("Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(h.app.opened, std::vector<std::string>{"sid-1"});
  EXPECT_EQ(h.engine->session_count(), 1u);
}

TEST_F(EngineTest, WebSocketOnlyHandshakeSendsTheOpenPacketFirstWithNoUpgrades) {
  auto socket = h.open_websocket();
  ASSERT_TRUE(socket);
  ASSERT_EQ(socket->sent().size(), 1u);
  EXPECT_EQ(
      socket->sent()[0].bytes,
      R"(0{"sid":"sid-1","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000})");
  EXPECT_EQ(h.engine->find("sid-1")->transport(), Transport::websocket);
}

TEST_F(EngineTest, NoUpgradesAreOfferedWhenUpgradesAreDisabled) {
  h.config.allow_upgrades = false;
  EngineHarness strict(h.config);
  EXPECT_NE(strict.request(Method::get, "EIO=4&transport=polling")->body().find("\"upgrades\":[]"),
            std::string::npos);
}

TEST_F(EngineTest, E1_VersionOtherThanExactly4IsCode5) {
  for (const char* query :
       {"transport=polling", "EIO=abc&transport=polling", "EIO=3&transport=polling",
        "EIO=5&transport=polling", "EIO=04&transport=polling", "EIO=&transport=polling"}) {
    SCOPED_TRACE(query);
    expect_error(h.request(Method::get, query), 400, 5, "Unsupported protocol version");
  }
  EXPECT_EQ(h.engine->session_count(), 0u);
}

TEST_F(EngineTest, E2_MissingOrUnknownTransportIsCode0AndWinsOverTheVersion) {
  expect_error(h.request(Method::get, "EIO=4"), 400, 0, "Transport unknown");
  expect_error(h.request(Method::get, "EIO=4&transport=abc"), 400, 0, "Transport unknown");
  expect_error(h.request(Method::get, "EIO=3&transport=abc"), 400, 0, "Transport unknown");
  expect_error(h.request(Method::get, "EIO=4&transport=webtransport"), 400, 0, "Transport unknown");
}

TEST_F(EngineTest, DisabledTransportIsCode0) {
  h.config.allow_polling = false;
  EngineHarness ws_only(h.config);
  expect_error(ws_only.request(Method::get, "EIO=4&transport=polling"), 400, 0,
               "Transport unknown");
}

TEST_F(EngineTest, E3_WebSocketTransportOnAPlainGetIsCode3) {
  expect_error(h.request(Method::get, "EIO=4&transport=websocket"), 400, 3, "Bad request");
}

TEST_F(EngineTest, E4_HandshakeWithAnotherMethodThanGetIsCode2) {
  expect_error(h.request(Method::post, "EIO=4&transport=polling", "4x"), 400, 2,
               "Bad handshake method");
  expect_error(h.request(Method::put, "EIO=4&transport=polling"), 400, 2, "Bad handshake method");
}

TEST_F(EngineTest, E5_UnknownSidIsCode1) {
  expect_error(h.get("nope"), 400, 1, "Session ID unknown");
  expect_error(h.post("nope", "4x"), 400, 1, "Session ID unknown");
}

TEST_F(EngineTest, E6_RequestForAnotherTransportThanTheSessionsIsCode3) {
  const auto sid = h.open_polling();
  expect_error(h.request(Method::post, "EIO=4&transport=websocket&sid=" + sid, "4x"), 400, 3,
               "Bad request");
  expect_error(h.request(Method::get, "EIO=4&transport=websocket&sid=" + sid), 400, 3,
               "Bad request");
  EXPECT_TRUE(h.engine->find(sid));  // the session is untouched
}

TEST_F(EngineTest, WebSocketUpgradeRequestWithPollingTransportIsRefusedBeforeTheHandshake) {
  const auto sid = h.open_polling();
  auto exchange =
      h.request(Method::get, "EIO=4&transport=polling&sid=" + sid, std::nullopt, {}, true);
  EXPECT_FALSE(exchange->websocket);
  EXPECT_EQ(exchange->status(), 400u);
  EXPECT_EQ(exchange->body(), "Bad request");
  EXPECT_TRUE(exchange->response().close_connection);
  auto handshake = h.request(Method::get, "EIO=4&transport=polling", std::nullopt, {}, true);
  EXPECT_EQ(handshake->status(), 400u);
}

TEST_F(EngineTest, WebSocketErrorsArePlainTextWithConnectionClose) {
  auto exchange =
      h.request(Method::get, "EIO=4&transport=websocket&sid=nope", std::nullopt, {}, true);
  EXPECT_FALSE(exchange->websocket);
  EXPECT_EQ(exchange->status(), 400u);
  EXPECT_EQ(exchange->body(), "Session ID unknown");
  EXPECT_EQ(exchange->header("Content-Type"), "text/html");
  auto versionless = h.request(Method::get, "transport=websocket", std::nullopt, {}, true);
  EXPECT_EQ(versionless->body(), "Unsupported protocol version");  // refused before any 101
}

TEST_F(EngineTest, E7_PreflightIsAnswered204WithMethodsAndReflectedHeaders) {
  auto exchange = h.request(
      Method::options, "EIO=4&transport=polling", std::nullopt,
      {{"origin", "https://a.example"}, {"access-control-request-headers", "content-type"}});
  EXPECT_EQ(exchange->status(), 204u);
  EXPECT_EQ(exchange->header("Access-Control-Allow-Methods"), "GET,HEAD,PUT,PATCH,POST,DELETE");
  EXPECT_EQ(exchange->header("Access-Control-Allow-Headers"), "content-type");
  EXPECT_EQ(exchange->header("Access-Control-Allow-Origin"), "*");
}

TEST_F(EngineTest, ErrorsCarryCorsHeadersToo) {
  EXPECT_EQ(h.get("nope")->header("Access-Control-Allow-Origin"), "*");
}

TEST_F(EngineTest, WithoutCorsOptionsIsJustAnotherMethod) {
  h.config.cors.mode = CorsConfig::Mode::off;
  EngineHarness plain(h.config);
  auto exchange = plain.request(Method::options, "EIO=4&transport=polling");
  EXPECT_EQ(exchange->status(), 400u);
  EXPECT_EQ(exchange->body(), error_body(2, "Bad handshake method"));
  EXPECT_FALSE(exchange->header("Access-Control-Allow-Origin"));
}

TEST_F(EngineTest, E8_AnotherMethodThanGetOrPostOnASessionIs500WithNoBody) {
  const auto sid = h.open_polling();
  for (auto method : {Method::put, Method::del, Method::patch, Method::head, Method::other}) {
    auto exchange = h.request(method, "EIO=4&transport=polling&sid=" + sid);
    EXPECT_EQ(exchange->status(), 500u);
    EXPECT_TRUE(exchange->body().empty());
  }
  EXPECT_TRUE(h.engine->find(sid));
}

TEST_F(EngineTest, OriginWithControlCharactersIsCode3) {
  expect_error(
      h.request(Method::get, "EIO=4&transport=polling", std::nullopt, {{"origin", "http://a\x01"}}),
      400, 3, "Bad request");
}

TEST_F(EngineTest, RepeatedQueryKeysTakeTheLastValue) {
  EXPECT_EQ(h.request(Method::get, "EIO=3&transport=abc&EIO=4&transport=polling")->status(), 200u);
}

TEST_F(EngineTest, SessionLimitAnswers403Code4AndTheNextSlotOpensAfterAClose) {
  h.config.max_sessions = 2;
  EngineHarness limited(h.config);
  const auto first = limited.open_polling();
  limited.open_polling();
  auto refused = limited.request(Method::get, "EIO=4&transport=polling");
  EXPECT_EQ(refused->status(), 403u);
  EXPECT_EQ(refused->body(), error_body(4, "Forbidden"));
  limited.post(first, "1");  // the client closes one
  EXPECT_EQ(limited.request(Method::get, "EIO=4&transport=polling")->status(), 200u);
}

TEST_F(EngineTest, ADuplicateSidFromTheSourceIsDrawnAgain) {
  int calls = 0;
  Engine engine(h.config, h.scheduler, h.app, {},
                [&] { return ++calls <= 2 ? std::string("same") : "other"; });
  auto first = std::make_shared<test::FakeExchange>();
  auto second = std::make_shared<test::FakeExchange>();
  HttpRequest request;
  request.target = "/engine.io/?EIO=4&transport=polling";
  engine.handle_request(request, first);
  engine.handle_request(request, second);
  EXPECT_NE(first->body().find("\"sid\":\"same\""), std::string::npos);
  EXPECT_NE(second->body().find("\"sid\":\"other\""), std::string::npos);
  EXPECT_EQ(engine.session_count(), 2u);
}

TEST(RandomSid, Is20UrlSafeCharactersAndDoesNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto sid = random_sid();
    ASSERT_EQ(sid.size(), 20u);  // 120 bits
    for (char c : sid)
      ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << sid;
    seen.insert(sid);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

// ---- close and shutdown ------------------------------------------------------------------------

TEST_F(EngineTest, EverySessionOpenAndCloseIsLoggedWithItsReason) {
  const auto sid = h.open_polling();
  h.post(sid, "1");
  ASSERT_GE(h.log.size(), 2u);
  EXPECT_NE(h.log.front().find("session open sid=" + sid), std::string::npos);
  EXPECT_NE(h.log.back().find("session close sid=" + sid + " reason=\"transport close\""),
            std::string::npos);
}

TEST_F(EngineTest, ShutdownClosesEverySessionAndRefusesNewOnes) {
  const auto polling = h.open_polling();
  auto poll = h.get(polling);
  auto socket = h.open_websocket();
  h.engine->shutdown();
  EXPECT_EQ(poll->body(), "1");
  EXPECT_TRUE(socket->closed());
  EXPECT_EQ(h.app.closed.size(), 2u);
  EXPECT_EQ(h.engine->session_count(), 0u);
  expect_error(h.request(Method::get, "EIO=4&transport=polling"), 403, 4, "Forbidden");
}

TEST_F(EngineTest, DestroyingTheEngineStopsEveryTimer) {
  h.open_polling();
  h.open_websocket();
  EXPECT_GT(h.scheduler.pending_timers(), 0u);
  auto kept = h.engine->find("sid-1");
  h.engine.reset();
  EXPECT_EQ(h.scheduler.pending_timers(), 0u);
  EXPECT_FALSE(kept->send_text("after"));
}

}  // namespace
}  // namespace sio::engine
