#include "siocheck/run/report.hpp"

#include <cctype>
#include <cstdio>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace conform::run {

namespace {

using Json = nlohmann::ordered_json;

std::string checks_text(const Result& r, std::string_view indent = "") {
  std::string out;
  for (const auto& check : r.outcome.checks)
    out += std::string(indent) + (check.ok ? "ok   " : "FAIL ") + check.what + "\n" +
           std::string(indent) + "     expected: " + check.expected + "\n" + std::string(indent) +
           "     observed: " + check.observed + "\n";
  return out;
}

std::string indented(const std::string& text, std::string_view indent) {
  std::istringstream lines(text);
  std::string out;
  for (std::string line; std::getline(lines, line);)
    out += std::string(indent) + line + "\n";
  return out;
}

std::string plural(std::size_t n, std::string_view noun, std::string_view nouns = "") {
  return std::to_string(n) + " " +
         (n == 1          ? std::string(noun)
          : nouns.empty() ? std::string(noun) + "s"
                          : std::string(nouns));
}

// The label of a unit line: its verdict, or what the baseline made of it.
std::string label(const Result& r) {
  switch (r.mark) {
    case Mark::stale:
      return "STALE";
    case Mark::known_failing:
      return "KNOWN " + std::string(to_string(r.outcome.verdict));
    case Mark::known_flaky:
      return "FLAKY " + std::string(to_string(r.outcome.verdict));
    case Mark::none:
      break;
  }
  return std::string(to_string(r.outcome.verdict));
}

void print_matrix(const Report& report, std::ostream& out) {
  std::map<std::string, std::array<int, kVerdicts.size()>> table;
  for (const auto& r : report.results) {
    auto& row = table[r.info.group];
    for (std::size_t v = 0; v < kVerdicts.size(); ++v)
      if (kVerdicts[v] == r.outcome.verdict) ++row[v];
  }
  out << "\n" << std::left << std::setw(18) << "area";
  for (auto v : kVerdicts)
    out << std::right << std::setw(15) << to_string(v);
  out << "\n";
  for (const auto& [group, row] : table) {
    out << std::left << std::setw(18) << group;
    for (int n : row)
      out << std::right << std::setw(15) << n;
    out << "\n";
  }
  out << std::left << std::setw(18) << "total";
  for (int n : report.counts())
    out << std::right << std::setw(15) << n;
  out << "\n\n";
}

void print_unit_line(const Result& r, std::ostream& out) {
  out << label(r) << "  " << r.info.name;
  if (!r.info.title.empty() && r.info.title != r.info.name) out << "  " << r.info.title;
  if (r.outcome.verdict == Verdict::unimplemented) {
    out << "  (" << r.outcome.reason << ")";
  } else {
    out << "  (" << (r.outcome.details.empty() ? "" : r.outcome.details + ", ")
        << static_cast<long>(r.duration_ms) << " ms"
        << (r.attempts > 1 ? ", " + std::to_string(r.attempts) + " attempts" : "") << ")";
  }
  out << "\n";
}

void print_regression(const Result& r, std::ostream& out, const SummaryStyle& style) {
  out << (r.mark == Mark::stale ? "STALE" : std::string(to_string(r.outcome.verdict))) << " "
      << r.info.name << "  " << r.info.title << "\n";
  if (r.mark == Mark::stale)
    out << "     listed as known failing (" << r.mark_reason
        << "), but it passes: remove it from the list\n";
  if (!r.info.requirement.empty())
    out << "     requirement" << (r.info.level.empty() ? "" : " (" + r.info.level + ")") << ": "
        << r.info.requirement << "\n";
  if (r.outcome.checks.empty() && !r.outcome.reason.empty())
    out << "     " << r.outcome.reason << "\n";
  out << checks_text(r, "     ");
  if (!r.outcome.details.empty()) out << indented(r.outcome.details, "     ");
  const std::size_t last = style.traces ? 0 : style.trace_lines;
  if ((style.traces || last > 0) && !r.outcome.trace.empty()) {
    const bool cut = last > 0 && r.outcome.trace.size() > last;
    out << "     trace:"
        << (cut ? " the last " + std::to_string(last) + " of " +
                      std::to_string(r.outcome.trace.size()) + " lines (--trace prints them all)"
                : "")
        << "\n"
        << indented(trace_text(r.outcome.trace, last), "     ");
  }
}

}  // namespace

std::string json_schema(std::string_view tool) {
  return "siocheck." + std::string(tool) + "/1";
}

std::string trace_text(const std::vector<TraceLine>& trace, std::size_t last) {
  std::string out;
  const std::size_t from = last > 0 && trace.size() > last ? trace.size() - last : 0;
  for (std::size_t i = from; i < trace.size(); ++i) {
    char at[32];
    std::snprintf(at, sizeof at, "%8.1f ms ", trace[i].at_ms);
    out += at + trace[i].dir + " " + trace[i].text + "\n";
  }
  return out;
}

