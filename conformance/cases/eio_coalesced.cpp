// eio/coalesced: bytes that arrive together. WebSocket frames written in the same TCP write as the
// upgrade request (1-8), HTTP/1.1 requests pipelined on one keep-alive connection (9-12), and a
// POST or a WebSocket frame cut in two at every byte (13-14).
//    1  message frames with the upgrade request are processed after the open packet
//    2  a frame with RSV2 set with the upgrade request (CVE-2022-21676)
//    3  a frame with RSV3 set with the upgrade request (CVE-2022-21676)
//    4  an unmasked frame with the upgrade request
//    5  a frame with a reserved opcode with the upgrade request
//    6  a close frame with the upgrade request
//    7  "2probe" with the upgrade request of a polling session
//    8  an invalid probe frame with the upgrade request of a polling session
//    9  two handshakes pipelined
//   10  a POST and a GET of one session pipelined
//   11  two POSTs of one session pipelined
//   12  a handshake and an upgrade request pipelined
//   13  a POST cut in two at every byte
//   14  a WebSocket frame cut in two at every byte
#include <cstdio>
#include <cstdlib>
#include <functional>

#include "areas.hpp"
#include "common.hpp"
#include "raw.hpp"

namespace conform::cases {

namespace {

const std::string kFrames = "RFC 6455, section 5.2";
const std::string kPipelining = "RFC 9112, section 9.3.2";

std::string ws_only(Context& c) {
  return c.eio() + "?EIO=4&transport=websocket";
}

// ---- HTTP answers read off a raw connection -----------------------------------------------------

struct Answer {
  int status = 0;
  std::string head;  // the status line
  std::string body;
};

std::string described(const Answer& a) {
  return a.head + (a.body.empty() ? "" : ": " + visible(a.body));
}

std::optional<std::string> header_of(std::string_view head, std::string_view name) {
  std::size_t at = head.find("\r\n");
  while (at != std::string_view::npos && at + 2 < head.size()) {
    const auto end = head.find("\r\n", at + 2);
    const auto line = head.substr(at + 2, end == std::string_view::npos ? end : end - at - 2);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos && colon == name.size() &&
        std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      auto value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ')
        value.remove_prefix(1);
      return std::string(value);
    }
    at = end;
  }
  return std::nullopt;
}

std::string listed(const std::vector<Answer>& answers) {
  std::string out;
  for (const auto& a : answers)
    out += (out.empty() ? "" : "; ") + described(a);
  return out.empty() ? "no answer" : out;
}

// One complete HTTP/1.1 answer taken off the front of `bytes`, or nullopt while it is incomplete.
// The body is sized by Content-Length or chunked; a 1xx, 204 or 304 has none; without either it
// runs to the end of the connection (`closed`).
std::optional<Answer> take_answer(std::string& bytes, bool closed) {
  const auto end = bytes.find("\r\n\r\n");
  if (end == std::string::npos) return std::nullopt;
  Answer a;
  const std::string_view head(bytes.data(), end + 2);
  a.head = std::string(head.substr(0, head.find("\r\n")));
  if (a.head.starts_with("HTTP/1.") && a.head.size() >= 12)
    a.status = std::atoi(a.head.c_str() + 9);
  std::size_t at = end + 4;
  const auto length = header_of(head, "content-length");
  const auto coding = header_of(head, "transfer-encoding");
  if (a.status / 100 == 1 || a.status == 204 || a.status == 304) {
    // no body
  } else if (coding && coding->find("chunked") != std::string::npos) {
    while (true) {
      const auto line = bytes.find("\r\n", at);
      if (line == std::string::npos) return std::nullopt;
      const auto size = std::strtoul(bytes.c_str() + at, nullptr, 16);
      if (size == 0) {
        if (bytes.size() < line + 4) return std::nullopt;
        at = line + 4;
        break;
      }
      if (bytes.size() < line + 2 + size + 2) return std::nullopt;
      a.body.append(bytes, line + 2, size);
      at = line + 2 + size + 2;
    }
  } else if (length) {
    const auto n = std::strtoul(length->c_str(), nullptr, 10);
    if (bytes.size() < at + n) return std::nullopt;
    a.body = bytes.substr(at, n);
    at += n;
  } else {
    if (!closed) return std::nullopt;
    a.body = bytes.substr(at);
    at = bytes.size();
  }
  bytes.erase(0, at);
  return a;
}

// Reads `count` answers off `raw`, in order, within `timeout`: fewer when the server closes (then
// `closed` is set) or the time runs out. `bytes` keeps what came after the last one (the frames
// after a 101).
std::vector<Answer> read_answers(RawConnection& raw, std::string& bytes, std::size_t count,
                                 Ms timeout, bool* closed_out = nullptr) {
  std::vector<Answer> answers;
  const auto deadline = Clock::now() + timeout;
  bool closed = false;
  while (answers.size() < count) {
    if (auto a = take_answer(bytes, closed)) {
      answers.push_back(std::move(*a));
      continue;
    }
    const auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now());
    if (closed || left <= Ms(0)) break;
    bytes += raw.read_at_least(1, left, &closed);
  }
  if (closed_out) *closed_out = closed;
  return answers;
}

