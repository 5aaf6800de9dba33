#include "siocheck/model/model.hpp"

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>

#include "siocheck/codec/bin.hpp"
#include "siocheck/codec/codec.hpp"
#include "siocheck/driver/clients.hpp"

namespace conform::model {

namespace {

using Json = nlohmann::json;  // comparisons: key order does not count
using Script = nlohmann::ordered_json;

// Each run has namespaces of its own (the fixture's dynamic ones), so that "every socket of the
// namespace" means this run's sockets, whatever earlier runs left behind: n1 and n2 are where
// the commands happen; each client's connection also holds a socket on a third, its "home",
// which receives nothing and whose ctl:fence proves that a DISCONNECT sent before it was handled.
constexpr int kNamespaces = 2;
constexpr int kHome = -1;
// A small pool, so that rooms collide.
constexpr std::array<std::string_view, 3> kRooms{"r1", "r2", "r3"};
// The timeoutMs of ctl:broadcast-with-ack and ctl:emit-with-ack. The clients here answer at once,
// so running out of it means an ack was lost or never counted; short, so that shrinking a
// failure of that kind does not wait long on every try.
constexpr int kAckTimeoutMs = 2000;

std::string client_name(int c) {
  return "c" + std::to_string(c + 1);
}
std::string nsp_label(int n) {
  return n == kHome ? "home" : "n" + std::to_string(n + 1);
}

// ---- the model ---------------------------------------------------------------------------------

struct SocketModel {
  std::set<int> rooms;  // kRooms indexes; its own id room is implicit
};

struct ClientModel {
  bool open = false;  // the connection, with its home socket
  std::array<std::optional<SocketModel>, kNamespaces> sockets;
};

struct State {
  std::vector<ClientModel> clients;

  bool in(int c, int n) const { return clients[c].sockets[n].has_value(); }
  std::vector<int> members(int n) const {
    std::vector<int> out;
    for (int c = 0; c < static_cast<int>(clients.size()); ++c)
      if (in(c, n)) out.push_back(c);
    return out;
  }
};

// A broadcast's target: a room of the pool, or a socket's own id room.
struct Aim {
  bool socket = false;
  int index = 0;  // kRooms index, or client
  std::string show() const { return socket ? client_name(index) : std::string(kRooms[index]); }
};

// ---- the system under test: live connections -------------------------------------------------

struct Failure {
  std::string text;
  std::string trace;  // the last packets on the wire
};

struct Live {
  std::unique_ptr<SioClient> io;
  std::string home_sid;
  std::array<std::string, kNamespaces> sids;
};

class Sut {
 public:
  Sut(const Options& options, const std::string& tag)
      : options_(options),
        loop_(options.target),
        lives_(options.max_clients),
        inbox_(options.max_clients),
        expected_(options.max_clients),
        answers_(options.max_clients) {
    home_ = "/dyn-" + tag + "0";
    for (int n = 0; n < kNamespaces; ++n)
      nsps_[n] = "/dyn-" + tag + std::to_string(n + 1);
  }
  ~Sut() {
    for (auto& live : lives_)
      if (live.io && !live.io->closed()) live.io->eio().close();
    loop_.run_for(Ms(1));
  }
  Sut(const Sut&) = delete;
  Sut& operator=(const Sut&) = delete;

  int seq = 0;  // the step being run, 1-based: it is in every payload

  const std::string& nsp(int n) const { return n == kHome ? home_ : nsps_[n]; }
  const std::string& sid(int c, int n) const {
    return n == kHome ? lives_[c].home_sid : lives_[c].sids[n];
  }
  std::string room_of(const Aim& a, int n) const {
    return a.socket ? sid(a.index, n) : std::string(kRooms[a.index]);
  }
  Ms timeout() const { return options_.timeout; }

  [[noreturn]] void fail(const std::string& what, const std::string& expected,
                         const std::string& observed) {
    std::string trace;
    const auto& all = loop_.trace();
    for (std::size_t i = all.size() > 24 ? all.size() - 24 : 0; i < all.size(); ++i) {
      char at[32];
      std::snprintf(at, sizeof at, "%9.1f ", all[i].at_ms);
      auto text = all[i].text;
      if (text.size() > 160) text = text.substr(0, 160) + "...";
      trace +=
          at + (all[i].conn.empty() ? "" : all[i].conn + " ") + all[i].what + " " + text + "\n";
    }
    throw Failure{what + "\n    expected: " + expected + "\n    observed: " + observed,
                  std::move(trace)};
  }

  Transport transport_of(int c) const {
    switch (options_.transports) {
      case Transports::websocket:
        return Transport::websocket;
      case Transports::polling:
        return Transport::polling;
      case Transports::mixed:
        return c % 2 ? Transport::polling : Transport::websocket;
    }
    return Transport::websocket;
  }

  // A packet as the model speaks of it: "event n1 ["b",3]", "disconnect n2", ...
  std::string canonical(const SioReceived& r) const {
    std::string where = r.packet.nsp;
    if (r.packet.nsp == home_) where = "home";
    for (int n = 0; n < kNamespaces; ++n)
      if (r.packet.nsp == nsps_[n]) where = nsp_label(n);
    std::string data = r.packet.data;
    if (auto parsed = codec::parse_json(r.packet.data)) {
      data = plain(*parsed, r.attachments).dump();
    }
    switch (r.packet.type) {
      case 0:
        return "connect " + where + " " + data;
      case 1:
        return "disconnect " + where;
      case 2:
        return std::string(r.packet.id ? "event+ack " : "event ") + where + " " + data;
      case 3:
        return "ack " + where + " " + data;
      case 4:
        return "connect_error " + where + " " + data;
      case 5:
        return std::string(r.packet.id ? "binary event+ack " : "binary event ") + where + " " +
               data;
      case 6:
        return "binary ack " + where + " " + data;
    }
    return "? " + r.text;
  }
  // JSON with each placeholder as {"$bin": base64}, compared without key order.
  static Json plain(const codec::Json& value, const std::vector<std::string>& attachments) {
    return Json::parse(codec::dump(codec::with_binary(value, attachments)));
  }

