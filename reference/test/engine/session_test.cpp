// One Engine.IO session's state machine (long-polling, WebSocket, upgrade, heartbeat, the outgoing
// queue, close), driven through the engine without sockets on a virtual clock. Rows E9-E31 refer
// to the observed-behaviour table of Node's engine.io 6.6 that siocheck's conformance suite also
// checks; where siocheck chose the spec over Node, the test says so.
#include "sio/engine/session.hpp"

#include <gtest/gtest.h>

#include "sio/engine/engine.hpp"
#include "sio/engine/error.hpp"
#include "sio/testing/fake_io.hpp"

namespace sio::engine {
namespace {

using test::EngineHarness;
using test::FakeChannel;

constexpr const char* kSep = "\x1e";

std::string error_body(int code, std::string_view message) {
  return "{\"code\":" + std::to_string(code) + ",\"message\":\"" + std::string(message) + "\"}";
}

class SessionTest : public ::testing::Test {
 protected:
  EngineHarness h;

  void expect_error(const std::shared_ptr<test::FakeExchange>& exchange, unsigned status, int code,
                    std::string_view message) {
    EXPECT_EQ(exchange->status(), status);
    EXPECT_EQ(exchange->body(), error_body(code, message));
  }
  void expect_gone(std::string_view sid) {
    expect_error(h.get(sid), 400, 1, "Session ID unknown");
    EXPECT_FALSE(h.engine->find(sid));
  }
  CloseReason last_close_reason() {
    EXPECT_FALSE(h.app.closed.empty());
    return h.app.closed.empty() ? CloseReason::forced_close : h.app.closed.back().reason;
  }
};

// ---- long-polling ----------------------------------------------------------------------------

TEST_F(SessionTest, GetIsHeldUntilSomethingIsQueued) {
  const auto sid = h.open_polling();
  auto poll = h.get(sid);
  EXPECT_FALSE(poll->answered());
  EXPECT_TRUE(poll->abort_registered());
  h.engine->find(sid)->send_text("hi");
  h.scheduler.run_ready();
  EXPECT_EQ(poll->body(), "4hi");
  EXPECT_EQ(poll->header("Content-Type"), "text/plain; charset=UTF-8");
}

TEST_F(SessionTest, E16_QueuedMessagesAndThePingGoOutTogether) {
  const auto sid = h.open_polling();
  auto session = h.engine->find(sid);
  session->send_text("a");
  session->send_text("b");
  h.scheduler.advance(Duration(300));  // the ping is queued
  EXPECT_EQ(h.get(sid)->body(), std::string("4a") + kSep + "4b" + kSep + "2");
}

TEST_F(SessionTest, SendsInOneTurnAreBatchedIntoOneResponse) {
  const auto sid = h.open_polling();
  auto poll = h.get(sid);
  auto session = h.engine->find(sid);
  session->send_text("a");
  session->send_binary(std::string("\x01\x02", 2));
  session->send_text("c");
  h.scheduler.run_ready();
  EXPECT_EQ(poll->body(), std::string("4a") + kSep + "bAQI=" + kSep + "4c");
}

TEST_F(SessionTest, E15_PostIsAnsweredOkAndEveryPacketIsEchoedInOrder) {
  const auto sid = h.open_polling();
  const std::string body = std::string("4hello") + kSep + "4\xe2\x82\xacuro" + kSep + "bAQIDBA==";
  auto post = h.post(sid, body);
  EXPECT_EQ(post->status(), 200u);
  EXPECT_EQ(post->body(), "ok");
  EXPECT_EQ(post->header("Content-Type"), "text/html");
  EXPECT_EQ(post->body_limit, 1'000'000u);  // the body is read up to maxPayload
  EXPECT_EQ(h.app.texts, (std::vector<std::string>{"hello", "\xe2\x82\xacuro"}));
  EXPECT_EQ(h.app.binaries, std::vector<std::string>{std::string("\x01\x02\x03\x04", 4)});
  EXPECT_EQ(h.get(sid)->body(), body);  // 24 bytes of UTF-8, byte for byte
}

TEST_F(SessionTest, AMessageWithNoDataEchoesAsABare4) {
  const auto sid = h.open_polling();
  h.post(sid, "4");
  EXPECT_EQ(h.app.texts, std::vector<std::string>{""});
  EXPECT_EQ(h.get(sid)->body(), "4");
}

TEST_F(SessionTest, E9_BinaryPostIs400AndClosesTheSession) {
  const auto sid = h.open_polling();
  auto poll = h.get(sid);
  auto post = h.post(sid, "\x01\x02", {{"content-type", "application/octet-stream"}});
  expect_error(post, 400, 3, "Bad request");
  EXPECT_EQ(poll->body(), "1");
  EXPECT_EQ(last_close_reason(), CloseReason::transport_error);
  expect_gone(sid);
}

TEST_F(SessionTest, E10_ClientPingIsAnsweredOkThenClosesWithTransportError) {
  const auto sid = h.open_polling();
  EXPECT_EQ(h.post(sid, "2")->body(), "ok");
  EXPECT_EQ(last_close_reason(), CloseReason::transport_error);
  EXPECT_NE(h.app.closed.back().detail.find("heartbeat direction"), std::string::npos);
  expect_gone(sid);
}

TEST_F(SessionTest, E11_PostPastMaxPayloadIs413AndTheSessionGoesOn) {
  h.config.max_payload = 100;
  EngineHarness small(h.config);
  const auto sid = small.open_polling();
  auto post = small.post(sid, "4" + std::string(100, 'x'));  // 101 bytes: one past the limit
  EXPECT_EQ(post->status(), 413u);
  EXPECT_TRUE(post->body().empty());
  EXPECT_TRUE(small.app.texts.empty());
  EXPECT_TRUE(small.app.closed.empty());
  EXPECT_EQ(small.post(sid, "4" + std::string(99, 'x'))->body(), "ok");  // exactly at the limit
  small.scheduler.advance(Duration(300));
  EXPECT_EQ(small.get(sid)->body(), "4" + std::string(99, 'x') + kSep + "2");
}

TEST_F(SessionTest, E12_EmptyPostIsOkAndClosesWithParseError) {
  const auto sid = h.open_polling();
  EXPECT_EQ(h.post(sid, "")->body(), "ok");
  EXPECT_EQ(last_close_reason(), CloseReason::parse_error);
  expect_gone(sid);
}

TEST_F(SessionTest, E13_PacketsBeforeAnInvalidRecordAreDeliveredThenTheSessionCloses) {
  const auto sid = h.open_polling();
  auto poll = h.get(sid);
  EXPECT_EQ(h.post(sid, std::string("4a") + kSep + "abc" + kSep + "4b")->body(), "ok");
  EXPECT_EQ(h.app.texts, std::vector<std::string>{"a"});
  EXPECT_EQ(poll->body(), std::string("4a") + kSep + "1");  // the echo of "a" is not lost
  EXPECT_EQ(last_close_reason(), CloseReason::parse_error);
  expect_gone(sid);
}

TEST_F(SessionTest, E14_NoopUpgradeAndOpenFromTheClientAreIgnored) {
  const auto sid = h.open_polling();
  EXPECT_EQ(h.post(sid, std::string("6") + kSep + "5" + kSep + "0" + kSep + "4still")->body(),
            "ok");
  EXPECT_EQ(h.app.texts, std::vector<std::string>{"still"});
  EXPECT_TRUE(h.app.closed.empty());
}

TEST_F(SessionTest, SecondConcurrentGetIs400AndTheFirstGetGetsTheClosePacket) {
  const auto sid = h.open_polling();
  auto first = h.get(sid);
  auto second = h.get(sid);
  EXPECT_EQ(second->status(), 400u);
  EXPECT_TRUE(second->body().empty());
  EXPECT_EQ(first->body(), "1");
  EXPECT_EQ(last_close_reason(), CloseReason::transport_error);
  expect_gone(sid);
}

TEST_F(SessionTest, SecondConcurrentPostIs400AndClosesTheSession) {
  const auto sid = h.open_polling();
  auto slow = std::make_shared<test::FakeExchange>();
  slow->hold_body = true;
  HttpRequest request;
  request.method = Method::post;
  request.target = "/engine.io/?EIO=4&transport=polling&sid=" + sid;
  h.engine->handle_request(request, slow);
  EXPECT_FALSE(slow->answered());
  auto second = h.post(sid, "4x");
  EXPECT_EQ(second->status(), 400u);
  EXPECT_EQ(last_close_reason(), CloseReason::transport_error);
  slow->deliver_body(BodyStatus::complete, "4late");  // the first body arrives after the close
  EXPECT_EQ(slow->body(), "ok");
  EXPECT_TRUE(h.app.texts.empty());
  expect_gone(sid);
}

TEST_F(SessionTest, CancelledGetClosesTheSession) {
  const auto sid = h.open_polling();
  auto poll = h.get(sid);
  poll->abort();
  EXPECT_FALSE(poll->answered());
  EXPECT_EQ(last_close_reason(), CloseReason::transport_error);
  expect_gone(sid);
}

TEST_F(SessionTest, PostCutShortClosesTheSession) {
  const auto sid = h.open_polling();
  auto post = std::make_shared<test::FakeExchange>();
  post->hold_body = true;
  HttpRequest request;
  request.method = Method::post;
  request.target = "/engine.io/?EIO=4&transport=polling&sid=" + sid;
  h.engine->handle_request(request, post);
  post->deliver_body(BodyStatus::aborted);
  EXPECT_EQ(last_close_reason(), CloseReason::transport_error);
  expect_gone(sid);
}

TEST_F(SessionTest, ClientClosePacketAnswersThePendingGetWithNoop) {
  const auto sid = h.open_polling();
  auto poll = h.get(sid);
  EXPECT_EQ(h.post(sid, "1")->body(), "ok");
  EXPECT_EQ(poll->body(), "6");
  EXPECT_EQ(last_close_reason(), CloseReason::transport_close);
  expect_gone(sid);
}

TEST_F(SessionTest, PacketsAfterAClosePacketInOnePostAreNotDelivered) {
  const auto sid = h.open_polling();
  h.post(sid, std::string("4a") + kSep + "1" + kSep + "4b");
  EXPECT_EQ(h.app.texts, std::vector<std::string>{"a"});
}

TEST_F(SessionTest, E30_ServerCloseAnswersAPendingGetWithClose) {
  const auto sid = h.open_polling();
  auto poll = h.get(sid);
  h.engine->find(sid)->close();
  EXPECT_EQ(poll->body(), "1");
  EXPECT_EQ(last_close_reason(), CloseReason::forced_close);
  expect_gone(sid);
}

TEST_F(SessionTest, E31_ServerCloseWithoutAGetDeliversTheQueueThenNoopAndClose) {
  const auto sid = h.open_polling();
  auto session = h.engine->find(sid);
  session->send_text("bye");
  session->close();
  EXPECT_FALSE(session->send_text("dropped"));  // nothing is queued once closing
  EXPECT_TRUE(h.app.closed.empty());            // closed once the client has it all
  EXPECT_EQ(h.get(sid)->body(), "4bye");
  EXPECT_EQ(h.get(sid)->body(), std::string("6") + kSep + "1");
  EXPECT_EQ(last_close_reason(), CloseReason::forced_close);
  expect_gone(sid);
}

TEST_F(SessionTest, ServerClosedSessionWithoutAnyGetIsDroppedAfterTheCloseTimeout) {
  const auto sid = h.open_polling();
  h.engine->find(sid)->close();
  h.scheduler.advance(h.config.close_timeout - Duration(1));
  EXPECT_TRUE(h.engine->find(sid));
  h.scheduler.advance(Duration(1));
  EXPECT_EQ(last_close_reason(), CloseReason::forced_close);
  expect_gone(sid);
}

TEST_F(SessionTest, SendsFromTheOpenCallbackWaitForTheNextGet) {
  h.app.on_open_hook = [](const std::shared_ptr<Session>& s) { s->send_text("welcome"); };
  auto handshake = h.request(Method::get, "EIO=4&transport=polling");
  EXPECT_EQ(handshake->body().front(), '0');
  EXPECT_EQ(h.get("sid-1")->body(), "4welcome");
}

// ---- WebSocket -------------------------------------------------------------------------------

TEST_F(SessionTest, E22_TextAndBinaryFramesAreEchoedInKind) {
  auto socket = h.open_websocket();
  socket->receive_binary(std::string("\x01\x02\x03", 3));
  socket->receive_text("4h\xc3\xa9");
  const std::vector<FakeChannel::Sent> expected{{true, std::string("\x01\x02\x03", 3)},
                                                {false, "4h\xc3\xa9"}};
  EXPECT_EQ(std::vector<FakeChannel::Sent>(socket->sent().begin() + 1, socket->sent().end()),
            expected);
}

TEST_F(SessionTest, E23_AnEmptyMessageEchoesAsABare4) {
  auto socket = h.open_websocket();
  socket->receive_text("4");
  EXPECT_EQ(socket->texts().back(), "4");
}

TEST_F(SessionTest, TheSeparatorIsDataOnWebSocket) {
  auto socket = h.open_websocket();
  socket->receive_text(std::string("4a") + kSep + "4b");
  EXPECT_EQ(h.app.texts, std::vector<std::string>{std::string("a") + kSep + "4b"});
}

TEST_F(SessionTest, E20_AnInvalidTextFrameClosesWithParseErrorAtOnce) {
  for (const char* frame : {"abc", ""}) {
    SCOPED_TRACE(frame);
    std::string sid;
    auto socket = h.open_websocket(&sid);
    socket->receive_text(frame);
    EXPECT_TRUE(socket->closed());
    EXPECT_EQ(last_close_reason(), CloseReason::parse_error);
    EXPECT_FALSE(h.engine->find(sid));
  }
}

TEST_F(SessionTest, E21_AClientPingOnWebSocketClosesWithTransportError) {
  auto socket = h.open_websocket();
  socket->receive_text("2");
  EXPECT_TRUE(socket->closed());
  EXPECT_EQ(last_close_reason(), CloseReason::transport_error);
}

TEST_F(SessionTest, E19_AClientCloseOnWebSocketClosesAtOnceUnlikeNode) {
  // Node's engine.io ignores "1" on WebSocket and closes by ping timeout; the spec's close packet
  // is honoured here at once.
  std::string sid;
  auto socket = h.open_websocket(&sid);
  socket->receive_text("1");
  EXPECT_TRUE(socket->closed());
  EXPECT_EQ(last_close_reason(), CloseReason::transport_close);
  EXPECT_FALSE(h.engine->find(sid));
}

TEST_F(SessionTest, ThePeerClosingIsTransportCloseAndAFailureIsTransportError) {
  auto socket = h.open_websocket();
  socket->peer_closed(false);
  EXPECT_EQ(last_close_reason(), CloseReason::transport_close);
  auto failing = h.open_websocket();
  failing->peer_closed(true);
  EXPECT_EQ(last_close_reason(), CloseReason::transport_error);
}

TEST_F(SessionTest, PollingRequestsOnAWebSocketSessionAreCode3) {
  std::string sid;
  h.open_websocket(&sid);
  expect_error(h.get(sid), 400, 3, "Bad request");
  expect_error(h.post(sid, "4x"), 400, 3, "Bad request");
}

TEST_F(SessionTest, ServerCloseOnWebSocketSendsWhatIsQueuedThenCloses) {
  std::string sid;
  auto socket = h.open_websocket(&sid);
  auto session = h.engine->find(sid);
  session->send_text("bye");
  session->close();
  EXPECT_EQ(socket->texts().back(), "4bye");
  EXPECT_TRUE(socket->closed());
  EXPECT_EQ(last_close_reason(), CloseReason::forced_close);
}

TEST_F(SessionTest, ASecondWebSocketOnAWebSocketSessionIsAcceptedThenClosed) {
  std::string sid;
  auto socket = h.open_websocket(&sid);
  auto second = h.upgrade_socket(sid);
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->closed());
  EXPECT_FALSE(socket->closed());
  EXPECT_TRUE(h.app.closed.empty());
}

// ---- upgrade ---------------------------------------------------------------------------------

class UpgradeTest : public SessionTest {
 protected:
  std::string sid;
  void SetUp() override { sid = h.open_polling(); }
};

TEST_F(UpgradeTest, E24_ProbeIsAnsweredAndThePendingGetGetsANoop) {
  auto poll = h.get(sid);
  auto probe = h.upgrade_socket(sid);
  ASSERT_TRUE(probe);
  EXPECT_TRUE(probe->sent().empty());  // nothing before the probe reply, not even an open packet
  EXPECT_FALSE(poll->answered());      // no noop before "2probe"
  probe->receive_text("2probe");
  EXPECT_EQ(probe->texts(), std::vector<std::string>{"3probe"});
  EXPECT_EQ(poll->body(), "6");
}

TEST_F(UpgradeTest, E24_EveryGetArrivingDuringTheUpgradeIsAnsweredNoop) {
  auto probe = h.upgrade_socket(sid);
  probe->receive_text("2probe");
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(h.get(sid)->body(), "6");
  probe->receive_text("5");
  expect_error(h.get(sid), 400, 3, "Bad request");
}

TEST_F(UpgradeTest, E25_MessagesQueuedDuringTheUpgradeGoOutOnAPendingGet) {
  auto probe = h.upgrade_socket(sid);
  auto poll = h.get(sid);
  h.engine->find(sid)->send_text("while-upgrading");
  h.scheduler.run_ready();
  EXPECT_EQ(poll->body(), "4while-upgrading");
  probe->receive_text("2probe");
  h.engine->find(sid)->send_text("after-probe");
  EXPECT_EQ(h.get(sid)->body(), "4after-probe");  // queued data beats a noop
}

TEST_F(UpgradeTest, E26_APostDuringTheUpgradeIsProcessedAndItsEchoFollowsOnWebSocket) {
  auto probe = h.upgrade_socket(sid);
  probe->receive_text("2probe");
  EXPECT_EQ(h.post(sid, "4during")->body(), "ok");
  probe->receive_text("5");
  EXPECT_EQ(probe->texts(), (std::vector<std::string>{"3probe", "4during"}));
}

TEST_F(UpgradeTest, E27_AnyOtherPacketOnTheProbeSocketAbortsTheUpgradeAndPollingGoesOn) {
  auto probe = h.upgrade_socket(sid);
  probe->receive_text("4notprobe");
  EXPECT_TRUE(probe->closed());
  EXPECT_TRUE(h.app.texts.empty());
  EXPECT_EQ(h.post(sid, "4still-polling")->body(), "ok");
  EXPECT_EQ(h.get(sid)->body(), "4still-polling");
  EXPECT_EQ(h.engine->find(sid)->transport(), Transport::polling);
  auto retry = h.upgrade_socket(sid);  // and a new upgrade may start
  retry->receive_text("2probe");
  EXPECT_EQ(retry->texts(), std::vector<std::string>{"3probe"});
}

TEST_F(UpgradeTest, BinaryOnTheProbeSocketAbortsTheUpgrade) {
  auto probe = h.upgrade_socket(sid);
  probe->receive_binary("\x01");
  EXPECT_TRUE(probe->closed());
  EXPECT_FALSE(h.engine->find(sid)->upgrading());
}

TEST_F(UpgradeTest, E28_UpgradeWithoutAProbeIsAccepted) {
  auto probe = h.upgrade_socket(sid);
  probe->receive_text("5");
  EXPECT_EQ(h.engine->find(sid)->transport(), Transport::websocket);
  probe->receive_text("4hi");
  EXPECT_EQ(probe->texts().back(), "4hi");
}

TEST_F(UpgradeTest, E29_PollingAfterTheUpgradeIsCode3AndTheSessionGoesOnOverWebSocket) {
  auto probe = h.upgrade_socket(sid);
  probe->receive_text("2probe");
  probe->receive_text("5");
  expect_error(h.get(sid), 400, 3, "Bad request");
  expect_error(h.post(sid, "4x"), 400, 3, "Bad request");
  probe->receive_text("4after");
  EXPECT_EQ(probe->texts().back(), "4after");
  EXPECT_TRUE(h.app.closed.empty());
}

TEST_F(UpgradeTest, AGetStillPendingWhenTheUpgradeCompletesIsEndedWithANoop) {
  auto probe = h.upgrade_socket(sid);
  auto poll = h.get(sid);
  probe->receive_text("5");
  EXPECT_EQ(poll->body(), "6");
}

TEST_F(UpgradeTest, ASecondWebSocketDuringOrAfterTheUpgradeIsAcceptedThenClosed) {
  auto probe = h.upgrade_socket(sid);
  auto during = h.upgrade_socket(sid);
  EXPECT_TRUE(during->closed());
  probe->receive_text("2probe");
  probe->receive_text("5");
  auto after = h.upgrade_socket(sid);
  EXPECT_TRUE(after->closed());
  EXPECT_FALSE(probe->closed());
  probe->receive_text("4ok");
  EXPECT_EQ(probe->texts().back(), "4ok");
}

TEST_F(UpgradeTest, TheUpgradeTimesOutAndPollingGoesOn) {
  EngineHarness slow([] {
    auto c = EngineHarness::fixture_config();
    c.ping_interval = Duration(25000);
    c.ping_timeout = Duration(20000);
    return c;
  }());
  const auto id = slow.open_polling();
  auto probe = slow.upgrade_socket(id);
  probe->receive_text("2probe");
  slow.scheduler.advance(slow.config.upgrade_timeout - Duration(1));
  EXPECT_FALSE(probe->closed());
  slow.scheduler.advance(Duration(1));
  EXPECT_TRUE(probe->closed());
  EXPECT_FALSE(slow.engine->find(id)->upgrading());
  EXPECT_EQ(slow.post(id, "4x")->body(), "ok");
  EXPECT_EQ(slow.get(id)->body(), "4x");
}

TEST_F(UpgradeTest, TheProbeSocketGoingAwayAbortsTheUpgrade) {
  auto probe = h.upgrade_socket(sid);
  probe->receive_text("2probe");
  probe->peer_closed();
  EXPECT_FALSE(h.engine->find(sid)->upgrading());
  EXPECT_TRUE(h.app.closed.empty());
  auto poll = h.get(sid);
  EXPECT_FALSE(poll->answered());  // held again: no more noops once the upgrade is over
}

TEST_F(UpgradeTest, TheHeartbeatGoesOnOverPollingDuringTheUpgrade) {
  auto probe = h.upgrade_socket(sid);
  auto poll = h.get(sid);
  h.scheduler.advance(Duration(300));
  EXPECT_EQ(poll->body(), "2");
  EXPECT_EQ(h.post(sid, "3")->body(), "ok");
  h.scheduler.advance(Duration(299));
  EXPECT_TRUE(h.app.closed.empty());
}

TEST_F(UpgradeTest, ClosingTheSessionDuringTheUpgradeClosesTheProbe) {
  auto probe = h.upgrade_socket(sid);
  auto poll = h.get(sid);
  h.engine->find(sid)->close();
  EXPECT_TRUE(probe->closed());
  EXPECT_EQ(poll->body(), "1");
}

TEST_F(UpgradeTest, NothingIsLostOrReorderedAcrossTheSwitch) {
  auto session = h.engine->find(sid);
  std::string received;  // every message, in order, as the client sees it
  auto take_poll = [&](const std::shared_ptr<test::FakeExchange>& poll) {
    std::string body = poll->body();
    std::size_t start = 0;
    while (start <= body.size()) {
      const auto end = body.find('\x1e', start);
      const auto record =
          body.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (record.starts_with("4")) received += record.substr(1) + ",";
      if (end == std::string::npos) break;
      start = end + 1;
    }
  };
  session->send_text("m1");
  take_poll(h.get(sid));
  auto probe = h.upgrade_socket(sid);
  session->send_text("m2");
  auto poll = h.get(sid);
  take_poll(poll);
  probe->receive_text("2probe");
  session->send_text("m3");
  session->send_text("m4");
  take_poll(h.get(sid));
  session->send_text("m5");
  auto last_poll = h.get(sid);
  take_poll(last_poll);
  session->send_text("m6");  // queued with no GET pending: must move to the WebSocket
  probe->receive_text("5");
  session->send_text("m7");
  for (const auto& text : probe->texts())
    if (text.starts_with("4")) received += text.substr(1) + ",";
  EXPECT_EQ(received, "m1,m2,m3,m4,m5,m6,m7,");
}

TEST_F(UpgradeTest, UpgradesAreRefusedWhenDisabled) {
  h.config.allow_upgrades = false;
  EngineHarness no_upgrades(h.config);
  const auto id = no_upgrades.open_polling();
  auto socket = no_upgrades.upgrade_socket(id);
  EXPECT_TRUE(socket->closed());
  EXPECT_EQ(no_upgrades.engine->find(id)->transport(), Transport::polling);
}

// ---- heartbeat -------------------------------------------------------------------------------

TEST_F(SessionTest, TheFirstPingComesAtPingIntervalNotEarlier) {
  const auto sid = h.open_polling();
  auto poll = h.get(sid);
  h.scheduler.advance(Duration(299));
  EXPECT_FALSE(poll->answered());
  h.scheduler.advance(Duration(1));
  EXPECT_EQ(poll->body(), "2");
}

TEST_F(SessionTest, WithoutAPongTheSessionClosesAtIntervalPlusTimeout) {
  const auto sid = h.open_polling();
  h.scheduler.advance(Duration(499));
  EXPECT_TRUE(h.engine->find(sid));
  h.scheduler.advance(Duration(1));
  EXPECT_EQ(last_close_reason(), CloseReason::ping_timeout);
  expect_gone(sid);  // at 500 ms exactly: the official suite checks then
}

TEST_F(SessionTest, PingTimeoutAnswersAPendingGetWithClose) {
  const auto sid = h.open_polling();
  h.scheduler.advance(Duration(300));
  EXPECT_EQ(h.get(sid)->body(), "2");
  auto poll = h.get(sid);  // held, and never answered with a pong
  h.scheduler.advance(Duration(199));
  EXPECT_FALSE(poll->answered());
  h.scheduler.advance(Duration(1));
  EXPECT_EQ(poll->body(), "1");
  EXPECT_EQ(last_close_reason(), CloseReason::ping_timeout);
}

TEST_F(SessionTest, APongRestartsTheIntervalFromThePongTime) {
  const auto sid = h.open_polling();
  h.scheduler.advance(Duration(300));
  EXPECT_EQ(h.get(sid)->body(), "2");
  h.scheduler.advance(Duration(150));
  h.post(sid, "3");
  auto poll = h.get(sid);
  h.scheduler.advance(Duration(299));
  EXPECT_FALSE(poll->answered());
  h.scheduler.advance(Duration(1));
  EXPECT_EQ(poll->body(), "2");
  EXPECT_TRUE(h.app.closed.empty());
}

TEST_F(SessionTest, AnsweredPingsKeepTheSessionOpenForManyIntervals) {
  std::string sid;
  auto socket = h.open_websocket(&sid);
  for (int i = 0; i < 10; ++i) {
    h.scheduler.advance(Duration(300));
    ASSERT_EQ(socket->texts().back(), "2");
    socket->receive_text("3");
  }
  EXPECT_TRUE(h.app.closed.empty());
  EXPECT_EQ(socket->texts().size(), 11u);  // the open packet and ten pings
}

TEST_F(SessionTest, APongWithoutAPingIsToleratedAndDelaysThePing) {
  std::string sid;
  auto socket = h.open_websocket(&sid);
  h.scheduler.advance(Duration(200));
  socket->receive_text("3");
  h.scheduler.advance(Duration(299));
  EXPECT_EQ(socket->texts().size(), 1u);
  h.scheduler.advance(Duration(1));
  EXPECT_EQ(socket->texts().back(), "2");
  EXPECT_TRUE(h.app.closed.empty());
}

TEST_F(SessionTest, TheHeartbeatTimesOutOnWebSocketToo) {
  auto socket = h.open_websocket();
  h.scheduler.advance(Duration(500));
  EXPECT_TRUE(socket->closed());
  EXPECT_EQ(last_close_reason(), CloseReason::ping_timeout);
}

// ---- limits and flow ---------------------------------------------------------------------------

TEST_F(SessionTest, PastTheSendBufferLimitTheSessionIsClosed) {
  h.config.max_queued_bytes = 100;
  EngineHarness small(h.config);
  const auto sid = small.open_polling();
  auto session = small.engine->find(sid);
  EXPECT_TRUE(session->send_text(std::string(99, 'x')));  // 100 bytes with the type digit
  EXPECT_FALSE(session->send_text(""));                   // one more byte
  ASSERT_FALSE(small.app.closed.empty());
  EXPECT_EQ(small.app.closed.back().reason, CloseReason::transport_error);
  EXPECT_NE(small.app.closed.back().detail.find("send buffer"), std::string::npos);
}

TEST_F(SessionTest, TheSendBufferLimitCountsWhatTheSocketHasNotWrittenYet) {
  h.config.max_queued_bytes = 100;
  EngineHarness small(h.config);
  auto socket = small.open_websocket();
  socket->set_buffered(95);
  EXPECT_FALSE(small.engine->find("sid-1")->send_text("123456"));
  EXPECT_TRUE(socket->closed());
}

TEST_F(SessionTest, VolatileMessagesAreDroppedWhenNoGetIsPending) {
  const auto sid = h.open_polling();
  auto session = h.engine->find(sid);
  EXPECT_FALSE(session->writable());
  EXPECT_FALSE(session->send_text("lost", {.compress = true, .is_volatile = true}));
  auto poll = h.get(sid);
  EXPECT_TRUE(session->writable());
  EXPECT_TRUE(session->send_text("kept", {.compress = true, .is_volatile = true}));
  h.scheduler.run_ready();
  EXPECT_EQ(poll->body(), "4kept");
}

TEST_F(SessionTest, VolatileMessagesAreDroppedWhileTheSocketIsBusy) {
  auto socket = h.open_websocket();
  auto session = h.engine->find("sid-1");
  socket->set_buffered(10);
  EXPECT_FALSE(session->send_text("lost", {.compress = true, .is_volatile = true}));
  socket->set_buffered(0);
  EXPECT_TRUE(session->send_text("kept", {.compress = true, .is_volatile = true}));
  EXPECT_EQ(socket->texts().back(), "4kept");
}

TEST_F(SessionTest, AGroupOfFramesIsSentAsOneUnit) {
  const auto sid = h.open_polling();
  auto session = h.engine->find(sid);
  const std::vector<Frame> group{
      Frame::text_message("51-[\"b\",{\"_placeholder\":true,\"num\":0}]"),
      Frame::binary_message("\x01")};
  EXPECT_TRUE(session->send(group));
  EXPECT_EQ(h.get(sid)->body(),
            std::string("451-[\"b\",{\"_placeholder\":true,\"num\":0}]") + kSep + "bAQ==");
}

// ---- close ------------------------------------------------------------------------------------

TEST_F(SessionTest, CloseReasonsAreNamedAsTheProtocolNamesThem) {
  EXPECT_EQ(to_string(CloseReason::transport_close), "transport close");
  EXPECT_EQ(to_string(CloseReason::transport_error), "transport error");
  EXPECT_EQ(to_string(CloseReason::parse_error), "parse error");
  EXPECT_EQ(to_string(CloseReason::ping_timeout), "ping timeout");
  EXPECT_EQ(to_string(CloseReason::forced_close), "forced close");
}

TEST_F(SessionTest, EachSessionClosesExactlyOnceAndStaysClosed) {
  const auto sid = h.open_polling();
  auto session = h.engine->find(sid);
  auto poll = h.get(sid);
  session->close();
  session->close();
  h.scheduler.advance(Duration(100'000));
  EXPECT_EQ(h.app.closed.size(), 1u);
  EXPECT_FALSE(session->send_text("late"));
  EXPECT_EQ(session->state(), Session::State::closed);
  EXPECT_EQ(h.scheduler.pending_timers(), 0u);
}

}  // namespace
}  // namespace sio::engine
