// eio/upgrade: switching a polling session to WebSocket (probe, noop, "5"), and what the session
// does around the switch.
#include "areas.hpp"
#include "common.hpp"

namespace conform::cases {

namespace {

const std::string kSpec = "Engine.IO v4 specification, Upgrade";
// engine.io ends GETs during an upgrade from a timer that runs every 100 ms.
constexpr Ms kUpgradeCheck{100};

std::string shown(const std::optional<WsEvent>& e) {
  if (!e) return "nothing";
  switch (e->kind) {
    case WsEvent::Kind::text:
      return e->data;
    case WsEvent::Kind::binary:
      return "binary " + std::to_string(e->data.size()) + " bytes";
    case WsEvent::Kind::closed:
      return "(WebSocket closed, " + std::to_string(e->close_code) + ")";
  }
  return "?";
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items)
    out += (out.empty() ? "" : " ") + i;
  return out.empty() ? "(none)" : out;
}

// A polling session driven request by request, and the WebSocket that upgrades it. Pings that
// come in polling answers are answered at once (one POST at a time, never overlapping another);
// after "5", pings on the WebSocket are answered by a hook.
class Manual {
 public:
  explicit Manual(Context& c) : c_(c), sent_(Clock::now()) {
    const auto r = get_eio(c, "EIO=4&transport=polling");
    c.check(r.status == 200 && r.body.starts_with("0"), "handshake", "200 and 0{...}",
            std::to_string(r.status) + " " + r.body);
    auto h = codec::parse_handshake(std::string_view(r.body).substr(1));
    c.check(h.has_value() && !h->sid.empty(), "open packet", "a JSON object with a sid", r.body);
    h_ = *h;
  }
  ~Manual() { *alive_ = false; }
  Manual(const Manual&) = delete;
  Manual& operator=(const Manual&) = delete;

  Ms interval() const { return Ms(h_.ping_interval); }
  Ms timeout() const { return Ms(h_.ping_timeout); }
  // Whether something the server did at `t` was settled before the first ping could be due,
  // with engine.io's 100 ms upgrade check to spare. When it was not (a slow machine), a ping in
  // a GET's answer instead of the noop proves nothing, and the case tries a fresh session.
  bool before_ping(Clock::time_point t) const { return t + kUpgradeCheck < sent_ + interval(); }
  // As Context::prompt() for an EioSession: well before pingInterval + pingTimeout.
  Ms prompt() const {
    return std::clamp((interval() + timeout()) / 2, Ms(100), Ms(2000)) + c_.tolerance();
  }

  std::string polling() const { return c_.eio() + "?EIO=4&transport=polling&sid=" + h_.sid; }
  // The upgrade's target; `version` is its EIO parameter with its "&" ("EIO=4&", or none at all).
  std::string websocket(std::string_view version = "EIO=4&") const {
    return c_.eio() + "?" + std::string(version) + "transport=websocket&sid=" + h_.sid;
  }

  Pending<HttpResponse> start_get() { return c_.loop().start_request({"GET", polling(), {}, {}}); }

  // The answer to a GET within `deadline`, or the case fails.
  HttpResponse wait(Pending<HttpResponse>& get, Ms deadline, std::string_view what) {
    auto r = get.wait(deadline);
    if (!r) {
      if (!get.done()) get.cancel();
      c_.fail(std::string(what), "an answer within " + std::to_string(deadline.count()) + " ms",
              get.error() ? "request failed: " + *get.error() : "none");
    }
    return *r;
  }

  HttpResponse post(std::string body) {
    return http(c_, "POST", polling(), std::move(body),
                {{"Content-Type", "text/plain;charset=UTF-8"}});
  }

