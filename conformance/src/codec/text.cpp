#include "siocheck/codec/text.hpp"

#include <cstdio>

namespace conform::text {

namespace {

// The length of the valid UTF-8 sequence at `at` (1 to 4), or 0 when the byte there starts none.
std::size_t sequence_at(std::string_view bytes, std::size_t at) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  const unsigned lead = byte(at);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned low = 0x80, high = 0xbf;  // the range of the second byte
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;   // no overlong form
    if (lead == 0xed) high = 0x9f;  // no surrogate
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;   // no overlong form
    if (lead == 0xf4) high = 0x8f;  // nothing past U+10FFFF
  } else {
    return 0;
  }
  if (at + length > bytes.size()) return 0;
  if (byte(at + 1) < low || byte(at + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k)
    if (byte(at + k) < 0x80 || byte(at + k) > 0xbf) return 0;
  return length;
}

void escape(std::string& out, unsigned char byte) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "\\x%02x", byte);
  out += buffer;
}

}  // namespace

bool valid_utf8(std::string_view bytes) noexcept {
  for (std::size_t at = 0; at < bytes.size();) {
    const auto length = sequence_at(bytes, at);
    if (length == 0) return false;
    at += length;
  }
  return true;
}

namespace {

// Appends bytes[at..] as printable() writes them, up to `max` bytes of input; returns where it
// stopped. With `quoting`, '"' and '\\' are escaped too.
std::size_t append_printable(std::string& out, std::string_view bytes, std::size_t max,
                             bool newlines, bool quoting) {
  std::size_t at = 0;
  while (at < bytes.size() && at < max) {
    const auto c = static_cast<unsigned char>(bytes[at]);
    const auto length = sequence_at(bytes, at);
    if (length > 1) {
      out.append(bytes.substr(at, length));
      at += length;
      continue;
    }
    ++at;
    if (length == 0) {
      escape(out, c);
    } else if (c == '\n') {
      out += newlines ? "\n" : "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      escape(out, c);
    } else if (quoting && (c == '"' || c == '\\')) {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return at;
}

}  // namespace

std::string printable(std::string_view bytes, Shown how) {
  std::string out;
  const auto at = append_printable(out, bytes, how.max, how.newlines, false);
  if (at < bytes.size()) out += "... (" + std::to_string(bytes.size()) + " bytes)";
  return out;
}

std::string quoted(std::string_view bytes) {
  std::string out = "\"";
  append_printable(out, bytes, bytes.size(), false, true);
  return out + "\"";
}

std::string hex(std::string_view bytes, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < max; ++i) {
    char buffer[4];
    std::snprintf(buffer, sizeof buffer, "%02x", static_cast<unsigned char>(bytes[i]));
    if (i) out.push_back(' ');
    out += buffer;
  }
  if (bytes.size() > max) out += " ... (" + std::to_string(bytes.size()) + " bytes)";
  return out;
}

std::string attachment(std::string_view bytes) {
  return "<" + hex(bytes, 32) + ">";
}

}  // namespace conform::text
