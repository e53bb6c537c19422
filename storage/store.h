#ifndef ORIGO_STORAGE_STORE_H_
#define ORIGO_STORAGE_STORE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "storage/column_families.h"

namespace origo::storage {

// Converts a RocksDB status to the process-wide error type. Corruption becomes DATA_LOSS,
// a held LOCK file becomes FAILED_PRECONDITION naming the lock, I/O errors UNAVAILABLE.
// `context` says what was being done ("open", "write", ...).
absl::Status FromRocks(const rocksdb::Status& status, std::string_view context);

struct StoreOptions {
  // Shared LRU block cache across all families, in MiB. Default 256.
  size_t block_cache_mb = 256;
  // Memtable size per family, in MiB. Default 64.
  size_t write_buffer_mb = 64;
  // Memtable size of the index families each captured event writes most of its keys to
  // (IsIndexFamily), in MiB. Default 256.
  size_t index_write_buffer_mb = 256;
  // Total WAL size, in MiB, past which the memtables holding its oldest part are flushed; it
  // bounds what a restart replays. Default 1024.
  size_t max_wal_mb = 1024;
  // Background flush and compaction jobs. Default 2.
  int background_threads = 2;
  // Create the store when the directory holds none. Default true.
  bool create_if_missing = true;
  // Flush the memtables once nothing has been written for this many seconds, so that a crash
  // while the store is quiet leaves no WAL to replay (a restart after kill -9 replays up to
  // max_wal_mb otherwise, about 8 s for 1 GB). 0: never (the default here; origod sets 30).
  int idle_flush_seconds = 0;
};

// The families that take most of a captured event's keys (facts, identifier index, lineage both
// ways: about 70 of ~75), keyed by identifier, so every flush of theirs overlaps the whole of
// their lower level. They get larger memtables (StoreOptions::index_write_buffer_mb).
bool IsIndexFamily(ColumnFamily family);

// A consistent read view: a pinned RocksDB snapshot. Every read of one request goes through one
// view. Thread-compatible; must not outlive its Store.
class ReadView {
 public:
  ReadView(const ReadView&) = delete;
  ReadView& operator=(const ReadView&) = delete;
  ~ReadView();

  // Value at `key` in `cf`, nullopt when absent. Errors: DATA_LOSS on corruption, UNAVAILABLE.
  absl::StatusOr<std::optional<std::string>> Get(ColumnFamily cf, std::string_view key) const;
  // Get for many keys at once (one batched lookup); results in the order of `keys`.
  absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      ColumnFamily cf, const std::vector<std::string_view>& keys) const;
  // An iterator over `cf` at this view. Callers check iterator->status() when done.
  std::unique_ptr<rocksdb::Iterator> NewIterator(ColumnFamily cf) const;
  const rocksdb::ReadOptions& options() const { return options_; }

 private:
  friend class Store;
  ReadView(const class Store* store, const rocksdb::Snapshot* snapshot);
  const class Store* store_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions options_;
};

struct StoreStats {
  uint64_t sst_bytes = 0;       // live SST files across families
  uint64_t memtable_bytes = 0;  // all memtables
  uint64_t wal_bytes = 0;       // live write-ahead log files
  uint64_t TotalBytes() const { return sst_bytes + memtable_bytes + wal_bytes; }
};

// Store owns the RocksDB instance and its column-family handles. It opens (or creates) the
// database with every family in the registry, refuses stores that contain unknown families,
// and writes every batch with sync so that an acknowledged write survives kill -9 and power
// loss. Entity stores (event log, indexes, registry) build on it.
//
// Thread-safe: all methods may be called concurrently, except Close and the destructor.
class Store {
 public:
  // Opens the store in directory `path`. Errors: FAILED_PRECONDITION when another process holds
  // the lock or the store holds a family this build does not know; DATA_LOSS on corruption;
  // NOT_FOUND when absent and !create_if_missing.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& path,
                                                     const StoreOptions& options = {});

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  // Closes the store (see Close) if still open.
  ~Store();

  // Flushes memtables, destroys family handles, then closes the database. Idempotent.
  absl::Status Close();

  // Atomically applies `batch` across families and fsyncs the WAL before returning.
  absl::Status Write(rocksdb::WriteBatch* batch);
  // Reads the latest committed value at `key`; nullopt when absent.
  absl::StatusOr<std::optional<std::string>> Get(ColumnFamily cf, std::string_view key) const;
  // Pins a snapshot for a consistent multi-key read.
  std::unique_ptr<ReadView> Snapshot() const;

  rocksdb::ColumnFamilyHandle* Family(ColumnFamily cf) const {
    return handles_[static_cast<uint32_t>(cf)];
  }
  rocksdb::DB* db() const { return db_.get(); }
  const std::string& path() const { return path_; }
  StoreStats Stats() const;
  // Flushes all memtables to SST files (used before backups and on shutdown).
  absl::Status Flush();
  // Idle flushes done (StoreOptions::idle_flush_seconds).
  uint64_t idle_flushes() const { return idle_flushes_.load(); }

 private:
  Store() = default;
  // The idle-flush thread: every quarter of `idle` (at most every second) it looks at the
  // latest sequence number; once it has not moved for `idle` since the last flush, it flushes.
  void FlushWhenIdle(std::chrono::milliseconds idle);
  std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // owned; destroyed before db_
  rocksdb::WriteOptions write_options_;
  std::mutex idle_mu_;
  std::condition_variable idle_cv_;
  bool idle_stop_ = false;  // guarded by idle_mu_
  std::atomic<uint64_t> idle_flushes_{0};
  std::thread idle_thread_;  // joined by Close before the handles go
};

}  // namespace origo::storage

#endif  // ORIGO_STORAGE_STORE_H_
