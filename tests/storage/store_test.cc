#include "storage/store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/test_util.h"

namespace origo::storage {
namespace {

using origo::testing::TempDir;

TEST(StoreTest, CreatesEveryRegisteredFamily) {
  TempDir dir;
  {
    auto store = Store::Open(dir.path());
    ASSERT_TRUE(store.ok()) << store.status();
  }
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.path(), &names).ok());
  EXPECT_EQ(names.size(), static_cast<size_t>(kColumnFamilyCount));
  for (const ColumnFamilyInfo& info : kColumnFamilies) {
    EXPECT_NE(std::find(names.begin(), names.end(), std::string(info.name)), names.end())
        << info.name;
  }
}

TEST(StoreTest, IndexFamiliesGetTheirOwnWriteBufferAndTheWalLimitIsApplied) {
  TempDir dir;
  StoreOptions options;
  options.write_buffer_mb = 8;
  options.index_write_buffer_mb = 32;
  options.max_wal_mb = 100;
  auto store = Store::Open(dir.path(), options);
  ASSERT_TRUE(store.ok()) << store.status();
  for (const ColumnFamilyInfo& info : kColumnFamilies) {
    const size_t expected = (IsIndexFamily(info.id) ? 32u : 8u) << 20;
    EXPECT_EQ((*store)->db()->GetOptions((*store)->Family(info.id)).write_buffer_size, expected)
        << info.name;
  }
  EXPECT_TRUE(IsIndexFamily(ColumnFamily::kProvenance));
  EXPECT_FALSE(IsIndexFamily(ColumnFamily::kLogEntries));
  EXPECT_EQ((*store)->db()->GetDBOptions().max_total_wal_size, uint64_t{100} << 20);
}

// A store that has gone quiet flushes its memtables, so a crash then leaves no WAL to replay.
// A store beside it with the idle flush off, written the same, still holds its writes in the
// memtables for as long as the first one took to flush.
TEST(StoreTest, AQuietStoreFlushesItsMemtables) {
  auto unflushed_entries = [](Store& store) {
    uint64_t total = 0;
    for (const ColumnFamilyInfo& info : kColumnFamilies) {
      uint64_t n = 0;
      store.db()->GetIntProperty(store.Family(info.id), "rocksdb.num-entries-active-mem-table", &n);
      total += n;
    }
    return total;
  };
  TempDir quiet_dir, plain_dir;
  StoreOptions quiet_options;
  quiet_options.idle_flush_seconds = 1;
  auto quiet = Store::Open(quiet_dir.path(), quiet_options);
  ASSERT_TRUE(quiet.ok()) << quiet.status();
  auto plain = Store::Open(plain_dir.path());  // idle flush off (the library default)
  ASSERT_TRUE(plain.ok()) << plain.status();
  for (Store* store : {quiet->get(), plain->get()}) {
    rocksdb::WriteBatch batch;
    for (int i = 0; i < 1000; ++i) {
      batch.Put(store->Family(ColumnFamily::kProvenance), "k" + std::to_string(i),
                std::string(100, 'v'));
    }
    ASSERT_TRUE(store->Write(&batch).ok());
    ASSERT_GE(unflushed_entries(*store), 1000u);
  }
  // Polls for the flush (1 s of quiet, then one poll), up to 20 s on a busy machine. It waits for
  // the entries, not for the flush counter: on a loaded machine opening the second store can
  // take over a second, and the quiet store then flushes what Open wrote before the batch above.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (unflushed_entries(**quiet) > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GE((*quiet)->idle_flushes(), 1u);
  EXPECT_EQ(unflushed_entries(**quiet), 0u);
  auto value = (*quiet)->Get(ColumnFamily::kProvenance, "k999");
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(value->value_or(""), std::string(100, 'v'));
  EXPECT_GE(unflushed_entries(**plain), 1000u);
  EXPECT_EQ((*plain)->idle_flushes(), 0u);
}

