#include "siocheck/driver/clients.hpp"

namespace conform {

std::string_view to_string(Transport t) noexcept {
  switch (t) {
    case Transport::polling:
      return "polling";
    case Transport::websocket:
      return "websocket";
    case Transport::upgrade:
      return "upgrade";
  }
  return "?";
}

std::optional<Transport> transport_named(std::string_view name) noexcept {
  for (const auto t : {Transport::polling, Transport::websocket, Transport::upgrade})
    if (name == to_string(t)) return t;
  return std::nullopt;
}

EioSession::EioSession(Loop& loop, Transport transport, std::string path, std::string query,
                       std::string conn)
    : loop_(loop),
      conn_(conn.empty() ? loop.label() : std::move(conn)),
      requested_(transport),
      path_(std::move(path)),
      query_(std::move(query)) {}

EioSession::~EioSession() {
  *alive_ = false;
  polling_ = false;
}

std::string EioSession::url_query() const {
  return "EIO=4&transport=" +
         std::string(current_ == Transport::websocket ? "websocket" : "polling") +
         "&sid=" + handshake_.sid;
}

bool EioSession::open(Ms timeout) {
  const std::string extra = query_.empty() ? "" : "&" + query_;
  if (requested_ == Transport::websocket) {
    ws_ = std::make_unique<WebSocket>(loop_, conn_);
    HttpResponse refused;
    if (!ws_->connect(path_ + "?EIO=4&transport=websocket" + extra, timeout, &refused)) {
      error_ = "WebSocket handshake refused (HTTP " + std::to_string(refused.status) + " " +
               refused.body + ")";
      return false;
    }
    auto first = ws_->next(timeout);
    if (!first || first->kind != WsEvent::Kind::text || first->data.empty() ||
        first->data.front() != '0') {
      error_ = "no open packet as the first WebSocket frame";
      return false;
    }
    auto h = codec::parse_handshake(std::string_view(first->data).substr(1));
    if (!h) {
      error_ = "open packet is not a JSON object: " + first->data;
      return false;
    }
    handshake_ = std::move(*h);
    current_ = Transport::websocket;
    ws_->on_text([this, alive = alive_](const std::string& text) {
      if (*alive && auto_pong_ && text == "2") ws_->send_text("3");
      return false;
    });
    return true;
  }
  auto response =
      loop_.request({"GET", path_ + "?EIO=4&transport=polling" + extra, {}, {}, conn_}, timeout);
  if (!response || response->status != 200 || response->body.empty() ||
      response->body.front() != '0') {
    error_ = response
                 ? "handshake answered " + std::to_string(response->status) + " " + response->body
                 : "no answer to the handshake";
    return false;
  }
  auto h = codec::parse_handshake(std::string_view(response->body).substr(1));
  if (!h) {
    error_ = "open packet is not a JSON object: " + response->body;
    return false;
  }
  handshake_ = std::move(*h);
  current_ = Transport::polling;
  polling_ = true;
  poll();
  if (requested_ == Transport::upgrade) return upgrade(timeout);
  return true;
}

void EioSession::poll() {
  if (!polling_ || poll_in_flight_ || ended_) return;
  poll_in_flight_ = true;
  loop_.async_request(
      {"GET", path_ + "?" + url_query(), {}, {}, conn_},
      [this, alive = alive_](std::optional<HttpResponse> r, std::optional<std::string> e) {
        if (!*alive) return;
        on_poll_response(std::move(r), std::move(e));
      });
}

void EioSession::on_poll_response(std::optional<HttpResponse> response,
                                  std::optional<std::string> error) {
  poll_in_flight_ = false;
  if (ended_) return;
  if (!response) {
    if (polling_) end("polling GET failed: " + error.value_or("?"));
    return;
  }
  if (response->status != 200) {
    if (current_ == Transport::polling)
      end("HTTP " + std::to_string(response->status) + " " + response->body);
    return;
  }
  for (const auto& record : codec::split_payload(response->body)) {
    on_text_packet(record, true);
    if (ended_) return;
  }
  if (current_ == Transport::polling) poll();
}

void EioSession::on_text_packet(const std::string& text, bool polling) {
  auto packet = codec::parse_eio(text, polling);
  if (!packet) {
    events_.push_back({EioEvent::Kind::packet, codec::EioPacket{'?', false, text}, ""});
    return;
  }
  if (packet->type == '2' && auto_pong_ && polling) post("3");
  if (packet->type == '1') {
    events_.push_back({EioEvent::Kind::packet, *packet, ""});
    end("close packet");
    return;
  }
  events_.push_back({EioEvent::Kind::packet, *packet, ""});
}

void EioSession::end(std::string how) {
  if (ended_) return;
  ended_ = true;
  polling_ = false;
  events_.push_back({EioEvent::Kind::closed, {}, std::move(how)});
}

void EioSession::post(std::string body) {
  // One POST at a time, as the protocol requires: later bodies wait and go out together.
  if (post_in_flight_) {
    waiting_posts_.push_back(std::move(body));
    return;
  }
  post_in_flight_ = true;
  loop_.async_request(
      {"POST",
       path_ + "?" + url_query(),
       {{"Content-Type", "text/plain;charset=UTF-8"}},
       std::move(body),
       conn_},
      [this, alive = alive_](std::optional<HttpResponse> r, std::optional<std::string>) {
        if (!*alive) return;
        last_post_ = std::move(r);
        post_in_flight_ = false;
        if (waiting_posts_.empty() || ended_) return;
        auto joined = codec::join_payload(waiting_posts_);
        waiting_posts_.clear();
        post(std::move(joined));
      });
}

void EioSession::send(std::string packet) {
  if (current_ == Transport::websocket) {
    ws_->send_text(packet);
  } else {
    post(std::move(packet));
  }
}

void EioSession::send_binary(std::string bytes) {
  if (current_ == Transport::websocket) {
    ws_->send_binary(bytes);
  } else {
    post("b" + codec::base64_encode(bytes));
  }
}

void EioSession::send_batch(const std::vector<std::string>& packets) {
  if (current_ == Transport::websocket) {
    for (const auto& p : packets)
      ws_->send_text(p);
  } else {
    post(codec::join_payload(packets));
  }
}

std::optional<EioEvent> EioSession::next(Ms timeout, bool with_pings) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    // WebSocket frames are moved into the common queue as they are asked for.
    if (ws_ && current_ == Transport::websocket) {
      while (auto event = ws_->next(Ms(0))) {
        if (event->kind == WsEvent::Kind::closed) {
          end("WebSocket closed (" + std::to_string(event->close_code) + ")");
          break;
        }
        if (event->kind == WsEvent::Kind::binary) {
          events_.push_back({EioEvent::Kind::packet, codec::EioPacket{'4', true, event->data}, ""});
        } else {
          on_text_packet(event->data, false);
        }
      }
    }
    while (!events_.empty()) {
      auto event = events_.front();
      if (event.kind == EioEvent::Kind::closed) return event;  // stays: the end is seen again
      events_.pop_front();
      if (event.packet.type == '2' && !with_pings) continue;
      return event;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    const auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now());
    const bool on_socket = ws_ && current_ == Transport::websocket;
    loop_.run_until([&] { return !events_.empty() || (on_socket && ws_->has_event()); },
                    std::min(left, Ms(50)));
  }
}

