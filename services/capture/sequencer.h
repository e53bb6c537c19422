#ifndef ORIGO_SERVICES_CAPTURE_SEQUENCER_H_
#define ORIGO_SERVICES_CAPTURE_SEQUENCER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/event_log.h"

namespace origo::capture {

// The single writer of the event log. Submitters (gRPC handler threads) hand in verified
// batches; one sequencer thread takes everything pending, appends it as ONE synced WriteBatch
// (group commit: one fsync for many batches), and only then completes each submission. An OK
// result therefore means durable.
//
// Thread-safe. Submit blocks the caller until its batch is durable or failed.
class Sequencer {
 public:
  struct Options {
    // Upper bound on events written in one group commit. Default 65536.
    size_t max_group_events = 65536;
    // Upper bound on events waiting to be sequenced; beyond it Submit returns
    // RESOURCE_EXHAUSTED. Default 1,000,000.
    size_t max_pending_events = 1000000;
  };

  Sequencer(storage::EventLog* log, Options options);
  explicit Sequencer(storage::EventLog* log) : Sequencer(log, Options()) {}
  ~Sequencer();

  // Appends `leaves` (one batch, all or nothing) and returns one result per leaf.
  // Errors: UNAVAILABLE after Stop; RESOURCE_EXHAUSTED when too much is pending; the store's
  // error when the write fails (then nothing of the group was written).
  absl::StatusOr<std::vector<storage::AppendedLeaf>> Submit(
      std::vector<storage::LeafToAppend> leaves);

  using Result = absl::StatusOr<std::vector<storage::AppendedLeaf>>;
  // As Submit, without waiting: the future becomes ready when the batch is durable or failed.
  // Lets one stream keep several batches in flight.
  // `write_begun`, when given, is set before the batch's write begins, to one more than the
  // store's latest sequence number then (rocksdb::DB::GetLatestSequenceNumber). A snapshot
  // taken before it is set (sequentially consistent), or whose sequence number is below the
  // value set, cannot show the batch.
  std::future<Result> SubmitAsync(std::vector<storage::LeafToAppend> leaves,
                                  std::shared_ptr<std::atomic<uint64_t>> write_begun = nullptr);

  // Receives results on the sequencer thread, for callers that keep many batches in flight and
  // want one wake-up per group commit rather than one per batch (a stream's acknowledgements).
  // Deliver is called once per batch submitted to this sink (a sink's batches are written in
  // submission order; refusals are delivered at once); Flush follows once the group's or the
  // refusal's Deliver calls are done, and after a batch's Flush returns the sequencer no longer
  // touches the sink for it. Both run on the sequencer thread (refusals: on the submitting
  // thread), must be quick and must not block: they hold up every capture. A sink that may
  // be destroyed as soon as its consumer has seen a result should publish results in Flush,
  // under the lock its consumer reads them with.
  class Sink {
   public:
    virtual ~Sink() = default;
    virtual void Deliver(uint64_t ticket, Result result) = 0;
    virtual void Flush() = 0;
  };
  // As SubmitAsync, the result going to sink->Deliver(ticket, ...) instead of a future. The
  // result may be delivered (and flushed) before this returns, on the calling thread.
  void SubmitTo(std::vector<storage::LeafToAppend> leaves, Sink* sink, uint64_t ticket,
                std::shared_ptr<std::atomic<uint64_t>> write_begun = nullptr);

  // Finishes pending work, then stops the thread. Idempotent.
  void Stop();

  // Group commits done and events written so far (for metrics).
  uint64_t groups_written() const;
  uint64_t events_written() const;

 private:
  struct Submission {
    std::vector<storage::LeafToAppend> leaves;
    std::promise<Result> done;  // when sink is null
    Sink* sink = nullptr;
    uint64_t ticket = 0;
    std::shared_ptr<std::atomic<uint64_t>> write_begun;  // optional
  };
  // Enqueues `submission`, or completes it at once with UNAVAILABLE / RESOURCE_EXHAUSTED / an
  // empty result.
  void Enqueue(std::unique_ptr<Submission> submission);
  static void Complete(Submission& submission, Result result);
  void Run();

  storage::EventLog* log_;
  Options options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<Submission>> pending_;  // guarded by mu_
  size_t pending_events_ = 0;                        // guarded by mu_
  bool stopping_ = false;                            // guarded by mu_
  bool sequencer_waiting_ = false;                   // guarded by mu_; Run is in wake_.wait
  uint64_t groups_ = 0;                              // guarded by mu_
  uint64_t events_ = 0;                              // guarded by mu_
  std::thread thread_;
};

}  // namespace origo::capture

#endif  // ORIGO_SERVICES_CAPTURE_SEQUENCER_H_
