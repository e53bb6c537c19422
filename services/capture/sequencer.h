#ifndef ORIGO_SERVICES_CAPTURE_SEQUENCER_H_
#define ORIGO_SERVICES_CAPTURE_SEQUENCER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
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
  std::future<Result> SubmitAsync(std::vector<storage::LeafToAppend> leaves);

  // Finishes pending work, then stops the thread. Idempotent.
  void Stop();

  // Group commits done and events written so far (for metrics).
  uint64_t groups_written() const;
  uint64_t events_written() const;

 private:
  struct Submission {
    std::vector<storage::LeafToAppend> leaves;
    std::promise<Result> done;
  };
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
