#include "services/capture/capture_service.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "services/server/grpc_auth.h"
#include "services/server/grpc_status.h"

namespace origo::capture {

using server::ToGrpc;

constexpr char kCaptureStream[] = "/origo.v1.CaptureService/CaptureStream";

grpc::Status CaptureServiceImpl::Capture(grpc::ServerContext* context,
                                         const origo::v1::CaptureRequest* request,
                                         origo::v1::CaptureResponse* response) {
  auto principal =
      server::AuthorizeCall(*authenticator_, context, "/origo.v1.CaptureService/Capture");
  if (!principal.ok()) return ToGrpc(principal.status());
  auto result = processor_->Capture(*principal, request->batch());
  if (!result.ok()) return ToGrpc(result.status());
  *response = *std::move(result);
  response->set_sequence(request->sequence());
  return grpc::Status::OK;
}

namespace {

// One CaptureStream's batches between Submit and their acknowledgement. The handler thread adds
// batches in read order; the sequencer delivers results (Sequencer::Sink), waking the stream's
// writer once per group commit; the writer takes every completed batch at the front and sends
// the acknowledgements in order. Results are published in Flush under mu, with the notify, so
// the stream may end (and destroy this) as soon as the writer has seen its last result.
class AckQueue final : public Sequencer::Sink {
 public:
  struct InFlight {
    uint64_t ticket = 0;
    uint64_t sequence = 0;
    CaptureProcessor::PreparedBatch prepared;  // leaves moved to the sequencer
    std::optional<Sequencer::Result> result;   // delivered
    bool done = false;                         // published by Flush
  };
  static constexpr size_t kMaxInFlight = 8;

  // Blocks while kMaxInFlight batches are in flight. Returns the ticket to submit under, or
  // nullopt when the writer has failed (the stream is ending).
  std::optional<uint64_t> Add(uint64_t sequence, CaptureProcessor::PreparedBatch prepared) {
    std::unique_lock<std::mutex> lock(mu_);
    space_.wait(lock, [&] { return queue_.size() < kMaxInFlight || !failure_.ok(); });
    if (!failure_.ok()) return std::nullopt;
    InFlight& item = queue_.emplace_back();
    item.ticket = next_ticket_++;
    item.sequence = sequence;
    item.prepared = std::move(prepared);
    return item.ticket;
  }

  void Deliver(uint64_t ticket, Sequencer::Result result) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (InFlight& item : queue_) {
      if (item.ticket != ticket) continue;
      item.result = std::move(result);
      return;
    }
  }
  void Flush() override {
    std::vector<std::shared_ptr<void>> written;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (InFlight& item : queue_) {
        if (item.done || !item.result.has_value()) continue;
        item.done = true;
        // The batch's rule effects stop being pending now that its write has completed (or
        // failed): later batches find them in their snapshot instead.
        written.push_back(std::move(item.prepared.pending));
      }
      ready_.notify_one();
    }
    // Released outside mu_ (this may be destroyed once the writer has seen the results).
  }

  // No more batches will be added.
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    ready_.notify_one();
  }

  // The writer: sends the acknowledgements in order until closed and drained. After a failed
  // commit or write it stops sending (and keeps draining); the first such failure is returned.
  absl::Status WriteAcks(
      grpc::ServerReaderWriter<origo::v1::CaptureResponse, origo::v1::CaptureRequest>* stream) {
    std::vector<InFlight> ready;
    absl::Status failure;
    while (true) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        ready_.wait(lock, [&] { return queue_.empty() ? closed_ : queue_.front().done; });
        if (queue_.empty()) return failure;
        while (!queue_.empty() && queue_.front().done) {
          ready.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      space_.notify_one();
      const bool failed_before = !failure.ok();
      for (InFlight& item : ready) {
        if (!failure.ok()) continue;
        const Sequencer::Result& result = *item.result;
        if (!result.ok()) {
          failure = absl::Status(result.status().code(),
                                 "batch with sequence " + std::to_string(item.sequence) + ": " +
                                     std::string(result.status().message()));
          continue;
        }
        origo::v1::CaptureResponse response = CaptureProcessor::Respond(item.prepared, *result);
        response.set_sequence(item.sequence);
        if (!stream->Write(response)) failure = absl::CancelledError("client went away");
      }
      ready.clear();
      if (!failed_before && !failure.ok()) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          failure_ = failure;  // the reader stops adding batches
        }
        space_.notify_one();
      }
    }
  }

 private:
  std::mutex mu_;
  std::condition_variable ready_;  // the writer waits: front done, or closed and empty
  std::condition_variable space_;  // the reader waits: room in queue_, or a failure
  std::deque<InFlight> queue_;     // guarded by mu_; in ticket order
  uint64_t next_ticket_ = 0;       // guarded by mu_
  bool closed_ = false;            // guarded by mu_
  absl::Status failure_;           // guarded by mu_
};

}  // namespace

grpc::Status CaptureServiceImpl::CaptureStream(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<origo::v1::CaptureResponse, origo::v1::CaptureRequest>* stream) {
  auto principal = server::AuthorizeCall(*authenticator_, context, kCaptureStream);
  if (!principal.ok()) return ToGrpc(principal.status());

  // Pipelined: this thread reads and verifies batch k+1 while batch k waits for its group
  // commit; a writer thread sends acknowledgements strictly in order, each only once durable.
  AckQueue acks;
  absl::Status failure;
  std::thread writer([&] { failure = acks.WriteAcks(stream); });
  absl::Status rejected;  // a batch that failed its checks (after all queued)
  origo::v1::CaptureRequest request;
  while (stream->Read(&request)) {
    auto prepared = processor_->Prepare(*principal, request.batch());
    if (!prepared.ok()) {
      // Every batch queued so far came before this one: they are still acknowledged.
      rejected = absl::Status(prepared.status().code(),
                              "batch with sequence " + std::to_string(request.sequence()) + ": " +
                                  std::string(prepared.status().message()));
      break;
    }
    CaptureProcessor::PreparedBatch submission;  // to the sequencer; the rest waits in acks
    submission.leaves = std::move(prepared->leaves);
    submission.write_begun = std::move(prepared->write_begun);
    std::optional<uint64_t> ticket = acks.Add(request.sequence(), *std::move(prepared));
    if (!ticket.has_value()) break;  // the writer failed: the stream ends with its error
    processor_->SubmitTo(submission, &acks, *ticket);
  }
  acks.Close();
  writer.join();
  // Batches acknowledged before a failure are durable; the failure ends the stream.
  if (failure.ok()) failure = rejected;
  return ToGrpc(failure.code() == absl::StatusCode::kCancelled ? absl::OkStatus() : failure);
}

}  // namespace origo::capture
