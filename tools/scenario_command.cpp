// `siocheck scenario`: YAML multi-client scripts (scenarios/README.md) against a target.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>

#include "commands.hpp"
#include "flags.hpp"
#include "interrupts.hpp"
#include "siocheck/host/liveness.hpp"
#include "siocheck/run/report.hpp"
#include "siocheck/run/runner.hpp"
#include "siocheck/scenario/run_script.hpp"

namespace siocheck::cli {

namespace {

namespace fs = std::filesystem;
namespace run = conform::run;
namespace sc = conform::scenario;

struct ScenarioFlags {
  std::vector<std::string> paths;  // files or folders of *.yaml
  conform::host::TargetOptions where;
  sc::App app = sc::App::fixture;
  std::optional<conform::FixtureLevel> level;
  std::vector<std::string> features;
  int jobs = 4;
  bool trace = false;
  bool check = false;
  BaselineFlags baselines;
  ReportFlags reports;
};

// The scripts named on the command line: files as given, folders' *.yaml and *.yml (sorted).
bool collect(const std::vector<std::string>& paths, std::vector<std::string>& files,
             std::string& error) {
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::directory_iterator(p, ec)) {
        const auto ext = entry.path().extension();
        if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml"))
          found.push_back(entry.path().string());
      }
      if (found.empty()) {
        error = "'" + p + "' holds no *.yaml script";
        return false;
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(p, ec)) {
      files.push_back(p);
    } else {
      error = "'" + p + "' is neither a script nor a folder of scripts";
      return false;
    }
  }
  return true;
}

// Every script read; false after printing each bad one's file:line:col and what is wrong.
bool load_all(const std::vector<std::string>& files, std::vector<sc::Script>& scripts) {
  bool ok = true;
  for (const auto& f : files) {
    std::string error;
    auto script = sc::load(f, error);
    if (!script) {
      std::cerr << error << "\n";
      ok = false;
      continue;
    }
    scripts.push_back(std::move(*script));
  }
  return ok;
}

// A baseline entry that names no script of this run is only noted: a run of a few scripts may use
// the baseline of the whole folder.
void note_unknown(const BaselineFlags& b, const std::vector<run::UnitInfo>& infos) {
  for (const auto* baseline : {&b.failing, &b.flaky})
    if (*baseline)
      for (const auto* entry : (*baseline)->unknown(infos))
        std::cerr << "siocheck scenario: note: " << entry->file << ":" << entry->line << ": '"
                  << entry->pattern << "' names no script of this run\n";
}

