// How a scenario compares JSON: exactly (object key order aside), as a subset, with arrays in any
// order, or each argument against a regular expression.
#pragma once

#include <string>
#include <string_view>

#include "siocheck/scenario/script.hpp"

namespace conform::scenario {

std::string show(const codec::Json& value);
// Equal as JSON values (object key order does not count).
bool same(const codec::Json& a, const codec::Json& b);
// Every key of `small` is in `big` with a containing value; arrays element by element.
bool contains(const codec::Json& big, const codec::Json& small);
bool matches(Match how, const codec::Json& expected, const codec::Json& got);
std::string_view match_name(Match m);

}  // namespace conform::scenario
