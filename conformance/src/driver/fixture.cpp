#include "siocheck/driver/fixture.hpp"

#include "siocheck/driver/clients.hpp"

namespace conform {

std::string_view to_string(FixtureLevel level) noexcept {
  return level == FixtureLevel::official ? "official" : "extended";
}

std::optional<FixtureLevel> fixture_level_named(std::string_view name) noexcept {
  if (name == "official") return FixtureLevel::official;
  if (name == "extended") return FixtureLevel::extended;
  return std::nullopt;
}

FixtureLevel discover_level(const Target& target, Ms timeout) {
  Loop loop(target);
  SioClient client(loop, Transport::websocket);
  if (!client.open(Ms(3000))) return FixtureLevel::official;
  if (!client.join("/", "", Ms(3000))) return FixtureLevel::official;
  const auto ack = client.ctl("/", "ctl:rooms", "", timeout);
  return ack && ack->is_array() ? FixtureLevel::extended : FixtureLevel::official;
}

}  // namespace conform
