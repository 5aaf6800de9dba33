// `siocheck conform --client -- ADAPTER...`: the client suite. siocheck plays a scripted server
// for each case and drives the client library through its adapter; the same selection, baselines,
// reports and exit statuses as against a server.
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "conform_plan.hpp"
#include "interrupts.hpp"
#include "run_output.hpp"
#include "siocheck/client/client_suite.hpp"
#include "siocheck/run/report.hpp"
#include "siocheck/run/runner.hpp"

namespace siocheck::cli {

namespace {

namespace run = conform::run;
namespace client = conform::client;

// Flags of server mode that mean nothing here: named, so that a gate is not silently changed.
std::string server_only_flag(const ConformFlags& f) {
  if (f.where.target) return "--target";
  if (f.where.launch) return "--launch";
  if (f.level) return "--level";
  if (f.connect_timeout_ms) return "--connect-timeout-ms";
  if (f.upgrade_timeout_ms) return "--upgrade-timeout-ms";
  return "";
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words)
    out += (out.empty() ? "" : " ") + shell_quoted(w);
  return out;
}

std::string joined_features(const std::vector<std::string>& features) {
  std::string out;
  for (const auto& f : features)
    out += (out.empty() ? "" : ", ") + f;
  return out.empty() ? "(none)" : out;
}

}  // namespace

int run_conform_client(ConformFlags& f) {
  if (f.adapter.empty())
    return usage("conform",
                 "--client: no adapter command; give it after --, e.g. siocheck "
                 "conform --client -- node conformance/adapters/node/adapter.js");
  if (!f.client)
    return usage("conform", "'" + f.adapter.front() +
                                "': an adapter command is for client mode; add --client (or drop "
                                "the words after --)");
  if (const auto flag = server_only_flag(f); !flag.empty())
    return usage("conform", flag +
                                " is for grading a server; --client grades a client library "
                                "through the adapter after --");
  auto& interrupts = Interrupts::install(true);
  std::string error;
  if (!load_baselines(f.baselines, error)) return usage("conform", error);
  const auto all = client::all_unit_infos();
  for (const auto* b : {&f.baselines.failing, &f.baselines.flaky})
    if (*b)
      if (auto unknown = (*b)->unknown_error(all, "client case"); !unknown.empty())
        return usage("conform", unknown);
  if (!check_patterns(f.selection.cases, "--cases", all, error) ||
      !check_patterns(f.selection.skip, "--skip", all, error))
    return usage("conform", error);
  auto planned = client::plan({f.selection.cases, f.selection.skip});
  if (f.shard) {
    std::pair<int, int> shard;
    if (!parse_shard(*f.shard, shard))
      return usage("conform",
                   "--shard: '" + *f.shard + "' is not i/n with 1 <= i <= n (e.g. --shard 2/4)");
    planned = shard_of(planned, shard);
  }
  if (f.list) return list_client(planned);
  if (planned.empty()) return usage("conform", "--cases and --skip leave no case to run");
  if (!reports_writable(f.reports, "conform")) return kReportFailed;
  if (f.write_known_failing && !reports_writable({.json = f.write_known_failing}, "conform"))
    return kReportFailed;

  client::Settings settings;
  settings.adapter = f.adapter;
  settings.tolerance = f.time_tolerance;
  const auto facts = client::probe_adapter(settings);
  if (!facts.why.empty()) {
    std::cerr << "siocheck conform: the adapter '" << joined(f.adapter) << "': " << facts.why
              << "\n";
    return kUnreachable;
  }
  std::cerr << "siocheck conform: client " << facts.impl << " " << facts.version
            << "; features: " << joined_features(facts.features) << "\n";

  run::Report report;
  report.tool = "conform";
  report.target = "client " + facts.impl + " " + facts.version;
  char tolerance[32];
  std::snprintf(tolerance, sizeof tolerance, "%g", f.time_tolerance);
  report.facts = {{"adapter", joined(f.adapter)}, {"time tolerance", tolerance}};
  describe_baselines(report, &f.baselines);
  const ProgressPrinter printer;
  const int jobs = f.jobs.value_or(6);
  run::run(report, client::units(planned, settings),
           {.jobs = jobs,
            .timing_jobs = std::min(jobs, 2),
            .grading = f.baselines.grading(f.strict),
            .progress = [&printer](const run::Progress& p) { printer.on_unit(p); },
            .tick = [&printer](const run::Progress& p) { printer.on_tick(p); },
            .stop = &interrupts.stop(),
            .stopped_why = [&interrupts] { return interrupts.why(); }});

  const std::string prefix =
      std::string("siocheck conform --client") + (f.strict ? " --strict" : "");
  for (auto& r : report.results)
    if (r.regression && r.outcome.verdict != run::Verdict::not_run)
      r.rerun =
          prefix + " --cases " + shell_quoted(r.info.name) + " --trace -- " + joined(f.adapter);
  return finish_conform(report, f, interrupts);
}

}  // namespace siocheck::cli
