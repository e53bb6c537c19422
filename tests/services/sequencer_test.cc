// The sequencer's result delivery to sinks (the path CaptureStream uses), over a real RocksDB.

#include "services/capture/sequencer.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "core/crypto/hash.h"
#include "core/merkle/merkle.h"
#include "rocksdb/db.h"
#include "storage/store.h"
#include "tests/test_util.h"

namespace origo::capture {
namespace {

storage::LeafToAppend Leaf(int n) {
  storage::LeafToAppend leaf;
  leaf.leaf = "leaf " + std::to_string(n);
  leaf.event_id = std::string(crypto::AsStringView(crypto::Sha256("event " + std::to_string(n))));
  leaf.leaf_hash = merkle::LeafHash(leaf.leaf);
  return leaf;
}

// Records what the sequencer hands over and checks the Deliver/Flush protocol as it goes.
class RecordingSink : public Sequencer::Sink {
 public:
  void Deliver(uint64_t ticket, Sequencer::Result result) override {
    std::lock_guard<std::mutex> lock(mu_);
    unflushed_.emplace_back(ticket, std::move(result));
  }
  void Flush() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (unflushed_.empty()) ++empty_flushes_;
    ++flushes_;
    for (auto& r : unflushed_) published_.push_back(std::move(r));
    unflushed_.clear();
    changed_.notify_all();
  }
  // Waits until `n` results are published, and returns them.
  std::vector<std::pair<uint64_t, Sequencer::Result>> Await(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, std::chrono::seconds(30), [&] { return published_.size() >= n; });
    return published_;
  }
  int flushes() {
    std::lock_guard<std::mutex> lock(mu_);
    return flushes_;
  }
  int empty_flushes() {
    std::lock_guard<std::mutex> lock(mu_);
    return empty_flushes_;
  }
  size_t unflushed() {
    std::lock_guard<std::mutex> lock(mu_);
    return unflushed_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::pair<uint64_t, Sequencer::Result>> unflushed_;  // guarded by mu_
  std::vector<std::pair<uint64_t, Sequencer::Result>> published_;  // guarded by mu_
  int flushes_ = 0;                                                // guarded by mu_
  int empty_flushes_ = 0;                                          // guarded by mu_
};

class SequencerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = storage::Store::Open(dir_.Sub("db")).value();
    log_ = storage::EventLog::Open(store_.get()).value();
    sequencer_ = std::make_unique<Sequencer>(log_.get());
  }

  origo::testing::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::EventLog> log_;
  std::unique_ptr<Sequencer> sequencer_;
};

// Two streams' batches interleaved: each sink gets each of its batches once, in its order, with
// the log indexes in submission order, and one Flush per group commit it had batches in.
TEST_F(SequencerTest, SinksGetTheirBatchesInOrderWithOneFlushPerGroup) {
  RecordingSink a, b;
  constexpr int kBatches = 200;
  for (int i = 0; i < kBatches; ++i) {
    std::vector<storage::LeafToAppend> leaves;
    leaves.push_back(Leaf(2 * i));
    leaves.push_back(Leaf(2 * i + 1));
    sequencer_->SubmitTo(std::move(leaves), i % 2 ? &b : &a, static_cast<uint64_t>(i / 2));
  }
  for (RecordingSink* sink : {&a, &b}) {
    auto results = sink->Await(kBatches / 2);
    ASSERT_EQ(results.size(), static_cast<size_t>(kBatches / 2));
    for (size_t k = 0; k < results.size(); ++k) {
      EXPECT_EQ(results[k].first, k);
      ASSERT_TRUE(results[k].second.ok()) << results[k].second.status();
      ASSERT_EQ(results[k].second->size(), 2u);
      // Batch i = 2k (sink a) or 2k + 1 (sink b) holds leaves 2i and 2i + 1.
      const uint64_t i = 2 * k + (sink == &b ? 1 : 0);
      EXPECT_EQ((*results[k].second)[0].index, 2 * i);
      EXPECT_EQ((*results[k].second)[1].index, 2 * i + 1);
      EXPECT_FALSE((*results[k].second)[0].duplicate);
    }
    EXPECT_EQ(sink->unflushed(), 0u);
    EXPECT_EQ(sink->empty_flushes(), 0);
  }
  sequencer_->Stop();
  // Every group held batches of both sinks or of one; each sink was flushed once per group it
  // was in, so neither more often than there were groups, and together at least once each.
  const int groups = static_cast<int>(sequencer_->groups_written());
  EXPECT_LE(a.flushes(), groups);
  EXPECT_LE(b.flushes(), groups);
  EXPECT_GE(a.flushes() + b.flushes(), groups);
  EXPECT_EQ(sequencer_->events_written(), 2u * kBatches);
}

// write_begun is set before the write: a snapshot from before the submission is below it, one
// after the result is at or above it, and the batch is readable there.
TEST_F(SequencerTest, WriteBegunOrdersTheBatchAgainstSnapshots) {
  auto before = store_->Snapshot();
  auto begun = std::make_shared<std::atomic<uint64_t>>(0);
  RecordingSink sink;
  std::vector<storage::LeafToAppend> leaves;
  leaves.push_back(Leaf(7));
  const std::string event_id = leaves[0].event_id;
  sequencer_->SubmitTo(std::move(leaves), &sink, 0, begun);
  auto results = sink.Await(1);
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].second.ok());
  ASSERT_GT(begun->load(), 0u);
  EXPECT_LT(before->options().snapshot->GetSequenceNumber(), begun->load());
  EXPECT_FALSE(log_->FindEvent(event_id, before.get()).value().has_value());
  auto after = store_->Snapshot();
  EXPECT_GE(after->options().snapshot->GetSequenceNumber(), begun->load());
  EXPECT_EQ(log_->FindEvent(event_id, after.get()).value(), std::optional<uint64_t>(0));
}

// Refused submissions (after Stop) and empty ones are delivered and flushed before SubmitTo
// returns; the refusal says to retry.
TEST_F(SequencerTest, RefusalsAndEmptyBatchesAreDeliveredAtOnce) {
  RecordingSink sink;
  sequencer_->SubmitTo({}, &sink, 0);
  ASSERT_EQ(sink.Await(0).size(), 1u);
  EXPECT_TRUE(sink.Await(0)[0].second.ok());
  EXPECT_TRUE(sink.Await(0)[0].second->empty());
  sequencer_->Stop();
  std::vector<storage::LeafToAppend> leaves;
  leaves.push_back(Leaf(1));
  sequencer_->SubmitTo(std::move(leaves), &sink, 1);
  auto results = sink.Await(0);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[1].first, 1u);
  EXPECT_EQ(results[1].second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(results[1].second.status().message().find("retry"), std::string::npos);
  EXPECT_EQ(sink.flushes(), 2);
}

}  // namespace
}  // namespace origo::capture
