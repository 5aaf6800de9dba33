#include "siocheck/host/target_host.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <thread>

#include "launched.hpp"
#include "siocheck/codec/codec.hpp"
#include "siocheck/codec/text.hpp"

namespace conform::host {

namespace {

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string header_or(const HttpResponse& r, std::string_view name, std::string_view none) {
  return std::string(r.header(name).value_or(std::string(none)));
}

// One line of a body that is not what was expected: enough to recognise it, not pages of HTML.
std::string one_line(const std::string& body) {
  auto line = body.substr(0, body.find('\n'));
  if (line.size() > 120) line = line.substr(0, 120) + "...";
  return conform::text::printable(line, {.max = 160});
}

// After an open packet: close the session again, so that probes leave nothing behind.
void close_session(Loop& loop, const std::string& path, const std::string& sid) {
  loop.request({"POST",
                path + "?EIO=4&transport=polling&sid=" + sid,
                {{"Content-Type", "text/plain;charset=UTF-8"}},
                "1"},
               Ms(1000));
}

}  // namespace

bool parse_base_url(const std::string& url, Target& target, std::string& error) {
  std::string rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
    target.tls = false;
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
    target.tls = true;
  } else {
    error = "'" + url + "' is not a base URL: write http://HOST:PORT or https://HOST:PORT";
    return false;
  }
  while (!rest.empty() && rest.back() == '/')
    rest.pop_back();
  if (rest.find('/') != std::string::npos) {
    error = "'" + url + "' has a path: give the base URL, and --eio-path/--sio-path for the paths";
    return false;
  }
  std::string host = rest, port = target.tls ? "443" : "80";
  if (rest.starts_with("[")) {
    const auto close = rest.find(']');
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') port = rest.substr(close + 2);
  } else if (const auto colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  char* end = nullptr;
  const long number = std::strtol(port.c_str(), &end, 10);
  if (host.empty() || port.empty() || *end || number < 1 || number > 65535) {
    error = "'" + url + "' has no valid host and port";
    return false;
  }
  target.host = host;
  target.port = static_cast<std::uint16_t>(number);
  return true;
}

Probe probe(const Target& target, const std::string& path, Ms timeout) {
  Loop loop(target);
  const std::string query = path + "?EIO=4&transport=polling";
  auto pending = loop.start_request({"GET", query, {}, {}});
  const auto r = pending.wait(timeout);
  Probe out;
  if (!r) {
    if (!pending.done()) pending.cancel();
    const auto why =
        pending.error().value_or("no answer within " + std::to_string(timeout.count()) + " ms");
    const bool certificate = why.find("certificate") != std::string::npos;
    out.kind = certificate ? Probe::Kind::certificate : Probe::Kind::no_answer;
    out.why = certificate ? "the certificate of " + target.url() + " failed verification (" + why +
                                "): give --insecure to skip the check, or --ca-file FILE to trust "
                                "the certificate that signed it"
                          : "no answer to GET " + query + ": " + why;
    return out;
  }
  const auto open = r->status == 200 && r->body.starts_with("0{")
                        ? codec::parse_handshake(std::string_view(r->body).substr(1))
                        : std::nullopt;
  if (open && !open->sid.empty()) {
    close_session(loop, path, open->sid);
    out.kind = Probe::Kind::engine_io;
    out.handshake = *open;
    return out;
  }
  const bool eio = path == target.eio_path;
  out.kind = Probe::Kind::not_engine_io;
  out.why = "GET " + query + " answered " + std::to_string(r->status) + " " +
            header_or(*r, "content-type", "(no Content-Type)") +
            ": not an Engine.IO endpoint; see " + (eio ? "--eio-path" : "--sio-path") +
            (r->body.empty() ? std::string() : "\n    its body begins: " + one_line(r->body));
  return out;
}

TargetHost::TargetHost() = default;
TargetHost::~TargetHost() {
  stop();
}

void TargetHost::stop() {
  if (embedded_) {
    embedded_->stop();
    embedded_.reset();
  }
  if (launched_) launched_->stop();
}

const std::string& TargetHost::probe_path() const noexcept {
  return options_.probe_sio ? options_.sio_path : options_.eio_path;
}

OpenError TargetHost::open(const TargetOptions& options, std::string_view tool,
                           std::string& error) {
  options_ = options;
  tool_ = std::string(tool);
  target_.eio_path = options.eio_path;
  target_.sio_path = options.sio_path;
  target_.insecure = options.insecure;
  target_.ca_file = options.ca_file;
  if (options.target && options.launch) {
    error = "give either --target or --launch, not both";
    return OpenError::usage;
  }
  if (options.target) {
    if (!parse_base_url(*options.target, target_, error)) {
      error = "--target: " + error;
      return OpenError::usage;
    }
  } else if (options.launch) {
    if (options.launch->find("{port}") == std::string::npos) {
      error = "--launch: '" + *options.launch +
              "' has no {port}: the command must listen where siocheck says";
      return OpenError::usage;
    }
    return launch(error);
  } else if (options.embedded) {
    auto server = options.embedded(options.embedded_settings);
    try {
      target_.port = server->start();
    } catch (const std::exception& e) {
      error = std::string("cannot start the embedded reference server: ") + e.what();
      return OpenError::unreachable;
    }
    embedded_ = std::move(server);
    std::cerr << "siocheck " << tool_
              << ": no --target: running against the embedded reference server at "
              << embedded_->url() << "\n";
  } else {
    error = "give --target URL or --launch 'COMMAND {port}'";
    return OpenError::usage;
  }
  const auto answer = probe(target_, probe_path(), Ms(2000));
  if (answer.ok()) {
    handshake_ = answer.handshake;
    return OpenError::none;
  }
  error = answer.kind == Probe::Kind::no_answer
              ? "the target " + target_.url() + " is unreachable: " + answer.why
              : answer.why;
  stop();
  return OpenError::unreachable;
}

OpenError TargetHost::launch(std::string& error) {
  const auto port = free_port();
  std::string command = *options_.launch;
  for (std::size_t at; (at = command.find("{port}")) != std::string::npos;)
    command.replace(at, 6, std::to_string(port));
  target_.port = port;
  launched_ = std::make_unique<Launched>(command);
  if (!launched_->start()) {
    error = "--launch: cannot start '" + command + "'";
    return OpenError::usage;
  }
  std::cerr << "siocheck " << tool_ << ": launched `" << command << "`\n";
  const auto deadline = Clock::now() + options_.launch_timeout;
  for (;;) {
    // Its `listening https://...` line says whether it speaks TLS.
    if (const auto url = launched_->listening()) target_.tls = url->starts_with("https://");
    const auto answer = probe(target_, probe_path(), Ms(2000));
    if (answer.ok()) {
      handshake_ = answer.handshake;
      return OpenError::none;
    }
    if (!launched_->alive()) {
      error = "the launched target " + launched_->exit_status() +
              " before answering; its last output:\n" + launched_->last_lines();
      return OpenError::unreachable;
    }
    // It answers, but not as Engine.IO, or its certificate fails: no use waiting.
    if (answer.kind != Probe::Kind::no_answer) {
      error = answer.why;
      return OpenError::unreachable;
    }
    if (Clock::now() >= deadline) {
      error = "the launched target did not answer within " +
              std::to_string(options_.launch_timeout.count() / 1000) + " s (" + answer.why +
              "; see --launch-timeout); its last output:\n" + launched_->last_lines();
      return OpenError::unreachable;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

bool TargetHost::launched_alive() {
  return launched_ && launched_->alive();
}

std::string TargetHost::launched_end() {
  if (!launched_) return {};
  if (launched_->alive()) return "still running";
  return launched_->exit_status() + "; its last output:\n" + launched_->last_lines();
}

bool TargetHost::restart(std::string& error) {
  if (!launched_) {
    error = "only a --launch target can be restarted";
    return false;
  }
  launched_->kill();
  launched_.reset();
  return launch(error) == OpenError::none;
}

void TargetHost::abandon() {
  if (embedded_) {
    embedded_->abandon();
    (void)embedded_.release();
  }
}

}  // namespace conform::host
