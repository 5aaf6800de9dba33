// The process groups a run started (a launched server, a client adapter), so that an interrupt
// that cannot wait ends them all at once: nothing siocheck starts outlives it.
#pragma once

#include <sys/types.h>

namespace conform::run {

// Records a group started with setpgid(0, 0) by its leader `pid` (at most 64 at once).
void remember_group(pid_t pid) noexcept;
// The group has ended (or was ended by its owner).
void forget_group(pid_t pid) noexcept;
// SIGKILL to every group remembered: async-signal-safe.
void kill_started_groups() noexcept;

}  // namespace conform::run
