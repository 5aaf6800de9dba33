#include "fuzz.hpp"

#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <shared_mutex>
#include <sstream>
#include <thread>

#include "../conformance/src/codec.hpp"
#include "../conformance/src/session.hpp"
#include "../conformance/src/text.hpp"
#include "sio/wire/json.hpp"

namespace siocheck {

namespace {

using conform::Ms;
using Json = nlohmann::ordered_json;
namespace codec = conform::codec;
namespace fs = std::filesystem;
using sio::wire::json::valid_utf8;

constexpr int kMaxConns = 3;

// ---- steps
// ---------------------------------------------------------------------------------------

// One thing a sequence does. Connections are numbered in the order the sequence opens them.
struct Step {
  std::string op;  // open text binary batch post get request upgrade close drop
  int conn = 0;
  std::string transport;             // open: websocket, polling or upgrade
  std::string path = "sio";          // open: "sio" (the Socket.IO path) or "eio" (Engine.IO)
  std::string query;                 // open: added to the handshake's query string
  std::string method;                // request
  std::string target;                // request: path and query, ${sid0}... for the sessions
  std::string data;                  // text, binary, post and request bodies
  std::vector<std::string> packets;  // batch
};

Step make(std::string op, int conn, std::string data = {}) {
  Step s;
  s.op = std::move(op);
  s.conn = conn;
  s.data = std::move(data);
  return s;
}

// Bytes in a finding file: a JSON string when they are UTF-8, {"base64": ...} otherwise.
Json bytes_json(const std::string& bytes) {
  if (valid_utf8(bytes)) return bytes;
  return Json{{"base64", codec::base64_encode(bytes)}};
}

bool bytes_from(const Json& j, std::string& out) {
  if (j.is_string()) {
    out = j.get<std::string>();
    return true;
  }
  if (j.is_object() && j.contains("base64") && j["base64"].is_string()) {
    auto decoded = codec::base64_decode(j["base64"].get<std::string>());
    if (!decoded) return false;
    out = std::move(*decoded);
    return true;
  }
  return false;
}

Json step_json(const Step& s) {
  Json j{{"op", s.op}};
  if (s.op != "request") j["conn"] = s.conn;
  if (s.op == "open") {
    j["transport"] = s.transport;
    if (s.path != "sio") j["path"] = s.path;
    if (!s.query.empty()) j["query"] = bytes_json(s.query);
  } else if (s.op == "request") {
    j["method"] = s.method;
    j["target"] = bytes_json(s.target);
    if (!s.data.empty()) j["body"] = bytes_json(s.data);
  } else if (s.op == "batch") {
    auto packets = Json::array();
    for (const auto& p : s.packets)
      packets.push_back(bytes_json(p));
    j["packets"] = std::move(packets);
  } else if (s.op == "text" || s.op == "binary" || s.op == "post") {
    j["data"] = bytes_json(s.data);
  }
  return j;
}

const std::set<std::string>& known_ops() {
  static const std::set<std::string> ops{"open", "text",    "binary",  "batch", "post",
                                         "get",  "request", "upgrade", "close", "drop"};
  return ops;
}

bool step_from(const Json& j, Step& s, std::string& error) {
  if (!j.is_object() || !j.contains("op") || !j["op"].is_string()) {
    error = "a step is not an object with an \"op\"";
    return false;
  }
  s.op = j["op"].get<std::string>();
  if (!known_ops().contains(s.op)) {
    error = "unknown op \"" + s.op + "\"";
    return false;
  }
  if (j.contains("conn")) {
    if (!j["conn"].is_number_integer() || j["conn"].get<int>() < 0 ||
        j["conn"].get<int>() >= kMaxConns) {
      error = "\"conn\" must be 0.." + std::to_string(kMaxConns - 1);
      return false;
    }
    s.conn = j["conn"].get<int>();
  }
  auto text = [&](const char* key, std::string& out, bool required) {
    if (!j.contains(key)) {
      if (required) error = "op \"" + s.op + "\" needs \"" + key + "\"";
      return !required;
    }
    if (!bytes_from(j[key], out)) {
      error = std::string("\"") + key + "\" is neither a string nor {\"base64\": ...}";
      return false;
    }
    return true;
  };
  if (s.op == "open") {
    if (!text("transport", s.transport, true) || !text("query", s.query, false)) return false;
    if (s.transport != "websocket" && s.transport != "polling" && s.transport != "upgrade") {
      error = "\"transport\" must be websocket, polling or upgrade";
      return false;
    }
    if (j.contains("path") && !text("path", s.path, false)) return false;
    if (s.path != "sio" && s.path != "eio") {
      error = "\"path\" must be sio or eio";
      return false;
    }
    return true;
  }
  if (s.op == "request")
    return text("method", s.method, true) && text("target", s.target, true) &&
           text("body", s.data, false);
  if (s.op == "batch") {
    if (!j.contains("packets") || !j["packets"].is_array()) {
      error = "op \"batch\" needs \"packets\", an array";
      return false;
    }
    for (const auto& p : j["packets"]) {
      std::string packet;
      if (!bytes_from(p, packet)) {
        error = "a packet of \"batch\" is neither a string nor {\"base64\": ...}";
        return false;
      }
      s.packets.push_back(std::move(packet));
    }
    return true;
  }
  if (s.op == "text" || s.op == "binary" || s.op == "post") return text("data", s.data, true);
  return true;
}

// Bytes for a terminal: control bytes, and bytes that are not UTF-8, as \xNN.
std::string printable(const std::string& bytes, std::size_t limit, bool newlines = false) {
  std::string out;
  const bool utf8 = valid_utf8(bytes);
  if (utf8)  // cut at a character boundary
    while (limit > 0 && limit < bytes.size() &&
           (static_cast<unsigned char>(bytes[limit]) >> 6) == 2)
      --limit;
  for (const char ch : bytes.substr(0, limit)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == 0x1e) {
      out += "\\x1e";
    } else if (c == '\n' && newlines) {
      out += ch;
    } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8)) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
      out += buffer;
    } else {
      out += ch;
    }
  }
  if (bytes.size() > limit) out += "... (" + std::to_string(bytes.size()) + " bytes)";
  return out;
}

