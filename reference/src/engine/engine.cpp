#include "sio/engine/engine.hpp"

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <system_error>

#include "sio/engine/cors.hpp"
#include "sio/wire/base64.hpp"
#include "sio/wire/prototype_names.hpp"

namespace sio::engine {
namespace {

// Adds the request's CORS headers to whatever the engine answers, now or later (a held GET).
class CorsExchange final : public HttpExchange {
 public:
  CorsExchange(std::shared_ptr<HttpExchange> inner, Headers headers)
      : inner_(std::move(inner)), headers_(std::move(headers)) {}

  void respond(HttpResponse response) override {
    response.headers.insert(response.headers.end(), headers_.begin(), headers_.end());
    inner_->respond(std::move(response));
  }
  void read_body(std::size_t limit, std::function<void(BodyStatus, std::string)> done) override {
    inner_->read_body(limit, std::move(done));
  }
  void on_abort(std::function<void()> fn) override { inner_->on_abort(std::move(fn)); }
  std::shared_ptr<WsChannel> accept_websocket(std::shared_ptr<WsHandler> handler) override {
    return inner_->accept_websocket(std::move(handler));
  }

 private:
  std::shared_ptr<HttpExchange> inner_;
  Headers headers_;
};

// Node's check for characters an Origin header may not carry.
bool has_invalid_header_chars(std::string_view value) {
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c != '\t' && (c < 0x20 || c == 0x7f)) return true;
  }
  return false;
}

// The quirks' upgrade: the 101 is written, and the process ends on the loop's next turn, as
// engine.io did when it threw in the callback ws calls once the 101 is out (CVE-2023-31125 and
// engine.io 5.1.0).
void upgrade_then_abort(HttpExchange& exchange, Scheduler& scheduler) {
  struct Nothing final : WsHandler {
    void on_ws_message(bool, std::string) override {}
    void on_ws_closed(bool, std::string_view) override {}
  };
  exchange.accept_websocket(std::make_shared<Nothing>());
  scheduler.post([] { std::abort(); });
}

bool transport_enabled(const Config& config, std::string_view transport) {
  return (transport == "polling" && config.allow_polling) ||
         (transport == "websocket" && config.allow_websocket);
}

}  // namespace

