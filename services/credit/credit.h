#ifndef ORIGO_SERVICES_CREDIT_CREDIT_H_
#define ORIGO_SERVICES_CREDIT_CREDIT_H_

// The quality-credit domain service (the domain side of origo.v1.CreditService): signed credit
// records into the transparency log and the archive, the blacklist workflow, consumer feedback,
// ratings and quality reports.
//
// Signed records travel like events: the author signs a batch of record documents
// (core/credit/records.h) with batch::SignBatch. The processor checks the caller's role, that
// the manifest's key is active and registered to the signing organisation, the signature, each
// document's type, fields and state rules (repair timing, duties, pledge), then builds one
// self-contained LogLeaf per document exactly as capture does (the document is the leaf's
// `event`; identifiers "urn:origo:usci:<USCI>" and the lot) and appends them through the shared
// Sequencer. Only then does it write the archive entries, keyed by log index, with the blacklist
// entries they create or change, in one synced batch.
//
// Atomicity: the log append and the archive write are two synced writes. The archive is a
// function of the log, and its watermark (written with each archive batch) says below which log
// index every credit record is archived. A crash or a failed archive write between the two
// leaves records in the log above the watermark; Create, and the next write after a failed one,
// replay the records logged from the watermark to the head (CatchUp) with the same apply code, so
// the archive always converges to the log. Each record's leaf is listed in the identifier index
// (kCreditRecordTerm) in the same write as the leaf, so CatchUp reads only those leaves, not the
// events captured since; a store from before that index is read leaf by leaf once. Nothing the
// caller was told succeeded is ever lost, and a record is never archived without being in the log.
// Writes are serialized by one mutex, so the state checks of one record see every record before it.
//
// Who may do what (errors as server::Require: UNAUTHENTICATED without a token where one is
// needed, PERMISSION_DENIED for the wrong role or enterprise):
//   record inspections, penalties, quality losses; import listings: inspector or regulator
//   add blacklist entries, decide repairs:                           regulator
//   apply for repair:                                                producer of that enterprise
//   submit feedback, read grades, read the public blacklist:        anyone
//   read the archive and a rating's explanation:      inspector, regulator, producer (own only)
//   inspector view of the blacklist, quality reports:                inspector or regulator
// Records other than repair applications must be signed by an organisation registered with
// SECTOR_AUTHORITY, about another enterprise; a repair application by the listed enterprise.
//
// Thread-safety: thread-safe. Reads run concurrently; record writes are serialized.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/credit/rating.h"
#include "core/credit/rules.h"
#include "core/crypto/keys.h"
#include "core/rules/rules.h"
#include "origo/v1/credit.pb.h"
#include "services/capture/sequencer.h"
#include "services/credit/feedback_limiter.h"
#include "services/server/auth.h"
#include "storage/credit_archive.h"
#include "storage/event_log.h"
#include "storage/lineage_index.h"
#include "storage/registry_store.h"

namespace origo::credit {

// The signed-record calls, each taking documents of one kind.
enum class RecordAction {
  kRecordInspection,   // InspectionRecord
  kRecordPenalty,      // PenaltyRecord
  kRecordQualityLoss,  // QualityLossRecord
  kImportListing,      // ListingRecord, source CUSTOMS or MARKET_SUPERVISION
  kAddBlacklistEntry,  // ListingRecord, source ORIGO
  kApplyRepair,        // RepairApplication
  kDecideRepair,       // RepairDecision
};

// Every credit record's leaf is listed in the identifier index under this term, so that
// catching up reads the records above the watermark, not every event captured since.
inline constexpr char kCreditRecordTerm[] = "urn:origo:q:credit-record";

class CreditProcessor {
 public:
  using Clock = std::function<int64_t()>;  // Unix milliseconds
  // Lots of `usci` (with and without a full chain from origin) over [from, to]; nullopt when
  // unknown. Provided by lineage; without it traceability earns its no-data share.
  using TraceabilitySource = std::function<absl::StatusOr<std::optional<TraceabilityFact>>(
      std::string_view usci, Day from, Day to)>;