  // Opens client c's connection and its home socket.
  void open(int c) {
    auto& live = lives_[c];
    // Named as the steps name the client, so that its trace lines say whose they are.
    live.io = std::make_unique<SioClient>(loop_, transport_of(c), client_name(c));
    if (!live.io->open(timeout()))
      fail(client_name(c) + " opens its connection", "an Engine.IO session",
           "none: " + live.io->error());
    live.home_sid = connect(c, kHome);
  }

  // CONNECT to namespace n: the socket id of the reply; the fixture's "auth" event is expected.
  std::string connect(int c, int n) {
    auto& live = lives_[c];
    live.io->send(codec::sio_text(0, nsp(n)));
    auto got = await(
        c,
        [&](const SioReceived& r) {
          return r.packet.nsp == nsp(n) && (r.packet.type == 0 || r.packet.type == 4);
        },
        "the CONNECT reply on " + nsp_label(n));
    const auto payload = codec::parse_json(got.packet.data);
    if (got.packet.type != 0 || !payload || !payload->is_object() || !payload->contains("sid") ||
        !(*payload)["sid"].is_string())
      fail(client_name(c) + " connects to " + nsp_label(n), "connect {\"sid\":...}",
           canonical(got));
    const auto id = (*payload)["sid"].get<std::string>();
    for (int d = 0; d < static_cast<int>(lives_.size()); ++d)
      for (int m = kHome; m < kNamespaces; ++m)
        if ((d != c || m != n) && lives_[d].io && sid(d, m) == id)
          fail(client_name(c) + " connects to " + nsp_label(n), "a socket id of its own",
               id + ", the id of " + client_name(d) + " on " + nsp_label(m));
    if (n == kHome) {
      live.home_sid = id;
    } else {
      live.sids[n] = id;
    }
    expect(c, "event " + nsp_label(n) + " [\"auth\",{}]");
    return id;
  }

  void expect(int c, std::string packet) { expected_[c].push_back(std::move(packet)); }

  // Emits a control event (with an ack id unless `no_ack`); returns the id.
  std::uint64_t emit(int c, int n, std::string_view event, const std::optional<Json>& arg,
                     bool no_ack = false) {
    auto& io = *lives_[c].io;
    Json data = Json::array({std::string(event)});
    if (arg) data.push_back(*arg);
    const auto id = io.next_id();
    io.send(codec::sio_text(2, nsp(n), no_ack ? std::nullopt : std::optional(id), data.dump()));
    return id;
  }

  // Everything another packet brings is recorded for the check after the step; events that ask
  // for an ack are answered at once with [client, first argument], as a real client would.
  void record(int c, const SioReceived& r) {
    if (r.packet.type == 3 || r.packet.type == 6) {  // an answer someone may be waiting for
      answers_[c].emplace(std::make_pair(r.packet.nsp, r.packet.id.value_or(0)), r);
      return;
    }
    inbox_[c].push_back(canonical(r));
    if ((r.packet.type == 2 || r.packet.type == 5) && r.packet.id) {
      Json first = nullptr;
      if (auto parsed = codec::parse_json(r.packet.data);
          parsed && parsed->is_array() && parsed->size() > 1)
        first = Json::parse(codec::dump((*parsed)[1]));
      lives_[c].io->send(codec::sio_text(3, r.packet.nsp, r.packet.id,
                                         Json::array({client_name(c), first}).dump()));
    }
  }

  // Takes packets from every connection (recording them) until client c receives one that `pred`
  // accepts; fails after the timeout or when c's connection ends.
  // (Slices of 5 ms: the session's next() rounds its remaining time down to whole milliseconds,
  // so a slice of 1 or 2 ms would never run the event loop.)
  template <class Pred>
  SioReceived await(int c, Pred pred, const std::string& what, std::optional<Ms> within = {}) {
    const auto deadline = Clock::now() + within.value_or(timeout());
    while (true) {
      drain_others(c);
      auto& io = *lives_[c].io;
      if (auto got = io.next(Ms(5))) {
        if (pred(*got)) return std::move(*got);
        record(c, *got);
        continue;
      }
      if (io.closed())
        fail(client_name(c) + " waits for " + what, what,
             "the connection ended (" + io.end_reason() + "); received: " + received(c));
      if (Clock::now() >= deadline)
        fail(client_name(c) + " waits for " + what,
             what + " within " + std::to_string(within.value_or(timeout()).count()) + " ms",
             "nothing; received: " + received(c));
    }
  }

  SioReceived await_ack(int c, int n, std::uint64_t id, const std::string& what,
                        std::optional<Ms> within = {}) {
    const auto key = std::make_pair(nsp(n), id);
    if (const auto it = answers_[c].find(key); it != answers_[c].end()) {
      auto got = std::move(it->second);
      answers_[c].erase(it);
      return got;
    }
    return await(
        c,
        [&](const SioReceived& r) {
          return (r.packet.type == 3 || r.packet.type == 6) && r.packet.nsp == nsp(n) &&
                 r.packet.id == id;
        },
        what, within);
  }

