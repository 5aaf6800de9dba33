// A target started by --launch: its process group, and its output in a file (a pipe would block a
// chatty target once nobody reads it) whose last lines go into the report when it fails.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace conform::host {

class Launched {
 public:
  explicit Launched(std::string command) : command_(std::move(command)) {}
  ~Launched();
  Launched(const Launched&) = delete;
  Launched& operator=(const Launched&) = delete;

  // Starts `sh -c COMMAND` in a process group of its own. False when it cannot.
  bool start();
  // False once the process has exited (see exit_status()).
  bool alive();
  std::string exit_status() const;  // "exited with status 1", "killed by signal 9"
  std::string last_lines() const;   // its last 20 lines of output, indented
  // The URL of a `listening http(s)://HOST:PORT` line it printed, if it printed one.
  std::optional<std::string> listening() const;
  // A target that no longer answers gets no chance to shut down cleanly.
  void kill();
  // SIGTERM to the group, then SIGKILL after 2 s.
  void stop();

 private:
  std::string command_;
  std::string log_path_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
};

}  // namespace conform::host
