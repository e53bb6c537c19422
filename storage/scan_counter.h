#ifndef ORIGO_STORAGE_SCAN_COUNTER_H_
#define ORIGO_STORAGE_SCAN_COUNTER_H_

// Consumer scans of serialised items (the resolver's "first scanned on ..., N scans"), in the
// scans family (storage/key_encoding.h):
//   key   = canonical Digital Link path of the item
//   value = u8 version (1), u64 count, u64 first scan unix ms, u64 last scan unix ms
// Every scan is written as a merge operand of the same shape (count 1, first = last = now); the
// family's merge operator adds the counts and keeps the earliest first and latest last scan.
// So a scan costs one unsynced WAL append and no read, and concurrent scans never lose a count.
//
// Durability: scans are written without fsync (a page view must not wait for the disk). A
// process crash loses nothing (the WAL is in the OS page cache); a power cut may lose the last
// scans, which only makes the counter read lower. The next synced write of any kind makes them
// durable.
//
// Thread-safe.

#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "rocksdb/merge_operator.h"
#include "storage/store.h"

namespace origo::storage {

struct ScanCount {
  uint64_t count = 0;
  int64_t first_unix_ms = 0;  // 0 when never scanned
  int64_t last_unix_ms = 0;
};

// The merge operator Store installs on the scans family.
std::shared_ptr<rocksdb::MergeOperator> ScanCountMergeOperator();

class ScanCounter {
 public:
  // `store` must outlive this object.
  explicit ScanCounter(Store* store) : store_(store) {}

  // Adds one scan of `item` at `now_unix_ms` (unsynced; see the file comment).
  absl::Status Record(std::string_view item, int64_t now_unix_ms);
  // The scans of `item` so far (count 0 when none). DATA_LOSS when the stored value is corrupt.
  absl::StatusOr<ScanCount> Get(std::string_view item) const;

 private:
  Store* const store_;
};

}  // namespace origo::storage

#endif  // ORIGO_STORAGE_SCAN_COUNTER_H_
