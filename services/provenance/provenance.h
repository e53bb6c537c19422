#ifndef ORIGO_SERVICES_PROVENANCE_PROVENANCE_H_
#define ORIGO_SERVICES_PROVENANCE_PROVENANCE_H_

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/rules/rules.h"
#include "origo/v1/provenance.pb.h"
#include "services/credit/credit.h"
#include "storage/credit_archive.h"
#include "storage/event_log.h"
#include "storage/lineage_index.h"

namespace origo::provenance {

// The domain side of ProvenanceService: lot and item views, traces, event queries, Digital Link
// resolution, and the minimal inspection record (until the credit service owns inspections).
// Every request reads at one snapshot.
//
// Errors: INVALID_ARGUMENT naming the field for a malformed identifier or filter (a bad Digital
// Link names the bad AI segment); NOT_FOUND when the log knows nothing about an identifier;
// storage errors pass through.
//
// Thread-safe: all methods may be called concurrently.
class Provenance {
 public:
  using Clock = std::function<int64_t()>;  // Unix ms

  // Trace bounds: defaults and hard caps.
  static constexpr uint32_t kDefaultDepth = 32, kMaxDepth = 256;
  static constexpr uint32_t kDefaultNodes = 1000, kMaxNodes = 10000;
  // QueryEvents: page size default and cap, and most log entries examined per call.
  static constexpr uint32_t kDefaultPage = 100, kMaxPage = 1000;
  static constexpr uint64_t kScanBudget = 20000;

  // Pointers are not owned and must outlive this object. `clock` defaults to the system clock.
  Provenance(storage::LineageIndex* lineage, storage::EventLog* log, const rules::Engine* rules,
             Clock clock = nullptr);

  // The blacklist the lot views consult (blacklisted_producer) and the credit processor that owns
  // inspections (RecordInspection delegates to it). Call before serving; not owned. Without the
  // archive the flag stays false; without the processor RecordInspection writes only the
  // lineage index (tools and benchmarks that run no credit service).
  void SetCredit(const storage::CreditArchive* archive, credit::CreditProcessor* processor) {
    archive_ = archive;
    credit_ = processor;
  }

  // Upstream identifiers examined for a recall or hold (the item, its lot, their ancestors).
  static constexpr size_t kStatusNodes = 512;
  // Identifiers a request lists as flagged (recalled or held at some time) before the status walk
  // reads every visited identifier's state instead (LineageIndex::Cursor::Flagged).
  static constexpr size_t kFlaggedLimit = 4096;

  // GetLot, GetItem and Resolve report the status flags: recalled / held when the identifier or
  // anything upstream of it (at most kStatusNodes identifiers) is, with the source, and
  // blacklisted_producer when the creator is publicly listed now.
  absl::StatusOr<origo::v1::LotView> GetLot(std::string_view id) const;
  // INVALID_ARGUMENT when `id` is not a serialised item (GTIN + AI 21).
  absl::StatusOr<origo::v1::GetItemResponse> GetItem(std::string_view id) const;
  // Upstream to origin (TraceBack) or downstream with holders, the recall list (TraceForward),
  // breadth-first, bounded by max_depth and max_nodes (truncated=true when a bound cut it).
  absl::StatusOr<origo::v1::TraceResponse> TraceBack(const origo::v1::TraceRequest& request) const;
  absl::StatusOr<origo::v1::TraceResponse> TraceForward(
      const origo::v1::TraceRequest& request) const;
  // Log order (index ascending); the page token is the next log index to examine, so pages are
  // stable while events are appended (new events only get higher indexes). Candidates come from
  // the identifier index: of the named EPCs, else of one indexed filter (GLN readPoint or
  // bizLocation, enterprise, disposition, bizStep, event type: query terms written with each
  // event); only a query with none of these reads the log in order. A page may be short (or
  // empty, with a token) when kScanBudget candidates have been examined.
  absl::StatusOr<origo::v1::QueryEventsResponse> QueryEvents(
      const origo::v1::QueryEventsRequest& request) const;
  absl::StatusOr<origo::v1::ResolveResponse> Resolve(std::string_view digital_link) const;
  // The regulator's unsigned inspection call. Judges the items against the residue table (items
  // of the table are safety items) and hands the result to the credit service, which owns
  // inspections: it becomes an InspectionRecord signed by the server, in the log and in the
  // enterprise's credit archive (a failed residue item lists the enterprise as any signed one
  // does), and the lot's inspection in the lineage index. `enterprise` defaults to the lot's
  // creator, `sampling_date` to today, `lab` and `report_no` to a note naming the caller's token
  // id `recorded_by`. INVALID_ARGUMENT for a bad lot, no items, or an item without a limit;
  // NOT_FOUND for a lot nothing is recorded for when no enterprise is given.
  absl::StatusOr<origo::v1::InspectionResult> RecordInspection(
      const origo::v1::RecordInspectionRequest& request, const std::string& recorded_by) const;
  absl::StatusOr<origo::v1::ListViolationsResponse> ListViolations(uint32_t limit) const;

 private:
  absl::StatusOr<origo::v1::TraceResponse> Trace(const origo::v1::TraceRequest& request,
                                                 bool back) const;

  // One request's reads (provenance.cc).
  class Reader;

  // Fills the status flags of `view` (see GetLot), reading through `reader`. Walks of one request
  // (an item's, then its lot's) share what the reader has read, so each identifier is read once.
  absl::Status AddStatus(Reader& reader, origo::v1::LotView* view) const;

  storage::LineageIndex* lineage_;
  storage::EventLog* log_;
  const storage::CreditArchive* archive_ = nullptr;
  credit::CreditProcessor* credit_ = nullptr;
  const rules::Engine* rules_;
  Clock clock_;
};

}  // namespace origo::provenance

#endif  // ORIGO_SERVICES_PROVENANCE_PROVENANCE_H_
