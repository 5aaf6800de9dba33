// Running a scenario script: one event loop, every client a connection of its own.
#include <algorithm>
#include <deque>
#include <memory>
#include <random>
#include <set>

#include "match.hpp"
#include "siocheck/codec/bin.hpp"
#include "siocheck/scenario/run_script.hpp"

namespace conform::scenario {

using codec::Json;

namespace {

struct Failure {
  Position at;
  std::string what;  // "expect (client bob): event news"
  std::string expected;
  std::string observed;
};

struct Client {
  const ClientSpec* spec = nullptr;
  std::unique_ptr<SioClient> io;
  std::deque<SioReceived> inbox;
  std::set<std::string> joined;
};

class Runner {
 public:
  Runner(const Script& script, const RunSettings& settings)
      : script_(script), settings_(settings), loop_(settings.target) {
    for (const auto& spec : script.clients)
      clients_[spec.name].spec = &spec;
    // ${run}: a number of this run's own, for namespaces and rooms no other run uses.
    std::random_device seed;
    std::mt19937_64 rng(seed());
    vars_["run"] = std::to_string(100000000 + rng() % 900000000);
  }

  std::vector<TraceEntry>& trace() { return loop_.trace(); }
  std::size_t steps_run() const { return steps_run_; }

  // Runs every step; the first failure ends the script.
  std::optional<Failure> run() {
    try {
      for (const auto& s : script_.steps) {
        const auto start = Clock::now();
        execute(s, start);
      }
    } catch (const Failure& f) {
      return f;
    }
    for (auto& [name, c] : clients_)
      if (c.io && !c.io->closed()) c.io->eio().close();
    return std::nullopt;
  }

 private:
  Ms derived_deadline() const { return derived_; }

  [[noreturn]] void fail(const Step& s, std::string expected, std::string observed,
                         std::string detail = "") {
    std::string what = std::string(to_string(s.kind)) + " (client " + s.client + ")";
    if (!detail.empty()) what += ": " + detail;
    throw Failure{s.at, std::move(what), std::move(expected), std::move(observed)};
  }

  Client& client(const Step& s) { return clients_.at(s.client); }
  std::string nsp_of(const Step& s) {
    return substitute(s, Json(s.nsp.value_or(clients_.at(s.client).spec->nsp))).get<std::string>();
  }

  // ${var} in every string of `value`; a string that is only ${var} becomes the value itself.
  Json substitute(const Step& s, const Json& value) {
    if (value.is_string()) {
      // Innermost first, so that ${alice.sid./dyn-${run}} works; a string that is one ${var}
      // becomes that value.
      auto text = value.get<std::string>();
      for (int rounds = 0; rounds < 100; ++rounds) {
        const auto close = text.find('}');
        if (close == std::string::npos) break;
        const auto open = text.rfind("${", close);
        if (open == std::string::npos) break;
        const auto v = lookup(s, text.substr(open + 2, close - open - 2));
        if (open == 0 && close + 1 == text.size()) return v;
        text.replace(open, close - open + 1, v.is_string() ? v.get<std::string>() : codec::dump(v));
      }
      return text;
    }
    if (value.is_array()) {
      Json out = Json::array();
      for (const auto& v : value)
        out.push_back(substitute(s, v));
      return out;
    }
    if (value.is_object()) {
      Json out = Json::object();
      for (const auto& [k, v] : value.items())
        out[k] = substitute(s, v);
      return out;
    }
    return value;
  }

  Json lookup(const Step& s, const std::string& var) {
    const auto it = vars_.find(var);
    if (it == vars_.end()) {
      std::string known;
      for (const auto& [k, v] : vars_)
        known += (known.empty() ? "" : ", ") + k;
      fail(s, "a captured value ${" + var + "}",
           "none by that name (captured so far: " + (known.empty() ? "none" : known) + ")");
    }
    return it->second;
  }

  void ensure_open(const Step& s, Client& c) {
    if (c.io && !c.io->closed()) return;
    c.inbox.clear();
    c.joined.clear();
    c.io = std::make_unique<SioClient>(loop_, c.spec->transport, c.spec->name);
    loop_.note("--", c.spec->name + " opens a session (" +
                         std::string(conform::to_string(c.spec->transport)) + ")");
    if (!c.io->open(Ms(5000))) fail(s, "an Engine.IO session", "none: " + c.io->error());
    const auto hb = c.io->eio().ping_interval() + c.io->eio().ping_timeout();
    derived_ = std::clamp(std::chrono::duration_cast<Ms>(hb), Ms(1000), Ms(5000));
  }

