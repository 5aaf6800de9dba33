#include "siocheck/client/client_suite.hpp"

#include "siocheck/codec/text.hpp"
#include "siocheck/run/baseline.hpp"

namespace conform::client {

namespace {

// How long a silent adapter has to answer `sync` before it counts as hung.
constexpr Ms kSyncTimeout{2000};

std::string why_not_ready(Harness& h, const Settings& settings) {
  if (!h.adapter_broken().empty()) return "the adapter broke the contract: " + h.adapter_broken();
  if (h.adapter_output_closed()) {
    h.run_until([&] { return !h.adapter_alive(); }, Ms(1000));
    return "the adapter " + h.adapter_exit() + " before its ready line";
  }
  if (!h.events().empty()) return "the adapter's first line is not ready";
  return "the adapter stopped answering (timeout): no ready line within " +
         std::to_string(settings.ready_timeout.count()) + " ms";
}

// Turns the adapter's troubles into the verdict they deserve, whatever the checks said.
void judge_adapter(Harness& h, run::Outcome& outcome) {
  auto crash = [&](std::string why) {
    outcome.verdict = Verdict::crash;
    outcome.reason = std::move(why);
  };
  if (!h.adapter_broken().empty())
    return crash("the adapter broke the contract: " + h.adapter_broken());
  if (h.adapter_output_closed()) {
    h.run_until([&] { return !h.adapter_alive(); }, Ms(1000));
    return crash("the adapter " + h.adapter_exit() + " during the case");
  }
  for (const auto& e : h.events())
    if (e.ev == "adapter_error")
      return crash("the adapter reported an error: " +
                   text::printable(e.json.value("message", std::string()), {.max = 300}));
  for (const auto& e : h.events())
    if (e.ev == "unsupported") {
      outcome.verdict = Verdict::unimplemented;
      outcome.reason = "the adapter cannot do " + e.json.value("what", std::string("?"));
      return;
    }
  // A case that did not pass may have waited on an adapter that no longer reads its commands.
  if ((outcome.verdict == Verdict::fail || outcome.verdict == Verdict::non_strict) &&
      !h.sync(kSyncTimeout))
    crash("the adapter stopped answering (timeout): no answer to sync within " +
          std::to_string(kSyncTimeout.count()) + " ms");
}

run::Outcome run_case(const Case& c, const Settings& settings) {
  run::Outcome outcome;
  std::unique_ptr<Harness> h;
  try {
    h = std::make_unique<Harness>(settings.adapter);
  } catch (const std::exception& e) {
    outcome.verdict = Verdict::crash;
    outcome.reason = std::string("the adapter cannot start: ") + e.what();
    return outcome;
  }
  if (!h->wait_ready(settings.ready_timeout)) {
    outcome.verdict = Verdict::crash;
    outcome.reason = why_not_ready(*h, settings);
  } else {
    Context context(*h, settings, c.info);
    std::string missing;
    for (const auto& feature : c.info.needs)
      if (!context.has(feature)) missing += (missing.empty() ? "" : ", ") + feature;
    if (!missing.empty()) {
      outcome.verdict = Verdict::unimplemented;
      outcome.reason = "the adapter does not declare " + missing;
      outcome.checks.push_back({"adapter features", missing, "not declared", false});
      return outcome;
    }
    try {
      c.run(context);
    } catch (const CaseOutcome& end) {
      outcome.verdict = end.verdict;
      outcome.reason = end.what();
    } catch (const std::exception& e) {
      outcome.verdict = Verdict::fail;
      outcome.reason = std::string("the case could not run: ") + e.what();
    }
    outcome.checks = context.checks();
    judge_adapter(*h, outcome);
  }
  outcome.trace = h->trace();
  if (outcome.verdict != Verdict::pass) {
    const auto err = h->adapter_stderr();
    if (!err.empty()) outcome.details = "the adapter's standard error, its last lines:\n" + err;
  }
  return outcome;
}

}  // namespace

std::vector<const Case*> plan(const Selection& selection) {
  std::vector<const Case*> out;
  for (const auto& c : all_cases()) {
    bool chosen = selection.cases.empty();
    for (const auto& pattern : selection.cases)
      chosen = chosen || run::selects(pattern, c.info.id, c.info.id);
    for (const auto& pattern : selection.skip)
      if (run::selects(pattern, c.info.id, c.info.id)) chosen = false;
    if (chosen) out.push_back(&c);
  }
  return out;
}

run::UnitInfo unit_info(const Case& c) {
  const auto& info = c.info;
  std::string needs;
  for (const auto& f : info.needs)
    needs += (needs.empty() ? "" : ", ") + f;
  return {.id = info.id,
          .name = info.id,
          .group = info.area(),
          .title = info.title,
          .requirement = info.requirement + (needs.empty() ? "" : " (needs: " + needs + ")"),
          .level = std::string(to_string(info.level)),
          .source = info.source,
          .timing = info.timing};
}

std::vector<run::UnitInfo> all_unit_infos() {
  std::vector<run::UnitInfo> out;
  for (const auto& c : all_cases())
    out.push_back(unit_info(c));
  return out;
}

std::vector<run::Unit> units(const std::vector<const Case*>& planned, const Settings& settings) {
  std::vector<run::Unit> out;
  for (const auto* c : planned)
    out.push_back({unit_info(*c), [c, &settings] { return run_case(*c, settings); }});
  return out;
}

AdapterFacts probe_adapter(const Settings& settings) {
  AdapterFacts facts;
  try {
    Harness h(settings.adapter);
    if (!h.wait_ready(settings.ready_timeout)) {
      facts.why = why_not_ready(h, settings);
      const auto err = h.adapter_stderr();
      if (!err.empty()) facts.why += "; its standard error:\n" + err;
      return facts;
    }
    facts.impl = h.impl();
    facts.version = h.impl_version();
    facts.features.assign(h.features().begin(), h.features().end());
  } catch (const std::exception& e) {
    facts.why = std::string("the adapter cannot start: ") + e.what();
  }
  return facts;
}

}  // namespace conform::client
