#include "clients/cli/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"

namespace origo::cli {
namespace {

absl::Status ErrnoError(int error, const std::string& what, const std::string& path) {
  std::string message = what + " " + path + ": " + std::strerror(error);
  switch (error) {
    case ENOENT:
      return absl::NotFoundError(message);
    case EEXIST:
      return absl::AlreadyExistsError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    default:
      return absl::InternalError(message);
  }
}

}  // namespace

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoError(errno, "cannot read", path);
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return ErrnoError(errno, "cannot read", path);
  return contents.str();
}

bool PathExists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

absl::Status WriteNewFile(const std::string& path, const std::string& contents, mode_t mode,
                          bool overwrite) {
  if (overwrite && unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoError(errno, "cannot replace", path);
  }
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(path + " already exists; refusing to overwrite it");
    }
    return ErrnoError(errno, "cannot create", path);
  }
  int error = 0;
  if (fchmod(fd, mode) != 0) error = errno;
  size_t written = 0;
  while (error == 0 && written < contents.size()) {
    ssize_t n = write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = errno;
    } else {
      written += static_cast<size_t>(n);
    }
  }
  if (error == 0 && fsync(fd) != 0) error = errno;
  if (close(fd) != 0 && error == 0) error = errno;
  if (error != 0) {
    unlink(path.c_str());
    return ErrnoError(error, "cannot write", path);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadVkeyFile(const std::string& path) {
  auto contents = ReadFile(path);
  if (!contents.ok()) return contents.status();
  std::string vkey = contents->substr(0, contents->find('\n'));
  absl::StripAsciiWhitespace(&vkey);
  if (vkey.empty()) {
    return absl::InvalidArgumentError("log key file " + path +
                                      ": empty; expected a verifier key (name+hash+base64)");
  }
  return vkey;
}

}  // namespace origo::cli
