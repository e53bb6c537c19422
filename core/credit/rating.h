#ifndef ORIGO_CORE_CREDIT_RATING_H_
#define ORIGO_CORE_CREDIT_RATING_H_

// The explainable quality-credit rating (DESIGN §8): pure functions from an enterprise's facts
// and a rule set to an origo.v1.Rating.
//
// Indicators over the rolling window [as_of - window_days + 1, as_of] (by the date each fact
// carries):
//   product pass rate      passed / sampled domestic inspections
//   export pass rate       passed / sampled export inspections
//   satisfaction index     Bayesian average of consumer ratings 1..5 (prior: mean, weight)
//   quality loss rate      loss value / output value (latest reported output value)
//   traceability           lots with a full chain from origin / lots (when known)
//   credit record          weight minus a deduction per penalty by tier, floor 0
// Each earns a share of its weight; points are rounded to hundredths, and the score is the sum
// of the indicators' points, so the explanation sums to the score exactly. The score's grade
// (AAA >= 90, AA >= 80, A >= 70, B >= 60, C below) is then lowered by every cap that applies:
//   cap.blacklisted        a LISTED blacklist entry                         -> D
//   cap.serious_record     a SERIOUS penalty within its maximum publication
//                          window whose entry is not repaired or released   -> D
//   cap.general_penalty    a GENERAL penalty in the last 12 months          -> B
//   cap.missing_licence    a certificate the sector requires is not valid   -> C
// Every cap is listed, applied or not, with its rule id and reason. The grade maps to a
// supervision class. Same facts and rule set, same rating: the result depends on nothing else.
//
// Thread-safety: pure functions; value types.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/credit/dates.h"
#include "core/credit/rules.h"
#include "origo/v1/credit.pb.h"
#include "origo/v1/registry.pb.h"

namespace origo::credit {

struct InspectionFact {
  Day day = 0;  // sampling date
  bool passed = false;
  bool export_check = false;
};

struct PenaltyFact {
  Day day = 0;  // decision date
  origo::v1::Tier tier = origo::v1::TIER_UNSPECIFIED;
  uint64_t index = 0;  // log index (the id of the blacklist entry it may have created)
};

struct LossFact {
  Day day = 0;
  double loss_value = 0;
  double output_value = 0;
};

struct FeedbackFact {
  Day day = 0;
  uint32_t rating = 0;  // 1..5
};

struct CertificateFact {
  std::string type;
  Day valid_from = 0;
  Day valid_to = 0;  // inclusive
};

struct TraceabilityFact {
  uint64_t lots = 0;
  uint64_t lots_full_chain = 0;
};

// Everything the rating of one enterprise reads. Value type.
struct RatingFacts {
  std::string usci;
  origo::v1::Sector sector = origo::v1::SECTOR_UNSPECIFIED;
  std::vector<InspectionFact> inspections;
  std::vector<PenaltyFact> penalties;
  std::vector<LossFact> losses;
  std::vector<FeedbackFact> feedback;
  std::vector<CertificateFact> certificates;
  std::vector<origo::v1::BlacklistEntry> blacklist;
  // Unknown (nullopt) until lineage can tell; the indicator then earns its no-data share.
  std::optional<TraceabilityFact> traceability;
};

// The rating fact of one archive entry: inspections, penalties and quality losses carry one;
// other record kinds, and an entry whose date does not parse (the archive holds only validated
// records), none.
using RecordFact = std::variant<InspectionFact, PenaltyFact, LossFact>;
std::optional<RecordFact> FactOf(const origo::v1::ArchiveEntry& entry);
// Adds `fact` to the matching list of `facts`.
void AddFact(const RecordFact& fact, RatingFacts* facts);
// Adds the fact of one archive entry, if any.
void AddArchiveEntry(const origo::v1::ArchiveEntry& entry, RatingFacts* facts);
// Adds a registry certificate (validity as RFC 3339 dates or date-times; the date part counts).
// One whose dates do not parse is skipped (it then counts as missing).
void AddCertificate(const origo::v1::Certificate& certificate, RatingFacts* facts);
void AddFeedback(const origo::v1::Feedback& feedback, RatingFacts* facts);

// The grade of a score in hundredths of a point, before caps (never D).
origo::v1::Grade GradeForScore(int64_t score_centi, const RuleSet& rules);

// Rates `facts` under `rules` as of `as_of_unix_ms`: the window ends on that time's date, and
// blacklist statuses are taken at that instant.
origo::v1::Rating Rate(const RatingFacts& facts, const RuleSet& rules, int64_t as_of_unix_ms);

// "AAA" .. "D", and "A" .. "D" for supervision classes.
std::string GradeName(origo::v1::Grade grade);
std::string ClassName(origo::v1::SupervisionClass supervision_class);

}  // namespace origo::credit

#endif  // ORIGO_CORE_CREDIT_RATING_H_
