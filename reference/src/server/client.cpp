#include "sio/server/client.hpp"

#include <chrono>
#include <cstdlib>
#include <exception>

#include "encode.hpp"
#include "sio/server/namespace.hpp"
#include "sio/server/server.hpp"
#include "sio/server/socket.hpp"
#include "sio/wire/json.hpp"

namespace sio::server {

using wire::sio::PacketType;

namespace {

// Runs a namespace's middlewares one after the other; each may answer later (asynchronously).
class MiddlewareChain : public std::enable_shared_from_this<MiddlewareChain> {
 public:
  using Done = std::function<void(std::optional<ConnectError>)>;
  MiddlewareChain(std::vector<Middleware> steps, std::shared_ptr<Socket> socket, Done done,
                  Server& server)
      : steps_(std::move(steps)),
        socket_(std::move(socket)),
        done_(std::move(done)),
        server_(server) {}

  void run(std::size_t i) {
    if (i == steps_.size()) return finish(std::nullopt);
    auto called = std::make_shared<bool>(false);
    Next next = [self = shared_from_this(), i, called](std::optional<ConnectError> error) {
      if (*called) return;  // a middleware that calls next twice is heard once
      *called = true;
      if (error) return self->finish(std::move(error));
      self->run(i + 1);
    };
    try {
      steps_[i](*socket_, std::move(next));
    } catch (const std::exception& e) {
      if (!*called) {
        *called = true;
        finish(ConnectError{std::string("middleware error: ") + e.what(), std::nullopt});
      }
    }
  }

 private:
  void finish(std::optional<ConnectError> error) {
    if (!done_) return;
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(error));
  }