bool EioSession::upgrade(Ms timeout) {
  ws_ = std::make_unique<WebSocket>(loop_, conn_);
  HttpResponse refused;
  if (!ws_->connect(path_ + "?EIO=4&transport=websocket&sid=" + handshake_.sid, timeout,
                    &refused)) {
    error_ = "upgrade WebSocket refused (HTTP " + std::to_string(refused.status) + " " +
             refused.body + ")";
    return false;
  }
  ws_->send_text("2probe");
  auto reply = ws_->next(timeout);
  if (!reply || reply->kind != WsEvent::Kind::text || reply->data != "3probe") {
    error_ = "no 3probe on the upgrade WebSocket";
    return false;
  }
  // Pause polling: the GET in flight is ended by the server (with a noop, or data).
  polling_ = false;
  if (!loop_.run_until([&] { return !poll_in_flight_; }, timeout)) {
    error_ = "the GET pending during the upgrade was not ended";
    return false;
  }
  ws_->send_text("5");
  current_ = Transport::websocket;
  ws_->on_text([this, alive = alive_](const std::string& text) {
    if (*alive && auto_pong_ && text == "2") ws_->send_text("3");
    return false;
  });
  // What the last GETs carried came first; noops are the upgrade's, not the application's.
  std::erase_if(events_, [](const EioEvent& e) {
    return e.kind == EioEvent::Kind::packet && e.packet.type == '6';
  });
  return true;
}

void EioSession::close() {
  if (ended_) return;
  if (current_ == Transport::websocket && ws_) {
    ws_->send_text("1");
    ws_->close();
  } else {
    post("1");
  }
  polling_ = false;
}

// ---- Socket.IO ---------------------------------------------------------------------------------

SioClient::SioClient(Loop& loop, Transport transport, std::string conn)
    : loop_(loop), eio_(loop, transport, loop.target().sio_path, "", std::move(conn)) {}

