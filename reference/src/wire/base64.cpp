#include "sio/wire/base64.hpp"

#include <array>
#include <cstdint>

namespace sio::wire::base64 {
namespace {

constexpr std::string_view kStandard =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<std::int8_t, 256> make_reverse() {
  std::array<std::int8_t, 256> table{};
  for (auto& v : table)
    v = -1;
  for (std::size_t i = 0; i < kStandard.size(); ++i)
    table[static_cast<unsigned char>(kStandard[i])] = static_cast<std::int8_t>(i);
  return table;
}
constexpr auto kReverse = make_reverse();

void encode_with(std::string_view alphabet, bool pad, std::string_view raw, std::string& out) {
  auto byte = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(raw[i]));
  };
  std::size_t i = 0;
  for (; i + 3 <= raw.size(); i += 3) {
    const std::uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out.push_back(alphabet[(n >> 18) & 63]);
    out.push_back(alphabet[(n >> 12) & 63]);
    out.push_back(alphabet[(n >> 6) & 63]);
    out.push_back(alphabet[n & 63]);
  }
  const std::size_t rest = raw.size() - i;
  if (rest == 1) {
    const std::uint32_t n = byte(i) << 16;
    out.push_back(alphabet[(n >> 18) & 63]);
    out.push_back(alphabet[(n >> 12) & 63]);
    if (pad) out.append("==");
  } else if (rest == 2) {
    const std::uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8);
    out.push_back(alphabet[(n >> 18) & 63]);
    out.push_back(alphabet[(n >> 12) & 63]);
    out.push_back(alphabet[(n >> 6) & 63]);
    if (pad) out.push_back('=');
  }
}

}  // namespace

std::size_t encoded_size(std::size_t raw_size) noexcept {
  return (raw_size + 2) / 3 * 4;
}

void encode_append(std::string_view raw, std::string& out) {
  out.reserve(out.size() + encoded_size(raw.size()));
  encode_with(kStandard, true, raw, out);
}

std::string encode(std::string_view raw) {
  std::string out;
  encode_append(raw, out);
  return out;
}

std::string encode_url(std::string_view raw) {
  std::string out;
  encode_with(kUrl, false, raw, out);
  return out;
}

std::optional<std::string> decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = (text[text.size() - 2] == '=') ? 2 : 1;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const std::size_t data_chars = last ? 4 - padding : 4;
    std::uint32_t n = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      std::int8_t v = 0;
      if (j < data_chars) {
        v = kReverse[static_cast<unsigned char>(text[i + j])];
        if (v < 0) return std::nullopt;  // also rejects '=' before the end
      }
      n = (n << 6) | static_cast<std::uint32_t>(v);
    }
    out.push_back(static_cast<char>((n >> 16) & 0xFF));
    if (data_chars > 2) out.push_back(static_cast<char>((n >> 8) & 0xFF));
    if (data_chars > 3) out.push_back(static_cast<char>(n & 0xFF));
  }
  return out;
}

}  // namespace sio::wire::base64
