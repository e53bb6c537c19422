#include "services/capture/capture_service.h"

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

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

grpc::Status CaptureServiceImpl::CaptureStream(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<origo::v1::CaptureResponse, origo::v1::CaptureRequest>* stream) {
  auto principal = server::AuthorizeCall(*authenticator_, context, kCaptureStream);
  if (!principal.ok()) return ToGrpc(principal.status());

  // Pipelined: this thread reads and verifies batch k+1 while batch k waits for its group
  // commit; a writer thread sends acknowledgements strictly in order, each only once durable.
  struct InFlight {
    uint64_t sequence;
    CaptureProcessor::PreparedBatch prepared;
    std::future<Sequencer::Result> result;
  };
  constexpr size_t kMaxInFlight = 8;
  std::mutex mu;
  std::condition_variable changed;
  std::deque<InFlight> queue;  // guarded by mu
  bool reading_done = false;   // guarded by mu
  absl::Status failure;        // guarded by mu; first commit/write error, stops responses
  absl::Status rejected;       // guarded by mu; a batch that failed its checks (after all queued)

  std::thread writer([&] {
    while (true) {
      InFlight item;
      {
        std::unique_lock<std::mutex> lock(mu);
        changed.wait(lock, [&] { return !queue.empty() || reading_done; });
        if (queue.empty()) return;
        item = std::move(queue.front());
        queue.pop_front();
      }
      changed.notify_all();
      Sequencer::Result result = item.result.get();
      std::lock_guard<std::mutex> lock(mu);
      if (!failure.ok()) continue;  // drain without writing after a failure
      if (!result.ok()) {
        failure = absl::Status(result.status().code(), "batch with sequence " +
                                                           std::to_string(item.sequence) + ": " +
                                                           std::string(result.status().message()));
        continue;
      }
      origo::v1::CaptureResponse response = CaptureProcessor::Respond(item.prepared, *result);
      response.set_sequence(item.sequence);
      if (!stream->Write(response)) failure = absl::CancelledError("client went away");
    }
  });

  origo::v1::CaptureRequest request;
  while (stream->Read(&request)) {
    auto prepared = processor_->Prepare(*principal, request.batch());
    std::unique_lock<std::mutex> lock(mu);
    if (!failure.ok()) break;
    if (!prepared.ok()) {
      // Every batch queued so far came before this one: they are still acknowledged.
      rejected = absl::Status(prepared.status().code(),
                              "batch with sequence " + std::to_string(request.sequence()) + ": " +
                                  std::string(prepared.status().message()));
      break;
    }
    changed.wait(lock, [&] { return queue.size() < kMaxInFlight; });
    InFlight item{request.sequence(), *std::move(prepared), {}};
    item.result = processor_->Submit(item.prepared);
    queue.push_back(std::move(item));
    lock.unlock();
    changed.notify_all();
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    reading_done = true;
  }
  changed.notify_all();
  writer.join();
  // Batches acknowledged before a failure are durable; the failure ends the stream.
  if (failure.ok()) failure = rejected;
  return ToGrpc(failure.code() == absl::StatusCode::kCancelled ? absl::OkStatus() : failure);
}

}  // namespace origo::capture
