// Client cases: data (a stable id, the requirement, its level and source, the adapter features it
// needs) plus a `run` that plays the server's side against the client under test and records what
// it observed against what it expected. The wire is judged first: an adapter that misreports
// cannot make a packet-level case pass.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "siocheck/client/harness.hpp"
#include "siocheck/run/checks.hpp"
#include "siocheck/run/unit.hpp"

namespace conform::client {

using run::Check;
using run::Level;
using run::Verdict;
using CaseOutcome = run::Ended;

// A case's facts, with designated initialisers:
//   {.id = "client/handshake/1", .title = "...", .requirement = "...", .level = Level::must,
//    .source = kEioSpec, .needs = {"polling"}}
struct CaseInfo {
  std::string id;  // "client/handshake/1": never reused for another meaning
  std::string title;
  std::string requirement;
  Level level = Level::must;
  std::string source;
  std::vector<std::string> needs;  // adapter features (CLIENT-ADAPTER.md); missing: UNIMPLEMENTED
  bool timing = false;             // judged on timing: runs in the timing lane
  std::string area() const;        // "client/handshake"
};

// Run settings shared by every case.
struct Settings {
  std::vector<std::string> adapter;  // the command, as argv
  double tolerance = 0.25;           // of an expected duration, for timing checks
  Ms min_slack{50};                  // the least slack of a timing check
  Ms ready_timeout{10'000};          // for the adapter's ready line
};

// The options of a `connect` command.
struct Connect {
  std::string nsp = "/";
  Json opts = Json::object();
  std::optional<Json> auth;
  std::optional<std::string> manager;
};

class Context : public run::Checks {
 public:
  Context(Harness& harness, const Settings& settings, const CaseInfo& info);

  Harness& h() noexcept { return h_; }
  ServerOptions& server() { return h_.options(); }
  bool has(std::string_view feature) const;

  // Slack for a duration of about `expected`: max(min_slack, tolerance x expected).
  Ms slack(Ms expected) const;
  // Whether `observed_ms` is within slack of `expected`.
  bool near(double observed_ms, Ms expected) const;

  // Commands -----------------------------------------------------------------------------------
  // `connect` for socket `id` (the server's URL and path filled in). With reconnection_params,
  // the options default to reconnectionDelay 100, reconnectionDelayMax 400 and
  // randomizationFactor 0, so that reconnections come quickly and on time.
  void connect(const std::string& id, Connect how = {});
  void manager(const std::string& name, Json opts = Json::object());
  void emit(const std::string& id, const std::string& event, Json args, bool ack = false,
            int seq = 0, Json extra = Json::object());
  void disconnect(const std::string& id);
  void command(Json cmd) { h_.command(std::move(cmd)); }

  // Waits --------------------------------------------------------------------------------------
  // Runs the loop until `done` or the timeout. Ends the case at once when the adapter died,
  // broke the contract or answered `unsupported`.
  bool wait(const std::function<bool()>& done, Ms timeout);
  void idle(Ms d);  // lets `d` pass, watching the adapter as wait() does

  // The adapter's first `ev` event for socket `id` (any socket when empty) after event number
  // `from`; fails the case with `what` when none comes in time.
  AdapterEvent expect(std::string_view ev, std::string_view id, Ms timeout, std::string_view what,
                      std::size_t from = 0);
  std::optional<AdapterEvent> find(std::string_view ev, std::string_view id,
                                   std::size_t from = 0) const;
  std::size_t count(std::string_view ev, std::string_view id, std::size_t from = 0) const;

  // The first request / Socket.IO packet from the client matching `pred` (from index `from`);
  // fails the case with `what` when none comes in time. (Copies: the records grow meanwhile.)
  Request expect_request(const std::function<bool(const Request&)>& pred, Ms timeout,
                         std::string_view what, std::size_t from = 0);
  SioIn expect_sio(const std::function<bool(const SioIn&)>& pred, Ms timeout, std::string_view what,
                   std::size_t from = 0);
  // The client's CONNECT for `nsp` (from `from`).
  SioIn expect_connect_packet(std::string_view nsp, Ms timeout, std::size_t from = 0);

  // connect() and then both sides agree: the server saw the CONNECT and the adapter reported
  // `connect`. Returns the Engine.IO session's sid.
  std::string connected(const std::string& id, Connect how = {});
  // The number of handshakes (new sessions) so far.
  std::size_t handshakes() const { return h_.sessions().size(); }

 private:
  Harness& h_;
  const Settings& settings_;
  void watch_adapter();
};

struct Case {
  CaseInfo info;
  std::function<void(Context&)> run;
};

// Every client case, in a stable order (each area's file registers its own).
const std::vector<Case>& all_cases();

}  // namespace conform::client
