#include "sio/testing/fake_io.hpp"

#include <cstdio>
#include <cstdlib>

namespace sio::test {

using engine::BodyStatus;

namespace {

void print_and_abort(const char* file, int line, const std::string& message) {
  std::fprintf(stderr, "%s:%d: fake I/O: %s\n", file, line, message.c_str());
  std::abort();
}

FailureReporter reporter = print_and_abort;

}  // namespace

void set_failure_reporter(FailureReporter r) noexcept {
  reporter = r ? r : print_and_abort;
}

#define SIO_FAKE_FAIL(message) reporter(__FILE__, __LINE__, message)

// ---- VirtualScheduler ------------------------------------------------------------------------

engine::Scheduler::TimerId VirtualScheduler::start_timer(engine::Duration delay,
                                                         std::function<void()> fn) {
  const TimerId id = next_id_++;
  const Key key{now_ + delay, seq_++};
  timers_.emplace(key, std::make_pair(id, std::move(fn)));
  keys_.emplace(id, key);
  return id;
}

void VirtualScheduler::cancel_timer(TimerId id) noexcept {
  auto it = keys_.find(id);
  if (it == keys_.end()) return;
  timers_.erase(it->second);
  keys_.erase(it);
}

void VirtualScheduler::run_ready() {
  while (!posted_.empty()) {
    auto batch = std::move(posted_);
    posted_.clear();
    for (auto& fn : batch)
      fn();
  }
}

void VirtualScheduler::advance(engine::Duration d) {
  const auto target = now_ + d;
  run_ready();
  while (!timers_.empty() && timers_.begin()->first.due <= target) {
    auto node = timers_.extract(timers_.begin());
    keys_.erase(node.mapped().first);
    now_ = node.key().due;
    node.mapped().second();
    run_ready();
  }
  now_ = target;
}

// ---- FakeChannel -------------------------------------------------------------------------------

void FakeChannel::send(engine::WsFrame frame) {
  if (closed_) {
    ++sends_after_close_;
    return;
  }
  sent_.push_back({frame.binary, *frame.bytes, frame.compress, frame.bytes.get()});
}

std::vector<std::string> FakeChannel::texts() const {
  std::vector<std::string> out;
  for (const auto& s : sent_)
    if (!s.binary) out.push_back(s.bytes);
  return out;
}

void FakeChannel::receive_text(std::string text) {
  if (handler_) handler_->on_ws_message(false, std::move(text));
}

void FakeChannel::receive_binary(std::string bytes) {
  if (handler_) handler_->on_ws_message(true, std::move(bytes));
}

void FakeChannel::peer_closed(bool error) {
  closed_ = true;
  if (auto handler = std::move(handler_))
    handler->on_ws_closed(error, error ? "test: error" : "test: peer closed");
}

// ---- FakeExchange ------------------------------------------------------------------------------

void FakeExchange::respond(engine::HttpResponse response) {
  if (++responses_ > 1) SIO_FAKE_FAIL("an exchange was answered twice");
  response_ = std::move(response);
}

void FakeExchange::read_body(std::size_t limit, std::function<void(BodyStatus, std::string)> done) {
  body_limit = limit;
  body_done_ = std::move(done);
  if (!hold_body) {
    const std::string body = body_to_send.value_or("");
    if (body.size() > limit) {
      deliver_body(BodyStatus::too_large);
    } else {
      deliver_body(BodyStatus::complete, body);
    }
  }
}

void FakeExchange::deliver_body(BodyStatus status, std::string body) {
  if (!body_done_) return SIO_FAKE_FAIL("the engine did not ask for the body");
  auto done = std::move(body_done_);
  body_done_ = nullptr;
  done(status, std::move(body));
}

void FakeExchange::abort() {
  if (!abort_) return SIO_FAKE_FAIL("no abort handler registered");
  auto fn = std::move(abort_);
  abort_ = nullptr;
  fn();
}

std::shared_ptr<engine::WsChannel> FakeExchange::accept_websocket(
    std::shared_ptr<engine::WsHandler> handler) {
  if (++responses_ > 1) SIO_FAKE_FAIL("an exchange was answered twice");
  websocket = std::make_shared<FakeChannel>(std::move(handler));
  return websocket;
}

const engine::HttpResponse& FakeExchange::response() const {
  static const engine::HttpResponse none{0, {}, "<no response>", false};
  if (!response_) SIO_FAKE_FAIL("the request has not been answered");
  return response_ ? *response_ : none;
}

std::optional<std::string> FakeExchange::header(std::string_view name) const {
  for (const auto& h : response().headers)
    if (h.name == name) return h.value;
  return std::nullopt;
}

// ---- RecordingHandler --------------------------------------------------------------------------

void RecordingHandler::on_open(const std::shared_ptr<engine::Session>& session) {
  opened.push_back(session->id());
  if (on_open_hook) on_open_hook(session);
}

void RecordingHandler::on_text(const std::shared_ptr<engine::Session>& session, std::string text) {
  texts.push_back(text);
  if (echo) session->send_text(text);
}

void RecordingHandler::on_binary(const std::shared_ptr<engine::Session>& session,
                                 std::string bytes) {
  binaries.push_back(bytes);
  if (echo) session->send_binary(bytes);
}

void RecordingHandler::on_close(const std::shared_ptr<engine::Session>& session,
                                engine::CloseReason reason, std::string_view detail) {
  closed.push_back({session->id(), reason, std::string(detail)});
}

// ---- EngineHarness -----------------------------------------------------------------------------

engine::Config EngineHarness::fixture_config() {
  engine::Config config;
  config.ping_interval = engine::Duration(300);
  config.ping_timeout = engine::Duration(200);
  return config;
}

EngineHarness::EngineHarness(engine::Config c) : config(std::move(c)) {
  engine = std::make_unique<engine::Engine>(
      config, scheduler, app,
      [this](engine::LogLevel, std::string_view text) { log.emplace_back(text); },
      [this] { return "sid-" + std::to_string(++sids_); });
}

std::shared_ptr<FakeExchange> EngineHarness::request(engine::Method method, std::string_view query,
                                                     std::optional<std::string> body,
                                                     engine::Headers headers, bool websocket) {
  engine::HttpRequest request;
  request.method = method;
  request.target = config.path + "?" + std::string(query);
  request.headers = std::move(headers);
  request.websocket_upgrade = websocket;
  request.remote_address = "127.0.0.1:50000";
  auto exchange = std::make_shared<FakeExchange>();
  exchange->body_to_send = std::move(body);
  engine->handle_request(request, exchange);
  scheduler.run_ready();
  return exchange;
}

std::string EngineHarness::open_polling() {
  auto exchange = request(engine::Method::get, "EIO=4&transport=polling");
  if (exchange->status() != 200u)
    SIO_FAKE_FAIL("polling handshake answered " + std::to_string(exchange->status()));
  const auto& body = exchange->body();
  const auto start = body.find("\"sid\":\"") + 7;
  return body.substr(start, body.find('"', start) - start);
}

std::shared_ptr<FakeChannel> EngineHarness::open_websocket(std::string* sid) {
  auto exchange = request(engine::Method::get, "EIO=4&transport=websocket", std::nullopt, {}, true);
  if (!exchange->websocket) SIO_FAKE_FAIL("WebSocket handshake not accepted");
  if (sid && exchange->websocket && !exchange->websocket->sent().empty()) {
    const auto& open = exchange->websocket->sent().front().bytes;
    const auto start = open.find("\"sid\":\"") + 7;
    *sid = open.substr(start, open.find('"', start) - start);
  }
  return exchange->websocket;
}

std::shared_ptr<FakeExchange> EngineHarness::get(std::string_view sid) {
  return request(engine::Method::get, "EIO=4&transport=polling&sid=" + std::string(sid));
}

std::shared_ptr<FakeExchange> EngineHarness::post(std::string_view sid, std::string body,
                                                  engine::Headers headers) {
  return request(engine::Method::post, "EIO=4&transport=polling&sid=" + std::string(sid),
                 std::move(body), std::move(headers));
}

std::shared_ptr<FakeChannel> EngineHarness::upgrade_socket(std::string_view sid) {
  auto exchange = request(engine::Method::get, "EIO=4&transport=websocket&sid=" + std::string(sid),
                          std::nullopt, {}, true);
  return exchange->websocket;
}

}  // namespace sio::test
