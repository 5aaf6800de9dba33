// The suite's network code (Boost.Beast), in one translation unit. Streams are type-erased behind
// AnyStream so plain TCP and TLS share the HTTP and raw code; only the WebSocket is templated.
#include "siocheck/driver/driver.hpp"

#include "siocheck/codec/text.hpp"

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cctype>

namespace conform {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

using text::hex;
using text::printable;

// Server Name Indication for TLS (what OpenSSL's SSL_set_tlsext_host_name macro does).
void set_sni(SSL* ssl, const std::string& host) {
  SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
           const_cast<char*>(host.c_str()));
}

// A connected byte stream: TCP or TLS.
class AnyStream {
 public:
  virtual ~AnyStream() = default;
  virtual void async_connect(const tcp::endpoint& endpoint,
                             std::function<void(error_code)> done) = 0;
  virtual void async_write(std::shared_ptr<const std::string> data,
                           std::function<void(error_code)> done) = 0;
  virtual void async_read_some(asio::mutable_buffer buffer,
                               std::function<void(error_code, std::size_t)> done) = 0;
  virtual void close() = 0;
  // Closes with a TCP reset (RST), not a FIN: SO_LINGER with a zero timeout, then close.
  virtual void reset() = 0;
};

template <class S>
class StreamImpl final : public AnyStream {
 public:
  template <class... Args>
  explicit StreamImpl(std::string host, Args&&... args)
      : host_(std::move(host)), s_(std::forward<Args>(args)...) {}

  void async_connect(const tcp::endpoint& endpoint, std::function<void(error_code)> done) override {
    beast::get_lowest_layer(s_).async_connect(
        endpoint, [this, done = std::move(done)](error_code ec) {
          if (ec) return done(ec);
          // Small writes go out at once: a client that waits for Nagle's algorithm adds tens of
          // milliseconds to a request that follows another.
          beast::get_lowest_layer(s_).socket().set_option(tcp::no_delay(true), ec);
          if constexpr (std::is_same_v<S, beast::ssl_stream<beast::tcp_stream>>) {
            set_sni(s_.native_handle(), host_);
            s_.async_handshake(asio::ssl::stream_base::client, done);
          } else {
            done(ec);
          }
        });
  }
  void async_write(std::shared_ptr<const std::string> data,
                   std::function<void(error_code)> done) override {
    asio::async_write(s_, asio::buffer(*data),
                      [data, done = std::move(done)](error_code ec, std::size_t) { done(ec); });
  }
  void async_read_some(asio::mutable_buffer buffer,
                       std::function<void(error_code, std::size_t)> done) override {
    s_.async_read_some(buffer, std::move(done));
  }
  void close() override {
    error_code ignored;
    beast::get_lowest_layer(s_).socket().close(ignored);
  }
  void reset() override {
    error_code ignored;
    auto& socket = beast::get_lowest_layer(s_).socket();
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
  }

 private:
  std::string host_;
  S s_;
};

}  // namespace

std::string Target::url() const {
  return std::string(tls ? "https" : "http") + "://" + host + ":" + std::to_string(port);
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (n == name) return v;
  return std::nullopt;
}

struct Loop::Impl {
  explicit Impl(const Target& target) : guard(asio::make_work_guard(ioc)) {
    if (target.tls) {
      ssl.emplace(asio::ssl::context::tls_client);
      if (target.insecure) {
        ssl->set_verify_mode(asio::ssl::verify_none);
      } else {
        ssl->set_default_verify_paths();
        error_code
            ignored;  // an unreadable file: the handshake then fails verification, and says so
        if (!target.ca_file.empty()) ssl->load_verify_file(target.ca_file, ignored);
        ssl->set_verify_mode(asio::ssl::verify_peer);
      }
    }
    error_code ec;
    const auto address = asio::ip::make_address(target.host, ec);
    if (!ec) {
      endpoint = tcp::endpoint(address, target.port);
    } else {
      tcp::resolver resolver(ioc);
      auto results = resolver.resolve(target.host, std::to_string(target.port), ec);
      if (!ec && !results.empty()) endpoint = *results.begin();
    }
  }

  std::unique_ptr<AnyStream> make_stream(const Target& target) {
    if (target.tls)
      return std::make_unique<StreamImpl<beast::ssl_stream<beast::tcp_stream>>>(target.host, ioc,
                                                                                *ssl);
    return std::make_unique<StreamImpl<beast::tcp_stream>>(target.host, ioc);
  }

  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  std::optional<asio::ssl::context> ssl;
  tcp::endpoint endpoint;
};

