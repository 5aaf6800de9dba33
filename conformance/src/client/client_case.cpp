#include "siocheck/client/client_case.hpp"

#include <algorithm>
#include <cmath>

#include "siocheck/codec/text.hpp"

namespace conform::client {

std::string CaseInfo::area() const {
  return id.substr(0, id.rfind('/'));
}

Context::Context(Harness& harness, const Settings& settings, const CaseInfo& info)
    : Checks(info.level), h_(harness), settings_(settings) {}

bool Context::has(std::string_view feature) const {
  return h_.features().contains(std::string(feature));
}

Ms Context::slack(Ms expected) const {
  const auto scaled = Ms(static_cast<long long>(
      std::ceil(settings_.tolerance * static_cast<double>(expected.count()))));
  return std::max(settings_.min_slack, scaled);
}

bool Context::near(double observed_ms, Ms expected) const {
  return std::abs(observed_ms - static_cast<double>(expected.count())) <=
         static_cast<double>(slack(expected).count());
}

// ---- commands ----------------------------------------------------------------------------------

void Context::connect(const std::string& id, Connect how) {
  Json cmd = {
      {"cmd", "connect"}, {"id", id}, {"url", h_.url()}, {"path", server().path}, {"nsp", how.nsp}};
  Json opts = Json::object();
  if (has("reconnection_params"))
    opts = {{"reconnectionDelay", 100}, {"reconnectionDelayMax", 400}, {"randomizationFactor", 0}};
  for (const auto& [k, v] : how.opts.items())
    opts[k] = v;
  if (!opts.empty()) cmd["opts"] = opts;
  if (how.auth) cmd["auth"] = *how.auth;
  if (how.manager) cmd["manager"] = *how.manager;
  command(std::move(cmd));
}

void Context::manager(const std::string& name, Json opts) {
  Json all = Json::object();
  if (has("reconnection_params"))
    all = {{"reconnectionDelay", 100}, {"reconnectionDelayMax", 400}, {"randomizationFactor", 0}};
  for (const auto& [k, v] : opts.items())
    all[k] = v;
  command({{"cmd", "manager"},
           {"manager", name},
           {"url", h_.url()},
           {"path", server().path},
           {"opts", all}});
}

void Context::emit(const std::string& id, const std::string& event, Json args, bool ack, int seq,
                   Json extra) {
  Json cmd = {{"cmd", "emit"},           {"id", id},   {"event", event},
              {"args", std::move(args)}, {"ack", ack}, {"seq", seq}};
  for (const auto& [k, v] : extra.items())
    cmd[k] = v;
  command(std::move(cmd));
}

void Context::disconnect(const std::string& id) {
  command({{"cmd", "disconnect"}, {"id", id}});
}

// ---- waits -------------------------------------------------------------------------------------

// The adapter's own troubles end the case at once, whatever it was waiting for: they are not the
// client's protocol behaviour (the unit runner turns them into CRASH or UNIMPLEMENTED).
void Context::watch_adapter() {
  if (!h_.adapter_broken().empty())
    throw CaseOutcome(Verdict::crash, "the adapter broke the contract");
  if (h_.adapter_output_closed()) throw CaseOutcome(Verdict::crash, "the adapter exited");
  for (const auto& e : h_.events()) {
    if (e.ev == "unsupported")
      unimplemented("the adapter cannot do " + e.json.value("what", std::string("?")) +
                    " (answering " + e.json.value("cmd", std::string("?")) + ")");
    if (e.ev == "adapter_error") throw CaseOutcome(Verdict::crash, "the adapter reported an error");
  }
}

bool Context::wait(const std::function<bool()>& done, Ms timeout) {
  const auto before = h_.events().size();
  const auto deadline = Clock::now() + timeout;
  bool ok = false;
  auto seen = before;
  h_.run_until(
      [&] {
        if (h_.events().size() != seen) {
          seen = h_.events().size();
          for (auto i = before; i < seen; ++i) {
            const auto& ev = h_.events()[i].ev;
            if (ev == "unsupported" || ev == "adapter_error") return true;
          }
        }
        if (!h_.adapter_broken().empty() || h_.adapter_output_closed()) return true;
        ok = done();
        return ok;
      },
      std::chrono::duration_cast<Ms>(deadline - Clock::now()));
  watch_adapter();
  return ok || done();
}

void Context::idle(Ms d) {
  wait([] { return false; }, d);
}

std::optional<AdapterEvent> Context::find(std::string_view ev, std::string_view id,
                                          std::size_t from) const {
  const auto& events = h_.events();
  for (auto i = from; i < events.size(); ++i)
    if (events[i].ev == ev && (id.empty() || events[i].json.value("id", std::string()) == id))
      return events[i];
  return std::nullopt;
}

std::size_t Context::count(std::string_view ev, std::string_view id, std::size_t from) const {
  std::size_t n = 0;
  const auto& events = h_.events();
  for (auto i = from; i < events.size(); ++i)
    if (events[i].ev == ev && (id.empty() || events[i].json.value("id", std::string()) == id)) ++n;
  return n;
}

AdapterEvent Context::expect(std::string_view ev, std::string_view id, Ms timeout,
                             std::string_view what, std::size_t from) {
  std::size_t index = 0;
  auto found = [&] {
    const auto& events = h_.events();
    for (auto i = from; i < events.size(); ++i)
      if (events[i].ev == ev && (id.empty() || events[i].json.value("id", std::string()) == id)) {
        index = i;
        return true;
      }
    return false;
  };
  if (!wait(found, timeout)) {
    std::string seen;
    for (auto i = from; i < h_.events().size(); ++i)
      if (h_.events()[i].ev != "sync")
        seen += (seen.empty() ? "" : ", ") + codec::dump(h_.events()[i].json);
    fail(std::string(what),
         "the adapter reports " + std::string(ev) + (id.empty() ? "" : " for " + std::string(id)) +
             " within " + std::to_string(timeout.count()) + " ms",
         seen.empty() ? "no event" : text::printable(seen, {.max = 600}));
  }
  return h_.events()[index];
}

Request Context::expect_request(const std::function<bool(const Request&)>& pred, Ms timeout,
                                std::string_view what, std::size_t from) {
  std::size_t index = 0;
  auto found = [&] {
    const auto& rs = h_.requests();
    for (auto i = from; i < rs.size(); ++i)
      if (pred(rs[i])) {
        index = i;
        return true;
      }
    return false;
  };
  if (!wait(found, timeout))
    fail(std::string(what), "a request within " + std::to_string(timeout.count()) + " ms",
         "none (" + std::to_string(h_.requests().size() - std::min(from, h_.requests().size())) +
             " other requests)");
  return h_.requests()[index];
}

SioIn Context::expect_sio(const std::function<bool(const SioIn&)>& pred, Ms timeout,
                          std::string_view what, std::size_t from) {
  std::size_t index = 0;
  auto found = [&] {
    const auto& ps = h_.sio_in();
    for (auto i = from; i < ps.size(); ++i)
      if (pred(ps[i])) {
        index = i;
        return true;
      }
    return false;
  };
  if (!wait(found, timeout)) {
    std::string seen;
    for (auto i = from; i < h_.sio_in().size(); ++i)
      seen += (seen.empty() ? "" : ", ") + h_.sio_in()[i].text;
    fail(std::string(what), "a packet within " + std::to_string(timeout.count()) + " ms",
         seen.empty() ? "none" : text::printable(seen, {.max = 600}));
  }
  return h_.sio_in()[index];
}

SioIn Context::expect_connect_packet(std::string_view nsp, Ms timeout, std::size_t from) {
  return expect_sio([&](const SioIn& p) { return p.packet.type == 0 && p.packet.nsp == nsp; },
                    timeout, "the client's CONNECT to " + std::string(nsp), from);
}

std::string Context::connected(const std::string& id, Connect how) {
  const auto events = h_.events().size();
  const auto packets = h_.sio_in().size();
  const auto nsp = how.nsp;
  connect(id, std::move(how));
  const auto sid = expect_connect_packet(nsp, Ms(5000), packets).sid;
  expect("connect", id, Ms(5000), "the adapter reports the connection", events);
  return sid;
}

}  // namespace conform::client
