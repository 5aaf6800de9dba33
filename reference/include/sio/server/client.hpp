// One Engine.IO session seen from Socket.IO: decodes its packets (reassembling binary ones),
// multiplexes its namespaces, enforces the connect timeout, and closes the connection on a
// protocol violation.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include "sio/engine/engine.hpp"
#include "sio/server/types.hpp"
#include "sio/wire/sio_packet.hpp"

namespace sio::server {

class Server;
class Socket;

class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(Server& server, std::shared_ptr<engine::Session> session);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const std::shared_ptr<engine::Session>& session() const noexcept { return session_; }
  bool closed() const noexcept { return closed_; }

  // Writes one packet's frames (false when dropped: volatile and not writable, or closed).
  bool send(std::span<const engine::Frame> frames, const EmitFlags& flags = {});
  // Ends every namespace with `reason` and closes the connection (a violation, a timeout).
  void close(DisconnectReason reason, std::string_view why);
  // socket.disconnect(true): DISCONNECT for every namespace, then the connection closes.
  void disconnect_all();

 private:
  friend class Server;
  friend class Socket;

  void start();
  void on_text(std::string text);
  void on_binary(std::string bytes);
  void on_engine_close(engine::CloseReason reason);
  void on_packet(wire::sio::Packet packet);
  void connect(const std::string& nsp, std::string auth);
  void connect_error(const std::string& nsp, std::string_view payload_json);
  void remove(const Socket& socket);

  Server& server_;
  std::shared_ptr<engine::Session> session_;
  wire::sio::Decoder decoder_;
  engine::Timer connect_timer_;
  std::map<std::string, std::shared_ptr<Socket>, std::less<>> sockets_;  // by namespace
  std::set<std::string, std::less<>> connecting_;                        // middlewares running
  bool closed_ = false;
};

}  // namespace sio::server
