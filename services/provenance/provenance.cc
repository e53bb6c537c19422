#include "services/provenance/provenance.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <set>

#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/base/status_macros.h"
#include "core/batch/batch.h"
#include "core/crypto/hash.h"
#include "core/epcis/event.h"
#include "core/gs1/digital_link.h"
#include "origo/v1/log.pb.h"
#include "rocksdb/iterator.h"
#include "storage/key_encoding.h"

namespace origo::provenance {
namespace {

using origo::store::v1::LineageFact;

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* RoleName(origo::store::v1::FactRole role) {
  switch (role) {
    case origo::store::v1::FACT_CREATED:
      return "created";
    case origo::store::v1::FACT_CONSUMED:
      return "consumed";
    case origo::store::v1::FACT_SHIPPED:
      return "shipped";
    case origo::store::v1::FACT_RECEIVED:
      return "received";
    case origo::store::v1::FACT_CONTAINED:
      return "contained";
    case origo::store::v1::FACT_UNCONTAINED:
      return "uncontained";
    case origo::store::v1::FACT_INSPECTED:
      return "inspected";
    case origo::store::v1::FACT_CONTAINER:
      return "container";
    default:
      return "observed";
  }
}

const char* EdgeKindName(origo::store::v1::EdgeKind kind) {
  switch (kind) {
    case origo::store::v1::EDGE_TRANSFORM:
      return "transform";
    case origo::store::v1::EDGE_AGGREGATE:
      return "aggregate";
    case origo::store::v1::EDGE_ASSOCIATE:
      return "associate";
    default:
      return "unknown";
  }
}

const char* KindOf(const gs1::DigitalLink& link) {
  if (link.primary_ai == "00") return "logistic_unit";
  if (link.primary_ai == "414") return "location";
  if (link.primary_ai == "8004") return "asset";
  if (link.IsItem()) return "item";
  if (link.IsLot()) return "lot";
  return "class";
}

absl::StatusOr<gs1::DigitalLink> ParseId(std::string_view id, const std::string& field) {
  if (id.empty()) return absl::InvalidArgumentError(field + ": required");
  auto link = gs1::ParseIdentifier(id);
  if (!link.ok()) {
    return absl::InvalidArgumentError(field + ": " + std::string(link.status().message()));
  }
  return link;
}

origo::v1::InspectionResult ToApi(const origo::store::v1::StoredInspection& s) {
  origo::v1::InspectionResult r;
  r.set_id(s.id());
  r.set_lot(s.lot());
  r.set_enterprise(s.enterprise());
  r.set_kind(s.kind());
  r.set_conformant(s.conformant());
  for (const auto& i : s.items()) {
    auto* item = r.add_items();
    item->set_name(i.name());
    item->set_measured(i.measured());
    item->set_unit(i.unit());
    item->set_limit(i.limit());
    item->set_pass(i.pass());
  }
  r.set_report_no(s.report_no());
  r.set_lab(s.lab());
  r.set_sampling_date(s.sampling_date());
  r.set_recorded_unix_ms(s.recorded_unix_ms());
  r.set_rules_version(s.rules_version());
  return r;
}

bool MatchesAny(const google::protobuf::RepeatedPtrField<std::string>& list,
                const std::set<std::string>& wanted) {
  for (const auto& id : list) {
    auto link = gs1::ParseIdentifier(id);
    if (link.ok() && wanted.count(link->CanonicalPath())) return true;
  }
  return false;
}

}  // namespace

// One request's reads: a snapshot, a lineage cursor over it (one iterator per column family for
// the whole request), and what the request has read already, so that an identifier read twice
// (an item's view then its status walk; the carton and pallet of every bottle in a trace) is read
// and decoded once: facts, folded states, upstream edges, registry profiles, blacklist listings.
class Provenance::Reader {
 public:
  explicit Reader(const Provenance* provenance)
      : provenance_(provenance),
        lineage_(provenance->lineage_),
        view_(lineage_->store()->Snapshot()),
        cursor_(lineage_, view_.get()) {}

  const storage::ReadView& view() const { return *view_; }
  storage::LineageIndex::Cursor& cursor() { return cursor_; }

