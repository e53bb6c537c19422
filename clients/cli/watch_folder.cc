#include "clients/cli/watch_folder.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "clients/spool/file_io.h"
#include "core/base/status_macros.h"

namespace origo::cli {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

absl::StatusOr<WatchFolder> WatchFolder::Open(const std::string& dir) {
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) return spool::ErrnoStatus(errno, "cannot watch", dir);
  if (!S_ISDIR(st.st_mode))
    return absl::InvalidArgumentError("--watch " + dir + ": not a directory");
  ORIGO_RETURN_IF_ERROR(spool::MakeDirs(dir + "/done", 0755));
  ORIGO_RETURN_IF_ERROR(spool::MakeDirs(dir + "/failed", 0755));
  return WatchFolder(dir);
}

absl::StatusOr<std::vector<std::string>> WatchFolder::Ready() {
  DIR* d = opendir(dir_.c_str());
  if (d == nullptr) return spool::ErrnoStatus(errno, "cannot list", dir_);
  std::map<std::string, Seen> now;
  while (dirent* entry = readdir(d)) {
    std::string name = entry->d_name;
    if (name.empty() || name[0] == '.' || EndsWith(name, ".tmp") || EndsWith(name, ".part")) {
      continue;
    }
    struct stat st;
    if (lstat(PathOf(name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    now[name] =
        Seen{st.st_size, static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
  }
  closedir(d);
  std::vector<std::string> ready;
  for (const auto& [name, seen] : now) {
    auto before = seen_.find(name);
    if (before != seen_.end() && before->second.size == seen.size &&
        before->second.mtime_ns == seen.mtime_ns) {
      ready.push_back(name);
    }
  }
  seen_ = std::move(now);
  return ready;
}

absl::StatusOr<std::string> WatchFolder::MoveTo(const std::string& name, const std::string& sub) {
  const std::string target_dir = dir_ + "/" + sub;
  std::string target = target_dir + "/" + name;
  for (int n = 1;
       access(target.c_str(), F_OK) == 0 || access((target + ".error").c_str(), F_OK) == 0; ++n) {
    target = target_dir + "/" + name + "." + std::to_string(n);
  }
  if (rename(PathOf(name).c_str(), target.c_str()) != 0) {
    return spool::ErrnoStatus(errno, "cannot move " + PathOf(name) + " to", target);
  }
  seen_.erase(name);
  ORIGO_RETURN_IF_ERROR(spool::SyncDir(target_dir));
  ORIGO_RETURN_IF_ERROR(spool::SyncDir(dir_));
  return target;
}

absl::StatusOr<std::string> WatchFolder::MarkDone(const std::string& name) {
  return MoveTo(name, "done");
}

absl::StatusOr<std::string> WatchFolder::MarkFailed(const std::string& name,
                                                    const std::string& error) {
  ORIGO_ASSIGN_OR_RETURN(std::string moved, MoveTo(name, "failed"));
  ORIGO_RETURN_IF_ERROR(spool::ReplaceFile(moved + ".error", error + "\n", true));
  return moved;
}

}  // namespace origo::cli
