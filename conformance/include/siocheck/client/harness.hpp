// What one client case works with: a scripted Socket.IO server on a free loopback port (Engine.IO
// v4 polling, WebSocket and the upgrade, the heartbeat, Socket.IO v5 namespaces, events and acks,
// behaving as socket.io 4.8 does unless the case says otherwise), the adapter process that drives
// the client library under test (conformance/CLIENT-ADAPTER.md), and one event loop for both.
// Everything the server sees and does is recorded with its time: the wire is the oracle. The case
// reads as a plain sequence of steps: each wait runs the loop until its condition holds or its
// deadline passes. Nothing here uses the reference server's code.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "siocheck/codec/codec.hpp"
#include "siocheck/run/unit.hpp"

namespace conform::client {

using Clock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;
using codec::Json;
using Headers = std::vector<std::pair<std::string, std::string>>;  // names in lower case

// ---- what the scripted server saw --------------------------------------------------------------

// One HTTP request, a WebSocket upgrade included, and how it was answered.
struct Request {
  int index = 0;
  int conn = 0;  // the TCP connection it came on
  double at_ms = 0;
  double answered_ms = -1;  // -1: not answered (held, or the connection went away)
  std::string method;
  std::string target;  // path and query, as sent
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  Headers headers;
  std::string body;
  std::string sid;         // its sid parameter, or empty
  bool websocket = false;  // an upgrade request
  int status = 0;          // the answer's (101: the WebSocket was accepted)
  std::string answer;      // the answer's body

  std::optional<std::string> param(std::string_view name) const;
  std::optional<std::string> header(std::string_view name) const;
  bool handshake() const { return sid.empty(); }
};

// One Engine.IO packet from the client.
struct PacketIn {
  double at_ms = 0;
  std::string sid;
  bool websocket = false;
  int request = -1;  // the POST it came in (polling), or -1
  int ws = -1;       // the WebSocket it came on, or -1
  codec::EioPacket packet;
  std::string raw;  // the record or frame as sent
};

// One Socket.IO packet from the client, with its attachments.
struct SioIn {
  double at_ms = 0;
  std::string sid;
  bool websocket = false;
  codec::SioPacket packet;
  std::vector<std::string> attachments;
  std::string text;  // the packet's text (the header of a binary one)

  // The payload with every placeholder replaced by {"$bin": base64}; null when it has none.
  Json value() const;
  // An event's name and arguments: value() when it is an array, else an empty array.
  Json array() const;
};

// What the server sent: one Engine.IO packet (a polling record or a WebSocket frame).
struct PacketOut {
  double at_ms = 0;
  std::string sid;
  bool websocket = false;
  bool binary = false;
  std::string data;  // text packet, or raw bytes of a binary one
};

struct WsConn {
  int index = 0;
  std::string sid;  // the session it upgrades, or the one it opened (WebSocket only)
  bool probe = false;
  double opened_ms = 0;
  double closed_ms = -1;
  int close_code = 0;      // from the client's close frame (1005: none given; 1006: no frame)
  bool by_server = false;  // the server closed or dropped it
};

struct SessionLog {
  std::string sid;
  int request = -1;  // the handshake
  bool websocket_only = false;
  double opened_ms = 0;
  double upgraded_ms = -1;
  double closed_ms = -1;
  std::string closed_why;  // "client sent close", "ping timeout", "dropped by the case", ...
  std::set<std::string> namespaces;  // connected by CONNECT (and not disconnected)
};

// ---- the scripted server's behaviour -----------------------------------------------------------

struct Answer {
  int status = 200;
  std::string body;
  std::string content_type = "text/plain; charset=UTF-8";
  Ms delay{0};
};

struct ServerOptions {
  std::string path = "/socket.io/";
  // A long heartbeat, so that a loaded machine's stalls never end a session by ping timeout:
  // the cases about the heartbeat set short ones.
  std::int64_t ping_interval = 25'000;
  std::int64_t ping_timeout = 20'000;
  std::int64_t max_payload = 1'000'000;
  std::vector<std::string> upgrades{"websocket"};
  bool pings = true;                 // send a ping every ping_interval (and close without a pong)
  bool noop_every_100ms = true;      // while an upgrade is pending, as socket.io does
  Ms noop_delay{0};                  // before the first noop of an upgrade
  bool probe_when_get_held = false;  // answer 2probe only while a GET of the session is held
  std::string probe_answer = "3probe";  // the answer to "2probe" (empty: none)
  Ms probe_delay{0};                    // before that answer
  bool enforce_max_payload = true;  // 413 for a POST body over max_payload, and the session ends
  bool reply_connect = true;        // answer CONNECT with {"sid": ...}
  Ms connect_reply_delay{0};
  bool echo_acks = true;  // an event that asks for an ack gets its arguments back
  Ms post_delay{0};       // before answering each POST
  // Rewrites the open packet's JSON (keys added, removed or reordered); none: as built.
  std::function<Json(Json)> open_edit;
};

// ---- the adapter's events ----------------------------------------------------------------------

struct AdapterEvent {
  std::size_t index = 0;  // its place among the adapter's events
  double at_ms = 0;       // when siocheck read it
  std::string ev;
  Json json;
};

class Harness {
 public:
  // Listens on 127.0.0.1 at a free port and starts the adapter (argv, in a process group of its
  // own; its standard error goes to a file). Throws std::runtime_error when either fails.
  explicit Harness(const std::vector<std::string>& adapter);
  ~Harness();  // ends the adapter's process group and closes everything
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  std::string url() const;  // http://127.0.0.1:PORT
  double elapsed_ms() const;

