#ifndef ORIGO_SERVICES_PROVENANCE_PROVENANCE_H_
#define ORIGO_SERVICES_PROVENANCE_PROVENANCE_H_

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/rules/rules.h"
#include "origo/v1/provenance.pb.h"
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

  absl::StatusOr<origo::v1::LotView> GetLot(std::string_view id) const;
  // INVALID_ARGUMENT when `id` is not a serialised item (GTIN + AI 21).
  absl::StatusOr<origo::v1::GetItemResponse> GetItem(std::string_view id) const;
  // Upstream to origin (TraceBack) or downstream with holders, the recall list (TraceForward),
  // breadth-first, bounded by max_depth and max_nodes (truncated=true when a bound cut it).
  absl::StatusOr<origo::v1::TraceResponse> TraceBack(const origo::v1::TraceRequest& request) const;
  absl::StatusOr<origo::v1::TraceResponse> TraceForward(
      const origo::v1::TraceRequest& request) const;
  // Log order (index ascending); the page token is the next log index, so pages are stable while
  // events are appended. A page may be short (or empty, with a token) when the scan budget ends.
  absl::StatusOr<origo::v1::QueryEventsResponse> QueryEvents(
      const origo::v1::QueryEventsRequest& request) const;
  absl::StatusOr<origo::v1::ResolveResponse> Resolve(std::string_view digital_link) const;
  // Judges the items against the residue table and stores the result for the lot. `recorded_by`
  // is the caller's token id. INVALID_ARGUMENT for a bad lot, no items, or an item without limit.
  absl::StatusOr<origo::v1::InspectionResult> RecordInspection(
      const origo::v1::RecordInspectionRequest& request, const std::string& recorded_by) const;
  absl::StatusOr<origo::v1::ListViolationsResponse> ListViolations(uint32_t limit) const;

 private:
  absl::StatusOr<origo::v1::TraceResponse> Trace(const origo::v1::TraceRequest& request,
                                                 bool back) const;

  storage::LineageIndex* lineage_;
  storage::EventLog* log_;
  const rules::Engine* rules_;
  Clock clock_;
};

}  // namespace origo::provenance

#endif  // ORIGO_SERVICES_PROVENANCE_PROVENANCE_H_
