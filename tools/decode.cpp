#include "decode.hpp"

#include <cstdio>
#include <iostream>
#include <iterator>
#include <vector>

#include "sio/wire/eio_packet.hpp"
#include "sio/wire/eio_payload.hpp"

namespace siocheck {
namespace {

namespace eio = sio::wire::eio;

std::string hex_byte(unsigned char c) {
  char buf[5];
  std::snprintf(buf, sizeof buf, "%02x", c);
  return buf;
}

std::string hex_dump(std::string_view bytes, std::size_t max = 64) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < max; ++i) {
    if (i) out.push_back(' ');
    out += hex_byte(static_cast<unsigned char>(bytes[i]));
  }
  if (bytes.size() > max) out += " ... (" + std::to_string(bytes.size() - max) + " more)";
  return out;
}

std::string plural(std::size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

void describe(const eio::Packet& packet, std::ostream& out, std::string_view indent) {
  out << indent << "type: " << eio::to_string(packet.type) << " (" << static_cast<int>(packet.type)
      << ")\n";
  if (packet.binary) {
    out << indent << "data: binary, " << plural(packet.data.size(), "byte") << ": "
        << hex_dump(packet.data) << "\n";
  } else if (!packet.data.empty()) {
    out << indent << "data: text, " << plural(packet.data.size(), "byte") << ": "
        << quote(packet.data) << "\n";
  } else {
    out << indent << "data: none\n";
  }
}

}  // namespace

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x" + hex_byte(c);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
  return out;
}

std::optional<std::string> unescape(std::string_view text, std::string& error) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 1 >= text.size()) {
      error = "a lone backslash at the end of the input (write \\\\ for a backslash)";
      return std::nullopt;
    }
    const char e = text[++i];
    switch (e) {
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case 'x': {
        auto hex = [](char c) {
          if (c >= '0' && c <= '9') return c - '0';
          if (c >= 'a' && c <= 'f') return c - 'a' + 10;
          if (c >= 'A' && c <= 'F') return c - 'A' + 10;
          return -1;
        };
        if (i + 2 >= text.size()) {
          error = "\\x at offset " + std::to_string(i - 1) + " needs two hex digits (e.g. \\x1e)";
          return std::nullopt;
        }
        const int hi = hex(text[i + 1]);
        const int lo = hex(text[i + 2]);
        if (hi < 0 || lo < 0) {
          error = "\\x at offset " + std::to_string(i - 1) +
                  " needs two hex digits (e.g. \\x1e), got '" + std::string(text.substr(i + 1, 2)) +
                  "'";
          return std::nullopt;
        }
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        break;
      }
      default:
        error = std::string("unknown escape \\") + e + " at offset " + std::to_string(i - 1) +
                " (known: \\xHH \\n \\r \\t \\\\)";
        return std::nullopt;
    }
  }
  return out;
}

int run_decode(const DecodeOptions& options, std::istream& in, std::ostream& out,
               std::ostream& err) {
  std::string input;
  if (options.input) {
    input = *options.input;
  } else {
    input.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    // `echo 4hello | siocheck decode` should decode "4hello", not "4hello\n".
    if (input.ends_with("\r\n")) {
      input.resize(input.size() - 2);
    } else if (input.ends_with('\n')) {
      input.pop_back();
    }
  }
  if (options.escapes) {
    std::string error;
    auto unescaped = unescape(input, error);
    if (!unescaped) {
      err << "siocheck decode: bad escape in the input: " << error << "\n";
      return 2;
    }
    input = std::move(*unescaped);
  }

  auto as = options.as;
  if (as == DecodeOptions::As::automatic)
    as = input.find(eio::kRecordSeparator) != std::string::npos ? DecodeOptions::As::payload
                                                                : DecodeOptions::As::packet;

  if (as == DecodeOptions::As::binary) {
    out << "Engine.IO binary frame (" << plural(input.size(), "byte") << ")\n";
    describe(eio::Packet::bytes(input), out, "  ");
    return 0;
  }
  if (as == DecodeOptions::As::packet) {
    eio::Packet packet;
    if (auto ec = eio::decode_text(input, packet)) {
      err << "invalid Engine.IO packet " << quote(input) << ": " << ec.message() << "\n";
      return 1;
    }
    out << "Engine.IO packet (" << plural(input.size(), "byte") << ")\n";
    describe(packet, out, "  ");
    return 0;
  }

  std::vector<eio::Packet> packets;
  const auto ec = eio::decode_payload(input, packets);
  out << "Engine.IO polling payload (" << plural(input.size(), "byte")
      << "): " << plural(packets.size(), "valid packet") << (ec ? ", then an error" : "") << "\n";
  for (std::size_t i = 0; i < packets.size(); ++i) {
    out << "  #" << i + 1 << "\n";
    describe(packets[i], out, "    ");
  }
  if (ec) {
    // Find the offending record to show it.
    std::size_t start = 0;
    for (std::size_t i = 0; i < packets.size(); ++i)
      start = input.find(eio::kRecordSeparator, start) + 1;
    const auto end = input.find(eio::kRecordSeparator, start);
    const auto record = std::string_view(input).substr(
        start, end == std::string::npos ? std::string::npos : end - start);
    err << "invalid record #" << packets.size() + 1 << " at byte " << start << " " << quote(record)
        << ": " << ec.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace siocheck
