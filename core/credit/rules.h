#ifndef ORIGO_CORE_CREDIT_RULES_H_
#define ORIGO_CORE_CREDIT_RULES_H_

// Versioned credit rules: indicator weights and scales, grade thresholds, caps, supervision
// classes, blacklist publication windows and triggers (DESIGN §8). Rules change over time
// (customs and national credit repair rules were revised with effect from 2026-04-01), so every
// rule set carries a version and the dates it is in effect, and every decision made with it
// records "rule_id@version" (RuleSet::Ref).
//
// The default rule book holds two versions: "2024.1" (2024-01-01 .. 2026-03-31) and "2026.1"
// (from 2026-04-01). Their numbers are this project's defaults, chosen to follow DESIGN §8; a
// region sets its own by building a RuleBook from its published rules.
//
// Value types; thread-compatible (a RuleBook is immutable once built and may be shared).

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/credit/dates.h"
#include "origo/v1/credit.pb.h"
#include "origo/v1/registry.pb.h"

namespace origo::credit {

// Rule ids. A decision records "<id>@<version>".
inline constexpr std::string_view kRuleProductPassRate = "indicator.product_pass_rate";
inline constexpr std::string_view kRuleExportPassRate = "indicator.export_pass_rate";
inline constexpr std::string_view kRuleSatisfaction = "indicator.satisfaction";
inline constexpr std::string_view kRuleQualityLossRate = "indicator.quality_loss_rate";
inline constexpr std::string_view kRuleTraceability = "indicator.traceability";
inline constexpr std::string_view kRuleCreditRecord = "indicator.credit_record";
inline constexpr std::string_view kRuleGrade = "grade.thresholds";
inline constexpr std::string_view kRuleCapBlacklisted = "cap.blacklisted";
inline constexpr std::string_view kRuleCapSeriousRecord = "cap.serious_record";
inline constexpr std::string_view kRuleCapGeneralPenalty = "cap.general_penalty";
inline constexpr std::string_view kRuleCapMissingLicence = "cap.missing_licence";
inline constexpr std::string_view kRuleSupervision = "supervision.class";
inline constexpr std::string_view kRuleListingWindow = "blacklist.window";
inline constexpr std::string_view kRuleTriggerSeriousPenalty = "blacklist.trigger.serious_penalty";
inline constexpr std::string_view kRuleTriggerSafetyFailure = "blacklist.trigger.safety_failure";
inline constexpr std::string_view kRuleRepairConditions = "repair.conditions";
inline constexpr std::string_view kRuleRepairDecision = "repair.decision";
inline constexpr std::string_view kRuleReleaseAtMax = "blacklist.release_at_max";

// Maps an indicator's value linearly to the share of its weight earned: 0 at or below
// `zero_at`, 1 at or above `full_at` (zero_at < full_at).
struct LinearScale {
  double zero_at = 0;
  double full_at = 1;
  double Fraction(double value) const;
};

// A tier's publication window, in calendar months from the listing date: repair may be applied
// for from min_months on; the entry is released automatically at max_months.
struct TierWindow {
  int min_months = 0;
  int max_months = 0;
};

struct SupervisionRule {
  origo::v1::SupervisionClass supervision_class = origo::v1::SUPERVISION_CLASS_UNSPECIFIED;
  std::string sampling_rate;
  std::string inspection_frequency;
};

struct RuleSet {
  std::string version;
  // In effect from `effective_from` (inclusive) to `effective_until` (exclusive).
  Day effective_from = 0;
  Day effective_until = 0;

  // Rolling window of the indicators, in days ending on the rating day.
  int window_days = 365;

  // Indicator weights, in points; they sum to 100.
  double weight_product_pass = 30;
  double weight_export_pass = 10;
  double weight_satisfaction = 15;
  double weight_quality_loss = 15;
  double weight_traceability = 15;
  double weight_credit_record = 15;

