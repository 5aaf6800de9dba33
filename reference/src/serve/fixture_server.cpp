#include "sio/serve/fixture_server.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <optional>
#include <thread>
#include <vector>

#include "sio/apps/eio_echo.hpp"
#include "sio/apps/signaling.hpp"

namespace sio::serve {

namespace {

std::string level_name(sio::apps::FixtureLevel level) {
  return level == sio::apps::FixtureLevel::official ? "official" : "extended";
}

// GET of a listed path answers the file; another method 405; any other path 404.
void serve_static(const std::vector<StaticFile>& files, const sio::engine::HttpRequest& request,
                  sio::engine::HttpExchange& exchange) {
  const auto path = request.target.substr(0, request.target.find('?'));
  const auto file = std::find_if(files.begin(), files.end(),
                                 [&path](const StaticFile& f) { return f.path == path; });
  sio::engine::HttpResponse response;
  if (file == files.end()) {
    response.status = 404;
    response.body = "not found: " + path + "\n";
  } else if (request.method != sio::engine::Method::get) {
    response.status = 405;
    response.set("Allow", "GET");
  } else {
    response.set("Content-Type", file->content_type);
    response.set("Cache-Control", "no-cache");
    response.set("X-Content-Type-Options", "nosniff");
    response.body = file->body;
    return exchange.respond(std::move(response));
  }
  response.set("Content-Type", "text/plain; charset=utf-8");
  exchange.respond(std::move(response));
}

// The hang-on-trailing-separator fault: a POST body that ends with the record separator stops the
// event loop for good, as a payload decoder that loops on an empty last record would.
class HangOnTrailingSeparator final : public sio::engine::HttpExchange {
 public:
  explicit HangOnTrailingSeparator(std::shared_ptr<sio::engine::HttpExchange> inner)
      : inner_(std::move(inner)) {}

  void respond(sio::engine::HttpResponse response) override {
    inner_->respond(std::move(response));
  }
  void read_body(std::size_t limit,
                 std::function<void(sio::engine::BodyStatus, std::string)> done) override {
    inner_->read_body(limit,
                      [done = std::move(done)](sio::engine::BodyStatus status, std::string body) {
                        if (status == sio::engine::BodyStatus::complete && body.ends_with('\x1e'))
                          for (;;)
                            std::this_thread::sleep_for(std::chrono::hours(1));
                        done(status, std::move(body));
                      });
  }
  void on_abort(std::function<void()> fn) override { inner_->on_abort(std::move(fn)); }
  std::shared_ptr<sio::engine::WsChannel> accept_websocket(
      std::shared_ptr<sio::engine::WsHandler> handler) override {
    return inner_->accept_websocket(std::move(handler));
  }

 private:
  std::shared_ptr<sio::engine::HttpExchange> inner_;
};

// Hands the engine its requests, through the composition's own fault when it is on.
sio::net::RequestHandler engine_mount(sio::engine::Engine& engine, bool hang_on_separator) {
  return [&engine, hang_on_separator](const sio::engine::HttpRequest& request,
                                      std::shared_ptr<sio::engine::HttpExchange> exchange) {
    if (hang_on_separator)
      exchange = std::make_shared<HangOnTrailingSeparator>(std::move(exchange));
    engine.handle_request(request, std::move(exchange));
  };
}

}  // namespace

ServeOptions fixture_defaults() {
  ServeOptions options;
  options.engine.ping_interval = std::chrono::milliseconds(300);
  options.engine.ping_timeout = std::chrono::milliseconds(200);
  options.sio.connect_timeout = std::chrono::milliseconds(1000);
  return options;
}

// Everything the server is made of, in construction order (destroyed in reverse).
struct FixtureServer::Parts {
  Parts(ServeOptions& options, const sio::FaultSwitches& faults)
      : log([verbosity = options.verbosity](sio::engine::LogLevel level, std::string_view text) {
          if (verbosity == Verbosity::off) return;
          if (level == sio::engine::LogLevel::debug && verbosity != Verbosity::debug) return;
          log_line(level == sio::engine::LogLevel::debug ? "debug" : "info", text);
        }),
        net(options.net,
            [verbosity = options.verbosity](std::string_view text) {
              if (verbosity != Verbosity::off) log_line("warn", text);
            }),
        eio(options.engine, net.scheduler(), echo, log),
        io(net.scheduler(), with_log(options.sio, log)),
        sio_engine(with_path(options.engine, options.sio_path), net.scheduler(), io, log),
        static_files(options.static_files) {
    if (options.app == App::signaling)
      signaling.emplace(io);
    else
      fixture.emplace(io, options.level, faults.fixture);
    io.attach(sio_engine);
    net.mount(options.engine.path, engine_mount(eio, faults.hang_on_trailing_separator));
    net.mount(options.sio_path, engine_mount(sio_engine, faults.hang_on_trailing_separator));
    if (!static_files.empty()) {
      net.mount("/", [this](const sio::engine::HttpRequest& request,
                            std::shared_ptr<sio::engine::HttpExchange> exchange) {
        serve_static(static_files, request, *exchange);
      });
    }
  }

