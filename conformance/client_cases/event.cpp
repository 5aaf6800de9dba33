// client/event: the EVENT packet on "/" and on a custom namespace, received events whole and in
// order, numeric names, events for other namespaces, invalid EVENTs and unknown packet types
// (Socket.IO and Engine.IO) that close the connection, a garbage corpus that must not kill the
// client, and binary emits as BINARY_EVENT with numbered placeholders.
#include "client_areas.hpp"
#include "client_common.hpp"

namespace conform::client::cases {

namespace {

bool same_json(const Json& a, const Json& b) {
  return nlohmann::json::parse(codec::dump(a)) == nlohmann::json::parse(codec::dump(b));
}

const Json kArgs = Json::array({"s", 1.5, nullptr, true, {{"a", Json::array({1, {{"b", 2}}})}}});

void emit_encoding(Context& c, const std::string& nsp) {
  c.connected("s", {.nsp = nsp});
  c.emit("s", "e", kArgs);
  const auto p = c.expect_sio([](const SioIn& q) { return event_name(q) == "e"; }, Ms(5000),
                              "the client's event");
  const std::string head = nsp == "/" ? "2[" : "2" + nsp + ",[";
  c.check(p.packet.type == 2 && p.text.starts_with(head), "the packet",
          "4" + head + "\"e\",...] (an EVENT without id)", "4" + text::printable(p.text));
  Json want = Json::array({"e"});
  for (const auto& a : kArgs)
    want.push_back(a);
  c.check(same_json(p.value(), want), "its payload", codec::dump(want),
          text::printable(p.packet.data));
}

void emit_on_root(Context& c) {
  emit_encoding(c, "/");
}

void emit_on_custom(Context& c) {
  emit_encoding(c, "/admin");
}

Json sequence_args(int i) {
  return Json::array({i, {{"i", i}, {"s", std::string(static_cast<std::size_t>(i % 7), 'x')}}});
}

void in_order_both_ways(Context& c) {
  const auto sid = c.connected("s");
  constexpr int n = 200;
  for (int i = 0; i < n; ++i) {
    Json args = Json::array({"seq"});
    for (const auto& a : sequence_args(i))
      args.push_back(a);
    c.h().emit(sid, "/", args);
  }
  const auto received = c.h().events().size();
  c.wait([&] { return c.h().events().size() >= received + n; }, Ms(5000));
  int at = 0;
  for (const auto& e : c.h().events()) {
    if (e.ev != "event") continue;
    const auto want = sequence_args(at);
    if (event_of(e) != "seq" || !same_json(e.json.value("args", Json()), want))
      c.fail("received event " + std::to_string(at + 1) + " of " + std::to_string(n),
             "seq " + codec::dump(want), text::printable(codec::dump(e.json), {.max = 200}));
    ++at;
  }
  c.expect_eq("events received, in order and exact", std::to_string(n), std::to_string(at));
  // A cheap condition: the loop checks it after every frame.
  const auto before = c.h().sio_in().size();
  for (int i = 0; i < n; ++i)
    c.emit("s", "up", Json::array({i}));
  c.wait([&] { return c.h().sio_in().size() >= before + n; }, Ms(5000));
  int next = 0;
  for (const auto* p : events_named(c.h(), "up")) {
    const auto want = "[\"up\"," + std::to_string(next) + "]";
    if (codec::dump(p->value()) != want)
      c.fail("the client's event " + std::to_string(next + 1) + " of " + std::to_string(n), want,
             "4" + text::printable(p->text));
    ++next;
  }
  c.expect_eq("the client's events on the wire, in order", std::to_string(n), std::to_string(next));
}

void numeric_name(Context& c) {
  const auto sid = c.connected("s");
  c.h().send_sio(sid, R"(2[7,"x"])");
  const auto e = c.expect("event", "s", Ms(5000), "the event named 7");
  const auto name = e.json.value("event", Json());
  c.check(name == Json(7) || name == Json("7"), "the event's name", "7", codec::dump(name));
  c.expect_eq("its arguments", R"(["x"])", codec::dump(e.json.value("args", Json())));
}

void foreign_namespace(Context& c) {
  const auto sid = c.connected("s");
  c.h().send_sio(sid, R"(2/zzz,["x"])");
  c.h().send_sio(sid, R"(2/zzz,1["x-ack"])");
  c.h().send_sio(sid, R"(2["after"])");
  const auto done = [&] { return c.find("event", "s") || c.find("disconnect", "s"); };
  c.wait(done, Ms(5000));
  c.idle(Ms(100));
  for (const auto& e : c.h().events())
    if (e.ev == "event")
      c.check(event_of(e) == "after", "the events delivered",
              "only after (x and x-ack are for /zzz, which the client never joined)",
              text::printable(codec::dump(e.json), {.max = 200}));
  for (const auto* p : sio_of(c.h()))
    c.check(p->packet.type != 3, "the client's packets", "no ACK for /zzz", shown(*p));
  if (c.find("event", "s")) return;
  if (const auto d = c.find("disconnect", "s"))
    return c.passed("the client", "(recorded)",
                    "closed the connection: " + d->json.value("reason_raw", std::string()));
  c.fail("the event after the foreign ones", "after is delivered", "nothing within 5 s");
}

// The session the client's newest CONNECT came in.
std::string newest_session(Harness& h) {
  for (auto it = h.sio_in().rbegin(); it != h.sio_in().rend(); ++it)
    if (it->packet.type == 0) return it->sid;
  return "";
}

// The text of the adapter's events after `from` other than sync, compact.
std::string events_after(Harness& h, std::size_t from) {
  std::string out;
  for (auto i = from; i < h.events().size(); ++i)
    if (h.events()[i].ev != "sync")
      out += (out.empty() ? "" : ", ") + h.events()[i].ev + " " + event_of(h.events()[i]);
  return out.empty() ? "none" : out;
}

void invalid_events_close(Context& c) {
  c.connected("s");
  for (const std::string v : {R"(2{"a":1})", "2[]", R"(2["connect"])", R"(2["x")"}) {
    const auto sid = newest_session(c.h());
    const auto from = c.h().events().size();
    const auto sessions = c.handshakes();
    c.h().send_sio(sid, v);
    const auto d =
        c.expect("disconnect", "s", Ms(5000), "the end of the connection after 4" + v, from);
    c.check(c.count("event", "s", from) == 0, "the adapter's events after 4" + v,
            "no event (the payload is invalid)", events_after(c.h(), from));
    if (c.has("disconnect_reasons"))
      c.expect_eq("the disconnect reason after 4" + v, "parse error",
                  d.json.value("reason", std::string()));
    if (!c.wait([&] { return c.handshakes() > sessions; }, Ms(5000)))
      c.fail("a reconnection after 4" + v, "a new handshake", "none within 5 s");
    c.expect("connect", "s", Ms(5000), "the connection after 4" + v, d.index + 1);
  }
}

void unknown_sio_type(Context& c) {
  const auto sid = c.connected("s");
  const auto sent = c.h().elapsed_ms();
  c.h().send_sio(sid, "9[]");
  const auto d = c.expect("disconnect", "s", Ms(5000), "the end of the connection after 49[]");
  c.passed("the disconnect", "(recorded)",
           d.json.value("reason_raw", std::string()) + ", " +
               std::to_string(static_cast<int>(d.at_ms - sent)) + " ms after 49[]");
}

void unknown_eio_type_on(Context& c, const std::string& id, const std::string& transport) {
  const auto sid = c.connected(id, {.opts = {{"transports", Json::array({transport})}}});
  const auto from = c.h().events().size();
  const auto sent = c.h().elapsed_ms();
  c.h().send_packet(sid, "9zz");
  const auto d = c.expect("disconnect", id, Ms(5000),
                          "the end of the connection after 9zz (" + transport + ")", from);
  c.passed("the disconnect (" + transport + ")", "(recorded)",
           std::to_string(static_cast<int>(d.at_ms - sent)) + " ms after 9zz");
  if (c.has("disconnect_reasons"))
    c.expect_eq("the disconnect reason after 9zz (" + transport + ")", "transport error",
                d.json.value("reason", std::string()));
  c.disconnect(id);
}

void unknown_eio_type(Context& c) {
  c.server().upgrades = {};
  if (c.has("polling")) unknown_eio_type_on(c, "p", "polling");
  if (c.has("ws_only")) unknown_eio_type_on(c, "w", "websocket");
}

// ---- the garbage corpus ------------------------------------------------------------------------

struct Garbage {
  std::string name;
  std::vector<std::pair<std::string, bool>> packets;  // Engine.IO packets: text, or binary
  std::optional<std::string> body;                    // or a whole polling body
};

std::string nested(int depth, const std::string& inner = "") {
  return std::string(static_cast<std::size_t>(depth), '[') + inner +
         std::string(static_cast<std::size_t>(depth), ']');
}

std::vector<Garbage> websocket_corpus() {
  return {
      {"a text frame that is not UTF-8", {{"42[\"\xff\xfe\"]", false}}, {}},
      {"a binary frame with no BINARY_EVENT before it", {{std::string("\x01\x02", 2), true}}, {}},
      {"the text frame b!!! (b+base64 that is not base64)", {{"b!!!", false}}, {}},
      {"an empty text frame", {{"", false}}, {}},
  };
}

std::vector<Garbage> polling_corpus() {
  const std::string big(2 * 1024 * 1024, 'x');
  return {
      {"45999999-[] (999999 attachments announced)", {{"45999999-[]", false}}, {}},
      {"451-[\"x\",{placeholder 5}] and one attachment",
       {{R"(451-["x",{"_placeholder":true,"num":5}])", false}, {"\x01", true}},
       {}},
      {"42abc[", {{"42abc[", false}}, {}},
      {"43x", {{"43x", false}}, {}},
      {"4 (a message without a Socket.IO packet)", {{"4", false}}, {}},
      {"42null", {{"42null", false}}, {}},
      {"42[null] (no event name)", {{"42[null]", false}}, {}},
      {"42[{}] (an object as event name)", {{"42[{}]", false}}, {}},
      {"46[] (BINARY_ACK without attachment count)", {{"46[]", false}}, {}},
      {"41{\"x\":1} (a DISCONNECT with a payload)", {{R"(41{"x":1})", false}}, {}},
      {"43999[] (an ACK nobody waits for)", {{"43999[]", false}}, {}},
      {"40/x (a CONNECT reply for a namespace never asked for)", {{"40/x", false}}, {}},
      {"42/zzz,[\"x\"] (a namespace never joined)", {{R"(42/zzz,["x"])", false}}, {}},
      {"6abc (a noop with data)", {{"6abc", false}}, {}},
      {"b!!! (b+base64 that is not base64)", {{"b!!!", false}}, {}},
      {"a body with an empty record between two events",
       {},
       "42[\"e1\"]\x1e\x1e"
       "42[\"e2\"]"},
      {"an empty body", {}, ""},
      {"a body that is not UTF-8", {}, "42[\"\xff\xfe\"]"},
      {"42[\"x\",1e999] (a number out of range)", {{R"(42["x",1e999])", false}}, {}},
      {"a 2 MB string", {{"42[\"big\",\"" + big + "\"]", false}}, {}},
      {"an event 1000 arrays deep", {{"42[\"deep\"," + nested(1000) + "]", false}}, {}},
      {"an ACK nobody waits for, 10000 arrays deep", {{"43998" + nested(10000, "1"), false}}, {}},
      {"an event for a namespace never joined, 10000 arrays deep",
       {{"42/zzz,[\"deep\"," + nested(10000) + "]", false}},
       {}},
      {"44/x, (a CONNECT_ERROR without payload, another namespace)", {{"44/x,", false}}, {}},
      {"44/ (a CONNECT_ERROR without payload)", {{"44/", false}}, {}},
      {"42 (an EVENT without payload)", {{"42", false}}, {}},
  };
}

// What the adapter reported after `from`, other than the probe and sync: "event x, connect_error".
std::string reported(Harness& h, std::size_t from, const std::string& id) {
  std::string out;
  for (auto i = from; i < h.events().size(); ++i) {
    const auto& e = h.events()[i];
    if (e.ev == "sync" || e.json.value("id", std::string()) != id) continue;
    if (e.ev == "event" && event_of(e) == "probe") continue;
    std::string what = e.ev;
    if (e.ev == "event") {
      const auto name = e.json.value("event", Json());
      what += " " + (name.is_string() ? name.get<std::string>() : std::string("(not a string)"));
    } else if (e.ev == "disconnect") {
      what += " (" + e.json.value("reason_raw", std::string()) + ")";
    } else if (e.ev == "connect_error") {
      what += " (" + text::printable(e.json.value("message", std::string()), {.max = 60}) + ")";
    }
    out += (out.empty() ? "" : ", ") + what;
  }
  return out;
}

// Waits for the client's next connection of `id` after adapter event `from`; asks for one by
// hand when it does not come by itself.
void back_again(Context& c, const std::string& id, std::size_t from, const std::string& after) {
  if (c.wait([&] { return c.find("connect", id, from).has_value(); }, Ms(5000))) return;
  c.command({{"cmd", "socket_connect"}, {"id", id}});
  c.expect("connect", id, Ms(5000), "a new connection after " + after, from);
}

// Sends one item, then a probe event; returns what became of it.
std::string feed(Context& c, const std::string& id, const Garbage& item, int k) {
  const auto sid = newest_session(c.h());
  const auto from = c.h().events().size();
  if (item.body) {
    c.h().send_raw_body(sid, *item.body);
  } else {
    for (const auto& [data, binary] : item.packets)
      c.h().send_packet(sid, data, binary);
  }
  c.h().emit(sid, "/", Json::array({"probe", k}));
  std::optional<std::size_t> closed;
  bool probed = false;
  c.wait(
      [&] {
        for (auto i = from; i < c.h().events().size(); ++i) {
          const auto& e = c.h().events()[i];
          if (e.json.value("id", std::string()) != id) continue;
          if (e.ev == "disconnect") closed = i;
          if (e.ev == "event" && event_of(e) == "probe") probed = true;
        }
        return closed || probed;
      },
      Ms(3000));
  const auto seen = reported(c.h(), from, id);
  if (closed) {
    back_again(c, id, *closed, item.name);
    return "closed the connection (" + seen + ")";
  }
  if (probed) return seen.empty() ? "ignored" : "delivered (" + seen + ")";
  // Neither: a client that waits for something the corpus never sends. A fresh session.
  c.h().drop(sid);
  const auto d = c.expect("disconnect", id, Ms(5000), "the end of the session after a drop", from);
  back_again(c, id, d.index, item.name);
  return "no reaction within 3 s: the event after it was not delivered (" +
         (seen.empty() ? std::string("nothing reported") : seen) + ")";
}

void run_corpus(Context& c, const std::string& id, const std::vector<Garbage>& corpus, int& k) {
  for (const auto& item : corpus) {
    std::string outcome;
    try {
      outcome = feed(c, id, item, k++);
    } catch (const CaseOutcome& end) {
      if (end.verdict == Verdict::crash)
        c.fail(item.name, "the client lives on", "the adapter process ended after it");
      throw;
    }
    c.passed(item.name, "the client lives on", outcome);
  }
  const bool alive = c.h().sync(Ms(2000));
  c.check(alive, "the adapter after the corpus (" + id + ")", "alive and answering",
          alive ? "answering" : "no answer");
}

void garbage_corpus(Context& c) {
  c.server().upgrades = {};
  // Most items close the connection: the quicker the client comes back, the shorter the case.
  auto opts = [&c](const std::string& transport) {
    Json o = {{"transports", Json::array({transport})}};
    if (c.has("reconnection_params")) {
      o["reconnectionDelay"] = 10;
      o["reconnectionDelayMax"] = 10;
    }
    return o;
  };
  int k = 0;
  if (c.has("ws_only")) {
    c.connected("w", {.opts = opts("websocket")});
    run_corpus(c, "w", websocket_corpus(), k);
    c.disconnect("w");
  }
  if (c.has("polling")) {
    c.connected("p", {.opts = opts("polling")});
    run_corpus(c, "p", polling_corpus(), k);
  }
}

// ---- binary emits ------------------------------------------------------------------------------

void binary_emits(Context& c) {
  // Polling when the client has it, where the attachments are easiest to tell apart.
  Connect how;
  if (c.has("polling"))
    c.server().upgrades = {};
  else
    how.opts = {{"transports", Json::array({"websocket"})}};
  c.connected("s", how);
  const Json args = Json::array({{{"$bin", "AQID"}}, {{"x", Json::array({{{"$bin", "CQ=="}}})}}});
  const Json placeholders =
      Json::array({"b",
                   {{"_placeholder", true}, {"num", 0}},
                   {{"x", Json::array({{{"_placeholder", true}, {"num", 1}}})}}});
  Json with_bytes = Json::array({"b"});
  for (const auto& a : args)
    with_bytes.push_back(a);
  auto check_packet = [&](const SioIn& p, const std::string& what, bool ack) {
    c.check(p.packet.type == 5, what + ": its type", "5 (BINARY_EVENT)",
            std::to_string(p.packet.type) + " in 4" + text::printable(p.text));
    c.check(p.packet.attachments == 2, what + ": its attachment count", "2",
            std::to_string(p.packet.attachments) + " in 4" + text::printable(p.text));
    if (ack)
      c.check(p.packet.id.has_value() && p.text.starts_with("52-" + std::to_string(*p.packet.id)),
              what + ": its id", "452-<id>[...]", "4" + text::printable(p.text));
    else
      c.check(!p.packet.id && p.text.starts_with("52-["), what + ": its header", "452-[... (no id)",
              "4" + text::printable(p.text));
    const auto data = codec::parse_json(p.packet.data);
    c.check(data && same_json(*data, placeholders), what + ": its placeholders, 0 then 1",
            codec::dump(placeholders), text::printable(p.packet.data));
    c.check(same_json(p.value(), with_bytes), what + ": the attachments in place",
            codec::dump(with_bytes), shown(p));
  };
  c.emit("s", "b", args);
  const auto plain =
      c.expect_sio([](const SioIn& p) { return event_name(p) == "b" && !p.packet.id; }, Ms(5000),
                   "the binary event");
  check_packet(plain, "the binary event", false);
  if (!c.has("acks_out")) return;
  c.emit("s", "b", args, true, 1);
  const auto acked =
      c.expect_sio([](const SioIn& p) { return event_name(p) == "b" && p.packet.id.has_value(); },
                   Ms(5000), "the binary event with an ack");
  check_packet(acked, "the binary event with an ack", true);
}

}  // namespace

void add_event(std::vector<Case>& out) {
  const auto spec = kSioSpec + ", Packet format (EVENT)";
  out.push_back({{.id = "client/event/1",
                  .title = "An emit is an EVENT with the arguments as JSON",
                  .requirement = "An emit on \"/\" is 42[name, ...args], the arguments JSON-equal "
                                 "to what was emitted: strings, numbers, null, booleans, nesting",
                  .source = spec},
                 emit_on_root});
  out.push_back({{.id = "client/event/2",
                  .title = "An emit on a custom namespace names it",
                  .requirement = "An emit on /admin is 42/admin,[name, ...args]",
                  .source = spec},
                 emit_on_custom});
  out.push_back({{.id = "client/event/3",
                  .title = "Events arrive whole and in order, both ways",
                  .requirement = "200 events from the server are delivered in order with their "
                                 "exact arguments, and 200 emits go out in order",
                  .source = kClientDocs + ", delivery guarantees (message ordering)"},
                 in_order_both_ways});
  out.push_back({{.id = "client/event/4",
                  .title = "A number is a valid event name",
                  .requirement = "An EVENT whose name is a number (42[7,\"x\"]) SHOULD be "
                                 "delivered as an event named 7",
                  .level = Level::should,
                  .source = kSioSpec + ", Packet format (EVENT); socket.io-client 3.1.0 (allow "
                                       "integers as event names)",
                  .needs = {"numeric_event_names"}},
                 numeric_name});
  out.push_back({{.id = "client/event/5",
                  .title = "Events for a namespace the client never joined are dropped",
                  .requirement = "An EVENT for a namespace the client is not connected to is not "
                                 "delivered, and one that asks for an ack is not acknowledged",
                  .source = kSioSpec + ", Connection to a namespace"},
                 foreign_namespace});
  out.push_back({{.id = "client/event/6",
                  .title = "An invalid EVENT closes the connection, and the client comes back",
                  .requirement = "The EVENT payload MUST be a non-empty array whose first element "
                                 "is a name that is not reserved; otherwise the client MUST close "
                                 "the connection (parse error), then it reconnects",
                  .source = spec,
                  .needs = {"reconnection"}},
                 invalid_events_close});
  out.push_back({{.id = "client/event/7",
                  .title = "An unknown Socket.IO packet type closes the connection",
                  .requirement = "A packet whose Socket.IO type is unknown (49[]) closes the "
                                 "connection",
                  .source = kSioSpec + ", Packet types"},
                 unknown_sio_type});
  out.push_back({{.id = "client/event/8",
                  .title = "An unknown Engine.IO packet type closes the connection",
                  .requirement = "A packet whose Engine.IO type is unknown (9zz) SHOULD close the "
                                 "connection (transport error), over long-polling and over "
                                 "WebSocket",
                  .level = Level::should,
                  .source = kEioSpec + ", Packet types; " + kObserved},
                 unknown_eio_type});
  out.push_back({{.id = "client/event/9",
                  .title = "Garbage never kills the client",
                  .requirement = "Whatever the server sends (malformed packets, impossible "
                                 "attachments, bytes that are not UTF-8, a 2 MB string, deep "
                                 "nesting), the client process lives on; each item is recorded as "
                                 "closed, ignored or delivered",
                  .source = kSioSpec + ", Packet encoding; " + kEioSpec + ", Packet encoding"},
                 garbage_corpus});
  out.push_back({{.id = "client/event/10",
                  .title = "A binary emit is a BINARY_EVENT with numbered placeholders",
                  .requirement = "An emit with binary arguments is 452-[...] with one placeholder "
                                 "per attachment, numbered 0..n-1 in order, nested ones included, "
                                 "and the bytes as attachments; with an ack it is 452-<id>[...]",
                  .source = kSioSpec + ", Packet encoding (BINARY_EVENT)",
                  .needs = {"binary"}},
                 binary_emits});
}

}  // namespace conform::client::cases