  struct Options {
    // The rule book. Default RuleBook::Default(); must outlive the processor.
    const RuleBook* rules = nullptr;
    FeedbackLimits feedback;
    // Most record documents in one signed batch. Default 1000.
    size_t max_batch_records = 1000;
    TraceabilitySource traceability;
    // The server's own signing key (the log key) and the author name its records carry (the log
    // origin), for RecordAsServer. Without a key RecordAsServer fails.
    std::shared_ptr<const crypto::PrivateKey> server_key;
    std::string server_author;
    // Inspections of lots are also written to the lineage index (in the archive's batch), where
    // the capture rules (goji export) and lot views read them; `sector_rules` says which test
    // items are pesticide residues (its residue table). Both optional.
    storage::LineageIndex* lineage = nullptr;
    const ::origo::rules::Engine* sector_rules = nullptr;
  };

  // Default options with traceability completeness read from the lineage index (lots created
  // in the window and how many trace back to registered production bases), at the latest state.
  // `lineage` must outlive the processor.
  static Options WithLineage(storage::LineageIndex* lineage,
                             const ::origo::rules::Engine* sector_rules);

  // Builds the processor and catches the archive up with the log (see the file comment). None
  // of the pointers is owned; all must outlive the processor. `clock` defaults to the system
  // clock. Errors: those of reading the log and writing the archive.
  static absl::StatusOr<std::unique_ptr<CreditProcessor>> Create(
      storage::RegistryStore* registry, storage::EventLog* log, capture::Sequencer* sequencer,
      storage::CreditArchive* archive, Options options, Clock clock = nullptr);

  // Checks, logs and archives one signed batch of record documents (see the file comment).
  // Errors: PERMISSION_DENIED / UNAUTHENTICATED (role, key, author); UNAUTHENTICATED (signature);
  // INVALID_ARGUMENT "record N: <field>: <rule>" (a bad or wrong-kind document); NOT_FOUND (an
  // unregistered enterprise, an unknown blacklist entry); FAILED_PRECONDITION naming the rule
  // (repair too early, duties unmet, nothing to decide, entry no longer listed); UNAVAILABLE /
  // RESOURCE_EXHAUSTED from the sequencer. A document already in the log is answered with its
  // original index (duplicate) and not checked again.
  absl::StatusOr<origo::v1::SignedRecordsResponse> Submit(const server::Principal& principal,
                                                          RecordAction action,
                                                          const origo::v1::SignedBatch& batch)
      ABSL_LOCKS_EXCLUDED(write_mu_);

  // Records signed by the server itself (Options::server_key), for what no organisation signs:
  // suspected violations found by the capture rules, and the regulator's unsigned inspection
  // call of ProvenanceService. Checked, logged and archived exactly as Submit does after its
  // signature and author checks. Errors as Submit's state checks.
  absl::StatusOr<origo::v1::SignedRecordsResponse> RecordAsServer(
      std::vector<origo::v1::CreditRecord> records) ABSL_LOCKS_EXCLUDED(write_mu_);

  // Logs a suspected violation of the capture rules as a server-signed credit record of the
  // enterprise (set up by Create as the lineage index's violation listener).
  absl::Status RecordViolation(const origo::store::v1::SuspectedViolation& violation)
      ABSL_LOCKS_EXCLUDED(write_mu_);

  // Public feedback from `address` (the client's IP). INVALID_ARGUMENT for a bad field (rating
  // outside 1..5, comment over 500 bytes, enterprise or lot malformed); NOT_FOUND for an
  // unregistered enterprise or a lot with no events in the log; RESOURCE_EXHAUSTED when rate
  // limited. Feedback is archived only, not logged.
  absl::StatusOr<origo::v1::Feedback> SubmitFeedback(
      const server::Principal& principal, std::string_view address,
      const origo::v1::SubmitFeedbackRequest& request);

