#include "scenario.hpp"

#include "runner.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <sstream>

namespace conform::scenario {

using codec::Json;

namespace {

// ---- parsing --------------------------------------------------------------------------------

struct BadScript {
  Position at;
  std::string what;
};

Position position_of(const YAML::Node& node) {
  const auto mark = node.Mark();
  return {mark.line + 1, mark.column + 1};
}

[[noreturn]] void bad(const YAML::Node& node, std::string what) {
  throw BadScript{position_of(node), std::move(what)};
}

std::string kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    default:
      return "nothing";
  }
}

// A YAML value as JSON: plain scalars are typed as YAML 1.2 core types, quoted ones are strings.
Json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node)
        out.push_back(to_json(item));
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) bad(kv.first, "object keys must be strings");
        out[kv.first.Scalar()] = to_json(kv.second);
      }
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return s;  // quoted
      if (s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
      if (s == "true" || s == "True" || s == "TRUE") return true;
      if (s == "false" || s == "False" || s == "FALSE") return false;
      static const std::regex integer(R"([-+]?[0-9]+)");
      static const std::regex real(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
      if (std::regex_match(s, integer)) {
        try {
          return std::stoll(s);
        } catch (const std::out_of_range&) {
          return std::stod(s);
        }
      }
      if (std::regex_match(s, real)) return std::stod(s);
      return s;
    }
    default:
      return nullptr;
  }
}

std::string text_of(const YAML::Node& node, std::string_view what) {
  if (!node.IsScalar())
    bad(node, std::string(what) + ": expected a string, found " + kind_of(node));
  return node.Scalar();
}

int ms_of(const YAML::Node& node, std::string_view what) {
  const auto json = to_json(node);
  if (!json.is_number_integer() || json.get<long long>() < 0 || json.get<long long>() > 600000)
    bad(node, std::string(what) + ": expected milliseconds (0 to 600000), found " + kind_of(node));
  return static_cast<int>(json.get<long long>());
}

// Checks that `map` is a mapping with only `allowed` keys.
void only_keys(const YAML::Node& map, std::string_view where,
               std::initializer_list<std::string_view> allowed) {
  if (!map.IsMap()) bad(map, std::string(where) + ": expected a mapping, found " + kind_of(map));
  for (const auto& kv : map) {
    const auto key = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (auto a : allowed)
        list += (list.empty() ? "" : ", ") + std::string(a);
      bad(kv.first,
          std::string(where) + ": unknown key '" + key + "' (expected one of: " + list + ")");
    }
  }
}

YAML::Node required(const YAML::Node& map, const char* key, std::string_view where) {
  auto node = map[key];
  if (!node) bad(map, std::string(where) + ": '" + key + "' is required");
  return node;
}

std::string namespace_of(const YAML::Node& node, std::string_view where) {
  auto nsp = text_of(node, std::string(where) + ".namespace");
  if (!nsp.starts_with("/"))
    bad(node, std::string(where) + ".namespace: '" + nsp + "' must start with /");
  return nsp;
}

Json object_of(const YAML::Node& node, std::string_view what) {
  auto json = to_json(node);
  if (!json.is_object())
    bad(node, std::string(what) + ": expected an object, found " + kind_of(node));
  return json;
}

Json list_of(const YAML::Node& node, std::string_view what) {
  auto json = to_json(node);
  if (!json.is_array()) bad(node, std::string(what) + ": expected a list, found " + kind_of(node));
  return json;
}

Match match_of(const YAML::Node& node, std::string_view what) {
  const auto s = text_of(node, what);
  if (s == "exact") return Match::exact;
  if (s == "subset") return Match::subset;
  if (s == "regex") return Match::regex;
  if (s == "any") return Match::any;
  if (s == "unordered") return Match::unordered;
  bad(node, std::string(what) + ": '" + s + "' is not one of exact, unordered, subset, regex, any");
}

class Parser {
 public:
  explicit Parser(Script& script) : script_(script) {}

