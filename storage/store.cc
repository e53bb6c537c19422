#include "storage/store.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "core/base/status_macros.h"
#include "origo/store/v1/meta.pb.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "storage/key_encoding.h"
#include "storage/scan_counter.h"

namespace origo::storage {
namespace {

constexpr uint32_t kStoreFormat = 1;

rocksdb::ColumnFamilyOptions FamilyOptions(const ColumnFamilyInfo& info,
                                           const StoreOptions& options,
                                           const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions cf;
  // Larger memtables for the index families: a 1M-event fill with 64 MB flushed each of them
  // to level 0 every ~13,000 events, and every level-0 compaction rewrote the whole of the
  // (identifier-keyed, so fully overlapped) level below. With 256 MB (and a 1 GB WAL, so the
  // WAL limit does not flush them first) compaction CPU went 192 s -> 85 s and capture CPU per
  // event 614 -> 483 us (bench notes in the commit).
  cf.write_buffer_size =
      (IsIndexFamily(info.id) ? options.index_write_buffer_mb : options.write_buffer_mb) << 20;
  cf.compression = rocksdb::kLZ4Compression;
  cf.bottommost_compression = rocksdb::kZSTD;
  cf.level_compaction_dynamic_level_bytes = true;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Index and filter blocks stay with their open table, outside the block cache. In the cache
  // (as before), a provenance table's 1 MB index block was evicted by data blocks once the
  // store outgrew the cache, and every lookup in that table read and decoded it again: at 10M
  // events a trace back re-read about 250 MB. Resident, they cost about 1.5% of the data size.
  table.cache_index_and_filter_blocks = false;
  table.format_version = 5;
  table.block_size = 16 << 10;
  if (info.point_lookups) {
    // Point lookups (event id, log index, key id) skip SST files with a bloom filter, and the
    // hash index inside each data block avoids a binary search.
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    table.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
    // Most event-id lookups at capture are misses (new events): a memtable bloom filter
    // answers them without walking the skiplist.
    cf.memtable_whole_key_filtering = true;
    cf.memtable_prefix_bloom_size_ratio = 0.05;
  }
  if (info.prefix_length > 0) {
    cf.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(info.prefix_length));
    table.whole_key_filtering = true;
    if (!table.filter_policy) table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  }
  // EventLog::Append hands each group's keys to RocksDB sorted, so consecutive inserts into a
  // family land next to each other: a hinted insert (the memtable remembers where the previous
  // key with the same prefix went) walks up the skiplist only as far as the distance to it,
  // instead of searching from the top. One hint for the whole family (empty prefix), except
  // for the log and the tree, whose keys ascend across groups within each leading byte (the
  // top byte of the index; the level).
  const bool ascending =
      info.id == ColumnFamily::kLogEntries || info.id == ColumnFamily::kTreeNodes;
  cf.memtable_insert_with_hint_prefix_extractor.reset(
      rocksdb::NewFixedPrefixTransform(ascending ? 1 : 0));
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  if (info.id == ColumnFamily::kScans) cf.merge_operator = ScanCountMergeOperator();
  return cf;
}

}  // namespace

bool IsIndexFamily(ColumnFamily family) {
  return family == ColumnFamily::kProvenance || family == ColumnFamily::kIdentifierIndex ||
         family == ColumnFamily::kLineageForward || family == ColumnFamily::kLineageBackward;
}

