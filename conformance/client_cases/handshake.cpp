// client/handshake: the first request, the sid on every later one, a WebSocket-only start, extra
// query parameters, open packets with unknown keys or other first packets, and a handshake that
// fails before one succeeds.
#include <memory>

#include "client_areas.hpp"
#include "client_common.hpp"

namespace conform::client::cases {

namespace {

const auto kAny = [](const Request&) { return true; };

void first_request(Context& c) {
  c.connect("s");
  const auto r = c.expect_request(kAny, Ms(5000), "the client's first request");
  c.check(!r.websocket && r.method == "GET", "the first request", "GET (long-polling)", shown(r));
  c.expect_eq("its path", c.server().path, r.path);
  c.expect_eq("EIO", "4", r.param("EIO").value_or("(absent)"));
  c.expect_eq("transport", "polling", r.param("transport").value_or("(absent)"));
  c.check(!r.param("sid"), "sid", "absent (no session yet)", r.param("sid").value_or(""));
}

void sid_everywhere(Context& c) {
  const auto sid = c.connected("s");
  expect_upgraded(c, sid, Ms(3000));
  c.emit("s", "after-upgrade", Json::array({1}));
  c.expect_sio([](const SioIn& p) { return event_name(p) == "after-upgrade"; }, Ms(3000),
               "the event after the upgrade");
  int later = 0;
  for (const auto& r : c.h().requests()) {
    if (r.index == c.h().sessions().front().request) continue;
    ++later;
    c.check(r.sid == sid && r.param("EIO") == "4", "request " + std::to_string(r.index + 1),
            "EIO=4 and sid=" + sid, shown(r));
  }
  // A client may upgrade before it sends anything by POST: the probe alone is enough to judge.
  c.check(later >= 1, "requests after the handshake", "at least the WebSocket probe",
          std::to_string(later));
}

void websocket_only(Context& c) {
  c.connect("s", {.opts = {{"transports", Json::array({"websocket"})}}});
  const auto r = c.expect_request(kAny, Ms(5000), "the client's first request");
  c.check(r.websocket, "the first request", "a WebSocket upgrade", shown(r));
  c.expect_eq("EIO", "4", r.param("EIO").value_or("(absent)"));
  c.expect_eq("transport", "websocket", r.param("transport").value_or("(absent)"));
  c.check(!r.param("sid"), "sid", "absent", r.param("sid").value_or(""));
  c.expect("connect", "s", Ms(5000), "the adapter reports the connection");
  for (const auto& p : c.h().packets_in())
    c.check(!(p.packet.type == '2' && p.packet.data == "probe"), "the packets on the WebSocket",
            "no 2probe (there is nothing to upgrade)", p.raw);
}

void query_everywhere(Context& c) {
  const auto sid = c.connected("s", {.opts = {{"query", {{"x", "42"}, {"EIO", "3"}}}}});
  c.emit("s", "q", Json::array());
  c.expect_sio([](const SioIn& p) { return event_name(p) == "q"; }, Ms(3000), "the event");
  for (const auto& r : c.h().requests()) {
    c.expect_eq("x on " + shown(r), "42", r.param("x").value_or("(absent)"));
    c.expect_eq("EIO on " + shown(r), "4", r.param("EIO").value_or("(absent)"));
  }
}

void open_with_unknown_keys(Context& c) {
  c.server().open_edit = [](Json open) {
    // Unknown keys first, the known ones in reverse order.
    Json out = Json::object();
    out["zz"] = Json::array({1});
    out["future"] = {{"a", true}};
    std::vector<std::string> keys;
    for (const auto& [k, v] : open.items())
      keys.push_back(k);
    for (auto it = keys.rbegin(); it != keys.rend(); ++it)
      out[*it] = open[*it];
    return out;
  };
  c.connect("s");
  c.expect("connect", "s", Ms(3000), "the connection, whatever the keys' order");
}

// Handshakes answered with a 200 whose body is not an open packet.
void refuse_handshakes_with(Context& c, std::string body) {
  c.h().on_request = [body](const Request& r) -> std::optional<Answer> {
    if (r.handshake() && !r.websocket) return Answer{.body = body};
    return std::nullopt;
  };
  c.connect("s", {.opts = {{"transports", Json::array({"polling"})}}});
  c.expect_request(kAny, Ms(5000), "the handshake");
  c.idle(Ms(1500));
  c.check(!c.find("connect", "s"), "the adapter's events", "no connect",
          "connect, after a first packet " + text::printable(body));
  c.check(c.h().sio_in().empty(), "the client's packets", "no CONNECT (there is no session)",
          c.h().sio_in().empty() ? "" : shown(c.h().sio_in().front()));
  c.check(c.h().sync(Ms(2000)), "the client after it", "alive and answering", "no answer");
}

void not_open_first(Context& c) {
  refuse_handshakes_with(c, "4hello");
}

void malformed_open(Context& c) {
  refuse_handshakes_with(c, "0{\"sid\":");
}

void failed_handshakes_retried(Context& c) {
  // Held by the hook: the loop may still run it after the case returns (judging the adapter).
  auto refused = std::make_shared<int>(0);
  c.h().on_request = [refused](const Request& r) -> std::optional<Answer> {
    if (!r.handshake() || r.websocket || *refused >= 2) return std::nullopt;
    ++*refused;
    if (*refused == 1) return Answer{.status = 500, .body = "internal error"};
    return Answer{.status = 400,
                  .body = R"({"code":5,"message":"Unsupported protocol version"})",
                  .content_type = "application/json"};
  };
  c.connect("s");
  const auto first = c.expect("connect_error", "s", Ms(3000), "the first connection error");
  c.check(first.json.value("active", false), "active after a failed handshake", "true",
          codec::dump(first.json.value("active", Json())));
  const auto second =
      c.expect("connect_error", "s", Ms(3000), "the second connection error", first.index + 1);
  c.check(second.json.value("active", false), "active after the second", "true",
          codec::dump(second.json.value("active", Json())));
  c.expect("connect", "s", Ms(3000), "the connection on the third handshake");
  c.check(*refused == 2 && c.handshakes() == 1, "handshakes", "two refused, then one session",
          std::to_string(*refused) + " refused, " + std::to_string(c.handshakes()) + " sessions");
}

}  // namespace

void add_handshake(std::vector<Case>& out) {
  out.push_back({{.id = "client/handshake/1",
                  .title = "The first request is a long-polling handshake",
                  .requirement = "The client opens with GET <path>?EIO=4&transport=polling, "
                                 "without a sid: long-polling first, then the upgrade",
                  .source = kEioSpec + ", Handshake and Upgrade",
                  .needs = {"polling"}},
                 first_request});
  out.push_back({{.id = "client/handshake/2",
                  .title = "Every later request carries the sid",
                  .requirement = "The client MUST send the sid in the query of all subsequent "
                                 "requests, the WebSocket probe included",
                  .source = kEioSpec + ", Handshake",
                  .needs = {"upgrade"}},
                 sid_everywhere});
  out.push_back({{.id = "client/handshake/3",
                  .title = "A WebSocket-only connection starts with the upgrade request",
                  .requirement = "With WebSocket only, the first request is a WebSocket upgrade "
                                 "with EIO=4&transport=websocket and no sid; the open packet "
                                 "comes in the first frame, and no probe follows",
                  .source = kEioSpec + ", Handshake",
                  .needs = {"ws_only"}},
                 websocket_only});
  out.push_back({{.id = "client/handshake/4",
                  .title = "Extra query parameters ride on every request",
                  .requirement = "The query option's parameters appear on every request and never "
                                 "replace EIO, transport or sid",
                  .level = Level::should,
                  .source = kClientDocs + ", client options: query",
                  .needs = {"query"}},
                 query_everywhere});
  out.push_back({{.id = "client/handshake/5",
                  .title = "Unknown keys in the open packet are tolerated",
                  .requirement = "An open packet with unknown keys, its keys in another order, is "
                                 "still a handshake",
                  .level = Level::should,
                  .source = kEioSpec + ", Handshake"},
                 open_with_unknown_keys});
  out.push_back({{.id = "client/handshake/6",
                  .title = "A first packet other than open is no session",
                  .requirement = "A handshake answer whose first packet is not open opens no "
                                 "session: no connection, no CONNECT, and the client lives on",
                  .source = kEioSpec + ", Handshake; engine.io-client 4.0.4 (check the type "
                                       "of the initial packet)",
                  .needs = {"polling"}},
                 not_open_first});
  out.push_back({{.id = "client/handshake/7",
                  .title = "A malformed open packet does not bring the client down",
                  .requirement = "An open packet that is not JSON opens no session, and the "
                                 "client process lives on",
                  .source = kEioSpec + ", Handshake",
                  .needs = {"polling"}},
                 malformed_open});
  out.push_back({{.id = "client/handshake/8",
                  .title = "A failed handshake is retried",
                  .requirement = "An HTTP error on the handshake is temporary: connect_error "
                                 "with active true, a new attempt, and the connection once the "
                                 "server accepts",
                  .source = kClientDocs + ", the Socket instance: connect_error",
                  .needs = {"reconnection"}},
                 failed_handshakes_retried});
}

}  // namespace conform::client::cases