  // The archive page, the blacklist entries and feedback totals of an enterprise.
  absl::StatusOr<origo::v1::GetCreditProfileResponse> GetProfile(
      const server::Principal& principal, const origo::v1::GetCreditProfileRequest& request);

  // The rating as of the end of `request.as_of` (or now). Anyone gets the grade, score and
  // supervision class; the explanation only inspectors, regulators and the enterprise itself.
  // INVALID_ARGUMENT for a malformed or future date, or one no rule set covers.
  absl::StatusOr<origo::v1::Rating> GetRating(const server::Principal& principal,
                                              const origo::v1::GetRatingRequest& request);

  absl::StatusOr<std::vector<origo::v1::BlacklistEntry>> ListBlacklist(
      const server::Principal& principal, const origo::v1::ListBlacklistRequest& request);

  // The quality report of a sector over [from, to] (dates; `to` not in the future, at most ten
  // years). Reads every archive entry of the sector at one snapshot, so its cost grows with the
  // sector's archive; it is an inspector's occasional query, not a hot path.
  absl::StatusOr<origo::v1::QualityReport> QualityReport(
      const server::Principal& principal, const origo::v1::QualityReportRequest& request);

  // Replays credit records logged at or above the archive's watermark. Run by Create and after a
  // failed archive write; callable any time (idempotent).
  absl::Status CatchUp() ABSL_LOCKS_EXCLUDED(write_mu_);
  // What the last CatchUp read: log leaves decoded, and whether it had to read every leaf
  // above the watermark (a store whose records were not yet indexed) instead of the index.
  struct CatchUpStats {
    uint64_t leaves_read = 0;
    bool full_scan = false;
  };
  CatchUpStats LastCatchUp() const ABSL_LOCKS_EXCLUDED(write_mu_);

  storage::CreditArchive* archive() const { return archive_; }

 private:
  CreditProcessor(storage::RegistryStore* registry, storage::EventLog* log,
                  capture::Sequencer* sequencer, storage::CreditArchive* archive, Options options,
                  Clock clock);

  struct Pending;  // one batch being applied (defined in credit.cc)

  absl::Status CatchUpLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Submit after the signature and author checks: state checks, log append, archive write.
  absl::StatusOr<origo::v1::SignedRecordsResponse> Commit(
      RecordAction action, const origo::v1::SignedBatch& batch,
      const origo::v1::BatchManifest& manifest, std::vector<origo::v1::CreditRecord> records)
      ABSL_LOCKS_EXCLUDED(write_mu_);
  // Applies one logged record to `pending`: its archive entry and blacklist effects.
  absl::Status Apply(const origo::v1::ArchiveEntry& entry, Pending* pending)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  absl::StatusOr<origo::v1::Sector> SectorOf(std::string_view usci) const;
  // Everything a rating of `usci` at `as_of_unix_ms` reads.
  absl::StatusOr<RatingFacts> Facts(std::string_view usci, int64_t as_of_unix_ms,
                                    const RuleSet& rules) const;
  // True when `principal` may see the archive and explanations of `usci`.
  static bool MaySeeArchive(const server::Principal& principal, std::string_view usci);

  storage::RegistryStore* const registry_;
  storage::EventLog* const log_;
  capture::Sequencer* const sequencer_;
  storage::CreditArchive* const archive_;
  const Options options_;
  const Clock clock_;
  FeedbackLimiter limiter_;

  mutable absl::Mutex write_mu_;
  // A record may be logged but not archived: catch up before the next write.
  bool behind_ ABSL_GUARDED_BY(write_mu_) = false;
  // Watermark.records_indexed_from, carried into every watermark this processor writes.
  uint64_t records_indexed_from_ ABSL_GUARDED_BY(write_mu_) = 0;
  CatchUpStats last_catch_up_ ABSL_GUARDED_BY(write_mu_);
};

}  // namespace origo::credit

#endif  // ORIGO_SERVICES_CREDIT_CREDIT_H_