  void top(const YAML::Node& root) {
    only_keys(root, "the script", {"name", "requires", "clients", "steps"});
    script_.name = text_of(required(root, "name", "the script"), "name");
    if (auto req = root["requires"]) {
      only_keys(req, "requires", {"level", "app", "features"});
      if (auto features = req["features"]) {
        if (!features.IsSequence())
          bad(features, "requires.features: expected a list of feature names");
        static const std::regex name(R"([a-z0-9][a-z0-9-]*)");
        for (const auto& f : features) {
          const auto feature = text_of(f, "requires.features");
          if (!std::regex_match(feature, name))
            bad(f, "requires.features: '" + feature +
                       "' is not a feature name (lower-case letters, digits and -)");
          script_.features.push_back(feature);
        }
      }
      if (auto level = req["level"]) {
        script_.level = text_of(level, "requires.level");
        if (script_.level != "official" && script_.level != "extended")
          bad(level, "requires.level: '" + script_.level + "' is not official or extended");
      }
      if (auto app = req["app"]) {
        script_.app = text_of(app, "requires.app");
        if (script_.app != "fixture" && script_.app != "signaling")
          bad(app, "requires.app: '" + script_.app + "' is not fixture or signaling");
      }
    }
    const auto clients = required(root, "clients", "the script");
    if (!clients.IsMap() || clients.size() == 0)
      bad(clients, "clients: expected a mapping of client names, found " + kind_of(clients));
    for (const auto& kv : clients) {
      ClientSpec c;
      c.name = text_of(kv.first, "a client name");
      c.at = position_of(kv.first);
      static const std::regex name(R"([A-Za-z_][A-Za-z0-9_-]*)");
      if (!std::regex_match(c.name, name))
        bad(kv.first, "clients: '" + c.name + "' is not a valid name (letters, digits, _ and -)");
      const std::string where = "clients." + c.name;
      const auto& spec = kv.second;
      if (!spec.IsNull()) {
        only_keys(spec, where, {"namespace", "auth", "transport", "count"});
        if (auto n = spec["count"]) {
          const auto count = to_json(n);
          if (!count.is_number_integer() || count.get<long long>() < 1 ||
              count.get<long long>() > 1000)
            bad(n, where + ".count: expected a number of clients from 1 to 1000");
          c.count = static_cast<int>(count.get<long long>());
        }
        if (spec["namespace"]) c.nsp = namespace_of(spec["namespace"], where);
        if (spec["auth"]) c.auth = object_of(spec["auth"], where + ".auth");
        if (auto t = spec["transport"]) {
          const auto s = text_of(t, where + ".transport");
          if (s == "polling") {
            c.transport = Transport::polling;
          } else if (s == "websocket") {
            c.transport = Transport::websocket;
          } else if (s == "upgrade") {
            c.transport = Transport::upgrade;
          } else {
            bad(t, where + ".transport: '" + s + "' is not polling, websocket or upgrade");
          }
        }
      }
      if (c.count == 0) {
        names_.insert(c.name);
        script_.clients.push_back(std::move(c));
      } else {  // name1 ... nameN
        for (int i = 1; i <= c.count; ++i) {
          ClientSpec one = c;
          one.name = c.name + std::to_string(i);
          one.count = 0;
          names_.insert(one.name);
          script_.clients.push_back(std::move(one));
        }
      }
    }
    const auto steps = required(root, "steps", "the script");
    script_.steps = step_list(steps, "steps");
    if (script_.steps.empty()) bad(steps, "steps: the script has no step");
  }

 private:
  std::vector<Step> step_list(const YAML::Node& node, const std::string& where) {
    if (!node.IsSequence()) bad(node, where + ": expected a list of steps, found " + kind_of(node));
    std::vector<Step> out;
    for (std::size_t i = 0; i < node.size(); ++i)
      out.push_back(step(node[i], where + "[" + std::to_string(i) + "]"));
    return out;
  }

  // A client's name, or a glob (user*) that names at least one client.
  std::string client_name(const YAML::Node& node, const std::string& where) {
    auto name = text_of(node, where);
    const bool glob = name.find_first_of("*?") != std::string::npos;
    const bool known = glob ? std::any_of(names_.begin(), names_.end(),
                                          [&](const std::string& n) { return glob_match(name, n); })
                            : names_.contains(name);
    if (!known) {
      std::string list;
      for (const auto& n : names_)
        list += (list.empty() ? "" : ", ") + n;
      bad(node, where + ": no client named '" + name + "' (the clients are: " + list + ")");
    }
    return name;
  }

