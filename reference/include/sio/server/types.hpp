// Vocabulary of the Socket.IO server: disconnect reasons, errors, flags, handler types.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "sio/engine/engine.hpp"
#include "sio/server/args.hpp"
#include "sio/wire/query.hpp"

namespace sio::server {

class Socket;

using Duration = engine::Duration;

// Why a socket left its namespace, as the server sees it (to_string gives Socket.IO's words).
enum class DisconnectReason {
  transport_error,
  transport_close,
  forced_close,
  ping_timeout,
  parse_error,
  server_shutting_down,
  forced_server_close,
  client_namespace_disconnect,
  server_namespace_disconnect,
};
std::string_view to_string(DisconnectReason reason) noexcept;
DisconnectReason from_engine(engine::CloseReason reason) noexcept;

// What the client sent when it connected to a namespace.
struct Handshake {
  std::string auth = "{}";  // the CONNECT payload, canonical JSON ("{}" when none)
  wire::Query query;
  engine::Headers headers;
  std::string address;
  bool secure = false;
  std::string url;
  std::int64_t issued = 0;  // milliseconds since the epoch
};

// An ack that did not come: "operation has timed out" or "socket has been disconnected".
struct AckError {
  std::string message;
};

// A middleware's refusal: sent to the client as CONNECT_ERROR {"message":...,"data":...}.
struct ConnectError {
  std::string message;
  std::optional<std::string> data_json;  // any JSON; left out of the packet when absent
};

// Calls back the client that asked for an ack. Sends at most once; copies share that.
class Ack {
 public:
  Ack() = default;
  explicit Ack(std::function<void(const Args&)> send);
  explicit operator bool() const noexcept { return static_cast<bool>(state_); }
  void operator()(const Args& args = {}) const;
  bool sent() const noexcept;

 private:
  struct State {
    std::function<void(const Args&)> send;
    bool sent = false;
  };
  std::shared_ptr<State> state_;
};

struct EmitFlags {
  bool is_volatile = false;
  bool compress = true;
  std::optional<Duration> timeout;
};

using EventHandler = std::function<void(Socket&, const Args& args, const Ack& ack)>;
using AnyHandler = std::function<void(Socket&, std::string_view event, const Args& args)>;
using DisconnectHandler = std::function<void(Socket&, DisconnectReason reason)>;
using ConnectionHandler = std::function<void(Socket&)>;
using Next = std::function<void(std::optional<ConnectError>)>;
using Middleware = std::function<void(Socket&, Next next)>;
using AckCallback = std::function<void(std::optional<AckError>, const Args& args)>;
// Each response is the first argument of one client's ack (a list of zero or one argument).
using BroadcastAckCallback =
    std::function<void(std::optional<AckError>, std::vector<Args> responses)>;

}  // namespace sio::server
