// The scripted server and the adapter's pipes on one event loop (Boost.Beast), in one translation
// unit. The server keeps every object it makes until the case ends, so handlers hold plain
// pointers; nothing runs after the harness is gone.
#include "siocheck/client/harness.hpp"

#include <signal.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>

#include "process.hpp"
#include "siocheck/codec/bin.hpp"
#include "siocheck/codec/text.hpp"

namespace conform::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

std::string shown(std::string_view bytes, std::size_t max = 300) {
  return text::printable(bytes, {.max = max});
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto part = query.substr(0, amp);
    if (!part.empty()) {
      const auto eq = part.find('=');
      out.emplace_back(url_decode(part.substr(0, eq)),
                       eq == std::string_view::npos ? "" : url_decode(part.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

// Identifiers that read well in traces and look like the real ones (20 characters).
std::string make_id(std::string prefix, int n) {
  auto id = prefix + std::to_string(n);
  id.resize(20, 'x');
  return id;
}

std::string error_body(int code, std::string_view message) {
  return "{\"code\":" + std::to_string(code) + ",\"message\":\"" + std::string(message) + "\"}";
}

}  // namespace

std::optional<std::string> Request::param(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return v;
  return std::nullopt;
}

std::optional<std::string> Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return std::nullopt;
}

Json SioIn::value() const {
  if (packet.data.empty()) return nullptr;
  auto json = codec::parse_json(packet.data);
  if (!json) return nullptr;
  return codec::with_binary(*json, attachments);
}

Json SioIn::array() const {
  auto v = value();
  return v.is_array() ? v : Json::array();
}

// ---- the objects of the server -----------------------------------------------------------------

struct HttpConn;
struct WsImpl;

struct Session {
  std::string sid;
  std::size_t log = 0;  // index into sessions
  bool websocket = false;
  bool upgrading = false;
  bool closed = false;
  bool pings = true;
  HttpConn* held_get = nullptr;
  int held_request = -1;
  bool post_in_flight = false;
  bool noop_for_next_get = false;
  std::deque<std::pair<std::string, bool>> queue;  // packets for the next GET or frames
  std::optional<std::string> raw_body;
  WsImpl* ws = nullptr;
  WsImpl* probe = nullptr;
  std::vector<HttpConn*> conns;
  std::unique_ptr<asio::steady_timer> ping_timer, pong_timer, noop_timer;
  bool awaiting_pong = false;
  // A binary Socket.IO packet waiting for its attachments.
  std::optional<SioIn> partial;
};

struct Harness::Impl {
  explicit Impl(Harness& h) : self(h), guard(asio::make_work_guard(io)), acceptor(io) {}

  Harness& self;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  tcp::acceptor acceptor;
  Clock::time_point start = Clock::now();
  std::uint16_t port = 0;
  ServerOptions options;

  std::vector<Request> requests;
  std::vector<PacketIn> packets_in;
  std::vector<SioIn> sio_in;
  std::vector<PacketOut> packets_out;
  std::vector<WsConn> websockets;
  std::vector<SessionLog> sessions;
  std::vector<run::TraceLine> trace;

  std::vector<std::unique_ptr<Session>> all_sessions;
  std::map<std::string, Session*> live;
  std::map<std::string, Session*> closing;  // closed by the server, the close packet not sent
  std::vector<std::shared_ptr<HttpConn>> conns;
  std::vector<std::shared_ptr<WsImpl>> wss;
  std::vector<std::unique_ptr<asio::steady_timer>> timers;
  int next_sid = 0;
  int next_socket = 0;

  // The adapter.
  AdapterProcess process;
  std::unique_ptr<asio::posix::stream_descriptor> adapter_in, adapter_out;
  std::deque<std::shared_ptr<std::string>> in_queue;
  bool in_writing = false;
  std::string out_buffer;
  std::array<char, 8192> out_chunk{};
  bool out_closed = false;
  int lines = 0;
  std::vector<AdapterEvent> events;
  std::string broken;
  std::string impl_name, impl_version;
  std::set<std::string> features;
  int sync_seq = 0;

  double now() const {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  }
  void note(std::string conn, std::string dir, std::string text) {
    trace.push_back({now(), std::move(dir), std::move(text), std::move(conn)});
  }

  void after(Ms delay, std::function<void()> fn) {
    if (delay.count() <= 0) return asio::post(io, std::move(fn));
    timers.push_back(std::make_unique<asio::steady_timer>(io, delay));
    timers.back()->async_wait([fn = std::move(fn)](error_code ec) {
      if (!ec) fn();
    });
  }

  void accept();
  void handle(HttpConn& conn, http::request<http::string_body> req);
  void answer(HttpConn& conn, int request, Answer a);
  void handshake(HttpConn& conn, int request);
  void websocket_request(HttpConn& conn, int request, http::request<http::string_body> req);
  void poll_get(HttpConn& conn, Session& s, int request);
  void poll_post(HttpConn& conn, Session& s, int request);
  std::string open_packet(const std::string& sid);
  Session& new_session(int request, bool websocket_only);
  void flush(Session& s);
  void send_packet(Session& s, std::string packet, bool binary);
  void schedule_ping(Session& s);
  void close_session(Session& s, std::string why, bool tell_client);
  void reset_all(Session& s);
  void on_frame(WsImpl& ws, std::string data, bool binary);
  void on_ws_closed(WsImpl& ws, int code);
  void noop_tick(Session& s);
  void answer_probe(Session& s, WsImpl& probe, int waited_ms = 0);
  void on_packet(Session& s, PacketIn in);
  void on_message(Session& s, const PacketIn& in);
  void deliver(Session& s, SioIn sio);
  void default_sio(Session& s, const SioIn& sio);
  void send_sio(Session& s, const std::string& text, const std::vector<std::string>& attachments);
  void release_get(Session& s, std::string body);

  // Adapter.
  void read_adapter();
  void on_adapter_line(std::string line);
  void write_adapter();
};

struct HttpConn {
  HttpConn(Harness::Impl& owner, tcp::socket socket, int number)
      : h(owner), stream(std::move(socket)), index(number) {}
  Harness::Impl& h;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::optional<http::request_parser<http::string_body>> parser;
  int index;
  bool keep_alive = true;
  bool gone = false;  // closed, reset, or handed to a WebSocket

  std::string name() const { return "c" + std::to_string(index); }
  void read() {
    parser.emplace();
    parser->body_limit(64 * 1024 * 1024);
    parser->header_limit(64 * 1024);
    http::async_read(stream, buffer, *parser, [this](error_code ec, std::size_t) {
      if (ec) {
        gone = true;
        return;
      }
      auto req = parser->release();
      keep_alive = req.keep_alive();
      h.handle(*this, std::move(req));
    });
  }
  void write(int status, std::string body, std::string content_type) {
    auto res =
        std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status), 11);
    res->set(http::field::content_type, content_type);
    res->set(http::field::access_control_allow_origin, "*");
    res->body() = std::move(body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    http::async_write(stream, *res, [this, res](error_code ec, std::size_t) {
      if (ec || !keep_alive) {
        error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        gone = true;
        return;
      }
      read();
    });
  }
  void reset() {
    if (gone) return;
    gone = true;
    error_code ignored;
    stream.socket().set_option(asio::socket_base::linger(true, 0), ignored);
    stream.socket().close(ignored);
  }
};

struct WsImpl {
  WsImpl(Harness::Impl& owner, beast::tcp_stream stream, int number)
      : h(owner), ws(std::move(stream)), index(number) {}
  Harness::Impl& h;
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  int index;
  Session* session = nullptr;
  bool probe = false;
  bool open = false;
  bool closed = false;
  std::deque<std::pair<std::shared_ptr<std::string>, bool>> out;
  bool writing = false;
  int close_code = 0;      // a close frame is due
  bool by_server = false;  // the server closed or reset it

  std::string name() const { return "ws" + std::to_string(index); }
  void read() {
    ws.async_read(buffer, [this](error_code ec, std::size_t) {
      if (ec) {
        int code = 1006;
        if (ec == websocket::error::closed) code = ws.reason().code == 0 ? 1005 : ws.reason().code;
        return h.on_ws_closed(*this, code);
      }
      const bool binary = ws.got_binary();
      auto data = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
      h.on_frame(*this, std::move(data), binary);
      if (!closed) read();
    });
  }
  void send(std::string data, bool binary) {
    if (closed) return;
    out.emplace_back(std::make_shared<std::string>(std::move(data)), binary);
    if (!writing) write_next();
  }
  void write_next() {
    if (out.empty() || closed) {
      writing = false;
      if (close_code && !closed) start_close();
      return;
    }
    writing = true;
    auto [data, binary] = out.front();
    out.pop_front();
    ws.binary(binary);
    ws.async_write(asio::buffer(*data), [this, data](error_code ec, std::size_t) {
      if (ec) {
        writing = false;
        return;
      }
      write_next();
    });
  }
  // A close frame, after the frames queued before it.
  void close(int code) {
    if (closed || close_code) return;
    close_code = code;
    by_server = true;
    if (!writing) start_close();
  }
  void start_close() {
    ws.async_close(websocket::close_reason(static_cast<std::uint16_t>(close_code)),
                   [](error_code) {});
  }
  void reset() {
    if (closed) return;
    by_server = true;
    error_code ignored;
    auto& socket = beast::get_lowest_layer(ws).socket();
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
  }
};

// ---- HTTP --------------------------------------------------------------------------------------

void Harness::Impl::accept() {
  acceptor.async_accept([this](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    // A failed accept (a connection reset before it was taken, no file descriptor left for a
    // moment) loses that connection only: the client retries, and the server keeps listening.
    if (ec) return after(Ms(10), [this] { accept(); });
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    conns.push_back(
        std::make_shared<HttpConn>(*this, std::move(socket), static_cast<int>(conns.size()) + 1));
    conns.back()->read();
    accept();
  });
}

void Harness::Impl::handle(HttpConn& conn, http::request<http::string_body> req) {
  Request r;
  r.index = static_cast<int>(requests.size());
  r.conn = conn.index;
  r.at_ms = now();
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  const auto q = r.target.find('?');
  r.path = r.target.substr(0, q);
  if (q != std::string::npos) r.query = parse_query(std::string_view(r.target).substr(q + 1));
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  r.body = req.body();
  r.sid = r.param("sid").value_or("");
  r.websocket = websocket::is_upgrade(req);
  const int index = r.index;
  note(conn.name(), "<-",
       (r.websocket ? "WebSocket " : "") + r.method + " " + shown(r.target) +
           (r.body.empty() ? "" : "  " + shown(r.body)));
  requests.push_back(std::move(r));
  const auto& stored = requests.back();
  for (auto& [sid, s] : live)
    if (sid == stored.sid) s->conns.push_back(&conn);

  if (self.on_request)
    if (auto a = self.on_request(requests[static_cast<std::size_t>(index)]))
      return answer(conn, index, std::move(*a));
  if (stored.path != options.path) return answer(conn, index, {404, "not found", "text/plain"});
  if (stored.param("EIO") != "4")
    return answer(conn, index,
                  {400, error_body(5, "Unsupported protocol version"), "application/json"});
  const auto transport = stored.param("transport").value_or("");
  if (transport != "polling" && transport != "websocket")
    return answer(conn, index, {400, error_body(0, "Transport unknown"), "application/json"});
  if (stored.websocket) return websocket_request(conn, index, std::move(req));
  if (transport == "websocket")
    return answer(conn, index, {400, error_body(3, "Bad request"), "application/json"});
  if (stored.sid.empty()) {
    if (stored.method != "GET")
      return answer(conn, index, {400, error_body(3, "Bad request"), "application/json"});
    return handshake(conn, index);
  }
  if (const auto c = closing.find(stored.sid); c != closing.end() && stored.method == "GET") {
    packets_out.push_back({now(), stored.sid, false, false, "1"});
    closing.erase(c);
    return answer(conn, index, {200, "1"});
  }
  const auto it = live.find(stored.sid);
  if (it == live.end())
    return answer(conn, index, {400, error_body(1, "Session ID unknown"), "application/json"});
  auto& s = *it->second;
  if (s.websocket)
    return answer(conn, index, {400, error_body(3, "Bad request"), "application/json"});
  if (stored.method == "GET") return poll_get(conn, s, index);
  if (stored.method == "POST") return poll_post(conn, s, index);
  answer(conn, index, {400, error_body(2, "Bad handshake method"), "application/json"});
}

void Harness::Impl::answer(HttpConn& conn, int request, Answer a) {
  auto send = [this, &conn, request, a = std::move(a)] {
    if (conn.gone) return;
    auto& r = requests[static_cast<std::size_t>(request)];
    r.answered_ms = now();
    r.status = a.status;
    r.answer = a.body;
    note(conn.name(), "->", std::to_string(a.status) + " " + shown(a.body));
    conn.write(a.status, a.body, a.content_type);
  };
  if (a.delay.count() > 0) return after(a.delay, std::move(send));
  send();
}

std::string Harness::Impl::open_packet(const std::string& sid) {
  Json open = Json::object();
  open["sid"] = sid;
  open["upgrades"] = options.upgrades;
  open["pingInterval"] = options.ping_interval;
  open["pingTimeout"] = options.ping_timeout;
  open["maxPayload"] = options.max_payload;
  if (options.open_edit) open = options.open_edit(std::move(open));
  return "0" + codec::dump(open);
}

Session& Harness::Impl::new_session(int request, bool websocket_only) {
  auto s = std::make_unique<Session>();
  s->sid = make_id("eio", ++next_sid);
  s->log = sessions.size();
  s->websocket = websocket_only;
  s->pings = options.pings;
  s->ping_timer = std::make_unique<asio::steady_timer>(io);
  s->pong_timer = std::make_unique<asio::steady_timer>(io);
  s->noop_timer = std::make_unique<asio::steady_timer>(io);
  sessions.push_back(
      {.sid = s->sid, .request = request, .websocket_only = websocket_only, .opened_ms = now()});
  live[s->sid] = s.get();
  all_sessions.push_back(std::move(s));
  return *all_sessions.back();
}

void Harness::Impl::handshake(HttpConn& conn, int request) {
  auto& s = new_session(request, false);
  s.conns.push_back(&conn);
  note("", "--", "session " + s.sid + " opened (polling)");
  answer(conn, request, {200, open_packet(s.sid)});
  schedule_ping(s);
}

void Harness::Impl::poll_get(HttpConn& conn, Session& s, int request) {
  if (s.held_get) {
    // socket.io answers a second GET with 400 and ends the session.
    answer(conn, request, {400, error_body(3, "Bad request"), "application/json"});
    return close_session(s, "two GET requests at once", true);
  }
  s.held_get = &conn;
  s.held_request = request;
  if (s.noop_for_next_get) {
    s.noop_for_next_get = false;
    return release_get(s, "6");
  }
  flush(s);
}

void Harness::Impl::poll_post(HttpConn& conn, Session& s, int request) {
  const auto& r = requests[static_cast<std::size_t>(request)];
  if (s.post_in_flight) {
    answer(conn, request, {400, error_body(3, "Bad request"), "application/json"});
    return close_session(s, "two POST requests at once", true);
  }
  if (options.enforce_max_payload &&
      static_cast<std::int64_t>(r.body.size()) > options.max_payload) {
    answer(conn, request, {413, "", "text/plain"});
    return close_session(s, "a POST body over maxPayload", false);
  }
  s.post_in_flight = true;
  const auto body = r.body;
  for (const auto& record : codec::split_payload(body)) {
    PacketIn in;
    in.at_ms = now();
    in.sid = s.sid;
    in.request = request;
    in.raw = record;
    if (auto p = codec::parse_eio(record, true)) {
      in.packet = *p;
    } else {
      in.packet.type = '?';
      in.packet.data = record;
    }
    on_packet(s, std::move(in));
    if (s.closed) break;
  }
  Session* session = &s;
  answer(conn, request, {200, "ok", "text/html", options.post_delay});
  after(options.post_delay, [session] { session->post_in_flight = false; });
}

// ---- sessions ----------------------------------------------------------------------------------

void Harness::Impl::release_get(Session& s, std::string body) {
  if (!s.held_get) return;
  auto* conn = s.held_get;
  const int request = s.held_request;
  s.held_get = nullptr;
  s.held_request = -1;
  answer(*conn, request, {200, std::move(body)});
}

void Harness::Impl::flush(Session& s) {
  if (s.closed) return;
  if (s.websocket) {
    if (!s.ws) return;
    while (!s.queue.empty()) {
      auto [data, binary] = std::move(s.queue.front());
      s.queue.pop_front();
      packets_out.push_back({now(), s.sid, true, binary, data});
      note(s.ws->name(), "->", binary ? text::attachment(data) : shown(data));
      s.ws->send(std::move(data), binary);
    }
    return;
  }
  if (!s.held_get) return;
  if (s.raw_body) {
    auto body = std::move(*s.raw_body);
    s.raw_body.reset();
    packets_out.push_back({now(), s.sid, false, false, body});
    return release_get(s, std::move(body));
  }
  if (s.queue.empty()) return;
  std::vector<std::string> records;
  for (auto& [data, binary] : s.queue) {
    packets_out.push_back({now(), s.sid, false, binary, data});
    records.push_back(binary ? "b" + codec::base64_encode(data) : data);
  }
  s.queue.clear();
  release_get(s, codec::join_payload(records));
}

void Harness::Impl::send_packet(Session& s, std::string packet, bool binary) {
  if (s.closed) return;
  s.queue.emplace_back(std::move(packet), binary);
  flush(s);
}

void Harness::Impl::schedule_ping(Session& s) {
  if (!s.pings || s.closed) return;
  Session* session = &s;
  s.ping_timer->expires_after(Ms(options.ping_interval));
  s.ping_timer->async_wait([this, session](error_code ec) {
    if (ec || session->closed || !session->pings) return;
    send_packet(*session, "2", false);
    session->awaiting_pong = true;
    session->pong_timer->expires_after(Ms(options.ping_timeout));
    session->pong_timer->async_wait([this, session](error_code ec2) {
      if (ec2 || session->closed || !session->awaiting_pong) return;
      close_session(*session, "ping timeout", true);
    });
  });
}

void Harness::Impl::reset_all(Session& s) {
  for (auto* conn : s.conns)
    conn->reset();
  if (s.held_get) s.held_get->reset();
  s.held_get = nullptr;
  for (auto* ws : {s.ws, s.probe})
    if (ws) ws->reset();
}

void Harness::Impl::close_session(Session& s, std::string why, bool tell_client) {
  if (s.closed) return;
  if (tell_client) {
    // As socket.io closes: a close packet to a pending GET, a close frame on a WebSocket.
    if (s.websocket && s.ws) {
      s.ws->close(1000);
    } else if (s.held_get) {
      packets_out.push_back({now(), s.sid, false, false, "1"});
      release_get(s, "1");
    } else {
      closing[s.sid] = &s;  // the next GET gets the close packet
    }
  }
  s.closed = true;
  s.ping_timer->cancel();
  s.pong_timer->cancel();
  s.noop_timer->cancel();
  live.erase(s.sid);
  auto& log = sessions[s.log];
  log.closed_ms = now();
  log.closed_why = why;
  note("", "--", "session " + s.sid + " closed: " + why);
}

// ---- WebSocket ---------------------------------------------------------------------------------

void Harness::Impl::websocket_request(HttpConn& conn, int request,
                                      http::request<http::string_body> req) {
  const auto& r = requests[static_cast<std::size_t>(request)];
  Session* s = nullptr;
  bool probe = false;
  if (!r.sid.empty()) {
    const auto it = live.find(r.sid);
    if (it == live.end())
      return answer(conn, request, {400, error_body(1, "Session ID unknown"), "application/json"});
    if (it->second->websocket || it->second->probe)
      return answer(conn, request, {400, error_body(3, "Bad request"), "application/json"});
    s = it->second;
    probe = true;
  }
  conn.gone = true;
  wss.push_back(std::make_shared<WsImpl>(*this, std::move(conn.stream),
                                         static_cast<int>(websockets.size()) + 1));
  auto* ws = wss.back().get();
  websockets.push_back(
      {.index = ws->index, .sid = s ? s->sid : "", .probe = probe, .opened_ms = now()});
  requests[static_cast<std::size_t>(request)].status = 101;
  ws->ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "siocheck-scripted"); }));
  ws->ws.read_message_max(64 * 1024 * 1024);
  auto shared = wss.back();
  auto upgrade = std::make_shared<http::request<http::string_body>>(std::move(req));
  ws->ws.async_accept(*upgrade, [this, ws, s, probe, request, shared, upgrade](error_code ec) {
    if (ec) {
      ws->closed = true;
      websockets[static_cast<std::size_t>(ws->index - 1)].closed_ms = now();
      note(ws->name(), "--", "WebSocket handshake failed: " + ec.message());
      return;
    }
    ws->open = true;
    requests[static_cast<std::size_t>(request)].answered_ms = now();
    note(ws->name(), "->", "101 WebSocket accepted");
    if (probe) {
      ws->probe = true;
      ws->session = s;
      s->probe = ws;
    } else {
      auto& session = new_session(request, true);
      websockets[static_cast<std::size_t>(ws->index - 1)].sid = session.sid;
      ws->session = &session;
      session.ws = ws;
      note("", "--", "session " + session.sid + " opened (WebSocket)");
      const auto open = open_packet(session.sid);
      packets_out.push_back({now(), session.sid, true, false, open});
      note(ws->name(), "->", open);
      ws->send(open, false);
      schedule_ping(session);
    }
    ws->read();
  });
}

