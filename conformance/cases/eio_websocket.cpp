// eio/websocket: the WebSocket transport of a WebSocket-only session. One packet per frame, binary
// frames without a type byte, invalid input closing the session promptly, and upgrade requests
// that must not open a session.
#include <cstdio>

#include "areas.hpp"
#include "common.hpp"

namespace conform::cases {

namespace {

const std::string kTransport = "Engine.IO v4 specification, Transports: WebSocket";
const std::string kEncoding = "Engine.IO v4 specification, Packet encoding: WebSocket";
const std::string kOfficial = "official Engine.IO test suite";

std::string ws_target(Context& c, std::string_view query) {
  return c.eio() + "?" + std::string(query);
}

// The close code in an EioSession end description ("WebSocket closed (1007)"), or 0.
int close_code_of(std::string_view how) {
  const auto open = how.find("WebSocket closed (");
  if (open == std::string_view::npos) return 0;
  const auto start = open + std::string_view("WebSocket closed (").size();
  int code = 0;
  for (auto i = start; i < how.size() && std::isdigit(static_cast<unsigned char>(how[i])); ++i)
    code = code * 10 + (how[i] - '0');
  return code;
}

std::string describe_ws(const std::optional<WsEvent>& e) {
  if (!e) return "nothing (the connection stays open)";
  switch (e->kind) {
    case WsEvent::Kind::text:
      return "text frame " + e->data;
    case WsEvent::Kind::binary:
      return "binary frame of " + std::to_string(e->data.size()) + " bytes";
    case WsEvent::Kind::closed:
      return "closed (" + std::to_string(e->close_code) + ")";
  }
  return "?";
}

// How long an upgrade request without a session may stay open before the server must have acted.
Ms refusal_window(Context& c) {
  return Ms(1000) + c.tolerance();
}

// An upgrade request that must not open a session. Returns "" when it was refused with 400 before
// 101, else what happened, for the case to report as an allowed alternative once its other checks
// are done: another error status, a connection closed without an answer, or 101 followed at once
// by a close with no open packet. A success status, an open packet or a WebSocket left open fail.
std::string no_session(Context& c, const std::string& target, std::string_view what) {
  WebSocket ws(c.loop());
  HttpResponse refused;
  if (!ws.connect(target, Ms(5000), &refused)) {
    const std::string got =
        refused.status ? shown(refused) : "connection closed without an HTTP answer";
    c.check(refused.status == 0 || refused.status >= 400, std::string(what),
            "400 before 101 (no session)", got);
    if (refused.status == 400) return "";
    return got;
  }
  const auto first = ws.next(refusal_window(c));
  c.check(first.has_value() && first->kind == WsEvent::Kind::closed, std::string(what),
          "400 before 101 (or at least no session: the WebSocket closed at once, with no open "
          "packet)",
          "101, then " + describe_ws(first));
  return "101, then " + describe_ws(first);
}

void report_alternative(Context& c, std::string_view what, const std::string& observed) {
  if (!observed.empty()) c.alternative(std::string(what), "400 before 101", observed);
}

void expect_no_session(Context& c, const std::string& target, std::string_view what) {
  report_alternative(c, what, no_session(c, target, what));
}

}  // namespace

void add_eio_websocket(std::vector<Case>& out) {
  add(out,
      {.id = "eio/websocket/1",
       .title = "Text messages are echoed as text frames, byte for byte",
       .requirement = "Each packet goes in its own frame, text as UTF-8: 4hello and 4hé MUST come "
                      "back as the text frames 4hello and 4hé.",
       .level = Level::must,
       .source = kEncoding + "; engine.io 6.6 observed (E22); fixture contract",
       .transports = kWebSocket},
      [](Context& c) {
        auto s = c.open_eio();
        for (const std::string text : {"4hello", "4h\xc3\xa9"}) {
          s->send(text);
          const auto p = c.expect_packet(*s, Ms(3000), "echo of " + text);
          c.check(!p.binary && describe(p) == text, "echo of " + text, "text frame " + text,
                  p.binary ? "a binary frame" : "text frame " + describe(p));
        }
      });

  add(out,
      {.id = "eio/websocket/2",
       .title = "Binary messages are echoed as binary frames without a type byte",
       .requirement = "A binary frame is a message whose data is the frame's bytes, with no type "
                      "prefix: a frame holding every byte value 0..255 MUST come back as a binary "
                      "frame with the same 256 bytes.",
       .level = Level::must,
       .source = kEncoding + "; engine.io 6.6 observed (E22); " + kOfficial,
       .transports = kWebSocket},
      [](Context& c) {
        auto s = c.open_eio();
        std::string bytes;
        for (int i = 0; i < 256; ++i)
          bytes.push_back(static_cast<char>(i));
        s->send_binary(bytes);
        const auto p = c.expect_packet(*s, Ms(3000), "echo of the binary frame");
        c.check(p.binary && p.data == bytes, "echo", "binary frame, bytes 00..ff",
                p.binary ? "binary frame of " + std::to_string(p.data.size()) + " bytes (base64 " +
                               codec::base64_encode(p.data).substr(0, 40) + ")"
                         : "text frame " + describe(p));
      });

  add(out,
      {.id = "eio/websocket/3",
       .title = "An empty message is echoed as 4",
       .requirement = "A message packet with no data (4) is valid: the fixture MUST echo it as the "
                      "text frame 4.",
       .level = Level::must,
       .source = "fixture contract; engine.io 6.6 observed (E23)",
       .transports = kWebSocket},
      [](Context& c) {
        auto s = c.open_eio();
        s->send("4");
        const auto p = c.expect_packet(*s, Ms(3000), "echo of 4");
        c.expect_eq("echo", "4", describe(p));
      });

  add(out,
      {.id = "eio/websocket/4",
       .title = "0x1E inside a text frame is data, not a separator",
       .requirement = "On WebSocket each frame is one packet: the text frame 4a\\x1e4b is ONE "
                      "message with data a\\x1e4b, and MUST be echoed as one frame with the same "
                      "bytes (the next echo is the next message's).",
       .level = Level::must,
       .source = kEncoding,
       .transports = kWebSocket},
      [](Context& c) {
        auto s = c.open_eio();
        s->send(
            "4a\x1e"
            "4b");
        s->send("4end");
        const auto first = c.expect_packet(*s, Ms(3000), "first echo");
        c.expect_eq("first echo", "4a\\x1e4b", visible(describe(first)));
        const auto second = c.expect_packet(*s, Ms(3000), "second echo");
        c.expect_eq("second echo", "4end", visible(describe(second)));
      });

  add(out,
      {.id = "eio/websocket/5",
       .title = "Twenty messages come back as twenty frames, in order",
       .requirement = "Each packet goes in its own frame and order is kept: twenty text messages "
                      "sent back to back MUST be echoed as twenty frames in the same order.",
       .level = Level::must,
       .source = kEncoding,
       .transports = kWebSocket},
      [](Context& c) {
        auto s = c.open_eio();
        std::string sent, got;
        for (int i = 0; i < 20; ++i) {
          s->send("4m" + std::to_string(i));
          sent += (i ? " " : "") + ("4m" + std::to_string(i));
        }
        for (int i = 0; i < 20; ++i) {
          const auto p = c.expect_packet(*s, Ms(3000), "echo " + std::to_string(i + 1));
          got += (i ? " " : "") + visible(describe(p));
        }
        c.expect_eq("echoes, one per frame", sent, got);
      });

  add(out,
      {.id = "eio/websocket/6",
       .title = "An invalid packet closes the session promptly",
       .requirement = "A text frame that is not a packet (abc: no packet type) MUST close the "
                      "session at once (well before the ping timeout, while the client answers "
                      "pings); the sid is then unknown (400 {\"code\":1} on a polling GET).",
       .level = Level::must,
       .source = kOfficial + " (closes the session upon invalid packet format)",
       .transports = kWebSocket},
      [](Context& c) {
        auto s = c.open_eio();
        s->send("abc");
        c.expect_closed(*s, c.prompt(*s), "after abc");
        c.loop().run_for(Ms(50));  // the server forgets the session as it closes the socket
        expect_error(c, get_eio(c, "EIO=4&transport=polling&sid=" + s->sid()), 400, 1,
                     "polling GET with the closed session's sid");
      });

  add(out,
      {.id = "eio/websocket/7",
       .title = "An empty text frame closes the session promptly",
       .requirement = "An empty text frame carries no packet type; the server SHOULD treat it as a "
                      "parse error and close the session at once.",
       .level = Level::should,
       .source = "engine.io 6.6 observed (E20)",
       .transports = kWebSocket},
      [](Context& c) {
        auto s = c.open_eio();
        s->send("");
        c.expect_closed(*s, c.prompt(*s), "after an empty text frame");
      });

  add(out,
      {.id = "eio/websocket/8",
       .title = "A ping from the client closes the session promptly",
       .requirement = "In v4 only the server pings; a client ping (2) SHOULD be treated as a "
                      "transport error that closes the session at once.",
       .level = Level::should,
       .source = "engine.io 6.6 observed (E21); Engine.IO v4 specification, Heartbeat",
       .transports = kWebSocket},
      [](Context& c) {
        auto s = c.open_eio();
        s->send("2");
        c.expect_closed(*s, c.prompt(*s), "after the client's ping");
      });

  add(out,
      {.id = "eio/websocket/9",
       .title = "A close packet from the client closes the session promptly",
       .requirement =
           "The close packet (1) asks to end the session; the server SHOULD close it at once on "
           "WebSocket too. engine.io ignores it there and lets the session die by ping timeout "
           "(E19), which a client that keeps answering pings never sees.",
       .level = Level::should,
       .source = "Engine.IO v4 specification, Protocol (close); engine.io 6.6 observed (E19)",
       .transports = kWebSocket},
      [](Context& c) {
        auto s = c.open_eio();
        s->send("1");
        c.expect_closed(*s, c.prompt(*s), "after the client's close packet");
      });

  add(out,
      {.id = "eio/websocket/10",
       .title = "An upgrade request with an unknown sid opens nothing",
       .requirement = "A WebSocket request whose sid names no session MUST NOT open one; the "
                      "server SHOULD refuse it with HTTP 400 before any 101 (101 and then a close "
                      "is an allowed alternative).",
       .level = Level::must,
       .source = kTransport + "; engine.io 6.6 observed (E18)"},
      [](Context& c) {
        expect_no_session(c, ws_target(c, "EIO=4&transport=websocket&sid=no-such-session"),
                          "upgrade request with an unknown sid");
      });

  add(out,
      {.id = "eio/websocket/11",
       .title = "An upgrade request for an unknown transport opens nothing",
       .requirement =
           "A WebSocket request with an unknown transport (abc, or a name a JavaScript object "
           "lookup finds on Object.prototype: __proto__, toString) MUST NOT open a session, and "
           "the server MUST keep serving (engine.io 5.1 to 6.4.1 answered 101 and crashed on "
           "__proto__); it SHOULD answer 400 before 101.",
       .level = Level::must,
       .source = kTransport + "; engine.io 6.6 observed (E18); CVE-2023-31125"},
      [](Context& c) {
        auto before = c.open_eio(Transport::websocket);
        std::string alternatives;
        for (const std::string name : {"abc", "__proto__", "toString"}) {
          const auto what = "upgrade request with transport=" + name;
          const auto alt = no_session(c, ws_target(c, "EIO=4&transport=" + name), what);
          if (!alt.empty()) alternatives += (alternatives.empty() ? "" : "; ") + what + ": " + alt;
        }
        expect_alive(c, *before);
        report_alternative(c, "upgrade requests with an unknown transport", alternatives);
      });

  add(out,
      {.id = "eio/websocket/12",
       .title = "An upgrade request without a transport opens nothing",
       .requirement = "transport is mandatory: a WebSocket request without it MUST NOT open a "
                      "session; the server SHOULD answer 400 before 101.",
       .level = Level::must,
       .source = kTransport + "; " + kOfficial},
      [](Context& c) {
        expect_no_session(c, ws_target(c, "EIO=4"), "upgrade request without transport");
      });

  add(out,
      {.id = "eio/websocket/13",
       .title = "An upgrade request without EIO opens nothing",
       .requirement = "EIO is mandatory: a WebSocket request without it MUST NOT open a session "
                      "(the specification: the server MUST close the connection). The server "
                      "SHOULD answer 400 before 101; engine.io's 101 followed by a raw HTTP 400 "
                      "and a close is an allowed alternative.",
       .level = Level::must,
       .source = kTransport + "; engine.io 6.6 observed (E17); " + kOfficial},
      [](Context& c) {
        expect_no_session(c, ws_target(c, "transport=websocket"), "upgrade request without EIO");
      });

  add(out,
      {.id = "eio/websocket/14",
       .title = "An upgrade request with EIO=abc opens nothing",
       .requirement =
           "Only EIO=4 opens a session: a WebSocket request with EIO=abc MUST NOT open one; the "
           "server SHOULD answer 400 before 101 (101 and then a close is an allowed alternative).",
       .level = Level::must,
       .source = kTransport + "; " + kOfficial},
      [](Context& c) {
        expect_no_session(c, ws_target(c, "EIO=abc&transport=websocket"),
                          "upgrade request with EIO=abc");
      });

  add(out,
      {.id = "eio/websocket/15",
       .title = "An upgrade request naming transport=polling opens nothing",
       .requirement =
           "A WebSocket request with a session's sid but transport=polling is no valid upgrade: it "
           "MUST NOT be accepted as the session's transport, and the session goes on; the server "
           "SHOULD answer 400 before 101 (engine.io's 101 and close is an allowed alternative).",
       .level = Level::must,
       .source = "engine.io 6.6 observed"},
      [](Context& c) {
        auto s = c.open_eio(Transport::websocket);
        const auto alt = no_session(c, ws_target(c, "EIO=4&transport=polling&sid=" + s->sid()),
                                    "upgrade request with transport=polling");
        s->send("4still");
        const auto p = c.expect_packet(*s, Ms(3000), "echo on the session");
        c.expect_eq("echo on the session", "4still", describe(p));
        report_alternative(c, "upgrade request with transport=polling", alt);
      });

  add(out,
      {.id = "eio/websocket/16",
       .title = "Polling requests on a WebSocket session are refused with code 3",
       .requirement = "A polling GET or POST with the sid of a session that runs on WebSocket MUST "
                      "get 400 (engine.io: {\"code\":3,\"message\":\"Bad request\"}, transport "
                      "mismatch), and the session MUST go on.",
       .level = Level::must,
       .source = kOfficial +
                 " (ignores HTTP requests with same sid after upgrade); engine.io 6.6 observed"},
      [](Context& c) {
        auto s = c.open_eio(Transport::websocket);
        const std::string query = "EIO=4&transport=polling&sid=" + s->sid();
        expect_error(c, get_eio(c, query), 400, 3, "polling GET");
        expect_error(c,
                     http(c, "POST", c.eio() + "?" + query, "4x",
                          {{"Content-Type", "text/plain;charset=UTF-8"}}),
                     400, 3, "polling POST");
        s->send("4still");
        const auto p = c.expect_packet(*s, Ms(3000), "echo on the session");
        c.expect_eq("echo on the session", "4still", describe(p));
      });

  add(out,
      {.id = "eio/websocket/17",
       .title = "A second WebSocket for a WebSocket session is closed",
       .requirement = "A client MUST NOT open two WebSocket connections for one session; should it "
                      "happen, the server MUST close the new one (promptly, without waiting for an "
                      "upgrade timeout) and the first MUST keep working.",
       .level = Level::must,
       .source = kTransport},
      [](Context& c) {
        auto s = c.open_eio(Transport::websocket);
        WebSocket second(c.loop());
        HttpResponse refused;
        if (second.connect(ws_target(c, "EIO=4&transport=websocket&sid=" + s->sid()), Ms(5000),
                           &refused)) {
          const auto first = second.next(c.prompt(*s));
          c.check(first.has_value() && first->kind == WsEvent::Kind::closed, "second WebSocket",
                  "closed by the server within " + std::to_string(c.prompt(*s).count()) + " ms",
                  "101, then " + describe_ws(first));
        } else {
          c.check(true, "second WebSocket", "refused or closed", "refused: " + shown(refused));
        }
        s->send("4first");
        const auto p = c.expect_packet(*s, Ms(3000), "echo on the first WebSocket");
        c.expect_eq("echo on the first WebSocket", "4first", describe(p));
      });

  add(out,
      {.id = "eio/websocket/18",
       .title = "A text frame that is not UTF-8 fails the connection with 1007",
       .requirement = "A text frame MUST be valid UTF-8: on 4\\xff\\xfe the server MUST fail the "
                      "WebSocket connection, with close code 1007 (invalid frame payload data); "
                      "another code is an allowed alternative.",
       .level = Level::must,
       .source = "RFC 6455, sections 5.6, 8.1 and 7.4.1",
       .transports = kWebSocket},
      [](Context& c) {
        auto s = c.open_eio();
        s->send("4\xff\xfe");
        const auto how = c.expect_closed(*s, c.prompt(*s), "after the invalid UTF-8");
        const int code = close_code_of(how);
        if (code != 1007) c.alternative("close code", "1007", how);
      });

  add(out,
      {.id = "eio/websocket/19",
       .title = "A client that answers pings keeps its session",
       .requirement =
           "While the client answers every ping, the server MUST keep the session: over three and "
           "a half ping intervals it sends at least three pings, never closes, and still echoes.",
       .level = Level::must,
       .source = "Engine.IO v4 specification, Heartbeat",
       .transports = kWebSocket,
       .timing = true},
      [](Context& c) {
        auto s = c.open_eio();
        const auto interval = s->ping_interval();
        const auto until = Clock::now() + interval * 3 + interval / 2 + c.tolerance();
        int pings = 0;
        while (Clock::now() < until) {
          const auto left = std::chrono::duration_cast<Ms>(until - Clock::now());
          const auto e = s->next(left, true);
          if (!e) break;
          c.check(e->kind == EioEvent::Kind::packet, "session", "open", "ended: " + e->how);
          if (e->packet.type == '2') ++pings;
        }
        c.check(pings >= 3, "pings", "at least 3", std::to_string(pings));
        s->send("4alive");
        const auto p = c.expect_packet(*s, Ms(3000), "echo after the pings");
        c.expect_eq("echo after the pings", "4alive", describe(p));
      });
}

}  // namespace conform::cases