  // The ack's single argument.
  Json ack_argument(int c, const SioReceived& r, const std::string& what) {
    auto parsed = codec::parse_json(r.packet.data);
    if (!parsed || !parsed->is_array() || parsed->size() != 1)
      fail(what, "an ack with one argument", canonical(r));
    (void)c;
    return plain((*parsed)[0], r.attachments);
  }

  void drain_others(int c) {
    for (int d = 0; d < static_cast<int>(lives_.size()); ++d) {
      if (d == c || !lives_[d].io) continue;
      while (auto got = lives_[d].io->next(Ms(0)))
        record(d, *got);
    }
  }

  std::string received(int c) const {
    std::string out;
    for (const auto& p : inbox_[c])
      out += (out.empty() ? "" : ", ") + p;
    return out.empty() ? "nothing" : out;
  }

  void send_disconnect(int c, int n) {
    lives_[c].io->send(codec::sio_text(1, nsp(n)));
    forget(c, n);
  }
  void forget(int c, int n) { lives_[c].sids[n].clear(); }

  // After ctl:disconnect {"close":true}: the connection ends; DISCONNECT packets for its own
  // sockets may come first, nothing else.
  void await_close(int c) {
    const auto deadline = Clock::now() + timeout();
    auto& io = *lives_[c].io;
    std::map<std::string, int> allowed{{"disconnect home", 1}};
    for (int n = 0; n < kNamespaces; ++n)
      if (!lives_[c].sids[n].empty()) allowed["disconnect " + nsp_label(n)] = 1;
    while (!io.closed()) {
      drain_others(c);
      if (auto got = io.next(Ms(5))) {
        const auto text = canonical(*got);
        if (allowed[text]-- <= 0)
          fail(client_name(c) + "'s connection closes",
               "DISCONNECT packets for its sockets (at most one each), then the end",
               text + " (received before: " + received(c) + ")");
        continue;
      }
      if (Clock::now() >= deadline)
        fail(client_name(c) + "'s connection closes",
             "the end of the connection within " + std::to_string(timeout().count()) + " ms",
             "still open; received: " + received(c));
    }
    lives_[c] = Live{};
    answers_[c].clear();
  }

  // After every step: a ctl:fence on every socket proves that nothing else arrived; what did
  // arrive must be exactly what the step predicted, socket by socket.
  void verify(const State& after) {
    struct Fence {
      int c, n;
      std::uint64_t id;
    };
    std::vector<Fence> fences;
    for (int c = 0; c < static_cast<int>(after.clients.size()); ++c) {
      if (!after.clients[c].open) continue;
      for (int n = kHome; n < kNamespaces; ++n)
        if (n == kHome || after.in(c, n)) fences.push_back({c, n, emit(c, n, "ctl:fence", {})});
    }
    for (const auto& f : fences) {
      const auto what = "the ack of ctl:fence on " + nsp_label(f.n);
      auto got = await_ack(f.c, f.n, f.id, what);
      const auto arg = ack_argument(f.c, got, client_name(f.c) + " " + what);
      if (arg != Json{{"ok", true}})
        fail(client_name(f.c) + " " + what, "{\"ok\":true}", arg.dump());
    }
    for (int c = 0; c < static_cast<int>(lives_.size()); ++c) {
      for (const auto& [key, r] : answers_[c])  // acks nobody asked for
        inbox_[c].push_back(canonical(r));
      answers_[c].clear();
      auto seen = inbox_[c];
      auto want = expected_[c];
      std::sort(seen.begin(), seen.end());
      std::sort(want.begin(), want.end());
      if (seen != want) {
        std::vector<std::string> missing, extra;
        std::set_difference(want.begin(), want.end(), seen.begin(), seen.end(),
                            std::back_inserter(missing));
        std::set_difference(seen.begin(), seen.end(), want.begin(), want.end(),
                            std::back_inserter(extra));
        auto list = [](const std::vector<std::string>& v) {
          std::string out;
          for (const auto& x : v)
            out += (out.empty() ? "" : ", ") + x;
          return out.empty() ? std::string("nothing") : out;
        };
        std::string detail;
        if (!missing.empty()) detail += "; missing: " + list(missing);
        if (!extra.empty()) detail += "; unexpected: " + list(extra);
        fail(client_name(c) + " received, before its ctl:fence acks" + detail, list(want),
             list(inbox_[c]));
      }
      inbox_[c].clear();
      expected_[c].clear();
    }
  }

 private:
  const Options& options_;
  Loop loop_;
  std::vector<Live> lives_;
  std::vector<std::vector<std::string>> inbox_;
  std::vector<std::vector<std::string>> expected_;
  std::vector<std::map<std::pair<std::string, std::uint64_t>, SioReceived>> answers_;
  std::string home_;
  std::array<std::string, kNamespaces> nsps_;
};

// ---- the scenario a failure is written as ----------------------------------------------------

struct Writer {
  std::vector<std::string> lines;

