// `siocheck conform`: the conformance suite against a target, or against the embedded reference
// server when no target is given.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "commands.hpp"
#include "flags.hpp"
#include "siocheck/run/report.hpp"
#include "siocheck/run/runner.hpp"
#include "siocheck/suite/suite.hpp"

namespace siocheck::cli {

namespace {

namespace run = conform::run;
using conform::Ms;

struct ConformFlags {
  conform::host::TargetOptions where;
  conform::Selection selection;
  std::optional<std::string> shard;  // "i/n"
  bool list = false;
  int jobs = 12;
  bool strict = false;
  BaselineFlags baselines;
  int tolerance_ms = 150;
  std::optional<int> connect_timeout_ms;
  std::optional<int> upgrade_timeout_ms;
  std::optional<conform::FixtureLevel> level;
  bool trace = false;
  ReportFlags reports;
};

void add_selection(CLI::App* cmd, ConformFlags& f) {
  cmd->add_option("--cases", f.selection.cases,
                  "Only these cases: ids, id@variant, globs (* and ?), or an area such as "
                  "eio/polling")
      ->delimiter(',');
  cmd->add_option("--skip", f.selection.skip, "Leave out these cases (same forms as --cases)")
      ->delimiter(',');
  add_optional(cmd, "--shard", f.shard,
               "Run only shard i of n (e.g. 2/4), for splitting the suite across jobs");
  cmd->add_flag("--list", f.list, "List the cases (after --cases/--skip/--shard) and stop");
}

void add_grading(CLI::App* cmd, ConformFlags& f) {
  cmd->add_option("--jobs", f.jobs, "Cases run at once (they mostly wait on the network)")
      ->check(CLI::Range(1, 512))
      ->capture_default_str();
  cmd->add_flag("--strict", f.strict, "A NON-STRICT verdict is a regression too");
  add_baseline_flags(cmd, f.baselines, "case");
  cmd->add_option("--tolerance-ms", f.tolerance_ms, "Slack added to every timing check")
      ->check(CLI::Range(0, 60'000))
      ->capture_default_str();
  add_optional(cmd, "--connect-timeout-ms", f.connect_timeout_ms,
               "The target's connect timeout, when not the contract's 1000 ms")
      ->check(CLI::Range(1, 3'600'000));
  add_optional(cmd, "--upgrade-timeout-ms", f.upgrade_timeout_ms,
               "The target's upgrade timeout, when not the contract's 10000 ms")
      ->check(CLI::Range(1, 3'600'000));
  add_level_option(cmd, f.level,
                   "Skip discovery: the target's fixture level is official or extended");
  cmd->add_flag("--trace", f.trace, "Print the wire trace of every regression");
  add_report_flags(cmd, f.reports);
}

bool parse_shard(const std::string& text, std::pair<int, int>& shard) {
  int i = 0, n = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%d/%d%c", &i, &n, &tail) != 2 || n < 1 || i < 1 || i > n)
    return false;
  shard = {i, n};
  return true;
}

int list(const std::vector<conform::Planned>& planned) {
  std::set<std::string> ids;
  std::map<std::string, int> per_area;
  for (const auto& p : planned) {
    if (ids.insert(p.c->info.id).second) ++per_area[p.c->info.area()];
    std::cout << std::left << p.name << "  [" << conform::to_string(p.c->info.level)
              << (p.c->info.extended ? ", extended" : "") << (p.c->info.timing ? ", timing" : "")
              << "]  " << p.c->info.title << "\n";
  }
  std::cout << "\n"
            << ids.size() << " case ids (" << planned.size()
            << " runs with their transport variants)\n";
  for (const auto& [area, n] : per_area)
    std::cout << "  " << area << ": " << n << "\n";
  return kOk;
}

// One line on a terminal, rewritten as cases finish; a line every 50 cases otherwise.
std::function<void(const run::Progress&)> progress_printer() {
  const bool tty = ::isatty(2);
  return [tty](const run::Progress& p) {
    if (tty) {
      const auto& r = *p.last;
      std::fprintf(stderr, "\r[%4zu/%zu] %zu FAIL  %-60.60s", p.done, p.total, p.failures,
                   (r.info.name + " " + std::string(run::to_string(r.outcome.verdict))).c_str());
      if (p.done == p.total) std::fprintf(stderr, "\n");
    } else if (p.done == p.total || p.done % 50 == 0) {
      std::fprintf(stderr, "[%4zu/%zu] %zu FAIL so far\n", p.done, p.total, p.failures);
    }
  };
}

int run_conform(ConformFlags& f) {
  std::string error;
  if (!load_baselines(f.baselines, error)) return usage("conform", error);
  for (const auto* b : {&f.baselines.failing, &f.baselines.flaky})
    if (*b)
      if (auto unknown = (*b)->unknown_error(conform::all_unit_infos(), "case"); !unknown.empty())
        return usage("conform", unknown);
  if (f.shard) {
    std::pair<int, int> shard;
    if (!parse_shard(*f.shard, shard))
      return usage("conform",
                   "--shard: '" + *f.shard + "' is not i/n with 1 <= i <= n (e.g. --shard 2/4)");
    f.selection.shard = shard;
  }
  const auto planned = conform::plan(f.selection);
  if (f.list) return list(planned);

  conform::host::TargetHost host;
  if (!host.open(f.where, "conform", error)) return usage("conform", error);
  conform::Settings settings;
  settings.target = host.target();
  settings.tolerance = Ms(f.tolerance_ms);
  if (f.connect_timeout_ms) settings.connect_timeout = Ms(*f.connect_timeout_ms);
  if (f.upgrade_timeout_ms) settings.upgrade_timeout = Ms(*f.upgrade_timeout_ms);
  settings.level = f.level.value_or(
      conform::discover_level(settings.target, settings.connect_timeout.value_or(Ms(1000))));

  run::Report report;
  report.tool = "conform";
  report.target = settings.target.url();
  report.level = std::string(conform::to_string(settings.level));
  const run::Grading grading{f.strict, f.baselines.failing ? &*f.baselines.failing : nullptr,
                             f.baselines.flaky ? &*f.baselines.flaky : nullptr};
  run::run(report, conform::units(planned, settings),
           {.jobs = f.jobs, .grading = grading, .progress = progress_printer()});
  host.stop();

  run::print_summary(report, std::cout, {.traces = f.trace});
  if (!write_reports(report, f.reports, "conform")) return kUsage;
  if (f.reports.html) std::cout << "HTML report: " << *f.reports.html << "\n";
  return report.regressed() ? kFailed : kOk;
}

}  // namespace

Command add_conform(CLI::App& app) {
  auto flags = std::make_shared<ConformFlags>();
  auto* cmd = app.add_subcommand("conform",
                                 "Run the conformance suite against a Socket.IO server (or the "
                                 "embedded reference server) and grade it.");
  cmd->footer(
      "The target runs the fixture of conformance/FIXTURE.md. Verdicts: PASS, NON-STRICT (a SHOULD "
      "broken, or an allowed alternative), INFORMATIONAL (recorded, not judged), UNIMPLEMENTED (an "
      "optional feature or the extended fixture level is missing), FAIL.\n"
      "Exit status: 0 no regression, 1 a regression (a FAIL, a NON-STRICT under --strict, or a "
      "stale --known-failing entry), 2 a usage error, a baseline entry that names no case, or an "
      "unreachable target.\n"
      "Examples:\n"
      "  siocheck conform                                   the embedded reference server\n"
      "  siocheck conform --target http://127.0.0.1:3000 --html report.html\n"
      "  siocheck conform --launch 'node server.js --port {port}' --known-failing "
      "known-failing.txt\n"
      "  siocheck conform --list --cases 'sio/acks'         what would run");
  add_target_flags(cmd, flags->where);
  add_selection(cmd, *flags);
  add_grading(cmd, *flags);
  return {cmd, [flags] { return run_conform(*flags); }};
}

}  // namespace siocheck::cli
