// Signed capture and the transparency log through a real in-process server and real stubs.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/batch/batch.h"
#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/note.h"
#include "core/merkle/merkle.h"
#include "origo/v1/capture.grpc.pb.h"
#include "origo/v1/provenance.grpc.pb.h"
#include "origo/v1/registry.grpc.pb.h"
#include "services/server/config.h"
#include "services/server/server.h"
#include "tests/server_util.h"
#include "tests/test_util.h"

namespace origo {
namespace {

using origo::testing::NowMs;
using origo::testing::TempDir;

constexpr char kGrower[] = "91640521MA76GJ0Q1B";
constexpr char kExporter[] = "91640100MA77XL2X3M";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::string Event(int n) {
  char serial[16];
  std::snprintf(serial, sizeof(serial), "S%06d", n);
  return std::string(R"({"type":"ObjectEvent","eventTime":"2026-09-02T09:15:00+08:00",)") +
         R"("eventTimeZoneOffset":"+08:00","action":"ADD","bizStep":"commissioning",)" +
         R"("epcList":["https://id.gs1.org/01/06971234000415/21/)" + serial + R"("]})";
}

std::vector<std::string> Events(int from, int count) {
  std::vector<std::string> out;
  for (int i = from; i < from + count; ++i) out.push_back(Event(i));
  return out;
}

class CaptureTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }

  void Start() {
    origo::v1::Config config;
    config.set_data_dir(dir_.Sub("data"));
    config.mutable_log()->set_checkpoint_interval_ms(20);
    auto server = origo::testing::StartLocalServer(config);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(server_->grpc_address(), grpc::InsecureChannelCredentials());
    registry_ = origo::v1::RegistryService::NewStub(channel_);
    capture_ = origo::v1::CaptureService::NewStub(channel_);
    log_ = origo::v1::TransparencyService::NewStub(channel_);
    regulator_ = ReadFile(dir_.Sub("data/bootstrap-token"));
    ASSERT_EQ(regulator_.rfind("origo_", 0), 0u);
  }

  void Restart() {
    ASSERT_TRUE(server_->Shutdown().ok());
    server_.reset();
    Start();
  }

