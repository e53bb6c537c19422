#include "clients/spool/backoff.h"

#include <algorithm>
#include <cmath>

namespace origo::spool {

std::chrono::milliseconds Backoff::Next() {
  double delay = static_cast<double>(policy_.initial.count()) *
                 std::pow(policy_.multiplier, static_cast<double>(failures_));
  delay = std::min(delay, static_cast<double>(policy_.max.count()));
  ++failures_;
  double jitter = std::clamp(policy_.jitter, 0.0, 1.0);
  double u = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
  return std::chrono::milliseconds(static_cast<int64_t>(delay * (1.0 - jitter * u)));
}

}  // namespace origo::spool
