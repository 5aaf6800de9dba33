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
    for (int c = 0; c < conns; ++c) {
      auto open = make(Op::open, c);
      const int t = below(20);
      open.transport = t < 10   ? Transport::websocket
                       : t < 17 ? Transport::polling
                                : Transport::upgrade;
      state_[c].polling = open.transport == Transport::polling;
      if (chance(0.04)) open.path = Path::eio;
      if (chance(0.06)) open.query = pick(kQueries);
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
  static inline const std::vector<std::string> kEngine{"2",      "3", "6", "1",  "5", "2probe",
                                                       "3probe", "",  "7", "8x", "4"};

  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(below(static_cast<int>(v.size())))];
  }
  static Step text(int c, std::string data) { return make(Op::text, c, std::move(data)); }

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
      steps.push_back(make(Op::binary, c, bytes));
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
  std::array<ConnState, kMaxConns> state_;
};

}  // namespace

std::vector<Step> generate(std::uint64_t seed, std::uint64_t index) {
  return Generator(seed, index).sequence();
}

}  // namespace conform::fuzz
