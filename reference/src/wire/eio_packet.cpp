#include "sio/wire/eio_packet.hpp"

#include "sio/wire/base64.hpp"
#include "sio/wire/error.hpp"

namespace sio::wire::eio {

std::string_view to_string(PacketType type) noexcept {
  switch (type) {
    case PacketType::open:
      return "open";
    case PacketType::close:
      return "close";
    case PacketType::ping:
      return "ping";
    case PacketType::pong:
      return "pong";
    case PacketType::message:
      return "message";
    case PacketType::upgrade:
      return "upgrade";
    case PacketType::noop:
      return "noop";
  }
  return "unknown";
}

std::error_code decode_text(std::string_view text, Packet& out) {
  if (text.empty()) return errc::empty_packet;
  const char first = text.front();
  if (first == 'b') {
    auto bytes = base64::decode(text.substr(1));
    if (!bytes) return errc::invalid_base64;
    out = Packet::bytes(std::move(*bytes));
    return {};
  }
  if (first < '0' || first > '6') return errc::unknown_packet_type;
  out.type = static_cast<PacketType>(first - '0');
  out.binary = false;
  out.data.assign(text.substr(1));
  return {};
}

void encode_text_append(const Packet& packet, std::string& out) {
  if (packet.binary) {
    out.push_back('b');
    base64::encode_append(packet.data, out);
    return;
  }
  out.push_back(type_char(packet.type));
  out.append(packet.data);
}

std::string encode_text(const Packet& packet) {
  std::string out;
  encode_text_append(packet, out);
  return out;
}

}  // namespace sio::wire::eio
