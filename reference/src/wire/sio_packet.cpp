#include "sio/wire/sio_packet.hpp"

#include <array>

#include "sio/wire/error.hpp"
#include "sio/wire/json.hpp"

namespace sio::wire::sio {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::error_code check_payload(PacketType type, std::string_view data, json::Inspection inspection,
                              bool reject_reserved) {
  if (data.empty()) {
    // No payload: normal for CONNECT and DISCONNECT. socket.io 4.8 also lets EVENT and ACK go
    // without one; the specification says they carry an array, and so does this server.
    return type == PacketType::connect || type == PacketType::disconnect ? std::error_code{}
                                                                         : errc::invalid_payload;
  }
  if (!inspection.valid) return errc::invalid_json;
  switch (type) {
    case PacketType::connect:
      return inspection.kind == json::Kind::object ? std::error_code{} : errc::invalid_payload;
    case PacketType::disconnect:
      return errc::invalid_payload;
    case PacketType::connect_error:
      return inspection.kind == json::Kind::object || inspection.kind == json::Kind::string
                 ? std::error_code{}
                 : errc::invalid_payload;
    case PacketType::ack:
    case PacketType::binary_ack:
      return inspection.kind == json::Kind::array ? std::error_code{} : errc::invalid_payload;
    case PacketType::event:
    case PacketType::binary_event:
      break;
  }
  if (inspection.kind != json::Kind::array) return errc::invalid_payload;
  // The first element decides: a number, or a string that is not reserved.
  const auto canonical = inspection.canonical ? std::string(data) : json::canonical(data);
  const auto items = json::elements(canonical);
  if (items.empty()) return errc::invalid_payload;
  const auto first = items.front();
  if (first.front() == '"') {
    const auto name = json::unquote(first);
    if (name && reject_reserved && is_reserved_event(*name)) return errc::reserved_event_name;
    return {};
  }
  const char c = first.front();
  return (c == '-' || is_digit(c)) ? std::error_code{} : errc::invalid_payload;
}

}  // namespace

std::string_view to_string(PacketType type) noexcept {
  static constexpr std::array<std::string_view, 7> kNames{
      "CONNECT", "DISCONNECT", "EVENT", "ACK", "CONNECT_ERROR", "BINARY_EVENT", "BINARY_ACK"};
  const auto i = static_cast<std::size_t>(type);
  return i < kNames.size() ? kNames[i] : "UNKNOWN";
}

bool is_reserved_event(std::string_view name) noexcept {
  static constexpr std::array<std::string_view, 6> kReserved{
      "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};
  for (const auto reserved : kReserved)
    if (name == reserved) return true;
  return false;
}

std::error_code decode_text(std::string_view text, Packet& out, std::size_t& declared,
                            const Limits& limits) {
  out = Packet{};
  declared = 0;
  if (text.empty() || !is_digit(text.front()) || text.front() > '6')
    return errc::sio_unknown_packet_type;
  out.type = static_cast<PacketType>(text.front() - '0');
  std::size_t i = 1;

  if (out.is_binary()) {
    const auto dash = text.find('-', i);
    if (dash == std::string_view::npos || dash == i || dash - i > 9)
      return errc::illegal_attachments;
    std::size_t count = 0;
    for (std::size_t k = i; k < dash; ++k) {
      if (!is_digit(text[k])) return errc::illegal_attachments;
      count = count * 10 + static_cast<std::size_t>(text[k] - '0');
    }
    if (count == 0) return errc::illegal_attachments;  // as the published parser 4.2.7
    if (count > limits.max_attachments) return errc::too_many_attachments;
    declared = count;
    i = dash + 1;
  }

  if (i < text.size() && text[i] == '/') {
    // The namespace runs to the first ',' or to the end ("40/random" is /random).
    const auto comma = text.find(',', i);
    if (comma == std::string_view::npos) {
      out.nsp.assign(text.substr(i));
      i = text.size();
    } else {
      out.nsp.assign(text.substr(i, comma - i));
      i = comma + 1;
    }
  }

  if (i < text.size() && is_digit(text[i])) {
    std::uint64_t id = 0;
    std::size_t digits = 0;
    while (i < text.size() && is_digit(text[i])) {
      if (++digits > 16) return errc::invalid_ack_id;
      id = id * 10 + static_cast<std::uint64_t>(text[i] - '0');
      ++i;
    }
    if (id > kMaxAckId) return errc::invalid_ack_id;
    out.id = id;
  }

  const auto data = text.substr(i);
  const auto inspection = data.empty() ? json::Inspection{} : json::inspect(data);
  if (auto ec = check_payload(out.type, data, inspection, limits.reject_reserved_events)) return ec;
  if (out.is_binary() || inspection.canonical) {
    out.data.assign(data);
  } else if (!data.empty()) {
    json::canonicalize(data, out.data);
  }
  return {};
}

void encode_header_append(PacketType type, std::size_t attachments, std::string_view nsp,
                          std::optional<std::uint64_t> id, std::string& out) {
  out.push_back(static_cast<char>('0' + static_cast<int>(type)));
  if (type == PacketType::binary_event || type == PacketType::binary_ack) {
    out += std::to_string(attachments);
    out.push_back('-');
  }
  if (nsp != "/") {
    out.append(nsp);
    out.push_back(',');
  }
  if (id) out += std::to_string(*id);
}

std::string encode_text(const Packet& packet) {
  std::string out;
  encode_header_append(packet.type, packet.attachments.size(), packet.nsp, packet.id, out);
  out += packet.data;
  return out;
}

void Decoder::reset() noexcept {
  pending_ = Packet{};
  expected_ = 0;
}

std::error_code Decoder::feed_text(std::string_view text, Packet& out, bool& complete) {
  complete = false;
  if (reassembling()) {
    reset();
    return errc::text_while_reassembling;
  }
  std::size_t declared = 0;
  if (auto ec = decode_text(text, pending_, declared, limits_)) {
    reset();
    return ec;
  }
  if (declared == 0) {
    out = std::move(pending_);
    reset();
    complete = true;
    return {};
  }
  expected_ = declared;
  pending_.attachments.reserve(declared);
  return {};
}

std::error_code Decoder::feed_binary(std::string bytes, Packet& out, bool& complete) {
  complete = false;
  if (!reassembling()) return errc::unexpected_binary;
  pending_.attachments.push_back(std::move(bytes));
  if (pending_.attachments.size() < expected_) return {};
  if (auto ec = finish(out)) {
    reset();
    return ec;
  }
  reset();
  complete = true;
  return {};
}

std::error_code Decoder::finish(Packet& out) {
  if (!limits_.check_placeholders) {
    out = std::move(pending_);  // as received: placeholders unchecked
    return {};
  }
  std::string data;
  std::vector<std::size_t> order;
  if (!json::canonicalize_binary(pending_.data, pending_.attachments.size(), data, order))
    return errc::invalid_placeholder;
  std::vector<std::string> attachments;
  attachments.reserve(order.size());
  for (const auto index : order)
    attachments.push_back(pending_.attachments[index]);
  out = std::move(pending_);
  out.data = std::move(data);
  out.attachments = std::move(attachments);
  // Attachments no placeholder refers to are dropped, as socket.io 4.8 does; a packet left with
  // none is an ordinary EVENT or ACK.
  if (out.attachments.empty())
    out.type = out.type == PacketType::binary_event ? PacketType::event : PacketType::ack;
  return {};
}

}  // namespace sio::wire::sio
