#include "sio/server/broadcast.hpp"

#include "encode.hpp"
#include "sio/server/client.hpp"
#include "sio/server/namespace.hpp"
#include "sio/server/server.hpp"
#include "sio/server/socket.hpp"

namespace sio::server {

BroadcastOperator::BroadcastOperator(Namespace& nsp, std::set<std::string> rooms,
                                     std::set<std::string> except, EmitFlags flags)
    : nsp_(&nsp), rooms_(std::move(rooms)), except_(std::move(except)), flags_(flags) {}

BroadcastOperator BroadcastOperator::to(std::string_view room) const {
  auto next = *this;
  next.rooms_.emplace(room);
  return next;
}

BroadcastOperator BroadcastOperator::to(const std::vector<std::string>& rooms) const {
  auto next = *this;
  next.rooms_.insert(rooms.begin(), rooms.end());
  return next;
}

BroadcastOperator BroadcastOperator::except(std::string_view room) const {
  auto next = *this;
  next.except_.emplace(room);
  return next;
}

BroadcastOperator BroadcastOperator::except(const std::vector<std::string>& rooms) const {
  auto next = *this;
  next.except_.insert(rooms.begin(), rooms.end());
  return next;
}

BroadcastOperator BroadcastOperator::with_volatile() const {
  auto next = *this;
  next.flags_.is_volatile = true;
  return next;
}

BroadcastOperator BroadcastOperator::compress(bool on) const {
  auto next = *this;
  next.flags_.compress = on;
  return next;
}

BroadcastOperator BroadcastOperator::timeout(Duration d) const {
  auto next = *this;
  next.flags_.timeout = d;
  return next;
}

std::vector<std::shared_ptr<Socket>> BroadcastOperator::recipients() const {
  std::vector<std::shared_ptr<Socket>> out;
  if (nsp_->server().options().quirks.broadcast_per_room && rooms_.size() > 1) {
    for (const auto& room : rooms_)  // room by room: a socket in two rooms is counted twice
      for (const auto& sid : nsp_->adapter().recipients({room}, except_))
        if (auto socket = nsp_->socket(sid)) out.push_back(std::move(socket));
    return out;
  }
  for (const auto& sid : nsp_->adapter().recipients(rooms_, except_))
    if (auto socket = nsp_->socket(sid)) out.push_back(std::move(socket));
  return out;
}

bool BroadcastOperator::emit(std::string_view event, const Args& args) const {
  if (wire::sio::is_reserved_event(event)) return false;
  // Encoded once: every recipient is handed the same bytes.
  const auto frames = detail::event_frames(nsp_->name(), event, args, std::nullopt,
                                           nsp_->server().options().quirks.spaced_json);
  for (const auto& socket : recipients())
    if (auto client = socket->client_.lock()) client->send(frames, flags_);
  return true;
}

namespace {

struct BroadcastAck {
  BroadcastAckCallback callback;
  std::size_t expected = 0;
  std::vector<Args> responses;
  std::vector<std::weak_ptr<Socket>> sockets;
  std::optional<engine::Scheduler::TimerId> timer;
  bool done = false;
};

}  // namespace

void BroadcastOperator::emit_with_ack(std::string_view event, const Args& args,
                                      BroadcastAckCallback callback) const {
  if (wire::sio::is_reserved_event(event)) {
    callback(AckError{"reserved event name"}, {});
    return;
  }
  const auto id = nsp_->next_ack_id();
  const auto targets = recipients();
  if (targets.empty()) {
    callback(std::nullopt, {});
    return;
  }
  auto& scheduler = nsp_->server().scheduler();
  auto state = std::make_shared<BroadcastAck>();
  state->callback = std::move(callback);
  state->expected = targets.size();
  auto finish = [state, id, &scheduler](std::optional<AckError> error) {
    if (state->done) return;
    state->done = true;
    if (state->timer) scheduler.cancel_timer(*state->timer);
    for (const auto& weak : state->sockets)
      if (auto socket = weak.lock()) socket->drop_ack(id);
    auto report = std::move(state->callback);
    report(std::move(error), std::move(state->responses));
  };
  const auto frames = detail::event_frames(nsp_->name(), event, args, id,
                                           nsp_->server().options().quirks.spaced_json);
  for (const auto& socket : targets) {
    state->sockets.push_back(socket);
    socket->expect_ack(id, [state, finish](const Args& answer) {
      if (state->done) return;
      Args first;
      if (!answer.empty()) first.push_from(answer, 0);
      state->responses.push_back(std::move(first));
      if (state->responses.size() == state->expected) finish(std::nullopt);
    });
  }
  if (flags_.timeout)
    state->timer = scheduler.start_timer(*flags_.timeout,
                                         [finish] { finish(AckError{"operation has timed out"}); });
  for (const auto& socket : targets)
    if (auto client = socket->client_.lock()) client->send(frames, flags_);
}

std::vector<std::shared_ptr<Socket>> BroadcastOperator::fetch_sockets() const {
  return recipients();
}

void BroadcastOperator::sockets_join(std::string_view room) const {
  for (const auto& socket : recipients())
    socket->join(room);
}

void BroadcastOperator::sockets_leave(std::string_view room) const {
  for (const auto& socket : recipients())
    socket->leave(room);
}

void BroadcastOperator::disconnect_sockets(bool close) const {
  for (const auto& socket : recipients())
    socket->disconnect(close);
}

}  // namespace sio::server
