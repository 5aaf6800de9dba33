#include "siocheck/run/report.hpp"

#include <cctype>
#include <cstdio>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "siocheck/codec/text.hpp"

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

// The verdicts a table shows: the five graded ones always, CRASH and NOT RUN when they occur.
std::vector<std::size_t> shown_verdicts(const Report& report) {
  const auto counts = report.counts();
  std::vector<std::size_t> out;
  for (std::size_t v = 0; v < kVerdicts.size(); ++v)
    if (v < 5 || counts[v] > 0) out.push_back(v);
  return out;
}

void print_matrix(const Report& report, std::ostream& out) {
  const auto table = report.counts_by_group();
  const auto columns = shown_verdicts(report);
  out << "\n" << std::left << std::setw(18) << "area";
  for (auto v : columns)
    out << std::right << std::setw(15) << to_string(kVerdicts[v]);
  out << "\n";
  for (const auto& [group, row] : table) {
    out << std::left << std::setw(18) << group;
    for (auto v : columns)
      out << std::right << std::setw(15) << row[v];
    out << "\n";
  }
  out << std::left << std::setw(18) << "total";
  const auto counts = report.counts();
  for (auto v : columns)
    out << std::right << std::setw(15) << counts[v];
  out << "\n\n";
}

void print_unit_line(const Result& r, std::ostream& out) {
  out << label(r) << "  " << r.info.name;
  if (!r.info.title.empty() && r.info.title != r.info.name) out << "  " << r.info.title;
  if (r.outcome.verdict == Verdict::unimplemented || r.outcome.verdict == Verdict::not_run) {
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
  if (!r.rerun.empty()) out << "     rerun: " << r.rerun << "\n";
}

std::string counts_text(const Report& report) {
  const auto counts = report.counts();
  std::string out = std::to_string(counts[0]) + " passed, " + std::to_string(counts[4]) + " failed";
  static const char* const kWords[] = {"", "non-strict", "informational", "unimplemented",
                                       "", "crashed",    "not run"};
  for (std::size_t v = 1; v < kVerdicts.size(); ++v)
    if (v != 4 && counts[v]) out += ", " + std::to_string(counts[v]) + " " + kWords[v];
  return out;
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
    out += at + (trace[i].conn.empty() ? "" : trace[i].conn + " ") + trace[i].dir + " " +
           trace[i].text + "\n";
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
    if (!r.regression || r.outcome.verdict == Verdict::not_run) continue;
    ++regressions;
    print_regression(r, out, style);
  }
  const auto not_run = static_cast<std::size_t>(report.counts()[6]);
  char wall[64];
  std::snprintf(wall, sizeof wall, "%.1f s", report.wall_ms / 1000.0);
  if (!report.incomplete.empty()) out << "\nINCOMPLETE: " << report.incomplete << "\n";
  out << (style.unit_lines || regressions ? "\n" : "") << plural(report.results.size(), style.noun)
      << " against " << report.target;
  std::string facts = report.level.empty() ? "" : "fixture level " + report.level;
  for (const auto& [key, value] : report.facts)
    facts += (facts.empty() ? "" : ", ") + key + " " + value;
  out << (facts.empty() ? "" : " (" + facts + ")") << " in " << wall << ": " << counts_text(report)
      << "; " << plural(regressions + not_run, "regression");
  if (known) out << ", " << known << " known failing";
  if (flaky) out << ", " << flaky << " known flaky";
  if (stale) out << ", " << plural(stale, "stale baseline entry", "stale baseline entries");
  out << (report.strict ? " (strict: NON-STRICT counts)" : "") << "\n";
}

