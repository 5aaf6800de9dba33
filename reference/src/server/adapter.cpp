#include "sio/server/adapter.hpp"

namespace sio::server {

void Adapter::join(const std::string& sid, std::string_view room) {
  rooms_[std::string(room)].insert(sid);
  sids_[sid].insert(std::string(room));
}

void Adapter::leave(const std::string& sid, std::string_view room) {
  if (auto it = rooms_.find(room); it != rooms_.end()) {
    it->second.erase(sid);
    if (it->second.empty()) rooms_.erase(it);
  }
  if (auto it = sids_.find(sid); it != sids_.end()) it->second.erase(std::string(room));
}

void Adapter::leave_all(const std::string& sid) {
  auto it = sids_.find(sid);
  if (it == sids_.end()) return;
  for (const auto& room : it->second) {
    auto r = rooms_.find(room);
    if (r == rooms_.end()) continue;
    r->second.erase(sid);
    if (r->second.empty()) rooms_.erase(r);
  }
  sids_.erase(it);
}

const std::set<std::string>& Adapter::rooms_of(const std::string& sid) const {
  static const std::set<std::string> none;
  auto it = sids_.find(sid);
  return it == sids_.end() ? none : it->second;
}

std::vector<std::string> Adapter::sockets_in(std::string_view room) const {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<std::string> Adapter::recipients(const std::set<std::string>& rooms,
                                             const std::set<std::string>& except) const {
  std::set<std::string> excluded;
  for (const auto& room : except)
    if (auto it = rooms_.find(room); it != rooms_.end())
      excluded.insert(it->second.begin(), it->second.end());
  std::vector<std::string> out;
  if (rooms.empty()) {
    for (const auto& [sid, joined] : sids_)
      if (!excluded.contains(sid)) out.push_back(sid);
    return out;
  }
  std::set<std::string> chosen;
  for (const auto& room : rooms)
    if (auto it = rooms_.find(room); it != rooms_.end())
      for (const auto& sid : it->second)
        if (!excluded.contains(sid)) chosen.insert(sid);
  return {chosen.begin(), chosen.end()};
}

}  // namespace sio::server