  // The first packet on `nsp` that `pred` accepts (from the inbox, then the wire), or nullopt.
  template <class Pred>
  std::optional<SioReceived> take(Client& c, Pred pred, Clock::time_point deadline) {
    for (auto it = c.inbox.begin(); it != c.inbox.end(); ++it)
      if (pred(*it)) {
        auto found = std::move(*it);
        c.inbox.erase(it);
        return found;
      }
    while (c.io && Clock::now() < deadline) {
      auto got = c.io->next(std::chrono::duration_cast<Ms>(deadline - Clock::now()));
      if (!got) break;
      if (pred(*got)) return got;
      c.inbox.push_back(std::move(*got));
    }
    return std::nullopt;
  }

  std::string queued(const Client& c) {
    std::string out;
    for (const auto& r : c.inbox) {
      if (out.size() > 600) {
        out += " | ...";
        break;
      }
      out += (out.empty() ? "" : " | ") + r.text;
      for (const auto& a : r.attachments)
        out += " <" + std::to_string(a.size()) + " bytes>";
    }
    if (c.io && c.io->closed())
      out += std::string(out.empty() ? "" : "; ") + "the connection ended (" + c.io->end_reason() +
             ")";
    return out.empty() ? "nothing" : out;
  }

  // The event's arguments (binary as {"$bin":...}) and name, when `r` is an EVENT on `nsp`.
  static std::optional<std::pair<std::string, Json>> event_of(const SioReceived& r,
                                                              const std::string& nsp) {
    if ((r.packet.type != 2 && r.packet.type != 5) || r.packet.nsp != nsp) return std::nullopt;
    auto json = codec::parse_json(r.packet.data);
    if (!json || !json->is_array() || json->empty()) return std::nullopt;
    auto args = codec::with_binary(*json, r.attachments);
    const auto& head = args[0];
    std::string name = head.is_string() ? head.get<std::string>() : codec::dump(head);
    args.erase(args.begin());
    return std::make_pair(std::move(name), std::move(args));
  }

  // Sends a packet whose data may hold binary: BINARY_EVENT/BINARY_ACK with attachments.
  void send_packet(Client& c, int type, const std::string& nsp, std::optional<std::uint64_t> id,
                   const Json& data) {
    std::vector<std::string> attachments;
    const auto wire = codec::to_placeholders(data, attachments);
    if (attachments.empty()) {
      c.io->send(codec::sio_text(type, nsp, id, codec::dump(wire)));
      return;
    }
    c.io->send(codec::sio_text(type == 2 ? 5 : 6, nsp, id, codec::dump(wire),
                               static_cast<int>(attachments.size())));
    for (auto& a : attachments)
      c.io->send_binary(std::move(a));
  }

  void store(const Step& s, const Json& args) {
    for (const auto& [var, path] : s.capture) {
      Json at = args;
      std::stringstream parts(path);
      std::string part;
      while (std::getline(parts, part, '.')) {
        if (at.is_array() && !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit) &&
            std::stoul(part) < at.size()) {
          at = at[std::stoul(part)];
        } else if (at.is_object() && at.contains(part)) {
          at = at[part];
        } else {
          fail(s, "a value at " + path + " to capture as ${" + var + "}",
               "no such value in " + show(args));
        }
      }
      vars_[var] = at;
    }
  }

