#include "conform_plan.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "commands.hpp"
#include "interrupts.hpp"
#include "run_output.hpp"
#include "siocheck/run/baseline.hpp"
#include "siocheck/run/report.hpp"

namespace siocheck::cli {

namespace run = conform::run;

bool parse_shard(const std::string& text, std::pair<int, int>& shard) {
  int i = 0, n = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%d/%d%c", &i, &n, &tail) != 2 || n < 1 || i < 1 || i > n)
    return false;
  shard = {i, n};
  return true;
}

int list(const std::vector<conform::Planned>& planned) {
  std::set<std::string> ids;
  std::map<std::string, int> per_area;
  for (const auto& p : planned) {
    if (ids.insert(p.c->info.id).second) ++per_area[p.c->info.area()];
    std::cout << std::left << p.name << "  [" << conform::to_string(p.c->info.level)
              << (p.c->info.extended ? ", extended" : "") << (p.c->info.timing ? ", timing" : "")
              << "]  " << p.c->info.title << "\n";
  }
  std::cout << "\n"
            << ids.size() << " case ids (" << planned.size()
            << " runs with their transport variants)\n";
  for (const auto& [area, n] : per_area)
    std::cout << "  " << area << ": " << n << "\n";
  return kOk;
}

int list_client(const std::vector<const conform::client::Case*>& planned) {
  std::map<std::string, int> per_area;
  for (const auto* c : planned) {
    ++per_area[c->info.area()];
    std::string needs;
    for (const auto& f : c->info.needs)
      needs += ", " + f;
    std::cout << std::left << c->info.id << "  [" << conform::run::to_string(c->info.level) << needs
              << (c->info.timing ? ", timing" : "") << "]  " << c->info.title << "\n";
  }
  std::cout << "\n" << planned.size() << " client case ids\n";
  for (const auto& [area, n] : per_area)
    std::cout << "  " << area << ": " << n << "\n";
  return kOk;
}

bool check_patterns(const std::vector<std::string>& patterns, const char* flag,
                    const std::vector<run::UnitInfo>& all, std::string& error) {
  for (const auto& pattern : patterns) {
    const bool named = std::any_of(all.begin(), all.end(), [&](const run::UnitInfo& u) {
      return run::selects(pattern, u.id, u.name);
    });
    if (!named) {
      const bool client = !all.empty() && all.front().id.starts_with("client/");
      error = std::string(flag) + ": '" + pattern + "' selects no case (" +
              (client ? "ids look like client/ack/3, areas like client/ack; `siocheck conform "
                        "--client --list -- ADAPTER` lists them)"
                      : "ids look like eio/polling/3 or sio/acks/3@websocket, areas like "
                        "sio/acks; `siocheck conform --list` lists them)");
      return false;
    }
  }
  return true;
}

int finish_conform(const run::Report& report, const ConformFlags& f, const Interrupts& interrupts) {
  run::print_summary(report, std::cout, {.traces = f.trace});
  if (!write_reports(report, f.reports, "conform")) return kReportFailed;
  if (f.reports.html) std::cout << "HTML report: " << *f.reports.html << "\n";
  if (f.write_known_failing) {
    if (!write_known_failing(report, *f.write_known_failing))
      return usage("conform",
                   "--write-known-failing: cannot write '" + *f.write_known_failing + "'"),
             kReportFailed;
    std::cout << "known-failing baseline written: " << *f.write_known_failing << "\n";
  }
  if (interrupts.stopped()) return interrupts.exit_status();
  return report.regressed() ? kFailed : kOk;
}

}  // namespace siocheck::cli
