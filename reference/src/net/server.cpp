// Boost.Beast glue: the only translation unit that compiles Beast. One io_context thread runs
// every connection, so the engines behind the seam need no locks.
//
// HTTP connection life: read a header -> hand the request to the mounted handler with an Exchange
// -> (maybe read the body when the engine asks) -> write the response -> read the next header.
// While a response is held (a long-poll GET) the connection keeps reading ahead, so a client that
// goes away is noticed at once and reported through the exchange's abort callback.
#include "sio/net/server.hpp"

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cctype>
#include <csignal>
#include <cstdlib>
#include <deque>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "sio/wire/prototype_names.hpp"

namespace sio::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr std::size_t kReadAheadChunk = 4096;
constexpr std::size_t kDiscardBodyLimit = 64 * 1024;  // a body on a GET/PUT/...: read and dropped
constexpr std::chrono::seconds kLingerTimeout{2};
// Headers Node keeps of a request (server.maxHeadersCount): for the crash_on_late_upgrade_header
// quirk.
constexpr std::size_t kNodeMaxHeaders = 2000;
// How long engine.io's attach() leaves an upgrade for another path before ending it
// (destroyUpgradeTimeout): for the crash_on_reset_foreign_upgrade quirk.
constexpr std::chrono::seconds kDestroyUpgradeTimeout{1};

class AsioScheduler final : public engine::Scheduler {
 public:
  explicit AsioScheduler(asio::io_context& ioc) : ioc_(ioc) {}

  TimerId start_timer(engine::Duration delay, std::function<void()> fn) override {
    const TimerId id = next_++;
    auto timer = std::make_unique<asio::steady_timer>(ioc_, delay);
    auto* raw = timer.get();
    timers_.emplace(id, std::move(timer));
    raw->async_wait([this, id, fn = std::move(fn)](const boost::system::error_code&) {
      // A timer cancelled after it expired still completes: the map says whether it is live.
      auto it = timers_.find(id);
      if (it == timers_.end()) return;
      timers_.erase(it);
      fn();
    });
    return id;
  }
  void cancel_timer(TimerId id) noexcept override { timers_.erase(id); }
  void post(std::function<void()> fn) override { asio::post(ioc_, std::move(fn)); }
  engine::Clock::time_point now() const override { return engine::Clock::now(); }

 private:
  asio::io_context& ioc_;
  TimerId next_ = 1;
  std::unordered_map<TimerId, std::unique_ptr<asio::steady_timer>> timers_;
};

class ConnectionBase;

// What every connection needs from the server.
struct Shared {
  ServerOptions options;
  LogFn log;
  std::vector<std::pair<std::string, RequestHandler>> routes;  // longest prefix first
  std::unordered_set<ConnectionBase*> connections;
  bool stopping = false;
  std::function<void()> on_connection_gone;

  void write_log(std::string_view text) const {
    if (log) log(text);
  }
  const RequestHandler* route(std::string_view path) const {
    for (const auto& [prefix, handler] : routes)
      if (path.starts_with(prefix)) return &handler;
    return nullptr;
  }
};

class ConnectionBase {
 public:
  explicit ConnectionBase(Shared& shared) : shared_(shared) { shared_.connections.insert(this); }
  virtual ~ConnectionBase() {
    shared_.connections.erase(this);
    if (shared_.on_connection_gone) shared_.on_connection_gone();
  }
  ConnectionBase(const ConnectionBase&) = delete;
  ConnectionBase& operator=(const ConnectionBase&) = delete;
  virtual void on_server_shutdown() = 0;

 protected:
  Shared& shared_;
};

template <class Stream>
auto& tcp_layer(Stream& stream) {
  return beast::get_lowest_layer(stream);
}

// ---- WebSocket -------------------------------------------------------------------------------

// The stream under a WebSocket: its first reads return the bytes the HTTP parser had read past the
// end of the upgrade request (a client may write its first frames together with the request).
template <class Stream>
class EarlyBytes : public beast::buffered_read_stream<Stream, beast::flat_buffer> {
 public:
  using beast::buffered_read_stream<Stream, beast::flat_buffer>::buffered_read_stream;
};

