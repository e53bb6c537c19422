#include "core/credit/rules.h"

#include <cmath>

#include "core/base/status_macros.h"

namespace origo::credit {
namespace {

absl::Status Invalid(const RuleSet& rules, std::string_view field, const std::string& rule) {
  return absl::InvalidArgumentError("rule set " + rules.version + ": " + std::string(field) + ": " +
                                    rule);
}

absl::Status CheckScale(const RuleSet& rules, std::string_view field, const LinearScale& scale) {
  if (!std::isfinite(scale.zero_at) || !std::isfinite(scale.full_at) ||
      !(scale.zero_at < scale.full_at)) {
    return Invalid(rules, field, "needs finite zero_at < full_at");
  }
  return absl::OkStatus();
}

absl::Status CheckShare(const RuleSet& rules, std::string_view field, double share) {
  if (!(share >= 0 && share <= 1)) return Invalid(rules, field, "must be within 0..1");
  return absl::OkStatus();
}

RuleSet BaseRules() {
  RuleSet r;
  r.required_certificates = {
      {origo::v1::SECTOR_WINE, {"licence"}},
      {origo::v1::SECTOR_GOJI, {"licence"}},
      {origo::v1::SECTOR_HALAL, {"licence", "halal"}},
  };
  const SupervisionRule class_a{origo::v1::SUPERVISION_CLASS_A, "<= 5% of enterprises",
                                "less than once a year"};
  const SupervisionRule class_b{origo::v1::SUPERVISION_CLASS_B, "5-20% of enterprises",
                                "about once a year"};
  const SupervisionRule class_c{origo::v1::SUPERVISION_CLASS_C, "21-60% of enterprises",
                                "up to twice a year"};
  const SupervisionRule class_d{origo::v1::SUPERVISION_CLASS_D, "61-100% of enterprises",
                                "every inspection round"};
  r.supervision[origo::v1::GRADE_AAA] = class_a;
  r.supervision[origo::v1::GRADE_AA] = class_a;
  r.supervision[origo::v1::GRADE_A] = class_b;
  r.supervision[origo::v1::GRADE_B] = class_c;
  r.supervision[origo::v1::GRADE_C] = class_d;
  r.supervision[origo::v1::GRADE_D] = class_d;
  r.windows[origo::v1::TIER_LIGHT] = {1, 3};
  r.windows[origo::v1::TIER_GENERAL] = {3, 12};
  r.windows[origo::v1::TIER_SERIOUS] = {12, 36};
  return r;
}

RuleBook BuildDefault() {
  RuleSet v2024 = BaseRules();
  v2024.version = "2024.1";
  v2024.effective_from = ParseDate("effective_from", "2024-01-01").value();
  v2024.effective_until = ParseDate("effective_until", "2026-04-01").value();
  v2024.deduct_light = 2;
  v2024.deduct_general = 6;
  v2024.satisfaction_prior_weight = 10;

  RuleSet v2026 = BaseRules();
  v2026.version = "2026.1";
  v2026.effective_from = v2024.effective_until;
  v2026.effective_until = ParseDate("effective_until", "9999-12-31").value();

  auto book = RuleBook::Create({std::move(v2024), std::move(v2026)});
  if (!book.ok()) std::abort();  // the built-in rules are checked by the tests
  return *std::move(book);
}

}  // namespace

double LinearScale::Fraction(double value) const {
  if (!(value > zero_at)) return 0;
  if (value >= full_at) return 1;
  return (value - zero_at) / (full_at - zero_at);
}

std::string RuleSet::Ref(std::string_view rule_id) const {
  return std::string(rule_id) + "@" + version;
}

const TierWindow& RuleSet::Window(origo::v1::Tier tier) const {
  const size_t i = static_cast<size_t>(tier);
  return windows[i < windows.size() ? i : 0];
}

const SupervisionRule& RuleSet::Supervision(origo::v1::Grade grade) const {
  const size_t i = static_cast<size_t>(grade);
  return supervision[i < supervision.size() ? i : 0];
}

absl::Status ValidateRuleSet(const RuleSet& r) {
  if (r.version.empty()) return absl::InvalidArgumentError("rule set: version: required");
  if (r.effective_from >= r.effective_until) {
    return Invalid(r, "effective_until", "must be after effective_from");
  }
  if (r.window_days < 1) return Invalid(r, "window_days", "must be >= 1");
  const double weights[] = {r.weight_product_pass, r.weight_export_pass,  r.weight_satisfaction,
                            r.weight_quality_loss, r.weight_traceability, r.weight_credit_record};
  double sum = 0;
  for (double w : weights) {
    if (!std::isfinite(w) || w < 0) return Invalid(r, "weights", "must be finite and >= 0");
    sum += w;
  }
  if (std::fabs(sum - 100) > 1e-9) {
    return Invalid(r, "weights", "sum to " + std::to_string(sum) + ", not 100");
  }
  ORIGO_RETURN_IF_ERROR(CheckScale(r, "product_pass", r.product_pass));
  ORIGO_RETURN_IF_ERROR(CheckScale(r, "export_pass", r.export_pass));
  ORIGO_RETURN_IF_ERROR(CheckScale(r, "traceability", r.traceability));
  ORIGO_RETURN_IF_ERROR(CheckShare(r, "product_pass_no_data", r.product_pass_no_data));
  ORIGO_RETURN_IF_ERROR(CheckShare(r, "export_pass_no_data", r.export_pass_no_data));
  ORIGO_RETURN_IF_ERROR(CheckShare(r, "traceability_no_data", r.traceability_no_data));
  if (!(r.satisfaction_prior_mean >= 1 && r.satisfaction_prior_mean <= 5)) {
    return Invalid(r, "satisfaction_prior_mean", "must be within 1..5");
  }
  if (!(r.satisfaction_prior_weight > 0) || !std::isfinite(r.satisfaction_prior_weight)) {
    return Invalid(r, "satisfaction_prior_weight", "must be finite and > 0");
  }
  if (!(r.loss_zero_at > 0) || !std::isfinite(r.loss_zero_at)) {
    return Invalid(r, "loss_zero_at", "must be finite and > 0");
  }
  for (double d : {r.deduct_light, r.deduct_general, r.deduct_serious}) {
    if (!std::isfinite(d) || d < 0) return Invalid(r, "deduct_*", "must be finite and >= 0");
  }
  if (!(r.grade_aaa > r.grade_aa && r.grade_aa > r.grade_a && r.grade_a > r.grade_b &&
        r.grade_b > 0 && r.grade_aaa <= 100)) {
    return Invalid(r, "grade thresholds", "need 100 >= aaa > aa > a > b > 0");
  }
  if (r.general_penalty_months < 1) return Invalid(r, "general_penalty_months", "must be >= 1");
  for (int g = origo::v1::GRADE_AAA; g <= origo::v1::GRADE_D; ++g) {
    if (r.supervision[static_cast<size_t>(g)].supervision_class ==
        origo::v1::SUPERVISION_CLASS_UNSPECIFIED) {
      return Invalid(r, "supervision",
                     "grade " + origo::v1::Grade_Name(static_cast<origo::v1::Grade>(g)) +
                         " has no supervision class");
    }
  }
  for (int t = origo::v1::TIER_LIGHT; t <= origo::v1::TIER_SERIOUS; ++t) {
    const TierWindow& w = r.windows[static_cast<size_t>(t)];
    if (w.min_months < 0 || w.max_months < 1 || w.min_months > w.max_months) {
      return Invalid(r, "windows",
                     origo::v1::Tier_Name(static_cast<origo::v1::Tier>(t)) +
                         " needs 0 <= min_months <= max_months, max_months >= 1");
    }
  }
  if (r.safety_failure_tier == origo::v1::TIER_UNSPECIFIED ||
      !origo::v1::Tier_IsValid(r.safety_failure_tier)) {
    return Invalid(r, "safety_failure_tier", "must be a tier");
  }
  return absl::OkStatus();
}

absl::StatusOr<RuleBook> RuleBook::Create(std::vector<RuleSet> sets) {
  if (sets.empty()) return absl::InvalidArgumentError("rule book: needs at least one rule set");
  for (size_t i = 0; i < sets.size(); ++i) {
    ORIGO_RETURN_IF_ERROR(ValidateRuleSet(sets[i]));
    for (size_t j = 0; j < i; ++j) {
      if (sets[j].version == sets[i].version) {
        return absl::InvalidArgumentError("rule book: version " + sets[i].version +
                                          " appears twice");
      }
    }
    if (i > 0 && sets[i].effective_from != sets[i - 1].effective_until) {
      return absl::InvalidArgumentError(
          "rule book: rule set " + sets[i].version + " starts " +
          FormatDate(sets[i].effective_from) + ", but " + sets[i - 1].version + " ends " +
          FormatDate(sets[i - 1].effective_until) + " (sets must follow without gap or overlap)");
    }
  }
  return RuleBook(std::move(sets));
}

const RuleBook& RuleBook::Default() {
  static const RuleBook* const book = new RuleBook(BuildDefault());
  return *book;
}

absl::StatusOr<const RuleSet*> RuleBook::At(Day day) const {
  for (const RuleSet& set : sets_) {
    if (day >= set.effective_from && day < set.effective_until) return &set;
  }
  return absl::NotFoundError("no credit rule set is in effect on " + FormatDate(day) +
                             " (rules cover " + FormatDate(sets_.front().effective_from) + " to " +
                             FormatDate(sets_.back().effective_until - 1) + ")");
}

absl::StatusOr<const RuleSet*> RuleBook::Find(std::string_view version) const {
  for (const RuleSet& set : sets_) {
    if (set.version == version) return &set;
  }
  return absl::NotFoundError("no credit rule set has version " + std::string(version));
}

}  // namespace origo::credit
