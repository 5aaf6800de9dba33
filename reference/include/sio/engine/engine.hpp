// The Engine.IO v4 server, sans I/O. It routes HTTP requests and WebSocket connections (through
// the seam in http.hpp) to sessions, and runs each session's state machine: handshake,
// long-polling, WebSocket, upgrade, heartbeat and close. The application sees four callbacks
// (Handler).
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sio/engine/http.hpp"
#include "sio/faults.hpp"
#include "sio/engine/scheduler.hpp"
#include "sio/wire/eio_packet.hpp"
#include "sio/wire/query.hpp"

namespace sio::engine {

struct CorsConfig {
  enum class Mode { off, any, list };
  Mode mode = Mode::any;
  std::vector<std::string> origins;  // for Mode::list: exact origins, e.g. "https://app.example"
  bool credentials = false;          // adds Access-Control-Allow-Credentials: true
};

struct Config {
  std::string path = "/engine.io/";  // requests whose path starts with this
  Duration ping_interval{25000};
  Duration ping_timeout{20000};
  Duration upgrade_timeout{10000};  // the probe WebSocket must send "5" within this
  Duration close_timeout{
      30000};  // a polling session closed by the server waits this long for a GET
  std::size_t max_payload = 1'000'000;        // bytes in one POST body or one WebSocket message
  std::size_t max_sessions = 10'000;          // open sessions; more handshakes get 403
  std::size_t max_queued_bytes = 16'000'000;  // bytes waiting to be sent to one session
  bool allow_polling = true;
  bool allow_websocket = true;
  bool allow_upgrades = true;
  CorsConfig cors;
  Faults faults;  // deliberate bugs, for proving the conformance suite (off by default)
};

enum class Transport { polling, websocket };
std::string_view to_string(Transport t) noexcept;

// Why a session ended, as the protocol names it (to_string gives the exact reason text).
enum class CloseReason {
  transport_close,
  transport_error,
  parse_error,
  ping_timeout,
  forced_close
};
std::string_view to_string(CloseReason r) noexcept;

enum class LogLevel { info, debug };
using LogSink = std::function<void(LogLevel, std::string_view)>;

// What the client sent when it opened the session: the Socket.IO layer exposes it to the app.
struct HandshakeInfo {
  std::string target;
  wire::Query query;
  Headers headers;
  std::string remote_address;
  bool secure = false;
};

struct SendOptions {
  bool compress = true;
  // Dropped, not queued, when the transport cannot take it right now (no GET pending on polling,
  // a write in flight on WebSocket).
  bool is_volatile = false;
};

// One outgoing message in wire form: a text packet ("4hello") or the raw bytes of a binary
// message. Shared so that a broadcast encodes once.
struct Frame {
  std::shared_ptr<const std::string> bytes;
  bool binary = false;

  static Frame text_message(std::string_view text);
  static Frame binary_message(std::string_view bytes);
};

class Engine;

class Session : public std::enable_shared_from_this<Session> {
 public:
  enum class State { open, closing, closed };

  const std::string& id() const noexcept { return id_; }
  Transport transport() const noexcept { return transport_; }
  State state() const noexcept { return state_; }
  bool is_open() const noexcept { return state_ == State::open; }
  bool upgrading() const noexcept { return upgrade_ != Upgrade::none; }
  const HandshakeInfo& handshake() const noexcept { return handshake_; }
  // Bytes waiting in the outgoing queue (never past Config::max_queued_bytes).
  std::size_t queued_bytes() const noexcept { return queued_bytes_; }

  bool send_text(std::string_view text, SendOptions options = {});
  bool send_binary(std::string_view bytes, SendOptions options = {});
  // Queues the frames as one unit: nothing is sent between them. Returns false when they were
  // dropped (session not open, or volatile and not writable).
  bool send(std::span<const Frame> frames, SendOptions options = {});
  // Whether a volatile send would go out now.
  bool writable() const noexcept;

  // Closes from the server side ("forced close"): frames already queued are delivered first.
  void close(std::string_view detail = "closed by the server");

  // Not for applications: only the engine can make the tag, so only the engine creates sessions.
  class Private {
    friend class Engine;
    Private() = default;
  };
  Session(const Private&, Engine& engine, std::string id, Transport transport, HandshakeInfo info);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

