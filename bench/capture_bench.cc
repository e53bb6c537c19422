// origo_bench: capture throughput over gRPC and inclusion-proof latency.
//
// Starts an in-process origod on a temp directory (real RocksDB, real gRPC on 127.0.0.1),
// registers an enterprise and an Ed25519 key, pre-signs batches (so the figures measure the
// server: verify, validate, sequence, synced write), then drives N concurrent CaptureStreams.
// Prints a table and writes bench/results/capture-<time>.json.
//
//   origo_bench [--events N] [--proof-leaves N] [--configs BxS,...] [--window N] [--out DIR]
//
// Each stream keeps up to --window batches in flight (default 8, as the spool sender does; 1
// waits for each acknowledgement before sending the next batch). --configs limits the capture
// runs to the given batch-size x stream-count pairs (e.g. "256x8,1x8"); --proof-leaves 0 skips
// the fill and the proof phase.
//
// Next to events/s each run reports CPU time per event, because on a shared machine wall-clock
// rates are noisy while CPU per event is not: "cpu" is the whole process's user + system time
// over the timed phase (pre-signing excluded; client and server share the process), "srv" the
// same without the bench's own stream threads (the server's handler, writer and sequencer
// threads, RocksDB's, and gRPC's shared internal threads, which also serve the client). The
// 1-minute load average is printed with each run.

#include <grpcpp/grpcpp.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/batch/batch.h"
#include "core/crypto/hash.h"
#include "origo/v1/capture.grpc.pb.h"
#include "origo/v1/registry.grpc.pb.h"
#include "services/server/config.h"
#include "services/server/server.h"
#include "storage/event_log.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr char kUsci[] = "91640521MA76GJ0Q1B";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Event(uint64_t n) {
  char buf[512];
  std::snprintf(
      buf, sizeof(buf),
      R"({"type":"ObjectEvent","eventTime":"2026-09-02T09:%02d:%02d+08:00",)"
      R"("eventTimeZoneOffset":"+08:00","action":"ADD","bizStep":"commissioning",)"
      R"("disposition":"active","epcList":["https://id.gs1.org/01/06971234000415/21/B%010llu"],)"
      R"("readPoint":{"id":"https://id.gs1.org/414/6971234000019"},)"
      R"("bizLocation":{"id":"https://id.gs1.org/414/6971234000019"}})",
      static_cast<int>((n / 60) % 60), static_cast<int>(n % 60),
      static_cast<unsigned long long>(n));
  return buf;
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));
  if (!token.empty()) c->AddMetadata("authorization", "Bearer " + token);
  return c;
}

struct Fixture {
  std::string dir;
  std::unique_ptr<origo::server::Server> server;
  std::shared_ptr<grpc::Channel> channel;
  std::string token;
  std::unique_ptr<origo::crypto::PrivateKey> key;
};

Fixture StartServer() {
  Fixture f;
  char tmpl[] = "/tmp/origo-bench-XXXXXX";
  f.dir = mkdtemp(tmpl);
  origo::v1::Config config;
  config.set_data_dir(f.dir + "/data");
  config.set_grpc_listen("127.0.0.1:0");
  config.set_http_listen("127.0.0.1:0");
  // Throughput on a trusted loopback, not the per-caller budgets (the proof loop is tokenless).
  config.mutable_limits()->set_disable_rate_limits(true);
  origo::server::ApplyDefaults(&config);
  auto server = origo::server::Server::Start(config);
  if (!server.ok()) {
    std::fprintf(stderr, "cannot start server: %s\n", server.status().ToString().c_str());
    std::exit(1);
  }
  f.server = *std::move(server);
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(64 << 20);
  f.channel =
      grpc::CreateCustomChannel(f.server->grpc_address(), grpc::InsecureChannelCredentials(), args);
  std::ifstream in(config.data_dir() + "/bootstrap-token");
  std::string regulator;
  std::getline(in, regulator);
  auto registry = origo::v1::RegistryService::NewStub(f.channel);
  f.key = std::make_unique<origo::crypto::PrivateKey>(
      origo::crypto::PrivateKey::Generate(origo::crypto::Algorithm::kEd25519).value());
  origo::v1::RegisterEnterpriseRequest reg;
  reg.mutable_enterprise()->set_usci(kUsci);
  reg.mutable_enterprise()->set_name("bench grower");
  reg.mutable_enterprise()->set_sector(origo::v1::SECTOR_GOJI);
  origo::v1::RegisterEnterpriseResponse r1;
  registry->RegisterEnterprise(Context(regulator).get(), reg, &r1);
  origo::v1::AddKeyRequest add;
  add.set_usci(kUsci);
  add.set_public_key_pem(f.key->Public().ToPem());
  origo::v1::AddKeyResponse r2;
  registry->AddKey(Context(regulator).get(), add, &r2);
  origo::v1::CreateTokenRequest token;
  token.set_role(origo::v1::ROLE_PRODUCER);
  token.set_usci(kUsci);
  origo::v1::CreateTokenResponse r3;
  grpc::Status s = registry->CreateToken(Context(regulator).get(), token, &r3);
  if (!s.ok()) {
    std::fprintf(stderr, "setup failed: %s\n", s.error_message().c_str());
    std::exit(1);
  }
  f.token = r3.token();
  return f;
}

