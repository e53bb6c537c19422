#ifndef ORIGO_CORE_CHECKPOINT_NOTE_H_
#define ORIGO_CORE_CHECKPOINT_NOTE_H_

// C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys, byte-compatible with Go's
// golang.org/x/mod/sumdb/note and the transparency-log ecosystem (witnesses, monitors).
//
// Format, as a grammar:
//
//   note       = text LF sig-line+              ; split at the LAST occurrence of LF LF
//   text       = 1*( char | LF ), ending in LF   ; SignNote also refuses blank lines in text
//   sig-line   = EM-DASH SP key-name SP base64( key-hash[4] || signature ) LF
//   EM-DASH    = U+2014 (bytes E2 80 94)
//   key-name   = 1*( any UTF-8 character except Unicode white space and "+" )
//   key-hash   = big-endian uint32 = SHA-256( key-name || LF || 0x01 || ed25519-pub[32] )[0:4]
//   signature  = Ed25519 signature (64 bytes) over `text`, including its final LF
//
// The whole note is well-formed UTF-8 with no ASCII control character other than LF, at most
// kMaxNoteSize bytes and kMaxNoteSignatures signature lines.
//
// Key strings:
//   verifier key  vkey = key-name "+" hex8(key-hash) "+" base64( 0x01 || ed25519-pub[32] )
//   signer key    skey = "PRIVATE+KEY+" key-name "+" hex8(key-hash) "+" base64( 0x01 || seed[32] )
// (The base64 part may itself contain "+": only the first separators split.)
//
// Errors: INVALID_ARGUMENT for malformed notes, names and key strings (the message names the rule
// broken); UNAUTHENTICATED when the required signature is missing or does not verify.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/crypto/keys.h"

namespace origo::checkpoint {

struct Checkpoint;  // checkpoint.h

inline constexpr size_t kMaxNoteSize = 1 << 20;    // 1 MiB, whole signed note
inline constexpr size_t kMaxNoteSignatures = 100;  // as Go's note.Open
inline constexpr uint8_t kSignatureTypeEd25519 = 0x01;

// Whether `name` is a valid key name: non-empty well-formed UTF-8 without Unicode white space
// or '+'.
bool IsValidKeyName(std::string_view name);

// OK if `text` is usable as note text: non-empty, ends in LF, no blank line, well-formed UTF-8,
// no ASCII control character other than LF. INVALID_ARGUMENT naming the rule otherwise.
absl::Status ValidateNoteText(std::string_view text);

// The key hash of an Ed25519 key (see the grammar). `raw_public_key` is the 32-byte key.
uint32_t Ed25519KeyHash(std::string_view name, std::string_view raw_public_key);

// One parsed signature line, not yet verified.
struct NoteSignature {
  std::string name;
  uint32_t key_hash = 0;
  std::string signature;  // the bytes after the 4-byte key hash
};

// A syntactically valid note; signatures are in note order and unverified.
struct Note {
  std::string text;
  std::vector<NoteSignature> signatures;
};

// Parses `note` per the grammar without verifying anything. INVALID_ARGUMENT for any violation.
absl::StatusOr<Note> ParseNote(std::string_view note);

// Verifies C2SP note signatures of one Ed25519 key.
//
// Thread-safety: immutable after construction; safe to share across threads. Copyable.
class NoteVerifier {
 public:
  // Parses a verifier key string (see the grammar); the key hash in it must match the key.
  static absl::StatusOr<NoteVerifier> FromVkey(std::string_view vkey);
  // A verifier for `key` (must be Ed25519) under `name` (must be a valid key name).
  static absl::StatusOr<NoteVerifier> FromPublicKey(std::string name, const crypto::PublicKey& key);

  const std::string& name() const { return name_; }
  uint32_t key_hash() const { return key_hash_; }
  const crypto::PublicKey& public_key() const { return key_; }
  // The verifier key string.
  std::string Vkey() const;

  // OK if `signature` (64 bytes, without key hash) signs `text`; UNAUTHENTICATED otherwise.
  absl::Status Verify(std::string_view text, std::string_view signature) const;

 private:
  friend class NoteSigner;  // builds its own verifier without re-deriving the key hash
  NoteVerifier(std::string name, uint32_t key_hash, crypto::PublicKey key, std::string raw)
      : name_(std::move(name)), key_hash_(key_hash), key_(std::move(key)), raw_(std::move(raw)) {}

  std::string name_;
  uint32_t key_hash_;
  crypto::PublicKey key_;
  std::string raw_;  // 32-byte Ed25519 public key
};

// Signs C2SP notes with one named Ed25519 key.
//
// Thread-safety: Sign* may be called concurrently. Move-only (owns a private key).
class NoteSigner {
 public:
  // `key` must be Ed25519; `name` must be a valid key name.
  static absl::StatusOr<NoteSigner> Create(std::string name, crypto::PrivateKey key);
  // Imports a signer key string (see the grammar); the key hash in it must match the key.
  static absl::StatusOr<NoteSigner> FromSkey(std::string_view skey);

  const std::string& name() const { return name_; }
  uint32_t key_hash() const { return key_hash_; }
  // The verifier key string for this signer.
  std::string Vkey() const;
  // The signer key string. Contains the private seed: handle as a secret.
  absl::StatusOr<std::string> Skey() const;
  // A verifier for this signer's key.
  NoteVerifier Verifier() const;

  // The signed note `text` LF sig-line. INVALID_ARGUMENT if ValidateNoteText(text) fails or the
  // note would exceed kMaxNoteSize.
  absl::StatusOr<std::string> SignNote(std::string_view text) const;

  // The signed checkpoint note: SignNote(FormatBody(checkpoint)). INVALID_ARGUMENT if the
  // checkpoint would not parse back unchanged (empty origin, LF in a field, empty extension).
  absl::StatusOr<std::string> Sign(const Checkpoint& checkpoint) const;

 private:
  NoteSigner(std::string name, uint32_t key_hash, crypto::PrivateKey key, std::string raw_public)
      : name_(std::move(name)),
        key_hash_(key_hash),
        key_(std::move(key)),
        raw_public_(std::move(raw_public)) {}

  std::string name_;
  uint32_t key_hash_;
  crypto::PrivateKey key_;
  std::string raw_public_;
};

// OK if `note` carries a valid signature by `verifier`, with the rules of OpenNote below.
absl::Status VerifyNote(const Note& note, const NoteVerifier& verifier);

// Opens a signed note: parses it (ParseNote) and returns its text if it carries a valid signature
// by `verifier`. Signature lines of other keys (different name or key hash) are ignored. As in
// Go's note.Open, the first line with the verifier's name and key hash decides: if it does not
// verify the note is rejected (UNAUTHENTICATED); later duplicates are not consulted.
// UNAUTHENTICATED if no line is by the verifier; INVALID_ARGUMENT if the note is malformed.
absl::StatusOr<std::string> OpenNote(std::string_view note, const NoteVerifier& verifier);

}  // namespace origo::checkpoint

#endif  // ORIGO_CORE_CHECKPOINT_NOTE_H_
