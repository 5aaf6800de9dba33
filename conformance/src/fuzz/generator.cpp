#include "siocheck/fuzz/generator.hpp"

#include <array>
#include <random>
#include <string>

#include "siocheck/codec/codec.hpp"

namespace conform::fuzz {

namespace {

Step make(Op op, int conn, std::string data = {}) {
  Step s;
  s.op = op;
  s.conn = conn;
  s.data = std::move(data);
  return s;
}

class Generator {
 public:
  Generator(std::uint64_t seed, std::uint64_t index)
      : rng_(seed * 0x9E3779B97F4A7C15ull ^
             (index + 0x632BE59BD9B4E019ull) * 0xBF58476D1CE4E5B9ull) {}

  std::vector<Step> sequence() {
    std::vector<Step> steps;
    const int conns = chance(0.7) ? 1 : chance(0.8) ? 2 : 3;
    conns_ = conns;
    for (int c = 0; c < conns; ++c) {
      auto open = make(Op::open, c);
      const int t = below(20);
      open.transport = t < 10   ? Transport::websocket
                       : t < 17 ? Transport::polling
                                : Transport::upgrade;
      state_[c].polling = open.transport == Transport::polling;
      if (chance(0.04)) open.path = Path::eio;
      if (chance(0.08)) open.query = chance(0.5) ? pick(kQueries) : hostile_query();
      steps.push_back(open);
      if (open.path == Path::sio && chance(0.85)) {
        state_[c].nsps.push_back("/");
        steps.push_back(text(c, "40" + (chance(0.2) ? std::string(R"({"token":"abc"})") : "")));
      }
    }
    const int actions = 1 + below(10);
    for (int i = 0; i < actions; ++i)
      action(below(conns), steps);
    if (chance(0.35)) mutate_one(steps);
    return steps;
  }

 private:
  struct ConnState {
    bool polling = false;
    std::vector<std::string> nsps;
  };

  static inline const std::vector<std::string> kQueries{
      "EIO=3", "transport=websocket", "sid=unknown", "b64=1", "EIO=5", "j=0", "x=%ZZ", "EIO="};
  static inline const std::vector<std::string> kNamespaces{"/",     "/custom", "/dyn-7",
                                                           "/auth", "/nope",   "/dyn-x"};
  static inline const std::vector<std::string> kNames{R"("message")",
                                                      R"("message-with-ack")",
                                                      R"("ctl:join")",
                                                      R"("ctl:leave")",
                                                      R"("ctl:rooms")",
                                                      R"("ctl:fence")",
                                                      R"("ctl:broadcast")",
                                                      R"("ctl:broadcast-with-ack")",
                                                      R"("ctl:emit-with-ack")",
                                                      R"("ctl:disconnect")",
                                                      R"("ctl:sockets")",
                                                      R"("ctl:last-disconnect")",
                                                      R"("")",
                                                      R"("connect")",
                                                      R"("disconnect")",
                                                      R"("x")",
                                                      R"("\u00fc\u2028")",
                                                      "42"};
  // Hostile names: those of JavaScript's Object.prototype (servers written in JavaScript have
  // looked names up in plain objects: CVE-2023-31125, GHSA-5v72-xg48-5rpm, CVE-2023-32695), the
  // empty name, a very long one, and names that are not UTF-8.
  static inline const std::string kLongName = std::string(2000, 'n');
  // In a URL: not UTF-8 percent-encoded (a lone byte, an overlong '/', a UTF-16 surrogate).
  static inline const std::vector<std::string> kUrlNames{
      "__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "",
      kLongName,   "%FF%FE",      "%C0%AF",   "%ED%A0%80",      "%00"};
  // In JSON (event and room names): a lone surrogate escape is valid JSON but no Unicode.
  static inline const std::vector<std::string> kJsonNames{
      R"("__proto__")", R"("constructor")",      R"("toString")", R"("hasOwnProperty")",
      R"("")",          "\"" + kLongName + "\"", R"("\ud800")",   R"("\udc00x\ud800")"};
  // Event names: those, "error" (Node's EventEmitter throws on an unhandled one: CVE-2024-38355)
  // and names that are no strings (CVE-2023-32695).
  static inline const std::vector<std::string> kHostileEvents = [] {
    auto out = kJsonNames;
    for (const char* name : {R"("error")", R"({"toString":"foo"})", "null", R"(["message"])"})
      out.emplace_back(name);
    return out;
  }();
  static inline const std::vector<std::string> kHostileNamespaces{
      "/__proto__",      "/constructor",   "/toString",
      "/hasOwnProperty", "/dyn-__proto__", "/dyn-constructor",
      "/" + kLongName,   "/\xff\xfe",      ""};

