// The target of a run, for every checker: a base URL, a command siocheck launches on a free port,
// or an embedded server that the program plugs in (the siocheck CLI plugs in its reference
// server; the checking libraries never see it). Opening a target checks that it answers an
// Engine.IO handshake; a launched target that dies is reported with its exit status and last
// output, and can be restarted.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "siocheck/codec/codec.hpp"
#include "siocheck/driver/driver.hpp"

namespace conform::host {

// What an embedded server is asked to be.
struct EmbeddedSettings {
  // Its heartbeat (the fixture contract's 300/200 ms when absent); runs that are not about the
  // heartbeat ask for a long one, so that a busy machine cannot fail a client.
  std::optional<std::pair<int, int>> heartbeat_ms;
  // Deliberate bugs to switch on, by name (the program has checked the names).
  std::vector<std::string> faults;
};

// A server running inside this process, on a thread of its own.
class EmbeddedServer {
 public:
  virtual ~EmbeddedServer() = default;
  // Binds a free port on 127.0.0.1 and starts serving; returns the port. Throws
  // std::runtime_error saying why when it cannot.
  virtual std::uint16_t start() = 0;
  virtual std::string url() const = 0;
  // Shuts down and waits for the server's thread.
  virtual void stop() = 0;
  // The server is stuck (a hang it was asked for): leave it behind instead of waiting for it.
  virtual void abandon() = 0;
};
using EmbeddedFactory = std::function<std::unique_ptr<EmbeddedServer>(const EmbeddedSettings&)>;

struct TargetOptions {
  std::optional<std::string> target;  // a base URL: http(s)://host:port
  std::optional<std::string> launch;  // a command with {port}
  std::string eio_path = "/engine.io/";
  std::string sio_path = "/socket.io/";
  bool insecure = false;
  std::string ca_file;  // PEM certificates to trust, for a self-signed target
  // Readiness is a handshake on the Engine.IO path, or on the Socket.IO path (a run that needs no
  // Engine.IO echo: Socket.IO cases only, or an app such as the signaling app).
  bool probe_sio = false;
  // How long a launched target has to answer (or to print its `listening URL` line).
  std::chrono::milliseconds launch_timeout{30'000};
  // Neither target nor launch: the embedded server, when the program offers one.
  EmbeddedFactory embedded;
  EmbeddedSettings embedded_settings;
};

class Launched;

// Why a target could not be opened: a usage error (a bad URL, no {port}) or a target that is
// there but unreachable, or not an Engine.IO / Socket.IO server. Commands exit 2 and 3.
enum class OpenError { none, usage, unreachable };

// What a handshake on the target said.
struct Probe {
  enum class Kind { engine_io, not_engine_io, certificate, no_answer } kind = Kind::no_answer;
  std::string why;             // for all but engine_io: what came instead, for people
  codec::Handshake handshake;  // for engine_io: the open packet
  bool ok() const noexcept { return kind == Kind::engine_io; }
};
// A polling handshake on `path` within `timeout`; the session it opens is closed again.
Probe probe(const Target& target, const std::string& path, Ms timeout);

class TargetHost {
 public:
  TargetHost();
  ~TargetHost();
  TargetHost(const TargetHost&) = delete;
  TargetHost& operator=(const TargetHost&) = delete;

  // Starts or checks the target. On failure: the kind of error, with `error` for the user.
  // `tool` names the command in messages ("siocheck conform: ...").
  OpenError open(const TargetOptions& options, std::string_view tool, std::string& error);
  const Target& target() const noexcept { return target_; }
  // The path readiness and liveness probe (the Engine.IO or the Socket.IO path).
  const std::string& probe_path() const noexcept;
  // The open packet of the handshake that found the target ready.
  const codec::Handshake& handshake() const noexcept { return handshake_; }
  bool embedded() const noexcept { return embedded_ != nullptr; }
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
  OpenError launch(std::string& error);

  TargetOptions options_;
  std::string tool_;
  Target target_;
  std::unique_ptr<EmbeddedServer> embedded_;
  std::unique_ptr<Launched> launched_;
  codec::Handshake handshake_;
};

// http(s)://host:port[/] into `target` (host, port, tls). On error: false, and why.
bool parse_base_url(const std::string& url, Target& target, std::string& error);

}  // namespace conform::host
