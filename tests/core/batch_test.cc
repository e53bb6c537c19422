#include "core/batch/batch.h"

#include <gtest/gtest.h>

namespace origo::batch {
namespace {

std::vector<std::string> Events(int n) {
  std::vector<std::string> events;
  for (int i = 0; i < n; ++i) {
    events.push_back(R"({"type":"ObjectEvent","n":)" + std::to_string(i) + "}");
  }
  return events;
}

origo::v1::LogLeaf LeafFor(const origo::v1::SignedBatch& batch, int index) {
  BatchTree tree(batch.events());
  origo::v1::LogLeaf leaf;
  leaf.set_event(batch.events(index));
  leaf.set_batch_index(static_cast<uint32_t>(index));
  auto path = tree.Path(static_cast<uint64_t>(index));
  EXPECT_TRUE(path.ok());
  for (const merkle::Hash& h : *path) {
    leaf.add_batch_path(std::string(reinterpret_cast<const char*>(h.data()), h.size()));
  }
  leaf.set_manifest(batch.manifest());
  leaf.set_signature(batch.signature());
  return leaf;
}

class BatchTest : public ::testing::TestWithParam<crypto::Algorithm> {};

TEST_P(BatchTest, SignedBatchVerifiesAndEveryLeafIsEvidence) {
  auto key = crypto::PrivateKey::Generate(GetParam());
  ASSERT_TRUE(key.ok());
  for (int n : {1, 2, 3, 7, 16, 100}) {
    auto batch = SignBatch(Events(n), "91640521MA76GJ0Q1B", *key, 1700000000000);
    ASSERT_TRUE(batch.ok()) << batch.status();
    auto manifest = ParseManifest(batch->manifest());
    ASSERT_TRUE(manifest.ok()) << manifest.status();
    EXPECT_EQ(manifest->batch_size(), static_cast<uint32_t>(n));
    EXPECT_EQ(manifest->key_id(), key->Public().KeyId());
    EXPECT_EQ(manifest->enterprise(), "91640521MA76GJ0Q1B");
    EXPECT_TRUE(VerifyBatch(*batch, *manifest, key->Public()).ok());
    for (int i = 0; i < n; ++i) {
      EXPECT_TRUE(VerifyLeafEvidence(LeafFor(*batch, i), key->Public()).ok()) << n << "/" << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Algorithms, BatchTest,
                         ::testing::Values(crypto::Algorithm::kEd25519, crypto::Algorithm::kP256));

TEST(BatchVerifyTest, ChangedEventBreaksTheRoot) {
  auto key = crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value();
  auto batch = SignBatch(Events(5), "91640521MA76GJ0Q1B", key, 1).value();
  auto manifest = ParseManifest(batch.manifest()).value();
  batch.set_events(2, R"({"type":"ObjectEvent","n":99})");
  absl::Status s = VerifyBatch(batch, manifest, key.Public());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("batch_root"), std::string::npos) << s;
}

TEST(BatchVerifyTest, DroppedEventIsASizeMismatch) {
  auto key = crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value();
  auto batch = SignBatch(Events(5), "91640521MA76GJ0Q1B", key, 1).value();
  auto manifest = ParseManifest(batch.manifest()).value();
  batch.mutable_events()->RemoveLast();
  absl::Status s = VerifyBatch(batch, manifest, key.Public());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("batch_size"), std::string::npos) << s;
}

TEST(BatchVerifyTest, OtherKeyIsUnauthenticated) {
  auto key = crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value();
  auto other = crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value();
  auto batch = SignBatch(Events(3), "91640521MA76GJ0Q1B", key, 1).value();
  auto manifest = ParseManifest(batch.manifest()).value();
  absl::Status s = VerifyBatch(batch, manifest, other.Public());
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(s.message().find("signature"), std::string::npos);
}

TEST(BatchVerifyTest, NonCanonicalManifestIsRejected) {
  auto key = crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value();
  auto batch = SignBatch(Events(1), "91640521MA76GJ0Q1B", key, 1).value();
  // Appending a duplicate field keeps the message parseable but changes its encoding.
  std::string manifest = batch.manifest() + std::string("\x18\x01", 2);
  EXPECT_EQ(ParseManifest(manifest).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseManifest("\xff\xff").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(LeafEvidenceTest, TamperedLeafSaysWhichCheckFailed) {
  auto key = crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value();
  auto batch = SignBatch(Events(8), "91640521MA76GJ0Q1B", key, 1).value();
  origo::v1::LogLeaf leaf = LeafFor(batch, 3);

  origo::v1::LogLeaf changed_event = leaf;
  changed_event.mutable_event()->back() = ']';
  absl::Status s = VerifyLeafEvidence(changed_event, key.Public());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("batch path"), std::string::npos) << s;

  origo::v1::LogLeaf changed_signature = leaf;
  (*changed_signature.mutable_signature())[5] ^= 1;
  s = VerifyLeafEvidence(changed_signature, key.Public());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("signature"), std::string::npos) << s;

  auto other = crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value();
  s = VerifyLeafEvidence(leaf, other.Public());
  EXPECT_NE(s.message().find("key id"), std::string::npos) << s;
}

TEST(EventIdTest, IsHexSha256OfTheBytes) {
  EXPECT_EQ(EventId(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace origo::batch
