#include "clients/spool/sender.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "absl/strings/numbers.h"
#include "core/base/absl_view.h"
#include "core/base/status_macros.h"
#include "core/batch/batch.h"

namespace origo::spool {
namespace {

// Batches signed and sent but not yet acknowledged, on a stream.
constexpr size_t kMaxInFlight = 16;
constexpr auto kStopPoll = std::chrono::milliseconds(50);

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool Stopping(const std::atomic<bool>* stop) { return stop != nullptr && stop->load(); }

// CaptureStream errors start "batch with sequence S: "; returns S and the rest.
std::pair<std::optional<uint64_t>, std::string> SplitSequence(std::string_view message) {
  constexpr std::string_view kPrefix = "batch with sequence ";
  if (message.substr(0, kPrefix.size()) == kPrefix) {
    std::string_view rest = message.substr(kPrefix.size());
    size_t colon = rest.find(": ");
    uint64_t sequence = 0;
    if (colon != std::string_view::npos &&
        absl::SimpleAtoi(AbslView(rest.substr(0, colon)), &sequence)) {
      return {sequence, std::string(rest.substr(colon + 2))};
    }
  }
  return {std::nullopt, std::string(message)};
}

}  // namespace

ErrorKind Classify(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kOk:
      return ErrorKind::kTransient;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kUnimplemented:
      return ErrorKind::kFatal;
    default:
      return ErrorKind::kRejected;
  }
}

Sender::Sender(Spool* spool, const crypto::PrivateKey* key, SenderOptions options,
               DeliveryObserver* observer)
    : spool_(spool),
      key_(key),
      options_(std::move(options)),
      observer_(observer),
      backoff_(options_.backoff, static_cast<uint64_t>(NowUnixMs()) ^
                                     static_cast<uint64_t>(reinterpret_cast<uintptr_t>(this))) {}

DeliveryOutcome Sender::DeliverPending(const std::atomic<bool>* stop) {
  failing_since_.reset();
  backoff_.Reset();
  return options_.stream ? RunStream(stop) : RunUnary(stop);
}

uint64_t Sender::NumberFor(uint64_t first_seq) {
  uint64_t done = spool_->done();
  while (!numbers_.empty() && numbers_.begin()->first < done) numbers_.erase(numbers_.begin());
  auto [it, inserted] = numbers_.emplace(first_seq, next_number_);
  if (inserted) ++next_number_;
  return it->second;
}

absl::StatusOr<origo::v1::CaptureRequest> Sender::Sign(uint64_t number,
                                                       const std::vector<SpooledEvent>& batch) {
  std::vector<std::string> events;
  events.reserve(batch.size());
  for (const SpooledEvent& e : batch) events.push_back(e.bytes);
  ORIGO_ASSIGN_OR_RETURN(origo::v1::SignedBatch signed_batch,
                         batch::SignBatch(events, options_.usci, *key_, NowUnixMs()));
  origo::v1::CaptureRequest request;
  *request.mutable_batch() = std::move(signed_batch);
  request.set_sequence(number);
  return request;
}

absl::Status Sender::Accept(uint64_t number, const std::vector<SpooledEvent>& batch,
                            const origo::v1::CaptureResponse& response) {
  if (static_cast<size_t>(response.events_size()) != batch.size()) {
    return absl::InternalError("the server acknowledged " + std::to_string(response.events_size()) +
                               " events of batch " + std::to_string(number) + ", which has " +
                               std::to_string(batch.size()));
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    const std::string& id = response.events(static_cast<int>(i)).event_id();
    if (id != batch::EventId(batch[i].bytes)) {
      return absl::InternalError("the server acknowledged event " + id + " for " +
                                 batch[i].origin.source + " line " +
                                 std::to_string(batch[i].origin.line) + ", whose event id is " +
                                 batch::EventId(batch[i].bytes));
    }
  }
  ORIGO_RETURN_IF_ERROR(spool_->Ack(batch.back().seq + 1));
  spool_->RecordAttempt(absl::OkStatus(), NowUnixMs());
  ++totals_.batches;
  totals_.events += batch.size();
  totals_.stored += response.stored();
  totals_.duplicates += response.duplicates();
  totals_.tree_size = std::max<uint64_t>(totals_.tree_size, response.tree_size());
  if (observer_ != nullptr) observer_->Delivered(number, batch, response);
  return absl::OkStatus();
}

