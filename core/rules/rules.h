#ifndef ORIGO_CORE_RULES_RULES_H_
#define ORIGO_CORE_RULES_RULES_H_

// Sector rules (DESIGN.md §7): the checks an event must pass, beyond structure, given what the
// log already knows, and the lineage facts an accepted event adds.
//
// Rules, their ids and error codes. A rejection's message is
//   "<field>: <rule_id>@<version>: <reason>"
// (the capture path prefixes "event N: "). Version = the rule set in effect at the event's time.
//   ownership     FAILED_PRECONDITION  the signer acts only on identifiers its enterprise owns
//                                      (creator, or last owning_party destination of a shipping
//                                      or receiving event; for packed items, the container's
//                                      owner) or receives (receiving named as owning_party
//                                      destination from the current owner as source). The
//                                      creator may also recall or hold what it made wherever it
//                                      is (an ObjectEvent OBSERVE with disposition `recalled` or
//                                      `non_sellable_other`).
//   time_order    INVALID_ARGUMENT     an event cannot precede the creation of what it acts on.
//   mass_balance  FAILED_PRECONDITION  a transformation consumes no more of a lot than remains,
//                                      and sum(outputs) <= sum(inputs) x the step's yield bound.
//                                      Also recorded as a suspected violation.
//   gi_claim      FAILED_PRECONDITION  ilmd.geographicIndication only at a registered production
//                                      base in the zone (harvest bounded by the base's recorded
//                                      annual harvest per calendar year), or on outputs whose
//                                      inputs all come from the zone. Recorded as a violation.
//   halal         FAILED_PRECONDITION  halal slaughter needs a halal certificate valid at event
//                                      time, ilmd.slaughtererId and a non-rejecting ante-mortem
//                                      `inspecting` event on every input; no transformation or
//                                      aggregation mixes halal with non-halal lots.
//   goji_export   FAILED_PRECONDITION  shipping to a place outside CN of anything tracing back
//                                      to a goji enterprise needs a conformant pesticide_residue
//                                      inspection on it or an ancestor.
//   wine_claim    FAILED_PRECONDITION  a transformation output's ilmd.vintage / ilmd.variety
//                                      needs >= vintage_min_share / variety_min_share of the input
//                                      volume from that vintage / variety.
// Identifiers with no facts yet are not owned by anyone: the first event on them is accepted
// (they may come from outside the system) and its signer becomes their owner.
//
// Core has no I/O: state comes through the StateReader interface (implemented over a RocksDB
// snapshot by storage::LineageIndex) and BatchState overlays the facts of earlier events of the
// same batch, so a batch may commission a lot and transform it.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "core/epcis/event.h"
#include "google/protobuf/arena.h"
#include "origo/store/v1/lineage.pb.h"
#include "origo/v1/config.pb.h"
#include "origo/v1/registry.pb.h"