  void connect(const Step& s, Client& c, bool expect_refusal) {
    ensure_open(s, c);
    const auto nsp = nsp_of(s);
    const auto auth = s.auth         ? std::optional<Json>(substitute(s, *s.auth))
                      : c.spec->auth ? std::optional<Json>(substitute(s, *c.spec->auth))
                                     : std::nullopt;
    const auto home = substitute(s, Json(c.spec->nsp)).get<std::string>();
    loop_.note("--", s.client + " connects to " + nsp);
    c.io->send(codec::sio_text(0, nsp, std::nullopt, auth ? codec::dump(*auth) : ""));
    const auto deadline = Clock::now() + derived_deadline();
    auto got = take(
        c,
        [&](const SioReceived& r) {
          return r.packet.nsp == nsp && (r.packet.type == 0 || r.packet.type == 4);
        },
        deadline);
    const std::string prefix = nsp == "/" ? "" : nsp + ",";
    if (!got)
      fail(s, expect_refusal ? "4" + prefix + "{\"message\":...}" : "0" + prefix + "{\"sid\":...}",
           "no answer within " + std::to_string(derived_deadline().count()) +
               " ms; received: " + queued(c),
           "namespace " + nsp);
    const auto payload = codec::parse_json(got->packet.data);
    if (!expect_refusal) {
      if (got->packet.type != 0 || !payload || !payload->is_object() || !payload->contains("sid"))
        fail(s, "0" + prefix + "{\"sid\":...}", got->text, "namespace " + nsp);
      const auto sid = (*payload)["sid"].get<std::string>();
      vars_[s.client + ".sid." + nsp] = sid;
      if (nsp == home) vars_[s.client + ".sid"] = sid;
      c.joined.insert(nsp);
      return;
    }
    if (got->packet.type != 4 || !payload || !payload->is_object())
      fail(s, "4" + prefix + "{\"message\":...}", got->text, "namespace " + nsp);
    if (s.message && (!payload->contains("message") || (*payload)["message"] != *s.message))
      fail(s, "message " + show(Json(*s.message)), got->text, "namespace " + nsp);
    if (s.data && (!payload->contains("data") || !same((*payload)["data"], substitute(s, *s.data))))
      fail(s, "data " + show(substitute(s, *s.data)), got->text, "namespace " + nsp);
  }

  // Sends the EVENT; the ack id when the step waits for an ack.
  std::optional<std::uint64_t> send_emit(const Step& s, Client& c) {
    if (!c.io)
      fail(s, "a connected client", "the client never connected: add a connect step first");
    const auto nsp = nsp_of(s);
    Json data = Json::array();
    data.push_back(s.event);
    for (const auto& a : substitute(s, s.args))
      data.push_back(a);
    std::optional<std::uint64_t> id;
    if (s.wants_ack) id = c.io->next_id();
    loop_.note("--", s.client + " emits " + s.event + " on " + nsp);
    // The fixture's control events take {"$bin": ...} as JSON: the fixture makes the binary.
    if (s.event.starts_with("ctl:")) {
      c.io->send(codec::sio_text(2, nsp, id, codec::dump(data)));
    } else {
      send_packet(c, 2, nsp, id, data);
    }
    return id;
  }

  void await_ack(const Step& s, Client& c, std::uint64_t id, Clock::time_point block_start) {
    const auto nsp = nsp_of(s);
    const auto deadline = block_start + derived_deadline();
    auto got = take(
        c,
        [&](const SioReceived& r) {
          return (r.packet.type == 3 || r.packet.type == 6) && r.packet.nsp == nsp &&
                 r.packet.id == id;
        },
        deadline);
    const auto expected = substitute(s, *s.ack);
    if (!got)
      fail(s,
           "the ack " + std::to_string(id) + " " + show(expected) + " (" +
               std::string(match_name(s.match)) + ")",
           "no ack within " + std::to_string(derived_deadline().count()) +
               " ms; received: " + queued(c),
           "event " + s.event);
    const auto args = codec::parse_json(got->packet.data);
    if (!args || !args->is_array())
      fail(s, "an ack with a list of arguments", got->text, "event " + s.event);
    const auto shown = codec::with_binary(*args, got->attachments);
    if (!matches(s.match, expected, shown))
      fail(s, show(expected) + " (" + std::string(match_name(s.match)) + ")", show(shown),
           "the ack of " + s.event);
    store(s, shown);
  }

  void expect(const Step& s, Client& c, Clock::time_point block_start) {
    const auto nsp = nsp_of(s);
    const auto within = Ms(s.within_ms.value_or(static_cast<int>(derived_deadline().count())));
    const auto expected = substitute(s, s.args);
    const auto how = s.has_args ? s.match : Match::any;
    std::optional<std::pair<std::string, Json>> near;
    auto got = take(
        c,
        [&](const SioReceived& r) {
          auto e = event_of(r, nsp);
          if (!e || e->first != s.event) return false;
          if (matches(how, expected, e->second)) return true;
          near = e;
          return false;
        },
        block_start + within);
    const std::string want =
        "event " + s.event +
        (s.has_args ? " " + show(expected) + " (" + std::string(match_name(how)) + ")" : "");
    if (!got)
      fail(s, want + " within " + std::to_string(within.count()) + " ms",
           (near ? "a " + s.event + " with other arguments: " + show(near->second) + "; "
                 : std::string()) +
               "received: " + queued(c),
           "event " + s.event);
    const auto e = event_of(*got, nsp);
    store(s, e->second);
    if (s.reply) {
      if (!got->packet.id)
        fail(s, "an event with an ack id to reply to", got->text, "event " + s.event);
      send_packet(c, 3, nsp, got->packet.id, substitute(s, *s.reply));
    }
  }