void print_summary(const Report& report, std::ostream& out, const SummaryStyle& style) {
  if (style.matrix) print_matrix(report, out);
  if (style.unit_lines)
    for (const auto& r : report.results)
      print_unit_line(r, out);
  std::size_t regressions = 0, known = 0, flaky = 0, stale = 0;
  for (const auto& r : report.results) {
    known += r.mark == Mark::known_failing;
    flaky += r.mark == Mark::known_flaky;
    stale += r.mark == Mark::stale;
    if (!r.regression) continue;
    ++regressions;
    print_regression(r, out, style);
  }
  char wall[64];
  std::snprintf(wall, sizeof wall, "%.1f s", report.wall_ms / 1000.0);
  out << (style.unit_lines || regressions ? "\n" : "") << plural(report.results.size(), style.noun)
      << " against " << report.target << " (fixture level " << report.level;
  for (const auto& [key, value] : report.facts)
    out << ", " << key << " " << value;
  out << ") in " << wall << ": ";
  const auto counts = report.counts();
  out << counts[0] << " passed, " << counts[4] << " failed";
  for (std::size_t v = 1; v + 1 < kVerdicts.size(); ++v) {
    if (!counts[v]) continue;
    std::string word(to_string(kVerdicts[v]));
    for (auto& c : word)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out << ", " << counts[v] << " " << word;
  }
  out << "; " << plural(regressions, "regression");
  if (known) out << ", " << known << " known failing";
  if (flaky) out << ", " << flaky << " known flaky";
  if (stale) out << ", " << plural(stale, "stale baseline entry", "stale baseline entries");
  out << (report.strict ? " (strict: NON-STRICT counts)" : "") << "\n";
}

std::string to_json(const Report& report) {
  Json root = Json::object();
  root["schema"] = json_schema(report.tool);
  root["tool"] = report.tool;
  root["target"] = report.target;
  root["level"] = report.level;
  root["started"] = report.started;
  root["wall_ms"] = static_cast<std::int64_t>(report.wall_ms);
  root["strict"] = report.strict;
  root["regressed"] = report.regressed();
  Json facts = Json::object();
  for (const auto& [key, value] : report.facts)
    facts[key] = value;
  root["facts"] = std::move(facts);
  Json counts = Json::object();
  const auto n = report.counts();
  for (std::size_t v = 0; v < kVerdicts.size(); ++v)
    counts[std::string(to_string(kVerdicts[v]))] = n[v];
  root["counts"] = std::move(counts);
  Json cases = Json::array();
  for (const auto& r : report.results) {
    Json c = Json::object();
    c["id"] = r.info.id;
    c["name"] = r.info.name;
    c["variant"] = r.info.variant;
    c["area"] = r.info.group;
    c["title"] = r.info.title;
    c["requirement"] = r.info.requirement;
    c["level"] = r.info.level;
    c["source"] = r.info.source;
    c["verdict"] = std::string(to_string(r.outcome.verdict));
    c["reason"] = r.outcome.reason;
    c["regression"] = r.regression;
    c["baseline"] = std::string(to_string(r.mark));
    c["baseline_reason"] = r.mark_reason;
    c["duration_ms"] = static_cast<std::int64_t>(r.duration_ms);
    c["attempts"] = r.attempts;
    c["details"] = r.outcome.details;
    Json checks = Json::array();
    for (const auto& check : r.outcome.checks)
      checks.push_back({{"what", check.what},
                        {"expected", check.expected},
                        {"observed", check.observed},
                        {"ok", check.ok}});
    c["checks"] = std::move(checks);
    Json trace = Json::array();
    for (const auto& e : r.outcome.trace)
      trace.push_back({{"at_ms", e.at_ms}, {"dir", e.dir}, {"text", e.text}});
    c["trace"] = std::move(trace);
    cases.push_back(std::move(c));
  }
  root["cases"] = std::move(cases);
  return root.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

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
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned char>(c));
          out += buffer;
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

std::string to_junit(const Report& report) {
  std::map<std::string, std::vector<const Result*>> by_group;
  for (const auto& r : report.results)
    by_group[r.info.group].push_back(&r);
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"siocheck " << xml_escape(report.tool) << "\" tests=\""
      << report.results.size() << "\" time=\"" << report.wall_ms / 1000.0 << "\">\n";
  for (const auto& [group, results] : by_group) {
    std::string classname = group;
    for (auto& c : classname)
      if (c == '/') c = '.';
    int failures = 0, skipped = 0;
    const auto skips = [](const Result& r) {
      return r.outcome.verdict == Verdict::unimplemented ||
             r.outcome.verdict == Verdict::informational || r.mark == Mark::known_failing;
    };
    for (const auto* r : results) {
      failures += r->regression;
      skipped += !r->regression && skips(*r);
    }
    out << "  <testsuite name=\"" << xml_escape(classname) << "\" tests=\"" << results.size()
        << "\" failures=\"" << failures << "\" skipped=\"" << skipped << "\">\n";
    for (const auto* r : results) {
      out << "    <testcase classname=\"" << xml_escape(classname) << "\" name=\""
          << xml_escape(r->info.name) << "\" time=\"" << r->duration_ms / 1000.0 << "\">\n";
      const std::string verdict(to_string(r->outcome.verdict));
      if (r->regression) {
        const std::string message = r->mark == Mark::stale
                                        ? "stale known-failing entry: the unit passes"
                                        : verdict + ": " + r->outcome.reason;
        out << "      <failure message=\"" << xml_escape(message) << "\">"
            << xml_escape(r->info.requirement + "\n" + checks_text(*r)) << "</failure>\n";
      } else if (r->mark == Mark::known_failing) {
        out << "      <skipped message=\""
            << xml_escape("known failing (" + r->mark_reason + "): " + verdict + ": " +
                          r->outcome.reason)
            << "\"/>\n";
      } else if (skips(*r)) {
        out << "      <skipped message=\"" << xml_escape(verdict + ": " + r->outcome.reason)
            << "\"/>\n";
      }
      out << "      <system-out>"
          << xml_escape(checks_text(*r) + r->outcome.details +
                        (r->outcome.details.empty() ? "" : "\n") + trace_text(r->outcome.trace))
          << "</system-out>\n";
      out << "    </testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
  return out.str();
}

}  // namespace conform::run