namespace origo::rules {

inline constexpr char kOwnership[] = "ownership";
inline constexpr char kTimeOrder[] = "time_order";
inline constexpr char kMassBalance[] = "mass_balance";
inline constexpr char kGiClaim[] = "gi_claim";
inline constexpr char kHalal[] = "halal";
inline constexpr char kGojiExport[] = "goji_export";
inline constexpr char kWineClaim[] = "wine_claim";

// Every rule id, as rule sets name them (disabled_rules) and rejections cite them.
inline constexpr const char* kRuleIds[] = {kOwnership, kTimeOrder,  kMassBalance, kGiClaim,
                                           kHalal,     kGojiExport, kWineClaim};

// CBV dispositions that recall (for good) and hold (until another disposition) a product.
inline constexpr char kRecalled[] = "recalled";
inline constexpr char kHeld[] = "non_sellable_other";

// The built-in rule set ("2026.1"), with every default filled in.
origo::v1::RuleSet DefaultRuleSet();

// A rule set with defaults applied (zero/empty fields take DefaultRuleSet's values).
origo::v1::RuleSet WithDefaults(const origo::v1::RuleSet& set);

// The registry as the rules need it. Value type.
struct EnterpriseInfo {
  bool registered = false;
  origo::v1::Enterprise enterprise;
  std::vector<origo::v1::ProductionBase> bases;
  std::vector<origo::v1::Certificate> certificates;
};

// An edge as read from the lineage index.
struct Edge {
  std::string from;  // upstream
  std::string to;    // downstream
  origo::store::v1::LineageEdge edge;
};

// What an identifier's facts add up to.
struct NodeState {
  bool known = false;
  std::string creator;
  int64_t created_ms = 0;
  std::string owner;
  std::string container;  // current container (packed and not unpacked)
  double produced = 0;
  double consumed = 0;
  std::string uom;
  bool halal = false;
  std::vector<std::string> gi_zones;
  std::map<std::string, std::string> attributes;
  std::string base;
  bool ante_mortem_ok = false;  // an inspecting event without a non_conformant disposition
  // A `recalled` disposition recalls it for good; a `non_sellable_other` disposition holds it
  // until a later event gives it another disposition. The deciding events' ids (hex).
  bool recalled = false;
  bool held = false;
  std::string recall_event_id;
  std::string hold_event_id;
};

// Folds facts (any order) into a NodeState.
NodeState Fold(std::vector<origo::store::v1::LineageFact> facts);
// The same, over facts the caller keeps (none is copied; the pointers are reordered).
NodeState FoldFacts(std::vector<const origo::store::v1::LineageFact*> facts);
NodeState FoldFacts(const std::vector<origo::store::v1::LineageFact>& facts);

// Read access to what the log knows. Implementations read at one snapshot.
// Not required to be thread-safe: one reader serves one request.
class StateReader {
 public:
  virtual ~StateReader() = default;
  virtual absl::StatusOr<std::vector<origo::store::v1::LineageFact>> Facts(std::string_view id) = 0;
  // The same facts allocated on `arena`, which the caller keeps alive. The default copies Facts.
  virtual absl::StatusOr<std::vector<const origo::store::v1::LineageFact*>> FactsOnArena(
      std::string_view id, google::protobuf::Arena* arena);
  // Fold(Facts(id)); readers that keep facts override it to fold them without copies.
  virtual absl::StatusOr<NodeState> State(std::string_view id);
  // Edges whose downstream end is `id`.
  virtual absl::StatusOr<std::vector<Edge>> Upstream(std::string_view id) = 0;
  virtual absl::StatusOr<std::vector<origo::store::v1::StoredInspection>> Inspections(
      std::string_view id) = 0;
  // GI-labelled harvest recorded at `base` in calendar `year`.
  virtual absl::StatusOr<double> BaseHarvest(std::string_view base, int year) = 0;
  // registered=false when the USCI is not registered.
  virtual absl::StatusOr<EnterpriseInfo> Enterprise(std::string_view usci) = 0;
};

// The facts, edges and harvest records one accepted event adds.
//
// The facts live on `arena`, which every copy of these effects and every EffectsIndex they are
// added to shares: a batch's thousands of facts (each a dozen strings and a map) are freed a few
// blocks at a time once the batch is written, instead of string by string (that, and making
// them, was a tenth of capture's CPU). Copies are shallow: facts are not changed once judged.
struct Effects {
  std::string event_id;                                                       // raw 32 bytes
  std::vector<std::pair<std::string, origo::store::v1::LineageFact*>> facts;  // (identifier, fact)
  std::shared_ptr<google::protobuf::Arena> arena;                             // owns the facts
  std::vector<Edge> edges;
  struct Harvest {
    std::string base;
    int year = 0;
    origo::store::v1::HarvestRecord record;
  };
  std::vector<Harvest> harvests;

  // A new empty fact on the arena (made on first use), listed under `id`.
  origo::store::v1::LineageFact* AddFact(std::string id);
  // A copy of `fact` on the arena, listed under `id`.
  origo::store::v1::LineageFact* AddFact(std::string id, const origo::store::v1::LineageFact& fact);
};

// Effects indexed for lookup by identifier: what BatchState overlays on the stored state.
// Hashed, not ordered: identifiers (Digital Link paths) share long prefixes, and an ordered
// map's lookups compared them byte by byte at every level of the tree.
struct EffectsIndex {
  absl::flat_hash_map<std::string, std::vector<const origo::store::v1::LineageFact*>> facts;
  std::vector<std::shared_ptr<google::protobuf::Arena>> arenas;  // own the facts
  absl::flat_hash_map<std::string, std::vector<Edge>> upstream;  // by downstream end
  std::map<std::pair<std::string, int>, double> harvest;
  void Add(const Effects& effects);
  void Add(Effects&& effects);  // moves the edges in; shares the facts' arena
};

// A StateReader plus overlays: the effects of batches judged earlier but not yet stored
// (AddOverlay, shared and read-only), then the effects of this batch's earlier events (Apply).
// Not thread-safe.
class BatchState : public StateReader {
 public:
  explicit BatchState(StateReader* base) : base_(base) {}
  void AddOverlay(std::shared_ptr<const EffectsIndex> overlay) {
    overlays_.push_back(std::move(overlay));
  }
  void Apply(const Effects& effects) { own_.Add(effects); }
  void Apply(Effects&& effects) { own_.Add(std::move(effects)); }
  // The effects applied with Apply, indexed; leaves this state without them.
  EffectsIndex ReleaseOwn() { return std::exchange(own_, EffectsIndex()); }

