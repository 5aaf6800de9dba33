// One client's connection to one namespace: events and acks both ways, rooms, disconnect.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sio/server/broadcast.hpp"
#include "sio/server/types.hpp"
#include "sio/wire/sio_packet.hpp"

namespace sio::server {

class Client;
class Namespace;
class Socket;
struct Quirks;

// Flags for the next emit on one socket: socket.with_volatile().timeout(d).emit(...).
class SocketEmitter {
 public:
  SocketEmitter(Socket& socket, EmitFlags flags) : socket_(socket), flags_(flags) {}
  SocketEmitter with_volatile() const;
  SocketEmitter compress(bool on) const;
  SocketEmitter timeout(Duration d) const;
  bool emit(std::string_view event, const Args& args = {}) const;
  void emit_with_ack(std::string_view event, const Args& args, AckCallback callback) const;

 private:
  Socket& socket_;
  EmitFlags flags_;
};

class Socket : public std::enable_shared_from_this<Socket> {
 public:
  // Sockets are made by the server when a client connects to a namespace.
  Socket(Namespace& nsp, std::weak_ptr<Client> client, std::string id, Handshake handshake);
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket();

  // A random id of its own, never the Engine.IO session id.
  const std::string& id() const noexcept { return id_; }
  Namespace& nsp() const noexcept { return nsp_; }
  const Handshake& handshake() const noexcept { return handshake_; }
  bool connected() const noexcept { return connected_; }
  std::optional<DisconnectReason> disconnect_reason() const noexcept { return reason_; }
  // Rooms the socket is in, its own id included, sorted by byte.
  const std::set<std::string>& rooms() const;

  Socket& on(std::string event, EventHandler handler);
  Socket& on_any(AnyHandler handler);
  // Runs before the socket leaves its rooms (they are still visible), then on_disconnect after.
  Socket& on_disconnecting(DisconnectHandler handler);
  Socket& on_disconnect(DisconnectHandler handler);

  bool emit(std::string_view event, const Args& args = {});
  // `callback` runs once: with the client's ack arguments, or with an error when a timeout
  // (see timeout()) passes first or the socket disconnects first.
  void emit_with_ack(std::string_view event, const Args& args, AckCallback callback);
  // The "message" event.
  bool send(const Args& args = {}) { return emit("message", args); }
  SocketEmitter with_volatile() { return SocketEmitter(*this, {}).with_volatile(); }
  SocketEmitter compress(bool on) { return SocketEmitter(*this, {}).compress(on); }
  SocketEmitter timeout(Duration d) { return SocketEmitter(*this, {}).timeout(d); }

  void join(std::string_view room);
  void join(const std::vector<std::string>& rooms);
  void leave(std::string_view room);

  // Broadcasts that leave this socket out.
  BroadcastOperator to(std::string_view room) const;
  BroadcastOperator to(const std::vector<std::string>& rooms) const;
  BroadcastOperator in(std::string_view room) const { return to(room); }
  BroadcastOperator except(std::string_view room) const;
  BroadcastOperator broadcast() const;

  // Leaves this namespace (the client gets DISCONNECT), or with `close` every namespace of the
  // client and the connection itself.
  void disconnect(bool close = false);

 private:
  friend class Client;
  friend class SocketEmitter;
  friend class BroadcastOperator;
  friend class Server;

  struct PendingAck {
    std::function<void(const Args&)> on_ack;
    std::function<void()> on_disconnect;  // a socket that leaves fails its own pending acks
    std::optional<engine::Scheduler::TimerId> timer;
  };

  bool emit_with(const EmitFlags& flags, std::string_view event, const Args& args);
  void emit_with_ack_with(const EmitFlags& flags, std::string_view event, const Args& args,
                          AckCallback callback);
  void on_packet(wire::sio::Packet packet);
  void dispatch(std::string_view event, const Args& args, const Ack& ack);
  void send_ack(std::uint64_t id, const Args& args);
  void on_close(DisconnectReason reason);
  void expect_ack(std::uint64_t id, std::function<void(const Args&)> on_ack);
  void drop_ack(std::uint64_t id);
  const Quirks& quirks() const noexcept;

  Namespace& nsp_;
  std::weak_ptr<Client> client_;
  std::string id_;
  Handshake handshake_;
  bool connected_ = false;
  std::optional<DisconnectReason> reason_;
  std::map<std::string, std::vector<EventHandler>, std::less<>> handlers_;
  std::vector<AnyHandler> any_handlers_;
  std::vector<DisconnectHandler> disconnecting_handlers_;
  std::vector<DisconnectHandler> disconnect_handlers_;
  std::map<std::uint64_t, PendingAck> acks_;
};

}  // namespace sio::server