  void expect_nothing(const Step& s, Client& c) {
    if (!c.io) return;
    const auto nsp = nsp_of(s);
    auto counts = [&](const SioReceived& r) {
      auto e = event_of(r, nsp);
      if (!e) return false;
      return s.events.empty() ||
             std::find(s.events.begin(), s.events.end(), e->first) != s.events.end();
    };
    auto got = take(c, counts, Clock::now() + Ms(s.quiet_ms));
    if (got)
      fail(s,
           "no event" + (s.events.empty() ? std::string() : " among " + show(Json(s.events))) +
               " for " + std::to_string(s.quiet_ms) + " ms",
           got->text);
  }

  // "io server disconnect": a DISCONNECT for the namespace came. "transport close": the whole
  // connection ended (DISCONNECT packets before the end are taken on the way). No reason: the
  // first of the two.
  void expect_disconnect(const Step& s, Client& c, Clock::time_point block_start) {
    if (!c.io) fail(s, "a connected client", "the client never connected");
    const auto nsp = nsp_of(s);
    const auto within = Ms(s.within_ms.value_or(static_cast<int>(derived_deadline().count())));
    const auto deadline = block_start + within;
    const bool whole = s.reason && *s.reason == "transport close";
    std::string reason;
    while (reason.empty()) {
      auto got = take(
          c,
          [&](const SioReceived& r) {
            return r.packet.type == 1 && (whole || r.packet.nsp == nsp);
          },
          deadline);
      if (got && !whole) {
        reason = "io server disconnect";
      } else if (c.io->closed()) {
        reason = "transport close";
      } else if (!got) {
        fail(s,
             "a disconnect within " + std::to_string(within.count()) + " ms" +
                 (s.reason ? " (" + *s.reason + ")" : ""),
             "still connected; received: " + queued(c));
      }
    }
    if (s.reason && reason != *s.reason)
      fail(s, *s.reason, reason + (c.io->closed() ? " (" + c.io->end_reason() + ")" : ""));
    c.joined.erase(nsp);
    if (whole) c.joined.clear();
  }

  void disconnect(const Step& s, Client& c) {
    if (!c.io) fail(s, "a connected client", "the client never connected");
    if (s.close) {
      loop_.note("--", s.client + " closes its session");
      c.io->eio().close();
      c.joined.clear();
      return;
    }
    const auto nsp = nsp_of(s);
    loop_.note("--", s.client + " leaves " + nsp);
    c.io->send(codec::sio_text(1, nsp));
    c.joined.erase(nsp);
  }

  void join_or_leave(const Step& s, Client& c) {
    if (!c.io) fail(s, "a connected client", "the client never connected");
    const auto nsp = nsp_of(s);
    const auto room = substitute(s, s.room);
    const auto event = s.kind == Step::Kind::join ? "ctl:join" : "ctl:leave";
    const auto id = c.io->next_id();
    Json data = Json::array({event, room});
    send_packet(c, 2, nsp, id, data);
    auto got = take(
        c,
        [&](const SioReceived& r) {
          return r.packet.type == 3 && r.packet.nsp == nsp && r.packet.id == id;
        },
        Clock::now() + derived_deadline());
    if (!got)
      fail(s, std::string("the ack of ") + event + " (the fixture's level extended)",
           "none within " + std::to_string(derived_deadline().count()) +
               " ms; received: " + queued(c));
    const auto rooms = codec::parse_json(got->packet.data);
    const auto wanted = room.is_array() ? room : Json::array({room});
    for (const auto& r : wanted) {
      const bool in = rooms && rooms->is_array() && rooms->size() == 1 && (*rooms)[0].is_array() &&
                      std::find((*rooms)[0].begin(), (*rooms)[0].end(), r) != (*rooms)[0].end();
      if (in != (s.kind == Step::Kind::join))
        fail(s,
             std::string(s.kind == Step::Kind::join ? "rooms including " : "rooms without ") +
                 show(r),
             got->text);
    }
  }

