#ifndef ORIGO_SERVICES_CREDIT_FEEDBACK_LIMITER_H_
#define ORIGO_SERVICES_CREDIT_FEEDBACK_LIMITER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace origo::credit {

struct FeedbackLimits {
  // Submissions allowed per client address per hour (burst up to the same number). Default 10.
  uint32_t per_address_per_hour = 10;
  // Submissions allowed per lot per hour, from all addresses together. Default 60.
  uint32_t per_lot_per_hour = 60;
  // Most keys remembered per kind; beyond it, keys whose bucket has refilled are forgotten, and
  // if that is not enough, new keys are refused. Default 100,000.
  size_t max_keys = 100000;
};

// Rate limits public feedback in memory: one token bucket per client address and one per lot,
// each refilling continuously at its hourly rate. A submission takes a token from both or is
// refused without taking any. State is lost on restart (acceptable for a spam brake).
//
// Thread-safe.
class FeedbackLimiter {
 public:
  explicit FeedbackLimiter(FeedbackLimits limits) : limits_(limits) {}

  // Takes a token for `address` and for `lot` at `now_unix_ms`. RESOURCE_EXHAUSTED naming the
  // limit and when to try again when either bucket is empty.
  absl::Status Allow(std::string_view address, std::string_view lot, int64_t now_unix_ms)
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t updated_unix_ms = 0;
  };
  using Buckets = absl::flat_hash_map<std::string, Bucket>;

  // The bucket for `key`, refilled to `now`; nullptr when the table is full.
  Bucket* Refill(Buckets& buckets, std::string_view key, uint32_t per_hour, int64_t now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const FeedbackLimits limits_;
  absl::Mutex mu_;
  Buckets addresses_ ABSL_GUARDED_BY(mu_);
  Buckets lots_ ABSL_GUARDED_BY(mu_);
};

}  // namespace origo::credit

#endif  // ORIGO_SERVICES_CREDIT_FEEDBACK_LIMITER_H_
