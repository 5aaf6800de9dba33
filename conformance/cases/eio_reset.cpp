// eio/reset: connections that vanish at the worst moment. A TCP reset (an RST, not a FIN) inside a
// request (1); after a whole request, before its answer is read: a handshake (2), an unknown path
// (3), requests that will be refused (4); an upgrade for a path the server does not serve, the
// input of engine.io's CVE-2022-41940 (5); upgrades that will be refused (6); each step of an
// upgrade while the long-poll is held: before the 101 (7), after it (8), after 2probe (9), after
// 3probe (10); a held long-poll (11); inside a POST body (12); inside a WebSocket frame (13); and
// around a close frame (14). Each ends by checking that a session opened before still echoes and
// that a new handshake works.
#include "areas.hpp"
#include "common.hpp"
#include "raw.hpp"

namespace conform::cases {

namespace {

const std::string kReset = "RFC 9293, section 3.5.3 (reset processing)";
const std::string kUpgrade = "Engine.IO v4 specification, Upgrade";
// A GET that has no answer this long after it was sent is held by the server (a fresh session has
// nothing to send before its first ping, pingInterval after the handshake).
constexpr Ms kHeldWindow{50};
// How long engine.io's attach() leaves an upgrade for a path that is not its own before it ends
// the connection (destroyUpgradeTimeout): a server that notices the reset only then dies then.
constexpr Ms kDestroyUpgradeTimeout{1000};
// Fresh sessions to try when the first ping may have ended one in the middle of a check.
constexpr int kAttempts = 3;

// A request head for `target`: the request line, Host, `extra` header lines, the blank line.
std::string head(Context& c, std::string_view method, const std::string& target,
                 const std::string& extra = "") {
  return std::string(method) + " " + target + " HTTP/1.1\r\nHost: " + host_port(c) + "\r\n" +
         extra + "\r\n";
}

// Sends `bytes` on a connection of its own and resets it at once: no answer is ever read.
void send_and_reset(Context& c, RawPool& pool, std::string_view bytes) {
  auto& raw = pool.make(c);
  connect_raw(c, raw);
  raw.send(bytes);
  raw.reset();
}

// A polling session driven request by request, for what it does after one of its connections was
// reset.
class Polling {
 public:
  explicit Polling(Context& c) : c_(c), opened_(Clock::now()) {
    const auto r = get_eio(c, "EIO=4&transport=polling");
    c.check(r.status == 200 && r.body.starts_with("0{"), "polling handshake", "200 0{...}",
            shown(r));
    auto h = codec::parse_handshake(std::string_view(r.body).substr(1));
    c.check(h.has_value() && !h->sid.empty(), "open packet", "a JSON object with a sid", r.body);
    h_ = *h;
  }

  std::string url() const { return c_.eio() + "?EIO=4&transport=polling&sid=" + h_.sid; }
  std::string websocket() const { return c_.eio() + "?EIO=4&transport=websocket&sid=" + h_.sid; }
  Ms prompt() const { return c_.prompt(interval(), timeout()); }
  // The longest a server may take to notice a client that is gone: pingInterval + pingTimeout.
  Ms heartbeat() const { return interval() + timeout() + c_.tolerance(); }
  // Whether the first ping may have fallen due by now: on a busy machine a session can then end
  // by ping timeout while the case looks elsewhere, which proves nothing.
  bool ping_due() const { return Clock::now() >= opened_ + interval(); }

  Pending<HttpResponse> start_get() { return c_.loop().start_request({"GET", url(), {}, {}}); }
  HttpResponse post(std::string body) {
    return http(c_, "POST", url(), std::move(body), {{"Content-Type", "text/plain;charset=UTF-8"}});
  }

  // A GET that the server holds (no answer within kHeldWindow), or nullopt when the first ping
  // answered it (a busy machine: the caller tries a fresh session; the last attempt fails).
  std::optional<Pending<HttpResponse>> held_get(int attempt) {
    auto get = start_get();
    const auto r = get.wait(kHeldWindow);
    if (!r && !get.done()) return get;
    c_.check(r.has_value(), "GET on a fresh session", "held by the server",
             "failed: " + get.error().value_or("?"));
    c_.check(attempt < kAttempts, "GET on a fresh session", "held by the server",
             "answered at once on " + std::to_string(kAttempts) + " sessions: " + shown(*r));
    c_.loop().note("--", "the GET was answered at once (" + shown(*r) + "): a fresh session");
    return std::nullopt;
  }

 private:
  Ms interval() const { return Ms(h_.ping_interval); }
  Ms timeout() const { return Ms(h_.ping_timeout); }

