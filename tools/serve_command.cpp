// `siocheck serve`: its options.
#include <map>

#include "commands.hpp"
#include "flags.hpp"
#include "serve.hpp"

namespace siocheck::cli {

namespace {

constexpr long kDay = 86'400'000L;

void add_timing(CLI::App* cmd, ServeFlags& f) {
  cmd->add_option("--ping-interval", f.ping_interval_ms, "Milliseconds between server pings")
      ->check(CLI::Range(1L, kDay))
      ->capture_default_str();
  cmd->add_option("--ping-timeout", f.ping_timeout_ms,
                  "Milliseconds to wait for a pong before closing")
      ->check(CLI::Range(1L, kDay))
      ->capture_default_str();
  cmd->add_option("--upgrade-timeout", f.upgrade_timeout_ms,
                  "Milliseconds a probe WebSocket has to complete the upgrade")
      ->check(CLI::Range(1L, kDay))
      ->capture_default_str();
  cmd->add_option("--shutdown-timeout", f.shutdown_timeout_ms,
                  "Milliseconds SIGINT/SIGTERM waits for every session to receive its close before "
                  "the server stops anyway")
      ->check(CLI::Range(0L, 600'000L))
      ->capture_default_str();
  cmd->add_option("--connect-timeout", f.connect_timeout_ms,
                  "Milliseconds a Socket.IO client has to join a namespace before it is closed")
      ->check(CLI::Range(1L, kDay))
      ->capture_default_str();
}

void add_limits(CLI::App* cmd, ServeFlags& f) {
  auto& s = f.serve;
  cmd->add_option("--max-payload", s.engine.max_payload,
                  "Largest POST body or WebSocket message in bytes (advertised as maxPayload); "
                  "larger POSTs get 413, larger WebSocket messages close it with 1009")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30))
      ->capture_default_str();
  cmd->add_option("--max-sessions", s.engine.max_sessions,
                  "Open sessions at most; further handshakes get 403 (code 4)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}))
      ->capture_default_str();
  cmd->add_option("--max-queued-bytes", s.engine.max_queued_bytes,
                  "Bytes waiting to be sent to one session at most; past it the session is closed "
                  "(transport error)")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 34))
      ->capture_default_str();
  cmd->add_option("--max-connections", s.net.max_connections,
                  "Open TCP connections at most; further ones are closed at once")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}))
      ->capture_default_str();
  cmd->add_option("--max-attachments", s.sio.max_attachments,
                  "Binary attachments per Socket.IO packet at most; more close the connection")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000}))
      ->capture_default_str();
}

void add_apps(CLI::App* cmd, ServeFlags& f) {
  const std::map<std::string, sio::apps::FixtureLevel> levels{
      {"official", sio::apps::FixtureLevel::official},
      {"extended", sio::apps::FixtureLevel::extended}};
  auto* level = cmd->add_option_function<std::string>(
      "--fixture-level", [&f, levels](const std::string& word) { f.level = levels.at(word); },
      "The Socket.IO fixture on /socket.io/: official (the official test suite's server) or "
      "extended (adds /auth, /dyn-N and the ctl:* control events; see conformance/FIXTURE.md)");
  level->check(CLI::IsMember({"official", "extended"}))->default_str("extended");
  const std::map<std::string, sio::serve::App> apps{{"fixture", sio::serve::App::fixture},
                                                    {"signaling", sio::serve::App::signaling}};
  add_enum_option(cmd, "--app", f.serve.app, apps,
                  "What /socket.io/ serves: fixture (conformance/FIXTURE.md) or signaling (the "
                  "WebRTC signaling app of scenarios/SIGNALING.md, with its demo page on /)",
                  "fixture");
  cmd->add_option_function<std::string>(
      "--static-dir", [&f](const std::string& v) { f.static_dir = v; },
      "With --app signaling: the folder of the demo page's index.html (default: "
      "share/siocheck/scenarios/signaling of the installation that holds this binary, or "
      "scenarios/signaling of the checkout that built it)");
  cmd->add_option_function<std::string>(
      "--client-bundle", [&f](const std::string& v) { f.client_bundle = v; },
      "With --app signaling: the socket.io-client browser bundle served as /socket.io.min.js "
      "(default: the one installed beside the demo page, or "
      "node_modules/socket.io-client/dist/socket.io.min.js of the checkout)");
}

