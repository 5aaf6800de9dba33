// A namespace: its sockets, rooms, middlewares and connection handlers. Dynamic namespaces are
// made on first use by a parent namespace that matches their name.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "sio/server/adapter.hpp"
#include "sio/server/broadcast.hpp"
#include "sio/server/types.hpp"

namespace sio::server {

class Server;
class Socket;

class Namespace {
 public:
  Namespace(Server& server, std::string name);
  Namespace(const Namespace&) = delete;
  Namespace& operator=(const Namespace&) = delete;

  const std::string& name() const noexcept { return name_; }
  Server& server() const noexcept { return server_; }
  Adapter& adapter() noexcept { return adapter_; }

  Namespace& on_connection(ConnectionHandler handler);
  // Middlewares run in order for every connecting socket; the first refusal is sent to the
  // client as CONNECT_ERROR, and the client may try again.
  Namespace& use(Middleware middleware);

  BroadcastOperator to(std::string_view room) { return BroadcastOperator(*this).to(room); }
  BroadcastOperator to(const std::vector<std::string>& rooms) {
    return BroadcastOperator(*this).to(rooms);
  }
  BroadcastOperator in(std::string_view room) { return to(room); }
  BroadcastOperator except(std::string_view room) { return BroadcastOperator(*this).except(room); }
  BroadcastOperator with_volatile() { return BroadcastOperator(*this).with_volatile(); }
  BroadcastOperator compress(bool on) { return BroadcastOperator(*this).compress(on); }
  BroadcastOperator local() { return BroadcastOperator(*this); }
  BroadcastOperator timeout(Duration d) { return BroadcastOperator(*this).timeout(d); }
  bool emit(std::string_view event, const Args& args = {}) {
    return BroadcastOperator(*this).emit(event, args);
  }

  std::shared_ptr<Socket> socket(std::string_view id) const;
  const std::map<std::string, std::shared_ptr<Socket>, std::less<>>& sockets() const noexcept {
    return sockets_;
  }
  // Server-to-client ack ids: one counter per namespace, shared by its sockets and broadcasts.
  std::uint64_t next_ack_id() noexcept { return ack_ids_++; }

 private:
  friend class Client;
  friend class Server;
  friend class Socket;

  void add(const std::shared_ptr<Socket>& socket);
  // Removes the socket and its rooms (`keep_rooms`: Quirks::keep_rooms_on_disconnect).
  void remove(const Socket& socket, bool keep_rooms = false);

  Server& server_;
  std::string name_;
  Adapter adapter_;
  std::vector<ConnectionHandler> connection_handlers_;
  std::vector<Middleware> middlewares_;
  std::map<std::string, std::shared_ptr<Socket>, std::less<>> sockets_;
  std::uint64_t ack_ids_ = 0;
};

// Decides whether a namespace name (with the CONNECT payload) may exist.
using NamespaceMatcher = std::function<bool(std::string_view name, const std::string& auth)>;

// Makes child namespaces on demand. A child starts with the parent's middlewares and connection
// handlers as they are when the child is made.
class ParentNamespace {
 public:
  ParentNamespace(Server& server, NamespaceMatcher matcher)
      : server_(server), matcher_(std::move(matcher)) {}

  ParentNamespace& on_connection(ConnectionHandler handler);
  ParentNamespace& use(Middleware middleware);
  // Emits to every child.
  bool emit(std::string_view event, const Args& args = {});
  const std::vector<Namespace*>& children() const noexcept { return children_; }

 private:
  friend class Server;
  bool matches(std::string_view name, const std::string& auth) const {
    return matcher_(name, auth);
  }

  Server& server_;
  NamespaceMatcher matcher_;
  std::vector<ConnectionHandler> connection_handlers_;
  std::vector<Middleware> middlewares_;
  std::vector<Namespace*> children_;
};

}  // namespace sio::server
