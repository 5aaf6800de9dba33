#include "sio/engine/error.hpp"

namespace sio::engine {
namespace {

// The protocol's own messages for codes 0-5, exactly as clients and test suites expect them.
const char* protocol_message(int code) noexcept {
  switch (code) {
    case 0:
      return "Transport unknown";
    case 1:
      return "Session ID unknown";
    case 2:
      return "Bad handshake method";
    case 3:
      return "Bad request";
    case 4:
      return "Forbidden";
    case 5:
      return "Unsupported protocol version";
    default:
      return "";
  }
}

class EngineCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sio.engine"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::unknown_transport:
        return "unknown or disabled transport";
      case errc::unknown_sid:
        return "unknown session id";
      case errc::bad_handshake_method:
        return "a handshake must be a GET";
      case errc::bad_request:
        return "bad request";
      case errc::forbidden:
        return "forbidden";
      case errc::unsupported_protocol_version:
        return "unsupported protocol version (EIO must be 4)";
      case errc::transport_mismatch:
        return "request transport differs from the session's transport";
      case errc::websocket_without_upgrade:
        return "transport=websocket on a request that is not a WebSocket upgrade";
      case errc::upgrade_for_polling:
        return "WebSocket upgrade request with transport=polling";
      case errc::invalid_origin:
        return "invalid characters in the Origin header";
      case errc::session_limit:
        return "session limit reached";
      case errc::shutting_down:
        return "server is shutting down";
      case errc::binary_post:
        return "binary POST body (Engine.IO v4 polling is text only)";
      case errc::request_overlap:
        return "overlapping requests on one session";
      case errc::payload_too_large:
        return "request body larger than maxPayload";
      case errc::unsupported_method:
        return "method not allowed on a session (only GET and POST)";
    }
    return "unknown sio.engine error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& engine_category() noexcept {
  static const EngineCategory category;
  return category;
}

int protocol_code(errc e) noexcept {
  switch (e) {
    case errc::unknown_transport:
    case errc::unknown_sid:
    case errc::bad_handshake_method:
    case errc::bad_request:
    case errc::forbidden:
    case errc::unsupported_protocol_version:
      return static_cast<int>(e);
    case errc::transport_mismatch:
    case errc::websocket_without_upgrade:
    case errc::upgrade_for_polling:
    case errc::invalid_origin:
    case errc::binary_post:
      return 3;
    case errc::session_limit:
    case errc::shutting_down:
      return 4;
    case errc::request_overlap:
    case errc::payload_too_large:
    case errc::unsupported_method:
      return -1;
  }
  return -1;
}

HttpResponse error_response(errc e, bool websocket) {
  HttpResponse response;
  const int code = protocol_code(e);
  if (code < 0) {
    response.status = e == errc::payload_too_large    ? 413
                      : e == errc::unsupported_method ? 500
                                                      : 400;
    return response;
  }
  response.status = code == 4 ? 403 : 400;
  if (websocket) {
    response.set("Content-Type", "text/html");
    response.body = protocol_message(code);
    response.close_connection = true;
  } else {
    response.set("Content-Type", "application/json");
    response.body =
        "{\"code\":" + std::to_string(code) + ",\"message\":\"" + protocol_message(code) + "\"}";
  }
  return response;
}

}  // namespace sio::engine