absl::Status FromRocks(const rocksdb::Status& status, std::string_view context) {
  if (status.ok()) return absl::OkStatus();
  std::string message = std::string(context) + ": " + status.ToString();
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsNotFound()) return absl::NotFoundError(message);
  if (status.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  if (status.IsNotSupported()) return absl::UnimplementedError(message);
  if (status.IsBusy() || status.IsTryAgain() || status.IsTimedOut()) {
    return absl::UnavailableError(message);
  }
  if (status.IsIOError()) {
    if (status.ToString().find("lock") != std::string::npos) {
      return absl::FailedPreconditionError(message +
                                           " (another process holds the store's LOCK file)");
    }
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path,
                                                   const StoreOptions& options) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = options.background_threads;
  db_options.bytes_per_sync = 1 << 20;
  db_options.wal_bytes_per_sync = 0;
  db_options.paranoid_checks = true;
  db_options.keep_log_file_num = 5;
  db_options.max_total_wal_size = uint64_t{options.max_wal_mb} << 20;
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db_options.avoid_unnecessary_blocking_io = true;
  // Recovered WAL data stays in the memtables (its WAL files are kept until they are flushed)
  // instead of being flushed to small level-0 files before the store opens: restart after
  // kill -9 at 300k events 1.26 / 1.29 s -> 1.02 / 0.99 s.
  db_options.avoid_flush_during_recovery = true;

  // Refuse families this build does not know: they were written by a newer Origo, and opening
  // without them would silently ignore data.
  std::vector<std::string> existing;
  rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(db_options, path, &existing);
  if (listed.ok()) {
    for (const std::string& name : existing) {
      if (!ColumnFamilyByName(name).has_value()) {
        return absl::FailedPreconditionError(
            "store " + path + " contains column family '" + name +
            "' that this build of Origo does not know; it was written by a newer version");
      }
    }
  } else if (!options.create_if_missing) {
    return absl::NotFoundError("no store in " + path + ": " + listed.ToString());
  }

  auto cache = rocksdb::NewLRUCache(options.block_cache_mb << 20);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const ColumnFamilyInfo& info : kColumnFamilies) {
    descriptors.emplace_back(std::string(info.name), FamilyOptions(info, options, cache));
  }

  std::unique_ptr<Store> store(new Store());
  store->path_ = path;
  store->write_options_.sync = true;
  rocksdb::DB* raw = nullptr;
  ORIGO_RETURN_IF_ERROR(FromRocks(
      rocksdb::DB::Open(db_options, path, descriptors, &store->handles_, &raw), "open " + path));
  store->db_.reset(raw);

  // First open: record what created the store.
  ORIGO_ASSIGN_OR_RETURN(auto info, store->Get(ColumnFamily::kMeta, "store"));
  if (!info.has_value()) {
    origo::store::v1::StoreInfo created;
    created.set_format(kStoreFormat);
    created.set_created_unix_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
    created.set_created_by("origo " ORIGO_VERSION);
    rocksdb::WriteBatch batch;
    batch.Put(store->Family(ColumnFamily::kMeta), "store", EncodeValue(created));
    ORIGO_RETURN_IF_ERROR(store->Write(&batch));
  } else {
    origo::store::v1::StoreInfo stored;
    ORIGO_RETURN_IF_ERROR(DecodeValue(*info, &stored, "store info"));
    if (stored.format() > kStoreFormat) {
      return absl::FailedPreconditionError(
          "store " + path + " has format " + std::to_string(stored.format()) +
          ", newer than this build supports (" + std::to_string(kStoreFormat) + ")");
    }
  }
  if (options.idle_flush_seconds > 0) {
    Store* s = store.get();
    const std::chrono::milliseconds idle(int64_t{options.idle_flush_seconds} * 1000);
    store->idle_thread_ = std::thread([s, idle] { s->FlushWhenIdle(idle); });
  }
  return store;
}

void Store::FlushWhenIdle(std::chrono::milliseconds idle) {
  using Clock = std::chrono::steady_clock;
  const auto poll = std::min<std::chrono::milliseconds>(idle / 4, std::chrono::seconds(1));
  uint64_t last = db_->GetLatestSequenceNumber();
  auto since = Clock::now();
  // Not flushed at any sequence number yet: what the WAL replayed at open is flushed too once
  // the store is quiet.
  std::optional<uint64_t> flushed_at;
  std::unique_lock<std::mutex> lock(idle_mu_);
  while (!idle_cv_.wait_for(lock, poll, [this] { return idle_stop_; })) {
    const uint64_t now_at = db_->GetLatestSequenceNumber();
    if (now_at != last) {
      last = now_at;
      since = Clock::now();
      continue;
    }
    if (flushed_at == now_at || Clock::now() - since < idle) continue;
    lock.unlock();
    // A failed flush leaves the data in the WAL, where it was; RocksDB reports its background
    // error on the next write. Either way this sequence number is not tried again.
    const bool flushed = Flush().ok();
    lock.lock();
    flushed_at = now_at;
    if (flushed) ++idle_flushes_;
  }
}

