// `siocheck decode`: its options.
#include <iostream>
#include <map>

#include "commands.hpp"
#include "decode.hpp"
#include "flags.hpp"

namespace siocheck::cli {

Command add_decode(CLI::App& app) {
  auto options = std::make_shared<DecodeOptions>();
  auto* cmd = app.add_subcommand(
      "decode",
      "Pretty-print an Engine.IO packet or polling payload, and the Socket.IO packets in its "
      "messages. Exit status: 0 valid, 1 invalid input, 2 usage error. Input from standard input "
      "loses one trailing newline.");
  cmd->add_option_function<std::string>(
      "input", [options](const std::string& v) { options->input = v; },
      "The bytes to decode (default: read standard input)");
  const std::map<std::string, DecodeOptions::As> as{{"auto", DecodeOptions::As::automatic},
                                                    {"packet", DecodeOptions::As::packet},
                                                    {"payload", DecodeOptions::As::payload},
                                                    {"binary", DecodeOptions::As::binary}};
  add_enum_option(cmd, "--as", options->as, as,
                  "auto (a payload if the input holds the record separator 0x1E, else one packet), "
                  "packet (a WebSocket text frame or one polling record), payload (a polling "
                  "body), binary (a WebSocket binary frame)",
                  "auto");
  const std::map<std::string, DecodeOptions::Layer> layers{
      {"auto", DecodeOptions::Layer::automatic},
      {"eio", DecodeOptions::Layer::eio},
      {"sio", DecodeOptions::Layer::sio}};
  add_enum_option(cmd, "--layer", options->layer, layers,
                  "auto (also read each message as Socket.IO when it is one), eio (Engine.IO "
                  "only), sio (every message must be a valid Socket.IO packet)",
                  "auto");
  cmd->add_flag(
      "-e,--escapes", options->escapes,
      "Read \\xHH, \\n, \\r, \\t and \\\\ escapes in the input (so '4a\\x1e4b' is a payload)");
  return {cmd, [options] { return run_decode(*options, std::cin, std::cout, std::cerr); }};
}

}  // namespace siocheck::cli
