// client/retries: the `retries` option (with `ackTimeout`). An unacknowledged emit is re-sent with
// a new id about ackTimeout apart, then fails (1); one packet is in flight at a time and the queue
// keeps its order (2); an emit without a callback still asks for an ack, and is re-sent (3); a
// packet queued before the connection, or emitted as it is reported, is sent once, and a packet
// pending when the connection drops is not used up offline but sent once after the reconnection
// (4).
#include <functional>
#include <memory>
#include <set>

#include "client_areas.hpp"
#include "client_common.hpp"

namespace conform::client::cases {

namespace {

Connect retrying(int retries, int ack_timeout) {
  return {.opts = {{"retries", retries}, {"ackTimeout", ack_timeout}}};
}

// Every copy of one event the client sent, and when the server acknowledged one.
struct Copies {
  std::vector<SioIn> packets;
  std::vector<double> acked_at;
};

// The server answers the n-th copy (from 1) of the event `name` with the ACK `reply` when
// `ack(n)`, and leaves the others unanswered.
std::shared_ptr<Copies> answer_copies(Context& c, const std::string& name,
                                      std::function<bool(int)> ack, std::string reply) {
  auto copies = std::make_shared<Copies>();
  auto previous = c.h().on_sio;
  Harness* h = &c.h();
  c.h().on_sio = [=](const SioIn& p) {
    if (event_name(p) != name) return previous ? previous(p) : false;
    copies->packets.push_back(p);
    if (ack(static_cast<int>(copies->packets.size())) && p.packet.id) {
      h->send_sio(p.sid, codec::sio_text(3, p.packet.nsp, p.packet.id, reply));
      copies->acked_at.push_back(h->elapsed_ms());
    }
    return true;
  };
  return copies;
}

std::string shown(const std::vector<SioIn>& ps) {
  std::string out;
  for (const auto& p : ps)
    out += (out.empty() ? "" : ", ") + cases::shown(p) + " at " +
           std::to_string(static_cast<int>(p.at_ms)) + " ms";
  return out.empty() ? "none" : out;
}

void wait_copies(Context& c, const Copies& copies, std::size_t n, Ms timeout,
                 const std::string& what) {
  if (!c.wait([&] { return copies.packets.size() >= n; }, timeout))
    c.fail(what, std::to_string(n) + " copies within " + std::to_string(timeout.count()) + " ms",
           shown(copies.packets));
}

std::string args_of(const std::optional<AdapterEvent>& e) {
  return e ? codec::dump(e->json.value("args", Json())) : "no ack";
}

std::optional<AdapterEvent> ack_of(Context& c, int seq) {
  for (const auto& e : c.h().events())
    if ((e.ev == "ack" || e.ev == "ack_error") && e.json.value("seq", -1) == seq) return e;
  return std::nullopt;
}

// 1 ----------------------------------------------------------------------------------------------

void resent_then_fails(Context& c) {
  const auto r1 = answer_copies(
      c, "r1", [](int) { return false; }, "");
  const auto sid = c.connected("s", retrying(2, 400));
  // The copies are timed on arrival: none may wait out an upgrade in the client's buffer.
  if (c.has("upgrade")) expect_upgraded(c, sid, Ms(3000));
  c.emit("s", "r1", Json::array({"x"}), true, 1);
  const auto e = c.expect("ack_error", "s", Ms(5000), "the emit fails once its retries are spent");
  c.idle(Ms(300));
  const auto& copies = r1->packets;
  c.check(copies.size() == 3, "copies of the never acknowledged r1", "3 (the emit and 2 retries)",
          shown(copies));
  std::set<std::uint64_t> ids;
  for (const auto& p : copies)
    if (p.packet.id) ids.insert(*p.packet.id);
  c.check(ids.size() == copies.size(), "the copies' ack ids", "a new id on every copy",
          shown(copies));
  for (std::size_t i = 1; i < copies.size(); ++i) {
    const double gap = copies[i].at_ms - copies[i - 1].at_ms;
    c.check(c.near(gap, Ms(400)), "the gap before copy " + std::to_string(i + 1),
            "ackTimeout, 400 ms (+-" + std::to_string(c.slack(Ms(400)).count()) + ")",
            std::to_string(static_cast<int>(gap)) + " ms");
  }
  const double last = e.at_ms - copies.back().at_ms;
  c.check(c.near(last, Ms(400)), "when the callback fails",
          "400 ms after the last copy (+-" + std::to_string(c.slack(Ms(400)).count()) + ")",
          std::to_string(static_cast<int>(last)) + " ms (" +
              e.json.value("message", std::string("?")) + ")");
}

// 2 ----------------------------------------------------------------------------------------------

void one_in_flight(Context& c) {
  const auto r1 = answer_copies(
      c, "r1", [](int n) { return n == 2; }, R"(["r1-ok"])");
  const auto r2 = answer_copies(
      c, "r2", [](int) { return true; }, R"(["r2-ok"])");
  c.connected("s", retrying(2, 500));
  c.emit("s", "r1", Json::array({"x"}), true, 1);
  c.emit("s", "r2", Json::array({"y"}), true, 2);
  c.wait([&] { return ack_of(c, 1) && ack_of(c, 2); }, Ms(3000));
  c.idle(Ms(200));
  c.check(r1->packets.size() == 2 && r1->acked_at.size() == 1, "copies of r1",
          "2 (acknowledged on the second)", shown(r1->packets));
  c.check(r2->packets.size() == 1, "copies of r2", "1 (acknowledged at once)", shown(r2->packets));
  c.check(r2->packets.front().at_ms > r1->acked_at.front(), "when r2 is first sent",
          "after r1's ACK (at " + std::to_string(static_cast<int>(r1->acked_at.front())) +
              " ms): one packet in flight",
          "r1: " + shown(r1->packets) + "; r2: " + shown(r2->packets));
  const auto a1 = ack_of(c, 1);
  const auto a2 = ack_of(c, 2);
  c.check(a1 && a1->ev == "ack" && args_of(a1) == R"(["r1-ok"])", "r1's callback",
          R"(called with ["r1-ok"])", a1 ? codec::dump(a1->json) : "not called");
  c.check(a2 && a2->ev == "ack" && args_of(a2) == R"(["r2-ok"])", "r2's callback",
          R"(called with ["r2-ok"])", a2 ? codec::dump(a2->json) : "not called");
  c.check(a1->index < a2->index, "the callbacks' order", "r1, then r2",
          a1->index < a2->index ? "r1, then r2" : "r2, then r1");
}

// 3 ----------------------------------------------------------------------------------------------

void implicit_ack(Context& c) {
  const auto r3 = answer_copies(
      c, "r3", [](int n) { return n >= 2; }, R"(["ok"])");
  c.connected("s", retrying(2, 500));
  c.emit("s", "r3", Json::array({"z"}));
  wait_copies(c, *r3, 1, Ms(3000), "the emit without a callback");
  c.check(r3->packets.front().packet.id.has_value(), "the emit without a callback",
          "an EVENT with an ack id (2<id>[...]): with retries every emit is acknowledged",
          cases::shown(r3->packets.front()));
  wait_copies(c, *r3, 2, Ms(2000), "the unacknowledged emit re-sent");
  c.idle(Ms(700));  // longer than ackTimeout: a third copy would show
  const auto& copies = r3->packets;
  c.check(copies[1].packet.id && copies[1].packet.id != copies[0].packet.id, "the re-sent copy",
          "a new ack id", shown(copies));
  c.check(copies.size() == 2, "copies of r3", "2 (the second was acknowledged)", shown(copies));
}

// 4 ----------------------------------------------------------------------------------------------

void no_duplicates(Context& c) {
  const auto q1 = answer_copies(
      c, "q1", [](int) { return true; }, R"(["q1-ok"])");
  const auto q2 = answer_copies(
      c, "q2", [](int) { return true; }, R"(["q2-ok"])");
  const auto q3 = answer_copies(
      c, "q3", [](int n) { return n >= 2; }, R"(["q3-ok"])");
  // q1 is queued before the connection exists, q2 is emitted as soon as it is reported.
  c.connect("s", retrying(2, 1000));
  c.emit("s", "q1", Json::array({"a"}), true, 1);
  const auto sid = c.expect_connect_packet("/", Ms(5000)).sid;
  c.expect("connect", "s", Ms(5000), "the connection");
  c.emit("s", "q2", Json::array({"b"}), true, 2);
  c.wait([&] { return ack_of(c, 1) && ack_of(c, 2); }, Ms(3000));
  c.idle(Ms(300));
  c.check(q1->packets.size() == 1, "copies of q1 (emitted before the connection)",
          "1, acknowledged at once", shown(q1->packets));
  c.check(q2->packets.size() == 1, "copies of q2 (emitted when the connection was reported)",
          "1, acknowledged at once", shown(q2->packets));
  // q3's first copy is left unanswered and the connection dropped.
  c.emit("s", "q3", Json::array({"c"}), true, 3);
  wait_copies(c, *q3, 1, Ms(3000), "q3");
  const auto before = c.h().events().size();
  c.h().drop(sid);
  c.expect("disconnect", "s", Ms(3000), "the disconnect after the drop", before);
  const auto again =
      c.expect_sio([&](const SioIn& p) { return p.packet.type == 0 && p.sid != sid; }, Ms(5000),
                   "the client's CONNECT after the reconnection");
  c.expect("connect", "s", Ms(5000), "the reconnection reported", before);
  c.wait([&] { return ack_of(c, 3).has_value(); }, Ms(3000));
  c.idle(Ms(300));
  std::vector<SioIn> after;
  for (const auto& p : q3->packets)
    if (p.sid == again.sid) after.push_back(p);
  c.check(after.size() == 1, "copies of q3 after the reconnection",
          "1: the pending packet resumes, once (the re-CONNECT at " +
              std::to_string(static_cast<int>(again.at_ms)) + " ms)",
          shown(q3->packets));
  const auto a3 = ack_of(c, 3);
  c.check(a3 && a3->ev == "ack" && args_of(a3) == R"(["q3-ok"])", "q3's callback",
          R"(called with ["q3-ok"] once the copy after the reconnection is acknowledged)",
          a3 ? codec::dump(a3->json) : "not called");
}

}  // namespace

void add_retries(std::vector<Case>& out) {
  const auto docs = kClientDocs + ", client options (retries, ackTimeout)";
  out.push_back({{.id = "client/retries/1",
                  .title = "An unacknowledged emit is re-sent, then fails",
                  .requirement = "With retries and ackTimeout, an event that is not acknowledged "
                                 "within ackTimeout is sent again with a new ack id, up to "
                                 "`retries` times, then its callback fails",
                  .source = docs,
                  .needs = {"retries"},
                  .timing = true},
                 resent_then_fails});
  out.push_back({{.id = "client/retries/2",
                  .title = "One packet in flight, in queue order",
                  .requirement = "With retries, emits are queued: the next one is sent only once "
                                 "the one before is acknowledged (or has failed), in emit order",
                  .source = docs + "; " + kObserved + " (Socket._drainQueue)",
                  .needs = {"retries"}},
                 one_in_flight});
  out.push_back({{.id = "client/retries/3",
                  .title = "An emit without a callback still asks for an ack",
                  .requirement = "With retries, every emit carries an ack id, even without a "
                                 "callback, and is sent again while not acknowledged",
                  .source = docs + " (the event must be acknowledged by the server, even with an "
                                   "implicit ack)",
                  .needs = {"retries"}},
                 implicit_ack});
  out.push_back({{.id = "client/retries/4",
                  .title = "No duplicates around the connection, no retries spent offline",
                  .requirement = "A queued emit is sent once when the connection comes (before "
                                 "or as it is reported), and a packet pending when the "
                                 "connection drops is sent once after the reconnection",
                  .source = docs + "; socket.io-client 4.6.1 (do not drain the queue while "
                                   "the socket is offline) and 4.8.2 (drain queue before "
                                   "emitting connect, socket.io#5258)",
                  .needs = {"retries", "reconnection"}},
                 no_duplicates});
}

}  // namespace conform::client::cases
