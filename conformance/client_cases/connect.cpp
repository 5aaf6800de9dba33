// client/connect: the CONNECT packet for "/" and for a custom namespace, with and without auth; no
// implicit CONNECT to "/"; CONNECT soon after the open; the Socket.IO id from the reply; no events
// before the reply; CONNECT_ERROR (reported, never retried by itself, harmless to the other
// namespaces, retried by hand with the auth); a reply without sid; one CONNECT per namespace.
#include "client_areas.hpp"
#include "client_common.hpp"

namespace conform::client::cases {

namespace {

const Json kToken = {{"token", "123"}};

bool same_json(const Json& a, const Json& b) {
  return nlohmann::json::parse(codec::dump(a)) == nlohmann::json::parse(codec::dump(b));
}

// connected(), and the CONNECT packet the client sent for it.
SioIn connected_with(Context& c, const std::string& id, Connect how) {
  const auto from = c.h().sio_in().size();
  const auto nsp = how.nsp;
  c.connected(id, std::move(how));
  return c.expect_connect_packet(nsp, Ms(100), from);
}

// The CONNECTs the client sent for `nsp` in session `sid` (every session when empty).
std::vector<const SioIn*> connects_of(Harness& h, const std::string& nsp,
                                      const std::string& sid = "") {
  std::vector<const SioIn*> out;
  for (const auto* p : sio_of(h, sid))
    if (p->packet.type == 0 && p->packet.nsp == nsp) out.push_back(p);
  return out;
}

std::string listed(const std::vector<const SioIn*>& ps) {
  std::string out;
  for (const auto* p : ps)
    out += (out.empty() ? "" : ", ") + shown(*p);
  return out.empty() ? "none" : out;
}

// Checks a CONNECT without auth: exactly `bare` ("0" or "0/admin,"); the same followed by {} is
// allowed (the payload is optional), anything else is not.
void check_bare(Context& c, const SioIn& p, const std::string& bare) {
  if (p.text == bare) return c.passed("the CONNECT without auth", "4" + bare, "4" + p.text);
  if (p.text == bare + "{}")
    c.alternative("the CONNECT without auth", "4" + bare + " (no payload)", "4" + p.text);
  c.expect_eq("the CONNECT without auth", "4" + bare, "4" + text::printable(p.text));
}

void check_with_auth(Context& c, const SioIn& p, const std::string& bare) {
  c.check(p.text.starts_with(bare + "{"), "the CONNECT with auth",
          "4" + bare + "{\"token\":\"123\"}", "4" + text::printable(p.text));
  const auto data = codec::parse_json(p.packet.data);
  c.check(data && same_json(*data, kToken), "its payload", codec::dump(kToken),
          text::printable(p.packet.data));
}

void connect_to_root(Context& c) {
  check_bare(c, connected_with(c, "plain", {}), "0");
  check_with_auth(c, connected_with(c, "auth", {.auth = kToken}), "0");
}

void connect_to_custom(Context& c) {
  check_bare(c, connected_with(c, "plain", {.nsp = "/admin"}), "0/admin,");
  check_with_auth(c, connected_with(c, "auth", {.nsp = "/admin", .auth = kToken}), "0/admin,");
  if (!c.has("query")) return;
  // Extra query parameters belong to the requests, never to the namespace (as in v2).
  const auto q = connected_with(c, "query", {.nsp = "/admin", .opts = {{"query", {{"x", "1"}}}}});
  c.expect_eq("the CONNECT with a query option", "40/admin,", "4" + text::printable(q.text));
}

void no_implicit_root(Context& c) {
  connected_with(c, "s", {.nsp = "/admin"});
  c.idle(Ms(1000));
  const auto root = connects_of(c.h(), "/");
  c.check(root.empty(), "CONNECTs to \"/\"", "none (only /admin was asked for)", listed(root));
}

void connect_soon(Context& c) {
  c.connect("s");
  const auto p = c.expect_connect_packet("/", Ms(5000));
  const auto* session = c.h().session(p.sid);
  const auto& handshake = c.h().requests()[static_cast<std::size_t>(session->request)];
  const double opened = handshake.answered_ms >= 0 ? handshake.answered_ms : session->opened_ms;
  const auto after = p.at_ms - opened;
  c.check(after <= 1000, "the CONNECT", "within 1 s of the handshake",
          std::to_string(static_cast<int>(after)) + " ms after it");
}

void id_from_reply(Context& c) {
  c.server().reply_connect = false;
  c.connect("s");
  const auto p = c.expect_connect_packet("/", Ms(5000));
  c.h().accept_connect(p.sid, "/", {{"sid", "N1socketio-id"}});
  const auto e = c.expect("connect", "s", Ms(5000), "the connection");
  const auto reported = e.json.value("sid", std::string());
  c.check(reported != p.sid, "the reported socket id",
          "the sid of the CONNECT reply, not the Engine.IO sid", reported);
  c.expect_eq("the reported socket id", "N1socketio-id", reported);
}

void no_event_before_reply(Context& c) {
  c.server().connect_reply_delay = Ms(300);
  c.connect("s");
  c.emit("s", "early", Json::array({1}));
  const auto early = c.expect_sio([](const SioIn& p) { return event_name(p) == "early"; }, Ms(5000),
                                  "the early event, after the CONNECT reply");
  double replied = -1;
  for (const auto& o : c.h().packets_out())
    if (o.sid == early.sid && !o.binary && o.data.starts_with("40")) {
      replied = o.at_ms;
      break;
    }
  c.check(
      replied >= 0 && early.at_ms >= replied, "the early event",
      "sent after the CONNECT reply (sent at " + std::to_string(static_cast<int>(replied)) + " ms)",
      "arrived at " + std::to_string(static_cast<int>(early.at_ms)) + " ms");
}

// CONNECTs for the namespaces in `refused` get a CONNECT_ERROR; the others are accepted.
void refuse(Context& c, std::set<std::string> refused) {
  c.server().reply_connect = false;
  c.h().on_sio = [h = &c.h(), refused](const SioIn& p) {
    if (p.packet.type != 0) return false;
    if (!refused.contains(p.packet.nsp)) {
      h->accept_connect(p.sid, p.packet.nsp);
      return true;
    }
    const auto prefix = p.packet.nsp == "/" ? std::string() : p.packet.nsp + ",";
    h->send_sio(p.sid,
                "4" + prefix + R"({"message":"unauthorized","data":{"reason":"bad token"}})");
    return true;
  };
}

void connect_error_reported(Context& c) {
  refuse(c, {"/"});
  c.connect("s");
  const auto e = c.expect("connect_error", "s", Ms(5000), "the connection error");
  c.expect_eq("its message", "unauthorized", e.json.value("message", std::string()));
  c.expect_eq("its data", R"({"reason":"bad token"})", codec::dump(e.json.value("data", Json())));
  c.check(!e.json.value("active", true), "active after CONNECT_ERROR", "false (no automatic retry)",
          codec::dump(e.json.value("active", Json())));
  c.check(!c.find("connect", "s"), "the adapter's events", "no connect", "connect");
}

// A manager with /b accepted, then /a refused; returns the session's sid.
std::string refused_beside_accepted(Context& c) {
  refuse(c, {"/a"});
  c.manager("m");
  const auto sid = c.connected("b", {.nsp = "/b", .manager = "m"});
  c.connect("a", {.nsp = "/a", .manager = "m"});
  c.expect("connect_error", "a", Ms(5000), "the connection error of /a");
  return sid;
}

void no_retry_after_connect_error(Context& c) {
  const auto first = refused_beside_accepted(c);
  const auto e = *c.find("connect_error", "a");
  c.check(!e.json.value("active", true), "/a after CONNECT_ERROR", "inactive (active false)",
          codec::dump(e.json.value("active", Json())));
  c.idle(Ms(200));
  const auto from = c.h().events().size();
  c.h().drop(first);
  c.expect("disconnect", "b", Ms(5000), "the end of the session for /b", from);
  c.expect("connect", "b", Ms(5000), "/b connected again after the reconnection", from);
  const auto second = c.h().current_sid();
  c.idle(Ms(1000));
  const auto b = connects_of(c.h(), "/b", second);
  c.check(b.size() == 1, "CONNECTs to /b in the new session", "one", listed(b));
  const auto a = connects_of(c.h(), "/a");
  c.check(a.size() == 1, "CONNECTs to /a",
          "only the first, refused one (no automatic retry after CONNECT_ERROR)", listed(a));
  c.check(!c.find("connect", "a"), "the adapter's events", "no connect for /a", "connect for /a");
}

void others_unharmed(Context& c) {
  const auto sid = refused_beside_accepted(c);
  const auto from = c.h().events().size();
  c.h().emit(sid, "/b", Json::array({"to-b", 1}));
  const auto e = c.expect("event", "b", Ms(5000), "an event for /b after the refusal of /a", from);
  c.expect_eq("the event", "to-b", event_of(e));
  c.emit("b", "from-b", Json::array({2}));
  const auto p = c.expect_sio([](const SioIn& q) { return event_name(q) == "from-b"; }, Ms(5000),
                              "an event from /b after the refusal of /a");
  c.expect_eq("its namespace", "/b", p.packet.nsp);
  c.idle(Ms(300));
  for (const auto* q : sio_of(c.h()))
    c.check(!(q->packet.type == 1 && q->packet.nsp == "/b"), "the client's packets",
            "no DISCONNECT for /b", shown(*q));
  for (const auto& q : c.h().packets_in())
    c.check(q.packet.type != '1', "the client's Engine.IO packets", "no close", q.raw);
  c.check(c.handshakes() == 1 && c.h().session(sid)->closed_ms < 0, "the session",
          "still open, the only one", std::to_string(c.handshakes()) + " session(s)");
  c.check(!c.find("disconnect", "b"), "the adapter's events", "no disconnect for /b",
          "disconnect for /b");
}

void manual_retry(Context& c) {
  c.server().reply_connect = false;
  c.h().on_sio = [h = &c.h(), refusals = 0](const SioIn& p) mutable {
    if (p.packet.type != 0) return false;
    if (refusals++ == 0)
      h->send_sio(p.sid, R"(4{"message":"not yet"})");
    else
      h->accept_connect(p.sid, "/");
    return true;
  };
  c.connect("s", {.auth = kToken});
  const auto e = c.expect("connect_error", "s", Ms(5000), "the connection error");
  const auto from = c.h().sio_in().size();
  c.command({{"cmd", "socket_connect"}, {"id", "s"}});
  const auto p = c.expect_connect_packet("/", Ms(5000), from);
  const auto data = codec::parse_json(p.packet.data);
  c.check(data && same_json(*data, kToken), "the second CONNECT's payload",
          "the auth again: " + codec::dump(kToken), "4" + text::printable(p.text));
  c.expect("connect", "s", Ms(5000), "the connection after the second CONNECT", e.index + 1);
  c.idle(Ms(200));
  std::vector<const SioIn*> again;
  for (auto i = from; i < c.h().sio_in().size(); ++i)
    if (c.h().sio_in()[i].packet.type == 0) again.push_back(&c.h().sio_in()[i]);
  c.check(again.size() == 1, "CONNECTs after socket_connect", "one", listed(again));
}

void reply_without_sid(Context& c) {
  c.server().reply_connect = false;
  c.h().on_sio = [h = &c.h()](const SioIn& p) {
    if (p.packet.type != 0) return false;
    h->send_sio(p.sid, "0");
    return true;
  };
  c.connect("s");
  c.expect_connect_packet("/", Ms(5000));
  c.idle(Ms(1000));
  const auto connect = c.find("connect", "s");
  c.check(!connect, "the adapter's events after the reply 40 (no sid)",
          "no connect: a reply without sid is not a Socket.IO v5 connection",
          connect ? codec::dump(connect->json) : "");
  const auto error = c.find("connect_error", "s");
  c.passed("what the client reported", "(recorded)",
           error ? "connect_error: " + error->json.value("message", std::string()) : "nothing");
}

void one_connect_per_namespace(Context& c) {
  c.manager("m");
  const auto sid = c.connected("root", {.manager = "m"});
  c.connected("a1", {.nsp = "/a", .manager = "m"});
  c.connect("a2", {.nsp = "/a", .manager = "m"});
  c.idle(Ms(1000));
  const bool alive = c.h().sync(Ms(2000));
  c.check(alive, "the adapter after the second connect", "alive",
          alive ? "answering" : "no answer");
  const auto a = connects_of(c.h(), "/a", sid);
  c.check(a.size() == 1, "CONNECTs to /a in the session",
          "one (the namespace is already connected)", listed(a));
  const auto root = connects_of(c.h(), "/", sid);
  c.check(root.size() == 1, "CONNECTs to / in the session", "one", listed(root));
  c.check(c.handshakes() == 1, "handshakes", "one", std::to_string(c.handshakes()));
}

}  // namespace

void add_connect(std::vector<Case>& out) {
  const auto spec = kSioSpec + ", Connection to a namespace";
  out.push_back(
      {{.id = "client/connect/1",
        .title = "CONNECT to the main namespace",
        .requirement = "The CONNECT to \"/\" is 40, or 40 followed by the auth object: no "
                       "namespace, no comma",
        .source = spec},
       connect_to_root});
  out.push_back({{.id = "client/connect/2",
                  .title = "CONNECT to a custom namespace",
                  .requirement = "The CONNECT to /admin is 40/admin, or 40/admin, followed by the "
                                 "auth object, with no query in the namespace",
                  .source = spec},
                 connect_to_custom});
  out.push_back({{.id = "client/connect/3",
                  .title = "No implicit CONNECT to the main namespace",
                  .requirement = "In v5 the client connects only the namespaces asked for: a "
                                 "socket on /admin sends no CONNECT to \"/\"",
                  .source = kSioSpec + ", Difference between v5 and v4"},
                 no_implicit_root});
  out.push_back({{.id = "client/connect/4",
                  .title = "CONNECT follows the open promptly",
                  .requirement = "The client sends its CONNECT within 1 s of the Engine.IO "
                                 "handshake (servers close sessions that stay unconnected)",
                  .source = spec,
                  .timing = true},
                 connect_soon});
  out.push_back({{.id = "client/connect/5",
                  .title = "The socket id is the one of the CONNECT reply",
                  .requirement = "The reported socket id is the sid of the CONNECT reply, not the "
                                 "Engine.IO sid",
                  .source = kSioSpec + ", Difference between v5 and v4"},
                 id_from_reply});
  out.push_back({{.id = "client/connect/6",
                  .title = "No event before the CONNECT reply",
                  .requirement = "The client SHOULD NOT send an EVENT on a namespace before the "
                                 "CONNECT reply: an emit made meanwhile is sent after it",
                  .level = Level::should,
                  .source = kClientDocs + ", offline behavior (buffered events)",
                  .needs = {"offline_buffer"}},  // the emit comes before `connect`
                 no_event_before_reply});
  out.push_back({{.id = "client/connect/7",
                  .title = "CONNECT_ERROR is reported with its message and data",
                  .requirement = "A CONNECT_ERROR becomes a connect_error with the server's "
                                 "message and data, and the socket is no longer active",
                  .source = spec + "; " + kClientDocs + ", the Socket instance: connect_error",
                  .needs = {"connect_error_data"}},
                 connect_error_reported});
  out.push_back(
      {{.id = "client/connect/8",
        .title = "No automatic retry after CONNECT_ERROR, even after a reconnection",
        .requirement = "A namespace refused by CONNECT_ERROR is not CONNECTed again by "
                       "the client itself, not even when the connection is re-established",
        .source = kClientDocs + ", the Socket instance: connect_error (automatic "
                                "reconnection: no)",
        .needs = {"manager_api", "reconnection"}},
       no_retry_after_connect_error});
  out.push_back({{.id = "client/connect/9",
                  .title = "CONNECT_ERROR on one namespace leaves the others alone",
                  .requirement = "A namespace refused by CONNECT_ERROR does not disturb the other "
                                 "namespaces of the connection: no DISCONNECT, no close, events "
                                 "flow both ways",
                  .source = spec,
                  .needs = {"manager_api"}},
                 others_unharmed});
  out.push_back({{.id = "client/connect/10",
                  .title = "A manual connect after CONNECT_ERROR sends a new CONNECT with the auth",
                  .requirement = "After connect_error, connecting the socket by hand sends one new "
                                 "CONNECT carrying the auth payload, and an accepted one connects",
                  .source = kClientDocs + ", the Socket instance: connect_error (socket.connect() "
                                          "must be called by hand)"},
                 manual_retry});
  out.push_back(
      {{.id = "client/connect/11",
        .title = "A CONNECT reply without sid is no connection",
        .requirement = "A CONNECT reply without a sid (a v2 server's) SHOULD NOT be taken "
                       "for a connection",
        .level = Level::should,
        .source = kSioSpec + ", Connection to a namespace; " + kObserved},
       reply_without_sid});
  out.push_back({{.id = "client/connect/12",
                  .title = "One CONNECT per namespace",
                  .requirement = "Connecting a namespace that is already connected on the same "
                                 "manager sends no second CONNECT",
                  .source = kClientDocs + ", client API: manager.socket(); socket.io-client "
                                          "46213a6 (prevent duplicate connections)",
                  .needs = {"manager_api"}},
                 one_connect_per_namespace});
}

}  // namespace conform::client::cases
