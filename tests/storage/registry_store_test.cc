#include "storage/registry_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "storage/key_encoding.h"
#include "tests/test_util.h"

namespace origo::storage {
namespace {

using origo::testing::TempDir;

constexpr char kGoji[] = "91640521MA76GJ0Q1B";
constexpr char kWinery[] = "91640100MA77XL2X3M";

origo::v1::Enterprise MakeEnterprise(const std::string& usci, const std::string& name) {
  origo::v1::Enterprise enterprise;
  enterprise.set_usci(usci);
  enterprise.set_name(name);
  enterprise.set_sector(origo::v1::SECTOR_GOJI);
  return enterprise;
}

crypto::PublicKey NewKey(crypto::Algorithm algorithm) {
  auto key = crypto::PrivateKey::Generate(algorithm);
  EXPECT_TRUE(key.ok()) << key.status();
  return key->Public();
}

class RegistryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    auto store = Store::Open(dir_.Sub("db"));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    registry_ =
        std::make_unique<RegistryStore>(store_.get(), &key_cache_, [this] { return ++now_; });
  }

  void Reopen() {
    registry_.reset();
    ASSERT_TRUE(store_->Close().ok());
    store_.reset();
    Open();
  }

  void Register(const std::string& usci) {
    auto registered = registry_->RegisterEnterprise(MakeEnterprise(usci, "Ningxia Goji Co."));
    ASSERT_TRUE(registered.ok()) << registered.status();
  }

  TempDir dir_;
  crypto::KeyCache key_cache_;
  std::atomic<int64_t> now_{1'700'000'000'000};
  std::unique_ptr<Store> store_;
  std::unique_ptr<RegistryStore> registry_;
};

TEST_F(RegistryStoreTest, RegisteredEnterpriseIsReadBackAfterReopen) {
  auto registered = registry_->RegisterEnterprise(MakeEnterprise(kGoji, "中宁枸杞有限公司"));
  ASSERT_TRUE(registered.ok()) << registered.status();
  EXPECT_GT(registered->registered_unix_ms(), 1'700'000'000'000);

  Reopen();
  auto got = registry_->GetEnterprise(kGoji);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->name(), "中宁枸杞有限公司");
  EXPECT_EQ(got->sector(), origo::v1::SECTOR_GOJI);
  EXPECT_EQ(got->registered_unix_ms(), registered->registered_unix_ms());
}

