// origo_loadgen: drives a running origod over gRPC with synthetic wine, goji and halal supply
// chains (bench/loadgen/chains.h), signed as packing lines sign them, then runs a query mix.
//
//   origo_loadgen --server 127.0.0.1:50051 --bootstrap-token DATA/bootstrap-token
//                 --enterprises 300 --events 300000 --lots 20000 --streams 8 --out result.json
//
// Phases (each on chains not captured before, so every event is new):
//   b1      every event signed on its own (batch size 1)            --b1-events
//   b1w     the same with 16 batches in flight per stream, as `origo sync` sends  --b1w-events
//   b16     batches of 16                                            --b16-events
//   paced   batches of 16 at half of b16's rate: acknowledgement latency at a sustainable load
//   b256    batches of 256 until --events events are in the log (the scale fill), presigned in
//           chunks of --chunk-events so memory stays bounded; only sending time is counted
// Batches are signed before each timed phase: the figures measure the server (verify, validate,
// rules, sequence, synced write), not the client. Each enterprise's batches go in order on one
// CaptureStream (a stream carries one producer token); --streams streams run at once, each with
// one batch in flight (b1w: 16). Queries then run one at a time on random captured chains:
//   trace_back    TraceBack from a random serialised item (bottle, bag or pack)
//   trace_forward TraceForward from the chain's origin lot (harvest or live animals)
//   item          GetItem for a random item (what the consumer page reads)
//   proof         GetInclusionProof for a random event of the chain
//   page          the consumer page of that item over HTTP (GET /01/.../21/..., as a phone
//                 scanning the QR code asks for it), when --http names origod's HTTP address;
//                 the time includes the loopback HTTP round trip
// `--mode wait` only waits until the server answers GetCheckpoint and prints the seconds taken
// (run.sh uses it to time a restart after kill -9). `--mode ping` makes --queries GetCheckpoint
// calls one at a time and prints their latency: the cost of a call that does next to no work.
// `--mode query` runs only the query mix, on a server whose store a run with the same
// --enterprises --events --lots and --b1-events 0 --b16-events 0 filled (in one chunk): queries
// on a settled store, without the compactions that follow a capture. `--kinds trace_back,item`
// runs only those kinds of the mix (trace_back trace_forward item proof page; default all).

#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "bench/loadgen/chains.h"
#include "bench/loadgen/enroll.h"
#include "bench/loadgen/workload.h"
#include "core/batch/batch.h"
#include "origo/v1/capture.grpc.pb.h"
#include "origo/v1/provenance.grpc.pb.h"

namespace origo::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<grpc::ClientContext> Context(const std::string& token,
                                             std::chrono::seconds deadline) {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + deadline);
  if (!token.empty()) c->AddMetadata("authorization", "Bearer " + token);
  return c;
}

[[noreturn]] void Die(const std::string& what, const grpc::Status& s) {
  std::fprintf(stderr, "origo_loadgen: %s: %s\n", what.c_str(), s.error_message().c_str());
  std::exit(1);
}

// Batches in flight per stream in the b1w phase: what clients/spool/sender.cc keeps.
constexpr size_t kPipelinedWindow = 16;

int g_server_pid = 0;  // --server-pid: origod's CPU time is read around each phase

struct PhaseResult {
  uint64_t events = 0;
  uint64_t batches = 0;
  double seconds = 0;
  double server_cpu_s = 0;
  std::vector<double> ack_ms;
  double EventsPerSecond() const { return seconds > 0 ? static_cast<double>(events) / seconds : 0; }
};

