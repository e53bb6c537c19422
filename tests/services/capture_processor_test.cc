// CaptureProcessor over a real RocksDB store, without gRPC: how a batch judged while another
// batch's write completes sees that batch.

#include <gtest/gtest.h>

#include "core/batch/batch.h"
#include "core/rules/rules.h"
#include "services/capture/capture.h"
#include "services/capture/sequencer.h"
#include "services/server/auth.h"
#include "services/server/config.h"
#include "storage/event_log.h"
#include "storage/lineage_index.h"
#include "storage/registry_store.h"
#include "storage/store.h"
#include "tests/test_util.h"

namespace origo::capture {
namespace {

using origo::testing::NowMs;

constexpr char kGrower[] = "91640521MA76GJ0Q1B";
constexpr char kSerial[] = "https://id.gs1.org/01/06971234000415/21/RACE-0001";

std::string EventAt(const std::string& time, const std::string& action,
                    const std::string& biz_step) {
  return R"({"type":"ObjectEvent","eventTime":")" + time +
         R"(","eventTimeZoneOffset":"+08:00","action":")" + action + R"(","bizStep":")" + biz_step +
         R"(","epcList":[")" + kSerial + R"("]})";
}

class CaptureProcessorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = storage::Store::Open(dir_.Sub("db")).value();
    registry_ = std::make_unique<storage::RegistryStore>(store_.get());
    origo::v1::Enterprise enterprise;
    enterprise.set_usci(kGrower);
    enterprise.set_name("grower");
    enterprise.set_sector(origo::v1::SECTOR_GOJI);
    ASSERT_TRUE(registry_->RegisterEnterprise(enterprise).ok());
    key_ = std::make_unique<crypto::PrivateKey>(
        crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value());
    ASSERT_TRUE(registry_->AddKey(kGrower, key_->Public(), "line 1").ok());
    log_ = storage::EventLog::Open(store_.get()).value();
    sequencer_ = std::make_unique<Sequencer>(log_.get());
    lineage_ = std::make_unique<storage::LineageIndex>(store_.get(), registry_.get());
    origo::v1::Config config;
    server::ApplyDefaults(&config);
    rules_ = rules::Engine::Create(config.rules()).value();
    processor_ = std::make_unique<CaptureProcessor>(
        registry_.get(), sequencer_.get(), config.capture(), nullptr, lineage_.get(), rules_.get());
    grower_.role = server::Role::kProducer;
    grower_.usci = kGrower;
  }

  origo::v1::SignedBatch Sign(const std::string& event) {
    return batch::SignBatch({event}, kGrower, *key_, NowMs()).value();
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::RegistryStore> registry_;
  std::unique_ptr<crypto::PrivateKey> key_;
  std::unique_ptr<storage::EventLog> log_;
  std::unique_ptr<Sequencer> sequencer_;
  std::unique_ptr<storage::LineageIndex> lineage_;
  std::unique_ptr<rules::Engine> rules_;
  std::unique_ptr<CaptureProcessor> processor_;
  server::Principal grower_;
};

// Regression: a batch took its snapshot before it read the pending batches, so a batch whose
// write completed in between was in neither, and an event contradicting it was accepted.
TEST_F(CaptureProcessorTest, BatchWrittenWhileAnotherIsJudgedIsNotMissed) {
  // Batch A commissions the serial at 10:00 and is judged; its write has not begun.
  auto a = processor_->Prepare(grower_,
                               Sign(EventAt("2026-09-02T10:00:00+08:00", "ADD", "commissioning")));
  ASSERT_TRUE(a.ok()) << a.status();
  // Batch B observes the serial an hour before it was commissioned. While B is judged, A's write
  // completes and A stops being pending.
  bool written = false;
  processor_->SetBetweenEntriesAndSnapshotForTest([&] {
    if (written) return;
    written = true;
    Sequencer::Result result = processor_->Submit(*a).get();
    ASSERT_TRUE(result.ok()) << result.status();
    // Submit took A's pending handle and released it once the write had completed.
    EXPECT_EQ(a->pending.use_count(), 0);
  });
  auto b = processor_->Prepare(grower_,
                               Sign(EventAt("2026-09-02T09:00:00+08:00", "OBSERVE", "inspecting")));
  ASSERT_TRUE(written);
  ASSERT_FALSE(b.ok()) << "an event before the serial's commissioning was accepted";
  EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument) << b.status();
  EXPECT_NE(b.status().message().find("time_order"), std::string::npos) << b.status();
  EXPECT_EQ(log_->Head().size, 1u);

  // The same event after A, with nothing in flight, gets the same answer.
  auto again = processor_->Prepare(
      grower_, Sign(EventAt("2026-09-02T09:00:00+08:00", "OBSERVE", "inspecting")));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kInvalidArgument) << again.status();
}

}  // namespace
}  // namespace origo::capture
