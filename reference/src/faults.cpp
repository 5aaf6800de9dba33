#include "sio/faults.hpp"

namespace sio {

const std::vector<FaultInfo>& fault_catalogue() {
  static const std::vector<FaultInfo> catalogue{
      {Fault::early_first_ping,
       "early-first-ping",
       "the first ping goes out right after the handshake (socketioxide before e47353da)",
       {"eio/heartbeat/1", "eio/heartbeat/3", "eio/heartbeat/4", "eio/heartbeat/9", "eio/polling/1",
        "eio/polling/10", "eio/polling/12", "eio/polling/13", "eio/polling/19", "eio/reset/7",
        "eio/reset/8", "eio/reset/9", "eio/reset/10", "eio/reset/11", "eio/reset/12",
        "eio/upgrade/2", "eio/upgrade/3", "eio/upgrade/4", "sio/disconnect/2"}},
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
       {"eio/handshake/22", "eio/heartbeat/4", "eio/names/4", "eio/names/5", "eio/polling/10",
        "eio/polling/11", "eio/polling/12", "eio/polling/13", "eio/polling/14", "eio/polling/18",
        "eio/websocket/6"}},
      {Fault::ignore_invalid_packet,
       "ignore-invalid-packet",
       "an undecodable Engine.IO packet is ignored instead of closing the session",
       {"eio/polling/18", "eio/polling/19", "eio/websocket/6"}},
      {Fault::no_noop_during_upgrade,
       "no-noop-during-upgrade",
       "GETs during an upgrade are held until data comes instead of answered with a noop "
       "(python-engineio #160, socketioxide #479)",
       {"eio/upgrade/2", "eio/upgrade/3", "eio/upgrade/4", "sio/broadcast/1@upgrade",
        "sio/disconnect/1@upgrade", "sio/disconnect/2@upgrade", "sio/disconnect/6@upgrade",
        "sio/disconnect/10@upgrade", "sio/disconnect/11@upgrade", "sio/disconnect/12@upgrade",
        "sio/robustness/9@upgrade"}},
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
       "POST bodies past maxPayload are accepted (no 413), as with engine.io before 4.0.0, whose "
       "default limit was 100 MB",
       {"eio/limits/1"},
       "",
       {"CVE-2020-36048"}},
      {Fault::no_cors_on_errors,
       "no-cors-on-errors",
       "error answers lack Access-Control-Allow-Origin, so browsers cannot read them",
       {"eio/cors/2"}},
      {Fault::binary_as_base64_text,
       "binary-as-base64-text",
       "binary messages go out on WebSocket as \"b\" + base64 text frames (the v3 habit)",
       {"eio/limits/5",
        "eio/upgrade/17",
        "eio/websocket/2",
        "sio/acks/6@upgrade",
        "sio/acks/6@websocket",
        "sio/acks/15@upgrade",
        "sio/acks/15@websocket",
        "sio/binary/1@upgrade",
        "sio/binary/1@websocket",
        "sio/binary/2@upgrade",
        "sio/binary/2@websocket",
        "sio/binary/3@websocket",
        "sio/binary/4@websocket",
        "sio/binary/5@upgrade",
        "sio/binary/5@websocket",
        "sio/binary/6@websocket",
        "sio/binary/14@websocket",
        "sio/binary/15@upgrade",
        "sio/binary/15@websocket",
        "sio/binary/16@websocket",
        "sio/binary/17@websocket",
        "sio/binary/18@websocket",
        "sio/broadcast/9",
        "sio/broadcast/15",
        "sio/broadcast/19",
        "sio/broadcast/20",
        "sio/broadcast/21",
        "sio/broadcast/22",
        "sio/broadcast/23",
        "sio/broadcast/24",
        "sio/broadcast/25",
        "sio/broadcast/26",
        "sio/names/8@websocket"}},
      {Fault::crash_on_early_invalid_frame,
       "crash-on-early-invalid-frame",
       "an invalid WebSocket frame (a reserved bit, a reserved opcode, no mask) written in the "
       "same TCP write as the upgrade request of a new WebSocket session aborts the server "
       "process: those frames are parsed before an error handler exists (engine.io before 6.1.1, "
       "whose ws RangeError went uncaught)",
       {"eio/coalesced/2", "eio/coalesced/3", "eio/coalesced/4", "eio/coalesced/5"},
       "crash",
       {"CVE-2022-21676"}},
      {Fault::crash_on_prototype_transport_upgrade,
       "crash-on-prototype-transport-upgrade",
       "a WebSocket upgrade request whose transport is an Object.prototype name (__proto__, "
       "toString, valueOf, hasOwnProperty, ...) is answered 101 and then aborts the server "
       "process: "
       "engine.io 5.1.0 to 6.4.1 took the unknown-transport code 0 for success on the upgrade "
       "path, "
       "and the transport lookup then threw",
       {"eio/websocket/11", "eio/names/3"},
       "crash",
       {"CVE-2023-31125"}},
      {Fault::binary_post_unanswered,
       "binary-post-unanswered",
       "a polling POST with Content-Type application/octet-stream closes the session and is never "
       "answered, so each such request holds its connection for good (engine.io 4.1.0 to 6.6.6)",
       {"eio/polling/15"},
       "",
       {"CVE-2026-59725"}},
      {Fault::crash_on_versionless_upgrade,
       "crash-on-versionless-upgrade",
       "a WebSocket upgrade of a polling session without EIO=4 (none, or EIO=3) is accepted "
       "instead of refused with 400, and the server process aborts when that upgrade completes "
       "(engine.io 6.6.0 to 6.6.9 threw on the session's missing heartbeat timer)",
       {"eio/upgrade/18"},
       "crash",
       {"CVE-2026-102599"}},
      {Fault::close_before_flush,
       "close-before-flush",
       "over WebSocket one frame is written at a time, the next a turn later, and a close by the "
       "server drops the frames still waiting: socket.disconnect(true) with two namespaces "
       "delivers the first DISCONNECT only, then the close, as engine.io 5.1.0 to 6.2.x did (a "
       "WebSocket closed before its write buffer was flushed)",
       {"sio/disconnect/6@websocket", "sio/disconnect/6@upgrade"},
       "",
       {"engine.io 6.3.0"}},
      {Fault::data_counts_as_pong,
       "data-counts-as-pong",
       "any packet from the client puts the ping timeout off to pingInterval + pingTimeout and "
       "the next ping waits for a pong, so a client that keeps sending messages and never answers "
       "the ping is never closed (and gets one ping only), as engine.io up to 6.5.x did",
       {"eio/heartbeat/9"},
       "",
       {"engine.io 6.6.0"}},
      {Fault::crash_on_websocket_without_eio,
       "crash-on-websocket-without-eio",
       "a WebSocket handshake without a sid whose EIO is not 4 (absent, 3, abc, ...) is answered "
       "101 instead of 400 code 5, and the server process aborts on the loop's next turn, even "
       "when the client has reset the connection, as engine.io 5.1.0 did (ws completed the "
       "upgrade, and engine.io threw writing its refusal to the missing HTTP response)",
       {"eio/reset/6", "eio/websocket/13", "eio/websocket/14"},
       "crash",
       {"engine.io 5.1.1"}},
      {Fault::crash_on_late_upgrade_header,
       "crash-on-late-upgrade-header",
       "an upgrade request whose Upgrade header comes after its 2000th header line aborts the "
       "server process (Node keeps 2000 headers; ws before 8.17.1 then called a method on the "
       "missing value)",
       {"eio/limits/6"},
       "crash",
       {"CVE-2024-37890"}},
      {Fault::quadratic_subprotocol_split,
       "quadratic-subprotocol-split",
       "Sec-WebSocket-Protocol is split by a scan that restarts at every space of a run, so an "
       "upgrade request whose value is one long run of spaces without a comma is answered after "
       "a time quadratic in its length, 0.9 s for 15 000 spaces (ws before 7.4.6 spent that time "
       "on the event loop)",
       {"eio/limits/16"},
       "",
       {"CVE-2021-32640"}},
      {Fault::crash_on_prototype_extension_name,
       "crash-on-prototype-extension-name",
       "a Sec-WebSocket-Extensions header naming an Object.prototype property (constructor, "
       "__proto__, toString, ...) as an extension or a parameter aborts the server process (ws "
       "before 3.3.1)",
       {"eio/limits/17"},
       "crash",
       {"GHSA-5v72-xg48-5rpm"}},
      {Fault::no_websocket_message_limit,
       "no-websocket-message-limit",
       "WebSocket messages have no size limit: one past maxPayload is read whole and handled "
       "(ws before 1.1.1 had no default maxPayload)",
       {"eio/limits/4"},
       "",
       {"CVE-2016-10542"}},
      {Fault::crash_on_many_fragments,
       "crash-on-many-fragments",
       "every fragment of a WebSocket message is kept as a part of its own, and past 512 parts "
       "of one message the server process aborts (ws before 8.21.0 ran out of memory on a stream "
       "of tiny fragments)",
       {"eio/limits/18"},
       "crash",
       {"CVE-2026-48779"}},
      {Fault::crash_on_reset_foreign_upgrade,
       "crash-on-reset-foreign-upgrade",
       "an upgrade request (Connection: Upgrade, of any protocol) for a path the server does not "
       "serve is left unanswered and ended after a second; when the client has reset the "
       "connection by then, the error has no handler and the server process aborts (engine.io "
       "before 6.2.1 / 3.6.1 destroyed such upgrades without an 'error' listener; on Node 20, "
       "where the reset surfaces at once, it died until 6.6.12 attached the listener earlier)",
       {"eio/reset/5"},
       "crash",
       {"CVE-2022-41940"}},
      {Fault::engine_sid_as_socket_id,
       "engine-sid-as-socket-id",
       "the socket id is the Engine.IO session id (socketioxide #117), which leaks the session",
       {"sio/connect/8", "sio/connect/9"}},
      {Fault::broadcast_includes_sender,
       "broadcast-includes-sender",
       "socket.to(room) and socket.broadcast() reach the sender too",
       {"sio/broadcast/1", "sio/broadcast/2", "sio/broadcast/5", "sio/broadcast/6",
        "sio/broadcast/9", "sio/broadcast/11", "sio/broadcast/17", "sio/broadcast/19",
        "sio/broadcast/20", "sio/broadcast/22", "sio/broadcast/23", "sio/broadcast/26"}},
      {Fault::ack_without_namespace,
       "ack-without-namespace",
       "acks are written without their namespace, so they land on / (go.socket.io #60)",
       {"sio/acks/10",      "sio/binary/15",    "sio/broadcast/1",   "sio/broadcast/2",
        "sio/broadcast/3",  "sio/broadcast/4",  "sio/broadcast/5",   "sio/broadcast/6",
        "sio/broadcast/7",  "sio/broadcast/8",  "sio/broadcast/9",   "sio/broadcast/10",
        "sio/broadcast/11", "sio/broadcast/13", "sio/broadcast/14",  "sio/broadcast/15",
        "sio/broadcast/17", "sio/broadcast/18", "sio/broadcast/19",  "sio/broadcast/20",
        "sio/broadcast/21", "sio/broadcast/22", "sio/broadcast/23",  "sio/broadcast/24",
        "sio/broadcast/25", "sio/broadcast/26", "sio/disconnect/3",  "sio/events/9",
        "sio/middleware/3", "sio/middleware/4", "sio/middleware/5",  "sio/names/5",
        "sio/namespaces/1", "sio/namespaces/2", "sio/namespaces/3",  "sio/namespaces/4",
        "sio/namespaces/8", "sio/namespaces/9", "sio/namespaces/10", "sio/namespaces/14",
        "sio/rooms/2",      "sio/rooms/3",      "sio/rooms/4",       "sio/rooms/6",
        "sio/rooms/7",      "sio/rooms/8",      "sio/rooms/9"}},
      {Fault::auth_null_without_payload,
       "auth-null-without-payload",
       "a CONNECT without payload gives handshake.auth null instead of {}",
       {"sio/connect/2"}},
      {Fault::reserved_events_accepted,
       "reserved-events-accepted",
       "events named connect, disconnect, ... are dispatched instead of closing the connection",
       {"sio/events/12", "sio/robustness/1"}},
      {Fault::duplicate_connect_accepted,
       "duplicate-connect-accepted",
       "a second CONNECT to a joined namespace is answered again instead of closing the connection",
       {"sio/connect/13"}},
      {Fault::placeholder_unchecked,
       "placeholder-unchecked",
       "binary placeholders are not checked against the attachments: a num that is not an integer "
       "index into them (\"splice\", 10, -1, 0.5) is taken and the event delivered with null in "
       "its place, and \"0\" names attachment 0 (socket.io-parser before 4.2.1 looked the num up "
       "as a property of the attachment array, putting a function or undefined into the "
       "arguments)",
       {"sio/binary/9", "sio/binary/10", "sio/robustness/2"},
       "",
       {"CVE-2022-2421"}},
      {Fault::connect_error_without_data,
       "connect-error-without-data",
       "a middleware's error data is left out of CONNECT_ERROR",
       {"sio/middleware/1", "sio/middleware/2", "sio/middleware/4", "sio/middleware/5",
        "sio/middleware/6", "sio/middleware/7", "sio/names/6"}},
      {Fault::rooms_kept_on_disconnect,
       "rooms-kept-on-disconnect",
       "a socket that leaves keeps its rooms, so broadcasts and room listings still count it",
       {"sio/rooms/7", "sio/rooms/8"}},
      {Fault::namespace_disconnect_closes_connection,
       "namespace-disconnect-closes-connection",
       "DISCONNECT for one namespace closes the whole connection",
       {"sio/disconnect/1", "sio/disconnect/2", "sio/disconnect/3", "sio/disconnect/7",
        "sio/middleware/7", "sio/namespaces/10", "sio/namespaces/11", "sio/rooms/7"}},
      {Fault::json_reformatted,
       "json-reformatted",
       "JSON goes out with a space after ':' and ',', which exact-string clients refuse",
       {"sio/acks/1",        "sio/acks/6",        "sio/acks/7",        "sio/acks/8",
        "sio/acks/9",        "sio/acks/10",       "sio/acks/11",       "sio/acks/12",
        "sio/acks/13",       "sio/acks/14",       "sio/acks/15",       "sio/binary/1",
        "sio/binary/2",      "sio/binary/3",      "sio/binary/4",      "sio/binary/5",
        "sio/binary/6",      "sio/binary/14",     "sio/binary/15",     "sio/binary/16",
        "sio/binary/17",     "sio/binary/18",     "sio/broadcast/1",   "sio/broadcast/2",
        "sio/broadcast/4",   "sio/broadcast/6",   "sio/broadcast/7",   "sio/broadcast/8",
        "sio/broadcast/9",   "sio/broadcast/11",  "sio/broadcast/15",  "sio/broadcast/17",
        "sio/broadcast/18",  "sio/broadcast/19",  "sio/broadcast/20",  "sio/broadcast/21",
        "sio/broadcast/22",  "sio/broadcast/23",  "sio/broadcast/24",  "sio/broadcast/25",
        "sio/broadcast/26",  "sio/connect/2",     "sio/connect/3",     "sio/connect/4",
        "sio/connect/17",    "sio/disconnect/5",  "sio/disconnect/7",  "sio/events/1",
        "sio/events/3",      "sio/events/4",      "sio/events/5",      "sio/events/6",
        "sio/events/7",      "sio/events/8",      "sio/events/9",      "sio/events/10",
        "sio/events/11",     "sio/events/20",     "sio/middleware/3",  "sio/middleware/4",
        "sio/middleware/5",  "sio/middleware/7",  "sio/names/1",       "sio/names/2",
        "sio/names/3",       "sio/names/4",       "sio/names/5",       "sio/names/6",
        "sio/names/7",       "sio/names/8",       "sio/names/10",      "sio/namespaces/1",
        "sio/namespaces/4",  "sio/namespaces/10", "sio/robustness/1",  "sio/robustness/2",
        "sio/robustness/3",  "sio/robustness/4",  "sio/robustness/5",  "sio/robustness/6",
        "sio/robustness/7",  "sio/robustness/8",  "sio/robustness/9",  "sio/robustness/10",
        "sio/robustness/11", "sio/robustness/12", "sio/robustness/13", "sio/robustness/14",
        "sio/robustness/15", "sio/robustness/16"}},
      {Fault::broadcast_duplicates,
       "broadcast-duplicates",
       "a socket in two of the target rooms gets a broadcast twice",
       {"sio/broadcast/6", "sio/broadcast/19", "sio/broadcast/20", "sio/broadcast/21",
        "sio/broadcast/22", "sio/broadcast/23", "sio/broadcast/26"}},
      {Fault::binary_ack_wrong_id,
       "binary-ack-wrong-id",
       "an acknowledgement with binary arguments goes out with the ack id plus one",
       {"sio/acks/6", "sio/acks/15", "sio/binary/5", "sio/binary/15", "sio/broadcast/15",
        "sio/broadcast/23", "sio/broadcast/24", "sio/broadcast/25", "sio/broadcast/26"},
       "violation"},
      {Fault::crash_on_non_string_event_name,
       "crash-on-non-string-event-name",
       "an EVENT or BINARY_EVENT named by an object with a toString member "
       "(42[{\"toString\":\"foo\"}]) gets past the decoder and aborts the server process when "
       "dispatched (socket.io-parser before 4.2.3 checked only for a non-empty array, and "
       "socket.io's emitter threw on a name JavaScript cannot turn into a string)",
       {"sio/robustness/1", "sio/robustness/13"},
       "crash",
       {"CVE-2023-32695"}},
      {Fault::crash_on_error_event,
       "crash-on-error-event",
       "an event named \"error\" (42[\"error\"]) aborts the server process when no handler of the "
       "application takes it (socket.io before 4.6.2: Node's EventEmitter throws on an unhandled "
       "\"error\")",
       {"sio/events/11", "sio/robustness/14"},
       "crash",
       {"CVE-2024-38355"}},
      {Fault::unbounded_attachments,
       "unbounded-attachments",
       "any attachment count is taken (1000000000, 1.5, past 2^64) and binary messages are kept "
       "until it is reached, with no bound on what one packet buffers (socket.io-parser before "
       "4.2.6)",
       {"sio/robustness/15"},
       "",
       {"CVE-2026-33151"}},
      {Fault::zero_attachment_packet_kept,
       "zero-attachment-packet-kept",
       "a binary packet declaring zero attachments (450-[...]) is delivered, and the decoder then "
       "waits for attachments for good: the next text packet closes the connection and binary "
       "messages pile up (socket.io-parser before 4.2.7)",
       {"sio/robustness/16"},
       "",
       {"CVE-2026-69185"}},
      {Fault::crash_on_null_auth,
       "crash-on-null-auth",
       "a CONNECT whose payload is null (40null) to a namespace that exists is taken as auth and "
       "aborts the server process, as socket.io 4.6.0 and 4.6.1 with socket.io-parser before "
       "4.2.4 did (typeof null is \"object\", and reading auth.pid threw in a promise); those "
       "releases also took an array (40[]), which this fault leaves refused",
       {"sio/connect/17"},
       "crash",
       {"socket.io 4.6.2"}},
      {Fault::volatile_binary_loses_attachments,
       "volatile-binary-loses-attachments",
       "a volatile emit with binary attachments checks frame by frame whether the transport is "
       "writable: the header packet goes out and the attachments are dropped, so the client "
       "waits for them for good (socket.io 4.1.0 to 4.2.0)",
       {"sio/broadcast/22"},
       "",
       {"socket.io 4.3.0", "socket.io-adapter 2.3.3"}},
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
  engine.crash_on_prototype_transport_upgrade =
      faults.has(Fault::crash_on_prototype_transport_upgrade);
  engine.binary_post_unanswered = faults.has(Fault::binary_post_unanswered);
  engine.crash_on_versionless_upgrade = faults.has(Fault::crash_on_versionless_upgrade);
  engine.close_before_flush = faults.has(Fault::close_before_flush);
  engine.data_counts_as_pong = faults.has(Fault::data_counts_as_pong);
  engine.crash_on_websocket_without_eio = faults.has(Fault::crash_on_websocket_without_eio);
  auto& net = on.net;
  net.crash_on_late_upgrade_header = faults.has(Fault::crash_on_late_upgrade_header);
  net.quadratic_subprotocol_split = faults.has(Fault::quadratic_subprotocol_split);
  net.crash_on_prototype_extension_name = faults.has(Fault::crash_on_prototype_extension_name);
  net.no_websocket_message_limit = faults.has(Fault::no_websocket_message_limit);
  net.crash_on_many_fragments = faults.has(Fault::crash_on_many_fragments);
  net.crash_on_early_invalid_frame = faults.has(Fault::crash_on_early_invalid_frame);
  net.crash_on_reset_foreign_upgrade = faults.has(Fault::crash_on_reset_foreign_upgrade);
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
  server.volatile_per_frame = faults.has(Fault::volatile_binary_loses_attachments);
  server.crash_on_non_string_event_name = faults.has(Fault::crash_on_non_string_event_name);
  server.crash_on_error_event = faults.has(Fault::crash_on_error_event);
  server.unbounded_attachments = faults.has(Fault::unbounded_attachments);
  server.keep_zero_attachment_packets = faults.has(Fault::zero_attachment_packet_kept);
  server.crash_on_null_auth = faults.has(Fault::crash_on_null_auth);
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
