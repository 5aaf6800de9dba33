// client/ws: one Engine.IO packet per WebSocket frame, attachments as raw binary frames both ways,
// and a closed or reset WebSocket that ends the session before the client comes back.
#include "client_areas.hpp"
#include "client_common.hpp"

namespace conform::client::cases {

namespace {

const Json kWebSocketOnly = {{"transports", Json::array({"websocket"})}};

// The client's frames on WebSocket connections, in order.
std::vector<const PacketIn*> frames(Harness& h) {
  std::vector<const PacketIn*> out;
  for (const auto& p : h.packets_in())
    if (p.ws >= 0) out.push_back(&p);
  return out;
}

std::string shown_frame(const PacketIn& p) {
  return p.packet.binary ? "binary " + text::attachment(p.raw) : "text " + text::quoted(p.raw);
}

bool same_json(const Json& a, const Json& b) {
  return nlohmann::json::parse(codec::dump(a)) == nlohmann::json::parse(codec::dump(b));
}

void one_packet_per_frame(Context& c) {
  c.connected("s", {.opts = kWebSocketOnly});
  const auto before = c.h().sio_in().size();
  for (int i = 0; i < 20; ++i)
    c.emit("s", "w", Json::array({i}));
  c.wait([&] { return c.h().sio_in().size() >= before + 20; }, Ms(5000));
  int carrying = 0;
  for (const auto* p : frames(c.h())) {
    if (p->packet.binary) continue;
    c.check(p->raw.find('\x1e') == std::string::npos, "a text frame from the client",
            "one Engine.IO packet (never several joined by \\x1e)", text::quoted(p->raw));
    if (p->raw.starts_with("42[\"w\",")) ++carrying;
  }
  c.expect_eq("frames carrying the 20 events", "20", std::to_string(carrying));
  std::string order;
  for (const auto* p : events_named(c.h(), "w"))
    order += (order.empty() ? "" : " ") + codec::dump(p->array().at(1));
  c.expect_eq("the events, in order", "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19", order);
}

void attachments_as_binary_frames(Context& c) {
  c.connected("s", {.opts = kWebSocketOnly});
  c.emit("s", "bin", Json::array({{{"$bin", "AQID"}}, {{"$bin", "CQ=="}}}));
  // The header frame and the two frames after it (pongs aside), however they look.
  std::vector<const PacketIn*> after;
  auto arrived = [&] {
    after.clear();
    bool header = false;
    for (const auto* p : frames(c.h())) {
      if (!p->packet.binary && p->raw.starts_with("45")) header = true;
      if (header && !(!p->packet.binary && p->packet.type == '3')) after.push_back(p);
    }
    return after.size() >= 3;
  };
  if (!c.wait(arrived, Ms(5000))) {
    std::string seen;
    for (const auto* p : frames(c.h()))
      seen += (seen.empty() ? "" : ", ") + shown_frame(*p);
    c.fail("the binary event", "a text frame 452-[...] and then two frames", seen);
  }
  const auto header = codec::parse_sio(after[0]->packet.data);
  c.check(header && header->type == 5 && header->attachments == 2, "the header frame",
          "a BINARY_EVENT announcing 2 attachments (452-...)", text::quoted(after[0]->raw));
  const Json placeholders = Json::array(
      {"bin", {{"_placeholder", true}, {"num", 0}}, {{"_placeholder", true}, {"num", 1}}});
  const auto data = codec::parse_json(header->data);
  c.check(data && same_json(*data, placeholders), "the header's payload", codec::dump(placeholders),
          text::printable(header->data));
  const std::string bytes[] = {std::string("\x01\x02\x03", 3), std::string("\x09", 1)};
  for (int i = 0; i < 2; ++i) {
    const auto* frame = after[static_cast<std::size_t>(i + 1)];
    const auto which = i == 0 ? std::string("the first frame after the header")
                              : std::string("the second frame after the header");
    c.check(frame->packet.binary, which, "a binary frame (no \"b\" + base64 text, no \"4\" prefix)",
            shown_frame(*frame));
    c.expect_eq(which + ": its bytes", text::attachment(bytes[i]), text::attachment(frame->raw));
  }
}

void binary_frames_from_server(Context& c) {
  const auto sid = c.connected("s", {.opts = kWebSocketOnly});
  c.h().send_sio(sid, R"(51-["b",{"_placeholder":true,"num":0}])",
                 {std::string("\x01\x02\x03\x04", 4)});
  c.h().send_sio(sid,
                 R"(52-["b2",{"x":{"_placeholder":true,"num":1}},[{"_placeholder":true,"num":0}]])",
                 {std::string("\x07", 1), std::string("\x08\x09", 2)});
  const auto first = c.expect("event", "s", Ms(5000), "the first binary event");
  c.expect_eq("the first event", R"(["b",[{"$bin":"AQIDBA=="}]])",
              codec::dump(Json::array(
                  {first.json.value("event", Json()), first.json.value("args", Json())})));
  const auto second = c.expect("event", "s", Ms(5000), "the second binary event", first.index + 1);
  c.expect_eq("the second event (placeholders out of order, nested)",
              R"(["b2",[{"x":{"$bin":"CAk="}},[{"$bin":"Bw=="}]]])",
              codec::dump(Json::array(
                  {second.json.value("event", Json()), second.json.value("args", Json())})));
}

// Waits for the end of the session the client is in, then for its next one; returns that sid.
std::string ended_then_back(Context& c, std::size_t from, std::size_t sessions,
                            const std::string& how) {
  const auto e = c.expect("disconnect", "s", Ms(5000), "the end of the session after " + how, from);
  if (c.has("disconnect_reasons")) {
    const auto reason = e.json.value("reason", std::string());
    c.check(reason == "transport close" || reason == "transport error",
            "the disconnect reason after " + how, "transport close or transport error", reason);
  }
  if (!c.wait([&] { return c.handshakes() > sessions; }, Ms(5000)))
    c.fail("a reconnection after " + how, "a new handshake", "none within 5 s");
  c.expect("connect", "s", Ms(5000), "the connection on the new session", e.index + 1);
  return c.h().current_sid();
}

void closed_or_reset(Context& c) {
  const auto first = c.connected("s", {.opts = kWebSocketOnly});
  c.h().close_websocket(first, 1000);
  const auto second = ended_then_back(c, 0, 1, "a close frame (1000)");
  c.check(second != first && !second.empty(), "the session after the close frame",
          "a new one (new sid)", second);
  const auto from = c.h().events().size();
  c.h().drop(second);
  const auto third = ended_then_back(c, from, 2, "a TCP reset");
  c.check(third != second && !third.empty(), "the session after the reset", "a new one (new sid)",
          third);
}

}  // namespace

void add_ws(std::vector<Case>& out) {
  const auto spec = kEioSpec + ", Transports (WebSocket)";
  out.push_back({{.id = "client/ws/1",
                  .title = "One packet per WebSocket frame",
                  .requirement = "Each Engine.IO packet is sent in its own WebSocket frame: 20 "
                                 "quick emits make 20 frames, none joined by \\x1e",
                  .source = spec,
                  .needs = {"websocket", "ws_only"}},
                 one_packet_per_frame});
  out.push_back(
      {{.id = "client/ws/2",
        .title = "Attachments go as binary frames right after their header",
        .requirement = "Over WebSocket, binary is sent as is: each attachment is a binary "
                       "frame of the raw bytes (no b+base64, no 4 prefix), right after "
                       "the BINARY_EVENT frame that announces it",
        .source = spec + "; " + kSioSpec + ", Packet encoding",
        .needs = {"websocket", "ws_only", "binary"}},
       attachments_as_binary_frames});
  out.push_back({{.id = "client/ws/3",
                  .title = "Binary frames from the server fill the placeholders",
                  .requirement = "Binary frames after a BINARY_EVENT become its attachments, each "
                                 "put where its placeholder number says, nested ones included",
                  .source = kSioSpec + ", Packet encoding",
                  .needs = {"websocket", "ws_only", "binary"}},
                 binary_frames_from_server});
  out.push_back(
      {{.id = "client/ws/4",
        .title = "A closed or reset WebSocket ends the session, and the client comes back",
        .requirement = "A close frame or a TCP reset of the WebSocket ends the session "
                       "(disconnect, transport close or transport error) and the client "
                       "reconnects with a new handshake",
        .source = kClientDocs + ", the Socket instance: disconnect (transport close "
                                "and transport error: reconnects)",
        .needs = {"websocket", "ws_only", "reconnection"}},
       closed_or_reset});
}

}  // namespace conform::client::cases
