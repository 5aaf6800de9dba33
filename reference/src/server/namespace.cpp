#include "sio/server/namespace.hpp"

#include "sio/server/server.hpp"
#include "sio/server/socket.hpp"

namespace sio::server {

Namespace::Namespace(Server& server, std::string name) : server_(server), name_(std::move(name)) {}

Namespace& Namespace::on_connection(ConnectionHandler handler) {
  connection_handlers_.push_back(std::move(handler));
  return *this;
}

Namespace& Namespace::use(Middleware middleware) {
  middlewares_.push_back(std::move(middleware));
  return *this;
}

std::shared_ptr<Socket> Namespace::socket(std::string_view id) const {
  auto it = sockets_.find(id);
  return it == sockets_.end() ? nullptr : it->second;
}

void Namespace::add(const std::shared_ptr<Socket>& socket) {
  sockets_.emplace(socket->id(), socket);
  adapter_.join(socket->id(), socket->id());
}

void Namespace::remove(const Socket& socket, bool keep_rooms) {
  if (!keep_rooms) adapter_.leave_all(socket.id());
  sockets_.erase(socket.id());
}

ParentNamespace& ParentNamespace::on_connection(ConnectionHandler handler) {
  connection_handlers_.push_back(std::move(handler));
  return *this;
}

ParentNamespace& ParentNamespace::use(Middleware middleware) {
  middlewares_.push_back(std::move(middleware));
  return *this;
}

bool ParentNamespace::emit(std::string_view event, const Args& args) {
  bool all = true;
  for (auto* child : children_)
    all = child->emit(event, args) && all;
  return all;
}

}  // namespace sio::server