// One unit's batches on `stream` with up to `window` unacknowledged; returns once every batch
// sent is acknowledged or the stream has failed (Finish then reports why).
void SendWindowed(
    grpc::ClientReaderWriter<origo::v1::CaptureRequest, origo::v1::CaptureResponse>* stream,
    const Unit& unit, size_t window, std::vector<double>* acks, std::atomic<uint64_t>* events,
    std::atomic<uint64_t>* batches) {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Clock::time_point> sent;  // of the batches in flight, in order
  bool reader_done = false;
  std::thread reader([&] {
    origo::v1::CaptureResponse response;
    while (stream->Read(&response)) {
      std::lock_guard<std::mutex> lock(mu);
      if (sent.empty()) break;  // an acknowledgement for nothing sent: Finish says why
      acks->push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - sent.front()).count());
      sent.pop_front();
      *events += response.stored() + response.duplicates();
      ++*batches;
      cv.notify_all();
    }
    std::lock_guard<std::mutex> lock(mu);
    reader_done = true;
    cv.notify_all();
  });
  uint64_t sequence = 0;
  for (const auto& batch : unit.batches) {
    origo::v1::CaptureRequest request;  // copied before the clock starts
    *request.mutable_batch() = batch;
    request.set_sequence(++sequence);
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return sent.size() < window || reader_done; });
      if (reader_done) break;
      sent.push_back(Clock::now());
    }
    if (!stream->Write(request)) break;
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return sent.empty() || reader_done; });
  }
  stream->WritesDone();
  reader.join();
}

// Sends `units` over `streams` concurrent CaptureStreams. `interval_s` > 0 paces each stream to
// one batch per interval (open loop: a late batch is sent at once, not skipped). `window` > 1
// keeps up to that many batches in flight on each stream, as `origo sync` does (a reader thread
// takes the acknowledgements, which come back in order); 1 sends the next batch once the last
// one is acknowledged.
PhaseResult Capture(const std::shared_ptr<grpc::Channel>& channel,
                    const std::vector<std::string>& tokens, const std::vector<Unit>& units,
                    int streams, double interval_s, size_t window = 1) {
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> events{0}, batches{0};
  std::vector<std::vector<double>> acks(static_cast<size_t>(streams));
  const double cpu_before = g_server_pid ? ProcessCpuSeconds(g_server_pid) : 0;
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < streams; ++t) {
    workers.emplace_back([&, t] {
      auto stub = origo::v1::CaptureService::NewStub(channel);
      auto due = Clock::now() + std::chrono::duration<double>(interval_s * t / streams);
      for (size_t u = next++; u < units.size(); u = next++) {
        const Unit& unit = units[u];
        auto context = Context(tokens[unit.enterprise], std::chrono::seconds(3600));
        auto stream = stub->CaptureStream(context.get());
        uint64_t sequence = 0;
        if (window > 1) {
          SendWindowed(stream.get(), unit, window, &acks[static_cast<size_t>(t)], &events,
                       &batches);
          grpc::Status s = stream->Finish();
          if (!s.ok()) Die("capture stream for " + std::to_string(unit.enterprise), s);
          continue;
        }
        for (const auto& batch : unit.batches) {
          if (interval_s > 0) {
            std::this_thread::sleep_until(due);
            due += std::chrono::duration_cast<Clock::duration>(
                std::chrono::duration<double>(interval_s));
          }
          origo::v1::CaptureRequest request;  // copied before the clock starts
          *request.mutable_batch() = batch;
          request.set_sequence(++sequence);
          const auto sent = Clock::now();
          origo::v1::CaptureResponse response;
          if (!stream->Write(request) || !stream->Read(&response)) break;
          acks[static_cast<size_t>(t)].push_back(
              std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
          events += response.stored() + response.duplicates();
          ++batches;
        }
        stream->WritesDone();
        grpc::Status s = stream->Finish();
        if (!s.ok()) Die("capture stream for " + std::to_string(unit.enterprise), s);
      }
    });
  }
  for (auto& w : workers) w.join();
  PhaseResult r;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (g_server_pid) r.server_cpu_s = ProcessCpuSeconds(g_server_pid) - cpu_before;
  r.events = events;
  r.batches = batches;
  for (auto& a : acks) r.ack_ms.insert(r.ack_ms.end(), a.begin(), a.end());
  return r;
}