  static std::string nsp(int n) { return "/dyn-${run}" + std::to_string(n == kHome ? 0 : n + 1); }
  static std::string sid(int c, int n) { return "${" + client_name(c) + ".sid." + nsp(n) + "}"; }
  static std::string room(const Aim& a, int n) {
    return a.socket ? sid(a.index, n) : std::string(kRooms[a.index]);
  }
  void comment(const std::string& text) { lines.push_back("  # " + text); }
  void step(const std::string& kind, const Script& body, int indent = 2) {
    lines.push_back(std::string(indent, ' ') + "- " + kind + ": " + body.dump());
  }
  void connect(int c, int n) {
    step("connect", {{"client", client_name(c)}, {"namespace", nsp(n)}});
    step("expect", {{"client", client_name(c)},
                    {"namespace", nsp(n)},
                    {"event", "auth"},
                    {"args", Script::array({Script::object()})}});
  }
  // ctl:* with an ack matched as given.
  void call(int c, int n, const std::string& event, const std::optional<Script>& arg,
            const Script& ack, bool unordered = false, int indent = 2) {
    Script body{{"client", client_name(c)}, {"namespace", nsp(n)}, {"event", event}};
    if (arg) body["args"] = Script::array({*arg});
    body["ack"] = Script::array({ack});
    if (unordered) body["ack_match"] = "unordered";
    step("emit", body, indent);
  }
  // The check after each step: a fence on every socket, then nothing else queued.
  void fences(const State& after) {
    for (int c = 0; c < static_cast<int>(after.clients.size()); ++c) {
      if (!after.clients[c].open) continue;
      for (int n = kHome; n < kNamespaces; ++n)
        if (n == kHome || after.in(c, n)) call(c, n, "ctl:fence", std::nullopt, {{"ok", true}});
      for (int n = kHome; n < kNamespaces; ++n)
        step("expect_nothing", {{"client", client_name(c)}, {"namespace", nsp(n)}, {"for", 0}});
    }
  }
};

// ---- the commands ------------------------------------------------------------------------------

class Step : public rc::state::Command<State, Sut> {
 public:
  // One line for the printed sequence, in the state before the step.
  virtual std::string describe(const State& s0) const = 0;
  // The step as scenario steps (`seq` is its number in the sequence).
  virtual void script(const State& s0, int seq, Writer& w) const = 0;
  void show(std::ostream& os) const override { os << describe(State{}); }
};

// Draws one of `choices` (which must not be empty).
template <class T>
T pick(const std::vector<T>& choices) {
  RC_PRE(!choices.empty());
  return *rc::gen::elementOf(choices);
}

// A whole number in [lo, hi), uniform whatever the size, that shrinks towards lo. (gen::inRange
// scales its range with the size, and gen::element and gen::weightedElement never shrink.)
rc::Gen<int> uniform(int lo, int hi) {
  return rc::gen::resize(100, rc::gen::inRange(lo, hi));  // 100: RapidCheck's full size
}

// True one time in n; shrinks to false.
rc::Gen<bool> one_in(int n) {
  return rc::gen::map(uniform(0, n), [n](int v) { return v == n - 1; });
}

std::vector<std::pair<int, int>> sockets_where(const State& s, bool connected) {
  std::vector<std::pair<int, int>> out;
  for (int c = 0; c < static_cast<int>(s.clients.size()); ++c)
    for (int n = 0; n < kNamespaces; ++n)
      if (s.in(c, n) == connected) out.emplace_back(c, n);
  return out;
}

std::string room_list(const std::vector<int>& rooms) {
  std::string out;
  for (const auto r : rooms)
    out += (out.empty() ? "" : ", ") + std::string(kRooms[r]);
  return rooms.size() == 1 ? out : "[" + out + "]";
}

// A socket's rooms, its own id included, in byte order.
Json sorted_rooms(const Sut& sut, const State& s, int c, int n) {
  std::vector<std::string> rooms{sut.sid(c, n)};
  for (const auto r : s.clients[c].sockets[n]->rooms)
    rooms.emplace_back(kRooms[r]);
  std::sort(rooms.begin(), rooms.end());
  return rooms;
}

class Connect : public Step {
 public:
  explicit Connect(const State& s) { std::tie(client_, nsp_) = pick(sockets_where(s, false)); }
  void checkPreconditions(const State& s) const override { RC_PRE(!s.in(client_, nsp_)); }
  void apply(State& s) const override {
    s.clients[client_].open = true;
    s.clients[client_].sockets[nsp_] = SocketModel{};
  }
  void run(const State& s, Sut& sut) const override {
    if (!s.clients[client_].open) sut.open(client_);
    sut.connect(client_, nsp_);
  }
  std::string describe(const State& s) const override {
    const bool opens = !s.clients.empty() && !s.clients[client_].open;
    return client_name(client_) + " connects to " + nsp_label(nsp_) +
           (opens ? " (opening its connection and home socket)" : "");
  }
  void script(const State& s, int, Writer& w) const override {
    if (!s.clients[client_].open) w.connect(client_, kHome);
    w.connect(client_, nsp_);
  }

 private:
  int client_ = 0, nsp_ = 0;
};

// The client sends DISCONNECT for one namespace.
class Disconnect : public Step {
 public:
  explicit Disconnect(const State& s) { std::tie(client_, nsp_) = pick(sockets_where(s, true)); }
  void checkPreconditions(const State& s) const override { RC_PRE(s.in(client_, nsp_)); }
  void apply(State& s) const override { s.clients[client_].sockets[nsp_].reset(); }
  void run(const State&, Sut& sut) const override { sut.send_disconnect(client_, nsp_); }
  std::string describe(const State&) const override {
    return client_name(client_) + " disconnects from " + nsp_label(nsp_) + " (DISCONNECT)";
  }
  void script(const State&, int, Writer& w) const override {
    w.step("disconnect", {{"client", client_name(client_)}, {"namespace", Writer::nsp(nsp_)}});
  }

