#ifndef ORIGO_CLIENTS_CLI_EVIDENCE_H_
#define ORIGO_CLIENTS_CLI_EVIDENCE_H_

// Client-side checks of what the log serves: one event's evidence (origo verify) and the
// append-only property between two checkpoints (origo audit). Pure functions over the responses;
// the caller fetches. Nothing here trusts the server: keys are identified by the hash of their
// SPKI DER, checkpoints by the pinned log key.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/note.h"
#include "origo/v1/capture.pb.h"
#include "origo/v1/registry.pb.h"

namespace origo::cli {

// A log entry named on the command line: a hex event id (64 hex digits) or a decimal index.
struct EntryRef {
  std::optional<std::string> event_id;  // lowercase
  std::optional<uint64_t> index;
};

// Parses EVENT_ID|INDEX. INVALID_ARGUMENT when it is neither.
absl::StatusOr<EntryRef> ParseEntryRef(std::string_view text);

// One named check with its verdict; `detail` says what was established, or why it failed.
struct Check {
  std::string name;
  bool ok = false;
  std::string detail;
};

// The result of checking one event's evidence.
struct EventReport {
  uint64_t index = 0;
  std::string event_id;
  std::string event;       // the event's exact bytes (JSON), empty if the leaf did not parse
  std::string enterprise;  // from the manifest
  std::string key_id;      // from the manifest
  uint64_t tree_size = 0;  // of the proof
  std::vector<Check> checks;

  // True when there are checks and every one passed.
  bool ok() const;
};

// Fetches the registered keys of an enterprise (USCI).
using KeyFetcher = absl::FunctionRef<absl::StatusOr<std::vector<origo::v1::EnterpriseKey>>(
    const std::string& usci)>;

// Checks, in order: "leaf" (LogLeaf parses, deterministic encoding, is the entry asked for),
// "manifest" (parses), "signing key" (the manifest's key is registered for its enterprise and
// its PEM hashes to the manifest's key id), "batch evidence" (batch::VerifyLeafEvidence),
// "checkpoint signature" (signed by `log_verifier`, matching the response's parsed fields),
// "checkpoint size" (the checkpoint is at the proof's tree size) and "inclusion" (LeafHash of the
// leaf bytes is at the index under the checkpoint's root). A check whose prerequisite failed is
// reported as failed, saying so.
EventReport VerifyEventEvidence(const EntryRef& requested,
                                const origo::v1::GetInclusionProofResponse& response,
                                KeyFetcher fetch_keys,
                                const checkpoint::NoteVerifier& log_verifier);

// Opens a signed checkpoint note with `log_verifier` and checks it against the parsed fields the
// server sent alongside (when `sent` is given). Errors as checkpoint::VerifyCheckpoint, and
// FAILED_PRECONDITION when the sent fields differ from the signed note.
absl::StatusOr<checkpoint::Checkpoint> VerifySentCheckpoint(
    const origo::v1::Checkpoint& sent, const checkpoint::NoteVerifier& log_verifier);

// OK if `latest` extends `saved` (both already verified) according to `proof` (hashes of a
// consistency proof from saved.size to latest.size): same origin; latest.size >= saved.size;
// saved.size == 0 is trivially consistent; equal sizes need equal roots; otherwise
// merkle::VerifyConsistency. FAILED_PRECONDITION naming the violation otherwise ("origin",
// "log shrank", "fork", "root mismatch"); INVALID_ARGUMENT for a malformed proof.
absl::Status CheckConsistency(const checkpoint::Checkpoint& saved,
                              const checkpoint::Checkpoint& latest,
                              const std::vector<std::string>& proof);

}  // namespace origo::cli

#endif  // ORIGO_CLIENTS_CLI_EVIDENCE_H_
