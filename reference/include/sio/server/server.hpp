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
#include "sio/faults.hpp"
#include "sio/server/client.hpp"
#include "sio/server/namespace.hpp"
#include "sio/server/socket.hpp"
#include "sio/server/types.hpp"

namespace sio::server {

struct Options {
  Duration connect_timeout{45000};   // a client that joins no namespace within it is closed
  std::size_t max_attachments = 10;  // per binary packet
  std::function<std::string()> ids;  // socket ids; 120 random bits by default
  engine::LogSink log;
  Faults faults;  // deliberate bugs, for proving the conformance suite (off by default)
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
  engine::Engine* engine_ = nullptr;
  std::map<std::string, std::unique_ptr<Namespace>, std::less<>> namespaces_;
  std::vector<std::unique_ptr<ParentNamespace>> parents_;
  std::unordered_map<const engine::Session*, std::shared_ptr<Client>> clients_;
};

}  // namespace sio::server
