// The Socket.IO v5 server: the Engine.IO application that runs namespaces, sockets, rooms and
// broadcasts. Its API follows socket.io's, so applications read like the JavaScript examples:
//
//   server.of("/chat").on_connection([](Socket& socket) {
//     socket.on("message", [](Socket& s, const Args& args, const Ack& ack) {
//       s.broadcast().emit("message", args);
//       if (ack) ack(Args::of("ok"));
//     });
//   });
#pragma once

#include <map>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sio/engine/engine.hpp"
#include "sio/server/client.hpp"
#include "sio/server/namespace.hpp"
#include "sio/server/socket.hpp"
#include "sio/server/types.hpp"
#include "sio/wire/sio_packet.hpp"

namespace sio::server {

// Behaviours of other Socket.IO servers that the protocol forbids, each off by default (the
// correct behaviour, socket.io 4.8's). They let the reference server misbehave on purpose
// (`siocheck serve --fault NAME`; sio::fault_switches maps each fault onto its switch), so that
// the conformance suite can be shown to catch each. Each comment names the server that had it,
// where one is known.
struct Quirks {
  // The socket id is the Engine.IO session id, which leaks the session to other clients
  // (socketioxide #117).
  bool socket_id_is_engine_sid = false;
  // socket.to(room) and socket.broadcast() reach the sender too.
  bool broadcast_includes_sender = false;
  // Acks are written without their namespace, so they land on "/" (go.socket.io #60).
  bool ack_without_namespace = false;
  // handshake.auth of a CONNECT without payload ("null" instead of "{}").
  std::string default_auth = "{}";
  // Events named connect, disconnect, ... are dispatched instead of closing the connection.
  bool dispatch_reserved_events = false;
  // Binary placeholders are not checked against the attachments (socket.io-parser before the fix
  // of CVE-2022-2421).
  bool unchecked_placeholders = false;
  // A second CONNECT to a joined namespace is answered again instead of closing the connection.
  bool answer_duplicate_connect = false;
  // A middleware's error data is left out of CONNECT_ERROR.
  bool connect_error_without_data = false;
  // A socket that leaves keeps its rooms, so broadcasts and room listings still count it.
  bool keep_rooms_on_disconnect = false;
  // A DISCONNECT for one namespace closes the whole connection.
  bool namespace_disconnect_closes_connection = false;
  // JSON goes out with a space after ':' and ',' (what Python's json.dumps writes by default).
  bool spaced_json = false;
  // A broadcast to several rooms goes room by room, so a socket in two of them gets it twice.
  bool broadcast_per_room = false;
  // An acknowledgement with binary arguments carries the ack id plus one.
  bool binary_ack_id_plus_one = false;
  // A volatile emit with binary attachments decides frame by frame whether the transport is
  // writable: the header goes out and fills it, and the attachments are dropped (socket.io 4.1.0
  // to 4.2.0, fixed in 4.3.0 and socket.io-adapter 2.3.3).
  bool volatile_per_frame = false;
  // An EVENT named by an object with a "toString" member gets past the decoder, and dispatching it
  // aborts the process (socket.io-parser before 4.2.3, CVE-2023-32695: JavaScript cannot turn such
  // an object into a string, and socket.io's emitter threw).
  bool crash_on_non_string_event_name = false;
  // An event named "error" with no "error" handler aborts the process (socket.io before 4.6.2:
  // Node's EventEmitter throws on an unhandled "error", CVE-2024-38355).
  bool crash_on_error_event = false;
  // Any attachment count is taken (fractions and huge counts included) and the attachments are
  // awaited, with no bound on what is kept (socket.io-parser before 4.2.6, CVE-2026-33151).
  bool unbounded_attachments = false;
  // A binary packet declaring zero attachments is delivered, and the decoder then waits for
  // attachments for good: the next text packet closes the connection, binary messages pile up
  // (socket.io-parser before 4.2.7, CVE-2026-69185).
  bool keep_zero_attachment_packets = false;
  // A CONNECT whose payload is null is taken, and joining an existing namespace with it aborts the
  // process (socket.io 4.6.0 and 4.6.1 with socket.io-parser before 4.2.4: reading auth.pid threw
  // in a promise, and the unhandled rejection ended Node; fixed in socket.io 4.6.2).
  bool crash_on_null_auth = false;

  friend bool operator==(const Quirks&, const Quirks&) = default;
};

struct Options {
  Duration connect_timeout{45000};   // a client that joins no namespace within it is closed
  std::size_t max_attachments = 10;  // per binary packet
  std::function<std::string()> ids;  // socket ids; 120 random bits by default
  engine::LogSink log;
  Quirks quirks;  // other servers' bugs, on purpose (all off by default)
};

class Server final : public engine::Handler {
 public:
  explicit Server(engine::Scheduler& scheduler, Options options = {});
  ~Server() override;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The engine whose sessions this server serves (for close()).
  void attach(engine::Engine& engine) noexcept { engine_ = &engine; }

  // A namespace, made on first use. "/" always exists.
  Namespace& of(std::string_view name);
  // Dynamic namespaces: every name matching `pattern` (whole name) exists on first use.
  ParentNamespace& of(const std::regex& pattern);
  ParentNamespace& of(NamespaceMatcher matcher);
  Namespace& sockets() { return of("/"); }
  Server& use(Middleware middleware);
  BroadcastOperator to(std::string_view room) { return of("/").to(room); }
  bool emit(std::string_view event, const Args& args = {}) { return of("/").emit(event, args); }

  // Every socket leaves with "server shutting down", then the engine closes its sessions.
  void close();

  engine::Scheduler& scheduler() noexcept { return scheduler_; }
  const Options& options() const noexcept { return options_; }
  std::size_t client_count() const noexcept { return clients_.size(); }
  // The namespace called `name`, if it exists now (no dynamic namespace is made).
  Namespace* find(std::string_view name) const;

  // engine::Handler
  void on_open(const std::shared_ptr<engine::Session>& session) override;
  void on_text(const std::shared_ptr<engine::Session>& session, std::string text) override;
  void on_binary(const std::shared_ptr<engine::Session>& session, std::string bytes) override;
  void on_close(const std::shared_ptr<engine::Session>& session, engine::CloseReason reason,
                std::string_view detail) override;

 private:
  friend class Client;
  friend class Socket;
  friend class ParentNamespace;

  // The namespace for a CONNECT: an existing one, or a new child of a matching parent.
  Namespace* resolve(std::string_view name, const std::string& auth);
  std::string new_id();
  void log(engine::LogLevel level, std::string_view text) const;

  engine::Scheduler& scheduler_;
  Options options_;
  wire::sio::Limits decoder_limits_;  // every client's decoder: from the options, once
  engine::Engine* engine_ = nullptr;
  std::map<std::string, std::unique_ptr<Namespace>, std::less<>> namespaces_;
  std::vector<std::unique_ptr<ParentNamespace>> parents_;
  std::unordered_map<const engine::Session*, std::shared_ptr<Client>> clients_;
};

}  // namespace sio::server
