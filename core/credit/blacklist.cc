#include "core/credit/blacklist.h"

#include <algorithm>

#include "core/base/status_macros.h"

namespace origo::credit {
namespace {

using origo::v1::BlacklistEntry;
using origo::v1::RepairApplicationState;

absl::Status Refused(const RuleSet& rules, std::string_view rule, const BlacklistEntry& entry,
                     const std::string& why) {
  return absl::FailedPreconditionError(rules.Ref(rule) + ": blacklist entry " +
                                       std::to_string(entry.entry_id()) + " of " + entry.usci() +
                                       ": " + why);
}

// Fills the dates and windows of a new entry listed on `listed`.
void SetWindow(BlacklistEntry* entry, Day listed, const RuleSet& rules) {
  const TierWindow& window = rules.Window(entry->tier());
  entry->set_listed_date(FormatDate(listed));
  entry->set_min_until(FormatDate(AddMonths(listed, window.min_months)));
  entry->set_max_until(FormatDate(AddMonths(listed, window.max_months)));
}

BlacklistEntry NewEntry(const std::string& usci, const RecordContext& context) {
  BlacklistEntry entry;
  entry.set_usci(usci);
  entry.set_entry_id(context.index);
  entry.set_author_usci(context.author_usci);
  entry.set_listed_unix_ms(context.record_unix_ms);
  entry.add_evidence("log index " + std::to_string(context.index));
  return entry;
}

// The application awaiting a decision, or nullptr.
const RepairApplicationState* Pending(const BlacklistEntry& entry) {
  for (const RepairApplicationState& a : entry.applications()) {
    if (a.status() == origo::v1::REPAIR_STATUS_SUBMITTED) return &a;
  }
  return nullptr;
}

absl::Status CheckListed(const BlacklistEntry& entry, int64_t now, const RuleSet& rules) {
  switch (StatusAt(entry, now)) {
    case origo::v1::BLACKLIST_STATUS_LISTED:
      return absl::OkStatus();
    case origo::v1::BLACKLIST_STATUS_REPAIRED:
      return Refused(rules, kRuleRepairConditions, entry, "already repaired");
    case origo::v1::BLACKLIST_STATUS_RELEASED:
      return Refused(
          rules, kRuleRepairConditions, entry,
          "released on " + entry.max_until() + " at the end of its maximum publication period");
    default:
      return Refused(rules, kRuleRepairConditions, entry, "not listed yet");
  }
}

// Minimum period, duties and pledge.
absl::Status CheckConditions(const BlacklistEntry& entry, const std::string& pledge,
                             const google::protobuf::RepeatedPtrField<std::string>& duties_met,
                             int64_t now, const RuleSet& rules) {
  auto min_until = ParseDate("min_until", entry.min_until());
  if (!min_until.ok()) return absl::DataLossError(std::string(min_until.status().message()));
  const Day today = DayOfUnixMs(now);
  if (today < *min_until) {
    return Refused(rules, kRuleRepairConditions, entry,
                   "the minimum publication period of this " + origo::v1::Tier_Name(entry.tier()) +
                       " listing (listed " + entry.listed_date() + ") ends on " +
                       entry.min_until() + "; repair may be applied for from that day (today is " +
                       FormatDate(today) + ")");
  }
  std::string missing;
  for (const std::string& duty : entry.duties()) {
    if (std::find(duties_met.begin(), duties_met.end(), duty) == duties_met.end()) {
      missing += (missing.empty() ? "\"" : ", \"") + duty + "\"";
    }
  }
  if (!missing.empty()) {
    return Refused(rules, kRuleRepairConditions, entry, "duties not met: " + missing);
  }
  if (pledge.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Refused(rules, kRuleRepairConditions, entry, "no credit pledge is recorded");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::optional<BlacklistEntry>> EntryCreatedBy(const origo::v1::CreditRecord& record,
                                                             const RecordContext& context,
                                                             const RuleSet& rules) {
  if (record.has_listing()) {
    const origo::v1::ListingRecord& l = record.listing();
    ORIGO_ASSIGN_OR_RETURN(Day listed, ParseDate("listedDate", l.listed_date()));
    BlacklistEntry entry = NewEntry(l.enterprise(), context);
    entry.set_tier(l.tier());
    entry.set_trigger(l.trigger());
    entry.set_source(l.source());
    entry.set_list_name(l.list_name());
    entry.set_reference(l.reference());
    entry.set_reason(l.reason());
    entry.set_rule(rules.Ref(kRuleListingWindow));
    for (const std::string& d : l.duties()) entry.add_duties(d);
    for (const std::string& e : l.evidence()) entry.add_evidence(e);
    SetWindow(&entry, listed, rules);
    return entry;
  }
  if (record.has_penalty() && rules.list_serious_penalty &&
      record.penalty().tier() == origo::v1::TIER_SERIOUS) {
    const origo::v1::PenaltyRecord& p = record.penalty();
    ORIGO_ASSIGN_OR_RETURN(Day listed, ParseDate("date", p.date()));
    BlacklistEntry entry = NewEntry(p.enterprise(), context);
    entry.set_tier(origo::v1::TIER_SERIOUS);
    entry.set_trigger(origo::v1::TRIGGER_HEAVY_PENALTY);
    entry.set_source(origo::v1::LISTING_SOURCE_RULE);
    entry.set_reference(p.decision_no());
    entry.set_reason("SERIOUS penalty " + p.decision_no() + " by " + p.authority());
    entry.set_rule(rules.Ref(kRuleTriggerSeriousPenalty));
    for (const std::string& d : p.duties()) entry.add_duties(d);
    SetWindow(&entry, listed, rules);
    return entry;
  }
  if (record.has_inspection() && rules.list_safety_failure) {
    const origo::v1::InspectionRecord& i = record.inspection();
    std::string failed;
    for (const origo::v1::TestItem& item : i.items()) {
      if (item.safety() && item.verdict() == origo::v1::VERDICT_FAIL) {
        failed += (failed.empty() ? "" : ", ") + item.name();
      }
    }
    if (failed.empty()) return std::nullopt;
    BlacklistEntry entry = NewEntry(i.enterprise(), context);
    entry.set_tier(rules.safety_failure_tier);
    entry.set_trigger(origo::v1::TRIGGER_SAFETY_FAILURE);
    entry.set_source(origo::v1::LISTING_SOURCE_RULE);
    entry.set_reference(i.report_no());
    entry.set_reason("failed safety items in inspection " + i.report_no() + ": " + failed +
                     (i.lot().empty() ? "" : " (lot " + i.lot() + ")"));
    entry.set_rule(rules.Ref(kRuleTriggerSafetyFailure));
    entry.add_duties("rectification report for inspection " + i.report_no());
    SetWindow(&entry, DayOfUnixMs(context.record_unix_ms), rules);
    return entry;
  }
  return std::nullopt;
}

origo::v1::BlacklistStatus StatusAt(const BlacklistEntry& entry, int64_t unix_ms) {
  if (entry.listed_unix_ms() > unix_ms) return origo::v1::BLACKLIST_STATUS_UNSPECIFIED;
  if (entry.repaired_unix_ms() != 0 && entry.repaired_unix_ms() <= unix_ms) {
    return origo::v1::BLACKLIST_STATUS_REPAIRED;
  }
  auto max_until = ParseDate("max_until", entry.max_until());
  if (max_until.ok() && DayOfUnixMs(unix_ms) >= *max_until) {
    return origo::v1::BLACKLIST_STATUS_RELEASED;
  }
  return origo::v1::BLACKLIST_STATUS_LISTED;
}

BlacklistEntry ViewAt(const BlacklistEntry& entry, int64_t unix_ms) {
  BlacklistEntry view = entry;
  view.clear_applications();
  for (const RepairApplicationState& a : entry.applications()) {
    if (a.applied_unix_ms() > unix_ms) continue;
    RepairApplicationState* kept = view.add_applications();
    *kept = a;
    if (a.decided_unix_ms() > unix_ms) {
      kept->set_status(origo::v1::REPAIR_STATUS_SUBMITTED);
      kept->clear_decision_index();
      kept->clear_decided_unix_ms();
      kept->clear_decided_by();
      kept->clear_reason();
    }
  }
  if (view.repaired_unix_ms() > unix_ms) view.clear_repaired_unix_ms();
  view.set_status(StatusAt(entry, unix_ms));
  return view;
}

BlacklistEntry PublicView(const BlacklistEntry& entry, int64_t unix_ms) {
  BlacklistEntry view = ViewAt(entry, unix_ms);
  view.clear_applications();
  return view;
}

absl::Status RefuseExport(const BlacklistEntry& listing) {
  return absl::FailedPreconditionError(
      "export shipping refused: " + listing.usci() + " is on the quality blacklist (entry " +
      std::to_string(listing.entry_id()) + ", " + origo::v1::Tier_Name(listing.tier()) + ", " +
      origo::v1::Trigger_Name(listing.trigger()) + ", listed " + listing.listed_date() +
      ", published until " + listing.max_until() + " unless repaired earlier)");
}

absl::Status CheckRepairApplication(const BlacklistEntry& entry,
                                    const origo::v1::RepairApplication& application,
                                    int64_t now_unix_ms, const RuleSet& rules) {
  if (application.enterprise() != entry.usci() || application.entry_id() != entry.entry_id()) {
    return absl::InvalidArgumentError("entryId: blacklist entry " +
                                      std::to_string(application.entry_id()) + " of " +
                                      application.enterprise() + " does not exist");
  }
  ORIGO_RETURN_IF_ERROR(CheckListed(entry, now_unix_ms, rules));
  if (const RepairApplicationState* pending = Pending(entry)) {
    return Refused(
        rules, kRuleRepairConditions, entry,
        "the application at log index " + std::to_string(pending->index()) + " awaits a decision");
  }
  return CheckConditions(entry, application.pledge(), application.duties_met(), now_unix_ms, rules);
}

void ApplyRepairApplication(BlacklistEntry* entry, const origo::v1::RepairApplication& application,
                            const RecordContext& context, const RuleSet& rules) {
  RepairApplicationState* state = entry->add_applications();
  state->set_index(context.index);
  state->set_applied_unix_ms(context.record_unix_ms);
  state->set_pledge(application.pledge());
  *state->mutable_duties_met() = application.duties_met();
  *state->mutable_evidence() = application.evidence();
  state->set_status(origo::v1::REPAIR_STATUS_SUBMITTED);
  state->set_rule(rules.Ref(kRuleRepairConditions));
}

absl::Status CheckRepairDecision(const BlacklistEntry& entry,
                                 const origo::v1::RepairDecision& decision, int64_t now_unix_ms,
                                 const RuleSet& rules) {
  if (decision.enterprise() != entry.usci() || decision.entry_id() != entry.entry_id()) {
    return absl::InvalidArgumentError("entryId: blacklist entry " +
                                      std::to_string(decision.entry_id()) + " of " +
                                      decision.enterprise() + " does not exist");
  }
  ORIGO_RETURN_IF_ERROR(CheckListed(entry, now_unix_ms, rules));
  const RepairApplicationState* pending = Pending(entry);
  if (pending == nullptr) {
    return Refused(rules, kRuleRepairDecision, entry, "no repair application awaits a decision");
  }
  if (decision.outcome() == origo::v1::REPAIR_OUTCOME_APPROVED) {
    return CheckConditions(entry, pending->pledge(), pending->duties_met(), now_unix_ms, rules);
  }
  return absl::OkStatus();
}

void ApplyRepairDecision(BlacklistEntry* entry, const origo::v1::RepairDecision& decision,
                         const RecordContext& context, const RuleSet& rules) {
  for (RepairApplicationState& a : *entry->mutable_applications()) {
    if (a.status() != origo::v1::REPAIR_STATUS_SUBMITTED) continue;
    const bool approved = decision.outcome() == origo::v1::REPAIR_OUTCOME_APPROVED;
    a.set_status(approved ? origo::v1::REPAIR_STATUS_APPROVED : origo::v1::REPAIR_STATUS_REJECTED);
    a.set_decision_index(context.index);
    a.set_decided_unix_ms(context.record_unix_ms);
    a.set_decided_by(context.author_usci);
    a.set_reason(decision.reason());
    a.set_rule(a.rule() + "; " + rules.Ref(kRuleRepairDecision));
    if (approved) entry->set_repaired_unix_ms(context.record_unix_ms);
    return;
  }
}

}  // namespace origo::credit
