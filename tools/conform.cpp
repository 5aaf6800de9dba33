#include "conform.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "../conformance/src/report.hpp"
#include "../conformance/src/runner.hpp"
#include "fixture_server.hpp"

namespace siocheck {

namespace {

constexpr int kClean = 0;
constexpr int kRegression = 1;
constexpr int kUsage = 2;

int usage(const std::string& what) {
  std::cerr << "siocheck conform: " << what << "\n";
  return kUsage;
}

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

// Fixture level discovery: ctl:rooms on "/" is answered only at level extended.
std::string discover_level(const conform::Settings& settings) {
  conform::Loop loop(settings.target);
  conform::SioClient client(loop, conform::Transport::websocket);
  if (!client.open(conform::Ms(3000))) return "official";
  if (!client.join("/", "", conform::Ms(3000))) return "official";
  auto ack = client.ctl("/", "ctl:rooms", "", settings.connect_timeout.value_or(conform::Ms(1000)));
  return ack && ack->is_array() ? "extended" : "official";
}

bool write_file(const std::string& path, const std::string& content, std::string& error) {
  std::ofstream out(path, std::ios::binary);
  if (!(out << content)) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

}  // namespace

int run_conform(const ConformOptions& options) {
  conform::RunOptions run;
  run.cases = options.cases;
  run.skip = options.skip;
  run.jobs = options.jobs;
  run.strict = options.strict;
  run.settings.tolerance = conform::Ms(options.tolerance_ms);
  if (options.connect_timeout_ms)
    run.settings.connect_timeout = conform::Ms(*options.connect_timeout_ms);
  if (options.upgrade_timeout_ms)
    run.settings.upgrade_timeout = conform::Ms(*options.upgrade_timeout_ms);
  run.settings.target.eio_path = options.eio_path;
  run.settings.target.sio_path = options.sio_path;
  run.settings.target.insecure = options.insecure;

  std::string error;
  if (options.known_failing) {
    run.known_failing = conform::Baseline::load(*options.known_failing, error);
    if (!run.known_failing) return usage("--known-failing: " + error);
  }
  if (options.known_flaky) {
    run.known_flaky = conform::Baseline::load(*options.known_flaky, error);
    if (!run.known_flaky) return usage("--known-flaky: " + error);
  }
  if (options.shard) {
    int i = 0, n = 0;
    char tail = 0;
    if (std::sscanf(options.shard->c_str(), "%d/%d%c", &i, &n, &tail) != 2 || n < 1 || i < 1 ||
        i > n)
      return usage("--shard: '" + *options.shard +
                   "' is not i/n with 1 <= i <= n (e.g. --shard 2/4)");
    run.shard = std::make_pair(i, n);
  }

  if (options.list) {
    const auto planned = conform::plan(run);
    std::set<std::string> ids;
    std::map<std::string, int> per_area;
    for (const auto& p : planned) {
      if (ids.insert(p.c->info.id).second) ++per_area[p.c->info.area()];
      std::cout << std::left << p.name << "  [" << conform::to_string(p.c->info.level)
                << (p.c->info.extended ? ", extended" : "") << (p.c->info.timing ? ", timing" : "")
                << "]  " << p.c->info.title << "\n";
    }
    std::cout << "\n"
              << ids.size() << " case ids (" << planned.size()
              << " runs with their transport variants)\n";
    for (const auto& [area, n] : per_area)
      std::cout << "  " << area << ": " << n << "\n";
    return kClean;
  }

  // The target: a URL, a launched command, or the embedded reference server.
  std::unique_ptr<FixtureServer> embedded;
  std::thread embedded_thread;
  std::unique_ptr<Launched> launched;
  auto stop_targets = [&] {
    if (embedded) {
      embedded->shutdown();
      embedded_thread.join();
    }
    if (launched) launched->stop();
  };
  if (options.target && options.launch) return usage("give either --target or --launch, not both");
  if (options.target) {
    if (!parse_url(*options.target, run.settings.target, error)) return usage("--target: " + error);
  } else if (options.launch) {
    if (options.launch->find("{port}") == std::string::npos)
      return usage("--launch: '" + *options.launch +
                   "' has no {port}: the command must listen where siocheck says");
    const auto port = free_port();
    std::string command = *options.launch;
    for (std::size_t at; (at = command.find("{port}")) != std::string::npos;)
      command.replace(at, 6, std::to_string(port));
    run.settings.target.port = port;
    launched = std::make_unique<Launched>(command);
    if (!launched->start()) return usage("--launch: cannot start '" + command + "'");
    std::cerr << "siocheck conform: launched `" << command << "`\n";
    std::string why;
    const auto deadline = conform::Clock::now() + std::chrono::seconds(30);
    while (!answers_handshake(run.settings.target, options.eio_path, why)) {
      if (!launched->alive()) {
        std::cerr << "siocheck conform: the launched target " << launched->exit_status()
                  << " before answering; its last output:\n"
                  << launched->last_lines();
        return kUsage;
      }
      if (conform::Clock::now() >= deadline) {
        std::cerr << "siocheck conform: the launched target did not answer within 30 s (" << why
                  << "); its last output:\n"
                  << launched->last_lines();
        return kUsage;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  } else {
    auto serve = fixture_defaults();
    serve.net.port = 0;
    serve.verbosity = Verbosity::off;
    embedded = std::make_unique<FixtureServer>(serve);
    try {
      run.settings.target.port = embedded->listen();
    } catch (const std::exception& e) {
      return usage(std::string("cannot start the embedded reference server: ") + e.what());
    }
    embedded_thread = std::thread([&] { embedded->run(); });
    std::cerr << "siocheck conform: no --target: running against the embedded reference server at "
              << embedded->url() << "\n";
  }

  std::string why;
  if (!answers_handshake(run.settings.target, options.eio_path, why)) {
    stop_targets();
    return usage("the target " + run.settings.target.url() + " is unreachable: " + why);
  }
  run.settings.level = options.level.value_or(discover_level(run.settings));

  const bool tty = ::isatty(2);
  run.progress = [tty](std::size_t done, std::size_t total, const conform::CaseResult& r) {
    static int failed = 0;
    if (r.verdict == conform::Verdict::fail) ++failed;
    if (tty) {
      std::fprintf(stderr, "\r[%4zu/%zu] %d FAIL  %-60.60s", done, total, failed,
                   (r.name + " " + std::string(conform::to_string(r.verdict))).c_str());
      if (done == total) std::fprintf(stderr, "\n");
    } else if (done == total || done % 50 == 0) {
      std::fprintf(stderr, "[%4zu/%zu] %d FAIL so far\n", done, total, failed);
    }
  };
  const auto report = conform::run(run);
  stop_targets();

  conform::print_summary(report, std::cout, options.trace);
  if (options.json && !write_file(*options.json, conform::to_json(report), error))
    return usage("--json: " + error);
  if (options.junit && !write_file(*options.junit, conform::to_junit(report), error))
    return usage("--junit: " + error);
  if (options.html) {
    if (!write_file(*options.html, conform::to_html(report), error))
      return usage("--html: " + error);
    std::cout << "HTML report: " << *options.html << "\n";
  }
  return report.regressed() ? kRegression : kClean;
}

}  // namespace siocheck
