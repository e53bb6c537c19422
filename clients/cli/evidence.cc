#include "clients/cli/evidence.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "core/batch/batch.h"
#include "core/crypto/hash.h"
#include "core/crypto/keys.h"
#include "core/merkle/merkle.h"
#include "origo/v1/log.pb.h"

namespace origo::cli {
namespace {

std::string HexOf(std::string_view bytes) { return crypto::HexEncode(bytes); }

std::string RootHex(const std::array<uint8_t, checkpoint::kRootHashSize>& root) {
  return crypto::HexEncode(
      std::string_view(reinterpret_cast<const char*>(root.data()), root.size()));
}

std::string StatusText(const absl::Status& status) {
  return absl::StatusCodeToString(status.code()) + ": " + std::string(status.message());
}

absl::StatusOr<std::vector<merkle::Hash>> Hashes(
    const google::protobuf::RepeatedPtrField<std::string>& bytes) {
  std::vector<merkle::Hash> hashes;
  hashes.reserve(bytes.size());
  for (const std::string& b : bytes) {
    auto hash = merkle::HashFromBytes(b);
    if (!hash.ok()) return absl::InvalidArgumentError("proof: a hash is not 32 bytes");
    hashes.push_back(*hash);
  }
  return hashes;
}

}  // namespace

absl::StatusOr<EntryRef> ParseEntryRef(std::string_view text) {
  EntryRef ref;
  std::string s(text);
  if (s.size() == 2 * crypto::kSha256Size &&
      std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isxdigit(c); })) {
    ref.event_id = absl::AsciiStrToLower(s);
    return ref;
  }
  uint64_t index = 0;
  if (!s.empty() &&
      std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isdigit(c); }) &&
      absl::SimpleAtoi(s, &index)) {
    ref.index = index;
    return ref;
  }
  return absl::InvalidArgumentError("entry: \"" + s +
                                    "\" is neither an event id (64 hex digits) nor a log index");
}

bool EventReport::ok() const {
  return !checks.empty() &&
         std::all_of(checks.begin(), checks.end(), [](const Check& c) { return c.ok; });
}

absl::StatusOr<checkpoint::Checkpoint> VerifySentCheckpoint(
    const origo::v1::Checkpoint& sent, const checkpoint::NoteVerifier& log_verifier) {
  auto verified = checkpoint::VerifyCheckpoint(sent.note(), log_verifier);
  if (!verified.ok()) return verified.status();
  std::string root(reinterpret_cast<const char*>(verified->root.data()), verified->root.size());
  if (sent.tree_size() != verified->size || sent.root_hash() != root ||
      (!sent.origin().empty() && sent.origin() != verified->origin)) {
    return absl::FailedPreconditionError(
        "checkpoint: the fields sent (size " + std::to_string(sent.tree_size()) + ", root " +
        HexOf(sent.root_hash()) + ") differ from the signed note (size " +
        std::to_string(verified->size) + ", root " + RootHex(verified->root) + ")");
  }
  return verified;
}

