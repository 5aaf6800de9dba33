// Time for the engine: real timers on an io_context in the server, a virtual clock in tests and
// fuzzers. The engine never reads a clock or sleeps on its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace sio::engine {

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::milliseconds;

class Scheduler {
 public:
  using TimerId = std::uint64_t;

  virtual ~Scheduler() = default;
  // Runs `fn` once after `delay`, unless cancelled first. A cancelled timer never runs, even when
  // it had already expired.
  virtual TimerId start_timer(Duration delay, std::function<void()> fn) = 0;
  virtual void cancel_timer(TimerId id) noexcept = 0;
  // Runs `fn` after the current handler returns (used to batch writes).
  virtual void post(std::function<void()> fn) = 0;
  virtual Clock::time_point now() const = 0;
};

// One restartable timer. Cancels what it holds when restarted or destroyed, so a callback never
// outlives its owner.
class Timer {
 public:
  explicit Timer(Scheduler& scheduler) noexcept : scheduler_(&scheduler) {}
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  ~Timer() { cancel(); }

  void start(Duration delay, std::function<void()> fn) {
    cancel();
    armed_ = true;
    id_ = scheduler_->start_timer(delay, [this, f = std::move(fn)] {
      armed_ = false;
      f();
    });
  }
  void cancel() noexcept {
    if (armed_) scheduler_->cancel_timer(id_);
    armed_ = false;
  }
  bool armed() const noexcept { return armed_; }

 private:
  Scheduler* scheduler_;
  Scheduler::TimerId id_ = 0;
  bool armed_ = false;
};

}  // namespace sio::engine
