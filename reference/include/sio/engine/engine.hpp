// The Engine.IO v4 server, sans I/O. It checks and routes HTTP requests and WebSocket connections
// (through the seam in http.hpp), makes sessions at the handshake and hands each request for a
// session to it (session.hpp). The application sees four callbacks (Handler).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sio/engine/http.hpp"
#include "sio/engine/scheduler.hpp"
#include "sio/engine/session.hpp"
#include "sio/faults.hpp"
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
