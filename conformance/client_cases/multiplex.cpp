// client/multiplex: namespaces at one URL sharing a session, a namespace reused opening another,
// forceNew and multiplex: false, an explicit manager, and disconnecting one namespace, then the
// last one.
#include <functional>
#include <optional>

#include "client_areas.hpp"
#include "client_common.hpp"

namespace conform::client::cases {

namespace {

// The session of the first CONNECT to `nsp`, or empty.
std::string session_of(Harness& h, const std::string& nsp) {
  for (const auto& p : h.sio_in())
    if (p.packet.type == 0 && p.packet.nsp == nsp) return p.sid;
  return "";
}

// Connects socket `id` to each namespace of `nsps` (ids "root", "a", "b", ...) with the commands
// sent back to back, then waits until the server saw every CONNECT and the adapter reported every
// connection.
void connect_together(Context& c, const std::vector<std::pair<std::string, Connect>>& sockets) {
  const auto sio_from = c.h().sio_in().size();
  const auto events_from = c.h().events().size();
  for (const auto& [id, how] : sockets)
    c.connect(id, how);
  for (const auto& [id, how] : sockets)
    c.expect_connect_packet(how.nsp, Ms(5000), sio_from);
  for (const auto& [id, how] : sockets)
    c.expect("connect", id, Ms(5000), "the adapter reports the connection of " + id, events_from);
}

void check_handshakes(Context& c, std::size_t n, const std::string& why) {
  c.idle(Ms(200));  // room for one more
  c.check(c.handshakes() == n, "handshakes", std::to_string(n) + " (" + why + ")",
          std::to_string(c.handshakes()));
}

void implicit_sharing(Context& c) {
  connect_together(c, {{"a", {.nsp = "/a"}}, {"b", {.nsp = "/b"}}});
  check_handshakes(c, 1, "/a and /b at one URL share one session");
  const auto a = session_of(c.h(), "/a");
  const auto b = session_of(c.h(), "/b");
  c.check(a == b, "the sessions of the CONNECTs", "one session for /a and /b",
          "/a on " + a + ", /b on " + b);
}

void same_namespace_twice(Context& c) {
  c.connected("a1", {.nsp = "/a"});
  c.connected("a2", {.nsp = "/a"});
  check_handshakes(c, 2, "a namespace already in use opens a new session");
  std::vector<std::string> sids;
  for (const auto& p : c.h().sio_in())
    if (p.packet.type == 0 && p.packet.nsp == "/a") sids.push_back(p.sid);
  c.check(sids.size() == 2 && sids[0] != sids[1], "the sessions of the CONNECTs to /a",
          "two CONNECTs, on two different sessions",
          std::to_string(sids.size()) + " CONNECTs" +
              (sids.size() == 2 ? ", on " + sids[0] + " and " + sids[1] : ""));
  if (const auto d = c.find("disconnect", "a1"))
    c.fail("the first socket", "still connected", codec::dump(d->json));
}

void forced_separate(Context& c) {
  c.connected("plain", {.nsp = "/a"});
  c.connected("forced", {.nsp = "/b", .opts = {{"forceNew", true}}});
  c.connected("unshared", {.nsp = "/c", .opts = {{"multiplex", false}}});
  check_handshakes(c, 3, "forceNew and multiplex: false each open a session of their own");
  const auto a = session_of(c.h(), "/a");
  const auto b = session_of(c.h(), "/b");
  const auto cc = session_of(c.h(), "/c");
  c.check(b != a, "the session of /b (forceNew: true)", "not the session of /a", b);
  c.check(cc != a && cc != b, "the session of /c (multiplex: false)",
          "neither the session of /a nor that of /b", cc);
}

void explicit_manager(Context& c) {
  c.manager("m1");
  connect_together(c, {{"root", {.nsp = "/", .manager = "m1"}},
                       {"a", {.nsp = "/a", .manager = "m1"}},
                       {"b", {.nsp = "/b", .manager = "m1"}}});
  check_handshakes(c, 1, "one manager, one session");
  const auto root = session_of(c.h(), "/");
  for (const std::string nsp : {"/a", "/b"})
    c.check(session_of(c.h(), nsp) == root, "the session of the CONNECT to " + nsp,
            "the manager's session " + root, session_of(c.h(), nsp));
}

// Sockets "a" and "b" on /a and /b of one session: through an explicit manager where the library
// has one, else through its usual entry point where it multiplexes by itself. Returns the sid.
std::string shared_session(Context& c) {
  std::optional<std::string> manager;
  if (c.has("manager_api")) {
    c.manager("m");
    manager = "m";
  } else if (!c.has("multiplex_implicit")) {
    c.unimplemented("two namespaces on one session (manager_api or multiplex_implicit)");
  }
  c.connected("a", {.nsp = "/a", .manager = manager});
  c.connected("b", {.nsp = "/b", .manager = manager});
  const auto sid = session_of(c.h(), "/a");
  c.check(session_of(c.h(), "/b") == sid, "the sessions of /a and /b", "one",
          "/a on " + sid + ", /b on " + session_of(c.h(), "/b"));
  return sid;
}

std::string client_packets_since(Harness& h, std::size_t from) {
  std::string out;
  for (auto i = from; i < h.packets_in().size(); ++i)
    out += (out.empty() ? "" : ", ") + text::printable(h.packets_in()[i].raw, {.max = 80});
  return out.empty() ? "none" : out;
}

// Disconnects socket "a": the client sends 41/a, and nothing else happens to the session.
void disconnect_a(Context& c, const std::string& sid) {
  const auto sio_from = c.h().sio_in().size();
  const auto packets_from = c.h().packets_in().size();
  const auto events_from = c.h().events().size();
  c.disconnect("a");
  c.expect_sio([](const SioIn& p) { return p.packet.type == 1 && p.packet.nsp == "/a"; }, Ms(2000),
               "the client's DISCONNECT of /a (41/a,)", sio_from);
  const auto e = c.expect("disconnect", "a", Ms(2000), "the disconnect of a", events_from);
  if (c.has("disconnect_reasons"))
    c.expect_eq("a's disconnect reason", "io client disconnect",
                e.json.value("reason", std::string()));
  c.idle(Ms(300));
  std::string for_b;
  for (auto i = sio_from; i < c.h().sio_in().size(); ++i)
    if (c.h().sio_in()[i].packet.nsp == "/b")
      for_b += (for_b.empty() ? "" : ", ") + shown(c.h().sio_in()[i]);
  c.check(for_b.empty(), "the client's packets for /b", "none (only /a was disconnected)",
          for_b.empty() ? "none" : for_b);
  bool close = false;
  for (auto i = packets_from; i < c.h().packets_in().size(); ++i)
    close = close || c.h().packets_in()[i].packet.type == '1';
  c.check(!close, "the client's Engine.IO packets", "no close (/b still uses the session)",
          client_packets_since(c.h(), packets_from));
  const auto* s = c.h().session(sid);
  c.check(s && s->closed_ms < 0, "the session after disconnecting /a", "still open",
          !s                 ? "unknown"
          : s->closed_ms < 0 ? "open"
                             : "closed: " + s->closed_why);
  if (const auto d = c.find("disconnect", "b", events_from))
    c.fail("socket b", "still connected", codec::dump(d->json));
  c.h().emit(sid, "/b", Json::array({"for-b", 1}));
  c.expect("event", "b", Ms(2000), "/b still gets events", events_from);
}

void disconnect_one(Context& c) {
  const auto sid = shared_session(c);
  disconnect_a(c, sid);
}

void disconnect_last(Context& c) {
  const auto sid = shared_session(c);
  disconnect_a(c, sid);
  const auto sio_from = c.h().sio_in().size();
  c.disconnect("b");
  const auto bye =
      c.expect_sio([](const SioIn& p) { return p.packet.type == 1 && p.packet.nsp == "/b"; },
                   Ms(2000), "the client's DISCONNECT of /b (41/b,)", sio_from);
  auto closed = [&] {
    const auto* s = c.h().session(sid);
    return s && s->closed_ms >= 0;
  };
  c.wait(closed, Ms(1000));
  const auto* s = c.h().session(sid);
  const std::string why = !s ? "unknown" : s->closed_ms < 0 ? "still open" : s->closed_why;
  bool by_client = why == "the client sent close";
  if (why == "the WebSocket closed")
    for (const auto& w : c.h().websockets())
      if (w.sid == sid && w.closed_ms >= 0 && !w.by_server) by_client = true;
  c.check(by_client, "the session after disconnecting the last namespace",
          "closed by the client within 1 s (a close packet, or its WebSocket closed)", why);
  const double at = c.h().session(sid)->closed_ms;
  c.check(bye.at_ms <= at, "the order", "41/b, before the close",
          "41/b, at " + std::to_string(static_cast<int>(bye.at_ms)) + " ms, the close at " +
              std::to_string(static_cast<int>(at)) + " ms");
  c.idle(Ms(700));
  std::string later;
  for (const auto& r : c.h().requests())
    if (r.at_ms > at) later += (later.empty() ? "" : ", ") + shown(r);
  c.check(later.empty(), "requests after the close", "none", later.empty() ? "none" : later);
}

}  // namespace

void add_multiplex(std::vector<Case>& out) {
  out.push_back({{.id = "client/multiplex/1",
                  .title = "Two namespaces at one URL share a session",
                  .requirement = "Sockets for two namespaces of the same URL, made through the "
                                 "usual entry point, share one Engine.IO session: one handshake, "
                                 "both CONNECTs on it",
                  .source = kClientDocs + ", client API: io() (multiplexing)",
                  .needs = {"multiplex_implicit"}},
                 implicit_sharing});
  out.push_back({{.id = "client/multiplex/2",
                  .title = "A namespace already in use opens a new session",
                  .requirement = "A second socket for a namespace that already has one opens a "
                                 "session of its own, and the first keeps its connection",
                  .source = kClientDocs + ", client API: io() (a new Manager for a namespace "
                                          "already in use)",
                  .needs = {"multiplex_implicit"}},
                 same_namespace_twice});
  out.push_back({{.id = "client/multiplex/3",
                  .title = "forceNew and multiplex: false open their own session",
                  .requirement = "A socket made with forceNew: true, and one made with "
                                 "multiplex: false, each opens an Engine.IO session of its own",
                  .source = kClientDocs + ", client options: forceNew, multiplex",
                  .needs = {"multiplex_implicit"}},
                 forced_separate});
  out.push_back({{.id = "client/multiplex/4",
                  .title = "An explicit manager shares one session",
                  .requirement = "Sockets made from one manager, for /, /a and /b, share its "
                                 "single Engine.IO session: one handshake, three CONNECTs",
                  .source = kClientDocs + ", the Manager instance: socket(nsp)",
                  .needs = {"manager_api"}},
                 explicit_manager});
  out.push_back({{.id = "client/multiplex/5",
                  .title = "Disconnecting one namespace keeps the session",
                  .requirement = "Disconnecting one of two namespaces sends only its DISCONNECT "
                                 "(41/a,) and keeps the Engine.IO session, on which the other "
                                 "still gets events",
                  .source = kClientDocs + ", the Socket instance: disconnect(); " + kSioSpec +
                            ", Disconnection from a namespace"},
                 disconnect_one});
  out.push_back({{.id = "client/multiplex/6",
                  .title = "Disconnecting the last namespace closes the session",
                  .requirement = "Disconnecting the last connected namespace sends its DISCONNECT, "
                                 "then closes the Engine.IO session (a close packet or a "
                                 "WebSocket close), and no request follows",
                  .source = kClientDocs + ", the Socket instance: disconnect() (the last one "
                                          "closes the low-level connection)"},
                 disconnect_last});
}

}  // namespace conform::client::cases
