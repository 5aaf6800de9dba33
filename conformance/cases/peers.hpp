// The several-clients toolkit of the Socket.IO case files (namespaces, rooms, broadcast,
// middleware): named peers with an inbox, joins, batched sends, and taking the first packet that
// matches while the others wait their turn.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common.hpp"
#include "sio_common.hpp"

namespace conform::cases {

// A random number for namespace and room names, so that parallel runs never share one.
std::string tag();
// A dynamic namespace of the extended fixture (/dyn-N) that no other case uses.
std::string private_nsp();
// "" for "/", "/nsp," otherwise: the namespace as packets carry it.
std::string prefix(std::string_view nsp);

// A packet as checks show it: its text, then each attachment as hex; a list joined by " | ".
std::string show(const SioReceived& r);
std::string show(const std::vector<SioReceived>& list);

// One client of a case, with what it received and has not looked at yet.
struct Peer {
  std::string name;
  std::unique_ptr<SioClient> io;
  std::map<std::string, std::string> sid;  // namespace -> socket id
  std::deque<SioReceived> inbox;
};

// A peer named `name (transport)`.
Peer open_peer(Context& c, std::string name, Transport t);
// Joins `nsp` (CONNECT with `auth` when not empty); fails the case unless accepted. The socket id.
std::string join(Context& c, Peer& p, const std::string& nsp, std::string_view auth = "");
// Sends Socket.IO packets together: one POST on polling, one frame each on WebSocket.
void send_all(Peer& p, const std::vector<std::string>& sio_texts);

// The first packet (from the inbox, then the wire) that `pred` accepts; the others stay in the
// inbox, in order.
template <class Pred>
std::optional<SioReceived> take(Peer& p, Pred pred, Ms timeout) {
  for (auto it = p.inbox.begin(); it != p.inbox.end(); ++it)
    if (pred(*it)) {
      auto found = std::move(*it);
      p.inbox.erase(it);
      return found;
    }
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto got = p.io->next(std::chrono::duration_cast<Ms>(deadline - Clock::now()));
    if (!got) break;
    if (pred(*got)) return got;
    p.inbox.push_back(std::move(*got));
  }
  return std::nullopt;
}

// Why nothing came: the end of the connection, or what did come instead.
std::string why_none(Peer& p, Ms timeout);
bool is_ack(const SioReceived& r, std::string_view nsp, std::uint64_t id);
// The event name of an EVENT or BINARY_EVENT whose name is a string.
std::optional<std::string> event_name(const SioReceived& r);
// The ack `id` on `nsp`, within `timeout`; fails the case otherwise.
SioReceived await_ack(Context& c, Peer& p, std::string_view nsp, std::uint64_t id, Ms timeout,
                      const std::string& what);
// The single argument of an ack; fails the case otherwise.
codec::Json ack_argument(Context& c, const SioReceived& ack, const std::string& what);
// Emits [event, arg] on `nsp` with a fresh ack id, without waiting; returns the id. `arg` is JSON
// text, or empty for none.
std::uint64_t emit(Peer& p, std::string_view nsp, std::string_view event, std::string_view arg);
// A control event and its ack's single argument; fails the case when no ack comes in 3 s.
codec::Json ctl(Context& c, Peer& p, std::string_view nsp, std::string_view event,
                std::string_view arg = "");

// The same, the argument as JSON text.
std::string ctl_text(Context& c, Peer& p, std::string_view nsp, std::string_view event,
                     std::string_view arg = "");

// The strings sorted, as a JSON array.
std::string sorted_list(std::vector<std::string> items);

}  // namespace conform::cases
