// Plays one sequence of the live fuzzer against a target, judges every answer (the oracle), then
// checks that the server is still alive: a new client must complete a handshake, a CONNECT to "/"
// and a message-with-ack round trip. A failed probe is a crash (the process exited, or connections
// are refused) or a hang (no answer).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "siocheck/driver/driver.hpp"
#include "siocheck/fuzz/step.hpp"
#include "siocheck/host/target_host.hpp"

namespace conform::fuzz {

enum class Kind { none, crash, hang, violation };
std::string_view to_string(Kind kind) noexcept;  // "", "crash", "hang", "violation"
std::optional<Kind> kind_named(std::string_view name) noexcept;

struct Outcome {
  Kind kind = Kind::none;
  std::string code;  // what kind of crash, hang or violation: the finding's signature
  std::string detail;
  std::vector<TraceEntry> trace;
  bool found() const noexcept { return kind != Kind::none; }
  std::string signature() const;  // "crash: killed by signal 6"
};

// Plays `steps` on a loop of its own against `target`; `host` tells a crash of a launched target
// from a hang. `timeout` bounds the probe and each waiting step.
Outcome execute(const Target& target, const std::vector<Step>& steps, host::TargetHost& host,
                Ms timeout);

}  // namespace conform::fuzz
