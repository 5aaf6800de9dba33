#include "siocheck/run/processes.hpp"

#include <signal.h>

#include <atomic>

namespace conform::run {

namespace {
constexpr int kMaxGroups = 64;
std::atomic<pid_t> groups[kMaxGroups];
}  // namespace

void remember_group(pid_t pid) noexcept {
  for (auto& slot : groups) {
    pid_t none = 0;
    if (slot.compare_exchange_strong(none, pid)) return;
  }
}

void forget_group(pid_t pid) noexcept {
  for (auto& slot : groups) {
    pid_t mine = pid;
    if (slot.compare_exchange_strong(mine, 0)) return;
  }
}

void kill_started_groups() noexcept {
  for (auto& slot : groups)
    if (const pid_t pid = slot.load(); pid > 0) ::kill(-pid, SIGKILL);
}

}  // namespace conform::run