  static sio::server::Options with_log(sio::server::Options options, sio::engine::LogSink sink) {
    options.log = std::move(sink);
    return options;
  }
  static sio::engine::Config with_path(sio::engine::Config config, std::string path) {
    config.path = std::move(path);
    return config;
  }

  // Waits until every session has been told it is closed, or the deadline passes, then stops. Until
  // then the server keeps accepting, so a polling client's next GET still gets its close packet.
  void stop_when_drained(sio::engine::Clock::time_point deadline) {
    if (eio.session_count() + sio_engine.session_count() == 0 ||
        net.scheduler().now() >= deadline) {
      net.shutdown(std::chrono::milliseconds(500));
      return;
    }
    net.scheduler().start_timer(sio::engine::Duration(10),
                                [this, deadline] { stop_when_drained(deadline); });
  }

  sio::engine::LogSink log;
  sio::net::Server net;
  sio::apps::EioEcho echo;
  sio::engine::Engine eio;
  sio::server::Server io;
  sio::engine::Engine sio_engine;
  std::vector<StaticFile> static_files;
  std::optional<sio::apps::SioFixture> fixture;   // App::fixture
  std::optional<sio::apps::Signaling> signaling;  // App::signaling
};

FixtureServer::FixtureServer(ServeOptions options) : options_(std::move(options)) {
  options_.net.max_websocket_message = options_.engine.max_payload;
  const auto faults = sio::fault_switches(options_.faults);
  if (options_.faults.any()) {
    options_.engine.quirks = faults.engine;
    options_.sio.quirks = faults.server;
    options_.net.quirks = faults.net;
  }
  parts_ = std::make_unique<Parts>(options_, faults);
}

FixtureServer::~FixtureServer() = default;

std::uint16_t FixtureServer::listen() {
  port_ = parts_->net.listen();
  return port_;
}

std::string FixtureServer::url() const {
  const auto& host = options_.net.host;
  const auto shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return parts_->net.scheme() + "://" + shown + ":" + std::to_string(port_);
}

void FixtureServer::run() {
  const auto app = options_.app == App::signaling
                       ? "the signaling app (scenarios/SIGNALING.md) on " + options_.sio_path +
                             " and its demo page on /"
                       : "the Socket.IO fixture (level " + level_name(options_.level) + ") on " +
                             options_.sio_path;
  parts_->log(sio::engine::LogLevel::info,
              "serving the Engine.IO echo on " + options_.engine.path + " and " + app);
  parts_->net.run();
  parts_->log(sio::engine::LogLevel::info, "stopped");
}

void FixtureServer::shutdown() {
  parts_->net.scheduler().post([this] {
    parts_->io.close();  // every socket leaves with "server shutting down"
    parts_->eio.shutdown();
    parts_->stop_when_drained(parts_->net.scheduler().now() + options_.shutdown_timeout);
  });
}

void FixtureServer::shutdown_on_signals() {
  parts_->net.on_signal([this](int signal) {
    parts_->log(sio::engine::LogLevel::info,
                std::string("shutting down (") + (signal == SIGINT ? "SIGINT" : "SIGTERM") + ")");
    shutdown();
  });
}

}  // namespace sio::serve
