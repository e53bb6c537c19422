#include "storage/registry_store.h"

#include <openssl/rand.h>

#include <chrono>
#include <utility>

#include "core/base/status_macros.h"
#include "core/usci/usci.h"
#include "rocksdb/write_batch.h"
#include "storage/key_encoding.h"

namespace origo::storage {
namespace {

using origo::store::v1::BaseRecord;
using origo::store::v1::CertificateRecord;
using origo::store::v1::EnterpriseRecord;
using origo::store::v1::KeyRecord;
using origo::store::v1::TokenRecord;

int64_t SystemNowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

absl::Status CheckUsci(std::string_view usci) {
  absl::Status valid = usci::Validate(usci);
  if (!valid.ok()) return absl::InvalidArgumentError(std::string(valid.message()));
  return absl::OkStatus();
}

absl::Status CheckId(std::string_view what, std::string_view id) {
  if (id.size() > RegistryStore::kMaxIdLength) {
    return absl::InvalidArgumentError(std::string(what) + " is " + std::to_string(id.size()) +
                                      " bytes; at most " +
                                      std::to_string(RegistryStore::kMaxIdLength) + " allowed");
  }
  return absl::OkStatus();
}

absl::Status EnterpriseNotFound(std::string_view usci) {
  return absl::NotFoundError("enterprise " + std::string(usci) + " is not registered");
}

// `prefix` followed by 16 random lowercase hex characters.
absl::StatusOr<std::string> RandomId(std::string_view prefix) {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return absl::InternalError("OpenSSL RAND_bytes failed while assigning an id");
  }
  return std::string(prefix) +
         crypto::HexEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

std::string ChildKey(std::string_view usci, std::string_view id) {
  std::string key = StringPrefix(usci);
  key.append(id);
  return key;
}

// Decodes every value under the `str USCI` prefix of `cf` into a list of T, via Record.
template <typename Record, typename T>
absl::StatusOr<std::vector<T>> ScanChildren(const ReadView& view, ColumnFamily cf,
                                            std::string_view usci, std::string_view what,
                                            const T& (Record::*get)() const) {
  const std::string prefix = StringPrefix(usci);
  std::vector<T> out;
  std::unique_ptr<rocksdb::Iterator> it = view.NewIterator(cf);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    Record record;
    ORIGO_RETURN_IF_ERROR(
        DecodeValue(std::string_view(it->value().data(), it->value().size()), &record, what));
    out.push_back((record.*get)());
  }
  ORIGO_RETURN_IF_ERROR(FromRocks(it->status(), "scan " + std::string(ColumnFamilyName(cf))));
  return out;
}

}  // namespace

RegistryStore::RegistryStore(Store* store, crypto::KeyCache* key_cache, Clock clock)
    : store_(store),
      own_key_cache_(key_cache == nullptr ? std::make_unique<crypto::KeyCache>() : nullptr),
      key_cache_(key_cache != nullptr ? key_cache : own_key_cache_.get()),
      clock_(clock ? std::move(clock) : Clock(SystemNowUnixMs)) {}

absl::StatusOr<EnterpriseRecord> RegistryStore::ReadEnterprise(const ReadView* view,
                                                               std::string_view usci) const {
  std::optional<std::string> value;
  if (view != nullptr) {
    ORIGO_ASSIGN_OR_RETURN(value, view->Get(ColumnFamily::kEnterprises, usci));
  } else {
    ORIGO_ASSIGN_OR_RETURN(value, store_->Get(ColumnFamily::kEnterprises, usci));
  }
  if (!value.has_value()) return EnterpriseNotFound(usci);
  EnterpriseRecord record;
  ORIGO_RETURN_IF_ERROR(DecodeValue(*value, &record, "enterprise " + std::string(usci)));
  return record;
}

