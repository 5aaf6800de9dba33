// Log lines for the CLI: "2026-11-25T17:40:01.123Z info  <text>" on stderr, so stdout stays
// machine-readable (the "listening" line, reports).
#pragma once

#include <string_view>

namespace siocheck {

enum class Verbosity { off, info, debug };

void log_line(std::string_view level, std::string_view text);

}  // namespace siocheck