Loop::Loop(Target target)
    : target_(std::move(target)), start_(Clock::now()), impl_(std::make_unique<Impl>(target_)) {}
Loop::~Loop() {
  impl_->guard.reset();
  impl_->ioc.stop();
}

void Loop::note(std::string_view what, std::string text) {
  trace_.push_back({elapsed_ms(), std::string(what), std::move(text), ""});
}

void Loop::note(std::string_view conn, std::string_view what, std::string text) {
  trace_.push_back({elapsed_ms(), std::string(what), std::move(text), std::string(conn)});
}

std::string Loop::label() {
  return "c" + std::to_string(++labels_);
}

double Loop::elapsed_ms() const {
  return std::chrono::duration<double, std::milli>(Clock::now() - start_).count();
}

bool Loop::run_until(const std::function<bool()>& done, Ms timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) return done();
    impl_->ioc.run_one_until(deadline);
  }
  return true;
}

void Loop::run_for(Ms d) {
  const auto deadline = Clock::now() + d;
  while (Clock::now() < deadline)
    impl_->ioc.run_one_until(deadline);
}

void Loop::poll() {
  impl_->ioc.poll();
}

// ---- HTTP ------------------------------------------------------------------------------------

namespace {

struct HttpOp : std::enable_shared_from_this<HttpOp> {
  HttpOp(Loop& l, std::string c, std::unique_ptr<AnyStream> s, Loop::RequestDone d)
      : loop(l), conn(std::move(c)), stream(std::move(s)), done(std::move(d)) {}

  void start(const tcp::endpoint& endpoint, std::string wire) {
    auto self = shared_from_this();
    stream->async_connect(endpoint, [self, wire = std::move(wire)](error_code ec) mutable {
      if (ec) return self->fail("connect: " + ec.message());
      self->stream->async_write(std::make_shared<const std::string>(std::move(wire)),
                                [self](error_code wec) {
                                  if (wec) return self->fail("write: " + wec.message());
                                  self->read();
                                });
    });
  }

  void read() {
    parser.body_limit(boost::none);
    parser.header_limit(1 << 20);
    stream->async_read_some(
        asio::buffer(chunk), [self = shared_from_this()](error_code ec, std::size_t n) {
          if (self->finished) return;
          if (n > 0) {
            self->pending.append(self->chunk.data(), n);
            error_code pec;
            while (!self->pending.empty()) {
              const auto used = self->parser.put(asio::buffer(self->pending), pec);
              if (pec == http::error::need_more) {
                pec = {};
                break;
              }
              if (pec) break;
              self->pending.erase(0, used);
              if (self->parser.is_done() || used == 0) break;
            }
            if (pec) return self->fail("malformed response: " + pec.message());
            if (self->parser.is_done()) return self->finish();
          }
          if (ec) {
            if (ec == asio::error::eof) {
              if (!self->parser.got_some()) return self->fail("connection closed with no response");
              error_code eec;
              self->parser.put_eof(eec);
              if (!eec && self->parser.is_done()) return self->finish();
              return self->fail("connection closed before a complete response");
            }
            return self->fail("read: " + ec.message());
          }
          self->read();
        });
  }

  void finish() {
    HttpResponse response;
    const auto& message = parser.get();
    response.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
      std::string name(field.name_string());
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      response.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    response.body = message.body();
    loop.note(conn, "<-", std::to_string(response.status) + " " + printable(response.body));
    finished = true;
    stream->close();
    done(std::move(response), std::nullopt);
  }

  void fail(std::string why) {
    if (finished) return;
    finished = true;
    loop.note(conn, "<-", "request failed: " + why);
    stream->close();
    done(std::nullopt, std::move(why));
  }

  Loop& loop;
  std::string conn;
  std::unique_ptr<AnyStream> stream;
  Loop::RequestDone done;
  bool finished = false;
  http::response_parser<http::string_body> parser;
  std::array<char, 8192> chunk{};
  std::string pending;
};

}  // namespace

