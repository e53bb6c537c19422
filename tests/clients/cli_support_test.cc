// The CLI's server-independent pieces: files it creates, JSONL input and its line mapping, and
// the client-side evidence checks of origo verify / origo audit (against locally built logs).

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "clients/cli/evidence.h"
#include "clients/cli/files.h"
#include "clients/cli/jsonl.h"
#include "core/batch/batch.h"
#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/note.h"
#include "core/crypto/keys.h"
#include "core/merkle/merkle.h"
#include "tests/test_util.h"

namespace origo::cli {
namespace {

using ::origo::testing::TempDir;

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// --- files ---------------------------------------------------------------------------------

TEST(WriteNewFileTest, CreatesWithExactModeWhateverTheUmask) {
  TempDir dir;
  mode_t old = umask(0);
  ASSERT_TRUE(WriteNewFile(dir.Sub("key"), "secret", 0600, false).ok());
  ASSERT_TRUE(WriteNewFile(dir.Sub("key.pub"), "public", 0644, false).ok());
  umask(old);
  EXPECT_EQ(ModeOf(dir.Sub("key")), 0600u);
  EXPECT_EQ(ModeOf(dir.Sub("key.pub")), 0644u);
  EXPECT_EQ(*ReadFile(dir.Sub("key")), "secret");
}

TEST(WriteNewFileTest, RefusesToOverwriteUnlessAsked) {
  TempDir dir;
  ASSERT_TRUE(WriteNewFile(dir.Sub("key"), "first", 0600, false).ok());
  absl::Status again = WriteNewFile(dir.Sub("key"), "second", 0600, false);
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(*ReadFile(dir.Sub("key")), "first");
  ASSERT_TRUE(WriteNewFile(dir.Sub("key"), "second", 0600, true).ok());
  EXPECT_EQ(*ReadFile(dir.Sub("key")), "second");
}

TEST(WriteNewFileTest, NeverWritesThroughASymlink) {
  TempDir dir;
  WriteText(dir.Sub("target"), "keep");
  ASSERT_EQ(symlink(dir.Sub("target").c_str(), dir.Sub("link").c_str()), 0);
  EXPECT_FALSE(WriteNewFile(dir.Sub("link"), "secret", 0600, false).ok());
  EXPECT_EQ(*ReadFile(dir.Sub("target")), "keep");
  // --force replaces the link itself, not its target.
  ASSERT_TRUE(WriteNewFile(dir.Sub("link"), "secret", 0600, true).ok());
  EXPECT_EQ(*ReadFile(dir.Sub("target")), "keep");
  EXPECT_EQ(ModeOf(dir.Sub("link")), 0600u);
}

TEST(ReadFileTest, MissingFileIsNotFoundNamingThePath) {
  TempDir dir;
  auto missing = ReadFile(dir.Sub("nope"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos);
}

TEST(ReadVkeyFileTest, TakesTheFirstLineTrimmed) {
  TempDir dir;
  WriteText(dir.Sub("vkey"), "  log+01234567+AbC=\r\nignored\n");
  EXPECT_EQ(*ReadVkeyFile(dir.Sub("vkey")), "log+01234567+AbC=");
  WriteText(dir.Sub("empty"), "\n");
  EXPECT_EQ(ReadVkeyFile(dir.Sub("empty")).status().code(), absl::StatusCode::kInvalidArgument);
}

// --- JSONL input ---------------------------------------------------------------------------

TEST(JsonlReaderTest, EventsAreExactLineBytesWithoutLineEnds) {
  TempDir dir;
  WriteText(dir.Sub("a.jsonl"), "{\"a\":1}\r\n\n  \t\n{\"b\": 2} \n{\"c\":3}");
  JsonlReader reader({dir.Sub("a.jsonl")});
  auto batch = reader.NextBatch(10);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->events, (std::vector<std::string>{"{\"a\":1}", "{\"b\": 2} ", "{\"c\":3}"}));
  ASSERT_EQ(batch->positions.size(), 3u);
  EXPECT_EQ(batch->positions[0].line, 1u);
  EXPECT_EQ(batch->positions[1].line, 4u);
  EXPECT_EQ(batch->positions[2].line, 5u);
  EXPECT_TRUE(reader.NextBatch(10)->events.empty());
}

TEST(JsonlReaderTest, BatchesCrossFilesAndRememberEachLine) {
  TempDir dir;
  WriteText(dir.Sub("a.jsonl"), "1\n2\n3\n");
  WriteText(dir.Sub("b.jsonl"), "\n4\n5\n");
  JsonlReader reader({dir.Sub("a.jsonl"), dir.Sub("b.jsonl")});
  auto first = reader.NextBatch(2);
  auto second = reader.NextBatch(2);
  auto third = reader.NextBatch(2);
  ASSERT_TRUE(first.ok() && second.ok() && third.ok());
  EXPECT_EQ(first->events, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(second->events, (std::vector<std::string>{"3", "4"}));
  EXPECT_EQ(third->events, (std::vector<std::string>{"5"}));
  EXPECT_EQ(DescribeBatch(reader.paths(), *first), dir.Sub("a.jsonl") + " lines 1..2");
  EXPECT_EQ(DescribeBatch(reader.paths(), *second),
            dir.Sub("a.jsonl") + " line 3 .. " + dir.Sub("b.jsonl") + " line 2");
  EXPECT_EQ(DescribeBatch(reader.paths(), *third), dir.Sub("b.jsonl") + " line 3");
  // "event 1" of the second batch is b.jsonl line 2.
  EXPECT_EQ(DescribeLine(reader.paths(), second->positions[1]), dir.Sub("b.jsonl") + " line 2");
}

TEST(JsonlReaderTest, MissingFileIsReportedBeforeReading) {
  TempDir dir;
  WriteText(dir.Sub("a.jsonl"), "1\n");
  JsonlReader reader({dir.Sub("a.jsonl"), dir.Sub("missing.jsonl")});
  absl::Status readable = reader.CheckReadable();
  EXPECT_EQ(readable.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(readable.message().find("missing.jsonl"), std::string::npos);
}

TEST(ParseCaptureErrorTest, ReadsTheEventNumberOfCaptureErrors) {
  CaptureError unary = ParseCaptureError("event 56: eventTime: required");
  EXPECT_EQ(unary.sequence, std::nullopt);
  EXPECT_EQ(unary.event, 56u);
  EXPECT_EQ(unary.detail, "event 56: eventTime: required");
  EXPECT_EQ(ParseCaptureError("event 0: epcList[2]: GTIN check digit").event, 0u);
  for (const char* other : {"events: a batch needs at least one", "event x: bad", "event : bad",
                            "event 5 is bad", "key 5: revoked", ""}) {
    EXPECT_EQ(ParseCaptureError(other).event, std::nullopt) << other;
    EXPECT_EQ(ParseCaptureError(other).detail, other);
  }
}

TEST(ParseCaptureErrorTest, StreamErrorsNameTheBatchSequence) {
  CaptureError streamed = ParseCaptureError("batch with sequence 3: event 50: eventTime: required");
  EXPECT_EQ(streamed.sequence, 3u);
  EXPECT_EQ(streamed.event, 50u);
  EXPECT_EQ(streamed.detail, "event 50: eventTime: required");
  CaptureError denied = ParseCaptureError("batch with sequence 1: manifest.key_id: unknown");
  EXPECT_EQ(denied.sequence, 1u);
  EXPECT_EQ(denied.event, std::nullopt);
  EXPECT_EQ(denied.detail, "manifest.key_id: unknown");
}

TEST(ParseEntryRefTest, EventIdOrIndex) {
  std::string id(64, 'A');
  auto by_id = ParseEntryRef(id);
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_id->event_id, std::string(64, 'a'));
  EXPECT_EQ(ParseEntryRef("523")->index, 523u);
  EXPECT_FALSE(ParseEntryRef("12ab").ok());
  EXPECT_FALSE(ParseEntryRef("").ok());
  EXPECT_FALSE(ParseEntryRef("-1").ok());
}

// --- evidence ------------------------------------------------------------------------------

// The hashes of a proof as the wire carries them; empty on error (which fails the test).
std::vector<std::string> Bytes(const absl::StatusOr<std::vector<merkle::Hash>>& hashes) {
  EXPECT_TRUE(hashes.ok()) << hashes.status();
  std::vector<std::string> out;
  if (!hashes.ok()) return out;
  for (const merkle::Hash& h : hashes.value()) {
    out.push_back(std::string(reinterpret_cast<const char*>(h.data()), h.size()));
  }
  return out;
}

// A log built in memory from signed batches, serving what TransparencyService would.
class LocalLog {
 public:
  LocalLog() : log_key_(*crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519)) {}

  void Append(const std::vector<std::string>& events, const crypto::PrivateKey& key) {
    origo::v1::SignedBatch signed_batch = *batch::SignBatch(events, kUsci, key, 1767225600000);
    batch::BatchTree tree(events);
    for (size_t i = 0; i < events.size(); ++i) {
      origo::v1::LogLeaf leaf;
      leaf.set_event(events[i]);
      leaf.set_batch_index(static_cast<uint32_t>(i));
      for (std::string& h : Bytes(tree.Path(i))) leaf.add_batch_path(std::move(h));
      leaf.set_manifest(signed_batch.manifest());
      leaf.set_signature(signed_batch.signature());
      leaf.set_record_unix_ms(1767225601000);
      leaves_.push_back(batch::DeterministicBytes(leaf));
    }
  }

  checkpoint::NoteVerifier Verifier() const {
    return *checkpoint::NoteVerifier::FromPublicKey(kOrigin, log_key_.Public());
  }

  origo::v1::Checkpoint CheckpointAt(uint64_t size) const {
    checkpoint::Checkpoint c;
    c.origin = kOrigin;
    c.size = size;
    merkle::Hash root = Root(size);
    std::copy(root.begin(), root.end(), c.root.begin());
    auto signer =
        *checkpoint::NoteSigner::Create(kOrigin, *crypto::PrivateKey::FromPem(*log_key_.ToPem()));
    origo::v1::Checkpoint sent;
    sent.set_origin(kOrigin);
    sent.set_tree_size(size);
    sent.set_root_hash(std::string(reinterpret_cast<const char*>(root.data()), root.size()));
    sent.set_note(*signer.Sign(c));
    return sent;
  }

  origo::v1::GetInclusionProofResponse Prove(uint64_t index) const {
    origo::v1::GetInclusionProofResponse response;
    response.set_index(index);
    response.set_leaf(leaves_[index]);
    response.mutable_proof()->set_leaf_index(index);
    response.mutable_proof()->set_tree_size(leaves_.size());
    batch::BatchTree tree(leaves_);  // the same RFC 9162 tree over the log leaves
    for (std::string& h : Bytes(tree.Path(index))) response.mutable_proof()->add_hashes(h);
    *response.mutable_checkpoint() = CheckpointAt(leaves_.size());
    return response;
  }

  std::vector<std::string> Consistency(uint64_t size1, uint64_t size2) const {
    std::vector<merkle::Hash> hashes;
    for (const std::string& leaf : leaves_) hashes.push_back(merkle::LeafHash(leaf));
    auto reader = [&](uint32_t level, uint64_t index) -> absl::StatusOr<merkle::Hash> {
      uint64_t begin = index << level, end = (index + 1) << level;
      return merkle::RootFromLeafHashes(
          std::span<const merkle::Hash>(hashes.data() + begin, end - begin));
    };
    return Bytes(merkle::ConsistencyProof(size1, size2, reader));
  }

  checkpoint::Checkpoint Parsed(uint64_t size) const {
    return *checkpoint::VerifyCheckpoint(CheckpointAt(size).note(), Verifier());
  }

  static constexpr const char* kUsci = "91640521MA76GJ0Q1B";
  static constexpr const char* kOrigin = "origo.test/log";

 private:
  merkle::Hash Root(uint64_t size) const {
    std::vector<merkle::Hash> hashes;
    for (uint64_t i = 0; i < size; ++i) hashes.push_back(merkle::LeafHash(leaves_[i]));
    return merkle::RootFromLeafHashes(hashes);
  }

  crypto::PrivateKey log_key_;
  std::vector<std::string> leaves_;
};

origo::v1::EnterpriseKey Registered(const crypto::PublicKey& key) {
  origo::v1::EnterpriseKey registered;
  registered.set_key_id(key.KeyId());
  registered.set_usci(LocalLog::kUsci);
  registered.set_algorithm(std::string(crypto::AlgorithmName(key.algorithm())));
  registered.set_public_key_pem(key.ToPem());
  registered.set_status(origo::v1::KEY_STATUS_ACTIVE);
  return registered;
}

class EvidenceTest : public ::testing::Test {
 protected:
  EvidenceTest() : producer_(*crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519)) {
    std::vector<std::string> first, second;
    for (int i = 0; i < 5; ++i) first.push_back("{\"n\":" + std::to_string(i) + "}");
    for (int i = 5; i < 12; ++i) second.push_back("{\"n\":" + std::to_string(i) + "}");
    log_.Append(first, producer_);
    log_.Append(second, producer_);
    keys_ = {Registered(producer_.Public())};
  }

