#ifndef ORIGO_BENCH_LOADGEN_ENROLL_H_
#define ORIGO_BENCH_LOADGEN_ENROLL_H_

// Enrols the generator's enterprises in a running origod, as a regulator would before their
// packing lines capture: each enterprise, its signing key, its halal certificate (halal
// enterprises; valid for Generator::SeasonYear()) and a producer token. Shared by the load
// generator and the test that captures its chains (tests/bench/workload_test.cc).

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/loadgen/chains.h"
#include "core/crypto/keys.h"

namespace origo::bench {

// `keys[i]` is enterprise i's key (MakeKeys). Runs on `threads` threads; the registry writes are
// synced one by one. An enterprise, key or certificate that is already registered is kept (a
// rerun on the same store). Returns the producer tokens by enterprise index, or the first error,
// naming the enterprise and the step.
absl::StatusOr<std::vector<std::string>> Enroll(const std::shared_ptr<grpc::Channel>& channel,
                                                const std::string& regulator_token,
                                                const Generator& generator,
                                                const std::vector<crypto::PrivateKey>& keys,
                                                int threads);

}  // namespace origo::bench

#endif  // ORIGO_BENCH_LOADGEN_ENROLL_H_
