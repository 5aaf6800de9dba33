// Named errors of the pure codecs. Every decoder reports one of these; the layers above map them to
// a protocol outcome (a "parse error" close, an HTTP 400) in one place each.
#pragma once

#include <string>
#include <system_error>

namespace sio::wire {

enum class errc {
  ok = 0,
  // Engine.IO packets and polling payloads
  empty_packet = 1,     // a text packet with no type character
  unknown_packet_type,  // the first character is not 0-6 (or 'b' in text form)
  invalid_base64,       // a "b" record whose base64 does not decode
  empty_payload,        // a polling body with no bytes at all
  record_too_large,     // one polling record past the decoder's limit
};

const std::error_category& wire_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), wire_category()};
}

}  // namespace sio::wire

template <>
struct std::is_error_code_enum<sio::wire::errc> : std::true_type {};
