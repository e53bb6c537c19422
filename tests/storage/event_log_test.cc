#include "storage/event_log.h"

#include <gtest/gtest.h>

#include "core/crypto/hash.h"
#include "tests/test_util.h"

namespace origo::storage {
namespace {

using origo::testing::TempDir;

LeafToAppend MakeLeaf(const std::string& body, std::vector<std::string> ids = {}) {
  LeafToAppend leaf;
  crypto::Sha256Digest digest = crypto::Sha256(body);
  leaf.event_id.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
  leaf.leaf = "leaf:" + body;
  leaf.leaf_hash = merkle::LeafHash(leaf.leaf);
  leaf.identifiers = std::move(ids);
  return leaf;
}

std::vector<const LeafToAppend*> Ptrs(const std::vector<LeafToAppend>& leaves) {
  std::vector<const LeafToAppend*> out;
  for (const auto& l : leaves) out.push_back(&l);
  return out;
}

TEST(EventLogTest, IncrementalRootEqualsRecursiveDefinitionForSizesUpTo1000) {
  TempDir dir;
  auto store = Store::Open(dir.path()).value();
  auto log = EventLog::Open(store.get()).value();
  std::vector<merkle::Hash> leaf_hashes;
  EXPECT_EQ(log->Head().root, merkle::EmptyRoot());
  int n = 0;
  // Appends in groups of varying size so that group boundaries fall everywhere.
  for (int group = 1; n < 1000; group = group % 7 + 1) {
    std::vector<LeafToAppend> leaves;
    for (int i = 0; i < group && n < 1000; ++i, ++n) {
      leaves.push_back(MakeLeaf("event " + std::to_string(n)));
      leaf_hashes.push_back(leaves.back().leaf_hash);
    }
    ASSERT_TRUE(log->Append(Ptrs(leaves)).ok());
  }
  for (uint64_t size = 0; size <= 1000; ++size) {
    merkle::Hash expected =
        merkle::RootFromLeafHashes(std::span<const merkle::Hash>(leaf_hashes.data(), size));
    auto stored =
        size == 0 ? absl::StatusOr<merkle::Hash>(merkle::EmptyRoot()) : log->RootAt(size, nullptr);
    ASSERT_TRUE(stored.ok()) << stored.status();
    ASSERT_EQ(*stored, expected) << "size " << size;
  }
  EXPECT_EQ(log->Head().size, 1000u);
  EXPECT_EQ(log->Head().root, merkle::RootFromLeafHashes(leaf_hashes));
}

TEST(EventLogTest, DuplicatesKeepTheirOriginalIndex) {
  TempDir dir;
  auto store = Store::Open(dir.path()).value();
  auto log = EventLog::Open(store.get()).value();
  std::vector<LeafToAppend> first = {MakeLeaf("a"), MakeLeaf("b")};
  auto r1 = log->Append(Ptrs(first));
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ((*r1)[1].index, 1u);
  EXPECT_FALSE((*r1)[1].duplicate);

  std::vector<LeafToAppend> second = {MakeLeaf("c"), MakeLeaf("b"), MakeLeaf("c")};
  auto r2 = log->Append(Ptrs(second));
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ((*r2)[0].index, 2u);
  EXPECT_FALSE((*r2)[0].duplicate);
  EXPECT_EQ((*r2)[1].index, 1u);
  EXPECT_TRUE((*r2)[1].duplicate);
  EXPECT_EQ((*r2)[2].index, 2u);
  EXPECT_TRUE((*r2)[2].duplicate);
  EXPECT_EQ(log->Head().size, 3u);

  // A batch of only duplicates writes nothing and leaves the tree unchanged.
  TreeHead before = log->Head();
  auto r3 = log->Append(Ptrs(first));
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(log->Head().size, before.size);
  EXPECT_EQ(log->Head().root, before.root);
}

TEST(EventLogTest, StateSurvivesReopenAndProofsVerify) {
  TempDir dir;
  merkle::Hash root;
  std::vector<LeafToAppend> leaves;
  for (int i = 0; i < 37; ++i) {
    leaves.push_back(
        MakeLeaf("e" + std::to_string(i), {"/01/06971234000415/21/S" + std::to_string(i % 3)}));
  }
  {
    auto store = Store::Open(dir.path()).value();
    auto log = EventLog::Open(store.get()).value();
    ASSERT_TRUE(log->Append(Ptrs(leaves)).ok());
    root = log->Head().root;
    ASSERT_TRUE(log->PutCheckpoint(37, root, "note-37", 1).ok());
  }
  auto store = Store::Open(dir.path()).value();
  auto log = EventLog::Open(store.get()).value();
  EXPECT_EQ(log->Head().size, 37u);
  EXPECT_EQ(log->Head().root, root);
  auto latest = log->LatestCheckpoint(nullptr);
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->first, 37u);
  EXPECT_EQ((*latest)->second, "note-37");

  for (uint64_t size : {1u, 5u, 16u, 37u}) {
    auto root_at = log->RootAt(size, nullptr).value();
    for (uint64_t i = 0; i < size; ++i) {
      auto proof = log->InclusionProof(i, size, nullptr);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_TRUE(merkle::VerifyInclusion(i, size, leaves[i].leaf_hash, *proof, root_at).ok());
    }
    auto consistency = log->ConsistencyProof(size, 37, nullptr);
    ASSERT_TRUE(consistency.ok());
    EXPECT_TRUE(merkle::VerifyConsistency(size, 37, *consistency, root_at, root).ok() ||
                size == 37);
  }
  auto s1 = log->EventsFor("/01/06971234000415/21/S1", 100, nullptr).value();
  ASSERT_EQ(s1.size(), 12u);
  EXPECT_EQ(s1[0], 1u);
  EXPECT_EQ(s1[1], 4u);
  auto found = log->FindEvent(leaves[20].event_id, nullptr).value();
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, 20u);
  auto leaf_bytes = log->GetLeaves(35, 10, nullptr).value();
  ASSERT_EQ(leaf_bytes.size(), 2u);
  EXPECT_EQ(leaf_bytes[1], leaves[36].leaf);
}

}  // namespace
}  // namespace origo::storage
