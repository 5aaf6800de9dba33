// What a run tells its readers, for every checker alike: a summary on the console, JSON (schema
// "siocheck.TOOL/1"), JUnit XML for CI systems, and one self-contained HTML page.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "siocheck/run/unit.hpp"

namespace conform::run {

// "siocheck.conform/1", "siocheck.scenario/1", ...
std::string json_schema(std::string_view tool);

struct SummaryStyle {
  std::string noun = "case run";  // what a unit is called in the last line ("script", "run")
  bool matrix = true;             // the table of groups by verdict
  bool unit_lines = false;        // one line per unit: "PASS  name  title  (details)"
  bool traces = false;            // every regression's whole trace (otherwise its last lines)
  std::size_t trace_lines = 0;    // without `traces`: this many last lines (0: none)
};

// The table, every regression with its requirement and expected vs observed, then one line:
// "N case runs against URL (fixture level L) in X s: R regressions, K known failing, ...".
void print_summary(const Report& report, std::ostream& out, const SummaryStyle& style = {});
// The trace as text, one line an entry: "   12.5 ms -> GET /engine.io/...". `last`: only the last
// lines (0: all).
std::string trace_text(const std::vector<TraceLine>& trace, std::size_t last = 0);

std::string to_json(const Report& report);
std::string to_junit(const Report& report);
// Text fit for an XML attribute or element (control characters written as \xHH).
std::string xml_escape(std::string_view text);
std::string to_html(const Report& report);

}  // namespace conform::run
