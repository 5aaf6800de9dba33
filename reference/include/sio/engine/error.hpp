// Named errors of the Engine.IO server and the one place that maps each to its protocol outcome.
#pragma once

#include <string>
#include <system_error>

#include "sio/engine/http.hpp"

namespace sio::engine {

// The first six values are the protocol's numbered HTTP errors (codes 0-5).
enum class errc {
  unknown_transport = 0,
  unknown_sid = 1,
  bad_handshake_method = 2,
  bad_request = 3,
  forbidden = 4,
  unsupported_protocol_version = 5,
  // Further refusals, each answered with one of the codes above or a bare status.
  transport_mismatch = 100,   // a request for a transport the session is not on  (400, code 3)
  websocket_without_upgrade,  // transport=websocket on a plain HTTP request       (400, code 3)
  upgrade_for_polling,        // a WebSocket upgrade request with transport=polling (400, code 3)
  invalid_origin,             // an Origin header with forbidden characters       (400, code 3)
  session_limit,              // max sessions reached                              (403, code 4)
  shutting_down,              // the server is closing                             (403, code 4)
  binary_post,                // POST with Content-Type application/octet-stream   (400, code 3)
  request_overlap,            // a second GET or POST while one is in progress     (400, empty)
  payload_too_large,          // POST body past maxPayload                         (413, empty)
  unsupported_method,         // neither GET nor POST on an existing session      (500, empty)
};

const std::error_category& engine_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), engine_category()};
}

// The Engine.IO error code (0-5) carried in the JSON body, or -1 when the answer has no body.
int protocol_code(errc e) noexcept;

// The HTTP answer for a refused request. `websocket` selects the form used for upgrade requests:
// a plain-text body and "Connection: close", as WebSocket clients get no JSON.
HttpResponse error_response(errc e, bool websocket = false);

}  // namespace sio::engine

template <>
struct std::is_error_code_enum<sio::engine::errc> : std::true_type {};