std::string random_sid() {
  std::array<char, 15> bytes{};
  std::size_t filled = 0;
  while (filled < bytes.size()) {
    const auto n = ::getrandom(bytes.data() + filled, bytes.size() - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    filled += static_cast<std::size_t>(n);
  }
  return wire::base64::encode_url(std::string_view(bytes.data(), bytes.size()));
}

Engine::Resolved::Resolved(const Config& config)
    : first_ping_delay(config.quirks.first_ping_delay.value_or(config.ping_interval)),
      pong_timeout(config.ping_timeout +
                   (config.quirks.ping_timeout_plus_interval ? config.ping_interval : Duration(0))),
      post_body_limit(config.quirks.no_post_body_limit ? std::size_t{1} << 30 : config.max_payload),
      unknown_sid(config.quirks.unknown_sid_as_unknown_transport ? errc::unknown_transport
                                                                 : errc::unknown_sid),
      handshake_tail(",\"pingInterval\":" + std::to_string(config.ping_interval.count()) +
                     ",\"pingTimeout\":" + std::to_string(config.ping_timeout.count()) +
                     ",\"maxPayload\":" + std::to_string(config.max_payload) +
                     (config.quirks.handshake_cookie_key ? ",\"cookie\":false}" : "}")) {}

Engine::Engine(Config config, Scheduler& scheduler, Handler& handler, LogSink log, SidSource sids)
    : config_(std::move(config)),
      resolved_(config_),
      scheduler_(scheduler),
      handler_(handler),
      log_(std::move(log)),
      sids_(sids ? std::move(sids) : SidSource(random_sid)) {}

Engine::~Engine() {
  // Sessions may outlive the engine in the application's hands; cut them loose quietly.
  for (auto& [sid, session] : sessions_)
    session->detach();
}

std::shared_ptr<Session> Engine::find(std::string_view sid) const {
  auto it = sessions_.find(std::string(sid));
  return it == sessions_.end() ? nullptr : it->second;
}

void Engine::log(LogLevel level, std::string_view text) const {
  if (log_) log_(level, text);
}

void Engine::forget(const Session& session) {
  sessions_.erase(session.id());
}

void Engine::handle_request(const HttpRequest& request, std::shared_ptr<HttpExchange> exchange) {
  const auto undecorated = exchange;
  if (config_.cors.mode != CorsConfig::Mode::off) {
    if (request.method == Method::options && !request.websocket_upgrade) {
      exchange->respond(preflight_response(config_.cors, request));
      return;
    }
    exchange =
        std::make_shared<CorsExchange>(std::move(exchange), cors_headers(config_.cors, request));
  }

  const auto parts = wire::split_target(request.target);
  auto query = wire::Query::parse(parts.query);
  const bool upgrade = request.websocket_upgrade;
  auto refuse = [&](errc e) {
    log(LogLevel::debug, "refused " + request.target + " from " + request.remote_address + ": " +
                             make_error_code(e).message());
    auto& answer = config_.quirks.errors_without_cors ? undecorated : exchange;
    answer->respond(error_response(e, upgrade));
  };

  // The order of these checks is Node's engine.io's, so that a request with several faults
  // gets the same code everywhere.
  const auto transport = query.get("transport");
  if (config_.quirks.crash_on_prototype_transport_upgrade && upgrade && transport &&
      wire::names_prototype_member(*transport, false))
    return upgrade_then_abort(*exchange, scheduler_);
  if (!transport || !transport_enabled(config_, *transport)) return refuse(errc::unknown_transport);
  if (auto origin = request.header("origin"); origin && has_invalid_header_chars(*origin))
    return refuse(errc::invalid_origin);

  if (const auto sid = query.get("sid")) {
    auto session = find(*sid);
    if (!session) return refuse(resolved_.unknown_sid);
    if (upgrade) {
      if (*transport != "websocket") return refuse(errc::upgrade_for_polling);
      // The session speaks v4; an upgrade that says otherwise (or nothing) is refused before any
      // 101, as Node's engine.io does since 6.6.10.
      const bool versioned = query.get("EIO") == "4";
      if (!versioned && !config_.quirks.crash_on_versionless_upgrade)
        return refuse(errc::bad_request);
      session->on_websocket_request(exchange, !versioned);
      return;
    }
    const bool stale_polling = config_.quirks.polling_after_upgrade && *transport == "polling";
    if (!stale_polling && (*transport != "polling" || session->transport() != Transport::polling))
      return refuse(errc::transport_mismatch);
    switch (request.method) {
      case Method::get:
        session->on_poll(std::move(exchange));
        return;
      case Method::post:
        session->on_post(request, std::move(exchange));
        return;
      default:
        return refuse(errc::unsupported_method);
    }
  }

  if (request.method != Method::get) return refuse(errc::bad_handshake_method);
  if (*transport == "websocket" && !upgrade) return refuse(errc::websocket_without_upgrade);
  if (*transport == "polling" && upgrade) return refuse(errc::upgrade_for_polling);
  if (shutting_down_) return refuse(errc::shutting_down);
  if (sessions_.size() >= config_.max_sessions) return refuse(errc::session_limit);
  if (query.get("EIO") != "4") {
    if (upgrade && config_.quirks.crash_on_websocket_without_eio)
      return upgrade_then_abort(*exchange, scheduler_);
    return refuse(errc::unsupported_protocol_version);
  }
  handshake(request, *transport, exchange, std::move(query));
}

std::string Engine::handshake_packet(const Session& session) const {
  const bool offer_upgrade = session.transport() == Transport::polling && config_.allow_upgrades &&
                             config_.allow_websocket;
  // The sid is URL-safe base64, so it needs no JSON escaping.
  return "0{\"sid\":\"" + session.id() +
         "\",\"upgrades\":" + (offer_upgrade ? "[\"websocket\"]" : "[]") + resolved_.handshake_tail;
}

void Engine::handshake(const HttpRequest& request, std::string_view transport,
                       const std::shared_ptr<HttpExchange>& exchange, wire::Query query) {
  std::string sid = sids_();
  while (sessions_.contains(sid))
    sid = sids_();
  HandshakeInfo info{request.target, std::move(query), request.headers, request.remote_address,
                     request.secure};
  const auto kind = transport == "polling" ? Transport::polling : Transport::websocket;
  auto session = std::make_shared<Session>(Session::Private{}, *this, sid, kind, std::move(info));
  sessions_.emplace(sid, session);

  // The heartbeat clock starts before the handshake goes out, so the first ping and the ping
  // timeout are never late.
  session->start();
  auto open = handshake_packet(*session);
  if (kind == Transport::polling) {
    HttpResponse response;
    response.set("Content-Type", "text/plain; charset=UTF-8").set("Cache-Control", "no-store");
    response.body = std::move(open);
    exchange->respond(std::move(response));
  } else {
    session->open_websocket(exchange, std::move(open));
  }
  log(LogLevel::info, "session open sid=" + sid + " transport=" + std::string(transport) +
                          " remote=" + request.remote_address);
  handler_.on_open(session);
}

void Engine::shutdown() {
  shutting_down_ = true;
  std::vector<std::shared_ptr<Session>> all;
  all.reserve(sessions_.size());
  for (auto& [sid, session] : sessions_)
    all.push_back(session);
  for (auto& session : all)
    session->close("server shutting down");
}

}  // namespace sio::engine
