// The state machine of one Engine.IO session. Every entry point (a request, a WebSocket message,
// a timer) runs to completion on the engine's single thread.
#include "sio/engine/session.hpp"

#include <array>
#include <cstdlib>
#include <utility>

#include "sio/engine/engine.hpp"
#include "sio/engine/error.hpp"
#include "sio/wire/base64.hpp"
#include "sio/wire/eio_payload.hpp"

namespace sio::engine {

namespace eio = wire::eio;

namespace {

std::shared_ptr<const std::string> constant(std::string_view text) {
  return std::make_shared<const std::string>(text);
}

// Control packets are the same bytes for every session.
const std::shared_ptr<const std::string>& ping_bytes() {
  static const auto bytes = constant("2");
  return bytes;
}
const std::shared_ptr<const std::string>& probe_reply_bytes() {
  static const auto bytes = constant("3probe");
  return bytes;
}

HttpResponse poll_response(std::string body) {
  HttpResponse response;
  response.set("Content-Type", "text/plain; charset=UTF-8").set("Cache-Control", "no-store");
  response.body = std::move(body);
  return response;
}

HttpResponse post_ok() {
  HttpResponse response;
  response.set("Content-Type", "text/html");  // historical, and what clients are used to
  response.body = "ok";
  return response;
}

// Accepts a WebSocket only to close it at once: a second WebSocket on a session.
class RefusedSocket final : public WsHandler {
 public:
  void on_ws_message(bool, std::string) override {}
  void on_ws_closed(bool, std::string_view) override {}
};

}  // namespace

// Routes a WebSocket's events to its session, and outlives neither: detached on abort.
class Session::SocketHandler final : public WsHandler {
 public:
  explicit SocketHandler(std::weak_ptr<Session> session) : session_(std::move(session)) {}
  void on_ws_message(bool binary, std::string data) override {
    if (auto s = session_.lock()) s->on_socket_message(*this, binary, std::move(data));
  }
  void on_ws_closed(bool error, std::string_view why) override {
    if (auto s = session_.lock()) s->on_socket_closed(*this, error, why);
  }
  void detach() noexcept { session_.reset(); }

 private:
  std::weak_ptr<Session> session_;
};

std::string_view to_string(Transport t) noexcept {
  return t == Transport::polling ? "polling" : "websocket";
}

std::string_view to_string(CloseReason r) noexcept {
  switch (r) {
    case CloseReason::transport_close:
      return "transport close";
    case CloseReason::transport_error:
      return "transport error";
    case CloseReason::parse_error:
      return "parse error";
    case CloseReason::ping_timeout:
      return "ping timeout";
    case CloseReason::forced_close:
      return "forced close";
  }
  return "unknown";
}

Frame Frame::text_message(std::string_view text) {
  std::string bytes;
  bytes.reserve(text.size() + 1);
  bytes.push_back(eio::type_char(eio::PacketType::message));
  bytes.append(text);
  return {std::make_shared<const std::string>(std::move(bytes)), false};
}

Frame Frame::binary_message(std::string_view bytes) {
  return {std::make_shared<const std::string>(bytes), true};
}

Session::Session(const Private&, Engine& engine, std::string id, Transport transport,
                 HandshakeInfo info)
    : engine_(engine),
      id_(std::move(id)),
      transport_(transport),
      handshake_(std::move(info)),
      ping_timer_(engine.scheduler()),
      pong_timer_(engine.scheduler()),
      upgrade_timer_(engine.scheduler()),
      close_timer_(engine.scheduler()) {}

Session::~Session() {
  if (socket_handler_) socket_handler_->detach();
  if (probe_handler_) probe_handler_->detach();
}

void Session::start() {
  ping_timer_.start(engine_.resolved_.first_ping_delay, [this] { send_ping(); });
}

// ---- sending ---------------------------------------------------------------------------------

bool Session::send_text(std::string_view text, SendOptions options) {
  const Frame frame = Frame::text_message(text);
  return send(std::span(&frame, 1), options);
}

bool Session::send_binary(std::string_view bytes, SendOptions options) {
  const Frame frame = Frame::binary_message(bytes);
  return send(std::span(&frame, 1), options);
}

bool Session::writable() const noexcept {
  if (state_ != State::open) return false;
  if (transport_ == Transport::websocket)
    return socket_ && socket_->buffered_bytes() == 0 && queue_.empty();
  return poll_ != nullptr;
}

bool Session::send(std::span<const Frame> frames, SendOptions options) {
  if (state_ != State::open) return false;
  if (options.is_volatile && !writable()) return false;
  for (const auto& frame : frames) {
    queued_bytes_ += frame.bytes->size();
    queue_.push_back({frame, options.compress});
  }
  const std::size_t in_socket = socket_ ? socket_->buffered_bytes() : 0;
  if (queued_bytes_ + in_socket > engine_.config().max_queued_bytes) {
    terminate(CloseReason::transport_error,
              "send buffer limit exceeded (" + std::to_string(queued_bytes_ + in_socket) + " > " +
                  std::to_string(engine_.config().max_queued_bytes) + " bytes)");
    return false;
  }
  if (transport_ == Transport::websocket) {
    flush();
  } else {
    schedule_flush();
  }
  return true;
}

void Session::schedule_flush() {
  if (flush_scheduled_ || !poll_) return;
  flush_scheduled_ = true;
  engine_.scheduler().post([weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->flush_scheduled_ = false;
      self->flush();
    }
  });
}

