// eio/limits: maxPayload on POSTs and WebSocket messages, and hostile input at the HTTP and
// WebSocket level (many or huge headers, malformed or cut-short requests, frames with reserved
// bits): each gets a defined answer, never a crash, and the sessions already open keep working.
#include <array>
#include <cstdio>
#include <deque>

#include "areas.hpp"
#include "common.hpp"
#include "raw.hpp"

namespace conform::cases {

namespace {

const std::string kMaxPayload = "Engine.IO v4 specification, Handshake (maxPayload)";
constexpr std::int64_t kContractMaxPayload = 1'000'000;

// The handshake's maxPayload, or the fixture contract's when the server does not advertise one.
std::int64_t max_payload(const codec::Handshake& h) {
  return h.max_payload > 0 ? h.max_payload : kContractMaxPayload;
}

// A message of `size` bytes: "4" and then x's. Built before the handshake for the contract's
// maxPayload (a megabyte takes a while to build under a sanitizer, and a session opened by hand
// answers no ping while it waits), and again when the server advertises another one.
std::string big_message(std::size_t size) {
  std::string text(size, 'x');
  if (!text.empty()) text[0] = '4';
  return text;
}

void resize_message(std::string& text, std::size_t size) {
  if (text.size() != size) text = big_message(size);
}

// A large body as a report shows it.
std::string summary(std::string_view bytes) {
  return std::to_string(bytes.size()) + " bytes" +
         (bytes.empty() ? "" : ", starting " + std::string(bytes.substr(0, 12)));
}

struct Poll {
  codec::Handshake handshake;
  std::string url;
};

Poll open_poll(Context& c) {
  const auto r = get_eio(c, "EIO=4&transport=polling");
  c.check(r.status == 200 && r.body.starts_with("0{"), "polling handshake", "200 0{...}", shown(r));
  auto h = codec::parse_handshake(std::string_view(r.body).substr(1));
  c.check(h.has_value() && !h->sid.empty(), "open packet", "a JSON object with a sid", r.body);
  return {*h, c.eio() + "?EIO=4&transport=polling&sid=" + h->sid};
}

const Headers& text_type() {
  static const Headers headers{{"Content-Type", "text/plain;charset=UTF-8"}};
  return headers;
}

// The records of the next GET answer with more than pings (pings are answered and left out).
std::vector<std::string> next_records(Context& c, const Poll& p, HttpResponse* last = nullptr) {
  for (int round = 0; round < 4; ++round) {
    const auto r = http(c, "GET", p.url);
    if (last) *last = r;
    if (r.status != 200) return {};
    std::vector<std::string> records;
    bool pinged = false;
    for (auto& record : codec::split_payload(r.body)) {
      if (record == "2") {
        pinged = true;
      } else {
        records.push_back(std::move(record));
      }
    }
    if (pinged) http(c, "POST", p.url, "3", text_type());
    if (!records.empty()) return records;
  }
  return {};
}

// A session opened by hand answers no ping while a megabyte is on its way; on a busy machine it can
// end by ping timeout before the case is done. An attempt that finds its session gone (400 code 1)
// is made again on a new session, twice at most.
constexpr int kAttempts = 3;

bool session_gone(const HttpResponse& r) {
  return r.status == 400 && r.body.find("\"code\":1") != std::string::npos;
}

void note_retry(Context& c) {
  c.loop().note("--", "the session ended by ping timeout (a busy machine): once more");
}

}  // namespace

void add_eio_limits(std::vector<Case>& out) {
  add(out,
      {.id = "eio/limits/1",
       .title = "A POST larger than maxPayload is refused with 413",
       .requirement = "A POST body one byte over the maxPayload of the handshake MUST be refused "
                      "with HTTP 413 (Payload Too Large), counted in bytes.",
       .level = Level::must,
       .source = kMaxPayload + "; engine.io 6.6 observed (E11); CVE-2020-36048"},
      [](Context& c) {
        auto body = big_message(kContractMaxPayload + 1);
        std::optional<HttpResponse> r;
        for (int attempt = 0; attempt < kAttempts; ++attempt) {
          const auto p = open_poll(c);
          resize_message(body, static_cast<std::size_t>(max_payload(p.handshake) + 1));
          r = c.loop().request({"POST", p.url, text_type(), body}, Ms(5000));
          if (!r || !session_gone(*r)) break;
          note_retry(c);
        }
        c.check(r && r->status == 413, "POST of maxPayload + 1 bytes", "413",
                r ? shown(*r) : "no answer");
      });

  add(out,
      {.id = "eio/limits/2",
       .title = "After a 413 the session goes on",
       .requirement =
           "Refusing an oversized POST SHOULD NOT end the session: the next POST is accepted and "
           "its message echoed (engine.io keeps the session; the client decides what to do).",
       .level = Level::should,
       .source = "engine.io 6.6 observed (E11)",
       .timing = true},
      [](Context& c) {
        auto body = big_message(kContractMaxPayload + 1);
        for (int attempt = 0; attempt < kAttempts; ++attempt) {
          const bool last_attempt = attempt + 1 == kAttempts;
          const auto p = open_poll(c);
          resize_message(body, static_cast<std::size_t>(max_payload(p.handshake) + 1));
          const auto big = c.loop().request({"POST", p.url, text_type(), body}, Ms(5000));
          if (big && session_gone(*big) && !last_attempt) {
            note_retry(c);
            continue;
          }
          c.check(big && big->status == 413, "POST of maxPayload + 1 bytes", "413",
                  big ? shown(*big) : "no answer");
          const auto after = http(c, "POST", p.url, "4after", text_type());
          if (session_gone(after) && !last_attempt) {
            note_retry(c);
            continue;
          }
          c.check(after.status == 200, "next POST", "200", shown(after));
          HttpResponse last;
          const auto records = next_records(c, p, &last);
          if (session_gone(last) && !last_attempt) {
            note_retry(c);
            continue;
          }
          c.check(records == std::vector<std::string>{"4after"}, "next GET", "4after", shown(last));
          return;
        }
      });

  add(out,
      {.id = "eio/limits/3",
       .title = "A POST of exactly maxPayload bytes is accepted",
       .requirement = "maxPayload is the largest body a client may send: a POST of exactly that "
                      "many bytes MUST be accepted and its message echoed whole.",
       .level = Level::must,
       .source = kMaxPayload,
       .timing = true},
      [](Context& c) {
        auto body = big_message(kContractMaxPayload);
        for (int attempt = 0; attempt < kAttempts; ++attempt) {
          const bool last_attempt = attempt + 1 == kAttempts;
          const auto p = open_poll(c);
          resize_message(body, static_cast<std::size_t>(max_payload(p.handshake)));
          const auto r = http(c, "POST", p.url, body, text_type());
          if (session_gone(r) && !last_attempt) {
            note_retry(c);
            continue;
          }
          c.check(r.status == 200, "POST of maxPayload bytes", "200", shown(r));
          HttpResponse last;
          const auto records = next_records(c, p, &last);
          if (session_gone(last) && !last_attempt) {
            note_retry(c);
            continue;
          }
          const std::string got =
              records.size() == 1 ? records.front() : codec::join_payload(records);
          c.check(got == body, "echo", summary(body), summary(got));
          return;
        }
      });

  add(out,
      {.id = "eio/limits/4",
       .title = "A WebSocket message larger than maxPayload closes the connection",
       .requirement =
           "maxPayload also bounds a WebSocket message: a binary frame one byte over it MUST NOT "
           "be processed and the server MUST close the connection promptly, with code 1009 "
           "(Message Too Big); another code is an allowed alternative. (Sent as one frame, so that "
           "a server may refuse it from the frame header on.)",
       .level = Level::must,
       .source =
           kMaxPayload +
           "; engine.io 6.6 observed (ws maxPayload); RFC 6455, section 7.4.1; CVE-2016-10542"},
      [](Context& c) {
        // Built before the session opens: it answers no ping while the frame is being built.
        auto frame = client_frame(0x82, std::string(kContractMaxPayload + 1, 'Z'), true, kZeroMask);
        RawConnection raw(c.loop());
        std::string bytes = raw_ws_open(c, raw);
        const auto h = raw_open_packet(c, raw, bytes);
        const auto max = static_cast<std::size_t>(max_payload(h));
        if (max != kContractMaxPayload)
          frame = client_frame(0x82, std::string(max + 1, 'Z'), true, kZeroMask);
        raw.send(frame);
        std::vector<ServerFrame> frames;
        const auto window = prompt_for(c, h) + Ms(1000);
        const int code = await_failure(raw, std::move(bytes), window, frames);
        const std::string ended = code == 1006 ? "connection closed without a close frame"
                                  : code       ? "close frame " + std::to_string(code)
                                               : "still open";
        c.check(code != 0, "after the large message",
                "the connection closed within " + std::to_string(window.count()) + " ms", ended);
        bool echoed = false;
        for (const auto& f : frames)
          echoed = echoed || f.opcode == 0x2;
        c.check(!echoed, "frames before the close", "no echo of the large message",
                echoed ? "a binary frame came back" : "none");
        if (code != 1009) c.alternative("close code", "1009", ended);
      });

  add(out,
      {.id = "eio/limits/5",
       .title = "A WebSocket message of exactly maxPayload bytes is echoed",
       .requirement = "A WebSocket message of exactly maxPayload bytes is within the limit: the "
                      "server MUST accept it and the fixture echoes it whole (a binary message: "
                      "its data is the whole frame).",
       .level = Level::must,
       .source = kMaxPayload,
       .transports = kWebSocket,
       .timing = true},
      [](Context& c) {
        auto bytes = std::string(static_cast<std::size_t>(kContractMaxPayload), 'Z');
        for (int attempt = 0; attempt < kAttempts; ++attempt) {
          auto s = c.open_eio();
          const auto max = static_cast<std::size_t>(max_payload(s->handshake()));
          if (bytes.size() != max) bytes.assign(max, 'Z');
          s->send_binary(bytes);
          const auto e = s->next(Ms(5000));
          // The pong waits behind the megabyte: on a busy machine the ping can time out first.
          if (e && e->kind == EioEvent::Kind::closed &&
              e->how.find("(1005)") != std::string::npos && attempt + 1 < kAttempts) {
            note_retry(c);
            continue;
          }
          c.check(e && e->kind == EioEvent::Kind::packet, "echo of the message", "a packet",
                  e ? describe(*e) : "nothing within 5000 ms");
          const auto& p = e->packet;
          c.check(p.binary && p.data == bytes, "echo", "binary, " + summary(bytes),
                  (p.binary ? "binary, " : "text, ") + summary(p.data));
          return;
        }
      });

  add(out,
      {.id = "eio/limits/6",
       .title = "An upgrade request with 3000 header lines gets a defined answer",
       .requirement =
           "A WebSocket upgrade request whose 3000 header lines come before Sec-WebSocket-Key (the "
           "ws crash, CVE-2024-37890) MUST get an HTTP answer (101 when honoured, or a refusal "
           "such as 400 or 431) or a closed connection, and the server MUST keep serving.",
       .level = Level::must,
       .source = "CVE-2024-37890"},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        RawPool pool;
        std::string filler;
        for (int i = 0; i < 3000; ++i)
          filler += "a:0\r\n";
        const auto a = raw_exchange(
            c, pool, upgrade_request(c, c.eio() + "?EIO=4&transport=websocket", filler));
        c.check(a.status != 0 || a.closed, "answer", "an HTTP answer or a closed connection",
                describe(a));
        expect_alive(c, *before);
      });

