// `siocheck conform`: the conformance suite against a target, or against the embedded reference
// server when no target is given.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace siocheck {

struct ConformOptions {
  std::optional<std::string> target;  // a base URL: http(s)://host:port
  std::optional<std::string> launch;  // a command with {port}
  std::string eio_path = "/engine.io/";
  std::string sio_path = "/socket.io/";
  bool insecure = false;
  std::vector<std::string> cases;
  std::vector<std::string> skip;
  bool list = false;
  int jobs = 12;
  bool strict = false;
  std::optional<std::string> known_failing;
  std::optional<std::string> known_flaky;
  int tolerance_ms = 150;
  std::optional<int> connect_timeout_ms;
  std::optional<int> upgrade_timeout_ms;
  bool trace = false;
  std::optional<std::string> json;
  std::optional<std::string> junit;
  std::optional<std::string> html;
  std::optional<std::string> shard;  // "i/n"
  std::optional<std::string> level;  // skip discovery: official or extended
};

// Exit status: 0 clean, 1 regression, 2 usage error or unreachable target.
int run_conform(const ConformOptions& options);

}  // namespace siocheck
