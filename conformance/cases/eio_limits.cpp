// eio/limits: maxPayload on POSTs and WebSocket messages, and hostile input at the HTTP and
// WebSocket level (many or huge headers, malformed or cut-short requests, frames with reserved
// bits): each gets a defined answer, never a crash, and the sessions already open keep working.
#include <array>
#include <cstdio>
#include <deque>

#include "areas.hpp"
#include "common.hpp"

namespace conform::cases {

namespace {

const std::string kMaxPayload = "Engine.IO v4 specification, Handshake (maxPayload)";
constexpr std::int64_t kContractMaxPayload = 1'000'000;

std::string host_port(Context& c) {
  return c.target().host + ":" + std::to_string(c.target().port);
}

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

// Raw connections live until the case ends: a RawConnection destroyed while its read is pending
// must not meet the loop again (its read handler would outlive it), so none is destroyed early.
struct RawPool {
  std::deque<RawConnection> all;
  RawConnection& make(Context& c) { return all.emplace_back(c.loop()); }
};

void connect_raw(Context& c, RawConnection& raw) {
  const bool ok = raw.connect(Ms(5000));
  c.check(ok, "TCP connection", "connected", ok ? "connected" : "failed");
}

// ---- raw HTTP ---------------------------------------------------------------------------------

// What a raw request got: the status line's code (0: none), and whether the server closed.
struct RawAnswer {
  int status = 0;
  bool closed = false;
  std::string head;  // the status line, or what came
};

RawAnswer raw_exchange(Context& c, RawPool& pool, std::string_view request, Ms timeout = Ms(5000)) {
  auto& raw = pool.make(c);
  RawAnswer answer;
  connect_raw(c, raw);
  raw.send(request);
  std::string got = raw.read_until("\r\n", timeout);
  bool closed = false;
  got += raw.read(Ms(0), &closed);
  answer.closed = closed;
  answer.head = got.substr(0, got.find("\r\n"));
  if (got.starts_with("HTTP/1.") && got.size() >= 12) answer.status = std::atoi(got.c_str() + 9);
  return answer;
}

std::string describe(const RawAnswer& a) {
  if (a.status) return a.head;
  return a.closed ? (a.head.empty() ? "connection closed without an answer"
                                    : "connection closed after: " + a.head)
                  : "no answer within 5000 ms (the connection stays open)";
}

// ---- raw WebSocket ----------------------------------------------------------------------------

std::string upgrade_request(Context& c, const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: " + host_port(c) + "\r\n" + extra +
         "Upgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

using MaskKey = std::array<unsigned char, 4>;
constexpr MaskKey kMask{0x37, 0xfa, 0x21, 0x3d};
// A zero key leaves the payload as it is: cheap for a megabyte, and valid on the wire.
constexpr MaskKey kZeroMask{0, 0, 0, 0};

// A client frame: `first` is the FIN/RSV/opcode byte, the payload is masked unless told otherwise.
std::string client_frame(unsigned char first, std::string_view payload, bool masked = true,
                         const MaskKey& key = kMask) {
  std::string f;
  f.push_back(static_cast<char>(first));
  const unsigned char mask_bit = masked ? 0x80 : 0x00;
  const auto n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(mask_bit | n));
  } else if (n < 65536) {
    f.push_back(static_cast<char>(mask_bit | 126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n & 0xff));
  } else {
    f.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
      f.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> shift) & 0xff));
  }
  if (masked)
    for (const auto m : key)
      f.push_back(static_cast<char>(m));
  const auto start = f.size();
  f.append(payload);
  if (masked && key != kZeroMask)
    for (std::size_t i = 0; i < n; ++i)
      f[start + i] = static_cast<char>(static_cast<unsigned char>(f[start + i]) ^ key[i % 4]);
  return f;
}

struct ServerFrame {
  unsigned opcode = 0;
  std::string payload;
};

// The complete server frames at the start of `bytes` (a server never masks).
std::vector<ServerFrame> parse_frames(std::string_view bytes) {
  std::vector<ServerFrame> frames;
  std::size_t at = 0;
  while (bytes.size() - at >= 2) {
    const auto b0 = static_cast<unsigned char>(bytes[at]);
    const auto b1 = static_cast<unsigned char>(bytes[at + 1]);
    std::size_t header = 2;
    std::uint64_t n = b1 & 0x7f;
    if (n == 126) {
      if (bytes.size() - at < 4) break;
      n = (static_cast<unsigned char>(bytes[at + 2]) << 8) |
          static_cast<unsigned char>(bytes[at + 3]);
      header = 4;
    } else if (n == 127) {
      if (bytes.size() - at < 10) break;
      n = 0;
      for (int i = 0; i < 8; ++i)
        n = (n << 8) | static_cast<unsigned char>(bytes[at + 2 + i]);
      header = 10;
    }
    if ((b1 & 0x80) != 0) header += 4;
    if (bytes.size() - at < header + n) break;
    frames.push_back({b0 & 0x0fu, std::string(bytes.substr(at + header, n))});
    at += header + n;
  }
  return frames;
}

// A WebSocket-only session opened by hand; returns what came after the 101's header.
std::string raw_ws_open(Context& c, RawConnection& raw) {
  connect_raw(c, raw);
  raw.send(upgrade_request(c, c.eio() + "?EIO=4&transport=websocket"));
  const std::string got = raw.read_until("\r\n\r\n", Ms(5000));
  const auto end = got.find("\r\n\r\n");
  c.check(got.starts_with("HTTP/1.1 101") && end != std::string::npos, "WebSocket upgrade",
          "HTTP/1.1 101", got.substr(0, got.find("\r\n")));
  return got.substr(end + 4);
}

