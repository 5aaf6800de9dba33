// The WebRTC signaling app of scenarios/SIGNALING.md (contract v1): two-peer rooms on namespace
// "/". `create or join` answers created / joined + ready / full; offer, answer and candidate go to
// the other peer of the room only; bye (or a disconnect) leaves the room and tells the other peer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sio/server/server.hpp"

namespace sio::apps {

class Signaling {
 public:
  // Installs the app on `server`'s namespace "/". The app must outlive the server.
  explicit Signaling(server::Server& server);

  // The room a socket is in, or null.
  const std::string* room_of(const std::string& socket_id) const;
  // How many sockets are in a room (0 when it does not exist).
  std::size_t members(std::string_view room) const;

  // Room names are 1 to this many bytes of UTF-8.
  static constexpr std::size_t kMaxRoomBytes = 128;
  // Sockets per room.
  static constexpr std::size_t kPeersPerRoom = 2;

 private:
  void create_or_join(server::Socket& socket, const server::Args& args);
  void relay(server::Socket& socket, std::string_view event, const server::Args& args);
  void bye(server::Socket& socket, const server::Args& args);
  // Takes the socket out of its room and tells the other peer.
  void leave(server::Socket& socket);

  server::Namespace& nsp_;
  std::unordered_map<std::string, std::string> room_of_;  // socket id -> room name
};

}  // namespace sio::apps
