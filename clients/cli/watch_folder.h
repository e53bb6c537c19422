#ifndef ORIGO_CLIENTS_CLI_WATCH_FOLDER_H_
#define ORIGO_CLIENTS_CLI_WATCH_FOLDER_H_

// The folder `origo capture --watch DIR` ingests: a scanner drops files into DIR; each is taken
// once it has stopped changing, and afterwards moved to DIR/done/ (its events are queued) or to
// DIR/failed/ with DIR/failed/<name>.error saying why (nothing of it was queued).
//
// Taken: regular files whose names do not start with '.' and do not end in ".tmp" or ".part"
// (so a scanner may write "x.csv.part" and rename it), and whose size and modification time did
// not change between two calls of Ready(). A name already taken in done/ or failed/ gets a
// ".<n>" suffix there rather than replacing the earlier file.
//
// Thread-compatible.

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace origo::cli {

class WatchFolder {
 public:
  // Checks that `dir` is a directory and creates done/ and failed/ in it.
  static absl::StatusOr<WatchFolder> Open(const std::string& dir);

  // Names (not paths) of the files ready to ingest, in name order.
  absl::StatusOr<std::vector<std::string>> Ready();

  // Moves `name` to done/, durably. Returns the new path.
  absl::StatusOr<std::string> MarkDone(const std::string& name);
  // Moves `name` to failed/ and writes failed/<name>.error containing `error` and a newline,
  // durably. Returns the new path.
  absl::StatusOr<std::string> MarkFailed(const std::string& name, const std::string& error);

  std::string PathOf(const std::string& name) const { return dir_ + "/" + name; }
  const std::string& dir() const { return dir_; }

 private:
  explicit WatchFolder(std::string dir) : dir_(std::move(dir)) {}
  absl::StatusOr<std::string> MoveTo(const std::string& name, const std::string& sub);

  struct Seen {
    off_t size;
    int64_t mtime_ns;
  };
  std::string dir_;
  std::map<std::string, Seen> seen_;  // as of the previous Ready()
};

}  // namespace origo::cli

#endif  // ORIGO_CLIENTS_CLI_WATCH_FOLDER_H_