struct CaptureResult {
  int batch_size;
  int streams;
  uint64_t events;
  double seconds;
  double p50_ms;
  double p99_ms;
  double cpu_seconds;         // process user + system time during the timed phase
  double client_cpu_seconds;  // of which the bench's own stream threads (client side)
  double load1;               // 1-minute load average at the end of the run
  double EventsPerSecond() const { return static_cast<double>(events) / seconds; }
  double CpuMicrosPerEvent() const {
    return events ? cpu_seconds * 1e6 / static_cast<double>(events) : 0;
  }
  // Everything but the client's stream threads: the server's handler, writer and sequencer
  // threads, RocksDB's, and gRPC's shared internal threads (which also serve the client).
  double ServerCpuMicrosPerEvent() const {
    return events ? (cpu_seconds - client_cpu_seconds) * 1e6 / static_cast<double>(events) : 0;
  }
};

double CpuSeconds(int who) {
  struct rusage usage;
  getrusage(who, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}
double ProcessCpuSeconds() { return CpuSeconds(RUSAGE_SELF); }

double LoadAverage() {
  double load[1] = {0};
  return getloadavg(load, 1) == 1 ? load[0] : -1;
}

// Raw ids of the events the server acknowledged (stored or duplicate); the proof phase samples
// from these, so it never asks for an event that was not stored.
std::mutex g_acked_mu;
std::vector<std::string> g_acked_ids;

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

std::atomic<uint64_t> g_next_event{0};

CaptureResult RunCapture(Fixture& f, int batch_size, int streams, uint64_t total_events,
                         size_t window) {
  // Pre-sign every batch so that the measurement is the server's work.
  uint64_t batches_per_stream =
      std::max<uint64_t>(1, total_events / static_cast<uint64_t>(batch_size * streams));
  std::vector<std::vector<origo::v1::CaptureRequest>> work(static_cast<size_t>(streams));
  for (auto& stream_work : work) {
    for (uint64_t b = 0; b < batches_per_stream; ++b) {
      std::vector<std::string> events;
      for (int i = 0; i < batch_size; ++i) events.push_back(Event(g_next_event++));
      origo::v1::CaptureRequest request;
      *request.mutable_batch() = origo::batch::SignBatch(events, kUsci, *f.key, NowMs()).value();
      request.set_sequence(b + 1);
      stream_work.push_back(std::move(request));
    }
  }
  std::vector<std::vector<double>> latencies(static_cast<size_t>(streams));
  std::atomic<uint64_t> stored{0};
  std::mutex client_cpu_mu;
  double client_cpu = 0;  // guarded by client_cpu_mu
  auto add_client_cpu = [&] {
    const double mine = CpuSeconds(RUSAGE_THREAD);
    std::lock_guard<std::mutex> lock(client_cpu_mu);
    client_cpu += mine;
  };
  const double cpu_start = ProcessCpuSeconds();
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int s = 0; s < streams; ++s) {
    threads.emplace_back([&, s] {
      auto stub = origo::v1::CaptureService::NewStub(f.channel);
      auto context = Context(f.token);
      auto stream = stub->CaptureStream(context.get());
      // Up to `window` batches in flight, as a packing line's sender keeps them (the server
      // pipelines a stream's batches); a reader thread takes the in-order acknowledgements.
      const auto& requests = work[static_cast<size_t>(s)];
      std::vector<Clock::time_point> sent(requests.size());
      std::mutex mu;
      std::condition_variable acked;
      size_t acks = 0;  // guarded by mu
      std::thread reader([&] {
        origo::v1::CaptureResponse response;
        while (stream->Read(&response)) {
          size_t n = static_cast<size_t>(response.sequence() - 1);
          latencies[static_cast<size_t>(s)].push_back(
              std::chrono::duration<double, std::milli>(Clock::now() - sent[n]).count());
          stored += response.stored();
          {
            std::lock_guard<std::mutex> lock(g_acked_mu);
            for (const auto& e : response.events()) g_acked_ids.push_back(e.event_id());
          }
          std::lock_guard<std::mutex> lock(mu);
          ++acks;
          acked.notify_one();
        }
        std::lock_guard<std::mutex> lock(mu);
        acks = requests.size();  // the stream ended: stop waiting
        acked.notify_one();
        add_client_cpu();
      });
      for (size_t n = 0; n < requests.size(); ++n) {
        {
          std::unique_lock<std::mutex> lock(mu);
          acked.wait(lock, [&] { return n - std::min(n, acks) < window; });
          if (acks >= requests.size()) break;
        }
        sent[n] = Clock::now();
        if (!stream->Write(requests[n])) break;
      }
      {
        std::unique_lock<std::mutex> lock(mu);
        acked.wait(lock, [&] { return acks >= requests.size(); });
      }
      stream->WritesDone();
      reader.join();
      grpc::Status status = stream->Finish();
      if (!status.ok()) std::fprintf(stderr, "stream failed: %s\n", status.error_message().c_str());
      add_client_cpu();
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = ProcessCpuSeconds() - cpu_start;
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  CaptureResult r{batch_size, streams, stored.load(), seconds,      0,
                  0,          cpu,     client_cpu,    LoadAverage()};
  r.p50_ms = Percentile(all, 0.50);
  r.p99_ms = Percentile(all, 0.99);
  return r;
}

void Fill(Fixture& f, uint64_t leaves) {
  const int batch = 4096;
  uint64_t have = g_next_event.load();
  while (have < leaves) {
    RunCapture(f, batch, 2, std::min<uint64_t>(leaves - have, 2 * 32 * batch), 8);
    have = g_next_event.load();
    std::fprintf(stderr, "\rfilling log: %llu / %llu leaves", static_cast<unsigned long long>(have),
                 static_cast<unsigned long long>(leaves));
  }
  std::fprintf(stderr, "\n");
}

struct ProofResult {
  uint64_t tree_size;
  int samples;
  double p50_ms;
  double p99_ms;
  double server_p50_ms;  // the same proofs built in-process from the store, without gRPC
  double server_p99_ms;
  int failures;
};

ProofResult RunProofs(Fixture& f, int samples) {
  auto stub = origo::v1::TransparencyService::NewStub(f.channel);
  origo::v1::GetCheckpointResponse head;
  for (int i = 0; i < 100; ++i) {
    stub->GetCheckpoint(Context("").get(), {}, &head);
    if (head.checkpoint().tree_size() >= g_next_event.load()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  uint64_t size = head.checkpoint().tree_size();
  std::vector<std::string> ids;
  {
    std::lock_guard<std::mutex> lock(g_acked_mu);
    ids = g_acked_ids;
  }
  // Server-side cost: the same lookups through a second EventLog over the server's store.
  auto log = origo::storage::EventLog::Open(f.server->store()).value();
  std::vector<double> latencies, server_latencies;
  int failures = 0;
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (int i = 0; i < samples && !ids.empty(); ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const std::string& id = ids[x % ids.size()];
    origo::v1::GetInclusionProofRequest request;
    request.set_event_id(id);
    origo::v1::GetInclusionProofResponse response;
    auto start = Clock::now();
    grpc::Status s = stub->GetInclusionProof(Context("").get(), request, &response);
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!s.ok()) {
      ++failures;
      std::fprintf(stderr, "proof failed: %s\n", s.error_message().c_str());
      continue;
    }
    const std::string raw = origo::crypto::HexDecode(id).value();
    start = Clock::now();
    auto view = f.server->store()->Snapshot();
    auto index = log->FindEvent(raw, view.get());
    auto leaf = log->GetLeaf(**index, view.get());
    auto proof = log->InclusionProof(**index, size, view.get());
    server_latencies.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!leaf.ok() || !proof.ok()) ++failures;
  }
  return ProofResult{size,
                     samples,
                     Percentile(latencies, 0.5),
                     Percentile(latencies, 0.99),
                     Percentile(server_latencies, 0.5),
                     Percentile(server_latencies, 0.99),
                     failures};
}

// "256x8,1x8" -> {{256, 8}, {1, 8}}; empty -> every batch size {1, 16, 256} x streams {1,2,4,8}.
std::vector<std::pair<int, int>> ParseConfigs(const std::string& text) {
  std::vector<std::pair<int, int>> out;
  if (text.empty()) {
    for (int batch : {1, 16, 256}) {
      for (int streams : {1, 2, 4, 8}) out.emplace_back(batch, streams);
    }
    return out;
  }
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    size_t x = item.find('x');
    if (x == std::string::npos) {
      std::fprintf(stderr, "--configs: '%s' is not BATCHxSTREAMS\n", item.c_str());
      std::exit(2);
    }
    out.emplace_back(std::stoi(item.substr(0, x)), std::stoi(item.substr(x + 1)));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t events = 60000;
  uint64_t proof_leaves = 1000000;
  std::string out_dir = "bench/results";
  std::string configs;
  size_t window = 8;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--configs")) configs = argv[i + 1];
    if (!std::strcmp(argv[i], "--window")) window = std::max<size_t>(1, std::stoul(argv[i + 1]));
    if (!std::strcmp(argv[i], "--events")) events = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--proof-leaves")) proof_leaves = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--out")) out_dir = argv[i + 1];
  }
  Fixture f = StartServer();
  std::vector<CaptureResult> results;
  std::printf("window: %zu batches in flight per stream\n", window);
  std::printf("%-10s %-8s %12s %10s %10s %10s %10s %10s %6s\n", "batch", "streams", "events",
              "events/s", "p50 ms", "p99 ms", "cpu us/ev", "srv us/ev", "load");
  for (auto [batch, streams] : ParseConfigs(configs)) {
    uint64_t n = batch == 1 ? std::min<uint64_t>(events, 20000) : events;
    CaptureResult r = RunCapture(f, batch, streams, n, window);
    results.push_back(r);
    std::printf("%-10d %-8d %12llu %10.0f %10.2f %10.2f %10.1f %10.1f %6.2f\n", batch, streams,
                static_cast<unsigned long long>(r.events), r.EventsPerSecond(), r.p50_ms, r.p99_ms,
                r.CpuMicrosPerEvent(), r.ServerCpuMicrosPerEvent(), r.load1);
    std::fflush(stdout);
  }
  ProofResult proofs{0, 0, 0, 0, 0, 0, 0};
  if (proof_leaves > 0) {
    Fill(f, proof_leaves);
    proofs = RunProofs(f, 2000);
    std::printf(
        "inclusion proof at %llu leaves: p50 %.3f ms, p99 %.3f ms (%d samples, %d failed; gRPC "
        "round trip included); server side alone p50 %.3f ms, p99 %.3f ms; load %.2f\n",
        static_cast<unsigned long long>(proofs.tree_size), proofs.p50_ms, proofs.p99_ms,
        proofs.samples, proofs.failures, proofs.server_p50_ms, proofs.server_p99_ms, LoadAverage());
  }
  auto stats = f.server->store()->Stats();
  if (proofs.tree_size == 0) proofs.tree_size = g_acked_ids.size();
  std::printf("store: %.1f MiB for %llu leaves (%.0f bytes/event)\n",
              static_cast<double>(stats.TotalBytes()) / (1 << 20),
              static_cast<unsigned long long>(proofs.tree_size),
              static_cast<double>(stats.TotalBytes()) / static_cast<double>(proofs.tree_size));
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak RSS: %.0f MiB\n", static_cast<double>(usage.ru_maxrss) / 1024);

  std::filesystem::create_directories(out_dir);
  std::string path = out_dir + "/capture-" + std::to_string(NowMs() / 1000) + ".json";
  std::ofstream json(path);
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  json << "{\"machine\":{\"host\":\"" << host
       << "\",\"cpus\":" << std::thread::hardware_concurrency() << "},\"window\":" << window
       << ",\"capture\":[";
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    json << (i ? "," : "") << "{\"batch_size\":" << r.batch_size << ",\"streams\":" << r.streams
         << ",\"events\":" << r.events << ",\"events_per_second\":" << r.EventsPerSecond()
         << ",\"ack_p50_ms\":" << r.p50_ms << ",\"ack_p99_ms\":" << r.p99_ms
         << ",\"cpu_us_per_event\":" << r.CpuMicrosPerEvent()
         << ",\"server_cpu_us_per_event\":" << r.ServerCpuMicrosPerEvent()
         << ",\"load1\":" << r.load1 << "}";
  }
  json << "],\"inclusion_proof\":{\"tree_size\":" << proofs.tree_size
       << ",\"p50_ms\":" << proofs.p50_ms << ",\"p99_ms\":" << proofs.p99_ms
       << ",\"server_p50_ms\":" << proofs.server_p50_ms
       << ",\"server_p99_ms\":" << proofs.server_p99_ms << ",\"failures\":" << proofs.failures
       << "},\"store_bytes\":" << stats.TotalBytes() << ",\"peak_rss_kib\":" << usage.ru_maxrss
       << "}\n";
  std::printf("results: %s\n", path.c_str());
  absl::Status closed = f.server->Shutdown();
  std::filesystem::remove_all(f.dir);
  return closed.ok() ? 0 : 1;
}
