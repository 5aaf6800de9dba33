// `siocheck decode`: pretty-prints an Engine.IO packet or polling payload.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

namespace siocheck::cli {

struct DecodeOptions {
  enum class As { automatic, packet, payload, binary };
  // Which protocol layers to read: Engine.IO only, or Socket.IO in every message too (auto: say
  // when a message is not Socket.IO; sio: that is an error).
  enum class Layer { automatic, eio, sio };
  std::optional<std::string> input;  // none: read standard input
  As as = As::automatic;
  Layer layer = Layer::automatic;
  bool escapes = false;  // the input uses \xHH, \n, \r, \t, \\ escapes
};

// Exit status: 0 decoded, 1 the input is not a valid packet/payload, 2 a usage error (bad escape).
int run_decode(const DecodeOptions& options, std::istream& in, std::ostream& out,
               std::ostream& err);

// "\x1e" -> 0x1E, "\n" -> LF, ... Returns nullopt and sets `error` on a malformed escape.
std::optional<std::string> unescape(std::string_view text, std::string& error);

}  // namespace siocheck::cli
