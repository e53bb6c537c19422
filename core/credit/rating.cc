#include "core/credit/rating.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/credit/blacklist.h"

namespace origo::credit {
namespace {

using origo::v1::Grade;
using origo::v1::IndicatorExplanation;

std::string Fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
  return buf;
}

std::string Percent(double rate) { return Fixed(rate * 100, 2) + "%"; }

int32_t Centi(double points) { return static_cast<int32_t>(std::llround(points * 100)); }

void Input(IndicatorExplanation* indicator, const std::string& name, const std::string& value) {
  origo::v1::RatingInput* input = indicator->add_inputs();
  input->set_name(name);
  input->set_value(value);
}

IndicatorExplanation* NewIndicator(origo::v1::Rating* rating, std::string_view id,
                                   const std::string& name, double weight, const RuleSet& rules) {
  IndicatorExplanation* indicator = rating->add_indicators();
  indicator->set_id(std::string(id));
  indicator->set_name(name);
  indicator->set_rule(rules.Ref(id));
  indicator->set_weight_centi(Centi(weight));
  return indicator;
}

// Sets the points of `indicator` to `share` of its weight.
void Award(IndicatorExplanation* indicator, double weight, double share) {
  indicator->set_points_centi(Centi(weight * std::clamp(share, 0.0, 1.0)));
  Input(indicator, "share of weight", Fixed(std::clamp(share, 0.0, 1.0), 4));
}

void PassRate(origo::v1::Rating* rating, std::string_view id, const std::string& name,
              double weight, const LinearScale& scale, double no_data, uint64_t sampled,
              uint64_t passed, const RuleSet& rules) {
  IndicatorExplanation* indicator = NewIndicator(rating, id, name, weight, rules);
  Input(indicator, "sampled", std::to_string(sampled));
  Input(indicator, "passed", std::to_string(passed));
  Input(indicator, "zero points at", Percent(scale.zero_at));
  Input(indicator, "full points at", Percent(scale.full_at));
  if (sampled == 0) {
    indicator->set_note("no inspections in the window: " + Fixed(no_data * 100, 0) +
                        "% of the weight");
    Award(indicator, weight, no_data);
    return;
  }
  const double rate = static_cast<double>(passed) / static_cast<double>(sampled);
  indicator->set_value(rate);
  Input(indicator, "pass rate", Percent(rate));
  Award(indicator, weight, scale.Fraction(rate));
}

origo::v1::CapExplanation* NewCap(origo::v1::Rating* rating, std::string_view rule, Grade cap,
                                  const RuleSet& rules) {
  origo::v1::CapExplanation* c = rating->add_caps();
  c->set_rule(rules.Ref(rule));
  c->set_cap(cap);
  return c;
}

std::optional<Day> DatePart(const std::string& text) {
  if (text.size() < 10) return std::nullopt;
  auto day = ParseDate("date", std::string_view(text).substr(0, 10));
  if (!day.ok()) return std::nullopt;
  return *day;
}

}  // namespace

std::optional<RecordFact> FactOf(const origo::v1::ArchiveEntry& entry) {
  const origo::v1::CreditRecord& record = entry.record();
  if (record.has_inspection()) {
    const auto& r = record.inspection();
    auto day = ParseDate("samplingDate", r.sampling_date());
    if (!day.ok()) return std::nullopt;
    return InspectionFact{*day, r.verdict() == origo::v1::VERDICT_PASS, r.export_()};
  }
  if (record.has_penalty()) {
    const auto& r = record.penalty();
    auto day = ParseDate("date", r.date());
    if (!day.ok()) return std::nullopt;
    return PenaltyFact{*day, r.tier(), entry.index()};
  }
  if (record.has_quality_loss()) {
    const auto& r = record.quality_loss();
    auto day = ParseDate("date", r.date());
    if (!day.ok()) return std::nullopt;
    return LossFact{*day, r.loss_value(), r.output_value()};
  }
  return std::nullopt;
}

void AddFact(const RecordFact& fact, RatingFacts* facts) {
  if (const auto* f = std::get_if<InspectionFact>(&fact)) facts->inspections.push_back(*f);
  if (const auto* f = std::get_if<PenaltyFact>(&fact)) facts->penalties.push_back(*f);
  if (const auto* f = std::get_if<LossFact>(&fact)) facts->losses.push_back(*f);
}

