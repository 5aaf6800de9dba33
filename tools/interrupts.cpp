#include "interrupts.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "siocheck/run/processes.hpp"

namespace siocheck::cli {

namespace {

const char* name_of(int signal) {
  return signal == SIGINT ? "SIGINT" : "SIGTERM";
}

}  // namespace

Interrupts& Interrupts::install(bool graceful) {
  static Interrupts interrupts;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set, graceful] {
    for (int count = 1;; ++count) {
      int signal = 0;
      if (sigwait(&set, &signal) != 0) continue;
      interrupts.signal_ = signal;
      if (graceful && count == 1) {
        std::fprintf(stderr,
                     "\nsiocheck: %s: stopping after the checks under way; the reports will say "
                     "the run is incomplete (%s again stops at once)\n",
                     name_of(signal), name_of(signal));
        interrupts.stop_ = true;
        continue;
      }
      std::fprintf(stderr, "\nsiocheck: %s: stopping now\n", name_of(signal));
      conform::run::kill_started_groups();
      _exit(128 + signal);
    }
  }).detach();
  return interrupts;
}

std::string Interrupts::why() const {
  return std::string("interrupted by ") + name_of(signal_.load()) + ": not run";
}

int Interrupts::exit_status() const {
  return 128 + signal_.load();
}

}  // namespace siocheck::cli
