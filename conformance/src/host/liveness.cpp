#include "siocheck/host/liveness.hpp"

#include <chrono>
#include <thread>

namespace conform::host {

std::optional<std::string> TargetLiveness::check(const run::Result& result) {
  if (host_.launched() && !host_.launched_alive()) return host_.launched_end();
  const auto v = result.outcome.verdict;
  const bool doubtful = v != run::Verdict::pass && v != run::Verdict::unimplemented;
  if (!doubtful && !result.info.hostile) return std::nullopt;
  // Twice: a busy target may miss one deadline without being gone.
  Probe answer;
  for (int attempt = 0; attempt < 2 && !answer.ok(); ++attempt)
    answer = probe(host_.target(), host_.probe_path(), Ms(3000));
  if (answer.ok()) return std::nullopt;
  // A process that stops answering is often on its way out (writing its stack trace): give it a
  // moment, so that its exit status and last output are what the report says.
  for (int i = 0; i < 100 && host_.launched() && host_.launched_alive(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (host_.launched() && !host_.launched_alive()) return host_.launched_end();
  return "stopped answering (" + answer.why + ")";
}

bool TargetLiveness::revive(std::string& why) {
  if (!host_.launched()) {
    why =
        "it was not started by siocheck (--target), so siocheck cannot restart it; with "
        "--launch it would be";
    return false;
  }
  if (!host_.restart(why)) return false;
  if (moved_) moved_(host_.target());
  return true;
}

}  // namespace conform::host
