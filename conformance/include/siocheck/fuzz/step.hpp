// The live fuzzer's step model: what one step of a sequence does, how it is written in a finding
// file (fuzz/findings/README.md has the format) and how it is shown to people.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "siocheck/driver/clients.hpp"

namespace conform::fuzz {

using Json = nlohmann::ordered_json;

// Connections a sequence opens at most.
inline constexpr int kMaxConns = 3;

enum class Op {
  open,     // a session: over `transport`, on `path`, with `query` added to the handshake
  text,     // one Engine.IO text message (`data`); over polling, a POST body
  binary,   // one binary message (`data`)
  batch,    // several messages at once (`packets`): one POST, or one frame each
  post,     // a raw POST body (`data`) on the session, after its own POSTs are answered
  get,      // an extra GET on a polling session, overlapping its own
  request,  // any HTTP request: `method`, `target` (${sid0}... name the sessions), `data`
  upgrade,  // upgrades a polling session to WebSocket
  close,    // the client closes the session
  drop,     // the client drops the connection without a word
};
std::string_view to_string(Op op) noexcept;
std::optional<Op> op_named(std::string_view name) noexcept;

enum class Path { sio, eio };  // the Socket.IO path, or the Engine.IO echo's

// One thing a sequence does. Connections are numbered in the order the sequence opens them.
struct Step {
  Op op = Op::text;
  int conn = 0;
  Transport transport = Transport::websocket;  // open
  Path path = Path::sio;                       // open
  std::string query;                           // open
  std::string method;                          // request
  std::string target;                          // request: path and query
  std::string data;                            // text, binary, post and request bodies
  std::vector<std::string> packets;            // batch
};

// Bytes in a finding file: a JSON string when they are UTF-8, {"base64": ...} otherwise.
Json bytes_json(const std::string& bytes);
bool bytes_from(const Json& j, std::string& out);

Json to_json(const Step& step);
// On error: false, with what is wrong with the step in `error`.
bool from_json(const Json& j, Step& step, std::string& error);

// One line for people: "[0] send 42[\"message\"]", "[1] open polling", "GET /socket.io/?...".
std::string describe(const Step& step);

}  // namespace conform::fuzz
