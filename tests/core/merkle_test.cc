#include "core/merkle/merkle.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/merkle/compact_range.h"

namespace origo::merkle {
namespace {

namespace fs = std::filesystem;
namespace pb = google::protobuf;

// ---------------------------------------------------------------------------------------------
// In-memory storage: every node CompactRange::Append reports, served through a NodeReader that
// fails the test if a node is requested that is not complete at the size being worked with.

class MemoryTree {
 public:
  void Append(std::string_view leaf) {
    const Hash leaf_hash = LeafHash(leaf);
    leaf_hashes_.push_back(leaf_hash);
    for (const Node& node : range_.Append(leaf_hash)) {
      auto [it, inserted] = nodes_.emplace(std::make_pair(node.id.level, node.id.index), node.hash);
      EXPECT_TRUE(inserted) << "node (" << node.id.level << "," << node.id.index
                            << ") reported twice";
    }
  }

  // A reader for proofs at `tree_size`: refuses nodes that are incomplete at that size.
  auto ReaderAt(uint64_t tree_size) const {
    return [this, tree_size](uint32_t level, uint64_t index) -> absl::StatusOr<Hash> {
      const NodeId id{level, index};
      if (level >= 64 || id.end() > tree_size || (id.end() >> level) != index + 1) {
        ADD_FAILURE() << "reader asked for (" << level << "," << index << "), not complete at size "
                      << tree_size;
        return absl::FailedPreconditionError("incomplete node requested");
      }
      auto it = nodes_.find({level, index});
      if (it == nodes_.end()) return absl::NotFoundError("node not stored");
      return it->second;
    };
  }

  const CompactRange& range() const { return range_; }
  const std::vector<Hash>& leaf_hashes() const { return leaf_hashes_; }
  size_t node_count() const { return nodes_.size(); }
  const std::map<std::pair<uint32_t, uint64_t>, Hash>& nodes() const { return nodes_; }

  Hash ReferenceRoot(uint64_t size) const {
    return RootFromLeafHashes(std::span<const Hash>(leaf_hashes_).first(size));
  }

