// What every checker hands to the run engine and gets back: a unit (a conformance case variant, a
// scenario script, a model check, a fuzz finding) with the facts a report shows about it, and its
// graded result. Nothing here knows what a unit checks; the engine runs, grades and reports them
// all the same way.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace conform::run {

// CRASH: the target died or stopped answering while the unit ran (its exit status and last output
// in the result). NOT RUN: the unit did not run, because the target was gone or the run was
// interrupted.
enum class Verdict { pass, non_strict, informational, unimplemented, fail, crash, not_run };
inline constexpr std::array<Verdict, 7> kVerdicts{
    Verdict::pass, Verdict::non_strict, Verdict::informational, Verdict::unimplemented,
    Verdict::fail, Verdict::crash,      Verdict::not_run};
std::string_view to_string(Verdict verdict) noexcept;  // "PASS", "NON-STRICT", ..., "NOT RUN"

// One expected-versus-observed comparison.
struct Check {
  std::string what;
  std::string expected;
  std::string observed;
  bool ok = true;
};

// What went over the wire, with times relative to the unit's start.
struct TraceLine {
  double at_ms = 0;
  std::string dir;  // "->" sent, "<-" received, "--" a note
  std::string text;
  std::string conn;  // the connection or client ("c1", "alice"); empty for a note
};

// The facts a report shows about a unit, whatever its kind.
struct UnitInfo {
  std::string id;           // stable: "eio/handshake/3", "scenario/chat-room", "model/rooms"
  std::string name;         // id, or id@variant: what --cases and baselines match
  std::string variant;      // "polling", ... or empty
  std::string group;        // the report's row and JUnit classname: "eio/handshake", "scenario"
  std::string title;        // what is checked, in a line
  std::string requirement;  // the normative text, or what the unit is about
  std::string level;        // "MUST", "SHOULD", "MAY", or empty
  std::string source;       // where the requirement comes from (a spec section, a script's file)
  bool timing = false;      // timing-sensitive: runs in a lane with little company
  // Sends what may bring a server down: the engine checks that the target is alive after it even
  // when it passes (after a unit that does not pass, it always checks).
  bool hostile = false;
};

struct Outcome {
  Verdict verdict = Verdict::pass;
  std::string reason;  // the failed check, or why it did not run
  std::vector<Check> checks;
  std::vector<TraceLine> trace;
  std::string details;  // more for people: a shrunk sequence, a finding's steps, a replay command
};

// Why a unit did not run: NOT RUN with that reason.
Outcome not_run(std::string why);

struct Unit {
  UnitInfo info;
  std::function<Outcome()> run;
};

// How a baseline judged a result.
enum class Mark { none, known_failing, known_flaky, stale };
std::string_view to_string(Mark mark) noexcept;  // "known-failing", ... ("" for none)

struct Result {
  UnitInfo info;
  Outcome outcome;
  double duration_ms = 0;
  int attempts = 1;  // more than one: a known-flaky unit was run again
  Mark mark = Mark::none;
  std::string mark_reason;  // the baseline entry's reason
  bool regression = false;  // fails the run
  std::string rerun;        // the command that runs this unit alone, with its trace
};

// A baseline file a run was graded against.
struct BaselineUsed {
  std::string flag;  // "--known-failing"
  std::string file;
  std::size_t entries = 0;
};

// A whole run of one checker, as every report writer reads it.
struct Report {
  std::string tool = "conform";  // the command: conform, scenario, model, fuzz, replay
  std::string target;            // the server's base URL
  std::string level;             // its fixture level
  std::string started;           // ISO 8601, UTC
  double wall_ms = 0;
  bool strict = false;
  // Further facts for the report's header, in order: {"seed", "42"}, {"app", "signaling"}.
  std::vector<std::pair<std::string, std::string>> facts;
  // The target's handshake values: {"pingInterval", "300"}, {"pingTimeout", "200"}, ...
  std::vector<std::pair<std::string, std::string>> handshake;
  std::string version;       // siocheck's
  std::string command_line;  // as given, each word quoted where the shell needs it
  std::vector<BaselineUsed> baselines;
  // The run stopped early (a signal): results past that point are NOT RUN. Empty when complete.
  std::string incomplete;
  std::vector<Result> results;

  bool regressed() const;
  using Counts = std::array<int, kVerdicts.size()>;  // in the order of kVerdicts
  Counts counts() const;
  std::map<std::string, Counts> counts_by_group() const;  // the matrix of a report
};

// The current time as ISO 8601, UTC ("2026-12-04T23:25:58Z").
std::string iso_now();

}  // namespace conform::run
