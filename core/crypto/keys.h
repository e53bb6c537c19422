#ifndef ORIGO_CORE_CRYPTO_KEYS_H_
#define ORIGO_CORE_CRYPTO_KEYS_H_

// Signing keys: Ed25519 (the default) and ECDSA P-256, over OpenSSL 3 EVP; Ed25519 signatures
// are verified with libsodium (see Verify).
//
// Signatures:
//   Ed25519: pure Ed25519 (RFC 8032) over the message; 64 bytes.
//   P-256:   ECDSA with SHA-256 over the message; DER-encoded ECDSA-Sig-Value (<= 72 bytes).
//            Verification accepts only strict DER (no BER variants), so signatures are not
//            malleable in their encoding.
//
// Key identity: a public key is canonicalised when parsed (uncompressed point, named curve), so
// its SPKI DER and therefore its KeyId() depend only on the key, not on how it was encoded.
//
// Errors: INVALID_ARGUMENT for malformed or unsupported input (bad PEM/DER, other algorithms or
// curves, malformed signatures), UNAUTHENTICATED for a well-formed signature that does not verify,
// FAILED_PRECONDITION for an operation the key's algorithm lacks, INTERNAL when OpenSSL itself
// fails. Messages include OpenSSL's error-queue text where it helps; the queue is always drained.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/crypto/openssl_ptr.h"

namespace origo::crypto {

enum class Algorithm { kEd25519, kP256 };

// "ed25519" or "p256".
std::string_view AlgorithmName(Algorithm algorithm);

inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SeedSize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;

// A parsed, validated public key. Cheap to copy: copies share one immutable OpenSSL key (the
// parse happens once). There is no empty state; obtain one from a factory or PrivateKey::Public().
//
// Thread-safety: immutable; all methods may be called concurrently, including Verify on copies
// sharing the same underlying key.
class PublicKey {
 public:
  // SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----"). Trailing text after the PEM block is
  // ignored, as PEM readers conventionally do.
  static absl::StatusOr<PublicKey> FromPem(std::string_view pem);
  // SubjectPublicKeyInfo DER; the whole input must be one SPKI structure.
  static absl::StatusOr<PublicKey> FromDer(std::string_view der);
  // A raw 32-byte Ed25519 public key (as in RFC 8032 and C2SP note verifier keys).
  static absl::StatusOr<PublicKey> FromRawEd25519(std::string_view raw);

  Algorithm algorithm() const { return state_->algorithm; }

  // Canonical SubjectPublicKeyInfo DER.
  const std::string& ToDer() const { return state_->der; }
  // SubjectPublicKeyInfo PEM of ToDer().
  std::string ToPem() const;

  // Key id: lowercase hex of SHA-256 over the canonical SPKI DER (ToDer()); 64 characters.
  // Stable across PEM/DER/raw encodings of the same key; computed once at parse time.
  const std::string& KeyId() const { return state_->key_id; }

  // The 32 raw Ed25519 public key bytes. FAILED_PRECONDITION for a P-256 key.
  absl::StatusOr<std::string> RawPublicKey() const;

  // OK if `signature` is a valid signature of `message` under this key (see the file comment for
  // the signature formats). UNAUTHENTICATED("signature does not verify") for a well-formed but
  // wrong signature; INVALID_ARGUMENT for a malformed one (wrong Ed25519 length, bad DER).
  // Ed25519 goes through libsodium, which verifies in about half the time of OpenSSL 3.0's
  // portable code on x86-64 and is stricter (it also refuses non-canonical encodings and
  // small-order keys and R values): every signature it accepts also verifies with OpenSSL and
  // with WebCrypto, so `origo verify` and the consumer page agree with capture.
  absl::Status Verify(std::string_view message, std::string_view signature) const;

  friend bool operator==(const PublicKey& a, const PublicKey& b) { return a.ToDer() == b.ToDer(); }

