#ifndef ORIGO_SERVICES_SERVER_AUTHZ_H_
#define ORIGO_SERVICES_SERVER_AUTHZ_H_

// The authorization table: one place that says which roles may make each gRPC call and fetch
// each HTTP route. Service adapters ask Authorize(principal, "/origo.v1.X/Y") before they do
// anything else (services/server/grpc_auth.h wraps it with authentication and rate limiting);
// the HTTP gateway asks AuthorizeHttp for every request before routing it.
//
// Error semantics (as Require in auth.h):
//   - the public role on a call that needs a token: UNAUTHENTICATED naming the roles allowed;
//   - a token of a role not in the entry: PERMISSION_DENIED naming the roles allowed and the
//     token's id and role;
//   - a producer token bound to enterprise A on a call whose request names enterprise B in the
//     entry's `usci_field`: PERMISSION_DENIED naming both;
//   - a method or route with no entry: PERMISSION_DENIED (gRPC) / NOT_FOUND (HTTP). The table
//     fails closed; tests/services/authz_test.cc walks every service in the descriptor pool so
//     a new RPC without an entry fails the build's tests.
// Business rules finer than a role (a producer may apply for repair only of its own listing; the
// explanation of a rating only for inspectors, regulators and the enterprise itself) stay with
// the domain services, which see the Principal.
//
// This file has no gRPC dependency.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "services/server/auth.h"

namespace google::protobuf {
class Message;
}

namespace origo::server {

// A set of roles, one bit per Role.
class RoleSet {
 public:
  constexpr RoleSet(std::initializer_list<Role> roles) {
    for (Role role : roles) bits_ |= Bit(role);
  }
  constexpr bool Contains(Role role) const { return (bits_ & Bit(role)) != 0; }
  // "producer", "inspector or regulator", ...: the roles in enum order (public first).
  std::string Describe() const;

 private:
  static constexpr uint32_t Bit(Role role) { return 1u << static_cast<uint32_t>(role); }
  uint32_t bits_ = 0;
};

// Who may make one gRPC call.
struct RpcRule {
  // Full method name as gRPC spells it: "/origo.v1.CaptureService/Capture".
  std::string_view method;
  // Roles allowed. Containing Role::kPublic means anyone, with or without a token.
  RoleSet roles;
  // For calls that name an enterprise in a top-level string field of the request (e.g. "usci"):
  // a producer may name only the enterprise its token is bound to. Empty when the request names
  // none at the top level.
  std::string_view usci_field;
  // Where else a producer's binding is enforced (documentation; e.g. the signed manifest's
  // enterprise, checked by the domain service after verifying the signature).
  std::string_view binding_note;
};

// Who may fetch one HTTP route.
struct HttpRule {
  // An exact path ("/healthz") or, ending in '/', a prefix ("/api/v1/").
  std::string_view path;
  RoleSet roles;
  // When true, requests from a loopback peer are allowed whatever their role (the node's own
  // Prometheus scraper); others need one of `roles`.
  bool loopback_public = false;
};

// Every gRPC method the server exposes, including grpc.health.v1 and server reflection.
const std::vector<RpcRule>& RpcTable();
// Every HTTP route the gateway serves.
const std::vector<HttpRule>& HttpTable();

// The entry for `method`, or nullptr.
const RpcRule* FindRpcRule(std::string_view method);
// The entry matching `path` (an exact entry first, then the longest prefix), or nullptr.
const HttpRule* FindHttpRule(std::string_view path);

// OK when `principal` may call `method` (see the file comment for the errors). When `request`
// is given and the entry has a usci_field, a producer's binding is checked against it.
absl::Status Authorize(const Principal& principal, std::string_view method,
                       const google::protobuf::Message* request = nullptr);

// OK when `principal`, calling from a loopback address or not, may fetch `path`. NOT_FOUND for a
// path outside the table; otherwise the gRPC rules' codes (mapped to 401/403 by the gateway).
absl::Status AuthorizeHttp(const Principal& principal, std::string_view path, bool loopback);

}  // namespace origo::server

#endif  // ORIGO_SERVICES_SERVER_AUTHZ_H_