void Session::flush() {
  if (queue_.empty()) return;
  if (transport_ == Transport::websocket) {
    if (!socket_) return;
    const bool as_text = engine_.config().quirks.binary_as_base64_text;
    auto write = [&](Queued& queued) {
      if (as_text && queued.frame.binary) {
        auto text =
            std::make_shared<const std::string>("b" + wire::base64::encode(*queued.frame.bytes));
        socket_->send({std::move(text), false, queued.compress});
        return;
      }
      socket_->send({std::move(queued.frame.bytes), queued.frame.binary, queued.compress});
    };
    if (engine_.config().quirks.close_before_flush) {
      // One frame now, the next a turn later; a close meanwhile drops what still waits.
      if (ws_write_pending_) return;
      queued_bytes_ -= queue_.front().frame.bytes->size();
      write(queue_.front());
      queue_.pop_front();
      ws_write_pending_ = true;
      engine_.scheduler().post([weak = weak_from_this()] {
        if (auto self = weak.lock()) {
          self->ws_write_pending_ = false;
          if (self->state_ == State::open) self->flush();
        }
      });
      return;
    }
    for (auto& queued : queue_)
      write(queued);
    queue_.clear();
    queued_bytes_ = 0;
    return;
  }
  if (poll_) answer_poll_with_queue();
}

void Session::answer_poll(std::string body) {
  auto poll = std::move(poll_);
  poll_.reset();
  poll->respond(poll_response(std::move(body)));
}

void Session::answer_poll_with_queue() {
  std::string body;
  for (const auto& [frame, compress] : queue_) {
    if (!body.empty()) body.push_back(eio::kRecordSeparator);
    if (frame.binary) {
      body.push_back('b');
      wire::base64::encode_append(*frame.bytes, body);
    } else {
      body.append(*frame.bytes);
    }
  }
  queue_.clear();
  queued_bytes_ = 0;
  answer_poll(std::move(body));
}

// ---- long-polling --------------------------------------------------------------------------

void Session::on_poll(std::shared_ptr<HttpExchange> exchange) {
  if (poll_ && engine_.config().quirks.overlapping_get_replaces_first) answer_poll("6");
  if (poll_) {
    exchange->respond(error_response(errc::request_overlap));
    terminate(CloseReason::transport_error, "overlapping GET requests");
    return;
  }
  poll_ = std::move(exchange);
  if (state_ == State::closing) {
    // A server close waits for a GET: deliver what was queued, then the close.
    if (!queue_.empty()) return answer_poll_with_queue();
    return terminate(CloseReason::forced_close, close_detail_,
                     "6\x1e"
                     "1");
  }
  if (!queue_.empty()) return answer_poll_with_queue();
  if (upgrade_ == Upgrade::probed && !engine_.config().quirks.hold_polls_during_upgrade)
    return answer_poll("6");  // the client is pausing polling
  engine_.log(LogLevel::debug, "sid=" + id_ + " poll held");
  poll_->on_abort([weak = weak_from_this(), raw = poll_.get()] {
    auto self = weak.lock();
    if (!self || self->poll_.get() != raw) return;
    self->poll_.reset();
    self->terminate(CloseReason::transport_error, "poll request closed by the client");
  });
}