bool SioClient::open(Ms timeout) {
  return eio_.open(timeout);
}

void SioClient::send(std::string_view sio_text) {
  eio_.send("4" + std::string(sio_text));
}

void SioClient::send_binary(std::string bytes) {
  eio_.send_binary(std::move(bytes));
}

std::optional<SioReceived> SioClient::pull(Ms timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now());
    auto event = eio_.next(std::max(left, Ms(0)));
    if (!event) return std::nullopt;
    if (event->kind == EioEvent::Kind::closed) {
      end_reason_ = event->how;
      return std::nullopt;
    }
    const auto& packet = event->packet;
    if (packet.type != '4') continue;  // noop, close packet: the engine's business
    if (packet.binary) {
      if (!partial_) {
        SioReceived stray;
        stray.text = "<binary with no packet waiting>";
        stray.attachments.push_back(packet.data);
        return stray;
      }
      partial_->attachments.push_back(packet.data);
      if (static_cast<int>(partial_->attachments.size()) >= partial_->packet.attachments) {
        auto done = std::move(*partial_);
        partial_.reset();
        return done;
      }
      continue;
    }
    SioReceived received;
    received.text = packet.data;
    auto parsed = codec::parse_sio(packet.data);
    if (!parsed) {
      received.packet.type = -1;  // not a valid Socket.IO packet
      return received;
    }
    received.packet = std::move(*parsed);
    if (received.packet.attachments > 0) {
      partial_ = std::move(received);
      continue;
    }
    return received;
  }
}

std::optional<SioReceived> SioClient::next(Ms timeout) {
  if (!queue_.empty()) {
    auto front = std::move(queue_.front());
    queue_.pop_front();
    return front;
  }
  return pull(timeout);
}

std::optional<std::string> SioClient::connect(std::string_view nsp, std::string_view auth,
                                              Ms timeout) {
  send(codec::sio_text(0, nsp, std::nullopt, auth));
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto got = pull(std::chrono::duration_cast<Ms>(deadline - Clock::now()));
    if (!got) break;
    if (got->packet.nsp == nsp && (got->packet.type == 0 || got->packet.type == 4)) {
      last_ = got;
      if (got->packet.type == 4) return std::nullopt;
      auto json = codec::parse_json(got->packet.data);
      if (json && json->is_object() && json->contains("sid") && (*json)["sid"].is_string())
        return (*json)["sid"].get<std::string>();
      return std::nullopt;
    }
    queue_.push_back(std::move(*got));
  }
  last_.reset();
  return std::nullopt;
}

std::optional<std::string> SioClient::join(std::string_view nsp, std::string_view auth,
                                           Ms timeout) {
  auto id = connect(nsp, auth, timeout);
  if (!id) return id;
  // The fixture emits "auth" right after the CONNECT reply.
  for (auto it = queue_.begin(); it != queue_.end(); ++it)
    if (it->packet.nsp == nsp && it->packet.type == 2 && it->packet.data.starts_with("[\"auth\"")) {
      queue_.erase(it);
      return id;
    }
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto got = pull(std::chrono::duration_cast<Ms>(deadline - Clock::now()));
    if (!got) break;
    if (got->packet.nsp == nsp && got->packet.type == 2 &&
        got->packet.data.starts_with("[\"auth\""))
      return id;
    queue_.push_back(std::move(*got));
  }
  return id;
}

std::optional<SioReceived> SioClient::call(std::string_view nsp, std::string_view event,
                                           std::string_view args_inner, Ms timeout) {
  const auto id = next_id();
  std::string data = "[" + codec::dump(codec::Json(std::string(event)));
  if (!args_inner.empty()) data += "," + std::string(args_inner);
  data += "]";
  send(codec::sio_text(2, nsp, id, data));
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto got = pull(std::chrono::duration_cast<Ms>(deadline - Clock::now()));
    if (!got) break;
    if ((got->packet.type == 3 || got->packet.type == 6) && got->packet.id == id &&
        got->packet.nsp == nsp) {
      last_ = got;
      return got;
    }
    queue_.push_back(std::move(*got));
  }
  last_.reset();
  return std::nullopt;
}

std::optional<codec::Json> SioClient::ctl(std::string_view nsp, std::string_view event,
                                          std::string_view arg_json, Ms timeout) {
  auto ack = call(nsp, event, arg_json, timeout);
  if (!ack) return std::nullopt;
  auto json = codec::parse_json(ack->packet.data);
  if (!json || !json->is_array() || json->empty()) return std::nullopt;
  return (*json)[0];
}

}  // namespace conform
