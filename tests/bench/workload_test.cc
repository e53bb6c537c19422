// The benchmark's synthetic supply chains (bench/loadgen) against a real in-process server: the
// figures in the README only mean something if every generated event is accepted by capture and
// the sector rules, and if the chains link up the way trace back and trace forward walk them.

#include "bench/loadgen/workload.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "bench/loadgen/chains.h"
#include "bench/loadgen/enroll.h"
#include "origo/v1/capture.grpc.pb.h"
#include "origo/v1/provenance.grpc.pb.h"
#include "services/server/config.h"
#include "services/server/server.h"
#include "tests/server_util.h"
#include "tests/test_util.h"

namespace origo {
namespace {

using bench::Chain;
using bench::Generator;
using bench::Sector;
using origo::testing::NowMs;
using origo::testing::TempDir;

// Eight enterprises: all three sectors, and both key types (every fourth signs with P-256).
constexpr size_t kEnterprises = 8;
constexpr size_t kCasesPerChain = 3;
constexpr uint64_t kChains = 2 * kEnterprises;  // two production runs per enterprise

std::unique_ptr<grpc::ClientContext> Context(const std::string& token = "") {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  return context;
}

std::set<std::string> NodeIds(const origo::v1::TraceResponse& trace) {
  std::set<std::string> ids;
  for (const auto& node : trace.nodes()) ids.insert(node.view().id());
  return ids;
}

TEST(WorkloadTest, ChainsAreTheSameForEveryGeneratorAndBatchesNeverMixEnterprises) {
  // The load generator and the PostgreSQL peer each build the chains themselves; the comparison
  // is only fair if they build the same bytes.
  const Generator a(kEnterprises, kCasesPerChain), b(kEnterprises, kCasesPerChain);
  std::set<Sector> sectors;
  for (const auto& e : a.enterprises()) sectors.insert(e.sector);
  EXPECT_EQ(sectors.size(), 3u);
  uint64_t events = 0;
  for (uint64_t i = 0; i < kChains; ++i) {
    const Chain x = a.MakeChain(i), y = b.MakeChain(i);
    EXPECT_EQ(x.events, y.events) << "chain " << i;
    EXPECT_EQ(x.items, y.items) << "chain " << i;
    EXPECT_EQ(a.EventsPerChain(i), x.events.size()) << "chain " << i;
    EXPECT_EQ(x.enterprise, i % kEnterprises);
    EXPECT_FALSE(x.items.empty()) << "chain " << i;
    EXPECT_FALSE(x.lots.empty()) << "chain " << i;
    events += x.events.size();
  }
  EXPECT_EQ(bench::ChainsFor(a, 0, events), kChains);
  EXPECT_EQ(bench::ChainsFor(a, 0, events - a.EventsPerChain(kChains - 1) + 1), kChains);

  const auto keys = bench::MakeKeys(a);
  const auto units = bench::BuildUnits(a, 0, kChains, 16, keys, NowMs());
  uint64_t batched = 0;
  for (const bench::Unit& unit : units) {
    uint64_t in_unit = 0;
    for (const auto& batch : unit.batches) {
      EXPECT_GE(batch.events_size(), 1);
      EXPECT_LE(batch.events_size(), 16);
      in_unit += static_cast<uint64_t>(batch.events_size());
    }
    EXPECT_EQ(in_unit, unit.events);
    // The unit's events are exactly its enterprise's chains, in capture order.
    std::vector<std::string> expected, got;
    for (uint64_t i = unit.enterprise; i < kChains; i += kEnterprises) {
      const Chain c = a.MakeChain(i);
      expected.insert(expected.end(), c.events.begin(), c.events.end());
    }
    for (const auto& batch : unit.batches)
      got.insert(got.end(), batch.events().begin(), batch.events().end());
    EXPECT_EQ(got, expected) << "enterprise " << unit.enterprise;
    batched += in_unit;
  }
  EXPECT_EQ(batched, events);
}

class WorkloadCaptureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    origo::v1::Config config;
    config.set_data_dir(dir_.Sub("data"));
    auto server = origo::testing::StartLocalServer(config);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(server_->grpc_address(), grpc::InsecureChannelCredentials());
    regulator_ = origo::testing::BootstrapToken(config.data_dir());
    ASSERT_FALSE(regulator_.empty());
  }
  void TearDown() override {
    if (server_) {
      EXPECT_TRUE(server_->Shutdown().ok());
    }
  }

  TempDir dir_;
  std::unique_ptr<server::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::string regulator_;
};

