// eio/names: hostile names where an Engine.IO server looks something up by name: the transport on
// a handshake (1), on a session's GET and POST (2) and on WebSocket requests (3); the session id
// on GET and POST (4), empty (5) and on upgrade requests (6); the protocol version (7); and query
// keys named like object properties around the real ones (8). Every name is refused with its
// defined code or ignored, never resolved to something the server holds, and the sessions already
// open keep working.
#include <algorithm>
#include <functional>

#include "areas.hpp"
#include "common.hpp"
#include "raw.hpp"

namespace conform::cases {

namespace {

const std::string kErrors = "Engine.IO v4 specification; engine.io errors (PROTOCOL notes §1.6)";

// A name as sent in a query value (already percent-encoded where it must be) and as shown.
struct Name {
  std::string query;
  std::string shown;
};

// Names that a lookup in a JavaScript object, a map keyed by text, a path or a C string may
// resolve to something: property names, odd bytes, path steps, a NUL, a very long one.
std::vector<Name> hostile_names() {
  std::vector<Name> names;
  for (const std::string n :
       {"__proto__", "constructor", "toString", "hasOwnProperty", "prototype", "valueOf"})
    names.push_back({n, n});
  names.push_back({"%FF%FE", "bytes FF FE (not UTF-8)"});
  names.push_back({"%ED%A0%80", "a lone surrogate (bytes ED A0 80)"});
  names.push_back({"..%2F..%2F", "../../"});
  names.push_back({"%2F", "/"});
  names.push_back({"%00", "a NUL byte"});
  names.push_back({std::string(6000, 'n'), "6000 n's"});
  return names;
}

// Hostile names built on a real one: a server that trims, normalises a path, stops at a NUL or
// matches a prefix would find the real one.
std::vector<Name> lookalikes(const std::string& real, std::string_view what) {
  const std::string w(what);
  return {{real + "%00", w + " + NUL"},
          {real + "%00x", w + " + NUL + x"},
          {real + "%2F..", w + " + /.."},
          {"..%2F" + real, "../ + " + w},
          {".%2F" + real, "./ + " + w},
          {real + "+", w + " + space"},
          {"+" + real, "space + " + w},
          {real.substr(0, real.size() - 1), w + " less its last character"},
          {real + "x", w + " + x"}};
}

// Joins "name: answer" entries.
void note(std::string& list, const std::string& name, const std::string& answer) {
  list += (list.empty() ? "" : "; ") + name + ": " + answer;
}

std::string error_json(int status, int code) {
  return std::to_string(status) + " {\"code\":" + std::to_string(code) + ",\"message\":...}";
}

bool is_error(const HttpResponse& r, int status, int code) {
  return r.status == status && error_code_of(r) == code;
}

// A hostile request and whether its answer is the expected one.
struct Probe {
  std::string what;  // how the report names it
  HttpRequest request;
  std::function<bool(const HttpResponse&)> ok;
};

Probe get(std::string what, std::string target, int code) {
  return {std::move(what), {"GET", std::move(target), {}, {}}, [code](const HttpResponse& r) {
            return is_error(r, 400, code);
          }};
}

Probe post(std::string what, std::string target, int code) {
  return {std::move(what),
          {"POST", std::move(target), {{"Content-Type", "text/plain;charset=UTF-8"}}, "4stolen"},
          [code](const HttpResponse& r) { return is_error(r, 400, code); }};
}

// How many hostile requests a case has in flight at once: enough that a slow server answers them
// in a few rounds, few enough that a pong of the session the case keeps open never waits behind
// many of them.
constexpr std::size_t kInFlight = 6;

// Sends the probes a few at a time, each on a connection of its own. Returns "what: answer" for
// each answer that is not the expected one.
std::string send_probes(Context& c, const std::vector<Probe>& probes) {
  std::string wrong;
  for (std::size_t first = 0; first < probes.size(); first += kInFlight) {
    const auto last = std::min(first + kInFlight, probes.size());
    std::vector<Pending<HttpResponse>> pending;
    for (auto i = first; i < last; ++i)
      pending.push_back(c.loop().start_request(probes[i].request));
    for (auto i = first; i < last; ++i) {
      auto& p = pending[i - first];
      const auto r = p.wait(Ms(5000));
      if (!r) {
        note(wrong, probes[i].what,
             "no answer (" + p.error().value_or("none within 5000 ms") + ")");
      } else if (!probes[i].ok(*r)) {
        note(wrong, probes[i].what, shown(*r));
      }
    }
  }
  return wrong;
}

// What an upgrade request that the server must refuse got: "" for HTTP 400 before any 101. When
// it was answered 101, whether the WebSocket was closed (a close frame, or the connection ended)
// by `closing`.
std::string upgrade_outcome(RawConnection& raw, Clock::time_point closing, bool& closed) {
  const auto left = [](Clock::time_point t) {
    return std::max(Ms(0), std::chrono::duration_cast<Ms>(t - Clock::now()));
  };
  closed = false;
  std::string got = raw.read_until("\r\n\r\n", Ms(5000));
  const auto head = got.substr(0, got.find("\r\n"));
  if (head.starts_with("HTTP/1.1 400")) return "";
  if (!head.starts_with("HTTP/1.1 101"))
    return head.empty() ? "no answer within 5000 ms" : text::printable(head, {.max = 200});
  const auto end = got.find("\r\n\r\n");
  std::string frames = end == std::string::npos ? "" : got.substr(end + 4);
  auto close_frame = [&] {
    for (const auto& f : parse_frames(frames))
      if (f.opcode == 0x8) return true;
    return false;
  };
  bool ended = false;
  while (!ended && !close_frame() && Clock::now() < closing)
    frames += raw.read(left(closing), &ended);
  closed = ended || close_frame();
  return closed ? "101, then closed" : "101, and the WebSocket stays open";
}

// WebSocket upgrade requests that the server must refuse, a few at a time, each on a raw
// connection of its own. Refused with HTTP 400: nothing noted. Answered 101 and closed within
// `wait`: noted in `closed_after_101`; anything else: noted in `wrong`.
void refused_upgrades(Context& c, const std::vector<std::pair<std::string, std::string>>& targets,
                      Ms wait, std::string& wrong, std::string& closed_after_101) {
  RawPool pool;
  for (std::size_t first = 0; first < targets.size(); first += kInFlight) {
    const auto last = std::min(first + kInFlight, targets.size());
    std::vector<RawConnection*> raws;
    for (auto i = first; i < last; ++i) {
      auto& raw = pool.make(c);
      connect_raw(c, raw);
      raw.send(upgrade_request(c, targets[i].second));
      raws.push_back(&raw);
    }
    const auto closing = Clock::now() + wait;
    for (auto i = first; i < last; ++i) {
      bool closed = false;
      const auto got = upgrade_outcome(*raws[i - first], closing, closed);
      if (!got.empty()) note(closed ? closed_after_101 : wrong, targets[i].first, got);
    }
  }
}

// The answers were as expected, and the session ends the case as it was: still echoing, and a
// new handshake works.
void finish(Context& c, EioSession& session, const std::string& wrong, const std::string& expected,
            const std::string& alternatives = "") {
  c.check(wrong.empty(), "answers to the hostile names", expected,
          wrong.empty() ? "all as expected" : wrong);
  expect_alive(c, session);
  if (!alternatives.empty()) c.alternative("answers to the hostile names", expected, alternatives);
}

// The records of a polling GET on `url` that carry more than pings (pings answered on the way).
std::vector<std::string> poll_records(Context& c, const std::string& url) {
  for (int round = 0; round < 4; ++round) {
    const auto r = http(c, "GET", url);
    c.check(r.status == 200, "GET with hostile query keys", "200", shown(r));
    std::vector<std::string> records;
    bool pinged = false;
    for (auto& record : codec::split_payload(r.body)) {
      if (record == "2") {
        pinged = true;
      } else {
        records.push_back(std::move(record));
      }
    }
    if (pinged) http(c, "POST", url, "3", {{"Content-Type", "text/plain;charset=UTF-8"}});
    if (!records.empty()) return records;
  }
  return {};
}

}  // namespace

void add_eio_names(std::vector<Case>& out) {
  add(out,
      {.id = "eio/names/1",
       .title = "Hostile transport names on a handshake are refused with code 0",
       .requirement = "A handshake whose transport is not one the server offers (__proto__, "
                      "constructor, toString, hasOwnProperty, prototype, valueOf, the empty name, "
                      "bytes that are not UTF-8, path steps, a NUL after a real name, 6000 "
                      "characters) MUST get 400 {\"code\":0,\"message\":\"Transport unknown\"}, "
                      "and the server goes on serving every session.",
       .level = Level::must,
       .source = kErrors},
      [](Context& c) {
        auto session = c.open_eio(Transport::polling);
        auto names = hostile_names();
        names.push_back({"", "the empty name"});
        for (const std::string n : {"polling%00", "websocket%00", "polling%2F..", "..%2Fpolling",
                                    "POLLING", "polling+", "webtransport%00"})
          names.push_back({n, n});
        std::vector<Probe> probes;
        for (const auto& n : names)
          probes.push_back(get(n.shown, c.eio() + "?EIO=4&transport=" + n.query, 0));
        finish(c, *session, send_probes(c, probes), "each answered " + error_json(400, 0));
      });

  add(out,
      {.id = "eio/names/2",
       .title = "Hostile transport names on a session's requests are refused with code 0",
       .requirement = "A GET or POST that carries a live session's id but a transport the server "
                      "does not offer (__proto__, constructor, ..., a NUL after polling) MUST get "
                      "400 {\"code\":0,...}, and the session it names MUST go on as before.",
       .level = Level::must,
       .source = kErrors + " (the transport is checked first)"},
      [](Context& c) {
        auto session = c.open_eio(Transport::polling);
        auto names = hostile_names();
        names.push_back({"polling%00", "polling + NUL"});
        names.push_back({"polling%2F..", "polling/.."});
        std::vector<Probe> probes;
        for (const auto& n : names) {
          const auto target = c.eio() + "?EIO=4&transport=" + n.query + "&sid=" + session->sid();
          probes.push_back(get("GET " + n.shown, target, 0));
          probes.push_back(post("POST " + n.shown, target, 0));
        }
        finish(c, *session, send_probes(c, probes), "each answered " + error_json(400, 0));
      });

  add(out,
      {.id = "eio/names/3",
       .title = "Hostile transport names on WebSocket requests are refused before 101",
       .requirement = "A WebSocket upgrade request whose transport the server does not offer "
                      "(__proto__, constructor, toString, hasOwnProperty, prototype, valueOf, odd "
                      "bytes, path steps, websocket followed by a NUL, 6000 characters, the empty "
                      "name), as a new session and with a live session's id, MUST be refused with "
                      "HTTP 400 before any 101: no WebSocket opens, and the live session goes on "
                      "as before (engine.io 5.1 to 6.4.1 answered 101 to __proto__ and crashed).",
       .level = Level::must,
       .source = kErrors + " (the transport is checked before the upgrade); CVE-2023-31125"},
      [](Context& c) {
        auto session = c.open_eio(Transport::polling);
        auto names = hostile_names();
        names.push_back({"websocket%00", "websocket + NUL"});
        names.push_back({"websocket%2F..", "websocket/.."});
        names.push_back({"", "the empty name"});
        std::vector<std::pair<std::string, std::string>> targets;
        for (const auto& n : names) {
          const auto target = c.eio() + "?EIO=4&transport=" + n.query;
          targets.emplace_back(n.shown, target);
          targets.emplace_back(n.shown + " with the live sid", target + "&sid=" + session->sid());
        }
        std::string wrong;
        std::string closed;
        refused_upgrades(c, targets, c.prompt(*session), wrong, closed);
        if (!closed.empty()) note(wrong, "(a WebSocket opened)", closed);
        finish(c, *session, wrong, "each refused with HTTP 400 before any 101");
      });

  add(out,
      {.id = "eio/names/4",
       .title = "Hostile session ids are refused with code 1",
       .requirement = "A GET or POST whose sid names no session (__proto__, constructor, toString, "
                      "hasOwnProperty, prototype, valueOf, bytes that are not UTF-8, path steps, a "
                      "NUL, 6000 characters, and a live session's id with a NUL, a path step, a "
                      "space or a character added or taken away) MUST get 400 "
                      "{\"code\":1,\"message\":\"Session ID unknown\"}: never another session's "
                      "data, and that session goes on as before.",
       .level = Level::must,
       .source = kErrors},
      [](Context& c) {
        auto session = c.open_eio(Transport::polling);
        auto names = hostile_names();
        for (auto& n : lookalikes(session->sid(), "the live sid"))
          names.push_back(std::move(n));
        std::vector<Probe> probes;
        for (const auto& n : names) {
          const auto target = c.eio() + "?EIO=4&transport=polling&sid=" + n.query;
          probes.push_back(get("GET " + n.shown, target, 1));
          probes.push_back(post("POST " + n.shown, target, 1));
        }
        finish(c, *session, send_probes(c, probes), "each answered " + error_json(400, 1));
      });

  add(out,
      {.id = "eio/names/5",
       .title = "An empty session id reaches no session",
       .requirement = "A request whose sid is empty (sid= or a bare sid) MUST NOT reach any "
                      "session: it is refused with 400 {\"code\":1,...}, or read as no sid at all "
                      "(Node's engine.io: a GET is a new handshake with a new id, a POST gets "
                      "400 {\"code\":2,...}).",
       .level = Level::must,
       .source = kErrors + "; engine.io 6.6 observed (an empty sid counts as none)"},
      [](Context& c) {
        auto session = c.open_eio(Transport::polling);
        const auto live = session->sid();
        // A new session's open packet (an empty sid read as none), or the unknown-sid error.
        auto get_ok = [live](const HttpResponse& r) {
          const auto h = r.status == 200 && r.body.starts_with("0{")
                             ? codec::parse_handshake(std::string_view(r.body).substr(1))
                             : std::nullopt;
          return (h && !h->sid.empty() && h->sid != live) || is_error(r, 400, 1);
        };
        auto post_ok = [](const HttpResponse& r) {
          return is_error(r, 400, 1) || is_error(r, 400, 2);
        };
        std::vector<Probe> probes;
        for (const std::string sid : {"sid=", "sid"}) {
          const auto target = c.eio() + "?EIO=4&transport=polling&" + sid;
          probes.push_back({"GET with " + sid, {"GET", target, {}, {}}, get_ok});
          probes.push_back({"POST with " + sid,
                            {"POST", target, {{"Content-Type", "text/plain;charset=UTF-8"}}, "4x"},
                            post_ok});
        }
        finish(c, *session, send_probes(c, probes),
               "GET: " + error_json(400, 1) + " or an open packet with a new sid; POST: " +
                   error_json(400, 1) + " or " + error_json(400, 2));
      });

  add(out,
      {.id = "eio/names/6",
       .title = "Hostile session ids on an upgrade request are refused before 101",
       .requirement = "A WebSocket upgrade request whose sid names no session (property names, "
                      "odd bytes, path steps, a live session's id with a NUL or a character "
                      "added or taken away) MUST NOT open a WebSocket; it SHOULD be refused with "
                      "HTTP 400 before the 101 (accepting and closing at once is an alternative), "
                      "and the live session MUST go on as before.",
       .level = Level::must,
       .source = kErrors + "; engine.io 6.6 observed (E18)"},
      [](Context& c) {
        auto session = c.open_eio(Transport::polling);
        auto names = hostile_names();
        for (auto& n : lookalikes(session->sid(), "the live sid"))
          names.push_back(std::move(n));
        std::vector<std::pair<std::string, std::string>> targets;
        for (const auto& n : names)
          targets.emplace_back(n.shown, c.eio() + "?EIO=4&transport=websocket&sid=" + n.query);
        std::string wrong;
        std::string alternatives;
        refused_upgrades(c, targets, c.prompt(*session), wrong, alternatives);
        finish(c, *session, wrong, "each refused with HTTP 400 before any 101", alternatives);
      });

  add(out,
      {.id = "eio/names/7",
       .title = "Hostile protocol versions are refused with code 5",
       .requirement = "A handshake whose EIO value is not exactly 4 (__proto__, constructor, ..., "
                      "the empty value, 4 with a NUL, a space, a path step or a decimal point, "
                      "04, a full-width or Arabic-Indic digit four, 6000 digits) MUST get 400 "
                      "{\"code\":5,\"message\":\"Unsupported protocol version\"}.",
       .level = Level::must,
       .source = kErrors + " (EIO is compared as the text \"4\")"},
      [](Context& c) {
        auto session = c.open_eio(Transport::polling);
        auto names = hostile_names();
        names.back() = {std::string(6000, '4'), "6000 4's"};
        for (const auto& [query, what] : std::vector<std::pair<std::string, std::string>>{
                 {"", "the empty value"},
                 {"4%00", "4 + NUL"},
                 {"+4", "space + 4"},
                 {"4+", "4 + space"},
                 {"4%2F..", "4/.."},
                 {"4.0", "4.0"},
                 {"04", "04"},
                 {"%EF%BC%94", "full-width 4 (U+FF14)"},
                 {"%D9%A4", "Arabic-Indic 4 (U+0664)"}})
          names.push_back({query, what});
        std::vector<Probe> probes;
        for (const auto& n : names)
          probes.push_back(get(n.shown, c.eio() + "?EIO=" + n.query + "&transport=polling", 5));
        finish(c, *session, send_probes(c, probes), "each answered " + error_json(400, 5));
      });

  add(out,
      {.id = "eio/names/8",
       .title = "Query keys named like object properties are plain keys",
       .requirement = "Query keys other than EIO, transport and sid (__proto__, constructor, "
                      "toString, hasOwnProperty, valueOf, prototype, bracketed forms such as "
                      "__proto__[transport] and sid[], keys without a value, an empty key, "
                      "repeated keys) MUST NOT change the request: the handshake opens a session "
                      "on the transport the real key names, and that session's requests carrying "
                      "the same keys are served as the real sid says.",
       .level = Level::must,
       .source = "Engine.IO v4 specification, Transports (query parameters)",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto before = c.open_eio(Transport::polling);
        const std::string head =
            "__proto__=x&constructor=y&toString=z&hasOwnProperty=1&valueOf=2&prototype=3&";
        const std::string tail =
            "&__proto__%5Btransport%5D=websocket&constructor%5Bprototype%5D%5Bsid%5D=x"
            "&sid%5B%5D=abc&transport%5B%5D=polling&EIO%5B%5D=3&toString&hasOwnProperty&=x&&"
            "__proto__=again&__proto__";
        if (c.transport() == Transport::polling) {
          const auto r = get_eio(c, head + "EIO=4&transport=polling" + tail);
          c.check(r.status == 200 && r.body.starts_with("0{"), "handshake with hostile keys",
                  "200 0{...}", shown(r));
          const auto h = codec::parse_handshake(std::string_view(r.body).substr(1));
          c.check(h && !h->sid.empty() && !h->upgrades.empty(), "open packet",
                  "a polling session (upgrades offered)", r.body);
          const auto url = c.eio() + "?" + head + "EIO=4&transport=polling&sid=" + h->sid + tail;
          const auto post = http(c, "POST", url, "4hello", {{"Content-Type", "text/plain"}});
          c.check(post.status == 200, "POST with hostile keys", "200", shown(post));
          const auto records = poll_records(c, url);
          c.expect_eq("GET with hostile keys", "4hello",
                      records.empty() ? "(nothing)" : records.front());
        } else {
          WebSocket ws(c.loop());
          HttpResponse refused;
          c.check(ws.connect(c.eio() + "?" + head + "EIO=4&transport=websocket" + tail, Ms(5000),
                             &refused),
                  "WebSocket handshake with hostile keys", "101",
                  std::to_string(refused.status) + " " + refused.body);
          const auto first = ws.next(Ms(3000));
          const std::string open =
              first && first->kind == WsEvent::Kind::text ? first->data : "(no text frame)";
          const auto h = open.starts_with("0{")
                             ? codec::parse_handshake(std::string_view(open).substr(1))
                             : std::nullopt;
          c.check(h && !h->sid.empty() && h->upgrades.empty(), "open packet",
                  "a WebSocket session (no upgrades)", open);
          ws.send_text("4hello");
          std::string echo = "(nothing)";
          while (auto e = ws.next(Ms(3000))) {
            if (e->kind != WsEvent::Kind::text) break;
            if (e->data == "2") {
              ws.send_text("3");
              continue;
            }
            echo = e->data;
            break;
          }
          c.expect_eq("echo with hostile keys", "4hello", echo);
        }
        expect_alive(c, *before);
      });
}

}  // namespace conform::cases
