#include "services/admin/admin_service.h"

#include "origo/store/v1/log.pb.h"
#include "services/admin/backup.h"
#include "services/server/grpc_auth.h"
#include "services/server/grpc_status.h"
#include "storage/key_encoding.h"

namespace origo::admin {

using server::ToGrpc;

constexpr char kListCheckpoints[] = "/origo.v1.AdminService/ListCheckpoints";

grpc::Status AdminServiceImpl::Backup(grpc::ServerContext* context,
                                      const origo::v1::BackupRequest* request,
                                      origo::v1::BackupResponse* response) {
  auto principal = server::AuthorizeCall(*authenticator_, context, "/origo.v1.AdminService/Backup");
  if (!principal.ok()) return ToGrpc(principal.status());
  auto info = BackupStore(log_->store(), data_dir_, request->to_dir());
  if (!info.ok()) return ToGrpc(info.status());
  response->set_dir(info->dir);
  response->set_tree_size(info->tree_size);
  response->set_root_hash(
      std::string(reinterpret_cast<const char*>(info->root.data()), info->root.size()));
  response->set_bytes(info->bytes);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::ListCheckpoints(grpc::ServerContext* context,
                                               const origo::v1::ListCheckpointsRequest* request,
                                               origo::v1::ListCheckpointsResponse* response) {
  auto caller = server::AuthorizeCall(*authenticator_, context, kListCheckpoints);
  if (!caller.ok()) return ToGrpc(caller.status());
  uint32_t limit = request->limit() == 0 ? 1000 : std::min<uint32_t>(request->limit(), 1000);
  auto view = log_->store()->Snapshot();
  auto it = view->NewIterator(storage::ColumnFamily::kCheckpoints);
  for (it->Seek(storage::U64Key(request->from_size()));
       it->Valid() && static_cast<uint32_t>(response->sizes_size()) < limit; it->Next()) {
    origo::store::v1::StoredCheckpoint stored;
    absl::Status decoded = storage::DecodeValue(it->value().ToStringView(), &stored, "checkpoint");
    if (!decoded.ok()) return ToGrpc(decoded);
    response->add_sizes(stored.size());
    response->add_notes(stored.note());
  }
  return ToGrpc(storage::FromRocks(it->status(), "scan checkpoints"));
}

}  // namespace origo::admin
