// Runs a parsed scenario script against a target: every client its own connection on one event
// loop, the steps in order, the first failure ending the script with the step's position, the
// client, expected and observed, and the script's wire trace.
#pragma once

#include <string>
#include <vector>

#include "siocheck/run/unit.hpp"
#include "siocheck/scenario/script.hpp"

namespace conform::scenario {

struct RunSettings {
  Target target;
  FixtureLevel level = FixtureLevel::official;  // what the target serves
  App app = App::fixture;
  std::vector<std::string> features;  // declared by the user: --feature NAME
};

// PASS; FAIL with one failed check ("FILE:LINE:COL: STEP (client NAME)", expected, observed);
// or UNIMPLEMENTED when the target lacks the app, level or a feature the script requires.
run::Outcome run(const Script& script, const RunSettings& settings);

// The script as the run engine and its reports see it: id its file name without .yaml (what
// baselines name), name its path.
run::UnitInfo unit_info(const Script& script);
// The scripts as run units against `settings` (scripts and settings must outlive the units).
std::vector<run::Unit> units(const std::vector<Script>& scripts, const RunSettings& settings);

}  // namespace conform::scenario
