// client/buffer: what the client does with emits made while it is disconnected. Plain emits are
// buffered and sent after the re-CONNECT, in order (1), before emits made once it is back (2); a
// volatile emit is dropped while offline and sent while connected, whichever transport was lost
// (3); a timed ack that expires
// while buffered fails and its event is never sent (4). Each case drops the session and makes the
// emits before the client can come back: the server refuses handshakes until the adapter has
// carried them out, so the outage cannot end early whatever the machine's load.
#include <functional>
#include <memory>

#include "client_areas.hpp"
#include "client_common.hpp"

namespace conform::client::cases {

namespace {

struct Outage {
  bool holding = false;  // handshakes are refused (503) while true
};

// Socket `id` connected (reconnectionDelay 300 where it can be set) to a server that can hold
// back its reconnection. Returns the session's sid.
std::string connect_for_outage(Context& c, const std::shared_ptr<Outage>& outage,
                               const std::string& id = "s") {
  c.h().on_request = [outage](const Request& r) -> std::optional<Answer> {
    if (outage->holding && r.handshake()) return Answer{.status = 503, .body = "held by the case"};
    return std::nullopt;
  };
  Json opts = Json::object();
  if (c.has("reconnection_params")) opts["reconnectionDelay"] = 300;
  return c.connected(id, {.opts = opts});
}

// Drops the session; returns once the adapter reports the disconnect (after its last connect).
void go_offline(Context& c, Outage& outage, const std::string& sid, const std::string& id = "s") {
  outage.holding = true;
  std::size_t from = 0;
  for (const auto& e : c.h().events())
    if (e.ev == "connect" && e.json.value("id", std::string()) == id) from = e.index + 1;
  c.h().drop(sid);
  c.expect("disconnect", id, Ms(3000), "the disconnect after the drop", from);
}

// Once the adapter has carried out every command so far, lets the client reconnect and waits
// for its re-CONNECT and the adapter's connect. Returns the re-CONNECT's place among the
// client's Socket.IO packets.
std::size_t come_back(Context& c, Outage& outage, const std::string& old_sid,
                      const std::string& id = "s") {
  const auto events = c.h().events().size();
  const auto packets = c.h().sio_in().size();
  if (!c.h().sync(Ms(3000))) c.fail("the adapter", "answers sync", "no answer within 3 s");
  outage.holding = false;
  const auto again =
      c.expect_sio([&](const SioIn& p) { return p.packet.type == 0 && p.sid != old_sid; }, Ms(5000),
                   "the client's CONNECT after the reconnection", packets);
  c.expect("connect", id, Ms(5000), "the reconnection reported", events);
  const auto& all = c.h().sio_in();
  for (std::size_t i = packets; i < all.size(); ++i)
    if (all[i].packet.type == 0 && all[i].sid == again.sid) return i;
  return all.size();
}

// The client's events whose names start with `prefix`: name, place, session; in arrival order.
struct Sent {
  std::string name;
  std::size_t index;
  std::string sid;
};
std::vector<Sent> sent_named(Harness& h, const std::string& prefix) {
  std::vector<Sent> out;
  const auto& all = h.sio_in();
  for (std::size_t i = 0; i < all.size(); ++i)
    if (const auto name = event_name(all[i]); !name.empty() && name.starts_with(prefix))
      out.push_back({name, i, all[i].sid});
  return out;
}

std::string names(const std::vector<Sent>& xs) {
  std::string out;
  for (const auto& x : xs)
    out += (out.empty() ? "" : " ") + x.name;
  return out.empty() ? "none" : out;
}

// Drops the session, emits o1..o5 while the client is offline, lets it come back; returns the
// re-CONNECT's place.
std::size_t emit_while_offline(Context& c) {
  auto outage = std::make_shared<Outage>();
  const auto sid = connect_for_outage(c, outage);
  go_offline(c, *outage, sid);
  for (int i = 1; i <= 5; ++i)
    c.emit("s", "o" + std::to_string(i), Json::array({i}));
  return come_back(c, *outage, sid);
}

void buffered_in_order(Context& c) {
  const auto reconnect = emit_while_offline(c);
  c.wait([&] { return sent_named(c.h(), "o").size() >= 5; }, Ms(3000));
  const auto sent = sent_named(c.h(), "o");
  c.expect_eq("the events emitted while offline, as they reached the server", "o1 o2 o3 o4 o5",
              names(sent));
  for (const auto& s : sent)
    c.check(s.index > reconnect, "when " + s.name + " was sent", "after the re-CONNECT",
            s.index > reconnect ? "after it" : "before it");
}

void buffered_before_fresh(Context& c) {
  emit_while_offline(c);
  c.emit("s", "fresh", Json::array({6}));
  c.wait([&] { return !sent_named(c.h(), "fresh").empty(); }, Ms(3000));
  const auto fresh = sent_named(c.h(), "fresh");
  if (fresh.empty()) c.fail("the emit made once reconnected", "sent", "not within 3 s");
  const auto offline = sent_named(c.h(), "o");
  if (offline.empty())
    c.informational("the order of buffered and fresh emits",
                    "the client sent none of the emits made while offline (client/buffer/1 "
                    "judges that), so there is no order to judge");
  std::string order;
  for (const auto& s : sent_named(c.h(), ""))
    if (s.name == "fresh" || s.name.starts_with("o")) order += (order.empty() ? "" : " ") + s.name;
  c.check(fresh.front().index > offline.back().index, "the emit made after the reconnection",
          "after every buffered emit (o1..o5, then fresh)", order);
}

// One transport's turn: socket `id` dropped, a volatile emit while offline (`id`1), back, then
// volatile emits while connected (`id`2). A volatile emit may also be dropped while the
// transport is busy (a POST in flight), so `id`2 is emitted up to three times until one arrives.
void volatile_turn(Context& c, const std::string& id, bool websocket) {
  auto outage = std::make_shared<Outage>();
  const auto sid = connect_for_outage(c, outage, id);
  if (websocket) expect_upgraded(c, sid, Ms(3000));
  const auto transport = std::string(websocket ? "WebSocket" : "long-polling");
  go_offline(c, *outage, sid, id);
  c.emit(id, id + "1", Json::array({1}), false, 0, {{"volatile", true}});
  come_back(c, *outage, sid, id);
  for (int i = 0; i < 3 && sent_named(c.h(), id + "2").empty(); ++i) {
    c.emit(id, id + "2", Json::array({2}), false, 0, {{"volatile", true}});
    c.wait([&] { return !sent_named(c.h(), id + "2").empty(); }, Ms(300));
  }
  c.idle(Ms(200));
  const auto offline = sent_named(c.h(), id + "1");
  if (!offline.empty())
    c.fail("the volatile event emitted while offline, after losing a " + transport + " session",
           "discarded", "sent after the reconnection: " + shown(c.h().sio_in()[offline[0].index]));
  const auto online = sent_named(c.h(), id + "2");
  c.check(!online.empty(), "volatile events emitted once reconnected (" + transport + ")", "sent",
          online.empty() ? "none of three reached the server" : names(online));
}

void volatile_dropped_offline(Context& c) {
  c.server().upgrades = {};
  volatile_turn(c, "v", false);
  if (!c.has("upgrade")) return;
  c.server().upgrades = {"websocket"};
  volatile_turn(c, "w", true);
}

void expired_while_buffered(Context& c) {
  auto outage = std::make_shared<Outage>();
  const auto sid = connect_for_outage(c, outage);
  go_offline(c, *outage, sid);
  const double emitted = c.h().elapsed_ms();
  c.emit("s", "t", Json::array({1}), true, 1, {{"timeout_ms", 100}});
  const auto e = c.expect("ack_error", "s", Ms(1000), "the ack timeout while offline");
  const double after = e.at_ms - emitted;
  c.check(c.near(after, Ms(100)), "when the buffered emit's ack times out",
          "100 ms (+-" + std::to_string(c.slack(Ms(100)).count()) + ") after the emit",
          std::to_string(static_cast<int>(after)) + " ms (" +
              e.json.value("message", std::string("?")) + ")");
  come_back(c, *outage, sid);
  c.idle(Ms(300));
  const auto sent = sent_named(c.h(), "t");
  c.check(sent.empty(), "the event whose ack expired while buffered", "never sent",
          sent.empty() ? "not sent"
                       : "sent after the reconnection: " + shown(c.h().sio_in()[sent[0].index]));
}

}  // namespace

void add_buffer(std::vector<Case>& out) {
  const auto docs = kClientDocs + ", offline behavior (buffered events)";
  out.push_back({{.id = "client/buffer/1",
                  .title = "Emits made while disconnected are sent after the reconnection",
                  .requirement = "Events emitted while the socket is disconnected are buffered "
                                 "and sent after the re-CONNECT, in the order they were emitted",
                  .source = docs,
                  .needs = {"offline_buffer", "reconnection"}},
                 buffered_in_order});
  out.push_back({{.id = "client/buffer/2",
                  .title = "Buffered emits go before emits made once reconnected",
                  .requirement = "The events buffered while offline are sent before an event "
                                 "emitted after the reconnection is reported",
                  .level = Level::should,
                  .source = docs + "; socket.io-client 4.x (ensure buffered events are sent in "
                                   "order)",
                  .needs = {"offline_buffer", "reconnection"}},
                 buffered_before_fresh});
  out.push_back({{.id = "client/buffer/3",
                  .title = "A volatile emit is dropped while offline, sent while connected",
                  .requirement = "A volatile event emitted while the socket is disconnected is "
                                 "discarded, never sent later; one emitted while connected is "
                                 "sent. Checked after losing a long-polling session, then a "
                                 "WebSocket one",
                  .source = kClientDocs + ", emitting events (volatile events)",
                  .needs = {"volatile", "reconnection"}},
                 volatile_dropped_offline});
  out.push_back({{.id = "client/buffer/4",
                  .title = "A timed ack that expires while buffered fails, and is never sent",
                  .requirement = "An event buffered while offline whose ack times out fails at "
                                 "its deadline and is removed from the buffer: it is not sent "
                                 "after the reconnection",
                  .level = Level::should,
                  .source = kClientDocs + ", emitting events (with timeout); " + kObserved +
                            " (the timer removes the packet from sendBuffer)",
                  .needs = {"offline_buffer", "ack_timeout", "reconnection"},
                  .timing = true},
                 expired_while_buffered});
}

}  // namespace conform::client::cases
