#include "core/checkpoint/note.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/checkpoint/checkpoint.h"
#include "core/crypto/hash.h"

namespace origo::checkpoint {
namespace {

constexpr char kSignaturePrefix[] = "\xE2\x80\x94 ";  // U+2014 EM DASH, SPACE
constexpr char kSkeyPrefix[] = "PRIVATE+KEY+";
constexpr size_t kKeyHashSize = 4;

// Decodes the UTF-8 sequence starting at s[i]. Returns its length (1-4) and stores the code point
// in *cp, or returns 0 for an ill-formed sequence (overlong, surrogate, > U+10FFFF, truncated).
size_t DecodeUtf8(std::string_view s, size_t i, char32_t* cp) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t len;
  uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlongs
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;  // no overlongs
    if (b0 == 0xF4) hi = 0x8F;  // <= U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  char32_t value = b0 & (0xFF >> (len + 1));
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    value = (value << 6) | (byte(i + k) & 0x3F);
  }
  *cp = value;
  return len;
}

// Unicode White_Space (what Go's unicode.IsSpace reports).
bool IsUnicodeSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// OK if `s` is well-formed UTF-8 without ASCII control characters other than LF.
absl::Status CheckUtf8NoControls(std::string_view s, const char* what) {
  for (size_t i = 0; i < s.size();) {
    char32_t c = 0;
    const size_t len = DecodeUtf8(s, i, &c);
    if (len == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": ill-formed UTF-8 at byte offset ", i));
    }
    if (c < 0x20 && c != '\n') {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": control character at byte offset ", i));
    }
    i += len;
  }
  return absl::OkStatus();
}

std::string BigEndian32(uint32_t v) {
  return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
}

uint32_t ReadBigEndian32(std::string_view b) {
  return (uint32_t{static_cast<uint8_t>(b[0])} << 24) |
         (uint32_t{static_cast<uint8_t>(b[1])} << 16) |
         (uint32_t{static_cast<uint8_t>(b[2])} << 8) | uint32_t{static_cast<uint8_t>(b[3])};
}

std::string Hex8(uint32_t key_hash) { return crypto::HexEncode(BigEndian32(key_hash)); }

// Splits "name+hash8+base64(type || key)" into its validated name, hash and 32-byte key
// material. `what` names the string kind in error messages.
struct KeyString {
  std::string name;
  uint32_t key_hash;
  std::string key;  // 32 bytes, type byte stripped
};
absl::StatusOr<KeyString> ParseKeyString(std::string_view s, const char* what) {
  const size_t plus1 = s.find('+');
  const size_t plus2 = plus1 == std::string_view::npos ? plus1 : s.find('+', plus1 + 1);
  if (plus2 == std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": want <name>+<hex key hash>+<base64 key>"));
  }
  KeyString out;
  out.name = std::string(s.substr(0, plus1));
  const std::string_view hash16 = s.substr(plus1 + 1, plus2 - plus1 - 1);
  const std::string_view key64 = s.substr(plus2 + 1);
  if (!IsValidKeyName(out.name)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": invalid key name (must be non-empty UTF-8 without spaces or '+')"));
  }
  absl::StatusOr<std::string> hash = crypto::HexDecode(hash16);
  if (hash16.size() != 2 * kKeyHashSize || !hash.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": key hash must be 8 hex digits"));
  }
  out.key_hash = ReadBigEndian32(*hash);
  absl::StatusOr<std::string> key = crypto::Base64Decode(key64);
  if (!key.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": key: ", key.status().message()));
  }
  if (key->empty() || static_cast<uint8_t>((*key)[0]) != kSignatureTypeEd25519) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": unsupported signature type (only 0x01 Ed25519 is supported)"));
  }
  if (key->size() != 1 + crypto::kEd25519PublicKeySize) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": Ed25519 key must be 32 bytes, got ", key->size() - 1));
  }
  out.key = key->substr(1);
  return out;
}

std::string EncodeKeyString(std::string_view name, uint32_t key_hash, std::string_view key) {
  return std::string(name) + "+" + Hex8(key_hash) + "+" +
         crypto::Base64Encode("\x01" + std::string(key));
}

}  // namespace

bool IsValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size();) {
    char32_t c = 0;
    const size_t len = DecodeUtf8(name, i, &c);
    if (len == 0 || c == '+' || IsUnicodeSpace(c)) return false;
    i += len;
  }
  return true;
}