absl::Status Sender::Reject(uint64_t number, const std::vector<SpooledEvent>& batch,
                            const absl::Status& error) {
  int64_t now = NowUnixMs();
  ORIGO_ASSIGN_OR_RETURN(std::string dead_letter, spool_->DeadLetter(batch, error, now));
  spool_->RecordAttempt(error, now);
  ++totals_.rejected_batches;
  totals_.rejected_events += batch.size();
  if (observer_ != nullptr) observer_->Rejected(number, batch, error, dead_letter);
  return absl::OkStatus();
}

void Sender::Progressed() {
  failing_since_.reset();
  backoff_.Reset();
}

Sender::Step Sender::Transient(const absl::Status& error, const std::atomic<bool>* stop) {
  last_error_ = error;
  spool_->RecordAttempt(error, NowUnixMs());
  client_.reset();  // the next attempt starts on a fresh channel
  auto now = std::chrono::steady_clock::now();
  if (!failing_since_) failing_since_ = now;
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - *failing_since_);
  if (elapsed >= options_.max_wait) {
    if (observer_ != nullptr) observer_->Unreachable(error, std::chrono::milliseconds(0), true);
    return Step::kGiveUp;
  }
  std::chrono::milliseconds wait = std::min(backoff_.Next(), options_.max_wait - elapsed);
  if (observer_ != nullptr) observer_->Unreachable(error, wait, false);
  auto until = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < until) {
    if (Stopping(stop)) return Step::kStopped;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        kStopPoll, until - std::chrono::steady_clock::now()));
  }
  return Stopping(stop) ? Step::kStopped : Step::kRetry;
}

DeliveryOutcome Sender::RunUnary(const std::atomic<bool>* stop) {
  while (true) {
    if (Stopping(stop)) return DeliveryOutcome::kStopped;
    auto batch = spool_->Read(spool_->done(), options_.batch_size);
    if (!batch.ok()) {
      last_error_ = batch.status();
      return DeliveryOutcome::kFailed;
    }
    if (batch->empty()) return DeliveryOutcome::kDrained;
    uint64_t number = NumberFor(batch->front().seq);
    auto request = Sign(number, *batch);
    if (!request.ok()) {
      last_error_ = request.status();
      return DeliveryOutcome::kFailed;
    }
    if (client_ == nullptr) client_ = std::make_unique<client::Client>(options_.client);
    auto response = client_->Capture(*request);
    if (response.ok()) {
      if (absl::Status accepted = Accept(number, *batch, *response); !accepted.ok()) {
        last_error_ = accepted;
        return DeliveryOutcome::kFailed;
      }
      Progressed();
      continue;
    }
    ErrorKind kind = Classify(response.status().code());
    if (kind == ErrorKind::kFatal) {
      last_error_ = response.status();
      spool_->RecordAttempt(last_error_, NowUnixMs());
      return DeliveryOutcome::kFailed;
    }
    if (kind == ErrorKind::kTransient) {
      switch (Transient(response.status(), stop)) {
        case Step::kRetry:
          continue;
        case Step::kStopped:
          return DeliveryOutcome::kStopped;
        default:
          return DeliveryOutcome::kUnreachable;
      }
    }
    if (absl::Status rejected = Reject(number, *batch, response.status()); !rejected.ok()) {
      last_error_ = rejected;
      return DeliveryOutcome::kFailed;
    }
    Progressed();
  }
}

DeliveryOutcome Sender::RunStream(const std::atomic<bool>* stop) {
  while (true) {
    if (Stopping(stop)) return DeliveryOutcome::kStopped;
    if (spool_->pending() == 0) return DeliveryOutcome::kDrained;
    switch (StreamOnce(stop)) {
      case Step::kProgress:
      case Step::kRetry:
        continue;
      case Step::kGiveUp:
        return DeliveryOutcome::kUnreachable;
      case Step::kStopped:
        return DeliveryOutcome::kStopped;
      case Step::kFailed:
        return DeliveryOutcome::kFailed;
    }
  }
}

