// trace_bench: TraceBack latency over 10-hop chains in a store of at least 1M events.
//
// Builds the store through EventLog::Append exactly as the sequencer does (leaves, tree nodes,
// identifier index and lineage facts/edges in one synced WriteBatch per 10,000 events): filler
// commissioning events on distinct lots, with 10-hop transformation chains spread through the
// log. Then times Provenance::TraceBack (the server-side call behind the gRPC method, one snapshot
// per trace) from each chain's last lot. Prints numbers; not a pass/fail test.
//
//   trace_bench [--events N] [--chains C] [--traces T] [--dir PATH]
//   trace_bench --store DIR [--traces T] [--dump FILE]
//
// With --store, opens an existing (stopped) origod data directory instead, e.g. one origo_loadgen
// filled, and times the query mix's server-side calls in process: TraceBack and GetItem from
// random serialised items, TraceForward from random origin lots (lots with downstream edges and
// none upstream). Each call is made T times (default 2000) in three rounds. --dump writes the
// responses for the first 200 identifiers of each kind as text to FILE instead (to compare builds).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto/hash.h"
#include "core/merkle/merkle.h"
#include "google/protobuf/text_format.h"
#include "services/provenance/provenance.h"
#include "storage/credit_archive.h"
#include "storage/event_log.h"
#include "storage/key_encoding.h"
#include "storage/lineage_index.h"
#include "storage/registry_store.h"

