#include "sio/server/types.hpp"

#include <gtest/gtest.h>

namespace sio::server {
namespace {

TEST(Types, DisconnectReasonsAreSocketIosWords) {
  EXPECT_EQ(to_string(DisconnectReason::transport_error), "transport error");
  EXPECT_EQ(to_string(DisconnectReason::transport_close), "transport close");
  EXPECT_EQ(to_string(DisconnectReason::forced_close), "forced close");
  EXPECT_EQ(to_string(DisconnectReason::ping_timeout), "ping timeout");
  EXPECT_EQ(to_string(DisconnectReason::parse_error), "parse error");
  EXPECT_EQ(to_string(DisconnectReason::server_shutting_down), "server shutting down");
  EXPECT_EQ(to_string(DisconnectReason::forced_server_close), "forced server close");
  EXPECT_EQ(to_string(DisconnectReason::client_namespace_disconnect),
            "client namespace disconnect");
  EXPECT_EQ(to_string(DisconnectReason::server_namespace_disconnect),
            "server namespace disconnect");
}

TEST(Types, EngineReasonsMapOneToOne) {
  EXPECT_EQ(from_engine(engine::CloseReason::ping_timeout), DisconnectReason::ping_timeout);
  EXPECT_EQ(from_engine(engine::CloseReason::transport_close), DisconnectReason::transport_close);
  EXPECT_EQ(from_engine(engine::CloseReason::transport_error), DisconnectReason::transport_error);
  EXPECT_EQ(from_engine(engine::CloseReason::parse_error), DisconnectReason::parse_error);
  EXPECT_EQ(from_engine(engine::CloseReason::forced_close), DisconnectReason::forced_close);
}

TEST(Types, AnAckSendsAtMostOnceAcrossCopies) {
  int sent = 0;
  Ack ack([&](const Args&) { ++sent; });
  const Ack copy = ack;
  EXPECT_TRUE(ack);
  ack(Args::of(1));
  copy(Args::of(2));
  EXPECT_EQ(sent, 1);
  EXPECT_TRUE(copy.sent());
  EXPECT_FALSE(Ack());
  Ack()();  // an empty ack does nothing
}

}  // namespace
}  // namespace sio::server