  EventReport Verify(const EntryRef& ref, const origo::v1::GetInclusionProofResponse& response,
                     const checkpoint::NoteVerifier& verifier) {
    auto fetch =
        [this](const std::string& usci) -> absl::StatusOr<std::vector<origo::v1::EnterpriseKey>> {
      if (usci != LocalLog::kUsci) return absl::NotFoundError("no such enterprise");
      return keys_;
    };
    return VerifyEventEvidence(ref, response, fetch, verifier);
  }

  static const Check& Find(const EventReport& report, const std::string& name) {
    for (const Check& c : report.checks) {
      if (c.name == name) return c;
    }
    static const Check kMissing{"missing", false, "no such check"};
    return kMissing;
  }

  crypto::PrivateKey producer_;
  LocalLog log_;
  std::vector<origo::v1::EnterpriseKey> keys_;
};

TEST_F(EvidenceTest, HonestEvidenceVerifies) {
  for (uint64_t index : {0u, 4u, 5u, 11u}) {
    EventReport report = Verify(EntryRef{std::nullopt, index}, log_.Prove(index), log_.Verifier());
    EXPECT_TRUE(report.ok()) << index;
    for (const Check& c : report.checks) EXPECT_TRUE(c.ok) << c.name << ": " << c.detail;
    EXPECT_EQ(report.event, "{\"n\":" + std::to_string(index) + "}");
    EXPECT_EQ(report.enterprise, LocalLog::kUsci);
    EXPECT_EQ(report.checks.size(), 7u);
  }
  EntryRef by_id{batch::EventId("{\"n\":7}"), std::nullopt};
  EXPECT_TRUE(Verify(by_id, log_.Prove(7), log_.Verifier()).ok());
}

TEST_F(EvidenceTest, TamperedLeafFailsInclusion) {
  origo::v1::GetInclusionProofResponse response = log_.Prove(3);
  origo::v1::LogLeaf leaf;
  ASSERT_TRUE(leaf.ParseFromString(response.leaf()));
  leaf.set_event("{\"n\":4}");  // another event, re-encoded
  response.set_leaf(batch::DeterministicBytes(leaf));
  EventReport report = Verify(EntryRef{std::nullopt, 3}, response, log_.Verifier());
  EXPECT_FALSE(report.ok());
  EXPECT_FALSE(Find(report, "inclusion").ok);
  EXPECT_FALSE(Find(report, "batch evidence").ok);
  EXPECT_TRUE(Find(report, "checkpoint signature").ok);
}

TEST_F(EvidenceTest, WrongEventForIdIsRefused) {
  EntryRef by_id{batch::EventId("{\"n\":7}"), std::nullopt};
  EventReport report = Verify(by_id, log_.Prove(8), log_.Verifier());
  EXPECT_FALSE(report.ok());
  EXPECT_FALSE(Find(report, "leaf").ok);
}

TEST_F(EvidenceTest, SubstitutedSigningKeyIsCaughtByItsId) {
  crypto::PrivateKey other = *crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519);
  origo::v1::EnterpriseKey lie = Registered(other.Public());
  lie.set_key_id(producer_.Public().KeyId());  // served under the genuine key's id
  keys_ = {lie};
  EventReport report = Verify(EntryRef{std::nullopt, 2}, log_.Prove(2), log_.Verifier());
  EXPECT_FALSE(report.ok());
  EXPECT_FALSE(Find(report, "signing key").ok);
  EXPECT_NE(Find(report, "signing key").detail.find("hashes to"), std::string::npos);
  EXPECT_FALSE(Find(report, "batch evidence").ok);
  EXPECT_TRUE(Find(report, "inclusion").ok);
}