 private:
  struct State {
    EvpPkeyPtr pkey;
    Algorithm algorithm;
    std::string raw_ed25519;  // the 32 raw public key bytes, for Ed25519 keys
    std::string der;
    std::string key_id;
  };
  explicit PublicKey(std::shared_ptr<const State> state) : state_(std::move(state)) {}
  // Takes ownership of any supported EVP_PKEY and builds the canonical key from it.
  static absl::StatusOr<PublicKey> FromParsed(EvpPkeyPtr parsed);

  std::shared_ptr<const State> state_;
};

// A private signing key. Move-only; owns its OpenSSL key.
//
// Thread-safety: Sign, ToPem and Public may be called concurrently on one instance. Moving from
// or destroying it must not race with other use.
class PrivateKey {
 public:
  // A fresh key from OpenSSL's default CSPRNG.
  static absl::StatusOr<PrivateKey> Generate(Algorithm algorithm);
  // Unencrypted PEM private key: PKCS#8 ("BEGIN PRIVATE KEY"); OpenSSL's traditional EC format
  // ("BEGIN EC PRIVATE KEY") is also accepted. Encrypted PEM is rejected (INVALID_ARGUMENT), never
  // prompted for. Only Ed25519 and P-256 keys are accepted.
  static absl::StatusOr<PrivateKey> FromPem(std::string_view pem);
  // An Ed25519 key from its 32-byte RFC 8032 seed (as in C2SP note signer keys).
  static absl::StatusOr<PrivateKey> FromEd25519Seed(std::string_view seed);

  PrivateKey(PrivateKey&&) = default;
  PrivateKey& operator=(PrivateKey&&) = default;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;

  Algorithm algorithm() const { return public_.algorithm(); }

  // Unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----").
  absl::StatusOr<std::string> ToPem() const;
  // The 32-byte Ed25519 seed. FAILED_PRECONDITION for a P-256 key.
  absl::StatusOr<std::string> Ed25519Seed() const;

  // Signs `message` (Ed25519 pure, or ECDSA-SHA256 with a DER signature). Ed25519 signing is
  // deterministic; ECDSA signatures are randomised.
  absl::StatusOr<std::string> Sign(std::string_view message) const;

  // The matching public key (shares nothing mutable with this object).
  PublicKey Public() const { return public_; }

 private:
  PrivateKey(EvpPkeyPtr pkey, PublicKey public_key)
      : pkey_(std::move(pkey)), public_(std::move(public_key)) {}
  static absl::StatusOr<PrivateKey> FromParsed(EvpPkeyPtr parsed);

  EvpPkeyPtr pkey_;
  PublicKey public_;
};

// A process-wide cache of parsed public keys, keyed by KeyId(). Registering a key parses it once;
// later verifications look it up by id instead of re-parsing. Entries stay until Erase (keys
// are registered deliberately, so the cache is not size-bounded).
//
// Thread-safety: all methods are thread-safe. Lookups take a shared (reader) lock.
class KeyCache {
 public:
  KeyCache() = default;
  KeyCache(const KeyCache&) = delete;
  KeyCache& operator=(const KeyCache&) = delete;

  // Adds `key` unless a key with its id is cached; returns the cached instance either way.
  PublicKey Insert(const PublicKey& key) ABSL_LOCKS_EXCLUDED(mu_);
  // Like Insert(FromDer(der)), but when `der` is canonical and already cached it is not parsed
  // again (the lookup hashes `der`). INVALID_ARGUMENT if `der` does not parse.
  absl::StatusOr<PublicKey> InsertDer(std::string_view der) ABSL_LOCKS_EXCLUDED(mu_);

  // The key with this id, or NOT_FOUND.
  absl::StatusOr<PublicKey> Lookup(std::string_view key_id) const ABSL_LOCKS_EXCLUDED(mu_);
  // Removes the key; returns whether it was present.
  bool Erase(std::string_view key_id) ABSL_LOCKS_EXCLUDED(mu_);
  size_t size() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, PublicKey> keys_ ABSL_GUARDED_BY(mu_);
};

}  // namespace origo::crypto

#endif  // ORIGO_CORE_CRYPTO_KEYS_H_