// The answers to `count` pipelined requests: all of them, in order, or fewer when the server closes
// the connection after one (HTTP lets it: the client sends the rest again), which the case
// reports as an allowed alternative once its other checks are done.
std::vector<Answer> pipelined_answers(Context& c, RawConnection& raw, std::string& bytes,
                                      std::size_t count) {
  bool closed = false;
  auto answers = read_answers(raw, bytes, count, Ms(5000), &closed);
  if (answers.size() < count && !(closed && !answers.empty()))
    c.fail("answers", std::to_string(count) + ", in order",
           listed(answers) + (closed ? ", then the connection closed" : ", then nothing"));
  return answers;
}

std::string get_request(Context& c, const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: " + host_port(c) + "\r\n\r\n";
}

std::string post_request(Context& c, const std::string& target, std::string_view body) {
  return "POST " + target + " HTTP/1.1\r\nHost: " + host_port(c) +
         "\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

// A polling session opened with a plain request; returns the URL of its requests (`handshake`, when
// given, gets the open packet).
std::string open_polling(Context& c, codec::Handshake* handshake = nullptr) {
  const auto r = get_eio(c, "EIO=4&transport=polling");
  const auto h = r.status == 200 && r.body.starts_with("0{")
                     ? codec::parse_handshake(std::string_view(r.body).substr(1))
                     : std::nullopt;
  c.check(h.has_value() && !h->sid.empty(), "polling handshake", "200 0{...} with a sid", shown(r));
  if (handshake) *handshake = *h;
  return c.eio() + "?EIO=4&transport=polling&sid=" + h->sid;
}

// GETs on `raw` (a keep-alive connection) until an answer brings more than pings and noops, each
// ping answered with a pong POST; returns the other records (none when an answer is not 200:
// `last` shows it).
std::vector<std::string> poll_on(Context& c, RawConnection& raw, std::string& bytes,
                                 const std::string& url, Answer& last) {
  for (int round = 0; round < 4; ++round) {
    raw.send(get_request(c, url));
    const auto got = read_answers(raw, bytes, 1, Ms(3000));
    if (got.empty()) {
      last = {0, "no answer within 3000 ms", ""};
      return {};
    }
    last = got.front();
    if (last.status != 200) return {};
    std::vector<std::string> records;
    bool pinged = false;
    for (auto& record : codec::split_payload(last.body)) {
      if (record == "2") {
        pinged = true;
      } else if (record != "6") {
        records.push_back(std::move(record));
      }
    }
    if (pinged) {
      raw.send(post_request(c, url, "3"));
      read_answers(raw, bytes, 1, Ms(3000));
    }
    if (!records.empty()) return records;
  }
  return {};
}

// ---- WebSocket frames read off a raw connection ---------------------------------------------

using FramesDone = std::function<bool(const std::vector<ServerFrame>&)>;

// Reads server frames into `frames` until `done(frames)` holds, the connection ends (`closed` is
// set) or `timeout` passes; returns whether `done` held. Engine.IO pings ("2") are answered and
// left out.
bool read_frames(RawConnection& raw, std::string& bytes, std::vector<ServerFrame>& frames,
                 const FramesDone& done, Ms timeout, bool* closed_out = nullptr) {
  const auto deadline = Clock::now() + timeout;
  bool closed = false;
  while (true) {
    for (auto& f : take_frames(bytes)) {
      if (f.opcode == 0x1 && f.payload == "2") {
        raw.send(client_frame(0x81, "3"));
      } else {
        frames.push_back(std::move(f));
      }
    }
    if (closed_out) *closed_out = closed;
    if (done(frames)) return true;
    const auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now());
    if (closed || left <= Ms(0)) return false;
    bytes += raw.read_at_least(1, left, &closed);
  }
}

