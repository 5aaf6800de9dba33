// Reading a scenario script: YAML into a Script, every key, type and reference checked before
// anything is sent, each error with file:line:col.
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "siocheck/run/baseline.hpp"
#include "siocheck/scenario/script.hpp"

namespace conform::scenario {

using codec::Json;

namespace {

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
        const auto name = text_of(level, "requires.level");
        const auto named = fixture_level_named(name);
        if (!named) bad(level, "requires.level: '" + name + "' is not official or extended");
        script_.level = *named;
      }
      if (auto app = req["app"]) {
        const auto name = text_of(app, "requires.app");
        const auto named = app_named(name);
        if (!named) bad(app, "requires.app: '" + name + "' is not fixture or signaling");
        script_.app = *named;
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
          const auto named = transport_named(s);
          if (!named)
            bad(t, where + ".transport: '" + s + "' is not polling, websocket or upgrade");
          c.transport = *named;
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
    const bool known =
        glob ? std::any_of(names_.begin(), names_.end(),
                           [&](const std::string& n) { return run::glob_match(name, n); })
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
      if (run::glob_match(s.client, c.name)) {
        Step one = s;
        one.client = c.name;
        out.push_back(std::move(one));
      }
    return out;
  }

  Script& script_;
  std::set<std::string> names_;
};

}  // namespace

std::string_view to_string(App app) noexcept {
  return app == App::fixture ? "fixture" : "signaling";
}

std::optional<App> app_named(std::string_view name) noexcept {
  if (name == "fixture") return App::fixture;
  if (name == "signaling") return App::signaling;
  return std::nullopt;
}

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

}  // namespace conform::scenario
