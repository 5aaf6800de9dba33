// What `siocheck conform` selects: its patterns checked, its shard read, its plan listed.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "siocheck/suite/suite.hpp"

namespace siocheck::cli {

// "2/4" into {2, 4}; false unless 1 <= i <= n.
bool parse_shard(const std::string& text, std::pair<int, int>& shard);
// --list: one line per case variant, then the counts per area. Returns the exit status (0).
int list(const std::vector<conform::Planned>& planned);
// Patterns that select nothing turn a gate green by accident: each must name a case. False, with
// the flag and the pattern in `error`, for the first that names none.
bool check_patterns(const std::vector<std::string>& patterns, const char* flag, std::string& error);

}  // namespace siocheck::cli
