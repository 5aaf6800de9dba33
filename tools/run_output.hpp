// What the checking commands print while and after they run, beyond the run engine's summary:
// progress on stderr, and a run's failures written as a starting baseline.
#pragma once

#include <string>

#include "siocheck/driver/driver.hpp"
#include "siocheck/run/runner.hpp"

namespace siocheck::cli {

// One line on a terminal, rewritten as units finish; otherwise a line every 50 units, and one
// every 10 s while units run (a run against a slow heartbeat is not silent).
struct ProgressPrinter {
  bool tty = false;
  conform::Clock::time_point start = conform::Clock::now();

  ProgressPrinter();
  void line(const conform::run::Progress& p) const;
  void on_unit(const conform::run::Progress& p) const;
  void on_tick(const conform::run::Progress& p) const;
};

// The run's FAIL and CRASH results (and NON-STRICT ones under strict) as a baseline file, one line
// each with the observed failure as its starting reason. False when the file cannot be written.
bool write_known_failing(const conform::run::Report& report, const std::string& path);

}  // namespace siocheck::cli
