#include "storage/lineage_index.h"

#include <algorithm>
#include <deque>
#include <set>

#include "core/base/status_macros.h"
#include "core/batch/batch.h"
#include "core/crypto/hash.h"
#include "core/epcis/event.h"
#include "origo/v1/log.pb.h"
#include "storage/key_encoding.h"

namespace origo::storage {
namespace {

using origo::store::v1::LineageEdge;
using origo::store::v1::LineageFact;

constexpr char kFactTag = 'F';
constexpr char kInspectionTag = 'I';
constexpr char kViolationTag = 'V';
constexpr char kHarvestTag = 'H';
constexpr char kCreatedTag = 'C';  // 'C' str creator, u64 event ms, str lot, event id -> ""
constexpr char kFlagTag = 'S';     // 'S' str id, event id -> ""

// A fact that can make its identifier fold to recalled or held (rules::FoldFacts).
bool Flags(const LineageFact& fact) {
  return fact.disposition() == rules::kRecalled || fact.disposition() == rules::kHeld;
}

// A lot (AI 10) rather than a serial item or a logistic unit: what completeness counts.
bool IsLotPath(std::string_view id) {
  return id.find("/10/") != std::string_view::npos && id.find("/21/") == std::string_view::npos;
}

std::string Tagged(char tag, std::string_view id) {
  std::string key(1, tag);
  PutString(&key, id);
  return key;
}

std::string HarvestPrefix(std::string_view base, int year) {
  std::string key = Tagged(kHarvestTag, base);
  PutU16(&key, static_cast<uint16_t>(year));
  return key;
}

std::string RawId(std::string_view hex) {
  auto raw = crypto::HexDecode(hex);
  return raw.ok() ? *raw : std::string(hex);
}

// The first key after every key that starts with `prefix` ("" when there is none).
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<uint8_t>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(static_cast<uint8_t>(prefix.back()) + 1);
  return prefix;
}

// Calls `fn(key, value)` for every entry under `prefix` that `it` (unbounded or bounded at the
// prefix's end) holds, up to `limit` entries, stopping at the prefix's end itself. `it` seeks to
// `prefix` first unless `positioned` (it stands where that seek would put it). `*ran_past` says
// whether the scan ended on the first key after the prefix (or at the end of the family) rather
// than on the limit's last entry.
template <typename Fn>
absl::Status ScanWith(rocksdb::Iterator* it, ColumnFamily cf, const std::string& prefix,
                      size_t limit, Fn fn, bool positioned = false, bool* ran_past = nullptr) {
  if (ran_past != nullptr) *ran_past = false;
  if (!positioned) it->Seek(prefix);
  size_t n = 0;
  for (; n < limit && it->Valid();) {
    std::string_view key = it->key().ToStringView();
    if (key.substr(0, prefix.size()) != prefix) break;
    ORIGO_RETURN_IF_ERROR(fn(key.substr(prefix.size()), it->value().ToStringView()));
    if (++n < limit) it->Next();  // no step past the last entry wanted
  }
  if (!it->status().ok())
    return FromRocks(it->status(), "scan " + std::string(ColumnFamilyName(cf)));
  if (ran_past != nullptr) *ran_past = n < limit;
  return absl::OkStatus();
}

// ScanWith on an iterator of its own, bounded at the prefix's end: without the bound, the seek
// and the last Next walk on into the following keys (and every hidden version of them) to find
// where the prefix stops.
// An iterator at `view` over `cf`, bounded at the end of the keys that start with `prefix`; the
// bound's key lives in `*end`, which must outlive the iterator.
std::unique_ptr<rocksdb::Iterator> PrefixIterator(const Store& store, const ReadView& view,
                                                  ColumnFamily cf, const std::string& prefix,
                                                  std::string* end, rocksdb::Slice* end_slice) {
  *end = PrefixEnd(prefix);
  *end_slice = rocksdb::Slice(*end);
  rocksdb::ReadOptions options = view.options();
  if (!end->empty()) options.iterate_upper_bound = end_slice;
  return std::unique_ptr<rocksdb::Iterator>(store.db()->NewIterator(options, store.Family(cf)));
}

template <typename Fn>
absl::Status Scan(const Store& store, const ReadView& view, ColumnFamily cf,
                  const std::string& prefix, size_t limit, Fn fn) {
  std::string end;
  rocksdb::Slice end_slice;
  std::unique_ptr<rocksdb::Iterator> it = PrefixIterator(store, view, cf, prefix, &end, &end_slice);
  return ScanWith(it.get(), cf, prefix, limit, std::move(fn));
}

// The decoders of the scans, shared by the LineageIndex methods and Cursor.
class EdgeCollector {
 public:
  EdgeCollector(std::string_view id, bool upstream) : id_(id), upstream_(upstream) {}
  absl::Status operator()(std::string_view rest, std::string_view value) {
    KeyReader reader(rest);
    std::string_view other;
    if (!reader.GetString(&other)) return absl::DataLossError("lineage edge key is truncated");
    rules::Edge& e = out_.emplace_back();
    ORIGO_RETURN_IF_ERROR(DecodeValue(value, &e.edge, "lineage edge"));
    // Newer values omit the event id: it is the key's tail.
    if (e.edge.event_id().empty()) e.edge.set_event_id(crypto::HexEncode(reader.Rest()));
    e.from = upstream_ ? other : id_;
    e.to = upstream_ ? id_ : other;
    return absl::OkStatus();
  }
  std::vector<rules::Edge> Take() { return std::move(out_); }

