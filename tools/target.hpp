// The target of a run (`conform`, `scenario`): a base URL, a command siocheck launches on a free
// port, or the embedded reference server. Opening it checks that it answers an Engine.IO
// handshake; a launched target that dies is reported with its exit status and last output.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "../conformance/src/driver.hpp"
#include "../conformance/src/suite.hpp"
#include "sio/faults.hpp"

namespace sio::serve {
class FixtureServer;
}

namespace siocheck {

struct TargetOptions {
  std::optional<std::string> target;  // a base URL: http(s)://host:port
  std::optional<std::string> launch;  // a command with {port}
  std::string eio_path = "/engine.io/";
  std::string sio_path = "/socket.io/";
  bool insecure = false;
  // Readiness is a handshake on the Engine.IO path, or on the Socket.IO path (apps such as the
  // signaling app serve no Engine.IO echo).
  bool probe_sio = false;
  // The embedded server's heartbeat (the fixture's 300/200 ms when absent); runs that are not
  // about the heartbeat give it a long one, so that a busy machine cannot fail a client.
  std::optional<std::pair<int, int>> embedded_heartbeat_ms;
  // Deliberate bugs switched on in the embedded server (sio/faults.hpp), to show that a check
  // catches them; only for the embedded server.
  sio::Faults embedded_faults;
};

class Launched;

class TargetHost {
 public:
  TargetHost();
  ~TargetHost();
  TargetHost(const TargetHost&) = delete;
  TargetHost& operator=(const TargetHost&) = delete;

  // Starts or checks the target. On failure: false, with `error` for the user (exit 2).
  bool open(const TargetOptions& options, std::string_view tool, std::string& error);
  const conform::Target& target() const noexcept { return target_; }
  // Stops what open() started (also done by the destructor).
  void stop();

  // A --launch target: whether its process still runs, how it ended (exit status and last
  // output), and a fresh start of the same command on a new port (target() changes).
  bool launched() const noexcept { return launched_ != nullptr; }
  bool launched_alive();
  std::string launched_end();
  bool restart(std::string& error);
  // The embedded server is stuck: leave it behind at exit instead of waiting for it.
  void abandon();

 private:
  bool launch(std::string& error);

  TargetOptions options_;
  std::string tool_;
  conform::Target target_;
  std::unique_ptr<sio::serve::FixtureServer> embedded_;
  std::thread embedded_thread_;
  std::unique_ptr<Launched> launched_;
};

// Fixture level discovery: ctl:rooms on "/" is answered only at level extended.
std::string discover_level(const conform::Target& target, conform::Ms timeout);

}  // namespace siocheck