 private:
  int client_ = 0, nsp_ = 0;
};

// ctl:disconnect: the server disconnects the socket, or with close the whole connection.
class ServerDisconnect : public Step {
 public:
  explicit ServerDisconnect(const State& s) {
    std::tie(client_, nsp_) = pick(sockets_where(s, true));
    close_ = *one_in(4);
  }
  void checkPreconditions(const State& s) const override { RC_PRE(s.in(client_, nsp_)); }
  void apply(State& s) const override {
    if (close_) {
      s.clients[client_] = ClientModel{};
    } else {
      s.clients[client_].sockets[nsp_].reset();
    }
  }
  void run(const State&, Sut& sut) const override {
    sut.emit(client_, nsp_, "ctl:disconnect", Json{{"close", close_}}, true);
    if (close_) {
      sut.await_close(client_);
      return;
    }
    sut.await(
        client_,
        [&](const SioReceived& r) { return r.packet.type == 1 && r.packet.nsp == sut.nsp(nsp_); },
        "DISCONNECT on " + nsp_label(nsp_));
    sut.forget(client_, nsp_);
  }
  std::string describe(const State&) const override {
    return client_name(client_) + " on " + nsp_label(nsp_) + " asks ctl:disconnect {\"close\":" +
           (close_ ? "true} (the server closes the whole connection)" : "false}");
  }
  void script(const State&, int, Writer& w) const override {
    w.step("emit", {{"client", client_name(client_)},
                    {"namespace", Writer::nsp(nsp_)},
                    {"event", "ctl:disconnect"},
                    {"args", Script::array({Script{{"close", close_}}})}});
    if (close_) {
      w.step("expect_disconnect",
             {{"client", client_name(client_)}, {"reason", "transport close"}});
    } else {
      w.step("expect_disconnect", {{"client", client_name(client_)},
                                   {"namespace", Writer::nsp(nsp_)},
                                   {"reason", "io server disconnect"}});
    }
  }

 private:
  int client_ = 0, nsp_ = 0;
  bool close_ = false;
};

// ctl:join / ctl:leave of one room (as a string or a one-element list) or several.
class JoinLeave : public Step {
 public:
  JoinLeave(const State& s, bool join) : join_(join) {
    std::tie(client_, nsp_) = pick(sockets_where(s, true));
    // One draw (see Broadcast): a room and maybe a second, shrinking to the first room alone.
    const auto room = uniform(0, static_cast<int>(kRooms.size()));
    const auto [first, more, as_list] = *rc::gen::tuple(
        room, rc::gen::resize(1, rc::gen::container<std::vector<int>>(room)), one_in(2));
    rooms_.push_back(first);
    rooms_.insert(rooms_.end(), more.begin(), more.end());
    as_list_ = rooms_.size() > 1 || as_list;
  }
  void checkPreconditions(const State& s) const override { RC_PRE(s.in(client_, nsp_)); }
  void apply(State& s) const override {
    auto& rooms = s.clients[client_].sockets[nsp_]->rooms;
    for (const auto r : rooms_)
      join_ ? (void)rooms.insert(r) : (void)rooms.erase(r);
  }
  Json argument() const {
    if (!as_list_) return std::string(kRooms[rooms_.front()]);
    Json list = Json::array();
    for (const auto r : rooms_)
      list.push_back(std::string(kRooms[r]));
    return list;
  }
  void run(const State& s, Sut& sut) const override {
    const std::string event = join_ ? "ctl:join" : "ctl:leave";
    const auto id = sut.emit(client_, nsp_, event, argument());
    const auto what = "the ack of " + event + " " + argument().dump();
    const auto got = sut.ack_argument(client_, sut.await_ack(client_, nsp_, id, what),
                                      client_name(client_) + " " + what);
    auto after = s;
    apply(after);
    const auto want = sorted_rooms(sut, after, client_, nsp_);
    if (got != want)
      sut.fail(client_name(client_) + " " + what + " (its rooms, sorted)", want.dump(), got.dump());
  }
  std::string describe(const State&) const override {
    return client_name(client_) + " on " + nsp_label(nsp_) + (join_ ? " joins " : " leaves ") +
           (as_list_ ? "[" : "") + room_list(rooms_) + (as_list_ && rooms_.size() == 1 ? "]" : "");
  }
  void script(const State& s, int, Writer& w) const override {
    auto after = s;
    apply(after);
    Script rooms = Script::array({Writer::sid(client_, nsp_)});
    for (const auto r : after.clients[client_].sockets[nsp_]->rooms)
      rooms.push_back(std::string(kRooms[r]));
    w.call(client_, nsp_, join_ ? "ctl:join" : "ctl:leave", Script::parse(argument().dump()), rooms,
           true);
  }

 private:
  int client_ = 0, nsp_ = 0;
  bool join_ = true;
  std::vector<int> rooms_;
  bool as_list_ = false;
};

class Join : public JoinLeave {
 public:
  explicit Join(const State& s) : JoinLeave(s, true) {}
};
class Leave : public JoinLeave {
 public:
  explicit Leave(const State& s) : JoinLeave(s, false) {}
};

// ctl:broadcast and ctl:broadcast-with-ack.
class Broadcast : public Step {
 public:
  explicit Broadcast(const State& s) {
    std::tie(client_, nsp_) = pick(sockets_where(s, true));
    std::vector<Aim> aims;
    for (int r = 0; r < static_cast<int>(kRooms.size()); ++r)
      aims.push_back({false, r});
    for (const auto c : s.members(nsp_))
      aims.push_back({true, c});
    // Everything else in one draw, of generators that shrink. RapidCheck shrinks a tuple a
    // component at a time with the others kept, and a list by dropping elements; after a separate
    // draw shrinks, the draws that follow it are made again, so a failing broadcast would keep
    // targets that play no part.
    const auto index = uniform(0, static_cast<int>(aims.size()));
    const auto [to, except, include_self, with_ack, binary, as_strings] =
        *rc::gen::tuple(rc::gen::resize(3, rc::gen::container<std::vector<int>>(index)),
                        rc::gen::resize(2, rc::gen::container<std::vector<int>>(index)),
                        uniform(-1, 2), one_in(3), one_in(5), one_in(2));
    for (const auto i : to)
      to_.push_back(aims[i]);
    for (const auto i : except)
      except_.push_back(aims[i]);
    include_self_ = include_self;
    with_ack_ = with_ack;
    binary_ = binary;
    as_strings_ = as_strings;
  }
  void checkPreconditions(const State& s) const override {
    RC_PRE(s.in(client_, nsp_));
    for (const auto* list : {&to_, &except_})
      for (const auto& a : *list)
        RC_PRE(!a.socket || s.in(a.index, nsp_));
  }
  void apply(State&) const override {}