void Harness::Impl::on_frame(WsImpl& ws, std::string data, bool binary) {
  note(ws.name(), "<-", binary ? text::attachment(data) : shown(data));
  auto* s = ws.session;
  if (!s) return;
  PacketIn in;
  in.at_ms = now();
  in.sid = s->sid;
  in.websocket = true;
  in.ws = ws.index;
  in.raw = data;
  if (binary) {
    in.packet = {'4', true, std::move(data)};
  } else if (auto p = codec::parse_eio(data, false)) {
    in.packet = *p;
  } else {
    in.packet.type = '?';
    in.packet.data = data;
  }
  if (ws.probe && s->probe == &ws && !s->websocket) {
    // The probe: "2probe" is answered and the polling side is released; "5" completes it.
    packets_in.push_back(in);
    if (self.on_packet && self.on_packet(packets_in.back())) return;
    if (in.packet.type == '2' && in.packet.data == "probe") {
      after(options.probe_delay, [this, s, probe = &ws] { answer_probe(*s, *probe); });
    } else if (in.packet.type == '5') {
      s->websocket = true;
      s->upgrading = false;
      s->noop_timer->cancel();
      s->ws = &ws;
      s->probe = nullptr;
      sessions[s->log].upgraded_ms = now();
      note("", "--", "session " + s->sid + " upgraded to WebSocket");
      if (s->held_get) release_get(*s, "6");
      flush(*s);
    } else if (in.packet.type == '4') {
      on_message(*s, packets_in.back());
    }
    return;
  }
  on_packet(*s, std::move(in));
}

