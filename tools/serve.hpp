// `siocheck serve`: the reference server with its apps, in the foreground.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sio/serve/fixture_server.hpp"

namespace siocheck::cli {

// What the serve command's options say, before they are checked against each other.
struct ServeFlags {
  sio::serve::ServeOptions serve = sio::serve::fixture_defaults();
  std::string cors = "*";
  int port = 3000;
  long ping_interval_ms = 300;
  long ping_timeout_ms = 200;
  long upgrade_timeout_ms = 10000;
  long shutdown_timeout_ms = 2000;
  long connect_timeout_ms = 1000;
  std::optional<sio::apps::FixtureLevel> level;  // only with --app fixture
  std::optional<std::string> static_dir;         // only with --app signaling
  std::optional<std::string> client_bundle;      // only with --app signaling
  std::vector<std::string> faults;
  bool list_faults = false;
  bool faults_as_json = false;
  bool deflate = true;
  std::string tls_cert;
  std::string tls_key;
};

// Checks the flags against each other, then serves until SIGINT/SIGTERM. Returns the exit status
// (2 for a bad flag or a missing demo file).
int run_serve(ServeFlags& flags);

}  // namespace siocheck::cli
