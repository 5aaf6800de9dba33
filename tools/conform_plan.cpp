#include "conform_plan.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "commands.hpp"
#include "siocheck/run/baseline.hpp"

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

bool check_patterns(const std::vector<std::string>& patterns, const char* flag,
                    std::string& error) {
  const auto all = conform::all_unit_infos();
  for (const auto& pattern : patterns) {
    const bool named = std::any_of(all.begin(), all.end(), [&](const run::UnitInfo& u) {
      return run::selects(pattern, u.id, u.name);
    });
    if (!named) {
      error = std::string(flag) + ": '" + pattern +
              "' selects no case (ids look like eio/polling/3 or sio/acks/3@websocket, areas like "
              "sio/acks; `siocheck conform --list` lists them)";
      return false;
    }
  }
  return true;
}

}  // namespace siocheck::cli
