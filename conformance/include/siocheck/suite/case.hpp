// Conformance cases: data (a stable id, the requirement, its level and source, what it needs) plus
// a `run` that drives the target and records what it observed against what it expected.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "siocheck/driver/clients.hpp"
#include "siocheck/driver/driver.hpp"
#include "siocheck/driver/fixture.hpp"
#include "siocheck/run/checks.hpp"
#include "siocheck/run/unit.hpp"

namespace conform {

using run::Check;
using run::Verdict;

using run::Level;
using run::to_string;

// A case's facts, written with designated initialisers:
//   {.id = "eio/handshake/3", .title = "...", .requirement = "...", .level = Level::must,
//    .source = spec, .transports = kAllTransports, .extended = true}
struct CaseInfo {
  std::string id;           // "eio/handshake/3": never reused for another meaning
  std::string title;        // what is checked, in a line
  std::string requirement;  // the normative text
  Level level = Level::must;
  std::string source;  // "Engine.IO v4 specification, Handshake", "engine.io 6.6 observed (E5)"
  std::vector<Transport> transports;  // the variants; empty: one run, no transport
  bool extended = false;              // needs fixture level extended
  bool timing = false;                // runs in the timing lane
  std::string area() const;           // "eio/handshake"
};

struct Settings;

// Thrown by the checks to end a case with a verdict other than PASS.
using CaseOutcome = run::Ended;

// What a case's `run` works with.
class Context : public run::Checks {
 public:
  Context(Loop& loop, const Settings& settings, std::optional<Transport> transport,
          const CaseInfo& info);

  Loop& loop() noexcept { return loop_; }
  const Settings& settings() const noexcept { return settings_; }
  // The variant being run (polling, websocket or upgrade); the default for cases without one.
  Transport transport() const noexcept { return transport_.value_or(Transport::polling); }
  const Target& target() const noexcept { return loop_.target(); }
  const std::string& eio() const noexcept { return loop_.target().eio_path; }
  const std::string& sio() const noexcept { return loop_.target().sio_path; }

  // Deadlines, from the target's handshake (`session` of the case) and the settings.
  Ms tolerance() const;
  // How long a server may take to react to bad input: well before pingInterval + pingTimeout,
  // so that a server that merely lets the session die by ping timeout cannot pass.
  Ms prompt(const EioSession& session) const;
  Ms prompt(Ms ping_interval, Ms ping_timeout) const;
  Ms connect_timeout() const;
  Ms upgrade_timeout() const;

  // An opened Engine.IO session on `path` (default /engine.io/), over this case's transport unless
  // another is given; the case fails when the handshake does.
  std::unique_ptr<EioSession> open_eio(std::optional<Transport> transport = std::nullopt,
                                       std::string path = "", std::string query = "");
  // An opened Socket.IO client on /socket.io/.
  std::unique_ptr<SioClient> open_sio(std::optional<Transport> transport = std::nullopt);

  // The next packet of `session` within `timeout`; fails the case when none comes.
  EioEvent expect_event(EioSession& session, Ms timeout, std::string_view what,
                        bool with_pings = false);
  codec::EioPacket expect_packet(EioSession& session, Ms timeout, std::string_view what,
                                 bool with_pings = false);
  // The session must end within `timeout`; returns how it ended.
  std::string expect_closed(EioSession& session, Ms timeout, std::string_view what);
  SioReceived expect_sio(SioClient& client, Ms timeout, std::string_view what);
  // The connection must end within `timeout` (a violation was sent).
  void expect_sio_closed(SioClient& client, Ms timeout, std::string_view what);

 private:
  Loop& loop_;
  const Settings& settings_;
  std::optional<Transport> transport_;
};

struct Case {
  CaseInfo info;
  std::function<void(Context&)> run;
};

// Every case of the suite, in a stable order (each area's file registers its own).
const std::vector<Case>& all_cases();

// Run settings shared by every case.
struct Settings {
  Target target;
  Ms tolerance{150};
  std::optional<Ms> connect_timeout;            // overrides the fixture contract's 1000 ms
  std::optional<Ms> upgrade_timeout;            // overrides the fixture contract's 10000 ms
  FixtureLevel level = FixtureLevel::extended;  // the target's, once discovered
};

}  // namespace conform
