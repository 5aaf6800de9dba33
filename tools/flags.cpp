#include "flags.hpp"

#include <unistd.h>

#include <filesystem>
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

int open_failed(std::string_view tool, conform::host::OpenError kind, std::string_view what) {
  usage(tool, what);
  return kind == conform::host::OpenError::usage ? 2 : kUnreachable;
}

namespace {
std::string the_command_line;
}  // namespace

std::string shell_quoted(const std::string& word) {
  const bool safe = !word.empty() && word.find_first_not_of(
                                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789@%_+=:,./-") == std::string::npos;
  if (safe) return word;
  std::string out = "'";
  for (const char c : word)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void set_command_line(int argc, char** argv) {
  the_command_line.clear();
  for (int i = 0; i < argc; ++i)
    the_command_line += (i ? " " : "") + shell_quoted(i ? argv[i] : "siocheck");
}

const std::string& command_line() {
  return the_command_line;
}

namespace {
std::vector<std::string> the_words_after_dashes;
}

std::size_t split_at_dashes(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]) == "--") {
      the_words_after_dashes.assign(argv + i + 1, argv + argc);
      return static_cast<std::size_t>(i);
    }
  return static_cast<std::size_t>(argc);
}

const std::vector<std::string>& words_after_dashes() {
  return the_words_after_dashes;
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
  app->add_option("--ca-file", where.ca_file,
                  "PEM certificates to trust besides the system's (a self-signed target's)")
      ->check(CLI::ExistingFile);
  app->add_option_function<int>(
         "--launch-timeout",
         [&where](const int& s) { where.launch_timeout = std::chrono::seconds(s); },
         "Seconds a --launch target has to answer a handshake (or print its `listening URL` "
         "line); default 30")
      ->check(CLI::Range(1, 3600));
  where.embedded = embedded_reference();
}

void add_report_flags(CLI::App* app, ReportFlags& flags) {
  add_optional(app, "--json", flags.json, "Write the JSON report (schema siocheck.COMMAND/1) here");
  add_optional(app, "--junit", flags.junit, "Write a JUnit XML report here");
  add_optional(app, "--html", flags.html, "Write the self-contained HTML report here");
}

bool reports_writable(const ReportFlags& flags, std::string_view tool) {
  const std::pair<const char*, const std::optional<std::string>*> paths[]{
      {"--json", &flags.json}, {"--junit", &flags.junit}, {"--html", &flags.html}};
  for (const auto& [flag, path] : paths) {
    if (!*path) continue;
    namespace fs = std::filesystem;
    const fs::path file(**path);
    const auto dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
    std::error_code ec;
    std::string why;
    if (!fs::is_directory(dir, ec))
      why = "its folder " + dir.string() + " does not exist";
    else if (fs::exists(file, ec) && (fs::is_directory(file, ec) || ::access(file.c_str(), W_OK)))
      why = "it is not a writable file";
    else if (!fs::exists(file, ec) && ::access(dir.c_str(), W_OK))
      why = "its folder " + dir.string() + " is not writable";
    if (!why.empty()) {
      usage(tool,
            std::string(flag) + ": cannot write '" + **path + "': " + why + " (nothing was run)");
      return false;
    }
  }
  return true;
}

void describe_baselines(conform::run::Report& report, const BaselineFlags* baselines) {
#ifdef SIOCHECK_VERSION
  report.version = SIOCHECK_VERSION;
#endif
  report.command_line = command_line();
  if (baselines) {
    const std::pair<const char*, const std::optional<conform::run::Baseline>*> kinds[]{
        {"--known-failing", &baselines->failing}, {"--known-flaky", &baselines->flaky}};
    for (const auto& [flag, baseline] : kinds) {
      if (!*baseline) continue;
      std::map<std::string, std::size_t> per_file;
      for (const auto& entry : (*baseline)->entries)
        ++per_file[entry.file];
      for (const auto& file : (flag == std::string("--known-failing") ? baselines->known_failing
                                                                      : baselines->known_flaky))
        report.baselines.push_back({flag, file, per_file[file]});
    }
  }
}

void describe_run(conform::run::Report& report, const conform::host::TargetHost& host,
                  const BaselineFlags* baselines) {
  describe_baselines(report, baselines);
  const auto& h = host.handshake();
  std::string upgrades;
  for (const auto& u : h.upgrades)
    upgrades += (upgrades.empty() ? "" : ",") + u;
  report.handshake = {{"pingInterval", std::to_string(h.ping_interval)},
                      {"pingTimeout", std::to_string(h.ping_timeout)},
                      {"maxPayload", std::to_string(h.max_payload)},
                      {"upgrades", "[" + upgrades + "]"}};
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
  app->add_option("--known-failing", flags.known_failing,
                  "File of " + noun +
                      "s expected to fail (one pattern a line, then '# reason'); a listed " + noun +
                      " that passes fails the run as stale. Repeatable: the files add up")
      ->check(CLI::ExistingFile);
  app->add_option("--known-flaky", flags.known_flaky,
                  "File of " + noun +
                      "s whose verdict never fails the run (same format); one "
                      "that fails is run again, up to twice. Repeatable")
      ->check(CLI::ExistingFile);
}

namespace {

bool load_all(const std::vector<std::string>& files, const char* flag,
              std::optional<conform::run::Baseline>& into, std::string& error) {
  for (const auto& file : files) {
    auto one = conform::run::Baseline::load(file, error);
    if (!one) {
      error = std::string(flag) + ": " + error;
      return false;
    }
    if (!into) into.emplace();
    into->add(*one);
  }
  return true;
}

}  // namespace

bool load_baselines(BaselineFlags& flags, std::string& error) {
  return load_all(flags.known_failing, "--known-failing", flags.failing, error) &&
         load_all(flags.known_flaky, "--known-flaky", flags.flaky, error);
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
