// Selection patterns and baselines. A pattern is an id, an id@variant, a glob (* and ?) on either,
// or an id prefix ("eio/polling" selects eio/polling/1, ...). A baseline (--known-failing,
// --known-flaky) is a file of patterns, one a line, each with "# reason".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "siocheck/run/unit.hpp"

namespace conform::run {

// "*" matches any run of characters, "?" one.
bool glob_match(std::string_view pattern, std::string_view text);
// Whether `pattern` selects the unit with this id and name (id@variant).
bool selects(std::string_view pattern, std::string_view id, std::string_view name);

struct Baseline {
  struct Entry {
    std::string pattern;
    std::string reason;
    int line = 0;
    std::string file;  // where it was written
  };
  std::string file;  // the files read, comma-separated
  std::vector<Entry> entries;

  // Another file's entries added to these (a project's list, and a list for one of its builds).
  void add(const Baseline& other);

  // Reads `path`. On error: nullopt, and `error` says why (file and line, and what to write).
  static std::optional<Baseline> load(const std::string& path, std::string& error);
  static std::optional<Baseline> parse(const std::string& text, const std::string& file,
                                       std::string& error);
  // The first entry that selects the unit, or nullptr.
  const Entry* match(const UnitInfo& unit) const;
  // Entries that select none of `units` (every unit the checker knows, not only those selected
  // for this run): a typo or a removed id. Each is a usage error.
  std::vector<const Entry*> unknown(const std::vector<UnitInfo>& units) const;
  // "FILE:LINE: 'PATTERN' names no ...": one line per unknown entry, or empty.
  std::string unknown_error(const std::vector<UnitInfo>& units, std::string_view noun) const;
};

}  // namespace conform::run