 private:
  std::string_view id_;
  bool upstream_;
  std::vector<rules::Edge> out_;
};

// The event id of a fact key's tail (after 'F' str id): the event id alone (32 bytes, facts
// written before the log index was in the key), or u64 log index then the event id.
constexpr size_t kEventIdBytes = 32;
std::string_view FactEventId(std::string_view tail) {
  return tail.size() > kEventIdBytes ? tail.substr(tail.size() - kEventIdBytes) : tail;
}

// Newer fact values omit the event id: it is the tail of the key, `tail` here.
absl::Status RestoreEventId(std::string_view tail, LineageFact* fact) {
  if (fact->event_id().empty()) fact->set_event_id(crypto::HexEncode(FactEventId(tail)));
  return absl::OkStatus();
}
absl::Status RestoreEventId(std::string_view, origo::store::v1::StoredInspection*) {
  return absl::OkStatus();
}

template <typename Message>
class MessageCollector {
 public:
  explicit MessageCollector(const char* what) : what_(what) {}
  absl::Status operator()(std::string_view rest, std::string_view value) {
    Message& message = out_.emplace_back();
    ORIGO_RETURN_IF_ERROR(DecodeValue(value, &message, what_));
    return RestoreEventId(rest, &message);
  }
  std::vector<Message> Take() { return std::move(out_); }

