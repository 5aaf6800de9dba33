#include "server_harness.hpp"

#include <gtest/gtest.h>

namespace sio::test {

void WireClient::send(std::string_view sio_text) {
  channel_->receive_text("4" + std::string(sio_text));
  harness_.run();
}

void WireClient::send_binary(std::string bytes) {
  channel_->receive_binary(std::move(bytes));
  harness_.run();
}

std::vector<FakeChannel::Sent> WireClient::take() {
  harness_.run();
  const auto& all = channel_->sent();
  std::vector<FakeChannel::Sent> out(
      all.begin() + static_cast<std::ptrdiff_t>(std::min(seen_, all.size())), all.end());
  seen_ = all.size();
  return out;
}

std::vector<std::string> WireClient::texts() {
  std::vector<std::string> out;
  for (auto& frame : take())
    if (!frame.binary) out.push_back(frame.bytes);
  return out;
}

std::string WireClient::connect(std::string_view nsp, std::string_view auth) {
  std::string packet = "0";
  if (nsp != "/") packet += std::string(nsp) + ",";
  packet += auth;
  send(packet);
  const auto frames = texts();
  EXPECT_FALSE(frames.empty()) << "no answer to " << packet;
  if (frames.empty()) return {};
  const auto& reply = frames.front();
  const auto at = reply.find("{\"sid\":\"");
  EXPECT_NE(at, std::string::npos) << "not a CONNECT reply: " << reply;
  if (at == std::string::npos) return {};
  return reply.substr(at + 8, reply.find('"', at + 8) - at - 8);
}

server::Options ServerHarness::default_options() {
  server::Options options;
  options.connect_timeout = engine::Duration(1000);
  return options;
}

engine::Config ServerHarness::default_config() {
  engine::Config config;
  config.path = "/socket.io/";
  config.ping_interval = engine::Duration(25000);
  config.ping_timeout = engine::Duration(20000);
  return config;
}

ServerHarness::ServerHarness(server::Options options, engine::Config config) {
  options.ids = [this] { return "s" + std::to_string(++socket_ids_); };
  options.log = [this](engine::LogLevel, std::string_view text) { log.emplace_back(text); };
  server = std::make_unique<server::Server>(scheduler, std::move(options));
  engine = std::make_unique<engine::Engine>(
      std::move(config), scheduler, *server,
      [this](engine::LogLevel, std::string_view text) { log.emplace_back(text); },
      [this] { return "e" + std::to_string(++engine_sids_); });
  server->attach(*engine);
}

WireClient ServerHarness::websocket_client() {
  engine::HttpRequest request;
  request.target = "/socket.io/?EIO=4&transport=websocket";
  request.websocket_upgrade = true;
  request.remote_address = "127.0.0.1:40000";
  auto exchange = std::make_shared<FakeExchange>();
  engine->handle_request(request, exchange);
  run();
  EXPECT_TRUE(exchange->websocket);
  return WireClient(*this, exchange->websocket, "e" + std::to_string(engine_sids_));
}

std::string ServerHarness::polling_handshake() {
  engine::HttpRequest request;
  request.target = "/socket.io/?EIO=4&transport=polling";
  auto exchange = std::make_shared<FakeExchange>();
  engine->handle_request(request, exchange);
  run();
  return "e" + std::to_string(engine_sids_);
}

std::shared_ptr<FakeExchange> ServerHarness::poll(std::string_view sid) {
  engine::HttpRequest request;
  request.target = "/socket.io/?EIO=4&transport=polling&sid=" + std::string(sid);
  auto exchange = std::make_shared<FakeExchange>();
  engine->handle_request(request, exchange);
  run();
  return exchange;
}

std::shared_ptr<FakeExchange> ServerHarness::post(std::string_view sid, std::string body) {
  engine::HttpRequest request;
  request.method = engine::Method::post;
  request.target = "/socket.io/?EIO=4&transport=polling&sid=" + std::string(sid);
  auto exchange = std::make_shared<FakeExchange>();
  exchange->body_to_send = std::move(body);
  engine->handle_request(request, exchange);
  run();
  return exchange;
}

}  // namespace sio::test
