// The Engine.IO v4 server, sans I/O. It checks and routes HTTP requests and WebSocket connections
// (through the seam in http.hpp), makes sessions at the handshake and hands each request for a
// session to it (session.hpp). The application sees four callbacks (Handler).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sio/engine/error.hpp"
#include "sio/engine/http.hpp"
#include "sio/engine/scheduler.hpp"
#include "sio/engine/session.hpp"
#include "sio/wire/query.hpp"

namespace sio::engine {

struct CorsConfig {
  enum class Mode { off, any, list };
  Mode mode = Mode::any;
  std::vector<std::string> origins;  // for Mode::list: exact origins, e.g. "https://app.example"
  bool credentials = false;          // adds Access-Control-Allow-Credentials: true
};

// Behaviours of other Engine.IO servers that the protocol forbids, each off by default (the correct
// behaviour). They let the reference server misbehave on purpose (`siocheck serve --fault NAME`;
// sio::fault_switches maps each fault onto its switch), so that the conformance suite can be shown
// to catch each. Each comment names the server that had it, where one is known.
struct Quirks {
  // The first ping goes out this long after the handshake instead of pingInterval after it
  // (socketioxide before e47353da sent it at once).
  std::optional<Duration> first_ping_delay;
  // An unanswered ping closes the session pingInterval + pingTimeout after it, one interval late.
  bool ping_timeout_plus_interval = false;
  // The open packet carries a sixth key, "cookie":false, which the official suites refuse.
  bool handshake_cookie_key = false;
  // An unknown session id is answered with code 0 (Transport unknown) instead of 1.
  bool unknown_sid_as_unknown_transport = false;
  // An undecodable packet, in a POST body or a WebSocket frame, is skipped instead of closing the
  // session with "parse error".
  bool ignore_invalid_packets = false;
  // GETs during an upgrade are held until data comes instead of answered with a noop
  // (python-engineio #160, socketioxide #479).
  bool hold_polls_during_upgrade = false;
  // Polling requests are still served after the upgrade to WebSocket (socketioxide #15).
  bool polling_after_upgrade = false;
  // A second WebSocket with a session's id replaces the first instead of being closed.
  bool second_websocket_takes_over = false;
  // A second concurrent GET ends the first with a noop and is held in its place, instead of being
  // refused with 400 and closing the session.
  bool overlapping_get_replaces_first = false;
  // POST bodies are read past max_payload, up to 1 GiB, and never refused with 413.
  bool no_post_body_limit = false;
  // Error answers go out without the CORS headers, so browsers cannot read them.
  bool errors_without_cors = false;
  // Binary messages go out on WebSocket as "b" + base64 text frames, the Engine.IO v3 habit.
  bool binary_as_base64_text = false;
  // A WebSocket upgrade request whose transport is an Object.prototype name (__proto__, toString,
  // ...) is answered 101, and the process then aborts: engine.io 5.1.0 to 6.4.1 took the
  // unknown-transport code 0 for success on the upgrade path, and looking the transport up by that
  // name threw (CVE-2023-31125).
  bool crash_on_prototype_transport_upgrade = false;
  // A POST with Content-Type application/octet-stream closes the session and is never answered:
  // the request, and its connection, stay open for good (engine.io 4.1.0 to 6.6.6,
  // CVE-2026-59725).
  bool binary_post_unanswered = false;
  // A WebSocket upgrade of a polling session without EIO=4 is accepted instead of refused with
  // 400, and the process ends when that upgrade completes (engine.io 6.6.0 to 6.6.9 threw on the
  // session's heartbeat timer, CVE-2026-102599).
  bool crash_on_versionless_upgrade = false;
  // Over WebSocket one frame is written at a time: the next waits for the loop's next turn (as
  // engine.io 5.1.0 to 6.2.x waited for each write's callback), and a close by the server drops
  // the frames still waiting. socket.disconnect(true) with several namespaces then delivers only
  // the first DISCONNECT before the close (engine.io a65a0475, fixed in 6.3.0).
  bool close_before_flush = false;
  // Any packet from the client, not only a pong, puts the ping timeout off to pingInterval +
  // pingTimeout, so a client that sends data and never answers the ping stays for good (engine.io
  // up to 6.5.x; from 6.6.0 only a pong counts).
  bool data_counts_as_pong = false;
  // A WebSocket handshake (no sid) whose EIO is not 4 (absent, 3, ...) is answered 101, and the
  // process aborts on the loop's next turn, instead of refusing it with 400 code 5: engine.io 5.1.0
  // wrote the refusal to the missing HTTP response of an upgrade and threw (fixed in 5.1.1,
  // 43606865).
  bool crash_on_websocket_without_eio = false;

  friend bool operator==(const Quirks&, const Quirks&) = default;
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
  Quirks quirks;  // other servers' bugs, on purpose (all off by default)
};

enum class LogLevel { info, debug };
using LogSink = std::function<void(LogLevel, std::string_view)>;

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

  // What the configuration decides once, so that no request or timer tests a quirk for it.
  struct Resolved {
    explicit Resolved(const Config& config);
    Duration first_ping_delay;
    Duration pong_timeout;  // from a ping to the close for want of a pong
    std::size_t post_body_limit;
    errc unknown_sid;
    std::string handshake_tail;  // the open packet after "upgrades": the timings and the limit
  };

  Config config_;
  Resolved resolved_;
  Scheduler& scheduler_;
  Handler& handler_;
  LogSink log_;
  SidSource sids_;
  bool shutting_down_ = false;
  std::unordered_map<std::string, std::shared_ptr<Session>> sessions_;
  // Requests the binary_post_unanswered quirk leaves without an answer, kept so that their
  // connections stay open.
  std::vector<std::shared_ptr<HttpExchange>> unanswered_;
};

// A session id: 15 bytes from the operating system's CSPRNG, URL-safe base64 (20 characters).
std::string random_sid();

}  // namespace sio::engine
