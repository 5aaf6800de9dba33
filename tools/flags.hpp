// Options every checking command shares, registered once here: where the target is, which
// reports to write, which baselines to apply, and the fixture level.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "siocheck/driver/fixture.hpp"
#include "siocheck/host/target_host.hpp"
#include "siocheck/run/baseline.hpp"
#include "siocheck/run/runner.hpp"
#include "siocheck/run/unit.hpp"

namespace siocheck::cli {

// Exit statuses of the checking commands (0 and 1 in commands.hpp).
inline constexpr int kUnreachable = 3;   // the target cannot be reached, or is not Socket.IO
inline constexpr int kReportFailed = 4;  // a report could not be written

// Prints "siocheck TOOL: WHAT" on stderr and returns the usage exit status (2).
int usage(std::string_view tool, std::string_view what);
// Prints why the target could not be opened; returns 2 (usage) or 3 (unreachable).
int open_failed(std::string_view tool, conform::host::OpenError kind, std::string_view what);

// The command line as given, for reports (set once by main).
void set_command_line(int argc, char** argv);
const std::string& command_line();
// The words after the command line's first `--` (a command to run, such as conform --client's
// adapter). main() takes them off before the options are parsed, so that an option taking several
// values (--cases a b) cannot end at that `--` and leave the adapter's own flags to the parser.
std::size_t split_at_dashes(int argc, char** argv);  // returns the argc left for the parser
const std::vector<std::string>& words_after_dashes();
// `word` as the shell reads it back: quoted when it holds anything but safe characters.
std::string shell_quoted(const std::string& word);

// --target, --launch, --eio-path, --sio-path, --insecure into `where`. `launch_help` says what
// the command does with a launched target (restarts it, ...). Without --target and --launch the
// command runs against the embedded reference server (see embedded.hpp).
void add_target_flags(CLI::App* app, conform::host::TargetOptions& where,
                      std::string_view launch_help = "");

// --json, --junit, --html.
struct ReportFlags {
  std::optional<std::string> json;
  std::optional<std::string> junit;
  std::optional<std::string> html;
};
void add_report_flags(CLI::App* app, ReportFlags& flags);
// Before the run: whether every report asked for can be written (its folder exists and is
// writable, and so is the file if it exists). False, with the flag and path on stderr.
bool reports_writable(const ReportFlags& flags, std::string_view tool);
// Writes the reports asked for. False (with a message on stderr) when one cannot be written.
bool write_reports(const conform::run::Report& report, const ReportFlags& flags,
                   std::string_view tool);
// The facts every report carries: siocheck's version, the command line, the baselines, and the
// target's handshake values (pingInterval, pingTimeout, maxPayload, upgrades).
void describe_run(conform::run::Report& report, const conform::host::TargetHost& host,
                  const struct BaselineFlags* baselines);
// The same without a target: siocheck's version, the command line and the baselines.
void describe_baselines(conform::run::Report& report, const struct BaselineFlags* baselines);

// --known-failing, --known-flaky: files of patterns (see siocheck/run/baseline.hpp).
struct BaselineFlags {
  std::vector<std::string> known_failing;  // each flag may be given several times
  std::vector<std::string> known_flaky;
  std::optional<conform::run::Baseline> failing;  // loaded, every file's entries together
  std::optional<conform::run::Baseline> flaky;
  conform::run::Grading grading(bool strict) const {
    return {strict, failing ? &*failing : nullptr, flaky ? &*flaky : nullptr};
  }
};
void add_baseline_flags(CLI::App* app, BaselineFlags& flags, std::string_view unit_noun);
// Loads the files. On error: false, with the flag and the file's problem in `error`.
bool load_baselines(BaselineFlags& flags, std::string& error);

// --level official|extended: skip discovery.
void add_level_option(CLI::App* app, std::optional<conform::FixtureLevel>& level,
                      std::string_view help);

// An option that stores into a std::optional<T> when given.
template <class T>
CLI::Option* add_optional(CLI::App* app, const std::string& name, std::optional<T>& into,
                          const std::string& help) {
  return app->add_option_function<T>(
      name, [&into](const T& value) { into = value; }, help);
}

// An option whose words name the values of an enum: --transport websocket|polling|mixed. A word
// not in `words` is refused with the list of those that are; `default_word` is shown as the
// default.
template <class Enum>
CLI::Option* add_enum_option(CLI::App* app, const std::string& name, Enum& into,
                             const std::map<std::string, Enum>& words, const std::string& help,
                             const std::string& default_word = "") {
  std::vector<std::string> names;
  for (const auto& [word, value] : words)
    names.push_back(word);
  auto* option = app->add_option_function<std::string>(
      name, [&into, words](const std::string& word) { into = words.at(word); }, help);
  option->check(CLI::IsMember(names));
  if (!default_word.empty()) option->default_str(default_word);
  return option;
}

}  // namespace siocheck::cli