std::string to_json(const Report& report) {
  Json root = Json::object();
  root["schema"] = json_schema(report.tool);
  root["tool"] = report.tool;
  root["version"] = report.version;
  root["command_line"] = report.command_line;
  root["target"] = report.target;
  root["level"] = report.level;
  root["started"] = report.started;
  root["wall_ms"] = static_cast<std::int64_t>(report.wall_ms);
  root["strict"] = report.strict;
  root["regressed"] = report.regressed();
  root["complete"] = report.incomplete.empty();
  if (!report.incomplete.empty()) root["incomplete"] = report.incomplete;
  Json baselines = Json::array();
  for (const auto& b : report.baselines)
    baselines.push_back({{"flag", b.flag}, {"file", b.file}, {"entries", b.entries}});
  root["baselines"] = std::move(baselines);
  Json facts = Json::object();
  for (const auto& [key, value] : report.facts)
    facts[key] = value;
  root["facts"] = std::move(facts);
  Json handshake = Json::object();
  for (const auto& [key, value] : report.handshake)
    handshake[key] = value;
  root["handshake"] = std::move(handshake);
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
    c["rerun"] = r.rerun;
    Json checks = Json::array();
    for (const auto& check : r.outcome.checks)
      checks.push_back({{"what", check.what},
                        {"expected", check.expected},
                        {"observed", check.observed},
                        {"ok", check.ok}});
    c["checks"] = std::move(checks);
    Json trace = Json::array();
    for (const auto& e : r.outcome.trace)
      trace.push_back({{"at_ms", e.at_ms}, {"conn", e.conn}, {"dir", e.dir}, {"text", e.text}});
    c["trace"] = std::move(trace);
    cases.push_back(std::move(c));
  }
  root["cases"] = std::move(cases);
  return root.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string xml_escape(std::string_view raw) {
  // Whatever bytes a target sent: UTF-8 only, no control character but line breaks and tabs
  // (XML 1.0 cannot carry them even escaped), and no U+FFFE or U+FFFF.
  const auto text = conform::text::printable(raw, {.max = raw.size(), .newlines = true});
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
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
        if (c == '\xef' && i + 2 < text.size() && text[i + 1] == '\xbf' &&
            (text[i + 2] == '\xbe' || text[i + 2] == '\xbf')) {
          out += text[i + 2] == '\xbe' ? "\\uFFFE" : "\\uFFFF";
          i += 2;
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
  const auto errs = [](const Result& r) {
    return r.outcome.verdict == Verdict::crash || r.outcome.verdict == Verdict::not_run;
  };
  const auto skips = [](const Result& r) {
    return r.outcome.verdict == Verdict::unimplemented ||
           r.outcome.verdict == Verdict::informational || r.mark == Mark::known_failing;
  };
  for (const auto& [group, results] : by_group) {
    std::string classname = group;
    for (auto& c : classname)
      if (c == '/') c = '.';
    int failures = 0, errors = 0, skipped = 0;
    for (const auto* r : results) {
      failures += r->regression && !errs(*r);
      errors += r->regression && errs(*r);
      skipped += !r->regression && skips(*r);
    }
    out << "  <testsuite name=\"" << xml_escape(classname) << "\" tests=\"" << results.size()
        << "\" failures=\"" << failures << "\" errors=\"" << errors << "\" skipped=\"" << skipped
        << "\">\n";
    for (const auto* r : results) {
      out << "    <testcase classname=\"" << xml_escape(classname) << "\" name=\""
          << xml_escape(r->info.name) << "\" time=\"" << r->duration_ms / 1000.0 << "\">\n";
      const std::string verdict(to_string(r->outcome.verdict));
      const std::string body = r->info.requirement + "\n" + checks_text(*r) +
                               (r->rerun.empty() ? "" : "rerun: " + r->rerun + "\n");
      if (r->regression) {
        const std::string element = errs(*r) ? "error" : "failure";
        const std::string message = r->mark == Mark::stale
                                        ? "stale known-failing entry: the unit passes"
                                        : verdict + ": " + r->outcome.reason;
        out << "      <" << element << " message=\"" << xml_escape(message) << "\">"
            << xml_escape(body) << "</" << element << ">\n";
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
