// `siocheck serve`: the reference server with its apps, in the foreground.
#pragma once

#include <string>

#include "sio/serve/server.hpp"

namespace siocheck {

// Where `--app signaling` reads the demo page and the socket.io-client browser bundle. Empty means
// the default, found in the siocheck checkout that holds the binary.
struct DemoPaths {
  std::string static_dir;     // holds index.html (default: scenarios/signaling)
  std::string client_bundle;  // default: node_modules/socket.io-client/dist/socket.io.min.js
};

// Runs until SIGINT/SIGTERM. Returns the process exit status (2 when a demo file is missing).
int run_serve(sio::serve::ServeOptions options, const DemoPaths& demo = {});

}  // namespace siocheck
