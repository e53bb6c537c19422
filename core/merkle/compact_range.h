#ifndef ORIGO_CORE_MERKLE_COMPACT_RANGE_H_
#define ORIGO_CORE_MERKLE_COMPACT_RANGE_H_

// The right edge of an append-only RFC 9162 tree: enough state to append leaves and compute the
// current root in O(log n) memory, and to tell storage which nodes each append completes.

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "core/merkle/merkle.h"

namespace origo::merkle {

// The compact range [0, size): the hashes of the perfect subtrees FrontierIds(size), highest
// level first (at most 64 hashes). Appending a leaf merges equal-sized subtrees at the right
// edge; every node it completes is reported so storage can persist it, which is exactly what a
// NodeReader must later serve for proofs at any size.
//
// A value type: copyable and movable. Not thread-safe; callers serialise mutation (the log has
// one sequencer). Const methods may run concurrently with each other.
class CompactRange {
 public:
  // The empty tree.
  CompactRange() = default;

  // Restores a range from persisted state: `frontier` must hold the hashes of
  // FrontierIds(size), in that order. INVALID_ARGUMENT if the count differs.
  static absl::StatusOr<CompactRange> FromFrontier(uint64_t size, std::vector<Hash> frontier);

  // Restores a range by reading FrontierIds(size) from storage. Reader errors are propagated.
  static absl::StatusOr<CompactRange> FromReader(uint64_t size, NodeReader reader);

  // Number of leaves appended so far.
  uint64_t size() const { return size_; }

  // Hashes of FrontierIds(size()), highest level first.
  const std::vector<Hash>& frontier() const { return frontier_; }

  // Appends one leaf (its LeafHash). Returns the nodes that became complete, bottom-up: first
  // the leaf itself at (0, old size), then each parent it completed, (1, old size / 2), ...
  // Always at least one node; at most 64. Requires size() < 2^64 - 1.
  std::vector<Node> Append(const Hash& leaf_hash);

  // MTH of the current tree: EmptyRoot() when empty. O(log size) hashes.
  Hash Root() const;

 private:
  uint64_t size_ = 0;
  std::vector<Hash> frontier_;
};

}  // namespace origo::merkle

#endif  // ORIGO_CORE_MERKLE_COMPACT_RANGE_H_
