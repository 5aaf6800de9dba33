#include "sio/wire/sio_packet.hpp"

#include <algorithm>
#include <array>

#include "sio/wire/error.hpp"
#include "sio/wire/json.hpp"

namespace sio::wire::sio {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::error_code check_payload(PacketType type, std::string_view data, json::Inspection inspection,
                              bool reject_reserved, bool check_name_type) {
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
  // Without the check (socket.io-parser before 4.2.3), an object whose toString is not a function
  // gets through: the one name that JavaScript cannot turn into a string.
  if (!check_name_type && c == '{') {
    for (const auto& [key, value] : json::members(first))
      if (key == R"("toString")") return {};
  }
  return (c == '-' || is_digit(c)) ? std::error_code{} : errc::invalid_payload;
}

// The attachment count as socket.io-parser before 4.2.6 took it (`buf == Number(buf)`): digits
// with at most one '.', never bounded. A count that is not an integer can never be reached, so it
// comes out as the largest count; so does one past size_t.
bool unbounded_count(std::string_view text, std::size_t& count) {
  if (text.empty() || text == "." || text.find_first_not_of("0123456789.") != text.npos ||
      text.find('.') != text.rfind('.'))
    return false;
  count = 0;
  for (const char c : text) {
    if (c == '.') {
      if (text.find_first_not_of("0", text.find('.') + 1) != text.npos)
        count = static_cast<std::size_t>(-1);
      return true;
    }
    const auto digit = static_cast<std::size_t>(c - '0');
    if (count > (static_cast<std::size_t>(-1) - digit) / 10) {
      count = static_cast<std::size_t>(-1);
      return true;
    }
    count = count * 10 + digit;
  }
  return true;
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
    if (dash == std::string_view::npos || dash == i) return errc::illegal_attachments;
    std::size_t count = 0;
    if (!limits.bound_attachments) {
      if (!unbounded_count(text.substr(i, dash - i), count)) return errc::illegal_attachments;
    } else {
      if (dash - i > 9) return errc::illegal_attachments;
      for (std::size_t k = i; k < dash; ++k) {
        if (!is_digit(text[k])) return errc::illegal_attachments;
        count = count * 10 + static_cast<std::size_t>(text[k] - '0');
      }
      if (count > limits.max_attachments) return errc::too_many_attachments;
    }
    // As the published parser 4.2.7.
    if (count == 0 && limits.reject_zero_attachments) return errc::illegal_attachments;
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
  auto ec = check_payload(out.type, data, inspection, limits.reject_reserved_events,
                          limits.check_event_name_type);
  // The null-CONNECT quirk: null passes as an object, as typeof null === "object" did.
  if (ec && !limits.reject_null_connect && out.type == PacketType::connect && inspection.valid &&
      inspection.kind == json::Kind::null)
    ec = {};
  if (ec) return ec;
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
  kept_ = false;
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
  if (declared == 0 && pending_.is_binary()) {
    // Only with reject_zero_attachments off: the packet is delivered now, yet the decoder is left
    // waiting for attachments, so the next text packet is refused and binary messages pile up.
    if (auto ec = finish(out)) {
      reset();
      return ec;
    }
    pending_ = Packet{};
    kept_ = true;
    complete = true;
    return {};
  }
  if (declared == 0) {
    out = std::move(pending_);
    reset();
    complete = true;
    return {};
  }
  expected_ = declared;
  pending_.attachments.reserve(std::min(declared, limits_.max_attachments));
  return {};
}

std::error_code Decoder::feed_binary(std::string bytes, Packet& out, bool& complete) {
  complete = false;
  if (!reassembling()) return errc::unexpected_binary;
  pending_.attachments.push_back(std::move(bytes));
  if (kept_ || pending_.attachments.size() < expected_) return {};
  if (auto ec = finish(out)) {
    reset();
    return ec;
  }
  reset();
  complete = true;
  return {};
}

std::error_code Decoder::finish(Packet& out) {
  std::string data;
  std::vector<std::size_t> order;
  if (!json::canonicalize_binary(pending_.data, pending_.attachments.size(), data, order,
                                 !limits_.check_placeholders))
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
