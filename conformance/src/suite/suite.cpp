#include "siocheck/suite/suite.hpp"

#include <chrono>

#include "siocheck/run/baseline.hpp"

namespace conform {

namespace {

std::vector<Planned> variants(const Case& c) {
  std::vector<Planned> out;
  if (c.info.transports.empty()) out.push_back({&c, std::nullopt, c.info.id});
  for (const auto t : c.info.transports)
    out.push_back({&c, t, c.info.id + "@" + std::string(to_string(t))});
  return out;
}

run::Outcome run_case(const Planned& planned, const Settings& settings) {
  run::Outcome outcome;
  const auto& info = planned.c->info;
  if (info.extended && settings.level != FixtureLevel::extended) {
    const std::string level(to_string(settings.level));
    outcome.verdict = Verdict::unimplemented;
    outcome.reason = "needs fixture level extended; the target is at level " + level;
    outcome.checks.push_back({"fixture level", "extended", level, false});
    return outcome;
  }
  Loop loop(settings.target);
  Context context(loop, settings, planned.variant, info);
  try {
    planned.c->run(context);
  } catch (const CaseOutcome& end) {
    outcome.verdict = end.verdict;
    outcome.reason = end.what();
  } catch (const std::exception& e) {
    outcome.verdict = Verdict::fail;
    outcome.reason = std::string("the case could not run: ") + e.what();
  }
  outcome.checks = context.checks();
  for (auto& entry : loop.trace())
    outcome.trace.push_back(
        {entry.at_ms, std::move(entry.what), std::move(entry.text), std::move(entry.conn)});
  return outcome;
}

}  // namespace

std::vector<Planned> plan(const Selection& selection) {
  std::vector<Planned> out;
  for (const auto& c : all_cases())
    for (auto& p : variants(c)) {
      bool chosen = selection.cases.empty();
      for (const auto& pattern : selection.cases)
        chosen = chosen || run::selects(pattern, c.info.id, p.name);
      for (const auto& pattern : selection.skip)
        if (run::selects(pattern, c.info.id, p.name)) chosen = false;
      if (chosen) out.push_back(std::move(p));
    }
  if (selection.shard) {
    const auto [i, n] = *selection.shard;
    std::vector<Planned> mine;
    for (std::size_t k = 0; k < out.size(); ++k)
      if (static_cast<int>(k % static_cast<std::size_t>(n)) == i - 1) mine.push_back(out[k]);
    out = std::move(mine);
  }
  return out;
}

// Areas whose cases send what may bring a server down: liveness is checked after each of them,
// even one that passes (a dead server may "pass" a case that expects the connection to end).
static bool hostile_area(std::string_view area) {
  return area == "eio/limits" || area == "eio/coalesced" || area == "eio/reset" ||
         area == "eio/names" || area == "sio/robustness" || area == "sio/names";
}

run::UnitInfo unit_info(const Planned& planned) {
  const auto& info = planned.c->info;
  return {.id = info.id,
          .name = planned.name,
          .variant = planned.variant ? std::string(to_string(*planned.variant)) : "",
          .group = info.area(),
          .title = info.title,
          .requirement = info.requirement,
          .level = std::string(to_string(info.level)),
          .source = info.source,
          .timing = info.timing,
          .hostile = hostile_area(info.area())};
}

std::vector<run::UnitInfo> all_unit_infos() {
  std::vector<run::UnitInfo> out;
  for (const auto& c : all_cases())
    for (const auto& p : variants(c))
      out.push_back(unit_info(p));
  return out;
}

std::vector<run::Unit> units(const std::vector<Planned>& planned, const Settings& settings) {
  std::vector<run::Unit> out;
  out.reserve(planned.size());
  for (const auto& p : planned)
    out.push_back({unit_info(p), [p, &settings] { return run_case(p, settings); }});
  return out;
}

}  // namespace conform