  void captures(const YAML::Node& node, const std::string& where, Step& s) {
    if (!node.IsMap()) bad(node, where + ": expected a mapping of variable: path");
    for (const auto& kv : node) {
      const auto var = text_of(kv.first, where);
      static const std::regex name(R"([A-Za-z_][A-Za-z0-9_]*)");
      if (!std::regex_match(var, name))
        bad(kv.first, where + ": '" + var + "' is not a valid name");
      const auto path = to_json(kv.second);
      if (!path.is_string() && !path.is_number_integer())
        bad(kv.second, where + "." + var + ": expected a path such as 0 or 0.id");
      s.capture[var] =
          path.is_string() ? path.get<std::string>() : std::to_string(path.get<long long>());
    }
  }

  // A step is a mapping with one key, its kind.
  Step step(const YAML::Node& node, const std::string& where) {
    if (!node.IsMap() || node.size() != 1)
      bad(node, where + ": expected a step (a mapping with one key such as connect, emit, expect)");
    const auto key = node.begin()->first;
    const auto body = node.begin()->second;
    const auto kind = key.Scalar();
    Step s;
    s.at = position_of(key);
    const std::string here = where + "." + kind;
    auto client_or_map = [&](std::initializer_list<std::string_view> keys) {
      if (body.IsScalar()) {
        s.client = client_name(body, here);
        return false;
      }
      only_keys(body, here, keys);
      s.client = client_name(required(body, "client", here), here + ".client");
      if (body["namespace"]) s.nsp = namespace_of(body["namespace"], here);
      return true;
    };
    if (kind == "connect") {
      s.kind = Step::Kind::connect;
      if (body.IsSequence()) {  // connect: [a, b] is a connect per client
        Step group;
        group.kind = Step::Kind::parallel;
        group.at = s.at;
        for (const auto& item : body) {
          Step one;
          one.kind = Step::Kind::connect;
          one.at = position_of(item);
          one.client = client_name(item, here);
          for (auto& each : expand(std::move(one)))
            group.steps.push_back(std::move(each));
        }
        return group;
      }
      if (client_or_map({"client", "namespace", "auth"}) && body["auth"])
        s.auth = object_of(body["auth"], here + ".auth");
    } else if (kind == "connect_error") {
      s.kind = Step::Kind::connect_error;
      if (client_or_map({"client", "namespace", "auth", "message", "data"})) {
        if (body["auth"]) s.auth = object_of(body["auth"], here + ".auth");
        if (body["message"]) s.message = text_of(body["message"], here + ".message");
        if (body["data"]) s.data = to_json(body["data"]);
      }
    } else if (kind == "emit") {
      s.kind = Step::Kind::emit;
      client_or_map({"client", "event", "args", "namespace", "ack", "ack_match", "capture"});
      s.event = text_of(required(body, "event", here), here + ".event");
      if (body["args"]) s.args = list_of(body["args"], here + ".args");
      if (body["ack"]) {
        s.wants_ack = true;
        s.ack = list_of(body["ack"], here + ".ack");
      }
      if (body["ack_match"]) {
        s.wants_ack = true;
        s.match = match_of(body["ack_match"], here + ".ack_match");
        if (!s.ack) s.ack = Json::array();
      }
      if (body["capture"]) {
        if (!s.wants_ack)
          bad(body["capture"], here + ".capture: captures come from the ack: add ack or ack_match");
        captures(body["capture"], here + ".capture", s);
      }
    } else if (kind == "expect") {
      s.kind = Step::Kind::expect;
      client_or_map(
          {"client", "event", "args", "match", "namespace", "within", "reply", "capture"});
      s.event = text_of(required(body, "event", here), here + ".event");
      if (body["args"]) {
        s.args = list_of(body["args"], here + ".args");
        s.has_args = true;
      }
      if (body["match"]) s.match = match_of(body["match"], here + ".match");
      if (s.match == Match::regex)
        for (std::size_t i = 0; i < s.args.size(); ++i) {
          if (!s.args[i].is_string())
            bad(body["args"],
                here +
                    ".args: with match: regex every argument is a regular expression (a string)");
          try {
            std::regex check(s.args[i].get<std::string>(), std::regex::ECMAScript);
          } catch (const std::regex_error& e) {
            bad(body["args"],
                here + ".args[" + std::to_string(i) + "]: not a regular expression: " + e.what());
          }
        }
      if (body["within"]) s.within_ms = ms_of(body["within"], here + ".within");
      if (body["reply"]) s.reply = list_of(body["reply"], here + ".reply");
      if (body["capture"]) captures(body["capture"], here + ".capture", s);
    } else if (kind == "expect_nothing") {
      s.kind = Step::Kind::expect_nothing;
      if (client_or_map({"client", "namespace", "for", "events"})) {
        if (body["for"]) s.quiet_ms = ms_of(body["for"], here + ".for");
        if (auto events = body["events"]) {
          if (!events.IsSequence()) bad(events, here + ".events: expected a list of event names");
          for (const auto& e : events)
            s.events.push_back(text_of(e, here + ".events"));
        }
      }
    } else if (kind == "expect_disconnect") {
      s.kind = Step::Kind::expect_disconnect;
      if (client_or_map({"client", "reason", "namespace", "within"})) {
        if (auto r = body["reason"]) {
          s.reason = text_of(r, here + ".reason");
          if (*s.reason != "io server disconnect" && *s.reason != "transport close")
            bad(r, here + ".reason: '" + *s.reason +
                       "' is not 'io server disconnect' or 'transport close'");
        }
        if (body["within"]) s.within_ms = ms_of(body["within"], here + ".within");
      }
    } else if (kind == "disconnect") {
      s.kind = Step::Kind::disconnect;
      if (client_or_map({"client", "namespace", "close"}) && body["close"]) {
        const auto close = to_json(body["close"]);
        if (!close.is_boolean()) bad(body["close"], here + ".close: expected true or false");
        s.close = close.get<bool>();
      }
    } else if (kind == "join" || kind == "leave") {
      s.kind = kind == "join" ? Step::Kind::join : Step::Kind::leave;
      client_or_map({"client", "room", "namespace"});
      s.room = to_json(required(body, "room", here));
      const bool ok =
          s.room.is_string() ||
          (s.room.is_array() &&
           std::all_of(s.room.begin(), s.room.end(), [](const Json& r) { return r.is_string(); }));
      if (!ok) bad(body["room"], here + ".room: expected a room name or a list of names");
    } else if (kind == "pause" || kind == "resume") {
      s.kind = kind == "pause" ? Step::Kind::pause : Step::Kind::resume;
      client_or_map({"client"});
    } else if (kind == "parallel") {
      s.kind = Step::Kind::parallel;
      // A step for a glob of clients is itself a block: its steps join this one.
      for (auto& inner : step_list(body, here)) {
        if (inner.kind == Step::Kind::parallel) {
          for (auto& each : inner.steps)
            s.steps.push_back(std::move(each));
        } else {
          s.steps.push_back(std::move(inner));
        }
      }
    } else {
      bad(key, where + ": unknown step '" + kind +
                   "' (expected connect, connect_error, emit, expect, expect_nothing, "
                   "expect_disconnect, disconnect, join, leave, pause, resume or parallel)");
    }
    if (s.kind == Step::Kind::parallel || s.client.find_first_of("*?") == std::string::npos)
      return s;
    Step group;
    group.kind = Step::Kind::parallel;
    group.at = s.at;
    group.steps = expand(std::move(s));
    return group;
  }

