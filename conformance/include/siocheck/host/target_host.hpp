// The target of a run, for every checker: a base URL, a command siocheck launches on a free port,
// or an embedded server that the program plugs in (the siocheck CLI plugs in its reference
// server; the checking libraries never see it). Opening a target checks that it answers an
// Engine.IO handshake; a launched target that dies is reported with its exit status and last
// output, and can be restarted.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
  // Readiness is a handshake on the Engine.IO path, or on the Socket.IO path (apps such as the
  // signaling app serve no Engine.IO echo).
  bool probe_sio = false;
  // Neither target nor launch: the embedded server, when the program offers one.
  EmbeddedFactory embedded;
  EmbeddedSettings embedded_settings;
};

class Launched;

class TargetHost {
 public:
  TargetHost();
  ~TargetHost();
  TargetHost(const TargetHost&) = delete;
  TargetHost& operator=(const TargetHost&) = delete;

  // Starts or checks the target. On failure: false, with `error` for the user (exit 2). `tool`
  // names the command in messages ("siocheck conform: ...").
  bool open(const TargetOptions& options, std::string_view tool, std::string& error);
  const Target& target() const noexcept { return target_; }
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
  bool launch(std::string& error);

  TargetOptions options_;
  std::string tool_;
  Target target_;
  std::unique_ptr<EmbeddedServer> embedded_;
  std::unique_ptr<Launched> launched_;
};

// http(s)://host:port[/] into `target` (host, port, tls). On error: false, and why.
bool parse_base_url(const std::string& url, Target& target, std::string& error);

}  // namespace conform::host
