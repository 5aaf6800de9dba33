#include "client_common.hpp"

namespace conform::client::cases {

std::string shown(const Request& r) {
  return (r.websocket ? "WebSocket " : "") + r.method + " " + text::printable(r.target);
}

std::string shown(const SioIn& p) {
  std::string out = text::printable(p.text, {.max = 300});
  for (const auto& a : p.attachments)
    out += " + " + text::attachment(a);
  return out;
}

std::vector<const SioIn*> sio_of(Harness& h, const std::string& sid) {
  std::vector<const SioIn*> out;
  for (const auto& p : h.sio_in())
    if (sid.empty() || p.sid == sid) out.push_back(&p);
  return out;
}

std::string event_name(const SioIn& p) {
  if (p.packet.type != 2 && p.packet.type != 5) return "";
  const auto args = p.array();
  if (args.empty()) return "";
  return args[0].is_string() ? args[0].get<std::string>() : codec::dump(args[0]);
}

std::string event_of(const AdapterEvent& e) {
  const auto name = e.json.value("event", Json());
  return name.is_string() ? name.get<std::string>() : codec::dump(name);
}

std::vector<const SioIn*> events_named(Harness& h, const std::string& name) {
  std::vector<const SioIn*> out;
  for (const auto& p : h.sio_in())
    if ((p.packet.type == 2 || p.packet.type == 5) && (name.empty() || event_name(p) == name))
      out.push_back(&p);
  return out;
}

std::vector<const Request*> requests_of(Harness& h, const std::string& sid) {
  std::vector<const Request*> out;
  for (const auto& r : h.requests())
    if (r.sid == sid) out.push_back(&r);
  return out;
}

std::string shown_args(const Json& args) {
  return text::printable(codec::dump(args), {.max = 300});
}

void drop_and_wait(Context& c, const std::string& sid) {
  c.h().drop(sid);
}

void expect_upgraded(Context& c, const std::string& sid, Ms timeout) {
  auto upgraded = [&] {
    const auto* s = c.h().session(sid);
    return s && s->upgraded_ms >= 0;
  };
  if (!c.wait(upgraded, timeout))
    c.fail("the upgrade",
           "the session is upgraded to WebSocket within " + std::to_string(timeout.count()) + " ms",
           "still on polling");
}

}  // namespace conform::client::cases