void Session::on_post(const HttpRequest& request, std::shared_ptr<HttpExchange> exchange) {
  if (post_in_progress_) {
    exchange->respond(error_response(errc::request_overlap));
    terminate(CloseReason::transport_error, "overlapping POST requests");
    return;
  }
  if (auto type = request.header("content-type");
      type && type->starts_with("application/octet-stream")) {
    if (engine_.config().quirks.binary_post_unanswered) {
      engine_.unanswered_.push_back(std::move(exchange));
    } else {
      exchange->respond(error_response(errc::binary_post));
    }
    terminate(CloseReason::transport_error, "binary POST body: Engine.IO v4 polling is text only");
    return;
  }
  post_in_progress_ = true;
  auto* raw = exchange.get();
  raw->read_body(engine_.resolved_.post_body_limit, [weak = weak_from_this(),
                                                     exchange = std::move(exchange)](
                                                        BodyStatus status, std::string body) {
    if (auto self = weak.lock()) {
      self->on_post_body(status, std::move(body), exchange);
    } else if (status != BodyStatus::aborted) {
      exchange->respond(status == BodyStatus::too_large ? error_response(errc::payload_too_large)
                                                        : post_ok());
    }
  });
}

void Session::on_post_body(BodyStatus status, std::string body,
                           const std::shared_ptr<HttpExchange>& ex) {
  post_in_progress_ = false;
  switch (status) {
    case BodyStatus::aborted:
      terminate(CloseReason::transport_error, "POST body cut short by the client");
      return;
    case BodyStatus::too_large:
      // Refused, but the session goes on (as Node's engine.io does); the client decides.
      engine_.log(LogLevel::debug, "sid=" + id_ + " POST body past maxPayload (" +
                                       std::to_string(engine_.config().max_payload) +
                                       " bytes): 413");
      ex->respond(error_response(errc::payload_too_large));
      return;
    case BodyStatus::complete:
      break;
  }
  std::vector<eio::Packet> packets;
  const auto ec = eio::decode_payload(body, packets);
  for (auto& packet : packets) {
    if (state_ != State::open) break;
    on_packet(std::move(packet));
  }
  if (ec && state_ == State::open && !engine_.config().quirks.ignore_invalid_packets)
    terminate(CloseReason::parse_error, "invalid packet in POST body: " + ec.message());
  ex->respond(post_ok());
}

// ---- packets from the client ------------------------------------------------------------------

void Session::on_packet(eio::Packet packet) {
  if (packet.type != eio::PacketType::pong) note_client_packet();
  switch (packet.type) {
    case eio::PacketType::message:
      if (state_ != State::open) return;
      if (packet.binary) {
        engine_.handler_.on_binary(shared_from_this(), std::move(packet.data));
      } else {
        engine_.handler_.on_text(shared_from_this(), std::move(packet.data));
      }
      return;
    case eio::PacketType::pong:
      on_pong();
      return;
    case eio::PacketType::ping:
      terminate(CloseReason::transport_error,
                "invalid heartbeat direction: the client sent a ping");
      return;
    case eio::PacketType::close:
      terminate(CloseReason::transport_close, "the client sent a close packet", "6");
      return;
    case eio::PacketType::open:
    case eio::PacketType::upgrade:
    case eio::PacketType::noop:
      return;  // meaningless from a client here; ignored as Node's engine.io does
  }
}

// ---- WebSocket and upgrade ---------------------------------------------------------------------

