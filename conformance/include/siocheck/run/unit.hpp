// What every checker hands to the run engine and gets back: a unit (a conformance case variant, a
// scenario script, a model check, a fuzz finding) with the facts a report shows about it, and its
// graded result. Nothing here knows what a unit checks; the engine runs, grades and reports them
// all the same way.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace conform::run {

enum class Verdict { pass, non_strict, informational, unimplemented, fail };
inline constexpr std::array<Verdict, 5> kVerdicts{Verdict::pass, Verdict::non_strict,
                                                  Verdict::informational, Verdict::unimplemented,
                                                  Verdict::fail};
std::string_view to_string(Verdict verdict) noexcept;  // "PASS", "NON-STRICT", ...

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
};

struct Outcome {
  Verdict verdict = Verdict::pass;
  std::string reason;  // the failed check, or why it did not run
  std::vector<Check> checks;
  std::vector<TraceLine> trace;
  std::string details;  // more for people: a shrunk sequence, a finding's steps, a replay command
};

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
  std::vector<Result> results;

  bool regressed() const;
  std::array<int, kVerdicts.size()> counts() const;  // in the order of kVerdicts
};

// The current time as ISO 8601, UTC ("2026-12-04T23:25:58Z").
std::string iso_now();

}  // namespace conform::run