  std::vector<Middleware> steps_;
  std::shared_ptr<Socket> socket_;
  Done done_;
  [[maybe_unused]] Server& server_;
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Client::Client(Server& server, std::shared_ptr<engine::Session> session)
    : server_(server),
      session_(std::move(session)),
      decoder_(server.decoder_limits_),
      connect_timer_(server.scheduler()) {}

void Client::start() {
  connect_timer_.start(server_.options().connect_timeout, [this] {
    if (sockets_.empty())
      close(DisconnectReason::forced_server_close,
            "no namespace joined within the connect timeout");
  });
}

bool Client::send(std::span<const engine::Frame> frames, const EmitFlags& flags) {
  if (closed_) return false;
  if (flags.is_volatile && frames.size() > 1 && server_.options().quirks.volatile_per_frame) {
    bool any = false;
    for (const auto& frame : frames)
      any = session_->send({&frame, 1}, engine::SendOptions{flags.compress, true}) || any;
    return any;
  }
  return session_->send(frames, engine::SendOptions{flags.compress, flags.is_volatile});
}

void Client::close(DisconnectReason reason, std::string_view why) {
  if (closed_) return;
  auto self = shared_from_this();
  server_.log(engine::LogLevel::info, "closing sid=" + session_->id() + ": " + std::string(why));
  const auto sockets = sockets_;
  for (const auto& [nsp, socket] : sockets)
    socket->on_close(reason);
  closed_ = true;
  connect_timer_.cancel();
  session_->close(why);
}

void Client::disconnect_all() {
  if (closed_) return;
  auto self = shared_from_this();
  const auto sockets = sockets_;
  for (const auto& [nsp, socket] : sockets) {
    send(detail::packet_frames(PacketType::disconnect, nsp, std::nullopt, "", {}));
    socket->on_close(DisconnectReason::server_namespace_disconnect);
  }
  closed_ = true;
  connect_timer_.cancel();
  session_->close("disconnect(true) by the server");
}

void Client::on_engine_close(engine::CloseReason reason) {
  auto self = shared_from_this();
  const auto sockets = sockets_;
  for (const auto& [nsp, socket] : sockets)
    socket->on_close(from_engine(reason));
  closed_ = true;
  connect_timer_.cancel();
  decoder_.reset();
}

void Client::on_text(std::string text) {
  if (closed_) return;
  wire::sio::Packet packet;
  bool complete = false;
  if (auto ec = decoder_.feed_text(text, packet, complete)) {
    return close(DisconnectReason::parse_error, "invalid Socket.IO packet: " + ec.message());
  }
  if (complete) on_packet(std::move(packet));
}

void Client::on_binary(std::string bytes) {
  if (closed_) return;
  wire::sio::Packet packet;
  bool complete = false;
  if (auto ec = decoder_.feed_binary(std::move(bytes), packet, complete)) {
    return close(DisconnectReason::parse_error, "invalid Socket.IO attachment: " + ec.message());
  }
  if (complete) on_packet(std::move(packet));
}

void Client::on_packet(wire::sio::Packet packet) {
  auto self = shared_from_this();
  const auto it = sockets_.find(packet.nsp);
  const auto& quirks = server_.options().quirks;
  if (packet.type == PacketType::connect && it != sockets_.end() &&
      quirks.answer_duplicate_connect) {
    send(detail::packet_frames(PacketType::connect, packet.nsp, std::nullopt,
                               "{\"sid\":" + wire::json::quote(it->second->id()) + "}", {}));
    return;
  }
  if (packet.type == PacketType::connect) {
    if (it != sockets_.end() || connecting_.contains(packet.nsp))
      return close(DisconnectReason::forced_server_close,
                   "second CONNECT for namespace " + packet.nsp);
    return connect(packet.nsp, packet.data.empty() ? quirks.default_auth : std::move(packet.data));
  }
  if (packet.type == PacketType::connect_error)
    return close(DisconnectReason::forced_server_close, "CONNECT_ERROR sent by the client");
  if (it == sockets_.end())
    return close(DisconnectReason::forced_server_close,
                 std::string(wire::sio::to_string(packet.type)) + " for namespace " + packet.nsp +
                     ", which this client has not joined");
  const auto socket = it->second;
  socket->on_packet(std::move(packet));
}

void Client::connect_error(const std::string& nsp, std::string_view payload_json) {
  send(detail::packet_frames(PacketType::connect_error, nsp, std::nullopt, payload_json, {}));
}

void Client::connect(const std::string& nsp_name, std::string auth) {
  Namespace* nsp = server_.resolve(nsp_name, auth);
  if (!nsp) return connect_error(nsp_name, R"({"message":"Invalid namespace"})");
  // The quirk: socket.io 4.6.0 and 4.6.1 read auth.pid before the middlewares, and null threw.
  if (auth == "null" && server_.options().quirks.crash_on_null_auth) std::abort();

  Handshake handshake;
  handshake.auth = std::move(auth);
  const auto& info = session_->handshake();
  handshake.query = info.query;
  handshake.headers = info.headers;
  handshake.address = info.remote_address;
  handshake.secure = info.secure;
  handshake.url = info.target;
  handshake.issued = now_ms();
  const bool reuse_sid = server_.options().quirks.socket_id_is_engine_sid;
  auto socket = std::make_shared<Socket>(
      *nsp, weak_from_this(), reuse_sid ? session_->id() : server_.new_id(), std::move(handshake));

  connecting_.insert(nsp_name);
  auto done = [weak = weak_from_this(), socket, nsp, nsp_name](std::optional<ConnectError> error) {
    auto self = weak.lock();
    if (!self) return;
    self->connecting_.erase(nsp_name);
    if (self->closed_) return;  // the connection went away meanwhile
    if (error) {
      std::string payload = "{\"message\":";
      wire::json::quote_append(error->message, payload);
      if (error->data_json && !self->server_.options().quirks.connect_error_without_data) {
        const auto inspection = wire::json::inspect(*error->data_json);
        payload += ",\"data\":";
        payload += inspection.valid ? wire::json::canonical(*error->data_json)
                                    : wire::json::quote(*error->data_json);
      }
      payload.push_back('}');
      return self->connect_error(nsp_name, payload);
    }
    socket->connected_ = true;
    nsp->add(socket);
    self->sockets_.emplace(nsp_name, socket);
    self->connect_timer_.cancel();
    // The CONNECT reply goes out before anything the connection handlers emit.
    self->send(detail::packet_frames(PacketType::connect, nsp_name, std::nullopt,
                                     "{\"sid\":" + wire::json::quote(socket->id()) + "}", {}));
    try {
      for (const auto& handler : nsp->connection_handlers_) {
        if (!socket->connected()) break;
        handler(*socket);
      }
    } catch (const std::exception& e) {
      self->server_.log(engine::LogLevel::info,
                        "connection handler on " + nsp_name + " threw: " + e.what());
    }
  };
  std::make_shared<MiddlewareChain>(nsp->middlewares_, socket, std::move(done), server_)->run(0);
}

void Client::remove(const Socket& socket) {
  auto it = sockets_.find(socket.nsp().name());
  if (it != sockets_.end() && it->second.get() == &socket) sockets_.erase(it);
}

}  // namespace sio::server