Sender::Step Sender::StreamOnce(const std::atomic<bool>* stop) {
  if (client_ == nullptr) client_ = std::make_unique<client::Client>(options_.client);
  std::unique_ptr<client::CaptureStream> stream = client_->OpenCaptureStream();
  struct InFlight {
    uint64_t number;
    std::vector<SpooledEvent> batch;
  };
  std::mutex mu;
  std::condition_variable changed;
  std::deque<InFlight> in_flight;  // guarded by mu
  bool reading_done = false;       // guarded by mu
  bool acked_any = false;          // guarded by mu
  absl::Status reader_error;       // guarded by mu

  // Responses come in request order, each only once its batch is durable.
  std::thread reading([&] {
    while (true) {
      auto response = stream->Read();
      if (!response.ok()) break;
      std::unique_lock<std::mutex> lock(mu);
      if (in_flight.empty() || response->sequence() != in_flight.front().number) {
        reader_error = absl::InternalError(
            "the server answered batch " + std::to_string(response->sequence()) +
            (in_flight.empty() ? std::string(", which was not sent")
                               : ", expected batch " + std::to_string(in_flight.front().number)));
        stream->Cancel();
        break;
      }
      InFlight done = std::move(in_flight.front());
      in_flight.pop_front();
      lock.unlock();
      changed.notify_all();
      absl::Status accepted = Accept(done.number, done.batch, *response);
      lock.lock();
      if (!accepted.ok()) {
        reader_error = accepted;
        stream->Cancel();
        break;
      }
      acked_any = true;
    }
    std::lock_guard<std::mutex> lock(mu);
    reading_done = true;
    changed.notify_all();
  });

  absl::Status local_error;
  bool stopped = false;
  bool all_written = false;
  uint64_t next = spool_->done();
  while (true) {
    if (Stopping(stop)) {
      stopped = true;
      break;
    }
    auto batch = spool_->Read(next, options_.batch_size);
    if (!batch.ok()) {
      local_error = batch.status();
      break;
    }
    if (batch->empty()) {
      all_written = true;
      break;
    }
    uint64_t number = NumberFor(batch->front().seq);
    auto request = Sign(number, *batch);
    if (!request.ok()) {
      local_error = request.status();
      break;
    }
    next = batch->back().seq + 1;
    {
      std::unique_lock<std::mutex> lock(mu);
      while (!reading_done && in_flight.size() >= kMaxInFlight && !Stopping(stop)) {
        changed.wait_for(lock, kStopPoll);
      }
      if (reading_done) break;
      if (Stopping(stop)) {
        stopped = true;
        break;
      }
      in_flight.push_back(InFlight{number, *std::move(batch)});
    }
    if (!stream->Write(*request).ok()) break;  // the server ended the stream; Finish says why
  }
  if (all_written) {
    stream->WritesDone().IgnoreError();  // a failure shows in Finish
  } else if (!local_error.ok() || stopped) {
    stream->Cancel();
  }  // else the server ended the stream: Finish says why
  reading.join();
  absl::Status finished = stream->Finish();

  if (acked_any) Progressed();
  if (!local_error.ok()) {
    last_error_ = local_error;
    return Step::kFailed;
  }
  if (!reader_error.ok()) {
    last_error_ = reader_error;
    return Step::kFailed;
  }
  if (stopped) return Step::kStopped;
  if (finished.ok()) {
    if (in_flight.empty()) return Step::kProgress;
    finished = absl::UnavailableError("the server ended the stream without answering batch " +
                                      std::to_string(in_flight.front().number));
  }
  auto [named, detail] = SplitSequence(std::string(finished.message()));
  ErrorKind kind = Classify(finished.code());
  if (kind == ErrorKind::kFatal || (kind == ErrorKind::kRejected && !named)) {
    // Refused as a call (the token), not as a batch: every batch would be.
    last_error_ = finished;
    spool_->RecordAttempt(last_error_, NowUnixMs());
    return Step::kFailed;
  }
  if (kind == ErrorKind::kTransient || in_flight.empty()) {
    switch (Transient(finished, stop)) {
      case Step::kRetry:
        return Step::kRetry;
      case Step::kStopped:
        return Step::kStopped;
      default:
        return Step::kGiveUp;
    }
  }
  // A rejection: the server answers in order and ends the stream at the rejected batch, so it is
  // the first unanswered one (its error names it too).
  const InFlight& rejected = in_flight.front();
  if (*named != rejected.number) {
    last_error_ = absl::InternalError("the server rejected batch " + std::to_string(*named) +
                                      " before answering batch " + std::to_string(rejected.number) +
                                      ": " + std::string(finished.message()));
    return Step::kFailed;
  }
  if (absl::Status done =
          Reject(rejected.number, rejected.batch, absl::Status(finished.code(), detail));
      !done.ok()) {
    last_error_ = done;
    return Step::kFailed;
  }
  Progressed();
  return Step::kProgress;
}

}  // namespace origo::spool
