// origo_limits: what this machine allows, measured the way capture uses it.
//
//   signature verification  crypto::PublicKey::Verify over the DSSE pre-authentication encoding
//                           of a real batch manifest, Ed25519 and P-256, on 1 thread and on every
//                           core (verification runs on gRPC handler threads in parallel)
//   synced WriteBatch       raw RocksDB (same library and defaults as storage::Store, no column
//                           families, no indexes): one writer, WriteOptions::sync, batches of 1,
//                           16 and 256 values of the mean log-leaf size of the generated workload
//
//   origo_limits --dir /tmp/x --seconds 2 --out limits.json

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "bench/loadgen/chains.h"
#include "bench/loadgen/workload.h"
#include "core/batch/batch.h"
#include "core/crypto/dsse.h"

namespace origo::bench {
namespace {

using Clock = std::chrono::steady_clock;

double VerifyRate(crypto::Algorithm algorithm, int threads, double seconds) {
  auto key = crypto::PrivateKey::Generate(algorithm).value();
  std::vector<std::string> events = {"{}", "{\"a\":1}"};
  auto signed_batch = batch::SignBatch(events, "91640100MA0000007X", key, UnixMs()).value();
  const std::string pae =
      crypto::PreAuthEncoding(batch::kManifestPayloadType, signed_batch.manifest());
  const crypto::PublicKey pub = key.Public();
  std::atomic<uint64_t> done{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  const auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (!pub.Verify(pae, signed_batch.signature()).ok()) std::abort();
        ++n;
      }
      done += n;
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& w : workers) w.join();
  return static_cast<double>(done) / std::chrono::duration<double>(Clock::now() - start).count();
}

struct WriteRate {
  double batches_per_s;
  double events_per_s;
};

WriteRate SyncedWrites(const std::string& dir, size_t per_batch, size_t value_bytes,
                       double seconds) {
  std::filesystem::remove_all(dir);
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) {
    std::fprintf(stderr, "rocksdb open %s: %s\n", dir.c_str(), s.ToString().c_str());
    std::exit(1);
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  std::string value(value_bytes, 'v');
  uint64_t key = 0, batches = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    rocksdb::WriteBatch batch;
    for (size_t i = 0; i < per_batch; ++i, ++key) {
      char k[8];
      for (int b = 0; b < 8; ++b) k[b] = static_cast<char>(key >> (56 - 8 * b));
      value[0] = static_cast<char>(key);
      batch.Put(rocksdb::Slice(k, 8), value);
    }
    s = db->Write(sync, &batch);
    if (!s.ok()) {
      std::fprintf(stderr, "rocksdb write: %s\n", s.ToString().c_str());
      std::exit(1);
    }
    ++batches;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  }
  db.reset();
  std::filesystem::remove_all(dir);
  return {static_cast<double>(batches) / elapsed,
          static_cast<double>(batches * per_batch) / elapsed};
}

int Main(int argc, char** argv) {
  Flags flags(argc, argv,
              {{"dir", "/tmp/origo-limits"},
               {"seconds", "2"},
               {"enterprises", "300"},
               {"cases", "20"},
               {"out", ""}});
  const double seconds = flags.Double("seconds");
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  JsonOut json;
  json.Add("limits.cores", cores);

  // Mean leaf size: the event bytes plus what a leaf adds (manifest, signature, batch path);
  // measured on real leaves of batches of 16.
  Generator generator(flags.U64("enterprises"), flags.U64("cases"));
  auto key = crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value();
  uint64_t bytes = 0, count = 0;
  for (uint64_t c = 0; c < 60; ++c) {
    Chain chain = generator.MakeChain(c);
    for (size_t i = 0; i + 16 <= chain.events.size(); i += 16) {
      std::vector<std::string> events(chain.events.begin() + static_cast<long>(i),
                                      chain.events.begin() + static_cast<long>(i + 16));
      auto b =
          batch::SignBatch(events, generator.enterprises()[chain.enterprise].usci, key, UnixMs())
              .value();
      batch::BatchTree tree(b.events());
      for (int e = 0; e < b.events_size(); ++e) {
        bytes += b.events(e).size() + b.manifest().size() + b.signature().size() +
                 tree.Path(static_cast<uint64_t>(e)).value().size() * 32 + 16;
        ++count;
      }
    }
  }
  const size_t value_bytes = count ? static_cast<size_t>(bytes / count) : 1000;
  std::printf("limits: mean log leaf %zu bytes\n", value_bytes);
  json.Add("limits.leaf_bytes", static_cast<double>(value_bytes));

  for (auto [name, algorithm] :
       {std::pair{"ed25519", crypto::Algorithm::kEd25519}, {"p256", crypto::Algorithm::kP256}}) {
    const double one = VerifyRate(algorithm, 1, seconds);
    const double all = VerifyRate(algorithm, cores, seconds);
    std::printf("limits: %-7s verify %9.0f /s on 1 thread, %9.0f /s on %d threads\n", name, one,
                all, cores);
    json.Add(std::string("limits.verify.") + name + ".one_thread_per_s", one);
    json.Add(std::string("limits.verify.") + name + ".all_cores_per_s", all);
  }
  for (size_t per : {1, 16, 256}) {
    WriteRate r = SyncedWrites(flags.Str("dir"), per, value_bytes, seconds);
    std::printf(
        "limits: rocksdb synced WriteBatch of %3zu x %zu B: %8.0f writes/s = %9.0f "
        "values/s\n",
        per, value_bytes, r.batches_per_s, r.events_per_s);
    json.Add("limits.rocksdb.b" + std::to_string(per) + ".writes_per_s", r.batches_per_s);
    json.Add("limits.rocksdb.b" + std::to_string(per) + ".values_per_s", r.events_per_s);
  }
  if (!flags.Str("out").empty()) std::ofstream(flags.Str("out")) << json.Text();
  return 0;
}

}  // namespace
}  // namespace origo::bench

int main(int argc, char** argv) { return origo::bench::Main(argc, argv); }