 private:
  const char* what_;
  std::vector<Message> out_;
};

std::string EdgePrefix(std::string_view id) {
  std::string prefix;
  PutString(&prefix, id);
  return prefix;
}

absl::StatusOr<std::vector<rules::Edge>> ScanEdges(const Store& store, const ReadView& view,
                                                   ColumnFamily cf, std::string_view id,
                                                   bool upstream, size_t limit) {
  EdgeCollector edges(id, upstream);
  ORIGO_RETURN_IF_ERROR(Scan(store, view, cf, EdgePrefix(id), limit, std::ref(edges)));
  return edges.Take();
}

class SnapshotReader : public rules::StateReader {
 public:
  SnapshotReader(const LineageIndex* index, const ReadView* view)
      : index_(index), view_(view), cursor_(index, view) {}
  absl::StatusOr<std::vector<LineageFact>> Facts(std::string_view id) override {
    return cursor_.Facts(id);
  }
  absl::StatusOr<std::vector<const LineageFact*>> FactsOnArena(
      std::string_view id, google::protobuf::Arena* arena) override {
    return cursor_.Facts(id, arena);
  }
  absl::StatusOr<std::vector<rules::Edge>> Upstream(std::string_view id) override {
    return cursor_.Upstream(id);
  }
  absl::StatusOr<std::vector<origo::store::v1::StoredInspection>> Inspections(
      std::string_view id) override {
    return cursor_.Inspections(id);
  }
  absl::StatusOr<double> BaseHarvest(std::string_view base, int year) override {
    return index_->BaseHarvest(base, year, *view_);
  }
  absl::StatusOr<rules::EnterpriseInfo> Enterprise(std::string_view usci) override {
    rules::EnterpriseInfo info;
    auto profile = index_->registry()->GetProfile(usci);
    if (profile.status().code() == absl::StatusCode::kNotFound ||
        profile.status().code() == absl::StatusCode::kInvalidArgument) {
      return info;
    }
    if (!profile.ok()) return profile.status();
    info.registered = true;
    info.enterprise = profile->enterprise;
    info.bases = std::move(profile->bases);
    info.certificates = std::move(profile->certificates);
    return info;
  }

 private:
  const LineageIndex* index_;
  const ReadView* view_;
  LineageIndex::Cursor cursor_;
};

}  // namespace

std::vector<IndexPut> LineageIndex::Encode(rules::Effects& effects) {
  std::vector<IndexPut> puts;
  puts.reserve(effects.facts.size() + 2 * effects.edges.size() + effects.harvests.size());
  // Facts and edges are stored without their event id: every key ends in the raw id, and the
  // readers put it back (a 64-character hex string in each of ~33 values per event was a fifth
  // of what capture wrote).
  std::string event_id_hex;
  for (auto& [id, fact_ptr] : effects.facts) {
    LineageFact& fact = *fact_ptr;
    fact.mutable_event_id()->swap(event_id_hex);
    // 'F' str id, then the log index (EventLog::Append puts it in), then the event id.
    std::string key = Tagged(kFactTag, id);
    const size_t log_index_at = key.size();
    key += effects.event_id;
    puts.push_back({ColumnFamily::kProvenance, std::move(key), EncodeValue(fact), log_index_at});
    fact.mutable_event_id()->swap(event_id_hex);
    if (fact.role() == origo::store::v1::FACT_CREATED && IsLotPath(id)) {
      std::string key = Tagged(kCreatedTag, fact.signer());
      PutU64(&key, static_cast<uint64_t>(std::max<int64_t>(fact.event_time_ms(), 0)));
      PutString(&key, id);
      puts.push_back({ColumnFamily::kProvenance, key + effects.event_id, EncodeRawValue("")});
    }
    if (Flags(fact)) {
      puts.push_back(
          {ColumnFamily::kProvenance, Tagged(kFlagTag, id) + effects.event_id, EncodeRawValue("")});
    }
  }
  for (rules::Edge& e : effects.edges) {
    e.edge.mutable_event_id()->swap(event_id_hex);
    std::string value = EncodeValue(e.edge);
    e.edge.mutable_event_id()->swap(event_id_hex);
    puts.push_back(
        {ColumnFamily::kLineageForward, PairKey(e.from, e.to) + effects.event_id, value});
    puts.push_back({ColumnFamily::kLineageBackward, PairKey(e.to, e.from) + effects.event_id,
                    std::move(value)});
  }
  for (const auto& h : effects.harvests) {
    puts.push_back({ColumnFamily::kProvenance, HarvestPrefix(h.base, h.year) + effects.event_id,
                    EncodeValue(h.record)});
  }
  return puts;
}

