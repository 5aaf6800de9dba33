// One Engine.IO session, sans I/O: its state machine (long-polling, WebSocket, upgrade, heartbeat,
// close) and its outgoing queue. Only the engine (engine.hpp) makes sessions and hands them
// requests; applications hold them to send and to close.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "sio/engine/http.hpp"
#include "sio/engine/scheduler.hpp"
#include "sio/wire/eio_packet.hpp"
#include "sio/wire/query.hpp"

namespace sio::engine {

enum class Transport { polling, websocket };
std::string_view to_string(Transport t) noexcept;

// Why a session ended, as the protocol names it (to_string gives the exact reason text).
enum class CloseReason {
  transport_close,
  transport_error,
  parse_error,
  ping_timeout,
  forced_close
};
std::string_view to_string(CloseReason r) noexcept;

// What the client sent when it opened the session: the Socket.IO layer exposes it to the app.
struct HandshakeInfo {
  std::string target;
  wire::Query query;
  Headers headers;
  std::string remote_address;
  bool secure = false;
};

struct SendOptions {
  bool compress = true;
  // Dropped, not queued, when the transport cannot take it right now (no GET pending on polling,
  // a write in flight on WebSocket).
  bool is_volatile = false;
};

// One outgoing message in wire form: a text packet ("4hello") or the raw bytes of a binary
// message. Shared so that a broadcast encodes once.
struct Frame {
  std::shared_ptr<const std::string> bytes;
  bool binary = false;

  static Frame text_message(std::string_view text);
  static Frame binary_message(std::string_view bytes);
};

class Engine;

class Session : public std::enable_shared_from_this<Session> {
 public:
  enum class State { open, closing, closed };

  const std::string& id() const noexcept { return id_; }
  Transport transport() const noexcept { return transport_; }
  State state() const noexcept { return state_; }
  bool is_open() const noexcept { return state_ == State::open; }
  bool upgrading() const noexcept { return upgrade_ != Upgrade::none; }
  const HandshakeInfo& handshake() const noexcept { return handshake_; }
  // Bytes waiting in the outgoing queue (never past Config::max_queued_bytes).
  std::size_t queued_bytes() const noexcept { return queued_bytes_; }

  bool send_text(std::string_view text, SendOptions options = {});
  bool send_binary(std::string_view bytes, SendOptions options = {});
  // Queues the frames as one unit: nothing is sent between them. Returns false when they were
  // dropped (session not open, or volatile and not writable).
  bool send(std::span<const Frame> frames, SendOptions options = {});
  // Whether a volatile send would go out now.
  bool writable() const noexcept;

  // Closes from the server side ("forced close"): frames already queued are delivered first.
  void close(std::string_view detail = "closed by the server");

  // Not for applications: only the engine can make the tag, so only the engine creates sessions.
  class Private {
    friend class Engine;
    Private() = default;
  };
  Session(const Private&, Engine& engine, std::string id, Transport transport, HandshakeInfo info);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

 private:
  friend class Engine;
  class SocketHandler;
  enum class Upgrade { none, probing, probed };

  void start();
  void on_poll(std::shared_ptr<HttpExchange> exchange);
  void on_post(const HttpRequest& request, std::shared_ptr<HttpExchange> exchange);
  void on_post_body(BodyStatus status, std::string body, const std::shared_ptr<HttpExchange>& ex);
  // `versionless`: the upgrade request had no EIO=4 (accepted only with the
  // crash_on_versionless_upgrade quirk, whose process then ends when the upgrade completes).
  void on_websocket_request(const std::shared_ptr<HttpExchange>& exchange,
                            bool versionless = false);
  void on_socket_message(SocketHandler& from, bool binary, std::string data);
  void on_socket_closed(SocketHandler& from, bool error, std::string_view why);
  void on_packet(wire::eio::Packet packet);
  // A WebSocket-only session: the socket carries the handshake as its first frame.
  void open_websocket(const std::shared_ptr<HttpExchange>& exchange, std::string open_packet);

  void flush();
  // The data_counts_as_pong quirk: a packet from the client puts the ping timeout off.
  void note_client_packet();
  void schedule_flush();
  void answer_poll(std::string body);
  void answer_poll_with_queue();
  void send_ping();
  void on_pong();
  void complete_upgrade();
  void abort_upgrade(std::string_view why);
  void finish_polling_close();
  // Ends the session now with `reason`: answers a held GET, closes sockets, tells the app.
  void terminate(CloseReason reason, std::string_view detail, std::string_view poll_answer = "1");
  // The engine is going away: stop every timer and drop the connections without callbacks.
  void detach() noexcept;

  Engine& engine_;
  const std::string id_;
  Transport transport_;
  HandshakeInfo handshake_;
  State state_ = State::open;
  std::string close_detail_;
  Upgrade upgrade_ = Upgrade::none;

  struct Queued {
    Frame frame;
    bool compress = true;
  };
  std::deque<Queued> queue_;
  std::size_t queued_bytes_ = 0;
  bool flush_scheduled_ = false;

  std::shared_ptr<HttpExchange> poll_;  // the held GET
  bool post_in_progress_ = false;
  bool crash_when_upgraded_ = false;   // the crash_on_versionless_upgrade quirk
  bool ws_write_pending_ = false;      // the close_before_flush quirk: a frame is being written
  std::shared_ptr<WsChannel> socket_;  // the WebSocket in use (websocket transport)
  std::shared_ptr<SocketHandler> socket_handler_;
  std::shared_ptr<WsChannel> probe_;  // the WebSocket being upgraded to
  std::shared_ptr<SocketHandler> probe_handler_;

  Timer ping_timer_;
  Timer pong_timer_;
  Timer upgrade_timer_;
  Timer close_timer_;
};

}  // namespace sio::engine