 private:
  CompactRange range_;
  std::vector<Hash> leaf_hashes_;
  std::map<std::pair<uint32_t, uint64_t>, Hash> nodes_;
};

std::string LeafData(uint64_t i) { return absl::StrCat("leaf-", i); }

MemoryTree BuildTree(uint64_t size) {
  MemoryTree tree;
  for (uint64_t i = 0; i < size; ++i) tree.Append(LeafData(i));
  return tree;
}

// ---------------------------------------------------------------------------------------------
// Known answers.

TEST(MerkleHashTest, EmptyRootIsSha256OfNothing) {
  EXPECT_EQ(HashToHex(EmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(RootFromLeafHashes({}), EmptyRoot());
  EXPECT_EQ(CompactRange().Root(), EmptyRoot());
}

// The RFC 6962 reference leaves and roots of sizes 1..8 (as used by Certificate Transparency
// implementations).
TEST(MerkleHashTest, RootsOfRfc6962ReferenceTree) {
  const std::vector<std::string> leaves = {"",
                                           "00",
                                           "10",
                                           "2021",
                                           "3031",
                                           "40414243",
                                           "5051525354555657",
                                           "606162636465666768696a6b6c6d6e6f"};
  const std::vector<std::string> roots = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  std::vector<Hash> leaf_hashes;
  CompactRange range;
  for (size_t i = 0; i < leaves.size(); ++i) {
    leaf_hashes.push_back(LeafHash(absl::HexStringToBytes(leaves[i])));
    (void)range.Append(leaf_hashes.back());
    EXPECT_EQ(HashToHex(RootFromLeafHashes(leaf_hashes)), roots[i]) << "size " << i + 1;
    EXPECT_EQ(HashToHex(range.Root()), roots[i]) << "size " << i + 1;
  }
}

TEST(MerkleHashTest, HashFromBytesRequires32Bytes) {
  EXPECT_TRUE(HashFromBytes(std::string(32, 'x')).ok());
  EXPECT_EQ(HashFromBytes("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HashFromBytes(std::string(33, 'x')).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MerkleHashTest, FrontierIdsFollowSetBits) {
  EXPECT_TRUE(FrontierIds(0).empty());
  EXPECT_EQ(FrontierIds(1), (std::vector<NodeId>{{0, 0}}));
  // 13 = 8 + 4 + 1: [0,8) [8,12) [12,13).
  EXPECT_EQ(FrontierIds(13), (std::vector<NodeId>{{3, 0}, {2, 2}, {0, 12}}));
  EXPECT_EQ(FrontierIds(~uint64_t{0}).size(), 64u);
}

// ---------------------------------------------------------------------------------------------
// Compact range and stored nodes.

TEST(CompactRangeTest, RootMatchesRecursiveDefinitionForEverySizeUpTo1000) {
  MemoryTree tree;
  for (uint64_t size = 0; size <= 1000; ++size) {
    if (size > 0) tree.Append(LeafData(size - 1));
    const Hash want = tree.ReferenceRoot(size);
    ASSERT_EQ(tree.range().size(), size);
    ASSERT_EQ(tree.range().Root(), want) << "size " << size;
    ASSERT_EQ(tree.range().frontier().size(), FrontierIds(size).size());
    absl::StatusOr<Hash> root_at = RootAt(size, tree.ReaderAt(size));
    ASSERT_TRUE(root_at.ok()) << root_at.status();
    ASSERT_EQ(*root_at, want) << "size " << size;
  }
}

TEST(CompactRangeTest, AppendReportsEveryCompleteNodeOnceWithItsHash) {
  constexpr uint64_t kSize = 1000;
  MemoryTree tree = BuildTree(kSize);
  // A tree of n leaves has sum over levels of floor(n / 2^level) complete nodes.
  size_t want = 0;
  for (uint64_t width = 1; width <= kSize; width <<= 1) want += kSize / width;
  EXPECT_EQ(tree.node_count(), want);
  std::span<const Hash> leaves(tree.leaf_hashes());
  for (const auto& [key, hash] : tree.nodes()) {
    const NodeId id{key.first, key.second};
    ASSERT_LE(id.end(), kSize);
    ASSERT_EQ(hash, RootFromLeafHashes(leaves.subspan(id.begin(), id.end() - id.begin())))
        << "node (" << id.level << "," << id.index << ")";
  }
}

TEST(CompactRangeTest, AppendReturnsLeafThenParentsBottomUp) {
  CompactRange range;
  for (int i = 0; i < 3; ++i) (void)range.Append(LeafHash(LeafData(i)));
  const std::vector<Node> nodes = range.Append(LeafHash(LeafData(3)));
  ASSERT_EQ(nodes.size(), 3u);
  EXPECT_EQ(nodes[0].id, (NodeId{0, 3}));
  EXPECT_EQ(nodes[0].hash, LeafHash(LeafData(3)));
  EXPECT_EQ(nodes[1].id, (NodeId{1, 1}));
  EXPECT_EQ(nodes[2].id, (NodeId{2, 0}));
  EXPECT_EQ(nodes[2].hash, range.Root());
  EXPECT_EQ(range.frontier().size(), 1u);
}

TEST(CompactRangeTest, RestoredRangeContinuesLikeTheOriginal) {
  MemoryTree tree = BuildTree(300);
  for (uint64_t size : {0, 1, 2, 7, 64, 255, 256, 299, 300}) {
    absl::StatusOr<CompactRange> restored = CompactRange::FromReader(size, tree.ReaderAt(size));
    ASSERT_TRUE(restored.ok()) << restored.status();
    for (uint64_t i = size; i < 300; ++i) (void)restored->Append(tree.leaf_hashes()[i]);
    EXPECT_EQ(restored->Root(), tree.range().Root()) << "restored at " << size;

    absl::StatusOr<CompactRange> copied =
        CompactRange::FromFrontier(tree.range().size(), tree.range().frontier());
    ASSERT_TRUE(copied.ok());
    EXPECT_EQ(copied->Root(), tree.range().Root());
  }
}

TEST(CompactRangeTest, FromFrontierRejectsWrongHashCount) {
  absl::StatusOr<CompactRange> range = CompactRange::FromFrontier(3, {EmptyRoot()});
  EXPECT_EQ(range.status().code(), absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// Proof generation and verification.

// Checks a correct inclusion proof and a set of corruptions of it.
void CheckInclusion(const MemoryTree& tree, uint64_t index, uint64_t size) {
  SCOPED_TRACE(absl::StrCat("inclusion index=", index, " size=", size));
  absl::StatusOr<std::vector<Hash>> proof = InclusionProof(index, size, tree.ReaderAt(size));
  ASSERT_TRUE(proof.ok()) << proof.status();
  ASSERT_EQ(proof->size(), InclusionProofSize(index, size));
  const Hash root = tree.ReferenceRoot(size);
  const Hash leaf = tree.leaf_hashes()[index];
  ASSERT_TRUE(VerifyInclusion(index, size, leaf, *proof, root).ok());

  const auto code = [&](uint64_t i, uint64_t n, const Hash& l, const std::vector<Hash>& p,
                        const Hash& r) { return VerifyInclusion(i, n, l, p, r).code(); };
  EXPECT_EQ(code(index, size, leaf, *proof, EmptyRoot()), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(code(index, size, LeafHash("other"), *proof, root),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(code(size, size, leaf, *proof, root), absl::StatusCode::kInvalidArgument);
  for (size_t i = 0; i < proof->size(); ++i) {
    std::vector<Hash> tampered = *proof;
    tampered[i][i % kHashSize] ^= 0x10;
    EXPECT_EQ(code(index, size, leaf, tampered, root), absl::StatusCode::kFailedPrecondition)
        << "flipped bit in element " << i;
  }
  std::vector<Hash> longer = *proof;
  longer.push_back(root);
  EXPECT_EQ(code(index, size, leaf, longer, root), absl::StatusCode::kInvalidArgument);
  if (!proof->empty()) {
    std::vector<Hash> shorter(proof->begin(), proof->end() - 1);
    EXPECT_EQ(code(index, size, leaf, shorter, root), absl::StatusCode::kInvalidArgument);
  }
  // A proof for one position must not verify another leaf at another position.
  for (uint64_t other : {index ^ 1, index + 1, index - 1}) {
    if (other == index || other >= size) continue;
    EXPECT_FALSE(VerifyInclusion(other, size, leaf, *proof, root).ok()) << "other=" << other;
    EXPECT_FALSE(VerifyInclusion(other, size, tree.leaf_hashes()[other], *proof, root).ok())
        << "other=" << other;
  }
}

void CheckConsistency(const MemoryTree& tree, uint64_t size1, uint64_t size2) {
  SCOPED_TRACE(absl::StrCat("consistency ", size1, " -> ", size2));
  absl::StatusOr<std::vector<Hash>> proof = ConsistencyProof(size1, size2, tree.ReaderAt(size2));
  ASSERT_TRUE(proof.ok()) << proof.status();
  ASSERT_EQ(proof->size(), ConsistencyProofSize(size1, size2));
  const Hash root1 = tree.ReferenceRoot(size1);
  const Hash root2 = tree.ReferenceRoot(size2);
  ASSERT_TRUE(VerifyConsistency(size1, size2, *proof, root1, root2).ok());
  if (size1 == size2) {
    EXPECT_TRUE(proof->empty());
    EXPECT_EQ(VerifyConsistency(size1, size2, *proof, root1, LeafHash("x")).code(),
              absl::StatusCode::kFailedPrecondition);
    return;
  }
  const auto code = [&](uint64_t s1, uint64_t s2, const std::vector<Hash>& p, const Hash& r1,
                        const Hash& r2) { return VerifyConsistency(s1, s2, p, r1, r2).code(); };
  EXPECT_EQ(code(size1, size2, *proof, root2, root1), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(code(size1, size2, *proof, LeafHash("x"), root2),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(code(size1, size2, *proof, root1, LeafHash("x")),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(code(size1, size2, {}, root1, root2), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(size2, size1, *proof, root1, root2), absl::StatusCode::kInvalidArgument);
  for (size_t i = 0; i < proof->size(); ++i) {
    std::vector<Hash> tampered = *proof;
    tampered[i][i % kHashSize] ^= 0x10;
    EXPECT_EQ(code(size1, size2, tampered, root1, root2), absl::StatusCode::kFailedPrecondition)
        << "flipped bit in element " << i;
  }
  std::vector<Hash> longer = *proof;
  longer.push_back(root1);
  EXPECT_EQ(code(size1, size2, longer, root1, root2), absl::StatusCode::kInvalidArgument);
  std::vector<Hash> shorter(proof->begin(), proof->end() - 1);
  EXPECT_EQ(code(size1, size2, shorter, root1, root2), absl::StatusCode::kInvalidArgument);
  // The proof must not verify against neighbouring sizes.
  for (uint64_t other : {size1 + 1, size1 - 1}) {
    if (other == 0 || other > size2 || other == size1) continue;
    EXPECT_FALSE(VerifyConsistency(other, size2, *proof, tree.ReferenceRoot(other), root2).ok())
        << "size1=" << other;
  }
}

TEST(MerkleProofTest, InclusionProofsVerifyForAllPairsUpTo64) {
  const MemoryTree tree = BuildTree(64);
  for (uint64_t size = 1; size <= 64; ++size) {
    for (uint64_t index = 0; index < size; ++index) CheckInclusion(tree, index, size);
  }
}

TEST(MerkleProofTest, ConsistencyProofsVerifyForAllPairsUpTo64) {
  const MemoryTree tree = BuildTree(64);
  for (uint64_t size2 = 1; size2 <= 64; ++size2) {
    for (uint64_t size1 = 1; size1 <= size2; ++size1) CheckConsistency(tree, size1, size2);
  }
}

TEST(MerkleProofTest, RandomProofsVerifyUpTo1000) {
  const MemoryTree tree = BuildTree(1000);
  std::mt19937_64 rng(20240601);
  for (int i = 0; i < 1000; ++i) {
    const uint64_t size = std::uniform_int_distribution<uint64_t>(1, 1000)(rng);
    const uint64_t index = std::uniform_int_distribution<uint64_t>(0, size - 1)(rng);
    CheckInclusion(tree, index, size);
    const uint64_t size1 = std::uniform_int_distribution<uint64_t>(1, size)(rng);
    CheckConsistency(tree, size1, size);
  }
  for (uint64_t size1 : {1, 255, 256, 257, 511, 512, 999}) CheckConsistency(tree, size1, 1000);
}

TEST(MerkleProofTest, RejectsMalformedRequests) {
  const MemoryTree tree = BuildTree(8);
  EXPECT_EQ(InclusionProof(8, 8, tree.ReaderAt(8)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InclusionProof(0, 0, tree.ReaderAt(0)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProof(0, 8, tree.ReaderAt(8)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProof(5, 4, tree.ReaderAt(5)).status().code(),
            absl::StatusCode::kInvalidArgument);
  const Hash root = tree.ReferenceRoot(8);
  EXPECT_EQ(VerifyConsistency(0, 0, {}, EmptyRoot(), EmptyRoot()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyConsistency(0, 8, {}, EmptyRoot(), root).code(),
            absl::StatusCode::kInvalidArgument);
  std::vector<Hash> one = {root};
  EXPECT_EQ(VerifyConsistency(8, 8, one, root, root).code(), absl::StatusCode::kInvalidArgument);
  absl::Status mismatch = VerifyInclusion(0, 1, LeafHash("a"), {}, LeafHash("b"));
  EXPECT_EQ(mismatch.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(mismatch.message().find("root mismatch"), std::string_view::npos) << mismatch;
}

TEST(MerkleProofTest, ReaderErrorsPropagateUnchanged) {
  const auto missing = [](uint32_t, uint64_t) -> absl::StatusOr<Hash> {
    return absl::NotFoundError("gone");
  };
  EXPECT_EQ(InclusionProof(3, 10, missing).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ConsistencyProof(3, 10, missing).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(RootAt(10, missing).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(CompactRange::FromReader(10, missing).status().code(), absl::StatusCode::kNotFound);
}

// ---------------------------------------------------------------------------------------------
// transparency-dev/merkle test vectors (see testdata/merkle/SOURCE). Each JSON file is one
// verification claim with its expected verdict (`wantErr`). Files are parsed with protobuf's
// JSON parser into a message built from the schema below: it decodes the base64 byte fields,
// keeps 64-bit sizes exact (one vector uses 2^64 - 1) and rejects unknown fields.

constexpr char kVectorSchema[] = R"pb(
  name: "origo_merkle_test_vectors.proto"
  package: "origo.merkle.testing"
  syntax: "proto3"
  message_type {
    name: "InclusionVector"
    field { name: "leafIdx" json_name: "leafIdx" number: 1 label: LABEL_OPTIONAL type: TYPE_UINT64 }
    field {
      name: "treeSize"
      json_name: "treeSize"
      number: 2
      label: LABEL_OPTIONAL
      type: TYPE_UINT64
    }
    field { name: "root" json_name: "root" number: 3 label: LABEL_OPTIONAL type: TYPE_BYTES }
    field {
      name: "leafHash"
      json_name: "leafHash"
      number: 4
      label: LABEL_OPTIONAL
      type: TYPE_BYTES
    }
    field { name: "proof" json_name: "proof" number: 5 label: LABEL_REPEATED type: TYPE_BYTES }
    field { name: "desc" json_name: "desc" number: 6 label: LABEL_OPTIONAL type: TYPE_STRING }
    field { name: "wantErr" json_name: "wantErr" number: 7 label: LABEL_OPTIONAL type: TYPE_BOOL }
  }
  message_type {
    name: "ConsistencyVector"
    field { name: "size1" json_name: "size1" number: 1 label: LABEL_OPTIONAL type: TYPE_UINT64 }
    field { name: "size2" json_name: "size2" number: 2 label: LABEL_OPTIONAL type: TYPE_UINT64 }
    field { name: "root1" json_name: "root1" number: 3 label: LABEL_OPTIONAL type: TYPE_BYTES }
    field { name: "root2" json_name: "root2" number: 4 label: LABEL_OPTIONAL type: TYPE_BYTES }
    field { name: "proof" json_name: "proof" number: 5 label: LABEL_REPEATED type: TYPE_BYTES }
    field { name: "desc" json_name: "desc" number: 6 label: LABEL_OPTIONAL type: TYPE_STRING }
    field { name: "wantErr" json_name: "wantErr" number: 7 label: LABEL_OPTIONAL type: TYPE_BOOL }
  }
)pb";

// A parsed vector file, read through reflection.
class VectorFile {
 public:
  // Parses `path` as `message_name` (InclusionVector or ConsistencyVector).
  static absl::StatusOr<VectorFile> Load(const fs::path& path, const std::string& message_name) {
    // Built once and never freed: messages of these types live until the test exits.
    static const pb::DescriptorPool* const pool = []() -> const pb::DescriptorPool* {
      pb::FileDescriptorProto file;
      if (!pb::TextFormat::ParseFromString(kVectorSchema, &file)) return nullptr;
      auto* built = new pb::DescriptorPool();
      if (built->BuildFile(file) == nullptr) return nullptr;
      return built;
    }();
    if (pool == nullptr) return absl::InternalError("vector schema does not build");
    static pb::DynamicMessageFactory* const factory = new pb::DynamicMessageFactory(pool);
    const pb::Descriptor* descriptor =
        pool->FindMessageTypeByName("origo.merkle.testing." + message_name);
    if (descriptor == nullptr) return absl::InternalError("no message " + message_name);

    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::NotFoundError("cannot read " + path.string());
    std::stringstream json;
    json << in.rdbuf();

    VectorFile vector;
    vector.message_.reset(factory->GetPrototype(descriptor)->New());
    pb::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    const auto parsed = pb::util::JsonStringToMessage(json.str(), vector.message_.get(), options);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(path.string() + ": " + parsed.ToString());
    }
    return vector;
  }

  uint64_t Uint(const std::string& name) const {
    return reflection().GetUInt64(*message_, field(name));
  }
  bool Bool(const std::string& name) const { return reflection().GetBool(*message_, field(name)); }
  std::string Bytes(const std::string& name) const {
    return reflection().GetString(*message_, field(name));
  }
  std::vector<std::string> RepeatedBytes(const std::string& name) const {
    const auto list = reflection().GetRepeatedFieldRef<std::string>(*message_, field(name));
    return std::vector<std::string>(list.begin(), list.end());
  }

 private:
  const pb::Reflection& reflection() const { return *message_->GetReflection(); }
  const pb::FieldDescriptor* field(const std::string& name) const {
    const pb::FieldDescriptor* f = message_->GetDescriptor()->FindFieldByName(name);
    EXPECT_NE(f, nullptr) << name;
    return f;
  }

  std::unique_ptr<pb::Message> message_;
};

// The vectors carry raw byte strings, some of them not 32 bytes long: "" and "WrongLeaf" as
// corrupted inputs, and "don't care 1/2" as placeholders for roots whose value does not matter.
// Origo's verifiers take typed hashes and HashFromBytes rejects anything else at the edge, so:
//  - A vector whose fields all parse is verified as is; the verdict must match wantErr.
//  - A vector with an unparseable field is rejected at the edge with INVALID_ARGUMENT. That is
//    the expected verdict when wantErr is true. When wantErr is false (the upstream verifier
//    compared placeholder roots byte for byte without checking their length), our verdict is
//    deliberately stricter; the verifier logic the vector targets is still checked by
//    substituting equality-preserving 32-byte placeholders, which must then verify.
class VectorHashes {
 public:
  Hash Parse(const std::string& bytes) {
    absl::StatusOr<Hash> hash = HashFromBytes(bytes);
    if (hash.ok()) return *hash;
    EXPECT_EQ(hash.status().code(), absl::StatusCode::kInvalidArgument);
    rejected_ = true;
    return LeafHash("origo merkle_test placeholder: " + bytes);
  }
  std::vector<Hash> Parse(const std::vector<std::string>& values) {
    std::vector<Hash> hashes;
    for (const std::string& value : values) hashes.push_back(Parse(value));
    return hashes;
  }
  // True if some field was not a 32-byte hash.
  bool rejected() const { return rejected_; }

 private:
  bool rejected_ = false;
};

// Applies the rules above to the verifier's `status` on the parsed (or placeholder) hashes.
void ExpectVerdict(const VectorHashes& hashes, const absl::Status& status, bool want_error,
                   const std::string& desc) {
  if (!hashes.rejected()) {
    EXPECT_EQ(!status.ok(), want_error) << desc << ": got " << status;
  } else if (!want_error) {
    EXPECT_TRUE(status.ok()) << desc << " (with 32-byte placeholders): got " << status;
    testing::Test::RecordProperty("origo_note",
                                  "placeholder bytes rejected at the edge; logic checked");
  }
}

const fs::path& VectorRoot() {
  static const fs::path root = fs::path(ORIGO_TESTDATA_DIR "/merkle");
  return root;
}

// All *.json files under testdata/merkle/<kind>, relative to testdata/merkle, sorted.
std::vector<std::string> FindVectorFiles(const std::string& kind) {
  std::vector<std::string> files;
  std::error_code error;
  const fs::path dir = VectorRoot() / kind;
  for (fs::recursive_directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_regular_file() && it->path().extension() == ".json") {
      files.push_back(fs::relative(it->path(), VectorRoot()).generic_string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string VectorTestName(const testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.size() - 5);  // drop ".json"
  for (char& c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return absl::StrCat(name, "_", info.index);
}

TEST(MerkleVectorFilesTest, VectorsArePresent) {
  EXPECT_GT(FindVectorFiles("inclusion").size(), 0u) << VectorRoot();
  EXPECT_GT(FindVectorFiles("consistency").size(), 0u) << VectorRoot();
}

class InclusionVectorTest : public testing::TestWithParam<std::string> {};

TEST_P(InclusionVectorTest, VerdictMatches) {
  absl::StatusOr<VectorFile> vector =
      VectorFile::Load(VectorRoot() / GetParam(), "InclusionVector");
  ASSERT_TRUE(vector.ok()) << vector.status();
  VectorHashes hashes;
  const std::vector<Hash> proof = hashes.Parse(vector->RepeatedBytes("proof"));
  const Hash leaf_hash = hashes.Parse(vector->Bytes("leafHash"));
  const Hash root = hashes.Parse(vector->Bytes("root"));
  const uint64_t index = vector->Uint("leafIdx");
  const uint64_t tree_size = vector->Uint("treeSize");
  ExpectVerdict(hashes, VerifyInclusion(index, tree_size, leaf_hash, proof, root),
                vector->Bool("wantErr"), vector->Bytes("desc"));
}

INSTANTIATE_TEST_SUITE_P(Files, InclusionVectorTest,
                         testing::ValuesIn(FindVectorFiles("inclusion")), VectorTestName);

class ConsistencyVectorTest : public testing::TestWithParam<std::string> {};

TEST_P(ConsistencyVectorTest, VerdictMatches) {
  absl::StatusOr<VectorFile> vector =
      VectorFile::Load(VectorRoot() / GetParam(), "ConsistencyVector");
  ASSERT_TRUE(vector.ok()) << vector.status();
  VectorHashes hashes;
  const std::vector<Hash> proof = hashes.Parse(vector->RepeatedBytes("proof"));
  const Hash root1 = hashes.Parse(vector->Bytes("root1"));
  const Hash root2 = hashes.Parse(vector->Bytes("root2"));
  const uint64_t size1 = vector->Uint("size1");
  const uint64_t size2 = vector->Uint("size2");
  ExpectVerdict(hashes, VerifyConsistency(size1, size2, proof, root1, root2),
                vector->Bool("wantErr"), vector->Bytes("desc"));
}

INSTANTIATE_TEST_SUITE_P(Files, ConsistencyVectorTest,
                         testing::ValuesIn(FindVectorFiles("consistency")), VectorTestName);

}  // namespace
}  // namespace origo::merkle
