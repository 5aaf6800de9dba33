// The suite's raw client. Every case runs on its own thread with its own event loop, and reads as
// a plain sequence of steps: each call below runs that loop until its operation completes or its
// deadline passes, so several connections of one case progress together (a held GET while a
// WebSocket probes). Nothing here uses the reference server's code.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace conform {

using Clock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;

struct Target {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  bool tls = false;
  bool insecure = false;  // skip certificate verification
  std::string ca_file;    // PEM certificates to trust besides the system's (empty: none)
  std::string eio_path = "/engine.io/";
  std::string sio_path = "/socket.io/";
  std::string url() const;  // http(s)://host:port
};

// What went over the wire in one case, with times relative to its start.
struct TraceEntry {
  double at_ms = 0;
  std::string what;  // "->" sent, "<-" received, "--" a note
  std::string text;
  std::string conn;  // the connection or client it happened on ("c1", "alice"); empty for notes
};

using Headers =
    std::vector<std::pair<std::string, std::string>>;  // names in lower case when received

struct HttpRequest {
  std::string method = "GET";
  std::string target;  // path and query
  Headers headers;
  std::string body;
  std::string conn;  // what the trace calls it (a session's name); empty: a name of its own
};

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;
  std::optional<std::string> header(std::string_view name) const;
};

class Loop;

// The result of an operation started now and waited for later.
template <class T>
class Pending {
 public:
  struct State {
    std::optional<T> value;
    std::optional<std::string> error;  // the operation failed (connection refused, reset, ...)
    std::function<void()> cancel;
    bool done() const { return value.has_value() || error.has_value(); }
  };
  Pending(Loop& loop, std::shared_ptr<State> state) : loop_(&loop), state_(std::move(state)) {}
  // Waits up to `timeout`: the value, or nullopt on error or timeout (see error(), done()).
  std::optional<T> wait(Ms timeout);
  bool done() const { return state_->done(); }
  const std::optional<std::string>& error() const { return state_->error; }
  // Abandons the operation: its connection is closed (a client that gives up on a request).
  void cancel() {
    if (state_->cancel) state_->cancel();
  }

 private:
  Loop* loop_;
  std::shared_ptr<State> state_;
};

// One case's event loop, trace and TLS settings.
class Loop {
 public:
  explicit Loop(Target target);
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  const Target& target() const noexcept { return target_; }
  std::vector<TraceEntry>& trace() noexcept { return trace_; }
  void note(std::string_view what, std::string text);
  // A line about one connection (or client), named as label() named it.
  void note(std::string_view conn, std::string_view what, std::string text);
  // A new name for a connection of this loop's trace: "c1", "c2", ...
  std::string label();
  double elapsed_ms() const;

  // Runs the loop until `done()` or the timeout; returns done().
  bool run_until(const std::function<bool()>& done, Ms timeout);
  // Runs the loop for `d` (a quiet window: whatever arrives meanwhile is handled and queued).
  void run_for(Ms d);
  // Runs what is ready now (arrived data, finished writes) without waiting.
  void poll();

  // One HTTP request on a connection of its own; `done` runs with the response or an error.
  using RequestDone =
      std::function<void(std::optional<HttpResponse>, std::optional<std::string> error)>;
  std::function<void()> async_request(HttpRequest request,
                                      RequestDone done);  // returns a canceller
  Pending<HttpResponse> start_request(HttpRequest request);
  std::optional<HttpResponse> request(HttpRequest request, Ms timeout);

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  Target target_;
  Clock::time_point start_;
  std::vector<TraceEntry> trace_;
  int labels_ = 0;
  std::unique_ptr<Impl> impl_;
};

template <class T>
std::optional<T> Pending<T>::wait(Ms timeout) {
  loop_->run_until([s = state_] { return s->done(); }, timeout);
  return state_->value;
}

// A TCP (or TLS) connection for literal bytes: malformed HTTP, split writes, hostile frames.
class RawConnection {
 public:
  explicit RawConnection(Loop& loop);
  ~RawConnection();
  RawConnection(RawConnection&&) noexcept;
  RawConnection& operator=(RawConnection&&) noexcept;

  bool connect(Ms timeout);
  // Writes the bytes in pieces of `chunk` bytes (0: one write), letting each piece go out alone.
  bool send(std::string_view bytes, std::size_t chunk = 0);
  // Reads what arrives until the peer closes or the timeout passes; `closed` says which.
  std::string read(Ms timeout, bool* closed = nullptr);
  // Reads until `needle` has arrived (or the peer closes, or the timeout).
  std::string read_until(std::string_view needle, Ms timeout);
  // Reads until at least `count` bytes have arrived (or the peer closes, or the timeout); `closed`
  // says whether the peer has closed.
  std::string read_at_least(std::size_t count, Ms timeout, bool* closed = nullptr);
  void close();
  // Drops the connection with a TCP reset (RST) instead of a close (FIN): what a peer that
  // vanishes, or a middlebox that gives up, does.
  void reset();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// One WebSocket frame, or the end of the connection.
struct WsEvent {
  enum class Kind { text, binary, closed } kind = Kind::closed;
  std::string data;
  int close_code = 0;  // 1005 when the close frame had no code; 1006 when there was no close frame
};

class WebSocket {
 public:
  // `conn` names it in the trace (a new label when empty).
  explicit WebSocket(Loop& loop, std::string conn = "");
  ~WebSocket();
  WebSocket(WebSocket&&) noexcept;
  WebSocket& operator=(WebSocket&&) noexcept;

  // The opening handshake. On refusal `response` holds the server's HTTP answer.
  bool connect(const std::string& target, Ms timeout, HttpResponse* response = nullptr,
               bool offer_deflate = false);
  void send_text(std::string_view text);
  void send_binary(std::string_view bytes);
  // The next frame, or nullopt when none arrived in time.
  std::optional<WsEvent> next(Ms timeout);
  bool closed() const;
  // Whether next() would return at once.
  bool has_event() const;
  // Called for every text frame as it arrives (before next() sees it); true keeps it from next().
  void on_text(std::function<bool(const std::string&)> hook);
  // Starts the closing handshake. Frames that arrive after it may be misreported: Beast's close
  // reads the next frame before a finished read is handed over, so a text frame followed by a
  // binary one can come out as binary (the binary one lost). Judge nothing received after it.
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace conform