// Closing a WebSocket tears down the stream under the early bytes (found by argument lookup).
template <class Stream>
void teardown(beast::role_type role, EarlyBytes<Stream>& stream, beast::error_code& ec) {
  using websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

template <class Stream, class Handler>
void async_teardown(beast::role_type role, EarlyBytes<Stream>& stream, Handler&& handler) {
  using websocket::async_teardown;
  async_teardown(role, stream.next_layer(), std::forward<Handler>(handler));
}

// Whether the client frames at the start of `bytes` include one RFC 6455 makes a protocol error:
// a reserved bit (RSV1 only counts without permessage-deflate), a reserved opcode, or no mask.
// Only for the crash_on_early_invalid_frame fault; Beast checks every frame itself.
bool holds_invalid_frame(std::string_view bytes, bool deflate) {
  std::size_t at = 0;
  while (bytes.size() - at >= 2) {
    const auto b0 = static_cast<unsigned char>(bytes[at]);
    const auto b1 = static_cast<unsigned char>(bytes[at + 1]);
    const unsigned opcode = b0 & 0x0f;
    if ((b0 & 0x30) != 0 || ((b0 & 0x40) != 0 && !(deflate && (opcode == 1 || opcode == 2))))
      return true;
    if ((opcode >= 0x3 && opcode <= 0x7) || opcode >= 0xb || (b1 & 0x80) == 0) return true;
    std::size_t header = 6;
    std::uint64_t length = b1 & 0x7f;
    const std::size_t extra = length == 126 ? 2 : length == 127 ? 8 : 0;
    if (bytes.size() - at < 2 + extra) break;
    if (extra) {
      length = 0;
      for (std::size_t i = 0; i < extra; ++i)
        length = (length << 8) | static_cast<unsigned char>(bytes[at + 2 + i]);
      header += extra;
    }
    if (bytes.size() - at < header || bytes.size() - at - header < length) break;
    at += header + static_cast<std::size_t>(length);
  }
  return false;
}

// Whether the request target's query names a session (`sid=`): an upgrade from polling. Only for
// the crash_on_early_invalid_frame fault.
bool names_session(std::string_view target) {
  const auto query = target.find('?');
  if (query == std::string_view::npos) return false;
  std::string_view rest = target.substr(query + 1);
  while (!rest.empty()) {
    const auto end = rest.find('&');
    const auto pair = rest.substr(0, end);
    if (pair.substr(0, pair.find('=')) == "sid") return true;
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return false;
}

// ---- deliberate bugs (net::Quirks) ------------------------------------------------------------

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

// crash_on_prototype_extension_name: whether an extension or parameter name of a
// Sec-WebSocket-Extensions value ("a; b=1, c") is an Object.prototype property.
bool names_prototype_extension(std::string_view value) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    auto extension = value.substr(0, comma);
    while (!extension.empty()) {
      const auto semicolon = extension.find(';');
      const auto part = extension.substr(0, semicolon);
      if (wire::names_prototype_member(trimmed(part.substr(0, part.find('='))), true)) return true;
      if (semicolon == std::string_view::npos) break;
      extension.remove_prefix(semicolon + 1);
    }
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// quadratic_subprotocol_split: the time a backtracking / *, */ split of `value` takes. From each
// start, a run of spaces is matched to its end, then given back one space at a time looking for a
// comma: the steps are quadratic in the run. Each step is counted at 4 ns, V8's pace, so that a run
// of 15 000 spaces costs about 0.9 s (the time is waited on a timer, not spent, so that the stall
// stays on this request and is the same in every build).
std::chrono::milliseconds subprotocol_split_cost(std::string_view value) {
  std::uint64_t steps = 0;
  std::uint64_t run = 0;
  for (const char ch : value) {
    run = ch == ' ' ? run + 1 : 0;
    steps += 2 * run;  // a run of n spaces: each of its n starts scans to its end and back
  }
  return std::chrono::milliseconds(std::min<std::uint64_t>(steps * 4 / 1'000'000, 10'000));
}

template <class Stream>
class WsConnection final : public ConnectionBase,
                           public engine::WsChannel,
                           public std::enable_shared_from_this<WsConnection<Stream>> {
 public:
  WsConnection(Shared& shared, Stream&& stream, std::shared_ptr<engine::WsHandler> handler)
      : ConnectionBase(shared), ws_(std::move(stream)), handler_(std::move(handler)) {}

  // `early`: what came after the upgrade request in the same reads, the client's first frames.
  void start(http::request<http::string_body> request, std::string_view early) {
    request_ = std::move(request);
    if (shared_.options.quirks.crash_on_early_invalid_frame && !names_session(request_.target())) {
      // The fault: for a new session (no sid) the early frames are parsed before any error
      // handler exists, and the protocol error of the first invalid one ends the process. So did
      // engine.io before 6.1.1, whose handshake awaited the session id before the transport
      // attached its handler; an upgrade from polling (with a sid) took a synchronous path.
      const bool deflate = shared_.options.per_message_deflate &&
                           request_[http::field::sec_websocket_extensions].find(
                               "permessage-deflate") != beast::string_view::npos;
      if (holds_invalid_frame(early, deflate)) std::abort();
    }
    auto& buffer = ws_.next_layer().buffer();
    buffer.commit(asio::buffer_copy(buffer.prepare(early.size()), asio::buffer(early)));
    tcp_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(30);
    timeouts.idle_timeout = websocket::stream_base::none();  // Engine.IO's heartbeat does this job
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.read_message_max(shared_.options.quirks.no_websocket_message_limit
                             ? 0  // no limit at all
                             : shared_.options.max_websocket_message);
    ws_.auto_fragment(false);
    if (shared_.options.per_message_deflate) {
      websocket::permessage_deflate deflate;
      deflate.server_enable = true;
      deflate.msg_size_threshold = shared_.options.deflate_threshold;
      ws_.set_option(deflate);
    }
    ws_.async_accept(
        request_, [self = this->shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
  }

  void send(engine::WsFrame frame) override {
    if (close_requested_ || ended_) return;
    out_bytes_ += frame.bytes->size();
    out_.push_back(std::move(frame));
    do_write();
  }

  void close() override {
    if (close_requested_ || ended_) return;
    close_requested_ = true;
    do_write();
  }

  std::size_t buffered_bytes() const noexcept override { return out_bytes_; }

  void on_server_shutdown() override {}  // the engines close their sessions, which close these

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return end(true, "WebSocket handshake failed: " + ec.message());
    accepted_ = true;
    do_read();
    do_write();
  }

  void do_read() {
    if (shared_.options.quirks.crash_on_many_fragments) return do_read_part();
    ws_.async_read(in_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  // crash_on_many_fragments: the message is read a frame at a time (a read_some returns at most
  // one frame's payload), each counted as a part kept on its own.
  void do_read_part() {
    ws_.async_read_some(in_, 0,
                        [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                          if (!ec && !self->ws_.is_message_done()) {
                            if (++self->parts_ > kPartBudget)
                              std::abort();  // out of memory, as ws was
                            return self->do_read_part();
                          }
                          self->parts_ = 0;
                          self->on_read(ec);
                        });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      if (ec == websocket::error::closed) {
        const auto code = ws_.reason().code;
        return end(false, code == websocket::close_code::none
                              ? std::string("closed by the peer (no status code)")
                              : "closed by the peer (code " + std::to_string(code) + ")");
      }
      if (ec == websocket::error::message_too_big)
        return end(true, "message larger than " +
                             std::to_string(shared_.options.max_websocket_message) +
                             " bytes (closed with 1009)");
      return end(true, ec.message());
    }
    std::string data = beast::buffers_to_string(in_.data());
    in_.consume(in_.size());
    if (handler_) handler_->on_ws_message(ws_.got_binary(), std::move(data));
    if (!ended_) do_read();
  }

  void do_write() {
    if (!accepted_ || writing_ || ended_) return;
    if (out_.empty()) {
      if (close_requested_ && !close_sent_) {
        close_sent_ = true;
        writing_ = true;
        // No status code: clients see 1005, as with Node's engine.io.
        ws_.async_close(
            websocket::close_reason{},
            [self = this->shared_from_this()](beast::error_code) { self->writing_ = false; });
      }
      return;
    }
    writing_ = true;
    const auto& frame = out_.front();
    ws_.binary(frame.binary);
    ws_.compress(frame.compress);
    ws_.async_write(asio::buffer(*frame.bytes),
                    [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                      self->on_write(ec);
                    });
  }

  void on_write(beast::error_code ec) {
    writing_ = false;
    if (ended_) return;
    out_bytes_ -= out_.front().bytes->size();
    out_.pop_front();
    if (ec) return end(true, "write failed: " + ec.message());
    do_write();
  }

  void end(bool error, std::string why) {
    if (ended_) return;
    ended_ = true;
    out_.clear();
    out_bytes_ = 0;
    beast::error_code ignored;
    tcp_layer(ws_).socket().close(ignored);
    if (auto handler = std::move(handler_)) handler->on_ws_closed(error, why);
  }

  static constexpr std::size_t kPartBudget = 512;  // crash_on_many_fragments

  websocket::stream<EarlyBytes<Stream>> ws_;
  std::size_t parts_ = 0;  // crash_on_many_fragments: frames of the message being read
  std::shared_ptr<engine::WsHandler> handler_;
  http::request<http::string_body> request_;
  beast::flat_buffer in_;
  std::deque<engine::WsFrame> out_;
  std::size_t out_bytes_ = 0;
  bool accepted_ = false;
  bool writing_ = false;
  bool close_requested_ = false;
  bool close_sent_ = false;
  bool ended_ = false;
};

// ---- HTTP ------------------------------------------------------------------------------------

template <class Stream>
class HttpConnection;

template <class Stream>
class Exchange final : public engine::HttpExchange {
 public:
  explicit Exchange(std::shared_ptr<HttpConnection<Stream>> connection)
      : connection_(std::move(connection)) {}
  ~Exchange() override {
    // An exchange dropped without an answer would leave the client hanging.
    if (!finished_) {
      engine::HttpResponse response;
      response.status = 500;
      response.close_connection = true;
      connection_->respond(std::move(response));
    }
  }
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  void respond(engine::HttpResponse response) override {
    if (finished_) return;
    finished_ = true;
    connection_->respond(std::move(response));
  }
  void read_body(std::size_t limit,
                 std::function<void(engine::BodyStatus, std::string)> done) override {
    connection_->read_body(limit, std::move(done));
  }
  void on_abort(std::function<void()> fn) override { connection_->set_abort(std::move(fn)); }
  std::shared_ptr<engine::WsChannel> accept_websocket(
      std::shared_ptr<engine::WsHandler> handler) override {
    finished_ = true;
    return connection_->upgrade(std::move(handler));
  }

 private:
  std::shared_ptr<HttpConnection<Stream>> connection_;
  bool finished_ = false;
};

template <class Stream>
class HttpConnection final : public ConnectionBase,
                             public std::enable_shared_from_this<HttpConnection<Stream>> {
 public:
  HttpConnection(Shared& shared, Stream&& stream, std::string remote, bool secure)
      : ConnectionBase(shared),
        stream_(std::move(stream)),
        remote_(std::move(remote)),
        secure_(secure) {}

  void start() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      tcp_layer(stream_).expires_after(shared_.options.idle_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) {
                                  self->shared_.write_log("TLS handshake with " + self->remote_ +
                                                          " failed: " + ec.message());
                                  return self->close_now();
                                }
                                self->do_read_header();
                              });
    } else {
      do_read_header();
    }
  }

  void on_server_shutdown() override {
    if (idle_) close_now();
  }

  // ---- for Exchange ----

  void respond(engine::HttpResponse response) {
    awaiting_response_ = false;
    abort_ = nullptr;
    if (dead_) return close_now();
    auto message = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), 11);
    for (auto& header : response.headers)
      message->set(header.name, header.value);
    message->body() = std::move(response.body);
    keep_alive_ = keep_alive_ && !response.close_connection && !body_pending_ && !shared_.stopping;
    message->keep_alive(keep_alive_);
    message->prepare_payload();
    tcp_layer(stream_).expires_after(shared_.options.idle_timeout);
    writing_ = true;
    http::async_write(stream_, *message,
                      [self = this->shared_from_this(), message](
                          beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void read_body(std::size_t limit, std::function<void(engine::BodyStatus, std::string)> done) {
    if (!body_pending_) return done(engine::BodyStatus::complete, std::move(parser_->get().body()));
    if (auto length = parser_->content_length(); length && *length > limit) {
      keep_alive_ = false;  // the body stays unread
      return done(engine::BodyStatus::too_large, {});
    }
    parser_->body_limit(limit);
    auto read = [self = this->shared_from_this(), done = std::move(done)]() mutable {
      tcp_layer(self->stream_).expires_after(self->shared_.options.idle_timeout);
      http::async_read(self->stream_, self->buffer_, *self->parser_,
                       [self, done = std::move(done)](beast::error_code ec, std::size_t) {
                         self->body_pending_ = false;
                         if (ec == http::error::body_limit) {
                           self->keep_alive_ = false;
                           return done(engine::BodyStatus::too_large, {});
                         }
                         if (ec) {
                           self->dead_ = true;
                           done(engine::BodyStatus::aborted, {});
                           return self->close_now();
                         }
                         done(engine::BodyStatus::complete, std::move(self->parser_->get().body()));
                       });
    };
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      auto go_on = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      http::async_write(
          stream_, *go_on,
          [go_on, read = std::move(read)](beast::error_code, std::size_t) mutable { read(); });
      return;
    }
    read();
  }

  void set_abort(std::function<void()> fn) {
    if (dead_) {
      asio::post(tcp_layer(stream_).get_executor(), std::move(fn));
      return;
    }
    abort_ = std::move(fn);
    if (!read_ahead_ && !body_pending_) start_read_ahead();
  }

  std::shared_ptr<engine::WsChannel> upgrade(std::shared_ptr<engine::WsHandler> handler) {
    awaiting_response_ = false;
    upgraded_ = true;
    auto ws =
        std::make_shared<WsConnection<Stream>>(shared_, std::move(stream_), std::move(handler));
    // Frames the client wrote together with the request are in buffer_: they go to the WebSocket.
    const auto early = buffer_.data();
    ws->start(parser_->release(),
              std::string_view(static_cast<const char*>(early.data()), early.size()));
    buffer_.consume(buffer_.size());
    return ws;
  }

 private:
  void do_read_header() {
    if (shared_.stopping) return close_now();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_.options.max_header_bytes));
    parser_->body_limit(boost::none);  // each request sets its own limit once routed
    tcp_layer(stream_).expires_after(shared_.options.idle_timeout);
    idle_ = true;
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              self->on_header(ec);
                            });
  }

  void on_header(beast::error_code ec) {
    idle_ = false;
    if (ec) {
      if (ec == http::error::header_limit)
        return write_and_close(http::status::request_header_fields_too_large,
                               "request header larger than " +
                                   std::to_string(shared_.options.max_header_bytes) + " bytes\n");
      if (ec == http::error::end_of_stream || ec == asio::error::eof ||
          ec == beast::error::timeout || ec == http::error::partial_message ||
          ec == asio::error::connection_reset || ec == asio::error::operation_aborted)
        return close_now();
      return write_and_close(http::status::bad_request,
                             "malformed HTTP request: " + ec.message() + "\n");
    }
    const auto& message = parser_->get();
    engine::HttpRequest request;
    request.method = engine::method_from_string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      request.headers.push_back({std::move(name), std::string(field.value())});
    }
    request.websocket_upgrade = websocket::is_upgrade(message);
    if (request.websocket_upgrade) apply_upgrade_quirks(request);
    request.remote_address = remote_;
    request.secure = secure_;
    keep_alive_ = message.keep_alive();
    body_pending_ = !parser_->is_done();
    awaiting_response_ = true;

    const auto path = request.target.substr(0, request.target.find('?'));
    const RequestHandler* handler = shared_.route(path);
    if (!handler) {
      if (shared_.options.quirks.crash_on_reset_foreign_upgrade && parser_->upgrade() &&
          message.count(http::field::upgrade) != 0)
        return leave_foreign_upgrade(std::chrono::steady_clock::now() + kDestroyUpgradeTimeout);
      std::string served;
      for (const auto& [prefix, h] : shared_.routes)
        served += (served.empty() ? "" : ", ") + prefix;
      return write_and_close(
          http::status::not_found,
          "no handler for path " + path + " (this server handles: " + served + ")\n");
    }
    if (body_pending_ && request.method != engine::Method::post && !request.websocket_upgrade) {
      // Keep the connection in step: read and drop an unexpected body before handling.
      read_body(kDiscardBodyLimit, [self = this->shared_from_this(), request = std::move(request),
                                    handler](engine::BodyStatus status, std::string) {
        if (status == engine::BodyStatus::too_large)
          return self->write_and_close(http::status::payload_too_large, "request body too large\n");
        if (status == engine::BodyStatus::aborted) return;
        (*handler)(request, std::make_shared<Exchange<Stream>>(self));
      });
      return;
    }
    if (const auto delay = subprotocol_split_delay(request); delay.count() > 0) {
      // The quirk's slow split: this request is handled once the time it costs has passed.
      auto timer = std::make_shared<asio::steady_timer>(stream_.get_executor(), delay);
      timer->async_wait([self = this->shared_from_this(), timer, request = std::move(request),
                         handler](beast::error_code timer_ec) {
        if (!timer_ec) (*handler)(request, std::make_shared<Exchange<Stream>>(self));
      });
      return;
    }
    (*handler)(request, std::make_shared<Exchange<Stream>>(this->shared_from_this()));
  }

  // quadratic_subprotocol_split: what splitting the request's Sec-WebSocket-Protocol costs.
  std::chrono::milliseconds subprotocol_split_delay(const engine::HttpRequest& request) const {
    if (!shared_.options.quirks.quadratic_subprotocol_split || !request.websocket_upgrade)
      return {};
    const auto protocols = request.header("sec-websocket-protocol");
    return protocols ? subprotocol_split_cost(*protocols) : std::chrono::milliseconds{};
  }

  // The deliberate bugs some WebSocket servers had in reading an upgrade request (net::Quirks).
  void apply_upgrade_quirks(const engine::HttpRequest& request) {
    const auto& quirks = shared_.options.quirks;
    if (quirks.crash_on_late_upgrade_header) {
      std::size_t line = 0;
      for (const auto& [name, value] : request.headers) {
        if (name == "upgrade" && line >= kNodeMaxHeaders) std::abort();
        ++line;
      }
    }
    if (quirks.crash_on_prototype_extension_name)
      if (const auto extensions = request.header("sec-websocket-extensions"))
        if (names_prototype_extension(*extensions)) std::abort();
  }

  // The crash_on_reset_foreign_upgrade quirk: an upgrade for a path no handler serves gets no
  // answer and is ended at `end` (the tcp_stream's expiry closes it), as engine.io's attach() did.
  // A reset before that is an error nothing handles: it ends the process when the socket is ended.
  void leave_foreign_upgrade(std::chrono::steady_clock::time_point end) {
    tcp_layer(stream_).expires_at(end);
    buffer_.consume(buffer_.size());
    tcp_layer(stream_).async_read_some(
        buffer_.prepare(kReadAheadChunk),
        [self = this->shared_from_this(), end](beast::error_code ec, std::size_t) {
          if (!ec) return self->leave_foreign_upgrade(end);  // more bytes: dropped
          if (ec == beast::error::timeout || ec == asio::error::eof ||
              ec == asio::error::operation_aborted)
            return self->close_now();
          auto unhandled =
              std::make_shared<asio::steady_timer>(tcp_layer(self->stream_).get_executor(), end);
          unhandled->async_wait([unhandled](beast::error_code) { std::abort(); });
          self->close_now();
        });
  }

  void write_and_close(http::status status, std::string text) {
    engine::HttpResponse response;
    response.status = static_cast<unsigned>(status);
    response.set("Content-Type", "text/plain; charset=UTF-8");
    response.body = std::move(text);
    response.close_connection = true;
    respond(std::move(response));
  }

  void on_write(beast::error_code ec) {
    writing_ = false;
    if (ec || dead_) return close_now();
    if (!keep_alive_) return linger_close();
    if (read_ahead_) return;  // the read-ahead in flight becomes the read of the next request
    do_read_header();
  }

  void start_read_ahead() {
    read_ahead_ = true;
    tcp_layer(stream_).expires_never();  // a held GET waits as long as the engine wants
    stream_.async_read_some(buffer_.prepare(kReadAheadChunk),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->on_read_ahead(ec, n);
                            });
  }

  void on_read_ahead(beast::error_code ec, std::size_t n) {
    read_ahead_ = false;
    if (lingering_) return ec ? close_now() : drain();
    if (ec) {
      dead_ = true;
      if (awaiting_response_ && abort_) {
        auto abort = std::move(abort_);
        abort_ = nullptr;
        abort();
      }
      if (!writing_) close_now();
      return;
    }
    buffer_.commit(n);
    if (awaiting_response_) {
      // A pipelined request: keep it, and keep watching for a hang-up up to the header limit.
      if (buffer_.size() < shared_.options.max_header_bytes) start_read_ahead();
      return;
    }
    if (!writing_ && !upgraded_) do_read_header();
  }

  // Half-close and drain what the client still sends (an unread body), so that closing does not
  // reset the connection before the client has read our answer.
  void linger_close() {
    lingering_ = true;
    beast::error_code ignored;
    tcp_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, ignored);
    tcp_layer(stream_).expires_after(kLingerTimeout);
    if (!read_ahead_) drain();  // else the read-ahead's completion drains
  }

  void drain() {
    buffer_.consume(buffer_.size());
    tcp_layer(stream_).async_read_some(
        buffer_.prepare(kReadAheadChunk),
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
          if (ec) return self->close_now();
          self->drain();
        });
  }

  void close_now() {
    dead_ = true;
    if (upgraded_) return;
    beast::error_code ignored;
    tcp_layer(stream_).socket().close(ignored);
  }

  Stream stream_;
  std::string remote_;
  bool secure_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::function<void()> abort_;
  bool idle_ = false;
  bool keep_alive_ = true;
  bool body_pending_ = false;
  bool awaiting_response_ = false;
  bool writing_ = false;
  bool read_ahead_ = false;
  bool dead_ = false;
  bool upgraded_ = false;
  bool lingering_ = false;
};

}  // namespace