void Report(JsonOut& json, const std::string& name, int batch, int streams, PhaseResult& r) {
  const double p50 = Percentile(r.ack_ms, 0.5), p99 = Percentile(r.ack_ms, 0.99);
  std::printf(
      "capture %-6s batch %4d streams %2d: %9llu events in %7.2f s = %9.0f events/s, "
      "ack p50 %7.2f ms p99 %7.2f ms\n",
      name.c_str(), batch, streams, static_cast<unsigned long long>(r.events), r.seconds,
      r.EventsPerSecond(), p50, p99);
  std::fflush(stdout);
  json.Add("capture." + name + ".batch_size", batch);
  json.Add("capture." + name + ".streams", streams);
  json.Add("capture." + name + ".events", static_cast<double>(r.events));
  json.Add("capture." + name + ".seconds", r.seconds);
  json.Add("capture." + name + ".events_per_s", r.EventsPerSecond());
  json.Add("capture." + name + ".ack_p50_ms", p50);
  json.Add("capture." + name + ".ack_p99_ms", p99);
  if (r.events && r.server_cpu_s > 0) {
    const double us = 1e6 * r.server_cpu_s / static_cast<double>(r.events);
    std::printf("  origod CPU: %.1f s, %.0f us per event\n", r.server_cpu_s, us);
    json.Add("capture." + name + ".server_cpu_us_per_event", us);
  }
}

template <typename F>
double TimeMs(F&& f) {
  const auto t0 = Clock::now();
  f();
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// CPU time each live thread of origod has run, in ns, by thread id (/proc/PID/task/*/schedstat):
// precise where /proc/PID/stat counts clock ticks, and unlike wall time not inflated by other
// work on the machine. A thread that exits takes its time with it.
std::map<std::string, double> ServerThreadsCpuNs(int pid) {
  std::map<std::string, double> threads;
  std::error_code error;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", error)) {
    std::ifstream in(task.path() / "schedstat");
    double run = 0;
    if (in >> run) threads[task.path().filename()] = run;
  }
  return threads;
}

struct QueryStats {
  std::vector<double> ms;
  uint64_t nodes = 0, errors = 0;
  const char* unit = "nodes";  // what `nodes` counts
  double server_ns = 0;        // with --server-pid: CPU time of the threads alive after the call
  uint64_t new_threads = 0;    // threads the server started during the calls
  // Times `call`, and with --server-pid the server's CPU time around it.
  template <typename F>
  void Time(F&& call) {
    std::map<std::string, double> before;
    if (g_server_pid) before = ServerThreadsCpuNs(g_server_pid);
    ms.push_back(TimeMs(call));
    if (!g_server_pid) return;
    for (const auto& [tid, ns] : ServerThreadsCpuNs(g_server_pid)) {
      auto it = before.find(tid);
      server_ns += ns - (it == before.end() ? 0 : it->second);
      new_threads += it == before.end();
    }
  }
  void Add(const std::string& name, JsonOut& json) {
    const double p50 = Percentile(ms, 0.5), p99 = Percentile(ms, 0.99);
    std::printf("query %-13s %6zu calls: p50 %7.3f ms p99 %7.3f ms (avg %s %.1f, errors %llu)",
                name.c_str(), ms.size(), p50, p99, unit,
                ms.empty() ? 0.0 : static_cast<double>(nodes) / static_cast<double>(ms.size()),
                static_cast<unsigned long long>(errors));
    if (g_server_pid && !ms.empty()) {
      const double us = server_ns / 1e3 / static_cast<double>(ms.size());
      std::printf(", origod CPU %.0f us/call, %llu threads started", us,
                  static_cast<unsigned long long>(new_threads));
      json.Add("query." + name + ".server_cpu_us", us);
    }
    std::printf("\n");
    json.Add("query." + name + ".calls", static_cast<double>(ms.size()));
    json.Add("query." + name + ".p50_ms", p50);
    json.Add("query." + name + ".p99_ms", p99);
    json.Add("query." + name + ".avg_" + unit,
             ms.empty() ? 0.0 : static_cast<double>(nodes) / static_cast<double>(ms.size()));
    json.Add("query." + name + ".errors", static_cast<double>(errors));
  }
};