  Context& c_;
  Clock::time_point opened_;  // just before the handshake: the server's clock starts after it
  codec::Handshake h_;
};

// What became of a polling session after one of its connections was reset.
struct Fate {
  enum class Kind { goes_on, closed, lost } kind = Kind::lost;
  std::string seen;                   // every answer, for the report
  std::vector<std::string> messages;  // the messages that came on polling
};

// Posts "4after-reset" and polls (answering pings) until its echo comes back: the session goes
// on; or until the session shows it is closed (a 400, or the close packet): closed; `within` ends
// the wait (neither: lost). `held` is a GET sent before the reset, still unanswered.
Fate after_reset(Polling& p, std::optional<Pending<HttpResponse>> held, Ms within) {
  Fate fate;
  auto saw = [&fate](const std::string& what) {
    fate.seen += (fate.seen.empty() ? "" : "; ") + what;
  };
  const auto posted = p.post("4after-reset");
  saw("POST 4after-reset: " + shown(posted));
  if (posted.status == 400) fate.kind = Fate::Kind::closed;
  if (posted.status != 200) return fate;
  const auto deadline = Clock::now() + within;
  while (Clock::now() < deadline) {
    auto get = held ? *held : p.start_get();
    held.reset();
    const auto r = get.wait(std::chrono::duration_cast<Ms>(deadline - Clock::now()));
    if (!r) {
      if (!get.done()) get.cancel();
      saw("GET: " + (get.error() ? "failed: " + *get.error() : "no answer in time"));
      return fate;
    }
    saw("GET: " + shown(*r));
    if (r->status == 400) fate.kind = Fate::Kind::closed;
    if (r->status != 200) return fate;
    bool pinged = false;
    for (auto& record : codec::split_payload(r->body)) {
      if (record == "1") fate.kind = Fate::Kind::closed;
      if (record == "2") pinged = true;
      if (record.starts_with("4")) fate.messages.push_back(record);
      if (record == "4after-reset") fate.kind = Fate::Kind::goes_on;
    }
    if (fate.kind != Fate::Kind::lost) return fate;
    if (pinged) {
      const auto pong = p.post("3");
      if (pong.status == 400) {
        saw("pong POST: " + shown(pong));
        fate.kind = Fate::Kind::closed;
        return fate;
      }
    }
  }
  saw("nothing more within " + std::to_string(within.count()) + " ms");
  return fate;
}

// A session closed after a reset is fine, unless the first ping may have closed it (a busy
// machine): then the attempt proves nothing, and the caller tries a fresh session.
bool inconclusive(Context& c, const Fate& fate, const Polling& p, int attempt) {
  if (fate.kind != Fate::Kind::closed || !p.ping_due() || attempt >= kAttempts) return false;
  c.loop().note("--", "the first ping fell due during the check: again on a fresh session");
  return true;
}

// Either outcome the protocol allows after a reset: the session closed, or it goes on.
void expect_closed_or_going_on(Context& c, const Fate& fate, std::string_view what) {
  c.check(fate.kind != Fate::Kind::lost, std::string(what),
          "closed (400 or the close packet) or going on (the message posted after the reset is "
          "echoed)",
          fate.seen);
}

// Runs `attempt` on fresh polling sessions until one is conclusive (it returns true; at most
// kAttempts), then checks that a session opened before still echoes and a new handshake works.
void on_fresh_sessions(Context& c,
                       const std::function<bool(Polling&, RawPool&, int attempt)>& attempt) {
  auto before = c.open_eio(Transport::websocket);
  RawPool pool;
  for (int i = 1;; ++i) {
    Polling p(c);
    if (attempt(p, pool, i)) break;
  }
  expect_alive(c, *before);
}

// The step of an upgrade after which the client resets the WebSocket connection.
enum class Step { request_sent, switched, probe_sent, probe_answered };

// Opens a polling session with its GET held, upgrades it by hand up to `step`, resets the
// WebSocket there, and requires the session to go on over polling.
void reset_during_upgrade(Context& c, Step step) {
  on_fresh_sessions(c, [&c, step](Polling& p, RawPool& pool, int attempt) {
    auto held = p.held_get(attempt);
    if (!held) return false;
    auto& raw = pool.make(c);
    connect_raw(c, raw);
    raw.send(upgrade_request(c, p.websocket()));
    if (step != Step::request_sent) {
      std::string bytes = raw.read_until("\r\n\r\n", p.prompt());
      const auto end = bytes.find("\r\n\r\n");
      c.check(bytes.starts_with("HTTP/1.1 101") && end != std::string::npos,
              "answer to the upgrade request", "HTTP/1.1 101",
              visible(bytes.substr(0, bytes.find("\r\n"))));
      bytes.erase(0, end + 4);
      if (step != Step::switched) raw.send(client_frame(0x81, "2probe"));
      if (step == Step::probe_answered) {
        if (bytes.find("3probe") == std::string::npos)
          bytes += raw.read_until("3probe", p.prompt());
        const auto texts = text_frames(parse_frames(bytes));
        c.check(texts.starts_with("3probe"), "answer to 2probe", "3probe", visible(texts));
      }
    }
    raw.reset();
    const auto fate = after_reset(p, std::move(held), p.prompt());
    if (inconclusive(c, fate, p, attempt)) return false;
    c.check(fate.kind == Fate::Kind::goes_on, "the polling session after the reset",
            "it goes on: a message posted after the reset is echoed on polling", fate.seen);
    return true;
  });
}

// A WebSocket-only session opened by hand, its open packet read: the server waits for frames.
RawConnection& open_raw_session(Context& c, RawPool& pool, std::string& bytes) {
  auto& raw = pool.make(c);
  bytes = raw_ws_open(c, raw);
  raw_open_packet(c, raw, bytes);
  return raw;
}

}  // namespace

void add_eio_reset(std::vector<Case>& out) {
  add(out,
      {.id = "eio/reset/1",
       .title = "A reset inside the request line or the headers harms nothing",
       .requirement = "A client that resets its connection in the middle of a request line or of "
                      "the header lines MUST NOT bring the server down: sessions opened before go "
                      "on and new handshakes work.",
       .level = Level::must,
       .source = kReset + "; RFC 9112, section 2.2"},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        RawPool pool;
        send_and_reset(c, pool, "GET " + c.eio() + "?EIO=4&tra");
        send_and_reset(c, pool,
                       "GET " + c.eio() + "?EIO=4&transport=polling HTTP/1.1\r\nHost: " +
                           host_port(c) + "\r\nUser-Ag");
        expect_alive(c, *before);
      });

