#include "siocheck/fuzz/step.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "siocheck/codec/codec.hpp"
#include "siocheck/codec/text.hpp"

namespace conform::fuzz {

namespace {

constexpr Op kOps[] = {Op::open,    Op::text,    Op::binary, Op::batch, Op::post, Op::get,
                       Op::request, Op::upgrade, Op::close,  Op::drop,  Op::raw,  Op::pause};
constexpr End kEnds[] = {End::read, End::reset, End::reset_after_answer};
// The key that masks the frames of raw steps (any key will do; a fixed one keeps steps replayable).
constexpr unsigned char kMask[4] = {0x5a, 0x13, 0xc4, 0x7e};

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

// A non-negative integer of at most `most` under `key`, when present.
template <class T>
bool read_count(const Json& j, const char* key, T& out, std::uint64_t most, std::string& error) {
  if (!j.contains(key)) return true;
  if (!j[key].is_number_integer() || j[key].get<std::int64_t>() < 0 ||
      j[key].get<std::uint64_t>() > most) {
    error = std::string("\"") + key + "\" must be an integer from 0 to " + std::to_string(most);
    return false;
  }
  out = static_cast<T>(j[key].get<std::uint64_t>());
  return true;
}

bool read_frame(const Json& j, Frame& f, std::string& error) {
  if (!j.is_object() || !j.contains("first") || !j.contains("payload")) {
    error = "a frame of \"raw\" is not an object with \"first\" and \"payload\"";
    return false;
  }
  if (!read_count(j, "first", f.first, 255, error) ||
      !read_count(j, "repeat", f.repeat, kMaxRepeat, error))
    return false;
  if (f.repeat < 1) {
    error = "\"repeat\" must be at least 1";
    return false;
  }
  if (!bytes_from(j["payload"], f.payload)) {
    error = "\"payload\" is neither a string nor {\"base64\": ...}";
    return false;
  }
  if (j.contains("masked")) {
    if (!j["masked"].is_boolean()) {
      error = "\"masked\" must be true or false";
      return false;
    }
    f.masked = j["masked"].get<bool>();
  }
  return true;
}

bool read_raw(const Json& j, Step& s, std::string& error) {
  if (!read_bytes(j, "data", s.data, true, s.op, error)) return false;
  if (j.contains("frames")) {
    if (!j["frames"].is_array()) {
      error = "\"frames\" must be an array";
      return false;
    }
    for (const auto& f : j["frames"]) {
      Frame frame;
      if (!read_frame(f, frame, error)) return false;
      s.frames.push_back(std::move(frame));
    }
  }
  if (!read_count(j, "split", s.split, std::uint64_t{1} << 32, error)) return false;
  if (j.contains("end")) {
    const auto end = j["end"].is_string() ? end_named(j["end"].get<std::string>()) : std::nullopt;
    if (!end) {
      error = "\"end\" must be read, reset or reset-after-answer";
      return false;
    }
    s.end = *end;
  }
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
    case Op::raw:
      return "raw";
    case Op::pause:
      return "pause";
  }
  return "?";
}

std::string_view to_string(End end) noexcept {
  switch (end) {
    case End::read:
      return "read";
    case End::reset:
      return "reset";
    case End::reset_after_answer:
      return "reset-after-answer";
  }
  return "?";
}

std::optional<End> end_named(std::string_view name) noexcept {
  for (const auto end : kEnds)
    if (name == to_string(end)) return end;
  return std::nullopt;
}

std::vector<RawRequest> split_requests(std::string_view bytes) {
  std::vector<RawRequest> out;
  while (!bytes.empty()) {
    RawRequest r;
    const auto eol = bytes.find("\r\n");
    r.line = std::string(bytes.substr(0, eol));
    const auto space = r.line.find(' ');
    r.method = r.line.substr(0, space);
    if (space != std::string::npos)
      r.target = r.line.substr(space + 1, r.line.find(' ', space + 1) - space - 1);
    const auto end = bytes.find("\r\n\r\n");
    if (end == std::string_view::npos) {
      out.push_back(std::move(r));
      break;
    }
    std::size_t length = 0;
    for (auto head = bytes.substr(0, end); !head.empty();) {
      const auto next = head.find("\r\n");
      const auto header = head.substr(0, next);
      head = next == std::string_view::npos ? std::string_view() : head.substr(next + 2);
      const auto colon = header.find(':');
      if (colon == std::string_view::npos) continue;
      std::string name(header.substr(0, colon));
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      auto value = header.substr(colon + 1);
      while (!value.empty() && value.front() == ' ')
        value.remove_prefix(1);
      if (name == "content-length") length = std::strtoull(std::string(value).c_str(), nullptr, 10);
      if (name == "upgrade") r.upgrade = true;
    }
    bytes.remove_prefix(end + 4);
    r.body = std::string(bytes.substr(0, std::min(length, bytes.size())));
    r.complete = r.body.size() == length;
    bytes.remove_prefix(r.body.size());
    const bool upgrade = r.upgrade;
    out.push_back(std::move(r));
    if (upgrade) break;  // what follows is the upgraded protocol's
  }
  return out;
}

std::string frame_bytes(const Frame& f) {
  std::string one;
  one += static_cast<char>(f.first);
  const auto n = f.payload.size();
  const unsigned char mask = f.masked ? 0x80 : 0;
  if (n < 126) {
    one += static_cast<char>(mask | n);
  } else if (n < 65536) {
    one += static_cast<char>(mask | 126);
    for (int shift = 8; shift >= 0; shift -= 8)
      one += static_cast<char>((n >> shift) & 0xff);
  } else {
    one += static_cast<char>(mask | 127);
    for (int shift = 56; shift >= 0; shift -= 8)
      one += static_cast<char>((static_cast<std::uint64_t>(n) >> shift) & 0xff);
  }
  if (f.masked) {
    one.append(reinterpret_cast<const char*>(kMask), 4);
    for (std::size_t i = 0; i < n; ++i)
      one += static_cast<char>(static_cast<unsigned char>(f.payload[i]) ^ kMask[i % 4]);
  } else {
    one += f.payload;
  }
  if (f.repeat <= 1) return one;
  std::string out;
  out.reserve(one.size() * static_cast<std::size_t>(f.repeat));
  for (int i = 0; i < f.repeat; ++i)
    out += one;
  return out;
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
  // Requests and raw steps are connections of their own; a pause is no connection's.
  if (s.op != Op::request && s.op != Op::raw && s.op != Op::pause) j["conn"] = s.conn;
  if (s.op == Op::open) {
    j["transport"] = std::string(to_string(s.transport));
    if (s.path == Path::eio) j["path"] = "eio";
    if (!s.query.empty()) j["query"] = bytes_json(s.query);
  } else if (s.op == Op::request) {
    j["method"] = s.method;
    j["target"] = bytes_json(s.target);
    if (!s.data.empty()) j["body"] = bytes_json(s.data);
  } else if (s.op == Op::raw) {
    j["data"] = bytes_json(s.data);
    if (!s.frames.empty()) {
      auto frames = Json::array();
      for (const auto& f : s.frames) {
        Json frame{{"first", f.first}, {"payload", bytes_json(f.payload)}};
        if (!f.masked) frame["masked"] = false;
        if (f.repeat != 1) frame["repeat"] = f.repeat;
        frames.push_back(std::move(frame));
      }
      j["frames"] = std::move(frames);
    }
    if (s.split) j["split"] = s.split;
    if (s.end != End::read) j["end"] = std::string(to_string(s.end));
  } else if (s.op == Op::pause) {
    j["ms"] = s.ms;
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
    case Op::raw:
      return read_raw(j, s, error);
    case Op::pause:
      if (!j.contains("ms")) {
        error = "op \"pause\" needs \"ms\"";
        return false;
      }
      return read_count(j, "ms", s.ms, kMaxPauseMs, error);
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

namespace {

// "raw GET /socket.io/?... | POST ... (12 bytes of body) + frames 0x81 \"2probe\", 0x81 \"5\",
// in two writes at byte 57, then reset": each request line, and the frames.
std::string describe_raw(const Step& s) {
  std::string out = "raw";
  const auto requests = split_requests(s.data);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto& r = requests[i];
    out += (i ? " | " : " ") + text::printable(r.line, {.max = 120});
    if (!r.body.empty()) out += " (" + std::to_string(r.body.size()) + " bytes of body)";
    if (!r.complete) out += " (cut short)";
  }
  if (requests.empty()) out += " " + text::printable(s.data, {.max = 120});
  if (!s.frames.empty()) {
    out += " + frames";
    for (std::size_t i = 0; i < s.frames.size(); ++i) {
      const auto& f = s.frames[i];
      char first[8];
      std::snprintf(first, sizeof first, "0x%02x", f.first);
      out += std::string(i ? ", " : " ") + first + (f.masked ? " " : " unmasked ") +
             text::quoted(f.payload.substr(0, 40)) + (f.payload.size() > 40 ? "..." : "") +
             (f.repeat > 1 ? " x" + std::to_string(f.repeat) : "");
    }
  }
  if (s.split) out += ", in two writes at byte " + std::to_string(s.split);
  if (s.end != End::read) out += ", then " + std::string(to_string(s.end));
  return out;
}

}  // namespace

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
    case Op::raw:
      return describe_raw(s);
    case Op::pause:
      return "pause " + std::to_string(s.ms) + " ms";
    case Op::get:
    case Op::upgrade:
    case Op::close:
    case Op::drop:
      break;
  }
  return c + std::string(to_string(s.op));
}

}  // namespace conform::fuzz
