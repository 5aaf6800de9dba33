// Engine.IO v4 packets: one ASCII type digit followed by the data, or a binary message.
//
// Text form ("4hello", "2probe", "bAQID"): a WebSocket text frame or one polling record.
// Binary form: a WebSocket binary frame is a message whose data is the raw frame (no type byte).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace sio::wire::eio {

enum class PacketType : std::uint8_t {
  open = 0,
  close = 1,
  ping = 2,
  pong = 3,
  message = 4,
  upgrade = 5,
  noop = 6,
};

// "open", "close", ... as the protocol names them.
std::string_view to_string(PacketType type) noexcept;
inline char type_char(PacketType type) noexcept {
  return static_cast<char>('0' + static_cast<int>(type));
}

struct Packet {
  PacketType type = PacketType::message;
  bool binary = false;  // only for messages: data is bytes, not text
  std::string data;

  static Packet text(PacketType t, std::string d = {}) { return {t, false, std::move(d)}; }
  static Packet bytes(std::string d) { return {PacketType::message, true, std::move(d)}; }
  friend bool operator==(const Packet&, const Packet&) = default;
};

// Decodes the text form. A leading 'b' is a base64 binary message (used by polling; a WebSocket
// text frame in that form is accepted too, as Node's engine.io does). The data after the type
// digit is taken as is, whatever it holds.
std::error_code decode_text(std::string_view text, Packet& out);

// Appends the text form: the type digit and the data, or 'b' and base64 for a binary message.
void encode_text_append(const Packet& packet, std::string& out);
std::string encode_text(const Packet& packet);

}  // namespace sio::wire::eio
