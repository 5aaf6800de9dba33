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
