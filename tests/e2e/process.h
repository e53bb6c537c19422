#ifndef ORIGO_TESTS_E2E_PROCESS_H_
#define ORIGO_TESTS_E2E_PROCESS_H_

// Child-process helpers for end-to-end tests: launch origod, read what it prints, signal it,
// and run origo commands to completion.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace origo::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

// A running child with stdout and stderr captured through pipes.
class Process {
 public:
  explicit Process(const std::vector<std::string>& argv) {
    int out_pipe[2], err_pipe[2];
    if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out_pipe[1], 1);
      dup2(err_pipe[1], 2);
      close(out_pipe[0]);
      close(err_pipe[0]);
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    out_fd_ = out_pipe[0];
    err_fd_ = err_pipe[0];
  }
  ~Process() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    if (out_fd_ >= 0) close(out_fd_);
    if (err_fd_ >= 0) close(err_fd_);
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }

  // Reads stdout until a line starting with `prefix` arrives; returns the rest of that line.
  std::optional<std::string> WaitForLine(const std::string& prefix,
                                         std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      size_t newline;
      while ((newline = out_buffer_.find('\n')) != std::string::npos) {
        std::string line = out_buffer_.substr(0, newline);
        out_buffer_.erase(0, newline + 1);
        out_ += line + "\n";
        size_t start = line.find_first_not_of(' ');
        if (start != std::string::npos && line.compare(start, prefix.size(), prefix) == 0) {
          return line.substr(start + prefix.size());
        }
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
      if (poll(fds, 2, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      if (fds[1].revents & POLLIN) {
        ssize_t n = read(err_fd_, buf, sizeof(buf));
        if (n > 0) err_.append(buf, static_cast<size_t>(n));
      }
      if (fds[0].revents & (POLLIN | POLLHUP)) {
        ssize_t n = read(out_fd_, buf, sizeof(buf));
        if (n <= 0) return std::nullopt;  // stdout closed: the process ended
        out_buffer_.append(buf, static_cast<size_t>(n));
      }
    }
  }

  void Signal(int sig) { kill(pid_, sig); }

  // Waits for exit and drains the pipes; returns the exit code, or -signal if killed.
  int Wait() {
    DrainAll();
    int status = 0;
    waitpid(pid_, &status, 0);
    exited_ = true;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return -1000;
  }

  const std::string& err() const { return err_; }
  const std::string& out() const { return out_; }

 private:
  void DrainAll() {
    char buf[4096];
    for (int fd : {out_fd_, err_fd_}) {
      ssize_t n;
      while ((n = read(fd, buf, sizeof(buf))) > 0) {
        (fd == out_fd_ ? out_ : err_).append(buf, static_cast<size_t>(n));
      }
    }
    out_ += out_buffer_;
    out_buffer_.clear();
  }

  pid_t pid_ = -1;
  bool exited_ = false;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_buffer_;
  std::string out_;
  std::string err_;
};

// Runs a command to completion and returns its exit code and output.
inline CommandResult RunCommand(const std::vector<std::string>& argv) {
  Process process(argv);
  CommandResult result;
  result.exit_code = process.Wait();
  result.out = process.out();
  result.err = process.err();
  return result;
}

}  // namespace origo::testing

#endif  // ORIGO_TESTS_E2E_PROCESS_H_