  std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
    return context;
  }

  // Registers `usci`, adds a fresh key, and returns (key, producer token).
  std::pair<crypto::PrivateKey, std::string> Enroll(const std::string& usci) {
    auto key = crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value();
    origo::v1::RegisterEnterpriseRequest reg;
    reg.mutable_enterprise()->set_usci(usci);
    reg.mutable_enterprise()->set_name("enterprise " + usci);
    reg.mutable_enterprise()->set_sector(origo::v1::SECTOR_GOJI);
    origo::v1::RegisterEnterpriseResponse reg_response;
    EXPECT_TRUE(registry_->RegisterEnterprise(Context(regulator_).get(), reg, &reg_response).ok());
    origo::v1::AddKeyRequest add;
    add.set_usci(usci);
    add.set_public_key_pem(key.Public().ToPem());
    origo::v1::AddKeyResponse add_response;
    grpc::Status added = registry_->AddKey(Context(regulator_).get(), add, &add_response);
    EXPECT_TRUE(added.ok()) << added.error_message();
    origo::v1::CreateTokenRequest token;
    token.set_role(origo::v1::ROLE_PRODUCER);
    token.set_usci(usci);
    origo::v1::CreateTokenResponse token_response;
    grpc::Status created =
        registry_->CreateToken(Context(regulator_).get(), token, &token_response);
    EXPECT_TRUE(created.ok()) << created.error_message();
    return {std::move(key), token_response.token()};
  }

  grpc::Status Capture(const std::string& token, const origo::v1::SignedBatch& batch,
                       origo::v1::CaptureResponse* response) {
    origo::v1::CaptureRequest request;
    *request.mutable_batch() = batch;
    return capture_->Capture(Context(token).get(), request, response);
  }

  origo::v1::Checkpoint CheckpointCovering(uint64_t size) {
    for (int i = 0; i < 500; ++i) {
      origo::v1::GetCheckpointResponse response;
      EXPECT_TRUE(log_->GetCheckpoint(Context("").get(), {}, &response).ok());
      if (response.checkpoint().tree_size() >= size) {
        log_vkey_ = response.log_vkey();
        return response.checkpoint();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "no checkpoint reached size " << size;
    return {};
  }

  uint64_t TreeSize() { return server_->store() ? CheckpointCoveringNow() : 0; }
  uint64_t CheckpointCoveringNow() {
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    origo::v1::GetCheckpointResponse response;
    EXPECT_TRUE(log_->GetCheckpoint(Context("").get(), {}, &response).ok());
    return response.checkpoint().tree_size();
  }

  TempDir dir_;
  std::unique_ptr<server::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<origo::v1::RegistryService::Stub> registry_;
  std::unique_ptr<origo::v1::CaptureService::Stub> capture_;
  std::unique_ptr<origo::v1::TransparencyService::Stub> log_;
  std::string regulator_;
  std::string log_vkey_;
};

TEST_F(CaptureTest, CapturedEventsAreProvablyInTheSignedLog) {
  auto [key, token] = Enroll(kGrower);
  uint64_t expected_index = 0;
  for (int b = 0; b < 10; ++b) {
    auto batch = batch::SignBatch(Events(b * 100, 100), kGrower, key, NowMs()).value();
    origo::v1::CaptureResponse response;
    grpc::Status s = Capture(token, batch, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(response.events_size(), 100);
    EXPECT_EQ(response.stored(), 100u);
    for (const auto& e : response.events()) {
      EXPECT_EQ(e.index(), expected_index++);
      EXPECT_FALSE(e.duplicate());
    }
  }
  origo::v1::Checkpoint checkpoint = CheckpointCovering(1000);
  auto verifier = checkpoint::NoteVerifier::FromVkey(log_vkey_).value();
  auto parsed = checkpoint::VerifyCheckpoint(checkpoint.note(), verifier);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->size, 1000u);

  for (uint64_t index : {0ull, 1ull, 377ull, 999ull}) {
    origo::v1::GetInclusionProofRequest request;
    request.set_event_id(batch::EventId(Event(static_cast<int>(index))));
    origo::v1::GetInclusionProofResponse proof;
    grpc::Status s = log_->GetInclusionProof(Context("").get(), request, &proof);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(proof.index(), index);
    origo::v1::LogLeaf leaf;
    ASSERT_TRUE(leaf.ParseFromString(proof.leaf()));
    EXPECT_EQ(leaf.event(), Event(static_cast<int>(index)));
    EXPECT_TRUE(batch::VerifyLeafEvidence(leaf, key.Public()).ok());
    std::vector<merkle::Hash> hashes;
    for (const auto& h : proof.proof().hashes()) hashes.push_back(merkle::HashFromBytes(h).value());
    auto cp = checkpoint::VerifyCheckpoint(proof.checkpoint().note(), verifier).value();
    EXPECT_TRUE(
        merkle::VerifyInclusion(index, cp.size, merkle::LeafHash(proof.leaf()), hashes, cp.root)
            .ok());
  }
}

TEST_F(CaptureTest, ResubmittedBatchIsReportedAsDuplicatesAndStoredOnce) {
  auto [key, token] = Enroll(kGrower);
  auto batch = batch::SignBatch(Events(0, 20), kGrower, key, NowMs()).value();
  origo::v1::CaptureResponse first, second;
  ASSERT_TRUE(Capture(token, batch, &first).ok());
  // The same events in a newly signed batch, plus one new event.
  auto again_events = Events(0, 21);
  auto again = batch::SignBatch(again_events, kGrower, key, NowMs() + 1).value();
  ASSERT_TRUE(Capture(token, again, &second).ok());
  EXPECT_EQ(second.duplicates(), 20u);
  EXPECT_EQ(second.stored(), 1u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(second.events(i).duplicate());
    EXPECT_EQ(second.events(i).index(), first.events(i).index());
  }
  EXPECT_EQ(second.events(20).index(), 20u);
  EXPECT_EQ(CheckpointCovering(21).tree_size(), 21u);
  origo::v1::CaptureResponse third;
  ASSERT_TRUE(Capture(token, batch, &third).ok());
  EXPECT_EQ(third.duplicates(), 20u);
  EXPECT_EQ(CheckpointCoveringNow(), 21u);
  // tree_size is the log's size, not the batch's highest index + 1.
  EXPECT_EQ(first.tree_size(), 20u);
  EXPECT_EQ(second.tree_size(), 21u);
  EXPECT_EQ(third.tree_size(), 21u);
}

TEST_F(CaptureTest, ConsistencyFromTheEmptyTreeIsAnEmptyProof) {
  auto [key, token] = Enroll(kGrower);
  origo::v1::CaptureResponse response;
  ASSERT_TRUE(
      Capture(token, batch::SignBatch(Events(0, 7), kGrower, key, NowMs()).value(), &response)
          .ok());
  origo::v1::Checkpoint checkpoint = CheckpointCovering(7);
  origo::v1::GetConsistencyProofRequest request;
  request.set_from_size(0);
  origo::v1::GetConsistencyProofResponse proof;
  grpc::Status s = log_->GetConsistencyProof(Context("").get(), request, &proof);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(proof.proof().from_size(), 0u);
  EXPECT_EQ(proof.proof().to_size(), checkpoint.tree_size());
  EXPECT_EQ(proof.proof().hashes_size(), 0);
  EXPECT_EQ(proof.checkpoint().root_hash(), checkpoint.root_hash());

  request.set_from_size(checkpoint.tree_size() + 1);
  request.set_to_size(checkpoint.tree_size());
  s = log_->GetConsistencyProof(Context("").get(), request, &proof);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("from_size"), std::string::npos) << s.error_message();
}

