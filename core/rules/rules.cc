#include "core/rules/rules.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "core/base/absl_view.h"
#include "core/base/status_macros.h"
#include "core/gs1/digital_link.h"

namespace origo::rules {
namespace {

using origo::store::v1::LineageFact;
constexpr double kEpsilon = 1e-9;
constexpr size_t kClosureLimit = 5000;
constexpr int kContainerDepth = 8;

// The canonical path of `id`, an identifier of `event`: from what validation found, or parsed.
std::string Canon(const epcis::ParsedEvent& event, const std::string& id) {
  if (auto it = event.canonical.find(id); it != event.canonical.end()) {
    return event.identifiers[it->second];
  }
  auto link = gs1::ParseIdentifier(id);
  return link.ok() ? link->CanonicalPath() : id;
}

std::optional<int64_t> ParseDateMs(const std::string& text, bool end_of_day) {
  absl::Time t;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, text, &t, &err)) return absl::ToUnixMillis(t);
  if (absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &t, &err)) {
    if (end_of_day) t += absl::Hours(24) - absl::Milliseconds(1);
    return absl::ToUnixMillis(t);
  }
  return std::nullopt;
}

std::string DateOf(int64_t ms) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixMillis(ms), absl::UTCTimeZone());
}

int YearOf(int64_t ms) {
  return static_cast<int>(absl::ToCivilYear(absl::FromUnixMillis(ms), absl::UTCTimeZone()).year());
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

// "5 KGM" -> (5, "KGM").
std::optional<std::pair<double, std::string>> ParseMeasure(const std::string& text) {
  size_t space = text.find(' ');
  double v = 0;
  if (space == std::string::npos || !absl::SimpleAtod(text.substr(0, space), &v) || !(v > 0)) {
    return std::nullopt;
  }
  return std::make_pair(v, text.substr(space + 1));
}

std::string StructValueString(const google::protobuf::Value& v) {
  switch (v.kind_case()) {
    case google::protobuf::Value::kStringValue:
      return v.string_value();
    case google::protobuf::Value::kNumberValue:
      return Num(v.number_value());
    case google::protobuf::Value::kBoolValue:
      return v.bool_value() ? "true" : "false";
    default:
      return "";
  }
}

std::string UsciOf(const std::string& party) {
  constexpr std::string_view kPrefix = "urn:origo:usci:";
  if (party.rfind(kPrefix, 0) == 0) return party.substr(kPrefix.size());
  return "";
}

// One identifier an event names, with the JSON field it came from.
struct Ref {
  std::string id;
  std::string field;
  double quantity = 0;
  std::string uom;
  bool has_quantity = false;
};

void AddEpcs(const epcis::ParsedEvent& event,
             const google::protobuf::RepeatedPtrField<std::string>& list, const std::string& name,
             std::vector<Ref>* out) {
  for (int i = 0; i < list.size(); ++i) {
    out->push_back({Canon(event, list[i]), name + "[" + std::to_string(i) + "]", 0, "", false});
  }
}

void AddQuantities(const epcis::ParsedEvent& event,
                   const google::protobuf::RepeatedPtrField<origo::v1::QuantityElement>& list,
                   const std::string& name, std::vector<Ref>* out) {
  for (int i = 0; i < list.size(); ++i) {
    out->push_back({Canon(event, list[i].epc_class()),
                    name + "[" + std::to_string(i) + "].epcClass", list[i].quantity(),
                    list[i].uom(), true});
  }
}

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// The zone and every zone it lies within.
std::vector<std::string> ExpandZones(const origo::v1::RuleSet& set,
                                     const std::vector<std::string>& zones) {
  std::set<std::string> out(zones.begin(), zones.end());
  for (int round = 0; round < 4; ++round) {
    for (const auto& z : set.gi_zones()) {
      if (out.count(z.name())) out.insert(z.within().begin(), z.within().end());
    }
  }
  return {out.begin(), out.end()};
}

class Evaluation {
 public:
  Evaluation(const origo::v1::RuleSet& set, const epcis::ParsedEvent& parsed,
             std::string_view raw_id, std::string_view signer, StateReader& state,
             std::optional<Violation>* violation)
      : set_(set),
        parsed_(parsed),
        ev_(parsed.event),
        signer_(signer),
        state_(state),
        violation_(violation) {
    fx_.event_id = std::string(raw_id);
    t_ = parsed.event_time_unix_ms;
    // Canonical once: every fact the event adds carries them (a packing run adds dozens).
    if (!ev_.read_point().id().empty()) read_point_ = Canon(parsed_, ev_.read_point().id());
    if (!ev_.biz_location().id().empty()) biz_location_ = Canon(parsed_, ev_.biz_location().id());
    for (const auto& s : ev_.source_list()) {
      if (s.type() == "owning_party" && !UsciOf(s.source()).empty())
        src_owner_ = UsciOf(s.source());
    }
    for (const auto& d : ev_.destination_list()) {
      if (d.type() == "owning_party" && !UsciOf(d.destination()).empty()) {
        dst_owner_ = UsciOf(d.destination());
      }
    }
    for (const auto& [key, value] : ev_.ilmd().fields()) {
      std::string s = StructValueString(value);
      if (!s.empty()) ilmd_[key] = s;
    }
  }

  absl::StatusOr<Effects> Run();

 private:
  bool Enabled(std::string_view rule) const { return !Contains(set_.disabled_rules(), rule); }
  absl::Status Reject(absl::StatusCode code, const std::string& field, const std::string& rule,
                      const std::string& reason, bool record = false,
                      std::vector<std::string> ids = {}) {
    std::string rule_version = rule + "@" + set_.version();
    if (record && violation_ != nullptr) {
      *violation_ = Violation{rule_version, field, reason, std::move(ids)};
    }
    return absl::Status(code, field + ": " + rule_version + ": " + reason);
  }
  // The state of `id`, read once per event (owned by cache_, whose nodes do not move).
  absl::StatusOr<const NodeState*> State(const std::string& id) {
    auto it = cache_.find(id);
    if (it == cache_.end()) {
      ORIGO_ASSIGN_OR_RETURN(NodeState node, state_.State(id));
      it = cache_.emplace(id, std::move(node)).first;
    }
    return &it->second;
  }
  // The owner of the outermost container of `id` (its own owner when not packed).
  absl::StatusOr<std::string> Holder(const std::string& id) {
    ORIGO_ASSIGN_OR_RETURN(const NodeState* node, State(id));
    for (int depth = 0; depth < kContainerDepth && !node->container.empty(); ++depth) {
      ORIGO_ASSIGN_OR_RETURN(node, State(node->container));
    }
    return node->owner;
  }
  // What every fact of the event says, whatever its role.
  void FillBase(LineageFact* f, origo::store::v1::FactRole role) const {
    f->set_role(role);
    f->set_event_id(parsed_.event_id_hex);
    f->set_event_time_ms(t_);
    f->set_signer(std::string(signer_));
    f->set_biz_step(ev_.biz_step());
    f->set_disposition(ev_.disposition());
    f->set_read_point(read_point_);
    f->set_biz_location(biz_location_);
    for (const auto& c : ev_.certification_info()) f->add_certificates(c);
    f->set_rules_version(set_.version());
    f->set_event_type(ev_.type());
  }
  // A new fact about `id` in the effects, with what every fact of the event says.
  LineageFact* AddFact(const std::string& id, origo::store::v1::FactRole role) {
    LineageFact* f = fx_.AddFact(id);
    FillBase(f, role);
    return f;
  }
  absl::Status CheckActedOn(const std::vector<Ref>& refs, bool creating);
  absl::Status ObjectLike();
  absl::Status Aggregation(origo::store::v1::EdgeKind kind);
  absl::Status Transformation();
  absl::Status GojiExport(const std::vector<Ref>& refs);
  absl::Status OriginBase(const std::vector<Ref>& created, LineageFact* fact);
  std::optional<std::pair<double, std::string>> NetMeasure() const {
    for (const char* key : {"netWeight", "netContent", "netVolume"}) {
      if (auto it = ilmd_.find(key); it != ilmd_.end()) {
        if (auto m = ParseMeasure(it->second)) return m;
      }
    }
    return std::nullopt;
  }

  const origo::v1::RuleSet& set_;
  const epcis::ParsedEvent& parsed_;
  const origo::v1::Event& ev_;
  std::string_view signer_;
  StateReader& state_;
  std::optional<Violation>* violation_;
  Effects fx_;
  int64_t t_ = 0;
  std::string src_owner_, dst_owner_;
  std::string read_point_, biz_location_;  // canonical, "" when absent
  std::map<std::string, std::string> ilmd_;
  std::map<std::string, NodeState> cache_;
};

absl::Status Evaluation::CheckActedOn(const std::vector<Ref>& refs, bool creating) {
  for (const Ref& ref : refs) {
    ORIGO_ASSIGN_OR_RETURN(const NodeState* node_found, State(ref.id));
    const NodeState& node = *node_found;
    if (!node.known) continue;
    if (Enabled(kOwnership)) {
      ORIGO_ASSIGN_OR_RETURN(std::string holder, Holder(ref.id));
      bool ok = holder == signer_;
      // A producer recalls or holds what it made, wherever it is now.
      if (!ok && ev_.type() == epcis::kObjectEvent && ev_.action() == "OBSERVE" &&
          (ev_.disposition() == kRecalled || ev_.disposition() == kHeld) &&
          node.creator == signer_) {
        ok = true;
      }
      if (!ok && ev_.biz_step() == "receiving" && dst_owner_ == signer_ && !src_owner_.empty() &&
          src_owner_ == holder) {
        ok = true;
      }
      if (!ok) {
        return Reject(
            absl::StatusCode::kFailedPrecondition, ref.field, kOwnership,
            ref.id + " is owned by " + holder + ", not by the signer " + std::string(signer_));
      }
    }
    if (!creating && Enabled(kTimeOrder) && t_ < node.created_ms) {
      return Reject(absl::StatusCode::kInvalidArgument, ref.field, kTimeOrder,
                    "eventTime " + ev_.event_time() + " precedes the creation of " + ref.id + " (" +
                        absl::FormatTime(absl::RFC3339_sec, absl::FromUnixMillis(node.created_ms),
                                         absl::UTCTimeZone()) +
                        ")");
    }
  }
  return absl::OkStatus();
}

// Matches the event's read point (then business location) with a registered base of the signer.
absl::Status Evaluation::OriginBase(const std::vector<Ref>& created, LineageFact* fact) {
  ORIGO_ASSIGN_OR_RETURN(EnterpriseInfo info, state_.Enterprise(signer_));
  const origo::v1::ProductionBase* match = nullptr;
  for (const std::string& where : {ev_.read_point().id(), ev_.biz_location().id()}) {
    if (where.empty() || match != nullptr) continue;
    auto link = gs1::ParseIdentifier(where);
    if (!link.ok() || link->primary_ai != "414") continue;
    std::string ext = link->gln_extension.value_or("");
    for (const auto& base : info.bases) {
      if (base.gln() == link->primary_value && base.gln_extension() == ext) match = &base;
    }
    for (const auto& base : info.bases) {
      if (match == nullptr && base.gln() == link->primary_value && base.gln_extension().empty()) {
        match = &base;
      }
    }
  }
  std::vector<std::string> zones;
  if (match != nullptr) {
    fact->set_base(std::string(signer_) + "/" + match->base_id());
    zones = ExpandZones(set_, {match->gi_zones().begin(), match->gi_zones().end()});
    for (const auto& z : zones) fact->add_gi_zones(z);
  }
  auto claim = ilmd_.find("geographicIndication");
  if (claim == ilmd_.end() || !Enabled(kGiClaim)) return absl::OkStatus();
  std::vector<std::string> ids;
  for (const Ref& r : created) ids.push_back(r.id);
  const std::string field = "ilmd.geographicIndication";
  if (match == nullptr) {
    return Reject(absl::StatusCode::kFailedPrecondition, field, kGiClaim,
                  "claims " + claim->second +
                      " but the readPoint/bizLocation is not a "
                      "registered production base of " +
                      std::string(signer_),
                  true, ids);
  }
  if (std::find(zones.begin(), zones.end(), claim->second) == zones.end()) {
    return Reject(absl::StatusCode::kFailedPrecondition, field, kGiClaim,
                  "claims " + claim->second + " but base " + match->base_id() + " lies in [" +
                      absl::StrJoin(zones, ", ") + "]",
                  true, ids);
  }
  double quantity = 0;
  std::string uom;
  for (const Ref& r : created) {
    if (r.has_quantity) {
      quantity += r.quantity;
      uom = r.uom;
    }
  }
  const int year = YearOf(t_);
  ORIGO_ASSIGN_OR_RETURN(double harvested, state_.BaseHarvest(fact->base(), year));
  if (match->annual_harvest() <= 0) {
    return Reject(absl::StatusCode::kFailedPrecondition, field, kGiClaim,
                  "base " + match->base_id() + " has no recorded annual harvest to bound " +
                      claim->second + " claims",
                  true, ids);
  }
  if (harvested + quantity > match->annual_harvest() + kEpsilon) {
    return Reject(absl::StatusCode::kFailedPrecondition, field, kGiClaim,
                  claim->second + " harvest at base " + match->base_id() + " in " +
                      std::to_string(year) + " would reach " + Num(harvested + quantity) +
                      ", above its recorded annual harvest of " + Num(match->annual_harvest()),
                  true, ids);
  }
  Effects::Harvest h;
  h.base = fact->base();
  h.year = year;
  h.record.set_quantity(quantity);
  h.record.set_uom(uom);
  h.record.set_zone(claim->second);
  fx_.harvests.push_back(std::move(h));
  return absl::OkStatus();
}

absl::Status Evaluation::GojiExport(const std::vector<Ref>& refs) {
  bool export_shipping = false;
  for (const auto& d : ev_.destination_list()) {
    constexpr std::string_view kPlace = "urn:origo:place:";
    if (d.destination().rfind(kPlace, 0) != 0) continue;
    std::string code = d.destination().substr(kPlace.size());
    code = code.substr(0, code.find('-'));
    if (code != "CN") export_shipping = true;
  }
  if (!export_shipping || ev_.biz_step() != "shipping" || !Enabled(kGojiExport)) {
    return absl::OkStatus();
  }
  ORIGO_ASSIGN_OR_RETURN(EnterpriseInfo signer, state_.Enterprise(signer_));
  for (const Ref& ref : refs) {
    bool goji = signer.enterprise.sector() == origo::v1::SECTOR_GOJI;
    bool inspected = false;
    std::set<std::string> seen{ref.id};
    std::deque<std::string> queue{ref.id};
    while (!queue.empty() && !inspected) {
      std::string id = queue.front();
      queue.pop_front();
      ORIGO_ASSIGN_OR_RETURN(auto inspections, state_.Inspections(id));
      for (const auto& i : inspections) {
        if (i.kind() == "pesticide_residue" && i.conformant()) inspected = true;
      }
      if (!goji) {
        ORIGO_ASSIGN_OR_RETURN(const NodeState* node_found, State(id));
        const NodeState& node = *node_found;
        if (!node.creator.empty()) {
          ORIGO_ASSIGN_OR_RETURN(EnterpriseInfo creator, state_.Enterprise(node.creator));
          goji = creator.enterprise.sector() == origo::v1::SECTOR_GOJI;
        }
      }
      ORIGO_ASSIGN_OR_RETURN(auto edges, state_.Upstream(id));
      for (const Edge& e : edges) {
        if (seen.size() < kClosureLimit && seen.insert(e.from).second) queue.push_back(e.from);
      }
    }
    if (goji && !inspected) {
      return Reject(absl::StatusCode::kFailedPrecondition, ref.field, kGojiExport,
                    "export of " + ref.id +
                        " needs a conformant pesticide_residue inspection "
                        "on it or an ancestor; none is on record");
    }
  }
  return absl::OkStatus();
}

absl::Status Evaluation::ObjectLike() {
  std::vector<Ref> refs;
  AddEpcs(parsed_, ev_.epc_list(), "epcList", &refs);
  AddQuantities(parsed_, ev_.quantity_list(), "quantityList", &refs);
  if (!ev_.parent_id().empty())
    refs.push_back({Canon(parsed_, ev_.parent_id()), "parentID", 0, "", false});
  const bool creating = ev_.type() == epcis::kObjectEvent && ev_.action() == "ADD";
  ORIGO_RETURN_IF_ERROR(CheckActedOn(refs, creating));
  using origo::store::v1::FactRole;
  if (creating) {
    LineageFact fact;
    FillBase(&fact, origo::store::v1::FACT_CREATED);
    fact.set_owner(std::string(signer_));
    for (const auto& [k, v] : ilmd_) (*fact.mutable_attributes())[k] = v;
    ORIGO_RETURN_IF_ERROR(OriginBase(refs, &fact));
    auto net = NetMeasure();
    for (const Ref& ref : refs) {
      LineageFact* f = fx_.AddFact(ref.id, fact);
      if (ref.has_quantity) {
        f->set_quantity(ref.quantity);
        f->set_uom(ref.uom);
      } else if (net) {
        f->set_quantity(net->first);
        f->set_uom(net->second);
      }
    }
    return absl::OkStatus();
  }
  ORIGO_RETURN_IF_ERROR(GojiExport(refs));
  FactRole role = origo::store::v1::FACT_OBSERVED;
  std::string owner;
  if (ev_.biz_step() == "shipping") {
    role = origo::store::v1::FACT_SHIPPED;
    owner = dst_owner_;
  } else if (ev_.biz_step() == "receiving") {
    role = origo::store::v1::FACT_RECEIVED;
    owner = dst_owner_.empty() ? std::string(signer_) : dst_owner_;
  } else if (ev_.biz_step() == "inspecting") {
    role = origo::store::v1::FACT_INSPECTED;
  }
  for (const Ref& ref : refs) {
    LineageFact* f = AddFact(ref.id, role);
    f->set_owner(owner);
    if (ref.has_quantity) {
      f->set_quantity(ref.quantity);
      f->set_uom(ref.uom);
    }
  }
  return absl::OkStatus();
}

absl::Status Evaluation::Aggregation(origo::store::v1::EdgeKind kind) {
  std::vector<Ref> children;
  AddEpcs(parsed_, ev_.child_epcs(), "childEPCs", &children);
  AddQuantities(parsed_, ev_.child_quantity_list(), "childQuantityList", &children);
  const std::string parent = ev_.parent_id().empty() ? "" : Canon(parsed_, ev_.parent_id());
  std::vector<Ref> all = children;
  if (!parent.empty()) all.push_back({parent, "parentID", 0, "", false});
  ORIGO_RETURN_IF_ERROR(CheckActedOn(all, false));
  if (ev_.action() == "ADD" && Enabled(kHalal)) {
    std::string halal_id, other_id, other_field;
    for (const Ref& c : children) {
      ORIGO_ASSIGN_OR_RETURN(const NodeState* node_found, State(c.id));
      const NodeState& node = *node_found;
      if (!node.known) continue;
      if (node.halal) {
        halal_id = c.id;
      } else if (other_id.empty()) {
        other_id = c.id;
        other_field = c.field;
      }
    }
    if (!halal_id.empty() && !other_id.empty()) {
      return Reject(absl::StatusCode::kFailedPrecondition, other_field, kHalal,
                    "packs non-halal " + other_id + " with halal " + halal_id);
    }
  }
  using origo::store::v1::FactRole;
  if (!parent.empty()) {
    ORIGO_ASSIGN_OR_RETURN(const NodeState* p_found, State(parent));
    const NodeState& p = *p_found;
    LineageFact* f = AddFact(parent, ev_.action() == "OBSERVE" ? origo::store::v1::FACT_OBSERVED
                                                               : origo::store::v1::FACT_CONTAINER);
    if (!p.known) f->set_owner(std::string(signer_));
  }
  for (const Ref& c : children) {
    FactRole role = ev_.action() == "ADD"      ? origo::store::v1::FACT_CONTAINED
                    : ev_.action() == "DELETE" ? origo::store::v1::FACT_UNCONTAINED
                                               : origo::store::v1::FACT_OBSERVED;
    LineageFact* f = AddFact(c.id, role);
    if (role != origo::store::v1::FACT_OBSERVED) f->set_container(parent);
    if (c.has_quantity) {
      f->set_quantity(c.quantity);
      f->set_uom(c.uom);
    }
    if (ev_.action() == "ADD" && !parent.empty()) {
      Edge e;
      e.from = c.id;
      e.to = parent;
      e.edge.set_kind(kind);
      e.edge.set_event_id(parsed_.event_id_hex);
      e.edge.set_event_time_ms(t_);
      fx_.edges.push_back(std::move(e));
    }
  }
  return absl::OkStatus();
}

absl::Status Evaluation::Transformation() {
  std::vector<Ref> inputs, outputs;
  AddEpcs(parsed_, ev_.input_epc_list(), "inputEPCList", &inputs);
  AddQuantities(parsed_, ev_.input_quantity_list(), "inputQuantityList", &inputs);
  AddEpcs(parsed_, ev_.output_epc_list(), "outputEPCList", &outputs);
  AddQuantities(parsed_, ev_.output_quantity_list(), "outputQuantityList", &outputs);
  ORIGO_RETURN_IF_ERROR(CheckActedOn(inputs, false));
  ORIGO_RETURN_IF_ERROR(CheckActedOn(outputs, true));
  const auto net = NetMeasure();
  std::vector<std::string> input_ids;
  for (const Ref& r : inputs) input_ids.push_back(r.id);

  // Mass balance: what remains of each input, then the step's yield bound.
  if (Enabled(kMassBalance)) {
    std::map<std::string, double> taking;
    for (const Ref& r : inputs) {
      if (!r.has_quantity) continue;
      ORIGO_ASSIGN_OR_RETURN(const NodeState* node_found, State(r.id));
      const NodeState& node = *node_found;
      taking[r.id] += r.quantity;
      if (!node.known || node.produced <= 0 || (!node.uom.empty() && node.uom != r.uom)) continue;
      double remaining = node.produced - node.consumed;
      if (taking[r.id] > remaining + kEpsilon) {
        return Reject(absl::StatusCode::kFailedPrecondition,
                      r.field.substr(0, r.field.rfind('.')) + ".quantity", kMassBalance,
                      "consumes " + Num(taking[r.id]) + " " + r.uom + " of " + r.id + " but only " +
                          Num(remaining) + " remain (produced " + Num(node.produced) +
                          ", consumed " + Num(node.consumed) + ")",
                      true, input_ids);
      }
    }
    double in_total = 0, out_total = 0;
    for (const Ref& r : inputs) in_total += r.has_quantity ? r.quantity : 0;
    for (const Ref& r : outputs) {
      out_total += r.has_quantity ? r.quantity : (net ? net->first : 0);
    }
    double ratio = set_.default_max_output_ratio();
    for (const auto& b : set_.yield_bounds()) {
      if (b.biz_step() == ev_.biz_step()) ratio = b.max_output_ratio();
    }
    if (in_total > 0 && out_total > in_total * ratio + kEpsilon) {
      return Reject(absl::StatusCode::kFailedPrecondition,
                    ev_.output_quantity_list_size() > 0 ? "outputQuantityList" : "outputEPCList",
                    kMassBalance,
                    "outputs total " + Num(out_total) + " exceed inputs " + Num(in_total) +
                        " x yield bound " + Num(ratio) + " for " + ev_.biz_step(),
                    true, input_ids);
    }
  }

  // Input states, for halal, GI and wine claims.
  std::vector<NodeState> in_states;
  bool all_known = !inputs.empty(), all_halal = !inputs.empty();
  for (const Ref& r : inputs) {
    ORIGO_ASSIGN_OR_RETURN(const NodeState* node_found, State(r.id));
    const NodeState& node = *node_found;
    all_known = all_known && node.known;
    all_halal = all_halal && node.known && node.halal;
    in_states.push_back(node);
  }
  bool output_halal = all_halal;
  if (Enabled(kHalal)) {
    std::string halal_id, other_id, other_field;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!in_states[i].known) continue;
      if (in_states[i].halal) {
        halal_id = inputs[i].id;
      } else if (other_id.empty()) {
        other_id = inputs[i].id;
        other_field = inputs[i].field;
      }
    }
    if (!halal_id.empty() && !other_id.empty()) {
      return Reject(absl::StatusCode::kFailedPrecondition, other_field, kHalal,
                    "mixes non-halal " + other_id + " with halal " + halal_id);
    }
    if (Contains(set_.halal_slaughter_steps(), ev_.biz_step())) {
      ORIGO_ASSIGN_OR_RETURN(EnterpriseInfo info, state_.Enterprise(signer_));
      bool certified = false;
      for (const auto& c : info.certificates) {
        if (c.type() != "halal") continue;
        auto from = ParseDateMs(c.valid_from(), false);
        auto to = ParseDateMs(c.valid_to(), true);
        if ((c.valid_from().empty() || (from && *from <= t_)) &&
            (c.valid_to().empty() || (to && t_ <= *to))) {
          certified = true;
        }
      }
      if (!certified) {
        return Reject(absl::StatusCode::kFailedPrecondition, "bizStep", kHalal,
                      "halal slaughter by " + std::string(signer_) +
                          " without a halal certificate valid on " + DateOf(t_));
      }
      if (ilmd_["slaughtererId"].empty()) {
        return Reject(absl::StatusCode::kFailedPrecondition, "ilmd.slaughtererId", kHalal,
                      "halal slaughter needs the slaughterer's id");
      }
      for (size_t i = 0; i < inputs.size(); ++i) {
        if (!in_states[i].ante_mortem_ok) {
          return Reject(absl::StatusCode::kFailedPrecondition, inputs[i].field, kHalal,
                        "no ante-mortem inspection is recorded for " + inputs[i].id);
        }
      }
      output_halal = true;
    }
  }

  // GI: outputs may claim a zone only when every input may.
  std::vector<std::string> zones;
  if (all_known) {
    zones = in_states[0].gi_zones;
    for (const NodeState& s : in_states) {
      std::vector<std::string> keep;
      for (const auto& z : zones) {
        if (std::find(s.gi_zones.begin(), s.gi_zones.end(), z) != s.gi_zones.end()) {
          keep.push_back(z);
        }
      }
      zones = std::move(keep);
    }
  }
  if (auto claim = ilmd_.find("geographicIndication");
      claim != ilmd_.end() && Enabled(kGiClaim) &&
      std::find(zones.begin(), zones.end(), claim->second) == zones.end()) {
    std::vector<std::string> ids = input_ids;
    for (const Ref& r : outputs) ids.push_back(r.id);
    return Reject(absl::StatusCode::kFailedPrecondition, "ilmd.geographicIndication", kGiClaim,
                  "claims " + claim->second +
                      " but not every input traces to a registered "
                      "production base in the zone",
                  true, ids);
  }

  // Wine: vintage and variety claims need the blend's volume behind them.
  std::map<std::string, std::string> inherited;
  for (const char* attr : {"vintage", "variety"}) {
    auto claim = ilmd_.find(attr);
    if (claim == ilmd_.end()) {
      bool same = all_known;
      std::string value = all_known ? in_states[0].attributes[attr] : "";
      for (NodeState& s : in_states) same = same && s.attributes[attr] == value;
      if (same && !value.empty()) inherited[attr] = value;
      continue;
    }
    if (!Enabled(kWineClaim)) continue;
    double total = 0, matching = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      double w = inputs[i].has_quantity ? inputs[i].quantity : 1.0;
      total += w;
      if (in_states[i].attributes[attr] == claim->second) matching += w;
    }
    const double need =
        std::string(attr) == "vintage" ? set_.vintage_min_share() : set_.variety_min_share();
    double share = total > 0 ? matching / total : 0;
    if (share + kEpsilon < need) {
      return Reject(absl::StatusCode::kFailedPrecondition, std::string("ilmd.") + attr, kWineClaim,
                    "claims " + std::string(attr) + " " + claim->second + " but only " +
                        Num(std::round(share * 1000) / 10) + "% of the input volume is " +
                        claim->second + " (needs " + Num(need * 100) + "%)");
    }
  }

  for (const Ref& r : inputs) {
    LineageFact* f = AddFact(r.id, origo::store::v1::FACT_CONSUMED);
    if (r.has_quantity) {
      f->set_quantity(r.quantity);
      f->set_uom(r.uom);
    }
  }
  for (const Ref& r : outputs) {
    LineageFact* f = AddFact(r.id, origo::store::v1::FACT_CREATED);
    f->set_owner(std::string(signer_));
    if (r.has_quantity) {
      f->set_quantity(r.quantity);
      f->set_uom(r.uom);
    } else if (net) {
      f->set_quantity(net->first);
      f->set_uom(net->second);
    }
    for (const auto& [k, v] : inherited) (*f->mutable_attributes())[k] = v;
    for (const auto& [k, v] : ilmd_) (*f->mutable_attributes())[k] = v;
    f->set_halal(output_halal);
    for (const auto& z : zones) f->add_gi_zones(z);
    for (const Ref& in : inputs) {
      Edge e;
      e.from = in.id;
      e.to = r.id;
      e.edge.set_kind(origo::store::v1::EDGE_TRANSFORM);
      e.edge.set_event_id(parsed_.event_id_hex);
      e.edge.set_event_time_ms(t_);
      fx_.edges.push_back(std::move(e));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Effects> Evaluation::Run() {
  const std::string& type = ev_.type();
  if (type == epcis::kTransformationEvent) {
    ORIGO_RETURN_IF_ERROR(Transformation());
  } else if (type == epcis::kAggregationEvent) {
    ORIGO_RETURN_IF_ERROR(Aggregation(origo::store::v1::EDGE_AGGREGATE));
  } else if (type == epcis::kAssociationEvent) {
    ORIGO_RETURN_IF_ERROR(Aggregation(origo::store::v1::EDGE_ASSOCIATE));
  } else {
    ORIGO_RETURN_IF_ERROR(ObjectLike());
  }
  return std::move(fx_);
}

bool FactBefore(const LineageFact* a_ptr, const LineageFact* b_ptr) {
  const LineageFact& a = *a_ptr;
  const LineageFact& b = *b_ptr;
  if (a.event_time_ms() != b.event_time_ms()) return a.event_time_ms() < b.event_time_ms();
  bool ac = a.role() == origo::store::v1::FACT_CREATED;
  bool bc = b.role() == origo::store::v1::FACT_CREATED;
  if (ac != bc) return ac;
  return a.event_id() < b.event_id();
}

// Parameters a rule set may not carry: a typo in a rule id or a bound must stop the server, not
// silently switch a check off or make it unpassable.
absl::Status ValidateRuleSet(const origo::v1::RuleSet& set, const std::string& where) {
  auto bad = [&](const std::string& field, const std::string& why) {
    return absl::InvalidArgumentError(where + "." + field + ": " + why);
  };
  for (int j = 0; j < set.disabled_rules_size(); ++j) {
    const std::string& id = set.disabled_rules(j);
    if (std::find(std::begin(kRuleIds), std::end(kRuleIds), id) == std::end(kRuleIds)) {
      return bad("disabled_rules[" + std::to_string(j) + "]",
                 "unknown rule '" + id + "' (rules: " + absl::StrJoin(kRuleIds, ", ") + ")");
    }
  }
  std::set<std::string> steps;
  for (int j = 0; j < set.yield_bounds_size(); ++j) {
    const auto& b = set.yield_bounds(j);
    const std::string field = "yield_bounds[" + std::to_string(j) + "]";
    if (b.biz_step().empty()) return bad(field + ".biz_step", "required");
    if (!steps.insert(b.biz_step()).second) {
      return bad(field + ".biz_step", "'" + b.biz_step() + "' has two bounds");
    }
    if (!std::isfinite(b.max_output_ratio()) || b.max_output_ratio() <= 0 ||
        b.max_output_ratio() > 100) {
      return bad(field + ".max_output_ratio", "must be in (0, 100]");
    }
  }
  if (!std::isfinite(set.default_max_output_ratio()) || set.default_max_output_ratio() < 0 ||
      set.default_max_output_ratio() > 100) {
    return bad("default_max_output_ratio", "must be in (0, 100] (0 = default 1.0)");
  }
  for (const auto& [field, v] :
       {std::pair<const char*, double>{"vintage_min_share", set.vintage_min_share()},
        {"variety_min_share", set.variety_min_share()}}) {
    if (!std::isfinite(v) || v < 0 || v > 1) return bad(field, "must be in (0, 1] (0 = default)");
  }
  std::set<std::string> pesticides;
  for (int j = 0; j < set.residue_limits_size(); ++j) {
    const auto& l = set.residue_limits(j);
    const std::string field = "residue_limits[" + std::to_string(j) + "]";
    if (l.pesticide().empty()) return bad(field + ".pesticide", "required");
    if (!pesticides.insert(l.pesticide()).second) {
      return bad(field + ".pesticide", "'" + l.pesticide() + "' has two limits");
    }
    if (!std::isfinite(l.max_mg_per_kg()) || l.max_mg_per_kg() <= 0) {
      return bad(field + ".max_mg_per_kg", "must be a positive number of mg/kg");
    }
  }
  std::set<std::string> zones;
  for (int j = 0; j < set.gi_zones_size(); ++j) {
    if (set.gi_zones(j).name().empty()) {
      return bad("gi_zones[" + std::to_string(j) + "].name", "required");
    }
    zones.insert(set.gi_zones(j).name());
  }
  for (int j = 0; j < set.gi_zones_size(); ++j) {
    for (const auto& w : set.gi_zones(j).within()) {
      if (!zones.count(w)) {
        return bad("gi_zones[" + std::to_string(j) + "].within",
                   "'" + w + "' is not a zone of this rule set");
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

origo::v1::RuleSet DefaultRuleSet() {
  origo::v1::RuleSet set;
  set.set_version("2026.1");
  set.set_effective_from("2000-01-01");
  const std::pair<const char*, double> bounds[] = {
      {"urn:origo:bizstep:drying", 0.25},
      {"urn:origo:bizstep:grading", 1.0},
      {"packing", 1.0},
      {"commissioning", 1.0},
      {"urn:origo:bizstep:crushing", 0.75},
      {"urn:origo:bizstep:fermenting", 1.0},
      {"urn:origo:bizstep:blending", 1.0},
      {"urn:origo:bizstep:bottling", 1.0},
      {"urn:origo:bizstep:halal_slaughter", 0.65},
      {"urn:origo:bizstep:cutting", 1.0},
  };
  for (const auto& [step, ratio] : bounds) {
    auto* b = set.add_yield_bounds();
    b->set_biz_step(step);
    b->set_max_output_ratio(ratio);
  }
  set.set_default_max_output_ratio(1.0);
  set.set_vintage_min_share(0.80);
  set.set_variety_min_share(0.75);
  set.add_halal_slaughter_steps("urn:origo:bizstep:halal_slaughter");
  // Illustrative entries in the shape of GB 2763 goji entries (mg/kg), not verified against the
  // standard's text; operators load the official table via config (config.proto RuleSet).
  const std::pair<const char*, double> limits[] = {
      {"imidacloprid", 1.0}, {"acetamiprid", 2.0}, {"chlorpyrifos", 0.02}, {"cypermethrin", 0.5}};
  for (const auto& [name, limit] : limits) {
    auto* l = set.add_residue_limits();
    l->set_pesticide(name);
    l->set_max_mg_per_kg(limit);
  }
  auto* zn = set.add_gi_zones();
  zn->set_name("中宁枸杞");
  zn->add_within("宁夏枸杞");
  set.add_gi_zones()->set_name("宁夏枸杞");
  set.add_gi_zones()->set_name("贺兰山东麓");
  return set;
}

origo::v1::RuleSet WithDefaults(const origo::v1::RuleSet& given) {
  const origo::v1::RuleSet d = DefaultRuleSet();
  origo::v1::RuleSet set = given;
  for (const auto& b : d.yield_bounds()) {
    bool present = false;
    for (const auto& g : set.yield_bounds()) present = present || g.biz_step() == b.biz_step();
    if (!present) *set.add_yield_bounds() = b;
  }
  if (set.default_max_output_ratio() <= 0) set.set_default_max_output_ratio(1.0);
  if (set.vintage_min_share() <= 0) set.set_vintage_min_share(d.vintage_min_share());
  if (set.variety_min_share() <= 0) set.set_variety_min_share(d.variety_min_share());
  if (set.halal_slaughter_steps().empty()) {
    *set.mutable_halal_slaughter_steps() = d.halal_slaughter_steps();
  }
  if (set.residue_limits().empty()) *set.mutable_residue_limits() = d.residue_limits();
  if (set.gi_zones().empty()) *set.mutable_gi_zones() = d.gi_zones();
  return set;
}

NodeState Fold(std::vector<LineageFact> facts) { return FoldFacts(facts); }

NodeState FoldFacts(const std::vector<LineageFact>& facts) {
  std::vector<const LineageFact*> pointers;
  pointers.reserve(facts.size());
  for (const LineageFact& f : facts) pointers.push_back(&f);
  return FoldFacts(std::move(pointers));
}

NodeState FoldFacts(std::vector<const LineageFact*> facts) {
  std::sort(facts.begin(), facts.end(), FactBefore);
  NodeState s;
  s.known = !facts.empty();
  bool created = false;
  for (const LineageFact* fact : facts) {
    const LineageFact& f = *fact;
    if (s.creator.empty() || (!created && f.role() == origo::store::v1::FACT_CREATED)) {
      s.creator = f.signer();
      s.created_ms = f.event_time_ms();
      s.owner = f.signer();
    }
    if (f.disposition() == kRecalled && !s.recalled) {
      s.recalled = true;
      s.recall_event_id = f.event_id();
    }
    if (!f.disposition().empty() && f.disposition() != kRecalled) {
      s.held = f.disposition() == kHeld;
      s.hold_event_id = s.held ? f.event_id() : "";
    }
    switch (f.role()) {
      case origo::store::v1::FACT_CREATED:
        created = true;
        s.produced += f.quantity();
        if (!f.uom().empty()) s.uom = f.uom();
        if (!f.owner().empty()) s.owner = f.owner();
        for (const auto& [k, v] : f.attributes()) s.attributes[k] = v;
        s.halal = s.halal || f.halal();
        if (s.gi_zones.empty()) s.gi_zones.assign(f.gi_zones().begin(), f.gi_zones().end());
        if (s.base.empty()) s.base = f.base();
        break;
      case origo::store::v1::FACT_CONSUMED:
        s.consumed += f.quantity();
        break;
      case origo::store::v1::FACT_SHIPPED:
      case origo::store::v1::FACT_RECEIVED:
        if (!f.owner().empty()) s.owner = f.owner();
        break;
      case origo::store::v1::FACT_CONTAINED:
        s.container = f.container();
        break;
      case origo::store::v1::FACT_UNCONTAINED:
        if (s.container == f.container()) s.container.clear();
        break;
      case origo::store::v1::FACT_INSPECTED:
        if (f.disposition() != "non_conformant") s.ante_mortem_ok = true;
        break;
      default:
        break;
    }
  }
  return s;
}

namespace {

google::protobuf::ArenaOptions FactArenaOptions() {
  google::protobuf::ArenaOptions options;
  options.start_block_size = 4 << 10;
  options.max_block_size = 64 << 10;
  return options;
}

}  // namespace

LineageFact* Effects::AddFact(std::string id) {
  if (arena == nullptr) arena = std::make_shared<google::protobuf::Arena>(FactArenaOptions());
  LineageFact* fact = google::protobuf::Arena::CreateMessage<LineageFact>(arena.get());
  facts.emplace_back(std::move(id), fact);
  return fact;
}

LineageFact* Effects::AddFact(std::string id, const LineageFact& fact) {
  LineageFact* added = AddFact(std::move(id));
  *added = fact;
  return added;
}

void EffectsIndex::Add(const Effects& effects) { Add(Effects(effects)); }

void EffectsIndex::Add(Effects&& effects) {
  for (auto& [id, fact] : effects.facts) facts[id].push_back(fact);
  if (effects.arena != nullptr) arenas.push_back(std::move(effects.arena));
  for (Edge& e : effects.edges) {
    std::vector<Edge>& into = upstream[e.to];
    into.push_back(std::move(e));
  }
  for (const auto& h : effects.harvests) harvest[{h.base, h.year}] += h.record.quantity();
}

absl::StatusOr<NodeState> StateReader::State(std::string_view id) {
  ORIGO_ASSIGN_OR_RETURN(auto facts, Facts(id));
  return Fold(std::move(facts));
}

absl::StatusOr<std::vector<const LineageFact*>> StateReader::FactsOnArena(
    std::string_view id, google::protobuf::Arena* arena) {
  ORIGO_ASSIGN_OR_RETURN(std::vector<LineageFact> facts, Facts(id));
  std::vector<const LineageFact*> out;
  out.reserve(facts.size());
  for (LineageFact& f : facts) {
    LineageFact* copy = google::protobuf::Arena::CreateMessage<LineageFact>(arena);
    *copy = std::move(f);
    out.push_back(copy);
  }
  return out;
}

absl::StatusOr<std::vector<const LineageFact*>> BatchState::FactPointers(std::string_view id) {
  auto cached = base_facts_.find(AbslView(id));
  if (cached == base_facts_.end()) {
    ORIGO_ASSIGN_OR_RETURN(auto stored, base_->FactsOnArena(id, &arena_));
    cached = base_facts_.emplace(std::string(id), std::move(stored)).first;
  }
  std::vector<const LineageFact*> out = cached->second;
  ForEachIndex([&](const EffectsIndex& index) {
    if (auto it = index.facts.find(AbslView(id)); it != index.facts.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
    }
  });
  return out;
}

absl::StatusOr<std::vector<LineageFact>> BatchState::Facts(std::string_view id) {
  ORIGO_ASSIGN_OR_RETURN(auto pointers, FactPointers(id));
  std::vector<LineageFact> out;
  out.reserve(pointers.size());
  for (const LineageFact* f : pointers) out.push_back(*f);
  return out;
}

absl::StatusOr<NodeState> BatchState::State(std::string_view id) {
  ORIGO_ASSIGN_OR_RETURN(auto pointers, FactPointers(id));
  return FoldFacts(std::move(pointers));
}

absl::StatusOr<std::vector<Edge>> BatchState::Upstream(std::string_view id) {
  auto cached = base_upstream_.find(AbslView(id));
  if (cached == base_upstream_.end()) {
    ORIGO_ASSIGN_OR_RETURN(auto stored, base_->Upstream(id));
    cached = base_upstream_.emplace(std::string(id), std::move(stored)).first;
  }
  std::vector<Edge> out = cached->second;
  ForEachIndex([&](const EffectsIndex& index) {
    if (auto it = index.upstream.find(AbslView(id)); it != index.upstream.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
    }
  });
  return out;
}

absl::StatusOr<std::vector<origo::store::v1::StoredInspection>> BatchState::Inspections(
    std::string_view id) {
  return base_->Inspections(id);
}

absl::StatusOr<double> BatchState::BaseHarvest(std::string_view base, int year) {
  ORIGO_ASSIGN_OR_RETURN(double total, base_->BaseHarvest(base, year));
  const std::pair<std::string, int> key(std::string(base), year);
  ForEachIndex([&](const EffectsIndex& index) {
    if (auto it = index.harvest.find(key); it != index.harvest.end()) total += it->second;
  });
  return total;
}

absl::StatusOr<EnterpriseInfo> BatchState::Enterprise(std::string_view usci) {
  if (auto it = enterprises_.find(usci); it != enterprises_.end()) return it->second;
  ORIGO_ASSIGN_OR_RETURN(EnterpriseInfo info, base_->Enterprise(usci));
  enterprises_.emplace(std::string(usci), info);
  return info;
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create(const origo::v1::RulesConfig& config) {
  auto engine = std::unique_ptr<Engine>(new Engine());
  if (config.rule_sets().empty()) {
    engine->sets_.emplace_back(INT64_MIN, DefaultRuleSet());
    return engine;
  }
  std::set<std::string> versions;
  std::set<int64_t> starts;
  for (int i = 0; i < config.rule_sets_size(); ++i) {
    const auto& set = config.rule_sets(i);
    std::string where = "rules.rule_sets[" + std::to_string(i) + "]";
    if (set.version().empty()) return absl::InvalidArgumentError(where + ".version: required");
    if (!versions.insert(set.version()).second) {
      return absl::InvalidArgumentError(where + ".version: '" + set.version() +
                                        "' names two rule sets; decisions must name one");
    }
    auto from = ParseDateMs(set.effective_from(), false);
    if (!from) {
      return absl::InvalidArgumentError(where + ".effective_from: '" + set.effective_from() +
                                        "' is not YYYY-MM-DD");
    }
    if (!starts.insert(*from).second) {
      return absl::InvalidArgumentError(where + ".effective_from: another rule set starts on " +
                                        set.effective_from());
    }
    ORIGO_RETURN_IF_ERROR(ValidateRuleSet(set, where));
    engine->sets_.emplace_back(*from, WithDefaults(set));
  }
  std::sort(engine->sets_.begin(), engine->sets_.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return engine;
}

const origo::v1::RuleSet& Engine::SetAt(int64_t unix_ms) const {
  const origo::v1::RuleSet* chosen = &sets_.front().second;
  for (const auto& [from, set] : sets_) {
    if (from <= unix_ms) chosen = &set;
  }
  return *chosen;
}

absl::StatusOr<Effects> Engine::Evaluate(const epcis::ParsedEvent& event,
                                         std::string_view raw_event_id, std::string_view signer,
                                         StateReader& state,
                                         std::optional<Violation>* violation) const {
  Evaluation evaluation(SetAt(event.event_time_unix_ms), event, raw_event_id, signer, state,
                        violation);
  return evaluation.Run();
}

absl::StatusOr<std::vector<origo::store::v1::InspectionItemRecord>> Engine::JudgeItems(
    std::vector<origo::store::v1::InspectionItemRecord> items, int64_t unix_ms) const {
  const origo::v1::RuleSet& set = SetAt(unix_ms);
  for (size_t i = 0; i < items.size(); ++i) {
    auto& item = items[i];
    if (item.limit() <= 0) {
      for (const auto& l : set.residue_limits()) {
        if (l.pesticide() == item.name()) item.set_limit(l.max_mg_per_kg());
      }
    }
    if (item.limit() <= 0) {
      return absl::InvalidArgumentError("items[" + std::to_string(i) + "].limit: " + item.name() +
                                        " has no limit in rule set " + set.version() +
                                        "; give one");
    }
    if (!std::isfinite(item.measured()) || item.measured() < 0) {
      return absl::InvalidArgumentError("items[" + std::to_string(i) +
                                        "].measured: must be finite and >= 0");
    }
    item.set_pass(item.measured() <= item.limit());
  }
  return items;
}

}  // namespace origo::rules
