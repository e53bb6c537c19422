// Sector rules in core: versioned rule sets, the residue table, and the fold of facts. (The
// rules against a real store and server are in tests/services/provenance_test.cc.)

#include "core/rules/rules.h"

#include <gtest/gtest.h>

#include <map>

#include "core/rules/pending.h"

namespace origo::rules {
namespace {

// An in-memory StateReader: core has no I/O, so tests give it state directly.
class MemoryState : public StateReader {
 public:
  absl::StatusOr<std::vector<origo::store::v1::LineageFact>> Facts(std::string_view id) override {
    ++reads[std::string(id)];
    auto it = facts.find(std::string(id));
    return it == facts.end() ? std::vector<origo::store::v1::LineageFact>{} : it->second;
  }
  absl::StatusOr<std::vector<Edge>> Upstream(std::string_view) override {
    return std::vector<Edge>{};
  }
  absl::StatusOr<std::vector<origo::store::v1::StoredInspection>> Inspections(
      std::string_view) override {
    return std::vector<origo::store::v1::StoredInspection>{};
  }
  absl::StatusOr<double> BaseHarvest(std::string_view, int) override { return 0.0; }
  absl::StatusOr<EnterpriseInfo> Enterprise(std::string_view) override { return EnterpriseInfo{}; }
  std::map<std::string, std::vector<origo::store::v1::LineageFact>> facts;
  std::map<std::string, int> reads;  // Facts calls per identifier
};

epcis::ParsedEvent Parse(const std::string& json) {
  epcis::ValidationOptions options;
  options.now_unix_ms = 4102444800000;  // 2100-01-01
  return epcis::ParseEvent(json, options).value();
}

std::string Drying(const std::string& time, int out_kg) {
  return R"({"type":"TransformationEvent","eventTime":")" + time +
         R"(","eventTimeZoneOffset":"+08:00","bizStep":"urn:origo:bizstep:drying",)"
         R"("inputQuantityList":[{"epcClass":"/01/06971234000101/10/A","quantity":1000,)"
         R"("uom":"KGM"}],"outputQuantityList":[{"epcClass":"/01/06971234000279/10/B",)"
         R"("quantity":)" +
         std::to_string(out_kg) + R"(,"uom":"KGM"}]})";
}

