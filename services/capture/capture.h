#ifndef ORIGO_SERVICES_CAPTURE_CAPTURE_H_
#define ORIGO_SERVICES_CAPTURE_CAPTURE_H_

#include <functional>

#include "absl/status/statusor.h"
#include "origo/v1/capture.pb.h"
#include "origo/v1/config.pb.h"
#include "services/capture/sequencer.h"
#include "services/server/auth.h"
#include "storage/registry_store.h"

namespace origo::capture {

// Verifies and captures signed batches (the domain side of CaptureService).
//
// For one batch: the caller must hold a producer token bound to the manifest's enterprise; the
// manifest's key must be registered to that enterprise and active; the signature must verify
// and the manifest's size and root must match the events; every event must parse and pass
// structural validation. Only then is the batch handed to the sequencer, which makes it durable
// as a whole. Nothing of a rejected batch is stored.
//
// Thread-safe: Capture runs on many handler threads at once (verification is parallel; only
// sequencing is serial).
class CaptureProcessor {
 public:
  using Clock = std::function<int64_t()>;  // Unix milliseconds

  CaptureProcessor(storage::RegistryStore* registry, Sequencer* sequencer,
                   origo::v1::CaptureConfig config, Clock clock = nullptr);

  // Errors: PERMISSION_DENIED (no producer token, token for another enterprise, key unknown,
  // revoked or registered to another enterprise); UNAUTHENTICATED (signature does not verify);
  // INVALID_ARGUMENT ("event N: <field>: <rule>" for a bad event, or a malformed batch);
  // RESOURCE_EXHAUSTED / UNAVAILABLE from the sequencer.
  absl::StatusOr<origo::v1::CaptureResponse> Capture(const server::Principal& principal,
                                                     const origo::v1::SignedBatch& batch);

  // The two halves of Capture, for callers that keep several batches in flight (streams):
  // Prepare does every check and builds the leaves (same errors as Capture); Submit hands them
  // to the sequencer; Respond turns the sequencer's result into the response.
  struct PreparedBatch {
    std::vector<storage::LeafToAppend> leaves;
    std::vector<std::string> event_ids;  // raw 32-byte ids, in batch order
  };
  absl::StatusOr<PreparedBatch> Prepare(const server::Principal& principal,
                                        const origo::v1::SignedBatch& batch);
  std::future<Sequencer::Result> Submit(PreparedBatch& prepared);
  static origo::v1::CaptureResponse Respond(const PreparedBatch& prepared,
                                            const std::vector<storage::AppendedLeaf>& appended);

 private:
  storage::RegistryStore* registry_;
  Sequencer* sequencer_;
  origo::v1::CaptureConfig config_;
  Clock clock_;
};

}  // namespace origo::capture

#endif  // ORIGO_SERVICES_CAPTURE_CAPTURE_H_
