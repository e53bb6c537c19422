#ifndef ORIGO_STORAGE_LINEAGE_INDEX_H_
#define ORIGO_STORAGE_LINEAGE_INDEX_H_

// The lineage index: what each event did to each identifier (facts), lineage edges both ways,
// inspections recorded for identifiers, suspected violations and GI harvest tallies. Families and
// key formats are those of storage/key_encoding.h:
//   lineage_forward  : str from, str to, event id        -> LineageEdge
//   lineage_backward : str to, str from, event id        -> LineageEdge
//   provenance       : 'F' str id, u64 log index, event id -> LineageFact (stores written
//                          before the log index was in the key also hold 'F' str id, event id)
//                      'I' str id, inspection id         -> StoredInspection
//                      'V' u64 ms, violation id          -> SuspectedViolation
//                      'H' str base, u16 year, event id  -> HarvestRecord
//                      'C' str creator, u64 ms, str lot, event id -> "" (lots by creator)
//                      'S' str id, event id              -> "" (a fact that recalls or holds
//                                                              the identifier: see Flagged)
//                      'M' "index-v2", "index-v3"        -> "" (Backfill passes done)
// Facts, edges and harvest records of an event are written by EventLog::Append in the same
// WriteBatch as the event (Encode builds them), and only when the event is new; every key ends
// in the event id, so a rewrite is idempotent and no record is read-modified-written.
//
// Errors: DATA_LOSS when a stored value does not decode; UNAVAILABLE on I/O errors.
// Thread-safe: every method may be called concurrently; readers built by Reader() are not.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "core/credit/rating.h"
#include "core/rules/rules.h"
#include "google/protobuf/arena.h"
#include "origo/store/v1/lineage.pb.h"
#include "storage/event_log.h"
#include "storage/registry_store.h"
#include "storage/store.h"

namespace origo::storage {

class LineageIndex {
 public:
  // `store` and `registry` must outlive this object.
  LineageIndex(Store* store, RegistryStore* registry) : store_(store), registry_(registry) {}
  LineageIndex(const LineageIndex&) = delete;
  LineageIndex& operator=(const LineageIndex&) = delete;

  // The index writes of an accepted event, for LeafToAppend::index_puts. Values leave out the
  // event ids of facts and edges (keys carry them); `effects` is as it was on return (each id is
  // moved out for its serialisation and back, so nothing is copied).
  static std::vector<IndexPut> Encode(rules::Effects& effects);
  static std::vector<IndexPut> Encode(rules::Effects&& effects) { return Encode(effects); }
  // Encode into `leaf`, whose identifiers then leave out those the event has a fact for: a
  // fact's key holds the log index (IndexPut::log_index_at), so it stands in for the identifier
  // index entry. About a fifth of the keys a realistic event writes.
  static void EncodeInto(rules::Effects& effects, LeafToAppend* leaf);

  // Log indexes of the events that reference `identifier`, ascending, at most `limit`, from
  // `from` on: the identifier index merged with the identifier's facts (EncodeInto). At `view`,
  // or at the latest state when null. For query terms EventLog::EventsFor is enough.
  absl::StatusOr<std::vector<uint64_t>> EventsFor(const EventLog& log, std::string_view identifier,
                                                  size_t limit, const ReadView* view,
                                                  uint64_t from = 0) const;

  // Query terms of an event signed by `signer`, added to LeafToAppend::identifiers so that the
  // identifier index (term, log index) answers QueryEvents filters in log order without a scan:
  //   urn:origo:q:type:<type>  urn:origo:q:bizStep:<bizStep>  urn:origo:q:disposition:<disp>
  //   urn:origo:q:signer:<USCI>
  // (GLN readPoint / bizLocation are identifiers already). Terms never collide with canonical
  // paths or the urn:origo:usci: identifiers of credit records.
  static constexpr char kQueryTermPrefix[] = "urn:origo:q:";
  static std::vector<std::string> QueryTerms(const origo::v1::Event& event,
                                             std::string_view signer);
  static std::string TypeTerm(std::string_view type);
  static std::string BizStepTerm(std::string_view biz_step);
  static std::string DispositionTerm(std::string_view disposition);
  static std::string SignerTerm(std::string_view usci);

  // A rules::StateReader over `view` (which must outlive it); registry data is read at the
  // latest state.
  std::unique_ptr<rules::StateReader> Reader(const ReadView* view) const;

  // The reads of one request at one view, through one iterator per kind of lookup (facts,
  // inspections, status flags, edges each way), opened on first use and reused by every later
  // lookup: opening an iterator allocates its arena and sets up a child per memtable and level,
  // while a seek on an open one only seeks. The iterators have no upper bound (it could not
  // follow each lookup's prefix); each scan stops at its prefix.
  //
  // A scan that ends past its prefix leaves its iterator on the first key after it, and no key
  // lies between. A later lookup of the same kind whose prefix falls in that gap starts from
  // there without a seek: lookups in key order (the serials of one lot, a carton's bottles,
  // mostly identifiers with nothing recorded yet) walk forward instead of each searching every
  // memtable and level from the top. A seek costs the same whether or not it finds anything.
  //
  // Results are those of the LineageIndex methods of the same names. Not thread-safe; `index`
  // and `view` must outlive it, and it should not outlive its request: open iterators pin the
  // memtables and files they read.
  class Cursor {
   public:
    Cursor(const LineageIndex* index, const ReadView* view) : index_(index), view_(view) {}
    absl::StatusOr<std::vector<origo::store::v1::LineageFact>> Facts(std::string_view id);
    // The same facts allocated on `arena` (owned by it): a reader that keeps many facts for
    // one request frees them at once instead of string by string.
    absl::StatusOr<std::vector<const origo::store::v1::LineageFact*>> Facts(
        std::string_view id, google::protobuf::Arena* arena);
    absl::StatusOr<std::vector<rules::Edge>> Upstream(std::string_view id, size_t limit = SIZE_MAX);
    absl::StatusOr<std::vector<rules::Edge>> Downstream(std::string_view id,
                                                        size_t limit = SIZE_MAX);
    absl::StatusOr<std::vector<origo::store::v1::StoredInspection>> Inspections(
        std::string_view id);
    // Every identifier that has a fact with the disposition recalled or held (rules::kRecalled,
    // rules::kHeld) at the view, or nullopt when there are more than `limit`. Only these can
    // fold to a recalled or held state (rules::FoldFacts), so a status walk over thousands of
    // identifiers needs the facts of these few only.
    absl::StatusOr<std::optional<absl::flat_hash_set<std::string>>> Flagged(size_t limit);
    const ReadView& view() const { return *view_; }

