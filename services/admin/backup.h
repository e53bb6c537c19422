#ifndef ORIGO_SERVICES_ADMIN_BACKUP_H_
#define ORIGO_SERVICES_ADMIN_BACKUP_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "core/merkle/merkle.h"
#include "storage/store.h"

namespace origo::admin {

struct BackupInfo {
  std::string dir;
  uint64_t tree_size = 0;
  merkle::Hash root{};
  uint64_t bytes = 0;
};

// Takes a consistent copy of a live store into `to_dir` (which must not exist): a RocksDB
// checkpoint (SST files hard-linked where possible, memtables flushed first) plus the log
// signing key from `data_dir`/keys. The copy is then opened once to read its tree head, which
// proves it is usable. Errors: INVALID_ARGUMENT for a relative path, ALREADY_EXISTS when the
// directory exists, UNAVAILABLE on I/O errors. Thread-safe with respect to concurrent writes.
absl::StatusOr<BackupInfo> BackupStore(storage::Store* store, const std::string& data_dir,
                                       const std::string& to_dir);

// Makes `data_dir` a copy of the backup in `backup_dir`, for `origod --restore-from`. Refuses
// (FAILED_PRECONDITION) when `data_dir` already holds files: a restore never overwrites a store.
// NOT_FOUND when `backup_dir` is not a backup (no CURRENT file).
absl::Status RestoreBackup(const std::string& backup_dir, const std::string& data_dir);

}  // namespace origo::admin

#endif  // ORIGO_SERVICES_ADMIN_BACKUP_H_
