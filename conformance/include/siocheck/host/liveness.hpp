// The target's liveness as the run engine asks for it between units: a launched process that
// exited, or a target that no longer completes a handshake, is dead; a launched target is
// restarted, one given by URL cannot be.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "siocheck/host/target_host.hpp"
#include "siocheck/run/runner.hpp"

namespace conform::host {

class TargetLiveness final : public run::Liveness {
 public:
  // `moved` hears the target's new address after a restart (a restart takes a new port).
  TargetLiveness(TargetHost& host, std::function<void(const Target&)> moved)
      : host_(host), moved_(std::move(moved)) {}

  // A launched process is checked after every unit; a handshake is tried after every unit that
  // did not pass, and after every hostile one.
  std::optional<std::string> check(const run::Result& result) override;
  bool revive(std::string& why) override;

 private:
  TargetHost& host_;
  std::function<void(const Target&)> moved_;
};

}  // namespace conform::host
