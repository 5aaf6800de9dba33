#include "report.hpp"

#include <array>
#include <cstdio>
#include <iomanip>
#include <map>
#include <sstream>

#include "codec.hpp"

namespace conform {

std::string xml_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        // XML 1.0 cannot carry most control characters, even escaped.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

namespace {

constexpr std::array<Verdict, 5> kVerdicts{Verdict::pass, Verdict::non_strict,
                                           Verdict::informational, Verdict::unimplemented,
                                           Verdict::fail};

std::string baseline_name(CaseResult::Baseline b) {
  switch (b) {
    case CaseResult::Baseline::known_failing:
      return "known-failing";
    case CaseResult::Baseline::known_flaky:
      return "known-flaky";
    case CaseResult::Baseline::stale:
      return "stale";
    case CaseResult::Baseline::none:
      break;
  }
  return "";
}

std::string checks_text(const CaseResult& r) {
  std::string out;
  for (const auto& check : r.checks)
    out += (check.ok ? "ok   " : "FAIL ") + check.what + "\n     expected: " + check.expected +
           "\n     observed: " + check.observed + "\n";
  return out;
}

std::string trace_text(const CaseResult& r) {
  std::string out;
  for (const auto& e : r.trace) {
    char at[32];
    std::snprintf(at, sizeof at, "%8.1f ms ", e.at_ms);
    out += at + e.what + " " + e.text + "\n";
  }
  return out;
}

}  // namespace

void print_summary(const RunReport& report, std::ostream& out, bool with_traces) {
  std::map<std::string, std::array<int, 5>> table;
  std::array<int, 5> total{};
  for (const auto& r : report.results) {
    auto& row = table[r.c->info.area()];
    for (std::size_t v = 0; v < kVerdicts.size(); ++v)
      if (kVerdicts[v] == r.verdict) {
        ++row[v];
        ++total[v];
      }
  }
  out << "\n" << std::left << std::setw(18) << "area";
  for (auto v : kVerdicts)
    out << std::right << std::setw(15) << to_string(v);
  out << "\n";
  for (const auto& [area, row] : table) {
    out << std::left << std::setw(18) << area;
    for (int n : row)
      out << std::right << std::setw(15) << n;
    out << "\n";
  }
  out << std::left << std::setw(18) << "total";
  for (int n : total)
    out << std::right << std::setw(15) << n;
  out << "\n\n";
  int regressions = 0, known = 0, stale = 0;
  for (const auto& r : report.results) {
    if (r.baseline == CaseResult::Baseline::known_failing) ++known;
    if (r.baseline == CaseResult::Baseline::stale) ++stale;
    if (!r.regression) continue;
    ++regressions;
    out << (r.baseline == CaseResult::Baseline::stale ? "STALE "
                                                      : std::string(to_string(r.verdict)) + " ")
        << r.name << "  " << r.c->info.title << "\n";
    if (r.baseline == CaseResult::Baseline::stale)
      out << "     listed as known failing (" << r.baseline_reason
          << "), but it passes: remove it from the list\n";
    out << "     requirement (" << to_string(r.c->info.level) << "): " << r.c->info.requirement
        << "\n";
    std::istringstream checks(checks_text(r));
    for (std::string line; std::getline(checks, line);)
      out << "     " << line << "\n";
    if (with_traces) {
      std::istringstream trace(trace_text(r));
      for (std::string line; std::getline(trace, line);)
        out << "       " << line << "\n";
    }
  }
  char wall[64];
  std::snprintf(wall, sizeof wall, "%.1f s", report.wall_ms / 1000.0);
  out << report.results.size() << " case runs against " << report.target << " (fixture level "
      << report.level << ") in " << wall << ": " << regressions
      << (regressions == 1 ? " regression" : " regressions");
  if (known) out << ", " << known << " known failing";
  if (stale) out << ", " << stale << " stale baseline " << (stale == 1 ? "entry" : "entries");
  out << (report.strict ? " (strict: NON-STRICT counts)" : "") << "\n";
}

std::string to_json(const RunReport& report) {
  using codec::Json;
  Json root = Json::object();
  root["schema"] = kJsonSchema;
  root["target"] = report.target;
  root["level"] = report.level;
  root["started"] = report.started;
  root["wall_ms"] = static_cast<std::int64_t>(report.wall_ms);
  root["strict"] = report.strict;
  root["regressed"] = report.regressed();
  Json counts = Json::object();
  for (auto v : kVerdicts)
    counts[std::string(to_string(v))] = 0;
  Json cases = Json::array();
  for (const auto& r : report.results) {
    counts[std::string(to_string(r.verdict))] =
        counts[std::string(to_string(r.verdict))].get<int>() + 1;
    Json c = Json::object();
    c["id"] = r.c->info.id;
    c["name"] = r.name;
    c["variant"] = r.variant;
    c["area"] = r.c->info.area();
    c["title"] = r.c->info.title;
    c["requirement"] = r.c->info.requirement;
    c["level"] = std::string(to_string(r.c->info.level));
    c["source"] = r.c->info.source;
    c["verdict"] = std::string(to_string(r.verdict));
    c["reason"] = r.reason;
    c["regression"] = r.regression;
    c["baseline"] = baseline_name(r.baseline);
    c["baseline_reason"] = r.baseline_reason;
    c["duration_ms"] = static_cast<std::int64_t>(r.duration_ms);
    Json checks = Json::array();
    for (const auto& check : r.checks)
      checks.push_back({{"what", check.what},
                        {"expected", check.expected},
                        {"observed", check.observed},
                        {"ok", check.ok}});
    c["checks"] = std::move(checks);
    Json trace = Json::array();
    for (const auto& e : r.trace)
      trace.push_back({{"at_ms", e.at_ms}, {"dir", e.what}, {"text", e.text}});
    c["trace"] = std::move(trace);
    cases.push_back(std::move(c));
  }
  root["counts"] = std::move(counts);
  root["cases"] = std::move(cases);
  return root.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string to_junit(const RunReport& report) {
  std::map<std::string, std::vector<const CaseResult*>> by_area;
  for (const auto& r : report.results)
    by_area[r.c->info.area()].push_back(&r);
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"siocheck conform\" tests=\"" << report.results.size() << "\" time=\""
      << report.wall_ms / 1000.0 << "\">\n";
  for (const auto& [area, results] : by_area) {
    std::string classname = area;
    for (auto& c : classname)
      if (c == '/') c = '.';
    int failures = 0, skipped = 0;
    for (const auto* r : results) {
      if (r->regression) ++failures;
      if (r->verdict == Verdict::unimplemented || r->verdict == Verdict::informational) ++skipped;
    }
    out << "  <testsuite name=\"" << xml_escape(classname) << "\" tests=\"" << results.size()
        << "\" failures=\"" << failures << "\" skipped=\"" << skipped << "\">\n";
    for (const auto* r : results) {
      out << "    <testcase classname=\"" << xml_escape(classname) << "\" name=\""
          << xml_escape(r->name) << "\" time=\"" << r->duration_ms / 1000.0 << "\">\n";
      if (r->regression) {
        const std::string message = r->baseline == CaseResult::Baseline::stale
                                        ? "stale known-failing entry: the case passes"
                                        : std::string(to_string(r->verdict)) + ": " + r->reason;
        out << "      <failure message=\"" << xml_escape(message) << "\">"
            << xml_escape(r->c->info.requirement) << "</failure>\n";
      } else if (r->verdict == Verdict::unimplemented || r->verdict == Verdict::informational) {
        out << "      <skipped message=\""
            << xml_escape(std::string(to_string(r->verdict)) + ": " + r->reason) << "\"/>\n";
      }
      out << "      <system-out>" << xml_escape(checks_text(*r) + trace_text(*r))
          << "</system-out>\n";
      out << "    </testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
  return out.str();
}

}  // namespace conform
