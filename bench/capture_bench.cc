// origo_bench: capture throughput over gRPC and inclusion-proof latency.
//
// Starts an in-process origod on a temp directory (real RocksDB, real gRPC on 127.0.0.1),
// registers an enterprise and an Ed25519 key, pre-signs batches (so the figures measure the
// server: verify, validate, sequence, synced write), then drives N concurrent CaptureStreams.
// Prints a table and writes bench/results/capture-<time>.json.
//
//   origo_bench [--events N] [--proof-leaves N] [--out DIR]

#include <grpcpp/grpcpp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/batch/batch.h"
#include "origo/v1/capture.grpc.pb.h"
#include "origo/v1/registry.grpc.pb.h"
#include "services/server/config.h"
#include "services/server/server.h"

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
  double EventsPerSecond() const { return static_cast<double>(events) / seconds; }
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

std::atomic<uint64_t> g_next_event{0};

CaptureResult RunCapture(Fixture& f, int batch_size, int streams, uint64_t total_events) {
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
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int s = 0; s < streams; ++s) {
    threads.emplace_back([&, s] {
      auto stub = origo::v1::CaptureService::NewStub(f.channel);
      auto context = Context(f.token);
      auto stream = stub->CaptureStream(context.get());
      for (auto& request : work[static_cast<size_t>(s)]) {
        auto sent = Clock::now();
        if (!stream->Write(request)) break;
        origo::v1::CaptureResponse response;
        if (!stream->Read(&response)) break;
        latencies[static_cast<size_t>(s)].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
        stored += response.stored();
      }
      stream->WritesDone();
      grpc::Status status = stream->Finish();
      if (!status.ok()) std::fprintf(stderr, "stream failed: %s\n", status.error_message().c_str());
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  CaptureResult r{batch_size, streams, stored.load(), seconds, 0, 0};
  r.p50_ms = Percentile(all, 0.50);
  r.p99_ms = Percentile(all, 0.99);
  return r;
}

void Fill(Fixture& f, uint64_t leaves) {
  const int batch = 4096;
  uint64_t have = g_next_event.load();
  while (have < leaves) {
    RunCapture(f, batch, 2, std::min<uint64_t>(leaves - have, 2 * 32 * batch));
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
  std::vector<double> latencies;
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (int i = 0; i < samples; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    origo::v1::GetInclusionProofRequest request;
    request.set_event_id(origo::batch::EventId(Event(x % size)));
    origo::v1::GetInclusionProofResponse response;
    auto start = Clock::now();
    grpc::Status s = stub->GetInclusionProof(Context("").get(), request, &response);
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!s.ok()) std::fprintf(stderr, "proof failed: %s\n", s.error_message().c_str());
  }
  return ProofResult{size, samples, Percentile(latencies, 0.5), Percentile(latencies, 0.99)};
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t events = 60000;
  uint64_t proof_leaves = 1000000;
  std::string out_dir = "bench/results";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--events")) events = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--proof-leaves")) proof_leaves = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--out")) out_dir = argv[i + 1];
  }
  Fixture f = StartServer();
  std::vector<CaptureResult> results;
  std::printf("%-10s %-8s %12s %10s %10s %10s\n", "batch", "streams", "events", "events/s",
              "p50 ms", "p99 ms");
  for (int batch : {1, 16, 256}) {
    for (int streams : {1, 2, 4, 8}) {
      uint64_t n = batch == 1 ? std::min<uint64_t>(events, 20000) : events;
      CaptureResult r = RunCapture(f, batch, streams, n);
      results.push_back(r);
      std::printf("%-10d %-8d %12llu %10.0f %10.2f %10.2f\n", batch, streams,
                  static_cast<unsigned long long>(r.events), r.EventsPerSecond(), r.p50_ms,
                  r.p99_ms);
      std::fflush(stdout);
    }
  }
  Fill(f, proof_leaves);
  ProofResult proofs = RunProofs(f, 2000);
  std::printf(
      "inclusion proof at %llu leaves: p50 %.3f ms, p99 %.3f ms (%d samples, gRPC round "
      "trip included)\n",
      static_cast<unsigned long long>(proofs.tree_size), proofs.p50_ms, proofs.p99_ms,
      proofs.samples);
  auto stats = f.server->store()->Stats();
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
       << "\",\"cpus\":" << std::thread::hardware_concurrency() << "},\"capture\":[";
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    json << (i ? "," : "") << "{\"batch_size\":" << r.batch_size << ",\"streams\":" << r.streams
         << ",\"events\":" << r.events << ",\"events_per_second\":" << r.EventsPerSecond()
         << ",\"ack_p50_ms\":" << r.p50_ms << ",\"ack_p99_ms\":" << r.p99_ms << "}";
  }
  json << "],\"inclusion_proof\":{\"tree_size\":" << proofs.tree_size
       << ",\"p50_ms\":" << proofs.p50_ms << ",\"p99_ms\":" << proofs.p99_ms
       << "},\"store_bytes\":" << stats.TotalBytes() << ",\"peak_rss_kib\":" << usage.ru_maxrss
       << "}\n";
  std::printf("results: %s\n", path.c_str());
  absl::Status closed = f.server->Shutdown();
  std::filesystem::remove_all(f.dir);
  return closed.ok() ? 0 : 1;
}
