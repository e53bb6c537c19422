#ifndef ORIGO_STORAGE_REGISTRY_STORE_H_
#define ORIGO_STORAGE_REGISTRY_STORE_H_

// The registry: enterprises, their signing keys, production bases, certificates, and the hashed
// bearer tokens that authorise API calls. Families and key formats are those of
// storage/key_encoding.h:
//   enterprises  : USCI                      -> EnterpriseRecord (with the enterprise's key ids)
//   keys         : key id (64 lowercase hex) -> KeyRecord
//   bases        : str USCI, base id         -> BaseRecord
//   certificates : str USCI, certificate id  -> CertificateRecord
//   tokens       : SHA-256 of the token      -> TokenRecord
// (value schemas in proto/origo/store/v1/registry.proto).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/crypto/hash.h"
#include "core/crypto/keys.h"
#include "origo/store/v1/registry.pb.h"
#include "origo/v1/registry.pb.h"
#include "storage/store.h"

namespace origo::storage {

// A registered signing key as capture needs it: the parsed key and who owns it.
struct KeyInfo {
  crypto::PublicKey key;
  std::string usci;
  origo::v1::KeyStatus status = origo::v1::KEY_STATUS_UNSPECIFIED;
  int64_t revoked_unix_ms = 0;  // 0 while active
};

// Everything registered for one enterprise, read at one snapshot.
struct EnterpriseProfile {
  origo::v1::Enterprise enterprise;
  std::vector<origo::v1::EnterpriseKey> keys;        // registration order, revoked ones included
  std::vector<origo::v1::ProductionBase> bases;      // by base id
  std::vector<origo::v1::Certificate> certificates;  // by certificate id
};

// RegistryStore keeps the registry over a Store. It checks the registry's own invariants (the
// enterprise exists, ids are unique, USCIs pass GB 32100) but not presentation rules such as name
// lengths, which the API edge validates. Every mutation is one synced WriteBatch; the times it
// records (registered, added, revoked) come from `clock`.
//
// Errors: INVALID_ARGUMENT for a malformed USCI or id; NOT_FOUND naming the USCI or key id that
// is not registered; ALREADY_EXISTS for a duplicate USCI, key id, base id or certificate id;
// DATA_LOSS when a stored value does not decode; UNAVAILABLE on I/O errors.
//
// Thread-safe. Mutations are serialized by one mutex, so check-then-write operations (register
// if absent) cannot both succeed when raced. Reads do not take that mutex, except a key-cache miss
// in LookupKey/ActiveKey. Use one RegistryStore per Store: the key cache is per instance, and a
// second instance would not see the first one's revocations in its cache.
class RegistryStore {
 public:
  // Unix milliseconds now.
  using Clock = std::function<int64_t()>;

  // `store` must outlive this object. `key_cache` (optional, not owned, must outlive this object)
  // is a process-wide cache of parsed keys to share; when null the registry uses its own.
  // `clock` defaults to the system clock.
  explicit RegistryStore(Store* store, crypto::KeyCache* key_cache = nullptr,
                         Clock clock = nullptr);
  RegistryStore(const RegistryStore&) = delete;
  RegistryStore& operator=(const RegistryStore&) = delete;

  // --- Enterprises ---

  // Registers `enterprise` (registered_unix_ms is set to now) and returns the stored value.
  // INVALID_ARGUMENT for a bad USCI; ALREADY_EXISTS when the USCI is registered.
  absl::StatusOr<origo::v1::Enterprise> RegisterEnterprise(const origo::v1::Enterprise& enterprise);
  // NOT_FOUND when the USCI is not registered.
  absl::StatusOr<origo::v1::Enterprise> GetEnterprise(std::string_view usci) const;
  // The enterprise with its keys, bases and certificates, read at one snapshot. NOT_FOUND as above.
  absl::StatusOr<EnterpriseProfile> GetProfile(std::string_view usci) const;

  // --- Keys ---

  // Registers `key` to enterprise `usci` as ACTIVE (added now; algorithm, canonical PEM and key id
  // taken from the key) and returns the record. NOT_FOUND when the enterprise is not registered;
  // ALREADY_EXISTS when the key id is registered, to this or any other enterprise (also after
  // revocation: a revoked key is never re-activated).
  absl::StatusOr<origo::v1::EnterpriseKey> AddKey(std::string_view usci,
                                                  const crypto::PublicKey& key,
                                                  std::string_view label);
  // Marks the key REVOKED (revoked now) and keeps its record. Revoking a revoked key succeeds and
  // changes nothing (the first revocation time stays). Takes effect for LookupKey/ActiveKey before
  // this returns. NOT_FOUND when the key id is not registered to enterprise `usci`.
  absl::StatusOr<origo::v1::EnterpriseKey> RevokeKey(std::string_view usci,
                                                     std::string_view key_id);
  // The enterprise's keys in registration order, revoked ones included. NOT_FOUND when the
  // enterprise is not registered.
  absl::StatusOr<std::vector<origo::v1::EnterpriseKey>> ListKeys(std::string_view usci) const;
  // NOT_FOUND when the key id is not registered.
  absl::StatusOr<origo::v1::EnterpriseKey> GetKey(std::string_view key_id) const;

