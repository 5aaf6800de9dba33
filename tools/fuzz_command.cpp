// `siocheck fuzz` and `siocheck replay`: the live-target fuzzer (siocheck/fuzz/...) and the
// replay of its findings.
#include <cstdlib>
#include <iostream>

#include "commands.hpp"
#include "flags.hpp"
#include "interrupts.hpp"
#include "siocheck/codec/text.hpp"
#include "siocheck/fuzz/campaign.hpp"
#include "siocheck/run/report.hpp"
#include "siocheck/run/runner.hpp"

namespace siocheck::cli {

namespace {

namespace run = conform::run;
namespace fz = conform::fuzz;
using conform::text::printable;

struct FuzzFlags {
  conform::host::TargetOptions where;
  fz::CampaignOptions campaign;
  int probe_timeout_ms = 2000;
  ReportFlags reports;
};

// A replay's target could not be opened: the whole replay stops with that exit status.
struct Unopened {
  conform::host::OpenError kind;
  std::string why;
};

struct ReplayFlags {
  std::vector<std::string> files;
  conform::host::TargetOptions where;
  int probe_timeout_ms = 2000;
  bool trace = false;
  ReportFlags reports;
};

void print_findings(const fz::CampaignResult& r, int jobs) {
  std::cout << "siocheck fuzz: " << r.sequences << " sequences in "
            << static_cast<int>(r.seconds * 10) / 10.0 << " s ("
            << static_cast<long>(static_cast<double>(r.sequences) / std::max(r.seconds, 0.001))
            << "/s, " << jobs << " jobs, seed " << r.seed << "), " << r.restarts
            << " target restarts\n";
  if (r.findings.empty()) {
    std::cout << "no findings"
              << (r.unconfirmed
                      ? " (" + std::to_string(r.unconfirmed) + " failures did not reproduce alone)"
                      : "")
              << "\n";
    return;
  }
  std::cout << r.findings.size() << (r.findings.size() == 1 ? " finding" : " findings") << ":\n";
  for (const auto& f : r.findings) {
    std::cout << "  " << f.outcome.signature() << " (found after " << static_cast<int>(f.after_s)
              << " s, seen " << f.repeats + 1 << "x)\n    "
              << printable(f.outcome.detail, {.max = 600, .newlines = true}) << "\n    steps:\n";
    for (const auto& s : f.steps)
      std::cout << "      " << fz::describe(s) << "\n";
    std::cout << "    replay: siocheck replay " << f.file << " [--target URL | --launch CMD]\n";
  }
  if (r.unconfirmed) std::cout << r.unconfirmed << " further failures did not reproduce alone\n";
}

int run_fuzz(FuzzFlags& f) {
  if (!reports_writable(f.reports, "fuzz")) return kReportFailed;
  auto& interrupts = Interrupts::install(true);
  conform::host::TargetHost host;
  std::string error;
  f.where.embedded_settings.heartbeat_ms = std::make_pair(25000, 20000);
  if (const auto kind = host.open(f.where, "fuzz", error); kind != conform::host::OpenError::none)
    return open_failed("fuzz", kind, error);
  f.campaign.probe_timeout = conform::Ms(f.probe_timeout_ms);
  f.campaign.stop = &interrupts.stop();
  const auto result = fz::run_campaign(host, f.campaign, std::cerr);
  print_findings(result, f.campaign.jobs);
  run::Report report;
  report.tool = "fuzz";
  report.target = host.target().url();
  report.level = "";  // not asked: the fuzzer needs the contract, whatever the level
  report.wall_ms = result.seconds * 1000;
  report.started = run::iso_now();
  report.facts = {{"seed", std::to_string(result.seed)},
                  {"sequences", std::to_string(result.sequences)}};
  describe_run(report, host, nullptr);
  if (interrupts.stopped()) report.incomplete = "interrupted: the campaign stopped early";
  for (const auto& finding : result.findings)
    report.results.push_back(fz::finding_result(finding));
  if (result.findings.empty()) report.results.push_back(fz::clean_campaign_result(result));
  run::grade(report.results, {});
  if (result.target_down) host.abandon();
  if (!write_reports(report, f.reports, "fuzz")) return kReportFailed;
  if (interrupts.stopped()) return interrupts.exit_status();
  return result.findings.empty() ? kOk : kFailed;
}

// Plays one finding file on a target of its own, and says on stdout what came out.
run::Outcome replay_one(const fz::FindingFile& file, const ReplayFlags& f, std::string& target) {
  conform::host::TargetHost host;
  std::string error;
  if (const auto kind = host.open(f.where, "replay", error); kind != conform::host::OpenError::none)
    throw Unopened{kind, error};
  target = host.target().url();
  std::cout << file.file << ": " << file.steps.size() << " steps, expecting "
            << fz::to_string(file.kind) << ": " << file.code << "\n";
  for (const auto& s : file.steps)
    std::cout << "    " << fz::describe(s) << "\n";
  const auto got = fz::execute(host.target(), file.steps, host, conform::Ms(f.probe_timeout_ms));
  if (f.trace) {
    std::cout << "  trace:\n";
    for (std::size_t i = got.trace.size() > 400 ? got.trace.size() - 400 : 0; i < got.trace.size();
         ++i)
      std::cout << "    " << got.trace[i].at_ms << " " << got.trace[i].what << " "
                << printable(got.trace[i].text, {.max = 300}) << "\n";
  }
  auto outcome = fz::replay_outcome(file, got);
  std::cout << "  " << outcome.reason << "\n";
  if (got.found())
    std::cout << "    " << printable(got.detail, {.max = 2000, .newlines = true}) << "\n";
  if (got.kind == fz::Kind::hang && !host.launched()) host.abandon();
  return outcome;
}

int run_replay(ReplayFlags& f) {
  std::vector<fz::FindingFile> files;
  for (const auto& path : f.files) {
    std::string error;
    auto file = fz::load_finding(path, error);
    if (!file) return usage("replay", error);
    files.push_back(std::move(*file));
  }
  f.where.embedded_settings.heartbeat_ms = std::make_pair(25000, 20000);
  run::Report report;
  report.tool = "replay";
  report.level = "";  // not asked: the fuzzer needs the contract, whatever the level
  if (!reports_writable(f.reports, "replay")) return kReportFailed;
  Interrupts::install(false);
  std::vector<run::Unit> units;
  std::optional<int> unopened;
  for (const auto& file : files)
    units.push_back({fz::replay_info(file), [&file, &f, &report, &unopened] {
                       try {
                         return replay_one(file, f, report.target);
                       } catch (const Unopened& e) {
                         unopened = open_failed("replay", e.kind, e.why);
                         return run::not_run(e.why);
                       }
                     }});
  run::run(report, units, {.jobs = 1});
  if (unopened) return *unopened;
  const auto counts = report.counts();
  std::cout << files.size() << (files.size() == 1 ? " finding" : " findings")
            << " replayed against " << report.target << ": " << counts[4]
            << " reproduced (or gave another finding), " << counts[0] << " not reproduced\n";
  report.command_line = command_line();
  if (!write_reports(report, f.reports, "replay")) return kReportFailed;
  return report.regressed() ? kFailed : kOk;
}

}  // namespace

Command add_fuzz(CLI::App& app) {
  auto flags = std::make_shared<FuzzFlags>();
  auto& c = flags->campaign;
  auto* cmd = app.add_subcommand(
      "fuzz",
      "Fuzz a live Socket.IO server: grammar-built, mutated Engine.IO/Socket.IO traffic over "
      "polling and WebSocket, a liveness probe after every sequence.");
  cmd->footer(
      "Each sequence opens one to three sessions, sends events, acks, binary attachments, "
      "namespace changes, raw polling bodies, wrong requests and upgrades, hostile names "
      "(__proto__, constructor, empty, long, not UTF-8), some of them mutated byte by byte; one in "
      "four also writes raw bytes: an upgrade request with its first frames (valid or invalid) in "
      "one write, pipelined requests, a POST cut in two, connections reset at each stage. After "
      "it, a new client must complete a handshake, a CONNECT to / and a "
      "message-with-ack round trip within --probe-timeout. Findings: a crash (the process "
      "exited, or connections are refused), a hang (the probe got no answer), a protocol "
      "violation (an HTTP 5xx, an undecodable packet, a packet for a namespace or an ack id the "
      "client never asked for, attachments out of place). Each is confirmed alone, minimised and "
      "written as JSON that `siocheck replay` plays again. The target must serve the fixture "
      "contract (conformance/FIXTURE.md); with --launch a crashed or hung target is restarted.\n"
      "Exit status: 0 no finding, 1 findings, 2 a usage error, 3 the target cannot be reached or "
      "is not Socket.IO, 4 a report cannot be written.\n"
      "Examples:\n"
      "  siocheck fuzz --duration 60                       the embedded reference server\n"
      "  siocheck fuzz --launch 'node fixture.js --port {port}' --duration 600 --jobs 2\n"
      "  siocheck replay fuzz-findings/crash-*.json --launch 'node fixture.js --port {port}'");
  add_target_flags(cmd, flags->where, ". The fuzzer restarts it after a crash or hang");
  cmd->add_option("--seed", c.seed, "Seed of the sequences (0: a random one, printed)")
      ->capture_default_str();
  cmd->add_option("--duration", c.duration_s, "Seconds to run, from 0.1 to 604800 (a week)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            char* end = nullptr;
            const double seconds = std::strtod(text.c_str(), &end);
            if (end == text.c_str() || *end || !(seconds >= 0.1 && seconds <= 604800))
              return "'" + text + "' is not a number of seconds from 0.1 to 604800 (a week)";
            return "";
          },
          "SECONDS"))
      ->capture_default_str();
  add_optional(cmd, "--sequences", c.sequences, "Stop after this many sequences")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--jobs", c.jobs, "Sequences played at once")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--probe-timeout", flags->probe_timeout_ms,
                  "Milliseconds the liveness probe (and each waiting step) may take")
      ->check(CLI::Range(50, 600000))
      ->capture_default_str();
  cmd->add_option("--max-findings", c.max_findings,
                  "Stop once this many distinct findings are written")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--findings", c.findings_dir, "Folder for the finding files")
      ->capture_default_str();
  cmd->add_flag("--quiet", c.quiet, "No progress lines");
  add_report_flags(cmd, flags->reports);
  return {cmd, [flags] { return run_fuzz(*flags); }};
}

Command add_replay(CLI::App& app) {
  auto flags = std::make_shared<ReplayFlags>();
  auto* cmd =
      app.add_subcommand("replay", "Play findings of `siocheck fuzz` against a server again.");
  cmd->footer(
      "Plays each file's steps, then the liveness probe, and says whether the same finding comes "
      "out.\nExit status: 0 no file reproduced (the bug is gone), 1 at least one reproduced (or "
      "gave another finding), 2 a usage error or a bad file, 3 the target cannot be reached or "
      "is not Socket.IO, 4 a report cannot be written.");
  cmd->add_option("files", flags->files, "Finding files (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  add_target_flags(cmd, flags->where);
  cmd->add_option("--probe-timeout", flags->probe_timeout_ms,
                  "Milliseconds the liveness probe (and each waiting step) may take")
      ->check(CLI::Range(50, 600000))
      ->capture_default_str();
  cmd->add_flag("--trace", flags->trace, "Print what went over the wire");
  add_report_flags(cmd, flags->reports);
  return {cmd, [flags] { return run_replay(*flags); }};
}

}  // namespace siocheck::cli
