#include "sio/server/server.hpp"

namespace sio::server {

Server::Server(engine::Scheduler& scheduler, Options options)
    : scheduler_(scheduler),
      options_(std::move(options)),
      decoder_limits_{options_.max_attachments,
                      !options_.quirks.dispatch_reserved_events,
                      !options_.quirks.unchecked_placeholders,
                      !options_.quirks.crash_on_non_string_event_name,
                      !options_.quirks.unbounded_attachments,
                      !options_.quirks.keep_zero_attachment_packets,
                      !options_.quirks.crash_on_null_auth} {
  if (!options_.ids) options_.ids = engine::random_sid;
  of("/");  // always exists
}

Server::~Server() {
  // Clients hold timers on the scheduler; they go first.
  clients_.clear();
}

Namespace& Server::of(std::string_view name) {
  if (auto it = namespaces_.find(name); it != namespaces_.end()) return *it->second;
  auto nsp = std::make_unique<Namespace>(*this, std::string(name));
  auto& ref = *nsp;
  namespaces_.emplace(std::string(name), std::move(nsp));
  return ref;
}

ParentNamespace& Server::of(const std::regex& pattern) {
  return of([pattern](std::string_view name, const std::string&) {
    return std::regex_match(name.begin(), name.end(), pattern);
  });
}

ParentNamespace& Server::of(NamespaceMatcher matcher) {
  parents_.push_back(std::make_unique<ParentNamespace>(*this, std::move(matcher)));
  return *parents_.back();
}

Server& Server::use(Middleware middleware) {
  of("/").use(std::move(middleware));
  return *this;
}

Namespace* Server::find(std::string_view name) const {
  auto it = namespaces_.find(name);
  return it == namespaces_.end() ? nullptr : it->second.get();
}

Namespace* Server::resolve(std::string_view name, const std::string& auth) {
  if (auto* nsp = find(name)) return nsp;
  for (const auto& parent : parents_) {
    if (!parent->matches(name, auth)) continue;
    auto& child = of(name);
    child.middlewares_ = parent->middlewares_;
    child.connection_handlers_ = parent->connection_handlers_;
    parent->children_.push_back(&child);
    return &child;
  }
  return nullptr;
}

std::string Server::new_id() {
  return options_.ids();
}

void Server::log(engine::LogLevel level, std::string_view text) const {
  if (options_.log) options_.log(level, text);
}

void Server::close() {
  const auto clients = clients_;
  for (const auto& [session, client] : clients) {
    const auto sockets = client->sockets_;
    for (const auto& [nsp, socket] : sockets)
      socket->on_close(DisconnectReason::server_shutting_down);
  }
  if (engine_) engine_->shutdown();
}

void Server::on_open(const std::shared_ptr<engine::Session>& session) {
  auto client = std::make_shared<Client>(*this, session);
  clients_.emplace(session.get(), client);
  client->start();
}

void Server::on_text(const std::shared_ptr<engine::Session>& session, std::string text) {
  auto it = clients_.find(session.get());
  if (it == clients_.end()) return;
  auto client = it->second;
  client->on_text(std::move(text));
}

void Server::on_binary(const std::shared_ptr<engine::Session>& session, std::string bytes) {
  auto it = clients_.find(session.get());
  if (it == clients_.end()) return;
  auto client = it->second;
  client->on_binary(std::move(bytes));
}

void Server::on_close(const std::shared_ptr<engine::Session>& session, engine::CloseReason reason,
                      std::string_view) {
  auto it = clients_.find(session.get());
  if (it == clients_.end()) return;
  auto client = std::move(it->second);
  clients_.erase(it);
  client->on_engine_close(reason);
}

}  // namespace sio::server