 private:
  friend class Engine;
  class SocketHandler;
  enum class Upgrade { none, probing, probed };

  void start();
  void on_poll(std::shared_ptr<HttpExchange> exchange);
  void on_post(const HttpRequest& request, std::shared_ptr<HttpExchange> exchange);
  void on_post_body(BodyStatus status, std::string body, const std::shared_ptr<HttpExchange>& ex);
  void on_websocket_request(const std::shared_ptr<HttpExchange>& exchange);
  void on_socket_message(SocketHandler& from, bool binary, std::string data);
  void on_socket_closed(SocketHandler& from, bool error, std::string_view why);
  void on_packet(wire::eio::Packet packet);
  // A WebSocket-only session: the socket carries the handshake as its first frame.
  void open_websocket(const std::shared_ptr<HttpExchange>& exchange, std::string open_packet);

  void flush();
  void schedule_flush();
  void answer_poll(std::string body);
  void answer_poll_with_queue();
  void send_ping();
  void on_pong();
  void complete_upgrade();
  void abort_upgrade(std::string_view why);
  void finish_polling_close();
  // Ends the session now with `reason`: answers a held GET, closes sockets, tells the app.
  void terminate(CloseReason reason, std::string_view detail, std::string_view poll_answer = "1");
  // The engine is going away: stop every timer and drop the connections without callbacks.
  void detach() noexcept;

  Engine& engine_;
  const std::string id_;
  Transport transport_;
  HandshakeInfo handshake_;
  State state_ = State::open;
  std::string close_detail_;
  Upgrade upgrade_ = Upgrade::none;

  struct Queued {
    Frame frame;
    bool compress = true;
  };
  std::deque<Queued> queue_;
  std::size_t queued_bytes_ = 0;
  bool flush_scheduled_ = false;

  std::shared_ptr<HttpExchange> poll_;  // the held GET
  bool post_in_progress_ = false;
  std::shared_ptr<WsChannel> socket_;  // the WebSocket in use (websocket transport)
  std::shared_ptr<SocketHandler> socket_handler_;
  std::shared_ptr<WsChannel> probe_;  // the WebSocket being upgraded to
  std::shared_ptr<SocketHandler> probe_handler_;

  Timer ping_timer_;
  Timer pong_timer_;
  Timer upgrade_timer_;
  Timer close_timer_;
};

// The application seam: connect, text message, binary message, close with reason.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void on_open(const std::shared_ptr<Session>& session) = 0;
  virtual void on_text(const std::shared_ptr<Session>& session, std::string text) = 0;
  virtual void on_binary(const std::shared_ptr<Session>& session, std::string bytes) = 0;
  virtual void on_close(const std::shared_ptr<Session>& session, CloseReason reason,
                        std::string_view detail) = 0;
};

class Engine {
 public:
  using SidSource = std::function<std::string()>;

  // `sids` makes session ids (a CSPRNG by default; tests pass a deterministic one).
  Engine(Config config, Scheduler& scheduler, Handler& handler, LogSink log = {},
         SidSource sids = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const Config& config() const noexcept { return config_; }
  Scheduler& scheduler() noexcept { return scheduler_; }

  // Every request whose path is under config().path, WebSocket upgrades included.
  void handle_request(const HttpRequest& request, std::shared_ptr<HttpExchange> exchange);

  // Closes every session ("forced close") and refuses new ones with 403.
  void shutdown();
  bool shutting_down() const noexcept { return shutting_down_; }

  std::size_t session_count() const noexcept { return sessions_.size(); }
  std::shared_ptr<Session> find(std::string_view sid) const;

 private:
  friend class Session;
  void handshake(const HttpRequest& request, std::string_view transport,
                 const std::shared_ptr<HttpExchange>& exchange, wire::Query query);
  void forget(const Session& session);
  void log(LogLevel level, std::string_view text) const;
  std::string handshake_packet(const Session& session) const;

  Config config_;
  Scheduler& scheduler_;
  Handler& handler_;
  LogSink log_;
  SidSource sids_;
  bool shutting_down_ = false;
  std::unordered_map<std::string, std::shared_ptr<Session>> sessions_;
};

// A session id: 15 bytes from the operating system's CSPRNG, URL-safe base64 (20 characters).
std::string random_sid();

}  // namespace sio::engine