TEST(StoreTest, WritesSurviveReopen) {
  TempDir dir;
  {
    auto store = Store::Open(dir.path());
    ASSERT_TRUE(store.ok()) << store.status();
    rocksdb::WriteBatch batch;
    batch.Put((*store)->Family(ColumnFamily::kLogEntries), "k1", "v1");
    batch.Put((*store)->Family(ColumnFamily::kEventIndex), "k2", "v2");
    ASSERT_TRUE((*store)->Write(&batch).ok());
    ASSERT_TRUE((*store)->Close().ok());
  }
  auto store = Store::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status();
  auto v1 = (*store)->Get(ColumnFamily::kLogEntries, "k1");
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->value_or(""), "v1");
  auto v2 = (*store)->Get(ColumnFamily::kEventIndex, "k2");
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->value_or(""), "v2");
  // Families are separate key spaces.
  auto absent = (*store)->Get(ColumnFamily::kLogEntries, "k2");
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
}

TEST(StoreTest, SnapshotDoesNotSeeLaterWrites) {
  TempDir dir;
  auto store = Store::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status();
  rocksdb::WriteBatch first;
  first.Put((*store)->Family(ColumnFamily::kMeta), "tree_size", "1");
  ASSERT_TRUE((*store)->Write(&first).ok());
  auto view = (*store)->Snapshot();
  rocksdb::WriteBatch second;
  second.Put((*store)->Family(ColumnFamily::kMeta), "tree_size", "2");
  second.Put((*store)->Family(ColumnFamily::kMeta), "new_key", "x");
  ASSERT_TRUE((*store)->Write(&second).ok());

  auto seen = view->Get(ColumnFamily::kMeta, "tree_size");
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->value_or(""), "1");
  auto missing = view->Get(ColumnFamily::kMeta, "new_key");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  auto latest = (*store)->Get(ColumnFamily::kMeta, "tree_size");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->value_or(""), "2");
}

TEST(StoreTest, SecondOpenOfSameDirectoryNamesTheLock) {
  TempDir dir;
  auto first = Store::Open(dir.path());
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = Store::Open(dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("LOCK"), std::string::npos) << second.status();
}

TEST(StoreTest, RefusesAStoreWithAnUnknownFamily) {
  TempDir dir;
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir.path(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    ASSERT_TRUE(
        db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "from_the_future", &handle).ok());
    ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
  }
  auto store = Store::Open(dir.path());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("from_the_future"), std::string::npos);
}

TEST(StoreTest, MissingStoreWithoutCreateIsNotFound) {
  TempDir dir;
  StoreOptions options;
  options.create_if_missing = false;
  auto store = Store::Open(dir.Sub("absent"), options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kNotFound);
}

TEST(StoreTest, CorruptedTableSurfacesAsDataLossNotACrash) {
  TempDir dir;
  // Incompressible values, so the table file is large enough to corrupt its data blocks.
  std::string big(64 << 10, '\0');
  uint64_t state = 88172645463325252ull;
  for (char& c : big) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    c = static_cast<char>(state);
  }
  {
    auto store = Store::Open(dir.path());
    ASSERT_TRUE(store.ok()) << store.status();
    rocksdb::WriteBatch batch;
    for (int i = 0; i < 64; ++i) {
      batch.Put((*store)->Family(ColumnFamily::kLogEntries), "key" + std::to_string(i),
                big + std::to_string(i));
    }
    ASSERT_TRUE((*store)->Write(&batch).ok());
    ASSERT_TRUE((*store)->Close().ok());  // flushes to an SST file
  }
  // Flip bytes in the middle of every table file (inside data blocks).
  int corrupted = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path().extension() != ".sst") continue;
    auto size = std::filesystem::file_size(entry.path());
    if (size < 1024 * 1024) continue;
    std::fstream file(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    for (uint64_t offset = 4096; offset + 4096 < size; offset += 8192) {
      file.seekp(static_cast<std::streamoff>(offset));
      file.put('\x5a');
      file.put('\xa5');
    }
    ++corrupted;
  }
  ASSERT_GT(corrupted, 0) << "no table file to corrupt";

  auto store = Store::Open(dir.path());
  if (!store.ok()) {
    EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss) << store.status();
    return;
  }
  int data_loss = 0;
  for (int i = 0; i < 64; ++i) {
    auto value = (*store)->Get(ColumnFamily::kLogEntries, "key" + std::to_string(i));
    if (!value.ok()) {
      EXPECT_EQ(value.status().code(), absl::StatusCode::kDataLoss) << value.status();
      ++data_loss;
    }
  }
  EXPECT_GT(data_loss, 0);
}

}  // namespace
}  // namespace origo::storage
