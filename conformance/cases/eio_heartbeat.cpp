// eio/heartbeat: the server's pings, their timing, and the end of a session that stops answering
// (messages do not count as answers).
#include "areas.hpp"
#include "common.hpp"

namespace conform::cases {

namespace {

const std::string kSpec = "Engine.IO v4 specification, Heartbeat";
const std::string kOfficial = "official Engine.IO test suite (heartbeat)";

long long ms_since(Clock::time_point t) {
  return std::chrono::duration_cast<Ms>(Clock::now() - t).count();
}

std::string ms(long long v) {
  return std::to_string(v) + " ms";
}

// When the handshake was sent and when the session was open: the server's clock starts between
// the two, so lower bounds are measured from `sent` and upper bounds from `opened` (a slow
// handshake on a busy machine then never fails a correct server).
struct Times {
  Clock::time_point sent;
  Clock::time_point opened;
};

// A session on /engine.io/ over this case's transport, opened with pongs on or off.
std::unique_ptr<EioSession> open_session(Context& c, bool auto_pong, Times& t) {
  auto session = std::make_unique<EioSession>(c.loop(), c.transport(), c.eio());
  session->set_auto_pong(auto_pong);
  t.sent = Clock::now();
  if (!session->open(Ms(5000)))
    c.fail("opening a session", "a handshake (and upgrade)", session->error());
  t.opened = Clock::now();
  return session;
}

// A polling handshake by hand, for the cases that must control every GET.
codec::Handshake raw_handshake(Context& c, Times& t) {
  t.sent = Clock::now();
  const auto r = get_eio(c, "EIO=4&transport=polling");
  t.opened = Clock::now();
  auto h = codec::parse_handshake(r.body.empty() ? "" : std::string_view(r.body).substr(1));
  c.check(r.status == 200 && h.has_value(), "handshake", "200 0{...}",
          std::to_string(r.status) + " " + r.body);
  return *h;
}

long long between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<Ms>(to - from).count();
}

// The next event must be a ping ("2" with no data); returns when it came.
Clock::time_point expect_ping(Context& c, EioSession& s, Ms deadline, std::string_view what) {
  const auto e = c.expect_event(s, deadline, what, true);
  const auto at = Clock::now();
  c.check(e.kind == EioEvent::Kind::packet && e.packet.type == '2' && e.packet.data.empty() &&
              !e.packet.binary,
          std::string(what), "2", describe(e));
  return at;
}

}  // namespace