// While an upgrade is pending, a pending GET gets a noop at once and then every 100 ms, as
// socket.io releases it.
void Harness::Impl::answer_probe(Session& s, WsImpl& probe, int waited_ms) {
  const auto answer = options.probe_answer;
  if (answer.empty() || probe.closed || s.closed) return;
  // Held until a GET waits: every polling request the client started before it could see 3probe
  // has then reached the server, so a request that comes later was started after it. A client
  // that does not poll while it probes gets its answer after 300 ms.
  if (options.probe_when_get_held && !s.held_get && waited_ms < 300)
    return after(Ms(5), [this, s = &s, probe = &probe, waited_ms] {
      answer_probe(*s, *probe, waited_ms + 5);
    });
  packets_out.push_back({now(), s.sid, true, false, answer});
  note(probe.name(), "->", answer);
  probe.send(answer, false);
  if (answer != "3probe") return;
  s.upgrading = true;
  after(options.noop_delay, [this, s = &s] {
    if (options.noop_every_100ms) return noop_tick(*s);
    if (!s->held_get) {
      s->noop_for_next_get = true;
      return;
    }
    packets_out.push_back({now(), s->sid, false, false, "6"});
    release_get(*s, "6");
  });
}

void Harness::Impl::noop_tick(Session& s) {
  if (!s.upgrading || s.closed) return;
  if (s.held_get) {
    packets_out.push_back({now(), s.sid, false, false, "6"});
    release_get(s, "6");
  }
  s.noop_timer->expires_after(Ms(100));
  s.noop_timer->async_wait([this, session = &s](error_code ec) {
    if (!ec) noop_tick(*session);
  });
}

