#ifndef ORIGO_CLIENTS_SPOOL_SENDER_H_
#define ORIGO_CLIENTS_SPOOL_SENDER_H_

// Delivers a spool queue's pending events to CaptureService: forms batches in sequence order,
// signs each with the packing line's key, sends it (one call per batch, or pipelined on one
// CaptureStream), and moves the cursor once the server has acknowledged it.
//
// Batches are re-formed deterministically from the cursor: batch = the next `batch_size` pending
// events. The manifest (and its time) is signed afresh on each attempt; the events are the same
// bytes, so their ids are too, and the server stores a re-sent event once.
//
// What happens on an error depends on its code (Classify):
//  - transient (UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED, RESOURCE_EXHAUSTED, CANCELLED, UNKNOWN,
//    INTERNAL): the server is away or busy, or the batch's fate is unknown. The same batch is
//    retried after an exponential backoff with jitter, on a fresh channel, for up to max_wait
//    since the last progress; then DeliverPending returns kUnreachable and the events stay
//    pending.
//  - rejected (INVALID_ARGUMENT, PERMISSION_DENIED, FAILED_PRECONDITION, NOT_FOUND, ...): the
//    server refused the batch. It is not retried: it is moved to the queue's dead letters with
//    the error, reported, and delivery CONTINUES with the next batch, so one bad scan does not
//    hold up a packing line. `origo spool requeue` queues dead letters again once the cause is
//    fixed (a key registered, a template corrected).
//  - fatal (UNAUTHENTICATED, UNIMPLEMENTED): the call itself is refused (no or a revoked bearer
//    token, a server without capture), so every batch would be. Delivery stops with kFailed and
//    everything stays pending; nothing is dead-lettered.
//
// Thread-safety: a Sender is used by one thread at a time; DeliverPending may run while other
// threads append to the spool (new events are picked up). `stop` may be set from any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "clients/client.h"
#include "clients/spool/backoff.h"
#include "clients/spool/spool.h"
#include "core/crypto/keys.h"
#include "origo/v1/capture.pb.h"

namespace origo::spool {

enum class ErrorKind { kTransient, kRejected, kFatal };
// How the Sender treats a capture error with `code` (see above).
ErrorKind Classify(absl::StatusCode code);

// Told what happens to each batch. Called from the thread running DeliverPending (in stream
// mode, Delivered also from its response reader), one call at a time.
class DeliveryObserver {
 public:
  virtual ~DeliveryObserver() = default;
  // The server acknowledged batch `number` (counted from 1 in this Sender).
  virtual void Delivered(uint64_t number, const std::vector<SpooledEvent>& batch,
                         const origo::v1::CaptureResponse& response) {}
  // The server rejected it with `error`; it now is the dead letter `dead_letter` (a file).
  virtual void Rejected(uint64_t number, const std::vector<SpooledEvent>& batch,
                        const absl::Status& error, const std::string& dead_letter) {}
  // A transient failure. The next attempt follows after `wait`, or none when `giving_up`.
  virtual void Unreachable(const absl::Status& error, std::chrono::milliseconds wait,
                           bool giving_up) {}
};

struct SenderOptions {
  // Enterprise the batches are signed for. Required.
  std::string usci;
  // Server, token and deadlines.
  client::ClientOptions client;
  // Events per signed batch. Default 100.
  size_t batch_size = 100;
  // Pipeline batches on one CaptureStream instead of one Capture call each. Default off.
  bool stream = false;
  BackoffPolicy backoff;
  // How long to keep retrying transient failures, counted from the first failure after the last
  // acknowledged batch; zero makes one attempt. Default zero.
  std::chrono::milliseconds max_wait{0};
};

enum class DeliveryOutcome {
  kDrained,      // nothing is pending
  kUnreachable,  // transient failures for max_wait; the rest stays pending
  kStopped,      // `stop` was set
  kFailed,       // a local error (spool I/O, signing) or an acknowledgement that does not match
};

// Totals over a Sender's life.
struct DeliveryTotals {
  uint64_t batches = 0;  // acknowledged
  uint64_t events = 0;
  uint64_t stored = 0;
  uint64_t duplicates = 0;
  uint64_t tree_size = 0;  // the largest the server reported
  uint64_t rejected_batches = 0;
  uint64_t rejected_events = 0;
};

class Sender {
 public:
  // `spool` and `key` must outlive the Sender; `observer` may be null.
  Sender(Spool* spool, const crypto::PrivateKey* key, SenderOptions options,
         DeliveryObserver* observer);

  // Delivers pending events until none are left (including events appended meanwhile), or
  // until the server stays unreachable for max_wait, or `stop` (may be null) is set. After
  // kFailed, last_error() says why.
  DeliveryOutcome DeliverPending(const std::atomic<bool>* stop);

  const DeliveryTotals& totals() const { return totals_; }
  // The last error seen (transient or local); OK if none.
  const absl::Status& last_error() const { return last_error_; }

 private:
  enum class Step { kProgress, kRetry, kGiveUp, kStopped, kFailed };

  DeliveryOutcome RunUnary(const std::atomic<bool>* stop);
  DeliveryOutcome RunStream(const std::atomic<bool>* stop);
  // One stream session from the cursor; kProgress when it ended cleanly.
  Step StreamOnce(const std::atomic<bool>* stop);
  absl::StatusOr<origo::v1::CaptureRequest> Sign(uint64_t number,
                                                 const std::vector<SpooledEvent>& batch);
  // Checks an acknowledgement against its batch and moves the cursor past it.
  absl::Status Accept(uint64_t number, const std::vector<SpooledEvent>& batch,
                      const origo::v1::CaptureResponse& response);
  absl::Status Reject(uint64_t number, const std::vector<SpooledEvent>& batch,
                      const absl::Status& error);
  // After a transient failure: waits (kRetry), or says to give up or stop.
  Step Transient(const absl::Status& error, const std::atomic<bool>* stop);
  void Progressed();
  uint64_t NumberFor(uint64_t first_seq);

  Spool* spool_;
  const crypto::PrivateKey* key_;
  SenderOptions options_;
  DeliveryObserver* observer_;
  std::unique_ptr<client::Client> client_;
  Backoff backoff_;
  std::optional<std::chrono::steady_clock::time_point> failing_since_;
  std::map<uint64_t, uint64_t> numbers_;  // batch number by first sequence
  uint64_t next_number_ = 1;
  DeliveryTotals totals_;
  absl::Status last_error_;
};

}  // namespace origo::spool

#endif  // ORIGO_CLIENTS_SPOOL_SENDER_H_