  // Socket.IO's rule: the union of the `to` rooms (every socket when none), less the sockets in
  // an `except` room, less the sender unless includeSelf; each socket at most once.
  std::vector<int> recipients(const State& s) const {
    auto in_aim = [&](int c, const Aim& a) {
      return a.socket ? a.index == c : s.clients[c].sockets[nsp_]->rooms.count(a.index) > 0;
    };
    std::vector<int> out;
    for (const auto c : s.members(nsp_)) {
      const bool targeted =
          to_.empty() || std::any_of(to_.begin(), to_.end(), [&](auto& a) { return in_aim(c, a); });
      const bool excepted =
          std::any_of(except_.begin(), except_.end(), [&](auto& a) { return in_aim(c, a); });
      if (targeted && !excepted && (c != client_ || include_self_ == 1)) out.push_back(c);
    }
    return out;
  }
  std::string event() const { return with_ack_ ? "q" : "b"; }
  template <class J, class RoomOf>
  J request(int seq, int timeout_ms, RoomOf room_of) const {
    J args = J::array({seq});
    if (binary_) args.push_back(J{{"$bin", "AQID"}});
    J body{{"event", event()}, {"args", args}};
    auto rooms = [&](const std::vector<Aim>& aims) {
      if (aims.size() == 1 && as_strings_) return J(room_of(aims.front()));
      J list = J::array();
      for (const auto& a : aims)
        list.push_back(room_of(a));
      return list;
    };
    if (!to_.empty()) body["to"] = rooms(to_);
    if (!except_.empty()) body["except"] = rooms(except_);
    if (include_self_ >= 0) body["includeSelf"] = include_self_ == 1;
    if (with_ack_) body["timeoutMs"] = timeout_ms;
    return body;
  }
  void run(const State& s, Sut& sut) const override {
    const auto to = recipients(s);
    const auto body =
        request<Json>(sut.seq, kAckTimeoutMs, [&](const Aim& a) { return sut.room_of(a, nsp_); });
    std::string packet = (binary_ ? "binary " : "") +
                         std::string(with_ack_ ? "event+ack " : "event ") + nsp_label(nsp_) + " " +
                         Json::array({event(), body["args"][0]}).dump();
    if (binary_) packet.insert(packet.size() - 1, ",{\"$bin\":\"AQID\"}");
    for (const auto c : to)
      sut.expect(c, packet);
    const std::string name = with_ack_ ? "ctl:broadcast-with-ack" : "ctl:broadcast";
    const auto id = sut.emit(client_, nsp_, name, body);
    const auto what = "the ack of " + name;
    auto got = sut.ack_argument(
        client_, sut.await_ack(client_, nsp_, id, what, Ms(kAckTimeoutMs) + sut.timeout()),
        client_name(client_) + " " + what);
    Json want{{"ok", true}};
    if (with_ack_) {
      Json responses = Json::array();
      for (const auto c : to)
        responses.push_back(client_name(c));
      want["responses"] = responses;
      if (got.is_object() && got.contains("responses") && got["responses"].is_array())
        std::sort(got["responses"].begin(), got["responses"].end());
    }
    if (got != want)
      sut.fail(client_name(client_) + " " + what +
                   (with_ack_ ? " (the first ack argument of each recipient, in any order)" : ""),
               want.dump(), got.dump());
  }
  std::string describe(const State&) const override {
    auto list = [](const std::vector<Aim>& aims) {
      std::string out;
      for (const auto& a : aims)
        out += (out.empty() ? "" : ", ") + a.show();
      return "[" + out + "]";
    };
    std::string out = client_name(client_) + " on " + nsp_label(nsp_) + " broadcasts" +
                      (with_ack_ ? " with ack" : "") + (binary_ ? " (binary)" : "");
    if (!to_.empty()) out += " to " + list(to_);
    if (!except_.empty()) out += " except " + list(except_);
    if (include_self_ >= 0) out += include_self_ ? " includeSelf" : " includeSelf=false";
    return out;
  }
  void script(const State& s, int seq, Writer& w) const override {
    const auto body =
        request<Script>(seq, kAckTimeoutMs, [&](const Aim& a) { return Writer::room(a, nsp_); });
    const std::string name = with_ack_ ? "ctl:broadcast-with-ack" : "ctl:broadcast";
    Script args = body["args"];
    if (!with_ack_) {
      w.call(client_, nsp_, name, body, {{"ok", true}});
      for (const auto c : recipients(s))
        w.step("expect", {{"client", client_name(c)},
                          {"namespace", Writer::nsp(nsp_)},
                          {"event", event()},
                          {"args", args}});
      return;
    }
    Script responses = Script::array();
    for (const auto c : recipients(s))
      responses.push_back(client_name(c));
    w.lines.push_back("  - parallel:");
    w.call(client_, nsp_, name, body, {{"ok", true}, {"responses", responses}}, true, 6);
    for (const auto c : recipients(s))
      w.step("expect",
             {{"client", client_name(c)},
              {"namespace", Writer::nsp(nsp_)},
              {"event", event()},
              {"args", args},
              {"reply", Script::array({client_name(c), seq})}},
             6);
  }