void Harness::Impl::on_ws_closed(WsImpl& ws, int code) {
  if (ws.closed) return;
  ws.closed = true;
  auto& log = websockets[static_cast<std::size_t>(ws.index - 1)];
  log.closed_ms = now();
  log.close_code = code;
  log.by_server = ws.by_server;
  note(ws.name(), "--", "WebSocket closed (" + std::to_string(code) + ")");
  auto* s = ws.session;
  if (!s) return;
  if (s->probe == &ws) {
    s->probe = nullptr;
    s->upgrading = false;
  }
  if (s->ws == &ws && !s->closed) close_session(*s, "the WebSocket closed", false);
}

// ---- packets -----------------------------------------------------------------------------------

void Harness::Impl::on_packet(Session& s, PacketIn in) {
  packets_in.push_back(std::move(in));
  const auto& p = packets_in.back();
  if (self.on_packet && self.on_packet(p)) return;
  switch (p.packet.type) {
    case '3':
      if (s.awaiting_pong) {
        s.awaiting_pong = false;
        s.pong_timer->cancel();
        schedule_ping(s);
      }
      break;
    case '4':
      on_message(s, p);
      break;
    case '1':
      close_session(s, "the client sent close", false);
      if (s.held_get) release_get(s, "6");
      break;
    default:
      break;
  }
}