std::function<void()> Loop::async_request(HttpRequest request, RequestDone done) {
  std::string wire = request.method + " " + request.target + " HTTP/1.1\r\n";
  bool has_host = false;
  for (const auto& [name, value] : request.headers) {
    if (beast::iequals(name, "host")) has_host = true;
    wire += name + ": " + value + "\r\n";
  }
  if (!has_host) wire += "Host: " + target_.host + ":" + std::to_string(target_.port) + "\r\n";
  if (!request.body.empty() || request.method == "POST")
    wire += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  wire += "Connection: close\r\n\r\n" + request.body;
  auto conn = request.conn.empty() ? label() : request.conn;
  note(conn, "->",
       request.method + " " + request.target +
           (request.body.empty() ? "" : "  " + printable(request.body)));
  auto op = std::make_shared<HttpOp>(*this, std::move(conn), impl_->make_stream(target_),
                                     std::move(done));
  op->start(impl_->endpoint, std::move(wire));
  return [weak = std::weak_ptr<HttpOp>(op)] {
    if (auto o = weak.lock()) o->fail("cancelled by the client");
  };
}

Pending<HttpResponse> Loop::start_request(HttpRequest request) {
  auto state = std::make_shared<Pending<HttpResponse>::State>();
  state->cancel = async_request(
      std::move(request), [state](std::optional<HttpResponse> r, std::optional<std::string> e) {
        if (r) state->value = std::move(*r);
        if (e) state->error = std::move(*e);
      });
  return Pending<HttpResponse>(*this, state);
}

std::optional<HttpResponse> Loop::request(HttpRequest request, Ms timeout) {
  auto pending = start_request(std::move(request));
  auto result = pending.wait(timeout);
  if (!pending.done()) {
    note("--", "no response within " + std::to_string(timeout.count()) + " ms");
    pending.cancel();
  }
  return result;
}

// ---- raw connections ------------------------------------------------------------------------

struct RawConnection::Impl : std::enable_shared_from_this<RawConnection::Impl> {
  Impl(Loop& l, std::unique_ptr<AnyStream> s) : loop(l), conn(l.label()), stream(std::move(s)) {}
  Loop& loop;
  std::string conn;
  std::unique_ptr<AnyStream> stream;
  std::string received;
  bool closed = false;
  bool reading = false;
  std::array<char, 8192> chunk{};

  void read_more() {
    if (reading || closed) return;
    reading = true;
    // The handler keeps this Impl alive: a connection dropped mid-read must not free it under it.
    stream->async_read_some(asio::buffer(chunk),
                            [self = shared_from_this()](error_code ec, std::size_t n) {
                              self->reading = false;
                              if (n) self->received.append(self->chunk.data(), n);
                              if (ec) {
                                self->closed = true;
                                return;
                              }
                              self->read_more();
                            });
  }
};

RawConnection::RawConnection(Loop& loop)
    : impl_(std::make_shared<Impl>(loop, loop.impl().make_stream(loop.target()))) {}
RawConnection::~RawConnection() {
  if (impl_) impl_->stream->close();
}
RawConnection::RawConnection(RawConnection&&) noexcept = default;
RawConnection& RawConnection::operator=(RawConnection&&) noexcept = default;

bool RawConnection::connect(Ms timeout) {
  // Shared: the operation may complete after this call gave up waiting.
  auto result = std::make_shared<std::optional<error_code>>();
  impl_->stream->async_connect(impl_->loop.impl().endpoint,
                               [result, keep = impl_](error_code ec) { *result = ec; });
  impl_->loop.run_until([&] { return result->has_value(); }, timeout);
  if (!result->has_value() || **result) return false;
  impl_->read_more();
  return true;
}

bool RawConnection::send(std::string_view bytes, std::size_t chunk) {
  impl_->loop.note(
      impl_->conn, "->",
      "raw " + printable(bytes) + (chunk ? " in pieces of " + std::to_string(chunk) : ""));
  const std::size_t piece = chunk ? chunk : bytes.size();
  for (std::size_t at = 0; at < bytes.size() || (bytes.empty() && at == 0); at += piece) {
    auto result = std::make_shared<std::optional<error_code>>();
    impl_->stream->async_write(std::make_shared<const std::string>(bytes.substr(at, piece)),
                               [result, keep = impl_](error_code ec) { *result = ec; });
    impl_->loop.run_until([&] { return result->has_value(); }, Ms(5000));
    if (!result->has_value() || **result) return false;
    if (chunk) impl_->loop.run_for(Ms(1));  // let each piece leave on its own
    if (bytes.empty()) break;
  }
  return true;
}

std::string RawConnection::read(Ms timeout, bool* closed) {
  impl_->loop.run_until([&] { return impl_->closed; }, timeout);
  if (closed) *closed = impl_->closed;
  std::string out = std::move(impl_->received);
  impl_->received.clear();
  impl_->loop.note(impl_->conn, "<-", "raw " + printable(out) + (impl_->closed ? " (closed)" : ""));
  return out;
}

