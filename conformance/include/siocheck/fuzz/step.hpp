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
  raw,      // a TCP connection of its own writes `data` then `frames` as they are (in one write, or
            // in two cut at `split`), then reads the answers or resets (`end`). In `data`,
            // ${sid0}.. name the sessions, ${new} the sid of a polling session opened for the
            // step (nothing polls it), ${host} the target's host:port
  pause,    // the sequence waits `ms` (what the server does a while later: timers, delayed ends)
};
std::string_view to_string(Op op) noexcept;
std::optional<Op> op_named(std::string_view name) noexcept;

enum class Path { sio, eio };  // the Socket.IO path, or the Engine.IO echo's

// What a raw step does once its bytes are out.
enum class End {
  read,                // reads the answers (the connection stays open until the sequence ends)
  reset,               // a TCP reset at once: the server may not have read or answered yet
  reset_after_answer,  // a TCP reset once an answer's head came, or after 100 ms without one
};
std::string_view to_string(End end) noexcept;  // "read", "reset", "reset-after-answer"
std::optional<End> end_named(std::string_view name) noexcept;

// A WebSocket frame a raw step writes after its request bytes, built as it is told: reserved
// bits, reserved opcodes, unmasked or fragmented frames are all possible.
struct Frame {
  unsigned first = 0x81;  // the first byte: FIN, RSV1-3 and the opcode
  std::string payload;
  bool masked = true;  // with a fixed key
  int repeat = 1;      // the same frame this many times (long runs of fragments)
};
inline constexpr int kMaxRepeat = 200'000;
// The frame's bytes on the wire, `repeat` times.
std::string frame_bytes(const Frame& frame);

// The HTTP/1.1 requests in a raw step's bytes, as a server reads them one after the other: a body
// is what Content-Length announces; after a request with an Upgrade header the rest is the other
// protocol's. The last one may be cut short.
struct RawRequest {
  std::string line;  // the request line
  std::string method;
  std::string target;
  std::string body;
  bool upgrade = false;
  bool complete = false;  // its head and its whole body are there
};
std::vector<RawRequest> split_requests(std::string_view bytes);

// One thing a sequence does. Connections are numbered in the order the sequence opens them.
struct Step {
  Op op = Op::text;
  int conn = 0;
  Transport transport = Transport::websocket;  // open
  Path path = Path::sio;                       // open
  std::string query;                           // open
  std::string method;                          // request
  std::string target;                          // request: path and query
  std::string data;                            // text, binary, post and request bodies; raw bytes
  std::vector<std::string> packets;            // batch
  std::vector<Frame> frames;                   // raw: written after `data`
  std::size_t split = 0;                       // raw: the second write starts here (0: one write)
  End end = End::read;                         // raw
  int ms = 0;                                  // pause
};
inline constexpr int kMaxPauseMs = 60'000;

// Bytes in a finding file: a JSON string when they are UTF-8, {"base64": ...} otherwise.
Json bytes_json(const std::string& bytes);
bool bytes_from(const Json& j, std::string& out);

Json to_json(const Step& step);
// On error: false, with what is wrong with the step in `error`.
bool from_json(const Json& j, Step& step, std::string& error);

// One line for people: "[0] send 42[\"message\"]", "[1] open polling", "GET /socket.io/?...",
// "raw GET /socket.io/?... + 2 frames, then reset".
std::string describe(const Step& step);

}  // namespace conform::fuzz
