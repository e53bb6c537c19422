// pg_peer: the PostgreSQL baseline of issue 9, doing the same work the way a typical traceability
// platform does it, on the same synthetic chains (bench/loadgen/chains.h) as origo_loadgen.
//
// Ingest service (one libpq connection per concurrent stream, like one service worker each):
// for every signed batch it parses the manifest, looks the key up in its in-memory key cache,
// verifies the signature and the batch root (core/batch VerifyBatch, the same code Origo runs),
// parses and structurally validates each EPCIS event (core/epcis ParseEvent), derives the
// identifiers it touches and its lineage edges (transformation input -> output, aggregation
// child -> parent, as Origo's lineage index does), and writes them in ONE transaction per batch:
//   batches(batch_id, usci, manifest, signature)
//   events(event_id PK, batch_id, usci, type, biz_step, event_time timestamptz, body jsonb)
//   identifiers(identifier, event_id) PK(identifier, event_id)
//   edges(from_id, to_id, kind, event_id) with indexes on both ends
// with multi-row INSERTs (one statement per table per batch, ON CONFLICT DO NOTHING for
// idempotent retries) and synchronous_commit on, so an acknowledged batch is durable as Origo's.
// It does not run sector rules (ownership, mass balance, halal, GI): those need reads of prior
// state per event, which a typical platform does later or not at all; leaving them out favours
// the peer.
//
// Trace back / forward: one recursive CTE over edges (depth <= 32), then every node's events
// (JSONB bodies) through the identifiers table, at most 1000 nodes, as Origo's TraceBack returns
// every node's view. Item page: the item's events plus its lot's.
//
// Why libpq and not libpqxx: libpq is PostgreSQL's own C client, what every higher-level driver
// wraps; the peer needs only prepared-free parameterised statements, so libpqxx would add a
// dependency without changing the work done.
//
//   pg_peer --conninfo "host=/tmp/pg dbname=postgres" --enterprises 300 --events 300000 ...

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <thread>
#include <unordered_map>

#include "bench/loadgen/chains.h"
#include "bench/loadgen/workload.h"
#include "core/batch/batch.h"
#include "core/crypto/hash.h"
#include "core/epcis/event.h"
#include "core/gs1/digital_link.h"

namespace origo::bench {
namespace {

using Clock = std::chrono::steady_clock;

PGconn* Connect(const std::string& conninfo) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::fprintf(stderr, "pg_peer: connect: %s", PQerrorMessage(c));
    std::exit(1);
  }
  return c;
}

void Exec(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
    std::fprintf(stderr, "pg_peer: %s: %s", sql.substr(0, 80).c_str(), PQerrorMessage(c));
    std::exit(1);
  }
  PQclear(r);
}

// A parameterised statement built row by row.
class Insert {
 public:
  Insert(std::string head, std::string tail, int columns)
      : sql_(std::move(head)), tail_(std::move(tail)), columns_(columns) {}
  void Row(std::vector<std::string> values, std::vector<int> binary = {}) {
    sql_ += rows_++ ? ",(" : " VALUES (";
    for (int i = 0; i < columns_; ++i) {
      sql_ += (i ? ",$" : "$") + std::to_string(values_.size() + 1);
      values_.push_back(std::move(values[static_cast<size_t>(i)]));
      formats_.push_back(binary.empty() ? 0 : binary[static_cast<size_t>(i)]);
    }
    sql_ += ")";
  }
  void Run(PGconn* c) {
    if (!rows_) return;
    std::string sql = sql_ + " " + tail_;
    std::vector<const char*> ptrs;
    std::vector<int> lengths;
    for (const auto& v : values_) {
      ptrs.push_back(v.data());
      lengths.push_back(static_cast<int>(v.size()));
    }
    PGresult* r = PQexecParams(c, sql.c_str(), static_cast<int>(ptrs.size()), nullptr, ptrs.data(),
                               lengths.data(), formats_.data(), 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      std::fprintf(stderr, "pg_peer: insert: %s", PQerrorMessage(c));
      std::exit(1);
    }
    PQclear(r);
  }