// The open packet of a WebSocket session opened by hand (read until it is complete); `bytes` keeps
// what came after it.
codec::Handshake raw_open_packet(Context& c, RawConnection& raw, std::string& bytes) {
  const auto deadline = Clock::now() + Ms(5000);
  while (true) {
    const auto frames = parse_frames(bytes);
    if (!frames.empty()) {
      const auto& first = frames.front();
      auto h = first.opcode == 0x1 && first.payload.starts_with("0{")
                   ? codec::parse_handshake(std::string_view(first.payload).substr(1))
                   : std::nullopt;
      c.check(h.has_value(), "first frame", "the open packet 0{...}", first.payload);
      // Drop the open packet's frame (a server frame: 2 to 10 header bytes, unmasked).
      std::size_t header = 2;
      const auto n = static_cast<unsigned char>(bytes[1]) & 0x7f;
      if (n == 126) header = 4;
      if (n == 127) header = 10;
      bytes.erase(0, header + first.payload.size());
      return *h;
    }
    const auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now());
    if (left <= Ms(0)) c.fail("first frame", "the open packet 0{...}", "nothing");
    bytes += raw.read_until("}", left);
  }
}

// How long the server may take to react (Context::prompt's rule, for a session opened by hand).
Ms prompt_for(Context& c, const codec::Handshake& h) {
  const Ms window(h.ping_interval + h.ping_timeout);
  return std::clamp(window / 2, Ms(100), Ms(2000)) + c.tolerance();
}

// After a hostile frame: how the server ended the connection within `timeout`. Returns the close
// code (1005 for a close frame without one, 1006 for a connection closed without a close frame), or
// 0 when the connection is still open; `frames` gets every frame the server sent.
int await_failure(RawConnection& raw, std::string bytes, Ms timeout,
                  std::vector<ServerFrame>& frames) {
  const auto deadline = Clock::now() + timeout;
  bool closed = false;
  while (true) {
    frames = parse_frames(bytes);
    for (const auto& f : frames)
      if (f.opcode == 0x8) {
        if (f.payload.size() < 2) return 1005;
        return (static_cast<unsigned char>(f.payload[0]) << 8) |
               static_cast<unsigned char>(f.payload[1]);
      }
    if (closed) return 1006;
    const auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now());
    if (left <= Ms(0)) return 0;
    bytes += raw.read_until("\x88", left);
    bytes += raw.read(Ms(0), &closed);
  }
}

std::string text_frames(const std::vector<ServerFrame>& frames) {
  std::string out;
  for (const auto& f : frames)
    if (f.opcode == 0x1) out += (out.empty() ? "" : ", ") + f.payload;
  return out;
}

// A frame the server MUST reject: it fails the connection (a close frame, 1002 expected, or the
// TCP connection closed), never processes the frame, and every other session goes on.
void expect_rejected_frame(Context& c, const std::string& frame, std::string_view what) {
  auto before = c.open_eio(Transport::websocket);
  RawConnection raw(c.loop());
  std::string bytes = raw_ws_open(c, raw);
  raw.send(frame);
  std::vector<ServerFrame> frames;
  const int code = await_failure(raw, std::move(bytes), c.prompt(*before), frames);
  const std::string ended = code == 1006 ? "connection closed without a close frame"
                            : code       ? "close frame " + std::to_string(code)
                                         : "still open";
  c.check(code != 0, std::string(what), "the server fails the connection (close 1002)", ended);
  const auto texts = text_frames(frames);
  c.check(texts.find("4hostile") == std::string::npos, "frames before the close",
          "the open packet only (the hostile frame is not processed)", texts);
  raw.send(client_frame(0x88, std::string("\x03\xe8", 2)));
  raw.close();
  expect_alive(c, *before);
  if (code != 1002) c.alternative("close code", "1002 (protocol error)", ended);
}

}  // namespace

void add_eio_limits(std::vector<Case>& out) {
  add(out,
      {.id = "eio/limits/1",
       .title = "A POST larger than maxPayload is refused with 413",
       .requirement = "A POST body one byte over the maxPayload of the handshake MUST be refused "
                      "with HTTP 413 (Payload Too Large), counted in bytes.",
       .level = Level::must,
       .source = kMaxPayload + "; engine.io 6.6 observed (E11)"},
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
       .source = kMaxPayload + "; engine.io 6.6 observed (ws maxPayload); RFC 6455, section 7.4.1"},
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
       .source = "CVE-2024-37890; RFC 6585, section 5"},
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
       .source = "RFC 9110, section 15.5.15; CVE-2022-41940"},
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
           "crashed on crafted requests: CVE-2022-41940, CVE-2023-31125).",
       .level = Level::must,
       .source = "RFC 9112, sections 2.2 and 6.3; CVE-2022-41940; CVE-2023-31125"},
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
                      "down: sessions opened before go on and new handshakes work (engine.io died "
                      "on a socket error without a handler: CVE-2022-41940).",
       .level = Level::must,
       .source = "CVE-2022-41940"},
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
           "on (engine.io threw an uncaught RangeError: CVE-2022-21676).",
       .level = Level::must,
       .source = "RFC 6455, section 5.2; CVE-2022-21676"},
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
       .source = "RFC 6455, section 5.2; CVE-2022-21676"},
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
}

}  // namespace conform::cases
