#include "match.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>
#include <vector>

namespace conform::scenario {

using codec::Json;

std::string show(const Json& value) {
  return codec::dump(value);
}

bool same(const Json& a, const Json& b) {
  return nlohmann::json::parse(codec::dump(a)) == nlohmann::json::parse(codec::dump(b));
}

bool contains(const Json& big, const Json& small) {
  if (small.is_object()) {
    if (!big.is_object()) return false;
    for (const auto& [k, v] : small.items())
      if (!big.contains(k) || !contains(big[k], v)) return false;
    return true;
  }
  if (small.is_array()) {
    if (!big.is_array() || big.size() < small.size()) return false;
    for (std::size_t i = 0; i < small.size(); ++i)
      if (!contains(big[i], small[i])) return false;
    return true;
  }
  return same(big, small);
}

namespace {

// The value with every array sorted (by its elements' JSON text), recursively.
nlohmann::json sorted(const nlohmann::json& v) {
  if (v.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, x] : v.items())
      out[k] = sorted(x);
    return out;
  }
  if (!v.is_array()) return v;
  std::vector<nlohmann::json> items;
  for (const auto& x : v)
    items.push_back(sorted(x));
  std::sort(items.begin(), items.end(),
            [](const nlohmann::json& a, const nlohmann::json& b) { return a.dump() < b.dump(); });
  return nlohmann::json(items);
}

}  // namespace

bool matches(Match how, const Json& expected, const Json& got) {
  switch (how) {
    case Match::unordered:
      return sorted(nlohmann::json::parse(codec::dump(expected))) ==
             sorted(nlohmann::json::parse(codec::dump(got)));
    case Match::any:
      return true;
    case Match::exact:
      return same(expected, got);
    case Match::subset:
      return contains(got, expected);
    case Match::regex: {
      if (!got.is_array() || got.size() != expected.size()) return false;
      for (std::size_t i = 0; i < expected.size(); ++i) {
        const std::regex re(expected[i].get<std::string>(), std::regex::ECMAScript);
        const auto text = got[i].is_string() ? got[i].get<std::string>() : codec::dump(got[i]);
        if (!std::regex_match(text, re)) return false;
      }
      return true;
    }
  }
  return false;
}

std::string_view match_name(Match m) {
  switch (m) {
    case Match::exact:
      return "exact";
    case Match::subset:
      return "subset";
    case Match::regex:
      return "regex";
    case Match::any:
      return "any";
    case Match::unordered:
      return "unordered";
  }
  return "?";
}

}  // namespace conform::scenario
