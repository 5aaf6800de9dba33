// The composed server's log lines: "2026-11-25T17:40:01.123Z info  <text>" on stderr, so that
// stdout stays machine-readable (the "listening" line, reports).
#pragma once

#include <string_view>

namespace sio::serve {

enum class Verbosity { off, info, debug };

void log_line(std::string_view level, std::string_view text);

}  // namespace sio::serve
