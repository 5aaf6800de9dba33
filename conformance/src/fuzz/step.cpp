#include "siocheck/fuzz/step.hpp"

#include "siocheck/codec/codec.hpp"
#include "siocheck/codec/text.hpp"

namespace conform::fuzz {

namespace {

constexpr Op kOps[] = {Op::open, Op::text,    Op::binary,  Op::batch, Op::post,
                       Op::get,  Op::request, Op::upgrade, Op::close, Op::drop};

bool carries_data(Op op) {
  return op == Op::text || op == Op::binary || op == Op::post;
}

// The bytes of `key`, a string or {"base64": ...}. False (with `error`) when absent but
// `required`, or of another shape.
bool read_bytes(const Json& j, const char* key, std::string& out, bool required, Op op,
                std::string& error) {
  if (!j.contains(key)) {
    if (required)
      error = "op \"" + std::string(to_string(op)) + "\" needs \"" + std::string(key) + "\"";
    return !required;
  }
  if (!bytes_from(j[key], out)) {
    error = std::string("\"") + key + "\" is neither a string nor {\"base64\": ...}";
    return false;
  }
  return true;
}

bool read_open(const Json& j, Step& s, std::string& error) {
  std::string transport, path = "sio";
  if (!read_bytes(j, "transport", transport, true, s.op, error) ||
      !read_bytes(j, "query", s.query, false, s.op, error) ||
      !read_bytes(j, "path", path, false, s.op, error))
    return false;
  const auto t = transport_named(transport);
  if (!t) {
    error = "\"transport\" must be websocket, polling or upgrade";
    return false;
  }
  if (path != "sio" && path != "eio") {
    error = "\"path\" must be sio or eio";
    return false;
  }
  s.transport = *t;
  s.path = path == "sio" ? Path::sio : Path::eio;
  return true;
}

bool read_batch(const Json& j, Step& s, std::string& error) {
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

}  // namespace

std::string_view to_string(Op op) noexcept {
  switch (op) {
    case Op::open:
      return "open";
    case Op::text:
      return "text";
    case Op::binary:
      return "binary";
    case Op::batch:
      return "batch";
    case Op::post:
      return "post";
    case Op::get:
      return "get";
    case Op::request:
      return "request";
    case Op::upgrade:
      return "upgrade";
    case Op::close:
      return "close";
    case Op::drop:
      return "drop";
  }
  return "?";
}

std::optional<Op> op_named(std::string_view name) noexcept {
  for (const auto op : kOps)
    if (name == to_string(op)) return op;
  return std::nullopt;
}

Json bytes_json(const std::string& bytes) {
  if (text::valid_utf8(bytes)) return bytes;
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

Json to_json(const Step& s) {
  Json j{{"op", std::string(to_string(s.op))}};
  if (s.op != Op::request) j["conn"] = s.conn;
  if (s.op == Op::open) {
    j["transport"] = std::string(to_string(s.transport));
    if (s.path == Path::eio) j["path"] = "eio";
    if (!s.query.empty()) j["query"] = bytes_json(s.query);
  } else if (s.op == Op::request) {
    j["method"] = s.method;
    j["target"] = bytes_json(s.target);
    if (!s.data.empty()) j["body"] = bytes_json(s.data);
  } else if (s.op == Op::batch) {
    auto packets = Json::array();
    for (const auto& p : s.packets)
      packets.push_back(bytes_json(p));
    j["packets"] = std::move(packets);
  } else if (carries_data(s.op)) {
    j["data"] = bytes_json(s.data);
  }
  return j;
}

bool from_json(const Json& j, Step& s, std::string& error) {
  if (!j.is_object() || !j.contains("op") || !j["op"].is_string()) {
    error = "a step is not an object with an \"op\"";
    return false;
  }
  const auto op = op_named(j["op"].get<std::string>());
  if (!op) {
    error = "unknown op \"" + j["op"].get<std::string>() + "\"";
    return false;
  }
  s.op = *op;
  if (j.contains("conn")) {
    if (!j["conn"].is_number_integer() || j["conn"].get<int>() < 0 ||
        j["conn"].get<int>() >= kMaxConns) {
      error = "\"conn\" must be 0.." + std::to_string(kMaxConns - 1);
      return false;
    }
    s.conn = j["conn"].get<int>();
  }
  switch (s.op) {
    case Op::open:
      return read_open(j, s, error);
    case Op::request:
      return read_bytes(j, "method", s.method, true, s.op, error) &&
             read_bytes(j, "target", s.target, true, s.op, error) &&
             read_bytes(j, "body", s.data, false, s.op, error);
    case Op::batch:
      return read_batch(j, s, error);
    case Op::text:
    case Op::binary:
    case Op::post:
      return read_bytes(j, "data", s.data, true, s.op, error);
    case Op::get:
    case Op::upgrade:
    case Op::close:
    case Op::drop:
      return true;
  }
  return true;
}

std::string describe(const Step& s) {
  const auto shown = [](const std::string& bytes) { return text::printable(bytes, {.max = 160}); };
  const std::string c = "[" + std::to_string(s.conn) + "] ";
  switch (s.op) {
    case Op::open:
      return c + "open " + std::string(to_string(s.transport)) +
             (s.path == Path::eio ? " on the Engine.IO path" : "") +
             (s.query.empty() ? "" : " with &" + shown(s.query));
    case Op::text:
      return c + "send " + shown(s.data);
    case Op::binary:
      return c + "send binary <" + text::hex(s.data) + ">";
    case Op::batch: {
      std::string out = c + "send together:";
      for (const auto& p : s.packets)
        out += " " + shown(p);
      return out;
    }
    case Op::post:
      return c + "POST body " + shown(s.data);
    case Op::request:
      return s.method + " " + shown(s.target) + (s.data.empty() ? "" : " body " + shown(s.data));
    case Op::get:
    case Op::upgrade:
    case Op::close:
    case Op::drop:
      break;
  }
  return c + std::string(to_string(s.op));
}

}  // namespace conform::fuzz
