#include "sio/apps/signaling.hpp"

#include <optional>

#include "sio/wire/json.hpp"

namespace sio::apps {

using server::Ack;
using server::Args;
using server::Json;
using server::Socket;

namespace {

constexpr const char* kRelayedEvents[] = {"offer", "answer", "candidate"};

// The app's rooms live in the namespace's adapter under a prefix, so that a room name can never
// be a socket's own room (socket ids hold no ':').
std::string adapter_room(std::string_view room) {
  return "room:" + std::string(room);
}

// The one argument of `create or join` and `bye`, when it is a valid room name.
std::optional<std::string> room_argument(const Args& args) {
  if (args.size() != 1) return std::nullopt;
  auto room = args.string(0);
  if (!room || room->empty() || room->size() > Signaling::kMaxRoomBytes) return std::nullopt;
  return room;
}

// The room argument as the client wrote it (canonical JSON), for the answers that name it.
Args room_answer(const Args& args) {
  return Args().push_from(args, 0);
}

void refuse(Socket& socket, std::string_view event, std::string_view message) {
  const auto error = R"({"event":)" + wire::json::quote(event) + R"(,"message":)" +
                     wire::json::quote(message) + "}";
  socket.emit("error", Args::of(Json{error}));
}

}  // namespace

Signaling::Signaling(server::Server& server) : nsp_(server.of("/")) {
  nsp_.on_connection([this](Socket& socket) {
    socket.on("create or join",
              [this](Socket& s, const Args& args, const Ack&) { create_or_join(s, args); });
    for (const char* event : kRelayedEvents) {
      socket.on(event,
                [this, event](Socket& s, const Args& args, const Ack&) { relay(s, event, args); });
    }
    socket.on("bye", [this](Socket& s, const Args& args, const Ack&) { bye(s, args); });
    socket.on_disconnect([this](Socket& s, server::DisconnectReason) { leave(s); });
  });
}

const std::string* Signaling::room_of(const std::string& socket_id) const {
  const auto it = room_of_.find(socket_id);
  return it == room_of_.end() ? nullptr : &it->second;
}

std::size_t Signaling::members(std::string_view room) const {
  return nsp_.adapter().sockets_in(adapter_room(room)).size();
}

void Signaling::create_or_join(Socket& socket, const Args& args) {
  const auto room = room_argument(args);
  if (!room) return refuse(socket, "create or join", "bad room");
  if (room_of_.contains(socket.id())) return refuse(socket, "create or join", "already in a room");
  const auto present = members(*room);
  if (present >= kPeersPerRoom) {
    socket.emit("full", room_answer(args));
    return;
  }
  socket.join(adapter_room(*room));
  room_of_[socket.id()] = *room;
  if (present == 0) {
    socket.emit("created", room_answer(args));
    return;
  }
  socket.emit("joined", room_answer(args));
  nsp_.to(adapter_room(*room)).emit("ready", room_answer(args));
}

void Signaling::relay(Socket& socket, std::string_view event, const Args& args) {
  const auto message = args.size() == 1 ? args.value(0) : std::nullopt;
  const auto* room = message && message->is_object() ? message->find("room") : nullptr;
  if (!room || !room->is_string()) return refuse(socket, event, "bad message");
  const auto* mine = room_of(socket.id());
  if (!mine || *mine != room->string()) return refuse(socket, event, "not in room");
  socket.to(adapter_room(*mine)).emit(event, args);  // the sender is left out
}

void Signaling::bye(Socket& socket, const Args& args) {
  const auto room = room_argument(args);
  if (!room) return refuse(socket, "bye", "bad room");
  const auto* mine = room_of(socket.id());
  if (!mine || *mine != *room) return refuse(socket, "bye", "not in room");
  leave(socket);
}

void Signaling::leave(Socket& socket) {
  const auto it = room_of_.find(socket.id());
  if (it == room_of_.end()) return;
  const auto room = std::move(it->second);
  room_of_.erase(it);
  socket.leave(adapter_room(room));  // a disconnected socket has left already
  nsp_.to(adapter_room(room)).emit("bye", Args::of(room));
}

}  // namespace sio::apps
