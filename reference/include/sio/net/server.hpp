// The network glue: an HTTP/1.1 + WebSocket server on Boost.Beast that feeds requests to the
// sans-I/O engines mounted on it. Everything runs on one io_context thread, so the engines need no
// locks. This header keeps Beast out of the files that include it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "sio/engine/http.hpp"
#include "sio/engine/scheduler.hpp"

namespace sio::net {

struct TlsFiles {
  std::string certificate_chain;  // PEM
  std::string private_key;        // PEM
};

// Other servers' bugs at the HTTP and WebSocket level, on purpose (sio/faults.hpp maps the faults
// of `siocheck serve --fault NAME` onto them), so that the conformance suite can be shown to catch
// each. All off by default: the correct behaviour. Each names the release that had the bug.
struct Quirks {
  // An upgrade request whose Upgrade header comes after its 2000th header line aborts the process:
  // Node keeps only the first 2000 headers, and ws before 8.17.1 called a method on the missing
  // value (CVE-2024-37890).
  bool crash_on_late_upgrade_header = false;
  // Sec-WebSocket-Protocol is split with a scan that restarts at every character of a run of
  // spaces, so a long run without a comma costs time quadratic in its length (ws before 7.4.6,
  // CVE-2021-32640): the upgrade is answered that much later. Unlike ws, which spent the time on
  // the event loop, only this request waits.
  bool quadratic_subprotocol_split = false;
  // A Sec-WebSocket-Extensions header that names an Object.prototype property (constructor,
  // __proto__, toString, ...) as an extension or a parameter aborts the process (ws before 3.3.1,
  // GHSA-5v72-xg48-5rpm).
  bool crash_on_prototype_extension_name = false;
  // WebSocket messages have no size limit: a message past maxPayload is read whole and handed on
  // (ws before 1.1.1 had no default maxPayload, CVE-2016-10542).
  bool no_websocket_message_limit = false;
  // Every fragment of a message is kept as a part of its own; past 512 parts of one message the
  // process runs out of its budget and aborts (ws before 8.21.0 ran out of memory on a stream of
  // tiny fragments, CVE-2026-48779; 8.21.0 closes with 1008 past 131072 fragments).
  bool crash_on_many_fragments = false;
  // An invalid frame (a reserved bit, a reserved opcode, no mask) that came in the same read as
  // the upgrade request of a new session (no sid) aborts the process: engine.io before 6.1.1 let
  // ws parse those bytes before any error handler was attached (CVE-2022-21676).
  bool crash_on_early_invalid_frame = false;
  // An upgrade request (Connection: Upgrade, any protocol) for a path no handler serves is left
  // unanswered and ended after a second; when the client has reset the connection by then, the
  // error has no handler and the process aborts: engine.io's attach() destroyed such upgrades
  // without an 'error' listener before 6.2.1 / 3.6.1 (CVE-2022-41940).
  bool crash_on_reset_foreign_upgrade = false;

  friend bool operator==(const Quirks&, const Quirks&) = default;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;  // 0 picks a free port
  std::optional<TlsFiles> tls;
  std::size_t max_connections = 20'000;           // further connections are closed at once
  std::size_t max_header_bytes = 16 * 1024;       // request line + headers; past it: 431
  std::size_t max_websocket_message = 1'000'000;  // past it the WebSocket is closed with 1009
  std::chrono::seconds idle_timeout{60};          // keep-alive idle, header and body reads, writes
  // permessage-deflate, when the client offers it. Smaller messages, and those sent with
  // compress=false, go uncompressed.
  bool per_message_deflate = true;
  std::size_t deflate_threshold = 1024;
  Quirks quirks;  // other servers' bugs, on purpose (all off by default)
};

using RequestHandler =
    std::function<void(const engine::HttpRequest&, std::shared_ptr<engine::HttpExchange>)>;
using LogFn = std::function<void(std::string_view)>;

class Server {
 public:
  explicit Server(ServerOptions options, LogFn log = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Timers and posted work on the server's thread, for the engines.
  engine::Scheduler& scheduler();

  // Requests whose path starts with `prefix` go to `handler` (the longest prefix wins).
  void mount(std::string prefix, RequestHandler handler);

  // Binds and listens. Returns the port (the one picked when the options say 0). Throws
  // std::runtime_error naming the address and the reason when that fails, or when the TLS files
  // cannot be loaded.
  std::uint16_t listen();
  std::string scheme() const;  // "http" or "https"

  // Runs the event loop on this thread until stop() or shutdown() finishes.
  void run();
  // Calls `fn` on the server thread when SIGINT or SIGTERM arrives.
  void on_signal(std::function<void(int)> fn);
  // Stops accepting, then stops the loop once every connection has ended or `grace` has passed.
  void shutdown(std::chrono::milliseconds grace);
  // Stops the loop now.
  void stop();

  std::size_t connection_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sio::net