  // A step for a glob of clients: one step per client it names, in the order of the clients.
  std::vector<Step> expand(Step s) {
    if (s.client.find_first_of("*?") == std::string::npos) return {std::move(s)};
    std::vector<Step> out;
    for (const auto& c : script_.clients)
      if (glob_match(s.client, c.name)) {
        Step one = s;
        one.client = c.name;
        out.push_back(std::move(one));
      }
    return out;
  }

  Script& script_;
  std::set<std::string> names_;
};

// ---- running --------------------------------------------------------------------------------

struct Failure {
  Position at;
  std::string what;  // "expect (client bob): event news"
  std::string expected;
  std::string observed;
};

std::string show(const Json& value) {
  return codec::dump(value);
}

// Equal as JSON values (object key order does not count).
bool same(const Json& a, const Json& b) {
  return nlohmann::json::parse(codec::dump(a)) == nlohmann::json::parse(codec::dump(b));
}

bool contains(const Json& big, const Json& small) {
  if (small.is_object()) {
    if (!big.is_object()) return false;
    for (const auto& [k, v] : small.items())
      if (!big.contains(k) || !contains(big[k], v)) return false;
    return true;
  }
  if (small.is_array()) {
    if (!big.is_array() || big.size() < small.size()) return false;
    for (std::size_t i = 0; i < small.size(); ++i)
      if (!contains(big[i], small[i])) return false;
    return true;
  }
  return same(big, small);
}