std::string RawConnection::read_until(std::string_view needle, Ms timeout) {
  impl_->loop.run_until(
      [&] { return impl_->closed || impl_->received.find(needle) != std::string::npos; }, timeout);
  std::string out = std::move(impl_->received);
  impl_->received.clear();
  impl_->loop.note(impl_->conn, "<-", "raw " + printable(out) + (impl_->closed ? " (closed)" : ""));
  return out;
}

std::string RawConnection::read_at_least(std::size_t count, Ms timeout, bool* closed) {
  impl_->loop.run_until([&] { return impl_->closed || impl_->received.size() >= count; }, timeout);
  if (closed) *closed = impl_->closed;
  std::string out = std::move(impl_->received);
  impl_->received.clear();
  impl_->loop.note(impl_->conn, "<-", "raw " + printable(out) + (impl_->closed ? " (closed)" : ""));
  return out;
}

void RawConnection::close() {
  impl_->stream->close();
}

void RawConnection::reset() {
  impl_->loop.note(impl_->conn, "->", "TCP reset");
  impl_->stream->reset();
}

// ---- WebSocket ------------------------------------------------------------------------------

namespace {

class WsBase {
 public:
  virtual ~WsBase() = default;
  virtual bool connect(const std::string& target, Ms timeout, HttpResponse* response,
                       bool deflate) = 0;
  virtual void send(bool binary, std::string data) = 0;
  virtual void close() = 0;
  std::deque<WsEvent> events;
  bool ended = false;
  std::function<bool(const std::string&)> text_hook;
  std::string conn;  // its name in the trace
};

template <class S>
class WsImpl final : public WsBase, public std::enable_shared_from_this<WsImpl<S>> {
 public:
  template <class... Args>
  WsImpl(Loop& loop, Args&&... args) : loop_(loop), ws_(std::forward<Args>(args)...) {}

  bool connect(const std::string& target, Ms timeout, HttpResponse* response,
               bool deflate) override {
    const Target t = loop_.target();
    // Shared with the operations, which may complete after this call gave up waiting.
    auto result = std::make_shared<std::optional<error_code>>();
    beast::get_lowest_layer(ws_).expires_after(timeout);
    loop_.note(conn, "->",
               "WebSocket upgrade " + target + (deflate ? " (offering permessage-deflate)" : ""));
    if (deflate) {
      websocket::permessage_deflate pmd;
      pmd.client_enable = true;
      ws_.set_option(pmd);
    }
    auto self = this->shared_from_this();
    beast::get_lowest_layer(ws_).async_connect(loop_.impl().endpoint, [self, result, target,
                                                                       t](error_code ec) {
      if (ec) {
        *result = ec;
        return;
      }
      beast::get_lowest_layer(self->ws_).socket().set_option(tcp::no_delay(true), ec);
      auto handshake = [self, result, target, t] {
        self->ws_.async_handshake(self->upgrade_response_, t.host + ":" + std::to_string(t.port),
                                  target, [self, result](error_code hec) { *result = hec; });
      };
      if constexpr (std::is_same_v<S, beast::ssl_stream<beast::tcp_stream>>) {
        set_sni(self->ws_.next_layer().native_handle(), t.host);
        self->ws_.next_layer().async_handshake(asio::ssl::stream_base::client,
                                               [result, handshake](error_code tec) {
                                                 if (tec) {
                                                   *result = tec;
                                                   return;
                                                 }
                                                 handshake();
                                               });
      } else {
        handshake();
      }
    });
    loop_.run_until([&] { return result->has_value(); }, timeout + Ms(100));
    if (response) {
      response->status = static_cast<int>(upgrade_response_.result_int());
      response->headers.clear();
      for (const auto& field : upgrade_response_) {
        std::string name(field.name_string());
        for (auto& c : name)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        response->headers.emplace_back(std::move(name), std::string(field.value()));
      }
      response->body = upgrade_response_.body();
    }
    if (!result->has_value() || **result) {
      loop_.note(conn, "<-",
                 "WebSocket refused: " +
                     (result->has_value() ? (*result)->message() : std::string("timeout")) +
                     " (HTTP " + std::to_string(upgrade_response_.result_int()) + " " +
                     printable(upgrade_response_.body()) + ")");
      ended = true;
      return false;
    }
    beast::get_lowest_layer(ws_).expires_never();
    loop_.note(conn, "<-", "101 Switching Protocols");
    read();
    return true;
  }