void AddArchiveEntry(const origo::v1::ArchiveEntry& entry, RatingFacts* facts) {
  std::optional<RecordFact> fact = FactOf(entry);
  if (fact.has_value()) AddFact(*fact, facts);
}

void AddCertificate(const origo::v1::Certificate& certificate, RatingFacts* facts) {
  std::optional<Day> from = DatePart(certificate.valid_from());
  std::optional<Day> to = DatePart(certificate.valid_to());
  if (!from || !to) return;
  facts->certificates.push_back({certificate.type(), *from, *to});
}

void AddFeedback(const origo::v1::Feedback& feedback, RatingFacts* facts) {
  facts->feedback.push_back({DayOfUnixMs(feedback.received_unix_ms()), feedback.rating()});
}

Grade GradeForScore(int64_t score_centi, const RuleSet& rules) {
  if (score_centi >= Centi(rules.grade_aaa)) return origo::v1::GRADE_AAA;
  if (score_centi >= Centi(rules.grade_aa)) return origo::v1::GRADE_AA;
  if (score_centi >= Centi(rules.grade_a)) return origo::v1::GRADE_A;
  if (score_centi >= Centi(rules.grade_b)) return origo::v1::GRADE_B;
  return origo::v1::GRADE_C;
}

origo::v1::Rating Rate(const RatingFacts& facts, const RuleSet& rules, int64_t as_of_unix_ms) {
  const Day as_of = DayOfUnixMs(as_of_unix_ms);
  const Day from = as_of - rules.window_days + 1;
  auto in_window = [&](Day day) { return day >= from && day <= as_of; };

  origo::v1::Rating rating;
  rating.set_usci(facts.usci);
  rating.set_as_of(FormatDate(as_of));
  rating.set_window_from(FormatDate(from));
  rating.set_rule_version(rules.version);
  rating.set_explained(true);

  // --- Inspections ---
  uint64_t sampled = 0, passed = 0, export_sampled = 0, export_passed = 0;
  for (const InspectionFact& f : facts.inspections) {
    if (!in_window(f.day)) continue;
    if (f.export_check) {
      ++export_sampled;
      export_passed += f.passed ? 1 : 0;
    } else {
      ++sampled;
      passed += f.passed ? 1 : 0;
    }
  }
  PassRate(&rating, kRuleProductPassRate, "product quality pass rate", rules.weight_product_pass,
           rules.product_pass, rules.product_pass_no_data, sampled, passed, rules);
  PassRate(&rating, kRuleExportPassRate, "export pass rate", rules.weight_export_pass,
           rules.export_pass, rules.export_pass_no_data, export_sampled, export_passed, rules);

  // --- Satisfaction ---
  {
    uint64_t n = 0, sum = 0;
    for (const FeedbackFact& f : facts.feedback) {
      if (!in_window(f.day) || f.rating < 1 || f.rating > 5) continue;
      ++n;
      sum += f.rating;
    }
    const double smoothed = (rules.satisfaction_prior_mean * rules.satisfaction_prior_weight +
                             static_cast<double>(sum)) /
                            (rules.satisfaction_prior_weight + static_cast<double>(n));
    IndicatorExplanation* indicator =
        NewIndicator(&rating, kRuleSatisfaction, "customer satisfaction index",
                     rules.weight_satisfaction, rules);
    Input(indicator, "ratings", std::to_string(n));
    Input(indicator, "mean rating",
          n == 0 ? "-" : Fixed(static_cast<double>(sum) / static_cast<double>(n), 2));
    Input(indicator, "prior mean", Fixed(rules.satisfaction_prior_mean, 2));
    Input(indicator, "prior weight", Fixed(rules.satisfaction_prior_weight, 0));
    Input(indicator, "smoothed index (1-5)", Fixed(smoothed, 2));
    indicator->set_value(smoothed);
    if (n == 0) indicator->set_note("no feedback in the window: the prior alone");
    Award(indicator, rules.weight_satisfaction, (smoothed - 1) / 4);
  }

  // --- Quality loss ---
  {
    double loss = 0, output = 0;
    Day latest = 0;
    uint64_t n = 0;
    for (const LossFact& f : facts.losses) {
      if (!in_window(f.day)) continue;
      ++n;
      loss += f.loss_value;
      if (n == 1 || f.day >= latest) {
        latest = f.day;
        output = f.output_value;
      }
    }
    IndicatorExplanation* indicator = NewIndicator(
        &rating, kRuleQualityLossRate, "quality loss rate", rules.weight_quality_loss, rules);
    Input(indicator, "loss records", std::to_string(n));
    Input(indicator, "loss value (CNY)", Fixed(loss, 2));
    Input(indicator, "output value (CNY)", n == 0 ? "-" : Fixed(output, 2));
    Input(indicator, "zero points at", Percent(rules.loss_zero_at));
    const double rate = n == 0 || output <= 0 ? 0 : loss / output;
    indicator->set_value(rate);
    Input(indicator, "loss rate", Percent(rate));
    if (n == 0) indicator->set_note("no quality loss recorded in the window");
    Award(indicator, rules.weight_quality_loss, 1 - rate / rules.loss_zero_at);
  }

  // --- Traceability ---
  {
    IndicatorExplanation* indicator = NewIndicator(
        &rating, kRuleTraceability, "traceability completeness", rules.weight_traceability, rules);
    Input(indicator, "zero points at", Percent(rules.traceability.zero_at));
    Input(indicator, "full points at", Percent(rules.traceability.full_at));
    if (!facts.traceability || facts.traceability->lots == 0) {
      Input(indicator, "lots", facts.traceability ? "0" : "unknown");
      indicator->set_note("no lot data: " + Fixed(rules.traceability_no_data * 100, 0) +
                          "% of the weight");
      Award(indicator, rules.weight_traceability, rules.traceability_no_data);
    } else {
      const double rate = static_cast<double>(facts.traceability->lots_full_chain) /
                          static_cast<double>(facts.traceability->lots);
      Input(indicator, "lots", std::to_string(facts.traceability->lots));
      Input(indicator, "lots with a full chain",
            std::to_string(facts.traceability->lots_full_chain));
      Input(indicator, "completeness", Percent(rate));
      indicator->set_value(rate);
      Award(indicator, rules.weight_traceability, rules.traceability.Fraction(rate));
    }
  }

  // --- Credit record ---
  {
    uint64_t light = 0, general = 0, serious = 0;
    for (const PenaltyFact& f : facts.penalties) {
      if (!in_window(f.day)) continue;
      if (f.tier == origo::v1::TIER_LIGHT) ++light;
      if (f.tier == origo::v1::TIER_GENERAL) ++general;
      if (f.tier == origo::v1::TIER_SERIOUS) ++serious;
    }
    const double deduction = rules.deduct_light * static_cast<double>(light) +
                             rules.deduct_general * static_cast<double>(general) +
                             rules.deduct_serious * static_cast<double>(serious);
    IndicatorExplanation* indicator = NewIndicator(
        &rating, kRuleCreditRecord, "credit record (penalties)", rules.weight_credit_record, rules);
    Input(indicator, "LIGHT penalties",
          std::to_string(light) + " x -" + Fixed(rules.deduct_light, 2));
    Input(indicator, "GENERAL penalties",
          std::to_string(general) + " x -" + Fixed(rules.deduct_general, 2));
    Input(indicator, "SERIOUS penalties",
          std::to_string(serious) + " x -" + Fixed(rules.deduct_serious, 2));
    Input(indicator, "deduction", Fixed(deduction, 2));
    indicator->set_value(static_cast<double>(light + general + serious));
    const double share = rules.weight_credit_record > 0
                             ? (rules.weight_credit_record - deduction) / rules.weight_credit_record
                             : 0;
    Award(indicator, rules.weight_credit_record, share);
  }

  // --- Score and grade ---
  int64_t score = 0;
  for (const IndicatorExplanation& i : rating.indicators()) score += i.points_centi();
  rating.set_score_centi(static_cast<int32_t>(score));
  const Grade score_grade = GradeForScore(score, rules);
  rating.set_score_grade(score_grade);
  rating.set_grade_rule(rules.Ref(kRuleGrade));
  Grade grade = score_grade;
  auto apply = [&](origo::v1::CapExplanation* cap, const std::string& reason) {
    cap->set_applied(true);
    cap->set_reason(reason);
    if (cap->cap() > grade) grade = cap->cap();
  };

  // --- Caps ---
  {
    origo::v1::CapExplanation* cap =
        NewCap(&rating, kRuleCapBlacklisted, origo::v1::GRADE_D, rules);
    std::string listed;
    for (const origo::v1::BlacklistEntry& e : facts.blacklist) {
      if (IsListedAt(e, as_of_unix_ms)) {
        listed += (listed.empty() ? "" : ", ") + std::to_string(e.entry_id()) + " (" +
                  origo::v1::Tier_Name(e.tier()) + ", until " + e.max_until() + ")";
      }
    }
    if (!listed.empty()) {
      apply(cap, "listed on the quality blacklist: entry " + listed);
    } else {
      cap->set_reason("no published blacklist entry");
    }
  }
  {
    origo::v1::CapExplanation* cap =
        NewCap(&rating, kRuleCapSeriousRecord, origo::v1::GRADE_D, rules);
    const int max_months = rules.Window(origo::v1::TIER_SERIOUS).max_months;
    std::string active;
    for (const PenaltyFact& f : facts.penalties) {
      if (f.tier != origo::v1::TIER_SERIOUS || f.day > as_of ||
          as_of >= AddMonths(f.day, max_months)) {
        continue;
      }
      bool cleared = false;
      for (const origo::v1::BlacklistEntry& e : facts.blacklist) {
        if (e.entry_id() == f.index && !IsListedAt(e, as_of_unix_ms) &&
            StatusAt(e, as_of_unix_ms) != origo::v1::BLACKLIST_STATUS_UNSPECIFIED) {
          cleared = true;
        }
      }
      if (!cleared) {
        active += (active.empty() ? "" : ", ") + std::string("log index ") +
                  std::to_string(f.index) + " of " + FormatDate(f.day);
      }
    }
    if (!active.empty()) {
      apply(cap, "active SERIOUS penalty: " + active);
    } else {
      cap->set_reason("no active SERIOUS penalty");
    }
  }
  {
    origo::v1::CapExplanation* cap =
        NewCap(&rating, kRuleCapGeneralPenalty, rules.general_penalty_cap, rules);
    const Day since = AddMonths(as_of, -rules.general_penalty_months);
    std::string found;
    for (const PenaltyFact& f : facts.penalties) {
      if (f.tier == origo::v1::TIER_GENERAL && f.day > since && f.day <= as_of) {
        found += (found.empty() ? "" : ", ") + FormatDate(f.day);
      }
    }
    if (!found.empty()) {
      apply(cap, "GENERAL penalty in the last " + std::to_string(rules.general_penalty_months) +
                     " months: " + found);
    } else {
      cap->set_reason("no GENERAL penalty in the last " +
                      std::to_string(rules.general_penalty_months) + " months");
    }
  }
  {
    origo::v1::CapExplanation* cap =
        NewCap(&rating, kRuleCapMissingLicence, rules.missing_licence_cap, rules);
    auto required = rules.required_certificates.find(facts.sector);
    std::string missing;
    if (required != rules.required_certificates.end()) {
      for (const std::string& type : required->second) {
        bool valid = false;
        for (const CertificateFact& c : facts.certificates) {
          valid = valid || (c.type == type && c.valid_from <= as_of && as_of <= c.valid_to);
        }
        if (!valid) missing += (missing.empty() ? "" : ", ") + type;
      }
    }
    if (!missing.empty()) {
      apply(cap, "no valid certificate of required type: " + missing);
    } else {
      cap->set_reason("every required certificate is valid");
    }
  }

  rating.set_grade(grade);
  const SupervisionRule& supervision = rules.Supervision(grade);
  rating.set_supervision_class(supervision.supervision_class);
  rating.set_sampling_rate(supervision.sampling_rate);
  rating.set_inspection_frequency(supervision.inspection_frequency);
  rating.set_supervision_rule(rules.Ref(kRuleSupervision));
  return rating;
}

std::string GradeName(Grade grade) {
  switch (grade) {
    case origo::v1::GRADE_AAA:
      return "AAA";
    case origo::v1::GRADE_AA:
      return "AA";
    case origo::v1::GRADE_A:
      return "A";
    case origo::v1::GRADE_B:
      return "B";
    case origo::v1::GRADE_C:
      return "C";
    case origo::v1::GRADE_D:
      return "D";
    default:
      return "-";
  }
}

std::string ClassName(origo::v1::SupervisionClass supervision_class) {
  switch (supervision_class) {
    case origo::v1::SUPERVISION_CLASS_A:
      return "A";
    case origo::v1::SUPERVISION_CLASS_B:
      return "B";
    case origo::v1::SUPERVISION_CLASS_C:
      return "C";
    case origo::v1::SUPERVISION_CLASS_D:
      return "D";
    default:
      return "-";
  }
}

}  // namespace origo::credit
