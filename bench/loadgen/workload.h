#ifndef ORIGO_BENCH_LOADGEN_WORKLOAD_H_
#define ORIGO_BENCH_LOADGEN_WORKLOAD_H_

// What the Origo load generator and the PostgreSQL peer share: cutting a range of chains into
// per-enterprise signed batches (exactly as a packing line signs them: core/batch SignBatch with
// the enterprise's key), a tiny flag parser, percentiles and JSON output helpers.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/loadgen/chains.h"
#include "core/crypto/keys.h"
#include "origo/v1/log.pb.h"

namespace origo::bench {

// One enterprise's share of a phase: its batches in capture order (one stream / connection).
struct Unit {
  size_t enterprise = 0;
  std::vector<origo::v1::SignedBatch> batches;
  uint64_t events = 0;
};

// The first chain index after `first` such that chains [first, end) hold at least `events`.
uint64_t ChainsFor(const Generator& generator, uint64_t first, uint64_t events);

// Chains [first, last) grouped by enterprise, cut into batches of `batch_size` events (a batch
// never mixes enterprises; a unit's last batch may be short) and signed with keys[enterprise].
// `signed_unix_ms` is the manifests' signing time.
std::vector<Unit> BuildUnits(const Generator& generator, uint64_t first, uint64_t last,
                             size_t batch_size, const std::vector<crypto::PrivateKey>& keys,
                             int64_t signed_unix_ms);

// One key per enterprise, of the enterprise's algorithm (Ed25519, or P-256 when spec.p256).
std::vector<crypto::PrivateKey> MakeKeys(const Generator& generator);

int64_t UnixMs();

// CPU seconds (user + system) process `pid` has used so far, from /proc/<pid>/stat; 0 when it
// cannot be read. Lets the benchmarks report CPU per event, which the machine's load does not
// change the way it changes events per second.
double ProcessCpuSeconds(int pid);

// Sorts `v` and returns the p-quantile (0 for an empty vector).
double Percentile(std::vector<double>& v, double p);

// --name value flags; every flag must be known (listed in `defaults`), else exits with usage.
class Flags {
 public:
  Flags(int argc, char** argv, std::map<std::string, std::string> defaults);
  std::string Str(const std::string& name) const { return values_.at(name); }
  uint64_t U64(const std::string& name) const { return std::stoull(values_.at(name)); }
  double Double(const std::string& name) const { return std::stod(values_.at(name)); }

 private:
  std::map<std::string, std::string> values_;
};

// Accumulates one flat JSON object: Add("capture.b16.events_per_s", 1234.5).
class JsonOut {
 public:
  void Add(const std::string& key, double value);
  void Add(const std::string& key, const std::string& value);
  std::string Text() const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

}  // namespace origo::bench

#endif  // ORIGO_BENCH_LOADGEN_WORKLOAD_H_
