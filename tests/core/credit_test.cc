// The credit rules: dates, rule book, record documents, rating (every grade boundary and cap),
// the blacklist state machine over a whole entry's life, and quality reports.

#include <gtest/gtest.h>

#include <random>

#include "core/credit/blacklist.h"
#include "core/credit/dates.h"
#include "core/credit/rating.h"
#include "core/credit/records.h"
#include "core/credit/report.h"
#include "core/credit/rules.h"

namespace origo::credit {
namespace {

constexpr char kWinery[] = "91640521MA76GJ0Q1B";
constexpr char kLab[] = "91640100MA77XL2X3M";

Day D(const char* text) { return ParseDate("test", text).value(); }
// Noon China time on `text`.
int64_t At(const char* text) { return StartOfDayUnixMs(D(text)) + 12 * 3600 * 1000; }

const RuleSet& Rules2026() { return *RuleBook::Default().Find("2026.1").value(); }

origo::v1::CreditRecord Inspection(const std::string& date, bool pass, bool safety_fail = false) {
  origo::v1::CreditRecord record;
  auto* r = record.mutable_inspection();
  r->set_enterprise(kWinery);
  r->set_lot("/01/06971234000415/10/GJ2026-0415");
  r->set_lab("Ningxia Product Quality Inspection Institute");
  r->set_sampling_date(date);
  r->set_report_no("NX-2026-0001");
  auto* item = r->add_items();
  item->set_name("chlorpyrifos");
  item->set_measured(safety_fail ? 0.09 : 0.01);
  item->set_unit("mg/kg");
  item->set_limit(0.05);
  item->set_safety(true);
  item->set_verdict(safety_fail ? origo::v1::VERDICT_FAIL : origo::v1::VERDICT_PASS);
  r->set_verdict(pass && !safety_fail ? origo::v1::VERDICT_PASS : origo::v1::VERDICT_FAIL);
  return record;
}

origo::v1::CreditRecord Penalty(const std::string& date, origo::v1::Tier tier) {
  origo::v1::CreditRecord record;
  auto* r = record.mutable_penalty();
  r->set_enterprise(kWinery);
  r->set_authority("Yinchuan Market Supervision Bureau");
  r->set_decision_no("YC-MS-2026-17");
  r->set_tier(tier);
  r->set_date(date);
  r->add_duties("pay the fine");
  r->add_duties("recall lot GJ2026-0415");
  return record;
}

// --- Dates ---

TEST(CreditDates, ParsesFormatsAndCountsMonths) {
  EXPECT_EQ(FormatDate(D("2026-04-01")), "2026-04-01");
  EXPECT_EQ(D("1970-01-02"), 1);
  EXPECT_FALSE(ParseDate("f", "2026-02-30").ok());
  EXPECT_FALSE(ParseDate("f", "2026-4-01").ok());
  EXPECT_FALSE(ParseDate("f", "2026-04-01T00:00").ok());
  EXPECT_EQ(FormatDate(AddMonths(D("2026-01-31"), 1)), "2026-02-28");
  EXPECT_EQ(FormatDate(AddMonths(D("2026-05-15"), 36)), "2029-05-15");
  EXPECT_EQ(FormatDate(AddMonths(D("2026-05-15"), -12)), "2025-05-15");
  // 2026-04-01 00:30 in China is still 2026-03-31 in UTC.
  EXPECT_EQ(FormatDate(DayOfUnixMs(StartOfDayUnixMs(D("2026-04-01")) + 30 * 60 * 1000)),
            "2026-04-01");
  EXPECT_EQ(FormatDate(DayOfUnixMs(StartOfDayUnixMs(D("2026-04-01")) - 1)), "2026-03-31");
}

// --- Rules ---

TEST(CreditRules, DefaultBookIsValidAndVersionedByDate) {
  const RuleBook& book = RuleBook::Default();
  for (const RuleSet& set : book.sets()) EXPECT_TRUE(ValidateRuleSet(set).ok()) << set.version;
  EXPECT_EQ(book.At(D("2026-03-31")).value()->version, "2024.1");
  EXPECT_EQ(book.At(D("2026-04-01")).value()->version, "2026.1");
  EXPECT_EQ(book.At(D("2023-12-31")).status().code(), absl::StatusCode::kNotFound);
}

TEST(CreditRules, BookRejectsGapsDuplicatesAndBadWeights) {
  RuleSet a = Rules2026();
  a.version = "a";
  a.effective_from = D("2024-01-01");
  a.effective_until = D("2025-01-01");
  RuleSet b = a;
  b.version = "b";
  b.effective_from = D("2025-02-01");
  b.effective_until = D("2026-01-01");
  EXPECT_EQ(RuleBook::Create({a, b}).status().code(), absl::StatusCode::kInvalidArgument);
  b.effective_from = D("2025-01-01");
  EXPECT_TRUE(RuleBook::Create({a, b}).ok());
  b.version = "a";
  EXPECT_FALSE(RuleBook::Create({a, b}).ok());
  RuleSet heavy = a;
  heavy.weight_product_pass = 31;
  EXPECT_NE(ValidateRuleSet(heavy).message().find("weights"), std::string::npos);
  RuleSet window = a;
  window.windows[origo::v1::TIER_GENERAL] = {13, 12};
  EXPECT_FALSE(ValidateRuleSet(window).ok());
}

// --- Record documents ---

TEST(CreditRecords, EncodesCanonicallyAndParsesBack) {
  origo::v1::CreditRecord record = Inspection("2026-05-02", true);
  record.mutable_inspection()->set_export_(true);
  std::string doc = EncodeRecord(record).value();
  EXPECT_EQ(doc.rfind("{\"type\":\"InspectionRecord\",\"enterprise\":\"", 0), 0u) << doc;
  EXPECT_NE(doc.find("\"export\":true"), std::string::npos) << doc;
  EXPECT_TRUE(LooksLikeRecord(doc));
  origo::v1::CreditRecord parsed = ParseRecord(doc).value();
  EXPECT_EQ(parsed.inspection().report_no(), "NX-2026-0001");
  EXPECT_EQ(parsed.inspection().type(), "InspectionRecord");
  EXPECT_EQ(EncodeRecord(parsed).value(), doc);
  EXPECT_TRUE(ValidateRecord(parsed, D("2026-05-03")).ok());
}

TEST(CreditRecords, NonCanonicalDocumentsAreRejected) {
  std::string doc = EncodeRecord(Penalty("2026-05-02", origo::v1::TIER_GENERAL)).value();
  auto rejected = [](const std::string& d) {
    auto parsed = ParseRecord(d);
    return !parsed.ok() && parsed.status().code() == absl::StatusCode::kInvalidArgument;
  };
  ASSERT_FALSE(rejected(doc));
  std::string spaced = doc;
  spaced.insert(spaced.find(",\"enterprise\"") + 1, " ");
  EXPECT_TRUE(rejected(spaced));
  std::string snake = doc;
  snake.replace(snake.find("decisionNo"), 10, "decision_no");
  EXPECT_TRUE(rejected(snake));
  std::string unknown = doc;
  unknown.insert(unknown.size() - 1, ",\"fine\":1000");
  EXPECT_TRUE(rejected(unknown));
  std::string duplicate = doc;
  duplicate.insert(duplicate.size() - 1, ",\"authority\":\"someone else\"");
  EXPECT_TRUE(rejected(duplicate));
  EXPECT_TRUE(rejected(R"({"type":"ObjectEvent","action":"ADD"})"));
  EXPECT_TRUE(rejected("{\"enterprise\":\"x\",\"type\":\"PenaltyRecord\"}"));
  EXPECT_FALSE(LooksLikeRecord(R"({"type":"ObjectEvent"})"));
}

TEST(CreditRecords, FieldRulesNameTheField) {
  const Day today = D("2026-05-10");
  auto message = [&](const origo::v1::CreditRecord& r) {
    return std::string(ValidateRecord(r, today).message());
  };
  origo::v1::CreditRecord r = Inspection("2026-05-02", true);
  r.mutable_inspection()->set_enterprise("91640521MA76GJ0Q1C");
  EXPECT_EQ(message(r).rfind("enterprise:", 0), 0u) << message(r);
  r = Inspection("2026-05-02", true);
  r.mutable_inspection()->mutable_items(0)->set_verdict(origo::v1::VERDICT_FAIL);
  EXPECT_EQ(message(r), "verdict: is VERDICT_PASS but a test item failed");
  r = Inspection("2026-05-20", true);
  EXPECT_EQ(message(r).rfind("samplingDate: 2026-05-20 lies in the future", 0), 0u);
  r = Inspection("2026-05-02", true);
  r.mutable_inspection()->set_lot("/01/6971234000415/10/GJ2026-0415");
  EXPECT_EQ(message(r).rfind("lot: must be the canonical path", 0), 0u) << message(r);
  r = Inspection("2026-05-02", true);
  r.mutable_inspection()->mutable_items(0)->set_measured(std::nan(""));
  EXPECT_EQ(message(r), "items[0].measured: must be finite");
  r = Penalty("2026-05-02", origo::v1::TIER_UNSPECIFIED);
  EXPECT_EQ(message(r).rfind("tier: required", 0), 0u);
  origo::v1::CreditRecord listing;
  listing.mutable_listing()->set_enterprise(kWinery);
  listing.mutable_listing()->set_source(origo::v1::LISTING_SOURCE_CUSTOMS);
  listing.mutable_listing()->set_tier(origo::v1::TIER_LIGHT);
  listing.mutable_listing()->set_trigger(origo::v1::TRIGGER_IMPORTED_LISTING);
  listing.mutable_listing()->set_listed_date("2026-05-01");
  listing.mutable_listing()->set_reason("customs list");
  EXPECT_EQ(message(listing), "reference: required");
  listing.mutable_listing()->set_source(origo::v1::LISTING_SOURCE_RULE);
  EXPECT_EQ(message(listing).rfind("source:", 0), 0u);
  origo::v1::CreditRecord application;
  application.mutable_repair_application()->set_enterprise(kWinery);
  EXPECT_EQ(message(application), "pledge: required");
  EXPECT_EQ(RecordIdentifiers(Inspection("2026-05-02", true)),
            (std::vector<std::string>{"urn:origo:usci:91640521MA76GJ0Q1B",
                                      "/01/06971234000415/10/GJ2026-0415"}));
}

// --- Rating ---

// A rule set whose score is the product pass rate x 100 (every other weight 0), so any score in
// hundredths can be produced exactly.
RuleSet PassRateOnly() {
  RuleSet rules = Rules2026();
  rules.weight_product_pass = 100;
  rules.weight_export_pass = rules.weight_satisfaction = rules.weight_quality_loss =
      rules.weight_traceability = rules.weight_credit_record = 0;
  rules.product_pass = {0, 1};
  return rules;
}

RatingFacts PassRateFacts(int passed_of_10000) {
  RatingFacts facts;
  facts.usci = kWinery;
  facts.sector = origo::v1::SECTOR_WINE;
  facts.certificates.push_back({"licence", D("2020-01-01"), D("2030-12-31")});
  for (int i = 0; i < 10000; ++i)
    facts.inspections.push_back({D("2026-05-01"), i < passed_of_10000, false});
  return facts;
}

int64_t SumOfPoints(const origo::v1::Rating& rating) {
  int64_t sum = 0;
  for (const auto& i : rating.indicators()) sum += i.points_centi();
  return sum;
}

TEST(CreditRating, EveryGradeBoundary) {
  const RuleSet rules = PassRateOnly();
  ASSERT_TRUE(ValidateRuleSet(rules).ok());
  struct Case {
    int passed;  // of 10000: the score in hundredths
    origo::v1::Grade grade;
    origo::v1::SupervisionClass supervision;
  } cases[] = {
      {10000, origo::v1::GRADE_AAA, origo::v1::SUPERVISION_CLASS_A},
      {9000, origo::v1::GRADE_AAA, origo::v1::SUPERVISION_CLASS_A},
      {8999, origo::v1::GRADE_AA, origo::v1::SUPERVISION_CLASS_A},
      {8000, origo::v1::GRADE_AA, origo::v1::SUPERVISION_CLASS_A},
      {7999, origo::v1::GRADE_A, origo::v1::SUPERVISION_CLASS_B},
      {7000, origo::v1::GRADE_A, origo::v1::SUPERVISION_CLASS_B},
      {6999, origo::v1::GRADE_B, origo::v1::SUPERVISION_CLASS_C},
      {6000, origo::v1::GRADE_B, origo::v1::SUPERVISION_CLASS_C},
      {5999, origo::v1::GRADE_C, origo::v1::SUPERVISION_CLASS_D},
      {0, origo::v1::GRADE_C, origo::v1::SUPERVISION_CLASS_D},
  };
  for (const Case& c : cases) {
    origo::v1::Rating rating = Rate(PassRateFacts(c.passed), rules, At("2026-06-01"));
    EXPECT_EQ(rating.score_centi(), c.passed) << c.passed;
    EXPECT_EQ(rating.grade(), c.grade) << c.passed;
    EXPECT_EQ(rating.score_grade(), c.grade) << c.passed;
    EXPECT_EQ(rating.supervision_class(), c.supervision) << c.passed;
    EXPECT_EQ(GradeForScore(c.passed, rules), c.grade) << c.passed;
  }
}

TEST(CreditRating, ExplanationListsEveryIndicatorAndSumsToTheScore) {
  RatingFacts facts;
  facts.usci = kWinery;
  facts.sector = origo::v1::SECTOR_GOJI;
  facts.certificates.push_back({"licence", D("2020-01-01"), D("2030-12-31")});
  for (int i = 0; i < 50; ++i)
    facts.inspections.push_back({D("2026-03-01"), i % 17 != 0, i % 5 == 0});
  facts.inspections.push_back({D("2024-03-01"), false, false});  // outside the window
  facts.feedback = {{D("2026-04-01"), 5}, {D("2026-04-02"), 4}, {D("2026-04-03"), 2}};
  facts.losses = {{D("2026-02-01"), 12000, 4000000}, {D("2026-03-01"), 3000, 4100000}};
  facts.penalties = {{D("2025-12-01"), origo::v1::TIER_LIGHT, 7}};
  facts.traceability = TraceabilityFact{120, 111};
  origo::v1::Rating rating = Rate(facts, Rules2026(), At("2026-06-01"));
  ASSERT_EQ(rating.indicators_size(), 6);
  EXPECT_EQ(SumOfPoints(rating), rating.score_centi());
  EXPECT_EQ(rating.rule_version(), "2026.1");
  EXPECT_EQ(rating.window_from(), "2025-06-02");
  for (const auto& i : rating.indicators()) {
    EXPECT_EQ(i.rule(), i.id() + "@2026.1");
    EXPECT_FALSE(i.inputs().empty()) << i.id();
    EXPECT_LE(i.points_centi(), i.weight_centi()) << i.id();
  }
  const auto& product = rating.indicators(0);
  EXPECT_EQ(product.id(), "indicator.product_pass_rate");
  EXPECT_EQ(product.inputs(0).value(), "40");  // domestic sampled: 50 - 10 export
  EXPECT_EQ(rating.caps_size(), 4);
  for (const auto& cap : rating.caps()) EXPECT_FALSE(cap.applied()) << cap.rule();
  EXPECT_EQ(rating.grade(), rating.score_grade());
}

TEST(CreditRating, SameFactsAndRulesGiveTheSameRating) {
  std::mt19937 random(42);
  for (int round = 0; round < 20; ++round) {
    RatingFacts facts;
    facts.usci = kWinery;
    facts.sector = origo::v1::SECTOR_HALAL;
    for (int i = 0; i < 300; ++i) {
      facts.inspections.push_back({D("2025-08-01") + static_cast<Day>(random() % 300),
                                   random() % 10 != 0, random() % 4 == 0});
      facts.feedback.push_back({D("2025-08-01") + static_cast<Day>(random() % 300),
                                1 + static_cast<uint32_t>(random() % 5)});
    }
    facts.penalties.push_back({D("2025-09-01"), static_cast<origo::v1::Tier>(1 + random() % 2), 3});
    const origo::v1::Rating a = Rate(facts, Rules2026(), At("2026-05-01"));
    const origo::v1::Rating b = Rate(facts, Rules2026(), At("2026-05-01"));
    EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
    EXPECT_EQ(SumOfPoints(a), a.score_centi());
  }
}

TEST(CreditRating, TwoReviewsCannotSwingSatisfaction) {
  RatingFacts facts;
  facts.usci = kWinery;
  const auto satisfaction = [&] {
    return Rate(facts, Rules2026(), At("2026-06-01")).indicators(2);
  };
  const auto before = satisfaction();
  facts.feedback = {{D("2026-05-30"), 1}, {D("2026-05-31"), 1}};
  const auto after = satisfaction();
  EXPECT_NEAR(before.value(), 4.0, 1e-9);
  EXPECT_NEAR(after.value(), (4.0 * 20 + 2) / 22, 1e-9);
  EXPECT_LT(before.points_centi() - after.points_centi(), 110);  // less than 1.1 of 15 points
}

TEST(CreditRating, RuleVersionFollowsTheRatingDate) {
  RatingFacts facts;
  facts.usci = kWinery;
  facts.penalties = {{D("2026-01-10"), origo::v1::TIER_GENERAL, 1}};
  const RuleBook& book = RuleBook::Default();
  auto old_rules = book.At(D("2026-03-31")).value();
  auto new_rules = book.At(D("2026-04-01")).value();
  origo::v1::Rating before = Rate(facts, *old_rules, At("2026-03-31"));
  origo::v1::Rating after = Rate(facts, *new_rules, At("2026-04-01"));
  EXPECT_EQ(before.rule_version(), "2024.1");
  EXPECT_EQ(after.rule_version(), "2026.1");
  EXPECT_EQ(before.indicators(5).points_centi(), 1500 - 600);  // deduct_general 6 in 2024.1
  EXPECT_EQ(after.indicators(5).points_centi(), 1500 - 800);   // 8 in 2026.1
}

const origo::v1::CapExplanation& Cap(const origo::v1::Rating& rating, std::string_view id) {
  for (const auto& cap : rating.caps()) {
    if (cap.rule().rfind(std::string(id) + "@", 0) == 0) return cap;
  }
  static const origo::v1::CapExplanation* none = new origo::v1::CapExplanation();
  ADD_FAILURE() << "no cap " << id;
  return *none;
}

// A full-marks goji enterprise (AAA before caps).
RatingFacts Excellent() {
  RatingFacts facts;
  facts.usci = kWinery;
  facts.sector = origo::v1::SECTOR_GOJI;
  facts.certificates.push_back({"licence", D("2020-01-01"), D("2030-12-31")});
  for (int i = 0; i < 20; ++i) facts.inspections.push_back({D("2026-02-01"), true, false});
  facts.traceability = TraceabilityFact{10, 10};
  return facts;
}

TEST(CreditRating, GeneralPenaltyInTwelveMonthsCapsAtB) {
  RatingFacts facts = Excellent();
  ASSERT_EQ(Rate(facts, Rules2026(), At("2026-06-01")).grade(), origo::v1::GRADE_AAA);
  facts.penalties = {{D("2025-06-02"), origo::v1::TIER_GENERAL, 1}};
  origo::v1::Rating rating = Rate(facts, Rules2026(), At("2026-06-01"));
  EXPECT_EQ(rating.score_grade(), origo::v1::GRADE_AA);  // 8 points deducted
  EXPECT_EQ(rating.grade(), origo::v1::GRADE_B);
  EXPECT_TRUE(Cap(rating, kRuleCapGeneralPenalty).applied());
  EXPECT_EQ(Cap(rating, kRuleCapGeneralPenalty).rule(), "cap.general_penalty@2026.1");
  // Twelve months and a day later the cap no longer applies.
  facts.penalties = {{D("2025-06-01"), origo::v1::TIER_GENERAL, 1}};
  rating = Rate(facts, Rules2026(), At("2026-06-01"));
  EXPECT_FALSE(Cap(rating, kRuleCapGeneralPenalty).applied());
  // A LIGHT penalty never caps.
  facts.penalties = {{D("2026-05-01"), origo::v1::TIER_LIGHT, 1}};
  EXPECT_FALSE(Cap(Rate(facts, Rules2026(), At("2026-06-01")), kRuleCapGeneralPenalty).applied());
}

TEST(CreditRating, MissingLicenceCapsAtC) {
  RatingFacts facts = Excellent();
  facts.certificates.clear();
  origo::v1::Rating rating = Rate(facts, Rules2026(), At("2026-06-01"));
  EXPECT_EQ(rating.grade(), origo::v1::GRADE_C);
  EXPECT_EQ(rating.score_grade(), origo::v1::GRADE_AAA);
  EXPECT_NE(Cap(rating, kRuleCapMissingLicence).reason().find("licence"), std::string::npos);
  // An expired licence is missing; a halal enterprise needs a halal certificate too.
  facts.certificates = {{"licence", D("2020-01-01"), D("2026-05-31")}};
  EXPECT_EQ(Rate(facts, Rules2026(), At("2026-06-01")).grade(), origo::v1::GRADE_C);
  facts.certificates = {{"licence", D("2020-01-01"), D("2030-01-01")}};
  facts.sector = origo::v1::SECTOR_HALAL;
  rating = Rate(facts, Rules2026(), At("2026-06-01"));
  EXPECT_EQ(rating.grade(), origo::v1::GRADE_C);
  EXPECT_NE(Cap(rating, kRuleCapMissingLicence).reason().find("halal"), std::string::npos);
}

TEST(CreditRating, ActiveSeriousRecordAndBlacklistGiveD) {
  const RuleSet& rules = Rules2026();
  RatingFacts facts = Excellent();
  origo::v1::CreditRecord penalty = Penalty("2026-05-01", origo::v1::TIER_SERIOUS);
  facts.penalties = {{D("2026-05-01"), origo::v1::TIER_SERIOUS, 40}};
  origo::v1::Rating rating = Rate(facts, rules, At("2026-06-01"));
  EXPECT_EQ(rating.grade(), origo::v1::GRADE_D);
  EXPECT_TRUE(Cap(rating, kRuleCapSeriousRecord).applied());
  EXPECT_FALSE(Cap(rating, kRuleCapBlacklisted).applied());
  EXPECT_EQ(rating.supervision_class(), origo::v1::SUPERVISION_CLASS_D);

  auto entry = EntryCreatedBy(penalty, {40, At("2026-05-02"), kLab}, rules).value();
  ASSERT_TRUE(entry.has_value());
  facts.blacklist = {*entry};
  rating = Rate(facts, rules, At("2026-06-01"));
  EXPECT_TRUE(Cap(rating, kRuleCapBlacklisted).applied());
  EXPECT_TRUE(Cap(rating, kRuleCapSeriousRecord).applied());
  // Once the entry is repaired, neither cap applies (the penalty still costs its points).
  facts.blacklist[0].set_repaired_unix_ms(At("2027-06-01"));
  rating = Rate(facts, rules, At("2027-06-02"));
  EXPECT_FALSE(Cap(rating, kRuleCapBlacklisted).applied());
  EXPECT_FALSE(Cap(rating, kRuleCapSeriousRecord).applied());
  EXPECT_NE(rating.grade(), origo::v1::GRADE_D);
  // A blacklisted enterprise with no penalty at all is D.
  RatingFacts listed = Excellent();
  listed.blacklist = {*entry};
  EXPECT_EQ(Rate(listed, rules, At("2026-06-01")).grade(), origo::v1::GRADE_D);
}

// --- Blacklist ---

origo::v1::RepairApplication Application(const origo::v1::BlacklistEntry& entry) {
  origo::v1::RepairApplication a;
  a.set_enterprise(entry.usci());
  a.set_entry_id(entry.entry_id());
  a.set_pledge("We pledge to keep every residue below the GB 2763 limits.");
  for (const std::string& d : entry.duties()) a.add_duties_met(d);
  return a;
}

origo::v1::RepairDecision Decision(const origo::v1::BlacklistEntry& entry, bool approve) {
  origo::v1::RepairDecision d;
  d.set_enterprise(entry.usci());
  d.set_entry_id(entry.entry_id());
  d.set_outcome(approve ? origo::v1::REPAIR_OUTCOME_APPROVED : origo::v1::REPAIR_OUTCOME_REJECTED);
  d.set_reason("checked on site");
  return d;
}

TEST(CreditBlacklist, OneEntrysWholeLifeByMovingTheClock) {
  const RuleSet& rules = Rules2026();
  // Trigger: a failed safety item, recorded on 2026-05-10.
  auto created =
      EntryCreatedBy(Inspection("2026-05-08", false, true), {100, At("2026-05-10"), kLab}, rules);
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_TRUE(created->has_value());
  origo::v1::BlacklistEntry entry = **created;
  EXPECT_EQ(entry.entry_id(), 100u);
  EXPECT_EQ(entry.tier(), origo::v1::TIER_GENERAL);
  EXPECT_EQ(entry.trigger(), origo::v1::TRIGGER_SAFETY_FAILURE);
  EXPECT_EQ(entry.rule(), "blacklist.trigger.safety_failure@2026.1");
  EXPECT_EQ(entry.listed_date(), "2026-05-10");
  EXPECT_EQ(entry.min_until(), "2026-08-10");
  EXPECT_EQ(entry.max_until(), "2027-05-10");
  EXPECT_EQ(StatusAt(entry, At("2026-05-09")), origo::v1::BLACKLIST_STATUS_UNSPECIFIED);
  EXPECT_TRUE(IsListedAt(entry, At("2026-05-10")));

  // Refused before the minimum period ends, naming the rule and the first day to apply.
  origo::v1::RepairApplication application = Application(entry);
  absl::Status early = CheckRepairApplication(entry, application, At("2026-08-09"), rules);
  EXPECT_EQ(early.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(early.message().find("repair.conditions@2026.1"), std::string::npos) << early;
  EXPECT_NE(early.message().find("2026-08-10"), std::string::npos) << early;
  // After it, but with a duty unmet: refused, naming the duty.
  origo::v1::RepairApplication partial = application;
  partial.clear_duties_met();
  absl::Status unmet = CheckRepairApplication(entry, partial, At("2026-08-10"), rules);
  EXPECT_EQ(unmet.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(unmet.message().find("rectification report"), std::string::npos) << unmet;
  // No decision without an application.
  EXPECT_EQ(CheckRepairDecision(entry, Decision(entry, true), At("2026-08-10"), rules).code(),
            absl::StatusCode::kFailedPrecondition);

  // Submitted, rejected, submitted again, approved.
  ASSERT_TRUE(CheckRepairApplication(entry, application, At("2026-08-10"), rules).ok());
  ApplyRepairApplication(&entry, application, {120, At("2026-08-10"), kWinery}, rules);
  EXPECT_EQ(CheckRepairApplication(entry, application, At("2026-08-11"), rules).code(),
            absl::StatusCode::kFailedPrecondition);  // one awaits a decision
  ASSERT_TRUE(CheckRepairDecision(entry, Decision(entry, false), At("2026-08-12"), rules).ok());
  ApplyRepairDecision(&entry, Decision(entry, false), {121, At("2026-08-12"), kLab}, rules);
  EXPECT_EQ(entry.applications(0).status(), origo::v1::REPAIR_STATUS_REJECTED);
  EXPECT_TRUE(IsListedAt(entry, At("2026-08-13")));
  ASSERT_TRUE(CheckRepairApplication(entry, application, At("2026-08-20"), rules).ok());
  ApplyRepairApplication(&entry, application, {130, At("2026-08-20"), kWinery}, rules);
  ASSERT_TRUE(CheckRepairDecision(entry, Decision(entry, true), At("2026-08-25"), rules).ok());
  ApplyRepairDecision(&entry, Decision(entry, true), {131, At("2026-08-25"), kLab}, rules);

  // Repaired: out of public views from the decision on, still whole in the archive.
  EXPECT_EQ(StatusAt(entry, At("2026-08-25")), origo::v1::BLACKLIST_STATUS_REPAIRED);
  EXPECT_TRUE(IsListedAt(entry, At("2026-08-24")));
  EXPECT_EQ(entry.applications_size(), 2);
  EXPECT_EQ(entry.applications(1).status(), origo::v1::REPAIR_STATUS_APPROVED);
  EXPECT_EQ(entry.applications(1).decided_by(), kLab);
  EXPECT_NE(entry.applications(1).rule().find("repair.decision@2026.1"), std::string::npos);
  // As of before the second decision, history shows it pending and the entry listed.
  origo::v1::BlacklistEntry then = ViewAt(entry, At("2026-08-21"));
  EXPECT_EQ(then.status(), origo::v1::BLACKLIST_STATUS_LISTED);
  ASSERT_EQ(then.applications_size(), 2);
  EXPECT_EQ(then.applications(1).status(), origo::v1::REPAIR_STATUS_SUBMITTED);
  EXPECT_TRUE(PublicView(entry, At("2026-08-21")).applications().empty());
  EXPECT_EQ(CheckRepairApplication(entry, application, At("2026-09-01"), rules).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(CreditBlacklist, ReleasedAutomaticallyAtTheMaximum) {
  const RuleSet& rules = Rules2026();
  origo::v1::CreditRecord listing;
  auto* l = listing.mutable_listing();
  l->set_enterprise(kWinery);
  l->set_source(origo::v1::LISTING_SOURCE_CUSTOMS);
  l->set_list_name("customs dishonest enterprises");
  l->set_reference("HG-2026-88");
  l->set_tier(origo::v1::TIER_LIGHT);
  l->set_trigger(origo::v1::TRIGGER_IMPORTED_LISTING);
  l->set_listed_date("2026-05-31");
  l->set_reason("false origin declaration");
  origo::v1::BlacklistEntry entry =
      *EntryCreatedBy(listing, {7, At("2026-06-01"), kLab}, rules).value();
  EXPECT_EQ(entry.min_until(), "2026-06-30");
  EXPECT_EQ(entry.max_until(), "2026-08-31");
  EXPECT_EQ(entry.rule(), "blacklist.window@2026.1");
  EXPECT_TRUE(IsListedAt(entry, EndOfDayUnixMs(D("2026-08-30"))));
  EXPECT_EQ(StatusAt(entry, StartOfDayUnixMs(D("2026-08-31"))),
            origo::v1::BLACKLIST_STATUS_RELEASED);
  EXPECT_EQ(CheckRepairApplication(entry, Application(entry), At("2026-09-01"), rules).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(CreditBlacklist, OnlySeriousPenaltiesAndSafetyFailuresTrigger) {
  const RuleSet& rules = Rules2026();
  EXPECT_FALSE(EntryCreatedBy(Penalty("2026-05-01", origo::v1::TIER_GENERAL),
                              {1, At("2026-05-02"), kLab}, rules)
                   .value()
                   .has_value());
  EXPECT_FALSE(EntryCreatedBy(Inspection("2026-05-01", false), {1, At("2026-05-02"), kLab}, rules)
                   .value()
                   .has_value());
  auto serious = EntryCreatedBy(Penalty("2026-05-01", origo::v1::TIER_SERIOUS),
                                {9, At("2026-05-02"), kLab}, rules)
                     .value();
  ASSERT_TRUE(serious.has_value());
  EXPECT_EQ(serious->max_until(), "2029-05-01");
  EXPECT_EQ(serious->duties_size(), 2);
}

// --- Reports ---

TEST(CreditReport, CountsTheSectorAndPeriod) {
  ReportEnterprise winery;
  winery.usci = kWinery;
  winery.sector = origo::v1::SECTOR_GOJI;
  auto add = [&](origo::v1::CreditRecord record, uint64_t index, const char* day) {
    origo::v1::ArchiveEntry entry;
    entry.set_index(index);
    entry.set_record_unix_ms(At(day));
    *entry.mutable_record() = std::move(record);
    winery.entries.push_back(entry);
  };
  add(Inspection("2026-04-02", true), 1, "2026-04-03");
  add(Inspection("2026-05-02", false, true), 2, "2026-05-03");
  add(Inspection("2025-05-02", true), 3, "2025-05-03");  // before the period
  add(Penalty("2026-05-05", origo::v1::TIER_GENERAL), 4, "2026-05-05");
  winery.blacklist.push_back(*EntryCreatedBy(Inspection("2026-05-02", false, true),
                                             {2, At("2026-05-03"), kLab}, Rules2026())
                                  .value());
  ReportEnterprise other = winery;
  other.usci = kLab;
  other.sector = origo::v1::SECTOR_WINE;

  auto report = BuildQualityReport(origo::v1::SECTOR_GOJI, D("2026-04-01"), D("2026-06-30"),
                                   {winery, other}, RuleBook::Default());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->enterprises(), 1u);
  EXPECT_EQ(report->inspections(), 2u);
  EXPECT_EQ(report->passed(), 1u);
  EXPECT_DOUBLE_EQ(report->pass_rate(), 0.5);
  EXPECT_EQ(report->lots(), 1u);
  EXPECT_EQ(report->penalties(), 1u);
  ASSERT_EQ(report->top_failing_items_size(), 1);
  EXPECT_EQ(report->top_failing_items(0).name(), "chlorpyrifos");
  EXPECT_EQ(report->top_failing_items(0).failures(), 1u);
  EXPECT_EQ(report->top_failing_items(0).tested(), 2u);
  EXPECT_EQ(report->blacklist_entered_size(), 1);
  EXPECT_EQ(report->blacklist_exited_size(), 0);
  ASSERT_EQ(report->grades_size(), 6);
  EXPECT_EQ(report->grades(5).grade(), origo::v1::GRADE_D);
  EXPECT_EQ(report->grades(5).enterprises(), 1u);
  ASSERT_EQ(report->monthly_size(), 3);
  EXPECT_EQ(report->monthly(1).month(), "2026-05");
  EXPECT_EQ(report->monthly(1).inspections(), 1u);
  EXPECT_EQ(BuildQualityReport(origo::v1::SECTOR_GOJI, D("2026-07-01"), D("2026-06-30"), {},
                               RuleBook::Default())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace origo::credit