  // The facts of `id` in key order (on the reader's arena).
  absl::StatusOr<const std::vector<const LineageFact*>*> Facts(const std::string& id) {
    auto it = facts_.find(id);
    if (it == facts_.end()) {
      ORIGO_ASSIGN_OR_RETURN(auto facts, cursor_.Facts(id, &arena_));
      it = facts_.emplace(id, std::move(facts)).first;
    }
    return &it->second;
  }
  absl::StatusOr<const rules::NodeState*> State(const std::string& id) {
    auto it = states_.find(id);
    if (it == states_.end()) {
      ORIGO_ASSIGN_OR_RETURN(const std::vector<const LineageFact*>* facts, Facts(id));
      it = states_.emplace(id, rules::FoldFacts(*facts)).first;
    }
    return &it->second;
  }
  // The first `limit` edges upstream of `id` (LineageIndex::Upstream). A read that came back
  // shorter than its limit is complete and answers any limit.
  absl::StatusOr<absl::Span<const rules::Edge>> Upstream(const std::string& id, size_t limit) {
    auto it = upstream_.find(id);
    if (it == upstream_.end() ||
        (it->second.edges.size() >= it->second.limit && it->second.limit < limit)) {
      ORIGO_ASSIGN_OR_RETURN(auto edges, cursor_.Upstream(id, limit));
      it = upstream_.insert_or_assign(id, UpstreamRead{std::move(edges), limit}).first;
    }
    const std::vector<rules::Edge>& edges = it->second.edges;
    return absl::MakeConstSpan(edges.data(), std::min(edges.size(), limit));
  }
  // The identifiers that can be recalled or held at the reader's view
  // (LineageIndex::Cursor::Flagged), read once; nullptr when there are too many to list, and
  // then any identifier may be.
  absl::StatusOr<const absl::flat_hash_set<std::string>*> Flagged() {
    if (!flagged_read_) {
      ORIGO_ASSIGN_OR_RETURN(flagged_, cursor_.Flagged(kFlaggedLimit));
      flagged_read_ = true;
    }
    return flagged_ ? &*flagged_ : nullptr;
  }

  // The creator's public blacklist listing now (CreditArchive::ActiveListing).
  absl::StatusOr<const std::optional<origo::v1::BlacklistEntry>*> Listing(const std::string& usci) {
    auto it = listings_.find(usci);
    if (it == listings_.end()) {
      ORIGO_ASSIGN_OR_RETURN(auto listing,
                             provenance_->archive_->ActiveListing(usci, provenance_->clock_()));
      it = listings_.emplace(usci, std::move(listing)).first;
    }
    return &it->second;
  }

  // The registry's record of `usci` in the parts views show, each read on first use: most
  // enterprises a view names (signers, owners) show only their name, so their keys, bases and
  // certificates are not read. Registry data is read at the latest state. nullptr when `usci` is
  // not registered (or not a USCI).
  struct Registered {
    origo::v1::Enterprise enterprise;
    std::optional<std::vector<origo::v1::Certificate>> certificates;
    std::optional<std::vector<origo::v1::ProductionBase>> bases;
  };
  absl::StatusOr<Registered*> Enterprise(const std::string& usci) {
    auto it = registered_.find(usci);
    if (it == registered_.end()) {
      std::optional<Registered> value;
      if (!usci.empty()) {
        auto enterprise = lineage_->registry()->GetEnterprise(usci);
        if (enterprise.ok()) {
          value.emplace().enterprise = *std::move(enterprise);
        } else if (!Unregistered(enterprise.status())) {
          return enterprise.status();
        }
      }
      it = registered_.emplace(usci, std::move(value)).first;
    }
    return it->second ? &*it->second : nullptr;
  }
  absl::StatusOr<std::string> Name(const std::string& usci) {
    ORIGO_ASSIGN_OR_RETURN(Registered * r, Enterprise(usci));
    return r ? r->enterprise.name() : std::string();
  }
  // Empty for an enterprise that is not registered.
  absl::StatusOr<absl::Span<const origo::v1::Certificate>> Certificates(const std::string& usci) {
    ORIGO_ASSIGN_OR_RETURN(Registered * r, Enterprise(usci));
    if (r == nullptr) return absl::Span<const origo::v1::Certificate>();
    if (!r->certificates.has_value()) {
      auto listed = lineage_->registry()->ListCertificates(usci);
      if (!listed.ok() && !Unregistered(listed.status())) return listed.status();
      r->certificates.emplace(listed.ok() ? *std::move(listed)
                                          : std::vector<origo::v1::Certificate>());
    }
    return absl::MakeConstSpan(*r->certificates);
  }
  absl::StatusOr<absl::Span<const origo::v1::ProductionBase>> Bases(const std::string& usci) {
    ORIGO_ASSIGN_OR_RETURN(Registered * r, Enterprise(usci));
    if (r == nullptr) return absl::Span<const origo::v1::ProductionBase>();
    if (!r->bases.has_value()) {
      auto listed = lineage_->registry()->ListBases(usci);
      if (!listed.ok() && !Unregistered(listed.status())) return listed.status();
      r->bases.emplace(listed.ok() ? *std::move(listed) : std::vector<origo::v1::ProductionBase>());
    }
    return absl::MakeConstSpan(*r->bases);
  }