 private:
  std::string sql_, tail_;
  int columns_, rows_ = 0;
  std::vector<std::string> values_;
  std::vector<int> formats_;
};

std::string Canon(const std::string& uri) {
  auto link = gs1::ParseDigitalLink(uri);
  return link.ok() ? link->CanonicalPath() : uri;
}

using KeyCache = std::unordered_map<std::string, std::pair<std::string, crypto::PublicKey>>;

// The ingest service's work for one batch; returns events written.
uint64_t Ingest(PGconn* c, const KeyCache& keys, const origo::v1::SignedBatch& b) {
  auto manifest = batch::ParseManifest(b.manifest());
  if (!manifest.ok()) std::abort();
  auto key = keys.find(manifest->key_id());
  if (key == keys.end() || key->second.first != manifest->enterprise()) std::abort();
  if (!batch::VerifyBatch(b, *manifest, key->second.second).ok()) std::abort();
  const std::string batch_id = crypto::HexEncode(crypto::Sha256(b.manifest()));
  Insert batches("INSERT INTO batches(batch_id, usci, manifest, signature)",
                 "ON CONFLICT DO NOTHING", 4);
  batches.Row({batch_id, manifest->enterprise(), b.manifest(), b.signature()}, {0, 0, 1, 1});
  Insert events("INSERT INTO events(event_id, batch_id, usci, type, biz_step, event_time, body)",
                "ON CONFLICT DO NOTHING", 7);
  Insert ids("INSERT INTO identifiers(identifier, event_id)", "ON CONFLICT DO NOTHING", 2);
  Insert edges("INSERT INTO edges(from_id, to_id, kind, event_id)", "", 4);
  epcis::ValidationOptions options;
  options.now_unix_ms = UnixMs();
  for (const auto& bytes : b.events()) {
    auto parsed = epcis::ParseEvent(bytes, options);
    if (!parsed.ok()) {
      std::fprintf(stderr, "pg_peer: %s\n", parsed.status().ToString().c_str());
      std::exit(1);
    }
    const auto& ev = parsed->event;
    const std::string& id = parsed->event_id_hex;
    events.Row(
        {id, batch_id, manifest->enterprise(), ev.type(), ev.biz_step(), ev.event_time(), bytes});
    for (const auto& i : parsed->identifiers) ids.Row({i, id});
    std::vector<std::string> inputs, outputs;
    for (const auto& e : ev.input_epc_list()) inputs.push_back(Canon(e));
    for (const auto& q : ev.input_quantity_list()) inputs.push_back(Canon(q.epc_class()));
    for (const auto& e : ev.output_epc_list()) outputs.push_back(Canon(e));
    for (const auto& q : ev.output_quantity_list()) outputs.push_back(Canon(q.epc_class()));
    for (const auto& o : outputs) {
      for (const auto& i : inputs) edges.Row({i, o, "transform", id});
    }
    if (!ev.parent_id().empty() && ev.action() == "ADD") {
      const std::string parent = Canon(ev.parent_id());
      for (const auto& ch : ev.child_epcs()) edges.Row({Canon(ch), parent, "aggregate", id});
      for (const auto& q : ev.child_quantity_list()) {
        edges.Row({Canon(q.epc_class()), parent, "aggregate", id});
      }
    }
  }
  Exec(c, "BEGIN");
  batches.Run(c);
  events.Run(c);
  ids.Run(c);
  edges.Run(c);
  Exec(c, "COMMIT");
  return static_cast<uint64_t>(b.events_size());
}

struct PhaseResult {
  uint64_t events = 0;
  double seconds = 0;
  double cpu_s = 0;  // this ingest service plus the PostgreSQL backends serving it
  std::vector<double> ack_ms;
};