// ---- Server ----------------------------------------------------------------------------------

struct Server::Impl {
  explicit Impl(ServerOptions options, LogFn log) {
    shared.options = std::move(options);
    shared.log = std::move(log);
  }

  void do_accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (ec) {
        // Out of descriptors or similar: say so, and try again shortly rather than spin.
        shared.write_log("accept failed: " + ec.message());
        retry_timer.expires_after(std::chrono::milliseconds(100));
        retry_timer.async_wait([this](beast::error_code wait_ec) {
          if (!wait_ec) do_accept();
        });
        return;
      }
      start_connection(std::move(socket));
      do_accept();
    });
  }

  void start_connection(tcp::socket socket) {
    beast::error_code ec;
    if (shared.connections.size() >= shared.options.max_connections) {
      shared.write_log("connection refused: max connections (" +
                       std::to_string(shared.options.max_connections) + ") reached");
      socket.close(ec);
      return;
    }
    socket.set_option(tcp::no_delay(true), ec);
    const auto endpoint = socket.remote_endpoint(ec);
    std::string remote =
        ec ? "unknown" : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
    if (ssl) {
      std::make_shared<HttpConnection<TlsStream>>(
          shared, TlsStream(beast::tcp_stream(std::move(socket)), *ssl), std::move(remote), true)
          ->start();
    } else {
      std::make_shared<HttpConnection<PlainStream>>(shared, PlainStream(std::move(socket)),
                                                    std::move(remote), false)
          ->start();
    }
  }

  void wait_for_signal() {
    signals.async_wait([this](beast::error_code ec, int signal) {
      if (ec) return;
      // The first signal shuts down gracefully; a second one stops at once.
      if (++signals_seen > 1) return ioc.stop();
      if (signal_fn) signal_fn(signal);
      wait_for_signal();
    });
  }

  // Declaration order matters: connections reach `shared` while the io_context destroys them.
  Shared shared;
  asio::io_context ioc{1};
  AsioScheduler scheduler{ioc};
  tcp::acceptor acceptor{ioc};
  asio::steady_timer retry_timer{ioc};
  asio::steady_timer grace_timer{ioc};
  asio::signal_set signals{ioc};
  std::optional<asio::ssl::context> ssl;
  std::function<void(int)> signal_fn;
  int signals_seen = 0;
};