TEST_F(CaptureTest, UnregisteredOrRevokedKeyIsPermissionDeniedAndStoresNothing) {
  auto [key, token] = Enroll(kGrower);
  auto stranger = crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value();
  origo::v1::CaptureResponse response;
  grpc::Status s =
      Capture(token, batch::SignBatch(Events(0, 5), kGrower, stranger, NowMs()).value(), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(s.error_message().find("not registered"), std::string::npos) << s.error_message();

  origo::v1::RevokeKeyRequest revoke;
  revoke.set_usci(kGrower);
  revoke.set_key_id(key.Public().KeyId());
  origo::v1::RevokeKeyResponse revoked;
  ASSERT_TRUE(registry_->RevokeKey(Context(regulator_).get(), revoke, &revoked).ok());
  s = Capture(token, batch::SignBatch(Events(0, 5), kGrower, key, NowMs()).value(), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(s.error_message().find("revoked"), std::string::npos) << s.error_message();
  EXPECT_EQ(CheckpointCoveringNow(), 0u);
}

TEST_F(CaptureTest, ProducerCannotCaptureForAnotherEnterprise) {
  auto [grower_key, grower_token] = Enroll(kGrower);
  auto [exporter_key, exporter_token] = Enroll(kExporter);
  origo::v1::CaptureResponse response;
  // The exporter's token with a batch signed by the grower's key for the grower.
  grpc::Status s =
      Capture(exporter_token, batch::SignBatch(Events(0, 2), kGrower, grower_key, NowMs()).value(),
              &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // The exporter claiming the grower's key for itself.
  s = Capture(exporter_token,
              batch::SignBatch(Events(0, 2), kExporter, grower_key, NowMs()).value(), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // No token at all (UNAUTHENTICATED, as for every call that needs a role), or the regulator's.
  s = Capture("", batch::SignBatch(Events(0, 2), kGrower, grower_key, NowMs()).value(), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  s = Capture(regulator_, batch::SignBatch(Events(0, 2), kGrower, grower_key, NowMs()).value(),
              &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CheckpointCoveringNow(), 0u);
}

TEST_F(CaptureTest, OneBadEventRejectsTheWholeBatchNamingPositionAndField) {
  auto [key, token] = Enroll(kGrower);
  auto events = Events(0, 10);
  events[7] = R"({"type":"ObjectEvent","eventTimeZoneOffset":"+08:00","action":"ADD",)"
              R"("epcList":["https://id.gs1.org/01/06971234000415/21/X1"]})";
  origo::v1::CaptureResponse response;
  grpc::Status s =
      Capture(token, batch::SignBatch(events, kGrower, key, NowMs()).value(), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("event 7: eventTime"), std::string::npos) << s.error_message();

  events = Events(0, 10);
  events[3] = Event(3);
  events[3].replace(events[3].find("06971234000415"), 14, "06971234000416");  // bad check digit
  s = Capture(token, batch::SignBatch(events, kGrower, key, NowMs()).value(), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("event 3: epcList[0]"), std::string::npos) << s.error_message();

  // A tampered event after signing: the root no longer matches.
  auto batch = batch::SignBatch(Events(0, 10), kGrower, key, NowMs()).value();
  batch.set_events(4, Event(44));
  s = Capture(token, batch, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(CheckpointCoveringNow(), 0u);
}

// The shared chain's sector-rule expectation: every grower event conforms (given the grower's
// registered plot in the 中宁枸杞 zone); the exporter's export shipping is rejected, naming the
// rule, until a conformant pesticide-residue inspection is on record for the graded lot.
TEST_F(CaptureTest, GojiTestChainExportNeedsResidueInspectionFirst) {
  auto [grower_key, grower_token] = Enroll(kGrower);
  auto [exporter_key, exporter_token] = Enroll(kExporter);
  origo::v1::AddProductionBaseRequest base;
  base.mutable_base()->set_usci(kGrower);
  base.mutable_base()->set_base_id("plot-07");
  base.mutable_base()->set_name("Zhongning plot 07");
  base.mutable_base()->set_gln("6971234000019");
  base.mutable_base()->set_gln_extension("plot-07");
  base.mutable_base()->add_gi_zones("中宁枸杞");
  base.mutable_base()->set_annual_harvest(5000);
  origo::v1::AddProductionBaseResponse base_response;
  ASSERT_TRUE(registry_->AddProductionBase(Context(regulator_).get(), base, &base_response).ok());
  std::string dir = std::string(ORIGO_TESTDATA_DIR) + "/capture/goji/";
  origo::v1::CaptureResponse response;
  grpc::Status s = Capture(
      grower_token,
      batch::SignBatch(ReadLines(dir + "grower.jsonl"), kGrower, grower_key, NowMs()).value(),
      &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.stored(), 6u);
  auto exporter_batch =
      batch::SignBatch(ReadLines(dir + "exporter.jsonl"), kExporter, exporter_key, NowMs()).value();
  s = Capture(exporter_token, exporter_batch, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("event 1: epcList[0]: goji_export@2026.1"), std::string::npos)
      << s.error_message();
  EXPECT_EQ(CheckpointCoveringNow(), 6u);

  auto provenance = origo::v1::ProvenanceService::NewStub(channel_);
  origo::v1::RecordInspectionRequest inspection;
  inspection.set_lot("https://id.gs1.org/01/06971234000347/10/ZN2026-G0825-TY");
  inspection.set_enterprise(kGrower);
  auto* item = inspection.add_items();
  item->set_name("imidacloprid");
  item->set_measured(0.1);
  origo::v1::RecordInspectionResponse recorded;
  grpc::Status r = provenance->RecordInspection(Context(regulator_).get(), inspection, &recorded);
  ASSERT_TRUE(r.ok()) << r.error_message();
  EXPECT_TRUE(recorded.inspection().conformant());
  s = Capture(exporter_token, exporter_batch, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.stored(), 2u);
}

TEST_F(CaptureTest, RestartKeepsRootAndCheckpointsStayConsistent) {
  auto [key, token] = Enroll(kGrower);
  origo::v1::CaptureResponse response;
  ASSERT_TRUE(
      Capture(token, batch::SignBatch(Events(0, 50), kGrower, key, NowMs()).value(), &response)
          .ok());
  origo::v1::Checkpoint before = CheckpointCovering(50);
  Restart();
  origo::v1::Checkpoint after = CheckpointCovering(50);
  EXPECT_EQ(after.tree_size(), before.tree_size());
  EXPECT_EQ(after.root_hash(), before.root_hash());

  auto [key2, token2] = std::make_pair(std::move(key), token);
  ASSERT_TRUE(
      Capture(token2, batch::SignBatch(Events(50, 30), kGrower, key2, NowMs()).value(), &response)
          .ok());
  origo::v1::Checkpoint later = CheckpointCovering(80);
  origo::v1::GetConsistencyProofRequest request;
  request.set_from_size(before.tree_size());
  origo::v1::GetConsistencyProofResponse proof;
  ASSERT_TRUE(log_->GetConsistencyProof(Context("").get(), request, &proof).ok());
  std::vector<merkle::Hash> hashes;
  for (const auto& h : proof.proof().hashes()) hashes.push_back(merkle::HashFromBytes(h).value());
  EXPECT_TRUE(
      merkle::VerifyConsistency(50, proof.proof().to_size(), hashes,
                                merkle::HashFromBytes(before.root_hash()).value(),
                                merkle::HashFromBytes(proof.checkpoint().root_hash()).value())
          .ok());
}

TEST_F(CaptureTest, StreamAcknowledgesEachBatchInOrder) {
  auto [key, token] = Enroll(kGrower);
  auto context = Context(token);
  auto stream = capture_->CaptureStream(context.get());
  for (int b = 0; b < 5; ++b) {
    origo::v1::CaptureRequest request;
    *request.mutable_batch() = batch::SignBatch(Events(b * 16, 16), kGrower, key, NowMs()).value();
    request.set_sequence(static_cast<uint64_t>(b + 1));
    ASSERT_TRUE(stream->Write(request));
    origo::v1::CaptureResponse response;
    ASSERT_TRUE(stream->Read(&response));
    EXPECT_EQ(response.sequence(), static_cast<uint64_t>(b + 1));
    EXPECT_EQ(response.events(0).index(), static_cast<uint64_t>(b * 16));
  }
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

// Batches pipelined on one stream (none waits for its acknowledgement), the seventh of nine
// with a bad event: the six before it are acknowledged in order, the stream ends naming the
// batch, the event and the field, and nothing from the seventh on is stored.
TEST_F(CaptureTest, PipelinedStreamAcknowledgesWhatPrecededABadBatchAndStoresNothingAfter) {
  auto [key, token] = Enroll(kGrower);
  auto context = Context(token);
  auto stream = capture_->CaptureStream(context.get());
  constexpr int kBatches = 9, kBad = 7, kPerBatch = 4;
  for (int b = 1; b <= kBatches; ++b) {
    auto events = Events(b * kPerBatch, kPerBatch);
    if (b == kBad) {
      events[2] = R"({"type":"ObjectEvent","eventTimeZoneOffset":"+08:00","action":"ADD",)"
                  R"("epcList":["https://id.gs1.org/01/06971234000415/21/X1"]})";
    }
    origo::v1::CaptureRequest request;
    *request.mutable_batch() = batch::SignBatch(events, kGrower, key, NowMs()).value();
    request.set_sequence(static_cast<uint64_t>(b));
    if (!stream->Write(request)) break;  // the server may already have ended the stream
  }
  stream->WritesDone();
  std::vector<uint64_t> acknowledged;
  origo::v1::CaptureResponse response;
  while (stream->Read(&response)) {
    acknowledged.push_back(response.sequence());
    EXPECT_EQ(response.stored(), static_cast<uint32_t>(kPerBatch));
    EXPECT_EQ(response.events(0).index(), (response.sequence() - 1) * kPerBatch);
  }
  EXPECT_EQ(acknowledged, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6}));
  grpc::Status s = stream->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("batch with sequence 7: event 2: eventTime"), std::string::npos)
      << s.error_message();
  EXPECT_EQ(CheckpointCoveringNow(), static_cast<uint64_t>((kBad - 1) * kPerBatch));
  // The batch after the bad one was not stored: sent again, it is new.
  origo::v1::CaptureResponse again;
  ASSERT_TRUE(
      Capture(token,
              batch::SignBatch(Events(8 * kPerBatch, kPerBatch), kGrower, key, NowMs()).value(),
              &again)
          .ok());
  EXPECT_EQ(again.stored(), static_cast<uint32_t>(kPerBatch));
  EXPECT_EQ(again.duplicates(), 0u);
}

}  // namespace
}  // namespace origo