TEST_F(WorkloadCaptureTest, EveryEventIsAcceptedAndEveryItemTracesBackToItsOrigin) {
  const Generator generator(kEnterprises, kCasesPerChain);
  const auto keys = bench::MakeKeys(generator);
  auto tokens = bench::Enroll(channel_, regulator_, generator, keys, 2);
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  ASSERT_EQ(tokens->size(), kEnterprises);

  // Capture every chain in signed batches of 16, as the b16 phase does; nothing may be rejected.
  auto capture = origo::v1::CaptureService::NewStub(channel_);
  uint64_t stored = 0, expected = 0;
  for (const bench::Unit& unit : bench::BuildUnits(generator, 0, kChains, 16, keys, NowMs())) {
    for (const auto& batch : unit.batches) {
      origo::v1::CaptureRequest request;
      *request.mutable_batch() = batch;
      origo::v1::CaptureResponse response;
      grpc::Status s =
          capture->Capture(Context((*tokens)[unit.enterprise]).get(), request, &response);
      ASSERT_TRUE(s.ok()) << "enterprise " << unit.enterprise << " ("
                          << generator.enterprises()[unit.enterprise].name
                          << "): " << s.error_message();
      EXPECT_EQ(response.stored(), static_cast<uint32_t>(batch.events_size()));
      stored += response.stored();
    }
    expected += unit.events;
  }
  EXPECT_EQ(stored, expected);
  EXPECT_GT(stored, 10 * kChains);

  // Each chain links up: its first and last items trace back to its origin lot, the origin lot
  // traces forward to them, and the consumer's view names the enterprise that made them.
  auto provenance = origo::v1::ProvenanceService::NewStub(channel_);
  for (uint64_t i = 0; i < kChains; ++i) {
    const Chain chain = generator.MakeChain(i);
    const auto& maker = generator.enterprises()[chain.enterprise];
    for (const std::string& item : {chain.items.front(), chain.items.back()}) {
      SCOPED_TRACE("chain " + std::to_string(i) + " (" + maker.name + "), item " + item);
      origo::v1::TraceRequest request;
      request.set_id(item);
      origo::v1::TraceResponse back;
      grpc::Status s = provenance->TraceBack(Context().get(), request, &back);
      ASSERT_TRUE(s.ok()) << s.error_message();
      EXPECT_FALSE(back.truncated());
      EXPECT_TRUE(NodeIds(back).count(chain.lots[0]));
      EXPECT_TRUE(std::any_of(back.origins().begin(), back.origins().end(),
                              [&](const auto& o) { return o.id() == chain.lots[0]; }));

      origo::v1::GetItemRequest get;
      get.set_id(item);
      origo::v1::GetItemResponse got;
      s = provenance->GetItem(Context().get(), get, &got);
      ASSERT_TRUE(s.ok()) << s.error_message();
      EXPECT_EQ(got.item().creator(), maker.usci);
      EXPECT_EQ(got.item().creator_name(), maker.name);
      EXPECT_EQ(got.item().halal(), maker.sector == Sector::kHalal);
    }
    origo::v1::TraceRequest request;
    request.set_id(chain.lots[0]);
    origo::v1::TraceResponse forward;
    grpc::Status s = provenance->TraceForward(Context().get(), request, &forward);
    ASSERT_TRUE(s.ok()) << s.error_message();
    const auto reached = NodeIds(forward);
    EXPECT_TRUE(reached.count(chain.items.front())) << "chain " << i;
    EXPECT_TRUE(reached.count(chain.items.back())) << "chain " << i;
  }
}

TEST_F(WorkloadCaptureTest, EnrollNamesTheEnterpriseAndStepThatFailed) {
  const Generator generator(3, 1);
  const auto keys = bench::MakeKeys(generator);
  auto refused = bench::Enroll(channel_, "origo_not-a-token", generator, keys, 1);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated) << refused.status();
  EXPECT_NE(refused.status().message().find(generator.enterprises()[0].usci + " register"),
            std::string::npos)
      << refused.status();

  auto too_few = bench::Enroll(channel_, regulator_, generator, {}, 1);
  EXPECT_EQ(too_few.status().code(), absl::StatusCode::kInvalidArgument);

  // Enrolling again on the same store (a rerun of the load generator) succeeds.
  ASSERT_TRUE(bench::Enroll(channel_, regulator_, generator, keys, 1).ok());
  auto again = bench::Enroll(channel_, regulator_, generator, keys, 1);
  ASSERT_TRUE(again.ok()) << again.status();
}

}  // namespace
}  // namespace origo
