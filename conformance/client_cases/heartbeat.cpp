// client/heartbeat: pongs on both transports, no ping from the client, a session kept alive by the
// server's pings, silence detected from the handshake's values, and the reconnection after it.
#include "client_areas.hpp"
#include "client_common.hpp"

namespace conform::client::cases {

namespace {

// Every pong with the time since the ping before it.
std::vector<std::pair<const PacketIn*, double>> pongs(Harness& h, const std::string& sid) {
  std::vector<std::pair<const PacketIn*, double>> out;
  for (const auto& p : h.packets_in()) {
    if (p.sid != sid || p.packet.type != '3' || p.packet.data == "probe") continue;
    double ping_at = -1;
    for (const auto& o : h.packets_out())
      if (o.sid == sid && !o.binary && o.data == "2" && o.at_ms <= p.at_ms) ping_at = o.at_ms;
    out.emplace_back(&p, ping_at < 0 ? -1 : p.at_ms - ping_at);
  }
  return out;
}

void check_pongs(Context& c, const std::string& sid, std::size_t n, bool polling) {
  const auto& o = c.server();
  if (!c.wait([&] { return pongs(c.h(), sid).size() >= n; },
              Ms(n * (o.ping_interval + o.ping_timeout) + 2000)))
    c.fail("pongs", std::to_string(n) + " pongs, one for each ping",
           std::to_string(pongs(c.h(), sid).size()));
  for (const auto& [p, latency] : pongs(c.h(), sid)) {
    c.check(latency >= 0 && latency < static_cast<double>(o.ping_timeout),
            "a pong's delay after its ping",
            "under pingTimeout (" + std::to_string(o.ping_timeout) + " ms)",
            std::to_string(static_cast<int>(latency)) + " ms");
    if (polling) c.check(p->request >= 0, "how a pong travels", "in a POST", "on a WebSocket");
  }
}

// The heartbeat of the cases that count pongs: a ping every 300 ms, and a second to answer (a
// loaded machine may stall a client for a few hundred milliseconds; that is not a missing pong).
void short_heartbeat(Context& c) {
  c.server().ping_interval = 300;
  c.server().ping_timeout = 1000;
}

void pong_on_websocket(Context& c) {
  short_heartbeat(c);
  const auto sid = c.connected("s", {.opts = {{"transports", Json::array({"websocket"})}}});
  check_pongs(c, sid, 5, false);
}

void pong_on_polling(Context& c) {
  short_heartbeat(c);
  c.server().upgrades = {};
  const auto sid = c.connected("s");
  check_pongs(c, sid, 3, true);
}

void never_pings(Context& c) {
  short_heartbeat(c);
  const auto sid = c.connected("s");
  c.idle(Ms(2000));
  bool unsolicited = false;
  std::string seen;
  for (const auto& p : c.h().packets_in()) {
    if (p.packet.type == '2' && p.packet.data != "probe")
      c.fail("the client's packets", "no ping (in v4 only the server pings)", p.raw);
    if (p.packet.type == '3' && p.packet.data.empty()) {
      bool after_ping = false;
      for (const auto& o : c.h().packets_out())
        if (o.sid == p.sid && o.data == "2" && o.at_ms <= p.at_ms) after_ping = true;
      if (!after_ping) {
        unsolicited = true;
        seen = p.raw + " at " + std::to_string(static_cast<int>(p.at_ms)) + " ms";
      }
    }
  }
  if (unsolicited) c.alternative("a pong", "only after a ping", "a pong before any ping: " + seen);
  (void)sid;
}

void pings_keep_it_alive(Context& c) {
  short_heartbeat(c);
  c.connected("s");
  c.idle(Ms(3000));
  if (const auto e = c.find("disconnect", "s"))
    c.fail("the adapter's events", "no disconnect over 3 s of pings", codec::dump(e->json));
  c.check(c.handshakes() == 1, "handshakes", "one", std::to_string(c.handshakes()));
}

// The time from the handshake's answer to the client's disconnect, when the server never pings.
double silence_detected_after(Context& c, std::int64_t interval, std::int64_t timeout) {
  c.server().ping_interval = interval;
  c.server().ping_timeout = timeout;
  c.server().pings = false;
  c.server().upgrades = {};
  const auto sid = c.connected("s");
  const double opened =
      c.h().requests()[static_cast<std::size_t>(c.h().session(sid)->request)].answered_ms;
  const auto budget = Ms(3 * (interval + timeout));
  const auto e = c.expect("disconnect", "s", budget, "the client notices the silence");
  if (c.has("disconnect_reasons"))
    c.expect_eq("the disconnect reason", "ping timeout", e.json.value("reason", std::string()));
  return e.at_ms - opened;
}

void silence_detected(Context& c) {
  const auto after = silence_detected_after(c, 170, 130);
  c.check(c.near(after, Ms(300)), "when the client gives up",
          "pingInterval + pingTimeout = 300 ms (+-" + std::to_string(c.slack(Ms(300)).count()) +
              ") after the handshake",
          std::to_string(static_cast<int>(after)) + " ms");
}

void traffic_without_pings(Context& c) {
  c.server().ping_interval = 300;
  c.server().ping_timeout = 200;
  c.server().pings = false;
  c.server().upgrades = {};
  const auto sid = c.connected("s");
  for (int i = 0; i < 15; ++i) {
    c.h().emit(sid, "/", Json::array({"tick", i}));
    if (c.wait([&] { return c.find("disconnect", "s").has_value(); }, Ms(100))) break;
  }
  const auto e = c.find("disconnect", "s");
  c.informational("with an event every 100 ms and no ping (pingInterval 300, pingTimeout 200)",
                  e ? "the client timed out at " + std::to_string(static_cast<int>(e->at_ms)) +
                          " ms (" + e->json.value("reason_raw", std::string("?")) +
                          "): only pings reset its timer"
                    : "no timeout in 1.5 s: any packet resets its timer");
}

void reconnects_after_timeout(Context& c) {
  silence_detected_after(c, 170, 130);
  const auto gone = c.find("disconnect", "s")->at_ms;
  c.server().pings = true;
  const auto expected = c.has("reconnection_params") ? Ms(100) : Ms(5000);
  if (!c.wait([&] { return c.handshakes() >= 2; }, expected + c.slack(expected) + Ms(1000)))
    c.fail("a reconnection", "a new handshake", "none");
  const auto& second = c.h().sessions()[1];
  c.check(second.opened_ms - gone <= static_cast<double>((expected + c.slack(expected)).count()),
          "the new handshake",
          "within the reconnection delay (" + std::to_string(expected.count()) + " ms +- slack)",
          std::to_string(static_cast<int>(second.opened_ms - gone)) + " ms after the disconnect");
  c.expect_connect_packet("/", Ms(3000));
  c.expect("connect", "s", Ms(3000), "the reconnection reported",
           c.find("disconnect", "s")->index + 1);
}

}  // namespace

void add_heartbeat(std::vector<Case>& out) {
  out.push_back({{.id = "client/heartbeat/1",
                  .title = "Every ping gets a pong in time (WebSocket)",
                  .requirement = "The client answers every ping (2) with a pong (3) within "
                                 "pingTimeout",
                  .source = kEioSpec + ", Heartbeat",
                  .needs = {"ws_only"},
                  .timing = true},
                 pong_on_websocket});
  out.push_back({{.id = "client/heartbeat/2",
                  .title = "Every ping gets a pong in time (long-polling)",
                  .requirement = "Over long-polling the pong goes in a POST, within pingTimeout, "
                                 "while the next GET waits",
                  .source = kEioSpec + ", Heartbeat; Sending and receiving data",
                  .needs = {"polling"},
                  .timing = true},
                 pong_on_polling});
  out.push_back({{.id = "client/heartbeat/3",
                  .title = "The client never pings",
                  .requirement = "In Engine.IO v4 the server pings and the client answers: the "
                                 "client MUST NOT send a ping (2) other than 2probe, and SHOULD "
                                 "NOT send a pong that answers no ping",
                  .source = kEioSpec + ", Heartbeat; From v3 to v4"},
                 never_pings});
  out.push_back({{.id = "client/heartbeat/4",
                  .title = "Regular pings keep the session",
                  .requirement = "A session whose server pings every pingInterval stays open: no "
                                 "disconnect, no new handshake",
                  .source = kEioSpec + ", Heartbeat",
                  .timing = true},
                 pings_keep_it_alive});
  out.push_back({{.id = "client/heartbeat/5",
                  .title = "Silence is noticed after pingInterval + pingTimeout",
                  .requirement = "A client that receives no ping within pingInterval + pingTimeout "
                                 "(the handshake's values) considers the connection closed: "
                                 "disconnect with reason ping timeout",
                  .level = Level::should,
                  .source = kEioSpec + ", Heartbeat",
                  .timing = true},
                 silence_detected});
  out.push_back({{.id = "client/heartbeat/6",
                  .title = "Does other traffic reset the heartbeat timer?",
                  .requirement = "Recorded: whether events without pings keep the client from "
                                 "timing out (socket.io-client 4.8: they do not)",
                  .level = Level::may,
                  .source = kObserved + "; engine.io-client 6.6.1 (do not reset the heartbeat "
                                        "timer on each packet)",
                  .timing = true},
                 traffic_without_pings});
  out.push_back({{.id = "client/heartbeat/7",
                  .title = "A ping timeout is followed by a reconnection",
                  .requirement = "After a ping timeout the client reconnects by itself (a new "
                                 "handshake, its namespaces connected again)",
                  .source = kClientDocs + ", the Socket instance: disconnect (ping timeout: "
                                          "reconnects)",
                  .needs = {"reconnection"},
                  .timing = true},
                 reconnects_after_timeout});
}

}  // namespace conform::client::cases
