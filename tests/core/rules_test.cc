// Sector rules in core: versioned rule sets, the residue table, and the fold of facts. (The
// rules against a real store and server are in tests/services/provenance_test.cc.)

#include "core/rules/rules.h"

#include <gtest/gtest.h>

#include <map>

namespace origo::rules {
namespace {

// An in-memory StateReader: core has no I/O, so tests give it state directly.
class MemoryState : public StateReader {
 public:
  absl::StatusOr<std::vector<origo::store::v1::LineageFact>> Facts(std::string_view id) override {
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

}  // namespace
}  // namespace origo::rules
