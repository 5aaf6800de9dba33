// Engine.IO and Socket.IO clients on top of the driver, for cases that need a working session
// rather than literal bytes. They answer pings unless told not to, keep everything the server sends
// in order, and record it all in the case's trace.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "siocheck/codec/codec.hpp"
#include "siocheck/driver/driver.hpp"

namespace conform {

enum class Transport { polling, websocket, upgrade };
std::string_view to_string(Transport t) noexcept;  // "polling", "websocket", "upgrade"
std::optional<Transport> transport_named(std::string_view name) noexcept;

struct EioEvent {
  enum class Kind { packet, closed } kind = Kind::closed;
  codec::EioPacket packet;
  std::string how;  // for closed: "close packet", "HTTP 400 {...}", "WebSocket closed (1005)", ...
};

class EioSession {
 public:
  // A session on `path`, over `transport` (upgrade: polling first, then upgraded to WebSocket by
  // open()). `query` is added to the handshake's query string.
  // `conn` names it in the trace (a new label when empty).
  EioSession(Loop& loop, Transport transport, std::string path, std::string query = "",
             std::string conn = "");
  ~EioSession();
  EioSession(const EioSession&) = delete;
  EioSession& operator=(const EioSession&) = delete;

  // The handshake (and for `upgrade`, the upgrade). False when it failed: see error().
  bool open(Ms timeout);
  const std::string& error() const noexcept { return error_; }
  const codec::Handshake& handshake() const noexcept { return handshake_; }
  const std::string& sid() const noexcept { return handshake_.sid; }
  // The transport in use now: polling or websocket.
  Transport current() const noexcept { return current_; }
  Ms ping_interval() const { return Ms(handshake_.ping_interval); }
  Ms ping_timeout() const { return Ms(handshake_.ping_timeout); }

  // Answers every ping with a pong (on by default).
  void set_auto_pong(bool on) noexcept { auto_pong_ = on; }

  void send(std::string packet);  // one text packet: "4hello", "3"
  void send_binary(std::string bytes);
  // Several packets: one POST on polling, one frame each on WebSocket.
  void send_batch(const std::vector<std::string>& packets);
  // The answer to the last POST this session sent (polling), and whether every POST is answered.
  const std::optional<HttpResponse>& last_post() const noexcept { return last_post_; }
  bool posts_done() const noexcept { return !post_in_flight_ && waiting_posts_.empty(); }

  // The next packet or the end of the session. Pings are skipped unless `with_pings`.
  std::optional<EioEvent> next(Ms timeout, bool with_pings = false);
  // Whether the session has ended (an event of kind closed is waiting or was seen).
  bool closed() const noexcept { return ended_; }

  // Switches polling to WebSocket: probe, pause polling, "5". False with error() on failure.
  bool upgrade(Ms timeout);
  // Stops polling (no further GETs); the GET in flight completes.
  void stop_polling() noexcept { polling_ = false; }
  // Polls again after stop_polling() (on the polling transport only).
  void resume_polling() {
    if (current_ != Transport::polling || ended_) return;
    polling_ = true;
    poll();
  }
  void close();

  Loop& loop() noexcept { return loop_; }
  const std::string& conn() const noexcept { return conn_; }
  std::string url_query() const;  // EIO=4&transport=...&sid=...

 private:
  void poll();
  void on_poll_response(std::optional<HttpResponse> response, std::optional<std::string> error);
  void on_text_packet(const std::string& text, bool polling);
  void end(std::string how);
  void post(std::string body);

  Loop& loop_;
  std::string conn_;
  Transport requested_;
  Transport current_ = Transport::polling;
  std::string path_;
  std::string query_;
  std::string error_;
  codec::Handshake handshake_;
  bool auto_pong_ = true;
  bool polling_ = false;
  bool poll_in_flight_ = false;
  bool ended_ = false;
  std::deque<EioEvent> events_;
  std::optional<HttpResponse> last_post_;
  bool post_in_flight_ = false;
  std::vector<std::string> waiting_posts_;
  std::unique_ptr<WebSocket> ws_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// A Socket.IO packet as received, with its attachments.
struct SioReceived {
  codec::SioPacket packet;
  std::vector<std::string> attachments;
  std::string text;  // the Socket.IO text as it came (without the Engine.IO "4")
};

class SioClient {
 public:
  // `conn` names it in the trace: a client's name, or a new label when empty.
  SioClient(Loop& loop, Transport transport, std::string conn = "");
  bool open(Ms timeout);
  EioSession& eio() noexcept { return eio_; }
  const std::string& error() const noexcept { return eio_.error(); }

  // Sends Socket.IO text as an Engine.IO message: send("0/custom,{...}").
  void send(std::string_view sio_text);
  void send_binary(std::string bytes);
  // The next Socket.IO packet (a binary one with its attachments), or nullopt (timeout, or the
  // session ended: see closed()).
  std::optional<SioReceived> next(Ms timeout);
  bool closed() const noexcept { return eio_.closed() && queue_.empty(); }
  // The engine's own packets (close, noop) that came instead, and how the session ended.
  const std::string& end_reason() const noexcept { return end_reason_; }

  // CONNECT, and the socket id of the accepted reply (nullopt when refused: see last()).
  std::optional<std::string> connect(std::string_view nsp = "/", std::string_view auth = "",
                                     Ms timeout = Ms(2000));
  // Connects and takes the "auth" event that the fixture emits right after.
  std::optional<std::string> join(std::string_view nsp = "/", std::string_view auth = "",
                                  Ms timeout = Ms(2000));
  // Emits ["event", ...args] with a fresh ack id and waits for that ack; other packets stay queued.
  std::optional<SioReceived> call(std::string_view nsp, std::string_view event,
                                  std::string_view args_inner, Ms timeout);
  // A control event: its ack's single argument.
  std::optional<codec::Json> ctl(std::string_view nsp, std::string_view event,
                                 std::string_view arg_json = "", Ms timeout = Ms(2000));
  // The last packet that connect() or call() consumed, to report it.
  const std::optional<SioReceived>& last() const noexcept { return last_; }
  // A binary packet whose header came and whose attachments have not all come (yet).
  const std::optional<SioReceived>& incomplete() const noexcept { return partial_; }
  std::uint64_t next_id() noexcept { return ids_++; }

 private:
  std::optional<SioReceived> pull(Ms timeout);  // from the session, assembling attachments

  Loop& loop_;
  EioSession eio_;
  std::deque<SioReceived> queue_;
  std::optional<SioReceived> partial_;
  std::optional<SioReceived> last_;
  std::string end_reason_;
  std::uint64_t ids_ = 1000;
};

}  // namespace conform
