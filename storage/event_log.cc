#include "storage/event_log.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "core/base/status_macros.h"
#include "origo/store/v1/log.pb.h"
#include "storage/key_encoding.h"

namespace origo::storage {
namespace {

constexpr char kTreeKey[] = "tree";
constexpr char kLatestCheckpointKey[] = "latest_checkpoint";

std::string HashBytes(const merkle::Hash& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

// Runs a merkle proof or root computation `fn` (which takes a NodeReader) with every node it
// needs fetched by one batched read. The merkle functions choose which nodes to read from the
// sizes and indexes alone, never from hash values, so a first pass with a reader that only
// records the ids asks for exactly the nodes the real pass will; `fetch` reads them all at
// once (one MultiGet at one snapshot instead of one Get per level), and the second pass is
// served from memory.
template <typename Fn>
auto WithPrefetchedNodes(
    Fn fn,
    absl::FunctionRef<absl::Status(const std::vector<merkle::NodeId>&, std::vector<merkle::Hash>*)>
        fetch) -> decltype(fn(std::declval<merkle::NodeReader>())) {
  std::vector<merkle::NodeId> ids;
  auto record = [&ids](uint32_t level, uint64_t index) -> absl::StatusOr<merkle::Hash> {
    ids.push_back(merkle::NodeId{level, index});
    return merkle::Hash{};
  };
  ORIGO_RETURN_IF_ERROR(fn(record).status());
  std::vector<merkle::Hash> hashes;
  ORIGO_RETURN_IF_ERROR(fetch(ids, &hashes));
  size_t next = 0;
  auto replay = [&](uint32_t level, uint64_t index) -> absl::StatusOr<merkle::Hash> {
    if (next >= ids.size() || !(ids[next] == merkle::NodeId{level, index})) {
      return absl::InternalError("tree nodes were requested in a different order on replay");
    }
    return hashes[next++];
  };
  return fn(replay);
}

}  // namespace

absl::StatusOr<std::unique_ptr<EventLog>> EventLog::Open(Store* store) {
  ORIGO_ASSIGN_OR_RETURN(auto value, store->Get(ColumnFamily::kMeta, kTreeKey));
  if (!value.has_value()) {
    return std::unique_ptr<EventLog>(new EventLog(store, merkle::CompactRange()));
  }
  origo::store::v1::TreeState state;
  ORIGO_RETURN_IF_ERROR(DecodeValue(*value, &state, "tree state"));
  std::vector<merkle::Hash> frontier;
  for (const std::string& h : state.frontier()) {
    auto hash = merkle::HashFromBytes(h);
    if (!hash.ok()) return absl::DataLossError("tree state: frontier hash is not 32 bytes");
    frontier.push_back(*hash);
  }
  auto range = merkle::CompactRange::FromFrontier(state.size(), std::move(frontier));
  if (!range.ok())
    return absl::DataLossError("tree state: " + std::string(range.status().message()));
  auto log = std::unique_ptr<EventLog>(new EventLog(store, *std::move(range)));
  // The frontier must agree with the stored nodes (a cheap consistency check at start).
  if (state.size() > 0) {
    ORIGO_ASSIGN_OR_RETURN(merkle::Hash stored_root, log->RootAt(state.size(), nullptr));
    if (stored_root != log->Head().root) {
      return absl::DataLossError("tree state: the stored tree nodes do not give the stored root");
    }
  }
  return log;
}

TreeHead EventLog::Head() const {
  absl::MutexLock lock(&mu_);
  return TreeHead{range_.size(), range_.Root()};
}

absl::StatusOr<std::vector<AppendedLeaf>> EventLog::Append(
    const std::vector<const LeafToAppend*>& leaves) {
  merkle::CompactRange range = [this] {
    absl::MutexLock lock(&mu_);
    return range_;
  }();
  std::vector<AppendedLeaf> results(leaves.size());
  if (leaves.empty()) return results;
  rocksdb::ColumnFamilyHandle* event_index = store_->Family(ColumnFamily::kEventIndex);

  // Which events are already in the log: one MultiGet for the whole group instead of a Get per
  // event.
  std::vector<rocksdb::Slice> ids;
  ids.reserve(leaves.size());
  for (const LeafToAppend* leaf : leaves) ids.emplace_back(leaf->event_id);
  std::vector<rocksdb::PinnableSlice> found(leaves.size());
  std::vector<rocksdb::Status> statuses(leaves.size());
  store_->db()->MultiGet(rocksdb::ReadOptions(), event_index, ids.size(), ids.data(), found.data(),
                         statuses.data());

  // The group's writes are collected first and handed to RocksDB sorted by (family, key): the
  // memtable skiplist then inserts each key next to the previous one (a hinted insert walks up
  // only as far as the distance between neighbours) instead of searching from the top for every
  // key. A realistic event writes ~55 keys (identifier index, lineage both ways, facts), and the
  // unsorted inserts were ~40% of capture CPU. Keys built here live in `arena` and are referred
  // to by offset until it stops growing. Values are (version byte, payload) SliceParts, so
  // nothing is copied before the WriteBatch copies it once.
  enum class ValueKind : uint8_t {
    kEncoded,     // `value` is already an encoded value
    kPayload,     // `value` gets the version byte in front
    kArenaIndex,  // the version byte, then the 8-byte log index key at arena[value_ref]
    kNodeHash,    // the version byte, then node_hashes[value_ref]
  };
  struct PendingPut {
    uint32_t family;
    const char* key_data;  // nullptr: the key is arena[key_offset, key_offset + key_size)
    size_t key_offset;
    size_t key_size;
    ValueKind kind;
    std::string_view value;
    size_t value_ref;
    std::string_view Key(const std::string& arena) const {
      return key_data ? std::string_view(key_data, key_size)
                      : std::string_view(arena.data() + key_offset, key_size);
    }
  };
  std::vector<PendingPut> puts;
  std::string arena;
  size_t index_puts = 0, arena_bytes = 0;
  for (const LeafToAppend* leaf : leaves) {
    index_puts += leaf->identifiers.size() + leaf->index_puts.size() + 3;
    arena_bytes += 8 + 2 * 9;  // the log index, two tree nodes (more are rare)
    for (const std::string& id : leaf->identifiers) arena_bytes += id.size() + 10;
    for (const IndexPut& put : leaf->index_puts) {
      if (put.log_index_at != IndexPut::kNoLogIndex) arena_bytes += put.key.size() + 8;
    }
  }
  puts.reserve(index_puts);
  arena.reserve(arena_bytes);
  // A put whose key was just appended to `arena` from `key_offset` on.
  auto put_arena = [&puts, &arena](ColumnFamily family, size_t key_offset, ValueKind kind,
                                   std::string_view value, size_t value_ref) {
    puts.push_back({static_cast<uint32_t>(family), nullptr, key_offset, arena.size() - key_offset,
                    kind, value, value_ref});
  };
  std::vector<merkle::Hash> node_hashes;  // stable storage for the tree nodes' values
  node_hashes.reserve(leaves.size() * 2 + 64);

  absl::flat_hash_map<std::string_view, uint64_t> fresh;  // event id -> index, this append
  fresh.reserve(leaves.size());
  size_t leaf_bytes = 0;
  for (size_t i = 0; i < leaves.size(); ++i) {
    const LeafToAppend& leaf = *leaves[i];
    if (auto it = fresh.find(leaf.event_id); it != fresh.end()) {
      results[i] = {it->second, true};
      continue;
    }
    if (!statuses[i].IsNotFound()) {
      ORIGO_RETURN_IF_ERROR(FromRocks(statuses[i], "read event_index"));
      ORIGO_ASSIGN_OR_RETURN(std::string_view payload,
                             DecodeRawValue(found[i].ToStringView(), "event index entry"));
      ORIGO_ASSIGN_OR_RETURN(uint64_t existing, DecodeU64Key(payload));
      results[i] = {existing, true};
      continue;
    }
    const uint64_t index = range.size();
    results[i] = {index, false};
    fresh.emplace(leaf.event_id, index);
    leaf_bytes += leaf.leaf.size();
    const size_t index_key = arena.size();
    PutU64(&arena, index);
    put_arena(ColumnFamily::kLogEntries, index_key, ValueKind::kPayload, leaf.leaf, 0);
    puts.push_back({static_cast<uint32_t>(ColumnFamily::kEventIndex),
                    leaf.event_id.data(),
                    0,
                    leaf.event_id.size(),
                    ValueKind::kArenaIndex,
                    {},
                    index_key});
    for (const std::string& id : leaf.identifiers) {
      const size_t key = arena.size();
      PutString(&arena, id);
      PutU64(&arena, index);
      put_arena(ColumnFamily::kIdentifierIndex, key, ValueKind::kPayload, {}, 0);
    }
    for (const IndexPut& put : leaf.index_puts) {
      if (put.log_index_at == IndexPut::kNoLogIndex) {
        puts.push_back({static_cast<uint32_t>(put.family), put.key.data(), 0, put.key.size(),
                        ValueKind::kEncoded, put.value, 0});
        continue;
      }
      const std::string_view head = std::string_view(put.key).substr(0, put.log_index_at);
      const size_t key = arena.size();
      arena.append(head);
      PutU64(&arena, index);
      arena.append(std::string_view(put.key).substr(head.size()));
      put_arena(put.family, key, ValueKind::kEncoded, put.value, 0);
    }
    for (const merkle::Node& node : range.Append(leaf.leaf_hash)) {
      const size_t key = arena.size();
      PutU8(&arena, static_cast<uint8_t>(node.id.level));
      PutU64(&arena, node.id.index);
      node_hashes.push_back(node.hash);
      put_arena(ColumnFamily::kTreeNodes, key, ValueKind::kNodeHash, {}, node_hashes.size() - 1);
    }
  }
  for (AppendedLeaf& r : results) r.tree_size = range.size();
  if (fresh.empty()) return results;  // only duplicates: nothing to write

  std::stable_sort(puts.begin(), puts.end(), [&arena](const PendingPut& a, const PendingPut& b) {
    if (a.family != b.family) return a.family < b.family;
    return a.Key(arena) < b.Key(arena);
  });

  const char version = static_cast<char>(kValueVersion);
  const rocksdb::Slice version_slice(&version, 1);
  rocksdb::WriteBatch batch(leaf_bytes + puts.size() * 160);
  for (const PendingPut& put : puts) {
    const std::string_view key = put.Key(arena);
    const rocksdb::Slice key_slice(key.data(), key.size());
    rocksdb::ColumnFamilyHandle* family = store_->Family(static_cast<ColumnFamily>(put.family));
    rocksdb::Slice payload(put.value.data(), put.value.size());
    if (put.kind == ValueKind::kArenaIndex) {
      payload = rocksdb::Slice(arena.data() + put.value_ref, 8);
    } else if (put.kind == ValueKind::kNodeHash) {
      const merkle::Hash& h = node_hashes[put.value_ref];
      payload = rocksdb::Slice(reinterpret_cast<const char*>(h.data()), h.size());
    }
    if (put.kind == ValueKind::kEncoded) {
      ORIGO_RETURN_IF_ERROR(FromRocks(batch.Put(family, key_slice, payload), "batch put"));
    } else {
      rocksdb::Slice value[2] = {version_slice, payload};
      ORIGO_RETURN_IF_ERROR(FromRocks(
          batch.Put(family, rocksdb::SliceParts(&key_slice, 1), rocksdb::SliceParts(value, 2)),
          "batch put"));
    }
  }

  origo::store::v1::TreeState state;
  state.set_size(range.size());
  for (const merkle::Hash& h : range.frontier()) state.add_frontier(HashBytes(h));
  batch.Put(store_->Family(ColumnFamily::kMeta), kTreeKey, EncodeValue(state));
  ORIGO_RETURN_IF_ERROR(store_->Write(&batch));
  absl::MutexLock lock(&mu_);
  range_ = std::move(range);
  return results;
}

absl::StatusOr<std::optional<std::string>> EventLog::Read(ColumnFamily cf, std::string_view key,
                                                          const ReadView* view) const {
  return view ? view->Get(cf, key) : store_->Get(cf, key);
}

absl::StatusOr<std::optional<uint64_t>> EventLog::FindEvent(std::string_view raw_event_id,
                                                            const ReadView* view) const {
  ORIGO_ASSIGN_OR_RETURN(auto value, Read(ColumnFamily::kEventIndex, raw_event_id, view));
  if (!value.has_value()) return std::nullopt;
  ORIGO_ASSIGN_OR_RETURN(std::string_view payload, DecodeRawValue(*value, "event index entry"));
  ORIGO_ASSIGN_OR_RETURN(uint64_t index, DecodeU64Key(payload));
  return index;
}

absl::StatusOr<std::string> EventLog::GetLeaf(uint64_t index, const ReadView* view) const {
  ORIGO_ASSIGN_OR_RETURN(auto value, Read(ColumnFamily::kLogEntries, U64Key(index), view));
  if (!value.has_value()) {
    return absl::NotFoundError("no log entry at index " + std::to_string(index));
  }
  ORIGO_ASSIGN_OR_RETURN(std::string_view payload, DecodeRawValue(*value, "log leaf"));
  return std::string(payload);
}

absl::StatusOr<std::vector<std::string>> EventLog::GetLeaves(uint64_t start, uint64_t count,
                                                             const ReadView* view) const {
  std::vector<std::string> out;
  std::unique_ptr<ReadView> own;
  if (view == nullptr) {
    own = store_->Snapshot();
    view = own.get();
  }
  auto it = view->NewIterator(ColumnFamily::kLogEntries);
  uint64_t expected = start;
  for (it->Seek(U64Key(start)); it->Valid() && out.size() < count; it->Next()) {
    ORIGO_ASSIGN_OR_RETURN(uint64_t index, DecodeU64Key(it->key().ToStringView()));
    if (index != expected) {
      return absl::DataLossError("log entry " + std::to_string(expected) + " is missing");
    }
    ORIGO_ASSIGN_OR_RETURN(std::string_view payload,
                           DecodeRawValue(it->value().ToStringView(), "log leaf"));
    out.emplace_back(payload);
    ++expected;
  }
  ORIGO_RETURN_IF_ERROR(FromRocks(it->status(), "scan log entries"));
  return out;
}

absl::StatusOr<merkle::Hash> EventLog::GetNode(uint32_t level, uint64_t index,
                                               const ReadView* view) const {
  ORIGO_ASSIGN_OR_RETURN(auto value, Read(ColumnFamily::kTreeNodes,
                                          TreeNodeKey(static_cast<uint8_t>(level), index), view));
  if (!value.has_value()) {
    return absl::DataLossError("tree node (" + std::to_string(level) + ", " +
                               std::to_string(index) + ") is missing");
  }
  ORIGO_ASSIGN_OR_RETURN(std::string_view payload, DecodeRawValue(*value, "tree node"));
  auto hash = merkle::HashFromBytes(payload);
  if (!hash.ok()) return absl::DataLossError("tree node is not 32 bytes");
  return *hash;
}

absl::Status EventLog::GetNodes(const std::vector<merkle::NodeId>& ids, const ReadView* view,
                                std::vector<merkle::Hash>* out) const {
  out->assign(ids.size(), merkle::Hash{});
  if (ids.empty()) return absl::OkStatus();
  std::vector<std::string> keys;
  std::vector<rocksdb::Slice> slices;
  keys.reserve(ids.size());
  slices.reserve(ids.size());
  for (const merkle::NodeId& id : ids) {
    keys.push_back(TreeNodeKey(static_cast<uint8_t>(id.level), id.index));
    slices.emplace_back(keys.back());
  }
  std::vector<rocksdb::PinnableSlice> values(ids.size());
  std::vector<rocksdb::Status> statuses(ids.size());
  rocksdb::ReadOptions options = view ? view->options() : rocksdb::ReadOptions();
  store_->db()->MultiGet(options, store_->Family(ColumnFamily::kTreeNodes), slices.size(),
                         slices.data(), values.data(), statuses.data());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (statuses[i].IsNotFound()) {
      return absl::DataLossError("tree node (" + std::to_string(ids[i].level) + ", " +
                                 std::to_string(ids[i].index) + ") is missing");
    }
    ORIGO_RETURN_IF_ERROR(FromRocks(statuses[i], "read tree_nodes"));
    ORIGO_ASSIGN_OR_RETURN(std::string_view payload,
                           DecodeRawValue(values[i].ToStringView(), "tree node"));
    auto hash = merkle::HashFromBytes(payload);
    if (!hash.ok()) return absl::DataLossError("tree node is not 32 bytes");
    (*out)[i] = *hash;
  }
  return absl::OkStatus();
}

absl::StatusOr<merkle::Hash> EventLog::RootAt(uint64_t size, const ReadView* view) const {
  auto fetch = [this, view](const std::vector<merkle::NodeId>& ids,
                            std::vector<merkle::Hash>* out) { return GetNodes(ids, view, out); };
  return WithPrefetchedNodes(
      [size](merkle::NodeReader reader) { return merkle::RootAt(size, reader); }, fetch);
}

absl::StatusOr<std::vector<merkle::Hash>> EventLog::InclusionProof(uint64_t index, uint64_t size,
                                                                   const ReadView* view) const {
  auto fetch = [this, view](const std::vector<merkle::NodeId>& ids,
                            std::vector<merkle::Hash>* out) { return GetNodes(ids, view, out); };
  return WithPrefetchedNodes(
      [index, size](merkle::NodeReader reader) {
        return merkle::InclusionProof(index, size, reader);
      },
      fetch);
}

absl::StatusOr<std::vector<merkle::Hash>> EventLog::ConsistencyProof(uint64_t from, uint64_t to,
                                                                     const ReadView* view) const {
  auto fetch = [this, view](const std::vector<merkle::NodeId>& ids,
                            std::vector<merkle::Hash>* out) { return GetNodes(ids, view, out); };
  return WithPrefetchedNodes(
      [from, to](merkle::NodeReader reader) { return merkle::ConsistencyProof(from, to, reader); },
      fetch);
}

absl::StatusOr<std::vector<uint64_t>> EventLog::EventsFor(std::string_view identifier, size_t limit,
                                                          const ReadView* view,
                                                          uint64_t from) const {
  std::unique_ptr<ReadView> own;
  if (view == nullptr) {
    own = store_->Snapshot();
    view = own.get();
  }
  std::string prefix = IdentifierPrefix(identifier);
  std::vector<uint64_t> out;
  auto it = view->NewIterator(ColumnFamily::kIdentifierIndex);
  for (it->Seek(IdentifierKey(identifier, from)); it->Valid() && out.size() < limit; it->Next()) {
    std::string_view key = it->key().ToStringView();
    if (key.substr(0, prefix.size()) != prefix) break;
    ORIGO_ASSIGN_OR_RETURN(uint64_t index, DecodeU64Key(key.substr(prefix.size())));
    out.push_back(index);
  }
  ORIGO_RETURN_IF_ERROR(FromRocks(it->status(), "scan identifier index"));
  return out;
}

absl::Status EventLog::PutCheckpoint(uint64_t size, const merkle::Hash& root,
                                     const std::string& note, int64_t signed_unix_ms) {
  origo::store::v1::StoredCheckpoint stored;
  stored.set_size(size);
  stored.set_root(HashBytes(root));
  stored.set_note(note);
  stored.set_signed_unix_ms(signed_unix_ms);
  rocksdb::WriteBatch batch;
  std::string value = EncodeValue(stored);
  batch.Put(store_->Family(ColumnFamily::kCheckpoints), U64Key(size), value);
  batch.Put(store_->Family(ColumnFamily::kMeta), kLatestCheckpointKey, value);
  return store_->Write(&batch);
}

absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> EventLog::LatestCheckpoint(
    const ReadView* view) const {
  ORIGO_ASSIGN_OR_RETURN(auto value, Read(ColumnFamily::kMeta, kLatestCheckpointKey, view));
  if (!value.has_value()) return std::nullopt;
  origo::store::v1::StoredCheckpoint stored;
  ORIGO_RETURN_IF_ERROR(DecodeValue(*value, &stored, "latest checkpoint"));
  return std::make_pair(stored.size(), stored.note());
}

absl::StatusOr<std::optional<std::string>> EventLog::CheckpointAt(uint64_t size,
                                                                  const ReadView* view) const {
  ORIGO_ASSIGN_OR_RETURN(auto value, Read(ColumnFamily::kCheckpoints, U64Key(size), view));
  if (!value.has_value()) return std::nullopt;
  origo::store::v1::StoredCheckpoint stored;
  ORIGO_RETURN_IF_ERROR(DecodeValue(*value, &stored, "checkpoint"));
  return stored.note();
}

absl::StatusOr<std::vector<std::pair<uint64_t, std::string>>> EventLog::AllCheckpoints(
    const ReadView* view) const {
  std::unique_ptr<ReadView> own;
  if (view == nullptr) {
    own = store_->Snapshot();
    view = own.get();
  }
  std::vector<std::pair<uint64_t, std::string>> out;
  auto it = view->NewIterator(ColumnFamily::kCheckpoints);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    origo::store::v1::StoredCheckpoint stored;
    ORIGO_RETURN_IF_ERROR(DecodeValue(it->value().ToStringView(), &stored, "checkpoint"));
    out.emplace_back(stored.size(), stored.note());
  }
  ORIGO_RETURN_IF_ERROR(FromRocks(it->status(), "scan checkpoints"));
  return out;
}

}  // namespace origo::storage
