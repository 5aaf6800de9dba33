// `siocheck serve`: the reference server with its fixture apps.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "log.hpp"
#include "sio/engine/engine.hpp"
#include "sio/net/server.hpp"
#include "sio/server/server.hpp"
#include "sio_fixture.hpp"

namespace siocheck {

struct ServeOptions {
  sio::net::ServerOptions net;
  sio::engine::Config engine;  // /engine.io/; /socket.io/ uses the same settings at sio_path
  std::string sio_path = "/socket.io/";
  sio::server::Options sio;
  sio::apps::FixtureLevel level = sio::apps::FixtureLevel::extended;
  Verbosity verbosity = Verbosity::info;
  // How long a shutdown waits for sessions to receive their close before stopping anyway.
  std::chrono::milliseconds shutdown_timeout{2000};
};

// Runs until SIGINT/SIGTERM. Returns the process exit status.
int run_serve(ServeOptions options);

}  // namespace siocheck