  void execute(const Step& s, Clock::time_point block_start) {
    ++steps_run_;
    switch (s.kind) {
      case Step::Kind::parallel: {
        // Every emit of the block goes out first, then the other steps run, then the acks are
        // awaited: an ack may depend on what the other steps do (a reply to the server).
        std::vector<std::optional<std::uint64_t>> ids(s.steps.size());
        for (std::size_t i = 0; i < s.steps.size(); ++i)
          if (s.steps[i].kind == Step::Kind::emit) {
            ++steps_run_;
            ids[i] = send_emit(s.steps[i], client(s.steps[i]));
          }
        for (std::size_t i = 0; i < s.steps.size(); ++i)
          if (s.steps[i].kind != Step::Kind::emit) execute(s.steps[i], block_start);
        for (std::size_t i = 0; i < s.steps.size(); ++i)
          if (ids[i]) await_ack(s.steps[i], client(s.steps[i]), *ids[i], block_start);
        return;
      }
      case Step::Kind::connect:
        return connect(s, client(s), false);
      case Step::Kind::connect_error:
        return connect(s, client(s), true);
      case Step::Kind::emit:
        if (const auto id = send_emit(s, client(s))) await_ack(s, client(s), *id, Clock::now());
        return;
      case Step::Kind::expect:
        if (!client(s).io) fail(s, "a connected client", "the client never connected");
        return expect(s, client(s), block_start);
      case Step::Kind::expect_nothing:
        return expect_nothing(s, client(s));
      case Step::Kind::expect_disconnect:
        return expect_disconnect(s, client(s), block_start);
      case Step::Kind::disconnect:
        return disconnect(s, client(s));
      case Step::Kind::join:
      case Step::Kind::leave:
        return join_or_leave(s, client(s));
      case Step::Kind::pause:
      case Step::Kind::resume: {
        auto& c = client(s);
        if (!c.io || c.io->eio().current() != Transport::polling)
          fail(s, "a connected polling client", c.io ? "a WebSocket client" : "never connected");
        loop_.note("--",
                   s.client + (s.kind == Step::Kind::pause ? " stops polling" : " polls again"));
        if (s.kind == Step::Kind::pause) {
          c.io->eio().stop_polling();
        } else {
          c.io->eio().resume_polling();
        }
        return;
      }
    }
  }

  const Script& script_;
  const RunSettings& settings_;
  Loop loop_;
  std::map<std::string, Client> clients_;
  std::map<std::string, Json> vars_;
  Ms derived_ = Ms(1000);
  std::size_t steps_run_ = 0;
};

std::string skipped(const Script& script, const RunSettings& settings) {
  if (script.app != settings.app)
    return "needs app " + std::string(to_string(script.app)) + "; the target serves " +
           std::string(to_string(settings.app));
  if (script.level == FixtureLevel::extended && settings.level != FixtureLevel::extended)
    return "needs fixture level extended; the target is at level " +
           std::string(to_string(settings.level));
  for (const auto& f : script.features)
    if (std::find(settings.features.begin(), settings.features.end(), f) == settings.features.end())
      return "needs feature " + f + " (say --feature " + f + " if the target has it)";
  return "";
}

}  // namespace

run::Outcome run(const Script& script, const RunSettings& settings) {
  run::Outcome outcome;
  if (auto why = skipped(script, settings); !why.empty()) {
    outcome.verdict = run::Verdict::unimplemented;
    outcome.reason = std::move(why);
    return outcome;
  }
  Runner runner(script, settings);
  const auto failure = runner.run();
  outcome.details = std::to_string(runner.steps_run()) + " steps";
  for (auto& entry : runner.trace())
    outcome.trace.push_back(
        {entry.at_ms, std::move(entry.what), std::move(entry.text), std::move(entry.conn)});
  if (failure) {
    const std::string where = script.file + ":" + std::to_string(failure->at.line) + ":" +
                              std::to_string(failure->at.column) + ": " + failure->what;
    outcome.verdict = run::Verdict::fail;
    outcome.reason = where;
    outcome.checks.push_back({where, failure->expected, failure->observed, false});
  }
  return outcome;
}

run::UnitInfo unit_info(const Script& script) {
  const auto slash = script.file.find_last_of('/');
  auto stem = script.file.substr(slash == std::string::npos ? 0 : slash + 1);
  if (const auto dot = stem.rfind('.'); dot != std::string::npos) stem.resize(dot);
  return {.id = stem,
          .name = script.file,
          .group = "scenario",
          .title = script.name,
          .requirement = script.description,
          .source = script.file};
}

std::vector<run::Unit> units(const std::vector<Script>& scripts, const RunSettings& settings) {
  std::vector<run::Unit> out;
  for (const auto& script : scripts)
    out.push_back({unit_info(script), [&script, &settings] { return run(script, settings); }});
  return out;
}

}  // namespace conform::scenario
