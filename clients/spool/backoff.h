#ifndef ORIGO_CLIENTS_SPOOL_BACKOFF_H_
#define ORIGO_CLIENTS_SPOOL_BACKOFF_H_

// Exponential backoff with jitter, for retrying a server that is away.
//
//   delay(n) = min(max, initial * multiplier^n)        n = failures so far, from 0
//   wait(n)  = delay(n) * (1 - jitter * u)             u uniform in [0, 1)
//
// so waits grow geometrically to the cap, and clients that lost the same server at the same
// moment do not all come back at the same moment.
//
// Thread-compatible.

#include <chrono>
#include <cstdint>
#include <random>

namespace origo::spool {

struct BackoffPolicy {
  // First delay. Default 250 ms.
  std::chrono::milliseconds initial = std::chrono::milliseconds(250);
  // Cap on the delay. Default 15 s.
  std::chrono::milliseconds max = std::chrono::seconds(15);
  // Growth per failure. Default 2.
  double multiplier = 2.0;
  // Fraction of each delay that is randomised away, in [0, 1]. Default 0.5.
  double jitter = 0.5;
};

class Backoff {
 public:
  Backoff(BackoffPolicy policy, uint64_t seed) : policy_(policy), random_(seed) {}

  // The wait before the next attempt; each call counts one more failure.
  std::chrono::milliseconds Next();
  // After a success: the next failure waits `initial` again.
  void Reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  BackoffPolicy policy_;
  std::mt19937_64 random_;
  int failures_ = 0;
};

}  // namespace origo::spool

#endif  // ORIGO_CLIENTS_SPOOL_BACKOFF_H_
