#include "siocheck/run/baseline.hpp"

#include <fstream>
#include <sstream>

namespace conform::run {

namespace {

std::string trimmed(std::string text) {
  text.erase(0, text.find_first_not_of(" \t"));
  text.erase(text.find_last_not_of(" \t\r") + 1);
  return text;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

bool selects(std::string_view pattern, std::string_view id, std::string_view name) {
  if (glob_match(pattern, id) || glob_match(pattern, name)) return true;
  const bool plain = pattern.find_first_of("*?@") == std::string_view::npos;
  return plain && id.size() > pattern.size() && id.starts_with(pattern) &&
         id[pattern.size()] == '/';
}

std::optional<Baseline> Baseline::load(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read '" + path + "'";
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path, error);
}

std::optional<Baseline> Baseline::parse(const std::string& text, const std::string& file,
                                        std::string& error) {
  Baseline baseline;
  baseline.file = file;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    const auto hash = line.find('#');
    const std::string pattern = trimmed(line.substr(0, hash));
    if (pattern.empty()) continue;
    const std::string reason = hash == std::string::npos ? "" : trimmed(line.substr(hash + 1));
    if (reason.empty()) {
      error = file + ":" + std::to_string(number) + ": '" + pattern +
              "' has no reason; write it after a '#': every entry says why it is there";
      return std::nullopt;
    }
    baseline.entries.push_back({pattern, reason, number, file});
  }
  return baseline;
}

void Baseline::add(const Baseline& other) {
  file += (file.empty() ? "" : ", ") + other.file;
  entries.insert(entries.end(), other.entries.begin(), other.entries.end());
}

const Baseline::Entry* Baseline::match(const UnitInfo& unit) const {
  for (const auto& entry : entries)
    if (selects(entry.pattern, unit.id, unit.name)) return &entry;
  return nullptr;
}

std::vector<const Baseline::Entry*> Baseline::unknown(const std::vector<UnitInfo>& units) const {
  std::vector<const Entry*> out;
  for (const auto& entry : entries) {
    bool named = false;
    for (const auto& unit : units)
      if ((named = selects(entry.pattern, unit.id, unit.name))) break;
    if (!named) out.push_back(&entry);
  }
  return out;
}

std::string Baseline::unknown_error(const std::vector<UnitInfo>& units,
                                    std::string_view noun) const {
  std::string out;
  for (const auto* entry : unknown(units))
    out += (out.empty() ? "" : "\n") + entry->file + ":" + std::to_string(entry->line) + ": '" +
           entry->pattern + "' names no " + std::string(noun) +
           " (a typo, or one that was renamed or removed); fix or delete the line";
  return out;
}

}  // namespace conform::run
