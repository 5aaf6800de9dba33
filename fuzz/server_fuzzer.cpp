// The whole server: the Engine.IO engine, the Socket.IO server and the fixture app at the extended
// level (what `siocheck serve` runs on /socket.io/), on a virtual clock and in-memory HTTP and
// WebSocket fakes (sio/testing/fake_io.hpp), with deterministic session and socket ids.
//
// Input: a script of operations, one a line ('\n' ends each; the last may lack it). The first byte
// of a line is the operation; for those on a session the second byte picks it (its value modulo
// the number of sessions opened so far, so '0'..'9' read naturally); the rest is the argument.
//
//   P            polling handshake (GET ?EIO=4&transport=polling)
//   W            WebSocket-only handshake (an upgrade request with transport=websocket)
//                (P, W and X handshakes do nothing once kMaxClients sessions were opened: the
//                invariants are checked after every operation on every session, and an input of
//                hundreds of handshakes would spend its time there, not in the server)
//   G s          long-polling GET on session s (held when nothing is queued)
//   O s BODY     POST of BODY (a polling payload, records joined by 0x1E) on session s
//   Y s BODY     the same POST with Content-Type application/octet-stream (refused by v4)
//   U s FRAMES   WebSocket upgrade request with session s's sid (the probe; later T/B go to it);
//                FRAMES (may be empty) arrive with the request, before any posted work runs
//   V FRAMES     WebSocket-only handshake whose first frames arrive with the request (written
//                in the same TCP write: the network layer hands them over before the engine's
//                posted work runs). FRAMES are split at 0x1E: a piece is a text frame, or a binary
//                one after a 0x01 byte; the piece 0x02 is the peer's close frame, 0x03 a frame
//                the network layer refuses (reserved bits, no mask, a reserved opcode), which
//                fails the connection
//   T s TEXT     WebSocket text frame on session s's newest channel ("40", "2probe", "5", ...)
//   B s BYTES    WebSocket binary frame on session s's newest channel (an attachment)
//   C s / E s    the peer closes s's newest channel cleanly / with an error
//   A s          the client aborts s's held GETs (and resets its POSTs whose body is on its way)
//   Q s BODY     POST of BODY on session s whose body has not arrived yet (the head came alone)
//   F s          the bodies of s's POSTs on their way arrive
//   R s          the peer of s's oldest POST on its way resets the connection inside the body:
//                the body read fails, then the exchange is aborted (as the network layer does)
//   K s N        s's newest channel holds N bytes the peer has not read yet (decimal, at most
//                100000; none: 0): a slow reader, for the send-buffer limit and volatile packets
//   X m QUERY    any request: m is the method (G get, P post, O options, H head, U put, W a
//                WebSocket upgrade), QUERY follows "/socket.io/?"; "$N" in it is session N's sid
//   D MS         the clock moves MS milliseconds on (decimal, at most 60000; none: 100)
//
// After each operation the posted work runs and the invariants are checked; a broken one prints
// what broke and aborts:
//   - every HTTP answer has a status in {200, 204, 400, 403, 413, 500} and sane headers; a 400 or
//     403 carries {"code":N,"message":M} with M the protocol's message for N (or, to a WebSocket
//     upgrade request, M as plain text), 413/500 and overlapping-request 400s are empty;
//   - no exchange is answered twice (the fakes abort), and at the end every one that the client
//     did not abort or reset has been answered;
//   - every polling body decodes as a payload and every WebSocket text frame as an Engine.IO
//     packet; the messages of each session, in order, decode as Socket.IO packets with their
//     attachments (the reference decoder, with no attachment or event-name limit);
//   - nothing is sent on a channel after it was closed;
//   - a session the engine has forgotten stays forgotten: its sid gets the unknown-sid error;
//   - no session has more than max_queued_bytes queued;
//   - at the end, after every client has gone and the clock has passed every timeout, the engine
//     has no session and the Socket.IO server no client.
// Hostile names (those of Object.prototype, the empty name, bytes that are not UTF-8) reach the
// server through X's query and the frames' and bodies' text; the dictionary holds them.
// The engine runs with the fixture settings (pingInterval 300, pingTimeout 200, connect timeout
// 1000) and smaller buffers (maxPayload 500 bytes, max_queued_bytes 4,000) so that the limits are
// in reach of short inputs.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sio/apps/sio_fixture.hpp"
#include "sio/engine/engine.hpp"
#include "sio/server/server.hpp"
#include "sio/testing/fake_io.hpp"
#include "sio/wire/eio_packet.hpp"
#include "sio/wire/eio_payload.hpp"
#include "sio/wire/json.hpp"
#include "sio/wire/query.hpp"
#include "sio/wire/sio_packet.hpp"
#include "siocheck/codec/text.hpp"