void Queries(const std::shared_ptr<grpc::Channel>& channel, const std::string& http,
             const Generator& generator, uint64_t chains, uint64_t count, const std::string& kinds,
             JsonOut& json) {
  // `kinds`: the comma-separated kinds to run ("all" for the whole mix), so that one kind can
  // be profiled alone. The random draws are the same either way.
  auto runs = [&kinds](std::string_view kind) {
    if (kinds == "all") return true;
    for (std::string_view rest = kinds; !rest.empty();) {
      const size_t comma = rest.find(',');
      if (rest.substr(0, comma) == kind) return true;
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    return false;
  };
  auto provenance = origo::v1::ProvenanceService::NewStub(channel);
  auto transparency = origo::v1::TransparencyService::NewStub(channel);
  std::mt19937_64 rng(42);
  QueryStats back, forward, item, proof, page;
  page.unit = "bytes";
  const auto deadline = std::chrono::seconds(30);
  std::unique_ptr<httplib::Client> web;
  if (!http.empty()) {
    web = std::make_unique<httplib::Client>("http://" + http);
    web->set_keep_alive(true);
    web->set_read_timeout(30, 0);
  }
  for (uint64_t q = 0; q < count; ++q) {
    const Chain chain = generator.MakeChain(rng() % chains);
    const std::string& it = chain.items[rng() % chain.items.size()];
    origo::v1::TraceRequest request;
    request.set_id(it);
    origo::v1::TraceResponse response;
    grpc::Status s;
    if (runs("trace_back")) {
      back.Time(
          [&] { s = provenance->TraceBack(Context("", deadline).get(), request, &response); });
      if (!s.ok()) {
        if (!back.errors++)
          std::fprintf(stderr, "TraceBack %s: %s\n", it.c_str(), s.error_message().c_str());
      }
      back.nodes += static_cast<uint64_t>(response.nodes_size());
    }
    if (runs("trace_forward")) {
      request.set_id(chain.lots[0]);
      response.Clear();
      forward.Time(
          [&] { s = provenance->TraceForward(Context("", deadline).get(), request, &response); });
      if (!s.ok()) ++forward.errors;
      forward.nodes += static_cast<uint64_t>(response.nodes_size());
    }
    if (runs("item")) {
      origo::v1::GetItemRequest item_request;
      item_request.set_id(it);
      origo::v1::GetItemResponse item_response;
      item.Time([&] {
        s = provenance->GetItem(Context("", deadline).get(), item_request, &item_response);
      });
      if (!s.ok()) ++item.errors;
      item.nodes += 1;
    }
    const uint64_t proof_draw = rng();
    if (runs("proof")) {
      origo::v1::GetInclusionProofRequest proof_request;
      proof_request.set_event_id(batch::EventId(chain.events[proof_draw % chain.events.size()]));
      origo::v1::GetInclusionProofResponse proof_response;
      proof.Time([&] {
        s = transparency->GetInclusionProof(Context("", deadline).get(), proof_request,
                                            &proof_response);
      });
      if (!s.ok()) ++proof.errors;
      proof.nodes += static_cast<uint64_t>(proof_response.proof().hashes_size());
    }
    if (web && runs("page")) {
      std::optional<httplib::Result> got;
      page.Time([&] { got.emplace(web->Get(it, {{"Accept", "text/html"}})); });
      const httplib::Result& r = *got;
      // Only a whole page (200, through its closing tag) counts as answered.
      if (!r || r->status != 200 || r->body.find("</html>") == std::string::npos) {
        if (!page.errors++) {
          std::fprintf(
              stderr, "page %s: %s\n", it.c_str(),
              r ? std::to_string(r->status).c_str() : httplib::to_string(r.error()).c_str());
        }
      } else {
        page.nodes += r->body.size();  // reported as average bytes per page
      }
    }
  }
  if (runs("trace_back")) back.Add("trace_back", json);
  if (runs("trace_forward")) forward.Add("trace_forward", json);
  if (runs("item")) item.Add("item", json);
  if (runs("proof")) proof.Add("proof", json);
  if (web && runs("page")) page.Add("page", json);
}

int WaitMode(const std::shared_ptr<grpc::Channel>& channel, double timeout_s) {
  auto transparency = origo::v1::TransparencyService::NewStub(channel);
  const auto start = Clock::now();
  double connected = -1;
  while (std::chrono::duration<double>(Clock::now() - start).count() < timeout_s) {
    origo::v1::GetCheckpointResponse head;
    if (connected < 0 && channel->WaitForConnected(std::chrono::system_clock::now() +
                                                   std::chrono::milliseconds(5))) {
      connected = std::chrono::duration<double>(Clock::now() - start).count();
    }
    if (connected < 0) continue;
    auto context = Context("", std::chrono::seconds(10));
    if (transparency->GetCheckpoint(context.get(), {}, &head).ok()) {
      // seconds to answering GetCheckpoint, tree size, seconds to accepting the connection
      std::printf("%.3f %llu %.3f\n", std::chrono::duration<double>(Clock::now() - start).count(),
                  static_cast<unsigned long long>(head.checkpoint().tree_size()), connected);
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::fprintf(stderr, "origo_loadgen: server did not answer within %.0f s\n", timeout_s);
  return 1;
}

int PingMode(const std::shared_ptr<grpc::Channel>& channel, uint64_t count) {
  auto transparency = origo::v1::TransparencyService::NewStub(channel);
  QueryStats ping;
  for (uint64_t i = 0; i < count; ++i) {
    origo::v1::GetCheckpointResponse head;
    grpc::Status s;
    ping.Time([&] {
      s = transparency->GetCheckpoint(Context("", std::chrono::seconds(30)).get(), {}, &head);
    });
    if (!s.ok()) ++ping.errors;
  }
  JsonOut json;
  ping.Add("ping", json);
  return ping.errors == 0 ? 0 : 1;
}

// Writes the figures to `path` ("" = not asked for). Returns the exit status.
int WriteJson(const std::string& path, const JsonOut& json) {
  if (path.empty()) return 0;
  std::ofstream out(path);
  out << json.Text();
  out.close();
  if (!out) {
    std::fprintf(stderr, "origo_loadgen: cannot write %s\n", path.c_str());
    return 1;
  }
  return 0;
}

int Main(int argc, char** argv) {
  Flags flags(argc, argv,
              {{"mode", "run"},
               {"server", "127.0.0.1:50051"},
               {"http", ""},
               {"bootstrap-token", "data/bootstrap-token"},
               {"enterprises", "300"},
               {"events", "300000"},
               {"lots", "20000"},
               {"streams", "8"},
               {"b1-events", "10000"},
               {"b1w-events", "10000"},
               {"b16-events", "50000"},
               {"chunk-events", "500000"},
               {"queries", "2000"},
               {"kinds", "all"},
               {"timeout", "600"},
               {"server-pid", "0"},
               {"out", ""}});
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(64 << 20);
  args.SetMaxReceiveMessageSize(64 << 20);
  // Reconnect quickly: with gRPC's default backoff (1 s, growing) `--mode wait` would measure
  // the client's backoff rather than the server's restart.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 10);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 10);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 50);
  auto channel =
      grpc::CreateCustomChannel(flags.Str("server"), grpc::InsecureChannelCredentials(), args);
  if (flags.Str("mode") == "wait") return WaitMode(channel, flags.Double("timeout"));
  g_server_pid = static_cast<int>(flags.U64("server-pid"));
  if (flags.Str("mode") == "ping") return PingMode(channel, flags.U64("queries"));

  std::ifstream in(flags.Str("bootstrap-token"));
  std::string regulator;
  std::getline(in, regulator);
  if (regulator.empty()) {
    std::fprintf(stderr, "origo_loadgen: no token in %s\n", flags.Str("bootstrap-token").c_str());
    return 1;
  }
  const uint64_t total = flags.U64("events");
  const size_t cases = Generator::CasesFor(total, flags.U64("lots"));
  Generator generator(flags.U64("enterprises"), cases);
  if (flags.Str("mode") == "query") {
    JsonOut json;
    Queries(channel, flags.Str("http"), generator, ChainsFor(generator, 0, total),
            flags.U64("queries"), flags.Str("kinds"), json);
    return WriteJson(flags.Str("out"), json);
  }
  const int streams = static_cast<int>(flags.U64("streams"));
  JsonOut json;
  json.Add("workload.enterprises", static_cast<double>(generator.enterprises().size()));
  json.Add("workload.cases_per_chain", static_cast<double>(cases));
  json.Add("workload.streams", streams);

  auto t0 = Clock::now();
  std::vector<crypto::PrivateKey> keys = MakeKeys(generator);
  auto enrolled = Enroll(channel, regulator, generator, keys, 4);
  if (!enrolled.ok()) {
    std::fprintf(stderr, "origo_loadgen: enrolling: %s\n", enrolled.status().ToString().c_str());
    return 1;
  }
  std::vector<std::string> tokens = *std::move(enrolled);
  std::printf(
      "enrolled %zu enterprises (keys, certificates, tokens) in %.1f s; %zu cases per "
      "chain\n",
      tokens.size(), std::chrono::duration<double>(Clock::now() - t0).count(), cases);

  uint64_t chain = 0, captured = 0;
  auto phase = [&](uint64_t events, size_t batch) {
    uint64_t end = ChainsFor(generator, chain, events);
    auto units = BuildUnits(generator, chain, end, batch, keys, UnixMs());
    chain = end;
    return units;
  };
  {
    auto units = phase(flags.U64("b1-events"), 1);
    PhaseResult r = Capture(channel, tokens, units, streams, 0);
    captured += r.events;
    Report(json, "b1", 1, streams, r);
  }
  {
    // The same, with kPipelinedWindow batches in flight on each stream, as `origo sync` sends:
    // what the server takes when every event is signed on its own, rather than what 8 clients
    // waiting for each acknowledgement can send.
    auto units = phase(flags.U64("b1w-events"), 1);
    PhaseResult r = Capture(channel, tokens, units, streams, 0, kPipelinedWindow);
    captured += r.events;
    Report(json, "b1w", 1, streams, r);
    json.Add("capture.b1w.window", static_cast<double>(kPipelinedWindow));
  }
  double b16_rate = 0;
  {
    auto units = phase(flags.U64("b16-events"), 16);
    PhaseResult r = Capture(channel, tokens, units, streams, 0);
    captured += r.events;
    b16_rate = r.EventsPerSecond();
    Report(json, "b16", 16, streams, r);
  }
  {
    // Half of b16's rate, spread over the same streams: each stream sends one batch every
    // streams x 16 / (rate / 2) seconds.
    auto units = phase(flags.U64("b16-events") / 2, 16);
    const double interval = streams * 16.0 / (b16_rate / 2);
    PhaseResult r = Capture(channel, tokens, units, streams, interval);
    captured += r.events;
    Report(json, "paced", 16, streams, r);
    json.Add("capture.paced.target_events_per_s", b16_rate / 2);
  }
  PhaseResult fill;
  while (captured + fill.events < total) {
    const uint64_t want = std::min(flags.U64("chunk-events"), total - captured - fill.events);
    auto units = phase(want, 256);
    PhaseResult r = Capture(channel, tokens, units, streams, 0);
    fill.events += r.events;
    fill.batches += r.batches;
    fill.seconds += r.seconds;
    fill.server_cpu_s += r.server_cpu_s;
    fill.ack_ms.insert(fill.ack_ms.end(), r.ack_ms.begin(), r.ack_ms.end());
    std::fprintf(stderr, "  b256 fill: %llu / %llu events\n",
                 static_cast<unsigned long long>(captured + fill.events),
                 static_cast<unsigned long long>(total));
  }
  captured += fill.events;
  Report(json, "b256", 256, streams, fill);
  json.Add("workload.chains", static_cast<double>(chain));
  json.Add("workload.events", static_cast<double>(captured));
  uint64_t lots = 0;
  for (uint64_t c = 0; c < chain; ++c) lots += generator.MakeChain(c).lots.size();
  json.Add("workload.lots", static_cast<double>(lots));
  std::printf("log: %llu events, %llu chains, %llu lots\n",
              static_cast<unsigned long long>(captured), static_cast<unsigned long long>(chain),
              static_cast<unsigned long long>(lots));

  Queries(channel, flags.Str("http"), generator, chain, flags.U64("queries"), flags.Str("kinds"),
          json);
  return WriteJson(flags.Str("out"), json);
}

}  // namespace
}  // namespace origo::bench

int main(int argc, char** argv) { return origo::bench::Main(argc, argv); }