void LineageIndex::EncodeInto(rules::Effects& effects, LeafToAppend* leaf) {
  leaf->index_puts = Encode(effects);
  if (effects.facts.empty()) return;
  absl::flat_hash_set<std::string_view> with_fact;
  with_fact.reserve(effects.facts.size());
  for (const auto& [id, fact] : effects.facts) with_fact.insert(id);
  std::erase_if(leaf->identifiers,
                [&with_fact](const std::string& id) { return with_fact.contains(id); });
}

absl::StatusOr<std::vector<uint64_t>> LineageIndex::EventsFor(const EventLog& log,
                                                              std::string_view identifier,
                                                              size_t limit, const ReadView* view,
                                                              uint64_t from) const {
  std::unique_ptr<ReadView> own;
  if (view == nullptr) {
    own = store_->Snapshot();
    view = own.get();
  }
  ORIGO_ASSIGN_OR_RETURN(std::vector<uint64_t> listed,
                         log.EventsFor(identifier, limit, view, from));
  // The facts that carry a log index, from `from` on. Facts written before the index was in
  // their keys (a 32-byte tail) sort among them by event id and are skipped: their events are in
  // the identifier index.
  std::vector<uint64_t> by_fact;
  const std::string prefix = Tagged(kFactTag, identifier);
  std::string start = prefix;
  PutU64(&start, from);
  std::string end;
  rocksdb::Slice end_slice;
  std::unique_ptr<rocksdb::Iterator> it =
      PrefixIterator(*store_, *view, ColumnFamily::kProvenance, prefix, &end, &end_slice);
  for (it->Seek(start); it->Valid() && by_fact.size() < limit; it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (key.substr(0, prefix.size()) != prefix) break;
    const std::string_view tail = key.substr(prefix.size());
    if (tail.size() != 8 + kEventIdBytes) continue;
    ORIGO_ASSIGN_OR_RETURN(uint64_t index, DecodeU64Key(tail.substr(0, 8)));
    by_fact.push_back(index);
  }
  ORIGO_RETURN_IF_ERROR(FromRocks(it->status(), "scan lineage facts"));
  std::vector<uint64_t> out;
  out.reserve(listed.size() + by_fact.size());
  std::merge(listed.begin(), listed.end(), by_fact.begin(), by_fact.end(), std::back_inserter(out));
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.size() > limit) out.resize(limit);
  return out;
}

std::unique_ptr<rules::StateReader> LineageIndex::Reader(const ReadView* view) const {
  return std::make_unique<SnapshotReader>(this, view);
}

absl::StatusOr<std::vector<LineageFact>> LineageIndex::Facts(std::string_view id,
                                                             const ReadView& view) const {
  MessageCollector<LineageFact> facts("lineage fact");
  ORIGO_RETURN_IF_ERROR(Scan(*store_, view, ColumnFamily::kProvenance, Tagged(kFactTag, id),
                             SIZE_MAX, std::ref(facts)));
  return facts.Take();
}

absl::StatusOr<std::vector<rules::Edge>> LineageIndex::Upstream(std::string_view id,
                                                                const ReadView& view,
                                                                size_t limit) const {
  return ScanEdges(*store_, view, ColumnFamily::kLineageBackward, id, true, limit);
}

absl::StatusOr<std::vector<rules::Edge>> LineageIndex::Downstream(std::string_view id,
                                                                  const ReadView& view,
                                                                  size_t limit) const {
  return ScanEdges(*store_, view, ColumnFamily::kLineageForward, id, false, limit);
}

absl::StatusOr<std::vector<origo::store::v1::StoredInspection>> LineageIndex::Inspections(
    std::string_view id, const ReadView& view) const {
  MessageCollector<origo::store::v1::StoredInspection> inspections("inspection");
  ORIGO_RETURN_IF_ERROR(Scan(*store_, view, ColumnFamily::kProvenance, Tagged(kInspectionTag, id),
                             SIZE_MAX, std::ref(inspections)));
  return inspections.Take();
}

