#include "target.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <deque>
#include <fstream>
#include <iostream>

#include "../conformance/src/session.hpp"
#include "sio/serve/server.hpp"

namespace siocheck {

namespace {

// http(s)://host:port[/] into a Target.
bool parse_url(const std::string& url, conform::Target& target, std::string& error) {
  std::string rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
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

// A target started by --launch: its process, and its output in a file (a pipe would block a
// chatty target once nobody reads it) whose last lines go into the report when it fails.
}  // namespace

class Launched {
 public:
  explicit Launched(std::string command) : command_(std::move(command)) {}
  ~Launched() {
    stop();
    if (!log_path_.empty()) ::unlink(log_path_.c_str());
  }
  Launched(const Launched&) = delete;
  Launched& operator=(const Launched&) = delete;

  bool start() {
    char path[] = "/tmp/siocheck-launch-XXXXXX";
    const int fd = ::mkstemp(path);
    if (fd < 0) return false;
    log_path_ = path;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
      ::execl("/bin/sh", "sh", "-c", command_.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fd);
    return pid_ > 0;
  }

  // False once the process has exited (see exit_status()).
  bool alive() {
    if (exited_) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      status_ = status;
      return false;
    }
    return true;
  }

  std::string exit_status() const {
    if (WIFEXITED(status_)) return "exited with status " + std::to_string(WEXITSTATUS(status_));
    if (WIFSIGNALED(status_)) return "killed by signal " + std::to_string(WTERMSIG(status_));
    return "ended";
  }

  std::string last_lines() const {
    std::ifstream in(log_path_);
    std::deque<std::string> lines;
    for (std::string line; std::getline(in, line);) {
      lines.push_back(line);
      if (lines.size() > 20) lines.pop_front();
    }
    std::string out;
    for (const auto& line : lines)
      out += "    " + line + "\n";
    return out.empty() ? "    (no output)\n" : out;
  }

  // A target that no longer answers gets no chance to shut down cleanly.
  void kill() {
    if (pid_ <= 0 || !alive()) return;
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
    exited_ = true;
  }

  void stop() {
    if (pid_ <= 0 || exited_) return;
    ::kill(-pid_, SIGTERM);
    for (int i = 0; i < 100 && alive(); ++i)
      ::usleep(20'000);
    if (!exited_) {
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      exited_ = true;
    }
  }

 private:
  std::string command_;
  std::string log_path_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
};

namespace {

// An Engine.IO handshake on `path`: whether the target answers as an Engine.IO server.
bool answers_handshake(const conform::Target& target, const std::string& path, std::string& why) {
  conform::Loop loop(target);
  auto r = loop.request({"GET", path + "?EIO=4&transport=polling", {}, {}}, conform::Ms(2000));
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

std::string discover_level(const conform::Target& target, conform::Ms timeout) {
  conform::Loop loop(target);
  conform::SioClient client(loop, conform::Transport::websocket);
  if (!client.open(conform::Ms(3000))) return "official";
  if (!client.join("/", "", conform::Ms(3000))) return "official";
  auto ack = client.ctl("/", "ctl:rooms", "", timeout);
  return ack && ack->is_array() ? "extended" : "official";
}

TargetHost::TargetHost() = default;
TargetHost::~TargetHost() {
  stop();
}

void TargetHost::stop() {
  if (embedded_) {
    embedded_->shutdown();
    embedded_thread_.join();
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
  const std::string me = "siocheck " + std::string(tool) + ": ";
  if (options.target && options.launch) {
    error = "give either --target or --launch, not both";
    return false;
  }
  if (options.target) {
    if (!parse_url(*options.target, target_, error)) {
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
  } else {
    auto serve = sio::serve::fixture_defaults();
    serve.net.port = 0;
    serve.verbosity = sio::serve::Verbosity::off;
    // Nobody polls for a close packet once the run is over: stop without waiting for them.
    serve.shutdown_timeout = std::chrono::milliseconds(100);
    if (options.embedded_heartbeat_ms) {
      serve.engine.ping_interval = std::chrono::milliseconds(options.embedded_heartbeat_ms->first);
      serve.engine.ping_timeout = std::chrono::milliseconds(options.embedded_heartbeat_ms->second);
    }
    serve.faults = options.embedded_faults;
    embedded_ = std::make_unique<sio::serve::FixtureServer>(serve);
    try {
      target_.port = embedded_->listen();
    } catch (const std::exception& e) {
      embedded_.reset();
      error = std::string("cannot start the embedded reference server: ") + e.what();
      return false;
    }
    embedded_thread_ = std::thread([this] { embedded_->run(); });
    std::cerr << me << "no --target: running against the embedded reference server at "
              << embedded_->url() << "\n";
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
  const auto deadline = conform::Clock::now() + std::chrono::seconds(30);
  while (!answers_handshake(target_, options_.probe_sio ? options_.sio_path : options_.eio_path,
                            why)) {
    if (!launched_->alive()) {
      error = "the launched target " + launched_->exit_status() +
              " before answering; its last output:\n" + launched_->last_lines();
      return false;
    }
    if (conform::Clock::now() >= deadline) {
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
    embedded_thread_.detach();
    (void)embedded_.release();
  }
}

}  // namespace siocheck