  add(out,
      {.id = "eio/limits/7",
       .title = "Request headers past 100 KB are refused",
       .requirement = "Header size is a limit with a defined answer: a request with 3000 headers "
                      "totalling more than 100 KB MUST get an HTTP answer or a closed connection, "
                      "never a crash; it SHOULD be refused (431 Request Header Fields Too Large, "
                      "or 400), and a success is an allowed alternative.",
       .level = Level::must,
       .source = "RFC 6585, section 5"},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        RawPool pool;
        std::string request = "GET " + c.eio() +
                              "?EIO=4&transport=polling HTTP/1.1\r\nHost: " + host_port(c) + "\r\n";
        for (int i = 0; i < 3000; ++i)
          request += "X-Filler-" + std::to_string(i) + ": abcdefghijklmnopqrstuvwxyz\r\n";
        request += "\r\n";
        const auto a = raw_exchange(c, pool, request);
        c.check(a.status != 0 || a.closed, "answer", "431, or another refusal, or a close",
                describe(a));
        expect_alive(c, *before);
        if (a.status != 0 && a.status < 400) c.alternative("answer", "431", describe(a));
      });

  add(out,
      {.id = "eio/limits/8",
       .title = "A request line of 100 KB is refused",
       .requirement = "A request line of 100 KB (a huge query string) MUST get an HTTP answer or a "
                      "closed connection, never a crash; it SHOULD be refused (414, 431 or 400), "
                      "and a success is an allowed alternative.",
       .level = Level::must,
       .source = "RFC 9110, section 15.5.15"},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        RawPool pool;
        const std::string request = "GET " + c.eio() +
                                    "?EIO=4&transport=polling&t=" + std::string(100 * 1024, 'q') +
                                    " HTTP/1.1\r\nHost: " + host_port(c) + "\r\n\r\n";
        const auto a = raw_exchange(c, pool, request);
        c.check(a.status != 0 || a.closed, "answer", "414 or 431, or another refusal, or a close",
                describe(a));
        expect_alive(c, *before);
        if (a.status != 0 && a.status < 400) c.alternative("answer", "414 or 431", describe(a));
      });

  add(out,
      {.id = "eio/limits/9",
       .title = "Malformed HTTP requests get 400 and the server goes on",
       .requirement =
           "A request that is not valid HTTP/1.1 (a junk request line, a header line without a "
           "colon, a Content-Length that is not a number) MUST be refused with 400 or get its "
           "connection closed, never a success and never a crash; other sessions go on (engine.io "
           "has crashed on crafted requests).",
       .level = Level::must,
       .source = "RFC 9112, sections 2.2 and 6.3"},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        RawPool pool;
        const std::string host = "Host: " + host_port(c) + "\r\n";
        const std::vector<std::pair<std::string, std::string>> requests{
            {"junk request line", "HELLO THERE\r\n\r\n"},
            {"header without a colon", "GET " + c.eio() + "?EIO=4&transport=polling HTTP/1.1\r\n" +
                                           host + "NoColonHere\r\n\r\n"},
            {"Content-Length not a number", "POST " + c.eio() +
                                                "?EIO=4&transport=polling HTTP/1.1\r\n" + host +
                                                "Content-Length: abc\r\n\r\n4x"},
        };
        std::string others;
        for (const auto& [what, request] : requests) {
          const auto a = raw_exchange(c, pool, request);
          c.check(a.status == 400 || (a.status == 0 && a.closed) || a.status >= 402,
                  "answer to a " + what, "400 (or a closed connection)", describe(a));
          if (a.status != 400 && a.status != 0) others += what + ": " + describe(a) + "; ";
        }
        expect_alive(c, *before);
        if (!others.empty()) c.alternative("answers", "400", others);
      });

  add(out,
      {.id = "eio/limits/10",
       .title = "Requests and frames cut short by the client harm nothing",
       .requirement = "A client that drops its connection mid-request (inside the request line, "
                      "inside a POST body, inside a WebSocket frame) MUST NOT bring the server "
                      "down: sessions opened before go on and new handshakes work (engine.io "
                      "crashed on a reset connection).",
       .level = Level::must,
       .source = "RFC 9112, sections 8 and 9.6"},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        RawPool pool;
        const auto p = open_poll(c);
        {
          auto& raw = pool.make(c);
          connect_raw(c, raw);
          raw.send("GET " + c.eio() + "?EIO=4&tra");
          c.loop().run_for(Ms(20));
          raw.close();
        }
        {
          auto& raw = pool.make(c);
          connect_raw(c, raw);
          raw.send(
              "POST " + p.url + " HTTP/1.1\r\nHost: " + host_port(c) +
              "\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: 1000\r\n\r\n4cut");
          c.loop().run_for(Ms(20));
          raw.close();
        }
        {
          auto& raw = pool.make(c);
          raw_ws_open(c, raw);
          raw.send(client_frame(0x81, "4this frame is cut short").substr(0, 9));
          c.loop().run_for(Ms(20));
          raw.close();
        }
        c.loop().run_for(Ms(50));
        expect_alive(c, *before);
      });

  add(out,
      {.id = "eio/limits/11",
       .title = "A frame with RSV2 set fails the connection and nothing else",
       .requirement =
           "Without an extension that defines it, RSV2 MUST be 0: a frame with RSV2 set MUST fail "
           "the WebSocket connection (close 1002) without being processed, and the server MUST go "
           "on.",
       .level = Level::must,
       .source = "RFC 6455, section 5.2"},
      [](Context& c) {
        expect_rejected_frame(c, client_frame(0x80 | 0x20 | 0x1, "4hostile"), "after RSV2");
      });

  add(out,
      {.id = "eio/limits/12",
       .title = "A frame with RSV3 set fails the connection and nothing else",
       .requirement = "Without an extension that defines it, RSV3 MUST be 0: a frame with RSV3 set "
                      "MUST fail the WebSocket connection (close 1002) without being processed, "
                      "and the server MUST go on.",
       .level = Level::must,
       .source = "RFC 6455, section 5.2"},
      [](Context& c) {
        expect_rejected_frame(c, client_frame(0x80 | 0x10 | 0x1, "4hostile"), "after RSV3");
      });

  add(out,
      {.id = "eio/limits/13",
       .title = "A compressed frame without permessage-deflate fails the connection",
       .requirement = "RSV1 means a compressed message only when permessage-deflate was "
                      "negotiated; here it was not offered, so a frame with RSV1 set MUST fail the "
                      "connection (close 1002) and the server MUST go on.",
       .level = Level::must,
       .source = "RFC 6455, section 5.2; RFC 7692, section 6"},
      [](Context& c) {
        expect_rejected_frame(c, client_frame(0x80 | 0x40 | 0x1, "4hostile"), "after RSV1");
      });

  add(out,
      {.id = "eio/limits/14",
       .title = "An unmasked client frame fails the connection",
       .requirement = "Every client frame MUST be masked; the server MUST close the connection on "
                      "an unmasked one (1002) and go on.",
       .level = Level::must,
       .source = "RFC 6455, section 5.1"},
      [](Context& c) {
        expect_rejected_frame(c, client_frame(0x81, "4hostile", false), "after an unmasked frame");
      });

  add(out,
      {.id = "eio/limits/15",
       .title = "A frame with a reserved opcode fails the connection",
       .requirement = "Opcodes 0x3-0x7 are reserved: on a frame with opcode 0x3 the server MUST "
                      "fail the connection (1002) and go on.",
       .level = Level::must,
       .source = "RFC 6455, section 5.2"},
      [](Context& c) {
        expect_rejected_frame(c, client_frame(0x80 | 0x3, "4hostile"), "after opcode 0x3");
      });

  add(out,
      {.id = "eio/limits/16",
       .title = "A Sec-WebSocket-Protocol of one long run of spaces is answered promptly",
       .requirement =
           "Reading a request header MUST take time linear in its length: eight upgrade requests "
           "whose Sec-WebSocket-Protocol is \"b\", 15 000 spaces and \"x\" (no comma) MUST each "
           "get an HTTP answer (101, or a refusal such as 400) promptly, and a session opened "
           "before MUST go on being served meanwhile (ws split the value with a backtracking "
           "pattern, quadratic in the run of spaces, and stalled every connection).",
       .level = Level::must,
       .source = "RFC 6455, section 4.1; CVE-2021-32640",
       .timing = true},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        const auto window = c.prompt(*before);
        const std::string protocol =
            "Sec-WebSocket-Protocol: b" + std::string(15000, ' ') + "x\r\n";
        const auto request = upgrade_request(c, c.eio() + "?EIO=4&transport=websocket", protocol);
        RawPool pool;
        std::vector<RawConnection*> sent;
        for (int i = 0; i < 8; ++i) {
          auto& raw = pool.make(c);
          connect_raw(c, raw);
          raw.send(request);
          sent.push_back(&raw);
        }
        const auto start = Clock::now();
        before->send("4meanwhile");
        const auto echo = before->next(window);
        const auto waited = std::chrono::duration_cast<Ms>(Clock::now() - start);
        c.check(
            echo && echo->kind == EioEvent::Kind::packet && describe(echo->packet) == "4meanwhile",
            "echo on the session opened before, sent right after the requests",
            "within " + std::to_string(window.count()) + " ms",
            echo ? describe(*echo) + " after " + std::to_string(waited.count()) + " ms"
                 : "nothing within " + std::to_string(window.count()) + " ms");
        std::string unanswered;
        for (std::size_t i = 0; i < sent.size(); ++i) {
          const std::string got = sent[i]->read_until("\r\n", window);
          if (!got.starts_with("HTTP/1."))
            unanswered += (unanswered.empty() ? "" : "; ") + std::string("request ") +
                          std::to_string(i + 1) + ": " +
                          (got.empty() ? "nothing" : visible(got.substr(0, 40)));
        }
        c.check(unanswered.empty(), "answers to the eight upgrade requests",
                "each an HTTP status line within " + std::to_string(window.count()) + " ms",
                unanswered.empty() ? "all answered" : unanswered);
        expect_alive(c, *before);
      });

  add(out,
      {.id = "eio/limits/17",
       .title = "Extension names that are JavaScript prototype properties are plain names",
       .requirement =
           "Sec-WebSocket-Extensions names the client offers are data: an upgrade request offering "
           "\"constructor\", \"__proto__\", \"toString, hasOwnProperty\" or \"permessage-deflate; "
           "constructor=1\" MUST get an HTTP answer (101 with the unknown names ignored, or a "
           "refusal such as 400), and the server MUST go on (ws looked extension names up in a "
           "plain object and crashed on these).",
       .level = Level::must,
       .source = "RFC 6455, section 9.1; GHSA-5v72-xg48-5rpm"},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        RawPool pool;
        std::string others;
        for (const std::string offer : {"constructor", "__proto__", "toString, hasOwnProperty",
                                        "permessage-deflate; constructor=1"}) {
          const auto a =
              raw_exchange(c, pool,
                           upgrade_request(c, c.eio() + "?EIO=4&transport=websocket",
                                           "Sec-WebSocket-Extensions: " + offer + "\r\n"));
          c.check(a.status == 101 || (a.status >= 400 && a.status < 500),
                  "answer to the offer \"" + offer + "\"", "101, or a refusal such as 400",
                  describe(a));
        }
        expect_alive(c, *before);
      });

  add(out,
      {.id = "eio/limits/18",
       .title = "A message of 1 000 one-byte fragments is echoed or refused, nothing else",
       .requirement =
           "A WebSocket message sent as 1 000 fragments of one byte (1 000 bytes in all, under "
           "maxPayload) MUST either be delivered whole (the echo fixture sends it back) or fail "
           "the connection with 1008 (Policy Violation) or 1009 (Message Too Big), and the server "
           "MUST go on (ws kept every fragment as an object of its own and ran out of memory).",
       .level = Level::must,
       .source = "RFC 6455, section 5.4; CVE-2026-48779"},
      [](Context& c) {
        constexpr std::size_t kFragments = 1'000;
        std::string frames = client_frame(0x01, "4", true, kZeroMask);
        const auto middle = client_frame(0x00, "x", true, kZeroMask);
        frames.reserve(middle.size() * kFragments);
        for (std::size_t i = 2; i < kFragments; ++i)
          frames += middle;
        frames += client_frame(0x80, "x", true, kZeroMask);
        const std::string expected = "4" + std::string(kFragments - 1, 'x');
        auto before = c.open_eio(Transport::websocket);
        RawPool pool;
        for (int attempt = 0; attempt < kAttempts; ++attempt) {
          auto& raw = pool.make(c);
          std::string bytes = raw_ws_open(c, raw);
          raw_open_packet(c, raw, bytes);
          raw.send(frames);
          // A ping that comes meanwhile is answered once the message is out (a pong cannot go
          // between the fragments of a message).
          const auto deadline = Clock::now() + c.prompt(*before) + Ms(3000);
          std::string outcome = "nothing";
          bool closed = false;
          bool done = false;
          bool ok = false;
          bool pinged = false;
          std::size_t handled = 0;
          while (Clock::now() < deadline && !closed && !done) {
            bytes +=
                raw.read_until("\x81", std::chrono::duration_cast<Ms>(deadline - Clock::now()));
            bytes += raw.read(Ms(0), &closed);
            const auto got = parse_frames(bytes);
            for (; handled < got.size() && !done; ++handled) {
              const auto& f = got[handled];
              if (f.opcode == 0x1 && f.payload == "2") {
                pinged = true;
                raw.send(client_frame(0x81, "3"));
              } else if (f.opcode == 0x1 && f.payload.starts_with("4")) {
                ok = f.payload == expected;
                outcome = "an echo of " + std::to_string(f.payload.size()) + " bytes";
                done = true;
              } else if (f.opcode == 0x8) {
                const int code = close_code(f);
                ok = code == 1008 || code == 1009;
                outcome = "close frame " + std::to_string(code);
                done = true;
              }
            }
          }
          if (!done && closed) outcome = "connection closed without a close frame";
          raw.close();
          // The session ended by ping timeout before the message was read (a busy machine).
          if (pinged && outcome == "close frame 1005" && attempt + 1 < kAttempts) {
            note_retry(c);
            continue;
          }
          c.check(ok, "after the fragmented message",
                  "the echo of all 1 000 bytes, or close 1008 or 1009", outcome);
          break;
        }
        expect_alive(c, *before);
      });
}

}  // namespace conform::cases
