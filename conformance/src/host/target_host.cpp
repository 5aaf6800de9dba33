#include "siocheck/host/target_host.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <thread>

#include "launched.hpp"

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

// An Engine.IO handshake on `path`: whether the target answers as an Engine.IO server.
bool answers_handshake(const Target& target, const std::string& path, std::string& why) {
  Loop loop(target);
  auto r = loop.request({"GET", path + "?EIO=4&transport=polling", {}, {}}, Ms(2000));
  if (!r) {
    why = "no answer to GET " + path + "?EIO=4&transport=polling";
    return false;
  }
  if (r->status != 200 || r->body.empty() || r->body.front() != '0') {
    why = "GET " + path + "?EIO=4&transport=polling answered " + std::to_string(r->status) + " " +
          r->body.substr(0, 200);
    return false;
  }
  return true;
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

bool TargetHost::open(const TargetOptions& options, std::string_view tool, std::string& error) {
  options_ = options;
  tool_ = std::string(tool);
  target_.eio_path = options.eio_path;
  target_.sio_path = options.sio_path;
  target_.insecure = options.insecure;
  if (options.target && options.launch) {
    error = "give either --target or --launch, not both";
    return false;
  }
  if (options.target) {
    if (!parse_base_url(*options.target, target_, error)) {
      error = "--target: " + error;
      return false;
    }
  } else if (options.launch) {
    if (options.launch->find("{port}") == std::string::npos) {
      error = "--launch: '" + *options.launch +
              "' has no {port}: the command must listen where siocheck says";
      return false;
    }
    if (!launch(error)) return false;
  } else if (options.embedded) {
    auto server = options.embedded(options.embedded_settings);
    try {
      target_.port = server->start();
    } catch (const std::exception& e) {
      error = std::string("cannot start the embedded reference server: ") + e.what();
      return false;
    }
    embedded_ = std::move(server);
    std::cerr << "siocheck " << tool_
              << ": no --target: running against the embedded reference server at "
              << embedded_->url() << "\n";
  } else {
    error = "give --target URL or --launch 'COMMAND {port}'";
    return false;
  }
  std::string why;
  if (!answers_handshake(target_, options.probe_sio ? options.sio_path : options.eio_path, why)) {
    error = "the target " + target_.url() + " is unreachable: " + why;
    stop();
    return false;
  }
  return true;
}

bool TargetHost::launch(std::string& error) {
  const auto port = free_port();
  std::string command = *options_.launch;
  for (std::size_t at; (at = command.find("{port}")) != std::string::npos;)
    command.replace(at, 6, std::to_string(port));
  target_.port = port;
  launched_ = std::make_unique<Launched>(command);
  if (!launched_->start()) {
    error = "--launch: cannot start '" + command + "'";
    return false;
  }
  std::cerr << "siocheck " << tool_ << ": launched `" << command << "`\n";
  std::string why;
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (!answers_handshake(target_, options_.probe_sio ? options_.sio_path : options_.eio_path,
                            why)) {
    if (!launched_->alive()) {
      error = "the launched target " + launched_->exit_status() +
              " before answering; its last output:\n" + launched_->last_lines();
      return false;
    }
    if (Clock::now() >= deadline) {
      error = "the launched target did not answer within 30 s (" + why + "); its last output:\n" +
              launched_->last_lines();
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
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
  return launch(error);
}

void TargetHost::abandon() {
  if (embedded_) {
    embedded_->abandon();
    (void)embedded_.release();
  }
}

}  // namespace conform::host