  add(out,
      {.id = "eio/reset/2",
       .title = "A handshake reset before its answer is read harms nothing",
       .requirement = "A client that sends a whole handshake request (polling, or a WebSocket "
                      "upgrade) and resets the connection before reading the answer MUST NOT bring "
                      "the server down: sessions opened before go on and new handshakes work.",
       .level = Level::must,
       .source = kReset + "; Engine.IO v4 specification, Handshake"},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        RawPool pool;
        send_and_reset(c, pool, head(c, "GET", c.eio() + "?EIO=4&transport=polling"));
        send_and_reset(c, pool, upgrade_request(c, c.eio() + "?EIO=4&transport=websocket"));
        expect_alive(c, *before);
      });

  add(out,
      {.id = "eio/reset/3",
       .title = "A request for an unknown path reset before its answer is read harms nothing",
       .requirement = "A client that sends a whole request for a path the server does not serve "
                      "(/nope/) and resets the connection before reading the answer MUST NOT bring "
                      "the server down: sessions opened before go on and new handshakes work.",
       .level = Level::must,
       .source = kReset},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        RawPool pool;
        send_and_reset(c, pool, head(c, "GET", "/nope/?EIO=4&transport=polling"));
        send_and_reset(c, pool,
                       head(c, "POST", "/nope/", "Content-Length: 5\r\n") + std::string("4nope"));
        expect_alive(c, *before);
      });

  add(out,
      {.id = "eio/reset/4",
       .title = "Requests that will be refused, reset before the refusal is read, harm nothing",
       .requirement =
           "A client that sends a request the server refuses (an unknown transport, an unknown "
           "session id, protocol version 3) and resets the connection before reading the refusal "
           "MUST NOT bring the server down: sessions opened before go on and new handshakes work.",
       .level = Level::must,
       .source = kReset + "; Engine.IO v4 specification, Handshake"},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        RawPool pool;
        send_and_reset(c, pool, head(c, "GET", c.eio() + "?EIO=4&transport=nope"));
        send_and_reset(c, pool,
                       head(c, "GET", c.eio() + "?EIO=4&transport=polling&sid=no-such-session"));
        send_and_reset(c, pool,
                       head(c, "POST", c.eio() + "?EIO=4&transport=polling&sid=no-such-session",
                            "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: 6\r\n") +
                           std::string("4lost!"));
        send_and_reset(c, pool, head(c, "GET", c.eio() + "?EIO=3&transport=polling"));
        expect_alive(c, *before);
      });

  add(out,
      {.id = "eio/reset/5",
       .title = "An upgrade request for a path the server does not serve, then a reset",
       .requirement =
           "A client that sends an upgrade request (Connection: Upgrade; an HTTP/2 upgrade, or a "
           "WebSocket one) for a path the server does not serve, and resets the connection once "
           "the server has read the request but before it has answered or ended it, MUST NOT "
           "bring the server down, then or when the server gets round to ending that connection: "
           "sessions opened before go on and new handshakes work. (engine.io before 6.2.1 left "
           "such a connection to be ended a second later with no error handler, and died on the "
           "reset: CVE-2022-41940.)",
       .level = Level::must,
       .source = "CVE-2022-41940; RFC 9110, section 7.8; " + kReset},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        RawPool pool;
        const std::string h2c = head(c, "GET", "/",
                                     "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                                     "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n");
        auto& stray_h2c = pool.make(c);
        auto& stray_ws = pool.make(c);
        connect_raw(c, stray_h2c);
        stray_h2c.send(h2c);
        connect_raw(c, stray_ws);
        stray_ws.send(upgrade_request(c, "/nope/?EIO=4&transport=websocket"));
        // A request on a connection of its own, opened after them: a server accepts connections
        // in order and reads them as their bytes arrived, so once it has answered, it has read the
        // two upgrade requests. (A reset that overtakes a request is another stage: a server
        // refuses what it never parsed.)
        get_eio(c, "EIO=4&transport=nope");
        stray_h2c.reset();
        stray_ws.reset();
        // The same request on a connection that stays: once the server has answered or ended it,
        // it has dealt with the two before it too (engine.io ends them all after the same delay).
        auto& witness = pool.make(c);
        connect_raw(c, witness);
        witness.send(h2c);
        const Ms wait = kDestroyUpgradeTimeout + Ms(500);
        std::string got = witness.read_until("\r\n", wait);
        bool closed = false;
        got += witness.read(Ms(0), &closed);
        c.loop().note("--", "the same upgrade on a connection that stays: " +
                                (got.empty() ? std::string(closed ? "ended without an answer"
                                                                  : "no answer and still open")
                                             : visible(got.substr(0, got.find("\r\n")))));
        expect_alive(c, *before);
      });

  add(out,
      {.id = "eio/reset/6",
       .title = "Upgrades that will be refused, reset before the refusal is read, harm nothing",
       .requirement =
           "A client that sends a WebSocket upgrade request the server refuses (an unknown session "
           "id, transport=polling, an unknown transport, protocol version 3) and resets the "
           "connection before reading the refusal MUST NOT bring the server down: sessions opened "
           "before go on and new handshakes work.",
       .level = Level::must,
       .source = kReset + "; " + kUpgrade},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        RawPool pool;
        for (const auto* query :
             {"EIO=4&transport=websocket&sid=no-such-session", "EIO=4&transport=polling",
              "EIO=4&transport=nope", "EIO=3&transport=websocket"})
          send_and_reset(c, pool, upgrade_request(c, c.eio() + "?" + query));
        expect_alive(c, *before);
      });

  struct UpgradeCase {
    const char* id;
    const char* title;
    const char* when;  // what the client does before the reset
    Step step;
  };
  for (const auto& [id, title, when, step] : {
           UpgradeCase{"eio/reset/7", "An upgrade reset right after its request: polling goes on",
                       "resets the connection right after the upgrade request, before the 101 "
                       "arrives.",
                       Step::request_sent},
           UpgradeCase{"eio/reset/8", "An upgrade reset right after the 101: polling goes on",
                       "reads the 101 and resets the new connection before sending anything on "
                       "it.",
                       Step::switched},
           UpgradeCase{"eio/reset/9", "An upgrade reset right after 2probe: polling goes on",
                       "sends 2probe and resets the WebSocket before reading 3probe.",
                       Step::probe_sent},
           UpgradeCase{"eio/reset/10", "An upgrade reset after 3probe, before 5: polling goes on",
                       "reads 3probe and resets the WebSocket before sending 5.",
                       Step::probe_answered},
       }) {
    add(out,
        {.id = id,
         .title = title,
         .requirement =
             std::string("A client that upgrades a polling session (its GET held) ") + when +
             " The probe failing ends the upgrade, not the session: the session MUST go on over "
             "polling (a message posted after the reset is echoed there), and the server MUST "
             "keep serving others.",
         .level = Level::must,
         .source = kUpgrade + "; engine.io 6.6 observed (a probe WebSocket that errors or closes "
                              "aborts the upgrade only)"},
        [step = step](Context& c) { reset_during_upgrade(c, step); });
  }

  add(out,
      {.id = "eio/reset/11",
       .title = "A held long-poll reset by the client: the session closes or goes on",
       .requirement =
           "When the client resets the connection of a GET the server holds, the server MUST "
           "either close the session (engine.io does at once: the next request gets 400) or keep "
           "it working with the next GET (a message posted after the reset is echoed), within "
           "pingInterval + pingTimeout; nothing may be lost into the dead connection while the "
           "session stays, and other sessions MUST go on.",
       .level = Level::must,
       .source = "engine.io 6.6 observed (poll connection closed prematurely: transport error); " +
                 kReset},
      [](Context& c) {
        on_fresh_sessions(c, [&c](Polling& p, RawPool& pool, int attempt) {
          auto& raw = pool.make(c);
          connect_raw(c, raw);
          raw.send(head(c, "GET", p.url()));
          const auto early = raw.read_until("\r\n", kHeldWindow);
          if (!early.empty()) {
            // Answered at once (the first ping, on a busy machine): not a held GET.
            c.check(attempt < kAttempts, "the GET", "held by the server",
                    "answered at once: " + visible(early.substr(0, early.find("\r\n"))));
            return false;
          }
          raw.reset();
          const auto fate = after_reset(p, std::nullopt, p.heartbeat());
          expect_closed_or_going_on(c, fate, "the session after its held GET was reset");
          return true;
        });
      });

  add(out,
      {.id = "eio/reset/12",
       .title = "A POST reset inside its body: nothing of it is delivered",
       .requirement =
           "When the client resets a POST after its header and part of its body, the server MUST "
           "NOT process the partial body; it MUST either close the session (engine.io does) or "
           "keep it working (a message posted after the reset is echoed) within pingInterval + "
           "pingTimeout, and other sessions MUST go on.",
       .level = Level::must,
       .source = "engine.io 6.6 observed (data request connection closed prematurely); "
                 "RFC 9112, section 8; " +
                 kReset},
      [](Context& c) {
        on_fresh_sessions(c, [&c](Polling& p, RawPool& pool, int attempt) {
          auto held = p.held_get(attempt);
          if (!held) return false;
          send_and_reset(c, pool,
                         head(c, "POST", p.url(),
                              "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: 64\r\n") +
                             std::string("4cut-short"));
          const auto fate = after_reset(p, std::move(held), p.heartbeat());
          if (inconclusive(c, fate, p, attempt)) return false;
          bool partial = false;
          for (const auto& m : fate.messages)
            partial = partial || m.starts_with("4cut");
          c.check(!partial, "messages on polling", "none from the cut-short body", fate.seen);
          expect_closed_or_going_on(c, fate, "the session after its POST was reset");
          return true;
        });
      });

  add(out,
      {.id = "eio/reset/13",
       .title = "A WebSocket frame cut short by a reset harms nothing",
       .requirement = "A client that resets its WebSocket connection in the middle of a frame (in "
                      "its header, or in its payload) MUST NOT bring the server down: sessions "
                      "opened before go on and new handshakes work.",
       .level = Level::must,
       .source = "RFC 6455, section 7.1.5 (closed without a close frame: 1006); " + kReset},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        RawPool pool;
        const auto frame = client_frame(0x81, "4this frame is cut short by a reset");
        for (const std::size_t cut : {std::size_t{4}, std::size_t{12}}) {
          std::string bytes;
          auto& raw = open_raw_session(c, pool, bytes);
          raw.send(frame.substr(0, cut));
          raw.reset();
        }
        expect_alive(c, *before);
      });

  add(out,
      {.id = "eio/reset/14",
       .title = "A reset right after a close frame harms nothing",
       .requirement = "A client that sends a WebSocket close frame and resets the connection, "
                      "before or right after the server's close frame arrives, MUST NOT bring the "
                      "server down: sessions opened before go on and new handshakes work.",
       .level = Level::must,
       .source = "RFC 6455, section 5.5.1; " + kReset},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        RawPool pool;
        const auto close = client_frame(0x88, std::string("\x03\xe8", 2));
        for (const bool answered : {false, true}) {
          std::string bytes;
          auto& raw = open_raw_session(c, pool, bytes);
          raw.send(close);
          if (answered) {
            std::vector<ServerFrame> frames;
            const int code = await_failure(raw, std::move(bytes), c.prompt(*before), frames);
            c.check(code != 0, "after the close frame", "the server's close frame, or the end",
                    "still open");
          }
          raw.reset();
        }
        expect_alive(c, *before);
      });
}

}  // namespace conform::cases
