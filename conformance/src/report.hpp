// What a run tells its readers: a summary on the console, JSON (schema "siocheck.conform/1"),
// JUnit XML for CI systems, and one self-contained HTML page.
#pragma once

#include <ostream>
#include <string>

#include "runner.hpp"

namespace conform {

inline constexpr const char* kJsonSchema = "siocheck.conform/1";

// The table by area and verdict, the wall time, then every regression with expected vs observed.
void print_summary(const RunReport& report, std::ostream& out, bool with_traces);
std::string to_json(const RunReport& report);
std::string to_junit(const RunReport& report);
// Text fit for an XML attribute or element (control characters written as \xHH).
std::string xml_escape(std::string_view text);
std::string to_html(const RunReport& report);

}  // namespace conform