 private:
  int client_ = 0, nsp_ = 0;
  std::vector<Aim> to_, except_;
  int include_self_ = -1;  // -1: absent
  bool with_ack_ = false;
  bool binary_ = false;
  bool as_strings_ = false;  // a single room written as a string rather than a list
};

// ctl:emit-with-ack: the server asks this socket for an ack and reports its arguments.
class EmitWithAck : public Step {
 public:
  explicit EmitWithAck(const State& s) { std::tie(client_, nsp_) = pick(sockets_where(s, true)); }
  void checkPreconditions(const State& s) const override { RC_PRE(s.in(client_, nsp_)); }
  void apply(State&) const override {}
  void run(const State&, Sut& sut) const override {
    sut.expect(client_, "event+ack " + nsp_label(nsp_) + " " + Json::array({"e", sut.seq}).dump());
    const auto id =
        sut.emit(client_, nsp_, "ctl:emit-with-ack",
                 Json{{"event", "e"}, {"args", {sut.seq}}, {"timeoutMs", kAckTimeoutMs}});
    const std::string what = "the ack of ctl:emit-with-ack";
    const auto got = sut.ack_argument(
        client_, sut.await_ack(client_, nsp_, id, what, Ms(kAckTimeoutMs) + sut.timeout()),
        client_name(client_) + " " + what);
    const Json want{{"ok", true}, {"response", {client_name(client_), sut.seq}}};
    if (got != want)
      sut.fail(client_name(client_) + " " + what + " (the arguments it acked with)", want.dump(),
               got.dump());
  }
  std::string describe(const State&) const override {
    return client_name(client_) + " on " + nsp_label(nsp_) + " asks ctl:emit-with-ack";
  }
  void script(const State&, int seq, Writer& w) const override {
    w.lines.push_back("  - parallel:");
    w.call(client_, nsp_, "ctl:emit-with-ack",
           Script{{"event", "e"}, {"args", {seq}}, {"timeoutMs", kAckTimeoutMs}},
           {{"ok", true}, {"response", {client_name(client_), seq}}}, false, 6);
    w.step("expect",
           {{"client", client_name(client_)},
            {"namespace", Writer::nsp(nsp_)},
            {"event", "e"},
            {"args", {seq}},
            {"reply", {client_name(client_), seq}}},
           6);
  }

 private:
  int client_ = 0, nsp_ = 0;
};

// ctl:sockets of a room (or of the whole namespace), and ctl:rooms.
class Query : public Step {
 public:
  explicit Query(const State& s) {
    std::tie(client_, nsp_) = pick(sockets_where(s, true));
    // -2: ctl:rooms, -1: ctl:sockets of the whole namespace, else of that room
    room_ = *rc::gen::weightedElement<int>({{1, -2}, {1, -1}, {2, 0}, {2, 1}, {2, 2}});
  }
  void checkPreconditions(const State& s) const override { RC_PRE(s.in(client_, nsp_)); }
  void apply(State&) const override {}
  Json want(const State& s, const Sut& sut) const {
    if (room_ == -2) return sorted_rooms(sut, s, client_, nsp_);
    std::vector<std::string> ids;
    for (const auto c : s.members(nsp_))
      if (room_ == -1 || s.clients[c].sockets[nsp_]->rooms.count(room_))
        ids.push_back(sut.sid(c, nsp_));
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  std::optional<Json> argument() const {
    if (room_ == -2) return std::nullopt;
    if (room_ == -1) return Json::object();
    return Json{{"room", std::string(kRooms[room_])}};
  }
  void run(const State& s, Sut& sut) const override {
    const std::string event = room_ == -2 ? "ctl:rooms" : "ctl:sockets";
    const auto id = sut.emit(client_, nsp_, event, argument());
    const auto what = "the ack of " + event + (argument() ? " " + argument()->dump() : "");
    const auto got = sut.ack_argument(client_, sut.await_ack(client_, nsp_, id, what),
                                      client_name(client_) + " " + what);
    const auto expected = want(s, sut);
    if (got != expected)
      sut.fail(client_name(client_) + " " + what + " (sorted)", expected.dump(), got.dump());
  }
  std::string describe(const State&) const override {
    return client_name(client_) + " on " + nsp_label(nsp_) +
           (room_ == -2 ? " lists its rooms (ctl:rooms)"
            : room_ == -1
                ? " lists the namespace's sockets (ctl:sockets)"
                : " lists the sockets in " + std::string(kRooms[room_]) + " (ctl:sockets)");
  }
  void script(const State& s, int, Writer& w) const override {
    Script ids = Script::array();
    if (room_ == -2) {
      ids.push_back(Writer::sid(client_, nsp_));
      for (const auto r : s.clients[client_].sockets[nsp_]->rooms)
        ids.push_back(std::string(kRooms[r]));
    } else {
      for (const auto c : s.members(nsp_))
        if (room_ == -1 || s.clients[c].sockets[nsp_]->rooms.count(room_))
          ids.push_back(Writer::sid(c, nsp_));
    }
    const auto arg = argument();
    w.call(client_, nsp_, room_ == -2 ? "ctl:rooms" : "ctl:sockets",
           arg ? std::optional<Script>(Script::parse(arg->dump())) : std::nullopt, ids, true);
  }

 private:
  int client_ = 0, nsp_ = 0;
  int room_ = -1;
};

State initial_state(int clients) {
  State s;
  s.clients.resize(clients);
  return s;
}

std::string write_scenario(const rc::state::Commands<Step::CommandType>& commands,
                           const Options& options, const std::string& failure) {
  Writer w;
  auto s = initial_state(options.max_clients);
  std::set<int> used;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    const auto& step = static_cast<const Step&>(*commands[i]);
    w.comment(std::to_string(i + 1) + ". " + step.describe(s));
    step.script(s, static_cast<int>(i + 1), w);
    for (int c = 0; c < options.max_clients; ++c)
      if (s.clients[c].open) used.insert(c);
    step.apply(s);
    for (int c = 0; c < options.max_clients; ++c)
      if (s.clients[c].open) used.insert(c);
    w.fences(s);
  }
  std::ostringstream out;
  out << "# A counterexample found by `siocheck model --seed " << options.seed << "`, shrunk to "
      << commands.size() << " steps. After each step, ctl:fence on every socket and\n"
      << "# expect_nothing prove that nothing but the expected packets arrived.\n";
  std::istringstream why(failure);
  for (std::string line; std::getline(why, line);)
    out << "#   " << line << "\n";
  out << "name: siocheck model counterexample (seed " << options.seed << ", " << commands.size()
      << " steps)\nrequires: {level: extended}\nclients:\n";
  for (const auto c : used) {
    const bool polling = options.transports == Transports::polling ||
                         (options.transports == Transports::mixed && c % 2 == 1);
    out << "  " << client_name(c) << ": {namespace: \"/dyn-${run}0\""
        << (polling ? ", transport: polling" : "") << "}\n";
  }
  if (used.empty()) out << "  c1: {namespace: \"/dyn-${run}0\"}\n";
  out << "steps:\n";
  for (const auto& line : w.lines)
    out << line << "\n";
  return out.str();
}

class Listener : public rc::detail::TestListener {
 public:
  explicit Listener(const std::function<void(const Progress&)>& report) : report_(report) {}
  void onTestCaseFinished(const rc::detail::CaseDescription&) override {
    ++progress_.runs;
    if (report_) report_(progress_);
  }
  void onShrinkTried(const rc::detail::CaseDescription&, bool accepted) override {
    progress_.shrinking = true;
    ++progress_.tried;
    if (accepted) ++progress_.shrinks;
    if (report_) report_(progress_);
  }
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
  const Progress& progress() const { return progress_; }