void Harness::Impl::on_message(Session& s, const PacketIn& in) {
  if (s.partial) {
    if (in.packet.binary) {
      s.partial->attachments.push_back(in.packet.data);
      if (static_cast<int>(s.partial->attachments.size()) >= s.partial->packet.attachments) {
        auto done = std::move(*s.partial);
        s.partial.reset();
        deliver(s, std::move(done));
      }
      return;
    }
    note("", "--",
         "a text message while " + std::to_string(s.partial->packet.attachments) +
             " attachments were due: the binary packet is incomplete");
    s.partial.reset();
  }
  SioIn sio;
  sio.at_ms = in.at_ms;
  sio.sid = s.sid;
  sio.websocket = in.websocket;
  sio.text = in.packet.data;
  if (in.packet.binary) {
    sio.packet.type = -1;
    note("", "--", "an attachment with no binary packet before it");
    return deliver(s, std::move(sio));
  }
  if (auto p = codec::parse_sio(in.packet.data)) {
    sio.packet = *p;
  } else {
    sio.packet.type = -1;  // not a Socket.IO packet: the cases judge it
    return deliver(s, std::move(sio));
  }
  if (sio.packet.attachments > 0) {
    s.partial = std::move(sio);
    return;
  }
  deliver(s, std::move(sio));
}