std::string describe(const Step& s) {
  const auto shown = [](const std::string& bytes) { return printable(bytes, 160); };

  const std::string c = "[" + std::to_string(s.conn) + "] ";
  if (s.op == "open")
    return c + "open " + s.transport + (s.path == "eio" ? " on the Engine.IO path" : "") +
           (s.query.empty() ? "" : " with &" + shown(s.query));
  if (s.op == "text") return c + "send " + shown(s.data);
  if (s.op == "binary") return c + "send binary <" + conform::hex(s.data) + ">";
  if (s.op == "batch") {
    std::string out = c + "send together:";
    for (const auto& p : s.packets)
      out += " " + shown(p);
    return out;
  }
  if (s.op == "post") return c + "POST body " + shown(s.data);
  if (s.op == "request")
    return s.method + " " + shown(s.target) + (s.data.empty() ? "" : " body " + shown(s.data));
  return c + s.op;
}

// ---- the generator
// -------------------------------------------------------------------------------

// Sequences from the protocol's grammar, then mutated: one (seed, index) gives one sequence.
class Generator {
 public:
  Generator(std::uint64_t seed, std::uint64_t index)
      : rng_(seed * 0x9E3779B97F4A7C15ull ^
             (index + 0x632BE59BD9B4E019ull) * 0xBF58476D1CE4E5B9ull) {}