absl::StatusOr<KeyRecord> RegistryStore::ReadKey(const ReadView* view,
                                                 std::string_view key_id) const {
  std::optional<std::string> value;
  if (!key_id.empty()) {
    if (view != nullptr) {
      ORIGO_ASSIGN_OR_RETURN(value, view->Get(ColumnFamily::kKeys, key_id));
    } else {
      ORIGO_ASSIGN_OR_RETURN(value, store_->Get(ColumnFamily::kKeys, key_id));
    }
  }
  if (!value.has_value()) {
    return absl::NotFoundError("key " + std::string(key_id) + " is not registered");
  }
  KeyRecord record;
  ORIGO_RETURN_IF_ERROR(DecodeValue(*value, &record, "key " + std::string(key_id)));
  return record;
}

// --- Enterprises ---

absl::StatusOr<origo::v1::Enterprise> RegistryStore::RegisterEnterprise(
    const origo::v1::Enterprise& enterprise) {
  ORIGO_RETURN_IF_ERROR(CheckUsci(enterprise.usci()));
  absl::MutexLock lock(&write_mu_);
  ORIGO_ASSIGN_OR_RETURN(auto existing, store_->Get(ColumnFamily::kEnterprises, enterprise.usci()));
  if (existing.has_value()) {
    return absl::AlreadyExistsError("enterprise " + enterprise.usci() + " is already registered");
  }
  EnterpriseRecord record;
  *record.mutable_enterprise() = enterprise;
  record.mutable_enterprise()->set_registered_unix_ms(Now());
  rocksdb::WriteBatch batch;
  batch.Put(store_->Family(ColumnFamily::kEnterprises), enterprise.usci(), EncodeValue(record));
  ORIGO_RETURN_IF_ERROR(store_->Write(&batch));
  return record.enterprise();
}

absl::StatusOr<origo::v1::Enterprise> RegistryStore::GetEnterprise(std::string_view usci) const {
  ORIGO_ASSIGN_OR_RETURN(EnterpriseRecord record, ReadEnterprise(nullptr, usci));
  return std::move(*record.mutable_enterprise());
}

absl::StatusOr<EnterpriseProfile> RegistryStore::GetProfile(std::string_view usci) const {
  std::unique_ptr<ReadView> view = store_->Snapshot();
  ORIGO_ASSIGN_OR_RETURN(EnterpriseRecord record, ReadEnterprise(view.get(), usci));
  EnterpriseProfile profile;
  ORIGO_ASSIGN_OR_RETURN(profile.keys, ListKeysAt(*view, record));
  ORIGO_ASSIGN_OR_RETURN(profile.bases, ListBasesAt(*view, usci));
  ORIGO_ASSIGN_OR_RETURN(profile.certificates, ListCertificatesAt(*view, usci));
  profile.enterprise = std::move(*record.mutable_enterprise());
  return profile;
}

// --- Keys ---

absl::StatusOr<origo::v1::EnterpriseKey> RegistryStore::AddKey(std::string_view usci,
                                                               const crypto::PublicKey& key,
                                                               std::string_view label) {
  absl::MutexLock lock(&write_mu_);
  ORIGO_ASSIGN_OR_RETURN(EnterpriseRecord enterprise, ReadEnterprise(nullptr, usci));
  ORIGO_ASSIGN_OR_RETURN(auto existing, store_->Get(ColumnFamily::kKeys, key.KeyId()));
  if (existing.has_value()) {
    KeyRecord other;
    ORIGO_RETURN_IF_ERROR(DecodeValue(*existing, &other, "key " + key.KeyId()));
    return absl::AlreadyExistsError("key " + key.KeyId() + " is already registered to enterprise " +
                                    other.key().usci());
  }
  KeyRecord record;
  origo::v1::EnterpriseKey* stored = record.mutable_key();
  stored->set_key_id(key.KeyId());
  stored->set_usci(std::string(usci));
  stored->set_algorithm(std::string(crypto::AlgorithmName(key.algorithm())));
  stored->set_public_key_pem(key.ToPem());
  stored->set_label(std::string(label));
  stored->set_status(origo::v1::KEY_STATUS_ACTIVE);
  stored->set_added_unix_ms(Now());
  record.set_spki_der(key.ToDer());
  enterprise.add_key_ids(key.KeyId());

  rocksdb::WriteBatch batch;
  batch.Put(store_->Family(ColumnFamily::kKeys), key.KeyId(), EncodeValue(record));
  batch.Put(store_->Family(ColumnFamily::kEnterprises), std::string(usci), EncodeValue(enterprise));
  ORIGO_RETURN_IF_ERROR(store_->Write(&batch));
  // Warm the cache: capture will look this key up next. The key is registered whatever happens
  // here; a failed warm-up only means the first lookup reads the store.
  CacheKeyLocked(record).status().IgnoreError();
  return record.key();
}

