// Helpers shared by the Socket.IO case files (events, acks, binary, robustness): a joined client,
// packets as the checks show them, text and attachments sent together, and a client that answers
// pings by hand for cases that send large bodies.
#pragma once

#include <deque>
#include <initializer_list>
#include <memory>

#include "common.hpp"

namespace conform::cases {

// A client that has joined `nsp` (the fixture's "auth" event taken); fails the case otherwise.
std::unique_ptr<SioClient> joined(Context& c, std::string_view nsp = "/");

// A packet as the checks show it: its text, then its attachments.
std::string shown(const SioReceived& r);

// The next packet (with its attachments) must be exactly `expected`.
SioReceived expect_next(Context& c, SioClient& client, std::string_view what,
                        std::string_view expected);

// The server still serves others: `bystander`, joined to / before the hostile input, still gets
// its message-back, and a new connection can join / and get one.
void expect_unharmed(Context& c, SioClient& bystander);

// Socket.IO text, and binary attachments, sent together: one POST over polling (attachments as
// "b" records), one frame each over WebSocket.
struct Part {
  std::string data;
  bool binary = false;
};
void send_all(SioClient& client, const std::vector<Part>& parts);

inline std::string bytes(std::initializer_list<unsigned char> list) {
  return std::string(list.begin(), list.end());
}

// A client for cases that send large bodies. Over polling the session's automatic pong is a POST of
// its own, and two POSTs at once are a protocol violation that closes the session; a large POST on
// a busy machine can still be in flight when a ping comes. So over polling this client answers
// pings itself: a large POST goes out right after a pong (the next ping is then a whole
// pingInterval away), and a ping that comes meanwhile is answered as soon as the POST has been
// answered. Large POST bodies are written in two pieces, as a busy network may deliver them. Over
// WebSocket the session's automatic pong stays on.
class HandPonged {
 public:
  HandPonged(Context& c, SioClient& client)
      : c_(c), client_(client), polling_(client.eio().current() == Transport::polling) {
    if (polling_) client.eio().set_auto_pong(false);
  }

  // Polling: waits for the next ping and answers it. Anything else arriving first fails the case.
  void after_ping() {
    if (!polling_) return;
    auto& eio = client_.eio();
    const auto wait = eio.ping_interval() + c_.prompt(eio);
    auto event = eio.next(wait, true);
    if (!event || event->kind == EioEvent::Kind::closed || event->packet.type != '2')
      c_.fail("waiting for a ping", "a ping within " + std::to_string(wait.count()) + " ms",
              event ? describe(*event) : "nothing");
    pong();
  }

  // Sends Engine.IO packets together: one POST (waited for) on polling, frames on WebSocket.
  // A record starting with "b" is binary (base64 over polling, a binary frame on WebSocket).
  void send(const std::vector<std::string>& records) {
    auto& eio = client_.eio();
    if (!polling_) {
      for (const auto& r : records) {
        if (r.starts_with("b")) {
          eio.send_binary(codec::base64_decode(std::string_view(r).substr(1)).value_or(""));
        } else {
          eio.send(r);
        }
      }
      return;
    }
    post(codec::join_payload(records));
    pump(Ms(0));
  }

  // The next Socket.IO packet with its attachments (pings answered on the way), or nullopt.
  std::optional<SioReceived> next(Ms timeout) {
    const auto deadline = Clock::now() + timeout;
    std::optional<SioReceived> partial;
    while (true) {
      if (packets_.empty()) {
        const auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now());
        if (ended_ || left <= Ms(0) || !pump(left)) return std::nullopt;
        continue;
      }
      const auto p = std::move(packets_.front());
      packets_.pop_front();
      if (p.binary) {
        if (!partial) {
          SioReceived stray;
          stray.text = "<binary with no packet waiting>";
          stray.attachments.push_back(p.data);
          return stray;
        }
        partial->attachments.push_back(p.data);
        if (static_cast<int>(partial->attachments.size()) >= partial->packet.attachments)
          return partial;
        continue;
      }
      SioReceived got;
      got.text = p.data;
      if (auto parsed = codec::parse_sio(p.data)) {
        got.packet = std::move(*parsed);
      } else {
        got.packet.type = -1;
      }
      if (got.packet.attachments > 0) {
        partial = std::move(got);
        continue;
      }
      return got;
    }
  }

  // What happened within `wait`: the first packet, the close, or nothing.
  std::string outcome(Ms wait) {
    auto got = next(wait);
    if (got)
      return "answered: " + (got->text.size() > 120 ? got->text.substr(0, 120) + "..." : got->text);
    if (ended_) return "closed: " + end_;
    return "nothing within " + std::to_string(wait.count()) + " ms, connection open";
  }

  SioReceived expect(Ms timeout, std::string_view what) {
    auto got = next(timeout);
    if (!got)
      c_.fail(std::string(what), "a packet within " + std::to_string(timeout.count()) + " ms",
              ended_ ? "the connection ended: " + end_ : "nothing");
    return *got;
  }

 private:
  // Takes what has arrived (waiting up to `wait` for the first of it), answering pings at once.
  // False when nothing came.
  bool pump(Ms wait) {
    bool any = false;
    auto& eio = client_.eio();
    while (auto event = eio.next(any ? Ms(0) : wait, true)) {
      any = true;
      if (event->kind == EioEvent::Kind::closed) {
        ended_ = true;
        end_ = event->how;
        break;
      }
      if (event->packet.type == '2') {
        if (polling_) pong();
        continue;
      }
      if (event->packet.type == '4') packets_.push_back(event->packet);
    }
    return any;
  }

  void pong() { post("3"); }

  // One POST on a connection of its own. A body past 8 KB is written in two pieces, a moment
  // apart: it arrives in several reads, as a busy network delivers it, and the server must read all
  // of it.
  void post(const std::string& body) {
    const auto& t = c_.target();
    RawConnection raw(c_.loop());
    if (!raw.connect(Ms(5000))) c_.fail("a POST", "a connection", "connection refused");
    raw.send("POST " + c_.sio() + "?" + client_.eio().url_query() + " HTTP/1.1\r\nHost: " + t.host +
             ":" + std::to_string(t.port) +
             "\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n");
    const std::size_t first = std::min<std::size_t>(body.size(), 8192);
    raw.send(std::string_view(body).substr(0, first));
    if (first < body.size()) {
      c_.loop().run_for(Ms(2));
      raw.send(std::string_view(body).substr(first));
    }
    bool closed = false;
    const auto answer = raw.read(Ms(10000), &closed);
    if (!answer.starts_with("HTTP/1.1 200"))
      c_.fail("a POST", "HTTP/1.1 200", answer.empty() ? "no answer" : answer.substr(0, 80));
  }

  Context& c_;
  SioClient& client_;
  bool polling_;
  std::deque<codec::EioPacket> packets_;
  bool ended_ = false;
  std::string end_;
};

}  // namespace conform::cases
