// Rooms of one namespace: which sockets are in which room. Every socket is in the room named by
// its own id. Empty rooms do not exist.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sio::server {

class Adapter {
 public:
  void join(const std::string& sid, std::string_view room);
  void leave(const std::string& sid, std::string_view room);
  void leave_all(const std::string& sid);

  // The rooms of a socket, sorted by byte (empty when unknown).
  const std::set<std::string>& rooms_of(const std::string& sid) const;
  // The sockets in a room, sorted by id.
  std::vector<std::string> sockets_in(std::string_view room) const;
  bool has_room(std::string_view room) const { return rooms_.contains(std::string(room)); }

  // Recipients of a broadcast: every socket in any of `rooms` (every socket when `rooms` is
  // empty), minus every socket in any of `except`; each once.
  std::vector<std::string> recipients(const std::set<std::string>& rooms,
                                      const std::set<std::string>& except) const;

 private:
  std::map<std::string, std::set<std::string>, std::less<>> rooms_;  // room -> sids
  std::map<std::string, std::set<std::string>> sids_;                // sid -> rooms
};

}  // namespace sio::server