void Session::on_websocket_request(const std::shared_ptr<HttpExchange>& exchange,
                                   bool versionless) {
  const bool can_upgrade = engine_.config().allow_upgrades && transport_ == Transport::polling &&
                           upgrade_ == Upgrade::none && state_ == State::open;
  if (!can_upgrade && transport_ == Transport::websocket && state_ == State::open &&
      engine_.config().quirks.second_websocket_takes_over) {
    if (socket_) socket_->close();
    if (socket_handler_) socket_handler_->detach();
    socket_handler_ = std::make_shared<SocketHandler>(weak_from_this());
    socket_ = exchange->accept_websocket(socket_handler_);
    return;
  }
  if (!can_upgrade) {
    // Already upgraded or upgrading: the new WebSocket is closed and the session left alone.
    engine_.log(LogLevel::debug, "sid=" + id_ + " extra WebSocket refused");
    exchange->accept_websocket(std::make_shared<RefusedSocket>())->close();
    return;
  }
  crash_when_upgraded_ = versionless;
  probe_handler_ = std::make_shared<SocketHandler>(weak_from_this());
  probe_ = exchange->accept_websocket(probe_handler_);
  upgrade_ = Upgrade::probing;
  upgrade_timer_.start(engine_.config().upgrade_timeout,
                       [this] { abort_upgrade("upgrade timeout"); });
}

void Session::open_websocket(const std::shared_ptr<HttpExchange>& exchange,
                             std::string open_packet) {
  socket_handler_ = std::make_shared<SocketHandler>(weak_from_this());
  socket_ = exchange->accept_websocket(socket_handler_);
  socket_->send({std::make_shared<const std::string>(std::move(open_packet)), false, true});
}

void Session::on_socket_message(SocketHandler& from, bool binary, std::string data) {
  if (state_ == State::closed) return;
  if (&from == probe_handler_.get()) {
    eio::Packet packet;
    if (binary || eio::decode_text(data, packet))
      return abort_upgrade("invalid packet on the probe WebSocket");
    if (packet.type == eio::PacketType::ping && packet.data == "probe") {
      probe_->send({probe_reply_bytes(), false, true});
      upgrade_ = Upgrade::probed;
      // The client now pauses polling: end its GET so it can send "5".
      if (engine_.config().quirks.hold_polls_during_upgrade) return;
      if (poll_ && queue_.empty()) {
        answer_poll("6");
      } else if (poll_) {
        answer_poll_with_queue();
      }
      return;
    }
    // "5" without "2probe" first is accepted, as Node's engine.io does.
    if (packet.type == eio::PacketType::upgrade) return complete_upgrade();
    return abort_upgrade("unexpected packet on the probe WebSocket");
  }
  if (&from != socket_handler_.get()) return;
  if (binary) {
    note_client_packet();
    if (state_ == State::open) engine_.handler_.on_binary(shared_from_this(), std::move(data));
    return;
  }
  eio::Packet packet;
  if (auto ec = eio::decode_text(data, packet)) {
    if (engine_.config().quirks.ignore_invalid_packets) return;
    terminate(CloseReason::parse_error, "invalid packet on the WebSocket: " + ec.message());
    return;
  }
  on_packet(std::move(packet));
}

void Session::on_socket_closed(SocketHandler& from, bool error, std::string_view why) {
  if (&from == probe_handler_.get()) {
    probe_.reset();  // already gone
    return abort_upgrade(std::string("probe WebSocket ended: ") + std::string(why));
  }
  if (&from != socket_handler_.get()) return;
  terminate(error ? CloseReason::transport_error : CloseReason::transport_close,
            std::string("WebSocket ended: ") + std::string(why));
}

void Session::complete_upgrade() {
  // The quirk: engine.io 6.6.0 to 6.6.9 left such a session without its heartbeat timer and
  // threw on it; here the process ends as soon as the upgrade completes.
  if (crash_when_upgraded_) std::abort();
  upgrade_timer_.cancel();
  if (poll_)
    answer_poll("6");  // a client that still polls must not hang; the queue goes on WebSocket
  transport_ = Transport::websocket;
  socket_ = std::move(probe_);
  socket_handler_ = std::move(probe_handler_);
  upgrade_ = Upgrade::none;
  engine_.log(LogLevel::debug, "sid=" + id_ + " upgraded to websocket");
  flush();
}