TEST_F(EvidenceTest, CheckpointSignedByAnotherKeyFailsAgainstThePinnedKey) {
  LocalLog other;
  EventReport report = Verify(EntryRef{std::nullopt, 2}, log_.Prove(2), other.Verifier());
  EXPECT_FALSE(report.ok());
  EXPECT_FALSE(Find(report, "checkpoint signature").ok);
  EXPECT_FALSE(Find(report, "inclusion").ok);
}

TEST_F(EvidenceTest, ProofForAnotherTreeSizeIsRefused) {
  origo::v1::GetInclusionProofResponse response = log_.Prove(2);
  *response.mutable_checkpoint() = log_.CheckpointAt(8);
  EventReport report = Verify(EntryRef{std::nullopt, 2}, response, log_.Verifier());
  EXPECT_FALSE(Find(report, "checkpoint size").ok);
  EXPECT_FALSE(report.ok());
}

TEST_F(EvidenceTest, SentFieldsMustMatchTheSignedNote) {
  origo::v1::Checkpoint sent = log_.CheckpointAt(12);
  sent.set_tree_size(11);
  auto verified = VerifySentCheckpoint(sent, log_.Verifier());
  EXPECT_EQ(verified.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(EvidenceTest, ConsistencyBetweenCheckpoints) {
  EXPECT_TRUE(CheckConsistency(log_.Parsed(5), log_.Parsed(12), log_.Consistency(5, 12)).ok());
  EXPECT_TRUE(CheckConsistency(log_.Parsed(12), log_.Parsed(12), {}).ok());
  EXPECT_TRUE(CheckConsistency(log_.Parsed(0), log_.Parsed(12), {}).ok());
  // A proof for other sizes, a shrunk log, and a fork are all refused.
  EXPECT_FALSE(CheckConsistency(log_.Parsed(5), log_.Parsed(12), log_.Consistency(6, 12)).ok());
  EXPECT_EQ(CheckConsistency(log_.Parsed(12), log_.Parsed(5), {}).code(),
            absl::StatusCode::kFailedPrecondition);
  checkpoint::Checkpoint forked = log_.Parsed(12);
  forked.root[0] ^= 1;
  absl::Status fork = CheckConsistency(log_.Parsed(12), forked, {});
  EXPECT_EQ(fork.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(fork.message().find("fork"), std::string::npos);
}

}  // namespace
}  // namespace origo::cli
