#include "sio/server/types.hpp"

namespace sio::server {

std::string_view to_string(DisconnectReason reason) noexcept {
  switch (reason) {
    case DisconnectReason::transport_error:
      return "transport error";
    case DisconnectReason::transport_close:
      return "transport close";
    case DisconnectReason::forced_close:
      return "forced close";
    case DisconnectReason::ping_timeout:
      return "ping timeout";
    case DisconnectReason::parse_error:
      return "parse error";
    case DisconnectReason::server_shutting_down:
      return "server shutting down";
    case DisconnectReason::forced_server_close:
      return "forced server close";
    case DisconnectReason::client_namespace_disconnect:
      return "client namespace disconnect";
    case DisconnectReason::server_namespace_disconnect:
      return "server namespace disconnect";
  }
  return "unknown";
}

DisconnectReason from_engine(engine::CloseReason reason) noexcept {
  switch (reason) {
    case engine::CloseReason::transport_close:
      return DisconnectReason::transport_close;
    case engine::CloseReason::transport_error:
      return DisconnectReason::transport_error;
    case engine::CloseReason::parse_error:
      return DisconnectReason::parse_error;
    case engine::CloseReason::ping_timeout:
      return DisconnectReason::ping_timeout;
    case engine::CloseReason::forced_close:
      return DisconnectReason::forced_close;
  }
  return DisconnectReason::transport_error;
}

Ack::Ack(std::function<void(const Args&)> send) : state_(std::make_shared<State>()) {
  state_->send = std::move(send);
}

void Ack::operator()(const Args& args) const {
  if (!state_ || state_->sent) return;
  state_->sent = true;
  state_->send(args);
}

bool Ack::sent() const noexcept {
  return state_ && state_->sent;
}

}  // namespace sio::server