absl::StatusOr<origo::v1::EnterpriseKey> RegistryStore::RevokeKey(std::string_view usci,
                                                                  std::string_view key_id) {
  absl::MutexLock lock(&write_mu_);
  absl::StatusOr<KeyRecord> found = ReadKey(nullptr, key_id);
  if (!found.ok() || found->key().usci() != usci) {
    if (!found.ok() && !absl::IsNotFound(found.status())) return found.status();
    return absl::NotFoundError("key " + std::string(key_id) + " is not registered to enterprise " +
                               std::string(usci));
  }
  KeyRecord record = *std::move(found);
  if (record.key().status() == origo::v1::KEY_STATUS_REVOKED) return record.key();

  record.mutable_key()->set_status(origo::v1::KEY_STATUS_REVOKED);
  record.mutable_key()->set_revoked_unix_ms(Now());
  rocksdb::WriteBatch batch;
  batch.Put(store_->Family(ColumnFamily::kKeys), std::string(key_id), EncodeValue(record));
  ORIGO_RETURN_IF_ERROR(store_->Write(&batch));
  {
    absl::MutexLock cache_lock(&cache_mu_);
    auto it = keys_.find(std::string(key_id));
    if (it != keys_.end()) {
      it->second.status = origo::v1::KEY_STATUS_REVOKED;
      it->second.revoked_unix_ms = record.key().revoked_unix_ms();
    }
  }
  // Other users of a shared KeyCache must not find a revoked key there either.
  key_cache_->Erase(key_id);
  return record.key();
}

absl::StatusOr<std::vector<origo::v1::EnterpriseKey>> RegistryStore::ListKeysAt(
    const ReadView& view, const EnterpriseRecord& enterprise) const {
  std::vector<origo::v1::EnterpriseKey> keys;
  keys.reserve(enterprise.key_ids_size());
  for (const std::string& key_id : enterprise.key_ids()) {
    absl::StatusOr<KeyRecord> record = ReadKey(&view, key_id);
    if (absl::IsNotFound(record.status())) {
      return absl::DataLossError("enterprise " + enterprise.enterprise().usci() + " lists key " +
                                 key_id + ", which is not stored");
    }
    if (!record.ok()) return record.status();
    keys.push_back(std::move(*record->mutable_key()));
  }
  return keys;
}

absl::StatusOr<std::vector<origo::v1::EnterpriseKey>> RegistryStore::ListKeys(
    std::string_view usci) const {
  std::unique_ptr<ReadView> view = store_->Snapshot();
  ORIGO_ASSIGN_OR_RETURN(EnterpriseRecord record, ReadEnterprise(view.get(), usci));
  return ListKeysAt(*view, record);
}

absl::StatusOr<origo::v1::EnterpriseKey> RegistryStore::GetKey(std::string_view key_id) const {
  ORIGO_ASSIGN_OR_RETURN(KeyRecord record, ReadKey(nullptr, key_id));
  return std::move(*record.mutable_key());
}

absl::StatusOr<KeyInfo> RegistryStore::CacheKeyLocked(const KeyRecord& record) const {
  ORIGO_ASSIGN_OR_RETURN(crypto::PublicKey key, key_cache_->InsertDer(record.spki_der()));
  if (key.KeyId() != record.key().key_id()) {
    return absl::DataLossError("stored key " + record.key().key_id() +
                               " holds a public key with id " + key.KeyId());
  }
  if (record.key().status() == origo::v1::KEY_STATUS_REVOKED) {
    // Parsed for this lookup only; a revoked key does not stay in the shared cache.
    key_cache_->Erase(key.KeyId());
  }
  KeyInfo info{std::move(key), record.key().usci(), record.key().status(),
               record.key().revoked_unix_ms()};
  absl::MutexLock cache_lock(&cache_mu_);
  keys_.insert_or_assign(record.key().key_id(), info);
  return info;
}