EventReport VerifyEventEvidence(const EntryRef& requested,
                                const origo::v1::GetInclusionProofResponse& response,
                                KeyFetcher fetch_keys,
                                const checkpoint::NoteVerifier& log_verifier) {
  EventReport report;
  report.index = response.index();
  report.tree_size = response.proof().tree_size();
  auto add = [&report](std::string name, bool ok, std::string detail) {
    report.checks.push_back(Check{std::move(name), ok, std::move(detail)});
    return ok;
  };

  // Leaf: what the log stores, and that it is the entry asked for.
  origo::v1::LogLeaf leaf;
  bool leaf_ok = false;
  if (!leaf.ParseFromString(response.leaf())) {
    add("leaf", false, "the leaf bytes do not parse as a LogLeaf");
  } else if (batch::DeterministicBytes(leaf) != response.leaf()) {
    add("leaf", false, "the leaf is not in deterministic encoding");
  } else {
    report.event = leaf.event();
    report.event_id = batch::EventId(leaf.event());
    if (requested.event_id && *requested.event_id != report.event_id) {
      add("leaf", false,
          "asked for event " + *requested.event_id + ", the leaf holds event " + report.event_id);
    } else if (requested.index && *requested.index != response.index()) {
      add("leaf", false,
          "asked for index " + std::to_string(*requested.index) +
              ", the server answered for index " + std::to_string(response.index()));
    } else if (response.proof().leaf_index() != response.index()) {
      add("leaf", false,
          "the proof is for index " + std::to_string(response.proof().leaf_index()) + ", not " +
              std::to_string(response.index()));
    } else {
      leaf_ok = add("leaf", true,
                    "event " + report.event_id + " (" + std::to_string(leaf.event().size()) +
                        " bytes) at index " + std::to_string(response.index()));
    }
  }

  // Manifest.
  std::optional<origo::v1::BatchManifest> manifest;
  if (!leaf_ok) {
    add("manifest", false, "not checked: the leaf did not check out");
  } else if (auto parsed = batch::ParseManifest(leaf.manifest()); !parsed.ok()) {
    add("manifest", false, std::string(parsed.status().message()));
  } else {
    manifest = *parsed;
    report.enterprise = manifest->enterprise();
    report.key_id = manifest->key_id();
    add("manifest", true,
        "enterprise " + manifest->enterprise() + ", batch of " +
            std::to_string(manifest->batch_size()) + " (event " +
            std::to_string(leaf.batch_index()) + "), signed at " +
            std::to_string(manifest->signed_unix_ms()) + " ms");
  }

  // Signing key: looked up by id, and the id recomputed from the key itself.
  std::optional<crypto::PublicKey> key;
  if (!manifest) {
    add("signing key", false, "not checked: no manifest");
  } else if (auto keys = fetch_keys(manifest->enterprise()); !keys.ok()) {
    add("signing key", false,
        "cannot fetch the keys of " + manifest->enterprise() + ": " + StatusText(keys.status()));
  } else {
    const origo::v1::EnterpriseKey* found = nullptr;
    for (const origo::v1::EnterpriseKey& k : *keys) {
      if (k.key_id() == manifest->key_id()) found = &k;
    }
    if (found == nullptr) {
      add("signing key", false,
          "key " + manifest->key_id() + " is not registered for " + manifest->enterprise());
    } else if (auto parsed = crypto::PublicKey::FromPem(found->public_key_pem()); !parsed.ok()) {
      add("signing key", false,
          "the registered key does not parse: " + std::string(parsed.status().message()));
    } else if (parsed->KeyId() != manifest->key_id()) {
      add("signing key", false,
          "the key served as " + manifest->key_id() + " hashes to " + parsed->KeyId());
    } else {
      key = *parsed;
      std::string status = found->status() == origo::v1::KEY_STATUS_REVOKED
                               ? "revoked since " + std::to_string(found->revoked_unix_ms()) + " ms"
                               : "active";
      add("signing key", true,
          "key " + parsed->KeyId() + " (" + std::string(crypto::AlgorithmName(key->algorithm())) +
              ", " + status + ") of " + manifest->enterprise() + "; its SPKI hashes to its id");
    }
  }

  // Batch evidence: the event is in the signed batch, and the signature verifies.
  if (!key) {
    add("batch evidence", false, "not checked: no verified signing key");
  } else if (absl::Status evidence = batch::VerifyLeafEvidence(leaf, *key); !evidence.ok()) {
    add("batch evidence", false, std::string(evidence.message()));
  } else {
    add("batch evidence", true,
        "event " + std::to_string(leaf.batch_index()) +
            " of the batch leads to its signed root; "
            "the manifest signature verifies");
  }

  // Checkpoint signature by the log key.
  std::optional<checkpoint::Checkpoint> checkpoint;
  if (auto verified = VerifySentCheckpoint(response.checkpoint(), log_verifier); !verified.ok()) {
    add("checkpoint signature", false, StatusText(verified.status()));
  } else {
    checkpoint = *verified;
    add("checkpoint signature", true,
        "origin " + checkpoint->origin + ", size " + std::to_string(checkpoint->size) +
            ", signed by " + log_verifier.name());
  }

  // The checkpoint is the one the proof is for.
  bool size_ok = false;
  if (!checkpoint) {
    add("checkpoint size", false, "not checked: no verified checkpoint");
  } else if (checkpoint->size != response.proof().tree_size()) {
    add("checkpoint size", false,
        "the proof is for tree size " + std::to_string(response.proof().tree_size()) +
            ", the checkpoint is at " + std::to_string(checkpoint->size));
  } else if (response.index() >= checkpoint->size) {
    add("checkpoint size", false,
        "index " + std::to_string(response.index()) + " is not below the tree size " +
            std::to_string(checkpoint->size));
  } else {
    size_ok = add("checkpoint size", true,
                  "proof and checkpoint are at tree size " + std::to_string(checkpoint->size));
  }

  // Inclusion of the leaf hash under the checkpoint root.
  if (!size_ok) {
    add("inclusion", false, "not checked: no checkpoint matching the proof");
  } else if (auto hashes = Hashes(response.proof().hashes()); !hashes.ok()) {
    add("inclusion", false, std::string(hashes.status().message()));
  } else {
    merkle::Hash leaf_hash = merkle::LeafHash(response.leaf());
    merkle::Hash root;
    std::copy(checkpoint->root.begin(), checkpoint->root.end(), root.begin());
    absl::Status included =
        merkle::VerifyInclusion(response.index(), checkpoint->size, leaf_hash, *hashes, root);
    if (!included.ok()) {
      add("inclusion", false, std::string(included.message()));
    } else {
      add("inclusion", true,
          "leaf hash " + merkle::HashToHex(leaf_hash) + " is at index " +
              std::to_string(response.index()) + " under root " + merkle::HashToHex(root));
    }
  }
  return report;
}

absl::Status CheckConsistency(const checkpoint::Checkpoint& saved,
                              const checkpoint::Checkpoint& latest,
                              const std::vector<std::string>& proof) {
  if (saved.origin != latest.origin) {
    return absl::FailedPreconditionError("origin: the saved checkpoint is of log \"" +
                                         saved.origin + "\", the latest of \"" + latest.origin +
                                         "\"");
  }
  if (latest.size < saved.size) {
    return absl::FailedPreconditionError("log shrank: the saved checkpoint has size " +
                                         std::to_string(saved.size) + ", the latest only " +
                                         std::to_string(latest.size));
  }
  if (saved.size == 0) return absl::OkStatus();
  merkle::Hash root1, root2;
  std::copy(saved.root.begin(), saved.root.end(), root1.begin());
  std::copy(latest.root.begin(), latest.root.end(), root2.begin());
  if (saved.size == latest.size) {
    if (root1 != root2) {
      return absl::FailedPreconditionError(
          "fork: two checkpoints of size " + std::to_string(saved.size) + " with different roots " +
          merkle::HashToHex(root1) + " and " + merkle::HashToHex(root2));
    }
    return absl::OkStatus();
  }
  std::vector<merkle::Hash> hashes;
  for (const std::string& b : proof) {
    auto hash = merkle::HashFromBytes(b);
    if (!hash.ok()) return absl::InvalidArgumentError("proof: a hash is not 32 bytes");
    hashes.push_back(*hash);
  }
  return merkle::VerifyConsistency(saved.size, latest.size, hashes, root1, root2);
}

}  // namespace origo::cli
