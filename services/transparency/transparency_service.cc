#include "services/transparency/transparency_service.h"

#include <optional>

#include "core/base/status_macros.h"
#include "core/crypto/hash.h"
#include "services/server/grpc_auth.h"
#include "services/server/grpc_status.h"

namespace origo::transparency {
namespace {

using server::ToGrpc;

std::string Bytes(const merkle::Hash& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

void Fill(const SignedCheckpoint& c, const std::string& origin, origo::v1::Checkpoint* out) {
  out->set_origin(origin);
  out->set_tree_size(c.size);
  out->set_root_hash(Bytes(c.root));
  out->set_note(c.note);
}

constexpr uint32_t kMaxLeavesPerCall = 1000;
constexpr char kService[] = "/origo.v1.TransparencyService/";

}  // namespace

absl::Status TransparencyServiceImpl::CheckpointAt(uint64_t size, const storage::ReadView* view,
                                                   origo::v1::Checkpoint* out) const {
  ORIGO_ASSIGN_OR_RETURN(auto note, log_->CheckpointAt(size, view));
  if (!note.has_value()) {
    return absl::NotFoundError("tree_size: no checkpoint was signed at size " +
                               std::to_string(size));
  }
  ORIGO_ASSIGN_OR_RETURN(merkle::Hash root, log_->RootAt(size, view));
  Fill(SignedCheckpoint{size, root, *note}, checkpointer_->origin(), out);
  return absl::OkStatus();
}

grpc::Status TransparencyServiceImpl::GetCheckpoint(grpc::ServerContext* context,
                                                    const origo::v1::GetCheckpointRequest*,
                                                    origo::v1::GetCheckpointResponse* response) {
  auto caller =
      server::AuthorizeCall(*authenticator_, context, kService + std::string("GetCheckpoint"));
  if (!caller.ok()) return ToGrpc(caller.status());
  response->set_log_vkey(checkpointer_->Vkey());
  auto latest = checkpointer_->Latest();
  if (latest.has_value()) Fill(*latest, checkpointer_->origin(), response->mutable_checkpoint());
  return grpc::Status::OK;
}

grpc::Status TransparencyServiceImpl::GetInclusionProof(
    grpc::ServerContext* context, const origo::v1::GetInclusionProofRequest* request,
    origo::v1::GetInclusionProofResponse* response) {
  auto caller =
      server::AuthorizeCall(*authenticator_, context, kService + std::string("GetInclusionProof"));
  if (!caller.ok()) return ToGrpc(caller.status());
  uint64_t index = 0;
  if (request->entry_case() == origo::v1::GetInclusionProofRequest::kEventId) {
    auto raw = crypto::HexDecode(request->event_id());
    if (!raw.ok() || raw->size() != 32) {
      return ToGrpc(absl::InvalidArgumentError("event_id: must be 64 hex characters"));
    }
    auto found = log_->FindEvent(*raw, nullptr);
    if (!found.ok()) return ToGrpc(found.status());
    if (!found->has_value()) {
      return ToGrpc(
          absl::NotFoundError("event_id: no event " + request->event_id() + " in the log"));
    }
    index = **found;
  } else if (request->entry_case() == origo::v1::GetInclusionProofRequest::kIndex) {
    index = request->index();
  } else {
    return ToGrpc(absl::InvalidArgumentError("entry: give event_id or index"));
  }
  if (index >= log_->Head().size) {
    return ToGrpc(absl::NotFoundError("index: no log entry at " + std::to_string(index) +
                                      " (tree size " + std::to_string(log_->Head().size) + ")"));
  }
  uint64_t size = request->tree_size();
  std::optional<SignedCheckpoint> signed_at_size;  // the checkpoint at `size`, when in memory
  if (size == 0) {
    // Wait (bounded) for a checkpoint that covers the entry rather than failing.
    auto covering = checkpointer_->WaitCovering(index, proof_wait_);
    if (!covering.ok()) return ToGrpc(covering.status());
    size = covering->size;
    signed_at_size = *std::move(covering);
  } else if (index >= size) {
    return ToGrpc(absl::InvalidArgumentError("tree_size: must be greater than the index " +
                                             std::to_string(index)));
  } else if (auto latest = checkpointer_->Latest(); latest.has_value() && latest->size == size) {
    signed_at_size = *std::move(latest);
  }
  auto view = log_->store()->Snapshot();
  if (signed_at_size.has_value()) {
    // The checkpointer's copy is the stored one (it is kept only after the synced write), so
    // reading the note and recomputing the root from the store again would give the same.
    Fill(*signed_at_size, checkpointer_->origin(), response->mutable_checkpoint());
  } else {
    absl::Status checkpoint = CheckpointAt(size, view.get(), response->mutable_checkpoint());
    if (!checkpoint.ok()) return ToGrpc(checkpoint);
  }
  auto leaf = log_->GetLeaf(index, view.get());
  if (!leaf.ok()) return ToGrpc(leaf.status());
  auto proof = log_->InclusionProof(index, size, view.get());
  if (!proof.ok()) return ToGrpc(proof.status());
  response->set_index(index);
  response->set_leaf(*std::move(leaf));
  response->mutable_proof()->set_leaf_index(index);
  response->mutable_proof()->set_tree_size(size);
  for (const merkle::Hash& h : *proof) response->mutable_proof()->add_hashes(Bytes(h));
  return grpc::Status::OK;
}

grpc::Status TransparencyServiceImpl::GetConsistencyProof(
    grpc::ServerContext* context, const origo::v1::GetConsistencyProofRequest* request,
    origo::v1::GetConsistencyProofResponse* response) {
  auto caller = server::AuthorizeCall(*authenticator_, context,
                                      kService + std::string("GetConsistencyProof"));
  if (!caller.ok()) return ToGrpc(caller.status());
  auto latest = checkpointer_->Latest();
  uint64_t to = request->to_size();
  if (to == 0) {
    if (!latest.has_value()) {
      return ToGrpc(absl::FailedPreconditionError("no checkpoint has been signed yet"));
    }
    to = latest->size;
  }
  uint64_t from = request->from_size();
  if (from > to) {
    return ToGrpc(absl::InvalidArgumentError("from_size: must be in 0.." + std::to_string(to)));
  }
  auto view = log_->store()->Snapshot();
  absl::Status checkpoint = CheckpointAt(to, view.get(), response->mutable_checkpoint());
  if (!checkpoint.ok()) return ToGrpc(checkpoint);
  response->mutable_proof()->set_from_size(from);
  response->mutable_proof()->set_to_size(to);
  // Every tree extends the empty one, so from_size 0 (like from == to) has an empty proof.
  if (from == 0 || from == to) return grpc::Status::OK;
  auto proof = log_->ConsistencyProof(from, to, view.get());
  if (!proof.ok()) return ToGrpc(proof.status());
  for (const merkle::Hash& h : *proof) response->mutable_proof()->add_hashes(Bytes(h));
  return grpc::Status::OK;
}

grpc::Status TransparencyServiceImpl::GetLeaves(grpc::ServerContext* context,
                                                const origo::v1::GetLeavesRequest* request,
                                                origo::v1::GetLeavesResponse* response) {
  auto caller =
      server::AuthorizeCall(*authenticator_, context, kService + std::string("GetLeaves"));
  if (!caller.ok()) return ToGrpc(caller.status());
  if (request->count() == 0 || request->count() > kMaxLeavesPerCall) {
    return ToGrpc(
        absl::InvalidArgumentError("count: must be in 1.." + std::to_string(kMaxLeavesPerCall)));
  }
  uint64_t size = log_->Head().size;
  if (request->start() >= size) {
    return ToGrpc(absl::OutOfRangeError("start: beyond the tree size " + std::to_string(size)));
  }
  auto leaves = log_->GetLeaves(request->start(), request->count(), nullptr);
  if (!leaves.ok()) return ToGrpc(leaves.status());
  response->set_start(request->start());
  for (std::string& leaf : *leaves) response->add_leaves(std::move(leaf));
  return grpc::Status::OK;
}

}  // namespace origo::transparency
