#ifndef ORIGO_SERVICES_SERVER_AUTH_H_
#define ORIGO_SERVICES_SERVER_AUTH_H_

// Bearer tokens and roles.
//
// A token is "origo_" followed by the unpadded base64url encoding of 32 random bytes (43
// characters) from OpenSSL's CSPRNG. The server stores only SHA-256 of the whole token string, in
// the tokens family, with the token's role, bound enterprise (producers), label, expiry and
// revocation flag. A token is shown once, when created.
//
// Calls carry `authorization: Bearer <token>`. A call without one is the public role. What each
// role may do is decided by the authorization table (services/server/authz.h). The error codes are
// the same for every service:
//   - a token that is malformed, unknown, revoked or expired: UNAUTHENTICATED, even on calls the
//     public may make (a client that sends a bad token is told so, not silently downgraded);
//   - no token on a call that needs a role: UNAUTHENTICATED ("needs a <role> token; none sent");
//   - a valid token of the wrong role: PERMISSION_DENIED naming both roles.
// Error messages name the token by its token_id at most, never by the token itself.
//
// This file has no gRPC dependency; services/server/grpc_auth.h reads the header from a call.

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/registry_store.h"

namespace origo::server {

class RateLimiter;

enum class Role { kPublic, kProducer, kInspector, kRegulator };

// "public", "producer", "inspector", "regulator".
std::string_view RoleName(Role role);

// Who is calling.
struct Principal {
  Role role = Role::kPublic;
  // The enterprise a producer token is bound to; empty for other roles.
  std::string usci;
  // The public id of the token used; empty for the public role.
  std::string token_id;
};

// A freshly created token. `token` is the secret, shown once; `token_id` is its public id.
struct IssuedToken {
  std::string token;
  std::string token_id;
};

// The file under the data directory that holds the bootstrap regulator token.
inline constexpr char kBootstrapTokenFile[] = "bootstrap-token";

// Role checks finer than a call, for domain services (service adapters use the authorization
// table, services/server/authz.h, through AuthorizeCall in grpc_auth.h).
// OK when the principal has `role`, or `role` is kPublic. Otherwise UNAUTHENTICATED for the
// public role (no token was sent) and PERMISSION_DENIED for a token of another role.
absl::Status Require(const Principal& principal, Role role);
// As Require, for calls several roles may make: OK when the principal has any of `roles`.
absl::Status RequireOneOf(const Principal& principal, std::initializer_list<Role> roles);

// Issues and checks bearer tokens over the registry's tokens family.
//
// Thread-safe: every method may be called concurrently. `registry` must outlive this object.
class Authenticator {
 public:
  using Clock = std::function<absl::Time()>;

  // `clock` defaults to absl::Now.
  explicit Authenticator(storage::RegistryStore* registry, Clock clock = nullptr);
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // Creates and stores a token for `role`, valid until `expires` (absl::InfiniteFuture() for
  // never). Producer tokens are bound to `usci`, which must be a registered enterprise; other roles
  // take no USCI. Errors: INVALID_ARGUMENT for role kPublic, a producer token without a USCI, a
  // USCI on another role, or an expiry in the past; NOT_FOUND when the producer's enterprise is not
  // registered; INTERNAL if the CSPRNG fails; storage errors.
  absl::StatusOr<IssuedToken> CreateToken(Role role, std::string_view usci, std::string_view label,
                                          absl::Time expires = absl::InfiniteFuture());

  // The caller named by an `authorization` header value. Empty (no header) is the public role.
  // "Bearer <token>" (scheme case-insensitive) with a known, unrevoked, unexpired token is that
  // token's principal. Anything else is UNAUTHENTICATED with a message that says which rule failed
  // (malformed header, not an Origo token, unknown, revoked, expired) and never the token. Storage
  // errors pass through (UNAVAILABLE, DATA_LOSS).
  absl::StatusOr<Principal> Authenticate(std::string_view authorization) const;

  // Marks the token revoked; later Authenticate calls with it fail. Idempotent. UNAUTHENTICATED
  // if `token` is not a known token.
  absl::Status RevokeToken(std::string_view token);

  // First start: when the store holds no token yet, creates a regulator token (label "bootstrap"),
  // writes it with a newline to `data_dir`/bootstrap-token (created with O_CREAT|O_EXCL, mode
  // 0600, fsynced), then stores its hash, and returns it so the server can print it once. When
  // any token exists, does nothing and returns nullopt: the file is never rewritten.
  // FAILED_PRECONDITION when the file exists but the store holds no token (a bootstrap interrupted
  // between writing the file and the store, or a store replaced under an old file): remove the
  // file to mint a new token. UNAVAILABLE on other file errors.
  absl::StatusOr<std::optional<std::string>> EnsureBootstrapToken(const std::string& data_dir);

  // SHA-256 of a token string, the key its record is stored under.
  static crypto::Sha256Digest HashToken(std::string_view token);

  // Every stored token's record (never the token or its hash), ordered by hash, i.e. randomly.
  absl::StatusOr<std::vector<origo::store::v1::TokenRecord>> ListTokens() const;
  // Marks the token with public id `token_id` revoked; calls with it fail from the next call on.
  // Returns its record. NOT_FOUND when no token has that id; INVALID_ARGUMENT for a malformed id.
  // Idempotent.
  absl::StatusOr<origo::store::v1::TokenRecord> RevokeTokenById(std::string_view token_id);

  // The budgets calls are charged against (services/server/grpc_auth.h); nullptr = unlimited.
  // Set once, before serving; not owned.
  void SetRateLimiter(RateLimiter* limiter) { rate_limiter_ = limiter; }
  RateLimiter* rate_limiter() const { return rate_limiter_; }

 private:
  // A new random token and its id, not yet stored.
  static absl::StatusOr<IssuedToken> MintToken();
  absl::StatusOr<IssuedToken> StoreToken(IssuedToken issued, Role role, std::string_view usci,
                                         std::string_view label, absl::Time expires);

  storage::RegistryStore* const registry_;
  const Clock clock_;
  // Serializes EnsureBootstrapToken (check-then-create) and RevokeTokenById (read-modify-write).
  absl::Mutex bootstrap_mu_;
  RateLimiter* rate_limiter_ = nullptr;
};

}  // namespace origo::server

#endif  // ORIGO_SERVICES_SERVER_AUTH_H_
