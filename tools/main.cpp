// The siocheck command line: one binary, one subcommand per product. CLI11 lives in this file only.
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "conform.hpp"
#include "decode.hpp"
#include "fuzz.hpp"
#include "model.hpp"
#include "scenario.hpp"
#include "serve.hpp"

#ifndef SIOCHECK_VERSION
#define SIOCHECK_VERSION "0.0.0"
#endif

namespace {

constexpr int kUsageError = 2;

// Parses --cors: "*" (any origin), "none" (no CORS headers), or a comma-separated origin list.
bool parse_cors(const std::string& text, sio::engine::CorsConfig& cors, std::string& error) {
  if (text == "*") {
    cors.mode = sio::engine::CorsConfig::Mode::any;
    return true;
  }
  if (text == "none") {
    cors.mode = sio::engine::CorsConfig::Mode::off;
    return true;
  }
  cors.mode = sio::engine::CorsConfig::Mode::list;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto origin =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!(origin.starts_with("http://") || origin.starts_with("https://")) ||
        origin.ends_with("/")) {
      error = "'" + origin +
              "' is not an origin; write '*', 'none', or origins like "
              "'https://app.example,http://localhost:8080' (scheme://host[:port], no path)";
      return false;
    }
    cors.origins.push_back(origin);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"siocheck " SIOCHECK_VERSION
               ": a Socket.IO compatibility kit.\n"
               "A reference Engine.IO v4 / Socket.IO v5 server and the tools that check other "
               "servers over the wire."};
  app.set_version_flag("--version", SIOCHECK_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  siocheck serve --port 3000                 the reference server, fixture settings\n"
      "  siocheck conform --target http://127.0.0.1:3000   grade a Socket.IO server\n"
      "  siocheck model --runs 1000                 rooms and broadcasts against a model\n"
      "  siocheck decode '4hello\\x1e2' --escapes    what a polling payload holds\n"
      "Run 'siocheck COMMAND --help' for the options of each command.");

  // ---- serve ----
  sio::serve::ServeOptions serve;
  serve.engine.ping_interval = std::chrono::milliseconds(300);
  serve.engine.ping_timeout = std::chrono::milliseconds(200);
  std::string cors_text = "*";
  std::string log_text = "info";
  std::string tls_cert;
  std::string tls_key;
  long ping_interval = 300;
  long ping_timeout = 200;
  long upgrade_timeout = 10000;
  long shutdown_timeout = 2000;
  long connect_timeout = 1000;
  std::vector<std::string> fault_names;
  bool list_faults = false;
  bool faults_as_json = false;
  std::string level_text = "extended";
  std::string app_text = "fixture";
  siocheck::DemoPaths demo;
  bool deflate = true;
  auto* serve_cmd = app.add_subcommand(
      "serve",
      "Run the reference server: the Engine.IO echo fixture on /engine.io/ and the Socket.IO "
      "fixture (conformance/FIXTURE.md) on /socket.io/, with the official test suites' settings; "
      "or, with --app signaling, the WebRTC signaling app (scenarios/SIGNALING.md) and its demo "
      "page.");
  serve_cmd->footer(
      "/engine.io/ sends every message back unchanged, text as text and binary as binary.\n"
      "/socket.io/ answers the official contract (auth, message-back, message-with-ack, Invalid "
      "namespace) and, at level extended, /auth, /dyn-N and the ctl:* control events.\n"
      "--app signaling: /socket.io/ is the signaling app; GET / is the demo page (open it in two "
      "tabs with ?room=NAME) and /socket.io.min.js the socket.io-client browser bundle.\n"
      "Prints 'listening http://HOST:PORT' on stdout when ready (--port 0 picks the port); logs go "
      "to stderr. SIGINT/SIGTERM close every session and stop; a second signal stops at once.");
  serve_cmd->add_option("--host", serve.net.host, "Address to bind (an IP address or a host name)")
      ->capture_default_str();
  serve_cmd
      ->add_option("--port", serve.net.port,
                   "Port to bind; 0 picks a free one (see the 'listening' line)")
      ->capture_default_str();
  serve_cmd->add_option("--ping-interval", ping_interval, "Milliseconds between server pings")
      ->check(CLI::Range(1L, 86'400'000L))
      ->capture_default_str();
  serve_cmd
      ->add_option("--ping-timeout", ping_timeout, "Milliseconds to wait for a pong before closing")
      ->check(CLI::Range(1L, 86'400'000L))
      ->capture_default_str();
  serve_cmd
      ->add_option("--upgrade-timeout", upgrade_timeout,
                   "Milliseconds a probe WebSocket has to complete the upgrade")
      ->check(CLI::Range(1L, 86'400'000L))
      ->capture_default_str();
  serve_cmd
      ->add_option(
          "--shutdown-timeout", shutdown_timeout,
          "Milliseconds SIGINT/SIGTERM waits for every session to receive its close before "
          "the server stops anyway")
      ->check(CLI::Range(0L, 600'000L))
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-payload", serve.engine.max_payload,
                   "Largest POST body or WebSocket message in bytes (advertised as maxPayload); "
                   "larger POSTs get 413, larger WebSocket messages close it with 1009")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30))
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-sessions", serve.engine.max_sessions,
                   "Open sessions at most; further handshakes get 403 (code 4)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}))
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-queued-bytes", serve.engine.max_queued_bytes,
                   "Bytes waiting to be sent to one session at most; past it the session is closed "
                   "(transport error)")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 34))
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-connections", serve.net.max_connections,
                   "Open TCP connections at most; further ones are closed at once")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}))
      ->capture_default_str();
  serve_cmd->add_option("--eio-path", serve.engine.path, "Path of the Engine.IO endpoint")
      ->capture_default_str();
  serve_cmd->add_option("--sio-path", serve.sio_path, "Path of the Socket.IO endpoint")
      ->capture_default_str();
  serve_cmd
      ->add_option("--connect-timeout", connect_timeout,
                   "Milliseconds a Socket.IO client has to join a namespace before it is closed")
      ->check(CLI::Range(1L, 86'400'000L))
      ->capture_default_str();
  serve_cmd
      ->add_option(
          "--fixture-level", level_text,
          "The Socket.IO fixture on /socket.io/: official (the official test suite's server) or "
          "extended (adds /auth, /dyn-N and the ctl:* control events; see conformance/FIXTURE.md)")
      ->check(CLI::IsMember({"official", "extended"}))
      ->capture_default_str();
  serve_cmd
      ->add_option("--app", app_text,
                   "What /socket.io/ serves: fixture (conformance/FIXTURE.md) or signaling (the "
                   "WebRTC signaling app of scenarios/SIGNALING.md, with its demo page on /)")
      ->check(CLI::IsMember({"fixture", "signaling"}))
      ->capture_default_str();
  serve_cmd->add_option("--static-dir", demo.static_dir,
                        "With --app signaling: the folder of the demo page's index.html (default: "
                        "scenarios/signaling of the checkout that holds this binary)");
  serve_cmd->add_option(
      "--client-bundle", demo.client_bundle,
      "With --app signaling: the socket.io-client browser bundle served as /socket.io.min.js "
      "(default: node_modules/socket.io-client/dist/socket.io.min.js of that checkout)");
  serve_cmd
      ->add_option("--max-attachments", serve.sio.max_attachments,
                   "Binary attachments per Socket.IO packet at most; more close the connection")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000}))
      ->capture_default_str();
  serve_cmd->add_option(
      "--fault", fault_names,
      "Switch on a deliberate protocol bug (repeatable), to prove that a test suite catches it; "
      "see --list-faults");
  serve_cmd->add_flag("--list-faults", list_faults,
                      "List the fault catalogue and the cases each must fail, and stop");
  serve_cmd->add_flag("--json", faults_as_json, "With --list-faults: print the catalogue as JSON");
  serve_cmd->add_flag("--per-message-deflate,!--no-per-message-deflate", deflate,
                      "Compress WebSocket messages of 1024 bytes or more when the client offers "
                      "permessage-deflate (on by default)");
  serve_cmd
      ->add_option(
          "--cors", cors_text,
          "Allowed origins: '*' (any), 'none' (no CORS headers), or a comma-separated list "
          "such as 'https://app.example,http://localhost:8080'")
      ->capture_default_str();
  serve_cmd
      ->add_option("--log", log_text,
                   "Log level on stderr: off, info (session open/close) or debug")
      ->check(CLI::IsMember({"off", "info", "debug"}))
      ->capture_default_str();
  auto* cert_opt =
      serve_cmd->add_option("--tls-cert", tls_cert, "PEM certificate chain: serve https/wss")
          ->check(CLI::ExistingFile);
  auto* key_opt = serve_cmd->add_option("--tls-key", tls_key, "PEM private key for --tls-cert")
                      ->check(CLI::ExistingFile);
  cert_opt->needs(key_opt);
  key_opt->needs(cert_opt);

  // ---- conform ----
  siocheck::ConformOptions conform;
  std::string conform_target, conform_launch, known_failing, known_flaky, json_out, junit_out,
      html_out, shard, level;
  int connect_timeout_ms = 0, upgrade_timeout_ms = 0;
  auto* conform_cmd = app.add_subcommand("conform",
                                         "Run the conformance suite against a Socket.IO server (or "
                                         "the embedded reference server) and grade it.");
  conform_cmd->footer(
      "The target runs the fixture of conformance/FIXTURE.md. Verdicts: PASS, NON-STRICT (a SHOULD "
      "broken, or an "
      "allowed alternative), INFORMATIONAL (recorded, not judged), UNIMPLEMENTED (an optional "
      "feature or the "
      "extended fixture level is missing), FAIL.\n"
      "Exit status: 0 no regression, 1 a regression (a FAIL, a NON-STRICT under --strict, or a "
      "stale "
      "--known-failing entry), 2 a usage error or an unreachable target.\n"
      "Examples:\n"
      "  siocheck conform                                   the embedded reference server\n"
      "  siocheck conform --target http://127.0.0.1:3000 --html report.html\n"
      "  siocheck conform --launch 'node server.js --port {port}' --known-failing "
      "known-failing.txt\n"
      "  siocheck conform --list --cases 'sio/acks'         what would run");
  conform_cmd->add_option("--target", conform_target,
                          "Base URL of the server under test: http(s)://HOST:PORT");
  conform_cmd->add_option(
      "--launch", conform_launch,
      "Command that starts the server under test; {port} is replaced by a free port, and the run "
      "starts once it answers a handshake");
  conform_cmd->add_option("--eio-path", conform.eio_path, "Path of the target's Engine.IO echo")
      ->capture_default_str();
  conform_cmd->add_option("--sio-path", conform.sio_path, "Path of the target's Socket.IO fixture")
      ->capture_default_str();
  conform_cmd->add_flag("--insecure", conform.insecure, "Do not verify the https/wss certificate");
  conform_cmd
      ->add_option(
          "--cases", conform.cases,
          "Only these cases: ids, id@variant, globs (* and ?), or an area such as eio/polling")
      ->delimiter(',');
  conform_cmd->add_option("--skip", conform.skip, "Leave out these cases (same forms as --cases)")
      ->delimiter(',');
  conform_cmd->add_flag("--list", conform.list,
                        "List the cases (after --cases/--skip/--shard) and stop");
  conform_cmd
      ->add_option("--jobs", conform.jobs, "Cases run at once (they mostly wait on the network)")
      ->check(CLI::Range(1, 512))
      ->capture_default_str();
  conform_cmd->add_flag("--strict", conform.strict, "A NON-STRICT verdict is a regression too");
  conform_cmd
      ->add_option(
          "--known-failing", known_failing,
          "File of cases expected to fail (id or glob, then '# reason'); a listed case that passes "
          "fails the run as stale")
      ->check(CLI::ExistingFile);
  conform_cmd
      ->add_option("--known-flaky", known_flaky, "File of cases whose verdict never fails the run")
      ->check(CLI::ExistingFile);
  conform_cmd
      ->add_option("--tolerance-ms", conform.tolerance_ms, "Slack added to every timing check")
      ->check(CLI::Range(0, 60'000))
      ->capture_default_str();
  conform_cmd
      ->add_option("--connect-timeout-ms", connect_timeout_ms,
                   "The target's connect timeout, when not the contract's 1000 ms")
      ->check(CLI::Range(1, 3'600'000));
  conform_cmd
      ->add_option("--upgrade-timeout-ms", upgrade_timeout_ms,
                   "The target's upgrade timeout, when not the contract's 10000 ms")
      ->check(CLI::Range(1, 3'600'000));
  conform_cmd
      ->add_option("--level", level,
                   "Skip discovery: the target's fixture level is official or extended")
      ->check(CLI::IsMember({"official", "extended"}));
  conform_cmd->add_flag("--trace", conform.trace, "Print the wire trace of every regression");
  conform_cmd->add_option("--json", json_out,
                          "Write the JSON report (schema siocheck.conform/1) here");
  conform_cmd->add_option("--junit", junit_out, "Write a JUnit XML report here");
  conform_cmd->add_option("--html", html_out, "Write the self-contained HTML report here");
  conform_cmd->add_option("--shard", shard,
                          "Run only shard i of n (e.g. 2/4), for splitting the suite across jobs");

  // ---- scenario ----
  siocheck::ScenarioOptions scenario;
  std::string scenario_target, scenario_launch, scenario_level, scenario_known, scenario_junit;
  auto* scenario_cmd = app.add_subcommand(
      "scenario", "Run YAML multi-client scenario scripts (scenarios/README.md) against a server.");
  scenario_cmd->footer(
      "Each script names its clients and steps; independent scripts run at once. A failure names "
      "file:line:col, the step, the client, expected and observed, with the script's wire trace.\n"
      "Exit status: 0 every script passed or was skipped (the target lacks what it requires), 1 a "
      "script failed (or a --known-failing entry is stale), 2 a usage error, an invalid script or "
      "an unreachable target.\n"
      "Examples:\n"
      "  siocheck scenario scenarios/                        the embedded reference server\n"
      "  siocheck scenario scenarios/chat-room.yaml --target http://127.0.0.1:3000\n"
      "  siocheck scenario scenarios/ --launch 'node server.js --port {port}' --junit out.xml\n"
      "  siocheck scenario --check scenarios/                only check the scripts");
  scenario_cmd->add_option("paths", scenario.paths, "Scripts, or folders of *.yaml scripts")
      ->required();
  scenario_cmd->add_option("--target", scenario_target,
                           "Base URL of the server: http(s)://HOST:PORT");
  scenario_cmd->add_option("--launch", scenario_launch,
                           "Command that starts the server; {port} is replaced by a free port");
  scenario_cmd->add_option("--eio-path", scenario.where.eio_path, "Path of the Engine.IO endpoint")
      ->capture_default_str();
  scenario_cmd->add_option("--sio-path", scenario.where.sio_path, "Path of the Socket.IO endpoint")
      ->capture_default_str();
  scenario_cmd->add_flag("--insecure", scenario.where.insecure,
                         "Do not verify the https/wss certificate");
  scenario_cmd
      ->add_option("--app", scenario.app,
                   "What the target serves: fixture (conformance/FIXTURE.md) or signaling "
                   "(scenarios/SIGNALING.md); scripts that need the other are skipped")
      ->check(CLI::IsMember({"fixture", "signaling"}))
      ->capture_default_str();
  scenario_cmd
      ->add_option("--level", scenario_level,
                   "The fixture level, instead of asking the target: official or extended")
      ->check(CLI::IsMember({"official", "extended"}));
  scenario_cmd->add_option("--feature", scenario.features,
                           "A feature the target has (repeatable): scripts whose requires.features "
                           "names one not given are skipped");
  scenario_cmd->add_option("--jobs", scenario.jobs, "Scripts run at once")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  scenario_cmd->add_flag("--trace", scenario.trace,
                         "Print the whole wire trace of each failure (otherwise its last lines)");
  scenario_cmd->add_flag("--check", scenario.check, "Only read and check the scripts");
  scenario_cmd->add_option("--known-failing", scenario_known,
                           "File of scripts expected to fail (name or path, then '# reason'); a "
                           "listed script that passes fails the run");
  scenario_cmd->add_option("--junit", scenario_junit, "Write a JUnit XML report here");

  // ---- fuzz ----
  siocheck::FuzzOptions fuzz;
  std::string fuzz_target, fuzz_launch;
  auto* fuzz_cmd = app.add_subcommand(
      "fuzz",
      "Fuzz a live Socket.IO server: grammar-built, mutated Engine.IO/Socket.IO traffic over "
      "polling and WebSocket, a liveness probe after every sequence.");
  fuzz_cmd->footer(
      "Each sequence opens one to three sessions, sends events, acks, binary attachments, "
      "namespace changes, raw polling bodies, wrong requests and upgrades, some of them mutated "
      "byte by byte. After it, a new client must complete a handshake, a CONNECT to / and a "
      "message-with-ack round trip within --probe-timeout. Findings: a crash (the process "
      "exited, or connections are refused), a hang (the probe got no answer), a protocol "
      "violation (an HTTP 5xx, an undecodable packet, a packet for a namespace or an ack id the "
      "client never asked for, attachments out of place). Each is confirmed alone, minimised and "
      "written as JSON that `siocheck replay` plays again. The target must serve the fixture "
      "contract (conformance/FIXTURE.md); with --launch a crashed or hung target is restarted.\n"
      "Exit status: 0 no finding, 1 findings, 2 a usage error or an unreachable target.\n"
      "Examples:\n"
      "  siocheck fuzz --duration 60                       the embedded reference server\n"
      "  siocheck fuzz --launch 'node fixture.js --port {port}' --duration 600 --jobs 2\n"
      "  siocheck replay fuzz-findings/crash-*.json --launch 'node fixture.js --port {port}'");
  fuzz_cmd->add_option("--target", fuzz_target, "Base URL of the server: http(s)://HOST:PORT");
  fuzz_cmd->add_option("--launch", fuzz_launch,
                       "Command that starts the server; {port} is replaced by a free port. The "
                       "fuzzer restarts it after a crash or hang");
  fuzz_cmd->add_option("--eio-path", fuzz.where.eio_path, "Path of the Engine.IO endpoint")
      ->capture_default_str();
  fuzz_cmd->add_option("--sio-path", fuzz.where.sio_path, "Path of the Socket.IO endpoint")
      ->capture_default_str();
  fuzz_cmd->add_flag("--insecure", fuzz.where.insecure, "Do not verify the https/wss certificate");
  fuzz_cmd->add_option("--seed", fuzz.seed, "Seed of the sequences (0: a random one, printed)")
      ->capture_default_str();
  fuzz_cmd->add_option("--duration", fuzz.duration_s, "Seconds to run")
      ->check(CLI::Range(0.1, 7.0 * 24 * 3600))
      ->capture_default_str();
  fuzz_cmd->add_option("--sequences", fuzz.sequences, "Stop after this many sequences")
      ->check(CLI::PositiveNumber);
  fuzz_cmd->add_option("--jobs", fuzz.jobs, "Sequences played at once")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  fuzz_cmd
      ->add_option("--probe-timeout", fuzz.probe_timeout_ms,
                   "Milliseconds the liveness probe (and each waiting step) may take")
      ->check(CLI::Range(50, 600000))
      ->capture_default_str();
  fuzz_cmd
      ->add_option("--max-findings", fuzz.max_findings,
                   "Stop once this many distinct findings are written")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  fuzz_cmd->add_option("--findings", fuzz.findings_dir, "Folder for the finding files")
      ->capture_default_str();
  fuzz_cmd->add_flag("--quiet", fuzz.quiet, "No progress lines");

  // ---- replay ----
  siocheck::ReplayOptions replay;
  std::string replay_target, replay_launch;
  auto* replay_cmd =
      app.add_subcommand("replay", "Play findings of `siocheck fuzz` against a server again.");
  replay_cmd->footer(
      "Plays each file's steps, then the liveness probe, and says whether the same finding comes "
      "out.\nExit status: 0 no file reproduced (the bug is gone), 1 at least one reproduced (or "
      "gave another finding), 2 a usage error, a bad file or an unreachable target.");
  replay_cmd->add_option("files", replay.files, "Finding files (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  replay_cmd->add_option("--target", replay_target, "Base URL of the server: http(s)://HOST:PORT");
  replay_cmd->add_option("--launch", replay_launch,
                         "Command that starts the server; {port} is replaced by a free port");
  replay_cmd->add_option("--eio-path", replay.where.eio_path, "Path of the Engine.IO endpoint")
      ->capture_default_str();
  replay_cmd->add_option("--sio-path", replay.where.sio_path, "Path of the Socket.IO endpoint")
      ->capture_default_str();
  replay_cmd->add_flag("--insecure", replay.where.insecure,
                       "Do not verify the https/wss certificate");
  replay_cmd
      ->add_option("--probe-timeout", replay.probe_timeout_ms,
                   "Milliseconds the liveness probe (and each waiting step) may take")
      ->check(CLI::Range(50, 600000))
      ->capture_default_str();
  replay_cmd->add_flag("--trace", replay.trace, "Print what went over the wire");
  // ---- model ----
  siocheck::ModelOptions model;
  std::string model_target, model_launch, model_level, model_out;
  std::uint64_t model_seed = 0;
  auto* model_cmd = app.add_subcommand(
      "model",
      "Check rooms, broadcasts and acks against a stateful model: random sequences of connect, "
      "disconnect (either side), join, leave, broadcast (to / except / includeSelf, with or "
      "without acks) and emit-with-ack by several clients, each step checked packet by packet; "
      "a failure is shrunk to a shortest sequence and written as a scenario script.");
  model_cmd->footer(
      "Each run opens fresh connections on namespaces of its own (/dyn-N) and, after every step, "
      "predicts exactly which socket receives what; a ctl:fence on every socket proves that "
      "nothing else arrived, without waiting. The target runs the fixture of "
      "conformance/FIXTURE.md at level extended (the ctl:* control events). RapidCheck draws the "
      "runs from --seed: the same seed against the same server draws the same runs.\n"
      "A failure prints the shrunk steps, the packet expected and the one observed, and writes the "
      "sequence as a scenario (scenarios/README.md) that `siocheck scenario FILE` replays.\n"
      "Exit status: 0 every run passed, 1 a counterexample was found, 2 a usage error, an "
      "unreachable target, or a target without level extended.\n"
      "Examples:\n"
      "  siocheck model                                      the embedded reference server\n"
      "  siocheck model --runs 1000 --max-clients 4\n"
      "  siocheck model --fault broadcast-duplicates         watch it find a planted bug\n"
      "  siocheck model --launch 'node conformance/fixtures/node/server.js --port {port} "
      "--ping-interval 25000 --ping-timeout 20000'\n"
      "  siocheck model --target http://127.0.0.1:3000 --seed 42 --scenario-out bug.yaml");
  model_cmd->add_option("--target", model_target, "Base URL of the server: http(s)://HOST:PORT");
  model_cmd->add_option(
      "--launch", model_launch,
      "Command that starts the server; {port} is replaced by a free port. Give it a long "
      "heartbeat (e.g. --ping-interval 25000 --ping-timeout 20000): the model is not about pings");
  model_cmd->add_option("--eio-path", model.where.eio_path, "Path of the Engine.IO endpoint")
      ->capture_default_str();
  model_cmd->add_option("--sio-path", model.where.sio_path, "Path of the Socket.IO endpoint")
      ->capture_default_str();
  model_cmd->add_flag("--insecure", model.where.insecure,
                      "Do not verify the https/wss certificate");
  model_cmd->add_option("--fault", model.faults,
                        "Switch on a deliberate bug in the embedded reference server (repeatable; "
                        "see `siocheck serve --list-faults`): the model should catch it");
  model_cmd->add_option("--runs", model.runs, "Passing runs wanted (each a fresh command sequence)")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  model_cmd->add_option("--seed", model_seed,
                        "RapidCheck's seed (default: a random one, printed so that a run can be "
                        "repeated)");
  model_cmd
      ->add_option("--max-clients", model.max_clients,
                   "Clients in a run, each its own connection with sockets on two namespaces")
      ->check(CLI::Range(1, 8))
      ->capture_default_str();
  model_cmd
      ->add_option("--max-steps", model.max_steps,
                   "The longest command sequence of a run (runs grow from 1 step to this)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  model_cmd
      ->add_option("--transport", model.transport,
                   "websocket, polling, or mixed (every second client polls)")
      ->check(CLI::IsMember({"websocket", "polling", "mixed"}))
      ->capture_default_str();
  model_cmd
      ->add_option("--timeout-ms", model.timeout_ms,
                   "How long an expected packet (an ack, a DISCONNECT) may take")
      ->check(CLI::Range(100, 600'000))
      ->capture_default_str();
  model_cmd->add_option("--scenario-out", model_out,
                        "Where a counterexample's scenario goes (default: "
                        "siocheck-model-SEED.yaml in the current folder)");
  model_cmd
      ->add_option("--level", model_level,
                   "The fixture level, instead of asking the target: official or extended")
      ->check(CLI::IsMember({"official", "extended"}));

  // ---- decode ----
  siocheck::DecodeOptions decode;
  std::string decode_input;
  std::string decode_as = "auto";
  auto* decode_cmd = app.add_subcommand(
      "decode",
      "Pretty-print an Engine.IO packet or polling payload, and the Socket.IO packets in its "
      "messages. "
      "Exit status: 0 valid, 1 invalid input, 2 usage error. Input from standard input loses one "
      "trailing newline.");
  decode_cmd->add_option("input", decode_input,
                         "The bytes to decode (default: read standard input)");
  decode_cmd
      ->add_option(
          "--as", decode_as,
          "auto (a payload if the input holds the record separator 0x1E, else one packet), packet "
          "(a WebSocket text frame or one polling record), payload (a polling body), binary (a "
          "WebSocket binary frame)")
      ->check(CLI::IsMember({"auto", "packet", "payload", "binary"}))
      ->capture_default_str();
  std::string decode_layer = "auto";
  decode_cmd
      ->add_option(
          "--layer", decode_layer,
          "auto (also read each message as Socket.IO when it is one), eio (Engine.IO only), sio "
          "(every message must be a valid Socket.IO packet)")
      ->check(CLI::IsMember({"auto", "eio", "sio"}))
      ->capture_default_str();
  decode_cmd->add_flag(
      "-e,--escapes", decode.escapes,
      "Read \\xHH, \\n, \\r, \\t and \\\\ escapes in the input (so '4a\\x1e4b' is a payload)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsageError;
  }

  if (*serve_cmd) {
    auto usage = [](const std::string& flag, const std::string& what) {
      std::cerr << "siocheck serve: " << flag << ": " << what << "\n";
      return kUsageError;
    };
    if (list_faults) {
      if (faults_as_json) {
        auto all = nlohmann::ordered_json::array();
        for (const auto& info : sio::fault_catalogue()) {
          auto cases = nlohmann::ordered_json::array();
          for (const auto c : info.cases)
            cases.push_back(std::string(c));
          all.push_back({{"name", std::string(info.name)},
                         {"description", std::string(info.description)},
                         {"cases", std::move(cases)},
                         {"fuzz", std::string(info.fuzz_finding)}});
        }
        std::cout << all.dump(2) << "\n";
      } else {
        for (const auto& info : sio::fault_catalogue()) {
          std::cout << info.name << "\n    " << info.description << "\n    caught by:";
          for (const auto c : info.cases)
            std::cout << " " << c;
          if (!info.fuzz_finding.empty())
            std::cout << (info.cases.empty() ? " " : ", and ") << "siocheck fuzz (a "
                      << info.fuzz_finding << ")";
          std::cout << "\n";
        }
      }
      return 0;
    }
    for (const auto& name : fault_names) {
      const auto fault = sio::fault_named(name);
      if (!fault) {
        return usage("--fault",
                     "unknown fault '" + name + "'; the catalogue has: " + sio::fault_names());
      }
      serve.faults.add(*fault);
      std::cerr << "siocheck serve: FAULT ON: " << name << " (this server is broken on purpose)\n";
    }
    std::string error;
    if (!parse_cors(cors_text, serve.engine.cors, error)) return usage("--cors", error);
    if (!serve.engine.path.starts_with('/') || !serve.engine.path.ends_with('/'))
      return usage("--eio-path",
                   "'" + serve.engine.path + "' must start and end with '/', e.g. /engine.io/");
    if (!serve.sio_path.starts_with('/') || !serve.sio_path.ends_with('/'))
      return usage("--sio-path",
                   "'" + serve.sio_path + "' must start and end with '/', e.g. /socket.io/");
    if (serve.sio_path == serve.engine.path)
      return usage("--sio-path",
                   "'" + serve.sio_path + "' is also the --eio-path; give each its own path");
    serve.sio.connect_timeout = std::chrono::milliseconds(connect_timeout);
    serve.app = app_text == "signaling" ? sio::serve::App::signaling : sio::serve::App::fixture;
    if (serve.app == sio::serve::App::fixture) {
      for (const char* flag : {"--static-dir", "--client-bundle"})
        if (serve_cmd->count(flag)) return usage(flag, "only --app signaling serves files");
    } else if (serve_cmd->count("--fixture-level")) {
      return usage("--fixture-level", "only --app fixture has levels");
    }
    serve.level = level_text == "official" ? sio::apps::FixtureLevel::official
                                           : sio::apps::FixtureLevel::extended;
    serve.net.per_message_deflate = deflate;
    serve.engine.ping_interval = std::chrono::milliseconds(ping_interval);
    serve.engine.ping_timeout = std::chrono::milliseconds(ping_timeout);
    serve.engine.upgrade_timeout = std::chrono::milliseconds(upgrade_timeout);
    serve.shutdown_timeout = std::chrono::milliseconds(shutdown_timeout);
    serve.verbosity = log_text == "off"     ? sio::serve::Verbosity::off
                      : log_text == "debug" ? sio::serve::Verbosity::debug
                                            : sio::serve::Verbosity::info;
    if (!tls_cert.empty()) serve.net.tls = sio::net::TlsFiles{tls_cert, tls_key};
    return siocheck::run_serve(std::move(serve), demo);
  }
  if (*conform_cmd) {
    if (!conform_target.empty()) conform.target = conform_target;
    if (!conform_launch.empty()) conform.launch = conform_launch;
    if (!known_failing.empty()) conform.known_failing = known_failing;
    if (!known_flaky.empty()) conform.known_flaky = known_flaky;
    if (!json_out.empty()) conform.json = json_out;
    if (!junit_out.empty()) conform.junit = junit_out;
    if (!html_out.empty()) conform.html = html_out;
    if (!shard.empty()) conform.shard = shard;
    if (!level.empty()) conform.level = level;
    if (connect_timeout_ms) conform.connect_timeout_ms = connect_timeout_ms;
    if (upgrade_timeout_ms) conform.upgrade_timeout_ms = upgrade_timeout_ms;
    return siocheck::run_conform(conform);
  }
  if (*scenario_cmd) {
    if (!scenario_target.empty()) scenario.where.target = scenario_target;
    if (!scenario_launch.empty()) scenario.where.launch = scenario_launch;
    if (!scenario_level.empty()) scenario.level = scenario_level;
    if (!scenario_known.empty()) scenario.known_failing = scenario_known;
    if (!scenario_junit.empty()) scenario.junit = scenario_junit;
    return siocheck::run_scenarios(scenario);
  }
  if (*fuzz_cmd) {
    if (!fuzz_target.empty()) fuzz.where.target = fuzz_target;
    if (!fuzz_launch.empty()) fuzz.where.launch = fuzz_launch;
    fuzz.where.embedded_heartbeat_ms = std::make_pair(25000, 20000);
    return siocheck::run_fuzz(fuzz);
  }
  if (*replay_cmd) {
    if (!replay_target.empty()) replay.where.target = replay_target;
    if (!replay_launch.empty()) replay.where.launch = replay_launch;
    replay.where.embedded_heartbeat_ms = std::make_pair(25000, 20000);
    return siocheck::run_replay(replay);
  }
  if (*model_cmd) {
    if (!model_target.empty()) model.where.target = model_target;
    if (!model_launch.empty()) model.where.launch = model_launch;
    if (!model_level.empty()) model.level = model_level;
    if (!model_out.empty()) model.scenario_out = model_out;
    if (model_cmd->count("--seed")) model.seed = model_seed;
    return siocheck::run_model(model);
  }
  if (*decode_cmd) {
    if (!decode_input.empty() || decode_cmd->count("input")) decode.input = decode_input;
    decode.as = decode_as == "packet"    ? siocheck::DecodeOptions::As::packet
                : decode_as == "payload" ? siocheck::DecodeOptions::As::payload
                : decode_as == "binary"  ? siocheck::DecodeOptions::As::binary
                                         : siocheck::DecodeOptions::As::automatic;
    decode.layer = decode_layer == "eio"   ? siocheck::DecodeOptions::Layer::eio
                   : decode_layer == "sio" ? siocheck::DecodeOptions::Layer::sio
                                           : siocheck::DecodeOptions::Layer::automatic;
    return siocheck::run_decode(decode, std::cin, std::cout, std::cerr);
  }
  return kUsageError;
}
