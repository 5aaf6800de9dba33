// client/ack: acknowledgements both ways. The client's own emits (1-3, 7-11): an integer id, the
// reply's arguments delivered, concurrent ids, routing per namespace, BINARY_ACK in, unknown and
// duplicate ACKs ignored, an empty ACK, the ack timeout, and a pending ack failed by a disconnect.
// The server's events that ask for an ack (4-6): exactly one ACK with the same id, on the same
// namespace, as a BINARY_ACK when it carries bytes.
#include <functional>
#include <memory>
#include <set>

#include "client_areas.hpp"
#include "client_common.hpp"

namespace conform::client::cases {

namespace {

// The client's events named `name` that the server keeps unanswered, as they came.
struct Held {
  std::vector<SioIn> packets;
};

// Makes the server keep every event named `name` that asks for an ack unanswered (no echo).
std::shared_ptr<Held> hold_events(Context& c, const std::string& name) {
  auto held = std::make_shared<Held>();
  auto previous = c.h().on_sio;
  c.h().on_sio = [held, name, previous](const SioIn& p) {
    if (event_name(p) == name && p.packet.id) {
      held->packets.push_back(p);
      return true;
    }
    return previous ? previous(p) : false;
  };
  return held;
}

SioIn first_held(Context& c, const Held& held, const std::string& name) {
  if (!c.wait([&] { return !held.packets.empty(); }, Ms(3000))) {
    const auto plain = events_named(c.h(), name);
    c.fail("the client's event " + name, "an EVENT with an ack id (2<id>[...])",
           plain.empty() ? "no such event" : shown(*plain.front()));
  }
  return held.packets.front();
}

// An ACK from the server for the client's packet `p`.
void answer(Context& c, const SioIn& p, const std::string& args_json) {
  c.h().send_sio(p.sid, codec::sio_text(3, p.packet.nsp, p.packet.id, args_json));
}

// The client's ACK and BINARY_ACK packets with id `id`.
std::vector<const SioIn*> acks_with_id(Harness& h, std::uint64_t id) {
  std::vector<const SioIn*> out;
  for (const auto& p : h.sio_in())
    if ((p.packet.type == 3 || p.packet.type == 6) && p.packet.id == id) out.push_back(&p);
  return out;
}

std::string shown_all(const std::vector<const SioIn*>& ps) {
  std::string out;
  for (const auto* p : ps)
    out += (out.empty() ? "" : ", ") + shown(*p);
  return out.empty() ? "none" : out;
}

void ack_reply(Context& c, const std::string& id, Json args) {
  c.command({{"cmd", "ack_reply"}, {"id", id}, {"args", std::move(args)}});
}

std::string args_of(const AdapterEvent& e) {
  return codec::dump(e.json.value("args", Json()));
}

// 1 ----------------------------------------------------------------------------------------------

void ack_carries_reply(Context& c) {
  const auto held = hold_events(c, "echo");
  c.connected("s");
  c.emit("s", "echo", Json::array({"hello", 7}), true, 1);
  const auto p = first_held(c, *held, "echo");
  answer(c, p, R"(["got",{"n":[1,2]}])");
  const auto e = c.expect("ack", "s", Ms(3000), "the acknowledgement reaches the callback");
  c.expect_eq("the acknowledged emit (seq)", "1", codec::dump(e.json.value("seq", Json())));
  c.expect_eq("the callback's arguments (the ACK's, not the event's)", R"(["got",{"n":[1,2]}])",
              args_of(e));
}

// 2 ----------------------------------------------------------------------------------------------

void concurrent_acks(Context& c) {
  constexpr int n = 20;
  const auto held = hold_events(c, "n");
  c.connected("s");
  for (int k = 1; k <= n; ++k)
    c.emit("s", "n", Json::array({k}), true, k);
  if (!c.wait([&] { return held->packets.size() >= n; }, Ms(5000)))
    c.fail("the client's 20 events with an ack", "20 EVENTs with ack ids, all pending together",
           std::to_string(held->packets.size()));
  std::set<std::uint64_t> ids;
  std::string shown_ids;
  for (const auto& p : held->packets) {
    ids.insert(*p.packet.id);
    shown_ids += (shown_ids.empty() ? "" : " ") + std::to_string(*p.packet.id);
  }
  c.check(ids.size() == n, "the ack ids of 20 pending emits", "20 different ids", shown_ids);
  // Answered last first; each ACK says which emit (its argument) it answers.
  for (auto it = held->packets.rbegin(); it != held->packets.rend(); ++it) {
    const auto args = it->array();
    answer(c, *it, codec::dump(Json::array({"r", args.size() > 1 ? args[1] : Json()})));
  }
  c.wait([&] { return c.count("ack", "s") >= n; }, Ms(3000));
  std::string wrong;
  std::set<int> seen;
  for (const auto& e : c.h().events()) {
    if (e.ev != "ack") continue;
    const int seq = e.json.value("seq", -1);
    seen.insert(seq);
    const auto want = codec::dump(Json::array({"r", seq}));
    if (args_of(e) != want)
      wrong += (wrong.empty() ? "" : "; ") +
               ("seq " + std::to_string(seq) + " got " + args_of(e) + ", not " + want);
  }
  c.check(wrong.empty(), "each callback's arguments", "the ACK of its own emit",
          wrong.empty() ? "each got its own" : wrong);
  c.check(
      seen.size() == n && c.count("ack", "s") == n, "callbacks called", "20, one for each emit",
      std::to_string(c.count("ack", "s")) + " calls for " + std::to_string(seen.size()) + " emits");
}

// 3 ----------------------------------------------------------------------------------------------

void acks_per_namespace(Context& c) {
  const auto held_x = hold_events(c, "x");
  const auto held_y = hold_events(c, "y");
  c.manager("m");
  const auto sid = c.connected("a", {.manager = "m"});
  const auto sid_b = c.connected("b", {.nsp = "/b", .manager = "m"});
  c.check(sid == sid_b, "the sessions of / and /b on one manager", "one session",
          sid + " and " + sid_b);
  c.emit("a", "x", Json::array({1}), true, 1);
  c.emit("b", "y", Json::array({2}), true, 2);
  const auto on_root = first_held(c, *held_x, "x");
  const auto on_b = first_held(c, *held_y, "y");
  const auto id_a = *on_root.packet.id;
  const auto id_b = *on_b.packet.id;
  // The /b ACK; when the ids differ, also one for /b carrying the id pending on /.
  c.h().send_sio(sid, codec::sio_text(3, "/b", id_b, R"(["to-b"])"));
  if (id_a != id_b) c.h().send_sio(sid, codec::sio_text(3, "/b", id_a, R"(["not-for-a"])"));
  const auto b = c.expect("ack", "b", Ms(3000), "the /b callback gets the /b ACK");
  c.expect_eq("the /b callback's arguments", R"(["to-b"])", args_of(b));
  c.idle(Ms(300));
  if (const auto a = c.find("ack", "a"))
    c.fail("the / callback", "not called by an ACK for /b (43/b," + std::to_string(id_b) + ")",
           "called with " + args_of(*a) + " (ids: / " + std::to_string(id_a) + ", /b " +
               std::to_string(id_b) + ")");
  c.h().send_sio(sid, codec::sio_text(3, "/", id_a, R"(["to-a"])"));
  const auto a = c.expect("ack", "a", Ms(3000), "the / callback gets the / ACK");
  c.expect_eq("the / callback's arguments", R"(["to-a"])", args_of(a));
}

// 4-6 --------------------------------------------------------------------------------------------

// The server's event `text` asks for an ack with id `id`; the client's ACK for it.
SioIn acked(Context& c, const std::string& sid, const std::string& text, std::uint64_t id) {
  c.h().send_sio(sid, text);
  const auto e = c.expect("event", "s", Ms(3000), "the event that asks for an ack");
  c.check(e.json.value("ack_requested", false), "the event as the adapter reports it",
          "ack_requested: true", codec::dump(e.json));
  return c.expect_sio(
      [id](const SioIn& p) {
        return (p.packet.type == 3 || p.packet.type == 6) && p.packet.id == id;
      },
      Ms(3000), "the client's ACK with id " + std::to_string(id));
}

void exactly_one(Context& c, std::uint64_t id) {
  c.idle(Ms(300));
  const auto all = acks_with_id(c.h(), id);
  c.check(all.size() == 1, "ACKs with id " + std::to_string(id), "exactly one", shown_all(all));
}

void answers_once(Context& c) {
  ack_reply(c, "s", Json::array({"ok", {{"n", 2}}}));
  const auto sid = c.connected("s");
  const auto p = acked(c, sid, R"(25["need",1])", 5);
  c.expect_eq("the client's ACK", R"(35["ok",{"n":2}])", p.text);
  exactly_one(c, 5);
}

void answers_on_namespace(Context& c) {
  ack_reply(c, "s", Json::array({"admin-ok"}));
  const auto sid = c.connected("s", {.nsp = "/admin"});
  const auto p = acked(c, sid, R"(2/admin,9["need","x"])", 9);
  c.expect_eq("the client's ACK", R"(3/admin,9["admin-ok"])", p.text);
  exactly_one(c, 9);
}

void binary_ack_out(Context& c) {
  ack_reply(c, "s", Json::array({{{"$bin", "Bwc="}}}));
  const auto sid = c.connected("s");
  const auto p = acked(c, sid, R"(27["need"])", 7);
  c.check(p.packet.type == 6 && p.packet.attachments == 1, "the client's ACK of bytes",
          "a BINARY_ACK with one attachment: 61-7[{\"_placeholder\":true,\"num\":0}]", shown(p));
  c.expect_eq("its payload", R"([{"_placeholder":true,"num":0}])", p.packet.data);
  c.check(p.attachments.size() == 1 && p.attachments[0] == std::string("\x07\x07", 2),
          "its attachment", "the bytes 07 07", shown(p));
}

// 7-9 --------------------------------------------------------------------------------------------

void binary_ack_in(Context& c) {
  const auto held = hold_events(c, "bin");
  c.connected("s");
  c.emit("s", "bin", Json::array({"want bytes"}), true, 1);
  const auto p = first_held(c, *held, "bin");
  c.h().send_sio(p.sid,
                 codec::sio_text(6, "/", p.packet.id, R"([{"_placeholder":true,"num":0}])", 1),
                 {std::string("\x01\x02\x03", 3)});
  const auto e = c.expect("ack", "s", Ms(3000), "the BINARY_ACK reaches the callback");
  c.expect_eq("the callback's arguments", R"([{"$bin":"AQID"}])", args_of(e));
}

void stray_acks_ignored(Context& c) {
  const auto held = hold_events(c, "e");
  c.connected("s");
  c.emit("s", "e", Json::array({1}), true, 1);
  const auto p = first_held(c, *held, "e");
  const auto id = *p.packet.id;
  c.h().send_sio(p.sid, codec::sio_text(3, "/", id + 1000, "[]"));
  answer(c, p, R"(["first"])");
  answer(c, p, R"(["second"])");
  const auto e = c.expect("ack", "s", Ms(3000), "the valid ACK reaches the callback");
  c.expect_eq("the callback's arguments (the unknown id " + std::to_string(id + 1000) +
                  " ignored, then the first ACK)",
              R"(["first"])", args_of(e));
  c.idle(Ms(300));
  c.check(c.count("ack", "s") == 1, "callback calls", "one (the duplicate ACK ignored)",
          std::to_string(c.count("ack", "s")));
  if (const auto d = c.find("disconnect", "s"))
    c.fail("the session", "still connected after an unknown and a duplicate ACK",
           codec::dump(d->json));
}

void empty_ack(Context& c) {
  const auto held = hold_events(c, "e");
  c.connected("s");
  c.emit("s", "e", Json::array({1}), true, 1);
  answer(c, first_held(c, *held, "e"), "[]");
  const auto e = c.expect("ack", "s", Ms(3000), "the empty ACK reaches the callback");
  c.expect_eq("the callback's arguments", "[]", args_of(e));
}

// 10-11 ------------------------------------------------------------------------------------------

void ack_timeout(Context& c) {
  const auto held = hold_events(c, "slow");
  c.connected("s");
  const double emitted = c.h().elapsed_ms();
  c.emit("s", "slow", Json::array({1}), true, 1, {{"timeout_ms", 200}});
  const auto p = first_held(c, *held, "slow");
  const auto e = c.expect("ack_error", "s", Ms(2000), "the ack timeout");
  const double after = e.at_ms - emitted;
  c.check(c.near(after, Ms(200)), "when the ack times out",
          "200 ms (+-" + std::to_string(c.slack(Ms(200)).count()) + ") after the emit",
          std::to_string(static_cast<int>(after)) + " ms after the emit (" +
              e.json.value("message", std::string("?")) + ")");
  const double late_at = emitted + 400;
  if (c.h().elapsed_ms() < late_at)
    c.idle(Ms(static_cast<long long>(late_at - c.h().elapsed_ms())));
  answer(c, p, R"(["late"])");
  c.idle(Ms(300));
  if (const auto a = c.find("ack", "s"))
    c.fail("the late ACK (400 ms)", "dropped: the callback already failed",
           "delivered: " + codec::dump(a->json));
  c.check(c.count("ack_error", "s") == 1, "ack errors", "one",
          std::to_string(c.count("ack_error", "s")));
}

void fails_on_disconnect(Context& c) {
  const auto held = hold_events(c, "pending");
  const auto sid = c.connected("s");
  c.emit("s", "pending", Json::array({1}), true, 1, {{"timeout_ms", 10000}});
  first_held(c, *held, "pending");
  c.h().drop(sid);
  const auto d = c.expect("disconnect", "s", Ms(3000), "the disconnect after the drop");
  const auto e = c.expect("ack_error", "s", Ms(1000) + c.slack(Ms(1000)),
                          "the pending acknowledgement fails on the disconnect");
  c.check(e.at_ms - d.at_ms <= 1000, "when the pending ack fails", "within 1 s of the disconnect",
          std::to_string(static_cast<int>(e.at_ms - d.at_ms)) + " ms after it (" +
              e.json.value("message", std::string("?")) + ")");
  c.passed("the error", "(recorded)", e.json.value("message", std::string("?")));
}

}  // namespace

void add_ack(std::vector<Case>& out) {
  const auto spec = kSioSpec + ", Packet types (EVENT, ACK)";
  out.push_back({{.id = "client/ack/1",
                  .title = "An emit with an ack carries an id, and the ACK's arguments come back",
                  .requirement = "An emit that wants an acknowledgement is an EVENT with an "
                                 "integer id; the server's ACK with that id calls the callback "
                                 "with the ACK's arguments",
                  .source = spec,
                  .needs = {"acks_out"}},
                 ack_carries_reply});
  out.push_back({{.id = "client/ack/2",
                  .title = "Concurrent acks: unique ids, each ACK to its own callback",
                  .requirement = "Emits pending together have different ack ids, and ACKs "
                                 "answered in any order reach the callback of their own emit",
                  .source = spec + "; " + kClientDocs + ", emitting events (acknowledgements)",
                  .needs = {"acks_out"}},
                 concurrent_acks});
  out.push_back({{.id = "client/ack/3",
                  .title = "ACKs are routed by namespace",
                  .requirement = "An ACK belongs to the namespace it names: an ACK for /b never "
                                 "calls a callback pending on /, even with the same id",
                  .source = kSioSpec + ", Packet format (namespace); " + kObserved +
                            " (Socket.onpacket drops other namespaces' packets)",
                  .needs = {"acks_out", "manager_api"}},
                 acks_per_namespace});
  out.push_back({{.id = "client/ack/4",
                  .title = "A server event with an id gets exactly one ACK",
                  .requirement = "The receiver MUST respond with an ACK packet with the same "
                                 "event ID, once, carrying the arguments the application "
                                 "acknowledged with",
                  .source = spec,
                  .needs = {"acks_in"}},
                 answers_once});
  out.push_back({{.id = "client/ack/5",
                  .title = "The ACK of an event on a custom namespace names that namespace",
                  .requirement = "The ACK of an event received on /admin is 3/admin,<id>[...]: "
                                 "the same id on the same namespace, once",
                  .source = spec,
                  .needs = {"acks_in"}},
                 answers_on_namespace});
  out.push_back({{.id = "client/ack/6",
                  .title = "An ACK that carries bytes is a BINARY_ACK",
                  .requirement = "An acknowledgement with binary arguments is a BINARY_ACK (6) "
                                 "with its attachment count, the id, placeholders in the JSON, "
                                 "and the bytes as an attachment",
                  .source = kSioSpec + ", Packet encoding (BINARY_ACK)",
                  .needs = {"acks_in", "binary"}},
                 binary_ack_out});
  out.push_back({{.id = "client/ack/7",
                  .title = "A BINARY_ACK from the server gives the callback bytes",
                  .requirement = "A BINARY_ACK is reassembled with its attachment: the callback "
                                 "gets the bytes where the placeholder was",
                  .source = kSioSpec + ", Packet encoding (BINARY_ACK)",
                  .needs = {"acks_out", "binary"}},
                 binary_ack_in});
  out.push_back({{.id = "client/ack/8",
                  .title = "Unknown and duplicate ACKs are ignored",
                  .requirement = "An ACK whose id is not pending is ignored: an unknown id calls "
                                 "nothing, a second ACK for the same id calls nothing, and the "
                                 "session stays open",
                  .source = spec + "; " + kObserved + " (Socket.onack: bad ack)",
                  .needs = {"acks_out"}},
                 stray_acks_ignored});
  out.push_back({{.id = "client/ack/9",
                  .title = "An empty ACK calls the callback with no arguments",
                  .requirement = "An ACK's payload is an array, possibly empty: 3<id>[] calls "
                                 "the callback with no arguments",
                  .source = spec,
                  .needs = {"acks_out"}},
                 empty_ack});
  out.push_back({{.id = "client/ack/10",
                  .title = "An ack timeout fires once, on time, and a late ACK is dropped",
                  .requirement = "With a timeout, the callback fails once at the deadline, and "
                                 "an ACK that comes later is ignored",
                  .source = kClientDocs + ", emitting events (with timeout)",
                  .needs = {"ack_timeout"},
                  .timing = true},
                 ack_timeout});
  out.push_back({{.id = "client/ack/11",
                  .title = "A pending timed ack fails when the connection is lost",
                  .requirement = "An acknowledgement that can fail (a timeout was given) fails "
                                 "when the socket disconnects, without waiting for its deadline",
                  .level = Level::should,
                  .source = kClientDocs + ", emitting events (with timeout); socket.io-client "
                                          "4.7.5 (discard acknowledgements upon disconnection)",
                  .needs = {"ack_timeout"}},
                 fails_on_disconnect});
}

}  // namespace conform::client::cases