PhaseResult Capture(const std::string& conninfo, const KeyCache& keys,
                    const std::vector<Unit>& units, int streams) {
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> events{0};
  std::vector<std::vector<double>> acks(static_cast<size_t>(streams));
  std::vector<PGconn*> conns;
  std::vector<int> backends;
  for (int t = 0; t < streams; ++t) {
    conns.push_back(Connect(conninfo));
    backends.push_back(PQbackendPID(conns.back()));
  }
  auto cpu = [&] {
    double s = ProcessCpuSeconds(static_cast<int>(getpid()));
    for (int pid : backends) s += ProcessCpuSeconds(pid);
    return s;
  };
  const double cpu_before = cpu();
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < streams; ++t) {
    workers.emplace_back([&, t] {
      for (size_t u = next++; u < units.size(); u = next++) {
        for (const auto& b : units[u].batches) {
          const auto sent = Clock::now();
          events += Ingest(conns[static_cast<size_t>(t)], keys, b);
          acks[static_cast<size_t>(t)].push_back(
              std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  PhaseResult r;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.cpu_s = cpu() - cpu_before;
  r.events = events;
  for (auto& a : acks) r.ack_ms.insert(r.ack_ms.end(), a.begin(), a.end());
  for (PGconn* c : conns) PQfinish(c);
  return r;
}

void Report(JsonOut& json, const std::string& name, int batch, int streams, PhaseResult& r) {
  const double rate = r.seconds > 0 ? static_cast<double>(r.events) / r.seconds : 0;
  const double p50 = Percentile(r.ack_ms, 0.5), p99 = Percentile(r.ack_ms, 0.99);
  std::printf(
      "pg capture %-5s batch %4d streams %2d: %9llu events in %7.2f s = %9.0f events/s, "
      "ack p50 %7.2f ms p99 %7.2f ms\n",
      name.c_str(), batch, streams, static_cast<unsigned long long>(r.events), r.seconds, rate, p50,
      p99);
  std::fflush(stdout);
  json.Add("pg.capture." + name + ".events", static_cast<double>(r.events));
  json.Add("pg.capture." + name + ".seconds", r.seconds);
  json.Add("pg.capture." + name + ".events_per_s", rate);
  json.Add("pg.capture." + name + ".ack_p50_ms", p50);
  json.Add("pg.capture." + name + ".ack_p99_ms", p99);
  if (r.events && r.cpu_s > 0) {
    const double us = 1e6 * r.cpu_s / static_cast<double>(r.events);
    std::printf("  ingest service + backends CPU: %.1f s, %.0f us per event\n", r.cpu_s, us);
    json.Add("pg.capture." + name + ".cpu_us_per_event", us);
  }
}

constexpr char kSchema[] = R"sql(
SET client_min_messages = warning;
DROP TABLE IF EXISTS edges, identifiers, events, batches, enterprise_keys;
CREATE TABLE enterprise_keys(key_id text PRIMARY KEY, usci text NOT NULL, public_key_pem text);
CREATE TABLE batches(batch_id text PRIMARY KEY, usci text NOT NULL, manifest bytea NOT NULL,
                     signature bytea NOT NULL);
CREATE TABLE events(event_id text PRIMARY KEY, batch_id text NOT NULL REFERENCES batches,
                    usci text NOT NULL, type text NOT NULL, biz_step text,
                    event_time timestamptz NOT NULL, body jsonb NOT NULL);
CREATE TABLE identifiers(identifier text NOT NULL, event_id text NOT NULL REFERENCES events,
                         PRIMARY KEY(identifier, event_id));
CREATE TABLE edges(from_id text NOT NULL, to_id text NOT NULL, kind text NOT NULL,
                   event_id text NOT NULL REFERENCES events);
CREATE INDEX edges_to ON edges(to_id);
CREATE INDEX edges_from ON edges(from_id);
)sql";

// Upstream (back) or downstream nodes within 32 hops, each with its events, at most 1000 nodes.
constexpr char kTraceBack[] = R"sql(
WITH RECURSIVE walk(id, depth) AS (
  SELECT $1::text, 0
  UNION
  SELECT e.from_id, w.depth + 1 FROM edges e JOIN walk w ON e.to_id = w.id WHERE w.depth < 32)
SELECT n.id, n.depth,
       (SELECT jsonb_agg(ev.body ORDER BY ev.event_time) FROM identifiers i
          JOIN events ev ON ev.event_id = i.event_id WHERE i.identifier = n.id) AS events
FROM (SELECT id, min(depth) AS depth FROM walk GROUP BY id ORDER BY 2 LIMIT 1000) n
)sql";
constexpr char kTraceForward[] = R"sql(
WITH RECURSIVE walk(id, depth) AS (
  SELECT $1::text, 0
  UNION
  SELECT e.to_id, w.depth + 1 FROM edges e JOIN walk w ON e.from_id = w.id WHERE w.depth < 32)
SELECT n.id, n.depth,
       (SELECT jsonb_agg(ev.body ORDER BY ev.event_time) FROM identifiers i
          JOIN events ev ON ev.event_id = i.event_id WHERE i.identifier = n.id) AS events
FROM (SELECT id, min(depth) AS depth FROM walk GROUP BY id ORDER BY 2 LIMIT 1000) n
)sql";
constexpr char kItem[] = R"sql(
SELECT n.id, (SELECT jsonb_agg(ev.body ORDER BY ev.event_time) FROM identifiers i
                JOIN events ev ON ev.event_id = i.event_id WHERE i.identifier = n.id)
FROM (SELECT $1::text AS id
      UNION SELECT from_id FROM edges WHERE to_id = $1 AND kind = 'transform') n
)sql";

struct QueryStats {
  std::vector<double> ms;
  uint64_t rows = 0;
  void Add(const std::string& name, JsonOut& json) {
    const double p50 = Percentile(ms, 0.5), p99 = Percentile(ms, 0.99);
    const double avg = ms.empty() ? 0 : static_cast<double>(rows) / static_cast<double>(ms.size());
    std::printf("pg query %-13s %6zu calls: p50 %7.3f ms p99 %7.3f ms (avg nodes %.1f)\n",
                name.c_str(), ms.size(), p50, p99, avg);
    json.Add("pg.query." + name + ".p50_ms", p50);
    json.Add("pg.query." + name + ".p99_ms", p99);
    json.Add("pg.query." + name + ".avg_nodes", avg);
  }
};

double Query(PGconn* c, const char* sql, const std::string& arg, uint64_t* rows) {
  const char* values[] = {arg.c_str()};
  const auto t0 = Clock::now();
  PGresult* r = PQexecParams(c, sql, 1, nullptr, values, nullptr, nullptr, 0);
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    std::fprintf(stderr, "pg_peer: query: %s", PQerrorMessage(c));
    std::exit(1);
  }
  *rows += static_cast<uint64_t>(PQntuples(r));
  PQclear(r);
  return ms;
}

