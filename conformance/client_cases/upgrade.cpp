// client/upgrade: the probe and the upgrade packet, polling paused while it runs, one noop enough,
// no polling after it, nothing lost or doubled around it, a failed probe, no upgrade where none
// is offered, and one WebSocket per session.
#include "client_areas.hpp"
#include "client_common.hpp"

namespace conform::client::cases {

namespace {

const WsConn* probe_of(Harness& h, const std::string& sid) {
  for (const auto& w : h.websockets())
    if (w.sid == sid && w.probe) return &w;
  return nullptr;
}

// The packets the client sent on WebSocket `index`.
std::vector<const PacketIn*> frames_of(Harness& h, int index) {
  std::vector<const PacketIn*> out;
  for (const auto& p : h.packets_in())
    if (p.ws == index) out.push_back(&p);
  return out;
}

double time_of_out(Harness& h, const std::string& sid, std::string_view data) {
  for (const auto& o : h.packets_out())
    if (o.sid == sid && o.data == data) return o.at_ms;
  return -1;
}

double time_of_upgrade(Harness& h, const std::string& sid) {
  for (const auto& p : h.packets_in())
    if (p.sid == sid && p.ws >= 0 && p.packet.type == '5') return p.at_ms;
  return -1;
}

void probe_then_upgrade(Context& c) {
  const auto sid = c.connected("s");
  expect_upgraded(c, sid, Ms(3000));
  const auto* probe = probe_of(c.h(), sid);
  c.check(probe != nullptr, "the probe", "a WebSocket with the session's sid", "none");
  const auto frames = frames_of(c.h(), probe->index);
  c.check(frames.size() >= 2, "the probe's first frames", "2probe, then 5",
          std::to_string(frames.size()) + " frames");
  c.expect_eq("the probe's first frame", "2probe", frames[0]->raw);
  c.expect_eq("the frame after 3probe", "5", frames[1]->raw);
}

// Polling requests of `sid` that started between `from` and `to`, as text.
std::string started_between(Harness& h, const std::string& sid, double from, double to) {
  std::string out;
  for (const auto* r : requests_of(h, sid))
    if (!r->websocket && r->at_ms > from && r->at_ms < to)
      out += (out.empty() ? "" : ", ") + shown(*r) + " at " +
             std::to_string(static_cast<int>(r->at_ms)) + " ms";
  return out;
}

void paused_while_upgrading(Context& c) {
  c.server().probe_when_get_held = true;  // a GET already on its way is not a new one
  c.server().noop_delay = Ms(400);
  c.server().noop_every_100ms = false;
  const auto sid = c.connected("s");
  expect_upgraded(c, sid, Ms(4000));
  const auto probe_answered = time_of_out(c.h(), sid, "3probe");
  const auto upgraded = time_of_upgrade(c.h(), sid);
  const auto during = started_between(c.h(), sid, probe_answered, upgraded);
  c.check(during.empty(), "polling requests between 3probe and 5", "none (polling is paused)",
          during);
  for (const auto* r : requests_of(c.h(), sid))
    if (!r->websocket && r->at_ms < probe_answered)
      c.check(r->answered_ms >= 0 && r->answered_ms <= upgraded,
              "the upgrade packet (5) at " + std::to_string(static_cast<int>(upgraded)) + " ms",
              "after every polling request has completed",
              shown(*r) + (r->answered_ms < 0
                               ? " never answered"
                               : " answered at " +
                                     std::to_string(static_cast<int>(r->answered_ms)) + " ms"));
}

void one_noop_enough(Context& c) {
  c.server().noop_every_100ms = false;
  const auto sid = c.connected("s");
  expect_upgraded(c, sid, Ms(4000));
  const auto took = time_of_upgrade(c.h(), sid) - time_of_out(c.h(), sid, "3probe");
  c.check(took <= 1000, "the upgrade after one noop", "5 within 1 s of 3probe",
          std::to_string(static_cast<int>(took)) + " ms");
}

void no_polling_after(Context& c) {
  const auto sid = c.connected("s");
  expect_upgraded(c, sid, Ms(3000));
  const auto upgraded = time_of_upgrade(c.h(), sid);
  for (int i = 0; i < 10; ++i) {
    c.emit("s", "c" + std::to_string(i), Json::array());
    c.h().emit(sid, "/", Json::array({"s", i}));
    c.idle(Ms(200));
  }
  const auto after = started_between(c.h(), sid, upgraded, 1e12);
  c.check(after.empty(), "polling requests after the upgrade", "none", after);
}

void nothing_lost_or_doubled(Context& c) {
  c.server().probe_delay = Ms(100);
  c.connected("s");  // emits from here on are online: the probe's answer is still 100 ms away
  for (int i = 0; i < 100; ++i) {
    c.emit("s", "q" + std::to_string(i), Json::array());
    c.idle(Ms(5));
  }
  c.wait([&] { return events_named(c.h()).size() >= 100; }, Ms(5000));
  std::string got;
  std::string want;
  int polling = 0, websocket = 0;
  for (const auto* p : events_named(c.h())) {
    got += (got.empty() ? "" : " ") + event_name(*p);
    (p->websocket ? websocket : polling)++;
  }
  for (int i = 0; i < 100; ++i)
    want += (want.empty() ? "" : " ") + ("q" + std::to_string(i));
  c.expect_eq("the client's 100 events around the upgrade, in order, once each", want, got);
  c.passed(
      "how they travelled", "(recorded)",
      std::to_string(polling) + " by POST, " + std::to_string(websocket) + " on the WebSocket");
}

void queued_before_sent_after(Context& c) {
  std::string session;
  c.h().on_packet = [&](const PacketIn& p) {
    if (p.ws >= 0 && p.packet.type == '2' && p.packet.data == "probe")
      for (int i = 1; i <= 5; ++i)
        c.h().emit(p.sid, "/", Json::array({"s", i}));
    return false;
  };
  session = c.connected("s");
  expect_upgraded(c, session, Ms(3000));
  for (int i = 6; i <= 10; ++i)
    c.h().emit(session, "/", Json::array({"s", i}));
  c.wait([&] { return c.count("event", "s") >= 10; }, Ms(3000));
  std::string got;
  for (const auto& e : c.h().events())
    if (e.ev == "event")
      got += (got.empty() ? "" : " ") +
             codec::dump(e.json["args"].empty() ? Json() : e.json["args"][0]);
  c.expect_eq("the server's events, 1-5 queued on polling, 6-10 on the WebSocket",
              "1 2 3 4 5 6 7 8 9 10", got);
}

void failed_probe(Context& c) {
  c.server().probe_answer = "3nope";
  const auto sid = c.connected("s");
  if (!c.wait([&] { return probe_of(c.h(), sid) != nullptr; }, Ms(3000)))
    c.unimplemented("the client did not try an upgrade");
  c.idle(Ms(300));
  c.emit("s", "still-polling", Json::array());
  const auto e = c.expect_sio([](const SioIn& p) { return event_name(p) == "still-polling"; },
                              Ms(3000), "the event after the failed probe");
  c.check(!e.websocket, "how the event travelled", "by POST (the session stays on polling)",
          "on a WebSocket");
  c.check(time_of_upgrade(c.h(), sid) < 0, "the upgrade packet", "never sent", "5 sent");
  if (const auto d = c.find("disconnect", "s"))
    c.fail("the session", "still open", codec::dump(d->json));
}

void none_offered(Context& c) {
  struct Variant {
    std::vector<std::string> upgrades;
    Json opts;
    std::string what;
  };
  std::vector<Variant> variants = {{{}, Json::object(), "upgrades []"},
                                   {{"foo"}, Json::object(), "upgrades [\"foo\"]"}};
  if (c.has("upgrade_option"))
    variants.push_back({{"websocket"}, {{"upgrade", false}}, "the client's upgrade: false"});
  int n = 0;
  for (const auto& v : variants) {
    c.server().upgrades = v.upgrades;
    const auto id = "s" + std::to_string(++n);
    const auto before = c.h().websockets().size();
    c.connected(id, {.opts = v.opts});
    c.idle(Ms(1500));
    c.check(c.h().websockets().size() == before, "WebSocket requests with " + v.what, "none",
            std::to_string(c.h().websockets().size() - before));
    c.disconnect(id);
    c.expect("disconnect", id, Ms(2000), "the disconnect before the next variant");
  }
}

void one_websocket(Context& c) {
  const auto sid = c.connected("s");
  expect_upgraded(c, sid, Ms(3000));
  c.idle(Ms(2000));
  int n = 0;
  for (const auto* r : requests_of(c.h(), sid))
    if (r->websocket) ++n;
  c.check(n == 1, "WebSocket requests for the session", "one", std::to_string(n));
}

}  // namespace

void add_upgrade(std::vector<Case>& out) {
  const auto spec = kEioSpec + ", Upgrade";
  out.push_back({{.id = "client/upgrade/1",
                  .title = "The probe is 2probe, the upgrade 5",
                  .requirement = "The client opens a WebSocket with the same sid, sends 2probe "
                                 "as its first frame and, after 3probe, exactly 5",
                  .source = spec,
                  .needs = {"upgrade"}},
                 probe_then_upgrade});
  out.push_back({{.id = "client/upgrade/2",
                  .title = "Polling is paused during the upgrade",
                  .requirement = "The client MUST pause long-polling (no new HTTP request) and "
                                 "sends 5 only once the pending GET and POST have completed",
                  .source = spec,
                  .needs = {"upgrade"},
                  .timing = true},
                 paused_while_upgrading});
  out.push_back({{.id = "client/upgrade/3",
                  .title = "One noop is enough",
                  .requirement = "A single noop releasing the pending GET lets the upgrade finish "
                                 "promptly (no further GET waiting for another)",
                  .level = Level::should,
                  .source = spec + "; socketioxide issue 479",
                  .needs = {"upgrade"},
                  .timing = true},
                 one_noop_enough});
  out.push_back({{.id = "client/upgrade/4",
                  .title = "No polling after the upgrade",
                  .requirement = "Once 5 is sent, the session's traffic is on the WebSocket: no "
                                 "more polling requests",
                  .source = spec,
                  .needs = {"upgrade"}},
                 no_polling_after});
  out.push_back({{.id = "client/upgrade/5",
                  .title = "The client's events around the upgrade arrive once, in order",
                  .requirement = "Events emitted while the transport changes arrive exactly once "
                                 "and in order, across POSTs and the WebSocket",
                  .source = spec + "; socket.io documentation, delivery guarantees",
                  .needs = {"upgrade"}},
                 nothing_lost_or_doubled});
  out.push_back({{.id = "client/upgrade/6",
                  .title = "The server's packets around the upgrade arrive in order",
                  .requirement = "Packets queued on long-polling while the probe runs are "
                                 "delivered before the ones sent on the WebSocket after it",
                  .source = spec,
                  .needs = {"upgrade"}},
                 queued_before_sent_after});
  out.push_back({{.id = "client/upgrade/7",
                  .title = "A failed probe keeps the polling session",
                  .requirement = "When the probe is not answered with 3probe, the client sends no "
                                 "5 and goes on over long-polling, without a disconnect",
                  .level = Level::should,
                  .source = spec,
                  .needs = {"upgrade"}},
                 failed_probe});
  out.push_back({{.id = "client/upgrade/8",
                  .title = "No upgrade where none is offered, or when turned off",
                  .requirement = "The client upgrades only to a transport the handshake offers "
                                 "and it knows, and not at all with upgrade: false",
                  .source = spec + "; " + kClientDocs + ", client options: upgrade",
                  .needs = {"polling"}},
                 none_offered});
  out.push_back({{.id = "client/upgrade/9",
                  .title = "One WebSocket per session",
                  .requirement = "A client MUST NOT open more than one WebSocket connection per "
                                 "session",
                  .source = kEioSpec + ", Transports (WebSocket)",
                  .needs = {"upgrade"}},
                 one_websocket});
}

}  // namespace conform::client::cases
