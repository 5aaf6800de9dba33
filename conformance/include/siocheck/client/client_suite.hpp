// The client suite as the run engine sees it: the cases a selection picks, each turned into a
// run unit that starts a scripted server and a fresh adapter, plays the case and grades it. The
// adapter's own troubles are told apart from the client's behaviour: an adapter that exits, stops
// answering, breaks the contract or reports an error gives CRASH, never FAIL; one that cannot do
// what a case needs gives UNIMPLEMENTED.
#pragma once

#include <string>
#include <vector>

#include "siocheck/client/client_case.hpp"
#include "siocheck/run/unit.hpp"

namespace conform::client {

struct Selection {
  std::vector<std::string> cases;  // patterns to run (empty: all)
  std::vector<std::string> skip;   // patterns to leave out
};

// The cases `selection` picks, in the suite's order.
std::vector<const Case*> plan(const Selection& selection);

run::UnitInfo unit_info(const Case& c);
// Every case: what baselines are checked against.
std::vector<run::UnitInfo> all_unit_infos();

// The cases as run units (`settings` must outlive them).
std::vector<run::Unit> units(const std::vector<const Case*>& planned, const Settings& settings);

// What the adapter says of itself: starts it once, reads its ready line, and ends it. Empty
// `why` on success.
struct AdapterFacts {
  std::string impl;
  std::string version;
  std::vector<std::string> features;
  std::string why;  // why it could not be read: it exited, hung or broke the contract
};
AdapterFacts probe_adapter(const Settings& settings);

}  // namespace conform::client
