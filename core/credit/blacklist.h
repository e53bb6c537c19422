#ifndef ORIGO_CORE_CREDIT_BLACKLIST_H_
#define ORIGO_CORE_CREDIT_BLACKLIST_H_

// The quality blacklist (质量失信黑名单) as a pure state machine over origo.v1.BlacklistEntry.
//
//   created ──> LISTED ──(repair APPROVED)──> REPAIRED
//                  │  └──(max period ends)──> RELEASED
//                  └── repair applications: SUBMITTED ──> APPROVED | REJECTED (then re-apply)
//
// An entry is created by a listing record (a regulator's entry or an imported external listing)
// or by a trigger rule on another record (a SERIOUS penalty; a failed safety item). Its tier
// fixes the publication window from the listing date (RuleSet::windows, recorded with the rule
// version in entry.rule): a repair application is admitted only from the end of the minimum
// period, with every duty of the entry met and a pledge recorded, and only while no other
// application awaits a decision; a regulator then approves or rejects it. At the end of the
// maximum period the entry is released automatically: status is a function of the entry and the
// time, so release needs no background job, and every view can be computed "as of" any time.
// REPAIRED and RELEASED entries leave public views but stay in the archive.
//
// Times are Unix milliseconds of the server clock; dates are China Standard Time (dates.h).
// All functions are pure and thread-safe.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/credit/rules.h"
#include "origo/v1/credit.pb.h"

namespace origo::credit {

// Where and when a record was logged, and who signed it.
struct RecordContext {
  uint64_t index = 0;          // log index
  int64_t record_unix_ms = 0;  // when the server sequenced it
  std::string author_usci;     // the organisation whose key signed it
};

// The entry `record` creates, if any: a ListingRecord always creates one (listed on its
// listedDate); with the rules' triggers on, a SERIOUS PenaltyRecord creates a SERIOUS entry
// listed on the penalty's date (trigger HEAVY_PENALTY, the penalty's duties), and an inspection
// with a failed safety item creates an entry at rules.safety_failure_tier listed on the day the
// inspection was recorded (trigger SAFETY_FAILURE, duty: a rectification report). entry_id is
// context.index. INVALID_ARGUMENT when a date in the record does not parse.
absl::StatusOr<std::optional<origo::v1::BlacklistEntry>> EntryCreatedBy(
    const origo::v1::CreditRecord& record, const RecordContext& context, const RuleSet& rules);

// The entry's status at `unix_ms` (LISTED, REPAIRED or RELEASED; UNSPECIFIED before it was
// created).
origo::v1::BlacklistStatus StatusAt(const origo::v1::BlacklistEntry& entry, int64_t unix_ms);

// True when the entry is published at `unix_ms` (status LISTED).
inline bool IsListedAt(const origo::v1::BlacklistEntry& entry, int64_t unix_ms) {
  return StatusAt(entry, unix_ms) == origo::v1::BLACKLIST_STATUS_LISTED;
}

// The entry as it stood at `unix_ms`: applications and decisions made later removed, status set.
origo::v1::BlacklistEntry ViewAt(const origo::v1::BlacklistEntry& entry, int64_t unix_ms);

// The entry as the public may see it: status set, applications (pledges, evidence) removed.
origo::v1::BlacklistEntry PublicView(const origo::v1::BlacklistEntry& entry, int64_t unix_ms);

// The error that refuses export shipping by an enterprise with a published listing (the entry
// storage::CreditArchive::ActiveListing returns): FAILED_PRECONDITION naming the enterprise, the
// entry id, its tier, trigger, listing date and the date it is released at the latest.
absl::Status RefuseExport(const origo::v1::BlacklistEntry& listing);

// Checks that `application` may be filed on `entry` at `now_unix_ms` under `rules` (the set in
// force that day). FAILED_PRECONDITION naming the rule ("repair.conditions@2026.1: ...") when the
// entry is not LISTED, an application awaits a decision, the minimum period has not ended (the
// message gives the first day to apply), a duty is not met (the message lists them) or no pledge
// is recorded; INVALID_ARGUMENT when the application names another enterprise or entry.
absl::Status CheckRepairApplication(const origo::v1::BlacklistEntry& entry,
                                    const origo::v1::RepairApplication& application,
                                    int64_t now_unix_ms, const RuleSet& rules);
// Records the application as SUBMITTED. Call only after CheckRepairApplication passed.
void ApplyRepairApplication(origo::v1::BlacklistEntry* entry,
                            const origo::v1::RepairApplication& application,
                            const RecordContext& context, const RuleSet& rules);

// Checks that `decision` may be made on `entry` at `now_unix_ms`. FAILED_PRECONDITION when the
// entry is not LISTED or no application awaits a decision; for an approval, also when the
// application's conditions no longer hold (as CheckRepairApplication).
absl::Status CheckRepairDecision(const origo::v1::BlacklistEntry& entry,
                                 const origo::v1::RepairDecision& decision, int64_t now_unix_ms,
                                 const RuleSet& rules);
// Decides the pending application; an approval makes the entry REPAIRED from now on.
void ApplyRepairDecision(origo::v1::BlacklistEntry* entry,
                         const origo::v1::RepairDecision& decision, const RecordContext& context,
                         const RuleSet& rules);

}  // namespace origo::credit

#endif  // ORIGO_CORE_CREDIT_BLACKLIST_H_