Server::Server(ServerOptions options, LogFn log)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(log))) {}

Server::~Server() {
  impl_->shared.on_connection_gone = nullptr;
}

engine::Scheduler& Server::scheduler() {
  return impl_->scheduler;
}

void Server::mount(std::string prefix, RequestHandler handler) {
  auto& routes = impl_->shared.routes;
  routes.emplace_back(std::move(prefix), std::move(handler));
  std::stable_sort(routes.begin(), routes.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

std::string Server::scheme() const {
  return impl_->shared.options.tls ? "https" : "http";
}

std::uint16_t Server::listen() {
  auto& impl = *impl_;
  const auto& options = impl.shared.options;
  if (options.tls) {
    impl.ssl.emplace(asio::ssl::context::tls_server);
    impl.ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                          asio::ssl::context::no_sslv3);
    beast::error_code ec;
    impl.ssl->use_certificate_chain_file(options.tls->certificate_chain, ec);
    if (ec)
      throw std::runtime_error("cannot load the TLS certificate chain '" +
                               options.tls->certificate_chain + "': " + ec.message() +
                               " (expected a PEM file)");
    impl.ssl->use_private_key_file(options.tls->private_key, asio::ssl::context::pem, ec);
    if (ec)
      throw std::runtime_error("cannot load the TLS private key '" + options.tls->private_key +
                               "': " + ec.message() +
                               " (expected a PEM file matching the certificate)");
  }
  beast::error_code ec;
  const auto address = asio::ip::make_address(options.host, ec);
  tcp::endpoint endpoint;
  if (ec) {
    tcp::resolver resolver(impl.ioc);
    auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
    if (ec || results.empty())
      throw std::runtime_error("cannot resolve host '" + options.host + "': " + ec.message());
    endpoint = *results.begin();
  } else {
    endpoint = tcp::endpoint(address, options.port);
  }
  const auto where = options.host + ":" + std::to_string(options.port);
  impl.acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl.acceptor.bind(endpoint, ec);
  if (!ec) impl.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
  impl.do_accept();
  return impl.acceptor.local_endpoint().port();
}

void Server::run() {
  impl_->ioc.run();
}

void Server::on_signal(std::function<void(int)> fn) {
  impl_->signal_fn = std::move(fn);
  impl_->signals.add(SIGINT);
  impl_->signals.add(SIGTERM);
  impl_->wait_for_signal();
}

void Server::shutdown(std::chrono::milliseconds grace) {
  auto& impl = *impl_;
  if (impl.shared.stopping) return;
  impl.shared.stopping = true;
  beast::error_code ignored;
  impl.acceptor.close(ignored);
  auto& shared = impl.shared;
  shared.on_connection_gone = [&impl] {
    if (impl.shared.connections.empty()) impl.ioc.stop();
  };
  for (auto* connection :
       std::vector<ConnectionBase*>(shared.connections.begin(), shared.connections.end()))
    connection->on_server_shutdown();
  if (shared.connections.empty()) return impl.ioc.stop();
  impl.grace_timer.expires_after(grace);
  impl.grace_timer.async_wait([&impl](beast::error_code ec) {
    if (!ec) impl.ioc.stop();
  });
}

void Server::stop() {
  impl_->ioc.stop();
}

std::size_t Server::connection_count() const {
  return impl_->shared.connections.size();
}

}  // namespace sio::net