// Whether `frames` hold a text frame other than the open packet (and noops).
bool has_message(const std::vector<ServerFrame>& frames) {
  for (const auto& f : frames)
    if (f.opcode != 0x1 || (!f.payload.starts_with("0{") && f.payload != "6")) return true;
  return false;
}

// The messages among `frames`: text frames other than the open packet and noops.
std::string messages(const std::vector<ServerFrame>& frames) {
  std::string out;
  for (const auto& f : frames)
    if (f.opcode == 0x1 && !f.payload.starts_with("0{") && f.payload != "6")
      out += (out.empty() ? "" : ", ") + f.payload;
  return out.empty() ? "none" : out;
}

std::string how_ended(int code) {
  return code == 1006 ? "connection closed without a close frame"
         : code       ? "close frame " + std::to_string(code)
                      : "still open";
}

// What came of an upgrade request written together with other bytes.
struct Upgrade {
  Answer answer;        // the 101 (or the refusal)
  bool closed = false;  // the server closed before a whole answer came
  std::string after;    // what came after the answer's header
};

// Sends the upgrade request for `target` and `with` in one write and reads the answer's header.
Upgrade upgrade_with(Context& c, RawConnection& raw, const std::string& target,
                     const std::string& with) {
  connect_raw(c, raw);
  raw.send(upgrade_request(c, target) + with);
  Upgrade u;
  auto got = read_answers(raw, u.after, 1, Ms(5000));
  if (got.empty()) {
    u.closed = true;
    u.answer.head = u.after.empty() ? "connection closed without an answer" : visible(u.after);
  } else {
    u.answer = std::move(got.front());
  }
  return u;
}

// A frame RFC 6455 forbids, written in the same TCP write as the upgrade request of a new
// WebSocket session: the server answers 101 and fails that connection (close 1002), or refuses
// or closes it; it never processes the frame, and every other session goes on.
void expect_early_frame_rejected(Context& c, const std::string& frame, std::string_view what) {
  auto before = c.open_eio(Transport::websocket);
  RawConnection raw(c.loop());
  auto u = upgrade_with(c, raw, ws_only(c), frame);
  std::vector<ServerFrame> frames;
  const int code = u.answer.status == 101
                       ? await_failure(raw, std::move(u.after), c.prompt(*before), frames)
                       : 1006;
  c.check(u.answer.status == 101 || u.answer.status >= 400 || u.closed, "answer to the upgrade",
          "101 (or a refusal, or a closed connection)", described(u.answer));
  c.check(code != 0, std::string(what), "the server fails the connection (close 1002)",
          how_ended(code));
  const auto texts = text_frames(frames);
  c.check(texts.find("4hostile") == std::string::npos, "frames before the close",
          "no echo of the hostile frame", texts.empty() ? "none" : texts);
  raw.close();
  expect_alive(c, *before);
  if (u.answer.status != 101)
    c.alternative("answer to the upgrade", "101, then close 1002", described(u.answer));
  if (code != 1002) c.alternative("close code", "1002 (protocol error)", how_ended(code));
}

std::string padded(std::size_t k) {
  char text[8];
  std::snprintf(text, sizeof text, "%03zu", k % 1000);
  return text;
}

}  // namespace