int Main(int argc, char** argv) {
  Flags flags(argc, argv,
              {{"conninfo", "dbname=postgres"},
               {"enterprises", "300"},
               {"events", "300000"},
               {"lots", "20000"},
               {"streams", "8"},
               {"b1-events", "10000"},
               {"b16-events", "50000"},
               {"max-events", "0"},
               {"chunk-events", "500000"},
               {"queries", "2000"},
               {"out", ""}});
  const std::string conninfo = flags.Str("conninfo");
  const uint64_t total = flags.U64("events");
  // The chains match origo_loadgen's for the same flags; --max-events stops the scale fill
  // early (the 10M run), and the queries then sample only what was loaded.
  const uint64_t stop = flags.U64("max-events") ? std::min(total, flags.U64("max-events")) : total;
  const size_t cases = Generator::CasesFor(total, flags.U64("lots"));
  Generator generator(flags.U64("enterprises"), cases);
  const int streams = static_cast<int>(flags.U64("streams"));
  JsonOut json;

  PGconn* admin = Connect(conninfo);
  Exec(admin, kSchema);
  std::vector<crypto::PrivateKey> keys = MakeKeys(generator);
  KeyCache cache;
  for (size_t i = 0; i < keys.size(); ++i) {
    const crypto::PublicKey pub = keys[i].Public();
    const std::string usci = generator.enterprises()[i].usci;
    cache.emplace(pub.KeyId(), std::make_pair(usci, pub));
    Insert row("INSERT INTO enterprise_keys(key_id, usci, public_key_pem)", "", 3);
    row.Row({pub.KeyId(), usci, pub.ToPem()});
    row.Run(admin);
  }

  uint64_t chain = 0, loaded = 0;
  auto phase = [&](uint64_t events, size_t batch) {
    uint64_t end = ChainsFor(generator, chain, events);
    auto units = BuildUnits(generator, chain, end, batch, keys, UnixMs());
    chain = end;
    return units;
  };
  {
    auto units = phase(flags.U64("b1-events"), 1);
    PhaseResult r = Capture(conninfo, cache, units, streams);
    loaded += r.events;
    Report(json, "b1", 1, streams, r);
  }
  {
    auto units = phase(flags.U64("b16-events"), 16);
    PhaseResult r = Capture(conninfo, cache, units, streams);
    loaded += r.events;
    Report(json, "b16", 16, streams, r);
  }
  // Origo's paced phase: same chains, loaded here at full speed (not timed as a phase).
  {
    auto units = phase(flags.U64("b16-events") / 2, 16);
    loaded += Capture(conninfo, cache, units, streams).events;
  }
  PhaseResult fill;
  while (loaded + fill.events < stop) {
    auto units = phase(std::min(flags.U64("chunk-events"), stop - loaded - fill.events), 256);
    PhaseResult r = Capture(conninfo, cache, units, streams);
    fill.events += r.events;
    fill.seconds += r.seconds;
    fill.cpu_s += r.cpu_s;
    fill.ack_ms.insert(fill.ack_ms.end(), r.ack_ms.begin(), r.ack_ms.end());
    std::fprintf(stderr, "  pg b256 fill: %llu / %llu events\n",
                 static_cast<unsigned long long>(loaded + fill.events),
                 static_cast<unsigned long long>(stop));
  }
  loaded += fill.events;
  Report(json, "b256", 256, streams, fill);
  json.Add("pg.workload.events", static_cast<double>(loaded));
  Exec(admin, "ANALYZE");
  PGresult* size = PQexec(admin, "SELECT pg_database_size(current_database())");
  if (PQresultStatus(size) == PGRES_TUPLES_OK) {
    const double bytes = std::stod(PQgetvalue(size, 0, 0));
    json.Add("pg.database_bytes", bytes);
    json.Add("pg.bytes_per_event", bytes / static_cast<double>(loaded));
    std::printf("pg database: %.1f MiB, %.0f bytes/event\n", bytes / (1 << 20),
                bytes / static_cast<double>(loaded));
  }
  PQclear(size);

  std::mt19937_64 rng(42);  // the same sample as origo_loadgen's queries when fully loaded
  QueryStats back, forward, item;
  for (uint64_t q = 0; q < flags.U64("queries"); ++q) {
    const Chain c = generator.MakeChain(rng() % chain);
    const std::string& it = c.items[rng() % c.items.size()];
    back.ms.push_back(Query(admin, kTraceBack, it, &back.rows));
    forward.ms.push_back(Query(admin, kTraceForward, c.lots[0], &forward.rows));
    item.ms.push_back(Query(admin, kItem, it, &item.rows));
    rng();  // origo_loadgen draws an event for its proof here
  }
  back.Add("trace_back", json);
  forward.Add("trace_forward", json);
  item.Add("item", json);
  PQfinish(admin);
  if (!flags.Str("out").empty()) std::ofstream(flags.Str("out")) << json.Text();
  return 0;
}

}  // namespace
}  // namespace origo::bench

int main(int argc, char** argv) { return origo::bench::Main(argc, argv); }