void Harness::Impl::deliver(Session& s, SioIn sio) {
  sio_in.push_back(std::move(sio));
  const auto& p = sio_in.back();
  if (self.on_sio && self.on_sio(p)) return;
  default_sio(s, p);
}

void Harness::Impl::default_sio(Session& s, const SioIn& sio) {
  const auto& p = sio.packet;
  if (p.type == 0) {
    if (!options.reply_connect) return;
    const std::string sid = s.sid, nsp = p.nsp;
    after(options.connect_reply_delay, [this, sid, nsp] { self.accept_connect(sid, nsp); });
  } else if (p.type == 1) {
    sessions[s.log].namespaces.erase(p.nsp);
  } else if ((p.type == 2 || p.type == 5) && p.id && options.echo_acks) {
    auto args = sio.array();
    if (!args.empty()) args.erase(args.begin());
    std::vector<std::string> attachments;
    const auto body = codec::to_placeholders(args, attachments);
    const int type = attachments.empty() ? 3 : 6;
    send_sio(
        s,
        codec::sio_text(type, p.nsp, p.id, codec::dump(body), static_cast<int>(attachments.size())),
        attachments);
  }
}

void Harness::Impl::send_sio(Session& s, const std::string& text,
                             const std::vector<std::string>& attachments) {
  send_packet(s, "4" + text, false);
  for (const auto& a : attachments)
    send_packet(s, a, true);
}

// ---- the adapter's pipes -----------------------------------------------------------------------

