// Deliberate protocol bugs the reference server can switch on (`siocheck serve --fault NAME`), so
// that the conformance suite can be shown to catch each one. Every fault is a bug some real
// implementation has had; each names the cases that must fail when it is on. They are off unless
// asked for. No layer knows this catalogue: fault_switches() turns a set of faults into the named
// switches of each layer (engine::Config::quirks, ...), and the composed server
// (sio::serve::ServeOptions::faults) applies them.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sio/apps/sio_fixture.hpp"
#include "sio/engine/engine.hpp"
#include "sio/server/server.hpp"

namespace sio {

enum class Fault : unsigned {
  // Engine.IO
  early_first_ping,             // the first ping goes out at once, not after pingInterval
  late_ping_timeout,            // an unanswered ping closes the session one interval late
  handshake_extra_key,          // the open packet carries a key beyond the five
  wrong_unknown_sid_code,       // an unknown sid is answered with code 0, not 1
  ignore_invalid_packet,        // an undecodable Engine.IO packet is ignored instead of closing
  no_noop_during_upgrade,       // GETs during an upgrade are held instead of answered with a noop
  polling_after_upgrade,        // polling requests are still served after the upgrade
  second_websocket_takes_over,  // a second WebSocket with the sid replaces the first
  overlapping_get_accepted,     // a second concurrent GET is held instead of refused
  no_payload_limit,             // POST bodies past maxPayload are accepted
  no_cors_on_errors,            // error answers lack the CORS headers
  binary_as_base64_text,        // binary messages go out on WebSocket as "b" + base64 text
  // Socket.IO
  engine_sid_as_socket_id,     // the socket id is the Engine.IO session id
  broadcast_includes_sender,   // socket.to(room) / socket.broadcast() reach the sender too
  ack_without_namespace,       // acks are written without their namespace
  auth_null_without_payload,   // a CONNECT without payload gives the handshake auth null
  reserved_events_accepted,    // events named connect, disconnect, ... are dispatched
  duplicate_connect_accepted,  // a second CONNECT to a joined namespace is answered again
  placeholder_unchecked,       // placeholders are not checked against the attachments
  connect_error_without_data,  // a middleware's data is left out of CONNECT_ERROR
  rooms_kept_on_disconnect,    // a socket that leaves keeps its rooms
  namespace_disconnect_closes_connection,  // DISCONNECT for one namespace closes them all
  json_reformatted,                        // JSON goes out with a space after ':' and ','
  broadcast_duplicates,                    // a socket in two target rooms gets a broadcast twice
  binary_ack_wrong_id,                     // an ack with binary arguments carries the id plus one
  // For the live fuzzer (siocheck fuzz): one specific input crashes or hangs the server
  crash_on_empty_event_name,   // an event named "" aborts the process
  hang_on_trailing_separator,  // a POST body ending with the record separator stops the loop
  count_
};

struct FaultInfo {
  Fault fault;
  std::string_view name;
  std::string_view description;  // what goes wrong, and whose bug it was
  // Case ids (or id@variant, or globs) that must FAIL, or CRASH for a fault that ends the process.
  std::vector<std::string_view> cases;
  // What `siocheck fuzz` reports when it finds this fault ("crash", "hang" or "violation"), or
  // empty when the fuzzer is not expected to find it. A fault with no cases must have one.
  std::string_view fuzz_finding = {};
};

const std::vector<FaultInfo>& fault_catalogue();
std::optional<Fault> fault_named(std::string_view name);
// Every fault's name, comma-separated: for an error about an unknown one.
std::string fault_names();

class Faults {
 public:
  bool has(Fault f) const noexcept { return bits_.test(static_cast<std::size_t>(f)); }
  void add(Fault f) noexcept { bits_.set(static_cast<std::size_t>(f)); }
  bool any() const noexcept { return bits_.any(); }

 private:
  std::bitset<static_cast<std::size_t>(Fault::count_)> bits_;
};

// What a set of faults switches on, layer by layer. Each fault is one switch (or one value) in one
// place; with no fault, every switch is off and the server is correct.
struct FaultSwitches {
  engine::Quirks engine;  // for engine::Config::quirks, of every engine the composition mounts
  server::Quirks server;  // for server::Options::quirks
  apps::FixtureQuirks fixture;  // for the Socket.IO fixture app (apps::SioFixture)
  // For the composition that mounts the engines: a POST body that ends with the record separator
  // stops the event loop for good (no engine has this bug; it is a hang for the live fuzzer).
  bool hang_on_trailing_separator = false;

  friend bool operator==(const FaultSwitches&, const FaultSwitches&) = default;
};

// The one mapping from faults to switches. sio::serve::FixtureServer applies it to
// ServeOptions::faults; another composition sets each layer's switches from its result.
FaultSwitches fault_switches(const Faults& faults);

}  // namespace sio
