#include "sio/apps/sio_fixture.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <regex>
#include <vector>

#include "sio/wire/base64.hpp"
#include "sio/wire/json.hpp"

namespace sio::apps {

namespace json = wire::json;
using server::Ack;
using server::Args;
using server::Socket;

namespace {

constexpr std::string_view kBadRequest = R"({"ok":false,"error":"bad request"})";
constexpr std::string_view kOk = R"({"ok":true})";
constexpr const char* kControlEvents[] = {"ctl:join",
                                          "ctl:leave",
                                          "ctl:rooms",
                                          "ctl:broadcast",
                                          "ctl:broadcast-with-ack",
                                          "ctl:emit-with-ack",
                                          "ctl:disconnect",
                                          "ctl:last-disconnect",
                                          "ctl:sockets",
                                          "ctl:fence"};
// Timers longer than this are as good as never (and what Node's setTimeout accepts).
constexpr double kMaxTimeoutMs = 2147483647;

// One argument answered as JSON text.
Args answer(std::string_view json_text) {
  return Args::from_wire("[" + std::string(json_text) + "]");
}

Args sorted_rooms(const std::set<std::string>& rooms) {
  std::string out = "[";
  for (const auto& room : rooms) {  // std::set<std::string> is in byte order
    if (out.size() > 1) out.push_back(',');
    json::quote_append(room, out);
  }
  return answer(out + "]");
}

Args sorted_ids(std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  std::string out = "[";
  for (const auto& id : ids) {
    if (out.size() > 1) out.push_back(',');
    json::quote_append(id, out);
  }
  return answer(out + "]");
}

// A room or an array of rooms.
std::optional<std::vector<std::string>> room_list(const json::Value& v) {
  if (v.is_string()) return std::vector<std::string>{v.string()};
  if (!v.is_array()) return std::nullopt;
  std::vector<std::string> rooms;
  for (const auto& item : v.items()) {
    if (!item.is_string()) return std::nullopt;
    rooms.push_back(item.string());
  }
  return rooms;
}

// Writes canonical JSON with every {"$bin":"<base64>"} turned into a placeholder (numbered in
// writing order, which is depth-first) and its bytes into `attachments`. False on a malformed one.
bool convert_bin(std::string_view text, std::string& out, std::vector<std::string>& attachments) {
  if (text.front() == '[') {
    out.push_back('[');
    bool first = true;
    for (const auto element : json::elements(text)) {
      if (!first) out.push_back(',');
      first = false;
      if (!convert_bin(element, out, attachments)) return false;
    }
    out.push_back(']');
    return true;
  }
  if (text.front() != '{') {
    out.append(text);
    return true;
  }
  const auto fields = json::members(text);
  const bool is_bin = std::any_of(fields.begin(), fields.end(),
                                  [](const auto& f) { return f.first == "\"$bin\""; });
  if (is_bin) {
    if (fields.size() != 1 || fields[0].second.front() != '"') return false;
    const auto encoded = json::unquote(fields[0].second);
    auto bytes = encoded ? wire::base64::decode(*encoded) : std::nullopt;
    if (!bytes) return false;
    out += json::kPlaceholderPrefix;
    out += std::to_string(attachments.size());
    out.push_back('}');
    attachments.push_back(std::move(*bytes));
    return true;
  }
  out.push_back('{');
  bool first = true;
  for (const auto& [key, value] : fields) {
    if (!first) out.push_back(',');
    first = false;
    out.append(key);
    out.push_back(':');
    if (!convert_bin(value, out, attachments)) return false;
  }
  out.push_back('}');
  return true;
}

std::optional<Args> args_with_binary(const json::Value& array) {
  std::string text;
  std::vector<std::string> attachments;
  if (!convert_bin(array.json(), text, attachments)) return std::nullopt;
  return Args::from_wire(std::move(text), std::move(attachments));
}

// An optional boolean field: absent is fine, anything but a boolean is not.
bool optional_bool(const json::Value& object, std::string_view key, std::optional<bool>& out) {
  const auto* v = object.find(key);
  if (!v) return true;
  if (!v->is_bool()) return false;
  out = v->boolean();
  return true;
}

struct BroadcastRequest {
  std::string event;
  Args args;
  std::vector<std::string> to;
  std::vector<std::string> except;
  bool include_self = false;
  bool is_volatile = false;
  std::optional<bool> compress;
  std::optional<server::Duration> timeout;
};

bool event_and_args(const json::Value& req, std::string& event, Args& args) {
  const auto* e = req.find("event");
  const auto* a = req.find("args");
  if (!e || !e->is_string() || wire::sio::is_reserved_event(e->string()) || !a || !a->is_array())
    return false;
  auto converted = args_with_binary(*a);
  if (!converted) return false;
  event = e->string();
  args = std::move(*converted);
  return true;
}

bool timeout_of(const json::Value& req, std::optional<server::Duration>& out) {
  const auto* t = req.find("timeoutMs");
  if (!t || !t->is_number() || t->number() <= 0 || t->number() != std::floor(t->number()))
    return false;
  out = server::Duration(static_cast<std::int64_t>(std::min(t->number(), kMaxTimeoutMs)));
  return true;
}

std::optional<BroadcastRequest> broadcast_request(const Args& args, bool with_timeout) {
  if (args.size() != 1) return std::nullopt;
  const auto req = args.value(0);
  if (!req || !req->is_object()) return std::nullopt;
  BroadcastRequest out;
  if (!event_and_args(*req, out.event, out.args)) return std::nullopt;
  for (auto [key, list] : {std::pair{"to", &out.to}, std::pair{"except", &out.except}}) {
    if (const auto* v = req->find(key)) {
      auto rooms = room_list(*v);
      if (!rooms) return std::nullopt;
      *list = std::move(*rooms);
    }
  }
  std::optional<bool> include_self, is_volatile;
  if (!optional_bool(*req, "includeSelf", include_self) ||
      !optional_bool(*req, "volatile", is_volatile) ||
      !optional_bool(*req, "compress", out.compress))
    return std::nullopt;
  out.include_self = include_self.value_or(false);
  out.is_volatile = is_volatile.value_or(false);
  if (with_timeout && !timeout_of(*req, out.timeout)) return std::nullopt;
  return out;
}

server::BroadcastOperator broadcast_operator(Socket& socket, const BroadcastRequest& req) {
  auto op = req.include_self ? socket.nsp().to(req.to) : socket.to(req.to);
  op = op.except(req.except);
  if (req.is_volatile) op = op.with_volatile();
  if (req.compress) op = op.compress(*req.compress);
  if (req.timeout) op = op.timeout(*req.timeout);
  return op;
}

// {"ok":...,"responses":[...]} with the binary of every response kept as binary.
Args responses_answer(bool ok, const std::vector<Args>& responses) {
  std::string text =
      ok ? R"([{"ok":true,"responses":[)" : R"([{"ok":false,"error":"timeout","responses":[)";
  std::vector<std::string> attachments;
  for (std::size_t i = 0; i < responses.size(); ++i) {
    if (i) text.push_back(',');
    if (responses[i].empty()) {
      text += "null";  // an ack with no argument: undefined, which JSON writes as null
      continue;
    }
    std::vector<std::size_t> order;
    json::renumber_placeholders(responses[i].json(0), attachments.size(), text, order);
    for (const auto index : order)
      attachments.push_back(responses[i].attachments()[index]);
  }
  text += "]}]";
  return Args::from_wire(std::move(text), std::move(attachments));
}

}  // namespace

SioFixture::SioFixture(server::Server& server, FixtureLevel level, FixtureQuirks quirks)
    : level_(level), quirks_(quirks) {
  server.of("/").on_connection([this](Socket& s) { on_connection(s, true); });
  server.of("/custom").on_connection([this](Socket& s) { on_connection(s, false); });
  if (level_ == FixtureLevel::official) return;
  server.of("/auth")
      .use([](Socket& s, server::Next next) {
        const auto auth = json::Value::parse(s.handshake().auth);
        const auto* token = auth ? auth->find("token") : nullptr;
        if (token && token->is_string() && token->string() == "secret") return next(std::nullopt);
        next(server::ConnectError{"unauthorized", R"({"reason":"bad token"})"});
      })
      .on_connection([this](Socket& s) { on_connection(s, false); });
  // Compiled once per process: a fixture is made per server, and the fuzz target makes a server
  // per input.
  static const std::regex kDynamicNamespace("^/dyn-[0-9]+$");
  server.of(kDynamicNamespace).on_connection([this](Socket& s) { on_connection(s, false); });
}

const std::string* SioFixture::last_disconnect(const std::string& sid) const {
  auto it = last_disconnect_.find(sid);
  return it == last_disconnect_.end() ? nullptr : &it->second;
}

void SioFixture::remember(const std::string& sid, std::string_view reason) {
  if (last_disconnect_.insert_or_assign(sid, std::string(reason)).second)
    disconnect_order_.push_back(sid);
  while (disconnect_order_.size() > kRememberedDisconnects) {
    last_disconnect_.erase(disconnect_order_.front());
    disconnect_order_.pop_front();
  }
}

void SioFixture::on_connection(Socket& socket, bool echo) {
  if (quirks_.crash_on_empty_event_name) {
    socket.on_any([](Socket&, std::string_view event, const Args&) {
      if (event.empty()) std::abort();
    });
  }
  // The CONNECT reply is already out: `auth` is the first event the client sees.
  socket.emit("auth", Args::of(server::Json{socket.handshake().auth}));
  if (echo) {
    socket.on("message",
              [](Socket& s, const Args& args, const Ack&) { s.emit("message-back", args); });
    socket.on("message-with-ack", [](Socket&, const Args& args, const Ack& ack) { ack(args); });
  }
  if (level_ == FixtureLevel::official) return;
  socket.on_disconnect(
      [this](Socket& s, server::DisconnectReason reason) { remember(s.id(), to_string(reason)); });
  for (const char* event : kControlEvents) {
    socket.on(event, [this, event](Socket& s, const Args& args, const Ack& ack) {
      control(s, event, args, ack);
    });
  }
}

void SioFixture::control(Socket& socket, std::string_view event, const Args& args, const Ack& ack) {
  auto reply = [&ack](const Args& a) { ack(a); };  // an Ack without an id does nothing
  auto bad = [&] { reply(answer(kBadRequest)); };
  const auto first = args.size() == 1 ? args.value(0) : std::nullopt;

  if (event == "ctl:join" || event == "ctl:leave") {
    const auto rooms = first ? room_list(*first) : std::nullopt;
    if (!rooms) return bad();
    for (const auto& room : *rooms)
      event == "ctl:join" ? socket.join(room) : socket.leave(room);
    return reply(sorted_rooms(socket.rooms()));
  }
  if (event == "ctl:rooms") return args.empty() ? reply(sorted_rooms(socket.rooms())) : bad();
  if (event == "ctl:fence") return args.empty() ? reply(answer(kOk)) : bad();
  if (event == "ctl:broadcast") {
    const auto req = broadcast_request(args, false);
    if (!req) return bad();
    broadcast_operator(socket, *req).emit(req->event, req->args);  // before the ack
    return reply(answer(kOk));
  }
  if (event == "ctl:broadcast-with-ack") {
    const auto req = broadcast_request(args, true);
    if (!req) return bad();
    broadcast_operator(socket, *req)
        .emit_with_ack(req->event, req->args,
                       [ack](std::optional<server::AckError> error, std::vector<Args> responses) {
                         ack(responses_answer(!error, responses));
                       });
    return;
  }
  if (event == "ctl:emit-with-ack") {
    if (!first || !first->is_object()) return bad();
    std::string name;
    Args payload;
    std::optional<server::Duration> timeout;
    if (!event_and_args(*first, name, payload) || !timeout_of(*first, timeout)) return bad();
    socket.timeout(*timeout).emit_with_ack(
        name, payload, [ack](std::optional<server::AckError> error, const Args& got) {
          if (error) return ack(answer(R"({"ok":false,"error":"timeout"})"));
          ack(Args::from_wire(R"([{"ok":true,"response":)" + got.array_json() + "}]",
                              got.attachments()));
        });
    return;
  }
  if (event == "ctl:disconnect") {
    const auto* close = first && first->is_object() ? first->find("close") : nullptr;
    if (!close || !close->is_bool()) return bad();
    socket.disconnect(close->boolean());  // no ack
    return;
  }
  if (event == "ctl:last-disconnect") {
    const auto* sid = first && first->is_object() ? first->find("sid") : nullptr;
    if (!sid || !sid->is_string()) return bad();
    const auto* reason = last_disconnect(sid->string());
    return reply(answer(reason ? json::quote(*reason) : "null"));
  }
  if (event == "ctl:sockets") {
    if (!first || !first->is_object()) return bad();
    const auto* room = first->find("room");
    if (room && !room->is_string()) return bad();
    std::vector<std::string> ids;
    if (room) {
      ids = socket.nsp().adapter().sockets_in(room->string());
    } else {
      for (const auto& [id, s] : socket.nsp().sockets())
        ids.push_back(id);
    }
    return reply(sorted_ids(std::move(ids)));
  }
}

}  // namespace sio::apps