absl::Status ValidateNoteText(std::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError("note text is empty");
  if (text.back() != '\n') return absl::InvalidArgumentError("note text must end in a newline");
  if (text.front() == '\n' || text.find("\n\n") != std::string_view::npos) {
    return absl::InvalidArgumentError("note text must not contain a blank line");
  }
  return CheckUtf8NoControls(text, "note text");
}

uint32_t Ed25519KeyHash(std::string_view name, std::string_view raw_public_key) {
  const crypto::Sha256Digest digest =
      crypto::Sha256(std::string(name) + "\n\x01" + std::string(raw_public_key));
  return ReadBigEndian32(crypto::AsStringView(digest));
}

absl::StatusOr<Note> ParseNote(std::string_view note) {
  if (note.size() > kMaxNoteSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("note is ", note.size(), " bytes, limit is ", kMaxNoteSize));
  }
  ORIGO_RETURN_IF_ERROR(CheckUtf8NoControls(note, "note"));
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return absl::InvalidArgumentError("note: missing blank line before the signatures");
  }
  Note out;
  out.text = std::string(note.substr(0, split + 1));
  std::string_view sigs = note.substr(split + 2);
  if (sigs.empty()) return absl::InvalidArgumentError("note: no signature lines");
  if (sigs.back() != '\n') {
    return absl::InvalidArgumentError("note: last signature line does not end in a newline");
  }
  while (!sigs.empty()) {
    const size_t eol = sigs.find('\n');  // found: sigs ends in '\n'
    std::string_view line = sigs.substr(0, eol);
    sigs.remove_prefix(eol + 1);
    const size_t number = out.signatures.size() + 1;
    if (number > kMaxNoteSignatures) {
      return absl::InvalidArgumentError(
          absl::StrCat("note: more than ", kMaxNoteSignatures, " signatures"));
    }
    if (!line.starts_with(kSignaturePrefix)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "note: signature line ", number, " does not start with an em dash and a space"));
    }
    line.remove_prefix(sizeof(kSignaturePrefix) - 1);
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("note: signature line ", number, " has no space after the key name"));
    }
    NoteSignature sig;
    sig.name = std::string(line.substr(0, space));
    if (!IsValidKeyName(sig.name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("note: signature line ", number, " has an invalid key name"));
    }
    absl::StatusOr<std::string> blob = crypto::Base64Decode(line.substr(space + 1));
    if (!blob.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("note: signature line ", number, ": ", blob.status().message()));
    }
    if (blob->size() <= kKeyHashSize) {
      return absl::InvalidArgumentError(absl::StrCat(
          "note: signature line ", number, " is too short for a key hash and a signature"));
    }
    sig.key_hash = ReadBigEndian32(*blob);
    sig.signature = blob->substr(kKeyHashSize);
    out.signatures.push_back(std::move(sig));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// NoteVerifier

absl::StatusOr<NoteVerifier> NoteVerifier::FromVkey(std::string_view vkey) {
  ORIGO_ASSIGN_OR_RETURN(KeyString parsed, ParseKeyString(vkey, "verifier key"));
  ORIGO_ASSIGN_OR_RETURN(crypto::PublicKey key, crypto::PublicKey::FromRawEd25519(parsed.key));
  if (Ed25519KeyHash(parsed.name, parsed.key) != parsed.key_hash) {
    return absl::InvalidArgumentError("verifier key: key hash does not match name and key");
  }
  return NoteVerifier(std::move(parsed.name), parsed.key_hash, std::move(key),
                      std::move(parsed.key));
}

absl::StatusOr<NoteVerifier> NoteVerifier::FromPublicKey(std::string name,
                                                         const crypto::PublicKey& key) {
  if (!IsValidKeyName(name)) {
    return absl::InvalidArgumentError(
        "note verifier: invalid key name (must be non-empty UTF-8 without spaces or '+')");
  }
  if (key.algorithm() != crypto::Algorithm::kEd25519) {
    return absl::InvalidArgumentError("note verifier: only Ed25519 keys are supported");
  }
  ORIGO_ASSIGN_OR_RETURN(std::string raw, key.RawPublicKey());
  const uint32_t hash = Ed25519KeyHash(name, raw);
  return NoteVerifier(std::move(name), hash, key, std::move(raw));
}

std::string NoteVerifier::Vkey() const { return EncodeKeyString(name_, key_hash_, raw_); }

