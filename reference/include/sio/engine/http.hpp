// The seam between the engine (sans-I/O) and the network glue. The glue parses HTTP, hands each
// request to the engine with an HttpExchange, and runs WebSocket connections behind WsChannel.
// Tests implement these interfaces in memory; the Beast glue implements them over sockets.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio::engine {

enum class Method { get, head, post, put, patch, del, options, other };
Method method_from_string(std::string_view verb) noexcept;

struct Header {
  std::string name;  // lower case in requests; as written in responses
  std::string value;
  friend bool operator==(const Header&, const Header&) = default;
};

using Headers = std::vector<Header>;
// The value of the first header called `name` (lower case).
std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);

struct HttpRequest {
  Method method = Method::get;
  std::string target;  // "/engine.io/?EIO=4&transport=polling"
  Headers headers;
  bool websocket_upgrade = false;  // a well-formed WebSocket upgrade request
  std::string remote_address;      // "127.0.0.1:40312"
  bool secure = false;             // arrived over TLS

  std::optional<std::string_view> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

struct HttpResponse {
  unsigned status = 200;
  Headers headers;
  std::string body;
  bool close_connection = false;

  HttpResponse& set(std::string name, std::string value);
};

// One frame to write on a WebSocket. The bytes are shared so a broadcast encodes once.
struct WsFrame {
  std::shared_ptr<const std::string> bytes;
  bool binary = false;
  bool compress = true;
};

// The engine's side of a WebSocket connection: what it receives.
class WsHandler {
 public:
  virtual ~WsHandler() = default;
  virtual void on_ws_message(bool binary, std::string data) = 0;
  // The connection ended: `error` is false for a close by the peer, true for a failure (protocol
  // error, message too big, reset, failed handshake). No call follows this one.
  virtual void on_ws_closed(bool error, std::string_view why) = 0;
};

// The glue's side of a WebSocket connection: what the engine sends.
class WsChannel {
 public:
  virtual ~WsChannel() = default;
  // Queues a frame. Frames go out in order; sends after close() are dropped.
  virtual void send(WsFrame frame) = 0;
  // Writes the frames already queued, then a close frame with no status code, then ends.
  virtual void close() = 0;
  // Bytes queued or being written: zero means the channel is idle and writable.
  virtual std::size_t buffered_bytes() const noexcept = 0;
};

enum class BodyStatus { complete, too_large, aborted };

// One HTTP request in progress. The engine answers it exactly once with respond(), maybe much
// later (a held long-poll GET), or turns it into a WebSocket with accept_websocket().
class HttpExchange {
 public:
  virtual ~HttpExchange() = default;
  virtual void respond(HttpResponse response) = 0;
  // Reads the request body; `done` runs once. Past `limit` bytes reading stops with too_large.
  virtual void read_body(std::size_t limit, std::function<void(BodyStatus, std::string)> done) = 0;
  // `fn` runs if the client goes away before respond() (a cancelled long-poll).
  virtual void on_abort(std::function<void()> fn) = 0;
  // Completes the WebSocket handshake (101). The channel accepts sends at once and delivers them
  // after the handshake; a failed handshake reaches `handler` as on_ws_closed(true, ...).
  virtual std::shared_ptr<WsChannel> accept_websocket(std::shared_ptr<WsHandler> handler) = 0;
};

}  // namespace sio::engine
