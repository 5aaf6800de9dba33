#include "siocheck/suite/case.hpp"

#include <algorithm>

namespace conform {

std::string CaseInfo::area() const {
  return id.substr(0, id.rfind('/'));
}

Context::Context(Loop& loop, const Settings& settings, std::optional<Transport> transport,
                 const CaseInfo& info)
    : Checks(info.level), loop_(loop), settings_(settings), transport_(transport) {}

Ms Context::tolerance() const {
  return settings_.tolerance;
}

Ms Context::prompt(const EioSession& session) const {
  return prompt(session.ping_interval(), session.ping_timeout());
}

Ms Context::prompt(Ms ping_interval, Ms ping_timeout) const {
  return std::clamp((ping_interval + ping_timeout) / 2, Ms(100), Ms(2000)) + tolerance();
}

Ms Context::connect_timeout() const {
  return settings_.connect_timeout.value_or(Ms(1000));
}
Ms Context::upgrade_timeout() const {
  return settings_.upgrade_timeout.value_or(Ms(10000));
}

std::unique_ptr<EioSession> Context::open_eio(std::optional<Transport> transport, std::string path,
                                              std::string query) {
  auto session = std::make_unique<EioSession>(loop_, transport.value_or(this->transport()),
                                              path.empty() ? eio() : path, std::move(query));
  if (!session->open(Ms(5000)))
    fail("opening a session", "a handshake (and upgrade)", session->error());
  return session;
}

std::unique_ptr<SioClient> Context::open_sio(std::optional<Transport> transport) {
  auto client = std::make_unique<SioClient>(loop_, transport.value_or(this->transport()));
  if (!client->open(Ms(5000)))
    fail("opening a Socket.IO connection", "a handshake (and upgrade)", client->error());
  return client;
}

EioEvent Context::expect_event(EioSession& session, Ms timeout, std::string_view what,
                               bool with_pings) {
  auto event = session.next(timeout, with_pings);
  if (!event)
    fail(std::string(what), "a packet within " + std::to_string(timeout.count()) + " ms",
         "nothing");
  return *event;
}

codec::EioPacket Context::expect_packet(EioSession& session, Ms timeout, std::string_view what,
                                        bool with_pings) {
  auto event = expect_event(session, timeout, what, with_pings);
  if (event.kind == EioEvent::Kind::closed)
    fail(std::string(what), "a packet", "the session ended: " + event.how);
  return event.packet;
}

std::string Context::expect_closed(EioSession& session, Ms timeout, std::string_view what) {
  const auto deadline = Clock::now() + timeout;
  std::string seen;
  while (Clock::now() < deadline) {
    auto event = session.next(std::chrono::duration_cast<Ms>(deadline - Clock::now()));
    if (!event) break;
    if (event->kind == EioEvent::Kind::closed) {
      passed(std::string(what), "the session ends", "ended: " + event->how);
      return event->how;
    }
    seen += (seen.empty() ? "" : ", ") + std::string(1, event->packet.type) + event->packet.data;
  }
  fail(std::string(what), "the session ends within " + std::to_string(timeout.count()) + " ms",
       seen.empty() ? "still open" : "still open, after: " + seen);
}

SioReceived Context::expect_sio(SioClient& client, Ms timeout, std::string_view what) {
  auto got = client.next(timeout);
  if (!got)
    fail(std::string(what), "a packet within " + std::to_string(timeout.count()) + " ms",
         client.closed() ? "the connection ended: " + client.end_reason() : "nothing");
  return *got;
}

void Context::expect_sio_closed(SioClient& client, Ms timeout, std::string_view what) {
  const auto deadline = Clock::now() + timeout;
  std::string seen;
  while (Clock::now() < deadline) {
    auto got = client.next(std::chrono::duration_cast<Ms>(deadline - Clock::now()));
    if (!got) {
      if (client.closed()) {
        passed(std::string(what), "the connection closes", "closed: " + client.end_reason());
        return;
      }
      break;
    }
    seen += (seen.empty() ? "" : ", ") + got->text;
  }
  fail(std::string(what), "the connection closes within " + std::to_string(timeout.count()) + " ms",
       seen.empty() ? "still open" : "still open, after: " + seen);
}

}  // namespace conform
