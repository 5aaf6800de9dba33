// `siocheck fuzz` and `siocheck replay`: the live-target fuzzer. It builds sequences of Engine.IO
// and Socket.IO traffic from the protocol's grammar, mutates them, plays them against a server
// over polling and WebSocket, and after each sequence checks that the server is still alive (a new
// handshake, a CONNECT and an ack round trip within a bound). Findings (crash, hang, protocol
// violation) are minimised and written as replayable JSON (fuzz/README.md has the format).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "target.hpp"

namespace siocheck {

struct FuzzOptions {
  TargetOptions where;
  std::uint64_t seed = 0;  // 0: a random seed, printed
  double duration_s = 60;
  std::optional<std::uint64_t> sequences;  // stop after this many (with or before --duration)
  int jobs = 2;
  int probe_timeout_ms = 2000;  // the liveness probe's bound, and each step's
  int max_findings = 10;        // stop once this many distinct findings are written
  std::string findings_dir = "fuzz-findings";
  bool quiet = false;  // no progress lines
};

// Exit status: 0 no finding, 1 findings (written under findings_dir), 2 usage error or the target
// is unreachable.
int run_fuzz(const FuzzOptions& options);

struct ReplayOptions {
  std::vector<std::string> files;
  TargetOptions where;
  int probe_timeout_ms = 2000;
  bool trace = false;  // print what went over the wire
};

// Exit status: 0 no file reproduced its finding, 1 at least one did, 2 usage error, a bad file or
// an unreachable target.
int run_replay(const ReplayOptions& options);

}  // namespace siocheck