  // The loop ----------------------------------------------------------------------------------
  bool run_until(const std::function<bool()>& done, Ms timeout);
  void run_for(Ms d);

  // The scripted server -----------------------------------------------------------------------
  ServerOptions& options();
  // Called for every request before the default handling; an answer replaces it (a refused
  // handshake, an HTTP error). Requests it answers open no session.
  std::function<std::optional<Answer>(const Request&)> on_request;
  // Called for every Engine.IO packet from the client; true: handled, skip the default.
  std::function<bool(const PacketIn&)> on_packet;
  // Called for every Socket.IO packet from the client; true: handled, skip the default (the
  // CONNECT reply, the echoed ack).
  std::function<bool(const SioIn&)> on_sio;

  const std::vector<Request>& requests() const;
  const std::vector<PacketIn>& packets_in() const;
  const std::vector<SioIn>& sio_in() const;
  const std::vector<PacketOut>& packets_out() const;
  const std::vector<WsConn>& websockets() const;
  const std::vector<SessionLog>& sessions() const;
  const SessionLog* session(std::string_view sid) const;
  // The newest open session, or empty.
  std::string current_sid() const;

  // Sends an Engine.IO packet on the session's transport: queued for the next GET (polling) or a
  // frame (WebSocket). `binary`: raw bytes ("b"+base64 on polling).
  void send_packet(const std::string& sid, std::string packet, bool binary = false);
  // A polling body as given, to the pending (or next) GET: for payloads a client must split.
  void send_raw_body(const std::string& sid, std::string body);
  // A Socket.IO packet (its text) and its attachments.
  void send_sio(const std::string& sid, const std::string& text,
                const std::vector<std::string>& attachments = {});
  // An EVENT (BINARY_EVENT when `args` holds {"$bin": ...}) with `args` = [name, ...].
  void emit(const std::string& sid, const std::string& nsp, const Json& args,
            std::optional<std::uint64_t> id = std::nullopt);
  // The CONNECT reply when reply_connect is off: {"sid": ...} plus `extra`.
  void accept_connect(const std::string& sid, const std::string& nsp, Json extra = Json::object());
  // Ends the session without a protocol close: every TCP connection of it is reset.
  void drop(const std::string& sid);
  // Ends the session as socket.io does: a close packet to the pending GET (polling), a close
  // frame (WebSocket).
  void close(const std::string& sid);
  // Whether a GET of the session is waiting for packets.
  bool get_pending(const std::string& sid) const;
  // Closes the session's WebSocket with a close frame.
  void close_websocket(const std::string& sid, int code = 1000);
  // Stops pinging the session (it lives until the client gives up).
  void stop_pings(const std::string& sid);

  // The adapter -------------------------------------------------------------------------------
  void command(Json cmd);  // a line to its stdin (the trace shows it)
  const std::vector<AdapterEvent>& events() const;
  // The ready line's facts (after wait_ready()).
  bool wait_ready(Ms timeout);
  const std::string& impl() const;
  const std::string& impl_version() const;
  const std::set<std::string>& features() const;
  // Sends sync and waits for its answer: false when the adapter does not answer in time.
  bool sync(Ms timeout);
  // Whether its process is still running; how it ended ("exited with status 1").
  bool adapter_alive();
  bool adapter_output_closed() const;  // its standard output ended: it exited, or is exiting
  std::string adapter_exit() const;
  // What was wrong with its output: a line that is not a JSON object with "ev". Empty: nothing.
  const std::string& adapter_broken() const;
  std::string adapter_stderr() const;  // its last 20 lines of standard error, indented

  // The trace of the case: requests, packets, frames and the adapter's lines, in order.
  std::vector<run::TraceLine> trace() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace conform::client