  void read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](error_code ec, std::size_t) {
      if (ec) {
        WsEvent event;
        if (ec == websocket::error::closed) {
          event.close_code = self->ws_.reason().code == websocket::close_code::none
                                 ? 1005
                                 : self->ws_.reason().code;
        } else {
          event.close_code = 1006;
        }
        self->loop_.note(self->conn, "<-",
                         "WebSocket closed (" + std::to_string(event.close_code) + ")");
        self->ended = true;
        self->events.push_back(std::move(event));
        return;
      }
      WsEvent event;
      event.kind = self->ws_.got_binary() ? WsEvent::Kind::binary : WsEvent::Kind::text;
      event.data = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      self->loop_.note(self->conn, "<-",
                       event.kind == WsEvent::Kind::text ? "ws " + printable(event.data)
                                                         : "ws binary " + hex(event.data));
      const bool consumed =
          event.kind == WsEvent::Kind::text && self->text_hook && self->text_hook(event.data);
      if (!consumed) self->events.push_back(std::move(event));
      self->read();
    });
  }

  void send(bool binary, std::string data) override {
    if (ended) return;
    loop_.note(conn, "->", binary ? "ws binary " + hex(data) : "ws " + printable(data));
    queue_.emplace_back(binary, std::make_shared<const std::string>(std::move(data)));
    write();
  }

  void write() {
    if (writing_ || queue_.empty() || ended) return;
    writing_ = true;
    auto [binary, data] = queue_.front();
    queue_.pop_front();
    ws_.binary(binary);
    ws_.async_write(asio::buffer(*data),
                    [self = this->shared_from_this(), data](error_code, std::size_t) {
                      self->writing_ = false;
                      self->write();
                    });
  }

  void close() override {
    if (ended || closing_) return;  // a second close would overlap the first
    closing_ = true;
    loop_.note(conn, "->", "WebSocket close");
    ws_.async_close(websocket::close_code::normal,
                    [self = this->shared_from_this()](error_code) {});
  }

 private:
  Loop& loop_;
  websocket::stream<S> ws_;
  websocket::response_type upgrade_response_;
  beast::flat_buffer buffer_;
  std::deque<std::pair<bool, std::shared_ptr<const std::string>>> queue_;
  bool writing_ = false;
  bool closing_ = false;
};

}  // namespace

struct WebSocket::Impl {
  Loop& loop;
  std::shared_ptr<WsBase> ws;
};

WebSocket::WebSocket(Loop& loop, std::string conn)
    : impl_(std::make_unique<Impl>(Impl{loop, nullptr})) {
  if (loop.target().tls) {
    impl_->ws = std::make_shared<WsImpl<beast::ssl_stream<beast::tcp_stream>>>(
        loop, loop.impl().ioc, *loop.impl().ssl);
  } else {
    impl_->ws = std::make_shared<WsImpl<beast::tcp_stream>>(loop, loop.impl().ioc);
  }
  impl_->ws->conn = conn.empty() ? loop.label() : std::move(conn);
}
WebSocket::~WebSocket() {
  if (impl_ && impl_->ws) impl_->ws->close();
}
WebSocket::WebSocket(WebSocket&&) noexcept = default;
WebSocket& WebSocket::operator=(WebSocket&&) noexcept = default;

bool WebSocket::connect(const std::string& target, Ms timeout, HttpResponse* response,
                        bool offer_deflate) {
  return impl_->ws->connect(target, timeout, response, offer_deflate);
}
void WebSocket::send_text(std::string_view text) {
  impl_->ws->send(false, std::string(text));
}
void WebSocket::send_binary(std::string_view bytes) {
  impl_->ws->send(true, std::string(bytes));
}
bool WebSocket::closed() const {
  return impl_->ws->ended && impl_->ws->events.empty();
}
bool WebSocket::has_event() const {
  return !impl_->ws->events.empty();
}
void WebSocket::on_text(std::function<bool(const std::string&)> hook) {
  impl_->ws->text_hook = std::move(hook);
}
void WebSocket::close() {
  impl_->ws->close();
}

std::optional<WsEvent> WebSocket::next(Ms timeout) {
  auto& ws = *impl_->ws;
  impl_->loop.run_until([&] { return !ws.events.empty(); }, timeout);
  if (ws.events.empty()) return std::nullopt;
  auto event = std::move(ws.events.front());
  if (event.kind != WsEvent::Kind::closed) ws.events.pop_front();
  return event;  // the close stays, so every later call sees it too
}

}  // namespace conform