void add_network(CLI::App* cmd, ServeFlags& f) {
  auto& s = f.serve;
  cmd->add_option("--host", s.net.host, "Address to bind (an IP address or a host name)")
      ->capture_default_str();
  cmd->add_option("--port", f.port,
                  "Port to bind, from 0 to 65535; 0 picks a free one (see the 'listening' line)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--eio-path", s.engine.path, "Path of the Engine.IO endpoint")
      ->capture_default_str();
  cmd->add_option("--sio-path", s.sio_path, "Path of the Socket.IO endpoint")
      ->capture_default_str();
  cmd->add_flag("--per-message-deflate,!--no-per-message-deflate", f.deflate,
                "Compress WebSocket messages of 1024 bytes or more when the client offers "
                "permessage-deflate (on by default)");
  cmd->add_option("--cors", f.cors,
                  "Allowed origins: '*' (any), 'none' (no CORS headers), or a comma-separated list "
                  "such as 'https://app.example,http://localhost:8080'")
      ->capture_default_str();
  auto* cert = cmd->add_option("--tls-cert", f.tls_cert, "PEM certificate chain: serve https/wss")
                   ->check(CLI::ExistingFile);
  auto* key = cmd->add_option("--tls-key", f.tls_key, "PEM private key for --tls-cert")
                  ->check(CLI::ExistingFile);
  cert->needs(key);
  key->needs(cert);
}

void add_diagnostics(CLI::App* cmd, ServeFlags& f) {
  cmd->add_option("--fault", f.faults,
                  "Switch on a deliberate protocol bug (repeatable), to prove that a test suite "
                  "catches it; see --list-faults");
  cmd->add_flag("--list-faults", f.list_faults,
                "List the fault catalogue and the cases each must fail, and stop");
  cmd->add_flag("--json", f.faults_as_json, "With --list-faults: print the catalogue as JSON");
  const std::map<std::string, sio::serve::Verbosity> levels{
      {"off", sio::serve::Verbosity::off},
      {"info", sio::serve::Verbosity::info},
      {"debug", sio::serve::Verbosity::debug}};
  add_enum_option(cmd, "--log", f.serve.verbosity, levels,
                  "Log level on stderr: off, info (session open/close) or debug", "info");
}

}  // namespace

Command add_serve(CLI::App& app) {
  auto flags = std::make_shared<ServeFlags>();
  auto* cmd = app.add_subcommand(
      "serve",
      "Run the reference server: the Engine.IO echo fixture on /engine.io/ and the Socket.IO "
      "fixture (conformance/FIXTURE.md) on /socket.io/, with the official test suites' settings; "
      "or, with --app signaling, the WebRTC signaling app (scenarios/SIGNALING.md) and its demo "
      "page.");
  cmd->footer(
      "/engine.io/ sends every message back unchanged, text as text and binary as binary.\n"
      "/socket.io/ answers the official contract (auth, message-back, message-with-ack, Invalid "
      "namespace) and, at level extended, /auth, /dyn-N and the ctl:* control events.\n"
      "--app signaling: /socket.io/ is the signaling app; GET / is the demo page (open it in two "
      "tabs with ?room=NAME) and /socket.io.min.js the socket.io-client browser bundle.\n"
      "Prints 'listening http://HOST:PORT' on stdout when ready (--port 0 picks the port); logs go "
      "to stderr. SIGINT/SIGTERM close every session and stop; a second signal stops at once.");
  add_network(cmd, *flags);
  add_timing(cmd, *flags);
  add_limits(cmd, *flags);
  add_apps(cmd, *flags);
  add_diagnostics(cmd, *flags);
  return {cmd, [flags] { return run_serve(*flags); }};
}

}  // namespace siocheck::cli