// The value with every array sorted (by its elements' JSON text), recursively.
nlohmann::json sorted(const nlohmann::json& v) {
  if (v.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, x] : v.items())
      out[k] = sorted(x);
    return out;
  }
  if (!v.is_array()) return v;
  std::vector<nlohmann::json> items;
  for (const auto& x : v)
    items.push_back(sorted(x));
  std::sort(items.begin(), items.end(),
            [](const nlohmann::json& a, const nlohmann::json& b) { return a.dump() < b.dump(); });
  return nlohmann::json(items);
}

bool matches(Match how, const Json& expected, const Json& got) {
  switch (how) {
    case Match::unordered:
      return sorted(nlohmann::json::parse(codec::dump(expected))) ==
             sorted(nlohmann::json::parse(codec::dump(got)));
    case Match::any:
      return true;
    case Match::exact:
      return same(expected, got);
    case Match::subset:
      return contains(got, expected);
    case Match::regex: {
      if (!got.is_array() || got.size() != expected.size()) return false;
      for (std::size_t i = 0; i < expected.size(); ++i) {
        const std::regex re(expected[i].get<std::string>(), std::regex::ECMAScript);
        const auto text = got[i].is_string() ? got[i].get<std::string>() : codec::dump(got[i]);
        if (!std::regex_match(text, re)) return false;
      }
      return true;
    }
  }
  return false;
}

std::string_view match_name(Match m) {
  switch (m) {
    case Match::exact:
      return "exact";
    case Match::subset:
      return "subset";
    case Match::regex:
      return "regex";
    case Match::any:
      return "any";
    case Match::unordered:
      return "unordered";
  }
  return "?";
}

// Replaces {"_placeholder":true,"num":N} by {"$bin": base64} (the attachments as written).
Json with_binary(const Json& value, const std::vector<std::string>& attachments) {
  if (value.is_object()) {
    if (value.size() == 2 && value.contains("_placeholder") && value.contains("num") &&
        value["num"].is_number_integer()) {
      const auto n = value["num"].get<long long>();
      if (n >= 0 && static_cast<std::size_t>(n) < attachments.size())
        return Json{{"$bin", codec::base64_encode(attachments[static_cast<std::size_t>(n)])}};
    }
    Json out = Json::object();
    for (const auto& [k, v] : value.items())
      out[k] = with_binary(v, attachments);
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& v : value)
      out.push_back(with_binary(v, attachments));
    return out;
  }
  return value;
}

