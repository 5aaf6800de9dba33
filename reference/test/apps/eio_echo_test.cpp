#include "sio/apps/eio_echo.hpp"

#include <gtest/gtest.h>

#include "sio/testing/fake_io.hpp"

namespace sio::apps {
namespace {

TEST(EioEcho, EchoesTextAsTextAndBinaryAsBinaryAndNothingElse) {
  test::VirtualScheduler scheduler;
  EioEcho echo;
  engine::Engine eio(test::EngineHarness::fixture_config(), scheduler, echo);
  auto exchange = std::make_shared<test::FakeExchange>();
  engine::HttpRequest request;
  request.target = "/engine.io/?EIO=4&transport=websocket";
  request.websocket_upgrade = true;
  eio.handle_request(request, exchange);
  auto socket = exchange->websocket;
  ASSERT_TRUE(socket);
  socket->receive_text("4hello");
  socket->receive_binary(std::string("\x00\xff", 2));
  socket->receive_text("4");
  ASSERT_EQ(socket->sent().size(), 4u);  // the open packet, then exactly the three echoes
  EXPECT_EQ(socket->sent()[1], (test::FakeChannel::Sent{false, "4hello"}));
  EXPECT_EQ(socket->sent()[2], (test::FakeChannel::Sent{true, std::string("\x00\xff", 2)}));
  EXPECT_EQ(socket->sent()[3], (test::FakeChannel::Sent{false, "4"}));
}

}  // namespace
}  // namespace sio::apps