void add_eio_heartbeat(std::vector<Case>& out) {
  add(out,
      {.id = "eio/heartbeat/1",
       .title = "The first ping comes pingInterval after the handshake",
       .requirement = "The server MUST send its first ping pingInterval after the handshake: not "
                      "at once, not earlier (official clients and suites count frames), and not "
                      "later than pingInterval (give or take the tolerance).",
       .level = Level::must,
       .source = kSpec + "; " + kOfficial,
       .transports = kAllTransports,
       .timing = true},
      [](Context& c) {
        Times t;
        auto s = open_session(c, true, t);
        const auto interval = s->ping_interval();
        const auto left = interval + c.tolerance() * 2 - Ms(ms_since(t.opened));
        const auto at = expect_ping(c, *s, std::max(left, Ms(1)), "first packet");
        const auto low = (interval - c.tolerance()).count();
        const auto high = (interval + c.tolerance()).count();
        const std::string window = ms(low) + " to " + ms(high);
        c.check(between(t.sent, at) >= low, "first ping after the handshake request", window,
                ms(between(t.sent, at)));
        c.check(between(t.opened, at) <= high, "first ping after the handshake answer", window,
                ms(between(t.opened, at)));
      });

  add(out,
      {.id = "eio/heartbeat/2",
       .title = "With pongs answered, the session lives and pings keep their pace",
       .requirement = "While the client answers every ping, the server MUST keep the session open, "
                      "and each further ping MUST come about pingInterval after the last pong; the "
                      "heartbeat is nothing but \"2\" packets (the official suites require the "
                      "next packet to be exactly \"2\").",
       .level = Level::must,
       .source = kSpec + "; " + kOfficial,
       .transports = kAllTransports,
       .timing = true},
      [](Context& c) {
        Times t;
        // Pongs by hand: on polling, the last one shares its POST with the message below (two
        // POSTs at once would be an overlap).
        auto s = open_session(c, false, t);
        const auto interval = s->ping_interval();
        auto last = t.opened;
        for (int i = 1; i <= 3; ++i) {
          const auto left = interval + c.tolerance() - Ms(ms_since(last));
          const auto what = "packet " + std::to_string(i);
          const auto e = s->next(std::max(left, Ms(1)), true);
          if (!e)
            c.fail(what,
                   "ping " + std::to_string(i) + " within " +
                       ms((interval + c.tolerance()).count()) + " of the last one",
                   "nothing after " + ms(ms_since(last)));
          c.check(e->kind == EioEvent::Kind::packet && e->packet.type == '2' &&
                      e->packet.data.empty() && !e->packet.binary,
                  what, "2", describe(*e));
          last = Clock::now();
          if (i < 3) {
            s->send("3");
            // The next ping is due one interval after the server has the pong: on polling, once
            // the pong's POST is answered (a loaded machine must not make the server look late).
            if (s->current() == Transport::polling) {
              c.loop().run_until([&] { return s->posts_done(); }, interval + c.tolerance());
              last = Clock::now();
            }
          }
        }
        s->send_batch({"3", "4still-here"});
        const auto echo = c.expect_packet(*s, c.prompt(*s), "echo after three pings");
        c.expect_eq("echo after three pings", "4still-here", describe(echo));
      });

  add(out,
      {.id = "eio/heartbeat/3",
       .title = "Without pongs the session ends at pingInterval + pingTimeout",
       .requirement = "When the client does not answer the ping, the server MUST end the session "
                      "pingTimeout after the ping: not before (minus the tolerance) and not later "
                      "than pingInterval + pingTimeout plus the tolerance after the handshake. On "
                      "WebSocket the server closes the connection (or sends the close packet). "
                      "(The specification says SHOULD; the official suites require it.)",
       .level = Level::must,
       .source = kSpec + "; " + kOfficial + " (closes the session upon ping timeout)",
       .transports = {Transport::websocket, Transport::upgrade},
       .timing = true},
      [](Context& c) {
        Times t;
        auto s = open_session(c, false, t);
        const auto end = s->ping_interval() + s->ping_timeout();
        const auto left = end + c.tolerance() * 3 - Ms(ms_since(t.opened));
        c.expect_closed(*s, std::max(left, Ms(1)), "session without pongs");
        const auto at = Clock::now();
        const auto low = (end - c.tolerance()).count();
        const auto high = (end + c.tolerance()).count();
        const std::string window = ms(low) + " to " + ms(high);
        c.check(between(t.sent, at) >= low, "ended after the handshake request", window,
                ms(between(t.sent, at)));
        c.check(between(t.opened, at) <= high, "ended after the handshake answer", window,
                ms(between(t.opened, at)));
      });

  add(out,
      {.id = "eio/heartbeat/4",
       .title =
           "Polling without pongs: alive just before pingInterval + pingTimeout, gone just after",
       .requirement =
           "With no GET pending and no pong, the ping is queued at pingInterval and the session "
           "MUST end pingTimeout later: a GET shortly before pingInterval + pingTimeout gets the "
           "queued ping, and a GET shortly after gets HTTP 400 {\"code\":1,...}. The timeout clock "
           "starts when the ping is queued, not when a GET carries it.",
       .level = Level::must,
       .source = kSpec + "; " + kOfficial + " (HTTP long-polling, closes upon ping timeout)",
       .transports = kPolling,
       .timing = true},
      [](Context& c) {
        Times t;
        const auto h = raw_handshake(c, t);
        const auto end = Ms(h.ping_interval + h.ping_timeout);
        const auto query = "EIO=4&transport=polling&sid=" + h.sid;
        c.loop().run_for(std::max(end - c.tolerance() - Ms(ms_since(t.sent)), Ms(0)));
        const auto before_at = ms_since(t.sent);
        const auto before = get_eio(c, query);
        c.check(before.status == 200 && before.body == "2",
                "GET " + ms(before_at) + " after the handshake request", "200 2",
                std::to_string(before.status) + " " + before.body);
        c.loop().run_for(std::max(end + c.tolerance() - Ms(ms_since(t.opened)), Ms(0)));
        const auto after_at = ms_since(t.opened);
        const auto after = get_eio(c, query);
        expect_error(c, after, 400, 1, "GET " + ms(after_at) + " after the handshake answer");
      });

  add(out,
      {.id = "eio/heartbeat/5",
       .title = "A GET pending at the ping timeout is answered with the close packet",
       .requirement =
           "When the ping times out while a GET is pending, the server SHOULD end that GET with "
           "the close packet \"1\" at the timeout, rather than leave it hanging.",
       .level = Level::should,
       .source = "engine.io 6.6 observed (polling.ts doClose); socketioxide a3f48f79",
       .transports = kPolling,
       .timing = true},
      [](Context& c) {
        Times t;
        const auto h = raw_handshake(c, t);
        const auto end = Ms(h.ping_interval + h.ping_timeout);
        const auto target = c.eio() + "?EIO=4&transport=polling&sid=" + h.sid;
        // The first GET is held until the first ping, one pingInterval away (whatever the
        // target's).
        const auto ping = c.loop().request(
            {"GET", target, {}, {}},
            Ms(h.ping_interval) + c.prompt(Ms(h.ping_interval), Ms(h.ping_timeout)));
        c.expect_eq("first GET", "200 2",
                    ping ? std::to_string(ping->status) + " " + ping->body : "no answer");
        auto pending = c.loop().start_request({"GET", target, {}, {}});
        const auto left = end + c.tolerance() * 2 - Ms(ms_since(t.opened));
        const auto answer = pending.wait(std::max(left, Ms(1)));
        const auto at = Clock::now();
        if (!answer) {
          pending.cancel();
          c.fail("the pending GET", "200 1 at about " + ms(end.count()),
                 pending.error() ? "failed: " + *pending.error()
                                 : "no answer by " + ms(between(t.opened, at)));
        }
        const auto body = codec::split_payload(answer->body);
        c.check(answer->status == 200 && !body.empty() && body.back() == "1", "the pending GET",
                "200 1", std::to_string(answer->status) + " " + answer->body);
        const auto low = (end - c.tolerance()).count();
        const auto high = (end + c.tolerance()).count();
        const std::string window = ms(low) + " to " + ms(high);
        c.check(between(t.sent, at) >= low, "answered after the handshake request", window,
                ms(between(t.sent, at)));
        c.check(between(t.opened, at) <= high, "answered after the handshake answer", window,
                ms(between(t.opened, at)));
      });

  add(out,
      {.id = "eio/heartbeat/6",
       .title = "The next ping comes one pingInterval after the pong",
       .requirement =
           "The server SHOULD schedule the next ping pingInterval after the pong it received (the "
           "reference refreshes its timer on the pong), so a late pong moves the next ping later; "
           "a server pinging on a fixed clock sends it too early.",
       .level = Level::should,
       .source = "engine.io 6.6 (socket.ts: pingIntervalTimer.refresh() on pong)",
       .transports = kAllTransports,
       .timing = true},
      [](Context& c) {
        Times t;
        auto s = open_session(c, false, t);
        const auto interval = s->ping_interval();
        const auto delay = s->ping_timeout() / 3;
        const auto left = interval + c.tolerance() * 2 - Ms(ms_since(t.opened));
        expect_ping(c, *s, std::max(left, Ms(1)), "first ping");
        c.loop().run_for(delay);
        const auto pong_at = Clock::now();
        s->send("3");
        const auto at = expect_ping(c, *s, interval + c.tolerance() * 2, "second ping");
        s->send("3");
        const auto gap = std::chrono::duration_cast<Ms>(at - pong_at).count();
        const auto low = (interval - delay / 2).count();
        const auto high = (interval + c.tolerance()).count();
        c.check(gap >= low && gap <= high,
                "second ping after the pong (sent " + ms(delay.count()) + " after the ping)",
                ms(low) + " to " + ms(high), ms(gap));
      });

  add(out,
      {.id = "eio/heartbeat/7",
       .title = "A pong without a ping is tolerated",
       .requirement =
           "A pong the server did not ask for MUST NOT end the session (Node's engine.io lets it "
           "refresh its timers): messages keep flowing and pings keep coming.",
       .level = Level::must,
       .source = "engine.io 6.6 observed",
       .transports = kAllTransports,
       .timing = true},
      [](Context& c) {
        Times t;
        auto s = open_session(c, true, t);
        s->send_batch({"3", "4after-pong"});
        const auto pong_at = Clock::now();
        const auto echo = c.expect_packet(*s, c.prompt(*s), "echo after an unsolicited pong");
        c.expect_eq("echo after an unsolicited pong", "4after-pong", describe(echo));
        expect_ping(c, *s, s->ping_interval() + c.tolerance() * 2, "next packet");
        c.check(!s->closed(), "session " + ms(ms_since(pong_at)) + " after the pong", "open",
                s->closed() ? "ended" : "open");
      });

  add(out,
      {.id = "eio/heartbeat/8",
       .title = "Pings keep coming while messages flow",
       .requirement = "The server MUST keep pinging while data flows both ways: the client's "
                      "ping-timeout timer is reset only by pings, so a server that skips pings on "
                      "a busy session gets disconnected by every official client.",
       .level = Level::must,
       .source = kSpec + "; engine.io-client (_resetPingTimeout on ping only)",
       .transports = kAllTransports,
       .timing = true},
      [](Context& c) {
        Times t;
        auto s = open_session(c, false, t);
        const auto interval = s->ping_interval();
        const auto tick = std::max(interval / 6, Ms(10));
        auto last_pong = t.opened;
        bool owe_pong = false;
        int pings = 0;
        for (int k = 0; pings < 2; ++k) {
          std::vector<std::string> batch;
          if (owe_pong) {
            batch.push_back("3");
            last_pong = Clock::now();
            owe_pong = false;
          }
          const std::string message = "4tick" + std::to_string(k);
          const bool with_pong = batch.size() == 1;
          batch.push_back(message);
          s->send_batch(batch);
          // The server has the pong once its POST is answered (on polling): time from there.
          if (with_pong && s->current() == Transport::polling) {
            c.loop().run_until([&] { return s->posts_done(); }, interval + c.tolerance());
            last_pong = Clock::now();
          }
          const auto until = Clock::now() + tick;
          bool echoed = false;
          while (!echoed || Clock::now() < until) {
            // A ping came: none is due until its pong has gone (with the next message).
            const auto limit = owe_pong ? until : last_pong + interval + c.tolerance();
            const auto wait = std::chrono::duration_cast<Ms>(
                std::min(echoed ? until : Clock::now() + c.prompt(*s), limit) - Clock::now());
            auto e = s->next(std::max(wait, Ms(1)), true);
            if (!e) {
              if (!owe_pong && Clock::now() >= limit)
                c.fail(
                    "ping while messages flow",
                    "a ping within " + ms((interval + c.tolerance()).count()) + " of the last pong",
                    "none after " + ms(ms_since(last_pong)) + " (" + std::to_string(k + 1) +
                        " messages echoed meanwhile)");
              if (!echoed)
                c.fail("echo of " + message, "within " + ms(c.prompt(*s).count()), "nothing");
              continue;
            }
            if (e->kind == EioEvent::Kind::closed) c.fail("session", "open", "ended: " + e->how);
            if (e->packet.type == '2') {
              ++pings;
              owe_pong = true;
              if (echoed) break;  // the pong goes out now, with the next message
            } else {
              c.expect_eq("echo", message, describe(*e));
              echoed = true;
            }
          }
        }
        s->send("3");
        c.check(true, "pings while messages flowed", "2", std::to_string(pings));
      });

  add(out,
      {.id = "eio/heartbeat/9",
       .title = "Messages without pongs do not keep the session alive",
       .requirement =
           "Only a pong answers a ping: a client that keeps sending messages and never answers "
           "the ping MUST be closed by the ping timeout, not before pingInterval + pingTimeout "
           "(minus the tolerance) and not later than pingInterval + 2 x pingTimeout plus the "
           "tolerance after the handshake (Node's engine.io from 6.6.11 restarts the timeout once, "
           "on the first packet after the ping).",
       .level = Level::must,
       .source = kSpec + "; engine.io 6.6.0 (5359bae6: up to 6.5.x any packet from the client "
                         "held the ping timeout off)",
       .transports = kAllTransports,
       .timing = true},
      [](Context& c) {
        Times t;
        auto s = open_session(c, false, t);
        const auto interval = s->ping_interval();
        const auto timeout = s->ping_timeout();
        const auto tick = std::max(timeout / 2, Ms(10));
        const auto high = (interval + timeout * 2 + c.tolerance()).count();
        int sent = 0;
        int pings = 0;
        bool ended = false;
        // A message every tick, echoes and pings taken as they come, never a pong. On polling a
        // POST refused after the timeout shows the end too (the held GET may say nothing).
        while (!ended && between(t.opened, Clock::now()) <= high) {
          s->send("4data" + std::to_string(sent++));
          const auto until = Clock::now() + tick;
          while (!ended && Clock::now() < until) {
            const auto e = s->next(
                std::max(std::chrono::duration_cast<Ms>(until - Clock::now()), Ms(1)), true);
            const auto& post = s->last_post();
            ended = (e && e->kind == EioEvent::Kind::closed) || (post && post->status != 200);
            if (!e) break;
            if (!ended && e->packet.type == '2') ++pings;
          }
        }
        const auto at = Clock::now();
        const auto counts =
            std::to_string(sent) + " messages and " + std::to_string(pings) + " pings meanwhile";
        if (!ended)
          c.fail("the session that never pongs", "closed within " + ms(high) + " of the handshake",
                 "still open after " + ms(between(t.opened, at)) + " (" + counts + ")");
        const auto low = (interval + timeout - c.tolerance()).count();
        c.check(between(t.sent, at) >= low, "closed after the handshake request",
                "at least " + ms(low), ms(between(t.sent, at)) + " (" + counts + ")");
        c.check(pings >= 1, "pings before the close", "at least one", std::to_string(pings));
      });
}

}  // namespace conform::cases
