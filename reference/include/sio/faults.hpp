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
#include "sio/net/server.hpp"
#include "sio/server/server.hpp"

namespace sio {

enum class Fault : unsigned {
  // Engine.IO
  early_first_ping,              // the first ping goes out at once, not after pingInterval
  late_ping_timeout,             // an unanswered ping closes the session one interval late
  handshake_extra_key,           // the open packet carries a key beyond the five
  wrong_unknown_sid_code,        // an unknown sid is answered with code 0, not 1
  ignore_invalid_packet,         // an undecodable Engine.IO packet is ignored instead of closing
  no_noop_during_upgrade,        // GETs during an upgrade are held instead of answered with a noop
  polling_after_upgrade,         // polling requests are still served after the upgrade
  second_websocket_takes_over,   // a second WebSocket with the sid replaces the first
  overlapping_get_accepted,      // a second concurrent GET is held instead of refused
  no_payload_limit,              // POST bodies past maxPayload are accepted
  no_cors_on_errors,             // error answers lack the CORS headers
  binary_as_base64_text,         // binary messages go out on WebSocket as "b" + base64 text
  crash_on_early_invalid_frame,  // a bad frame written with the upgrade request aborts the process
  crash_on_prototype_transport_upgrade,  // upgrade with transport=__proto__: 101, then an abort
  binary_post_unanswered,  // an application/octet-stream POST closes the session, is never answered
  crash_on_versionless_upgrade,    // an upgrade without EIO=4 is taken, and its completion aborts
  close_before_flush,              // a server close of a WebSocket drops the frames after the first
  data_counts_as_pong,             // any packet from the client holds off the ping timeout
  crash_on_websocket_without_eio,  // a WebSocket handshake without EIO=4: 101, then an abort
  // HTTP and WebSocket (the Beast glue)
  crash_on_late_upgrade_header,  // Upgrade after the 2000th header line aborts the process
  quadratic_subprotocol_split,   // a long run of spaces in Sec-WebSocket-Protocol stalls the loop
  crash_on_prototype_extension_name,  // Sec-WebSocket-Extensions: constructor aborts the process
  no_websocket_message_limit,         // WebSocket messages past maxPayload are accepted
  crash_on_many_fragments,            // a message of more than 131072 fragments aborts the process
  crash_on_reset_foreign_upgrade,     // an upgrade for an unserved path, reset: the process aborts
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
  volatile_binary_loses_attachments,       // a volatile binary emit loses its attachments
  crash_on_non_string_event_name,          // an EVENT named by {"toString":...} aborts the process
  crash_on_error_event,                    // an event named "error" aborts the process
  unbounded_attachments,        // any attachment count is taken and its attachments awaited
  zero_attachment_packet_kept,  // after "450-[...]" attachments are awaited for good
  crash_on_null_auth,           // a CONNECT whose payload is null aborts the process
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
  // What the fault does besides failing its cases, as `siocheck fuzz` reports it: "crash" (the
  // process ends: its cases are CRASH), "hang" or "violation"; the live fuzzer must find every
  // fault that has one (tests/test_fuzz.py). Empty for a plain protocol bug. A fault with no cases
  // must have one.
  std::string_view fuzz_finding = {};
  // The published advisories (CVE or GHSA ids) and changelog fixes ("engine.io 6.2.1") whose bug
  // this fault reproduces on the wire, on the same input path. A case that names an advisory in its
  // source must be among the cases of a fault that lists it (tests/test_faults.py checks it).
  std::vector<std::string_view> advisories = {};
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
  net::Quirks net;              // for net::ServerOptions::quirks (a Beast-free header)
  // For the composition that mounts the engines: a POST body that ends with the record separator
  // stops the event loop for good (no engine has this bug; it is a hang for the live fuzzer).
  bool hang_on_trailing_separator = false;

  friend bool operator==(const FaultSwitches&, const FaultSwitches&) = default;
};

// The one mapping from faults to switches. sio::serve::FixtureServer applies it to
// ServeOptions::faults; another composition sets each layer's switches from its result.
FaultSwitches fault_switches(const Faults& faults);

}  // namespace sio
