#ifndef ORIGO_CORE_CHECKPOINT_CHECKPOINT_H_
#define ORIGO_CORE_CHECKPOINT_CHECKPOINT_H_

// Transparency-log checkpoints in the C2SP tlog-checkpoint format
// (https://c2sp.org/tlog-checkpoint), carried as the text of a C2SP signed note (note.h).
//
// Body grammar (LF = 0x0A):
//
//   body       = origin LF size LF root LF *( extension LF )
//   origin     = 1*char                 ; the log's identity, e.g. "origo.example/log"
//   size       = "0" | %x31-39 *DIGIT   ; tree size, decimal, no leading zeros, < 2^64
//   root       = base64( 32-byte root hash )   ; standard alphabet, padded, canonical
//   extension  = 1*char                 ; opaque, non-empty
//   char       = any UTF-8 character except LF and ASCII control characters
//
// Errors: INVALID_ARGUMENT naming the line and rule for malformed bodies and notes,
// UNAUTHENTICATED when the verifier's signature is missing or bad (see OpenNote).
//
// Thread-safety: free functions and a plain struct; thread-safe.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/checkpoint/note.h"

namespace origo::checkpoint {

inline constexpr size_t kRootHashSize = 32;

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  std::array<uint8_t, kRootHashSize> root{};
  std::vector<std::string> extensions;  // extension lines, without their LF

  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// OK if FormatBody(checkpoint) is a valid body that ParseBody maps back to `checkpoint`:
// non-empty origin and extensions, no LF or control characters in them, well-formed UTF-8.
absl::Status ValidateCheckpoint(const Checkpoint& checkpoint);

// The body text of `checkpoint` (the signed part of the note). Does not validate; a checkpoint
// failing ValidateCheckpoint gives a body that does not parse back to it.
std::string FormatBody(const Checkpoint& checkpoint);

// Parses a body per the grammar. INVALID_ARGUMENT on any deviation, including non-canonical
// numbers ("007"), a root that is not 32 bytes, non-canonical base64, a missing final LF,
// or a body larger than kMaxNoteSize.
absl::StatusOr<Checkpoint> ParseBody(std::string_view body);

// Parses and verifies a signed checkpoint note and returns the checkpoint. The note must carry a
// valid signature by `verifier`; signatures of other keys are ignored (OpenNote semantics).
// INVALID_ARGUMENT for a malformed note or body, UNAUTHENTICATED for a missing or bad signature.
absl::StatusOr<Checkpoint> VerifyCheckpoint(std::string_view signed_note,
                                            const NoteVerifier& verifier);

}  // namespace origo::checkpoint

#endif  // ORIGO_CORE_CHECKPOINT_CHECKPOINT_H_
