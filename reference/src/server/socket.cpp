#include "sio/server/socket.hpp"

#include <cstdlib>
#include <exception>

#include "encode.hpp"
#include "sio/server/client.hpp"
#include "sio/server/namespace.hpp"
#include "sio/server/server.hpp"
#include "sio/wire/json.hpp"

namespace sio::server {

using wire::sio::PacketType;

// ---- SocketEmitter -----------------------------------------------------------------------------

SocketEmitter SocketEmitter::with_volatile() const {
  auto flags = flags_;
  flags.is_volatile = true;
  return {socket_, flags};
}

SocketEmitter SocketEmitter::compress(bool on) const {
  auto flags = flags_;
  flags.compress = on;
  return {socket_, flags};
}

SocketEmitter SocketEmitter::timeout(Duration d) const {
  auto flags = flags_;
  flags.timeout = d;
  return {socket_, flags};
}

bool SocketEmitter::emit(std::string_view event, const Args& args) const {
  return socket_.emit_with(flags_, event, args);
}

void SocketEmitter::emit_with_ack(std::string_view event, const Args& args,
                                  AckCallback callback) const {
  socket_.emit_with_ack_with(flags_, event, args, std::move(callback));
}

// ---- Socket ------------------------------------------------------------------------------------

const Quirks& Socket::quirks() const noexcept {
  return nsp_.server().options().quirks;
}

Socket::Socket(Namespace& nsp, std::weak_ptr<Client> client, std::string id, Handshake handshake)
    : nsp_(nsp), client_(std::move(client)), id_(std::move(id)), handshake_(std::move(handshake)) {}

Socket::~Socket() {
  for (auto& [id, pending] : acks_)
    if (pending.timer) nsp_.server().scheduler().cancel_timer(*pending.timer);
}

const std::set<std::string>& Socket::rooms() const {
  return nsp_.adapter().rooms_of(id_);
}

Socket& Socket::on(std::string event, EventHandler handler) {
  handlers_[std::move(event)].push_back(std::move(handler));
  return *this;
}

Socket& Socket::on_any(AnyHandler handler) {
  any_handlers_.push_back(std::move(handler));
  return *this;
}

Socket& Socket::on_disconnecting(DisconnectHandler handler) {
  disconnecting_handlers_.push_back(std::move(handler));
  return *this;
}

Socket& Socket::on_disconnect(DisconnectHandler handler) {
  disconnect_handlers_.push_back(std::move(handler));
  return *this;
}

bool Socket::emit(std::string_view event, const Args& args) {
  return emit_with({}, event, args);
}

void Socket::emit_with_ack(std::string_view event, const Args& args, AckCallback callback) {
  emit_with_ack_with({}, event, args, std::move(callback));
}

bool Socket::emit_with(const EmitFlags& flags, std::string_view event, const Args& args) {
  if (!connected_) return false;
  if (wire::sio::is_reserved_event(event)) {
    nsp_.server().log(engine::LogLevel::info,
                      "refused to emit the reserved event name \"" + std::string(event) + "\"");
    return false;
  }
  auto client = client_.lock();
  if (!client) return false;
  const auto frames =
      detail::event_frames(nsp_.name(), event, args, std::nullopt, quirks().spaced_json);
  return client->send(frames, flags);
}

void Socket::emit_with_ack_with(const EmitFlags& flags, std::string_view event, const Args& args,
                                AckCallback callback) {
  auto client = client_.lock();
  if (!connected_ || !client) {
    callback(AckError{"socket has been disconnected"}, {});
    return;
  }
  const auto id = nsp_.next_ack_id();
  // One callback, reached from whichever comes first: the ack, the timeout, the disconnect.
  auto shared = std::make_shared<AckCallback>(std::move(callback));
  PendingAck pending;
  pending.on_ack = [shared](const Args& a) { (*shared)(std::nullopt, a); };
  pending.on_disconnect = [shared] { (*shared)(AckError{"socket has been disconnected"}, {}); };
  if (flags.timeout) {
    pending.timer = nsp_.server().scheduler().start_timer(
        *flags.timeout, [weak = weak_from_this(), id, shared] {
          auto self = weak.lock();
          if (!self) return;
          auto it = self->acks_.find(id);
          if (it == self->acks_.end()) return;
          self->acks_.erase(it);
          (*shared)(AckError{"operation has timed out"}, {});
        });
  }
  acks_.emplace(id, std::move(pending));
  client->send(detail::event_frames(nsp_.name(), event, args, id, quirks().spaced_json), flags);
}

void Socket::expect_ack(std::uint64_t id, std::function<void(const Args&)> on_ack) {
  PendingAck pending;
  pending.on_ack = std::move(on_ack);
  acks_[id] = std::move(pending);
}

void Socket::drop_ack(std::uint64_t id) {
  acks_.erase(id);
}

void Socket::send_ack(std::uint64_t id, const Args& args) {
  if (!connected_) return;
  const auto& q = quirks();
  const std::string_view nsp = q.ack_without_namespace ? "/" : std::string_view(nsp_.name());
  const auto wire_id = q.binary_ack_id_plus_one && args.has_binary() ? id + 1 : id;
  if (auto client = client_.lock())
    client->send(detail::ack_frames(nsp, wire_id, args, q.spaced_json));
}

void Socket::join(std::string_view room) {
  if (connected_) nsp_.adapter().join(id_, room);
}

void Socket::join(const std::vector<std::string>& rooms) {
  for (const auto& room : rooms)
    join(room);
}

void Socket::leave(std::string_view room) {
  if (connected_) nsp_.adapter().leave(id_, room);
}

BroadcastOperator Socket::broadcast() const {
  // The sender is left out through its own room, unless a quirk says otherwise.
  if (quirks().broadcast_includes_sender) return BroadcastOperator(nsp_);
  return BroadcastOperator(nsp_, {}, {id_});
}

BroadcastOperator Socket::to(std::string_view room) const {
  return broadcast().to(room);
}

BroadcastOperator Socket::to(const std::vector<std::string>& rooms) const {
  return broadcast().to(rooms);
}

BroadcastOperator Socket::except(std::string_view room) const {
  return broadcast().except(room);
}

void Socket::disconnect(bool close) {
  if (!connected_) return;
  auto client = client_.lock();
  if (close && client) {
    client->disconnect_all();
    return;
  }
  if (client)
    client->send(detail::packet_frames(PacketType::disconnect, nsp_.name(), std::nullopt, "", {}));
  on_close(DisconnectReason::server_namespace_disconnect);
}

void Socket::on_packet(wire::sio::Packet packet) {
  auto self = shared_from_this();  // a handler may disconnect this socket
  switch (packet.type) {
    case PacketType::event:
    case PacketType::binary_event: {
      auto all = Args::from_wire(std::move(packet.data), std::move(packet.attachments));
      const auto first = all.json(0);
      // Deliberate bugs (sio/faults.hpp): what a JavaScript emitter did with these names.
      if (quirks().crash_on_non_string_event_name && first.front() == '{') std::abort();
      // A numeric event name is its number's text, as a JavaScript property key is.
      const std::string name =
          first.front() == '"' ? wire::json::unquote(first).value_or("") : std::string(first);
      if (quirks().crash_on_error_event && name == "error" && !handlers_.contains("error"))
        std::abort();
      Ack ack;
      if (packet.id) {
        ack = Ack([weak = weak_from_this(), id = *packet.id](const Args& a) {
          if (auto s = weak.lock()) s->send_ack(id, a);
        });
      }
      dispatch(name, all.tail(1), ack);
      return;
    }
    case PacketType::ack:
    case PacketType::binary_ack: {
      auto it = packet.id ? acks_.find(*packet.id) : acks_.end();
      if (it == acks_.end()) return;  // unknown or already answered: ignored, as socket.io 4.8 does
      auto pending = std::move(it->second);
      acks_.erase(it);
      if (pending.timer) nsp_.server().scheduler().cancel_timer(*pending.timer);
      pending.on_ack(Args::from_wire(std::move(packet.data), std::move(packet.attachments)));
      return;
    }
    case PacketType::disconnect:
      if (quirks().namespace_disconnect_closes_connection) {
        if (auto client = client_.lock())
          return client->close(DisconnectReason::client_namespace_disconnect,
                               "DISCONNECT for one namespace");
      }
      on_close(DisconnectReason::client_namespace_disconnect);
      return;
    case PacketType::connect:
    case PacketType::connect_error:
      return;  // the client routes these before a socket sees them
  }
}

void Socket::dispatch(std::string_view event, const Args& args, const Ack& ack) {
  if (!connected_) return;
  // An exception in application code must not reach the event loop: it would stop the server.
  try {
    for (const auto& any : any_handlers_)
      any(*this, event, args);
    if (auto it = handlers_.find(event); it != handlers_.end()) {
      const auto handlers = it->second;  // a handler may add handlers
      for (const auto& handler : handlers)
        handler(*this, args, ack);
    }
  } catch (const std::exception& e) {
    nsp_.server().log(engine::LogLevel::info, "handler of event \"" + std::string(event) +
                                                  "\" on " + nsp_.name() + " threw: " + e.what());
  }
}

void Socket::on_close(DisconnectReason reason) {
  if (!connected_) return;
  auto self = shared_from_this();
  reason_ = reason;
  try {
    for (const auto& handler : disconnecting_handlers_)
      handler(*this, reason);
  } catch (const std::exception& e) {
    nsp_.server().log(engine::LogLevel::info,
                      std::string("disconnecting handler threw: ") + e.what());
  }
  connected_ = false;
  nsp_.remove(*this, quirks().keep_rooms_on_disconnect);
  if (auto client = client_.lock()) client->remove(*this);
  auto acks = std::move(acks_);
  acks_.clear();
  for (auto& [id, pending] : acks) {
    if (pending.timer) nsp_.server().scheduler().cancel_timer(*pending.timer);
    if (pending.on_disconnect) pending.on_disconnect();
  }
  try {
    for (const auto& handler : disconnect_handlers_)
      handler(*this, reason);
  } catch (const std::exception& e) {
    nsp_.server().log(engine::LogLevel::info, std::string("disconnect handler threw: ") + e.what());
  }
}

}  // namespace sio::server
