#include "sio/engine/error.hpp"

#include <gtest/gtest.h>

namespace sio::engine {
namespace {

TEST(EngineError, NumberedErrorsCarryTheProtocolCodeAndMessage) {
  const std::pair<errc, std::string> cases[] = {
      {errc::unknown_transport, R"({"code":0,"message":"Transport unknown"})"},
      {errc::unknown_sid, R"({"code":1,"message":"Session ID unknown"})"},
      {errc::bad_handshake_method, R"({"code":2,"message":"Bad handshake method"})"},
      {errc::bad_request, R"({"code":3,"message":"Bad request"})"},
      {errc::forbidden, R"({"code":4,"message":"Forbidden"})"},
      {errc::unsupported_protocol_version,
       R"({"code":5,"message":"Unsupported protocol version"})"},
  };
  for (const auto& [e, body] : cases) {
    const auto response = error_response(e);
    EXPECT_EQ(response.body, body);
    EXPECT_EQ(response.status, e == errc::forbidden ? 403u : 400u);
    EXPECT_EQ(response.headers, (Headers{{"Content-Type", "application/json"}}));
    EXPECT_FALSE(response.close_connection);
  }
}

TEST(EngineError, RefinedErrorsMapToTheirProtocolCode) {
  EXPECT_EQ(protocol_code(errc::transport_mismatch), 3);
  EXPECT_EQ(protocol_code(errc::websocket_without_upgrade), 3);
  EXPECT_EQ(protocol_code(errc::upgrade_for_polling), 3);
  EXPECT_EQ(protocol_code(errc::invalid_origin), 3);
  EXPECT_EQ(protocol_code(errc::binary_post), 3);
  EXPECT_EQ(protocol_code(errc::session_limit), 4);
  EXPECT_EQ(error_response(errc::session_limit).status, 403u);
  EXPECT_EQ(error_response(errc::shutting_down).body, R"({"code":4,"message":"Forbidden"})");
}

TEST(EngineError, BareStatusErrorsHaveNoBody) {
  EXPECT_EQ(error_response(errc::request_overlap).status, 400u);
  EXPECT_EQ(error_response(errc::payload_too_large).status, 413u);
  EXPECT_EQ(error_response(errc::unsupported_method).status, 500u);
  for (auto e : {errc::request_overlap, errc::payload_too_large, errc::unsupported_method}) {
    EXPECT_EQ(protocol_code(e), -1);
    EXPECT_TRUE(error_response(e).body.empty());
  }
}

TEST(EngineError, WebSocketRequestsGetPlainTextAndAClosedConnection) {
  const auto response = error_response(errc::unknown_sid, true);
  EXPECT_EQ(response.status, 400u);
  EXPECT_EQ(response.body, "Session ID unknown");
  EXPECT_EQ(response.headers, (Headers{{"Content-Type", "text/html"}}));
  EXPECT_TRUE(response.close_connection);
}

TEST(EngineError, CategoryNamesEveryError) {
  for (int v : {0, 1, 2, 3, 4, 5, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109}) {
    const std::error_code ec(v, engine_category());
    EXPECT_EQ(ec.message().find("unknown sio.engine error"), std::string::npos) << v;
  }
}

}  // namespace
}  // namespace sio::engine
