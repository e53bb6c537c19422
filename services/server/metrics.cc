#include "services/server/metrics.h"

#include <cstdio>

namespace origo::server {

void Metrics::Record(std::string_view kind, std::string_view method, std::string_view code,
                     double seconds) {
  std::string key(kind);
  key.push_back('\0');
  key.append(method);
  absl::MutexLock lock(&mu_);
  Series& s = series_[key];
  ++s.by_code[std::string(code)];
  ++s.count;
  s.sum += seconds;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++s.buckets[i];
  }
}

std::string PrometheusLabel(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void Metrics::Render(std::string* out) const {
  absl::MutexLock lock(&mu_);
  *out += "# HELP origo_requests_total Requests served, by protocol, method and result code.\n";
  *out += "# TYPE origo_requests_total counter\n";
  for (const auto& [key, s] : series_) {
    size_t split = key.find('\0');
    std::string labels = "kind=\"" + key.substr(0, split) + "\",method=\"" +
                         PrometheusLabel(key.substr(split + 1)) + "\"";
    for (const auto& [code, n] : s.by_code) {
      *out += "origo_requests_total{" + labels + ",code=\"" + PrometheusLabel(code) + "\"} " +
              std::to_string(n) + "\n";
    }
  }
  *out += "# HELP origo_request_duration_seconds Request latency, by protocol and method.\n";
  *out += "# TYPE origo_request_duration_seconds histogram\n";
  char number[64];
  for (const auto& [key, s] : series_) {
    size_t split = key.find('\0');
    std::string labels = "kind=\"" + key.substr(0, split) + "\",method=\"" +
                         PrometheusLabel(key.substr(split + 1)) + "\"";
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      std::snprintf(number, sizeof(number), "%g", kBuckets[i]);
      *out += "origo_request_duration_seconds_bucket{" + labels + ",le=\"" + number + "\"} " +
              std::to_string(s.buckets[i]) + "\n";
    }
    *out += "origo_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
            std::to_string(s.count) + "\n";
    std::snprintf(number, sizeof(number), "%.9g", s.sum);
    *out += "origo_request_duration_seconds_sum{" + labels + "} " + number + "\n";
    *out +=
        "origo_request_duration_seconds_count{" + labels + "} " + std::to_string(s.count) + "\n";
  }
}

}  // namespace origo::server
