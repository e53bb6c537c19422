#ifndef ORIGO_CORE_MERKLE_MERKLE_H_
#define ORIGO_CORE_MERKLE_MERKLE_H_

// RFC 9162 Merkle tree hashing, proofs and proof verification (SHA-256, leaf prefix 0x00,
// node prefix 0x01). Pure computation: no I/O. Storage backs proof generation through a
// NodeReader; the incrementally maintained right edge of the tree is in compact_range.h.
//
// Node addressing. Node (level, index) is the root of the perfect subtree over leaves
// [index * 2^level, (index + 1) * 2^level). Level 0 nodes are leaf hashes. A node is
// *complete at size n* when its whole leaf range lies below n; because the log is append-only,
// a complete node never changes, so storage persists exactly the complete nodes (see
// CompactRange::Append) and every function below asks a NodeReader only for nodes complete at
// the tree size it was given. Roots of non-perfect trees are never stored; they are computed.
//
// Error contract of the verifiers (and of the generators, for their arguments):
//   INVALID_ARGUMENT     the claim or proof is malformed: index >= tree size, size1 > size2,
//                        size1 == 0, a proof of the wrong length for its sizes, a hash of the
//                        wrong length. Nothing was hashed.
//   FAILED_PRECONDITION  the proof is well formed but does not prove the claim: the root it
//                        reproduces differs from the one given. The message starts with
//                        "root mismatch" (or "root1 mismatch" / "root2 mismatch").
//
// Thread-safety: every function here is thread-safe (SHA-256 uses a per-thread OpenSSL context
// around one process-wide EVP_MD fetched once).

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace origo::merkle {

inline constexpr size_t kHashSize = 32;
using Hash = std::array<uint8_t, kHashSize>;

// SHA-256(0x00 || leaf): the hash of a log entry.
Hash LeafHash(std::string_view leaf);
// SHA-256(0x01 || left || right): the hash of an interior node.
Hash NodeHash(const Hash& left, const Hash& right);
// SHA-256(""): the root of the empty tree.
Hash EmptyRoot();

// Converts untrusted bytes (e.g. a base64-decoded root from the wire) to a Hash.
// INVALID_ARGUMENT unless `bytes` is exactly 32 bytes long.
absl::StatusOr<Hash> HashFromBytes(std::string_view bytes);
// Lowercase hex, for messages and logs.
std::string HashToHex(const Hash& hash);

// The reference definition MTH(D[n]) of RFC 9162 §2.1.1 over already-hashed leaves, computed
// recursively. O(n) hashes; meant for tests, small batches and cross-checking.
Hash RootFromLeafHashes(std::span<const Hash> leaf_hashes);

// Address of a stored node; see the file comment.
struct NodeId {
  uint32_t level = 0;
  uint64_t index = 0;

  // First leaf covered.
  uint64_t begin() const { return index << level; }
  // One past the last leaf covered.
  uint64_t end() const { return (index + 1) << level; }

  friend bool operator==(const NodeId&, const NodeId&) = default;
};

// A node with its hash, as handed to storage for persisting.
struct Node {
  NodeId id;
  Hash hash{};

  friend bool operator==(const Node&, const Node&) = default;
};

// The perfect subtrees whose roots summarise a tree of `tree_size` leaves: one per set bit of
// tree_size, highest level (leftmost) first. Empty for size 0. Each is complete at tree_size,
// and folding their hashes right to left with NodeHash gives the root (RFC 9162 MTH).
std::vector<NodeId> FrontierIds(uint64_t tree_size);

// Reads the hash of a node that is complete at the tree size the caller is working with.
// Implementations return the stored hash, or an error (typically NOT_FOUND, or whatever the
// storage layer reports); errors are propagated unchanged by the functions below. Only
// complete nodes are ever requested. Must be callable repeatedly; calls are sequential.
using NodeReader = absl::FunctionRef<absl::StatusOr<Hash>(uint32_t level, uint64_t index)>;

// The root of the tree made of the first `tree_size` leaves (MTH(D[0:tree_size])), for any
// past or current size. EmptyRoot() for size 0 without reading. Reads popcount(tree_size) nodes.
absl::StatusOr<Hash> RootAt(uint64_t tree_size, NodeReader reader);

// The RFC 9162 §2.1.3.1 inclusion proof PATH(index, D[0:tree_size]), lowest sibling first.
// INVALID_ARGUMENT if index >= tree_size. Reads O(log tree_size) nodes.
absl::StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t tree_size,
                                                 NodeReader reader);

// The RFC 9162 §2.1.4.1 consistency proof PROOF(size1, D[0:size2]). Empty when
// size1 == size2. INVALID_ARGUMENT if size1 == 0 (nothing to prove: every tree extends the
// empty tree, and VerifyConsistency rejects size1 == 0) or size1 > size2.
// Reads O(log size2) nodes.
absl::StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2,
                                                   NodeReader reader);

// Number of hashes in a valid inclusion proof for `index` in a tree of `tree_size` leaves.
// Requires index < tree_size (returns 0 otherwise).
size_t InclusionProofSize(uint64_t index, uint64_t tree_size);
// Number of hashes in a valid consistency proof from size1 to size2.
// Requires 0 < size1 <= size2 (returns 0 otherwise).
size_t ConsistencyProofSize(uint64_t size1, uint64_t size2);

// RFC 9162 §2.1.3.2: OK iff `proof` proves that the leaf with hash `leaf_hash` is at `index`
// in the tree of `tree_size` leaves whose root is `root`. Errors as in the file comment:
// INVALID_ARGUMENT for index >= tree_size or a proof of the wrong length, FAILED_PRECONDITION
// ("root mismatch ...") when the proof leads to another root.
absl::Status VerifyInclusion(uint64_t index, uint64_t tree_size, const Hash& leaf_hash,
                             std::span<const Hash> proof, const Hash& root);

// RFC 9162 §2.1.4.2: OK iff `proof` proves that the tree of size1 leaves with root `root1` is a
// prefix of the tree of size2 leaves with root `root2`. When size1 == size2 the proof must be
// empty and the roots equal. INVALID_ARGUMENT for size1 == 0, size1 > size2 or a proof of the
// wrong length (including an empty proof when size1 < size2); FAILED_PRECONDITION
// ("root1 mismatch" / "root2 mismatch" / "root mismatch") when a root is not reproduced.
absl::Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                               const Hash& root1, const Hash& root2);

}  // namespace origo::merkle

#endif  // ORIGO_CORE_MERKLE_MERKLE_H_