// Replaces {"$bin": base64} by placeholders, collecting the attachments.
Json to_placeholders(const Json& value, std::vector<std::string>& attachments) {
  if (value.is_object()) {
    if (value.size() == 1 && value.contains("$bin") && value["$bin"].is_string()) {
      attachments.push_back(codec::base64_decode(value["$bin"].get<std::string>()).value_or(""));
      return Json{{"_placeholder", true}, {"num", attachments.size() - 1}};
    }
    Json out = Json::object();
    for (const auto& [k, v] : value.items())
      out[k] = to_placeholders(v, attachments);
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& v : value)
      out.push_back(to_placeholders(v, attachments));
    return out;
  }
  return value;
}

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
    c.io = std::make_unique<SioClient>(loop_, c.spec->transport);
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
    auto args = with_binary(*json, r.attachments);
    const auto& head = args[0];
    std::string name = head.is_string() ? head.get<std::string>() : codec::dump(head);
    args.erase(args.begin());
    return std::make_pair(std::move(name), std::move(args));
  }

  // Sends a packet whose data may hold binary: BINARY_EVENT/BINARY_ACK with attachments.
  void send_packet(Client& c, int type, const std::string& nsp, std::optional<std::uint64_t> id,
                   const Json& data) {
    std::vector<std::string> attachments;
    const auto wire = to_placeholders(data, attachments);
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
    const auto shown = with_binary(*args, got->attachments);
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

}  // namespace

std::string_view to_string(Step::Kind kind) {
  switch (kind) {
    case Step::Kind::connect:
      return "connect";
    case Step::Kind::connect_error:
      return "connect_error";
    case Step::Kind::emit:
      return "emit";
    case Step::Kind::expect:
      return "expect";
    case Step::Kind::expect_nothing:
      return "expect_nothing";
    case Step::Kind::expect_disconnect:
      return "expect_disconnect";
    case Step::Kind::disconnect:
      return "disconnect";
    case Step::Kind::join:
      return "join";
    case Step::Kind::leave:
      return "leave";
    case Step::Kind::pause:
      return "pause";
    case Step::Kind::resume:
      return "resume";
    case Step::Kind::parallel:
      return "parallel";
  }
  return "?";
}

std::string_view to_string(Result::Status s) {
  switch (s) {
    case Result::Status::pass:
      return "PASS";
    case Result::Status::fail:
      return "FAIL";
    case Result::Status::skip:
      return "SKIP";
  }
  return "?";
}

std::optional<Script> parse(const std::string& text, const std::string& file, std::string& error) {
  Script script;
  script.file = file;
  // The first comment lines describe the script.
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line) && line.starts_with("#");)
    script.description += (script.description.empty() ? "" : " ") +
                          line.substr(line.find_first_not_of("# ") == std::string::npos
                                          ? line.size()
                                          : line.find_first_not_of("# "));
  try {
    const auto root = YAML::Load(text);
    if (!root.IsMap()) {
      error = file + ":1:1: expected a script (a mapping with name, clients and steps)";
      return std::nullopt;
    }
    Parser(script).top(root);
  } catch (const BadScript& b) {
    error =
        file + ":" + std::to_string(b.at.line) + ":" + std::to_string(b.at.column) + ": " + b.what;
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    error = file + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
            ": not valid YAML: " + e.msg;
    return std::nullopt;
  }
  return script;
}

std::optional<Script> load(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot read the file";
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path, error);
}

Result run(const Script& script, const RunSettings& settings) {
  Result result;
  result.file = script.file;
  result.name = script.name;
  result.description = script.description;
  if (script.app != settings.app) {
    result.status = Result::Status::skip;
    result.skipped = "needs app " + script.app + "; the target serves " + settings.app;
    return result;
  }
  if (script.level == "extended" && settings.level != "extended") {
    result.status = Result::Status::skip;
    result.skipped = "needs fixture level extended; the target is at level " + settings.level;
    return result;
  }
  for (const auto& f : script.features)
    if (std::find(settings.features.begin(), settings.features.end(), f) ==
        settings.features.end()) {
      result.status = Result::Status::skip;
      result.skipped = "needs feature " + f + " (say --feature " + f + " if the target has it)";
      return result;
    }
  const auto start = Clock::now();
  Runner runner(script, settings);
  auto failure = runner.run();
  result.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  result.steps_run = runner.steps_run();
  result.trace = runner.trace();
  if (failure) {
    result.status = Result::Status::fail;
    result.failure = script.file + ":" + std::to_string(failure->at.line) + ":" +
                     std::to_string(failure->at.column) + ": " + failure->what +
                     "\n     expected: " + failure->expected +
                     "\n     observed: " + failure->observed;
  }
  return result;
}

}  // namespace conform::scenario
