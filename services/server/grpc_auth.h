#ifndef ORIGO_SERVICES_SERVER_GRPC_AUTH_H_
#define ORIGO_SERVICES_SERVER_GRPC_AUTH_H_

// Reads the caller of a gRPC call: the `authorization` metadata, checked by an Authenticator.
// Kept apart from auth.h so that the token logic itself has no gRPC dependency.

#include <grpcpp/server_context.h>

#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/server/auth.h"
#include "services/server/authz.h"
#include "services/server/rate_limit.h"

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

// What every service adapter asks first: who is calling `method` (its full gRPC name,
// "/origo.v1.CaptureService/Capture"), may they, and is it within their budget?
//   1. The bearer token is checked (Authenticator::Authenticate; UNAUTHENTICATED for a bad one).
//   2. One call is charged to the token's budget, or for the public role and for a bad token to
//      the client address's (RateLimiter). Over budget: RESOURCE_EXHAUSTED, with trailing
//      metadata `retry-after-ms` and the same hint in the message.
//   3. The authorization table decides (Authorize in authz.h; `request` for producer binding).
// Returns the principal for the domain call.
inline absl::StatusOr<Principal> AuthorizeCall(const Authenticator& authenticator,
                                               grpc::ServerContext* context,
                                               std::string_view method,
                                               const google::protobuf::Message* request = nullptr) {
  RateLimiter* limiter = authenticator.rate_limiter();
  auto refuse = [context](absl::Status status) {
    const absl::Duration retry = RateLimiter::RetryAfter(status);
    if (retry > absl::ZeroDuration()) {
      context->AddTrailingMetadata("retry-after-ms",
                                   std::to_string(absl::ToInt64Milliseconds(retry)));
    }
    return status;
  };
  absl::StatusOr<Principal> principal = AuthenticateCall(authenticator, *context);
  if (!principal.ok()) {
    // Bad tokens spend the address's budget, so guessing tokens is as slow as any public call.
    if (limiter != nullptr && absl::IsUnauthenticated(principal.status())) {
      absl::Status charged = limiter->Charge(Principal{}, PeerAddress(context->peer()));
      if (!charged.ok()) return refuse(std::move(charged));
    }
    return principal.status();
  }
  if (limiter != nullptr) {
    absl::Status charged = limiter->Charge(*principal, PeerAddress(context->peer()));
    if (!charged.ok()) return refuse(std::move(charged));
  }
  absl::Status allowed = Authorize(*principal, method, request);
  if (!allowed.ok()) return allowed;
  return principal;
}

}  // namespace origo::server

#endif  // ORIGO_SERVICES_SERVER_GRPC_AUTH_H_
