#ifndef ORIGO_SERVICES_ADMIN_ADMIN_SERVICE_H_
#define ORIGO_SERVICES_ADMIN_ADMIN_SERVICE_H_

#include <string>

#include "origo/v1/admin.grpc.pb.h"
#include "services/server/auth.h"
#include "storage/event_log.h"

namespace origo::admin {

// gRPC adapter for origo.v1.AdminService. Backup needs a regulator token; ListCheckpoints is
// public. Thread-safe.
class AdminServiceImpl final : public origo::v1::AdminService::Service {
 public:
  AdminServiceImpl(storage::EventLog* log, server::Authenticator* authenticator,
                   std::string data_dir)
      : log_(log), authenticator_(authenticator), data_dir_(std::move(data_dir)) {}

  grpc::Status Backup(grpc::ServerContext* context, const origo::v1::BackupRequest* request,
                      origo::v1::BackupResponse* response) override;
  grpc::Status ListCheckpoints(grpc::ServerContext* context,
                               const origo::v1::ListCheckpointsRequest* request,
                               origo::v1::ListCheckpointsResponse* response) override;

 private:
  storage::EventLog* log_;
  server::Authenticator* authenticator_;
  std::string data_dir_;
};

}  // namespace origo::admin

#endif  // ORIGO_SERVICES_ADMIN_ADMIN_SERVICE_H_