void add_eio_coalesced(std::vector<Case>& out) {
  add(out,
      {.id = "eio/coalesced/1",
       .title = "Message frames written with the upgrade request are processed",
       .requirement =
           "Bytes that follow the upgrade request on the connection are WebSocket frames, even "
           "when they come in the same TCP write: a server that answers 101 MUST NOT read them as "
           "HTTP nor drop them; it processes the messages after the open packet, in order. "
           "(RFC 6455 asks a client to wait for the 101, so failing the connection is an allowed "
           "alternative; losing the messages silently is not.)",
       .level = Level::must,
       .source = "RFC 6455, sections 4.1 and 4.2.2"},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        RawConnection raw(c.loop());
        auto u = upgrade_with(c, raw, ws_only(c),
                              client_frame(0x81, "4hello") + client_frame(0x81, "4world"));
        c.check(u.answer.status == 101, "answer to the upgrade", "HTTP/1.1 101",
                described(u.answer));
        // The open packet and two echoes, or the end of the connection.
        const auto enough = [](const std::vector<ServerFrame>& f) {
          int texts = 0;
          for (const auto& frame : f)
            if (frame.opcode == 0x8 || (frame.opcode == 0x1 && ++texts == 3)) return true;
          return false;
        };
        std::vector<ServerFrame> frames;
        bool closed = false;
        read_frames(raw, u.after, frames, enough, c.prompt(*before), &closed);
        const auto got = messages(frames);
        const std::string expected = "the open packet, then the echoes 4hello, 4world";
        if (got != "4hello, 4world") {
          const bool failed = closed || (!frames.empty() && frames.back().opcode == 0x8);
          c.check(failed, "after the upgrade", expected,
                  "messages: " + got + "; the connection still open after " +
                      std::to_string(c.prompt(*before).count()) + " ms");
          raw.close();
          expect_alive(c, *before);
          c.alternative("after the upgrade", expected,
                        "messages: " + got + "; then the server failed the connection");
        }
        c.check(frames.front().opcode == 0x1 && frames.front().payload.starts_with("0{"),
                "first frame", "the open packet 0{...}", text_frames(frames));
        raw.send(client_frame(0x88, std::string("\x03\xe8", 2)));
        raw.close();
        expect_alive(c, *before);
      });

  add(out,
      {.id = "eio/coalesced/2",
       .title = "A frame with RSV2 set in the upgrade request's write fails that connection only",
       .requirement =
           "A frame with RSV2 set written in the same TCP write as the upgrade request of a new "
           "WebSocket session MUST fail that connection (101, then close 1002) without being "
           "processed, and the server MUST go on (engine.io before 6.1.1 parsed these bytes "
           "before it had an error handler, and the uncaught RangeError ended the process: "
           "CVE-2022-21676).",
       .level = Level::must,
       .source = kFrames + "; CVE-2022-21676"},
      [](Context& c) {
        expect_early_frame_rejected(c, client_frame(0x80 | 0x20 | 0x1, "4hostile"),
                                    "after RSV2 with the upgrade request");
      });

  add(out,
      {.id = "eio/coalesced/3",
       .title = "A frame with RSV3 set in the upgrade request's write fails that connection only",
       .requirement =
           "A frame with RSV3 set written in the same TCP write as the upgrade request of a new "
           "WebSocket session MUST fail that connection (101, then close 1002) without being "
           "processed, and the server MUST go on (the RSV2/RSV3 input of CVE-2022-21676).",
       .level = Level::must,
       .source = kFrames + "; CVE-2022-21676"},
      [](Context& c) {
        expect_early_frame_rejected(c, client_frame(0x80 | 0x10 | 0x1, "4hostile"),
                                    "after RSV3 with the upgrade request");
      });

  add(out,
      {.id = "eio/coalesced/4",
       .title = "An unmasked frame in the upgrade request's write fails that connection only",
       .requirement = "An unmasked client frame written in the same TCP write as the upgrade "
                      "request MUST fail that connection (101, then close 1002) without being "
                      "processed, and the server MUST go on.",
       .level = Level::must,
       .source = "RFC 6455, section 5.1"},
      [](Context& c) {
        expect_early_frame_rejected(c, client_frame(0x81, "4hostile", false),
                                    "after an unmasked frame with the upgrade request");
      });

  add(out,
      {.id = "eio/coalesced/5",
       .title = "A reserved opcode in the upgrade request's write fails that connection only",
       .requirement = "A frame with the reserved opcode 0x3 written in the same TCP write as the "
                      "upgrade request MUST fail that connection (101, then close 1002) without "
                      "being processed, and the server MUST go on.",
       .level = Level::must,
       .source = kFrames},
      [](Context& c) {
        expect_early_frame_rejected(c, client_frame(0x80 | 0x3, "4hostile"),
                                    "after opcode 0x3 with the upgrade request");
      });

  add(out,
      {.id = "eio/coalesced/6",
       .title = "A close frame in the upgrade request's write is answered with a close frame",
       .requirement =
           "A close frame written in the same TCP write as the upgrade request starts the closing "
           "handshake: the server MUST answer it with a close frame and end the connection, and "
           "MUST go on serving others.",
       .level = Level::must,
       .source = "RFC 6455, section 5.5.1"},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        RawConnection raw(c.loop());
        auto u = upgrade_with(c, raw, ws_only(c), client_frame(0x88, std::string("\x03\xe8", 2)));
        c.check(u.answer.status == 101, "answer to the upgrade", "HTTP/1.1 101",
                described(u.answer));
        std::vector<ServerFrame> frames;
        const int code = await_failure(raw, std::move(u.after), c.prompt(*before), frames);
        c.check(code != 0 && code != 1006, "after the close frame",
                "a close frame from the server, then the end of the connection", how_ended(code));
        raw.close();
        expect_alive(c, *before);
      });

  add(out,
      {.id = "eio/coalesced/7",
       .title = "A probe written with the upgrade request of a polling session is answered",
       .requirement = "\"2probe\" written in the same TCP write as the upgrade request of a "
                      "polling session MUST be answered with \"3probe\", and the upgrade then "
                      "completes with \"5\" as usual: a message sent after it is echoed on the "
                      "WebSocket.",
       .level = Level::must,
       .source = "Engine.IO v4 specification, Upgrade; RFC 6455, section 4.2.2"},
      [](Context& c) {
        const auto url = open_polling(c);
        const auto sid = url.substr(url.find("&sid=") + 5);
        RawConnection raw(c.loop());
        auto u = upgrade_with(c, raw, ws_only(c) + "&sid=" + sid, client_frame(0x81, "2probe"));
        c.check(u.answer.status == 101, "answer to the upgrade", "HTTP/1.1 101",
                described(u.answer));
        std::vector<ServerFrame> frames;
        read_frames(raw, u.after, frames, has_message, Ms(3000));
        c.expect_eq("first frame on the WebSocket", "3probe", messages(frames));
        raw.send(client_frame(0x81, "5"));
        raw.send(client_frame(0x81, "4after-upgrade"));
        frames.clear();
        read_frames(raw, u.after, frames, has_message, Ms(3000));
        c.expect_eq("after 5", "4after-upgrade", messages(frames));
        raw.send(client_frame(0x88, std::string("\x03\xe8", 2)));
      });

  add(out,
      {.id = "eio/coalesced/8",
       .title = "An invalid probe frame with the upgrade request fails the probe, not the session",
       .requirement =
           "A probe frame with RSV2 set written in the same TCP write as the upgrade request of a "
           "polling session MUST fail that WebSocket (close 1002) without being answered; the "
           "failed upgrade SHOULD leave the session on polling, where it goes on (closing the "
           "session is an allowed alternative), and the server MUST go on.",
       .level = Level::must,
       .source = kFrames + "; Engine.IO v4 specification, Upgrade"},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        const auto url = open_polling(c);
        const auto sid = url.substr(url.find("&sid=") + 5);
        RawConnection raw(c.loop());
        auto u = upgrade_with(c, raw, ws_only(c) + "&sid=" + sid,
                              client_frame(0x80 | 0x20 | 0x1, "2probe"));
        std::vector<ServerFrame> frames;
        const int code = u.answer.status == 101
                             ? await_failure(raw, std::move(u.after), c.prompt(*before), frames)
                             : 1006;
        c.check(u.answer.status == 101 || u.answer.status >= 400 || u.closed,
                "answer to the upgrade", "101 (or a refusal, or a closed connection)",
                described(u.answer));
        c.check(code != 0, "after the invalid probe", "the server fails the WebSocket (close 1002)",
                how_ended(code));
        c.check(text_frames(frames).find("3probe") == std::string::npos, "frames before the close",
                "no 3probe (the invalid frame is not processed)", text_frames(frames));
        raw.close();
        // The session goes on over polling.
        RawConnection poll(c.loop());
        connect_raw(c, poll);
        std::string bytes;
        poll.send(post_request(c, url, "4still-polling"));
        const auto posted = read_answers(poll, bytes, 1, Ms(3000));
        Answer last;
        const auto records = posted.size() == 1 && posted[0].status == 200
                                 ? poll_on(c, poll, bytes, url, last)
                                 : std::vector<std::string>{};
        const bool going_on = records == std::vector<std::string>{"4still-polling"};
        const bool ended = (!posted.empty() && posted[0].status == 400) || last.status == 400 ||
                           records == std::vector<std::string>{"1"};
        c.check(going_on || ended, "the polling session after the failed probe",
                "POST 200 ok, then GET 4still-polling (or the session closed)",
                listed(posted) +
                    "; GET: " + (records.empty() ? described(last) : codec::join_payload(records)));
        expect_alive(c, *before);
        if (!going_on)
          c.alternative("the polling session after the failed probe",
                        "it goes on: GET 4still-polling", listed(posted) + "; " + described(last));
      });

  add(out,
      {.id = "eio/coalesced/9",
       .title = "Two handshakes pipelined on one connection are both answered, in order",
       .requirement = "Two polling handshakes written in one TCP write on a keep-alive "
                      "connection MUST both be answered, in order, each with an open packet of "
                      "its own (or the connection closed after the first answer).",
       .level = Level::must,
       .source = kPipelining},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        RawConnection raw(c.loop());
        connect_raw(c, raw);
        const auto handshake = get_request(c, c.eio() + "?EIO=4&transport=polling");
        raw.send(handshake + handshake);
        std::string bytes;
        const auto answers = pipelined_answers(c, raw, bytes, 2);
        std::vector<std::string> sids;
        for (const auto& a : answers) {
          const auto h = a.status == 200 && a.body.starts_with("0{")
                             ? codec::parse_handshake(std::string_view(a.body).substr(1))
                             : std::nullopt;
          c.check(h.has_value(), "answer " + std::to_string(sids.size() + 1), "200 0{...}",
                  described(a));
          sids.push_back(h->sid);
        }
        if (sids.size() == 2)
          c.check(sids[0] != sids[1], "session ids", "two different sids",
                  sids[0] + ", " + sids[1]);
        expect_alive(c, *before);
        if (answers.size() < 2)
          c.alternative("answers", "two, in order", listed(answers) + ", then a close");
      });

  add(out,
      {.id = "eio/coalesced/10",
       .title = "A POST and a GET pipelined are answered in order",
       .requirement = "A POST and then a GET of one polling session written in one TCP write "
                      "MUST be answered in the order they were sent: the POST's \"ok\" first, "
                      "then the GET with the message the POST carried (echoed).",
       .level = Level::must,
       .source = kPipelining + "; Engine.IO v4 specification, HTTP long-polling"},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        const auto url = open_polling(c);
        RawConnection raw(c.loop());
        connect_raw(c, raw);
        raw.send(post_request(c, url, "4pipelined") + get_request(c, url));
        std::string bytes;
        const auto answers = pipelined_answers(c, raw, bytes, 2);
        c.check(answers[0].status == 200, "first answer (the POST)", "200 (ok)",
                described(answers[0]));
        if (answers.size() < 2) {
          expect_alive(c, *before);
          c.alternative("answers", "two, in order", listed(answers) + ", then a close");
        }
        std::vector<std::string> records;
        for (auto& record : codec::split_payload(answers[1].body))
          if (record != "2" && record != "6") records.push_back(std::move(record));
        Answer last = answers[1];
        if (answers[1].status == 200 && records.empty())
          records = poll_on(c, raw, bytes, url, last);  // the GET brought only a ping
        c.check(last.status == 200 && records == std::vector<std::string>{"4pipelined"},
                "second answer (the GET)", "200: 4pipelined", described(last));
        expect_alive(c, *before);
      });

  add(out,
      {.id = "eio/coalesced/11",
       .title = "Two POSTs pipelined are taken one after the other",
       .requirement =
           "Pipelined requests are sequential: a second POST of a session written in the same "
           "TCP write as the first begins after the first ends, so it does not overlap it. Both "
           "MUST be answered in order, and both SHOULD be accepted with their messages delivered "
           "in order (refusing the second as an overlap is an allowed alternative: a client "
           "should not pipeline after a POST).",
       .level = Level::must,
       .source = kPipelining + "; Engine.IO v4 specification, HTTP long-polling"},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        const auto url = open_polling(c);
        RawConnection raw(c.loop());
        connect_raw(c, raw);
        raw.send(post_request(c, url, "4first") + post_request(c, url, "4second"));
        std::string bytes;
        const auto answers = pipelined_answers(c, raw, bytes, 2);
        c.check(answers[0].status == 200, "first answer", "200 (ok)", listed(answers));
        if (answers.size() < 2 || answers[1].status != 200) {
          expect_alive(c, *before);
          c.alternative("second answer", "200 (ok)",
                        listed(answers) + (answers.size() < 2 ? ", then a close" : ""));
        }
        RawConnection poll(c.loop());
        connect_raw(c, poll);
        std::string more;
        Answer last;
        auto records = poll_on(c, poll, more, url, last);
        if (records.size() == 1) {
          const auto next = poll_on(c, poll, more, url, last);
          records.insert(records.end(), next.begin(), next.end());
        }
        c.check(records == std::vector<std::string>{"4first", "4second"}, "the echoes",
                "4first, 4second",
                records.empty() ? described(last) : codec::join_payload(records));
        expect_alive(c, *before);
      });

  add(out,
      {.id = "eio/coalesced/12",
       .title = "A handshake and an upgrade request pipelined are both served",
       .requirement = "A polling handshake followed in the same TCP write by a WebSocket upgrade "
                      "request MUST get its 200 first, then the 101 of the WebSocket session, "
                      "which then works (its open packet, then an echo).",
       .level = Level::must,
       .source = kPipelining + "; RFC 6455, section 4.2.2"},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        RawConnection raw(c.loop());
        connect_raw(c, raw);
        raw.send(get_request(c, c.eio() + "?EIO=4&transport=polling") +
                 upgrade_request(c, ws_only(c)));
        std::string bytes;
        const auto answers = pipelined_answers(c, raw, bytes, 2);
        c.check(answers[0].status == 200 && answers[0].body.starts_with("0{"),
                "first answer (the handshake)", "200 0{...}", described(answers[0]));
        if (answers.size() < 2) {
          expect_alive(c, *before);
          c.alternative("answers", "200, then 101", listed(answers) + ", then a close");
        }
        c.check(answers[1].status == 101, "second answer (the upgrade)", "HTTP/1.1 101",
                described(answers[1]));
        std::vector<ServerFrame> frames;
        read_frames(
            raw, bytes, frames, [](const auto& f) { return !f.empty(); }, Ms(3000));
        c.check(!frames.empty() && frames[0].opcode == 0x1 && frames[0].payload.starts_with("0{"),
                "first frame", "the open packet 0{...}", text_frames(frames));
        raw.send(client_frame(0x81, "4over-the-pipeline"));
        frames.clear();
        read_frames(raw, bytes, frames, has_message, Ms(3000));
        c.expect_eq("echo", "4over-the-pipeline", messages(frames));
        raw.send(client_frame(0x88, std::string("\x03\xe8", 2)));
        expect_alive(c, *before);
      });

  add(out,
      {.id = "eio/coalesced/13",
       .title = "A POST cut in two at any byte is assembled",
       .requirement =
           "TCP may deliver a request in pieces anywhere: a POST of two messages written in two "
           "parts, cut after each of its bytes in turn (request line, headers and body), MUST be "
           "assembled and answered (200) every time, and every message delivered once, in order.",
       .level = Level::must,
       .source = "RFC 9112, section 2.1; Engine.IO v4 specification, HTTP long-polling"},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        // This case sends some 170 requests. On a busy machine its session can end by ping
        // timeout meanwhile (a request then gets 400 with code 1): it goes on with a new session
        // from where it was, twice at most.
        RawPool pool;
        RawConnection* raw = nullptr;
        codec::Handshake h;
        std::string url;
        std::string bytes;
        std::vector<std::string> expected;
        std::vector<std::string> got;
        int sessions = 0;
        const auto open = [&] {
          url = open_polling(c, &h);
          raw = &pool.make(c);
          connect_raw(c, *raw);
          bytes.clear();
          expected.clear();
          got.clear();
          ++sessions;
        };
        const auto gone = [&](const Answer& a) {
          const bool ended = a.status == 400 && a.body.find("\"code\":1") != std::string::npos;
          if (ended && sessions < 3)
            c.loop().note("--", "the session ended by ping timeout (a busy machine): a new one");
          return ended && sessions < 3;
        };
        open();
        // Pings come in GET answers: a GET at least this often answers each one in time.
        const auto poll_every = std::clamp(Ms(h.ping_timeout / 2), Ms(20), Ms(100));
        const auto request = [&](std::size_t k) {
          return post_request(c, url, "4a" + padded(k) + "\x1e" + "4b" + padded(k));
        };
        Answer last;
        auto polled = Clock::now();
        // Whether the session is still there; checks the messages of the POSTs so far.
        const auto collect = [&](std::size_t k) {
          polled = Clock::now();
          while (got.size() < expected.size()) {
            const auto records = poll_on(c, *raw, bytes, url, last);
            if (records.empty()) break;
            got.insert(got.end(), records.begin(), records.end());
          }
          if (got.size() < expected.size() && gone(last)) return false;
          c.check(got == expected, "messages of the POSTs cut up to byte " + std::to_string(k),
                  codec::join_payload(expected),
                  got.empty() ? described(last) : codec::join_payload(got));
          return true;
        };
        std::size_t k = 1;
        std::size_t from = 1;  // the first cut whose messages are not checked yet
        while (true) {
          if (k == request(k).size()) {
            if (collect(k - 1)) break;
            open();
            k = from;  // those cuts again, on the new session
            continue;
          }
          const auto whole = request(k);
          raw->send(std::string_view(whole).substr(0, k));
          c.loop().run_for(Ms(1));
          raw->send(std::string_view(whole).substr(k));
          const auto answers = read_answers(*raw, bytes, 1, Ms(3000));
          if (answers.size() == 1 && gone(answers[0])) {
            open();
            k = from;
            continue;
          }
          c.check(
              answers.size() == 1 && answers[0].status == 200,
              "POST cut after byte " + std::to_string(k) + " of " + std::to_string(whole.size()),
              "200 (ok)", listed(answers));
          expected.push_back("4a" + padded(k));
          expected.push_back("4b" + padded(k));
          ++k;
          if (Clock::now() - polled < poll_every) continue;
          if (collect(k - 1)) {
            from = k;
          } else {
            open();
            k = from;
          }
        }
        expect_alive(c, *before);
      });

  add(out,
      {.id = "eio/coalesced/14",
       .title = "A WebSocket frame cut in two at any byte is assembled",
       .requirement =
           "TCP may deliver a frame in pieces anywhere: a masked text frame written in two parts, "
           "cut after each byte of its header, mask key and payload in turn, MUST be assembled "
           "and its message echoed every time (also with a 16-bit extended length).",
       .level = Level::must,
       .source = "RFC 6455, section 5.2"},
      [](Context& c) {
        RawConnection raw(c.loop());
        std::string bytes = raw_ws_open(c, raw);
        raw_open_packet(c, raw, bytes);
        const auto one = [&](const std::string& message, std::size_t k) {
          const auto frame = client_frame(0x81, message);
          raw.send(std::string_view(frame).substr(0, k));
          c.loop().run_for(Ms(1));
          raw.send(std::string_view(frame).substr(k));
          std::vector<ServerFrame> frames;
          read_frames(raw, bytes, frames, has_message, Ms(3000));
          c.check(messages(frames) == message,
                  "echo of a " + std::to_string(frame.size()) + "-byte frame cut after byte " +
                      std::to_string(k),
                  message.size() > 20 ? message.substr(0, 20) + "..." : message, messages(frames));
        };
        // Short: 2 header bytes, 4 of mask, 8 of payload.
        for (std::size_t k = 1; k < 14; ++k)
          one("4short" + padded(k).substr(1), k);
        // 16-bit length: 4 header bytes, 4 of mask, then the payload.
        for (std::size_t k = 1; k <= 9; ++k)
          one("4long" + padded(k) + std::string(192, 'z'), k);
        raw.send(client_frame(0x88, std::string("\x03\xe8", 2)));
      });
}

}  // namespace conform::cases