    // Lookups since the cursor opened, and of those how many needed a seek.
    size_t lookups() const { return lookups_; }
    size_t seeks() const { return seeks_; }

   private:
    // An open iterator and where it stands: when `known`, on the first key at or after `from`,
    // with no key in between.
    struct Position {
      explicit Position(ColumnFamily f) : family(f) {}
      ColumnFamily family;
      std::unique_ptr<rocksdb::Iterator> it;
      std::string from;
      bool known = false;
    };
    template <typename Fn>
    absl::Status ScanAt(Position* at, const std::string& prefix, size_t limit, Fn fn);
    const LineageIndex* index_;
    const ReadView* view_;
    Position facts_{ColumnFamily::kProvenance}, inspections_{ColumnFamily::kProvenance},
        flags_{ColumnFamily::kProvenance}, forward_{ColumnFamily::kLineageForward},
        backward_{ColumnFamily::kLineageBackward};
    size_t lookups_ = 0, seeks_ = 0;
  };

  // Reads at `view` (one iterator per call; see Cursor for many reads).
  absl::StatusOr<std::vector<origo::store::v1::LineageFact>> Facts(std::string_view id,
                                                                   const ReadView& view) const;
  // Edges whose downstream end is `id` (Upstream) or whose upstream end is `id` (Downstream), at
  // most `limit`.
  absl::StatusOr<std::vector<rules::Edge>> Upstream(std::string_view id, const ReadView& view,
                                                    size_t limit = SIZE_MAX) const;
  absl::StatusOr<std::vector<rules::Edge>> Downstream(std::string_view id, const ReadView& view,
                                                      size_t limit = SIZE_MAX) const;
  absl::StatusOr<std::vector<origo::store::v1::StoredInspection>> Inspections(
      std::string_view id, const ReadView& view) const;
  absl::StatusOr<double> BaseHarvest(std::string_view base, int year, const ReadView& view) const;

  // Traceability completeness of `usci` (DESIGN §8): of the newest kTraceabilityLots lots it
  // created with an eventTime in [from_ms, to_ms], how many have a full chain from origin: every
  // upstream origin was created at a registered production base (within kTraceabilityNodes
  // identifiers). Lots are AI 10 identifiers created by commissioning or transformation.
  static constexpr size_t kTraceabilityLots = 200;
  static constexpr size_t kTraceabilityNodes = 256;
  absl::StatusOr<credit::TraceabilityFact> Traceability(std::string_view usci, int64_t from_ms,
                                                        int64_t to_ms, const ReadView& view) const;
  // The newest `limit` suspected violations, newest first.
  absl::StatusOr<std::vector<origo::store::v1::SuspectedViolation>> Violations(
      size_t limit, const ReadView& view) const;

  // Writes the keys of indexes added after events were stored, once per store (a marker per
  // pass records it; a new store is marked at once): the query terms (QueryTerms) from a pass
  // over the log (v2; credit records are skipped), then the lots-by-creator and status-flag
  // keys from a pass over the lineage facts (v2 and v3). Run at start, before capture serves.
  // Writes synced batches of kBackfillChunk entries. `progress`, when set, is told when a pass
  // starts and every kBackfillProgress log entries or facts read (a pass over 10M events takes
  // about a minute); nothing is reported for a store that needs no pass.
  static constexpr uint64_t kBackfillChunk = 2000;
  static constexpr uint64_t kBackfillProgress = 1000000;
  using BackfillProgress = std::function<void(const std::string& line)>;
  absl::Status Backfill(const EventLog& log, const BackfillProgress& progress = nullptr);

  // Synced single writes. `inspection.id` / `violation.id` must be 64 hex characters.
  absl::Status PutInspection(const origo::store::v1::StoredInspection& inspection);
  absl::Status PutViolation(const origo::store::v1::SuspectedViolation& violation);
  // The write PutInspection does, for a caller's own batch.
  static IndexPut EncodeInspection(const origo::store::v1::StoredInspection& inspection);

  // Called after each stored violation (the credit service logs it as a credit record). Set once,
  // before serving.
  using ViolationListener = std::function<void(const origo::store::v1::SuspectedViolation&)>;
  void SetViolationListener(ViolationListener listener) {
    violation_listener_ = std::move(listener);
  }

  RegistryStore* registry() const { return registry_; }
  Store* store() const { return store_; }

 private:
  Store* const store_;
  RegistryStore* const registry_;
  ViolationListener violation_listener_;
};

}  // namespace origo::storage

#endif  // ORIGO_STORAGE_LINEAGE_INDEX_H_
