#include "services/server/rate_limit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <utility>

#include "absl/strings/cord.h"

namespace origo::server {
namespace {

// Carries the retry hint from Charge to the transport inside the status.
constexpr char kRetryPayload[] = "origo.dev/retry-after-ms";

std::string FormatRate(double value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", value);
  return buf;
}

}  // namespace

RateLimiter::RateLimiter(const origo::v1::LimitsConfig& limits, Clock clock, size_t max_keys)
    : limits_(limits),
      clock_(clock ? std::move(clock) : Clock([] { return absl::Now(); })),
      max_keys_(max_keys) {}

Budget RateLimiter::BudgetFor(Role role) const {
  switch (role) {
    case Role::kPublic:
      return {limits_.ip_calls_per_second(), limits_.ip_burst()};
    case Role::kRegulator:
      return {limits_.regulator_calls_per_second(), limits_.regulator_burst()};
    case Role::kProducer:
    case Role::kInspector:
      break;
  }
  return {limits_.token_calls_per_second(), limits_.token_burst()};
}

absl::Status RateLimiter::Charge(const Principal& principal, std::string_view address) {
  if (limits_.disable_rate_limits()) return absl::OkStatus();
  if (principal.role == Role::kPublic) {
    return Take("a:" + std::string(address), "client address " + std::string(address),
                BudgetFor(Role::kPublic));
  }
  return Take("t:" + principal.token_id, "token " + principal.token_id, BudgetFor(principal.role));
}

void RateLimiter::DropRefilled(absl::Time now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const Bucket& b = it->second;
    const double refilled = b.tokens + absl::ToDoubleSeconds(now - b.updated) * b.budget.per_second;
    if (refilled >= b.budget.burst) {
      buckets_.erase(it++);
    } else {
      ++it;
    }
  }
}

absl::Status RateLimiter::Take(const std::string& key, std::string_view who, Budget budget) {
  const absl::Time now = clock_();
  double wait_seconds = 0;
  {
    absl::MutexLock lock(&mu_);
    auto it = buckets_.find(key);
    if (it == buckets_.end()) {
      // Sweeping is O(keys): at most once a second, so a flood of new addresses cannot turn
      // every refused call into a full scan under the lock.
      if (buckets_.size() >= max_keys_ && now - last_sweep_ >= absl::Seconds(1)) {
        last_sweep_ = now;
        DropRefilled(now);
      }
      if (buckets_.size() >= max_keys_) {
        wait_seconds = 1.0 / std::max(budget.per_second, 1e-3);
      } else {
        it = buckets_.emplace(key, Bucket{budget.burst, now, budget}).first;
      }
    }
    if (it != buckets_.end()) {
      Bucket& b = it->second;
      if (now > b.updated) {
        b.tokens = std::min(b.budget.burst, b.tokens + absl::ToDoubleSeconds(now - b.updated) *
                                                           b.budget.per_second);
        b.updated = now;
      }
      if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return absl::OkStatus();
      }
      wait_seconds = (1.0 - b.tokens) / std::max(b.budget.per_second, 1e-3);
    }
  }
  const int64_t wait_ms = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait_seconds * 1e3)));
  absl::Status status = absl::ResourceExhaustedError(
      "rate limit: " + std::string(who) + " has used its budget of " +
      FormatRate(budget.per_second) + " calls per second (burst " + FormatRate(budget.burst) +
      "); retry after " + std::to_string(wait_ms) + " ms");
  status.SetPayload(kRetryPayload, absl::Cord(std::to_string(wait_ms)));
  return status;
}

absl::Duration RateLimiter::RetryAfter(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kResourceExhausted) return absl::ZeroDuration();
  auto payload = status.GetPayload(kRetryPayload);
  if (!payload.has_value()) return absl::ZeroDuration();
  int64_t ms = 0;
  for (char c : std::string(*payload)) {
    if (c < '0' || c > '9') return absl::ZeroDuration();
    ms = ms * 10 + (c - '0');
  }
  return absl::Milliseconds(ms);
}

std::string PeerAddress(std::string_view peer) {
  if (peer.substr(0, 5) == "ipv4:") {
    peer.remove_prefix(5);
    return std::string(peer.substr(0, peer.rfind(':')));
  }
  if (peer.substr(0, 5) == "ipv6:") {
    peer.remove_prefix(5);
    if (!peer.empty() && peer.front() == '[') {
      const size_t close = peer.find(']');
      if (close != std::string_view::npos) return std::string(peer.substr(1, close - 1));
    }
    return std::string(peer);
  }
  return std::string(peer);
}

bool IsLoopback(std::string_view address) {
  if (address == "::1" || address == "localhost") return true;
  if (address.substr(0, 7) == "::ffff:") address.remove_prefix(7);
  return address.substr(0, 4) == "127.";
}

}  // namespace origo::server
