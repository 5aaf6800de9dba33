// In-memory stand-ins for the network glue and the clock, so the engine's state machine runs in
// tests without sockets or real time: a virtual-time scheduler, an HTTP exchange that records its
// answer, and a WebSocket channel that records what the engine sends. A small library of its own
// (siocheck_fake_io, no GoogleTest), linked by the unit tests and by the whole-server fuzz target.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sio/engine/engine.hpp"
#include "sio/engine/http.hpp"
#include "sio/engine/scheduler.hpp"

namespace sio::test {

// How the fakes report a broken expectation (an exchange answered twice, a body delivered that was
// never asked for, ...). The default prints the message and aborts, which is what a fuzz target
// wants; the unit tests install a reporter that fails the running test instead
// (support/gtest_failures.cpp).
using FailureReporter = void (*)(const char* file, int line, const std::string& message);
void set_failure_reporter(FailureReporter reporter) noexcept;

class VirtualScheduler final : public engine::Scheduler {
 public:
  TimerId start_timer(engine::Duration delay, std::function<void()> fn) override;
  void cancel_timer(TimerId id) noexcept override;
  void post(std::function<void()> fn) override { posted_.push_back(std::move(fn)); }
  engine::Clock::time_point now() const override { return now_; }

  // Runs posted work until none is left.
  void run_ready();
  // Moves time forward, running timers in due order (and posted work after each).
  void advance(engine::Duration d);
  std::size_t pending_timers() const noexcept { return timers_.size(); }

 private:
  struct Key {
    engine::Clock::time_point due;
    std::uint64_t seq;
    auto operator<=>(const Key&) const = default;
  };
  engine::Clock::time_point now_ = engine::Clock::time_point{} + std::chrono::hours(1);
  std::uint64_t seq_ = 0;
  TimerId next_id_ = 1;
  std::map<Key, std::pair<TimerId, std::function<void()>>> timers_;
  std::map<TimerId, Key> keys_;
  std::vector<std::function<void()>> posted_;
};

class FakeChannel final : public engine::WsChannel {
 public:
  struct Sent {
    bool binary;
    std::string bytes;
    bool compress = true;
    const std::string* buffer = nullptr;  // which shared buffer the bytes came from
    friend bool operator==(const Sent& a, const Sent& b) {
      return a.binary == b.binary && a.bytes == b.bytes;
    }
  };

  explicit FakeChannel(std::shared_ptr<engine::WsHandler> handler) : handler_(std::move(handler)) {}

  void send(engine::WsFrame frame) override;
  void close() override { closed_ = true; }
  std::size_t buffered_bytes() const noexcept override { return buffered_; }

  // What the engine sent: text frames as written, binary frames as bytes.
  const std::vector<Sent>& sent() const noexcept { return sent_; }
  std::vector<std::string> texts() const;
  bool closed() const noexcept { return closed_; }
  // Frames the engine sent after the channel was closed (by the engine or by the peer). The glue
  // drops them, but an engine that sends any has lost track of its connection.
  std::size_t sends_after_close() const noexcept { return sends_after_close_; }
  void set_buffered(std::size_t n) noexcept { buffered_ = n; }

  // The client side: frames arriving, the connection ending.
  void receive_text(std::string text);
  void receive_binary(std::string bytes);
  void peer_closed(bool error = false);

 private:
  std::shared_ptr<engine::WsHandler> handler_;
  std::vector<Sent> sent_;
  bool closed_ = false;
  std::size_t buffered_ = 0;
  std::size_t sends_after_close_ = 0;
};

class FakeExchange final : public engine::HttpExchange {
 public:
  void respond(engine::HttpResponse response) override;
  void read_body(std::size_t limit,
                 std::function<void(engine::BodyStatus, std::string)> done) override;
  void on_abort(std::function<void()> fn) override { abort_ = std::move(fn); }
  std::shared_ptr<engine::WsChannel> accept_websocket(
      std::shared_ptr<engine::WsHandler> handler) override;

  bool answered() const noexcept { return response_.has_value(); }
  const engine::HttpResponse& response() const;  // fails the test when not answered
  unsigned status() const { return response().status; }
  const std::string& body() const { return response().body; }
  std::optional<std::string> header(std::string_view name) const;
  int responses() const noexcept { return responses_; }

  // The body the client sends, delivered when the engine asks for it (unless held).
  std::optional<std::string> body_to_send;
  bool hold_body = false;
  std::optional<std::size_t> body_limit;  // the limit the engine asked for
  void deliver_body(engine::BodyStatus status, std::string body = {});
  // The client goes away while the request is held.
  void abort();
  bool abort_registered() const noexcept { return static_cast<bool>(abort_); }

  std::shared_ptr<FakeChannel> websocket;

 private:
  std::optional<engine::HttpResponse> response_;
  int responses_ = 0;
  std::function<void(engine::BodyStatus, std::string)> body_done_;
  std::function<void()> abort_;
};

// The application behind the engine: records every callback; echoes when asked to.
class RecordingHandler final : public engine::Handler {
 public:
  struct Closed {
    std::string sid;
    engine::CloseReason reason;
    std::string detail;
  };
  bool echo = true;
  std::vector<std::string> opened;
  std::vector<std::string> texts;
  std::vector<std::string> binaries;
  std::vector<Closed> closed;
  std::function<void(const std::shared_ptr<engine::Session>&)> on_open_hook;

  void on_open(const std::shared_ptr<engine::Session>& session) override;
  void on_text(const std::shared_ptr<engine::Session>& session, std::string text) override;
  void on_binary(const std::shared_ptr<engine::Session>& session, std::string bytes) override;
  void on_close(const std::shared_ptr<engine::Session>& session, engine::CloseReason reason,
                std::string_view detail) override;
};

// An engine on a virtual clock with helpers to play the client's side of the protocol.
class EngineHarness {
 public:
  explicit EngineHarness(engine::Config config = fixture_config());
  static engine::Config fixture_config();  // pingInterval 300, pingTimeout 200, maxPayload 1e6

  VirtualScheduler scheduler;
  RecordingHandler app;
  engine::Config config;
  std::unique_ptr<engine::Engine> engine;
  std::vector<std::string> log;

  std::shared_ptr<FakeExchange> request(engine::Method method, std::string_view query,
                                        std::optional<std::string> body = std::nullopt,
                                        engine::Headers headers = {}, bool websocket = false);
  // A polling handshake; returns the sid.
  std::string open_polling();
  // A WebSocket-only handshake; returns the channel (its first frame is the open packet).
  std::shared_ptr<FakeChannel> open_websocket(std::string* sid = nullptr);
  std::shared_ptr<FakeExchange> get(std::string_view sid);
  std::shared_ptr<FakeExchange> post(std::string_view sid, std::string body,
                                     engine::Headers headers = {});
  // Opens the probe WebSocket of an upgrade.
  std::shared_ptr<FakeChannel> upgrade_socket(std::string_view sid);

 private:
  int sids_ = 0;
};

}  // namespace sio::test
