#ifndef ORIGO_SERVICES_TRANSPARENCY_TRANSPARENCY_SERVICE_H_
#define ORIGO_SERVICES_TRANSPARENCY_TRANSPARENCY_SERVICE_H_

#include <chrono>

#include "origo/v1/capture.grpc.pb.h"
#include "services/server/auth.h"
#include "services/transparency/checkpointer.h"
#include "storage/event_log.h"

namespace origo::transparency {

// gRPC adapter for origo.v1.TransparencyService: checkpoints, inclusion and consistency
// proofs and raw leaves. Public (no token needed): the log is meant to be watched; calls still
// pass the authorization table and rate limits. Every call reads one snapshot. Thread-safe.
class TransparencyServiceImpl final : public origo::v1::TransparencyService::Service {
 public:
  // None of the pointers is owned.
  TransparencyServiceImpl(storage::EventLog* log, Checkpointer* checkpointer,
                          std::chrono::milliseconds proof_wait,
                          const server::Authenticator* authenticator)
      : log_(log),
        checkpointer_(checkpointer),
        proof_wait_(proof_wait),
        authenticator_(authenticator) {}

  grpc::Status GetCheckpoint(grpc::ServerContext* context,
                             const origo::v1::GetCheckpointRequest* request,
                             origo::v1::GetCheckpointResponse* response) override;
  grpc::Status GetInclusionProof(grpc::ServerContext* context,
                                 const origo::v1::GetInclusionProofRequest* request,
                                 origo::v1::GetInclusionProofResponse* response) override;
  grpc::Status GetConsistencyProof(grpc::ServerContext* context,
                                   const origo::v1::GetConsistencyProofRequest* request,
                                   origo::v1::GetConsistencyProofResponse* response) override;
  grpc::Status GetLeaves(grpc::ServerContext* context, const origo::v1::GetLeavesRequest* request,
                         origo::v1::GetLeavesResponse* response) override;

 private:
  // Fills `out` with the checkpoint signed at `size` (stored), NOT_FOUND when none was.
  absl::Status CheckpointAt(uint64_t size, const storage::ReadView* view,
                            origo::v1::Checkpoint* out) const;

  storage::EventLog* log_;
  Checkpointer* checkpointer_;
  std::chrono::milliseconds proof_wait_;
  const server::Authenticator* authenticator_;
};

}  // namespace origo::transparency

#endif  // ORIGO_SERVICES_TRANSPARENCY_TRANSPARENCY_SERVICE_H_
