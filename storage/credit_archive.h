#ifndef ORIGO_STORAGE_CREDIT_ARCHIVE_H_
#define ORIGO_STORAGE_CREDIT_ARCHIVE_H_

// The enterprise quality-credit archive (企业质量信用档案) on the Store: every signed credit
// record with its log index, consumer feedback, blacklist entries, and the watermark that says
// how far the archive has caught up with the transparency log. Families and key formats are
// those of storage/key_encoding.h:
//   credit_records : 'R' str USCI, u64 log index          -> ArchiveValue
//                    'S' str USCI, u64 log index          -> RatingFact (of that record)
//                    'F' str USCI, u64 received ms, u32 n -> FeedbackValue
//                    'T' str USCI, u64 received ms, u32 n -> RatingFact (of that feedback)
//                    'W'                                  -> Watermark
//   blacklist      : str USCI, u64 entry id               -> BlacklistValue
// (value schemas in proto/origo/store/v1/credit.proto).
//
// The archive is derived from the log: a signed record is appended to the log first and then
// written here, keyed by its log index, so writing the same record again changes nothing. The
// watermark is written in the same batch as the entries it covers; a record logged but not yet
// archived (a crash between the two writes) lies at or above the watermark, where the credit
// service's catch-up finds it (services/credit/credit.h). Feedback is not signed and not in the
// log; it lives only here. Each record and rating also has a small RatingFact, written in the
// same batch, which is all a rating reads (LoadRatingFacts), so rating an enterprise with 10,000
// records stays within milliseconds.
//
// Errors: DATA_LOSS when a stored value does not decode; UNAVAILABLE on I/O errors;
// INVALID_ARGUMENT for an entry without a USCI.
//
// Thread-safe. Write is atomic; reads may pass a ReadView for a consistent multi-read (null reads
// the latest state). Use one CreditArchive per Store (the feedback sequence is per instance).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/credit/rating.h"
#include "origo/store/v1/credit.pb.h"
#include "origo/v1/credit.pb.h"
#include "storage/event_log.h"
#include "storage/store.h"

namespace origo::storage {

class CreditArchive {
 public:
  // `store` must outlive this object.
  explicit CreditArchive(Store* store) : store_(store) {}
  CreditArchive(const CreditArchive&) = delete;
  CreditArchive& operator=(const CreditArchive&) = delete;

  // One logical mutation of the archive, written as one synced WriteBatch.
  struct Commit {
    // Archive entries (key: entry.record's enterprise and entry.index).
    std::vector<origo::v1::ArchiveEntry> entries;
    // Blacklist entries, each replacing the stored one with the same (usci, entry_id). The
    // status field is not stored.
    std::vector<origo::v1::BlacklistEntry> blacklist;
    // The new watermark, if it moves, and the index from which every credit record is in the
    // identifier index (written with it; see Watermark in credit.proto).
    std::optional<uint64_t> applied_below;
    std::optional<uint64_t> records_indexed_from;
    // Other index writes derived from these records (e.g. a lot's inspection in the lineage
    // index), written in the same batch.
    std::vector<IndexPut> index_puts;
  };
  absl::Status Write(const Commit& commit);

  // --- Records ---

  absl::StatusOr<std::optional<origo::v1::ArchiveEntry>> GetEntry(std::string_view usci,
                                                                  uint64_t index,
                                                                  const ReadView* view) const;
  // Entries of `usci` with log index >= `start_index`, ascending, at most `limit`;
  // `next_index` is the index to continue from when more remain.
  struct Page {
    std::vector<origo::v1::ArchiveEntry> entries;
    std::optional<uint64_t> next_index;
  };
  absl::StatusOr<Page> ListEntries(std::string_view usci, uint64_t start_index, size_t limit,
                                   const ReadView* view) const;
  // Every entry of `usci`, ascending by log index.
  absl::StatusOr<std::vector<origo::v1::ArchiveEntry>> AllEntries(std::string_view usci,
                                                                  const ReadView* view) const;
  // Calls `visit` for every entry of every enterprise (by USCI, then log index); stops at and
  // returns the first error `visit` returns.
  absl::Status ForEachEntry(
      const std::function<absl::Status(const origo::v1::ArchiveEntry&)>& visit,
      const ReadView* view) const;

  // Adds to `facts` the inspections, penalties, quality losses and consumer ratings of `usci`
  // known at `known_by_unix_ms` (sequenced or received by then). Reads only the small facts.
  absl::Status LoadRatingFacts(std::string_view usci, int64_t known_by_unix_ms,
                               credit::RatingFacts* facts, const ReadView* view) const;

  // --- Feedback ---

  // Stores `feedback` (enterprise and received_unix_ms set by the caller) with the hash of its
  // source, and its rating fact, in one synced batch.
  absl::Status AddFeedback(const origo::v1::Feedback& feedback, std::string_view source_hash);
  // The enterprise's feedback, oldest first.
  absl::StatusOr<std::vector<origo::v1::Feedback>> ListFeedback(std::string_view usci,
                                                                const ReadView* view) const;

  // --- Blacklist ---

  // The stored entry (status unset), or nullopt.
  absl::StatusOr<std::optional<origo::v1::BlacklistEntry>> GetBlacklistEntry(
      std::string_view usci, uint64_t entry_id, const ReadView* view) const;
  // Stored entries (status unset) of `usci`, or of every enterprise when `usci` is empty, by
  // USCI then entry id.
  absl::StatusOr<std::vector<origo::v1::BlacklistEntry>> ListBlacklist(std::string_view usci,
                                                                       const ReadView* view) const;

  // The export-refusal hook: the enterprise's listing that is published (LISTED) at
  // `now_unix_ms`, as it stands then (status set); the most severe tier first, then the earliest
  // listed. nullopt when the enterprise is not on the public blacklist. Callers that must refuse
  // an action (export shipping) answer FAILED_PRECONDITION naming entry_id, tier and max_until.
  absl::StatusOr<std::optional<origo::v1::BlacklistEntry>> ActiveListing(std::string_view usci,
                                                                         int64_t now_unix_ms) const;

  // --- Watermark ---

  // Every credit record below this log index is archived; 0 before the first write.
  absl::StatusOr<uint64_t> AppliedBelow(const ReadView* view) const;
  // The whole watermark (applied_below 0 and no records_indexed_from before the first write).
  absl::StatusOr<origo::store::v1::Watermark> Watermark(const ReadView* view) const;

  Store* store() const { return store_; }

 private:
  absl::StatusOr<std::optional<std::string>> Read(ColumnFamily cf, std::string_view key,
                                                  const ReadView* view) const;

  Store* const store_;
  absl::Mutex feedback_mu_;
  int64_t last_feedback_ms_ ABSL_GUARDED_BY(feedback_mu_) = 0;
  uint32_t feedback_sequence_ ABSL_GUARDED_BY(feedback_mu_) = 0;
};

}  // namespace origo::storage

#endif  // ORIGO_STORAGE_CREDIT_ARCHIVE_H_