  // The records of a 200 polling answer, pings answered with a pong. `noops` counts the "6".
  std::vector<std::string> records(const HttpResponse& r, std::string_view what,
                                   int* noops = nullptr) {
    c_.check(r.status == 200, std::string(what), "200", std::to_string(r.status) + " " + r.body);
    std::vector<std::string> out;
    bool ping = false;
    for (auto& record : codec::split_payload(r.body)) {
      if (record == "2") {
        ping = true;
      } else if (record == "6") {
        if (noops) ++*noops;
      } else {
        out.push_back(std::move(record));
      }
    }
    if (ping) pong();
    return out;
  }

  void pong() {
    const auto r = post("3");
    c_.check(r.status == 200, "pong POST", "200", std::to_string(r.status) + " " + r.body);
  }

  // Opens the WebSocket with this sid; false (and `refused` filled) when it is refused.
  bool open_ws(HttpResponse* refused = nullptr, std::string_view version = "EIO=4&") {
    ws_ = std::make_unique<WebSocket>(c_.loop());
    return ws_->connect(websocket(version), Ms(5000), refused);
  }
  void open_ws_or_fail() {
    HttpResponse refused;
    if (!open_ws(&refused))
      c_.fail("WebSocket with the sid", "101",
              "refused: HTTP " + std::to_string(refused.status) + " " + refused.body);
  }
  WebSocket& ws() { return *ws_; }

  // Sends 2probe and requires 3probe as the next frame.
  void probe() {
    ws_->send_text("2probe");
    const auto reply = ws_->next(prompt());
    c_.expect_eq("answer to 2probe", "3probe", shown(reply));
  }

  // Sends "5" and from then on answers pings on the WebSocket.
  void finish() {
    ws_->send_text("5");
    ws_->on_text([w = ws_.get(), alive = alive_](const std::string& text) {
      if (!*alive || text != "2") return false;
      w->send_text("3");
      return true;
    });
  }

  // The whole upgrade as a client does it: a GET in flight, probe, that GET ended, "5".
  void upgrade() {
    auto get = start_get();
    open_ws_or_fail();
    probe();
    records(wait(get, prompt(), "GET in flight during the upgrade"), "GET in flight");
    finish();
  }

  // The next WebSocket frame within `deadline` (pings skipped once upgraded).
  std::optional<WsEvent> frame(Ms deadline) { return ws_->next(deadline); }
  // The next frame must be exactly `text`. Noops ("6") before it are skipped and counted: they
  // are harmless to clients but not expected (see done()).
  void expect_frame(std::string_view text, std::string_view what) {
    auto e = frame(prompt());
    while (e && e->kind == WsEvent::Kind::text && e->data == "6" && text != "6") {
      ++stray_noops_;
      e = frame(prompt());
    }
    c_.expect_eq(what, text, shown(e));
  }
  // Ends the case NON-STRICT when noops came on the WebSocket: the official suite requires the
  // echo as the very next frame after "5".
  void done() {
    if (stray_noops_ > 0)
      c_.alternative("frames on the WebSocket", "no noop (the next frame is the expected one)",
                     std::to_string(stray_noops_) + " noop(s) \"6\" before the expected frame");
  }

 private:
  Context& c_;
  Clock::time_point sent_;  // just before the handshake: the server's clock starts after it
  codec::Handshake h_;
  std::unique_ptr<WebSocket> ws_;
  int stray_noops_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Polls until a GET carries messages (noops and pings before them are fine), within prompt().
std::vector<std::string> poll_messages(Context& c, Manual& m) {
  const auto deadline = Clock::now() + m.prompt();
  while (Clock::now() < deadline) {
    auto get = m.start_get();
    const auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now());
    auto messages = m.records(m.wait(get, std::max(left, Ms(1)), "GET"), "GET");
    if (!messages.empty()) return messages;
    c.loop().run_for(Ms(20));
  }
  return {};
}

bool has_noop(const HttpResponse& r) {
  const auto records = codec::split_payload(r.body);
  return r.status == 200 && std::find(records.begin(), records.end(), "6") != records.end();
}

// Runs `attempt` on fresh sessions until one is conclusive (it returns false when the first ping
// fell due in the middle of what it checks, on a slow machine).
void until_conclusive(Context& c, const std::function<bool()>& attempt) {
  for (int i = 0; i < 3; ++i) {
    if (attempt()) return;
    c.loop().note("--", "the first ping fell due during the check: again on a fresh session");
  }
  c.fail("attempts", "one that finishes before the first ping is due",
         "3 attempts overtaken by the first ping (the machine is too busy for this case)");
}

}  // namespace

