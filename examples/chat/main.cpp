// A chat room on siocheck's reference library, in the manner of socket.io's own chat example.
//   siocheck-chat [PORT]     (0 picks a free port; prints "listening http://127.0.0.1:PORT")
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "sio/net/server.hpp"
#include "sio/server/server.hpp"

using sio::server::Args;
using sio::server::Json;
using sio::server::Socket;
using sio::wire::json::quote;

int main(int argc, char** argv) {
  sio::net::ServerOptions net_options;
  net_options.port = static_cast<std::uint16_t>(argc > 1 ? std::atoi(argv[1]) : 3000);
  sio::net::Server net(net_options);
  sio::server::Server io(net.scheduler());
  sio::engine::Config config;
  config.path = "/socket.io/";
  sio::engine::Engine engine(config, net.scheduler(), io);
  io.attach(engine);
  net.mount(config.path,
            [&](const auto& request, auto exchange) { engine.handle_request(request, exchange); });

  std::map<std::string, std::string> users;  // socket id -> user name
  auto user_event = [&](const std::string& name) {
    return Args::of(Json{"{\"username\":" + quote(name) +
                         ",\"numUsers\":" + std::to_string(users.size()) + "}"});
  };

  io.of("/").on_connection([&](Socket& socket) {
    socket.on("add user", [&](Socket& s, const Args& args, const auto&) {
      if (users.contains(s.id())) return;
      users[s.id()] = args.string(0).value_or("anonymous");
      s.emit("login", Args::of(Json{"{\"numUsers\":" + std::to_string(users.size()) + "}"}));
      s.broadcast().emit("user joined", user_event(users[s.id()]));
    });
    socket.on("new message", [&](Socket& s, const Args& args, const auto&) {
      if (!users.contains(s.id())) return;
      const auto text = args.string(0).value_or("");
      s.broadcast().emit("new message", Args::of(Json{"{\"username\":" + quote(users[s.id()]) +
                                                      ",\"message\":" + quote(text) + "}"}));
    });
    for (const char* typing : {"typing", "stop typing"}) {
      socket.on(typing, [&, typing](Socket& s, const Args&, const auto&) {
        if (users.contains(s.id()))
          s.broadcast().emit(typing, Args::of(Json{"{\"username\":" + quote(users[s.id()]) + "}"}));
      });
    }
    socket.on_disconnect([&](Socket& s, auto) {
      const auto it = users.find(s.id());
      if (it == users.end()) return;
      const auto name = it->second;
      users.erase(it);
      s.broadcast().emit("user left", user_event(name));
    });
  });

  const auto port = net.listen();
  std::printf("listening http://127.0.0.1:%u\n", static_cast<unsigned>(port));
  std::fflush(stdout);
  net.on_signal([&](int) {
    io.close();
    net.shutdown(std::chrono::milliseconds(500));
  });
  net.run();
}