void Session::abort_upgrade(std::string_view why) {
  if (upgrade_ == Upgrade::none) return;
  upgrade_timer_.cancel();
  if (probe_) probe_->close();
  probe_.reset();
  if (probe_handler_) probe_handler_->detach();
  probe_handler_.reset();
  upgrade_ = Upgrade::none;
  engine_.log(LogLevel::debug, "sid=" + id_ + " upgrade aborted: " + std::string(why));
}

// ---- heartbeat -------------------------------------------------------------------------------

void Session::send_ping() {
  if (state_ != State::open) return;
  const std::array ping{Frame{ping_bytes(), false}};
  if (!send(ping)) return;
  const auto timeout = engine_.resolved_.pong_timeout;
  pong_timer_.start(timeout, [this, timeout] {
    terminate(CloseReason::ping_timeout,
              "no pong within " + std::to_string(timeout.count()) + " ms");
  });
}

void Session::on_pong() {
  if (state_ != State::open) return;
  // The next ping is one interval after this pong, as Node's engine.io schedules it.
  pong_timer_.cancel();
  ping_timer_.start(engine_.config().ping_interval, [this] { send_ping(); });
}

void Session::note_client_packet() {
  if (!engine_.config().quirks.data_counts_as_pong || state_ != State::open) return;
  // engine.io up to 6.5.x: any packet restarts the ping timeout at pingInterval + pingTimeout; the
  // next ping still waits for a pong.
  const auto timeout = engine_.config().ping_interval + engine_.config().ping_timeout;
  pong_timer_.start(timeout, [this, timeout] {
    terminate(CloseReason::ping_timeout,
              "no packet within " + std::to_string(timeout.count()) + " ms");
  });
}

// ---- closing ---------------------------------------------------------------------------------

void Session::close(std::string_view detail) {
  if (state_ != State::open) return;
  abort_upgrade("session closing");
  if (transport_ == Transport::websocket) {
    terminate(CloseReason::forced_close, detail);  // queued frames go out before the close frame
    return;
  }
  state_ = State::closing;
  close_detail_ = detail;
  ping_timer_.cancel();
  pong_timer_.cancel();
  finish_polling_close();
}

void Session::finish_polling_close() {
  if (!queue_.empty() && poll_) answer_poll_with_queue();
  if (queue_.empty() && poll_) return terminate(CloseReason::forced_close, close_detail_, "1");
  // No GET to carry the close: the next GET gets what is queued, then "6\x1e1"; a client that
  // never polls again is dropped after the close timeout.
  close_timer_.start(engine_.config().close_timeout, [this] {
    terminate(CloseReason::forced_close, close_detail_ + " (no poll before the close timeout)");
  });
}

void Session::terminate(CloseReason reason, std::string_view detail, std::string_view poll_answer) {
  if (state_ == State::closed) return;
  auto self = shared_from_this();  // the engine may hold the last reference
  state_ = State::closed;
  ping_timer_.cancel();
  pong_timer_.cancel();
  upgrade_timer_.cancel();
  close_timer_.cancel();
  if (poll_ && !queue_.empty()) {
    // What was queued goes out first (an echo of packets delivered just before the end).
    auto body = std::string();
    for (const auto& [frame, compress] : queue_) {
      body += frame.binary ? "b" + wire::base64::encode(*frame.bytes) : *frame.bytes;
      body.push_back(eio::kRecordSeparator);
    }
    answer_poll(body + std::string(poll_answer));
  } else if (poll_) {
    answer_poll(std::string(poll_answer));
  }
  if (probe_) probe_->close();
  probe_.reset();
  if (socket_) socket_->close();
  socket_.reset();
  queue_.clear();
  queued_bytes_ = 0;
  engine_.forget(*this);
  engine_.log(LogLevel::info, "session close sid=" + id_ + " reason=\"" +
                                  std::string(to_string(reason)) + "\" detail=\"" +
                                  std::string(detail) + "\"");
  engine_.handler_.on_close(self, reason, detail);
}

}  // namespace sio::engine

namespace sio::engine {

void Session::detach() noexcept {
  state_ = State::closed;
  ping_timer_.cancel();
  pong_timer_.cancel();
  upgrade_timer_.cancel();
  close_timer_.cancel();
  poll_.reset();
  probe_.reset();
  socket_.reset();
}

}  // namespace sio::engine
