// The composed reference server: the Engine.IO echo on /engine.io/ and, on /socket.io/, the
// Socket.IO fixture of conformance/FIXTURE.md (or with App::signaling the signaling app of
// scenarios/SIGNALING.md and its demo page on /), on one port of the Beast glue. `siocheck serve`
// runs it in the foreground; `siocheck conform` and the other commands run it on a thread of their
// own when no target is given.
//
//   auto options = sio::serve::fixture_defaults();
//   options.net.port = 0;                                   // a free port
//   sio::serve::FixtureServer server(std::move(options));
//   const auto port = server.listen();
//   server.run();                                           // until shutdown()
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sio/apps/sio_fixture.hpp"
#include "sio/engine/engine.hpp"
#include "sio/faults.hpp"
#include "sio/net/server.hpp"
#include "sio/serve/log.hpp"
#include "sio/server/server.hpp"

namespace sio::serve {

// What /socket.io/ serves.
enum class App { fixture, signaling };

// A file served as is on GET of its exact path.
struct StaticFile {
  std::string path;  // "/index.html"
  std::string content_type;
  std::string body;
};

struct ServeOptions {
  sio::net::ServerOptions net;
  sio::engine::Config engine;  // /engine.io/; /socket.io/ uses the same settings at sio_path
  std::string sio_path = "/socket.io/";
  sio::server::Options sio;
  App app = App::fixture;
  sio::apps::FixtureLevel level = sio::apps::FixtureLevel::extended;  // App::fixture
  // Served on every other path (404 for those not listed): the signaling app's demo page.
  std::vector<StaticFile> static_files;
  Verbosity verbosity = Verbosity::info;
  // How long a shutdown waits for sessions to receive their close before stopping anyway.
  std::chrono::milliseconds shutdown_timeout{2000};
  // Deliberate bugs (sio/faults.hpp), to show that a check catches them; none by default. Set
  // these rather than the layers' switches: with any fault on, the constructor replaces
  // engine.quirks and sio.quirks with sio::fault_switches(faults), and arms the fixture's and
  // the composition's own faults.
  sio::Faults faults;
};

// The fixture defaults of conformance/FIXTURE.md.
ServeOptions fixture_defaults();

class FixtureServer {
 public:
  explicit FixtureServer(ServeOptions options);
  ~FixtureServer();
  FixtureServer(const FixtureServer&) = delete;
  FixtureServer& operator=(const FixtureServer&) = delete;

  // Binds (throws std::runtime_error naming the address on failure); returns the port.
  std::uint16_t listen();
  std::string url() const;
  // Runs the event loop on the calling thread until the server stops.
  void run();
  // From any thread: closes every session, then stops once they have their close (or the
  // shutdown timeout passes).
  void shutdown();
  // Shuts down on SIGINT/SIGTERM (a second signal stops at once).
  void shutdown_on_signals();

 private:
  struct Parts;
  ServeOptions options_;
  std::unique_ptr<Parts> parts_;
  std::uint16_t port_ = 0;
};

}  // namespace sio::serve
