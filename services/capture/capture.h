#ifndef ORIGO_SERVICES_CAPTURE_CAPTURE_H_
#define ORIGO_SERVICES_CAPTURE_CAPTURE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "core/epcis/event.h"
#include "core/rules/pending.h"
#include "core/rules/rules.h"
#include "origo/v1/capture.pb.h"
#include "origo/v1/config.pb.h"
#include "services/capture/sequencer.h"
#include "services/server/auth.h"
#include "storage/lineage_index.h"
#include "storage/registry_store.h"

namespace origo::capture {

// Verifies and captures signed batches (the domain side of CaptureService).
//
// For one batch: the caller must hold a producer token bound to the manifest's enterprise; the
// manifest's key must be registered to that enterprise and active; the signature must verify
// and the manifest's size and root must match the events; every event must parse and pass
// structural validation; then, when a rules engine is given, the sector rules (core/rules/rules.h)
// run on each new event in batch order against the lineage index read at one snapshot plus the
// batch's earlier events. Each accepted event carries its lineage facts and edges to the
// sequencer, which writes them in the event's WriteBatch. Only then is the batch handed to the
// sequencer, which makes it durable as a whole. Nothing of a rejected batch is stored, except a
// suspected-violation record when a mass-balance or GI rule rejected it.
//
// Concurrency and the rules: two batches in flight at once are each checked against the state
// before the other; both may pass a mass-balance (or GI harvest) bound that together they
// exceed. This race is accepted and bounded: it needs two concurrent submissions consuming the
// same lot, each is individually valid, and the lot's facts keep every consumption, so GetLot
// shows consumed > quantity and inspectors can see it. Events already in the log (retries) are
// not re-judged.
//
// Thread-safe: Capture runs on many handler threads at once (verification is parallel; only
// sequencing is serial).
class CaptureProcessor {
 public:
  using Clock = std::function<int64_t()>;  // Unix milliseconds

  // `lineage` and `rules` (optional, not owned, must outlive this object) enable the sector
  // rules and the lineage index; without them events are only structurally checked.
  CaptureProcessor(storage::RegistryStore* registry, Sequencer* sequencer,
                   origo::v1::CaptureConfig config, Clock clock = nullptr,
                   storage::LineageIndex* lineage = nullptr, const rules::Engine* rules = nullptr);

  // Refuses export shipping (bizStep shipping to a place outside CN) by an enterprise the gate
  // rejects, e.g. one on the quality blacklist: the gate gets (USCI, now) and returns OK or the
  // refusal (FAILED_PRECONDITION naming the listing). Set once, before serving.
  using ExportGate = std::function<absl::Status(const std::string& usci, int64_t now_unix_ms)>;
  void SetExportGate(ExportGate gate) { export_gate_ = std::move(gate); }

  // Errors: PERMISSION_DENIED (no producer token, token for another enterprise, key unknown,
  // revoked or registered to another enterprise); UNAUTHENTICATED (signature does not verify);
  // INVALID_ARGUMENT ("event N: <field>: <rule>" for a bad event, or a malformed batch);
  // INVALID_ARGUMENT or FAILED_PRECONDITION "event N: <field>: <rule_id>@<version>: <reason>"
  // for a sector-rule rejection;
  // RESOURCE_EXHAUSTED / UNAVAILABLE from the sequencer.
  absl::StatusOr<origo::v1::CaptureResponse> Capture(const server::Principal& principal,
                                                     const origo::v1::SignedBatch& batch);

  // The two halves of Capture, for callers that keep several batches in flight (streams):
  // Prepare does every check and builds the leaves (same errors as Capture); Submit hands them
  // to the sequencer; Respond turns the sequencer's result into the response.
  struct PreparedBatch {
    std::vector<storage::LeafToAppend> leaves;
    std::vector<std::string> event_ids;  // raw 32-byte ids, in batch order
    // The batch's rule effects, pending until its write completes (core/rules/pending.h).
    std::shared_ptr<void> pending;
    // With `pending` (else null): set by the sequencer before the batch's write begins (see
    // Sequencer::SubmitAsync).
    std::shared_ptr<std::atomic<uint64_t>> write_begun;
  };
  absl::StatusOr<PreparedBatch> Prepare(const server::Principal& principal,
                                        const origo::v1::SignedBatch& batch);
  std::future<Sequencer::Result> Submit(PreparedBatch& prepared);
  // As Submit, the result going to `sink` under `ticket` (Sequencer::SubmitTo). Takes the
  // batch's leaves and write_begun; the caller keeps its `pending` until the result has
  // arrived, then releases it.
  void SubmitTo(PreparedBatch& prepared, Sequencer::Sink* sink, uint64_t ticket);
  static origo::v1::CaptureResponse Respond(const PreparedBatch& prepared,
                                            const std::vector<storage::AppendedLeaf>& appended);

  // Tests only: called while a batch is judged, after it has read the pending batches and
  // before it takes its snapshot, so that a test can complete another batch's write exactly
  // there. Set once, before any capture.
  void SetBetweenEntriesAndSnapshotForTest(std::function<void()> hook) {
    between_entries_and_snapshot_ = std::move(hook);
  }

 private:
  // Runs the sector rules over the batch's new events and fills each leaf's index_puts.
  absl::Status CheckExportGate(const std::string& signer,
                               const std::vector<epcis::ParsedEvent>& events, int64_t now) const;
  absl::Status ApplyRules(const std::string& signer, const std::vector<epcis::ParsedEvent>& events,
                          std::vector<storage::LeafToAppend>* leaves, int64_t now,
                          std::shared_ptr<void>* pending,
                          std::shared_ptr<std::atomic<uint64_t>>* write_begun);

  storage::RegistryStore* registry_;
  Sequencer* sequencer_;
  origo::v1::CaptureConfig config_;
  Clock clock_;
  ExportGate export_gate_;
  std::function<void()> between_entries_and_snapshot_;
  storage::LineageIndex* lineage_;
  const rules::Engine* rules_;
  rules::PendingEffects pending_;
  // For each entry of pending_ (by first event id; added before it, removed after it): 0 until
  // the sequencer begins writing the batch, then one more than the store's sequence number
  // before the write. ApplyRules looks up in the event index only the pending batches whose
  // write may be in its snapshot: begun, and at or below the snapshot's sequence number.
  std::mutex write_begun_mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<std::atomic<uint64_t>>> write_begun_;
};

}  // namespace origo::capture

#endif  // ORIGO_SERVICES_CAPTURE_CAPTURE_H_