TEST(RulesTest, TheRuleSetInEffectAtEventTimeJudgesAndIsNamed) {
  origo::v1::RulesConfig config;
  auto* old_set = config.add_rule_sets();
  old_set->set_version("2026.1");
  old_set->set_effective_from("2026-01-01");
  auto* new_set = config.add_rule_sets();
  new_set->set_version("2026.2");
  new_set->set_effective_from("2026-04-01");
  auto* bound = new_set->add_yield_bounds();
  bound->set_biz_step("urn:origo:bizstep:drying");
  bound->set_max_output_ratio(0.20);
  auto engine = Engine::Create(config).value();
  MemoryState state;
  std::optional<Violation> violation;
  // 250 kg from 1,000 kg passes 2026.1 (0.25) in March, fails 2026.2 (0.20) in May.
  EXPECT_TRUE(engine
                  ->Evaluate(Parse(Drying("2026-03-01T08:00:00+08:00", 250)), std::string(32, 'a'),
                             "91640521MA76GJ0Q1B", state, &violation)
                  .ok());
  auto rejected = engine->Evaluate(Parse(Drying("2026-05-01T08:00:00+08:00", 250)),
                                   std::string(32, 'b'), "91640521MA76GJ0Q1B", state, &violation);
  EXPECT_EQ(rejected.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(rejected.status().message().find("outputQuantityList: mass_balance@2026.2"),
            std::string::npos)
      << rejected.status();
  ASSERT_TRUE(violation.has_value());
  EXPECT_EQ(violation->rule, "mass_balance@2026.2");
}

TEST(RulesTest, MalformedRuleSetsAreRejectedNamingTheField) {
  origo::v1::RulesConfig config;
  config.add_rule_sets()->set_version("x");
  EXPECT_EQ(Engine::Create(config).status().code(), absl::StatusCode::kInvalidArgument);
  config.mutable_rule_sets(0)->set_effective_from("April 2026");
  auto status = Engine::Create(config).status();
  EXPECT_NE(status.message().find("rules.rule_sets[0].effective_from"), std::string::npos);
}

TEST(RulesTest, ResidueItemsAreJudgedAgainstTheTable) {
  auto engine = Engine::Create({}).value();
  origo::store::v1::InspectionItemRecord ok, over, unknown;
  ok.set_name("imidacloprid");
  ok.set_measured(0.5);
  over.set_name("chlorpyrifos");
  over.set_measured(0.5);
  auto judged = engine->JudgeItems({ok, over}, 0).value();
  EXPECT_TRUE(judged[0].pass());
  EXPECT_FALSE(judged[1].pass());
  unknown.set_name("unlisted");
  EXPECT_EQ(engine->JudgeItems({unknown}, 0).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(RulesTest, OwnerNowIsTheLastOwningPartyDestination) {
  origo::store::v1::LineageFact created, shipped, consumed;
  created.set_role(origo::store::v1::FACT_CREATED);
  created.set_signer("A");
  created.set_owner("A");
  created.set_quantity(100);
  created.set_event_time_ms(1);
  shipped.set_role(origo::store::v1::FACT_SHIPPED);
  shipped.set_signer("A");
  shipped.set_owner("B");
  shipped.set_event_time_ms(3);
  consumed.set_role(origo::store::v1::FACT_CONSUMED);
  consumed.set_signer("A");
  consumed.set_quantity(40);
  consumed.set_event_time_ms(2);
  NodeState s = Fold({shipped, consumed, created});
  EXPECT_EQ(s.creator, "A");
  EXPECT_EQ(s.owner, "B");
  EXPECT_EQ(s.produced, 100);
  EXPECT_EQ(s.consumed, 40);
}

// Two batches drying the same 1,000 kg lot: the second, judged while the first is pending (not
// yet stored), sees its consumption through the overlay and is refused; once the first entry is
// released (written, and in a real store visible in the snapshot) it is no longer overlaid.
TEST(RulesTest, PendingEffectsOfAnEarlierBatchAreSeenUntilReleased) {
  auto engine = Engine::Create({}).value();
  MemoryState stored;
  origo::store::v1::LineageFact created;
  created.set_role(origo::store::v1::FACT_CREATED);
  created.set_signer("91640521MA76GJ0Q1B");
  created.set_owner("91640521MA76GJ0Q1B");
  created.set_quantity(1000);
  created.set_uom("KGM");
  created.set_event_time_ms(1);
  stored.facts["/01/06971234000101/10/A"] = {created};
  PendingEffects pending;
  std::shared_ptr<void> first;
  {
    auto lock = pending.LockIds({"/01/06971234000101/10/A"});
    BatchState state(&stored);
    std::optional<Violation> violation;
    auto fx = engine->Evaluate(Parse(Drying("2026-03-01T08:00:00+08:00", 240)),
                               std::string(32, 'a'), "91640521MA76GJ0Q1B", state, &violation);
    ASSERT_TRUE(fx.ok()) << fx.status();
    state.Apply(*fx);
    PendingEffects::Entry entry;
    entry.first_event_id = std::string(32, 'a');
    entry.event_ids = {entry.first_event_id};
    entry.effects = state.ReleaseOwn();
    first = pending.Add(std::move(entry));
  }
  auto judge_second = [&]() {
    auto lock = pending.LockIds({"/01/06971234000101/10/A"});
    BatchState state(&stored);
    for (const auto& e : pending.Entries()) {
      state.AddOverlay(std::shared_ptr<const EffectsIndex>(e, &e->effects));
    }
    std::optional<Violation> violation;
    return engine
        ->Evaluate(Parse(Drying("2026-03-02T08:00:00+08:00", 240)), std::string(32, 'b'),
                   "91640521MA76GJ0Q1B", state, &violation)
        .status();
  };
  absl::Status second = judge_second();
  EXPECT_EQ(second.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.message().find("mass_balance@2026.1: consumes 1000 KGM"), std::string::npos)
      << second;
  EXPECT_EQ(pending.size(), 1u);
  first.reset();
  EXPECT_EQ(pending.size(), 0u);
  EXPECT_TRUE(judge_second().ok());  // nothing pending and nothing stored: the lot is whole
}

// Events of one batch see the earlier ones on top of the stored facts, which are read from the
// store once per identifier however many events name it.
TEST(RulesTest, ABatchSeesItsEarlierEventsAndReadsEachIdentifierOnce) {
  auto engine = Engine::Create({}).value();
  MemoryState stored;
  origo::store::v1::LineageFact created;
  created.set_role(origo::store::v1::FACT_CREATED);
  created.set_signer("91640521MA76GJ0Q1B");
  created.set_owner("91640521MA76GJ0Q1B");
  created.set_quantity(1000);
  created.set_uom("KGM");
  created.set_event_time_ms(1);
  const std::string lot = "/01/06971234000101/10/A";
  stored.facts[lot] = {created};
  BatchState state(&stored);
  std::optional<Violation> violation;
  auto first = engine->Evaluate(Parse(Drying("2026-03-01T08:00:00+08:00", 240)),
                                std::string(32, 'a'), "91640521MA76GJ0Q1B", state, &violation);
  ASSERT_TRUE(first.ok()) << first.status();
  state.Apply(*first);
  NodeState after = state.State(lot).value();
  EXPECT_EQ(after.produced, 1000);
  EXPECT_EQ(after.consumed, 1000);
  EXPECT_EQ(state.Facts(lot).value().size(), 2u);
  auto second = engine->Evaluate(Parse(Drying("2026-03-02T08:00:00+08:00", 240)),
                                 std::string(32, 'b'), "91640521MA76GJ0Q1B", state, &violation);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("only 0 remain"), std::string::npos) << second.status();
  EXPECT_EQ(stored.reads[lot], 1);
}

TEST(RulesTest, RecallIsStickyAndAHoldLastsUntilAnotherDisposition) {
  auto fact = [](int64_t ms, const std::string& disposition, const std::string& id) {
    origo::store::v1::LineageFact f;
    f.set_role(origo::store::v1::FACT_OBSERVED);
    f.set_signer("A");
    f.set_event_time_ms(ms);
    f.set_disposition(disposition);
    f.set_event_id(id);
    return f;
  };
  NodeState held = Fold({fact(1, "active", "e1"), fact(2, "non_sellable_other", "e2")});
  EXPECT_TRUE(held.held);
  EXPECT_EQ(held.hold_event_id, "e2");
  NodeState released = Fold({fact(3, "sellable_accessible", "e3"), fact(1, "active", "e1"),
                             fact(2, "non_sellable_other", "e2")});
  EXPECT_FALSE(released.held);
  NodeState recalled = Fold({fact(1, "recalled", "e1"), fact(2, "sellable_accessible", "e2")});
  EXPECT_TRUE(recalled.recalled);
  EXPECT_EQ(recalled.recall_event_id, "e1");
}

TEST(RulesTest, UnknownRuleIdsAndBadParametersAreRefusedNamingTheField) {
  origo::v1::RulesConfig config;
  auto* set = config.add_rule_sets();
  set->set_version("2026.3");
  set->set_effective_from("2026-01-01");
  set->add_disabled_rules("gi_claims");
  auto status = Engine::Create(config).status();
  EXPECT_NE(status.message().find("rules.rule_sets[0].disabled_rules[0]: unknown rule 'gi_claims'"),
            std::string::npos)
      << status;
  set->set_disabled_rules(0, "gi_claim");
  set->set_vintage_min_share(1.5);
  status = Engine::Create(config).status();
  EXPECT_NE(status.message().find("rules.rule_sets[0].vintage_min_share"), std::string::npos)
      << status;
  set->set_vintage_min_share(0.85);
  auto* zone = set->add_gi_zones();
  zone->set_name("中宁枸杞");
  zone->add_within("宁夏");
  status = Engine::Create(config).status();
  EXPECT_NE(status.message().find("rules.rule_sets[0].gi_zones[0].within"), std::string::npos)
      << status;
  zone->set_within(0, "中宁枸杞");
  EXPECT_TRUE(Engine::Create(config).ok());
}

}  // namespace
}  // namespace origo::rules