  // The view of `id`; NOT_FOUND when nothing is known about it.
  absl::StatusOr<origo::v1::LotView> View(const gs1::DigitalLink& link, bool with_events = true) {
    const std::string id = link.CanonicalPath();
    ORIGO_ASSIGN_OR_RETURN(const std::vector<const LineageFact*>* stored, Facts(id));
    if (stored->empty()) return absl::NotFoundError("id: nothing is recorded for " + id);
    // Event order. Sorting pointers makes the same moves (and so the same order of facts with
    // equal times) as sorting the facts themselves would.
    std::vector<const LineageFact*> facts = *stored;
    std::sort(facts.begin(), facts.end(), [](const LineageFact* a, const LineageFact* b) {
      return a->event_time_ms() < b->event_time_ms();
    });
    ORIGO_ASSIGN_OR_RETURN(const rules::NodeState* folded, State(id));
    const rules::NodeState& s = *folded;
    origo::v1::LotView v;
    v.set_id(id);
    v.set_kind(KindOf(link));
    v.set_creator(s.creator);
    ORIGO_ASSIGN_OR_RETURN(*v.mutable_creator_name(), Name(s.creator));
    v.set_owner(s.owner);
    ORIGO_ASSIGN_OR_RETURN(*v.mutable_owner_name(), Name(s.owner));
    v.set_container(s.container);
    std::string holder = s.owner, current = s.container;
    for (int depth = 0; depth < 8 && !current.empty(); ++depth) {
      ORIGO_ASSIGN_OR_RETURN(const rules::NodeState* c, State(current));
      holder = c->owner;
      current = c->container;
    }
    v.set_holder(holder);
    v.set_created_unix_ms(s.created_ms);
    v.set_quantity(s.produced);
    v.set_consumed(s.consumed);
    v.set_uom(s.uom);
    for (const auto& [k, val] : s.attributes) (*v.mutable_ilmd())[k] = val;
    v.set_recalled(s.recalled);
    v.set_held(s.held);
    if (s.recalled) {
      v.set_recall_source(id);
      v.set_recall_event_id(s.recall_event_id);
    }
    if (s.held) {
      v.set_hold_source(id);
      v.set_hold_event_id(s.hold_event_id);
    }
    v.set_halal(s.halal);
    for (const auto& z : s.gi_zones) v.add_gi_zones(z);
    v.set_base(s.base);
    std::set<std::string> certs;
    if (with_events) v.mutable_events()->Reserve(static_cast<int>(facts.size()));
    for (const LineageFact* fact : facts) {
      const LineageFact& f = *fact;
      for (const auto& c : f.certificates()) {
        if (certs.insert(c).second) v.add_certificates(c);
      }
      if (!with_events) continue;
      auto* e = v.add_events();
      e->set_event_id(f.event_id());
      e->set_role(RoleName(f.role()));
      e->set_event_type(f.event_type());
      e->set_event_time_unix_ms(f.event_time_ms());
      e->set_biz_step(f.biz_step());
      e->set_disposition(f.disposition());
      e->set_enterprise(f.signer());
      ORIGO_ASSIGN_OR_RETURN(*e->mutable_enterprise_name(), Name(f.signer()));
      e->set_read_point(f.read_point());
      e->set_biz_location(f.biz_location());
      e->set_quantity(f.quantity());
      e->set_uom(f.uom());
      *e->mutable_certificates() = f.certificates();
      e->set_rules_version(f.rules_version());
    }
    ORIGO_ASSIGN_OR_RETURN(auto certificates, Certificates(s.creator));
    for (const auto& c : certificates) *v.add_enterprise_certificates() = c;
    ORIGO_ASSIGN_OR_RETURN(auto inspections, cursor_.Inspections(id));
    for (const auto& i : inspections) *v.add_inspections() = ToApi(i);
    if (link.IsItem()) {
      if (link.lot.has_value()) {
        auto lot = gs1::LotPath(link.primary_value, *link.lot);
        if (lot.ok()) v.set_lot(*lot);
      } else {
        ORIGO_ASSIGN_OR_RETURN(auto up, Upstream(id, 16));
        for (const rules::Edge& e : up) {
          auto from = gs1::ParseDigitalLink(e.from);
          if (e.edge.kind() == origo::store::v1::EDGE_TRANSFORM && from.ok() && from->IsLot()) {
            v.set_lot(e.from);
            break;
          }
        }
      }
    }
    return v;
  }

  absl::StatusOr<origo::v1::OriginSummary> Origin(const origo::v1::LotView& view) {
    origo::v1::OriginSummary o;
    o.set_id(view.id());
    o.set_enterprise(view.creator());
    o.set_enterprise_name(view.creator_name());
    o.set_event_time_unix_ms(view.created_unix_ms());
    for (const auto& e : view.events()) {
      if (e.role() == "created" || view.events_size() > 0) {
        o.set_read_point(e.read_point());
        o.set_biz_location(e.biz_location());
        break;
      }
    }
    o.set_base(view.base());
    if (auto it = view.ilmd().find("harvestDate"); it != view.ilmd().end()) {
      o.set_harvest_date(it->second);
    }
    if (auto it = view.ilmd().find("originRegion"); it != view.ilmd().end()) {
      o.set_region(it->second);
    }
    if (!view.base().empty()) {
      ORIGO_ASSIGN_OR_RETURN(auto bases, Bases(view.creator()));
      for (const auto& b : bases) {
        if (view.creator() + "/" + b.base_id() == view.base()) {
          o.set_base_name(b.name());
          if (!b.region().empty()) o.set_region(b.region());
        }
      }
    }
    return o;
  }

