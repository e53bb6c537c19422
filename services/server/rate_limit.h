#ifndef ORIGO_SERVICES_SERVER_RATE_LIMIT_H_
#define ORIGO_SERVICES_SERVER_RATE_LIMIT_H_

// Per-caller call budgets: one token bucket per bearer token and per client address.
//
// A bucket holds up to `burst` calls and refills at `per_second`; each call takes one. A call
// that finds its bucket empty is refused with RESOURCE_EXHAUSTED whose message says when one call
// will be available again; RetryAfter() gives the same as a duration for the transport (gRPC
// trailing metadata `retry-after-ms`, HTTP `Retry-After`).
//
// Memory is bounded: at most `max_keys` buckets. When full, buckets that have refilled to their
// burst (indistinguishable from new ones) are dropped (at most one sweep a second); if none has,
// a new key is refused until one refills, so a flood of fresh addresses cannot grow the table
// without bound. (IPv6 clients are keyed by full address; a per-/64 key would be stricter.)
//
// Thread-safe.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "origo/v1/config.pb.h"
#include "services/server/auth.h"

namespace origo::server {

struct Budget {
  double per_second = 0;
  double burst = 0;
};

class RateLimiter {
 public:
  using Clock = std::function<absl::Time()>;
  static constexpr size_t kDefaultMaxKeys = 100000;

  // `limits` must have defaults applied. `clock` defaults to absl::Now.
  explicit RateLimiter(const origo::v1::LimitsConfig& limits, Clock clock = nullptr,
                       size_t max_keys = kDefaultMaxKeys);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Spends one call of the budget of `principal` (its token) or, for the public role, of
  // `address` (the client's IP, without port). OK, or RESOURCE_EXHAUSTED naming who is limited,
  // the budget and when to retry.
  absl::Status Charge(const Principal& principal, std::string_view address);

  // The retry hint carried by a RESOURCE_EXHAUSTED status from Charge (zero for other statuses).
  static absl::Duration RetryAfter(const absl::Status& status);

  // The budget of a caller of `role` (kPublic: per address).
  Budget BudgetFor(Role role) const;

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
    Budget budget;
  };
  absl::Status Take(const std::string& key, std::string_view who, Budget budget)
      ABSL_LOCKS_EXCLUDED(mu_);
  void DropRefilled(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const origo::v1::LimitsConfig limits_;
  const Clock clock_;
  const size_t max_keys_;
  absl::Mutex mu_;
  // "t:<token id>" or "a:<address>" -> bucket.
  std::unordered_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sweep_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

// The client address of a gRPC peer string ("ipv4:127.0.0.1:5000" -> "127.0.0.1",
// "ipv6:[::1]:5000" -> "::1"); the whole string when it has another form.
std::string PeerAddress(std::string_view peer);

// Whether `address` (as PeerAddress returns it, or an HTTP remote address) is a loopback one.
bool IsLoopback(std::string_view address);

}  // namespace origo::server

#endif  // ORIGO_SERVICES_SERVER_RATE_LIMIT_H_
