#include "decode.hpp"

#include "siocheck/codec/text.hpp"

#include <cstdio>
#include <iostream>
#include <iterator>
#include <vector>

#include "sio/wire/eio_packet.hpp"
#include "sio/wire/eio_payload.hpp"
#include "sio/wire/sio_packet.hpp"

namespace siocheck::cli {
namespace {

namespace eio = sio::wire::eio;
namespace sio_wire = sio::wire::sio;

using conform::text::hex;
using conform::text::quoted;

std::string plural(std::size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

// Reads the Socket.IO packets carried by a run of Engine.IO messages (a payload, or one frame).
class SocketIoReader {
 public:
  explicit SocketIoReader(DecodeOptions::Layer layer) : layer_(layer) {}

  // Describes what the message means to Socket.IO. Returns false on an error that fails the run.
  bool read(const eio::Packet& packet, std::ostream& out, std::ostream& err,
            std::string_view indent) {
    if (layer_ == DecodeOptions::Layer::eio || packet.type != eio::PacketType::message) return true;
    sio_wire::Packet sio;
    bool complete = false;
    const auto ec = packet.binary ? decoder_.feed_binary(packet.data, sio, complete)
                                  : decoder_.feed_text(packet.data, sio, complete);
    if (ec) {
      if (layer_ == DecodeOptions::Layer::sio) {
        err << "invalid Socket.IO packet " << quoted(packet.data) << ": " << ec.message() << "\n";
        return false;
      }
      out << indent << "socket.io: not a Socket.IO packet (" << ec.message() << ")\n";
      return true;
    }
    if (packet.binary) {
      out << indent << "socket.io: attachment " << ++attachments_seen_ << " of "
          << attachments_declared_ << "\n";
    } else if (!complete) {
      std::size_t declared = 0;
      sio_wire::Packet header;
      sio_wire::decode_text(packet.data, header, declared);
      attachments_declared_ = declared;
      attachments_seen_ = 0;
      out << indent << "socket.io: " << sio_wire::to_string(header.type) << ", waiting for "
          << declared << (declared == 1 ? " attachment" : " attachments") << "\n";
    }
    if (complete) describe(sio, out, indent);
    return true;
  }

  // Whether a binary packet is still missing attachments at the end of the input.
  bool unfinished() const { return decoder_.reassembling(); }

 private:
  static void describe(const sio_wire::Packet& p, std::ostream& out, std::string_view indent) {
    out << indent << "socket.io: " << sio_wire::to_string(p.type) << "\n";
    out << indent << "  namespace: " << p.nsp << "\n";
    if (p.id) out << indent << "  ack id: " << *p.id << "\n";
    if (!p.data.empty()) out << indent << "  payload: " << p.data << "\n";
    for (std::size_t i = 0; i < p.attachments.size(); ++i)
      out << indent << "  attachment " << i << ": " << hex(p.attachments[i]) << "\n";
  }

  DecodeOptions::Layer layer_;
  sio_wire::Decoder decoder_;
  std::size_t attachments_declared_ = 0;
  std::size_t attachments_seen_ = 0;
};

void describe(const eio::Packet& packet, std::ostream& out, std::string_view indent) {
  out << indent << "type: " << eio::to_string(packet.type) << " (" << static_cast<int>(packet.type)
      << ")\n";
  if (packet.binary) {
    out << indent << "data: binary, " << plural(packet.data.size(), "byte") << ": "
        << hex(packet.data) << "\n";
  } else if (!packet.data.empty()) {
    out << indent << "data: text, " << plural(packet.data.size(), "byte") << ": "
        << quoted(packet.data) << "\n";
  } else {
    out << indent << "data: none\n";
  }
}

}  // namespace

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

  SocketIoReader socket_io(options.layer);
  if (as == DecodeOptions::As::binary) {
    out << "Engine.IO binary frame (" << plural(input.size(), "byte") << ")\n";
    describe(eio::Packet::bytes(input), out, "  ");
    return 0;
  }
  if (as == DecodeOptions::As::packet) {
    eio::Packet packet;
    if (auto ec = eio::decode_text(input, packet)) {
      err << "invalid Engine.IO packet " << quoted(input) << ": " << ec.message() << "\n";
      return 1;
    }
    out << "Engine.IO packet (" << plural(input.size(), "byte") << ")\n";
    describe(packet, out, "  ");
    return socket_io.read(packet, out, err, "  ") ? 0 : 1;
  }

  std::vector<eio::Packet> packets;
  const auto ec = eio::decode_payload(input, packets);
  out << "Engine.IO polling payload (" << plural(input.size(), "byte")
      << "): " << plural(packets.size(), "valid packet") << (ec ? ", then an error" : "") << "\n";
  bool socket_io_ok = true;
  for (std::size_t i = 0; i < packets.size(); ++i) {
    out << "  #" << i + 1 << "\n";
    describe(packets[i], out, "    ");
    if (socket_io_ok) socket_io_ok = socket_io.read(packets[i], out, err, "    ");
  }
  if (ec) {
    // Find the offending record to show it.
    std::size_t start = 0;
    for (std::size_t i = 0; i < packets.size(); ++i)
      start = input.find(eio::kRecordSeparator, start) + 1;
    const auto end = input.find(eio::kRecordSeparator, start);
    const auto record = std::string_view(input).substr(
        start, end == std::string::npos ? std::string::npos : end - start);
    err << "invalid record #" << packets.size() + 1 << " at byte " << start << " " << quoted(record)
        << ": " << ec.message() << "\n";
    return 1;
  }
  if (!socket_io_ok) return 1;
  if (socket_io.unfinished() && options.layer == DecodeOptions::Layer::sio) {
    err << "the payload ends before the attachments of its last binary packet\n";
    return 1;
  }
  return 0;
}

}  // namespace siocheck::cli
