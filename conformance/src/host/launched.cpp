#include "launched.hpp"

#include "siocheck/host/target_host.hpp"
#include "siocheck/run/processes.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <deque>
#include <fstream>

namespace conform::host {

Launched::~Launched() {
  stop();
  if (!log_path_.empty()) ::unlink(log_path_.c_str());
}

bool Launched::start() {
  char path[] = "/tmp/siocheck-launch-XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0) return false;
  log_path_ = path;
  pid_ = ::fork();
  if (pid_ == 0) {
    // The target starts with no signal blocked, whatever siocheck blocks for itself.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::setpgid(0, 0);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::close_range(3, ~0U, 0);  // none of siocheck's sockets: they would outlive their connections
    ::execl("/bin/sh", "sh", "-c", command_.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fd);
  if (pid_ > 0) run::remember_group(pid_);
  return pid_ > 0;
}

bool Launched::alive() {
  if (exited_) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    exited_ = true;
    status_ = status;
    // What it started may still run in its group (sh -c 'server & ...'): it goes too.
    ::kill(-pid_, SIGKILL);
    run::forget_group(pid_);
    return false;
  }
  return true;
}

std::optional<std::string> Launched::listening() const {
  std::ifstream in(log_path_);
  for (std::string line; std::getline(in, line);) {
    const auto at = line.find("listening http");
    if (at == std::string::npos) continue;
    auto url = line.substr(at + 10);
    url = url.substr(0, url.find_first_of(" \t\r"));
    if (url.starts_with("http://") || url.starts_with("https://")) return url;
  }
  return std::nullopt;
}

std::string Launched::exit_status() const {
  // The command runs through sh, which reports a fatal signal N of its child as status 128+N.
  if (WIFEXITED(status_) && WEXITSTATUS(status_) > 128 && WEXITSTATUS(status_) < 160)
    return "killed by signal " + std::to_string(WEXITSTATUS(status_) - 128);
  if (WIFEXITED(status_)) return "exited with status " + std::to_string(WEXITSTATUS(status_));
  if (WIFSIGNALED(status_)) return "killed by signal " + std::to_string(WTERMSIG(status_));
  return "ended";
}

std::string Launched::last_lines() const {
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

void Launched::kill() {
  if (pid_ <= 0 || !alive()) return;
  ::kill(-pid_, SIGKILL);
  ::waitpid(pid_, &status_, 0);
  exited_ = true;
  run::forget_group(pid_);
}

void Launched::stop() {
  if (pid_ <= 0 || exited_) return;
  ::kill(-pid_, SIGTERM);
  for (int i = 0; i < 100 && alive(); ++i)
    ::usleep(20'000);
  if (!exited_) {
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    exited_ = true;
  }
  run::forget_group(pid_);
}

}  // namespace conform::host
