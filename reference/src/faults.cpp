#include "sio/faults.hpp"

namespace sio {

const std::vector<FaultInfo>& fault_catalogue() {
  static const std::vector<FaultInfo> catalogue{
      {Fault::early_first_ping,
       "early-first-ping",
       "the first ping goes out right after the handshake (socketioxide before e47353da)",
       {"eio/heartbeat/1", "eio/upgrade/2"}},
      {Fault::late_ping_timeout,
       "late-ping-timeout",
       "an unanswered ping closes the session one pingInterval late",
       {"eio/heartbeat/3", "eio/heartbeat/4"}},
      {Fault::handshake_extra_key,
       "handshake-extra-key",
       "the open packet carries a sixth key, which the official suites refuse",
       {"eio/handshake/1"}},
      {Fault::wrong_unknown_sid_code,
       "wrong-unknown-sid-code",
       "an unknown session id is answered with code 0 (Transport unknown) instead of 1",
       {"eio/handshake/22"}},
      {Fault::ignore_invalid_packet,
       "ignore-invalid-packet",
       "an undecodable Engine.IO packet is ignored instead of closing the session",
       {"eio/polling/18", "eio/polling/19", "eio/websocket/6"}},
      {Fault::no_noop_during_upgrade,
       "no-noop-during-upgrade",
       "GETs during an upgrade are held until data comes instead of answered with a noop "
       "(python-engineio #160, socketioxide #479)",
       {"eio/upgrade/2", "eio/upgrade/3", "eio/upgrade/4"}},
      {Fault::polling_after_upgrade,
       "polling-after-upgrade",
       "polling requests are still served after the upgrade (socketioxide #15)",
       {"eio/upgrade/5", "eio/upgrade/15", "eio/websocket/16"}},
      {Fault::second_websocket_takes_over,
       "second-websocket-takes-over",
       "a second WebSocket with a session's id replaces the first instead of being closed",
       {"eio/upgrade/12", "eio/websocket/17"}},
      {Fault::overlapping_get_accepted,
       "overlapping-get-accepted",
       "a second concurrent GET replaces the first instead of being refused with 400",
       {"eio/polling/10"}},
      {Fault::no_payload_limit,
       "no-payload-limit",
       "POST bodies past maxPayload are accepted (no 413)",
       {"eio/limits/1"}},
      {Fault::no_cors_on_errors,
       "no-cors-on-errors",
       "error answers lack Access-Control-Allow-Origin, so browsers cannot read them",
       {"eio/cors/2"}},
      {Fault::binary_as_base64_text,
       "binary-as-base64-text",
       "binary messages go out on WebSocket as \"b\" + base64 text frames (the v3 habit)",
       {"eio/websocket/2", "sio/binary/1@websocket", "sio/binary/1@upgrade"}},
      {Fault::engine_sid_as_socket_id,
       "engine-sid-as-socket-id",
       "the socket id is the Engine.IO session id (socketioxide #117), which leaks the session",
       {"sio/connect/8", "sio/connect/9"}},
      {Fault::broadcast_includes_sender,
       "broadcast-includes-sender",
       "socket.to(room) and socket.broadcast() reach the sender too",
       {"sio/broadcast/1", "sio/broadcast/2", "sio/broadcast/5"}},
      {Fault::ack_without_namespace,
       "ack-without-namespace",
       "acks are written without their namespace, so they land on / (go.socket.io #60)",
       {"sio/acks/10"}},
      {Fault::auth_null_without_payload,
       "auth-null-without-payload",
       "a CONNECT without payload gives handshake.auth null instead of {}",
       {"sio/connect/2"}},
      {Fault::reserved_events_accepted,
       "reserved-events-accepted",
       "events named connect, disconnect, ... are dispatched instead of closing the connection",
       {"sio/events/12"}},
      {Fault::duplicate_connect_accepted,
       "duplicate-connect-accepted",
       "a second CONNECT to a joined namespace is answered again instead of closing the connection",
       {"sio/connect/13"}},
      {Fault::placeholder_unchecked,
       "placeholder-unchecked",
       "binary placeholders are not checked against the attachments (socket.io-parser "
       "CVE-2022-2421)",
       {"sio/binary/9", "sio/binary/10", "sio/robustness/2"}},
      {Fault::connect_error_without_data,
       "connect-error-without-data",
       "a middleware's error data is left out of CONNECT_ERROR",
       {"sio/middleware/1"}},
      {Fault::rooms_kept_on_disconnect,
       "rooms-kept-on-disconnect",
       "a socket that leaves keeps its rooms, so broadcasts and room listings still count it",
       {"sio/rooms/7", "sio/rooms/8"}},
      {Fault::namespace_disconnect_closes_connection,
       "namespace-disconnect-closes-connection",
       "DISCONNECT for one namespace closes the whole connection",
       {"sio/disconnect/1", "sio/namespaces/10"}},
      {Fault::json_reformatted,
       "json-reformatted",
       "JSON goes out with a space after ':' and ',', which exact-string clients refuse",
       {"sio/events/1", "sio/acks/1"}},
      {Fault::broadcast_duplicates,
       "broadcast-duplicates",
       "a socket in two of the target rooms gets a broadcast twice",
       {"sio/broadcast/6"}},
      {Fault::binary_ack_wrong_id,
       "binary-ack-wrong-id",
       "an acknowledgement with binary arguments goes out with the ack id plus one",
       {"sio/binary/5", "sio/binary/15"},
       "violation"},
      {Fault::crash_on_empty_event_name,
       "crash-on-empty-event-name",
       "an event whose name is the empty string aborts the server process (a handler table "
       "indexed by the name's first character)",
       {"sio/robustness/12"},
       "crash"},
      {Fault::hang_on_trailing_separator,
       "hang-on-trailing-separator",
       "a polling POST body that ends with the record separator stops the event loop for good "
       "(a payload decoder that loops on an empty last record)",
       {},
       "hang"},
  };
  return catalogue;
}

FaultSwitches fault_switches(const Faults& faults) {
  FaultSwitches on;
  auto& engine = on.engine;
  if (faults.has(Fault::early_first_ping)) engine.first_ping_delay = engine::Duration(0);
  engine.ping_timeout_plus_interval = faults.has(Fault::late_ping_timeout);
  engine.handshake_cookie_key = faults.has(Fault::handshake_extra_key);
  engine.unknown_sid_as_unknown_transport = faults.has(Fault::wrong_unknown_sid_code);
  engine.ignore_invalid_packets = faults.has(Fault::ignore_invalid_packet);
  engine.hold_polls_during_upgrade = faults.has(Fault::no_noop_during_upgrade);
  engine.polling_after_upgrade = faults.has(Fault::polling_after_upgrade);
  engine.second_websocket_takes_over = faults.has(Fault::second_websocket_takes_over);
  engine.overlapping_get_replaces_first = faults.has(Fault::overlapping_get_accepted);
  engine.no_post_body_limit = faults.has(Fault::no_payload_limit);
  engine.errors_without_cors = faults.has(Fault::no_cors_on_errors);
  engine.binary_as_base64_text = faults.has(Fault::binary_as_base64_text);
  auto& server = on.server;
  server.socket_id_is_engine_sid = faults.has(Fault::engine_sid_as_socket_id);
  server.broadcast_includes_sender = faults.has(Fault::broadcast_includes_sender);
  server.ack_without_namespace = faults.has(Fault::ack_without_namespace);
  if (faults.has(Fault::auth_null_without_payload)) server.default_auth = "null";
  server.dispatch_reserved_events = faults.has(Fault::reserved_events_accepted);
  server.answer_duplicate_connect = faults.has(Fault::duplicate_connect_accepted);
  server.unchecked_placeholders = faults.has(Fault::placeholder_unchecked);
  server.connect_error_without_data = faults.has(Fault::connect_error_without_data);
  server.keep_rooms_on_disconnect = faults.has(Fault::rooms_kept_on_disconnect);
  server.namespace_disconnect_closes_connection =
      faults.has(Fault::namespace_disconnect_closes_connection);
  server.spaced_json = faults.has(Fault::json_reformatted);
  server.broadcast_per_room = faults.has(Fault::broadcast_duplicates);
  server.binary_ack_id_plus_one = faults.has(Fault::binary_ack_wrong_id);
  on.fixture.crash_on_empty_event_name = faults.has(Fault::crash_on_empty_event_name);
  on.hang_on_trailing_separator = faults.has(Fault::hang_on_trailing_separator);
  return on;
}

std::optional<Fault> fault_named(std::string_view name) {
  for (const auto& info : fault_catalogue())
    if (info.name == name) return info.fault;
  return std::nullopt;
}

std::string fault_names() {
  std::string names;
  for (const auto& info : fault_catalogue())
    names += (names.empty() ? "" : ", ") + std::string(info.name);
  return names;
}

}  // namespace sio
