// client/lifecycle: a socket made with autoConnect: false stays off the network until connected,
// and a manager opened by itself connects no namespace.
#include <functional>

#include "client_areas.hpp"
#include "client_common.hpp"

namespace conform::client::cases {

namespace {

std::string requests_seen(Harness& h) {
  std::string out;
  for (const auto& r : h.requests())
    out += (out.empty() ? "" : ", ") + shown(r);
  return out.empty() ? "none" : out;
}

void socket_connect(Context& c, const std::string& id) {
  c.command({{"cmd", "socket_connect"}, {"id", id}});
}

void no_auto_connect(Context& c) {
  c.connect("s", {.opts = {{"autoConnect", false}}});
  c.idle(Ms(1000));
  c.check(c.h().requests().empty(), "requests within 1 s of a socket made with autoConnect: false",
          "none", requests_seen(c.h()));
  const auto events_from = c.h().events().size();
  socket_connect(c, "s");
  c.expect_connect_packet("/", Ms(3000));
  c.expect("connect", "s", Ms(3000), "the connection after socket_connect", events_from);
}

void manager_open_alone(Context& c) {
  c.manager("m");
  c.connect("s", {.opts = {{"autoConnect", false}}, .manager = "m"});
  c.idle(Ms(300));
  c.check(c.h().requests().empty(), "requests before manager_open",
          "none (neither the manager nor its socket was opened)", requests_seen(c.h()));
  c.command({{"cmd", "manager_open"}, {"manager", "m"}});
  if (!c.wait([&] { return c.handshakes() >= 1; }, Ms(3000)))
    c.fail("manager_open", "a handshake and a session", "requests: " + requests_seen(c.h()));
  c.idle(Ms(300));
  std::string connects;
  for (const auto& p : c.h().sio_in())
    if (p.packet.type == 0) connects += (connects.empty() ? "" : ", ") + shown(p);
  c.check(connects.empty(), "the client's packets after manager_open",
          "no CONNECT (no socket was connected)", connects.empty() ? "none" : connects);
  const auto events_from = c.h().events().size();
  socket_connect(c, "s");
  const auto p = c.expect_connect_packet("/", Ms(3000));
  c.check(p.sid == c.h().sessions().front().sid, "the CONNECT after socket_connect",
          "on the session the manager opened", "on " + p.sid);
  c.expect("connect", "s", Ms(3000), "the connection after socket_connect", events_from);
}

}  // namespace

void add_lifecycle(std::vector<Case>& out) {
  out.push_back({{.id = "client/lifecycle/1",
                  .title = "autoConnect: false means no network activity",
                  .requirement = "A socket made with autoConnect: false sends no request until "
                                 "it is connected explicitly",
                  .source = kClientDocs + ", client options: autoConnect",
                  .needs = {"auto_connect_option"}},
                 no_auto_connect});
  out.push_back({{.id = "client/lifecycle/2",
                  .title = "Opening a manager connects no namespace",
                  .requirement = "Opening a manager opens the Engine.IO session but sends no "
                                 "CONNECT; connecting a socket of it then sends the CONNECT on "
                                 "that session",
                  .source = kClientDocs + ", the Manager instance: open(); client options: "
                                          "autoConnect",
                  .needs = {"auto_connect_option", "manager_api"}},
                 manager_open_alone});
}

}  // namespace conform::client::cases
