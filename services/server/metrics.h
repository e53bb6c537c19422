#ifndef ORIGO_SERVICES_SERVER_METRICS_H_
#define ORIGO_SERVICES_SERVER_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace origo::server {

// Request counters and latency histograms per method, rendered in the Prometheus text
// exposition format. Thread-safe.
class Metrics {
 public:
  // Latency bucket upper bounds in seconds.
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

  // Records one finished request. `kind` is "grpc" or "http"; `method` the full gRPC method or
  // HTTP route; `code` the gRPC code name or HTTP status.
  void Record(std::string_view kind, std::string_view method, std::string_view code,
              double seconds);

  // Appends every series to `out` in Prometheus text format.
  void Render(std::string* out) const;

 private:
  struct Series {
    std::map<std::string, uint64_t> by_code;
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable absl::Mutex mu_;
  // key: kind + '\0' + method
  std::map<std::string, Series> series_ ABSL_GUARDED_BY(mu_);
};

// Escapes a Prometheus label value.
std::string PrometheusLabel(std::string_view value);

}  // namespace origo::server

#endif  // ORIGO_SERVICES_SERVER_METRICS_H_