namespace {

namespace engine = ::sio::engine;
namespace eio = ::sio::wire::eio;
namespace json = ::sio::wire::json;
namespace siow = ::sio::wire::sio;
using ::sio::test::FakeChannel;
using ::sio::test::FakeExchange;

constexpr std::string_view kPath = "/socket.io/";
constexpr std::size_t kMaxQueuedBytes = 4'000;
constexpr std::size_t kMaxClients = 8;

// SERVER_FUZZER_TRACE=1 prints every operation, answer and packet (to read what an input does).
const bool kTrace = std::getenv("SERVER_FUZZER_TRACE") != nullptr;

[[noreturn]] void broken(const std::string& what) {
  std::fprintf(stderr, "server_fuzzer: invariant broken: %s\n", what.c_str());
  std::abort();
}

std::string printable(std::string_view bytes) {
  return conform::text::printable(bytes, {.max = 200});
}

const char* protocol_message(int code) {
  static const char* const messages[] = {
      "Transport unknown", "Session ID unknown", "Bad handshake method",
      "Bad request",       "Forbidden",          "Unsupported protocol version"};
  return code >= 0 && code <= 5 ? messages[code] : nullptr;
}

// The code of an error body that is {"code":N,"message":M} byte for byte (-1: another text). Most
// answers to fuzzed requests are errors; a string compare is what lets them skip the JSON parser.
int canonical_error_code(std::string_view body) {
  static const auto bodies = [] {
    std::array<std::string, 6> out;
    for (int k = 0; k <= 5; ++k)
      out[k] = "{\"code\":" + std::to_string(k) + ",\"message\":\"" + protocol_message(k) + "\"}";
    return out;
  }();
  for (int k = 0; k <= 5; ++k)
    if (body == bodies[k]) return k;
  return -1;
}

// RFC 9110 tchar, as a table: header names are checked a byte at a time for every answer.
constexpr auto kTokenChars = [] {
  std::array<bool, 256> table{};
  for (int u = 0x21; u < 0x7f; ++u)
    table[u] = std::string_view("()<>@,;:\\\"/[]?={}").find(static_cast<char>(u)) ==
               std::string_view::npos;
  return table;
}();

std::optional<std::string> header(const engine::HttpResponse& r, std::string_view name) {
  for (const auto& h : r.headers) {
    if (h.name.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < name.size() && same; ++i)
      same = (h.name[i] | 0x20) == (name[i] | 0x20);
    if (same) return h.value;
  }
  return std::nullopt;
}

// A request the client made, and what it expects of the answer.
struct Request {
  std::shared_ptr<FakeExchange> exchange;
  std::string what;  // for messages
  int client = -1;   // the session it names, as an index into Harness::clients_ (-1: none)
  bool websocket = false;
  bool unknown_sid = false;  // sent with the sid of a session the engine had forgotten
  bool body_held = false;    // a POST whose body the engine waits for (Q)
  bool aborted = false;      // the client gave up on it (A, R): no answer is due
  bool checked = false;
};

// The client side of one session.
struct Client {
  std::string sid;
  std::vector<std::size_t> requests;  // indices into Harness::requests_
  struct Channel {
    std::shared_ptr<FakeChannel> channel;
    std::size_t seen = 0;
    bool peer_closed = false;
  };
  std::vector<Channel> channels;
  siow::Decoder decoder{siow::Limits{100'000, false, true}};  // no limit a server meets
  bool forgotten = false;
};

class Harness {
 public:
  Harness() {
    engine::Config config;
    config.path = std::string(kPath);
    config.ping_interval = engine::Duration(300);
    config.ping_timeout = engine::Duration(200);
    config.max_payload = 500;
    config.max_queued_bytes = kMaxQueuedBytes;
    ::sio::server::Options options;
    options.connect_timeout = engine::Duration(1000);
    options.ids = [this] { return "s" + std::to_string(++socket_ids_); };
    server_ = std::make_unique<::sio::server::Server>(scheduler_, std::move(options));
    engine_ =
        std::make_unique<engine::Engine>(std::move(config), scheduler_, *server_, engine::LogSink{},
                                         [this] { return "e" + std::to_string(++sids_); });
    server_->attach(*engine_);
    fixture_.emplace(*server_, ::sio::apps::FixtureLevel::extended);
  }

  void run(std::string_view script) {
    while (!script.empty()) {
      const auto end = script.find('\n');
      const auto line = script.substr(0, end);
      script = end == std::string_view::npos ? std::string_view() : script.substr(end + 1);
      if (!line.empty()) step(line);
      scheduler_.run_ready();
      check();
    }
    finish();
  }

 private:
  Client* client(std::string_view line) {
    if (clients_.empty() || line.size() < 2) return nullptr;
    return &clients_[static_cast<unsigned char>(line[1]) % clients_.size()];
  }

  void step(std::string_view line) {
    if (kTrace) std::fprintf(stderr, "> %s\n", printable(line).c_str());
    const char op = line.front();
    const auto arg = line.size() > 2 ? line.substr(2) : std::string_view();
    switch (op) {
      case 'P':
        return handshake(false);
      case 'W':
        return handshake(true);
      case 'V':
        return handshake(true, line.substr(1));
      case 'G':
        if (auto* c = client(line)) session_request(*c, engine::Method::get, false, {}, {});
        return;
      case 'O':
      case 'Y':
        if (auto* c = client(line))
          session_request(*c, engine::Method::post, false, std::string(arg),
                          op == 'Y' ? "application/octet-stream" : "text/plain;charset=UTF-8");
        return;
      case 'U':
        if (auto* c = client(line)) {
          session_request(*c, engine::Method::get, true, {}, {});
          if (auto& r = requests_[c->requests.back()]; r.exchange->websocket && !arg.empty())
            deliver_early(c->channels.back(), arg);
        }
        return;
      case 'Q':
        if (auto* c = client(line))
          session_request(*c, engine::Method::post, false, std::string(arg),
                          "text/plain;charset=UTF-8", true);
        return;
      case 'F':
        if (auto* c = client(line))
          for (const auto index : c->requests)
            if (auto& r = requests_[index]; r.body_held) {
              r.body_held = false;
              const auto& body = *r.exchange->body_to_send;
              if (body.size() > r.exchange->body_limit.value_or(0)) {
                r.exchange->deliver_body(engine::BodyStatus::too_large);
              } else {
                r.exchange->deliver_body(engine::BodyStatus::complete, body);
              }
            }
        return;
      case 'R':
        if (auto* c = client(line))
          for (const auto index : c->requests)
            if (requests_[index].body_held) return reset(requests_[index]);
        return;
      case 'T':
      case 'B':
        if (auto* c = client(line)) {
          auto* ch = channel_of(*c);
          if (!ch || ch->peer_closed) return;
          if (op == 'T') {
            ch->channel->receive_text(std::string(arg));
          } else {
            ch->channel->receive_binary(std::string(arg));
          }
        }
        return;
      case 'C':
      case 'E':
        if (auto* c = client(line)) {
          auto* ch = channel_of(*c);
          if (!ch || ch->peer_closed) return;
          ch->peer_closed = true;
          ch->channel->peer_closed(op == 'E');
        }
        return;
      case 'A':
        if (auto* c = client(line)) abort_polls(*c);
        return;
      case 'K':
        if (auto* c = client(line))
          if (auto* ch = channel_of(*c)) ch->channel->set_buffered(decimal(arg, 100'000, 0));
        return;
      case 'X':
        return raw_request(line.size() > 1 ? line[1] : 'G', arg);
      case 'D':
        return advance(line.substr(1));
      default:
        return;
    }
  }

  // `early`: the frames that came with a WebSocket handshake (see V).
  void handshake(bool websocket, std::string_view early = {}) {
    if (clients_.size() >= kMaxClients) return;
    engine::HttpRequest request;
    request.target =
        std::string(kPath) + "?EIO=4&transport=" + (websocket ? "websocket" : "polling");
    request.websocket_upgrade = websocket;
    request.remote_address = "127.0.0.1:40000";
    auto exchange = std::make_shared<FakeExchange>();
    engine_->handle_request(request, exchange);
    bool peer_closed = false;
    if (exchange->websocket && !early.empty()) {
      Client::Channel first{exchange->websocket, 0, false};
      deliver_early(first, early);
      peer_closed = first.peer_closed;
    }
    scheduler_.run_ready();
    adopt(add_request(exchange, request.target, -1, websocket, false), peer_closed);
  }

  // The frames that arrive with an upgrade request, on its channel (see V), until the peer closes.
  static void deliver_early(Client::Channel& ch, std::string_view frames) {
    while (!frames.empty() && !ch.peer_closed) {
      const auto end = frames.find('\x1e');
      const auto piece = frames.substr(0, end);
      frames = end == std::string_view::npos ? std::string_view() : frames.substr(end + 1);
      if (piece == "\x02" || piece == "\x03") {
        ch.peer_closed = true;
        ch.channel->peer_closed(piece == "\x03");
      } else if (!piece.empty() && piece.front() == '\x01') {
        ch.channel->receive_binary(std::string(piece.substr(1)));
      } else {
        ch.channel->receive_text(std::string(piece));
      }
    }
  }

  // The client resets the connection of `r`: a body on its way fails to arrive, a held answer is
  // abandoned; no answer is due.
  static void reset(Request& r) {
    if (r.body_held) {
      r.body_held = false;
      r.exchange->deliver_body(engine::BodyStatus::aborted);
    }
    if (!answered(r)) {
      r.aborted = true;
      if (r.exchange->abort_registered()) r.exchange->abort();
    }
  }

  // A request without a sid that opened a session: the client of that session.
  void adopt(std::size_t index, bool peer_closed = false) {
    const auto& exchange = *requests_[index].exchange;
    std::string sid;
    if (exchange.websocket) {
      const auto& sent = exchange.websocket->sent();
      if (sent.empty() || sent.front().binary || !sent.front().bytes.starts_with('0'))
        broken("a WebSocket-only session did not start with the open packet");
      sid = handshake_sid(std::string_view(sent.front().bytes).substr(1));
    } else if (exchange.answered() && exchange.status() == 200) {
      const auto& body = exchange.body();
      if (!body.starts_with('0'))
        broken("polling handshake body is not an open packet: " + printable(body));
      sid = handshake_sid(std::string_view(body).substr(1));
    } else {
      return;  // refused: checked with the other answers
    }
    Client c;
    c.sid = sid;
    c.requests.push_back(index);
    if (exchange.websocket) c.channels.push_back({exchange.websocket, 1, peer_closed});
    requests_[index].client = static_cast<int>(clients_.size());
    clients_.push_back(std::move(c));
  }

  // The channel frames and closes go to: the newest the engine has not closed, else the newest.
  static Client::Channel* channel_of(Client& c) {
    for (auto it = c.channels.rbegin(); it != c.channels.rend(); ++it)
      if (!it->channel->closed()) return &*it;
    return c.channels.empty() ? nullptr : &c.channels.back();
  }

  // The sid of an open packet's JSON (valid JSON, an object with the four keys). Read without a
  // DOM: this runs for every session of every input.
  static std::string handshake_sid(std::string_view open_json) {
    const auto inspection = json::inspect(open_json);
    if (!inspection.valid || inspection.kind != json::Kind::object)
      broken("open packet JSON '" + printable(open_json) + "'");
    for (const char* key :
         {"\"upgrades\":", "\"pingInterval\":", "\"pingTimeout\":", "\"maxPayload\":"})
      if (open_json.find(key) == std::string_view::npos)
        broken(std::string("open packet without ") + key + " " + printable(open_json));
    constexpr std::string_view kSid = "\"sid\":\"";
    const auto at = open_json.find(kSid);
    const auto end = at == std::string_view::npos ? at : open_json.find('"', at + kSid.size());
    if (end == std::string_view::npos || end == at + kSid.size())
      broken("open packet without a sid: " + printable(open_json));
    return std::string(open_json.substr(at + kSid.size(), end - at - kSid.size()));
  }

  void session_request(Client& c, engine::Method method, bool websocket,
                       std::optional<std::string> body, std::string_view content_type,
                       bool hold_body = false) {
    engine::HttpRequest request;
    request.method = method;
    request.target = std::string(kPath) +
                     "?EIO=4&transport=" + (websocket ? "websocket" : "polling") + "&sid=" + c.sid;
    request.websocket_upgrade = websocket;
    request.remote_address = "127.0.0.1:40000";
    if (!content_type.empty())
      request.headers.push_back({"content-type", std::string(content_type)});
    auto exchange = std::make_shared<FakeExchange>();
    exchange->body_to_send = std::move(body);
    exchange->hold_body = hold_body;
    const bool forgotten = engine_->find(c.sid) == nullptr;
    engine_->handle_request(request, exchange);
    c.requests.push_back(add_request(exchange, request.target,
                                     static_cast<int>(&c - clients_.data()), websocket, forgotten));
    // The engine asked for the body (it was not refused first): it waits for it.
    if (hold_body && exchange->body_limit) requests_.back().body_held = true;
    if (exchange->websocket) c.channels.push_back({exchange->websocket, 0, false});
  }

  void raw_request(char method, std::string_view query) {
    engine::HttpRequest request;
    switch (method) {
      case 'P':
        request.method = engine::Method::post;
        break;
      case 'O':
        request.method = engine::Method::options;
        break;
      case 'H':
        request.method = engine::Method::head;
        break;
      case 'U':
        request.method = engine::Method::put;
        break;
      case 'W':
        request.websocket_upgrade = true;
        break;
      default:
        break;
    }
    std::string target(kPath);
    target.push_back('?');
    for (std::size_t i = 0; i < query.size(); ++i) {
      if (query[i] == '$' && i + 1 < query.size() && !clients_.empty()) {
        target += clients_[static_cast<unsigned char>(query[++i]) % clients_.size()].sid;
      } else {
        target.push_back(query[i]);
      }
    }
    // The session it names, read as the engine reads it.
    const auto parsed = ::sio::wire::Query::parse(::sio::wire::split_target(target).query);
    const auto sid = parsed.get("sid");
    if (!sid && clients_.size() >= kMaxClients) return;  // would be a handshake
    int owner = -1;
    for (std::size_t k = 0; sid && k < clients_.size() && owner < 0; ++k)
      if (clients_[k].sid == *sid) owner = static_cast<int>(k);
    request.target = std::move(target);
    request.headers.push_back({"origin", "http://fuzz.example"});
    auto exchange = std::make_shared<FakeExchange>();
    exchange->body_to_send = std::string("40");
    engine_->handle_request(request, exchange);
    const auto index =
        add_request(exchange, request.target, owner, request.websocket_upgrade, false);
    if (!sid) return adopt(index);  // a handshake, if the engine took it as one
    if (exchange->websocket) {
      // An upgrade probe (or an extra socket) of a session.
      if (owner >= 0) {
        clients_[owner].channels.push_back({exchange->websocket, 0, false});
      } else {
        stray_channels_.push_back({exchange->websocket, 0, false});
      }
    }
  }

  void abort_polls(Client& c) {
    for (const auto index : c.requests) {
      auto& r = requests_[index];
      if (r.body_held) {
        reset(r);
        continue;
      }
      if (r.aborted || answered(r) || !r.exchange->abort_registered()) continue;
      r.aborted = true;
      r.exchange->abort();
    }
  }

  // The decimal number `digits` starts with, at most `most` (none: `otherwise`).
  static long decimal(std::string_view digits, long most, long otherwise) {
    long n = 0;
    bool any = false;
    for (const char d : digits) {
      if (d < '0' || d > '9') break;
      any = true;
      n = n * 10 + (d - '0');
      if (n >= most) return most;
    }
    return any ? n : otherwise;
  }

  void advance(std::string_view digits) {
    scheduler_.advance(engine::Duration(decimal(digits, 60'000, 100)));
  }

  std::size_t add_request(std::shared_ptr<FakeExchange> exchange, std::string what, int client,
                          bool websocket, bool unknown_sid) {
    requests_.push_back({std::move(exchange), std::move(what), client, websocket, unknown_sid});
    unchecked_.push_back(requests_.size() - 1);
    return requests_.size() - 1;
  }

  static bool answered(const Request& r) { return r.exchange->responses() > 0; }

  // ---- invariants ------------------------------------------------------------------------------

  void check() {
    std::size_t kept = 0;
    for (const auto index : unchecked_) {
      auto& r = requests_[index];
      if (r.checked) continue;
      if (r.exchange->answered()) {
        check_request(r);
      } else if (!answered(r)) {
        unchecked_[kept++] = index;  // held, or turned into a WebSocket (nothing to check)
      }
    }
    unchecked_.resize(kept);
    for (auto& c : clients_) {
      for (auto& ch : c.channels)
        read_channel(c, ch);
      const auto session = engine_->find(c.sid);
      if (!session) {
        c.forgotten = true;
      } else {
        if (c.forgotten) broken("session " + c.sid + " came back after the engine forgot it");
        if (session->queued_bytes() > kMaxQueuedBytes)
          broken("session " + c.sid + " has " + std::to_string(session->queued_bytes()) +
                 " bytes queued, past the limit");
      }
    }
    for (auto& ch : stray_channels_)
      if (ch.channel->sends_after_close())
        broken("a frame was sent on a channel after it was closed");
  }

  // Answers are checked when first seen; the client's messages in them are decoded in order.
  void check_request(Request& r) {
    r.checked = true;
    const auto& response = r.exchange->response();
    if (kTrace)
      std::fprintf(stderr, "  %u %s <- %s\n", response.status, printable(response.body).c_str(),
                   printable(r.what).c_str());
    // Built only when an invariant breaks: this runs for every answer.
    const auto where = [&r] { return " (answer to " + printable(r.what) + ")"; };
    for (const auto& h : response.headers) {
      if (h.name.empty()) broken("empty header name" + where());
      for (const char ch : h.name)
        if (!kTokenChars[static_cast<unsigned char>(ch)])
          broken("header name '" + printable(h.name) + "'" + where());
      for (const char ch : h.value)
        if (ch == '\r' || ch == '\n' || ch == '\0')
          broken("header value '" + printable(h.value) + "'" + where());
    }
    const auto content_type = header(response, "content-type");
    switch (response.status) {
      case 200:
        if (!content_type) broken("200 without Content-Type" + where());
        break;
      case 204:
        if (!response.body.empty()) broken("204 with a body" + where());
        return;
      case 400:
      case 403: {
        if (response.body.empty()) {
          if (response.status != 400) broken("403 without a body" + where());
          if (r.unknown_sid) broken("a forgotten sid got an empty 400" + where());
          return;
        }
        int code = -1;
        if (r.websocket) {
          for (int k = 0; k <= 5; ++k)
            if (response.body == protocol_message(k)) code = k;
          if (code < 0)
            broken("WebSocket refusal body '" + printable(response.body) + "'" + where());
          if (!response.close_connection)
            broken("WebSocket refusal keeps the connection" + where());
        } else {
          if (content_type != "application/json")
            broken("JSON error without Content-Type application/json" + where());
          code = canonical_error_code(response.body);
          if (code < 0) {
            // Not the bytes the reference sends: any JSON of the same meaning will do.
            const auto value = json::Value::parse(response.body);
            const auto* c = value ? value->find("code") : nullptr;
            const auto* m = value ? value->find("message") : nullptr;
            if (!value || !value->is_object() || value->members().size() != 2 || !c ||
                !c->is_number() || !m || !m->is_string())
              broken("error body '" + printable(response.body) + "'" + where());
            code = static_cast<int>(c->number());
            if (code < 0 || code > 5 || c->number() != code ||
                m->string() != protocol_message(code))
              broken("error body '" + printable(response.body) + "'" + where());
          }
        }
        if ((code == 4) != (response.status == 403))
          broken("code " + std::to_string(code) + " with status " +
                 std::to_string(response.status) + where());
        if (r.unknown_sid && code != 1)
          broken("a forgotten sid got code " + std::to_string(code) + where());
        return;
      }
      case 413:
      case 500:
        if (!response.body.empty()) broken("bare error with a body" + where());
        if (r.unknown_sid)
          broken("a forgotten sid got " + std::to_string(response.status) + where());
        return;
      default:
        broken("status " + std::to_string(response.status) + where());
    }
    if (r.unknown_sid) broken("a forgotten sid got 200" + where());
    // A 200: a handshake, a POST's "ok" or a GET's payload.
    if (response.body == "ok" && content_type == "text/html") return;
    if (content_type != "text/plain; charset=UTF-8")
      broken("200 with Content-Type '" + printable(content_type.value_or("")) + "'" + where());
    std::vector<eio::Packet> packets;
    if (const auto ec = eio::decode_payload(response.body, packets))
      broken("polling body '" + printable(response.body) + "' is no payload: " + ec.message() +
             where());
    if (r.client >= 0)
      for (auto& p : packets)
        deliver(clients_[r.client], std::move(p));
  }

  void read_channel(Client& c, Client::Channel& ch) {
    const auto& sent = ch.channel->sent();
    for (; ch.seen < sent.size(); ++ch.seen) {
      const auto& frame = sent[ch.seen];
      if (frame.binary) {
        deliver(c, eio::Packet::bytes(frame.bytes));
        continue;
      }
      eio::Packet packet;
      if (const auto ec = eio::decode_text(frame.bytes, packet))
        broken("WebSocket text frame '" + printable(frame.bytes) +
               "' is no Engine.IO packet: " + ec.message());
      deliver(c, std::move(packet));
    }
    if (ch.channel->sends_after_close())
      broken("a frame was sent on a channel of " + c.sid + " after it was closed");
  }

  // One Engine.IO packet from the server to the client of `c`.
  void deliver(Client& c, eio::Packet packet) {
    if (kTrace)
      std::fprintf(stderr, "  %s <- %s%c%s\n", c.sid.c_str(), packet.binary ? "binary " : "",
                   packet.binary ? ' ' : eio::type_char(packet.type),
                   printable(packet.data).c_str());
    if (packet.type != eio::PacketType::message) return;
    siow::Packet out;
    bool complete = false;
    const auto ec = packet.binary ? c.decoder.feed_binary(packet.data, out, complete)
                                  : c.decoder.feed_text(packet.data, out, complete);
    if (ec)
      broken("message '" + printable(packet.data) + "' to " + c.sid +
             " is no Socket.IO packet: " + ec.message());
  }

  void finish() {
    for (auto& c : clients_) {
      abort_polls(c);
      for (auto& ch : c.channels)
        if (!ch.peer_closed) {
          ch.peer_closed = true;
          ch.channel->peer_closed(false);
        }
    }
    for (auto& ch : stray_channels_)
      if (!ch.peer_closed) {
        ch.peer_closed = true;
        ch.channel->peer_closed(false);
      }
    scheduler_.run_ready();
    check();
    // Past every timeout: heartbeat, upgrade, close, connect.
    scheduler_.advance(engine::Duration(60'000));
    check();
    if (engine_->session_count() != 0)
      broken(std::to_string(engine_->session_count()) + " sessions left after every client went");
    if (server_->client_count() != 0)
      broken(std::to_string(server_->client_count()) +
             " Socket.IO clients left after every session closed");
    for (const auto& r : requests_)
      if (!r.aborted && !answered(r)) broken("request " + printable(r.what) + " never answered");
  }

  ::sio::test::VirtualScheduler scheduler_;
  int sids_ = 0;
  int socket_ids_ = 0;
  std::unique_ptr<::sio::server::Server> server_;
  std::unique_ptr<engine::Engine> engine_;
  std::optional<::sio::apps::SioFixture> fixture_;
  std::vector<Request> requests_;
  std::vector<std::size_t> unchecked_;  // requests whose answer has not been seen yet
  std::vector<Client> clients_;
  std::vector<Client::Channel> stray_channels_;
};

}  // namespace

// AddressSanitizer records 30 frames of stack for every allocation by default; this target makes
// thousands of small allocations per input, and 4 frames still name the allocating function.
extern "C" const char* __asan_default_options() {
  return "malloc_context_size=4";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Harness harness;
  harness.run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