template <typename Fn>
absl::Status LineageIndex::Cursor::ScanAt(Position* at, const std::string& prefix, size_t limit,
                                          Fn fn) {
  ++lookups_;
  if (at->it == nullptr) at->it = view_->NewIterator(at->family);
  rocksdb::Iterator* it = at->it.get();
  // Where the seek would land: the iterator's key, when nothing lies between `from` and it and
  // `prefix` is in that gap (or past `from` with the iterator at the family's end).
  const bool positioned = at->known && at->from <= prefix &&
                          (!it->Valid() || std::string_view(prefix) <= it->key().ToStringView());
  if (!positioned) ++seeks_;
  at->known = false;  // until this scan ends past its prefix
  bool ran_past = false;
  ORIGO_RETURN_IF_ERROR(
      ScanWith(it, at->family, prefix, limit, std::move(fn), positioned, &ran_past));
  if (ran_past) {
    at->from = PrefixEnd(prefix);
    at->known = !at->from.empty();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<LineageFact>> LineageIndex::Cursor::Facts(std::string_view id) {
  MessageCollector<LineageFact> facts("lineage fact");
  ORIGO_RETURN_IF_ERROR(ScanAt(&facts_, Tagged(kFactTag, id), SIZE_MAX, std::ref(facts)));
  return facts.Take();
}

absl::StatusOr<std::vector<const LineageFact*>> LineageIndex::Cursor::Facts(
    std::string_view id, google::protobuf::Arena* arena) {
  std::vector<const LineageFact*> facts;
  ORIGO_RETURN_IF_ERROR(ScanAt(&facts_, Tagged(kFactTag, id), SIZE_MAX,
                               [&](std::string_view tail, std::string_view value) -> absl::Status {
                                 LineageFact* fact =
                                     google::protobuf::Arena::CreateMessage<LineageFact>(arena);
                                 facts.push_back(fact);
                                 ORIGO_RETURN_IF_ERROR(DecodeValue(value, fact, "lineage fact"));
                                 return RestoreEventId(tail, fact);
                               }));
  return facts;
}

absl::StatusOr<std::vector<rules::Edge>> LineageIndex::Cursor::Upstream(std::string_view id,
                                                                        size_t limit) {
  EdgeCollector edges(id, true);
  ORIGO_RETURN_IF_ERROR(ScanAt(&backward_, EdgePrefix(id), limit, std::ref(edges)));
  return edges.Take();
}

absl::StatusOr<std::vector<rules::Edge>> LineageIndex::Cursor::Downstream(std::string_view id,
                                                                          size_t limit) {
  EdgeCollector edges(id, false);
  ORIGO_RETURN_IF_ERROR(ScanAt(&forward_, EdgePrefix(id), limit, std::ref(edges)));
  return edges.Take();
}

absl::StatusOr<std::vector<origo::store::v1::StoredInspection>> LineageIndex::Cursor::Inspections(
    std::string_view id) {
  MessageCollector<origo::store::v1::StoredInspection> inspections("inspection");
  ORIGO_RETURN_IF_ERROR(
      ScanAt(&inspections_, Tagged(kInspectionTag, id), SIZE_MAX, std::ref(inspections)));
  return inspections.Take();
}

absl::StatusOr<std::optional<absl::flat_hash_set<std::string>>> LineageIndex::Cursor::Flagged(
    size_t limit) {
  absl::flat_hash_set<std::string> ids;
  size_t keys = 0;
  // One key more than the limit is enough to know there are too many.
  ORIGO_RETURN_IF_ERROR(ScanAt(&flags_, std::string(1, kFlagTag),
                               limit == SIZE_MAX ? limit : limit + 1,
                               [&](std::string_view rest, std::string_view) -> absl::Status {
                                 KeyReader reader(rest);
                                 std::string_view id;
                                 if (!reader.GetString(&id)) {
                                   return absl::DataLossError("status flag key is truncated");
                                 }
                                 ++keys;
                                 ids.emplace(id);
                                 return absl::OkStatus();
                               }));
  if (keys > limit) return std::nullopt;
  return ids;
}

absl::StatusOr<credit::TraceabilityFact> LineageIndex::Traceability(std::string_view usci,
                                                                    int64_t from_ms, int64_t to_ms,
                                                                    const ReadView& view) const {
  // The newest kTraceabilityLots lots created in the window, read backwards from its end so
  // the cost does not grow with the enterprise's history.
  std::vector<std::string> lots;
  std::set<std::string> listed;
  const std::string prefix = Tagged(kCreatedTag, usci);
  std::string end = prefix;
  PutU64(&end, static_cast<uint64_t>(std::max<int64_t>(to_ms, 0)));
  end += std::string(3, '\xff');  // after every key of that millisecond
  auto it = view.NewIterator(ColumnFamily::kProvenance);
  for (it->SeekForPrev(end); it->Valid() && lots.size() < kTraceabilityLots; it->Prev()) {
    std::string_view key = it->key().ToStringView();
    if (key.substr(0, prefix.size()) != prefix) break;
    KeyReader reader(key.substr(prefix.size()));
    uint64_t ms = 0;
    std::string_view lot;
    if (!reader.GetU64(&ms) || !reader.GetString(&lot)) {
      return absl::DataLossError("lineage creation key is truncated");
    }
    if (static_cast<int64_t>(ms) < from_ms) break;
    if (listed.insert(std::string(lot)).second) lots.emplace_back(lot);
  }
  ORIGO_RETURN_IF_ERROR(FromRocks(it->status(), "scan lineage creations"));

  credit::TraceabilityFact fact;
  Cursor cursor(this, &view);
  for (const std::string& lot : lots) {
    ++fact.lots;
    // Full chain: every origin upstream of the lot was created at a registered production base,
    // and the walk ended within its bound.
    bool complete = true;
    std::set<std::string> seen{lot};
    std::deque<std::string> queue{lot};
    while (!queue.empty() && complete) {
      std::string id = queue.front();
      queue.pop_front();
      ORIGO_ASSIGN_OR_RETURN(auto edges, cursor.Upstream(id, kTraceabilityNodes));
      if (edges.empty()) {
        ORIGO_ASSIGN_OR_RETURN(auto facts, cursor.Facts(id));
        complete = !rules::Fold(std::move(facts)).base.empty();
      }
      for (const rules::Edge& e : edges) {
        if (seen.insert(e.from).second) queue.push_back(e.from);
      }
      if (seen.size() > kTraceabilityNodes) complete = false;
    }
    if (complete) ++fact.lots_full_chain;
  }
  return fact;
}

absl::StatusOr<double> LineageIndex::BaseHarvest(std::string_view base, int year,
                                                 const ReadView& view) const {
  double total = 0;
  ORIGO_RETURN_IF_ERROR(Scan(*store_, view, ColumnFamily::kProvenance, HarvestPrefix(base, year),
                             SIZE_MAX, [&](std::string_view, std::string_view value) {
                               origo::store::v1::HarvestRecord h;
                               absl::Status s = DecodeValue(value, &h, "harvest record");
                               total += h.quantity();
                               return s;
                             }));
  return total;
}

absl::StatusOr<std::vector<origo::store::v1::SuspectedViolation>> LineageIndex::Violations(
    size_t limit, const ReadView& view) const {
  std::vector<origo::store::v1::SuspectedViolation> out;
  auto it = view.NewIterator(ColumnFamily::kProvenance);
  const std::string prefix(1, kViolationTag);
  for (it->SeekForPrev(prefix + std::string(48, '\xff')); it->Valid() && out.size() < limit;
       it->Prev()) {
    std::string_view key = it->key().ToStringView();
    if (key.substr(0, 1) != prefix) break;
    origo::store::v1::SuspectedViolation v;
    ORIGO_RETURN_IF_ERROR(DecodeValue(it->value().ToStringView(), &v, "suspected violation"));
    out.push_back(std::move(v));
  }
  ORIGO_RETURN_IF_ERROR(FromRocks(it->status(), "scan violations"));
  return out;
}

absl::Status LineageIndex::Backfill(const EventLog& log, const BackfillProgress& progress) {
  auto report = [&progress](const std::string& line) {
    if (progress) progress(line);
  };
  const std::string marker_v2 = std::string(1, 'M') + "index-v2";
  const std::string marker_v3 = std::string(1, 'M') + "index-v3";
  std::unique_ptr<ReadView> view = store_->Snapshot();
  ORIGO_ASSIGN_OR_RETURN(auto done_v2, view->Get(ColumnFamily::kProvenance, marker_v2));
  ORIGO_ASSIGN_OR_RETURN(auto done_v3, view->Get(ColumnFamily::kProvenance, marker_v3));
  if (done_v2.has_value() && done_v3.has_value()) return absl::OkStatus();
  const std::string empty = EncodeRawValue("");
  rocksdb::ColumnFamilyHandle* identifiers = store_->Family(ColumnFamily::kIdentifierIndex);
  rocksdb::ColumnFamilyHandle* provenance = store_->Family(ColumnFamily::kProvenance);

  // v2: query terms of every event in the log.
  epcis::ValidationOptions options;
  options.now_unix_ms = INT64_MAX / 4;
  options.max_event_bytes = SIZE_MAX;
  const uint64_t head = done_v2.has_value() ? 0 : log.Head().size;
  if (head > 0) report("index backfill: query terms of " + std::to_string(head) + " log entries");
  for (uint64_t start = 0; start < head; start += kBackfillChunk) {
    if (start > 0 && start % kBackfillProgress == 0) {
      report("index backfill: " + std::to_string(start) + " of " + std::to_string(head) +
             " log entries");
    }
    const uint64_t count = std::min(kBackfillChunk, head - start);
    ORIGO_ASSIGN_OR_RETURN(std::vector<std::string> leaves,
                           log.GetLeaves(start, count, view.get()));
    rocksdb::WriteBatch batch;
    for (size_t i = 0; i < leaves.size(); ++i) {
      origo::v1::LogLeaf leaf;
      if (!leaf.ParseFromString(leaves[i])) {
        return absl::DataLossError("log leaf " + std::to_string(start + i) + " does not parse");
      }
      auto manifest = batch::ParseManifest(leaf.manifest());
      auto parsed = epcis::ParseEvent(leaf.event(), options);
      if (!manifest.ok() || !parsed.ok()) continue;  // a credit record, not an event
      for (const std::string& term : QueryTerms(parsed->event, manifest->enterprise())) {
        batch.Put(identifiers, IdentifierKey(term, start + i), empty);
      }
    }
    ORIGO_RETURN_IF_ERROR(store_->Write(&batch));
  }

  // v2: lots by creator, from the stored creation facts; v3: status flags, from the facts that
  // recall or hold. Rewriting a key that exists writes the same value.
  rocksdb::WriteBatch batch;
  size_t in_batch = 0;
  const std::string fact_prefix(1, kFactTag);
  report("index backfill: lots by creator and status flags from the lineage facts");
  uint64_t facts_read = 0;
  auto it = view->NewIterator(ColumnFamily::kProvenance);
  for (it->Seek(fact_prefix); it->Valid(); it->Next()) {
    std::string_view key = it->key().ToStringView();
    if (key.substr(0, 1) != fact_prefix) break;
    if (++facts_read % kBackfillProgress == 0) {
      report("index backfill: " + std::to_string(facts_read) + " facts read");
    }
    KeyReader reader(key.substr(1));
    std::string_view id;
    if (!reader.GetString(&id)) return absl::DataLossError("lineage fact key is truncated");
    const std::string_view event_id = FactEventId(reader.Rest());
    const std::string_view value = it->value().ToStringView();
    // Only a value holding one of the two dispositions' bytes can flag: most are not decoded.
    const bool lot = !done_v2.has_value() && IsLotPath(id);
    if (!lot && value.find(rules::kRecalled) == std::string_view::npos &&
        value.find(rules::kHeld) == std::string_view::npos) {
      continue;
    }
    LineageFact fact;
    ORIGO_RETURN_IF_ERROR(DecodeValue(value, &fact, "lineage fact"));
    if (lot && fact.role() == origo::store::v1::FACT_CREATED) {
      std::string created = Tagged(kCreatedTag, fact.signer());
      PutU64(&created, static_cast<uint64_t>(std::max<int64_t>(fact.event_time_ms(), 0)));
      PutString(&created, id);
      created += event_id;
      batch.Put(provenance, created, empty);
      ++in_batch;
    }
    if (Flags(fact)) {
      batch.Put(provenance, Tagged(kFlagTag, id) + std::string(event_id), empty);
      ++in_batch;
    }
    if (in_batch >= kBackfillChunk) {
      ORIGO_RETURN_IF_ERROR(store_->Write(&batch));
      batch.Clear();
      in_batch = 0;
    }
  }
  ORIGO_RETURN_IF_ERROR(FromRocks(it->status(), "scan lineage facts"));
  batch.Put(provenance, marker_v2, empty);
  batch.Put(provenance, marker_v3, empty);
  ORIGO_RETURN_IF_ERROR(store_->Write(&batch));
  report("index backfill: done, " + std::to_string(facts_read) + " facts read");
  return absl::OkStatus();
}

IndexPut LineageIndex::EncodeInspection(const origo::store::v1::StoredInspection& inspection) {
  return {ColumnFamily::kProvenance,
          Tagged(kInspectionTag, inspection.lot()) + RawId(inspection.id()),
          EncodeValue(inspection)};
}

absl::Status LineageIndex::PutInspection(const origo::store::v1::StoredInspection& inspection) {
  rocksdb::WriteBatch batch;
  IndexPut put = EncodeInspection(inspection);
  batch.Put(store_->Family(put.family), put.key, put.value);
  return store_->Write(&batch);
}

absl::Status LineageIndex::PutViolation(const origo::store::v1::SuspectedViolation& violation) {
  rocksdb::WriteBatch batch;
  std::string key(1, kViolationTag);
  PutU64(&key, static_cast<uint64_t>(violation.recorded_unix_ms()));
  key += RawId(violation.id());
  batch.Put(store_->Family(ColumnFamily::kProvenance), key, EncodeValue(violation));
  ORIGO_RETURN_IF_ERROR(store_->Write(&batch));
  if (violation_listener_) violation_listener_(violation);
  return absl::OkStatus();
}

std::string LineageIndex::TypeTerm(std::string_view type) {
  return std::string(kQueryTermPrefix) + "type:" + std::string(type);
}
std::string LineageIndex::BizStepTerm(std::string_view biz_step) {
  return std::string(kQueryTermPrefix) + "bizStep:" + std::string(biz_step);
}
std::string LineageIndex::DispositionTerm(std::string_view disposition) {
  return std::string(kQueryTermPrefix) + "disposition:" + std::string(disposition);
}
std::string LineageIndex::SignerTerm(std::string_view usci) {
  return std::string(kQueryTermPrefix) + "signer:" + std::string(usci);
}

std::vector<std::string> LineageIndex::QueryTerms(const origo::v1::Event& event,
                                                  std::string_view signer) {
  std::vector<std::string> terms{TypeTerm(event.type())};
  if (!event.biz_step().empty()) terms.push_back(BizStepTerm(event.biz_step()));
  if (!event.disposition().empty()) terms.push_back(DispositionTerm(event.disposition()));
  if (!signer.empty()) terms.push_back(SignerTerm(signer));
  return terms;
}

}  // namespace origo::storage