namespace {

using namespace origo;

constexpr char kUsci[] = "91640521MA76GJ0Q1B";
constexpr int kHops = 10;

std::string LotPath(const std::string& lot) { return "/01/06971234000101/10/" + lot; }

storage::LeafToAppend MakeLeaf(uint64_t n, rules::Effects fx,
                               const std::vector<std::string>& identifiers) {
  storage::LeafToAppend leaf;
  // A leaf of realistic size (~400 bytes: event JSON, manifest, signature, path).
  leaf.leaf = "event-" + std::to_string(n) + std::string(400, 'x');
  auto digest = crypto::Sha256(leaf.leaf);
  leaf.event_id.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
  leaf.leaf_hash = merkle::LeafHash(leaf.leaf);
  leaf.identifiers = identifiers;
  fx.event_id = leaf.event_id;
  leaf.index_puts = storage::LineageIndex::Encode(std::move(fx));
  return leaf;
}

origo::store::v1::LineageFact Fact(origo::store::v1::FactRole role, int64_t t) {
  origo::store::v1::LineageFact f;
  f.set_role(role);
  f.set_signer(kUsci);
  f.set_owner(kUsci);
  f.set_event_time_ms(t);
  f.set_quantity(100);
  f.set_uom("KGM");
  f.set_biz_step("urn:origo:bizstep:drying");
  f.set_read_point("/414/6971234000019");
  (*f.mutable_attributes())["harvestDate"] = "2026-08-20";
  return f;
}

// CPU time of this thread: less disturbed than wall time by other work on a shared machine.
double ThreadCpuMicros() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// Times `call(id)` over `ids` (cycled) `count` times; prints p50 / p99 and the average size.
void TimeCalls(const char* name, const std::vector<std::string>& ids, uint64_t count,
               const std::function<std::pair<size_t, size_t>(const std::string&)>& call) {
  if (ids.empty()) return;
  std::vector<double> micros;
  size_t nodes = 0, bytes = 0;
  double slowest = 0;
  const std::string* slowest_id = nullptr;
  const double cpu_start = ThreadCpuMicros();
  for (uint64_t i = 0; i < count; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto [n, b] = call(ids[i % ids.size()]);
    nodes += n;
    bytes += b;
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    if (micros.back() > slowest) {
      slowest = micros.back();
      slowest_id = &ids[i % ids.size()];
    }
  }
  const double cpu = (ThreadCpuMicros() - cpu_start) / static_cast<double>(count);
  std::sort(micros.begin(), micros.end());
  auto pct = [&](double p) { return micros[static_cast<size_t>(p * (micros.size() - 1))]; };
  std::printf(
      "  %-13s %6llu calls: p50 %6.0f us p99 %6.0f us, CPU %6.0f us/call (avg nodes %.1f, "
      "%.0f bytes)\n",
      name, static_cast<unsigned long long>(count), pct(0.5), pct(0.99), cpu,
      static_cast<double>(nodes) / static_cast<double>(count),
      static_cast<double>(bytes) / static_cast<double>(count));
  std::printf("    slowest %.0f us: %s\n", slowest, slowest_id->c_str());
}

// --store mode (see the file comment).
int RunOnStore(const std::string& dir, uint64_t count, const std::string& dump) {
  storage::StoreOptions options;
  options.create_if_missing = false;
  auto opened = storage::Store::Open(dir, options);
  if (!opened.ok()) {
    std::fprintf(stderr, "open %s: %s\n", dir.c_str(), opened.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<storage::Store> store = *std::move(opened);
  storage::RegistryStore registry(store.get());
  storage::LineageIndex lineage(store.get(), &registry);
  auto log = storage::EventLog::Open(store.get()).value();
  auto engine = rules::Engine::Create({}).value();
  provenance::Provenance provenance(&lineage, log.get(), engine.get());
  storage::CreditArchive archive(store.get());
  provenance.SetCredit(&archive, nullptr);  // the blacklist flag, as origod reads it

  // Identifiers: items from the fact keys ('F' str id, ...), origin lots from the edges.
  std::set<std::string> items, from, has_upstream;
  auto view = store->Snapshot();
  auto it = view->NewIterator(storage::ColumnFamily::kProvenance);
  for (it->Seek("F"); it->Valid() && it->key()[0] == 'F'; it->Next()) {
    storage::KeyReader reader(it->key().ToStringView().substr(1));
    std::string_view id;
    if (reader.GetString(&id) && id.find("/21/") != std::string_view::npos) items.emplace(id);
  }
  it = view->NewIterator(storage::ColumnFamily::kLineageForward);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    storage::KeyReader reader(it->key().ToStringView());
    std::string_view a, b;
    if (!reader.GetString(&a) || !reader.GetString(&b)) continue;
    from.emplace(a);
    has_upstream.emplace(b);
  }
  it.reset();
  view.reset();
  std::vector<std::string> item_ids(items.begin(), items.end()), origins;
  for (const std::string& id : from) {
    if (!has_upstream.count(id) && id.find("/10/") != std::string::npos) origins.push_back(id);
  }
  std::mt19937_64 rng(42);
  std::shuffle(item_ids.begin(), item_ids.end(), rng);
  std::shuffle(origins.begin(), origins.end(), rng);
  std::printf("store %s: %llu events, %zu items, %zu origin lots\n", dir.c_str(),
              static_cast<unsigned long long>(log->Head().size), item_ids.size(), origins.size());
  for (auto cf : {storage::ColumnFamily::kProvenance, storage::ColumnFamily::kLineageForward,
                  storage::ColumnFamily::kLineageBackward}) {
    std::string files;
    store->db()->GetProperty(store->Family(cf), "rocksdb.levelstats", &files);
    std::printf("%s:\n%s", std::string(storage::ColumnFamilyName(cf)).c_str(), files.c_str());
  }
  if (!dump.empty()) {
    std::string out;
    auto add = [&](const std::string& what, const google::protobuf::Message& m) {
      std::string text;
      google::protobuf::TextFormat::PrintToString(m, &text);
      out += "== " + what + "\n" + text;
    };
    for (size_t i = 0; i < 200; ++i) {
      origo::v1::TraceRequest request;
      if (i < item_ids.size()) {
        request.set_id(item_ids[i]);
        auto back = provenance.TraceBack(request);
        add("TraceBack " + item_ids[i] + " " + back.status().ToString(),
            back.ok() ? *back : origo::v1::TraceResponse());
        auto item = provenance.GetItem(item_ids[i]);
        add("GetItem " + item_ids[i] + " " + item.status().ToString(),
            item.ok() ? *item : origo::v1::GetItemResponse());
        auto lot = provenance.GetLot(item_ids[i]);
        add("GetLot " + item_ids[i] + " " + lot.status().ToString(),
            lot.ok() ? *lot : origo::v1::LotView());
      }
      if (i < origins.size()) {
        request.set_id(origins[i]);
        auto forward = provenance.TraceForward(request);
        add("TraceForward " + origins[i] + " " + forward.status().ToString(),
            forward.ok() ? *forward : origo::v1::TraceResponse());
        request.set_max_nodes(7);
        forward = provenance.TraceForward(request);
        add("TraceForward/7 " + origins[i] + " " + forward.status().ToString(),
            forward.ok() ? *forward : origo::v1::TraceResponse());
        auto resolved = provenance.Resolve("https://id.example.com" + origins[i]);
        add("Resolve " + origins[i] + " " + resolved.status().ToString(),
            resolved.ok() ? *resolved : origo::v1::ResolveResponse());
      }
    }
    std::ofstream(dump) << out;
    return store->Close().ok() ? 0 : 1;
  }
  auto fail = [](const absl::Status& status) {
    std::fprintf(stderr, "call: %s\n", status.ToString().c_str());
    std::exit(1);
  };
  for (int round = 1; round <= 3; ++round) {
    std::printf("round %d\n", round);
    TimeCalls("trace_back", item_ids, count, [&](const std::string& id) {
      origo::v1::TraceRequest request;
      request.set_id(id);
      auto trace = provenance.TraceBack(request);
      if (!trace.ok()) fail(trace.status());
      return std::make_pair(static_cast<size_t>(trace->nodes_size()), trace->ByteSizeLong());
    });
    TimeCalls("trace_forward", origins, count, [&](const std::string& id) {
      origo::v1::TraceRequest request;
      request.set_id(id);
      auto trace = provenance.TraceForward(request);
      if (!trace.ok()) fail(trace.status());
      return std::make_pair(static_cast<size_t>(trace->nodes_size()), trace->ByteSizeLong());
    });
    TimeCalls("item", item_ids, count, [&](const std::string& id) {
      auto item = provenance.GetItem(id);
      if (!item.ok()) fail(item.status());
      return std::make_pair(size_t{1}, item->ByteSizeLong());
    });
  }
  return store->Close().ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t events = 1000000, chains = 200, traces = 2000;
  std::string dir = "/tmp/origo-trace-bench", existing, dump;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--events") events = std::strtoull(argv[i + 1], nullptr, 10);
    if (flag == "--chains") chains = std::strtoull(argv[i + 1], nullptr, 10);
    if (flag == "--traces") traces = std::strtoull(argv[i + 1], nullptr, 10);
    if (flag == "--dir") dir = argv[i + 1];
    if (flag == "--store") existing = argv[i + 1];
    if (flag == "--dump") dump = argv[i + 1];
  }
  if (!existing.empty()) return RunOnStore(existing, traces, dump);
  std::filesystem::remove_all(dir);
  auto store = storage::Store::Open(dir).value();
  storage::RegistryStore registry(store.get());
  origo::v1::Enterprise enterprise;
  enterprise.set_usci(kUsci);
  enterprise.set_name("bench grower");
  if (!registry.RegisterEnterprise(enterprise).ok()) return 1;
  storage::LineageIndex lineage(store.get(), &registry);
  auto log = storage::EventLog::Open(store.get()).value();
  auto engine = rules::Engine::Create({}).value();
  provenance::Provenance provenance(&lineage, log.get(), engine.get());

  // Chain c's hop h is written at event position spread evenly through the log.
  const uint64_t chain_events = chains * (kHops + 1);
  const uint64_t stride = std::max<uint64_t>(1, events / std::max<uint64_t>(1, chain_events));
  auto started = std::chrono::steady_clock::now();
  std::vector<storage::LeafToAppend> batch;
  uint64_t next_chain_event = 0;
  for (uint64_t n = 0; n < events; ++n) {
    rules::Effects fx;
    std::vector<std::string> ids;
    const int64_t t = 1786000000000 + static_cast<int64_t>(n);
    if (n % stride == 0 && next_chain_event < chain_events) {
      uint64_t c = next_chain_event % chains, h = next_chain_event / chains;
      ++next_chain_event;
      std::string out = LotPath("C" + std::to_string(c) + "-H" + std::to_string(h));
      fx.AddFact(out, Fact(origo::store::v1::FACT_CREATED, t));
      ids.push_back(out);
      if (h > 0) {
        std::string in = LotPath("C" + std::to_string(c) + "-H" + std::to_string(h - 1));
        fx.AddFact(in, Fact(origo::store::v1::FACT_CONSUMED, t));
        rules::Edge e;
        e.from = in;
        e.to = out;
        e.edge.set_kind(origo::store::v1::EDGE_TRANSFORM);
        e.edge.set_event_time_ms(t);
        fx.edges.push_back(e);
        ids.push_back(in);
      }
    } else {
      std::string lot = LotPath("F" + std::to_string(n));
      fx.AddFact(lot, Fact(origo::store::v1::FACT_CREATED, t));
      ids.push_back(lot);
    }
    batch.push_back(MakeLeaf(n, std::move(fx), ids));
    if (batch.size() == 10000 || n + 1 == events) {
      std::vector<const storage::LeafToAppend*> ptrs;
      for (const auto& l : batch) ptrs.push_back(&l);
      auto appended = log->Append(ptrs);
      if (!appended.ok()) {
        std::fprintf(stderr, "append: %s\n", appended.status().ToString().c_str());
        return 1;
      }
      batch.clear();
    }
  }
  double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("store: %llu events (%llu chains x %d hops) written in %.1f s; %.0f MB on disk\n",
              static_cast<unsigned long long>(log->Head().size),
              static_cast<unsigned long long>(chains), kHops, load_s,
              static_cast<double>(store->Stats().TotalBytes()) / 1e6);

  // Round 1 runs right after the load (flushes and compactions in the background); round 2
  // after a flush, once every chain has been traced once (steady state).
  for (int round = 1; round <= 3; ++round) {
    if (round == 2) {
      if (!store->Flush().ok()) return 1;
    }
    if (round == 3) {  // wait (at most 5 min) until no compaction runs or is pending
      for (int i = 0; i < 600; ++i) {
        uint64_t running = 0, pending = 0;
        store->db()->GetIntProperty("rocksdb.num-running-compactions", &running);
        store->db()->GetAggregatedIntProperty("rocksdb.compaction-pending", &pending);
        if (running == 0 && pending == 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
    }
    std::vector<double> micros;
    size_t nodes = 0;
    for (uint64_t i = 0; i < traces; ++i) {
      origo::v1::TraceRequest request;
      request.set_id(LotPath("C" + std::to_string(i % chains) + "-H" + std::to_string(kHops)));
      auto t0 = std::chrono::steady_clock::now();
      auto trace = provenance.TraceBack(request);
      auto t1 = std::chrono::steady_clock::now();
      if (!trace.ok()) {
        std::fprintf(stderr, "trace: %s\n", trace.status().ToString().c_str());
        return 1;
      }
      nodes = static_cast<size_t>(trace->nodes_size());
      micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    std::sort(micros.begin(), micros.end());
    auto pct = [&](double p) { return micros[static_cast<size_t>(p * (micros.size() - 1))]; };
    std::printf(
        "round %d (%s): TraceBack over %zu nodes (10 hops), %llu traces: p50 %.0f us, "
        "p99 %.0f us, max %.0f us\n",
        round,
        round == 1   ? "right after load, compactions running"
        : round == 2 ? "after flush, compactions running"
                     : "compactions done",
        nodes, static_cast<unsigned long long>(traces), pct(0.5), pct(0.99), micros.back());
  }
  (void)store->Close();
  std::filesystem::remove_all(dir);
  return 0;
}
