#include "process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <deque>
#include <fstream>

#include "siocheck/run/processes.hpp"

namespace conform::client {

AdapterProcess::~AdapterProcess() {
  kill_group();
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  if (!stderr_path_.empty()) ::unlink(stderr_path_.c_str());
}

bool AdapterProcess::start(const std::vector<std::string>& argv, std::string& why) {
  if (argv.empty()) {
    why = "no adapter command";
    return false;
  }
  char path[] = "/tmp/siocheck-adapter-XXXXXX";
  const int err = ::mkstemp(path);
  if (err < 0) {
    why =
        std::string("cannot make a file for the adapter's standard error: ") + std::strerror(errno);
    return false;
  }
  stderr_path_ = path;
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    why = std::string("cannot make pipes for the adapter: ") + std::strerror(errno);
    ::close(err);
    return false;
  }
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    // The adapter starts with no signal blocked, whatever siocheck blocks for itself.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::setpgid(0, 0);
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err, 2);
    // Nothing else of siocheck's: an inherited socket of another case would keep that case's
    // connections open (a reset the case sends reaches its client only when this process ends).
    ::close_range(3, ~0U, 0);
    ::execvp(args[0], args.data());
    const std::string message = std::string("siocheck: cannot run adapter '") + args[0] +
                                "': " + std::strerror(errno) + "\n";
    [[maybe_unused]] auto ignored = ::write(2, message.data(), message.size());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err);
  if (pid_ < 0) {
    why = std::string("cannot start the adapter: ") + std::strerror(errno);
    ::close(in[1]);
    ::close(out[0]);
    return false;
  }
  run::remember_group(pid_);
  stdin_fd_ = in[1];
  stdout_fd_ = out[0];
  ::fcntl(stdin_fd_, F_SETFL, ::fcntl(stdin_fd_, F_GETFL) | O_NONBLOCK);
  ::fcntl(stdout_fd_, F_SETFL, ::fcntl(stdout_fd_, F_GETFL) | O_NONBLOCK);
  return true;
}

bool AdapterProcess::alive() {
  if (pid_ <= 0 || exited_) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    exited_ = true;
    status_ = status;
    ::kill(-pid_, SIGKILL);  // what it started goes with it
    run::forget_group(pid_);
    return false;
  }
  return true;
}

std::string AdapterProcess::exit_status() const {
  if (!exited_) return "running";
  if (WIFEXITED(status_)) return "exited with status " + std::to_string(WEXITSTATUS(status_));
  if (WIFSIGNALED(status_)) {
    const int s = WTERMSIG(status_);
    const char* name = ::sigdescr_np(s);
    return "killed by signal " + std::to_string(s) + (name ? std::string(" (") + name + ")" : "");
  }
  return "ended";
}

std::string AdapterProcess::stderr_tail(std::size_t lines) const {
  std::ifstream in(stderr_path_);
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(line.size() > 300 ? line.substr(0, 300) + " ..." : line);
    if (last.size() > lines) last.pop_front();
  }
  std::string out;
  for (const auto& line : last)
    out += "    " + line + "\n";
  return out;
}

void AdapterProcess::kill_group() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGKILL);
  if (!exited_) {
    ::waitpid(pid_, &status_, 0);
    exited_ = true;
  }
  run::forget_group(pid_);
}

}  // namespace conform::client
