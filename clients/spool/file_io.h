#ifndef ORIGO_CLIENTS_SPOOL_FILE_IO_H_
#define ORIGO_CLIENTS_SPOOL_FILE_IO_H_

// POSIX file helpers for the spool and the capture CLI: durable atomic replacement, directory
// syncs, whole-file reads. Errors carry the errno's meaning as a code (NOT_FOUND for ENOENT,
// ALREADY_EXISTS for EEXIST, PERMISSION_DENIED for EACCES/EPERM, RESOURCE_EXHAUSTED for ENOSPC/
// EDQUOT, INTERNAL otherwise) and name the path.
//
// Thread-safety: all functions are thread-safe; UniqueFd is thread-compatible.

#include <sys/types.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace origo::spool {

// Owns one file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = other.Release();
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset();

 private:
  int fd_ = -1;
};

// "<what> <path>: <strerror>" with the code for `error`.
absl::Status ErrnoStatus(int error, const std::string& what, const std::string& path);

// Creates `path` and any missing parents with `mode` (like mkdir -p). OK if it already exists as
// a directory; FAILED_PRECONDITION if it exists as something else.
absl::Status MakeDirs(const std::string& path, mode_t mode);

// fsync of a directory, so that entries created, renamed or removed in it are durable.
absl::Status SyncDir(const std::string& dir);

// Replaces `path` with `contents` atomically: writes "<path>.tmp", then renames it over `path`.
// With `durable`, the data is fsynced before the rename and the directory after it, so a crash
// leaves either the old or the new contents, never a mix or an empty file. The file is 0600.
absl::Status ReplaceFile(const std::string& path, std::string_view contents, bool durable);

// The whole file. NOT_FOUND when it does not exist.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

// write(2) until everything is written (retrying EINTR and short writes).
absl::Status WriteAll(int fd, std::string_view data, const std::string& path);

// pread(2) of exactly `size` bytes at `offset`; DATA_LOSS if the file is shorter.
absl::StatusOr<std::string> ReadAt(int fd, uint64_t offset, size_t size, const std::string& path);

}  // namespace origo::spool

#endif  // ORIGO_CLIENTS_SPOOL_FILE_IO_H_
