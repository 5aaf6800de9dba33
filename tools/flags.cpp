#include "flags.hpp"

#include <fstream>
#include <iostream>
#include <map>

#include "embedded.hpp"
#include "siocheck/run/report.hpp"

namespace siocheck::cli {

namespace {

bool write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  return static_cast<bool>(out << content);
}

}  // namespace

int usage(std::string_view tool, std::string_view what) {
  std::cerr << "siocheck " << tool << ": " << what << "\n";
  return 2;
}

void add_target_flags(CLI::App* app, conform::host::TargetOptions& where,
                      std::string_view launch_help) {
  add_optional(app, "--target", where.target,
               "Base URL of the server under test: http(s)://HOST:PORT (default: the embedded "
               "reference server)");
  add_optional(app, "--launch", where.launch,
               "Command that starts the server under test; {port} is replaced by a free port, and "
               "the run starts once it answers a handshake" +
                   std::string(launch_help));
  app->add_option("--eio-path", where.eio_path, "Path of the target's Engine.IO endpoint")
      ->capture_default_str();
  app->add_option("--sio-path", where.sio_path, "Path of the target's Socket.IO endpoint")
      ->capture_default_str();
  app->add_flag("--insecure", where.insecure, "Do not verify the https/wss certificate");
  where.embedded = embedded_reference();
}

void add_report_flags(CLI::App* app, ReportFlags& flags) {
  add_optional(app, "--json", flags.json, "Write the JSON report (schema siocheck.COMMAND/1) here");
  add_optional(app, "--junit", flags.junit, "Write a JUnit XML report here");
  add_optional(app, "--html", flags.html, "Write the self-contained HTML report here");
}

bool write_reports(const conform::run::Report& report, const ReportFlags& flags,
                   std::string_view tool) {
  namespace run = conform::run;
  const std::pair<const std::optional<std::string>*, std::string (*)(const run::Report&)> writers[]{
      {&flags.json, &run::to_json}, {&flags.junit, &run::to_junit}, {&flags.html, &run::to_html}};
  const char* names[] = {"--json", "--junit", "--html"};
  bool ok = true;
  for (std::size_t i = 0; i < std::size(writers); ++i) {
    const auto& path = *writers[i].first;
    if (path && !write_file(*path, writers[i].second(report))) {
      usage(tool, std::string(names[i]) + ": cannot write '" + *path + "'");
      ok = false;
    }
  }
  return ok;
}

void add_baseline_flags(CLI::App* app, BaselineFlags& flags, std::string_view unit_noun) {
  const std::string noun(unit_noun);
  add_optional(app, "--known-failing", flags.known_failing,
               "File of " + noun +
                   "s expected to fail (one pattern a line, then '# reason'); a listed " + noun +
                   " that passes fails the run as stale")
      ->check(CLI::ExistingFile);
  add_optional(app, "--known-flaky", flags.known_flaky,
               "File of " + noun +
                   "s whose verdict never fails the run (same format); one that "
                   "fails is run again, up to twice")
      ->check(CLI::ExistingFile);
}

bool load_baselines(BaselineFlags& flags, std::string& error) {
  if (flags.known_failing) {
    flags.failing = conform::run::Baseline::load(*flags.known_failing, error);
    if (!flags.failing) {
      error = "--known-failing: " + error;
      return false;
    }
  }
  if (flags.known_flaky) {
    flags.flaky = conform::run::Baseline::load(*flags.known_flaky, error);
    if (!flags.flaky) {
      error = "--known-flaky: " + error;
      return false;
    }
  }
  return true;
}

void add_level_option(CLI::App* app, std::optional<conform::FixtureLevel>& level,
                      std::string_view help) {
  app->add_option_function<std::string>(
         "--level",
         [&level](const std::string& word) { level = conform::fixture_level_named(word); },
         std::string(help))
      ->check(CLI::IsMember({"official", "extended"}));
}

}  // namespace siocheck::cli
