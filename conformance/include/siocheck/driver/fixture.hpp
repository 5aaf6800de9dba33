// The fixture contract's levels (conformance/FIXTURE.md) and how a target's level is found: level
// extended answers the ctl:rooms control event on "/", level official does not.
#pragma once

#include <optional>
#include <string_view>

#include "siocheck/driver/driver.hpp"

namespace conform {

enum class FixtureLevel { official, extended };
std::string_view to_string(FixtureLevel level) noexcept;  // "official", "extended"
std::optional<FixtureLevel> fixture_level_named(std::string_view name) noexcept;

// Asks the target: ctl:rooms on "/" within `timeout`. No answer (or no connection) is official.
FixtureLevel discover_level(const Target& target, Ms timeout);

}  // namespace conform