  std::vector<Step> sequence() {
    std::vector<Step> steps;
    const int conns = chance(0.7) ? 1 : chance(0.8) ? 2 : 3;
    for (int c = 0; c < conns; ++c) {
      auto open = make("open", c);
      const int t = below(20);
      open.transport = t < 10 ? "websocket" : t < 17 ? "polling" : "upgrade";
      state_[c].polling = open.transport == "polling";
      if (chance(0.04)) open.path = "eio";
      if (chance(0.06)) open.query = pick(kQueries);
      steps.push_back(open);
      if (open.path == "sio" && chance(0.85)) {
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
  static inline const std::vector<std::string> kEngine{"2",      "3", "6", "1",  "5", "2probe",
                                                       "3probe", "",  "7", "8x", "4"};

  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(below(static_cast<int>(v.size())))];
  }
  static Step text(int c, std::string data) { return make("text", c, std::move(data)); }

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
    const std::string rooms = chance(0.5) ? R"(["r1"])" : R"(["r1","r2"])";
    if (name == R"("ctl:join")" || name == R"("ctl:leave")") return chance(0.5) ? R"("r1")" : rooms;
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
  static std::string prefix(const std::string& nsp) { return nsp == "/" ? "" : nsp + ","; }
  std::string ack_id() {
    // Random ids, so an ack with the wrong id is unlikely to name another request.
    return std::to_string(std::uniform_int_distribution<std::uint32_t>(0, 999'999)(rng_));
  }

  std::string event_packet(int c) {
    const auto name = pick(kNames);
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
      steps.push_back(make("binary", c, bytes));
    }
  }

  std::string sio_packet(int c) {
    switch (below(6)) {
      case 0:
        return "40" + prefix(pick(kNamespaces)) + (chance(0.3) ? json_value(1) : "");
      case 1:
        return "41" + prefix(nsp_of(c));
      case 2:
        return "43" + prefix(nsp_of(c)) + ack_id() + "[" + json_value(1) + "]";
      default:
        return event_packet(c);
    }
  }

  void action(int c, std::vector<Step>& steps) {
    const int roll = below(100);
    if (roll < 32) {
      steps.push_back(text(c, event_packet(c)));
    } else if (roll < 44) {
      binary_event(c, steps);
    } else if (roll < 48) {
      steps.push_back(text(c, "43" + prefix(nsp_of(c)) + ack_id() + "[" + json_value(1) + "]"));
    } else if (roll < 56) {
      const auto nsp = pick(kNamespaces);
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
      auto batch = make("batch", c);
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
      steps.push_back(make("post", c, body));
    } else if (roll < 81) {
      steps.push_back(make("get", c));
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
      auto request = make("request", c);
      request.method = pick(methods);
      auto query = pick(queries);
      if (const auto at = query.find("${sid}"); at != std::string::npos)
        query.replace(at, 6, "${sid" + std::to_string(c) + "}");
      request.target = "/socket.io/?" + query;
      if (request.method == "POST") request.data = codec::join_payload({sio_packet(c)});
      steps.push_back(request);
    } else if (roll < 91) {
      if (state_[c].polling) {
        steps.push_back(make("upgrade", c));
        state_[c].polling = false;
      } else {
        steps.push_back(text(c, event_packet(c)));
      }
    } else if (roll < 92 && chance(0.3)) {
      // Past maxPayload (1,000,000 bytes in the fixture contract).
      steps.push_back(text(c, R"(42["message",")" + std::string(1'000'010, 'a') + "\"]"));
    } else if (roll < 96) {
      steps.push_back(make("close", c));
    } else {
      steps.push_back(make("drop", c));
    }
  }

  // One byte-level change to one step that carries bytes.
  void mutate_one(std::vector<Step>& steps) {
    std::vector<std::string*> targets;
    for (auto& s : steps) {
      if ((s.op == "text" || s.op == "post") && s.data.size() < 10'000) targets.push_back(&s.data);
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
  std::array<ConnState, kMaxConns> state_;
};

// ---- running a sequence
// --------------------------------------------------------------------------

struct Outcome {
  std::string kind;  // empty: nothing found; crash, hang or violation
  std::string code;  // what kind of crash, hang or violation: the finding's signature
  std::string detail;
  std::vector<conform::TraceEntry> trace;
  bool found() const { return !kind.empty(); }
  std::string signature() const { return kind + ": " + code; }
};

// The suite's codec refuses lone surrogate escapes ("\ud800"), which JSON's grammar allows and
// JavaScript servers write: the oracle reads them as any other escape.
std::optional<codec::SioPacket> parse_sio(std::string_view text) {
  if (auto packet = codec::parse_sio(text)) return packet;
  std::string plain(text);
  bool changed = false;
  for (std::size_t at = 0; (at = plain.find("\\u", at)) != std::string::npos; at += 2) {
    if (at + 6 > plain.size()) break;
    const char a = static_cast<char>(std::tolower(static_cast<unsigned char>(plain[at + 2])));
    const char b = static_cast<char>(std::tolower(static_cast<unsigned char>(plain[at + 3])));
    if (a == 'd' && b >= '8' && b <= 'f') {
      plain.replace(at + 2, 4, "0041");
      changed = true;
    }
  }
  if (!changed) return std::nullopt;
  auto packet = codec::parse_sio(plain);
  if (packet) packet->data = std::string(text.substr(text.size() - packet->data.size()));
  return packet;
}

// What a connection asked for, so that the answers can be judged.
struct Conn {
  std::unique_ptr<conform::EioSession> session;
  bool sio = true;
  bool tainted = false;  // it sent something the suite's codec cannot read: no Socket.IO checks
  std::set<std::string> nsps;
  std::map<std::pair<std::string, std::uint64_t>, int> asked;  // ack ids the client asked for
  int attachments_due = 0;
  bool b64 = false;         // it asked for binary as base64 text (b64=1)
  bool closing = false;     // the client closed it: what comes after is not judged
  bool overlapped = false;  // an extra GET was sent: its GETs may be refused 500 (see check_status)
};

class Execution {
 public:
  Execution(const conform::Target& target, int timeout_ms) : loop_(target), timeout_(timeout_ms) {}

  Outcome run(const std::vector<Step>& steps, TargetHost& host) {
    for (const auto& step : steps) {
      perform(step);
      if (!violations_.empty()) break;
    }
    loop_.poll();
    check_all();
    Outcome outcome;
    if (!probe(outcome)) classify_failure(outcome, host);
    if (!outcome.found()) {
      loop_.poll();
      check_all();
      if (!violations_.empty()) {
        outcome.kind = "violation";
        outcome.code = violations_.front().first;
        outcome.detail = violations_.front().second;
      }
    }
    finish();
    outcome.trace = std::move(loop_.trace());
    return outcome;
  }

 private:
  void violation(std::string code, std::string detail) {
    loop_.note("--", "VIOLATION " + code + ": " + detail);
    violations_.emplace_back(std::move(code), std::move(detail));
  }

  // A 5xx is a server error, not a protocol answer, except where the protocol itself says 500:
  // a method other than GET and POST on a session (engine.io's answer), and a second concurrent
  // GET (engine.io before 6.6 answered it 500).
  void check_status(const conform::HttpResponse& r, std::string_view what,
                    bool may_be_500 = false) {
    if (r.status == 500 && may_be_500 && r.body.empty()) return;
    // The signature names the status and the method: "HTTP 500 to a POST".
    const auto method = what.substr(0, what.find(' '));
    const std::string to = method == "a" || method == "an"
                               ? std::string(what.substr(what.rfind(' ') + 1))
                               : std::string(method);
    if (r.status >= 500)
      violation("HTTP " + std::to_string(r.status) + " to a " + to,
                std::string(what) + " was answered HTTP " + std::to_string(r.status) + " " +
                    r.body.substr(0, 200) + ": a server error, not a protocol answer");
  }

  void note_outgoing(Conn& c, std::string_view eio_text) {
    if (!c.sio || eio_text.empty() || eio_text.front() != '4') return;
    if (!valid_utf8(eio_text)) {  // the server reads such names with U+FFFD: not compared
      c.tainted = true;
      return;
    }
    if (eio_text.size() > 65536) {  // past maxPayload: the session is closed; not worth parsing
      c.tainted = true;
      return;
    }
    const auto packet = parse_sio(eio_text.substr(1));
    if (!packet) {
      c.tainted = true;
      return;
    }
    if (packet->type == 0) c.nsps.insert(packet->nsp);
    if ((packet->type == 2 || packet->type == 5) && packet->id) {
      // Ids past 2^53 may come back rounded (JavaScript numbers): not checked.
      if (*packet->id > (std::uint64_t{1} << 53)) c.tainted = true;
      ++c.asked[{packet->nsp, *packet->id}];
    }
  }

  std::string substitute(std::string target) const {
    for (int i = 0; i < kMaxConns; ++i) {
      const std::string key = "${sid" + std::to_string(i) + "}";
      for (std::size_t at; (at = target.find(key)) != std::string::npos;)
        target.replace(at, key.size(), conns_[i].session ? conns_[i].session->sid() : "none");
    }
    return target;
  }

  void perform(const Step& step) {
    auto& c = conns_[static_cast<std::size_t>(step.conn)];
    if (step.op == "open") {
      const auto transport = step.transport == "websocket" ? conform::Transport::websocket
                             : step.transport == "polling" ? conform::Transport::polling
                                                           : conform::Transport::upgrade;
      c = Conn{};
      c.sio = step.path == "sio";
      c.b64 = step.query.find("b64=") != std::string::npos;
      c.session = std::make_unique<conform::EioSession>(
          loop_, transport, c.sio ? loop_.target().sio_path : loop_.target().eio_path, step.query);
      if (!c.session->open(timeout_)) {
        const auto& e = c.session->error();
        if (e.find("answered 5") != std::string::npos || e.find("(HTTP 5") != std::string::npos)
          violation("HTTP 5xx to the handshake", "the handshake: " + e);
        c.session.reset();
      }
      return;
    }
    if (step.op == "request") {
      const bool other_method = step.method != "GET" && step.method != "POST";
      // A body POSTed to a session's sid speaks for that session.
      for (int i = 0; i < kMaxConns; ++i)
        if (conns_[i].session &&
            step.target.find("${sid" + std::to_string(i) + "}") != std::string::npos)
          for (const auto& record : codec::split_payload(step.data))
            note_outgoing(conns_[i], record);
      pending_.push_back(
          {step.method + " " + step.target,
           loop_.start_request({step.method, substitute(step.target), {}, step.data}),
           other_method || step.method == "GET"});
      return;
    }
    if (!c.session) return;  // its open failed, or it was dropped
    auto& s = *c.session;
    // On polling a text goes out as a POST body: the record separators in it split it.
    const auto note = [&](const std::string& text) {
      if (s.current() == conform::Transport::polling) {
        for (const auto& record : codec::split_payload(text))
          note_outgoing(c, record);
      } else {
        note_outgoing(c, text);
      }
    };
    if (step.op == "text") {
      note(step.data);
      s.send(step.data);
    } else if (step.op == "binary") {
      s.send_binary(step.data);
    } else if (step.op == "batch") {
      for (const auto& p : step.packets)
        note(p);
      s.send_batch(step.packets);
    } else if (step.op == "post") {
      // After the session's own POSTs, as a client would: overlapping POSTs are a choice of
      // their own (the batch and text steps make them).
      loop_.run_until([&] { return s.posts_done() || s.closed(); }, timeout_);
      for (const auto& record : codec::split_payload(step.data))
        note_outgoing(c, record);
      pending_.push_back(
          {"a POST",
           loop_.start_request(
               {"POST",
                (c.sio ? loop_.target().sio_path : loop_.target().eio_path) + "?" + s.url_query(),
                {{"Content-Type", "text/plain;charset=UTF-8"}},
                step.data}),
           false});
    } else if (step.op == "get") {
      // The session's packets may now be split between its GETs and this one.
      c.overlapped = true;
      c.tainted = true;
      pending_.push_back(
          {"an extra GET",
           loop_.start_request(
               {"GET",
                (c.sio ? loop_.target().sio_path : loop_.target().eio_path) + "?" + s.url_query(),
                {},
                {}}),
           true});
    } else if (step.op == "upgrade") {
      if (s.current() == conform::Transport::polling && !s.closed()) s.upgrade(timeout_);
    } else if (step.op == "close") {
      // What arrives after the client's close is not judged: the driver's WebSocket reads the
      // next frame for its close handshake before a finished read is handed over, so a text
      // frame followed by a binary one can be reported as binary (and the binary one lost).
      check(c);  // may end the session (and `s` with it)
      c.closing = true;
      if (c.session) c.session->close();
    } else if (step.op == "drop") {
      check(c);
      c.session.reset();
    }
  }

  void check(Conn& c) {
    if (!c.session || c.closing) return;
    if (const auto& post = c.session->last_post()) check_status(*post, "a POST");
    while (auto event = c.session->next(Ms(0), true)) {
      if (event->kind == conform::EioEvent::Kind::closed) {
        if (event->how.starts_with("HTTP 5") && !(c.overlapped && event->how == "HTTP 500 "))
          violation(event->how.substr(0, 8) + " to a GET",
                    "a polling GET was answered " + event->how.substr(0, 200));
        // The end stays in the queue: take the packets that came before it only once.
        c.session.reset();
        return;
      }
      auto p = event->packet;
      // A client that asked for b64 may get binary as "b" + base64 text on WebSocket too
      // (engine.io honours it on every transport).
      if (p.type == '?' && c.b64)
        if (auto as_text = codec::parse_eio(p.data, true); as_text && as_text->binary) p = *as_text;
      if (p.type == '?') {
        violation("invalid Engine.IO packet",
                  "the server sent '" + p.data.substr(0, 200) + "', which is no Engine.IO packet");
        continue;
      }
      if (p.type == '0') {
        violation("second open packet",
                  "an open packet after the handshake: " + p.data.substr(0, 200));
        continue;
      }
      // With an extra GET the messages may be split between two answers: not judged one by one.
      if (p.type != '4' || !c.sio || c.overlapped) continue;
      if (p.binary) {
        if (c.attachments_due > 0) {
          --c.attachments_due;
        } else {
          violation(
              "binary message without a packet",
              "a binary message arrived while no BINARY_EVENT or BINARY_ACK awaited attachments");
        }
        continue;
      }
      if (c.attachments_due > 0)
        violation("attachments interrupted",
                  "a text message came while " + std::to_string(c.attachments_due) +
                      " attachments were still due: " + p.data.substr(0, 200));
      const auto packet = parse_sio(p.data);
      if (!packet) {
        violation("invalid Socket.IO packet",
                  "the server sent '" + p.data.substr(0, 200) + "', which is no Socket.IO packet");
        continue;
      }
      c.attachments_due = packet->attachments;
      if (c.tainted) continue;
      if (!c.nsps.contains(packet->nsp)) {
        violation("packet for a namespace never asked for",
                  "'" + p.data.substr(0, 200) + "' names " + packet->nsp +
                      ", which this client never sent CONNECT for");
        continue;
      }
      if ((packet->type == 3 || packet->type == 6)) {
        const auto key = std::make_pair(packet->nsp, packet->id.value_or(~std::uint64_t{0}));
        auto it = c.asked.find(key);
        if (!packet->id || it == c.asked.end()) {
          violation("ack for an id never asked for",
                    "'" + p.data.substr(0, 200) +
                        "' acknowledges an id this client never sent on " + packet->nsp);
        } else if (it->second-- <= 0) {
          violation("ack sent twice", "'" + p.data.substr(0, 200) + "' acknowledges an id again");
        }
      }
    }
  }

  void check_all() {
    for (auto& c : conns_)
      check(c);
    for (auto& p : pending_)
      if (p.pending.done() && !p.pending.error()) {
        // Pending has no accessor for a finished value without waiting: wait(0) returns it.
        if (auto r = p.pending.wait(Ms(0))) check_status(*r, p.what, p.may_be_500);
      }
    std::erase_if(pending_, [](auto& p) { return p.pending.done(); });
  }

  bool probe(Outcome& outcome) {
    conform::SioClient client(loop_, conform::Transport::websocket);
    if (!client.open(timeout_)) {
      const auto& trace = loop_.trace();
      probe_failure_ =
          "no handshake (" +
          (!trace.empty() && trace.back().text.starts_with("WebSocket refused") ? trace.back().text
                                                                                : client.error()) +
          ")";
      return false;
    }
    if (!client.connect("/", "", timeout_)) {
      probe_failure_ = "CONNECT to / got no accepting answer";
      return false;
    }
    const auto ack = client.call("/", "message-with-ack", R"("probe")", timeout_);
    if (!ack) {
      probe_failure_ = "message-with-ack got no ack";
      return false;
    }
    if (ack->packet.type != 3 || ack->packet.data != R"(["probe"])") {
      outcome.kind = "violation";
      outcome.code = "wrong probe ack";
      outcome.detail = "the liveness probe's message-with-ack was answered '" + ack->text + "'";
    }
    return true;
  }

  void classify_failure(Outcome& outcome, TargetHost& host) {
    if (host.launched()) {
      for (int i = 0; i < 20 && host.launched_alive(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (!host.launched_alive()) {
        const auto end = host.launched_end();
        outcome.kind = "crash";
        outcome.code = end.substr(0, end.find(';'));
        // --launch runs the command through sh, which reports a fatal signal N as status 128+N.
        if (outcome.code.starts_with("exited with status ")) {
          const int status = std::atoi(outcome.code.c_str() + 19);
          if (status > 128 && status < 160)
            outcome.code = "killed by signal " + std::to_string(status - 128);
        }
        outcome.detail = "the target " + end;
        return;
      }
    }
    conform::RawConnection raw(loop_);
    if (!raw.connect(Ms(500))) {
      outcome.kind = "crash";
      outcome.code = "refuses connections";
      outcome.detail = "the target refuses connections after the sequence";
      return;
    }
    outcome.kind = "hang";
    outcome.code = "no answer";
    outcome.detail = "the liveness probe failed within " + std::to_string(timeout_.count()) +
                     " ms: " + probe_failure_;
  }

  void finish() {
    // Polling sessions say goodbye, so that the target does not keep them until the ping timeout.
    bool any = false;
    for (auto& c : conns_)
      if (c.session && !c.session->closed() &&
          c.session->current() == conform::Transport::polling) {
        c.session->close();
        any = true;
      }
    if (any)
      loop_.run_until(
          [&] {
            for (auto& c : conns_)
              if (c.session && !c.session->posts_done() && !c.session->closed()) return false;
            return true;
          },
          Ms(100));
  }

  conform::Loop loop_;
  Ms timeout_;
  std::array<Conn, kMaxConns> conns_;
  struct Request {
    std::string what;
    conform::Pending<conform::HttpResponse> pending;
    bool may_be_500 = false;
  };
  std::vector<Request> pending_;
  std::vector<std::pair<std::string, std::string>> violations_;
  std::string probe_failure_;
};

std::string trace_text(const std::vector<conform::TraceEntry>& trace, std::size_t last = 40) {
  std::string out;
  const auto from = trace.size() > last ? trace.size() - last : 0;
  for (auto i = from; i < trace.size(); ++i) {
    char at[32];
    std::snprintf(at, sizeof at, "%8.1f ", trace[i].at_ms);
    out += std::string("    ") + at + trace[i].what + " " + printable(trace[i].text, 300) + "\n";
  }
  return out;
}

// ---- the run
// -------------------------------------------------------------------------------------

struct Finding {
  Outcome outcome;
  std::vector<Step> steps;
  std::size_t original_steps = 0;
  std::uint64_t index = 0;
  double after_s = 0;
  bool minimised = false;
  std::string file;
  int repeats = 0;
};

class Fuzzer {
 public:
  explicit Fuzzer(const FuzzOptions& options) : options_(options) {}

  int run() {
    std::string error;
    if (!host_.open(options_.where, "fuzz", error)) {
      std::cerr << "siocheck fuzz: " << error << "\n";
      return 2;
    }
    target_ = host_.target();
    seed_ = options_.seed ? options_.seed
                          : std::random_device{}() | (std::uint64_t{std::random_device{}()} << 32);
    std::cerr << "siocheck fuzz: seed " << seed_ << ", " << options_.jobs << " jobs, "
              << options_.duration_s << " s"
              << (options_.sequences
                      ? ", at most " + std::to_string(*options_.sequences) + " sequences"
                      : "")
              << "; findings go to " << options_.findings_dir << "/\n";
    start_ = conform::Clock::now();
    std::vector<std::thread> workers;
    for (int j = 0; j < options_.jobs; ++j)
      workers.emplace_back([this] { work(); });
    auto last_report = start_;
    while (!stop_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (elapsed() >= options_.duration_s) stop_ = true;
      if (!options_.quiet && conform::Clock::now() - last_report >= std::chrono::seconds(5)) {
        last_report = conform::Clock::now();
        std::cerr << progress() << "\n";
      }
    }
    for (auto& w : workers)
      w.join();
    return report();
  }

 private:
  double elapsed() const {
    return std::chrono::duration<double>(conform::Clock::now() - start_).count();
  }

  std::string progress() {
    char line[200];
    const double t = elapsed();
    std::snprintf(line, sizeof line, "[%6.1f s] %llu sequences (%.0f/s), %zu findings, %d restarts",
                  t, static_cast<unsigned long long>(done_.load()),
                  done_.load() / std::max(t, 0.001), findings_.size(), restarts_.load());
    return line;
  }

  void work() {
    while (!stop_) {
      const auto index = next_index_++;
      if (options_.sequences && index >= *options_.sequences) {
        stop_ = true;
        return;
      }
      auto steps = Generator(seed_, index).sequence();
      Outcome outcome;
      while (pausers_ > 0 && !stop_)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      {
        std::shared_lock lock(gate_);
        if (stop_) return;
        outcome = Execution(target_, options_.probe_timeout_ms).run(steps, host_);
      }
      ++done_;
      if (outcome.found()) candidate(std::move(steps), std::move(outcome), index);
    }
  }

  // A failure seen while other jobs ran: confirmed alone, minimised, written. Other jobs wait.
  void candidate(std::vector<Step> steps, Outcome outcome, std::uint64_t index) {
    // Jobs stop taking the gate while someone waits for it alone (readers would starve it).
    ++pausers_;
    std::unique_lock lock(gate_);
    struct Resume {
      std::atomic<int>& n;
      ~Resume() { --n; }
    } resume{pausers_};
    if (stop_ && target_down_) return;
    if (auto it = findings_.find(outcome.signature()); it != findings_.end()) {
      ++it->second.repeats;
      heal();
      return;
    }
    const double found_at = elapsed();
    if (!heal()) {
      // The target cannot be brought back: keep what was seen, as it was seen.
      record(Finding{outcome, steps, steps.size(), index, found_at, false, {}, 0});
      return;
    }
    auto again = Execution(target_, options_.probe_timeout_ms).run(steps, host_);
    if (again.signature() != outcome.signature()) {
      ++unconfirmed_;
      heal();
      return;
    }
    std::cerr << "siocheck fuzz: " << outcome.signature() << " after " << static_cast<int>(found_at)
              << " s (sequence " << index << ", " << steps.size() << " steps); minimising\n";
    const auto original = steps.size();
    bool minimised = true;
    auto last = std::move(again);
    // Remove ever smaller runs of steps while the same finding still comes out.
    int tries = 0;
    for (std::size_t chunk = std::max<std::size_t>(steps.size() / 2, 1); chunk >= 1; chunk /= 2) {
      for (std::size_t at = 0; at + chunk <= steps.size() && tries < 80;) {
        if (!heal()) {
          minimised = false;
          break;
        }
        auto trial = steps;
        trial.erase(trial.begin() + static_cast<std::ptrdiff_t>(at),
                    trial.begin() + static_cast<std::ptrdiff_t>(at + chunk));
        ++tries;
        auto result = Execution(target_, options_.probe_timeout_ms).run(trial, host_);
        if (result.signature() == outcome.signature()) {
          steps = std::move(trial);
          last = std::move(result);
        } else {
          at += chunk;
        }
      }
      if (chunk == 1) break;
    }
    heal();
    record(Finding{last, steps, original, index, found_at, minimised, {}, 0});
  }

  // Brings the target back after a crash or hang. False when it cannot be (not launched).
  bool heal() {
    if (target_down_) return false;
    conform::Loop loop(target_);
    conform::SioClient client(loop, conform::Transport::websocket);
    const Ms t(options_.probe_timeout_ms);
    if (client.open(t) && client.connect("/", "", t)) return true;
    if (!host_.launched()) {
      std::cerr << "siocheck fuzz: the target is down and was not started by siocheck "
                   "(use --launch to have it restarted); stopping\n";
      target_down_ = true;
      stop_ = true;
      if (!options_.where.target) host_.abandon();
      return false;
    }
    std::string error;
    if (!host_.restart(error)) {
      std::cerr << "siocheck fuzz: cannot restart the target: " << error << "\n";
      target_down_ = true;
      stop_ = true;
      return false;
    }
    ++restarts_;
    target_ = host_.target();
    return true;
  }

  void record(Finding finding) {
    std::error_code ec;
    fs::create_directories(options_.findings_dir, ec);
    std::string name = finding.outcome.kind + "-";
    for (const char ch : finding.outcome.code)
      name +=
          std::isalnum(static_cast<unsigned char>(ch)) ? static_cast<char>(std::tolower(ch)) : '-';
    name += "-" + std::to_string(seed_) + "-" + std::to_string(finding.index) + ".json";
    finding.file = (fs::path(options_.findings_dir) / name).string();
    auto steps = Json::array();
    for (const auto& s : finding.steps)
      steps.push_back(step_json(s));
    auto trace = Json::array();
    for (const auto& t : finding.outcome.trace) {
      char at[32];
      std::snprintf(at, sizeof at, "%.1f ms ", t.at_ms);
      trace.push_back(bytes_json(at + t.what + " " + t.text.substr(0, 2000)));
    }
    Json j{{"siocheck", "fuzz finding"},
           {"version", 1},
           {"kind", finding.outcome.kind},
           {"code", finding.outcome.code},
           {"detail", bytes_json(finding.outcome.detail)},
           {"seed", seed_},
           {"sequence", finding.index},
           {"found_after_s", finding.after_s},
           {"minimised", finding.minimised},
           {"steps_before_minimising", finding.original_steps},
           {"steps", steps},
           {"trace", trace}};
    std::ofstream(finding.file) << j.dump(2) << "\n";
    std::cerr << "siocheck fuzz: FINDING " << finding.outcome.signature() << "\n    "
              << printable(finding.outcome.detail, 600, true) << "\n    written to " << finding.file
              << " (" << finding.steps.size() << " steps)\n";
    findings_.emplace(finding.outcome.signature(), std::move(finding));
    if (static_cast<int>(findings_.size()) >= options_.max_findings) stop_ = true;
  }

  int report() {
    const double t = elapsed();
    std::cout << "siocheck fuzz: " << done_.load() << " sequences in "
              << static_cast<int>(t * 10) / 10.0 << " s ("
              << static_cast<long>(done_.load() / std::max(t, 0.001)) << "/s, " << options_.jobs
              << " jobs, seed " << seed_ << "), " << restarts_.load() << " target restarts\n";
    if (findings_.empty()) {
      std::cout << "no findings"
                << (unconfirmed_
                        ? " (" + std::to_string(unconfirmed_) + " failures did not reproduce alone)"
                        : "")
                << "\n";
      return 0;
    }
    std::cout << findings_.size() << (findings_.size() == 1 ? " finding" : " findings") << ":\n";
    for (const auto& [signature, f] : findings_) {
      std::cout << "  " << signature << " (found after " << static_cast<int>(f.after_s)
                << " s, seen " << f.repeats + 1 << "x)\n    "
                << printable(f.outcome.detail, 600, true) << "\n    steps:\n";
      for (const auto& s : f.steps)
        std::cout << "      " << describe(s) << "\n";
      std::cout << "    replay: siocheck replay " << f.file << " [--target URL | --launch CMD]\n";
    }
    if (unconfirmed_) std::cout << unconfirmed_ << " further failures did not reproduce alone\n";
    if (target_down_) host_.abandon();
    return 1;
  }

  FuzzOptions options_;
  TargetHost host_;
  conform::Target target_;
  std::uint64_t seed_ = 0;
  conform::Clock::time_point start_;
  std::shared_mutex gate_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> target_down_{false};
  std::atomic<std::uint64_t> next_index_{0};
  std::atomic<std::uint64_t> done_{0};
  std::atomic<int> restarts_{0};
  std::atomic<int> pausers_{0};
  int unconfirmed_ = 0;
  std::map<std::string, Finding> findings_;
};

}  // namespace

int run_fuzz(const FuzzOptions& options) {
  Fuzzer fuzzer(options);
  return fuzzer.run();
}

int run_replay(const ReplayOptions& options) {
  struct Loaded {
    std::string file;
    std::string kind, code;
    std::vector<Step> steps;
  };
  std::vector<Loaded> loaded;
  for (const auto& file : options.files) {
    std::ifstream in(file);
    if (!in) {
      std::cerr << "siocheck replay: cannot read '" << file << "'\n";
      return 2;
    }
    Json j;
    try {
      j = Json::parse(in);
    } catch (const std::exception& e) {
      std::cerr << "siocheck replay: " << file << " is not JSON: " << e.what() << "\n";
      return 2;
    }
    Loaded l{file, {}, {}, {}};
    if (!j.is_object() || j.value("siocheck", "") != "fuzz finding" || !j.contains("steps") ||
        !j["steps"].is_array()) {
      std::cerr
          << "siocheck replay: " << file
          << " is not a finding of siocheck fuzz (expected \"siocheck\": \"fuzz finding\" and "
             "\"steps\")\n";
      return 2;
    }
    l.kind = j.value("kind", "");
    l.code = j.value("code", "");
    std::size_t n = 0;
    for (const auto& s : j["steps"]) {
      Step step;
      std::string error;
      if (!step_from(s, step, error)) {
        std::cerr << "siocheck replay: " << file << ": step " << n << ": " << error << "\n";
        return 2;
      }
      l.steps.push_back(std::move(step));
      ++n;
    }
    loaded.push_back(std::move(l));
  }
  int status = 0;
  for (const auto& l : loaded) {
    TargetHost host;
    std::string error;
    if (!host.open(options.where, "replay", error)) {
      std::cerr << "siocheck replay: " << error << "\n";
      return 2;
    }
    std::cout << l.file << ": " << l.steps.size() << " steps, expecting " << l.kind << ": "
              << l.code << "\n";
    for (const auto& s : l.steps)
      std::cout << "    " << describe(s) << "\n";
    auto outcome = Execution(host.target(), options.probe_timeout_ms).run(l.steps, host);
    if (options.trace) std::cout << "  trace:\n" << trace_text(outcome.trace, 400);
    if (!outcome.found()) {
      std::cout
          << "  not reproduced: the target passed the liveness probe and no violation was seen\n";
    } else if (outcome.kind == l.kind && outcome.code == l.code) {
      std::cout << "  REPRODUCED " << outcome.signature() << "\n    "
                << printable(outcome.detail, 2000, true) << "\n";
      status = 1;
    } else {
      std::cout << "  a different finding: " << outcome.signature() << "\n    "
                << printable(outcome.detail, 2000, true) << "\n";
      status = 1;
    }
    if (outcome.kind == "hang" && !host.launched()) host.abandon();
  }
  return status;
}

}  // namespace siocheck
