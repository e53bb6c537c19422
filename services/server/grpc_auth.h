#ifndef ORIGO_SERVICES_SERVER_GRPC_AUTH_H_
#define ORIGO_SERVICES_SERVER_GRPC_AUTH_H_

// Reads the caller of a gRPC call: the `authorization` metadata, checked by an Authenticator.
// Kept apart from auth.h so that the token logic itself has no gRPC dependency.

#include <grpcpp/server_context.h>

#include <string>

#include "absl/status/statusor.h"
#include "services/server/auth.h"

namespace origo::server {

// The value of the call's `authorization` metadata; "" when absent. UNAUTHENTICATED when the
// client sent more than one.
inline absl::StatusOr<std::string> AuthorizationMetadata(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto range = metadata.equal_range(grpc::string_ref("authorization"));
  std::string value;
  int count = 0;
  for (auto it = range.first; it != range.second; ++it) {
    if (++count > 1) {
      return absl::UnauthenticatedError("more than one authorization header was sent");
    }
    value.assign(it->second.data(), it->second.size());
  }
  return value;
}

// The principal making `context`'s call (see Authenticator::Authenticate for the errors).
inline absl::StatusOr<Principal> AuthenticateCall(const Authenticator& authenticator,
                                                  const grpc::ServerContext& context) {
  absl::StatusOr<std::string> header = AuthorizationMetadata(context);
  if (!header.ok()) return header.status();
  return authenticator.Authenticate(*header);
}

}  // namespace origo::server

#endif  // ORIGO_SERVICES_SERVER_GRPC_AUTH_H_