 private:
  struct UpstreamRead {
    std::vector<rules::Edge> edges;
    size_t limit;  // of the read; edges.size() < limit: every edge
  };
  const Provenance* provenance_;
  storage::LineageIndex* lineage_;
  std::unique_ptr<storage::ReadView> view_;
  storage::LineageIndex::Cursor cursor_;
  // Holds the facts read (a trace forward keeps thousands): freed at once with the reader.
  google::protobuf::Arena arena_{ArenaOptions()};
  absl::node_hash_map<std::string, std::vector<const LineageFact*>> facts_;
  absl::node_hash_map<std::string, rules::NodeState> states_;
  absl::node_hash_map<std::string, UpstreamRead> upstream_;
  absl::node_hash_map<std::string, std::optional<origo::v1::BlacklistEntry>> listings_;
  absl::node_hash_map<std::string, std::optional<Registered>> registered_;
  bool flagged_read_ = false;
  std::optional<absl::flat_hash_set<std::string>> flagged_;

  static google::protobuf::ArenaOptions ArenaOptions() {
    google::protobuf::ArenaOptions options;
    options.start_block_size = 8 << 10;
    options.max_block_size = 64 << 10;
    return options;
  }
  // What the registry answers for an identifier that is not a registered enterprise.
  static bool Unregistered(const absl::Status& status) {
    return status.code() == absl::StatusCode::kNotFound ||
           status.code() == absl::StatusCode::kInvalidArgument;
  }
};

Provenance::Provenance(storage::LineageIndex* lineage, storage::EventLog* log,
                       const rules::Engine* rules, Clock clock)
    : lineage_(lineage),
      log_(log),
      rules_(rules),
      clock_(clock ? std::move(clock) : Clock(SystemNowMs)) {}

// What the status walks read, by identifier: the folded facts and the upstream ends.
absl::Status Provenance::AddStatus(Reader& reader, origo::v1::LotView* view) const {
  // Only a flagged identifier can be recalled or held. With none flagged at this view there is
  // nothing to find; otherwise the walk reads the state of the flagged ones only.
  ORIGO_ASSIGN_OR_RETURN(const absl::flat_hash_set<std::string>* flagged, reader.Flagged());
  const bool walk = flagged == nullptr || !flagged->empty();
  auto may_flag = [flagged](const std::string& id) {
    return flagged == nullptr || flagged->contains(id);
  };
  // Breadth-first upstream: a recall of the lot reaches its bottles, of an ingredient the blend.
  std::set<std::string> seen{view->id()};
  std::deque<std::string> queue;
  auto visit = [&](const std::string& id) {
    if (seen.size() < kStatusNodes && seen.insert(id).second) queue.push_back(id);
  };
  if (walk && !view->lot().empty()) visit(view->lot());
  auto up = [&](const std::string& id) -> absl::Status {
    ORIGO_ASSIGN_OR_RETURN(auto edges, reader.Upstream(id, kStatusNodes));
    for (const rules::Edge& e : edges) visit(e.from);
    return absl::OkStatus();
  };
  if (walk) ORIGO_RETURN_IF_ERROR(up(view->id()));
  // The first recall and the first hold found are the view's, with where they came from.
  auto take = [view](const std::string& source, const rules::NodeState& s) {
    if (s.recalled && !view->recalled()) {
      view->set_recalled(true);
      view->set_recall_source(source);
      view->set_recall_event_id(s.recall_event_id);
    }
    if (s.held && !view->held()) {
      view->set_held(true);
      view->set_hold_source(source);
      view->set_hold_event_id(s.hold_event_id);
    }
  };
  // What holds it counts too: a carton on a held pallet is held.
  std::string container = walk ? view->container() : "";
  for (int depth = 0; depth < 8 && !container.empty(); ++depth) {
    ORIGO_ASSIGN_OR_RETURN(const rules::NodeState* found, reader.State(container));
    take(container, *found);
    container = found->container;
  }
  while (!queue.empty() && !(view->recalled() && view->held())) {
    std::string id = queue.front();
    queue.pop_front();
    if (may_flag(id)) {
      ORIGO_ASSIGN_OR_RETURN(const rules::NodeState* found, reader.State(id));
      take(id, *found);
    }
    ORIGO_RETURN_IF_ERROR(up(id));
  }
  if (archive_ != nullptr && !view->creator().empty()) {
    ORIGO_ASSIGN_OR_RETURN(auto listing, reader.Listing(view->creator()));
    if (listing->has_value()) {
      view->set_blacklisted_producer(true);
      view->set_blacklist_entry_id((*listing)->entry_id());
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<origo::v1::LotView> Provenance::GetLot(std::string_view id) const {
  ORIGO_ASSIGN_OR_RETURN(gs1::DigitalLink link, ParseId(id, "id"));
  Reader reader(this);
  ORIGO_ASSIGN_OR_RETURN(origo::v1::LotView view, reader.View(link));
  ORIGO_RETURN_IF_ERROR(AddStatus(reader, &view));
  return view;
}

absl::StatusOr<origo::v1::GetItemResponse> Provenance::GetItem(std::string_view id) const {
  ORIGO_ASSIGN_OR_RETURN(gs1::DigitalLink link, ParseId(id, "id"));
  if (!link.IsItem()) {
    return absl::InvalidArgumentError("id: " + link.CanonicalPath() +
                                      " is not a serialised item (needs AI 21)");
  }
  Reader reader(this);
  origo::v1::GetItemResponse response;
  ORIGO_ASSIGN_OR_RETURN(*response.mutable_item(), reader.View(link));
  ORIGO_RETURN_IF_ERROR(AddStatus(reader, response.mutable_item()));
  if (!response.item().lot().empty()) {
    auto lot = gs1::ParseDigitalLink(response.item().lot());
    if (lot.ok()) {
      auto view = reader.View(*lot);
      if (view.ok()) {
        ORIGO_RETURN_IF_ERROR(AddStatus(reader, &*view));
        *response.mutable_lot() = *std::move(view);
      }
    }
  }
  return response;
}

absl::StatusOr<origo::v1::TraceResponse> Provenance::TraceBack(
    const origo::v1::TraceRequest& request) const {
  return Trace(request, true);
}

absl::StatusOr<origo::v1::TraceResponse> Provenance::TraceForward(
    const origo::v1::TraceRequest& request) const {
  return Trace(request, false);
}

absl::StatusOr<origo::v1::TraceResponse> Provenance::Trace(const origo::v1::TraceRequest& request,
                                                           bool back) const {
  ORIGO_ASSIGN_OR_RETURN(gs1::DigitalLink root, ParseId(request.id(), "id"));
  const uint32_t max_depth =
      std::min(request.max_depth() == 0 ? kDefaultDepth : request.max_depth(), kMaxDepth);
  const uint32_t max_nodes =
      std::min(request.max_nodes() == 0 ? kDefaultNodes : request.max_nodes(), kMaxNodes);
  Reader reader(this);
  origo::v1::TraceResponse response;
  response.set_root(root.CanonicalPath());
  std::set<std::string> seen{root.CanonicalPath()};
  std::deque<std::pair<std::string, uint32_t>> queue{{root.CanonicalPath(), 0}};
  while (!queue.empty()) {
    auto [id, depth] = queue.front();
    queue.pop_front();
    if (static_cast<uint32_t>(response.nodes_size()) >= max_nodes) {
      response.set_truncated(true);
      break;
    }
    auto link = gs1::ParseDigitalLink(id);
    if (!link.ok()) continue;
    auto view = reader.View(*link);
    if (!view.ok() && view.status().code() != absl::StatusCode::kNotFound) return view.status();
    if (!view.ok() && depth == 0) return view.status();
    origo::v1::TraceNode* node = response.add_nodes();
    node->set_depth(depth);
    const size_t room = max_nodes - static_cast<size_t>(response.nodes_size()) + queue.size() + 1;
    std::vector<rules::Edge> downstream;
    absl::Span<const rules::Edge> edges;
    if (back) {
      // An item's view has read its upstream edges already (for its lot).
      ORIGO_ASSIGN_OR_RETURN(edges, reader.Upstream(id, room + 1));
    } else {
      ORIGO_ASSIGN_OR_RETURN(downstream, reader.cursor().Downstream(id, room + 1));
      edges = downstream;
    }
    if (edges.size() > room) response.set_truncated(true);
    if (back && edges.empty() && view.ok()) {
      ORIGO_ASSIGN_OR_RETURN(*response.add_origins(), reader.Origin(*view));
    }
    if (view.ok()) {
      *node->mutable_view() = *std::move(view);  // moves: a view can hold hundreds of events
    } else {
      node->mutable_view()->set_id(id);
    }
    for (const rules::Edge& e : edges) {
      auto* te = response.add_edges();
      te->set_from(e.from);
      te->set_to(e.to);
      te->set_kind(EdgeKindName(e.edge.kind()));
      te->set_event_id(e.edge.event_id());
      const std::string& next = back ? e.from : e.to;
      if (seen.count(next)) continue;
      if (depth + 1 > max_depth) {
        response.set_truncated(true);
        continue;
      }
      seen.insert(next);
      queue.emplace_back(next, depth + 1);
    }
  }
  if (!queue.empty()) response.set_truncated(true);
  return response;
}

absl::StatusOr<origo::v1::QueryEventsResponse> Provenance::QueryEvents(
    const origo::v1::QueryEventsRequest& request) const {
  uint64_t start = 0;
  if (!request.page_token().empty()) {
    if (request.page_token()[0] != 'e' ||
        !absl::SimpleAtoi(request.page_token().substr(1), &start)) {
      return absl::InvalidArgumentError("page_token: not a token from a previous response");
    }
  }
  auto parse_time = [](const std::string& text, const std::string& field,
                       int64_t fallback) -> absl::StatusOr<int64_t> {
    if (text.empty()) return fallback;
    absl::Time t;
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, text, &t, &err)) {
      return absl::InvalidArgumentError(field + ": not RFC 3339: " + err);
    }
    return absl::ToUnixMillis(t);
  };
  ORIGO_ASSIGN_OR_RETURN(int64_t ge_time,
                         parse_time(request.ge_event_time(), "ge_event_time", INT64_MIN));
  ORIGO_ASSIGN_OR_RETURN(int64_t lt_time,
                         parse_time(request.lt_event_time(), "lt_event_time", INT64_MAX));
  std::set<std::string> match_epc, match_any;
  for (int i = 0; i < request.match_epc_size(); ++i) {
    ORIGO_ASSIGN_OR_RETURN(auto link,
                           ParseId(request.match_epc(i), "match_epc[" + std::to_string(i) + "]"));
    match_epc.insert(link.CanonicalPath());
  }
  for (int i = 0; i < request.match_any_epc_size(); ++i) {
    ORIGO_ASSIGN_OR_RETURN(
        auto link, ParseId(request.match_any_epc(i), "match_any_epc[" + std::to_string(i) + "]"));
    match_any.insert(link.CanonicalPath());
  }
  std::string biz_location, read_point;
  if (!request.biz_location().empty()) {
    auto link = gs1::ParseIdentifier(request.biz_location());
    biz_location = link.ok() ? link->CanonicalPath() : request.biz_location();
  }
  if (!request.read_point().empty()) {
    auto link = gs1::ParseIdentifier(request.read_point());
    read_point = link.ok() ? link->CanonicalPath() : request.read_point();
  }
  const uint32_t page =
      std::min(request.page_size() == 0 ? kDefaultPage : request.page_size(), kMaxPage);

  const uint64_t size = log_->Head().size;
  std::unique_ptr<storage::ReadView> view = lineage_->store()->Snapshot();
  // Candidates in ascending log index from `start`: the identifier index of the named EPCs; else
  // of the most selective indexed filter (a query term written with each event, see
  // LineageIndex::QueryTerms); else the log itself. The other filters are checked on each event.
  std::vector<uint64_t> candidates;
  bool indexed = !match_epc.empty() || !match_any.empty();
  if (indexed) {
    std::set<uint64_t> all;
    for (const auto* set : {&match_epc, &match_any}) {
      for (const std::string& id : *set) {
        ORIGO_ASSIGN_OR_RETURN(auto indexes, lineage_->EventsFor(*log_, id, SIZE_MAX, view.get()));
        for (uint64_t i : indexes) {
          if (i >= start && i < size) all.insert(i);
        }
      }
    }
    candidates.assign(all.begin(), all.end());
  }
  std::string term;
  if (!indexed) {
    if (!read_point.empty() && read_point.rfind("/414/", 0) == 0) {
      term = read_point;
    } else if (!biz_location.empty() && biz_location.rfind("/414/", 0) == 0) {
      term = biz_location;
    } else if (!request.enterprise().empty()) {
      term = storage::LineageIndex::SignerTerm(request.enterprise());
    } else if (!request.disposition().empty()) {
      term = storage::LineageIndex::DispositionTerm(request.disposition());
    } else if (!request.biz_step().empty()) {
      term = storage::LineageIndex::BizStepTerm(request.biz_step());
    } else if (!request.event_type().empty()) {
      term = storage::LineageIndex::TypeTerm(request.event_type());
    }
  }
  std::unique_ptr<rocksdb::Iterator> term_it;
  const std::string term_prefix = storage::IdentifierPrefix(term);
  if (!term.empty()) {
    term_it = view->NewIterator(storage::ColumnFamily::kIdentifierIndex);
    term_it->Seek(storage::IdentifierKey(term, start));
  }
  origo::v1::QueryEventsResponse response;
  epcis::ValidationOptions options;
  options.now_unix_ms = INT64_MAX / 4;
  options.max_event_bytes = SIZE_MAX;
  uint64_t examined = 0;
  uint64_t next = start;
  size_t ci = 0;
  while (true) {
    uint64_t index;
    if (indexed) {
      if (ci >= candidates.size()) {
        next = size;
        break;
      }
      index = candidates[ci++];
    } else if (term_it != nullptr) {
      if (!term_it->Valid() ||
          term_it->key().ToStringView().substr(0, term_prefix.size()) != term_prefix) {
        ORIGO_RETURN_IF_ERROR(
            term_it->status().ok()
                ? absl::OkStatus()
                : absl::UnavailableError("scan query index: " + term_it->status().ToString()));
        next = size;
        break;
      }
      ORIGO_ASSIGN_OR_RETURN(
          index, storage::DecodeU64Key(term_it->key().ToStringView().substr(term_prefix.size())));
      if (index >= size) {
        next = size;
        break;
      }
      term_it->Next();
    } else {
      if (next >= size) break;
      index = next;
    }
    if (static_cast<uint32_t>(response.events_size()) >= page || examined >= kScanBudget) {
      next = index;
      break;
    }
    ++examined;
    next = index + 1;
    ORIGO_ASSIGN_OR_RETURN(std::string bytes, log_->GetLeaf(index, view.get()));
    origo::v1::LogLeaf leaf;
    if (!leaf.ParseFromString(bytes)) return absl::DataLossError("log leaf does not parse");
    if (request.ge_record_unix_ms() != 0 && leaf.record_unix_ms() < request.ge_record_unix_ms()) {
      continue;
    }
    if (request.lt_record_unix_ms() != 0 && leaf.record_unix_ms() >= request.lt_record_unix_ms()) {
      continue;
    }
    auto manifest = batch::ParseManifest(leaf.manifest());
    std::string enterprise = manifest.ok() ? manifest->enterprise() : "";
    if (!request.enterprise().empty() && enterprise != request.enterprise()) continue;
    auto parsed = epcis::ParseEvent(leaf.event(), options);
    if (!parsed.ok()) continue;  // events in the log were valid when stored
    const origo::v1::Event& ev = parsed->event;
    if (!request.event_type().empty() && ev.type() != request.event_type()) continue;
    if (!request.biz_step().empty() && ev.biz_step() != request.biz_step()) continue;
    if (!request.disposition().empty() && ev.disposition() != request.disposition()) continue;
    if (parsed->event_time_unix_ms < ge_time || parsed->event_time_unix_ms >= lt_time) continue;
    if (!match_epc.empty() && !MatchesAny(ev.epc_list(), match_epc) &&
        !MatchesAny(ev.child_epcs(), match_epc)) {
      continue;
    }
    if (!match_any.empty()) {
      bool hit = false;
      for (const std::string& id : parsed->identifiers) hit = hit || match_any.count(id) > 0;
      if (!hit) continue;
    }
    auto canon = [](const std::string& id) {
      auto link = gs1::ParseIdentifier(id);
      return link.ok() ? link->CanonicalPath() : id;
    };
    if (!biz_location.empty() && canon(ev.biz_location().id()) != biz_location) continue;
    if (!read_point.empty() && canon(ev.read_point().id()) != read_point) continue;
    if (!request.sensor_type().empty() || request.has_sensor_value_gt()) {
      bool hit = false;
      for (const auto& element : ev.sensor_element_list()) {
        for (const auto& report : element.sensor_report()) {
          if (!request.sensor_type().empty() && report.type() != request.sensor_type()) continue;
          if (!request.has_sensor_value_gt()) {
            hit = true;
            continue;
          }
          for (auto v : {report.has_value() ? report.value() : -INFINITY,
                         report.has_max_value() ? report.max_value() : -INFINITY}) {
            if (v > request.sensor_value_gt()) hit = true;
          }
        }
      }
      if (!hit) continue;
    }
    auto* out = response.add_events();
    out->set_index(index);
    out->set_event_id(parsed->event_id_hex);
    out->set_enterprise(enterprise);
    out->set_record_unix_ms(leaf.record_unix_ms());
    *out->mutable_event() = ev;
    out->mutable_event()->set_record_time(absl::FormatTime(
        absl::RFC3339_full, absl::FromUnixMillis(leaf.record_unix_ms()), absl::UTCTimeZone()));
  }
  if (next < size) response.set_next_page_token("e" + std::to_string(next));
  return response;
}

absl::StatusOr<origo::v1::ResolveResponse> Provenance::Resolve(
    std::string_view digital_link) const {
  if (digital_link.empty()) return absl::InvalidArgumentError("digital_link: required");
  auto link = gs1::ParseDigitalLink(digital_link);
  if (!link.ok()) {
    return absl::InvalidArgumentError("digital_link: " + std::string(link.status().message()));
  }
  Reader reader(this);
  origo::v1::ResolveResponse response;
  response.set_canonical_path(link->CanonicalPath());
  ORIGO_ASSIGN_OR_RETURN(*response.mutable_view(), reader.View(*link));
  ORIGO_RETURN_IF_ERROR(AddStatus(reader, response.mutable_view()));
  if (!response.view().lot().empty()) {
    auto lot = gs1::ParseDigitalLink(response.view().lot());
    if (lot.ok()) {
      auto view = reader.View(*lot);
      if (view.ok()) {
        ORIGO_RETURN_IF_ERROR(AddStatus(reader, &*view));
        *response.mutable_lot() = *std::move(view);
      }
    }
  }
  return response;
}

absl::StatusOr<origo::v1::InspectionResult> Provenance::RecordInspection(
    const origo::v1::RecordInspectionRequest& request, const std::string& recorded_by) const {
  ORIGO_ASSIGN_OR_RETURN(gs1::DigitalLink link, ParseId(request.lot(), "lot"));
  if (!link.IsLot()) return absl::InvalidArgumentError("lot: must name a lot (GTIN and AI 10)");
  if (request.items().empty()) {
    return absl::InvalidArgumentError("items: an inspection needs at least one test item");
  }
  const int64_t now = clock_();
  std::vector<origo::store::v1::InspectionItemRecord> items;
  for (const auto& i : request.items()) {
    origo::store::v1::InspectionItemRecord r;
    r.set_name(i.name());
    r.set_measured(i.measured());
    r.set_unit(i.unit().empty() ? "mg/kg" : i.unit());
    r.set_limit(i.limit());
    items.push_back(std::move(r));
  }
  ORIGO_ASSIGN_OR_RETURN(items, rules_->JudgeItems(std::move(items), now));
  const std::string kind = request.kind().empty() ? "pesticide_residue" : request.kind();
  const std::string lot = link.CanonicalPath();
  std::string enterprise = request.enterprise();
  if (enterprise.empty()) {
    Reader reader(this);
    ORIGO_ASSIGN_OR_RETURN(const rules::NodeState* state, reader.State(lot));
    if (!state->known) return absl::NotFoundError("lot: nothing is recorded for " + lot);
    enterprise = state->creator;
  }

  if (credit_ != nullptr) {
    origo::v1::CreditRecord record;
    auto* r = record.mutable_inspection();
    r->set_enterprise(enterprise);
    r->set_lot(lot);
    r->set_lab(request.lab().empty() ? "recorded by token " + recorded_by : request.lab());
    r->set_sampling_date(
        request.sampling_date().empty()
            ? absl::FormatTime("%Y-%m-%d", absl::FromUnixMillis(now), absl::UTCTimeZone())
            : request.sampling_date());
    r->set_report_no(request.report_no().empty()
                         ? "token " + recorded_by + " at " + std::to_string(now)
                         : request.report_no());
    bool pass = true;
    for (const auto& item : items) {
      auto* t = r->add_items();
      t->set_name(item.name());
      t->set_measured(item.measured());
      t->set_unit(item.unit());
      t->set_limit(item.limit());
      t->set_verdict(item.pass() ? origo::v1::VERDICT_PASS : origo::v1::VERDICT_FAIL);
      t->set_safety(kind == "pesticide_residue");
      pass = pass && item.pass();
    }
    r->set_verdict(pass ? origo::v1::VERDICT_PASS : origo::v1::VERDICT_FAIL);
    ORIGO_ASSIGN_OR_RETURN(auto recorded, credit_->RecordAsServer({std::move(record)}));
    const std::string& id = recorded.records(0).record_id();
    std::unique_ptr<storage::ReadView> view = lineage_->store()->Snapshot();
    ORIGO_ASSIGN_OR_RETURN(auto stored, lineage_->Inspections(lot, *view));
    for (const auto& s : stored) {
      if (s.id() == id) return ToApi(s);
    }
    return absl::InternalError("inspection " + id + " was logged but is not in the lot's index");
  }

  origo::store::v1::StoredInspection stored;
  stored.set_lot(lot);
  stored.set_enterprise(enterprise);
  stored.set_kind(kind);
  bool conformant = true;
  for (auto& item : items) {
    conformant = conformant && item.pass();
    *stored.add_items() = std::move(item);
  }
  stored.set_conformant(conformant);
  stored.set_report_no(request.report_no());
  stored.set_lab(request.lab());
  stored.set_sampling_date(request.sampling_date());
  stored.set_recorded_unix_ms(now);
  stored.set_recorded_by(recorded_by);
  stored.set_rules_version(rules_->SetAt(now).version());
  stored.set_id(crypto::HexEncode(crypto::Sha256(stored.SerializeAsString())));
  ORIGO_RETURN_IF_ERROR(lineage_->PutInspection(stored));
  return ToApi(stored);
}

absl::StatusOr<origo::v1::ListViolationsResponse> Provenance::ListViolations(uint32_t limit) const {
  limit = std::min(limit == 0 ? kDefaultPage : limit, kMaxPage);
  std::unique_ptr<storage::ReadView> view = lineage_->store()->Snapshot();
  ORIGO_ASSIGN_OR_RETURN(auto records, lineage_->Violations(limit, *view));
  origo::v1::ListViolationsResponse response;
  for (const auto& r : records) {
    auto* v = response.add_violations();
    v->set_id(r.id());
    v->set_rule(r.rule());
    v->set_enterprise(r.enterprise());
    v->set_event_id(r.event_id());
    v->set_field(r.field());
    v->set_reason(r.reason());
    v->set_recorded_unix_ms(r.recorded_unix_ms());
    *v->mutable_identifiers() = r.identifiers();
  }
  return response;
}

}  // namespace origo::provenance
