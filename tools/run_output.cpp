#include "run_output.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace siocheck::cli {

namespace run = conform::run;
using run::Verdict;

ProgressPrinter::ProgressPrinter() : tty(::isatty(2)) {}

void ProgressPrinter::line(const run::Progress& p) const {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(conform::Clock::now() - start);
  std::fprintf(stderr, "[%4zu/%zu] %zu FAIL so far, %lld s\n", p.done, p.total, p.failures,
               static_cast<long long>(seconds.count()));
}

void ProgressPrinter::on_unit(const run::Progress& p) const {
  if (!tty) {
    if (p.done == p.total || p.done % 50 == 0) line(p);
    return;
  }
  const auto& r = *p.last;
  std::fprintf(stderr, "\r[%4zu/%zu] %zu FAIL  %-60.60s", p.done, p.total, p.failures,
               (r.info.name + " " + std::string(run::to_string(r.outcome.verdict))).c_str());
  if (p.done == p.total) std::fprintf(stderr, "\n");
}

void ProgressPrinter::on_tick(const run::Progress& p) const {
  if (tty) std::fprintf(stderr, "\r");
  line(p);
}

bool write_known_failing(const run::Report& report, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  out << "# Written by siocheck " << report.tool << " --write-known-failing against "
      << report.target << " on " << report.started
      << ".\n# Each reason is what was observed: edit it to say why.\n";
  for (const auto& r : report.results) {
    const auto v = r.outcome.verdict;
    const bool listed =
        v == Verdict::fail || v == Verdict::crash || (v == Verdict::non_strict && report.strict);
    if (!listed || r.info.id == "target/crash") continue;
    auto reason = std::string(run::to_string(v)) + ": " + r.outcome.reason;
    for (const auto& check : r.outcome.checks)
      if (!check.ok) reason += "; observed " + check.observed;
    for (auto& c : reason)
      if (c == '\n' || c == '\r') c = ' ';
    if (reason.size() > 200) reason = reason.substr(0, 197) + "...";
    out << r.info.name << "   # " << reason << "\n";
  }
  return static_cast<bool>(out);
}

}  // namespace siocheck::cli
