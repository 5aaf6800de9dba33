// SIGINT and SIGTERM for the checking commands. The first signal asks the run to stop: what is
// under way finishes, the reports are written and say the run is incomplete, and launched targets
// are stopped with their whole process group. A second signal (or the first, for a command that
// cannot stop part-way) kills the launched targets' groups at once and exits 128 + the signal.
#pragma once

#include <atomic>
#include <string>

namespace siocheck::cli {

class Interrupts {
 public:
  // Blocks SIGINT and SIGTERM in this thread and every thread it starts later, and waits for them
  // on a thread of its own. Call before any other thread starts. `graceful`: the command watches
  // stop() and finishes part-way.
  static Interrupts& install(bool graceful);

  const std::atomic<bool>& stop() const noexcept { return stop_; }
  bool stopped() const noexcept { return stop_.load(); }
  std::string why() const;  // "interrupted by SIGTERM: ..."
  int exit_status() const;  // 128 + the signal

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> signal_{0};
};

}  // namespace siocheck::cli
