// `siocheck conform`: the conformance suite against a target, or against the embedded reference
// server when no target is given.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "commands.hpp"
#include "conform_plan.hpp"
#include "flags.hpp"
#include "interrupts.hpp"
#include "run_output.hpp"
#include "siocheck/host/liveness.hpp"
#include "siocheck/run/report.hpp"
#include "siocheck/run/runner.hpp"
#include "siocheck/suite/suite.hpp"

namespace siocheck::cli {

namespace {

namespace run = conform::run;
using conform::Ms;
using run::Verdict;

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
  add_optional(cmd, "--jobs", f.jobs,
               "Cases run at once (they mostly wait on the network; default 12, and 6 with "
               "--client, where each case starts an adapter process)")
      ->check(CLI::Range(1, 512));
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
  add_optional(cmd, "--write-known-failing", f.write_known_failing,
               "Write the run's FAIL and CRASH cases (and NON-STRICT under --strict) here as a "
               "--known-failing baseline, each with what was observed as its reason: a start for "
               "a server with many failures");
}

// Where the heartbeat the target announced is longer than the contract's 300 + 200 ms, the
// heartbeat cases wait for it: say so before the run seems to hang.
void note_heartbeat(const conform::host::TargetHost& host,
                    const std::vector<conform::Planned>& planned) {
  const auto& h = host.handshake();
  const auto beat = h.ping_interval + h.ping_timeout;
  if (beat <= 500) return;
  const auto timing = std::count_if(planned.begin(), planned.end(),
                                    [](const conform::Planned& p) { return p.c->info.timing; });
  std::fprintf(
      stderr,
      "siocheck conform: the target's heartbeat is pingInterval %lld + pingTimeout %lld ms "
      "(the fixture contract's is 300 + 200): %lld heartbeat cases wait on it, all at once, "
      "so expect about %lld s; the verdicts are judged on the target's own values\n",
      static_cast<long long>(h.ping_interval), static_cast<long long>(h.ping_timeout),
      static_cast<long long>(timing), static_cast<long long>(2 * beat / 1000 + 10));
}

// Timing cases run with little company, so that a busy machine cannot make a server miss a 200 ms
// deadline; against a long heartbeat, slack is wide and they all wait at once instead.
int timing_jobs(const conform::host::TargetHost& host, int jobs) {
  const auto& h = host.handshake();
  return h.ping_interval + h.ping_timeout > 2000 ? jobs : 3;
}

// The command that runs one case alone again, with its trace.
std::string rerun_prefix(const ConformFlags& f) {
  std::string out = "siocheck conform";
  if (f.where.launch) out += " --launch " + shell_quoted(*f.where.launch);
  if (f.where.target) out += " --target " + shell_quoted(*f.where.target);
  if (f.where.eio_path != "/engine.io/") out += " --eio-path " + shell_quoted(f.where.eio_path);
  if (f.where.sio_path != "/socket.io/") out += " --sio-path " + shell_quoted(f.where.sio_path);
  if (f.where.insecure) out += " --insecure";
  if (!f.where.ca_file.empty()) out += " --ca-file " + shell_quoted(f.where.ca_file);
  if (f.strict) out += " --strict";
  return out;
}

int run_conform(ConformFlags& f) {
  if (f.client || !f.adapter.empty()) return run_conform_client(f);
  auto& interrupts = Interrupts::install(true);
  std::string error;
  if (!load_baselines(f.baselines, error)) return usage("conform", error);
  for (const auto* b : {&f.baselines.failing, &f.baselines.flaky})
    if (*b)
      if (auto unknown = (*b)->unknown_error(conform::all_unit_infos(), "case"); !unknown.empty())
        return usage("conform", unknown);
  const auto all = conform::all_unit_infos();
  if (!check_patterns(f.selection.cases, "--cases", all, error) ||
      !check_patterns(f.selection.skip, "--skip", all, error))
    return usage("conform", error);
  if (f.shard) {
    std::pair<int, int> shard;
    if (!parse_shard(*f.shard, shard))
      return usage("conform",
                   "--shard: '" + *f.shard + "' is not i/n with 1 <= i <= n (e.g. --shard 2/4)");
    f.selection.shard = shard;
  }
  const auto planned = conform::plan(f.selection);
  if (f.list) return list(planned);
  if (planned.empty()) return usage("conform", "--cases and --skip leave no case to run");
  ReportFlags outputs = f.reports;
  if (!reports_writable(outputs, "conform")) return kReportFailed;
  if (f.write_known_failing && !reports_writable({.json = f.write_known_failing}, "conform"))
    return kReportFailed;

  // A run of Socket.IO cases only needs no Engine.IO echo: readiness asks the Socket.IO path.
  f.where.probe_sio = std::all_of(planned.begin(), planned.end(), [](const conform::Planned& p) {
    return p.c->info.id.starts_with("sio/");
  });
  conform::host::TargetHost host;
  if (const auto kind = host.open(f.where, "conform", error);
      kind != conform::host::OpenError::none)
    return open_failed("conform", kind, error);
  conform::Settings settings;
  settings.target = host.target();
  settings.tolerance = Ms(f.tolerance_ms);
  if (f.connect_timeout_ms) settings.connect_timeout = Ms(*f.connect_timeout_ms);
  if (f.upgrade_timeout_ms) settings.upgrade_timeout = Ms(*f.upgrade_timeout_ms);
  settings.level = f.level.value_or(
      conform::discover_level(settings.target, settings.connect_timeout.value_or(Ms(1000))));
  note_heartbeat(host, planned);

  run::Report report;
  report.tool = "conform";
  report.target = settings.target.url();
  report.level = std::string(conform::to_string(settings.level));
  describe_run(report, host, &f.baselines);
  conform::host::TargetLiveness liveness(
      host, [&settings](const conform::Target& t) { settings.target = t; });
  const ProgressPrinter printer;
  const int jobs = f.jobs.value_or(12);
  run::run(report, conform::units(planned, settings),
           {.jobs = jobs,
            .timing_jobs = timing_jobs(host, jobs),
            .grading = f.baselines.grading(f.strict),
            .progress = [&printer](const run::Progress& p) { printer.on_unit(p); },
            .tick = [&printer](const run::Progress& p) { printer.on_tick(p); },
            .liveness = &liveness,
            .stop = &interrupts.stop(),
            .stopped_why = [&interrupts] { return interrupts.why(); }});
  host.stop();

  const auto prefix = rerun_prefix(f);
  for (auto& r : report.results)
    if (r.regression && r.outcome.verdict != Verdict::not_run && r.info.id != "target/crash")
      r.rerun = prefix + " --cases " + shell_quoted(r.info.name) + " --trace";
  return finish_conform(report, f, interrupts);
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
      "optional feature or the extended fixture level is missing), FAIL, CRASH (the target died "
      "or stopped answering during the case: a --launch target is restarted and the run goes on) "
      "and NOT RUN (the target was gone, or the run was interrupted).\n"
      "Exit status: 0 no regression, 1 a regression (a FAIL, a CRASH, a NOT RUN, a NON-STRICT "
      "under --strict, or a stale --known-failing entry), 2 a usage error (a bad flag, a pattern "
      "or baseline entry that names no case), 3 the target cannot be reached or is not Socket.IO, "
      "4 a report cannot be written; 130 or 143 after SIGINT or SIGTERM (partial reports are "
      "written, and launched targets stopped).\n"
      "Examples:\n"
      "  siocheck conform                                   the embedded reference server\n"
      "  siocheck conform --target http://127.0.0.1:3000 --html report.html\n"
      "  siocheck conform --launch 'node server.js --port {port}' --known-failing "
      "known-failing.txt\n"
      "  siocheck conform --list --cases 'sio/acks'         what would run\n"
      "  siocheck conform --client -- node conformance/adapters/node/adapter.js\n"
      "                                                     a client library, through its adapter "
      "(conformance/CLIENT-ADAPTER.md)");
  add_target_flags(cmd, flags->where);
  add_selection(cmd, *flags);
  add_grading(cmd, *flags);
  cmd->add_flag("--client", flags->client,
                "Grade a Socket.IO client library instead: siocheck plays the server, and the "
                "command after -- is the library's adapter (conformance/CLIENT-ADAPTER.md)");
  cmd->add_option("--time-tolerance", flags->time_tolerance,
                  "With --client: the slack of a timing check, as a fraction of the expected "
                  "duration (at least 50 ms)")
      ->check(CLI::Range(0.0, 10.0))
      ->capture_default_str();
  cmd->add_option("adapter", flags->adapter,
                  "With --client: the adapter's command and its arguments, after --");
  return {cmd, [flags] {
            flags->adapter.insert(flags->adapter.end(), words_after_dashes().begin(),
                                  words_after_dashes().end());
            return run_conform(*flags);
          }};
}

}  // namespace siocheck::cli