absl::Status NoteVerifier::Verify(std::string_view text, std::string_view signature) const {
  absl::Status status = key_.Verify(text, signature);
  if (status.ok()) return status;
  // Any failure (including a signature of the wrong length) means "does not verify" here.
  return absl::UnauthenticatedError(
      absl::StrCat("note signature by ", name_, " does not verify: ", status.message()));
}

// ---------------------------------------------------------------------------------------------
// NoteSigner

absl::StatusOr<NoteSigner> NoteSigner::Create(std::string name, crypto::PrivateKey key) {
  if (!IsValidKeyName(name)) {
    return absl::InvalidArgumentError(
        "note signer: invalid key name (must be non-empty UTF-8 without spaces or '+')");
  }
  if (key.algorithm() != crypto::Algorithm::kEd25519) {
    return absl::InvalidArgumentError("note signer: only Ed25519 keys are supported");
  }
  ORIGO_ASSIGN_OR_RETURN(std::string raw, key.Public().RawPublicKey());
  const uint32_t hash = Ed25519KeyHash(name, raw);
  return NoteSigner(std::move(name), hash, std::move(key), std::move(raw));
}

absl::StatusOr<NoteSigner> NoteSigner::FromSkey(std::string_view skey) {
  if (!skey.starts_with(kSkeyPrefix)) {
    return absl::InvalidArgumentError("signer key: must start with PRIVATE+KEY+");
  }
  ORIGO_ASSIGN_OR_RETURN(KeyString parsed,
                         ParseKeyString(skey.substr(sizeof(kSkeyPrefix) - 1), "signer key"));
  ORIGO_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::FromEd25519Seed(parsed.key));
  ORIGO_ASSIGN_OR_RETURN(std::string raw, key.Public().RawPublicKey());
  if (Ed25519KeyHash(parsed.name, raw) != parsed.key_hash) {
    return absl::InvalidArgumentError("signer key: key hash does not match name and key");
  }
  return NoteSigner(std::move(parsed.name), parsed.key_hash, std::move(key), std::move(raw));
}

std::string NoteSigner::Vkey() const { return EncodeKeyString(name_, key_hash_, raw_public_); }

absl::StatusOr<std::string> NoteSigner::Skey() const {
  ORIGO_ASSIGN_OR_RETURN(std::string seed, key_.Ed25519Seed());
  return absl::StrCat(kSkeyPrefix, EncodeKeyString(name_, key_hash_, seed));
}

NoteVerifier NoteSigner::Verifier() const {
  return NoteVerifier(name_, key_hash_, key_.Public(), raw_public_);
}

absl::StatusOr<std::string> NoteSigner::SignNote(std::string_view text) const {
  ORIGO_RETURN_IF_ERROR(ValidateNoteText(text));
  ORIGO_ASSIGN_OR_RETURN(std::string signature, key_.Sign(text));
  std::string note = std::string(text) + "\n" + kSignaturePrefix + name_ + " " +
                     crypto::Base64Encode(BigEndian32(key_hash_) + signature) + "\n";
  if (note.size() > kMaxNoteSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("signed note would be ", note.size(), " bytes, limit is ", kMaxNoteSize));
  }
  return note;
}

absl::StatusOr<std::string> NoteSigner::Sign(const Checkpoint& checkpoint) const {
  ORIGO_RETURN_IF_ERROR(ValidateCheckpoint(checkpoint));
  return SignNote(FormatBody(checkpoint));
}

// ---------------------------------------------------------------------------------------------
// Opening

absl::Status VerifyNote(const Note& note, const NoteVerifier& verifier) {
  for (const NoteSignature& sig : note.signatures) {
    if (sig.name != verifier.name() || sig.key_hash != verifier.key_hash()) continue;
    // First line by this key decides; duplicates are never consulted (Go's note.Open).
    return verifier.Verify(note.text, sig.signature);
  }
  return absl::UnauthenticatedError(
      absl::StrCat("note has no signature by ", verifier.name(), "+", Hex8(verifier.key_hash())));
}

absl::StatusOr<std::string> OpenNote(std::string_view note, const NoteVerifier& verifier) {
  ORIGO_ASSIGN_OR_RETURN(Note parsed, ParseNote(note));
  ORIGO_RETURN_IF_ERROR(VerifyNote(parsed, verifier));
  return std::move(parsed.text);
}

}  // namespace origo::checkpoint
