// A Socket.IO server behind the engine, on the virtual clock, with clients that speak the wire
// protocol over in-memory WebSockets or long-polling: tests see exactly the bytes a client would.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sio/server/server.hpp"
#include "sio/testing/fake_io.hpp"

namespace sio::test {

class ServerHarness;

// A client over an in-memory WebSocket. send("40") writes the Engine.IO message 4 + "0".
class WireClient {
 public:
  WireClient(ServerHarness& harness, std::shared_ptr<FakeChannel> channel, std::string sid)
      : harness_(harness), channel_(std::move(channel)), sid_(std::move(sid)) {}

  const std::string& sid() const noexcept { return sid_; }
  // Sends one Socket.IO packet as a text message ("0", "2[\"x\"]", ...).
  void send(std::string_view sio_text);
  void send_binary(std::string bytes);
  // Frames received since the last call, as the Engine.IO frames ("40{...}", binary bytes).
  std::vector<FakeChannel::Sent> take();
  // Text frames only, since the last call.
  std::vector<std::string> texts();
  bool closed() const { return channel_->closed(); }
  FakeChannel& channel() { return *channel_; }

  // Connects to `nsp` (with an optional auth payload) and returns the socket id from the reply.
  std::string connect(std::string_view nsp = "/", std::string_view auth = "");

 private:
  ServerHarness& harness_;
  std::shared_ptr<FakeChannel> channel_;
  std::string sid_;
  std::size_t seen_ = 1;  // the open packet is not news
};

class ServerHarness {
 public:
  explicit ServerHarness(server::Options options = default_options(),
                         engine::Config config = default_config());
  static server::Options default_options();  // connect timeout 1000 ms, ids "s1", "s2", ...
  static engine::Config
  default_config();  // a long heartbeat (25 s / 20 s): tests that are not about it

  VirtualScheduler scheduler;
  std::vector<std::string> log;
  std::unique_ptr<server::Server> server;
  std::unique_ptr<engine::Engine> engine;

  WireClient websocket_client();
  // A polling client: its sid (drive it with engine->handle_request, see polling()).
  std::string polling_handshake();
  std::shared_ptr<FakeExchange> poll(std::string_view sid);
  std::shared_ptr<FakeExchange> post(std::string_view sid, std::string body);
  void run() { scheduler.run_ready(); }

 private:
  int engine_sids_ = 0;
  int socket_ids_ = 0;
};

}  // namespace sio::test
