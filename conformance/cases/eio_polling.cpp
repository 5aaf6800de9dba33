// eio/polling: HTTP long-polling. GETs that wait for data, POSTs that carry payloads, the record
// separator, one request of each kind at a time, and the ways a session ends from the client's
// side. Most cases drive the requests by hand (a handshake, then the case's own GETs and POSTs), so
// that no background poll of the driver's takes an answer meant for the case.
#include <cstdio>

#include "areas.hpp"
#include "common.hpp"

namespace conform::cases {

namespace {

const std::string kSending = "Engine.IO v4 specification, HTTP long-polling: Sending data";
const std::string kReceiving = "Engine.IO v4 specification, HTTP long-polling: Receiving data";
const std::string kEncoding = "Engine.IO v4 specification, Packet encoding: HTTP long-polling";
const std::string kOfficial = "official Engine.IO test suite";

std::string joined(const std::vector<std::string>& records) {
  return visible(codec::join_payload(records));
}

// A polling session whose requests the case makes itself: only the handshake is done here.
struct Poll {
  std::string sid;
  codec::Handshake handshake;
  std::string url;  // path?EIO=4&transport=polling&sid=...
};

Poll open_poll(Context& c) {
  const std::string base = c.eio();
  const auto r = http(c, "GET", base + "?EIO=4&transport=polling");
  c.check(r.status == 200 && r.body.starts_with("0{"), "polling handshake", "200 0{...}", shown(r));
  auto h = codec::parse_handshake(std::string_view(r.body).substr(1));
  c.check(h.has_value() && !h->sid.empty(), "open packet", "a JSON object with a sid", r.body);
  return {h->sid, *h, base + "?EIO=4&transport=polling&sid=" + h->sid};
}

// How long a request whose answer may never come is waited for.
constexpr Ms kBounded{2000};

// How long the server may take to react (Context::prompt's rule, for a session driven by hand).
Ms prompt(Context& c, const Poll& p) {
  const Ms window(p.handshake.ping_interval + p.handshake.ping_timeout);
  return std::clamp(window / 2, Ms(100), Ms(2000)) + c.tolerance();
}

// A GET: answered at once, or held until there is data, at the latest until the next ping.
HttpResponse get(Context& c, const Poll& p) {
  const auto limit = Ms(p.handshake.ping_interval) + prompt(c, p);
  const auto r = c.loop().request({"GET", p.url, {}, {}}, limit);
  if (!r)
    c.fail("GET answer",
           "an answer within " + std::to_string(limit.count()) +
               " ms (a held GET ends at the next ping at the latest)",
           "none");
  return *r;
}

const Headers& text_type() {
  static const Headers headers{{"Content-Type", "text/plain;charset=UTF-8"}};
  return headers;
}

HttpResponse post(Context& c, const Poll& p, std::string body, Headers headers = text_type()) {
  return http(c, "POST", p.url, std::move(body), std::move(headers));
}

Pending<HttpResponse> start_get(Context& c, const Poll& p) {
  return c.loop().start_request({"GET", p.url, {}, {}});
}

// Lets a request that was just started reach the server and be parked there.
void settle(Context& c) {
  c.loop().run_for(Ms(50));
}

// A GET that must be held: not answered while nothing is queued for the session.
void expect_held(Context& c, Pending<HttpResponse>& pending, std::string_view what) {
  settle(c);
  c.check(!pending.done(), std::string(what), "held by the server (nothing is queued yet)",
          pending.done()
              ? (pending.error() ? "failed: " + *pending.error()
                                 : "answered at once (" + shown(*pending.wait(Ms(0))) + ")")
              : "held");
}

HttpResponse wait_answer(Context& c, Pending<HttpResponse>& pending, std::string_view what) {
  auto r = pending.wait(Ms(3000));
  if (!r)
    c.fail(std::string(what), "an answer within 3000 ms",
           pending.error() ? "failed: " + *pending.error() : "none");
  return *r;
}

struct Answer {
  HttpResponse response;
  std::vector<std::string> records;
};

// A session driven by hand answers pings only when a GET brings one; on a busy machine the server
// may answer so late that the heartbeat overtakes the case (a ping answers the GET the case is
// about, or the session ends by ping timeout). Such an attempt proves nothing either way, so it is
// made again on a new session, twice at most (see retrying); the last attempt is judged as it is.
struct Inconclusive : std::runtime_error {
  explicit Inconclusive(std::string why) : std::runtime_error(std::move(why)) {}
};

thread_local bool last_attempt = true;

void inconclusive(std::string why) {
  if (!last_attempt) throw Inconclusive(std::move(why));
}

bool session_gone(const HttpResponse& r) {
  return r.status == 400 && r.body.find("\"code\":1") != std::string::npos;
}

// The next GET answer that carries more than pings (each ping is answered with a pong and left
// out of `records`), so that a case stays correct when a ping comes due while it runs.
Answer next_answer(Context& c, const Poll& p, Pending<HttpResponse>* pending = nullptr) {
  for (int round = 0; round < 4; ++round) {
    Answer a;
    a.response = (round == 0 && pending) ? wait_answer(c, *pending, "held GET") : get(c, p);
    if (session_gone(a.response))
      inconclusive("the session ended before the case was done: " + shown(a.response));
    if (a.response.status != 200) return a;
    bool pinged = false;
    for (auto& record : codec::split_payload(a.response.body)) {
      if (record == "2") {
        pinged = true;
      } else {
        a.records.push_back(std::move(record));
      }
    }
    if (pinged) post(c, p, "3");
    if (!a.records.empty()) return a;
  }
  c.fail("GET answers", "an answer with more than pings", "only pings, four times");
}

// A POST whose answer is not what the case is about: bounded, so that a server that never answers
// it costs the case little; a POST left unanswered is cancelled.
std::optional<HttpResponse> post_within(Context& c, const Poll& p, std::string body) {
  return c.loop().request({"POST", p.url, text_type(), std::move(body)}, kBounded);
}

// The session is gone: a request with its sid gets 400 {"code":1}.
void expect_gone(Context& c, const Poll& p, std::string_view what) {
  expect_error(c, get(c, p), 400, 1, what);
}

std::string lower(std::string s) {
  for (auto& ch : s)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// Runs a case whose session the heartbeat may overtake on a busy machine: an inconclusive attempt
// is made again on a new session, twice at most, and the third is judged whatever happens.
std::function<void(Context&)> retrying(std::function<void(Context&)> run) {
  return [run = std::move(run)](Context& c) {
    for (int attempt = 1;; ++attempt) {
      last_attempt = attempt == 3;
      try {
        run(c);
        last_attempt = true;
        return;
      } catch (const Inconclusive& why) {
        c.loop().note("--", std::string("inconclusive (") + why.what() + "): once more");
      } catch (...) {
        last_attempt = true;
        throw;
      }
    }
  };
}

}  // namespace

void add_eio_polling(std::vector<Case>& out) {
  add(out,
      {.id = "eio/polling/1",
       .title = "A GET waits for data and is answered when a message arrives",
       .requirement =
           "With nothing queued the server MUST hold a GET rather than answer it empty, and MUST "
           "answer the held GET once a packet is queued for the session (here the echo of a POST).",
       .level = Level::must,
       .source = kReceiving + "; " + kOfficial},
      retrying([](Context& c) {
        const auto p = open_poll(c);
        auto pending = start_get(c, p);
        expect_held(c, pending, "GET right after the handshake");
        post(c, p, "4hello");
        const auto held = wait_answer(c, pending, "held GET");
        // A server that waited for the next ping to answer would bring the ping along; so may a
        // busy machine, once: that attempt is made again.
        const auto records = codec::split_payload(held.body);
        if (std::find(records.begin(), records.end(), "2") != records.end()) {
          post(c, p, "3");
          inconclusive("the ping came with the message");
        }
        c.expect_eq("held GET's answer", "200 4hello", shown(held));
      }));

  add(out,
      {.id = "eio/polling/2",
       .title = "The packets of one POST come back together in one GET",
       .requirement = "Every packet of a POST MUST be processed before the next GET is answered, "
                      "and the GET MUST carry all of their echoes, in order, joined by exactly one "
                      "0x1E and with no trailing separator: 4test1\\x1e4test2\\x1e4test3.",
       .level = Level::must,
       .source = kEncoding + "; " + kOfficial},
      retrying([](Context& c) {
        const auto p = open_poll(c);
        const auto r = post(c, p,
                            "4test1\x1e"
                            "4test2\x1e"
                            "4test3");
        c.check(r.status == 200, "POST", "200", shown(r));
        const auto a = next_answer(c, p);
        c.expect_eq("GET answer", "4test1\\x1e4test2\\x1e4test3", joined(a.records));
      }));

  add(out,
      {.id = "eio/polling/3",
       .title = "Packets queued by two POSTs come in one GET",
       .requirement =
           "Once packets are buffered, the server SHOULD send all of them in the answer to the "
           "next GET: two POSTs (4a, then 4b) with no GET waiting give one answer 4a\\x1e4b.",
       .level = Level::should,
       .source = kReceiving},
      retrying([](Context& c) {
        const auto p = open_poll(c);
        post(c, p, "4a");
        post(c, p, "4b");
        const auto a = next_answer(c, p);
        c.expect_eq("GET answer", "4a\\x1e4b", joined(a.records));
      }));

  add(out,
      {.id = "eio/polling/4",
       .title = "The ping is batched behind the queued messages",
       .requirement =
           "A ping that comes due while messages wait for a GET SHOULD be queued behind them and "
           "sent in the same answer: two echoes queued, then the ping at pingInterval, then one "
           "GET gets 4a\\x1e4b\\x1e2. (The GET must come between the ping and its timeout: an "
           "attempt whose session was already gone is made again, twice at most.)",
       .level = Level::should,
       .source = kReceiving + "; engine.io 6.6 observed (E16)",
       .timing = true},
      [](Context& c) {
        HttpResponse answer;
        for (int attempt = 0; attempt < 3; ++attempt) {
          const auto p = open_poll(c);
          const auto opened = Clock::now();
          const auto r = post(c, p,
                              "4a\x1e"
                              "4b");
          c.check(r.status == 200, "POST", "200", shown(r));
          // Midway between the ping and its timeout.
          const auto at = opened + Ms(p.handshake.ping_interval) + Ms(p.handshake.ping_timeout / 2);
          c.loop().run_for(std::max(Ms(0), std::chrono::duration_cast<Ms>(at - Clock::now())));
          answer = get(c, p);
          if (answer.status == 200) post(c, p, "3");
          if (answer.status != 400) break;
          c.loop().note("--", "the session was gone before the GET: a busy machine; once more");
        }
        c.expect_eq("GET answer", "200 4a\\x1e4b\\x1e2", shown(answer));
      });

  add(out,
      {.id = "eio/polling/5",
       .title = "A POST is answered 200 ok",
       .requirement = "To acknowledge a POST the server MUST answer HTTP 200 with the body ok (the "
                      "official suite compares the body exactly).",
       .level = Level::must,
       .source = kSending + "; " + kOfficial},
      [](Context& c) {
        const auto p = open_poll(c);
        c.expect_eq("POST answer", "200 ok", shown(post(c, p, "4hello")));
      });

  add(out,
      {.id = "eio/polling/6",
       .title = "The POST answer is text/html",
       .requirement = "engine.io answers a POST with Content-Type text/html (a historical choice "
                      "clients rely on nowhere); a server MAY use another type (recorded).",
       .level = Level::may,
       .source = "engine.io 6.6 observed"},
      [](Context& c) {
        const auto p = open_poll(c);
        const auto r = post(c, p, "4hello");
        const auto type = r.header("content-type").value_or("(none)");
        c.check(lower(type).starts_with("text/html"), "Content-Type", "text/html", type);
      });

  add(out,
      {.id = "eio/polling/7",
       .title = "Text, UTF-8 and base64 binary records come back byte for byte",
       .requirement = "Text is UTF-8 and binary travels as b<base64>: POST "
                      "4hello\\x1e4€uro\\x1ebAQIDBA== MUST be echoed byte for byte, and a "
                      "Content-Length MUST count bytes (24 here), not characters.",
       .level = Level::must,
       .source = kEncoding + "; engine.io 6.6 observed (E15)"},
      retrying([](Context& c) {
        const auto p = open_poll(c);
        const std::string body =
            "4hello\x1e"
            "4\xe2\x82\xac"
            "uro\x1e"
            "bAQIDBA==";
        post(c, p, body);
        const auto a = next_answer(c, p);
        c.expect_eq("GET answer", visible(body), joined(a.records));
        const auto length = a.response.header("content-length");
        if (length) c.expect_eq("Content-Length", std::to_string(a.response.body.size()), *length);
      }));

  add(out,
      {.id = "eio/polling/8",
       .title = "An empty message is echoed as 4",
       .requirement =
           "A message packet with no data (4) is a valid message: the fixture MUST echo it as 4.",
       .level = Level::must,
       .source = "fixture contract; Engine.IO v4 specification, Protocol"},
      retrying([](Context& c) {
        const auto p = open_poll(c);
        post(c, p, "4");
        const auto a = next_answer(c, p);
        c.expect_eq("GET answer", "4", joined(a.records));
      }));

  add(out,
      {.id = "eio/polling/9",
       .title = "Fifty packets of one POST are delivered in order",
       .requirement = "The packets of a payload MUST be delivered in the order they were written; "
                      "fifty messages in one POST come back in the same order.",
       .level = Level::must,
       .source = kEncoding},
      retrying([](Context& c) {
        const auto p = open_poll(c);
        std::vector<std::string> sent;
        for (int i = 0; i < 50; ++i)
          sent.push_back("4m" + std::to_string(i));
        post(c, p, codec::join_payload(sent));
        std::vector<std::string> got;
        while (got.size() < sent.size()) {
          const auto a = next_answer(c, p);
          if (a.response.status != 200) break;
          got.insert(got.end(), a.records.begin(), a.records.end());
        }
        c.expect_eq("echoes", joined(sent), joined(got));
      }));

  add(out,
      {.id = "eio/polling/10",
       .title = "A second GET while one is held: 400, the first gets 1, the session ends",
       .requirement = "A client MUST NOT have two GETs active; if it does, the server MUST answer "
                      "the second with HTTP 400 and close the session, so the held GET gets the "
                      "close packet 1 and any later request with the sid gets 400 {\"code\":1}. "
                      "(500, engine.io's answer before version 6.6.0, is an allowed alternative. "
                      "Should the two GETs reach the server in the other order, their roles swap.)",
       .level = Level::must,
       .source = kReceiving + "; " + kOfficial},
      retrying([](Context& c) {
        const auto p = open_poll(c);
        auto first = start_get(c, p);
        expect_held(c, first, "first GET");
        auto burst = c.loop().start_request({"GET", p.url + "&t=burst", {}, {}});
        const auto one = wait_answer(c, first, "first GET");
        const auto two = wait_answer(c, burst, "second GET");
        // The one answered "1" was held; the other was the overlap.
        if (one.body == "2" || two.body == "2")
          inconclusive("a ping answered a GET before the overlap reached the server");
        const bool swapped = two.status == 200 && one.status != 200;
        const auto& held = swapped ? two : one;
        const auto& overlap = swapped ? one : two;
        c.check(overlap.status == 400 || overlap.status == 500, "second GET", "400",
                shown(overlap));
        c.expect_eq("first GET's answer", "200 1", shown(held));
        expect_gone(c, p, "GET after the overlap");
        if (overlap.status == 500) c.alternative("second GET's status", "400", "500");
      }));

  add(out,
      {.id = "eio/polling/11",
       .title = "A second POST while one is in progress: 400 and the session ends",
       .requirement = "A client MUST NOT have two POSTs active; if it does, the server MUST answer "
                      "the second with HTTP 400 and close the session (here the first POST's body "
                      "is still coming). 500 is an allowed alternative status.",
       .level = Level::must,
       .source = kSending},
      [](Context& c) {
        const auto p = open_poll(c);
        RawConnection raw(c.loop());
        const bool connected = raw.connect(Ms(5000));
        c.check(connected, "connection for the first POST", "connected",
                connected ? "connected" : "failed");
        const auto& t = c.target();
        raw.send("POST " + p.url + " HTTP/1.1\r\nHost: " + t.host + ":" + std::to_string(t.port) +
                 "\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: 100\r\n\r\n"
                 "4partial");
        settle(c);
        const auto second = post(c, p, "4second");
        int status = second.status;
        std::string observed = shown(second);
        if (status == 200) {
          // The POSTs reached the server in the other order: the one cut short is the overlap.
          const auto got = raw.read_until("\r\n", kBounded);
          status = got.starts_with("HTTP/1.") && got.size() >= 12 ? std::atoi(got.c_str() + 9) : 0;
          observed =
              shown(second) + " to the complete POST; the POST cut short got: " +
              (got.empty() ? std::string("nothing") : visible(got.substr(0, got.find('\r'))));
        }
        c.check(status == 400 || status == 500, "second POST", "400", observed);
        const auto after = post(c, p, "4third");
        expect_error(c, after, 400, 1, "POST after the overlap");
        raw.close();
        if (status == 500) c.alternative("second POST's status", "400", "500");
      });

  add(out,
      {.id = "eio/polling/12",
       .title = "A GET cancelled by the client closes the session",
       .requirement = "When the client closes the connection of a held GET, the server MUST treat "
                      "it as a transport error and close the session: a later POST with the sid "
                      "gets 400 {\"code\":1} (a POST, so that a server that never noticed the "
                      "cancel cannot pass through the overlapping-GET rule).",
       .level = Level::must,
       .source = kOfficial + " (cancelled polling request)"},
      retrying([](Context& c) {
        const auto p = open_poll(c);
        auto pending = start_get(c, p);
        expect_held(c, pending, "GET before it is cancelled");
        pending.cancel();
        settle(c);
        const auto after = post(c, p, "4after-cancel");
        // On a busy machine the server may take the POST before it sees the GET and its end.
        if (after.status == 200) inconclusive("the POST was accepted: taken before the cancel?");
        expect_error(c, after, 400, 1, "POST after the cancelled GET");
        expect_gone(c, p, "GET after the cancelled GET");
      }));

  add(out,
      {.id = "eio/polling/13",
       .title = "A close packet in a POST: the held GET gets 6 and the session ends",
       .requirement =
           "When a POST carries the close packet 1, the server MUST answer a held GET with a noop "
           "(6, exactly) and close the session; the next GET gets 400 {\"code\":1}.",
       .level = Level::must,
       .source = kOfficial + " (forcefully closes the session); engine.io 6.6 observed"},
      retrying([](Context& c) {
        const auto p = open_poll(c);
        auto pending = start_get(c, p);
        expect_held(c, pending, "GET before the close");
        post(c, p, "1");
        const auto held = wait_answer(c, pending, "held GET");
        if (held.body == "2") inconclusive("a ping answered the GET before the close arrived");
        c.expect_eq("held GET's answer", "200 6", shown(held));
        expect_gone(c, p, "GET after the close");
      }));

  add(out,
      {.id = "eio/polling/14",
       .title = "After a close packet, POSTs are refused with code 1",
       .requirement =
           "Once the client closed the session with 1 (no GET held), the session MUST be gone: a "
           "POST with its sid gets 400 {\"code\":1,\"message\":\"Session ID unknown\"}.",
       .level = Level::must,
       .source = kSending + " (unknown session id)"},
      retrying([](Context& c) {
        const auto p = open_poll(c);
        const auto closing = post(c, p, "1");
        if (session_gone(closing)) inconclusive("the session ended by ping timeout first");
        c.check(closing.status == 200, "POST 1", "200", shown(closing));
        expect_error(c, post(c, p, "4too-late"), 400, 1, "POST after the close");
      }));

  add(out,
      {.id = "eio/polling/15",
       .title = "A binary (application/octet-stream) POST is answered, and ends the session",
       .requirement =
           "Engine.IO v4 polling payloads are text, binary going as b<base64>; a POST with "
           "Content-Type application/octet-stream comes from no v4 client. It MUST get an HTTP "
           "answer promptly (engine.io 4.1.0 to 6.6.6 closed the session and never answered the "
           "request, so each such POST held a connection for good), and the server SHOULD answer "
           "400 and close the session.",
       .level = Level::must,
       .source = "engine.io 6.6 observed (E9); " + kEncoding + "; CVE-2026-59725"},
      [](Context& c) {
        const auto p = open_poll(c);
        const auto r = c.loop().request(
            {"POST", p.url, {{"Content-Type", "application/octet-stream"}}, "4binary-post"},
            kBounded);
        c.check(r.has_value(), "answer to the binary POST",
                "an HTTP answer within " + std::to_string(kBounded.count()) + " ms", "no answer");
        const auto after = get(c, p);
        if (r->status != 400) c.alternative("answer to the binary POST", "400", shown(*r));
        if (after.status != 400 || error_code_of(after) != 1)
          c.alternative("GET after the binary POST", "400 {\"code\":1,...} (the session is closed)",
                        shown(after));
      });

  add(out,
      {.id = "eio/polling/16",
       .title = "A ping from the client ends the session",
       .requirement =
           "In v4 only the server pings; a client ping (2) in a POST SHOULD be treated as a "
           "transport error that closes the session (engine.io: \"invalid heartbeat direction\").",
       .level = Level::should,
       .source = "engine.io 6.6 observed (E10); Engine.IO v4 specification, Heartbeat"},
      [](Context& c) {
        const auto p = open_poll(c);
        post_within(c, p, "2");
        expect_gone(c, p, "GET after the client's ping");
      });

  add(out,
      {.id = "eio/polling/17",
       .title = "An empty POST body ends the session",
       .requirement = "An empty payload holds no valid packet; the server SHOULD treat it as a "
                      "parse error and close the session.",
       .level = Level::should,
       .source = "engine.io 6.6 observed (E12)"},
      [](Context& c) {
        const auto p = open_poll(c);
        post_within(c, p, "");
        expect_gone(c, p, "GET after the empty POST");
      });

  add(out,
      {.id = "eio/polling/18",
       .title = "An invalid packet in a POST ends the session",
       .requirement = "A record that is not a packet (abc: no packet type) MUST close the session; "
                      "the next GET gets 400.",
       .level = Level::must,
       .source = kOfficial + " (closes the session upon invalid packet format)"},
      [](Context& c) {
        const auto p = open_poll(c);
        post(c, p, "abc");
        expect_gone(c, p, "GET after the invalid packet");
      });

  add(out,
      {.id = "eio/polling/19",
       .title = "Records after an invalid one are never delivered",
       .requirement =
           "In 4a\\x1eabc\\x1e4b the invalid record MUST close the session, and the record after "
           "it MUST NOT be delivered: 4b is never echoed, and the GET after the close gets 400.",
       .level = Level::must,
       .source = "engine.io 6.6 observed (E13)"},
      retrying([](Context& c) {
        const auto p = open_poll(c);
        auto pending = start_get(c, p);
        expect_held(c, pending, "GET before the POST");
        post(c, p,
             "4a\x1e"
             "abc\x1e"
             "4b");
        const auto held = wait_answer(c, pending, "held GET");
        if (held.body == "2") inconclusive("a ping answered the GET before the POST arrived");
        const auto records = codec::split_payload(held.body);
        c.check(std::find(records.begin(), records.end(), "4b") == records.end(),
                "held GET's answer", "no 4b (a, then the close, at most)", shown(held));
        // A ping is answered, so that a session left open cannot end by ping timeout here.
        if (std::find(records.begin(), records.end(), "2") != records.end()) post(c, p, "3");
        // A live session answers this GET with its next ping at the latest.
        const auto next = get(c, p);
        c.check(next.status == 400, "GET after the invalid record", "400", shown(next));
      }));

  add(out,
      {.id = "eio/polling/20",
       .title = "Client packets 6, 5 and 0 are ignored",
       .requirement = "A noop, an upgrade outside an upgrade, or an open from the client carries "
                      "nothing for the application: in 6\\x1e5\\x1e0\\x1e4still the server SHOULD "
                      "ignore the first three and deliver the message, and the session goes on.",
       .level = Level::should,
       .source = "engine.io 6.6 observed (E14)"},
      retrying([](Context& c) {
        const auto p = open_poll(c);
        const auto r = post_within(c, p,
                                   "6\x1e"
                                   "5\x1e"
                                   "0\x1e"
                                   "4still");
        c.check(r && r->status == 200, "POST",
                "200 within " + std::to_string(kBounded.count()) + " ms",
                r ? shown(*r) : "no answer");
        const auto a = next_answer(c, p);
        c.expect_eq("GET answer", "4still", joined(a.records));
      }));

  add(out,
      {.id = "eio/polling/21",
       .title = "PUT on a session is refused and carries nothing",
       .requirement =
           "Only GET and POST exist on a session: a PUT MUST be refused with an error status "
           "(engine.io: 500; another 4xx such as 400 or 405 is an allowed alternative) and its "
           "body MUST NOT be delivered (the session may go on, or be closed).",
       .level = Level::must,
       .source = "engine.io 6.6 observed (E8)"},
      retrying([](Context& c) {
        const auto p = open_poll(c);
        const auto put = http(c, "PUT", p.url, "4put", text_type());
        c.check(put.status >= 400, "answer to PUT", "500", shown(put));
        const auto marker = post(c, p, "4marker");
        if (session_gone(marker)) {
          // The server closed the session on the PUT: nothing of it was delivered either.
          c.check(true, "session after the PUT", "open, or closed by the server", "closed");
        } else {
          const auto a = next_answer(c, p);
          c.expect_eq("GET answer after the PUT and a POST", "4marker", joined(a.records));
        }
        if (put.status != 500) c.alternative("status of the PUT answer", "500", shown(put));
      }));

  add(out,
      {.id = "eio/polling/22",
       .title = "A request naming another transport than the session's is refused with code 3",
       .requirement =
           "A non-upgrade request with the sid of a polling session but transport=websocket SHOULD "
           "get 400 {\"code\":3,\"message\":\"Bad request\"} (transport mismatch), for POST and "
           "GET: the request names a transport the session does not use.",
       .level = Level::should,
       .source = "engine.io 6.6 observed (E6)"},
      retrying([](Context& c) {
        const auto p = open_poll(c);
        const auto wrong = c.eio() + "?EIO=4&transport=websocket&sid=" + p.sid;
        for (const auto& [method, body] :
             std::vector<std::pair<std::string, std::string>>{{"POST", "4x"}, {"GET", ""}}) {
          const auto r = http(c, method, wrong, body, method == "POST" ? text_type() : Headers{});
          if (session_gone(r)) inconclusive("the session ended by ping timeout first");
          expect_error(c, r, 400, 3, method);
        }
      }));

  add(out,
      {.id = "eio/polling/23",
       .title = "GET answers are text/plain; charset=UTF-8",
       .requirement =
           "A GET answer carries text: it SHOULD say Content-Type text/plain; charset=UTF-8.",
       .level = Level::should,
       .source = "engine.io 6.6 observed; " + kEncoding},
      retrying([](Context& c) {
        const auto p = open_poll(c);
        post(c, p, "4x");
        const auto a = next_answer(c, p);
        const auto type = a.response.header("content-type").value_or("(none)");
        c.check(
            lower(type).starts_with("text/plain") && lower(type).find("utf-8") != std::string::npos,
            "Content-Type", "text/plain; charset=UTF-8", type);
      }));

  add(out,
      {.id = "eio/polling/24",
       .title = "The record separator splits records; it is never part of a text",
       .requirement = "0x1E ends a record: in 4one\\x1e3\\x1e4two the 3 is a packet of its own (a "
                      "pong, harmless), so the server MUST echo 4one and 4two and nothing else; a "
                      "server that kept 0x1E inside the text would echo it back.",
       .level = Level::must,
       .source = kEncoding},
      retrying([](Context& c) {
        const auto p = open_poll(c);
        post(c, p,
             "4one\x1e"
             "3\x1e"
             "4two");
        const auto a = next_answer(c, p);
        c.expect_eq("GET answer", "4one\\x1e4two", joined(a.records));
      }));

  add(out,
      {.id = "eio/polling/25",
       .title = "A POST without Content-Type is read as text",
       .requirement = "Without a Content-Type header the receiver SHOULD take the body as plain "
                      "text: POST 4plain with no Content-Type is echoed 4plain.",
       .level = Level::should,
       .source = "Engine.IO v4 specification, HTTP long-polling: Headers"},
      retrying([](Context& c) {
        const auto p = open_poll(c);
        const auto r = post(c, p, "4plain", {});
        c.check(r.status == 200, "POST", "200", shown(r));
        const auto a = next_answer(c, p);
        c.expect_eq("GET answer", "4plain", joined(a.records));
      }));

  add(out,
      {.id = "eio/polling/26",
       .title = "GET answers are not cacheable",
       .requirement =
           "A long-poll answer is never valid twice; engine.io marks it Cache-Control: no-store. A "
           "server MAY rely on the clients' t= cache buster instead (recorded).",
       .level = Level::may,
       .source = "engine.io 6.6 observed"},
      retrying([](Context& c) {
        const auto p = open_poll(c);
        post(c, p, "4x");
        const auto a = next_answer(c, p);
        const auto cache = a.response.header("cache-control").value_or("(none)");
        c.check(lower(cache).find("no-store") != std::string::npos, "Cache-Control", "no-store",
                cache);
      }));

  add(out,
      {.id = "eio/polling/27",
       .title = "A POST cut short by the client ends the session",
       .requirement = "A client that drops the connection in the middle of a POST body leaves a "
                      "payload that can never be complete; the server SHOULD treat it as a "
                      "transport error and close the session (engine.io: \"data request connection "
                      "closed prematurely\"), not take the part that came as a payload.",
       .level = Level::should,
       .source = "engine.io 6.6 observed"},
      [](Context& c) {
        const auto p = open_poll(c);
        RawConnection raw(c.loop());
        const bool connected = raw.connect(Ms(5000));
        c.check(connected, "connection for the POST", "connected",
                connected ? "connected" : "failed");
        const auto& t = c.target();
        raw.send("POST " + p.url + " HTTP/1.1\r\nHost: " + t.host + ":" + std::to_string(t.port) +
                 "\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: 100\r\n\r\n"
                 "4partial");
        settle(c);
        raw.close();
        settle(c);
        expect_gone(c, p, "GET after the POST cut short");
      });
}

}  // namespace conform::cases