absl::StatusOr<KeyInfo> RegistryStore::LookupKey(std::string_view key_id) const {
  {
    absl::ReaderMutexLock cache_lock(&cache_mu_);
    auto it = keys_.find(std::string(key_id));
    if (it != keys_.end()) return it->second;
  }
  // Miss: read and parse under the write mutex so a revocation cannot interleave.
  absl::MutexLock lock(&write_mu_);
  {
    absl::ReaderMutexLock cache_lock(&cache_mu_);
    auto it = keys_.find(std::string(key_id));
    if (it != keys_.end()) return it->second;
  }
  ORIGO_ASSIGN_OR_RETURN(KeyRecord record, ReadKey(nullptr, key_id));
  return CacheKeyLocked(record);
}

absl::StatusOr<KeyInfo> RegistryStore::ActiveKey(std::string_view key_id) const {
  ORIGO_ASSIGN_OR_RETURN(KeyInfo info, LookupKey(key_id));
  if (info.status != origo::v1::KEY_STATUS_ACTIVE) {
    return absl::PermissionDeniedError(
        "key " + std::string(key_id) + " of enterprise " + info.usci + " was revoked at unix ms " +
        std::to_string(info.revoked_unix_ms) + "; it can no longer sign");
  }
  return info;
}

// --- Production bases and certificates ---

absl::StatusOr<origo::v1::ProductionBase> RegistryStore::AddBase(
    const origo::v1::ProductionBase& base) {
  ORIGO_RETURN_IF_ERROR(CheckId("base_id", base.base_id()));
  BaseRecord record;
  *record.mutable_base() = base;
  if (base.base_id().empty()) {
    ORIGO_ASSIGN_OR_RETURN(std::string id, RandomId("base-"));
    record.mutable_base()->set_base_id(id);
  }
  const std::string key = ChildKey(base.usci(), record.base().base_id());
  absl::MutexLock lock(&write_mu_);
  ORIGO_RETURN_IF_ERROR(ReadEnterprise(nullptr, base.usci()).status());
  ORIGO_ASSIGN_OR_RETURN(auto existing, store_->Get(ColumnFamily::kBases, key));
  if (existing.has_value()) {
    return absl::AlreadyExistsError("enterprise " + base.usci() + " already has base " +
                                    record.base().base_id());
  }
  record.set_added_unix_ms(Now());
  rocksdb::WriteBatch batch;
  batch.Put(store_->Family(ColumnFamily::kBases), key, EncodeValue(record));
  ORIGO_RETURN_IF_ERROR(store_->Write(&batch));
  return record.base();
}

absl::StatusOr<std::vector<origo::v1::ProductionBase>> RegistryStore::ListBasesAt(
    const ReadView& view, std::string_view usci) const {
  return ScanChildren<BaseRecord, origo::v1::ProductionBase>(view, ColumnFamily::kBases, usci,
                                                             "production base", &BaseRecord::base);
}

absl::StatusOr<std::vector<origo::v1::ProductionBase>> RegistryStore::ListBases(
    std::string_view usci) const {
  std::unique_ptr<ReadView> view = store_->Snapshot();
  ORIGO_RETURN_IF_ERROR(ReadEnterprise(view.get(), usci).status());
  return ListBasesAt(*view, usci);
}