void Harness::Impl::read_adapter() {
  adapter_out->async_read_some(asio::buffer(out_chunk), [this](error_code ec, std::size_t n) {
    if (ec) {
      out_closed = true;
      if (!out_buffer.empty()) on_adapter_line(std::exchange(out_buffer, {}));
      note("adapter", "--", "its standard output closed");
      return;
    }
    out_buffer.append(out_chunk.data(), n);
    for (auto nl = out_buffer.find('\n'); nl != std::string::npos; nl = out_buffer.find('\n')) {
      auto line = out_buffer.substr(0, nl);
      out_buffer.erase(0, nl + 1);
      on_adapter_line(std::move(line));
    }
    read_adapter();
  });
}

void Harness::Impl::on_adapter_line(std::string line) {
  ++lines;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  note("adapter", "<-", shown(line, 400));
  auto json = codec::parse_json(line);
  if (!json || !json->is_object() || !json->contains("ev") || !(*json)["ev"].is_string()) {
    if (broken.empty())
      broken = "line " + std::to_string(lines) +
               " of its standard output is not a JSON object with \"ev\": " + shown(line, 200);
    return;
  }
  AdapterEvent e{events.size(), now(), (*json)["ev"].get<std::string>(), std::move(*json)};
  if (e.ev == "ready") {
    impl_name = e.json.value("impl", "");
    impl_version = e.json.value("version", "");
    if (auto f = e.json.find("features"); f != e.json.end() && f->is_array())
      for (const auto& name : *f)
        if (name.is_string()) features.insert(name.get<std::string>());
  }
  events.push_back(std::move(e));
}

void Harness::Impl::write_adapter() {
  if (in_writing || in_queue.empty() || !adapter_in) return;
  in_writing = true;
  auto line = in_queue.front();
  in_queue.pop_front();
  asio::async_write(*adapter_in, asio::buffer(*line), [this, line](error_code ec, std::size_t) {
    in_writing = false;
    if (ec) {
      note("adapter", "--", "cannot write to its standard input: " + ec.message());
      in_queue.clear();
      return;
    }
    write_adapter();
  });
}

// ---- Harness -----------------------------------------------------------------------------------

Harness::Harness(const std::vector<std::string>& adapter) : impl_(std::make_unique<Impl>(*this)) {
  static std::once_flag once;
  // A write to an adapter that has exited must fail, not kill siocheck.
  std::call_once(once, [] { ::signal(SIGPIPE, SIG_IGN); });
  auto& h = *impl_;
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  h.acceptor.open(endpoint.protocol());
  h.acceptor.set_option(asio::socket_base::reuse_address(true));
  h.acceptor.bind(endpoint);
  h.acceptor.listen(asio::socket_base::max_listen_connections);
  h.port = h.acceptor.local_endpoint().port();
  h.accept();
  std::string why;
  if (!h.process.start(adapter, why)) throw std::runtime_error(why);
  h.adapter_in = std::make_unique<asio::posix::stream_descriptor>(h.io, h.process.stdin_fd());
  h.adapter_out = std::make_unique<asio::posix::stream_descriptor>(h.io, h.process.stdout_fd());
  h.read_adapter();
}

Harness::~Harness() {
  auto& h = *impl_;
  // The adapter is asked to exit (it closes its connections, which the loop then sees), and is
  // killed with its group when it has not within half a second.
  if (h.adapter_in && !h.out_closed) {
    command({{"cmd", "exit"}});
    run_until([&] { return h.out_closed; }, Ms(500));
  }
  h.process.kill_group();
  // The pipes' descriptors belong to the process, which closes them once: closing them here too
  // would close whatever another case running meanwhile has opened under the same numbers.
  if (h.adapter_in) h.adapter_in->release();
  if (h.adapter_out) h.adapter_out->release();
  h.adapter_in.reset();
  h.adapter_out.reset();
  error_code ignored;
  h.acceptor.close(ignored);
  for (auto& c : h.conns)
    c->reset();
  for (auto& w : h.wss)
    w->reset();
  h.guard.reset();
  h.io.stop();
}

std::string Harness::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port);
}
double Harness::elapsed_ms() const {
  return impl_->now();
}

bool Harness::run_until(const std::function<bool()>& done, Ms timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) return done();
    impl_->io.run_one_until(deadline);
  }
  return true;
}

void Harness::run_for(Ms d) {
  const auto deadline = Clock::now() + d;
  while (Clock::now() < deadline)
    impl_->io.run_one_until(deadline);
}

ServerOptions& Harness::options() {
  return impl_->options;
}
const std::vector<Request>& Harness::requests() const {
  return impl_->requests;
}
const std::vector<PacketIn>& Harness::packets_in() const {
  return impl_->packets_in;
}
const std::vector<SioIn>& Harness::sio_in() const {
  return impl_->sio_in;
}
const std::vector<PacketOut>& Harness::packets_out() const {
  return impl_->packets_out;
}
const std::vector<WsConn>& Harness::websockets() const {
  return impl_->websockets;
}
const std::vector<SessionLog>& Harness::sessions() const {
  return impl_->sessions;
}
const SessionLog* Harness::session(std::string_view sid) const {
  for (const auto& s : impl_->sessions)
    if (s.sid == sid) return &s;
  return nullptr;
}
std::string Harness::current_sid() const {
  for (auto it = impl_->sessions.rbegin(); it != impl_->sessions.rend(); ++it)
    if (it->closed_ms < 0) return it->sid;
  return "";
}