 private:
  const std::function<void(const Progress&)>& report_;
  Progress progress_;
};

}  // namespace

std::string_view to_string(Transports t) noexcept {
  switch (t) {
    case Transports::websocket:
      return "websocket";
    case Transports::polling:
      return "polling";
    case Transports::mixed:
      return "mixed";
  }
  return "?";
}

Outcome check(const Options& options, const std::function<void(const Progress&)>& progress) {
  Outcome outcome;
  std::mt19937_64 rng(options.seed);
  const auto base = 100000 + rng() % 800000;  // namespaces of this check: /dyn-<base><run><n>
  long run_number = 0;
  int steps_passed = 0;
  struct Last {
    std::vector<std::string> lines;
    std::string failure;
    std::string scenario;
    std::string trace;
  };
  std::optional<Last> last;

  const auto property = rc::detail::toProperty([&] {
    const auto s0 = initial_state(options.max_clients);
    const auto commands = *rc::state::gen::commands(
        s0, rc::state::gen::execOneOfWithArgs<Connect, Connect, Disconnect, ServerDisconnect, Join,
                                              Join, Leave, Broadcast, Broadcast, Broadcast,
                                              EmitWithAck, Query, Query>());
    Sut sut(options, std::to_string(base) + std::to_string(run_number++));
    auto s = s0;
    std::vector<std::string> lines;
    try {
      for (std::size_t i = 0; i < commands.size(); ++i) {
        const auto& step = static_cast<const Step&>(*commands[i]);
        sut.seq = static_cast<int>(i + 1);
        lines.push_back(step.describe(s));
        step.run(s, sut);
        step.apply(s);
        sut.verify(s);
      }
    } catch (const Failure& f) {
      last = Last{lines, f.text, write_scenario(commands, options, f.text), f.trace};
      RC_FAIL(f.text);
    }
    steps_passed += static_cast<int>(commands.size());
  });

  // RapidCheck reads RC_PARAMS on first use and announces it on stderr; the parameters here come
  // from the command line, so that announcement would only confuse.
  {
    std::ostringstream quiet;
    auto* saved = std::cerr.rdbuf(quiet.rdbuf());
    (void)rc::detail::configuration();
    std::cerr.rdbuf(saved);
  }
  rc::detail::TestParams params;
  params.seed = options.seed;
  params.maxSuccess = options.runs;
  params.maxSize = options.max_steps - 1;  // a run has 1 to maxSize + 1 steps
  Listener listener(progress);
  rc::detail::TestMetadata metadata;
  metadata.id = "siocheck model";
  metadata.description = "Socket.IO rooms, broadcasts and acks";
  const auto result = rc::detail::checkProperty(property, metadata, params, listener);
  outcome.shrinks = listener.progress().shrinks;
  rc::detail::SuccessResult success;
  rc::detail::FailureResult failure;
  rc::detail::GaveUpResult gave_up;
  rc::detail::Error error;
  if (result.match(success)) {
    outcome.passed = true;
    outcome.runs = success.numSuccess;
    outcome.steps = steps_passed;
  } else if (result.match(failure)) {
    outcome.runs = failure.numSuccess;
    if (last) {
      outcome.sequence = last->lines;
      outcome.failure = last->failure;
      outcome.scenario = last->scenario;
      outcome.trace = last->trace;
    } else {
      outcome.error = "the property failed outside a step: " + failure.description;
    }
  } else if (result.match(gave_up)) {
    outcome.error = "RapidCheck gave up: " + gave_up.description;
  } else if (result.match(error)) {
    outcome.error = "RapidCheck could not run the model: " + error.description;
  }
  return outcome;
}

}  // namespace conform::model
