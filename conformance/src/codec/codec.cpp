#include "siocheck/codec/codec.hpp"

#include <array>
#include <limits>

namespace conform::codec {

namespace {
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
bool digit(char c) {
  return c >= '0' && c <= '9';
}
}  // namespace

std::optional<EioPacket> parse_eio(std::string_view text, bool polling) {
  if (text.empty()) return std::nullopt;
  if (polling && text.front() == 'b') {
    auto bytes = base64_decode(text.substr(1));
    if (!bytes) return std::nullopt;
    return EioPacket{'4', true, std::move(*bytes)};
  }
  if (text.front() < '0' || text.front() > '6') return std::nullopt;
  return EioPacket{text.front(), false, std::string(text.substr(1))};
}

std::vector<std::string> split_payload(std::string_view body) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto sep = body.find('\x1e', start);
    out.emplace_back(
        body.substr(start, sep == std::string_view::npos ? std::string_view::npos : sep - start));
    if (sep == std::string_view::npos) break;
    start = sep + 1;
  }
  return out;
}

std::string join_payload(const std::vector<std::string>& records) {
  std::string out;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (i) out.push_back('\x1e');
    out += records[i];
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  std::size_t i = 0;
  auto at = [&](std::size_t k) {
    return static_cast<unsigned>(static_cast<unsigned char>(bytes[k]));
  };
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned n = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    for (int s = 18; s >= 0; s -= 6)
      out.push_back(kAlphabet[(n >> s) & 63]);
  }
  if (bytes.size() - i == 1) {
    const unsigned n = at(i) << 16;
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], '=', '='};
  } else if (bytes.size() - i == 2) {
    const unsigned n = (at(i) << 16) | (at(i + 1) << 8);
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], '='};
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4) return std::nullopt;
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '=') {
      if (i + 2 < text.size() || (i + 1 < text.size() && text[i + 1] != '=')) return std::nullopt;
      break;
    }
    const auto pos = kAlphabet.find(text[i]);
    if (pos == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

std::optional<Json> parse_json(std::string_view text) {
  // nlohmann reads a NUL byte as the end of the input and skips a leading byte order mark;
  // JSON.parse, which every Socket.IO client uses, refuses both (found by the differential fuzz
  // target: "2true\0garbage" and "2\xEF\xBB\xBF[1]" read as valid packets).
  if (text.find('\0') != std::string_view::npos || text.starts_with("\xEF\xBB\xBF"))
    return std::nullopt;
  auto value = Json::parse(text, nullptr, false);
  if (value.is_discarded()) return std::nullopt;
  return value;
}

std::string dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<Handshake> parse_handshake(std::string_view json_text) {
  auto json = parse_json(json_text);
  if (!json || !json->is_object()) return std::nullopt;
  Handshake h;
  for (const auto& [key, value] : json->items())
    h.keys.push_back(key);
  auto number = [&](const char* key, std::int64_t& out) {
    auto it = json->find(key);
    if (it != json->end() && it->is_number_integer()) out = it->get<std::int64_t>();
  };
  if (auto it = json->find("sid"); it != json->end() && it->is_string())
    h.sid = it->get<std::string>();
  if (auto it = json->find("upgrades"); it != json->end() && it->is_array())
    for (const auto& u : *it)
      if (u.is_string()) h.upgrades.push_back(u.get<std::string>());
  number("pingInterval", h.ping_interval);
  number("pingTimeout", h.ping_timeout);
  number("maxPayload", h.max_payload);
  h.json = std::move(*json);
  return h;
}

std::optional<SioPacket> parse_sio(std::string_view text) {
  if (text.empty() || !digit(text.front()) || text.front() > '6') return std::nullopt;
  SioPacket p;
  p.type = text.front() - '0';
  std::size_t i = 1;
  if (p.type == 5 || p.type == 6) {
    const auto dash = text.find('-', i);
    if (dash == std::string_view::npos || dash == i) return std::nullopt;
    // At most 9 digits: a count past that is no packet anyone can send (and would overflow).
    if (dash - i > 9) return std::nullopt;
    for (std::size_t k = i; k < dash; ++k)
      if (!digit(text[k])) return std::nullopt;
    p.attachments = std::stoi(std::string(text.substr(i, dash - i)));
    // socket.io-parser (4.2.7) refuses a binary packet with no attachment, so a client would.
    if (p.attachments == 0) return std::nullopt;
    i = dash + 1;
  }
  if (i < text.size() && text[i] == '/') {
    const auto comma = text.find(',', i);
    if (comma == std::string_view::npos) {
      p.nsp = std::string(text.substr(i));
      return p;
    }
    p.nsp = std::string(text.substr(i, comma - i));
    i = comma + 1;
  }
  if (i < text.size() && digit(text[i])) {
    // An id past 2^64-1 (a server's answer to a hostile client) reads as 2^64-1, not wrapped.
    constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t id = 0;
    while (i < text.size() && digit(text[i])) {
      const auto d = static_cast<std::uint64_t>(text[i++] - '0');
      id = id > (kMax - d) / 10 ? kMax : id * 10 + d;
    }
    p.id = id;
  }
  p.data = std::string(text.substr(i));
  if (!p.data.empty() && !parse_json(p.data)) return std::nullopt;
  return p;
}

std::string sio_text(int type, std::string_view nsp, std::optional<std::uint64_t> id,
                     std::string_view data, int attachments) {
  std::string out(1, static_cast<char>('0' + type));
  if (type == 5 || type == 6) out += std::to_string(attachments) + "-";
  if (nsp != "/") out += std::string(nsp) + ",";
  if (id) out += std::to_string(*id);
  out += data;
  return out;
}

}  // namespace conform::codec
