#include "services/admin/backup.h"

#include <sys/stat.h>

#include <filesystem>

#include "core/base/status_macros.h"
#include "rocksdb/utilities/checkpoint.h"
#include "storage/event_log.h"

namespace origo::admin {
namespace fs = std::filesystem;

namespace {

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) total += entry.file_size(ec);
  }
  return total;
}

}  // namespace

absl::StatusOr<BackupInfo> BackupStore(storage::Store* store, const std::string& data_dir,
                                       const std::string& to_dir) {
  if (to_dir.empty() || to_dir.front() != '/') {
    return absl::InvalidArgumentError("to_dir: must be an absolute path on the server");
  }
  std::error_code ec;
  if (fs::exists(to_dir, ec)) {
    return absl::AlreadyExistsError("to_dir: " + to_dir + " already exists");
  }
  rocksdb::Checkpoint* raw = nullptr;
  ORIGO_RETURN_IF_ERROR(
      storage::FromRocks(rocksdb::Checkpoint::Create(store->db(), &raw), "backup"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  ORIGO_RETURN_IF_ERROR(
      storage::FromRocks(checkpoint->CreateCheckpoint(to_dir), "backup to " + to_dir));

  // The log signing key travels with the store so a restored server keeps signing as this log.
  const std::string key_dir = to_dir + "/keys";
  if (mkdir(key_dir.c_str(), 0700) != 0) {
    return absl::UnavailableError("cannot create " + key_dir);
  }
  fs::copy_file(data_dir + "/keys/log-ed25519.pem", key_dir + "/log-ed25519.pem", ec);
  if (ec) return absl::UnavailableError("cannot copy the log key: " + ec.message());
  fs::permissions(key_dir + "/log-ed25519.pem", fs::perms::owner_read | fs::perms::owner_write, ec);

  // Open the copy once: it must be a usable store, and its tree head is what was backed up.
  BackupInfo info;
  info.dir = to_dir;
  {
    ORIGO_ASSIGN_OR_RETURN(auto copy, storage::Store::Open(to_dir));
    ORIGO_ASSIGN_OR_RETURN(auto log, storage::EventLog::Open(copy.get()));
    storage::TreeHead head = log->Head();
    info.tree_size = head.size;
    info.root = head.root;
    ORIGO_RETURN_IF_ERROR(copy->Close());
  }
  fs::remove(to_dir + "/LOCK", ec);
  info.bytes = DirectoryBytes(to_dir);
  return info;
}

absl::Status RestoreBackup(const std::string& backup_dir, const std::string& data_dir) {
  std::error_code ec;
  if (!fs::exists(backup_dir + "/CURRENT", ec)) {
    return absl::NotFoundError("--restore-from: " + backup_dir + " is not an Origo backup");
  }
  if (fs::exists(data_dir, ec) && !fs::is_empty(data_dir, ec)) {
    return absl::FailedPreconditionError("--restore-from: " + data_dir +
                                         " already holds files; restore into an empty directory");
  }
  fs::create_directories(data_dir, ec);
  fs::copy(backup_dir, data_dir, fs::copy_options::recursive, ec);
  if (ec) {
    return absl::UnavailableError("--restore-from: copying " + backup_dir + " to " + data_dir +
                                  ": " + ec.message());
  }
  fs::remove(data_dir + "/LOCK", ec);
  if (fs::exists(data_dir + "/keys", ec)) {
    fs::permissions(data_dir + "/keys", fs::perms::owner_all, ec);
  }
  return absl::OkStatus();
}

}  // namespace origo::admin