TEST_F(RegistryStoreTest, DuplicateUnknownAndMalformedEnterprises) {
  Register(kGoji);
  auto again = registry_->RegisterEnterprise(MakeEnterprise(kGoji, "Other name"));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(again.status().message().find(kGoji), std::string::npos);
  // The first registration is untouched.
  EXPECT_EQ(registry_->GetEnterprise(kGoji)->name(), "Ningxia Goji Co.");

  auto missing = registry_->GetEnterprise(kWinery);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(kWinery), std::string::npos);

  auto bad = registry_->RegisterEnterprise(MakeEnterprise("91640521MA76GJ0Q1C", "x"));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RegistryStoreTest, ConcurrentRegistrationsOfOneUsciLetExactlyOneWin) {
  constexpr int kThreads = 8;
  std::atomic<int> ok{0};
  std::atomic<int> exists{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto r = registry_->RegisterEnterprise(MakeEnterprise(kGoji, "racer " + std::to_string(i)));
      if (r.ok()) ++ok;
      if (r.status().code() == absl::StatusCode::kAlreadyExists) ++exists;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(exists.load(), kThreads - 1);
}

TEST_F(RegistryStoreTest, KeysAreListedPerEnterpriseAndUniqueAcrossEnterprises) {
  Register(kGoji);
  Register(kWinery);
  crypto::PublicKey ed = NewKey(crypto::Algorithm::kEd25519);
  crypto::PublicKey p256 = NewKey(crypto::Algorithm::kP256);
  auto added = registry_->AddKey(kGoji, ed, "line 1");
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(added->key_id(), ed.KeyId());
  EXPECT_EQ(added->algorithm(), "ed25519");
  EXPECT_EQ(added->status(), origo::v1::KEY_STATUS_ACTIVE);
  EXPECT_EQ(added->public_key_pem(), ed.ToPem());
  ASSERT_TRUE(registry_->AddKey(kGoji, p256, "line 2").ok());

  auto dup = registry_->AddKey(kWinery, ed, "stolen");
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(dup.status().message().find(kGoji), std::string::npos) << dup.status();
  EXPECT_EQ(registry_->AddKey("91110000MA0000000H", ed, "").status().code(),
            absl::StatusCode::kNotFound);

  Reopen();
  auto keys = registry_->ListKeys(kGoji);
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].key_id(), ed.KeyId());
  EXPECT_EQ((*keys)[1].key_id(), p256.KeyId());
  EXPECT_EQ((*keys)[1].algorithm(), "p256");
  EXPECT_EQ((*keys)[1].label(), "line 2");
  EXPECT_TRUE(registry_->ListKeys(kWinery)->empty());
  EXPECT_EQ(registry_->ListKeys("91110000MA0000000H").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(registry_->GetKey(p256.KeyId())->usci(), kGoji);
  EXPECT_EQ(registry_->GetKey(std::string(64, 'a')).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RegistryStoreTest, RevokeKeepsTheRecordAndIsIdempotent) {
  Register(kGoji);
  Register(kWinery);
  crypto::PublicKey ed = NewKey(crypto::Algorithm::kEd25519);
  ASSERT_TRUE(registry_->AddKey(kGoji, ed, "line 1").ok());

  EXPECT_EQ(registry_->RevokeKey(kWinery, ed.KeyId()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(registry_->RevokeKey(kGoji, std::string(64, 'b')).status().code(),
            absl::StatusCode::kNotFound);

  auto revoked = registry_->RevokeKey(kGoji, ed.KeyId());
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->status(), origo::v1::KEY_STATUS_REVOKED);
  EXPECT_GT(revoked->revoked_unix_ms(), revoked->added_unix_ms());
  auto twice = registry_->RevokeKey(kGoji, ed.KeyId());
  ASSERT_TRUE(twice.ok()) << twice.status();
  EXPECT_EQ(twice->revoked_unix_ms(), revoked->revoked_unix_ms());

  Reopen();
  auto keys = registry_->ListKeys(kGoji);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].status(), origo::v1::KEY_STATUS_REVOKED);
  // A revoked key cannot be registered again (to anyone).
  EXPECT_EQ(registry_->AddKey(kGoji, ed, "again").status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(RegistryStoreTest, ActiveKeyParsesOnceAndSeesRevocationImmediately) {
  Register(kGoji);
  crypto::PublicKey ed = NewKey(crypto::Algorithm::kEd25519);
  ASSERT_TRUE(registry_->AddKey(kGoji, ed, "").ok());

  auto info = registry_->ActiveKey(ed.KeyId());
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->usci, kGoji);
  EXPECT_EQ(info->status, origo::v1::KEY_STATUS_ACTIVE);
  EXPECT_EQ(info->key, ed);
  EXPECT_EQ(key_cache_.size(), 1u);
  EXPECT_EQ(registry_->ActiveKey(std::string(64, 'c')).status().code(),
            absl::StatusCode::kNotFound);

  ASSERT_TRUE(registry_->RevokeKey(kGoji, ed.KeyId()).ok());
  auto after = registry_->ActiveKey(ed.KeyId());
  EXPECT_EQ(after.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(after.status().message().find("revoked"), std::string::npos);
  EXPECT_EQ(key_cache_.size(), 0u) << "a revoked key must leave the shared cache";
  auto looked_up = registry_->LookupKey(ed.KeyId());
  ASSERT_TRUE(looked_up.ok());
  EXPECT_EQ(looked_up->status, origo::v1::KEY_STATUS_REVOKED);

  // A fresh registry (cold cache) reads the revocation from disk.
  Reopen();
  EXPECT_EQ(registry_->ActiveKey(ed.KeyId()).status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(RegistryStoreTest, ConcurrentLookupsDuringRevocationNeverResurrectTheKey) {
  Register(kGoji);
  crypto::PublicKey ed = NewKey(crypto::Algorithm::kEd25519);
  ASSERT_TRUE(registry_->AddKey(kGoji, ed, "").ok());
  Reopen();  // cold cache, so the readers race to fill it
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        auto info = registry_->LookupKey(ed.KeyId());
        ASSERT_TRUE(info.ok()) << info.status();
      }
    });
  }
  ASSERT_TRUE(registry_->RevokeKey(kGoji, ed.KeyId()).ok());
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(registry_->ActiveKey(ed.KeyId()).status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(RegistryStoreTest, BasesAndCertificatesArePerEnterprise) {
  Register(kGoji);
  Register(kWinery);
  origo::v1::ProductionBase base;
  base.set_usci(kGoji);
  base.set_base_id("zhongning-1");
  base.set_name("Zhongning plot 1");
  base.set_gln("6901234567892");
  base.add_gi_zones("中宁枸杞");
  ASSERT_TRUE(registry_->AddBase(base).ok());
  EXPECT_EQ(registry_->AddBase(base).status().code(), absl::StatusCode::kAlreadyExists);
  base.clear_base_id();
  auto assigned = registry_->AddBase(base);
  ASSERT_TRUE(assigned.ok()) << assigned.status();
  EXPECT_EQ(assigned->base_id().rfind("base-", 0), 0u) << assigned->base_id();
  base.set_usci("91110000MA0000000H");
  EXPECT_EQ(registry_->AddBase(base).status().code(), absl::StatusCode::kNotFound);
  base.set_usci(kWinery);
  base.set_base_id(std::string(RegistryStore::kMaxIdLength + 1, 'x'));
  EXPECT_EQ(registry_->AddBase(base).status().code(), absl::StatusCode::kInvalidArgument);

  origo::v1::Certificate cert;
  cert.set_usci(kWinery);
  cert.set_type("organic");
  cert.set_valid_from("2026-01-01");
  cert.set_valid_to("2028-12-31");
  auto added = registry_->AddCertificate(cert);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(added->certificate_id().rfind("cert-", 0), 0u);
  EXPECT_EQ(registry_->AddCertificate(*added).status().code(), absl::StatusCode::kAlreadyExists);

  Reopen();
  auto goji_bases = registry_->ListBases(kGoji);
  ASSERT_TRUE(goji_bases.ok()) << goji_bases.status();
  ASSERT_EQ(goji_bases->size(), 2u);
  EXPECT_LT((*goji_bases)[0].base_id(), (*goji_bases)[1].base_id());
  EXPECT_TRUE(registry_->ListBases(kWinery)->empty());
  EXPECT_TRUE(registry_->ListCertificates(kGoji)->empty());
  ASSERT_EQ(registry_->ListCertificates(kWinery)->size(), 1u);

  auto profile = registry_->GetProfile(kGoji);
  ASSERT_TRUE(profile.ok()) << profile.status();
  EXPECT_EQ(profile->enterprise.usci(), kGoji);
  EXPECT_EQ(profile->bases.size(), 2u);
  EXPECT_TRUE(profile->certificates.empty());
  EXPECT_EQ(registry_->GetProfile("91110000MA0000000H").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(RegistryStoreTest, TokensAreStoredUnderTheirHash) {
  EXPECT_FALSE(*registry_->AnyToken());
  const crypto::Sha256Digest hash = crypto::Sha256("origo_example");
  origo::store::v1::TokenRecord record;
  record.set_token_id("0123456789abcdef");
  record.set_role(origo::store::v1::TOKEN_ROLE_INSPECTOR);
  ASSERT_TRUE(registry_->PutToken(hash, record).ok());
  EXPECT_TRUE(*registry_->AnyToken());
  Reopen();
  auto got = registry_->GetToken(hash);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->token_id(), "0123456789abcdef");
  EXPECT_EQ(got->role(), origo::store::v1::TOKEN_ROLE_INSPECTOR);
  EXPECT_EQ(registry_->GetToken(crypto::Sha256("other")).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(RegistryStoreTest, CorruptEnterpriseValueIsDataLoss) {
  rocksdb::WriteBatch batch;
  batch.Put(store_->Family(ColumnFamily::kEnterprises), kGoji, std::string("\x07garbage"));
  ASSERT_TRUE(store_->Write(&batch).ok());
  EXPECT_EQ(registry_->GetEnterprise(kGoji).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace origo::storage
