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
  // Socket.IO packets
  sio_unknown_packet_type = 100,  // the first character is not 0-6
  illegal_attachments,            // "5<n>-" malformed, or n = 0
  too_many_attachments,           // n past the decoder's limit
  invalid_ack_id,                 // more digits than a safe integer holds
  invalid_json,                   // the payload is not JSON
  invalid_payload,                // JSON of the wrong shape for the packet type
  reserved_event_name,            // an EVENT named connect, disconnect, ...
  text_while_reassembling,        // a text message while attachments are awaited
  unexpected_binary,              // a binary message with no binary packet pending
  invalid_placeholder,            // a placeholder whose num is not an attachment index
};

const std::error_category& wire_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), wire_category()};
}

}  // namespace sio::wire

template <>
struct std::is_error_code_enum<sio::wire::errc> : std::true_type {};