  static inline const std::vector<std::string> kEngine{"2",      "3", "6", "1",  "5", "2probe",
                                                       "3probe", "",  "7", "8x", "4"};

  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(below(static_cast<int>(v.size())))];
  }
  static Step text(int c, std::string data) { return make(Op::text, c, std::move(data)); }

  // A query parameter with a hostile name or value: "transport=__proto__", "toString=1", ...
  std::string hostile_query() {
    static const std::vector<std::string> keys{"transport", "sid", "EIO", "j", "b64"};
    // One draw a statement: the order in which operands are evaluated is the compiler's.
    const bool known = chance(0.6);
    const auto key = known ? pick(keys) : pick(kUrlNames);
    const auto value = known || chance(0.5) ? pick(kUrlNames) : std::string("1");
    return key + "=" + value;
  }

  std::string json_string() {
    static const std::vector<std::string> strings{
        R"("")",   R"("a")",     R"("hello world")", R"("\u00e9\u4e2d")", R"("\ud83d\ude00")",
        R"("\"")", R"("\\")",    R"("\u0000")",      R"("\n\t")",         R"("_placeholder")",
        R"("r1")", R"("\u2028")"};
    return pick(strings);
  }

  std::string json_value(int depth) {
    switch (below(depth > 1 ? 6 : 9)) {
      case 0:
        return "null";
      case 1:
        return chance(0.5) ? "true" : "false";
      case 2: {
        static const std::vector<std::string> numbers{
            "0", "1", "-1", "1.5", "1e3", "-0", "9007199254740993", "123456789"};
        return pick(numbers);
      }
      case 3:
      case 4:
      case 5:
        return json_string();
      case 6:
      case 7: {
        std::string out = "[";
        const int n = below(4);
        for (int i = 0; i < n; ++i)
          out += (i ? "," : "") + json_value(depth + 1);
        return out + "]";
      }
      default: {
        std::string out = "{";
        const int n = below(3);
        for (int i = 0; i < n; ++i)
          out += (i ? "," : "") + json_string() + ":" + json_value(depth + 1);
        return out + "}";
      }
    }
  }

  std::string ctl_args(const std::string& name) {
    if (chance(0.2)) return json_value(1);
    const std::string room = chance(0.15) ? pick(kJsonNames) : R"("r1")";
    const std::string rooms = chance(0.5) ? "[" + room + "]" : "[" + room + R"(,"r2"])";
    if (name == R"("ctl:join")" || name == R"("ctl:leave")") return chance(0.5) ? room : rooms;
    if (name == R"("ctl:broadcast")" || name == R"("ctl:broadcast-with-ack")") {
      std::string out = R"({"event":"news","args":[)" + json_value(1) + "]";
      if (chance(0.6)) out += R"(,"to":)" + rooms;
      if (chance(0.3)) out += R"(,"except":["r2"])";
      if (chance(0.3)) out += R"(,"includeSelf":true)";
      if (chance(0.2)) out += R"(,"volatile":true)";
      if (name == R"("ctl:broadcast-with-ack")") out += R"(,"timeoutMs":20)";
      return out + "}";
    }
    if (name == R"("ctl:emit-with-ack")") return R"({"event":"q","args":[1],"timeoutMs":20})";
    if (name == R"("ctl:disconnect")")
      return chance(0.5) ? R"({"close":false})" : R"({"close":true})";
    if (name == R"("ctl:sockets")") return chance(0.5) ? "{}" : R"({"room":"r1"})";
    if (name == R"("ctl:last-disconnect")") return R"({"sid":"x"})";
    return "";
  }

  std::string nsp_of(int c) {
    const auto& nsps = state_[c].nsps;
    if (!nsps.empty() && chance(0.85)) return pick(nsps);
    return pick(kNamespaces);
  }
  std::string any_namespace() {
    return chance(0.12) ? pick(kHostileNamespaces) : pick(kNamespaces);
  }
  static std::string prefix(const std::string& nsp) { return nsp == "/" ? "" : nsp + ","; }
  std::string ack_id() {
    // Random ids, so an ack with the wrong id is unlikely to name another request.
    return std::to_string(std::uniform_int_distribution<std::uint32_t>(0, 999'999)(rng_));
  }

  std::string event_packet(int c) {
    const auto name = chance(0.1) ? pick(kHostileEvents) : pick(kNames);
    std::string args = "[" + name;
    if (name.starts_with("\"ctl:")) {
      const auto a = ctl_args(name);
      if (!a.empty()) args += "," + a;
    } else {
      const int n = below(4);
      for (int i = 0; i < n; ++i)
        args += "," + json_value(1);
    }
    args += "]";
    const bool with_ack =
        chance(name.starts_with("\"ctl:") || name == R"("message-with-ack")" ? 0.8 : 0.3);
    return "42" + prefix(nsp_of(c)) + (with_ack ? ack_id() : "") + args;
  }

  void binary_event(int c, std::vector<Step>& steps) {
    const int count = 1 + below(3);
    std::string args = chance(0.7) ? R"(["message-with-ack")" : R"(["message")";
    for (int i = 0; i < count; ++i) {
      const std::string placeholder = R"({"_placeholder":true,"num":)" + std::to_string(i) + "}";
      args += "," + (chance(0.3)   ? "[" + placeholder + "]"
                     : chance(0.2) ? R"({"k":)" + placeholder + "}"
                                   : placeholder);
    }
    args += "]";
    int declared = count;
    if (chance(0.1)) declared = count + (chance(0.5) ? 1 : -1);
    const bool ack = chance(0.7);
    steps.push_back(text(c, "45" + std::to_string(declared) + "-" + prefix(nsp_of(c)) +
                                (ack ? ack_id() : "") + args));
    for (int i = 0; i < count; ++i) {
      if (chance(0.04)) steps.push_back(text(c, event_packet(c)));  // interleaved text
      if (chance(0.04)) continue;                                   // a missing attachment
      std::string bytes;
      const int n = below(12);
      for (int k = 0; k < n; ++k)
        bytes += static_cast<char>(below(256));
      steps.push_back(make(Op::binary, c, bytes));
    }
  }

  std::string sio_packet(int c) {
    switch (below(6)) {
      case 0:
        return "40" + prefix(any_namespace()) + (chance(0.3) ? json_value(1) : "");
      case 1:
        return "41" + prefix(nsp_of(c));
      case 2:
        return "43" + prefix(nsp_of(c)) + ack_id() + "[" + json_value(1) + "]";
      default:
        return event_packet(c);
    }
  }

  void action(int c, std::vector<Step>& steps) {
    if (chance(0.06)) return raw_action(c, steps);
    const int roll = below(100);
    if (roll < 32) {
      steps.push_back(text(c, event_packet(c)));
    } else if (roll < 44) {
      binary_event(c, steps);
    } else if (roll < 48) {
      steps.push_back(text(c, "43" + prefix(nsp_of(c)) + ack_id() + "[" + json_value(1) + "]"));
    } else if (roll < 56) {
      const auto nsp = any_namespace();
      state_[c].nsps.push_back(nsp);
      const std::string auth = nsp == "/auth"
                                   ? (chance(0.5) ? R"({"token":"secret"})" : R"({"token":"bad"})")
                               : chance(0.3) ? json_value(1)
                                             : "";
      steps.push_back(text(c, "40" + prefix(nsp) + auth));
    } else if (roll < 60) {
      steps.push_back(text(c, "41" + prefix(nsp_of(c))));
    } else if (roll < 66) {
      steps.push_back(text(c, pick(kEngine)));
    } else if (roll < 72) {
      auto batch = make(Op::batch, c);
      const int n = 2 + below(4);
      for (int i = 0; i < n; ++i)
        batch.packets.push_back(chance(0.8) ? "4" + sio_packet(c).substr(1) : pick(kEngine));
      steps.push_back(batch);
    } else if (roll < 78) {
      std::vector<std::string> records;
      const int n = 1 + below(4);
      for (int i = 0; i < n; ++i)
        records.push_back(chance(0.8) ? sio_packet(c) : pick(kEngine));
      std::string body = codec::join_payload(records);
      switch (below(8)) {
        case 0:
          body += '\x1e';
          break;
        case 1:
          body = '\x1e' + body;
          break;
        case 2:
          body += "\x1e\x1e" + sio_packet(c);
          break;
        case 3:
          body +=
              "\x1e"
              "b" +
              std::string(chance(0.5) ? "AQID" : "!!!");
          break;
        case 4:
          body.clear();
          break;
        default:
          break;
      }
      steps.push_back(make(Op::post, c, body));
    } else if (roll < 81) {
      steps.push_back(make(Op::get, c));
    } else if (roll < 87) {
      static const std::vector<std::string> methods{"GET", "POST", "PUT", "OPTIONS", "HEAD"};
      static const std::vector<std::string> queries{
          "EIO=4&transport=polling&sid=${sid}",
          "EIO=4&transport=websocket&sid=${sid}",
          "EIO=3&transport=polling&sid=${sid}",
          "EIO=4&transport=polling&sid=nosuchsid",
          "transport=polling&sid=${sid}",
          "EIO=4&transport=carrier&sid=${sid}",
          "EIO=4&transport=polling",
          "EIO=4&sid=${sid}",
          "EIO=4&transport=polling&transport=websocket&sid=${sid}"};
      auto request = make(Op::request, c);
      request.method = pick(methods);
      auto query = pick(queries);
      if (chance(0.25)) query += "&" + hostile_query();  // the last of a repeated key counts
      if (const auto at = query.find("${sid}"); at != std::string::npos)
        query.replace(at, 6, "${sid" + std::to_string(c) + "}");
      request.target = "/socket.io/?" + query;
      if (request.method == "POST") request.data = codec::join_payload({sio_packet(c)});
      steps.push_back(request);
    } else if (roll < 91) {
      if (state_[c].polling) {
        steps.push_back(make(Op::upgrade, c));
        state_[c].polling = false;
      } else {
        steps.push_back(text(c, event_packet(c)));
      }
    } else if (roll < 92 && chance(0.3)) {
      // Past maxPayload (1,000,000 bytes in the fixture contract).
      steps.push_back(text(c, R"(42["message",")" + std::string(1'000'010, 'a') + "\"]"));
    } else if (roll < 96) {
      steps.push_back(make(Op::close, c));
    } else {
      steps.push_back(make(Op::drop, c));
    }
  }

  // ---- raw connections: bytes that arrive together, requests cut in two, resets ---------------

  static std::string request_head(const std::string& method, const std::string& target,
                                  const std::string& extra = "") {
    return method + " " + target + " HTTP/1.1\r\nHost: ${host}\r\n" + extra + "\r\n";
  }
  static std::string with_body(const std::string& method, const std::string& target,
                               const std::string& body) {
    return request_head(method, target,
                        "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\n") +
           body;
  }
  // A WebSocket upgrade request; `extra` header lines come before the upgrade's own.
  static std::string upgrade_head(const std::string& target, const std::string& extra = "") {
    return request_head("GET", target,
                        extra +
                            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                            "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
  }

  // The sid of one of the sequence's sessions (${sid0}..), or of a fresh one (${new}).
  std::string session_ref() {
    return chance(0.8) ? "${sid" + std::to_string(below(conns_)) + "}" : "${new}";
  }
  // A connection that polls, to name in a POST (any connection when none does).
  int polling_conn() {
    std::vector<int> polling;
    for (int c = 0; c < conns_; ++c)
      if (state_[c].polling) polling.push_back(c);
    return polling.empty()
               ? below(conns_)
               : polling[static_cast<std::size_t>(below(static_cast<int>(polling.size())))];
  }
  // A polling body of one to three packets for connection `c`'s session.
  std::string post_body(int c) {
    std::vector<std::string> records;
    const int n = 1 + below(3);
    for (int i = 0; i < n; ++i)
      records.push_back(chance(0.85) ? sio_packet(c) : pick(kEngine));
    return codec::join_payload(records);
  }

  // The query of an upgrade request: mostly a proper one, sometimes without EIO=4, with another
  // transport or a hostile name.
  std::string upgrade_query(const std::string& sid) {
    std::vector<std::string> parts;
    // Three upgrades in ten lack EIO=4, and half of those that name a session: such an upgrade is a
    // path of its own (engine.io 6.6.0 to 6.6.9 took it).
    if (!chance(sid.empty() ? 0.3 : 0.5)) {
      parts.emplace_back("EIO=4");
    } else if (chance(0.67)) {
      static const std::vector<std::string> versions{"EIO=3", "EIO=5", "EIO=", "EIO=4x"};
      parts.push_back(chance(0.7) ? pick(versions) : "EIO=" + pick(kUrlNames));
    }  // else none
    static const std::vector<std::string> other{"polling", "websocket%00", "WEBSOCKET"};
    parts.push_back("transport=" + (chance(0.85)  ? std::string("websocket")
                                    : chance(0.3) ? pick(other)
                                                  : pick(kUrlNames)));
    if (!sid.empty()) parts.push_back("sid=" + sid);
    if (chance(0.1)) parts.push_back(hostile_query());
    if (chance(0.2)) std::swap(parts.front(), parts.back());
    std::string out;
    for (const auto& p : parts)
      out += (out.empty() ? "" : "&") + p;
    return out;
  }

  // Header lines an upgrade request may carry besides its own: prototype names in the
  // extension offer (GHSA-5v72-xg48-5rpm) or the subprotocols, an Origin, and now and then 2100
  // header lines before Upgrade (Node keeps 2000: CVE-2024-37890).
  std::string upgrade_extras() {
    std::string extra;
    if (chance(0.06)) {
      static const std::vector<std::string> offers{"constructor",
                                                   "__proto__",
                                                   "toString, hasOwnProperty",
                                                   "permessage-deflate; constructor=1",
                                                   "permessage-deflate; __proto__",
                                                   "x; valueOf=1, permessage-deflate"};
      extra += "Sec-WebSocket-Extensions: " + pick(offers) + "\r\n";
    }
    if (chance(0.04)) {
      static const std::vector<std::string> protocols{"__proto__", "constructor, toString", "",
                                                      "a, , b", "b" + std::string(300, ' ') + "x"};
      extra += "Sec-WebSocket-Protocol: " + pick(protocols) + "\r\n";
    }
    if (chance(0.03)) extra += "Origin: http://" + pick(kUrlNames) + ".example\r\n";
    if (chance(0.015)) {
      std::string filler;
      for (int i = 0; i < 2100; ++i)
        filler += "a:0\r\n";
      extra = filler + extra;
    }
    return extra;
  }

  // A frame a server must refuse: reserved bits, a reserved opcode, no mask, a control frame
  // fragmented or past 125 bytes, a continuation of nothing, a text frame that is not UTF-8, a
  // close frame with a code that must not be sent or a cut code.
  Frame bad_frame() {
    switch (below(11)) {
      case 0:
        return {0xc1, "4x"};  // RSV1 without permessage-deflate
      case 1:
        return {0xa1, "4x"};  // RSV2
      case 2:
        return {0x91, "4x"};  // RSV3
      case 3:
        return {0x81, chance(0.5) ? "2probe" : "40", false};  // no mask
      case 4:
        return {0x83, "x"};  // a reserved data opcode
      case 5:
        return {0x8b, ""};  // a reserved control opcode
      case 6:
        return {0x09, "p"};  // a ping that is not final
      case 7:
        return {0x89, std::string(126, 'p')};  // a ping past 125 bytes
      case 8:
        return {0x80, "x"};  // a continuation with nothing to continue
      case 9: {
        static const std::vector<std::string> codes{"\x03\xed", "\x03", std::string(2, '\0'),
                                                    "\x03\xe8\xff\xfe"};
        return {0x88, pick(codes)};  // close: 1005 (must not be sent), a cut code, 0, bad UTF-8
      }
      default:
        return {0x81, "4\xff\xfe"};  // text that is not UTF-8
    }
  }

  // A valid frame: Engine.IO packets as text frames, a binary frame, a ping, a pong, a close.
  Frame good_frame(int c) {
    switch (below(9)) {
      case 0:
        return {0x81, "40"};
      case 1:
      case 2:
        return {0x81, "4" + event_packet(c).substr(1)};
      case 3:
        return {0x81, pick(kEngine)};
      case 4:
        return {0x82, "\x01\x02\x03"};
      case 5:
        return {0x89, "hi"};
      case 6:
        return {0x8a, ""};
      case 7:
        return {0x88, chance(0.5) ? std::string("\x03\xe8") : std::string()};  // close: 1000, none
      default:
        return {0x81, "2probe"};
    }
  }

  // An upgrade request and its first frames in one write (CVE-2022-21676 wrote invalid ones):
  // for a new WebSocket session, or the upgrade of a session with "2probe" and "5" (valid or
  // invalid frames among them); rarely a message of 16 500 fragments (CVE-2026-48779).
  Step coalesced_upgrade(int c) {
    auto s = make(Op::raw, 0);
    if (chance(0.03)) {
      // A new session's first message in 16 500 fragments, more than a server should keep apart.
      s.data = upgrade_head("/socket.io/?EIO=4&transport=websocket");
      s.frames = {{0x01, "4"}, {0x00, "x", true, 16'500}, {0x80, "x"}};
      return s;
    }
    const int kind = below(10);
    std::string sid;
    if (kind < 4) {
      // A fresh session polls no more: its upgrade goes through (a session of the sequence may be
      // on WebSocket already).
      sid = chance(0.5) ? "${new}" : session_ref();
    } else if (kind == 4) {
      sid = pick(kUrlNames);
    }
    const int path = below(30);
    const std::string target = path < 27 ? "/socket.io/" : path < 29 ? "/engine.io/" : "/";
    const auto query = upgrade_query(sid);
    s.data = upgrade_head(target + "?" + query, upgrade_extras());
    if (kind < 4) {
      if (chance(0.9)) s.frames.push_back({0x81, "2probe"});
      if (chance(0.6)) s.frames.push_back({0x81, "5"});
    }
    const int more = kind < 4 ? below(3) : 1 + below(3);
    for (int i = 0; i < more; ++i)
      s.frames.push_back(good_frame(c));
    if (chance(0.35)) {
      const auto at = s.frames.begin() + below(static_cast<int>(s.frames.size()) + 1);
      s.frames.insert(at, bad_frame());
    }
    std::size_t size = s.data.size();
    for (const auto& f : s.frames)
      size += frame_bytes(f).size();
    if (chance(0.1)) s.split = 1 + static_cast<std::size_t>(below(static_cast<int>(size) - 1));
    const int end = below(100);
    s.end = end < 75 ? End::read : end < 87 ? End::reset : End::reset_after_answer;
    return s;
  }

  // Two or three HTTP/1.1 requests in one write on one connection: handshakes, POSTs and GETs on
  // a session, a GET with a body, a refused request; an upgrade request, with frames, ends it.
  Step pipeline(int c) {
    auto s = make(Op::raw, 0);
    if (chance(0.25)) {
      // A fresh session's CONNECT and the GET that carries its answer.
      s.data = with_body("POST", "/socket.io/?EIO=4&transport=polling&sid=${new}",
                         codec::join_payload({"40", sio_packet(c)})) +
               request_head("GET", "/socket.io/?EIO=4&transport=polling&sid=${new}");
      return s;
    }
    const int n = 2 + below(2);
    for (int i = 0; i < n; ++i) {
      switch (below(8)) {
        case 0:
        case 1:
          s.data += request_head("GET", "/socket.io/?EIO=4&transport=polling");
          break;
        case 2:
        case 3: {
          const int k = polling_conn();
          s.data += with_body(
              "POST", "/socket.io/?EIO=4&transport=polling&sid=${sid" + std::to_string(k) + "}",
              post_body(k));
          break;
        }
        case 4:
          s.data += request_head("GET", "/socket.io/?EIO=4&transport=polling&sid=" + session_ref());
          break;
        case 5:
          s.data += request_head("GET", "/socket.io/?EIO=4&transport=polling&" + hostile_query());
          break;
        case 6:
          s.data += with_body("GET", "/socket.io/?EIO=4&transport=polling", "x=1");
          break;
        default:
          s.data += upgrade_head("/socket.io/?" + upgrade_query(chance(0.5) ? session_ref() : ""));
          if (chance(0.5)) s.frames.push_back(good_frame(c));
          return s;
      }
    }
    return s;
  }

  // A POST of a session's packets written in two parts, cut at a drawn byte (mostly in the body).
  Step split_post() {
    auto s = make(Op::raw, 0);
    const int c = polling_conn();
    const auto body = post_body(c);
    s.data = with_body(
        "POST", "/socket.io/?EIO=4&transport=polling&sid=${sid" + std::to_string(c) + "}", body);
    const auto body_at = s.data.size() - body.size();
    s.split = chance(0.75)
                  ? body_at + static_cast<std::size_t>(below(static_cast<int>(body.size())))
                  : 1 + static_cast<std::size_t>(below(static_cast<int>(s.data.size()) - 1));
    return s;
  }

  // A connection that vanishes (a TCP reset) at one stage: inside the request line, after a whole
  // request before its answer, an upgrade before or after its 101 (on our path or another: the
  // h2c upgrade to / of CVE-2022-41940, whose crash came a second later, hence the pause), a held
  // long-poll, a POST inside its body, a WebSocket after its first frames.
  void reset_step(int c, std::vector<Step>& steps) {
    auto s = make(Op::raw, 0);
    s.end = End::reset;
    bool foreign = false;
    switch (below(7)) {
      case 0: {
        const auto whole = request_head("GET", "/socket.io/?EIO=4&transport=polling");
        s.data = whole.substr(
            0, 1 + static_cast<std::size_t>(below(static_cast<int>(whole.size()) - 1)));
        break;
      }
      case 1: {
        const int k = polling_conn();
        const std::vector<std::string> requests{
            request_head("GET", "/socket.io/?EIO=4&transport=polling"),
            with_body("POST",
                      "/socket.io/?EIO=4&transport=polling&sid=${sid" + std::to_string(k) + "}",
                      post_body(k)),
            request_head("GET", "/socket.io/?EIO=3&transport=polling"),
            request_head("GET", "/nope/")};
        s.data = pick(requests);
        break;
      }
      case 2:
        s.data = upgrade_head("/socket.io/?" + upgrade_query(chance(0.5) ? session_ref() : ""));
        s.end = chance(0.5) ? End::reset : End::reset_after_answer;
        break;
      case 3: {
        static const std::vector<std::string> paths{"/", "/other", "/socket.io", "/engine.io/x"};
        static const std::vector<std::string> upgrades{
            "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: "
            "AAMAAABkAARAAAAAAAIAAAAA\r\n",
            "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: "
            "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"};
        const auto& path = pick(paths);
        s.data = request_head("GET", path, pick(upgrades));
        s.end = chance(0.3) ? End::reset : End::reset_after_answer;
        foreign = true;
        break;
      }
      case 4:
        s.data = request_head("GET", "/socket.io/?EIO=4&transport=polling&sid=${new}");
        s.end = End::reset_after_answer;  // no answer comes: it is held
        break;
      case 5: {
        const int k = polling_conn();
        const auto body = post_body(k) + "xx";
        const auto whole =
            with_body("POST",
                      "/socket.io/?EIO=4&transport=polling&sid=" +
                          (chance(0.7) ? "${sid" + std::to_string(k) + "}" : std::string("${new}")),
                      body);
        s.data =
            whole.substr(0, whole.size() - 1 -
                                static_cast<std::size_t>(below(static_cast<int>(body.size()) - 1)));
        s.end = chance(0.5) ? End::reset : End::reset_after_answer;
        break;
      }
      default:
        s = coalesced_upgrade(c);
        s.end = End::reset;
        break;
    }
    steps.push_back(std::move(s));
    if (foreign ? chance(0.5) : chance(0.05))
      steps.push_back(pause_step(foreign ? 1100 : 20 + below(200)));
  }

  static Step pause_step(int ms) {
    auto s = make(Op::pause, 0);
    s.ms = ms;
    return s;
  }

  void raw_action(int c, std::vector<Step>& steps) {
    const int roll = below(100);
    if (roll < 35) {
      steps.push_back(coalesced_upgrade(c));
    } else if (roll < 55) {
      steps.push_back(pipeline(c));
    } else if (roll < 70) {
      steps.push_back(split_post());
    } else {
      reset_step(c, steps);
    }
  }

  // One byte-level change to one step that carries bytes.
  void mutate_one(std::vector<Step>& steps) {
    std::vector<std::string*> targets;
    for (auto& s : steps) {
      if ((s.op == Op::text || s.op == Op::post) && s.data.size() < 10'000)
        targets.push_back(&s.data);
      for (auto& p : s.packets)
        targets.push_back(&p);
    }
    if (targets.empty()) return;
    std::string& d = *pick(targets);
    static const std::vector<std::string> tokens{"\"",
                                                 "[",
                                                 "]",
                                                 "{",
                                                 "}",
                                                 ",",
                                                 "/",
                                                 "-",
                                                 "0",
                                                 "9",
                                                 "\x1e",
                                                 "\xff",
                                                 std::string(1, '\0'),
                                                 "\\ud800",
                                                 "_placeholder",
                                                 "\xc3",
                                                 "4",
                                                 " "};
    const auto at = d.empty() ? 0 : static_cast<std::size_t>(below(static_cast<int>(d.size()) + 1));
    switch (below(6)) {
      case 0:
        if (!d.empty() && at < d.size()) d[at] = static_cast<char>(below(256));
        break;
      case 1:
        d.insert(at, pick(tokens));
        break;
      case 2:
        if (at < d.size()) d.erase(at, 1 + below(3));
        break;
      case 3:
        d.resize(at);
        break;
      case 4:
        d.insert(at, d.substr(at, 4));
        break;
      default:
        d.insert(at, std::string(1, static_cast<char>(below(256))));
        break;
    }
  }

  std::mt19937_64 rng_;
  int conns_ = 1;
  std::array<ConnState, kMaxConns> state_;
};

}  // namespace

std::vector<Step> generate(std::uint64_t seed, std::uint64_t index) {
  return Generator(seed, index).sequence();
}

}  // namespace conform::fuzz