  absl::StatusOr<std::vector<origo::store::v1::LineageFact>> Facts(std::string_view id) override;
  absl::StatusOr<NodeState> State(std::string_view id) override;
  absl::StatusOr<std::vector<Edge>> Upstream(std::string_view id) override;
  absl::StatusOr<std::vector<origo::store::v1::StoredInspection>> Inspections(
      std::string_view id) override;
  absl::StatusOr<double> BaseHarvest(std::string_view base, int year) override;
  absl::StatusOr<EnterpriseInfo> Enterprise(std::string_view usci) override;

 private:
  // The stored facts of `id` (read once per batch), then every overlay's and this batch's own.
  absl::StatusOr<std::vector<const origo::store::v1::LineageFact*>> FactPointers(
      std::string_view id);
  template <typename Fn>
  void ForEachIndex(Fn fn) const {
    for (const auto& overlay : overlays_) fn(*overlay);
    fn(own_);
  }

  StateReader* base_;
  std::vector<std::shared_ptr<const EffectsIndex>> overlays_;
  EffectsIndex own_;
  // The base reader's answers, kept for the batch: it reads at one snapshot, so they cannot
  // change, and a batch names the same lot, case or pallet in many events (256 events packing
  // one lot would otherwise scan and decode its facts 256 times). The facts live on arena_.
  google::protobuf::Arena arena_;
  absl::flat_hash_map<std::string, std::vector<const origo::store::v1::LineageFact*>> base_facts_;
  absl::flat_hash_map<std::string, std::vector<Edge>> base_upstream_;
  std::map<std::string, EnterpriseInfo, std::less<>> enterprises_;  // cache
};

// A rejection that inspectors should see later (mass balance, GI).
struct Violation {
  std::string rule;  // rule_id@version
  std::string field;
  std::string reason;
  std::vector<std::string> identifiers;
};

// Evaluates events against the rule set in effect at their time. Thread-safe (immutable).
class Engine {
 public:
  // `config` empty = the built-in rule set. INVALID_ARGUMENT naming the field
  // ("rules.rule_sets[i].<field>") for a rule set without a version, a version or start date
  // used twice, a malformed effective_from, an unknown rule id in disabled_rules, a yield bound
  // or residue limit that is not a positive number (or names its step / pesticide twice), a
  // share outside [0, 1], or a GI zone nested in a zone the set does not define.
  static absl::StatusOr<std::unique_ptr<Engine>> Create(const origo::v1::RulesConfig& config);

  // The rule set (defaults applied) in effect at `unix_ms`.
  const origo::v1::RuleSet& SetAt(int64_t unix_ms) const;

  // Checks `event` signed by `signer` against `state`. On success returns the effects to store
  // (and the caller applies them to its BatchState). On rejection returns INVALID_ARGUMENT or
  // FAILED_PRECONDITION "<field>: <rule_id>@<version>: <reason>"; when the rule keeps suspected
  // violations, `*violation` is filled. Storage errors pass through.
  absl::StatusOr<Effects> Evaluate(const epcis::ParsedEvent& event, std::string_view raw_event_id,
                                   std::string_view signer, StateReader& state,
                                   std::optional<Violation>* violation) const;

  // Judges inspection items against the residue table of the set in effect at `unix_ms`: an
  // item with limit 0 takes the table's limit (INVALID_ARGUMENT naming the item when the table
  // has none); pass = measured <= limit. Returns the items with limit and pass filled.
  absl::StatusOr<std::vector<origo::store::v1::InspectionItemRecord>> JudgeItems(
      std::vector<origo::store::v1::InspectionItemRecord> items, int64_t unix_ms) const;

 private:
  Engine() = default;
  std::vector<std::pair<int64_t, origo::v1::RuleSet>> sets_;  // by effective time, ascending
};

}  // namespace origo::rules

#endif  // ORIGO_CORE_RULES_RULES_H_
