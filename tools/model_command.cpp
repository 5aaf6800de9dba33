// `siocheck model`: the RapidCheck model of rooms, broadcasts and acks (siocheck/model/model.hpp)
// against a target, with the shrunk counterexample printed and written as a scenario script.
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include "commands.hpp"
#include "embedded.hpp"
#include "flags.hpp"
#include "interrupts.hpp"
#include "siocheck/model/model.hpp"
#include "siocheck/run/runner.hpp"

namespace siocheck::cli {

namespace {

namespace run = conform::run;
namespace model = conform::model;

struct ModelFlags {
  conform::host::TargetOptions where;
  std::vector<std::string> faults;  // embedded server only
  model::Options model;
  std::optional<std::uint64_t> seed;
  int timeout_ms = 5000;
  std::optional<std::string> scenario_out;
  std::optional<conform::FixtureLevel> level;
  ReportFlags reports;
};

// Progress on stderr: every tenth of the runs, and each accepted shrink.
std::function<void(const model::Progress&)> progress_printer(int runs) {
  auto next_mark = std::make_shared<int>(1);
  auto shown = std::make_shared<int>(0);
  return [=](const model::Progress& p) {
    if (!p.shrinking && p.runs * 10 >= *next_mark * runs && p.runs < runs) {
      while (p.runs * 10 >= *next_mark * runs)
        ++*next_mark;
      std::cerr << "  " << p.runs << "/" << runs << " runs\n";
    }
    if (p.shrinking && p.shrinks > *shown) {
      *shown = p.shrinks;
      std::cerr << "  shrinking: " << p.shrinks << " smaller failures found (" << p.tried
                << " tried)\n";
    }
  };
}

// The check's result as the run engine reports it, and on stdout.
run::Outcome report_outcome(const model::Outcome& o, const ModelFlags& f, double seconds) {
  run::Outcome out;
  std::cout << std::fixed << std::setprecision(1);
  if (o.passed) {
    out.details = std::to_string(o.runs) + " runs (" + std::to_string(o.steps) + " steps)";
    std::cout << "OK: " << o.runs << " runs (" << o.steps << " steps) passed in " << seconds
              << " s, " << o.runs / std::max(seconds, 1e-3) << " runs/s\n";
    return out;
  }
  std::cout << "FAILED after " << o.runs << " passing runs; shrunk (" << o.shrinks
            << " shrinks) to " << o.sequence.size() << " steps:\n";
  for (std::size_t i = 0; i < o.sequence.size(); ++i) {
    std::ostringstream line;
    line << std::setw(2) << i + 1 << ". " << o.sequence[i];
    out.details += line.str() + "\n";
    std::cout << "  " << line.str() << (i + 1 == o.sequence.size() ? "   <- fails" : "") << "\n";
  }
  std::cout << "step " << o.sequence.size() << ": " << o.failure << "\n";
  std::cout << "wire trace of that run (ms, -> sent, <- received), its last lines:\n" << o.trace;
  const auto file =
      f.scenario_out.value_or("siocheck-model-" + std::to_string(f.model.seed) + ".yaml");
  out.verdict = run::Verdict::fail;
  out.reason = "step " + std::to_string(o.sequence.size()) + ": " + o.failure;
  out.checks.push_back(
      {"step " + std::to_string(o.sequence.size()), "what the model predicts", o.failure, false});
  out.details += o.trace;
  if (!(std::ofstream(file, std::ios::binary) << o.scenario)) {
    std::cerr << "siocheck model: --scenario-out: cannot write '" << file << "'\n";
    return out;
  }
  out.details += "the counterexample as a scenario: " + file;
  std::cout << "the counterexample as a scenario: " << file
            << "\n  replay it with: siocheck scenario " << file
            << " (plus the same --target or --launch)\n(" << seconds << " s)\n";
  return out;
}

int run_model(ModelFlags& f) {
  std::string error;
  if (!f.faults.empty() && (f.where.target || f.where.launch))
    return usage("model",
                 "--fault: faults exist only in the embedded reference server; leave out "
                 "--target and --launch (or start `siocheck serve --fault NAME` yourself "
                 "and give --target)");
  if (!check_fault_names(f.faults, error)) return usage("model", "--fault: " + error);
  if (!reports_writable(f.reports, "model")) return kReportFailed;
  Interrupts::install(false);
  f.where.embedded_settings = {std::make_pair(25000, 20000), f.faults};
  conform::host::TargetHost host;
  if (const auto kind = host.open(f.where, "model", error); kind != conform::host::OpenError::none)
    return open_failed("model", kind, error);
  for (const auto& name : f.faults)
    std::cerr << "siocheck model: FAULT ON: " << name << " (the server is broken on purpose)\n";
  const auto level = f.level.value_or(conform::discover_level(host.target(), conform::Ms(1000)));
  if (level != conform::FixtureLevel::extended)
    return usage("model", host.target().url() +
                              " serves the fixture at level official; the model needs level "
                              "extended (the ctl:* control events and /dyn-N namespaces of "
                              "conformance/FIXTURE.md)");
  auto& m = f.model;
  m.target = host.target();
  m.seed = f.seed.value_or(std::random_device{}() * 4294967296ULL + std::random_device{}());
  m.timeout = conform::Ms(f.timeout_ms);
  std::cout << "siocheck model: " << m.runs << " runs of up to " << m.max_steps << " steps, "
            << m.max_clients << " clients (" << model::to_string(m.transports) << ") against "
            << m.target.url() << "\nseed " << m.seed << " (repeat this check with --seed " << m.seed
            << ")\n"
            << std::flush;

  bool check_failed = false;
  run::Unit unit{
      {.id = "model/rooms-broadcasts-acks",
       .name = "model/rooms-broadcasts-acks",
       .group = "model",
       .title = "Rooms, broadcasts and acks behave as the model predicts",
       .requirement = "Every packet of every step is the one the model predicts, and "
                      "nothing else arrives (proven with ctl:fence).",
       .level = "MUST",
       .source = "siocheck model, seed " + std::to_string(m.seed)},
      [&] {
        const auto started = std::chrono::steady_clock::now();
        const auto o = model::check(m, progress_printer(m.runs));
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (o.error.empty()) return report_outcome(o, f, seconds);
        check_failed = true;
        std::cerr << "siocheck model: " << o.error << "\n";
        return run::Outcome{.verdict = run::Verdict::fail, .reason = o.error};
      }};
  run::Report report;
  report.tool = "model";
  report.target = m.target.url();
  report.level = std::string(conform::to_string(level));
  report.facts = {{"seed", std::to_string(m.seed)}};
  describe_run(report, host, nullptr);
  run::run(report, {unit}, {.jobs = 1});
  host.stop();
  if (check_failed) return kUsage;
  if (!write_reports(report, f.reports, "model")) return kReportFailed;
  return report.regressed() ? kFailed : kOk;
}

void add_model_options(CLI::App* cmd, ModelFlags& f) {
  cmd->add_option("--fault", f.faults,
                  "Switch on a deliberate bug in the embedded reference server (repeatable; see "
                  "`siocheck serve --list-faults`): the model should catch it");
  cmd->add_option("--runs", f.model.runs, "Passing runs wanted (each a fresh command sequence)")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  add_optional(cmd, "--seed", f.seed,
               "RapidCheck's seed (default: a random one, printed so that a run can be repeated)");
  cmd->add_option("--max-clients", f.model.max_clients,
                  "Clients in a run, each its own connection with sockets on two namespaces")
      ->check(CLI::Range(1, 8))
      ->capture_default_str();
  cmd->add_option("--max-steps", f.model.max_steps,
                  "The longest command sequence of a run (runs grow from 1 step to this)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  const std::map<std::string, model::Transports> transports{
      {"websocket", model::Transports::websocket},
      {"polling", model::Transports::polling},
      {"mixed", model::Transports::mixed}};
  add_enum_option(cmd, "--transport", f.model.transports, transports,
                  "websocket, polling, or mixed (every second client polls)", "mixed");
  cmd->add_option("--timeout-ms", f.timeout_ms,
                  "How long an expected packet (an ack, a DISCONNECT) may take")
      ->check(CLI::Range(100, 600'000))
      ->capture_default_str();
  add_optional(cmd, "--scenario-out", f.scenario_out,
               "Where a counterexample's scenario goes (default: siocheck-model-SEED.yaml in the "
               "current folder)");
  add_level_option(cmd, f.level,
                   "The fixture level, instead of asking the target: official or extended");
  add_report_flags(cmd, f.reports);
}

}  // namespace

Command add_model(CLI::App& app) {
  auto flags = std::make_shared<ModelFlags>();
  auto* cmd = app.add_subcommand(
      "model",
      "Check rooms, broadcasts and acks against a stateful model: random sequences of connect, "
      "disconnect (either side), join, leave, broadcast (to / except / includeSelf, with or "
      "without acks) and emit-with-ack by several clients, each step checked packet by packet; "
      "a failure is shrunk to a shortest sequence and written as a scenario script.");
  cmd->footer(
      "Each run opens fresh connections on namespaces of its own (/dyn-N) and, after every step, "
      "predicts exactly which socket receives what; a ctl:fence on every socket proves that "
      "nothing else arrived, without waiting. The target runs the fixture of "
      "conformance/FIXTURE.md at level extended (the ctl:* control events). RapidCheck draws the "
      "runs from --seed: the same seed against the same server draws the same runs.\n"
      "A failure prints the shrunk steps, the packet expected and the one observed, and writes the "
      "sequence as a scenario (scenarios/README.md) that `siocheck scenario FILE` replays.\n"
      "Exit status: 0 every run passed, 1 a counterexample was found, 2 a usage error or a target "
      "without level extended, 3 the target cannot be reached or is not Socket.IO, 4 a report "
      "cannot be written.\n"
      "Examples:\n"
      "  siocheck model                                      the embedded reference server\n"
      "  siocheck model --runs 1000 --max-clients 4\n"
      "  siocheck model --fault broadcast-duplicates         watch it find a planted bug\n"
      "  siocheck model --launch 'node conformance/fixtures/node/server.js --port {port} "
      "--ping-interval 25000 --ping-timeout 20000'\n"
      "  siocheck model --target http://127.0.0.1:3000 --seed 42 --scenario-out bug.yaml");
  add_target_flags(cmd, flags->where,
                   ". Give it a long heartbeat (e.g. --ping-interval 25000 --ping-timeout 20000): "
                   "the model is not about pings");
  add_model_options(cmd, *flags);
  return {cmd, [flags] { return run_model(*flags); }};
}

}  // namespace siocheck::cli
