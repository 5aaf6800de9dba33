// `siocheck serve`: the reference server with its fixture apps, in the foreground.
#pragma once

#include "fixture_server.hpp"

namespace siocheck {

// Runs until SIGINT/SIGTERM. Returns the process exit status.
int run_serve(ServeOptions options);

}  // namespace siocheck