Store::~Store() {
  absl::Status closed = Close();
  (void)closed;  // Nothing more to do with a failure at destruction; Close() was the chance.
}

absl::Status Store::Close() {
  if (idle_thread_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(idle_mu_);
      idle_stop_ = true;
    }
    idle_cv_.notify_all();
    idle_thread_.join();
  }
  if (!db_) return absl::OkStatus();
  absl::Status result = Flush();
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    rocksdb::Status destroyed = db_->DestroyColumnFamilyHandle(handle);
    if (result.ok()) result = FromRocks(destroyed, "close family");
  }
  handles_.clear();
  rocksdb::Status closed = db_->Close();
  if (result.ok()) result = FromRocks(closed, "close");
  db_.reset();
  return result;
}

absl::Status Store::Flush() {
  rocksdb::FlushOptions flush;
  flush.wait = true;
  std::vector<rocksdb::ColumnFamilyHandle*> families(handles_.begin(), handles_.end());
  return FromRocks(db_->Flush(flush, families), "flush");
}

absl::Status Store::Write(rocksdb::WriteBatch* batch) {
  return FromRocks(db_->Write(write_options_, batch), "write");
}

absl::StatusOr<std::optional<std::string>> Store::Get(ColumnFamily cf, std::string_view key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Family(cf), key, &value);
  if (s.IsNotFound()) return std::nullopt;
  ORIGO_RETURN_IF_ERROR(FromRocks(s, "read " + std::string(ColumnFamilyName(cf))));
  return value;
}

std::unique_ptr<ReadView> Store::Snapshot() const {
  return std::unique_ptr<ReadView>(new ReadView(this, db_->GetSnapshot()));
}

StoreStats Store::Stats() const {
  StoreStats stats;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    uint64_t v = 0;
    if (db_->GetIntProperty(handle, "rocksdb.live-sst-files-size", &v)) stats.sst_bytes += v;
    if (db_->GetIntProperty(handle, "rocksdb.size-all-mem-tables", &v)) stats.memtable_bytes += v;
  }
  rocksdb::VectorLogPtr wal_files;
  if (db_->GetSortedWalFiles(wal_files).ok()) {
    for (const auto& file : wal_files) stats.wal_bytes += file->SizeFileBytes();
  }
  return stats;
}

ReadView::ReadView(const Store* store, const rocksdb::Snapshot* snapshot)
    : store_(store), snapshot_(snapshot) {
  options_.snapshot = snapshot_;
}

ReadView::~ReadView() { store_->db()->ReleaseSnapshot(snapshot_); }

absl::StatusOr<std::optional<std::string>> ReadView::Get(ColumnFamily cf,
                                                         std::string_view key) const {
  std::string value;
  rocksdb::Status s = store_->db()->Get(options_, store_->Family(cf), key, &value);
  if (s.IsNotFound()) return std::nullopt;
  ORIGO_RETURN_IF_ERROR(FromRocks(s, "read " + std::string(ColumnFamilyName(cf))));
  return value;
}

absl::StatusOr<std::vector<std::optional<std::string>>> ReadView::MultiGet(
    ColumnFamily cf, const std::vector<std::string_view>& keys) const {
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  store_->db()->MultiGet(options_, store_->Family(cf), slices.size(), slices.data(), values.data(),
                         statuses.data());
  std::vector<std::optional<std::string>> out(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    ORIGO_RETURN_IF_ERROR(FromRocks(statuses[i], "read " + std::string(ColumnFamilyName(cf))));
    out[i] = values[i].ToString();
  }
  return out;
}

std::unique_ptr<rocksdb::Iterator> ReadView::NewIterator(ColumnFamily cf) const {
  return std::unique_ptr<rocksdb::Iterator>(
      store_->db()->NewIterator(options_, store_->Family(cf)));
}

}  // namespace origo::storage
