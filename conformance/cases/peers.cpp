#include "peers.hpp"

#include <algorithm>
#include <functional>
#include <random>
#include <thread>

namespace conform::cases {

using codec::Json;

std::string tag() {
  thread_local std::mt19937_64 rng{std::random_device{}() ^
                                   std::hash<std::thread::id>{}(std::this_thread::get_id())};
  return std::to_string(100000000 + rng() % 900000000);
}

std::string private_nsp() {
  return "/dyn-" + tag();
}

std::string prefix(std::string_view nsp) {
  return nsp == "/" ? "" : std::string(nsp) + ",";
}

std::string show(const SioReceived& r) {
  std::string out = r.text;
  for (const auto& a : r.attachments)
    out += " " + text::attachment(a);
  return out;
}

std::string show(const std::vector<SioReceived>& list) {
  if (list.empty()) return "nothing";
  std::string out;
  for (const auto& r : list)
    out += (out.empty() ? "" : " | ") + show(r);
  return out;
}

Peer open_peer(Context& c, std::string name, Transport t) {
  Peer p;
  p.name = std::move(name) + " (" + std::string(to_string(t)) + ")";
  p.io = c.open_sio(t);
  return p;
}

std::string join(Context& c, Peer& p, const std::string& nsp, std::string_view auth) {
  auto id = p.io->join(nsp, auth, Ms(3000));
  if (!id)
    c.fail(p.name + " joins " + nsp, "0" + prefix(nsp) + "{\"sid\":...}",
           p.io->last()
               ? p.io->last()->text
               : (p.io->closed() ? "the connection ended: " + p.io->end_reason() : "no answer"));
  p.sid[nsp] = *id;
  return *id;
}

void send_all(Peer& p, const std::vector<std::string>& sio_texts) {
  std::vector<std::string> packets;
  for (const auto& t : sio_texts)
    packets.push_back("4" + t);
  p.io->eio().send_batch(packets);
}

std::string why_none(Peer& p, Ms timeout) {
  if (p.io->closed()) return "the connection ended (" + p.io->end_reason() + ")";
  std::vector<SioReceived> seen(p.inbox.begin(), p.inbox.end());
  return "none within " + std::to_string(timeout.count()) + " ms; received: " + show(seen);
}

bool is_ack(const SioReceived& r, std::string_view nsp, std::uint64_t id) {
  return (r.packet.type == 3 || r.packet.type == 6) && r.packet.nsp == nsp && r.packet.id == id;
}

std::optional<std::string> event_name(const SioReceived& r) {
  if (r.packet.type != 2 && r.packet.type != 5) return std::nullopt;
  auto json = codec::parse_json(r.packet.data);
  if (!json || !json->is_array() || json->empty() || !(*json)[0].is_string()) return std::nullopt;
  return (*json)[0].get<std::string>();
}

SioReceived await_ack(Context& c, Peer& p, std::string_view nsp, std::uint64_t id, Ms timeout,
                      const std::string& what) {
  auto got = take(
      p, [&](const SioReceived& r) { return is_ack(r, nsp, id); }, timeout);
  if (!got)
    c.fail(what, "the ack 3" + prefix(nsp) + std::to_string(id) + "[...]", why_none(p, timeout));
  return *got;
}

Json ack_argument(Context& c, const SioReceived& ack, const std::string& what) {
  auto json = codec::parse_json(ack.packet.data);
  if (!json || !json->is_array() || json->size() != 1)
    c.fail(what, "an ack with exactly one argument", show(ack));
  return (*json)[0];
}

std::string sorted_list(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  Json a = Json::array();
  for (auto& i : items)
    a.push_back(i);
  return codec::dump(a);
}

std::uint64_t emit(Peer& p, std::string_view nsp, std::string_view event, std::string_view arg) {
  const auto id = p.io->next_id();
  const auto data = "[" + json_string(event) + (arg.empty() ? "" : "," + std::string(arg)) + "]";
  send_all(p, {codec::sio_text(2, nsp, id, data)});
  return id;
}

codec::Json ctl(Context& c, Peer& p, std::string_view nsp, std::string_view event,
                std::string_view arg) {
  const auto id = emit(p, nsp, event, arg);
  const std::string what = p.name + ": " + std::string(event) + " on " + std::string(nsp);
  return ack_argument(c, await_ack(c, p, nsp, id, Ms(3000), what), what);
}

std::string ctl_text(Context& c, Peer& p, std::string_view nsp, std::string_view event,
                     std::string_view arg) {
  return codec::dump(ctl(c, p, nsp, event, arg));
}

}  // namespace conform::cases
