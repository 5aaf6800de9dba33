// The adapter's process: started with pipes for its standard input and output, its standard error
// in a file, in a process group of its own so that whatever it starts ends with it.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace conform::client {

class AdapterProcess {
 public:
  AdapterProcess() = default;
  ~AdapterProcess();  // kills the group (when still running) and removes the file
  AdapterProcess(const AdapterProcess&) = delete;
  AdapterProcess& operator=(const AdapterProcess&) = delete;

  // Starts argv. False, with why, when the pipes or the file cannot be made; a program that
  // cannot be executed starts and exits with status 127 (its standard error says why).
  bool start(const std::vector<std::string>& argv, std::string& why);
  // The parent's ends (non-blocking, close-on-exec); the caller takes them over.
  int stdin_fd() const noexcept { return stdin_fd_; }
  int stdout_fd() const noexcept { return stdout_fd_; }

  bool alive();
  std::string exit_status() const;  // "exited with status 1", "killed by signal 9", "running"
  std::string stderr_tail(std::size_t lines = 20) const;
  void kill_group();  // SIGKILL to the group, and reaps the leader

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string stderr_path_;
};

}  // namespace conform::client
