// client/polling: one GET and one POST at a time, well-formed payloads, maxPayload, binary as
// "b"+base64 both ways, long payloads, UTF-8, the server's close packet and stray noops.
#include "client_areas.hpp"
#include "client_common.hpp"

namespace conform::client::cases {

namespace {

// Requests of `sid` with method `method`, in order.
std::vector<const Request*> of_method(Harness& h, const std::string& sid, std::string_view method) {
  std::vector<const Request*> out;
  for (const auto* r : requests_of(h, sid))
    if (r->method == method && !r->websocket) out.push_back(r);
  return out;
}

// Two requests of the same kind whose lifetimes overlap, as text; empty when none do.
std::string overlap(const std::vector<const Request*>& rs) {
  for (std::size_t i = 1; i < rs.size(); ++i) {
    const auto* before = rs[i - 1];
    if (before->answered_ms < 0 || rs[i]->at_ms < before->answered_ms)
      return "request " + std::to_string(before->index + 1) + " (" + shown(*before) +
             ") still open when request " + std::to_string(rs[i]->index + 1) + " came at " +
             std::to_string(static_cast<int>(rs[i]->at_ms)) + " ms";
  }
  return "";
}

// The names of the client's events named `prefix`N, in the order they came.
std::vector<int> sequence(Harness& h, const std::string& prefix) {
  std::vector<int> out;
  for (const auto* p : events_named(h))
    if (const auto name = event_name(*p); name.starts_with(prefix))
      out.push_back(std::stoi(name.substr(prefix.size())));
  return out;
}

std::string shown(const std::vector<int>& xs) {
  std::string out;
  for (const auto x : xs)
    out += (out.empty() ? "" : " ") + std::to_string(x);
  return out.empty() ? "none" : out;
}

std::vector<int> iota(int n) {
  std::vector<int> out;
  for (int i = 0; i < n; ++i)
    out.push_back(i);
  return out;
}

void emit_numbered(Context& c, const std::string& prefix, int n, Ms gap = Ms(0)) {
  for (int i = 0; i < n; ++i) {
    c.emit("s", prefix + std::to_string(i), Json::array());
    if (gap.count()) c.idle(gap);
  }
}

void all_arrive(Context& c, const std::string& prefix, int n) {
  c.wait([&] { return static_cast<int>(sequence(c.h(), prefix).size()) >= n; }, Ms(5000));
  c.expect_eq("the events, in order", shown(iota(n)), shown(sequence(c.h(), prefix)));
}

void one_get(Context& c) {
  c.server().upgrades = {};
  c.server().ping_interval = 1000;
  c.server().ping_timeout = 1000;
  const auto sid = c.connected("s");
  emit_numbered(c, "e", 20, Ms(100));
  c.idle(Ms(1000));
  const auto gets = of_method(c.h(), sid, "GET");
  const auto bad = overlap(gets);
  c.check(bad.empty(), "GET requests of the session", "one at a time", bad);
  c.check(gets.size() >= 3, "GET requests", "several over 3 s", std::to_string(gets.size()));
}

void one_post(Context& c) {
  c.server().upgrades = {};
  c.server().post_delay = Ms(200);
  const auto sid = c.connected("s");
  emit_numbered(c, "e", 20);
  all_arrive(c, "e", 20);
  const auto bad = overlap(of_method(c.h(), sid, "POST"));
  c.check(bad.empty(), "POST requests of the session", "one at a time", bad);
}

void bodies_well_formed(Context& c) {
  c.server().upgrades = {};
  const auto sid = c.connected("s");
  emit_numbered(c, "e", 20);
  all_arrive(c, "e", 20);
  for (const auto& p : c.h().packets_in())
    if (p.request >= 0)
      c.check(p.packet.type != '?' && !p.raw.empty(), "a record of a POST body",
              "an Engine.IO packet (records joined by \\x1e)", text::quoted(p.raw));
}

// An event whose packet (42["p",<string>]) is exactly `bytes` long.
void emit_sized(Context& c, int index, int bytes) {
  const std::string name = "p" + std::to_string(index);
  const int overhead = static_cast<int>(std::string("42[\"\",\"\"]").size() + name.size());
  c.emit("s", name, Json::array({std::string(static_cast<std::size_t>(bytes - overhead), 'x')}));
}

void respects_max_payload(Context& c) {
  c.server().upgrades = {};
  c.server().max_payload = 100;
  const auto sid = c.connected("s");
  const int sizes[] = {100, 35, 35, 40, 100, 100};
  for (int i = 0; i < 6; ++i)
    emit_sized(c, i, sizes[i]);
  c.wait([&] { return sequence(c.h(), "p").size() >= 6; }, Ms(3000));
  std::string posts;
  for (const auto* r : of_method(c.h(), sid, "POST"))
    posts += (posts.empty() ? "" : ", ") + std::to_string(r->body.size());
  for (const auto* r : of_method(c.h(), sid, "POST")) {
    const auto records = codec::split_payload(r->body);
    c.check(records.size() == 1 || r->body.size() <= 100,
            "a POST of " + std::to_string(records.size()) + " packets",
            "at most maxPayload (100) bytes",
            std::to_string(r->body.size()) + " bytes (POSTs: " + posts + ")");
  }
  c.expect_eq("the events, in order", shown(iota(6)), shown(sequence(c.h(), "p")));
}

void oversize_post_ends_session(Context& c) {
  c.server().upgrades = {};
  c.server().max_payload = 100;
  const auto sid = c.connected("s");
  emit_sized(c, 0, 150);
  const auto e = c.expect("disconnect", "s", Ms(3000), "the end of the session after the 413");
  if (c.has("disconnect_reasons"))
    c.expect_eq("the disconnect reason", "transport error", e.json.value("reason", std::string()));
  if (!c.wait([&] { return c.handshakes() >= 2; }, Ms(3000)))
    c.fail("a reconnection", "a new handshake after the 413", "none");
  std::string alone;
  for (const auto* r : of_method(c.h(), sid, "POST"))
    if (r->status == 413) alone = std::to_string(codec::split_payload(r->body).size());
  c.passed("the oversize packet's POST", "(recorded)", alone + " packet(s) in the refused POST");
}

void binary_as_base64(Context& c) {
  c.server().upgrades = {};
  const auto sid = c.connected("s");
  c.emit("s", "bin", Json::array({{{"$bin", "AQID"}}, {{"n", {{"$bin", "CQ=="}}}}}));
  c.expect_sio([](const SioIn& p) { return event_name(p) == "bin"; }, Ms(3000), "the binary event");
  std::vector<const PacketIn*> messages;
  for (const auto& p : c.h().packets_in())
    if (p.sid == sid && p.packet.type == '4') messages.push_back(&p);
  std::size_t at = messages.size();
  for (std::size_t i = 0; i < messages.size(); ++i)
    if (messages[i]->packet.data.starts_with("52-")) at = i;
  c.check(at + 2 < messages.size(), "the packets after the binary event's header",
          "its two attachments",
          std::to_string(messages.size() - std::min(at + 1, messages.size())));
  c.check(messages[at]->packet.data.starts_with("52-[\"bin\""), "the header", "52-[\"bin\",...]",
          messages[at]->raw);
  c.expect_eq("the first attachment", "bAQID", messages[at + 1]->raw);
  c.expect_eq("the second attachment", "bCQ==", messages[at + 2]->raw);
  for (std::size_t i = at; i <= at + 2; ++i) {
    const auto& r = c.h().requests()[static_cast<std::size_t>(messages[i]->request)];
    const auto type = r.header("content-type").value_or("");
    c.check(type.find("octet-stream") == std::string::npos, "the POST's Content-Type",
            "text (the body is text)", type);
  }
}

// Waits for the session's next GET to be pending.
void await_get(Context& c, const std::string& sid) {
  if (!c.wait([&] { return c.h().get_pending(sid); }, Ms(2000)))
    c.fail("the client's long-poll", "a pending GET", "none within 2 s");
}

void base64_from_server(Context& c) {
  c.server().upgrades = {};
  const auto sid = c.connected("s");
  await_get(c, sid);
  c.h().send_packet(sid, R"(451-["b",{"_placeholder":true,"num":0}])");
  c.idle(Ms(20));
  await_get(c, sid);
  c.h().send_packet(sid, std::string("\x01\x02\x03\x04", 4), true);
  const auto e = c.expect("event", "s", Ms(3000), "the binary event");
  c.expect_eq(
      "the event", R"(["b",[{"$bin":"AQIDBA=="}]])",
      codec::dump(Json::array({e.json.value("event", Json()), e.json.value("args", Json())})));
}

void long_payload(Context& c) {
  c.server().upgrades = {};
  const auto sid = c.connected("s");
  await_get(c, sid);
  std::vector<std::string> records;
  for (int i = 0; i < 64; ++i)
    records.push_back("42[\"n\"," + std::to_string(i) + "]");
  c.h().send_raw_body(sid, codec::join_payload(records));
  c.wait([&] { return c.count("event", "s") >= 64; }, Ms(3000));
  std::vector<int> got;
  for (const auto& e : c.h().events())
    if (e.ev == "event")
      got.push_back((e.json["args"].empty() ? -1 : e.json["args"][0].get<int>()));
  c.expect_eq("the events of one 64-packet response, in order", shown(iota(64)), shown(got));
}

// The packet carries `want` (MUST); raw UTF-8 rather than \u escapes is the SHOULD: both are
// the same JSON, but escapes make every non-ASCII character up to six bytes.
void same_text(Context& c, const std::string& what, const Json& want, const SioIn& p,
               const std::string& raw) {
  c.expect_eq(what + "'s arguments", codec::dump(want), codec::dump(p.array()));
  if (p.text != raw) c.alternative(what + ", byte for byte", raw, text::printable(p.text));
}

void utf8_both_ways(Context& c) {
  c.server().upgrades = {};
  const std::string text =
      "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xE3\x81\xA6\xE3\x81\x99\xE3\x81\xA8";
  const auto sid = c.connected("s");
  c.h().emit(sid, "/", Json::array({"u", text}), 1);
  const auto e = c.expect("event", "s", Ms(3000), "the event");
  c.expect_eq("the argument, as received", codec::dump(Json::array({text})),
              codec::dump(e.json.value("args", Json())));
  const auto ack =
      c.expect_sio([](const SioIn& p) { return p.packet.type == 3; }, Ms(3000), "the client's ack");
  same_text(c, "the ack", Json::array({text}), ack, "31[\"" + text + "\"]");
  c.emit("s", "u2", Json::array({text}));
  const auto back = c.expect_sio([](const SioIn& p) { return event_name(p) == "u2"; }, Ms(3000),
                                 "the client's event");
  same_text(c, "the client's event", Json::array({"u2", text}), back, "2[\"u2\",\"" + text + "\"]");
}

void close_packet(Context& c) {
  c.server().upgrades = {};
  const auto sid = c.connected("s");
  await_get(c, sid);
  c.h().close(sid);
  const auto e = c.expect("disconnect", "s", Ms(3000), "the end of the session");
  if (c.has("disconnect_reasons"))
    c.expect_eq("the disconnect reason", "transport close", e.json.value("reason", std::string()));
  if (!c.wait([&] { return c.handshakes() >= 2; }, Ms(3000)))
    c.fail("a reconnection", "a new handshake after the server's close packet", "none");
}

void stray_noops(Context& c) {
  c.server().upgrades = {};
  const auto sid = c.connected("s");
  for (const auto* body : {"6",
                           "6\x1e"
                           "6",
                           "6\x1e"
                           "42[\"x\"]"}) {
    await_get(c, sid);
    c.h().send_raw_body(sid, body);
    c.idle(Ms(20));
  }
  c.expect("event", "s", Ms(3000), "the event after the noops");
  await_get(c, sid);
  c.check(c.count("event", "s") == 1, "events", "only x", std::to_string(c.count("event", "s")));
  c.check(!c.find("disconnect", "s"), "the session", "still open", "disconnected");
}

}  // namespace

void add_polling(std::vector<Case>& out) {
  const auto spec = kEioSpec + ", Sending and receiving data";
  out.push_back({{.id = "client/polling/1",
                  .title = "One GET at a time",
                  .requirement = "The client MUST NOT have more than one active GET request",
                  .source = spec,
                  .needs = {"polling"}},
                 one_get});
  out.push_back({{.id = "client/polling/2",
                  .title = "One POST at a time",
                  .requirement = "The client MUST NOT have more than one active POST request; "
                                 "what it sends meanwhile goes in the next",
                  .source = spec,
                  .needs = {"polling"}},
                 one_post});
  out.push_back({{.id = "client/polling/3",
                  .title = "POST bodies are packets joined by the record separator",
                  .requirement = "A POST body is Engine.IO packets joined by \\x1e, none empty",
                  .source = kEioSpec + ", Packet encoding",
                  .needs = {"polling"}},
                 bodies_well_formed});
  out.push_back({{.id = "client/polling/4",
                  .title = "POSTs of several packets respect maxPayload",
                  .requirement = "The client SHOULD use maxPayload to decide how many packets go "
                                 "in one POST",
                  .level = Level::should,
                  .source = kEioSpec + ", Handshake (maxPayload)",
                  .needs = {"polling"}},
                 respects_max_payload});
  out.push_back({{.id = "client/polling/5",
                  .title = "A POST refused with 413 ends the session, and the client comes back",
                  .requirement = "A 413 answer to a POST is a transport error: the session ends "
                                 "(disconnect, transport error) and the client reconnects",
                  .source = kEioSpec + ", Handshake (maxPayload); " + kObserved,
                  .needs = {"polling", "reconnection"}},
                 oversize_post_ends_session});
  out.push_back({{.id = "client/polling/6",
                  .title = "Binary goes in POSTs as b+base64, one attachment a packet",
                  .requirement = "Binary payloads MUST be base64-encoded and prefixed with b; "
                                 "each attachment is a packet of its own after its header, and "
                                 "the body is sent as text",
                  .source = kEioSpec + ", Packet encoding",
                  .needs = {"polling", "binary"}},
                 binary_as_base64});
  out.push_back({{.id = "client/polling/7",
                  .title = "b+base64 from the server becomes bytes, across responses",
                  .requirement = "A b+base64 record in a GET response is binary, also when it is "
                                 "the attachment of a packet that came in the response before",
                  .source = kEioSpec + ", Packet encoding; " + kSioSpec + ", Packet encoding",
                  .needs = {"polling", "binary"}},
                 base64_from_server});
  out.push_back({{.id = "client/polling/8",
                  .title = "A long payload is delivered whole and in order",
                  .requirement = "Every packet of a GET response is delivered, in order: 64 "
                                 "events in one response make 64 events",
                  .source = kEioSpec + ", Packet encoding",
                  .needs = {"polling"}},
                 long_payload});
  out.push_back({{.id = "client/polling/9",
                  .title = "UTF-8 survives both ways",
                  .requirement = "Text survives both ways: the client's packets carry the same "
                                 "strings, and SHOULD carry them as raw UTF-8 (not \\u escapes)",
                  .source = kEioSpec + ", Packet encoding",
                  .needs = {"polling", "acks_in"}},
                 utf8_both_ways});
  out.push_back({{.id = "client/polling/10",
                  .title = "The server's close packet ends the session, and the client comes back",
                  .requirement = "A close packet (1) in a GET response closes the transport "
                                 "(disconnect, transport close); the client reconnects",
                  .source = kClientDocs + ", the Socket instance: disconnect (transport close: "
                                          "reconnects)",
                  .needs = {"polling", "reconnection"}},
                 close_packet});
  out.push_back({{.id = "client/polling/11",
                  .title = "Noops outside an upgrade are ignored",
                  .requirement = "A noop (6) carries nothing and is ignored wherever it comes",
                  .source = kEioSpec + ", Packet types (noop)",
                  .needs = {"polling"}},
                 stray_noops});
}

}  // namespace conform::client::cases