void add_eio_upgrade(std::vector<Case>& out) {
  add(out,
      {.id = "eio/upgrade/1",
       .title = "2probe on the new WebSocket is answered 3probe, as its first frame",
       .requirement = "On a WebSocket opened with the sid of a polling session, the server MUST "
                      "answer the ping \"2probe\" with the pong \"3probe\", and that MUST be the "
                      "first frame: no open packet is sent on an upgrade WebSocket.",
       .level = Level::must,
       .source = kSpec + "; official Engine.IO test suite (upgrade)"},
      [](Context& c) {
        Manual m(c);
        m.open_ws_or_fail();
        m.probe();
      });

  add(out,
      {.id = "eio/upgrade/2",
       .title = "A GET pending at probe time is answered with a noop promptly",
       .requirement = "When the probe is answered, a GET that is pending on the polling transport "
                      "MUST be ended with a noop packet (\"6\"), promptly (siocheck's reference "
                      "server at once, Node's engine.io within its 100 ms upgrade check), so that "
                      "the client can pause polling and send \"5\".",
       .level = Level::must,
       .source = kSpec + "; engine.io 6.6 observed (E24)"},
      [](Context& c) {
        until_conclusive(c, [&] {
          Manual m(c);
          auto get = m.start_get();
          m.open_ws_or_fail();
          m.probe();
          const auto probed = Clock::now();
          const auto r = m.wait(get, m.prompt(), "the pending GET");
          const auto took = std::chrono::duration_cast<Ms>(Clock::now() - probed).count();
          if (r.body != "6" && !m.before_ping(probed)) return false;
          c.expect_eq("answer to the pending GET", "200 6",
                      std::to_string(r.status) + " " + r.body);
          c.check(true, "answered after 3probe",
                  "within " + std::to_string(m.prompt().count()) + " ms",
                  std::to_string(took) + " ms");
          return true;
        });
      });

  add(out,
      {.id = "eio/upgrade/3",
       .title = "A GET sent after 3probe is answered with a noop promptly",
       .requirement = "A polling GET that arrives while the upgrade is in progress (after 3probe, "
                      "before \"5\") MUST be answered \"6\" promptly: holding it until the next "
                      "ping or until \"5\" stalls the client (the official suite sends its GET "
                      "only after 3probe and \"5\" only after the GET returns).",
       .level = Level::must,
       .source = kSpec + "; official Engine.IO test suite (upgrade); engine.io 6.6 observed (E24)"},
      [](Context& c) {
        until_conclusive(c, [&] {
          Manual m(c);
          m.open_ws_or_fail();
          m.probe();
          const auto sent = Clock::now();
          auto get = m.start_get();
          const auto r = m.wait(get, m.prompt(), "GET after 3probe");
          if (r.body != "6" && !m.before_ping(sent)) return false;
          c.expect_eq("answer to the GET", "200 6", std::to_string(r.status) + " " + r.body);
          m.finish();
          m.ws().send_text("4hello");
          m.expect_frame("4hello", "echo on the WebSocket after 5");
          m.done();
          return true;
        });
      });

  add(out,
      {.id = "eio/upgrade/4",
       .title = "Every GET during the upgrade is answered promptly",
       .requirement = "Each polling GET that is pending or arrives during the upgrade MUST be "
                      "ended promptly with a noop (or with packets that are due, such as a ping), "
                      "not only the first one: clients may poll more than once before they pause, "
                      "and a GET left hanging stalls the upgrade until the next ping.",
       .level = Level::must,
       .source = "engine.io 6.6 observed (E24); python-engineio#160, socketioxide#487/#554, "
                 "engine.io-server-java#14"},
      [](Context& c) {
        until_conclusive(c, [&] {
          Manual m(c);
          auto first = m.start_get();
          m.open_ws_or_fail();
          m.probe();
          std::vector<std::string> answers;
          int judged = 0;
          // A GET must get the noop; only one sent when the first ping was about due may get
          // that ping instead.
          auto note = [&](const HttpResponse& r, Clock::time_point sent) {
            answers.push_back(r.body);
            const bool noop = has_noop(r);
            if (!noop && r.status == 200 && r.body == "2" && !m.before_ping(sent)) {
              m.pong();
              return;
            }
            c.check(noop && m.records(r, "GET during the upgrade").empty(),
                    "answer to a GET during the upgrade", "6", r.body);
            ++judged;
          };
          note(m.wait(first, m.prompt(), "the GET pending at probe time"), Clock::now());
          for (int i = 0; i < 3; ++i) {
            const auto sent = Clock::now();
            auto get = m.start_get();
            note(m.wait(get, m.prompt(), "GET #" + std::to_string(i + 2) + " during the upgrade"),
                 sent);
          }
          if (judged < 3) return false;
          c.check(true, "answers", "a noop for each of 4 GETs", joined(answers));
          m.finish();
          m.ws().send_text("4done");
          m.expect_frame("4done", "echo on the WebSocket after 5");
          m.done();
          return true;
        });
      });

  add(out,
      {.id = "eio/upgrade/5",
       .title = "After the upgrade a polling GET is refused and the session goes on",
       .requirement = "Once \"5\" has been received, a polling GET with the sid MUST get HTTP 400 "
                      "with {\"code\":3,\"message\":\"Bad request\"} (transport mismatch), and the "
                      "session MUST keep working over the WebSocket.",
       .level = Level::must,
       .source = "engine.io 6.6 observed (E29); official Engine.IO test suite (ignores HTTP "
                 "requests with "
                 "same sid after upgrade)"},
      [](Context& c) {
        Manual m(c);
        m.upgrade();
        m.ws().send_text("4before");
        m.expect_frame("4before", "echo on the WebSocket");
        expect_error(c, http(c, "GET", m.polling()), 400, 3, "polling GET after the upgrade");
        m.ws().send_text("4hello");
        m.expect_frame("4hello", "echo on the WebSocket after the refused GET");
        m.done();
      });

  add(out,
      {.id = "eio/upgrade/6",
       .title = "After the upgrade a polling POST is refused and not delivered",
       .requirement =
           "Once \"5\" has been received, a polling POST with the sid SHOULD get HTTP 400 with "
           "{\"code\":3,...} (transport mismatch, as Node's engine.io answers) and its packets "
           "SHOULD NOT be delivered; the session keeps working over the WebSocket.",
       .level = Level::should,
       .source = "engine.io 6.6 observed (E29)"},
      [](Context& c) {
        Manual m(c);
        m.upgrade();
        m.ws().send_text("4before");
        m.expect_frame("4before", "echo on the WebSocket");
        expect_error(c, m.post("4from-post"), 400, 3, "polling POST after the upgrade");
        m.ws().send_text("4hello");
        m.expect_frame("4hello",
                       "next frame on the WebSocket (the POST's 4from-post must not come)");
        m.done();
      });

  add(out,
      {.id = "eio/upgrade/7",
       .title = "A message sent during the upgrade goes out on the pending GET",
       .requirement =
           "While a probe WebSocket is open but the upgrade is not complete, the session is still "
           "on polling: a message the server sends then SHOULD end the pending GET at once, as on "
           "any polling session, and MUST then not be sent again on the WebSocket.",
       .level = Level::should,
       .source = "engine.io 6.6 observed (E25)"},
      [](Context& c) {
        Manual m(c);
        auto get = m.start_get();
        m.open_ws_or_fail();
        const auto posted = m.post("4during");
        c.check(posted.status == 200, "POST while the probe WebSocket is open", "200",
                std::to_string(posted.status) + " " + posted.body);
        auto messages = m.records(m.wait(get, m.prompt(), "the pending GET"), "the pending GET");
        if (messages.empty()) {  // the first ping came first on a slow machine: one GET more
          auto next = m.start_get();
          messages = m.records(m.wait(next, m.prompt(), "the next GET"), "the next GET");
        }
        c.expect_eq("the pending GET carries", "4during", joined(messages));
        m.probe();
        m.finish();
        m.ws().send_text("4after");
        m.expect_frame("4after", "first frame after 5 (4during must not come twice)");
        m.done();
      });

  add(out,
      {.id = "eio/upgrade/8",
       .title = "A POST during the upgrade is processed and its echo arrives once",
       .requirement = "A POST sent after 3probe and before \"5\" (a client's POST still in flight "
                      "when it pauses) MUST be answered and its packets processed; the echo MUST "
                      "arrive exactly once, on a GET or on the WebSocket after \"5\".",
       .level = Level::must,
       .source = "engine.io 6.6 observed (E26); engine.io-client waits for the POST in flight "
                 "before \"5\""},
      [](Context& c) {
        Manual m(c);
        auto get = m.start_get();
        m.open_ws_or_fail();
        m.probe();
        m.records(m.wait(get, m.prompt(), "the GET in flight"), "the GET in flight");
        const auto posted = m.post("4posted");
        c.check(posted.status == 200, "POST during the upgrade", "200",
                std::to_string(posted.status) + " " + posted.body);
        m.finish();
        m.expect_frame("4posted", "first frame after 5");
        m.ws().send_text("4next");
        m.expect_frame("4next", "the frame after it (4posted only once)");
        m.done();
      });

  add(out,
      {.id = "eio/upgrade/9",
       .title = "Nothing is lost, repeated or reordered across the switch",
       .requirement =
           "Messages the server sends before, during and after the upgrade MUST each arrive "
           "exactly once and in order, whichever transport carries them: the server flushes what "
           "polling did not carry onto the WebSocket after \"5\", before anything newer.",
       .level = Level::must,
       .source = kSpec + "; engine.io 6.6 observed (E25, E26)"},
      [](Context& c) {
        Manual m(c);
        std::vector<std::string> seen;
        auto posted = [&](std::string body) {
          const auto r = m.post(std::move(body));
          c.check(r.status == 200, "POST", "200", std::to_string(r.status) + " " + r.body);
        };
        // Like a client, a GET is in flight until the upgrade pauses polling (which also carries
        // the first ping should it fall due meanwhile).
        auto get = m.start_get();
        auto drain = [&](std::string_view what, bool again) {
          for (auto& r : m.records(m.wait(get, m.prompt(), what), what))
            seen.push_back(std::move(r));
          if (again) get = m.start_get();
        };
        posted(
            "4m1\x1e"
            "4m2");
        drain("GET before the upgrade", true);
        m.open_ws_or_fail();
        posted("4m3");
        drain("GET while the probe WebSocket is open", true);
        m.probe();
        drain("GET pending at probe time", false);
        posted("4m4");
        get = m.start_get();
        drain("GET after 3probe", false);
        posted("4m5");
        m.finish();
        m.ws().send_text("4m6");
        m.ws().send_text("4m7");
        const auto deadline = Clock::now() + m.prompt() * 2;
        while (std::find(seen.begin(), seen.end(), "4m7") == seen.end() &&
               Clock::now() < deadline) {
          auto e = m.frame(std::chrono::duration_cast<Ms>(deadline - Clock::now()));
          if (!e) break;
          if (e->kind != WsEvent::Kind::text) {
            seen.push_back(shown(e));
            break;
          }
          if (e->data != "6") seen.push_back(e->data);  // a noop is no message
        }
        c.expect_eq("messages, in the order they arrived", "4m1 4m2 4m3 4m4 4m5 4m6 4m7",
                    joined(seen));
      });

  add(out,
      {.id = "eio/upgrade/10",
       .title = "Any other packet on the probe WebSocket aborts the upgrade; polling goes on",
       .requirement =
           "On a WebSocket opened for an upgrade, a first packet other than \"2probe\" (or \"5\") "
           "MUST abort the upgrade: the server closes that WebSocket promptly, does not deliver "
           "the packet, and the session MUST continue on polling.",
       .level = Level::must,
       .source = "engine.io 6.6 observed (E27)"},
      [](Context& c) {
        Manual m(c);
        m.open_ws_or_fail();
        m.ws().send_text("4notprobe");
        const auto e = m.frame(m.prompt());
        c.check(e && e->kind == WsEvent::Kind::closed, "the probe WebSocket after 4notprobe",
                "closed promptly", shown(e));
        const auto posted = m.post("4still");
        c.check(posted.status == 200, "POST after the aborted upgrade", "200",
                std::to_string(posted.status) + " " + posted.body);
        c.expect_eq("messages on polling", "4still", joined(poll_messages(c, m)));
      });

  add(out,
      {.id = "eio/upgrade/11",
       .title = "\"5\" without a probe completes the upgrade",
       .requirement = "A server MAY accept \"5\" on the new WebSocket without a \"2probe\" first "
                      "(Node's engine.io does); a server that refuses it is recorded, not judged.",
       .level = Level::may,
       .source = "engine.io 6.6 observed (E28)"},
      [](Context& c) {
        Manual m(c);
        m.open_ws_or_fail();
        m.finish();
        m.ws().send_text("4hello");
        m.expect_frame("4hello", "echo on the WebSocket after a 5 without a probe");
        m.done();
      });

  add(out,
      {.id = "eio/upgrade/12",
       .title = "A second WebSocket with the sid after the upgrade is closed; the first goes on",
       .requirement =
           "After the upgrade, another WebSocket opened with the same sid MUST be closed without "
           "touching the session: the first WebSocket keeps working. Accepting it (101) and then "
           "closing it is what the official suite expects; refusing it with a 4xx is an "
           "alternative (its Node client throws on a refused upgrade); a 5xx is a server failure.",
       .level = Level::must,
       .source = "official Engine.IO test suite (ignores WebSocket connection with same sid after "
                 "upgrade); "
                 "engine.io 6.6 observed"},
      [](Context& c) {
        Manual m(c);
        m.upgrade();
        m.ws().send_text("4one");
        m.expect_frame("4one", "echo on the first WebSocket");
        WebSocket second(c.loop());
        HttpResponse refused;
        const bool accepted = second.connect(m.websocket(), Ms(5000), &refused);
        if (accepted) {
          const auto e = second.next(m.prompt());
          c.check(e && e->kind == WsEvent::Kind::closed, "the second WebSocket",
                  "closed by the server, with no frame before", shown(e));
        }
        m.ws().send_text("4hello");
        m.expect_frame("4hello", "echo on the first WebSocket");
        m.done();
        if (!accepted) {
          const auto got = "refused: HTTP " + std::to_string(refused.status) + " " + refused.body;
          if (refused.status >= 400 && refused.status < 500)
            c.alternative("the second WebSocket", "101, then closed", got);
          c.fail("the second WebSocket", "101, then closed (or a 4xx refusal)", got);
        }
      });

  add(out,
      {.id = "eio/upgrade/13",
       .title = "An upgrade with an unknown sid is refused before 101",
       .requirement = "A WebSocket request with a sid the server does not know MUST NOT open a "
                      "session; it SHOULD be refused with HTTP 400 before the 101 (Node's "
                      "engine.io does). Accepting and then closing at once is an alternative.",
       .level = Level::must,
       .source = "engine.io 6.6 observed (E18)"},
      [](Context& c) {
        WebSocket ws(c.loop());
        HttpResponse refused;
        const bool accepted = ws.connect(c.eio() + "?EIO=4&transport=websocket&sid=no-such-session",
                                         Ms(5000), &refused);
        if (!accepted) {
          c.check(refused.status == 400, "answer to the upgrade request", "HTTP 400",
                  std::to_string(refused.status) + " " + refused.body);
          return;
        }
        const auto e = ws.next(Ms(500) + c.tolerance());
        if (e && e->kind == WsEvent::Kind::closed)
          c.alternative("answer to the upgrade request", "HTTP 400 before any 101",
                        "101, then the WebSocket closed");
        c.fail("answer to the upgrade request", "HTTP 400 before any 101",
               "101, then: " + shown(e));
      });

  add(out,
      {.id = "eio/upgrade/14",
       .title = "The heartbeat goes on over polling during the upgrade",
       .requirement =
           "While an upgrade is in progress (after 3probe, before \"5\") the server SHOULD keep "
           "pinging on the polling transport, as Node's engine.io does: a GET issued once the ping "
           "is due carries it. (socketioxide pauses the heartbeat instead; python-engineio keeps "
           "the ping queued and answers noops.)",
       .level = Level::should,
       .source = "engine.io 6.6 observed (socket.ts: pings go to the current transport)",
       .timing = true},
      [](Context& c) {
        const auto start = Clock::now();
        Manual m(c);
        // A ping due after the upgrade timeout cannot come during an upgrade: the server ends the
        // upgrade first (a target with a long heartbeat, such as socket.io's default 25000 ms).
        if (m.interval() + c.tolerance() >= c.upgrade_timeout())
          c.informational("ping on polling during the upgrade",
                          "not observable on this target: its ping is due " +
                              std::to_string(m.interval().count()) +
                              " ms after the handshake, and its upgrade timeout (" +
                              std::to_string(c.upgrade_timeout().count()) +
                              " ms) ends an upgrade before that");
        auto get = m.start_get();
        m.open_ws_or_fail();
        m.probe();
        const auto first = m.wait(get, m.prompt(), "the GET in flight at probe time");
        std::vector<std::string> bodies{first.body};
        bool pinged = first.body.find('2') != std::string::npos;
        m.records(first, "the GET in flight");
        const auto deadline = start + m.interval() + c.tolerance() + kUpgradeCheck;
        while (!pinged && Clock::now() < deadline) {
          c.loop().run_for(Ms(20));
          auto g = m.start_get();
          const auto r = m.wait(g, m.prompt(), "GET during the upgrade");
          bodies.push_back(r.body);
          pinged = r.status == 200 && r.body.find('2') != std::string::npos;
          m.records(r, "GET during the upgrade");
        }
        std::string summary =
            std::to_string(bodies.size()) + " GET(s): " +
            (bodies.size() > 4 ? bodies.front() + " ... " + bodies.back() : joined(bodies));
        c.check(pinged, "ping on polling during the upgrade",
                "a GET carries the ping due at pingInterval", summary);
        m.finish();
        m.ws().send_text("4alive");
        m.expect_frame("4alive", "first frame after 5");
        m.done();
      });

  add(out,
      {.id = "eio/upgrade/15",
       .title = "\"5\" sent right after 2probe is accepted",
       .requirement = "A client MAY send \"5\" right after \"2probe\", before reading 3probe: the "
                      "server MUST still answer 3probe, complete the upgrade, and from then refuse "
                      "polling requests (400).",
       .level = Level::must,
       .source = "official Socket.IO test suite (upgrade tests send 2probe and 5 back to back); "
                 "engine.io-protocol#50"},
      [](Context& c) {
        Manual m(c);
        m.open_ws_or_fail();
        m.ws().send_text("2probe");
        m.finish();
        m.expect_frame("3probe", "first frame");
        m.ws().send_text("4hello");
        m.expect_frame("4hello", "echo on the WebSocket");
        expect_error(c, http(c, "GET", m.polling()), 400, 3, "polling GET after the upgrade");
        m.done();
      });

  add(out,
      {.id = "eio/upgrade/16",
       .title = "A probe WebSocket closed before \"5\" leaves the session on polling",
       .requirement = "When the client closes the probe WebSocket before \"5\" (a failed probe), "
                      "the server MUST abort the upgrade and keep the session on polling: messages "
                      "keep flowing over GET/POST.",
       .level = Level::must,
       .source = "engine.io 6.6 (socket.ts: a closed probe transport cancels the upgrade); "
                 "engine.io-client "
                 "stays on polling when the probe fails"},
      [](Context& c) {
        Manual m(c);
        m.open_ws_or_fail();
        m.probe();
        m.ws().close();
        const auto e = m.frame(m.prompt());
        c.check(e && e->kind == WsEvent::Kind::closed, "the probe WebSocket", "closed", shown(e));
        const auto posted = m.post("4still");
        c.check(posted.status == 200, "POST after the failed probe", "200",
                std::to_string(posted.status) + " " + posted.body);
        c.expect_eq("messages on polling", "4still", joined(poll_messages(c, m)));
      });

  add(out,
      {.id = "eio/upgrade/17",
       .title = "After the upgrade, text and binary messages travel on the WebSocket",
       .requirement = "After \"5\" the server MUST send on the WebSocket only: the echo of a text "
                      "message is the next text frame, and binary comes back as a binary frame "
                      "with the same bytes. A noop before the echo is harmless but not expected "
                      "(NON-STRICT): the official suite requires the echo as the next frame.",
       .level = Level::must,
       .source = kSpec + "; official Engine.IO test suite (successfully upgrades)"},
      [](Context& c) {
        Manual m(c);
        m.upgrade();
        m.ws().send_text("4hello");
        m.ws().send_binary(std::string("\x01\x02\x03", 3));
        m.expect_frame("4hello", "first frame after 5");
        const auto e = m.frame(m.prompt());
        c.check(e && e->kind == WsEvent::Kind::binary && e->data == std::string("\x01\x02\x03", 3),
                "second frame", "binary 01 02 03", shown(e));
        m.done();
      });

  add(out,
      {.id = "eio/upgrade/18",
       .title = "An upgrade that does not say EIO=4 is refused before any 101",
       .requirement =
           "A polling session speaks Engine.IO v4: a WebSocket upgrade of it whose query has no "
           "EIO, or EIO=3, SHOULD be refused with 400 before any 101. A server that accepts it "
           "MUST complete that upgrade like any other and go on serving (engine.io 6.6.0 to 6.6.9 "
           "crashed once such an upgrade was done).",
       .level = Level::must,
       .source = kSpec + "; engine.io 6.6.10 observed; CVE-2026-102599"},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        std::string accepted;
        for (const std::string_view version : {"", "EIO=3&"}) {
          const std::string what =
              version.empty() ? "the upgrade without EIO" : "the upgrade with EIO=3";
          Manual m(c);
          HttpResponse refused;
          if (!m.open_ws(&refused, version)) {
            c.check(refused.status == 400, "answer to " + what, "400",
                    std::to_string(refused.status) + " " + refused.body);
            continue;
          }
          accepted += (accepted.empty() ? "" : "; ") + what + ": 101";
          m.probe();
          m.finish();
          m.ws().send_text("4after");
          m.expect_frame("4after", "echo on the WebSocket after " + what);
        }
        expect_alive(c, *before);
        if (!accepted.empty()) c.alternative("answers", "400 before any 101", accepted);
      });
}

}  // namespace conform::cases
