#include "serve.hpp"

#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>
#include <vector>

#include "eio_echo.hpp"

namespace siocheck {
namespace {

// Waits (on the server's thread) until every session has been told it is closed, or the deadline
// passes, then stops the server. Until then the server keeps accepting, so a polling client's next
// GET still arrives and receives its close packet; new handshakes get 403.
void stop_when_drained(sio::net::Server& server,
                       const std::vector<const sio::engine::Engine*>& engines,
                       sio::engine::Clock::time_point deadline) {
  std::size_t sessions = 0;
  for (const auto* engine : engines)
    sessions += engine->session_count();
  if (sessions == 0 || server.scheduler().now() >= deadline) {
    server.shutdown(std::chrono::milliseconds(500));
    return;
  }
  server.scheduler().start_timer(sio::engine::Duration(10), [&server, engines, deadline] {
    stop_when_drained(server, engines, deadline);
  });
}

std::string level_name(sio::apps::FixtureLevel level) {
  return level == sio::apps::FixtureLevel::official ? "official" : "extended";
}

}  // namespace

int run_serve(ServeOptions options) {
  const Verbosity verbosity = options.verbosity;
  auto log_sink = [verbosity](sio::engine::LogLevel level, std::string_view text) {
    if (verbosity == Verbosity::off) return;
    if (level == sio::engine::LogLevel::debug && verbosity != Verbosity::debug) return;
    log_line(level == sio::engine::LogLevel::debug ? "debug" : "info", text);
  };
  options.net.max_websocket_message = options.engine.max_payload;

  sio::net::Server server(options.net, [verbosity](std::string_view text) {
    if (verbosity != Verbosity::off) log_line("warn", text);
  });

  // /engine.io/: the Engine.IO echo fixture.
  sio::apps::EioEcho echo;
  sio::engine::Engine eio(options.engine, server.scheduler(), echo, log_sink);
  server.mount(options.engine.path, [&eio](const sio::engine::HttpRequest& request,
                                           std::shared_ptr<sio::engine::HttpExchange> exchange) {
    eio.handle_request(request, std::move(exchange));
  });

  // /socket.io/: the Socket.IO fixture on an engine of its own, with the same settings.
  options.sio.log = log_sink;
  sio::server::Server io(server.scheduler(), options.sio);
  auto sio_config = options.engine;
  sio_config.path = options.sio_path;
  sio::engine::Engine sio_engine(sio_config, server.scheduler(), io, log_sink);
  io.attach(sio_engine);
  sio::apps::SioFixture fixture(io, options.level);
  server.mount(options.sio_path,
               [&sio_engine](const sio::engine::HttpRequest& request,
                             std::shared_ptr<sio::engine::HttpExchange> exchange) {
                 sio_engine.handle_request(request, std::move(exchange));
               });

  std::uint16_t port = 0;
  try {
    port = server.listen();
  } catch (const std::exception& e) {
    std::cerr << "siocheck serve: " << e.what() << "\n";
    return 2;
  }
  server.on_signal([&](int signal) {
    log_sink(sio::engine::LogLevel::info,
             std::string("shutting down (") + (signal == SIGINT ? "SIGINT" : "SIGTERM") + ")");
    io.close();  // every socket leaves with "server shutting down"
    eio.shutdown();
    stop_when_drained(server, {&eio, &sio_engine},
                      server.scheduler().now() + options.shutdown_timeout);
  });

  const auto host = options.net.host.find(':') != std::string::npos ? "[" + options.net.host + "]"
                                                                    : options.net.host;
  std::printf("listening %s://%s:%u\n", server.scheme().c_str(), host.c_str(),
              static_cast<unsigned>(port));
  std::fflush(stdout);
  log_sink(sio::engine::LogLevel::info, "serving the Engine.IO echo on " + options.engine.path +
                                            " and the Socket.IO fixture (level " +
                                            level_name(options.level) + ") on " + options.sio_path);
  server.run();
  log_sink(sio::engine::LogLevel::info, "stopped");
  return 0;
}

}  // namespace siocheck
