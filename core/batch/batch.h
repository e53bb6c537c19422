#ifndef ORIGO_CORE_BATCH_BATCH_H_
#define ORIGO_CORE_BATCH_BATCH_H_

// Signed batches and log leaves (DESIGN §5): how producers sign a batch, how the server checks
// one, and how anyone checks one log leaf offline.
//
//   batch root   = RFC 9162 Merkle root over the events, leaf i = event i's exact bytes
//   manifest     = deterministic encoding of origo.v1.BatchManifest
//   signature    = Sign(DSSE PAE(kManifestPayloadType, manifest))
//   log leaf     = deterministic encoding of origo.v1.LogLeaf; log leaf hash = LeafHash(leaf)
//   event id     = lowercase hex SHA-256(event bytes)

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/crypto/keys.h"
#include "core/merkle/merkle.h"
#include "origo/v1/log.pb.h"

namespace origo::batch {

inline constexpr std::string_view kManifestPayloadType =
    "application/vnd.origo.batch-manifest.v1+protobuf";

// Deterministic protobuf encoding (the bytes that are hashed or signed).
std::string DeterministicBytes(const google::protobuf::MessageLite& message);

// Lowercase hex SHA-256 of the event bytes.
std::string EventId(std::string_view event);

// Merkle tree over one batch's events. Immutable after construction; thread-compatible.
class BatchTree {
 public:
  template <typename Range>
  explicit BatchTree(const Range& events) {
    levels_.emplace_back();
    for (const auto& e : events) levels_[0].push_back(merkle::LeafHash(std::string_view(e)));
    Build();
  }
  size_t size() const { return levels_[0].size(); }
  merkle::Hash Root() const;
  // Audit path of event `index` to Root(); INVALID_ARGUMENT when out of range.
  absl::StatusOr<std::vector<merkle::Hash>> Path(uint64_t index) const;

 private:
  void Build();
  // levels_[k][i] is the perfect subtree (k, i); only complete subtrees are kept.
  std::vector<std::vector<merkle::Hash>> levels_;
};

// Producer side: builds the manifest for `events`, signs it with `key`, returns the batch.
// `key_id` is the signing key's id; `signed_unix_ms` the signing time.
absl::StatusOr<origo::v1::SignedBatch> SignBatch(const std::vector<std::string>& events,
                                                 const std::string& usci,
                                                 const crypto::PrivateKey& key,
                                                 int64_t signed_unix_ms);

// Parses the manifest bytes of a batch. INVALID_ARGUMENT when they do not parse or are not in
// deterministic form (a manifest must have exactly one encoding).
absl::StatusOr<origo::v1::BatchManifest> ParseManifest(std::string_view manifest_bytes);

// Server side, after looking up the manifest's key: checks the signature over the manifest and
// that the manifest's size and root match `events`. Errors: UNAUTHENTICATED for a bad
// signature; INVALID_ARGUMENT for a size or root mismatch, naming which.
absl::Status VerifyBatch(const origo::v1::SignedBatch& batch,
                         const origo::v1::BatchManifest& manifest, const crypto::PublicKey& key);
// As above, with the tree over batch.events() already built (the capture path builds it once
// and also takes each event's batch path from it).
absl::Status VerifyBatch(const origo::v1::SignedBatch& batch,
                         const origo::v1::BatchManifest& manifest, const crypto::PublicKey& key,
                         const BatchTree& tree);

// Checks one leaf offline: the event's path leads to the manifest's batch root, and the
// manifest's signature verifies under `key` (whose id must equal the manifest's key id).
// Errors name the failed check: "batch path", "signature", "key id".
absl::Status VerifyLeafEvidence(const origo::v1::LogLeaf& leaf, const crypto::PublicKey& key);

}  // namespace origo::batch

#endif  // ORIGO_CORE_BATCH_BATCH_H_