int run_scenarios(ScenarioFlags& f) {
  if (f.paths.empty())
    return usage("scenario", "name at least one script or folder of scripts (e.g. scenarios/)");
  std::string error;
  std::vector<std::string> files;
  if (!collect(f.paths, files, error)) return usage("scenario", error);
  std::vector<sc::Script> scripts;
  if (!load_all(files, scripts)) return kUsage;
  if (f.check) {
    std::cout << scripts.size()
              << (scripts.size() == 1 ? " script is valid\n" : " scripts are valid\n");
    return kOk;
  }
  if (!load_baselines(f.baselines, error)) return usage("scenario", error);
  if (!reports_writable(f.reports, "scenario")) return kReportFailed;
  if (!f.where.target && !f.where.launch && f.app != sc::App::fixture)
    return usage("scenario",
                 "--app signaling: the embedded server serves the fixture; give "
                 "--target or --launch");

  auto& interrupts = Interrupts::install(true);
  conform::host::TargetHost host;
  f.where.embedded_settings.heartbeat_ms = std::make_pair(25000, 20000);
  f.where.probe_sio = true;
  if (const auto kind = host.open(f.where, "scenario", error);
      kind != conform::host::OpenError::none)
    return open_failed("scenario", kind, error);
  sc::RunSettings settings{host.target(), conform::FixtureLevel::official, f.app, f.features};
  settings.level = f.level.value_or(
      f.app == sc::App::fixture ? conform::discover_level(settings.target, conform::Ms(1000))
                                : conform::FixtureLevel::official);

  auto units = sc::units(scripts, settings);
  std::vector<run::UnitInfo> infos;
  for (const auto& u : units)
    infos.push_back(u.info);
  note_unknown(f.baselines, infos);
  run::Report report;
  report.tool = "scenario";
  report.target = settings.target.url();
  report.level = std::string(conform::to_string(settings.level));
  report.facts = {{"app", std::string(sc::to_string(settings.app))}};
  describe_run(report, host, &f.baselines);
  conform::host::TargetLiveness liveness(
      host, [&settings](const conform::Target& t) { settings.target = t; });
  // Each script is listed once, on stdout, when the run is over; meanwhile a count on time.
  run::run(report, units,
           {.jobs = f.jobs,
            .grading = f.baselines.grading(false),
            .tick =
                [](const run::Progress& p) {
                  std::cerr << "[" << p.done << "/" << p.total << " scripts] " << p.failures
                            << " failed so far\n";
                },
            .liveness = &liveness,
            .stop = &interrupts.stop(),
            .stopped_why = [&interrupts] { return interrupts.why(); }});
  host.stop();
  const std::string target = f.where.launch   ? " --launch " + shell_quoted(*f.where.launch)
                             : f.where.target ? " --target " + shell_quoted(*f.where.target)
                                              : "";
  for (auto& r : report.results)
    if (r.regression && r.outcome.verdict != run::Verdict::not_run && r.info.id != "target/crash")
      r.rerun = "siocheck scenario " + shell_quoted(r.info.name) + target + " --trace";
  run::print_summary(report, std::cout,
                     {.noun = "script",
                      .matrix = false,
                      .unit_lines = true,
                      .traces = f.trace,
                      .trace_lines = 30});
  if (!write_reports(report, f.reports, "scenario")) return kReportFailed;
  if (interrupts.stopped()) return interrupts.exit_status();
  return report.regressed() ? kFailed : kOk;
}

}  // namespace

Command add_scenario(CLI::App& app) {
  auto flags = std::make_shared<ScenarioFlags>();
  auto* cmd = app.add_subcommand(
      "scenario", "Run YAML multi-client scenario scripts (scenarios/README.md) against a server.");
  cmd->footer(
      "Each script names its clients and steps; independent scripts run at once. A failure names "
      "file:line:col, the step, the client, expected and observed, with the script's wire trace. "
      "A script whose requirements (app, fixture level, features) the target lacks is "
      "UNIMPLEMENTED.\n"
      "Exit status: 0 every script passed or was unimplemented, 1 a script failed or crashed the "
      "target (or a --known-failing entry is stale), 2 a usage error or an invalid script, 3 the "
      "target cannot be reached or is not Socket.IO, 4 a report cannot be written.\n"
      "Examples:\n"
      "  siocheck scenario scenarios/                        the embedded reference server\n"
      "  siocheck scenario scenarios/chat-room.yaml --target http://127.0.0.1:3000\n"
      "  siocheck scenario scenarios/ --launch 'node server.js --port {port}' --junit out.xml\n"
      "  siocheck scenario --check scenarios/                only check the scripts");
  cmd->add_option("scripts", flags->paths, "Scripts, or folders of *.yaml scripts");
  add_target_flags(cmd, flags->where);
  const std::map<std::string, sc::App> apps{{"fixture", sc::App::fixture},
                                            {"signaling", sc::App::signaling}};
  add_enum_option(cmd, "--app", flags->app, apps,
                  "What the target serves: fixture (conformance/FIXTURE.md) or signaling "
                  "(scenarios/SIGNALING.md); scripts that need the other are unimplemented",
                  "fixture");
  add_level_option(cmd, flags->level,
                   "The fixture level, instead of asking the target: official or extended");
  cmd->add_option("--feature", flags->features,
                  "A feature the target has (repeatable): scripts whose requires.features names "
                  "one not given are unimplemented");
  cmd->add_option("--jobs", flags->jobs, "Scripts run at once")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_flag("--trace", flags->trace,
                "Print the whole wire trace of each failure (otherwise its last 30 lines)");
  cmd->add_flag("--check", flags->check, "Only read and check the scripts");
  add_baseline_flags(cmd, flags->baselines, "script");
  add_report_flags(cmd, flags->reports);
  return {cmd, [flags] { return run_scenarios(*flags); }};
}

}  // namespace siocheck::cli