  // Pass rates (passed / sampled). Without inspections an indicator earns `*_no_data` of its
  // weight (an enterprise that does not export is not marked down for it).
  LinearScale product_pass{0.70, 0.99};
  double product_pass_no_data = 0.8;
  LinearScale export_pass{0.70, 0.99};
  double export_pass_no_data = 1.0;

  // Satisfaction: Bayesian average of 1..5 ratings with `prior_weight` pseudo-ratings at
  // `prior_mean`, mapped from 1..5 to 0..1 of the weight. With the defaults, two 1-star reviews
  // move the index from 4.00 to 3.73.
  double satisfaction_prior_mean = 4.0;
  double satisfaction_prior_weight = 20;

  // Quality loss rate (loss value / output value): full points at 0, none at `loss_zero_at`.
  double loss_zero_at = 0.05;

  // Traceability completeness (lots with a full chain / lots).
  LinearScale traceability{0.5, 1.0};
  double traceability_no_data = 0.8;

  // Credit record: points deducted per penalty in the window, by tier (floor 0).
  double deduct_light = 3;
  double deduct_general = 8;
  double deduct_serious = 15;

  // Grade thresholds on the score (in points): AAA >= aaa, AA >= aa, A >= a, B >= b, else C.
  double grade_aaa = 90;
  double grade_aa = 80;
  double grade_a = 70;
  double grade_b = 60;

  // Caps. A GENERAL penalty dated within `general_penalty_months` caps at `general_penalty_cap`;
  // a missing required certificate (by sector, certificate type) caps at `missing_licence_cap`.
  int general_penalty_months = 12;
  origo::v1::Grade general_penalty_cap = origo::v1::GRADE_B;
  origo::v1::Grade missing_licence_cap = origo::v1::GRADE_C;
  std::map<origo::v1::Sector, std::vector<std::string>> required_certificates;

  // Supervision class by grade (index = origo::v1::Grade value).
  std::array<SupervisionRule, 7> supervision;

  // Publication windows by tier (index = origo::v1::Tier value).
  std::array<TierWindow, 4> windows;

  // Triggers that list an enterprise without a separate listing record: a SERIOUS penalty (at
  // SERIOUS), and a failed safety item in an inspection (at `safety_failure_tier`).
  bool list_serious_penalty = true;
  bool list_safety_failure = true;
  origo::v1::Tier safety_failure_tier = origo::v1::TIER_GENERAL;

  // "<rule_id>@<version>".
  std::string Ref(std::string_view rule_id) const;
  const TierWindow& Window(origo::v1::Tier tier) const;
  const SupervisionRule& Supervision(origo::v1::Grade grade) const;
};

// Checks a rule set: weights are finite, >= 0 and sum to 100; scales and thresholds are ordered;
// every tier has 0 <= min <= max months and max > 0; every grade has a supervision class; the
// effective dates are ordered. INVALID_ARGUMENT naming the field otherwise.
absl::Status ValidateRuleSet(const RuleSet& rules);

// The rule sets in force over time, non-overlapping, ordered by effective date.
class RuleBook {
 public:
  // Checks every set and that their periods neither overlap nor leave gaps.
  static absl::StatusOr<RuleBook> Create(std::vector<RuleSet> sets);
  // The built-in book described at the top of this file.
  static const RuleBook& Default();

  // The set in force on `day`. NOT_FOUND when `day` is before the first set or after the last.
  absl::StatusOr<const RuleSet*> At(Day day) const;
  // The set with this version, or NOT_FOUND.
  absl::StatusOr<const RuleSet*> Find(std::string_view version) const;
  const std::vector<RuleSet>& sets() const { return sets_; }

 private:
  explicit RuleBook(std::vector<RuleSet> sets) : sets_(std::move(sets)) {}
  std::vector<RuleSet> sets_;
};

}  // namespace origo::credit

#endif  // ORIGO_CORE_CREDIT_RULES_H_
