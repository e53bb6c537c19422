#ifndef ORIGO_SERVICES_SERVER_GRPC_STATUS_H_
#define ORIGO_SERVICES_SERVER_GRPC_STATUS_H_

// The Status -> grpc::Status seam of the service adapters. absl::StatusCode and grpc::StatusCode
// share their numbering (both are the canonical gRPC codes), so the code is kept as is and the
// message is passed through.

#include <grpcpp/support/status.h>

#include <string>

#include "absl/status/status.h"

namespace origo::server {

// Converts a domain status to the status a gRPC handler returns, keeping its code and message.
inline grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace origo::server

#endif  // ORIGO_SERVICES_SERVER_GRPC_STATUS_H_