  // The parsed key, owner and status of a registered key, whatever its status. Each key is read
  // and parsed once, then served from memory. NOT_FOUND when the key id is not registered.
  absl::StatusOr<KeyInfo> LookupKey(std::string_view key_id) const;
  // Like LookupKey, for signing: PERMISSION_DENIED naming the key, its enterprise and the
  // revocation time when the key is revoked.
  absl::StatusOr<KeyInfo> ActiveKey(std::string_view key_id) const;

  // --- Production bases and certificates ---

  // Adds a production base to enterprise base.usci(). An empty base_id is assigned
  // ("base-" + 16 random hex characters). Returns the stored base. NOT_FOUND when the enterprise
  // is not registered; ALREADY_EXISTS when the enterprise has a base with this id;
  // INVALID_ARGUMENT when the id is longer than kMaxIdLength.
  absl::StatusOr<origo::v1::ProductionBase> AddBase(const origo::v1::ProductionBase& base);
  // The enterprise's bases, ordered by base id. NOT_FOUND when the enterprise is not registered.
  absl::StatusOr<std::vector<origo::v1::ProductionBase>> ListBases(std::string_view usci) const;

  // As AddBase, for certificates ("cert-" + 16 random hex characters when the id is empty).
  absl::StatusOr<origo::v1::Certificate> AddCertificate(const origo::v1::Certificate& certificate);
  // The enterprise's certificates, ordered by id. NOT_FOUND when the enterprise is not registered.
  absl::StatusOr<std::vector<origo::v1::Certificate>> ListCertificates(std::string_view usci) const;

  // --- Bearer tokens (stored by hash only) ---

  // Creates or replaces the record of the token whose SHA-256 is `token_hash`.
  absl::Status PutToken(const crypto::Sha256Digest& token_hash,
                        const origo::store::v1::TokenRecord& record);
  // NOT_FOUND when no token has this hash.
  absl::StatusOr<origo::store::v1::TokenRecord> GetToken(
      const crypto::Sha256Digest& token_hash) const;
  // True when at least one token (of any state) is stored.
  absl::StatusOr<bool> AnyToken() const;
  // Every token: (SHA-256 of the token, record), ordered by hash. Tokens are few (one per device
  // or person), so this reads them all.
  absl::StatusOr<std::vector<std::pair<crypto::Sha256Digest, origo::store::v1::TokenRecord>>>
  ListTokens() const;

  // Longest accepted base or certificate id, in bytes.
  static constexpr size_t kMaxIdLength = 128;

 private:
  int64_t Now() const { return clock_(); }
  absl::StatusOr<origo::store::v1::EnterpriseRecord> ReadEnterprise(const ReadView* view,
                                                                    std::string_view usci) const;
  absl::StatusOr<origo::store::v1::KeyRecord> ReadKey(const ReadView* view,
                                                      std::string_view key_id) const;
  absl::StatusOr<std::vector<origo::v1::EnterpriseKey>> ListKeysAt(
      const ReadView& view, const origo::store::v1::EnterpriseRecord& enterprise) const;
  absl::StatusOr<std::vector<origo::v1::ProductionBase>> ListBasesAt(const ReadView& view,
                                                                     std::string_view usci) const;
  absl::StatusOr<std::vector<origo::v1::Certificate>> ListCertificatesAt(
      const ReadView& view, std::string_view usci) const;
  // Caches `record` (parsing its key via the KeyCache) and returns its KeyInfo.
  absl::StatusOr<KeyInfo> CacheKeyLocked(const origo::store::v1::KeyRecord& record) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  Store* const store_;
  std::unique_ptr<crypto::KeyCache> own_key_cache_;
  crypto::KeyCache* const key_cache_;
  const Clock clock_;

  // Serializes every mutation and every key-cache fill, so a fill that read an ACTIVE record
  // cannot overwrite a concurrent revocation in the cache.
  mutable absl::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(cache_mu_);
  mutable absl::Mutex cache_mu_;
  mutable absl::flat_hash_map<std::string, KeyInfo> keys_ ABSL_GUARDED_BY(cache_mu_);
};

}  // namespace origo::storage

#endif  // ORIGO_STORAGE_REGISTRY_STORE_H_
