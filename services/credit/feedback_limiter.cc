#include "services/credit/feedback_limiter.h"

#include <algorithm>
#include <cmath>

namespace origo::credit {
namespace {

constexpr double kMsPerHour = 3600.0 * 1000.0;

}  // namespace

FeedbackLimiter::Bucket* FeedbackLimiter::Refill(Buckets& buckets, std::string_view key,
                                                 uint32_t per_hour, int64_t now) {
  const double capacity = per_hour;
  auto refill = [&](Bucket& b) {
    const double elapsed = static_cast<double>(std::max<int64_t>(0, now - b.updated_unix_ms));
    b.tokens = std::min(capacity, b.tokens + elapsed * capacity / kMsPerHour);
    b.updated_unix_ms = std::max(b.updated_unix_ms, now);
  };
  const std::string owned(key);  // Debian's Abseil hashes absl::string_view, not std's
  auto it = buckets.find(owned);
  if (it != buckets.end()) {
    refill(it->second);
    return &it->second;
  }
  if (buckets.size() >= limits_.max_keys) {
    for (auto i = buckets.begin(); i != buckets.end();) {
      refill(i->second);
      if (i->second.tokens >= capacity) {
        buckets.erase(i++);
      } else {
        ++i;
      }
    }
    if (buckets.size() >= limits_.max_keys) return nullptr;
  }
  return &(buckets[owned] = Bucket{capacity, now});
}

absl::Status FeedbackLimiter::Allow(std::string_view address, std::string_view lot,
                                    int64_t now_unix_ms) {
  absl::MutexLock lock(&mu_);
  Bucket* by_address = Refill(addresses_, address, limits_.per_address_per_hour, now_unix_ms);
  Bucket* by_lot = Refill(lots_, lot, limits_.per_lot_per_hour, now_unix_ms);
  auto refuse = [](const std::string& what, uint32_t per_hour, const Bucket* bucket) {
    std::string wait;
    if (bucket != nullptr && per_hour > 0) {
      const double ms = (1 - bucket->tokens) * kMsPerHour / per_hour;
      wait = "; try again in " + std::to_string(static_cast<int64_t>(std::ceil(ms / 1000))) + " s";
    }
    return absl::ResourceExhaustedError("feedback: at most " + std::to_string(per_hour) +
                                        " submissions per hour " + what + wait);
  };
  if (by_address == nullptr || by_address->tokens < 1) {
    return refuse("from one address", limits_.per_address_per_hour, by_address);
  }
  if (by_lot == nullptr || by_lot->tokens < 1) {
    return refuse("for one lot", limits_.per_lot_per_hour, by_lot);
  }
  by_address->tokens -= 1;
  by_lot->tokens -= 1;
  return absl::OkStatus();
}

}  // namespace origo::credit