namespace {
Session* find_live(Harness::Impl& h, const std::string& sid) {
  const auto it = h.live.find(sid);
  return it == h.live.end() ? nullptr : it->second;
}
}  // namespace

void Harness::send_packet(const std::string& sid, std::string packet, bool binary) {
  if (auto* s = find_live(*impl_, sid)) impl_->send_packet(*s, std::move(packet), binary);
}
void Harness::send_raw_body(const std::string& sid, std::string body) {
  if (auto* s = find_live(*impl_, sid)) {
    s->raw_body = std::move(body);
    impl_->flush(*s);
  }
}
void Harness::send_sio(const std::string& sid, const std::string& text,
                       const std::vector<std::string>& attachments) {
  if (auto* s = find_live(*impl_, sid)) impl_->send_sio(*s, text, attachments);
}
void Harness::emit(const std::string& sid, const std::string& nsp, const Json& args,
                   std::optional<std::uint64_t> id) {
  std::vector<std::string> attachments;
  const auto body = codec::to_placeholders(args, attachments);
  const int type = attachments.empty() ? 2 : 5;
  send_sio(sid,
           codec::sio_text(type, nsp, id, codec::dump(body), static_cast<int>(attachments.size())),
           attachments);
}
void Harness::accept_connect(const std::string& sid, const std::string& nsp, Json extra) {
  auto* s = find_live(*impl_, sid);
  if (!s) return;
  Json reply = Json::object();
  reply["sid"] = make_id("sio", ++impl_->next_socket);
  for (const auto& [k, v] : extra.items())
    reply[k] = v;
  impl_->sessions[s->log].namespaces.insert(nsp);
  impl_->send_sio(*s, codec::sio_text(0, nsp, std::nullopt, codec::dump(reply)), {});
}
void Harness::drop(const std::string& sid) {
  auto* s = find_live(*impl_, sid);
  if (!s) return;
  impl_->close_session(*s, "dropped by the case", false);
  impl_->reset_all(*s);
}
void Harness::close(const std::string& sid) {
  if (auto* s = find_live(*impl_, sid)) impl_->close_session(*s, "closed by the case", true);
}
bool Harness::get_pending(const std::string& sid) const {
  const auto it = impl_->live.find(sid);
  return it != impl_->live.end() && it->second->held_get != nullptr;
}
void Harness::close_websocket(const std::string& sid, int code) {
  if (auto* s = find_live(*impl_, sid))
    if (s->ws) s->ws->close(code);
}
void Harness::stop_pings(const std::string& sid) {
  if (auto* s = find_live(*impl_, sid)) {
    s->pings = false;
    s->ping_timer->cancel();
    s->pong_timer->cancel();
  }
}

void Harness::command(Json cmd) {
  auto line = codec::dump(cmd);
  impl_->note("adapter", "->", shown(line, 400));
  impl_->in_queue.push_back(std::make_shared<std::string>(line + "\n"));
  impl_->write_adapter();
}
const std::vector<AdapterEvent>& Harness::events() const {
  return impl_->events;
}
bool Harness::wait_ready(Ms timeout) {
  auto& h = *impl_;
  auto ready = [&] { return !h.events.empty() && h.events.front().ev == "ready"; };
  run_until([&] { return ready() || !h.events.empty() || h.out_closed || !h.broken.empty(); },
            timeout);
  return ready() && h.broken.empty();
}
const std::string& Harness::impl() const {
  return impl_->impl_name;
}
const std::string& Harness::impl_version() const {
  return impl_->impl_version;
}
const std::set<std::string>& Harness::features() const {
  return impl_->features;
}
bool Harness::sync(Ms timeout) {
  const int seq = ++impl_->sync_seq;
  command({{"cmd", "sync"}, {"seq", seq}});
  const auto from = impl_->events.size();
  return run_until(
      [&] {
        for (auto i = from; i < impl_->events.size(); ++i)
          if (impl_->events[i].ev == "sync" && impl_->events[i].json.value("seq", -1) == seq)
            return true;
        return false;
      },
      timeout);
}
bool Harness::adapter_alive() {
  return impl_->process.alive();
}
bool Harness::adapter_output_closed() const {
  return impl_->out_closed;
}
std::string Harness::adapter_exit() const {
  return impl_->process.exit_status();
}
const std::string& Harness::adapter_broken() const {
  return impl_->broken;
}
std::string Harness::adapter_stderr() const {
  return impl_->process.stderr_tail();
}
std::vector<run::TraceLine> Harness::trace() const {
  return impl_->trace;
}

}  // namespace conform::client
