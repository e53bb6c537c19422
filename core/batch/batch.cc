#include "core/batch/batch.h"

#include "absl/status/status.h"
#include "core/base/status_macros.h"
#include "core/crypto/dsse.h"
#include "core/crypto/hash.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace origo::batch {

std::string DeterministicBytes(const google::protobuf::MessageLite& message) {
  // The size is known (and cached for SerializeWithCachedSizes), so the output is allocated once
  // and written in place rather than grown through a StringOutputStream.
  const size_t size = message.ByteSizeLong();
  std::string out(size, '\0');
  {
    google::protobuf::io::ArrayOutputStream stream(out.data(), static_cast<int>(size));
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeWithCachedSizes(&coded);
  }
  return out;
}

std::string EventId(std::string_view event) {
  crypto::Sha256Digest digest = crypto::Sha256(event);
  return crypto::HexEncode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

void BatchTree::Build() {
  while (levels_.back().size() >= 2) {
    const std::vector<merkle::Hash>& below = levels_.back();
    std::vector<merkle::Hash> above;
    above.reserve(below.size() / 2);
    for (size_t i = 0; i + 1 < below.size(); i += 2) {
      above.push_back(merkle::NodeHash(below[i], below[i + 1]));
    }
    levels_.push_back(std::move(above));
  }
}

merkle::Hash BatchTree::Root() const {
  if (size() == 0) return merkle::EmptyRoot();
  auto reader = [this](uint32_t level, uint64_t node) -> absl::StatusOr<merkle::Hash> {
    if (level >= levels_.size() || node >= levels_[level].size()) {
      return absl::InternalError("incomplete batch subtree requested");
    }
    return levels_[level][node];
  };
  auto root = merkle::RootAt(size(), reader);
  return root.ok() ? *root : merkle::EmptyRoot();
}

absl::StatusOr<std::vector<merkle::Hash>> BatchTree::Path(uint64_t index) const {
  auto reader = [this](uint32_t level, uint64_t node) -> absl::StatusOr<merkle::Hash> {
    if (level >= levels_.size() || node >= levels_[level].size()) {
      return absl::InternalError("incomplete batch subtree requested");
    }
    return levels_[level][node];
  };
  return merkle::InclusionProof(index, size(), reader);
}

absl::StatusOr<origo::v1::SignedBatch> SignBatch(const std::vector<std::string>& events,
                                                 const std::string& usci,
                                                 const crypto::PrivateKey& key,
                                                 int64_t signed_unix_ms) {
  if (events.empty()) return absl::InvalidArgumentError("events: a batch needs at least one");
  BatchTree tree(events);
  merkle::Hash root = tree.Root();
  origo::v1::BatchManifest manifest;
  manifest.set_enterprise(usci);
  manifest.set_key_id(key.Public().KeyId());
  manifest.set_batch_size(static_cast<uint32_t>(events.size()));
  manifest.set_batch_root(std::string(reinterpret_cast<const char*>(root.data()), root.size()));
  manifest.set_signed_unix_ms(signed_unix_ms);
  std::string manifest_bytes = DeterministicBytes(manifest);
  ORIGO_ASSIGN_OR_RETURN(std::string signature,
                         crypto::SignDsse(key, kManifestPayloadType, manifest_bytes));
  origo::v1::SignedBatch batch;
  batch.set_manifest(std::move(manifest_bytes));
  batch.set_signature(std::move(signature));
  for (const std::string& e : events) batch.add_events(e);
  return batch;
}

absl::StatusOr<origo::v1::BatchManifest> ParseManifest(std::string_view manifest_bytes) {
  origo::v1::BatchManifest manifest;
  if (manifest_bytes.size() > 4096 ||
      !manifest.ParseFromArray(manifest_bytes.data(), static_cast<int>(manifest_bytes.size()))) {
    return absl::InvalidArgumentError("manifest: does not parse as a BatchManifest");
  }
  if (DeterministicBytes(manifest) != manifest_bytes) {
    return absl::InvalidArgumentError("manifest: not in deterministic protobuf encoding");
  }
  return manifest;
}

absl::Status VerifyBatch(const origo::v1::SignedBatch& batch,
                         const origo::v1::BatchManifest& manifest, const crypto::PublicKey& key) {
  return VerifyBatch(batch, manifest, key, BatchTree(batch.events()));
}

absl::Status VerifyBatch(const origo::v1::SignedBatch& batch,
                         const origo::v1::BatchManifest& manifest, const crypto::PublicKey& key,
                         const BatchTree& tree) {
  absl::Status signature =
      crypto::VerifyDsse(key, kManifestPayloadType, batch.manifest(), batch.signature());
  if (!signature.ok()) {
    return absl::Status(signature.code(),
                        "signature: manifest signature does not verify under key " + key.KeyId() +
                            ": " + std::string(signature.message()));
  }
  if (manifest.batch_size() != static_cast<uint32_t>(batch.events_size())) {
    return absl::InvalidArgumentError(
        "manifest.batch_size: manifest says " + std::to_string(manifest.batch_size()) +
        " events, batch carries " + std::to_string(batch.events_size()));
  }
  if (tree.size() != static_cast<size_t>(batch.events_size())) {
    return absl::InternalError("batch tree was built over another batch");
  }
  merkle::Hash root = tree.Root();
  if (manifest.batch_root() !=
      std::string_view(reinterpret_cast<const char*>(root.data()), root.size())) {
    return absl::InvalidArgumentError(
        "manifest.batch_root: does not match the Merkle root of the events sent");
  }
  return absl::OkStatus();
}

absl::Status VerifyLeafEvidence(const origo::v1::LogLeaf& leaf, const crypto::PublicKey& key) {
  auto manifest = ParseManifest(leaf.manifest());
  if (!manifest.ok()) {
    return absl::DataLossError("leaf manifest: " + std::string(manifest.status().message()));
  }
  if (manifest->key_id() != key.KeyId()) {
    return absl::FailedPreconditionError("key id: manifest names key " + manifest->key_id() +
                                         ", verifying key is " + key.KeyId());
  }
  std::vector<merkle::Hash> path;
  for (const std::string& h : leaf.batch_path()) {
    auto hash = merkle::HashFromBytes(h);
    if (!hash.ok()) return absl::DataLossError("batch path: a hash is not 32 bytes");
    path.push_back(*hash);
  }
  auto root = merkle::HashFromBytes(manifest->batch_root());
  if (!root.ok()) return absl::DataLossError("batch path: manifest batch root is not 32 bytes");
  absl::Status included = merkle::VerifyInclusion(leaf.batch_index(), manifest->batch_size(),
                                                  merkle::LeafHash(leaf.event()), path, *root);
  if (!included.ok()) {
    return absl::DataLossError("batch path: the event does not lead to the signed batch root (" +
                               std::string(included.message()) + ")");
  }
  absl::Status signature =
      crypto::VerifyDsse(key, kManifestPayloadType, leaf.manifest(), leaf.signature());
  if (!signature.ok()) {
    return absl::DataLossError("signature: the batch manifest signature does not verify (" +
                               std::string(signature.message()) + ")");
  }
  return absl::OkStatus();
}

}  // namespace origo::batch
