// libFuzzer target: signed-batch decoding and verification (core/batch/batch.h).
//
// Input: arbitrary bytes, decoded as an origo.v1.SignedBatch (as the capture service receives
// one) and, separately, as an origo.v1.LogLeaf (as an offline verifier receives one). Keys are
// fixed (fixed_keys.h): the Ed25519 key, which signed the seeds, and the P-256 key. Checked:
//  - ParseManifest rejects with INVALID_ARGUMENT only, and accepts only deterministic encodings
//    (re-encoding an accepted manifest gives the same bytes);
//  - VerifyBatch answers OK, UNAUTHENTICATED or INVALID_ARGUMENT;
//  - after re-signing the manifest with the fixed key, VerifyBatch is never UNAUTHENTICATED, is
//    OK exactly when the manifest's size and root match the events, and then every event's
//    log leaf (built with BatchTree::Path) passes VerifyLeafEvidence when the manifest names the
//    key (FAILED_PRECONDITION otherwise): the server's check and the offline check agree;
//  - BatchTree's root equals merkle::RootFromLeafHashes over the same events;
//  - VerifyLeafEvidence answers OK, DATA_LOSS or FAILED_PRECONDITION.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch/batch.h"
#include "core/crypto/dsse.h"
#include "core/merkle/merkle.h"
#include "fuzz/fixed_keys.h"
#include "fuzz/fuzz_util.h"
#include "origo/v1/log.pb.h"

namespace origo::fuzz {
namespace {

const crypto::PublicKey& P256Key() {
  static const crypto::PublicKey* key = new crypto::PublicKey(FixedP256Key().Public());
  return *key;
}

std::string HashBytes(const merkle::Hash& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
}

// Leaf indices to check for a batch of n events: the ends and the middle.
std::vector<int> SampleIndices(int n) {
  std::vector<int> out;
  for (int i : {0, n / 2, n - 1}) {
    if (i >= 0 && i < n && (out.empty() || out.back() != i)) out.push_back(i);
  }
  return out;
}

void CheckBatch(const origo::v1::SignedBatch& input) {
  auto manifest = batch::ParseManifest(input.manifest());
  CheckRejection(manifest.status(), {absl::StatusCode::kInvalidArgument}, "ParseManifest");
  if (!manifest.ok()) return;
  ORIGO_FUZZ_CHECK(batch::DeterministicBytes(*manifest) == input.manifest(),
                   "ParseManifest accepted a non-deterministic encoding");

  const crypto::PublicKey ed25519 = FixedEd25519Key().Public();
  const absl::Status as_sent = batch::VerifyBatch(input, *manifest, ed25519);
  CheckRejection(as_sent, {absl::StatusCode::kUnauthenticated, absl::StatusCode::kInvalidArgument},
                 "VerifyBatch (Ed25519)");
  CheckRejection(batch::VerifyBatch(input, *manifest, P256Key()),
                 {absl::StatusCode::kUnauthenticated, absl::StatusCode::kInvalidArgument},
                 "VerifyBatch (P-256)");

  // Re-signed: the signature holds, so the size and root checks decide.
  origo::v1::SignedBatch resigned = input;
  auto signature =
      crypto::SignDsse(FixedEd25519Key(), batch::kManifestPayloadType, input.manifest());
  ORIGO_FUZZ_CHECK(signature.ok(), signature.status().ToString());
  resigned.set_signature(*signature);
  const absl::Status verified = batch::VerifyBatch(resigned, *manifest, ed25519);
  CheckRejection(verified, {absl::StatusCode::kInvalidArgument}, "VerifyBatch (re-signed)");
  ORIGO_FUZZ_CHECK(!as_sent.ok() || verified.ok(), "re-signing broke a verified batch");

  batch::BatchTree tree(input.events());
  std::vector<merkle::Hash> leaf_hashes;
  for (const std::string& event : input.events()) leaf_hashes.push_back(merkle::LeafHash(event));
  ORIGO_FUZZ_CHECK(tree.Root() == merkle::RootFromLeafHashes(leaf_hashes),
                   "BatchTree root differs from RootFromLeafHashes");
  const bool matches = manifest->batch_size() == static_cast<uint32_t>(input.events_size()) &&
                       manifest->batch_root() == HashBytes(tree.Root());
  ORIGO_FUZZ_CHECK(verified.ok() == matches,
                   "VerifyBatch disagrees with the manifest: " + verified.ToString());
  if (!verified.ok()) return;

  for (int i : SampleIndices(input.events_size())) {
    auto path = tree.Path(static_cast<uint64_t>(i));
    ORIGO_FUZZ_CHECK(path.ok(), "no batch path for event " + std::to_string(i) + ": " +
                                    path.status().ToString());
    origo::v1::LogLeaf leaf;
    leaf.set_event(input.events(i));
    leaf.set_batch_index(static_cast<uint32_t>(i));
    for (const merkle::Hash& h : *path) leaf.add_batch_path(HashBytes(h));
    leaf.set_manifest(resigned.manifest());
    leaf.set_signature(resigned.signature());
    const absl::Status evidence = batch::VerifyLeafEvidence(leaf, ed25519);
    if (manifest->key_id() == ed25519.KeyId()) {
      ORIGO_FUZZ_CHECK(evidence.ok(),
                       "event " + std::to_string(i) +
                           " of a verified batch fails VerifyLeafEvidence: " + evidence.ToString());
    } else {
      // VerifyBatch trusts the caller to have looked the key up by the manifest's key id;
      // VerifyLeafEvidence checks it.
      ORIGO_FUZZ_CHECK(evidence.code() == absl::StatusCode::kFailedPrecondition,
                       "leaf evidence under another key id: " + evidence.ToString());
    }
  }
}

void CheckLeaf(const origo::v1::LogLeaf& leaf) {
  const std::initializer_list<absl::StatusCode> codes = {absl::StatusCode::kDataLoss,
                                                         absl::StatusCode::kFailedPrecondition};
  CheckRejection(batch::VerifyLeafEvidence(leaf, FixedEd25519Key().Public()), codes,
                 "VerifyLeafEvidence (Ed25519)");
  CheckRejection(batch::VerifyLeafEvidence(leaf, P256Key()), codes, "VerifyLeafEvidence (P-256)");
}

}  // namespace
}  // namespace origo::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  origo::fuzz::SilenceProtobufLogging();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace origo;
  using namespace origo::fuzz;
  if (size > (1 << 20)) return 0;
  const int length = static_cast<int>(size);
  origo::v1::SignedBatch batch;
  if (batch.ParseFromArray(data, length)) CheckBatch(batch);
  origo::v1::LogLeaf leaf;
  if (leaf.ParseFromArray(data, length)) CheckLeaf(leaf);
  return 0;
}
