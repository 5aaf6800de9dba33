// client/reconnect: namespaces connected again after a drop (also after a refusal period), the
// backoff (doubling and capped, jittered within its window, reset after a success), the number
// of attempts, reconnection turned off, no reconnection after the server's or the client's own
// DISCONNECT, and a namespace the server disconnected that stays away.
#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>

#include "client_areas.hpp"
#include "client_common.hpp"

namespace conform::client::cases {

namespace {

std::string ms(double v) {
  return std::to_string(static_cast<long long>(std::lround(v))) + " ms";
}

// The socket named after its namespace: "/" -> "root", "/a" -> "a".
std::string id_of(const std::string& nsp) {
  return nsp == "/" ? "root" : nsp.substr(1);
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Connects one socket to each namespace, one after the other, through the library's usual entry
// point: they share one session where the library multiplexes, and have one each where not.
void connect_each(Context& c, const std::vector<std::string>& nsps) {
  for (const auto& nsp : nsps)
    c.connected(id_of(nsp), {.nsp = nsp});
}

std::vector<std::string> live_sids(Harness& h) {
  std::vector<std::string> out;
  for (const auto& s : h.sessions())
    if (s.closed_ms < 0) out.push_back(s.sid);
  return out;
}

// Drops every open session (a reset, no protocol close); returns their sids.
std::vector<std::string> drop_all(Context& c) {
  const auto sids = live_sids(c.h());
  for (const auto& sid : sids)
    c.h().drop(sid);
  return sids;
}

// Handshakes refused with a 500: the next `left` ones, and every one that comes before
// `until_ms` on the server's clock. Shared with the hook, which may outlive the case's frame.
struct Refusals {
  int left = 0;
  double until_ms = -1;
  int refused = 0;
};

std::shared_ptr<Refusals> refuse_handshakes(Context& c) {
  auto r = std::make_shared<Refusals>();
  c.h().on_request = [r](const Request& q) -> std::optional<Answer> {
    if (!q.handshake()) return std::nullopt;
    if (r->left <= 0 && q.at_ms >= r->until_ms) return std::nullopt;
    if (r->left > 0) --r->left;
    ++r->refused;
    return Answer{.status = 500, .body = "refused by the case"};
  };
  return r;
}

// When each handshake request (accepted or refused) came after `after_ms`.
std::vector<double> handshakes_after(Harness& h, double after_ms) {
  std::vector<double> out;
  for (const auto& r : h.requests())
    if (r.handshake() && r.at_ms > after_ms) out.push_back(r.at_ms);
  return out;
}

std::size_t connects_to(Harness& h, const std::string& nsp, std::size_t from) {
  std::size_t n = 0;
  for (auto i = from; i < h.sio_in().size(); ++i)
    if (h.sio_in()[i].packet.type == 0 && h.sio_in()[i].packet.nsp == nsp) ++n;
  return n;
}

// After a drop of the sessions `old`: every namespace of `nsps` is CONNECTed again exactly once,
// on a new session (one new handshake per session dropped), each socket reports the connection,
// and the old sids are not used any more.
void expect_all_back(Context& c, const std::vector<std::string>& nsps,
                     const std::vector<std::string>& old, std::size_t sessions_before,
                     std::size_t sio_from, std::size_t events_from, Ms timeout,
                     const std::string& when) {
  std::string on_old;
  for (const auto& nsp : nsps) {
    const auto p = c.expect_connect_packet(nsp, timeout, sio_from);
    if (contains(old, p.sid)) on_old += (on_old.empty() ? "" : ", ") + shown(p) + " on " + p.sid;
  }
  c.check(on_old.empty(), "the CONNECTs " + when, "on the new Engine.IO session",
          on_old.empty() ? "on the new session" : "on the old session: " + on_old);
  for (const auto& nsp : nsps)
    c.expect("connect", id_of(nsp), timeout, "socket " + id_of(nsp) + " connected again " + when,
             events_from);
  c.idle(Ms(300));  // room for a second CONNECT
  for (const auto& nsp : nsps)
    c.check(connects_to(c.h(), nsp, sio_from) == 1, "CONNECTs to " + nsp + " " + when,
            "exactly one", std::to_string(connects_to(c.h(), nsp, sio_from)));
  const auto opened = c.handshakes() - sessions_before;
  c.check(opened == old.size(), "new sessions " + when,
          std::to_string(old.size()) + " (one for each session dropped)", std::to_string(opened));
  const double first_new = c.h().sessions()[sessions_before].opened_ms;
  std::string stale;
  for (const auto& r : c.h().requests())
    if (contains(old, r.sid) && r.at_ms > first_new)
      stale += (stale.empty() ? "" : ", ") + shown(r);
  c.check(stale.empty(), "requests " + when, "none with the old sid once the new session is open",
          stale.empty() ? "none" : stale);
}

void namespaces_come_back(Context& c) {
  const std::vector<std::string> nsps{"/", "/a", "/b"};
  connect_each(c, nsps);

  // A drop, and the reconnection at once.
  auto sessions = c.handshakes();
  auto sio_from = c.h().sio_in().size();
  auto events_from = c.h().events().size();
  auto old = drop_all(c);
  expect_all_back(c, nsps, old, sessions, sio_from, events_from, Ms(3000), "after a drop");

  // A drop, then every handshake refused for about a second (the server restarting).
  auto refusals = refuse_handshakes(c);
  refusals->until_ms = c.h().elapsed_ms() + 1000;
  sessions = c.handshakes();
  sio_from = c.h().sio_in().size();
  events_from = c.h().events().size();
  old = drop_all(c);
  expect_all_back(c, nsps, old, sessions, sio_from, events_from, Ms(5000),
                  "after a drop and 1 s of refused handshakes");
  c.passed("handshakes refused during that second", "(recorded)",
           std::to_string(refusals->refused));
}

// The gaps between the client's disconnect (when the adapter reported it, else the drop) and each
// handshake attempt after the drop, checked against `windows` ([low, high] each, widened by the
// time tolerance).
void check_gaps(Context& c, double dropped, std::size_t events_from,
                const std::vector<std::pair<double, double>>& windows) {
  const auto times = handshakes_after(c.h(), dropped);
  c.check(times.size() >= windows.size(), "handshake attempts after the drop",
          "at least " + std::to_string(windows.size()), std::to_string(times.size()));
  std::string all;
  double prev = dropped;
  if (const auto e = c.find("disconnect", "s", events_from); e && e->at_ms < times[0])
    prev = std::max(prev, e->at_ms);
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const double gap = times[i] - prev;
    prev = times[i];
    all += (all.empty() ? "" : ", ") + ms(gap);
    const auto [lo, hi] = windows[i];
    const double low = lo - static_cast<double>(c.slack(Ms(static_cast<long long>(lo))).count());
    const double high = hi + static_cast<double>(c.slack(Ms(static_cast<long long>(hi))).count());
    const std::string want = lo == hi ? ms(lo) + " (+-" + ms(high - hi) + ")"
                                      : "between " + ms(lo) + " and " + ms(hi) + " (+-tolerance)";
    c.check(gap >= low && gap <= high,
            i == 0 ? std::string("the delay from the disconnect to the first attempt")
                   : "the gap before attempt " + std::to_string(i + 1),
            want, ms(gap) + " (all gaps so far: " + all + ")");
  }
  c.passed("the gaps", "(recorded)", all);
}

Json backoff(double delay, double max, double factor) {
  return {
      {"reconnectionDelay", delay}, {"reconnectionDelayMax", max}, {"randomizationFactor", factor}};
}

// The backoff windows of attempts 0..n-1: delay * 2^n, +-factor, capped at max.
std::vector<std::pair<double, double>> windows(double delay, double max, double factor, int n) {
  std::vector<std::pair<double, double>> out;
  for (int i = 0; i < n; ++i) {
    const double base = delay * std::pow(2.0, i);
    out.emplace_back(std::min(base * (1 - factor), max), std::min(base * (1 + factor), max));
  }
  return out;
}

void backoff_doubles(Context& c) {
  const auto sid = c.connected("s", {.opts = backoff(100, 400, 0)});
  auto refusals = refuse_handshakes(c);
  refusals->left = 5;
  const auto events_from = c.h().events().size();
  const double dropped = c.h().elapsed_ms();
  c.h().drop(sid);
  if (!c.wait([&] { return c.handshakes() >= 2; }, Ms(4000)))
    c.fail("the reconnection", "a session after 5 refused handshakes",
           std::to_string(refusals->refused) + " refused, no session");
  check_gaps(c, dropped, events_from, windows(100, 400, 0, 6));
}

void backoff_jittered(Context& c) {
  const auto sid = c.connected("s", {.opts = backoff(100, 400, 0.5)});
  auto refusals = refuse_handshakes(c);
  refusals->left = 3;
  const auto events_from = c.h().events().size();
  const double dropped = c.h().elapsed_ms();
  c.h().drop(sid);
  if (!c.wait([&] { return c.handshakes() >= 2; }, Ms(4000)))
    c.fail("the reconnection", "a session after 3 refused handshakes",
           std::to_string(refusals->refused) + " refused, no session");
  check_gaps(c, dropped, events_from, windows(100, 400, 0.5, 4));
}

void attempts_honoured(Context& c) {
  auto opts = backoff(100, 400, 0);
  opts["reconnectionAttempts"] = 2;
  const auto sid = c.connected("s", {.opts = opts});
  auto refusals = refuse_handshakes(c);
  refusals->left = 1'000'000;
  const auto events_from = c.h().events().size();
  const double dropped = c.h().elapsed_ms();
  c.h().drop(sid);
  if (c.has("reconnect_events"))
    c.expect("reconnect_failed", "s", Ms(3000), "the reconnection given up after 2 attempts",
             events_from);
  else
    c.wait([&] { return handshakes_after(c.h(), dropped).size() >= 2; }, Ms(3000));
  c.idle(Ms(1000));
  const auto n = handshakes_after(c.h(), dropped).size();
  c.check(n == 2, "handshake attempts after the drop with reconnectionAttempts 2",
          "exactly 2, then silence", std::to_string(n) + " in " + ms(c.h().elapsed_ms() - dropped));
}

void reconnection_off(Context& c) {
  const auto sid = c.connected("s", {.opts = {{"reconnection", false}}});
  const double dropped = c.h().elapsed_ms();
  c.h().drop(sid);
  const auto e = c.expect("disconnect", "s", Ms(2000), "the disconnect after the drop");
  // Not judged: socket.io-client reports socket.active, true here (the socket would connect
  // again if its manager were opened), though nothing will open it.
  c.passed("active in the disconnect", "(recorded, not judged)",
           codec::dump(e.json.value("active", Json())));
  c.idle(c.has("reconnection_params") ? Ms(1000) : Ms(2000));
  const auto n = handshakes_after(c.h(), dropped).size();
  c.check(n == 0, "handshakes after the drop with reconnection: false", "none", std::to_string(n));
}

// Waits until the client closed session `sid` itself: a close packet, or its WebSocket closed.
void expect_client_close(Context& c, const std::string& sid, Ms timeout) {
  auto closed = [&] {
    const auto* s = c.h().session(sid);
    return s && s->closed_ms >= 0;
  };
  c.wait(closed, timeout);
  const auto* s = c.h().session(sid);
  const std::string why = !s ? "no such session" : s->closed_ms < 0 ? "still open" : s->closed_why;
  bool by_client = why == "the client sent close";
  if (why == "the WebSocket closed")
    for (const auto& w : c.h().websockets())
      if (w.sid == sid && w.closed_ms >= 0 && !w.by_server) by_client = true;
  c.check(by_client, "the Engine.IO session",
          "closed by the client within " + std::to_string(timeout.count()) +
              " ms (a close packet, or its WebSocket closed)",
          why);
}

void no_reconnect_after_server_disconnect(Context& c) {
  const auto sid = c.connected("s");
  const auto events_from = c.h().events().size();
  c.h().send_sio(sid, "1");
  const auto e = c.expect("disconnect", "s", Ms(2000), "the disconnect after 41", events_from);
  if (c.has("disconnect_reasons"))
    c.expect_eq("the disconnect reason", "io server disconnect",
                e.json.value("reason", std::string()));
  c.check(!e.json.value("active", true), "active in the disconnect",
          "false (the client must not reconnect after io server disconnect)", codec::dump(e.json));
  const double gone = e.at_ms;
  expect_client_close(c, sid, Ms(1000));
  c.idle(Ms(1500));
  const auto n = handshakes_after(c.h(), gone).size();
  c.check(n == 0, "handshakes after io server disconnect", "none", std::to_string(n));
  c.check(connects_to(c.h(), "/", 0) == 1, "CONNECTs to /", "one (not reconnected)",
          std::to_string(connects_to(c.h(), "/", 0)));
}

std::string sid_of_nsp(Harness& h, const std::string& nsp) {
  std::string sid;
  for (const auto& p : h.sio_in())
    if (p.packet.type == 0 && p.packet.nsp == nsp) sid = p.sid;
  return sid;
}

void server_disconnect_of_one(Context& c) {
  connect_each(c, {"/a", "/b"});
  const auto sid_a = sid_of_nsp(c.h(), "/a");
  const auto sid_b = sid_of_nsp(c.h(), "/b");
  auto events_from = c.h().events().size();
  const auto sio_before = c.h().sio_in().size();
  c.h().send_sio(sid_a, "1/a,");
  const auto e =
      c.expect("disconnect", "a", Ms(2000), "the disconnect of /a after 41/a,", events_from);
  if (c.has("disconnect_reasons"))
    c.expect_eq("the disconnect reason of /a", "io server disconnect",
                e.json.value("reason", std::string()));
  c.check(!e.json.value("active", true), "active in the disconnect of /a", "false",
          codec::dump(e.json));
  c.h().emit(sid_b, "/b", Json::array({"still-here", 1}));
  c.expect("event", "b", Ms(2000), "/b still gets events after 41/a,", events_from);
  c.idle(Ms(200));
  if (const auto d = c.find("disconnect", "b", events_from))
    c.fail("socket b", "still connected (only /a was disconnected)", codec::dump(d->json));
  std::string for_b;
  for (auto i = sio_before; i < c.h().sio_in().size(); ++i)
    if (c.h().sio_in()[i].packet.nsp == "/b")
      for_b += (for_b.empty() ? "" : ", ") + shown(c.h().sio_in()[i]);
  c.check(for_b.empty(), "the client's packets for /b", "none (nothing happened to /b)",
          for_b.empty() ? "none" : for_b);
  const auto* sb = c.h().session(sid_b);
  c.check(sb && sb->closed_ms < 0, "the session of /b", "still open",
          sb ? "closed: " + sb->closed_why : "unknown");

  // Only /b comes back after a drop.
  const auto sio_from = c.h().sio_in().size();
  events_from = c.h().events().size();
  drop_all(c);
  c.expect_connect_packet("/b", Ms(3000), sio_from);
  c.expect("connect", "b", Ms(3000), "socket b connected again", events_from);
  c.idle(Ms(500));
  c.check(connects_to(c.h(), "/a", sio_from) == 0, "CONNECTs to /a after the reconnection",
          "none (the server disconnected it)", std::to_string(connects_to(c.h(), "/a", sio_from)));
  c.check(connects_to(c.h(), "/b", sio_from) == 1, "CONNECTs to /b after the reconnection",
          "exactly one", std::to_string(connects_to(c.h(), "/b", sio_from)));
}

void client_disconnect(Context& c) {
  const auto sid = c.connected("s");
  auto events_from = c.h().events().size();
  const auto sio_from = c.h().sio_in().size();
  c.disconnect("s");
  c.expect_sio([](const SioIn& p) { return p.packet.type == 1 && p.packet.nsp == "/"; }, Ms(2000),
               "the client's DISCONNECT (41)", sio_from);
  const auto e = c.expect("disconnect", "s", Ms(2000), "the disconnect", events_from);
  if (c.has("disconnect_reasons"))
    c.expect_eq("the disconnect reason", "io client disconnect",
                e.json.value("reason", std::string()));
  c.check(!e.json.value("active", true), "active in the disconnect", "false", codec::dump(e.json));
  expect_client_close(c, sid, Ms(1000));
  c.idle(Ms(1000));
  c.check(c.handshakes() == 1 && handshakes_after(c.h(), e.at_ms).empty(),
          "handshakes after io client disconnect", "none",
          std::to_string(handshakes_after(c.h(), e.at_ms).size()));

  // A later connect does connect again.
  events_from = c.h().events().size();
  auto sio_again = c.h().sio_in().size();
  c.command({{"cmd", "socket_connect"}, {"id", "s"}});
  const auto p = c.expect_connect_packet("/", Ms(3000), sio_again);
  c.check(p.sid != sid, "the CONNECT after socket_connect", "on a new session",
          "on the closed session " + sid);
  c.expect("connect", "s", Ms(3000), "the connection after socket_connect", events_from);

  // disconnect at once followed by connect: one disconnect, then one connect.
  events_from = c.h().events().size();
  sio_again = c.h().sio_in().size();
  c.disconnect("s");
  c.command({{"cmd", "socket_connect"}, {"id", "s"}});
  const auto back = c.expect("connect", "s", Ms(3000),
                             "the connection after disconnect + socket_connect", events_from);
  c.idle(Ms(500));
  std::string seen;
  for (auto i = events_from; i < c.h().events().size(); ++i) {
    const auto& ev = c.h().events()[i];
    if (ev.json.value("id", std::string()) == "s" && (ev.ev == "disconnect" || ev.ev == "connect"))
      seen += (seen.empty() ? "" : ", ") + ev.ev;
  }
  c.expect_eq("the adapter's events after disconnect + socket_connect", "disconnect, connect",
              seen);
  (void)back;
  c.check(connects_to(c.h(), "/", sio_again) == 1, "CONNECTs after disconnect + socket_connect",
          "exactly one", std::to_string(connects_to(c.h(), "/", sio_again)));
}

std::vector<int> attempts_reported(Context& c, std::size_t from, std::size_t to) {
  std::vector<int> out;
  for (auto i = from; i < std::min(to, c.h().events().size()); ++i) {
    const auto& e = c.h().events()[i];
    if (e.ev == "reconnect_attempt") out.push_back(e.json.value("attempt", -1));
  }
  return out;
}

std::string listed(const std::vector<int>& v) {
  std::string out;
  for (const int i : v)
    out += (out.empty() ? "" : ", ") + std::to_string(i);
  return "[" + out + "]";
}

void backoff_reset(Context& c) {
  const auto sid = c.connected("s", {.opts = backoff(100, 400, 0)});
  auto refusals = refuse_handshakes(c);
  refusals->left = 3;
  auto events_from = c.h().events().size();
  c.h().drop(sid);
  if (!c.wait([&] { return c.handshakes() >= 2; }, Ms(3000)))
    c.fail("the reconnection", "a session after 3 refused handshakes",
           std::to_string(refusals->refused) + " refused, no session");
  const auto ok = c.expect("reconnect", "s", Ms(2000), "the reconnect event", events_from);
  c.expect_eq("reconnect_attempt during the first outage (3 refused, the 4th accepted)",
              "[1, 2, 3, 4]", listed(attempts_reported(c, events_from, ok.index)));
  c.expect_eq("the reconnect event's attempt count", "4",
              std::to_string(ok.json.value("attempt", -1)));

  // The next outage starts again at reconnectionDelay.
  c.idle(Ms(100));
  const auto second = c.h().sessions()[1].sid;
  events_from = c.h().events().size();
  const double dropped = c.h().elapsed_ms();
  c.h().drop(second);
  if (!c.wait([&] { return c.handshakes() >= 3; }, Ms(3000)))
    c.fail("the second reconnection", "a new session", "none");
  check_gaps(c, dropped, events_from, windows(100, 400, 0, 1));
  const auto again =
      c.expect("reconnect", "s", Ms(2000), "the second reconnect event", events_from);
  c.expect_eq("reconnect_attempt during the second outage", "[1]",
              listed(attempts_reported(c, events_from, again.index)));
}

}  // namespace

void add_reconnect(std::vector<Case>& out) {
  out.push_back({{.id = "client/reconnect/1",
                  .title = "After a drop every namespace is connected again, once",
                  .requirement = "After the connection is lost, the client opens a new Engine.IO "
                                 "session (and uses its new sid) and sends a CONNECT for every "
                                 "namespace that was connected, exactly once each; also when the "
                                 "server refuses handshakes for a while first",
                  .source = kClientDocs + ", the Socket instance: disconnect (reconnects); " +
                            kSioSpec + ", Connection to a namespace",
                  .needs = {"reconnection"}},
                 namespaces_come_back});
  out.push_back({{.id = "client/reconnect/2",
                  .title = "The reconnection delay doubles up to its maximum",
                  .requirement = "Without randomization the delay before reconnection attempt n "
                                 "is reconnectionDelay x 2^n, capped at reconnectionDelayMax "
                                 "(100, 200, 400, 400, ... for 100 and 400)",
                  .level = Level::should,
                  .source = kClientDocs + ", client options: reconnectionDelay, "
                                          "reconnectionDelayMax, randomizationFactor",
                  .needs = {"reconnection_params"},
                  .timing = true},
                 backoff_doubles});
  out.push_back({{.id = "client/reconnect/3",
                  .title = "A randomized reconnection delay stays within its window",
                  .requirement = "With randomizationFactor f, the delay before attempt n lies "
                                 "within reconnectionDelay x 2^n x (1 +- f), capped at "
                                 "reconnectionDelayMax",
                  .level = Level::should,
                  .source = kClientDocs + ", client options: randomizationFactor",
                  .needs = {"reconnection_params"},
                  .timing = true},
                 backoff_jittered});
  out.push_back({{.id = "client/reconnect/4",
                  .title = "reconnectionAttempts is honoured",
                  .requirement = "With reconnectionAttempts 2 the client makes exactly two "
                                 "reconnection attempts after a drop, reports reconnect_failed, "
                                 "and then stays silent",
                  .source = kClientDocs + ", client options: reconnectionAttempts; the Manager "
                                          "instance: reconnect_failed",
                  .needs = {"reconnection_params"}},
                 attempts_honoured});
  out.push_back({{.id = "client/reconnect/5",
                  .title = "No reconnection with reconnection: false",
                  .requirement = "With reconnection turned off, a lost connection is reported as "
                                 "a disconnect that will not be retried (active false), and no "
                                 "new handshake follows",
                  .source = kClientDocs + ", client options: reconnection",
                  .needs = {"reconnection"}},
                 reconnection_off});
  out.push_back({{.id = "client/reconnect/6",
                  .title = "No reconnection after io server disconnect",
                  .requirement = "When the server disconnects the last namespace (41), the client "
                                 "reports io server disconnect with active false, closes the "
                                 "Engine.IO session and does not reconnect",
                  .source = kClientDocs +
                            ", the Socket instance: disconnect (io server "
                            "disconnect: no reconnection); " +
                            kSioSpec + ", Disconnection from a namespace"},
                 no_reconnect_after_server_disconnect});
  out.push_back({{.id = "client/reconnect/7",
                  .title = "A namespace the server disconnected stays away",
                  .requirement = "A DISCONNECT of one namespace from the server leaves the other "
                                 "namespaces connected, and after a later reconnection only those "
                                 "others are CONNECTed again",
                  .source = kClientDocs + ", the Socket instance: disconnect, active; " + kSioSpec +
                            ", Disconnection from a namespace"},
                 server_disconnect_of_one});
  out.push_back({{.id = "client/reconnect/8",
                  .title = "No reconnection after io client disconnect",
                  .requirement = "After the application disconnects, the client sends DISCONNECT, "
                                 "closes the session and does not reconnect by itself; a later "
                                 "connect opens a new one, and a disconnect followed at once by "
                                 "a connect reports exactly one disconnect, then connect",
                  .source = kClientDocs + ", the Socket instance: disconnect (io client "
                                          "disconnect), socket.connect()"},
                 client_disconnect});
  out.push_back({{.id = "client/reconnect/9",
                  .title = "Reconnection events, and the backoff reset after a success",
                  .requirement = "reconnect_attempt counts attempts from 1, reconnect reports "
                                 "the success with its number of attempts, and the next outage "
                                 "starts again at reconnectionDelay",
                  .level = Level::should,
                  .source = kClientDocs + ", the Manager instance: reconnect, "
                                          "reconnect_attempt",
                  .needs = {"reconnect_events", "reconnection_params"},
                  .timing = true},
                 backoff_reset});
}

}  // namespace conform::client::cases
