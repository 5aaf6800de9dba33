// The Socket.IO fixture of conformance/FIXTURE.md (contract v1): what a server under test runs so
// that siocheck and the official test suites can drive it. Level `official` is the official suite's
// server; `extended` adds /auth, dynamic namespaces and the ctl:* control events.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>

#include "sio/server/server.hpp"

namespace sio::apps {

enum class FixtureLevel { official, extended };

// The fixture's own deliberate faults, off by default (`siocheck serve --fault NAME`; see
// sio::fault_switches). They are bugs of an application, not of the protocol layers.
struct FixtureQuirks {
  // An event named "" aborts the process: a crash planted for the live fuzzer (siocheck fuzz) to
  // find.
  bool crash_on_empty_event_name = false;

  friend bool operator==(const FixtureQuirks&, const FixtureQuirks&) = default;
};

class SioFixture {
 public:
  // Installs the fixture's namespaces and handlers on `server`. The fixture must outlive it.
  SioFixture(server::Server& server, FixtureLevel level, FixtureQuirks quirks = {});

  // The server-side reason recorded for a socket id, for ctl:last-disconnect.
  const std::string* last_disconnect(const std::string& sid) const;

  // Reasons kept for ctl:last-disconnect (the oldest are forgotten first).
  static constexpr std::size_t kRememberedDisconnects = 100'000;

 private:
  void on_connection(server::Socket& socket, bool echo);
  void control(server::Socket& socket, std::string_view event, const server::Args& args,
               const server::Ack& ack);
  void remember(const std::string& sid, std::string_view reason);

  FixtureLevel level_;
  FixtureQuirks quirks_;
  std::unordered_map<std::string, std::string> last_disconnect_;
  std::deque<std::string> disconnect_order_;
};

}  // namespace sio::apps
