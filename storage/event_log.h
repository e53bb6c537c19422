#ifndef ORIGO_STORAGE_EVENT_LOG_H_
#define ORIGO_STORAGE_EVENT_LOG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/merkle/compact_range.h"
#include "core/merkle/merkle.h"
#include "storage/store.h"

namespace origo::storage {

// One write to an index family made together with an event (lineage facts and edges).
struct IndexPut {
  static constexpr size_t kNoLogIndex = SIZE_MAX;
  ColumnFamily family;
  std::string key;
  std::string value;
  // When set, EventLog::Append inserts the event's log index (u64) into the key at this offset:
  // for keys that list an identifier's events in log order (the lineage facts), which then stand
  // in for the identifier's identifier-index entry (see LeafToAppend::identifiers).
  size_t log_index_at = kNoLogIndex;
};

// One event ready to be appended: everything is computed before sequencing, so that appending
// is only index assignment, tree maintenance and one write.
struct LeafToAppend {
  std::string event_id;    // raw 32-byte SHA-256 of the event bytes
  std::string leaf;        // deterministic LogLeaf bytes
  merkle::Hash leaf_hash;  // merkle::LeafHash(leaf)
  // Canonical Digital Link paths and query terms the identifier index lists the event under.
  // Identifiers that an index put lists by log index (a lineage fact) are left out: the fact is
  // their entry (LineageIndex::EventsFor reads both).
  std::vector<std::string> identifiers;
  // Further index writes, made in the same WriteBatch as the leaf, and only when the event is new
  // (not for duplicates). Keys do not depend on the log index except through log_index_at.
  std::vector<IndexPut> index_puts;
};

struct AppendedLeaf {
  uint64_t index = 0;
  bool duplicate = false;  // already in the log (or earlier in the same append): original index
  uint64_t tree_size = 0;  // the log's size once the append that carried this leaf was written
};

struct TreeHead {
  uint64_t size = 0;
  merkle::Hash root{};
};

// The transparency log on the Store: leaves by index, complete Merkle nodes by (level, index),
// the event-id index, the identifier index, the tree state and signed checkpoints.
//
// Thread-safety: Append must be called by one thread at a time (the sequencer); every read
// method may run concurrently with it and with each other.
class EventLog {
 public:
  // Loads the tree state. DATA_LOSS when it is unreadable or disagrees with the stored nodes.
  static absl::StatusOr<std::unique_ptr<EventLog>> Open(Store* store);

  // Appends `leaves` in order as ONE synced WriteBatch (leaves, nodes, indexes, each new leaf's
  // index_puts, tree state).
  // An event already in the log, or repeated within `leaves`, is not stored again: its result
  // carries the original index and duplicate=true. On error nothing is written and the
  // in-memory tree is unchanged.
  absl::StatusOr<std::vector<AppendedLeaf>> Append(const std::vector<const LeafToAppend*>& leaves);

  // The current (latest written) size and root.
  TreeHead Head() const ABSL_LOCKS_EXCLUDED(mu_);

  // Reads, at a consistent snapshot `view` (or the latest state when null). RootAt and the
  // proofs fetch all the tree nodes they need with one MultiGet.
  absl::StatusOr<std::optional<uint64_t>> FindEvent(std::string_view raw_event_id,
                                                    const ReadView* view) const;
  absl::StatusOr<std::string> GetLeaf(uint64_t index, const ReadView* view) const;
  absl::StatusOr<std::vector<std::string>> GetLeaves(uint64_t start, uint64_t count,
                                                     const ReadView* view) const;
  absl::StatusOr<merkle::Hash> GetNode(uint32_t level, uint64_t index, const ReadView* view) const;
  // The hashes of `ids`, in order, read with one MultiGet. DATA_LOSS when one is missing.
  absl::Status GetNodes(const std::vector<merkle::NodeId>& ids, const ReadView* view,
                        std::vector<merkle::Hash>* out) const;
  absl::StatusOr<merkle::Hash> RootAt(uint64_t size, const ReadView* view) const;
  absl::StatusOr<std::vector<merkle::Hash>> InclusionProof(uint64_t index, uint64_t size,
                                                           const ReadView* view) const;
  absl::StatusOr<std::vector<merkle::Hash>> ConsistencyProof(uint64_t from, uint64_t to,
                                                             const ReadView* view) const;
  // Log indexes of the events the identifier index lists under `identifier` (a query term, or
  // an identifier the event has no lineage fact for: LineageIndex::EventsFor adds those),
  // ascending, at most `limit`; with `from`, only those at or above it.
  absl::StatusOr<std::vector<uint64_t>> EventsFor(std::string_view identifier, size_t limit,
                                                  const ReadView* view, uint64_t from = 0) const;

  // Checkpoints. Put writes (synced) the signed note for `size`; sizes only grow.
  absl::Status PutCheckpoint(uint64_t size, const merkle::Hash& root, const std::string& note,
                             int64_t signed_unix_ms);
  // The latest checkpoint's (size, note), nullopt when none was signed yet.
  absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> LatestCheckpoint(
      const ReadView* view) const;
  absl::StatusOr<std::optional<std::string>> CheckpointAt(uint64_t size,
                                                          const ReadView* view) const;
  // Every stored checkpoint in size order (for audits).
  absl::StatusOr<std::vector<std::pair<uint64_t, std::string>>> AllCheckpoints(
      const ReadView* view) const;

  Store* store() const { return store_; }

 private:
  explicit EventLog(Store* store, merkle::CompactRange range)
      : store_(store), range_(std::move(range)) {}
  absl::StatusOr<std::optional<std::string>> Read(ColumnFamily cf, std::string_view key,
                                                  const ReadView* view) const;

  Store* store_;
  mutable absl::Mutex mu_;
  merkle::CompactRange range_ ABSL_GUARDED_BY(mu_);
};

}  // namespace origo::storage

#endif  // ORIGO_STORAGE_EVENT_LOG_H_