absl::StatusOr<origo::v1::Certificate> RegistryStore::AddCertificate(
    const origo::v1::Certificate& certificate) {
  ORIGO_RETURN_IF_ERROR(CheckId("certificate_id", certificate.certificate_id()));
  CertificateRecord record;
  *record.mutable_certificate() = certificate;
  if (certificate.certificate_id().empty()) {
    ORIGO_ASSIGN_OR_RETURN(std::string id, RandomId("cert-"));
    record.mutable_certificate()->set_certificate_id(id);
  }
  const std::string key = ChildKey(certificate.usci(), record.certificate().certificate_id());
  absl::MutexLock lock(&write_mu_);
  ORIGO_RETURN_IF_ERROR(ReadEnterprise(nullptr, certificate.usci()).status());
  ORIGO_ASSIGN_OR_RETURN(auto existing, store_->Get(ColumnFamily::kCertificates, key));
  if (existing.has_value()) {
    return absl::AlreadyExistsError("enterprise " + certificate.usci() +
                                    " already has certificate " +
                                    record.certificate().certificate_id());
  }
  record.set_added_unix_ms(Now());
  rocksdb::WriteBatch batch;
  batch.Put(store_->Family(ColumnFamily::kCertificates), key, EncodeValue(record));
  ORIGO_RETURN_IF_ERROR(store_->Write(&batch));
  return record.certificate();
}

absl::StatusOr<std::vector<origo::v1::Certificate>> RegistryStore::ListCertificatesAt(
    const ReadView& view, std::string_view usci) const {
  return ScanChildren<CertificateRecord, origo::v1::Certificate>(
      view, ColumnFamily::kCertificates, usci, "certificate", &CertificateRecord::certificate);
}

absl::StatusOr<std::vector<origo::v1::Certificate>> RegistryStore::ListCertificates(
    std::string_view usci) const {
  std::unique_ptr<ReadView> view = store_->Snapshot();
  ORIGO_RETURN_IF_ERROR(ReadEnterprise(view.get(), usci).status());
  return ListCertificatesAt(*view, usci);
}

// --- Bearer tokens ---

absl::Status RegistryStore::PutToken(const crypto::Sha256Digest& token_hash,
                                     const TokenRecord& record) {
  absl::MutexLock lock(&write_mu_);
  rocksdb::WriteBatch batch;
  batch.Put(store_->Family(ColumnFamily::kTokens), std::string(crypto::AsStringView(token_hash)),
            EncodeValue(record));
  return store_->Write(&batch);
}

absl::StatusOr<TokenRecord> RegistryStore::GetToken(const crypto::Sha256Digest& token_hash) const {
  ORIGO_ASSIGN_OR_RETURN(auto value,
                         store_->Get(ColumnFamily::kTokens, crypto::AsStringView(token_hash)));
  if (!value.has_value()) return absl::NotFoundError("no such token");
  TokenRecord record;
  ORIGO_RETURN_IF_ERROR(DecodeValue(*value, &record, "token record"));
  return record;
}

absl::StatusOr<bool> RegistryStore::AnyToken() const {
  std::unique_ptr<ReadView> view = store_->Snapshot();
  std::unique_ptr<rocksdb::Iterator> it = view->NewIterator(ColumnFamily::kTokens);
  it->SeekToFirst();
  const bool any = it->Valid();
  ORIGO_RETURN_IF_ERROR(FromRocks(it->status(), "scan tokens"));
  return any;
}

absl::StatusOr<std::vector<std::pair<crypto::Sha256Digest, TokenRecord>>>
RegistryStore::ListTokens() const {
  std::unique_ptr<ReadView> view = store_->Snapshot();
  std::unique_ptr<rocksdb::Iterator> it = view->NewIterator(ColumnFamily::kTokens);
  std::vector<std::pair<crypto::Sha256Digest, TokenRecord>> out;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    crypto::Sha256Digest hash{};
    if (it->key().size() != hash.size()) {
      return absl::DataLossError("tokens: a key of " + std::to_string(it->key().size()) +
                                 " bytes is not a SHA-256 digest");
    }
    std::copy(it->key().data(), it->key().data() + hash.size(),
              reinterpret_cast<char*>(hash.data()));
    TokenRecord record;
    ORIGO_RETURN_IF_ERROR(DecodeValue(std::string_view(it->value().data(), it->value().size()),
                                      &record, "token record"));
    out.emplace_back(hash, std::move(record));
  }
  ORIGO_RETURN_IF_ERROR(FromRocks(it->status(), "scan tokens"));
  return out;
}

}  // namespace origo::storage
