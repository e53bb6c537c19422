#include "services/resolver/page.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <set>

#include "absl/time/time.h"
#include "core/base/json_quote.h"
#include "core/base/status_macros.h"
#include "core/batch/batch.h"
#include "core/crypto/hash.h"
#include "core/epcis/event.h"
#include "core/gs1/gs1.h"

namespace origo::resolver {
namespace {

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Trace bounds for a page: a consumer product's chain is a few dozen nodes; these caps keep a
// pathological chain from costing more than the page budget allows.
constexpr uint32_t kTraceDepth = 32;
constexpr uint32_t kTraceNodes = 200;
// Most timeline entries shown (and proved).
constexpr size_t kMaxTimeline = 200;
// Most archive entries of one enterprise read for lot inspections and recalls.
constexpr size_t kMaxArchiveEntries = 2000;
// Logistics steps where a cold-chain product must stay chilled.
const std::set<std::string>& ColdChainSteps() {
  static const auto* const steps =
      new std::set<std::string>{"storing",   "shipping", "receiving", "transporting", "loading",
                                "unloading", "holding",  "departing", "arriving"};
  return *steps;
}

std::string StepName(std::string_view step) {
  for (std::string_view prefix :
       {"urn:origo:bizstep:", "https://ref.gs1.org/cbv/BizStep-", "urn:epcglobal:cbv:bizstep:"}) {
    if (step.substr(0, prefix.size()) == prefix) return std::string(step.substr(prefix.size()));
  }
  return std::string(step);
}

std::string SectorName(origo::v1::Sector sector) {
  switch (sector) {
    case origo::v1::SECTOR_WINE:
      return "wine";
    case origo::v1::SECTOR_GOJI:
      return "goji";
    case origo::v1::SECTOR_HALAL:
      return "halal";
    default:
      return "";
  }
}

std::string EnumSuffix(const std::string& name, std::string_view prefix) {
  return name.substr(0, prefix.size()) == prefix ? name.substr(prefix.size()) : name;
}

std::string Today(int64_t now_ms) { return FormatDate(now_ms); }

std::string Validity(const std::string& from, const std::string& to, const std::string& today) {
  if (!from.empty() && today < from) return "not_yet_valid";
  if (!to.empty() && today > to) return "expired";
  return "valid";
}

// "urn:origo:cert:halal:HALAL-NX-2026-017" -> {"halal", "HALAL-NX-2026-017"}.
std::pair<std::string, std::string> SplitCertificateUri(const std::string& uri) {
  constexpr std::string_view kPrefix = "urn:origo:cert:";
  if (uri.compare(0, kPrefix.size(), kPrefix) == 0) {
    std::string rest = uri.substr(kPrefix.size());
    size_t colon = rest.find(':');
    if (colon != std::string::npos) return {rest.substr(0, colon), rest.substr(colon + 1)};
  }
  return {"", uri};
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

// One request's reads with caches of registry lookups.
class Gather {
 public:
  explicit Gather(const PageBuilder& builder) : b_(builder), src_(builder.sources()) {}

  absl::StatusOr<const storage::EnterpriseProfile*> Profile(const std::string& usci) {
    auto it = profiles_.find(usci);
    if (it == profiles_.end()) {
      std::optional<storage::EnterpriseProfile> value;
      if (!usci.empty()) {
        auto profile = src_.registry->GetProfile(usci);
        if (profile.ok()) {
          value = *std::move(profile);
        } else if (profile.status().code() != absl::StatusCode::kNotFound &&
                   profile.status().code() != absl::StatusCode::kInvalidArgument) {
          return profile.status();
        }
      }
      it = profiles_.emplace(usci, std::move(value)).first;
    }
    return it->second ? &*it->second : nullptr;
  }

  // Production base name for a read point or business location (GLN [+ extension] path).
  absl::StatusOr<std::string> Place(const std::string& usci, const std::string& location) {
    if (location.empty()) return std::string();
    ORIGO_ASSIGN_OR_RETURN(auto profile, Profile(usci));
    if (profile != nullptr) {
      for (const auto& base : profile->bases) {
        auto path = gs1::GlnPath(base.gln(), base.gln_extension());
        if (path.ok() && *path == location) return base.name();
      }
    }
    // Not a registered base: the GLN extension names the place well enough ("cold-store").
    size_t ext = location.find("/254/");
    if (ext != std::string::npos) {
      auto link = gs1::ParseDigitalLink(location);
      if (link.ok() && link->gln_extension.has_value()) return *link->gln_extension;
    }
    return std::string();
  }

  absl::StatusOr<ProductPage> Run(const gs1::DigitalLink& link, bool count_scan) {
    ProductPage page;
    page.id = link.CanonicalPath();
    page.kind = link.IsItem() ? "item" : "lot";
    page.gtin = link.primary_value;
    page.lot = link.lot.value_or("");
    page.serial = link.serial.value_or("");
    const int64_t now = b_.Now();

    if (link.IsItem()) {
      // Count first so that the page shows this scan; a failed count never hides the page.
      if (count_scan) {
        absl::Status counted = src_.scans->Record(page.id, now);
        (void)counted;  // an unsynced counter write failing is not worth a consumer error
      }
      auto scans = src_.scans->Get(page.id);
      if (scans.ok()) page.scans = *scans;
    }

    ORIGO_ASSIGN_OR_RETURN(origo::v1::LotView root, src_.provenance->GetLot(page.id));
    page.lot_id = root.lot();
    origo::v1::TraceRequest trace_request;
    trace_request.set_id(page.id);
    trace_request.set_max_depth(kTraceDepth);
    trace_request.set_max_nodes(kTraceNodes);
    ORIGO_ASSIGN_OR_RETURN(origo::v1::TraceResponse trace,
                           src_.provenance->TraceBack(trace_request));
    page.truncated = trace.truncated();

    // Every view the page draws on: the identifier, its upstream chain, and its containers
    // (a bottle travels in a case: the case's shipping is the bottle's too).
    std::vector<origo::v1::LotView> views;
    views.push_back(root);
    std::set<std::string> node_ids = {root.id()};
    for (const auto& node : trace.nodes()) {
      if (node_ids.insert(node.view().id()).second) views.push_back(node.view());
    }
    std::string container = root.container();
    for (int depth = 0; depth < 8 && !container.empty(); ++depth) {
      if (!node_ids.insert(container).second) break;
      auto view = src_.provenance->GetLot(container);
      if (!view.ok()) break;
      container = view->container();
      views.push_back(*std::move(view));
    }

    // Attributes: ancestors first, so the item's and its lot's own values win.
    for (auto it = views.rbegin(); it != views.rend(); ++it) {
      for (const auto& [k, v] : it->ilmd()) page.attributes[k] = v;
    }
    for (const auto& [k, v] : root.ilmd()) page.attributes[k] = v;

    // Producer: the creator of the scanned identifier.
    Producer& p = page.producer;
    p.usci = root.creator();
    p.name = root.creator_name();
    ORIGO_ASSIGN_OR_RETURN(auto profile, Profile(p.usci));
    if (profile != nullptr) p.sector = SectorName(profile->enterprise.sector());
    if (!p.usci.empty()) {
      origo::v1::GetRatingRequest rating_request;
      rating_request.set_usci(p.usci);
      auto rating = src_.credit->GetRating(server::Principal{}, rating_request);
      if (rating.ok()) {
        p.grade = EnumSuffix(origo::v1::Grade_Name(rating->grade()), "GRADE_");
        p.supervision_class = EnumSuffix(
            origo::v1::SupervisionClass_Name(rating->supervision_class()), "SUPERVISION_CLASS_");
        p.rating_as_of = rating->as_of();
        if (p.grade == "UNSPECIFIED") p.grade.clear();
        if (p.supervision_class == "UNSPECIFIED") p.supervision_class.clear();
      }
    }

    // Origin: the first origin of the trace (the harvest, the farm).
    if (trace.origins_size() > 0) {
      const auto& o = trace.origins(0);
      page.origin.region = o.region();
      page.origin.base_name = o.base_name();
      page.origin.harvest_date = o.harvest_date();
      page.origin.enterprise_name = o.enterprise_name();
      ORIGO_ASSIGN_OR_RETURN(
          page.origin.place,
          Place(o.enterprise(), o.read_point().empty() ? o.biz_location() : o.read_point()));
    }
    if (auto it = page.attributes.find("vintage"); it != page.attributes.end()) {
      page.origin.vintage = it->second;
    }
    if (auto it = page.attributes.find("variety"); it != page.attributes.end()) {
      page.origin.variety = it->second;
    }
    if (page.origin.region.empty()) {
      if (auto it = page.attributes.find("originRegion"); it != page.attributes.end()) {
        page.origin.region = it->second;
      }
    }
    std::set<std::string> zones;
    for (const auto& v : views) {
      for (const auto& z : v.gi_zones()) {
        if (zones.insert(z).second) page.origin.gi_zones.push_back(z);
      }
    }

    ORIGO_RETURN_IF_ERROR(Timeline(views, &page));
    ORIGO_RETURN_IF_ERROR(Certificates(views, now, &page));
    ORIGO_RETURN_IF_ERROR(Credit(views, node_ids, now, &page));
    ORIGO_RETURN_IF_ERROR(ColdChain(root, &page));

    if (page.scans.has_value() && page.scans->count > b_.options().scan_warning_threshold) {
      page.warnings.push_back(
          {"scans",
           {{"count", std::to_string(page.scans->count)},
            {"threshold", std::to_string(b_.options().scan_warning_threshold)}}});
    }
    // Warnings in order of gravity.
    static const std::vector<std::string> kOrder = {"blacklist",  "recall", "failed_inspection",
                                                    "cold_chain", "hold",   "scans"};
    std::stable_sort(page.warnings.begin(), page.warnings.end(),
                     [](const Warning& a, const Warning& b) {
                       auto rank = [](const std::string& k) {
                         return std::find(kOrder.begin(), kOrder.end(), k) - kOrder.begin();
                       };
                       return rank(a.kind) < rank(b.kind);
                     });
    return page;
  }

 private:
  absl::Status Timeline(const std::vector<origo::v1::LotView>& views, ProductPage* page) {
    std::map<std::string, TimelineEntry> by_id;
    for (const auto& v : views) {
      for (const auto& e : v.events()) {
        auto [it, inserted] = by_id.try_emplace(e.event_id());
        TimelineEntry& t = it->second;
        // One event touches several identifiers (inputs and outputs): show it once, with the
        // quantity it created when it created something.
        if (!inserted && !(e.role() == "created" && t.quantity == 0)) continue;
        t.event_id = e.event_id();
        t.time_unix_ms = e.event_time_unix_ms();
        t.event_type = e.event_type();
        t.biz_step = StepName(e.biz_step());
        t.disposition = StepName(e.disposition());
        t.enterprise = e.enterprise();
        t.enterprise_name = e.enterprise_name();
        t.subject = v.id();
        t.quantity = e.quantity();
        t.uom = e.uom();
        ORIGO_ASSIGN_OR_RETURN(
            t.place,
            Place(e.enterprise(), e.read_point().empty() ? e.biz_location() : e.read_point()));
      }
    }
    for (auto& [id, t] : by_id) page->timeline.push_back(std::move(t));
    std::sort(page->timeline.begin(), page->timeline.end(),
              [](const TimelineEntry& a, const TimelineEntry& b) {
                return a.time_unix_ms != b.time_unix_ms ? a.time_unix_ms < b.time_unix_ms
                                                        : a.event_id < b.event_id;
              });
    if (page->timeline.size() > kMaxTimeline) {
      page->timeline.resize(kMaxTimeline);
      page->truncated = true;
    }
    for (const auto& v : views) {
      if (v.recalled()) page->warnings.push_back({"recall", {{"lot", v.id()}}});
      if (v.held()) page->warnings.push_back({"hold", {{"lot", v.id()}}});
    }
    return absl::OkStatus();
  }

  absl::Status Certificates(const std::vector<origo::v1::LotView>& views, int64_t now,
                            ProductPage* page) {
    const std::string today = Today(now);
    // Registered certificates of every enterprise in the chain, by id.
    std::map<std::string, std::pair<origo::v1::Certificate, std::string>> registered;
    std::set<std::string> enterprises;
    for (const auto& t : page->timeline) enterprises.insert(t.enterprise);
    for (const auto& v : views) enterprises.insert(v.creator());
    for (const std::string& usci : enterprises) {
      ORIGO_ASSIGN_OR_RETURN(auto profile, Profile(usci));
      if (profile == nullptr) continue;
      for (const auto& c : profile->certificates) {
        registered.emplace(c.certificate_id(), std::make_pair(c, profile->enterprise.name()));
      }
    }
    std::set<std::string> seen;
    for (const auto& v : views) {
      for (const auto& uri : v.certificates()) {
        auto [type, id] = SplitCertificateUri(uri);
        if (!seen.insert(id).second) continue;
        CertificateView c;
        c.type = type;
        c.id = id;
        if (auto it = registered.find(id); it != registered.end()) {
          const origo::v1::Certificate& r = it->second.first;
          if (c.type.empty()) c.type = r.type();
          c.issuer = r.issuer();
          c.holder_name = it->second.second;
          c.valid_from = r.valid_from();
          c.valid_to = r.valid_to();
          c.validity = Validity(c.valid_from, c.valid_to, today);
        } else {
          c.validity = "unregistered";
        }
        page->certificates.push_back(std::move(c));
      }
    }
    // Certificates the producer holds that bear on the product (halal, organic, GI) even when
    // no event names them.
    ORIGO_ASSIGN_OR_RETURN(auto producer, Profile(page->producer.usci));
    if (producer != nullptr) {
      for (const auto& r : producer->certificates) {
        if (r.type() != "halal" && r.type() != "organic" && r.type() != "gi") continue;
        if (!seen.insert(r.certificate_id()).second) continue;
        page->certificates.push_back({r.type(), r.certificate_id(), r.issuer(),
                                      producer->enterprise.name(), r.valid_from(), r.valid_to(),
                                      Validity(r.valid_from(), r.valid_to(), today)});
      }
    }
    for (const std::string& zone : page->origin.gi_zones) {
      page->certificates.push_back({"gi", zone, "", page->origin.enterprise_name, "", "", "claim"});
    }
    return absl::OkStatus();
  }

  // Inspections (provenance's and the credit archive's, for the chain's lots), recalls in the
  // archive, and the public blacklist status of every enterprise in the chain.
  absl::Status Credit(const std::vector<origo::v1::LotView>& views,
                      const std::set<std::string>& node_ids, int64_t now, ProductPage* page) {
    for (const auto& v : views) {
      for (const auto& i : v.inspections()) {
        InspectionView iv{i.lot(),       i.kind(),       i.lab(), i.sampling_date(),
                          i.report_no(), i.conformant(), {}};
        for (const auto& item : i.items()) {
          iv.items.push_back(
              {item.name(), item.measured(), item.unit(), item.limit(), item.pass()});
        }
        page->inspections.push_back(std::move(iv));
      }
    }
    std::set<std::string> enterprises;
    for (const auto& v : views) enterprises.insert(v.creator());
    for (const auto& t : page->timeline) enterprises.insert(t.enterprise);
    enterprises.erase("");
    auto view = src_.archive->store()->Snapshot();
    for (const std::string& usci : enterprises) {
      ORIGO_ASSIGN_OR_RETURN(auto entries,
                             src_.archive->ListEntries(usci, 0, kMaxArchiveEntries, view.get()));
      for (const auto& entry : entries.entries) {
        const auto& record = entry.record();
        if (record.has_inspection() && node_ids.count(record.inspection().lot())) {
          const auto& r = record.inspection();
          InspectionView iv{
              r.lot(),       r.export_() ? "export" : "sampling",    r.lab(), r.sampling_date(),
              r.report_no(), r.verdict() != origo::v1::VERDICT_FAIL, {}};
          for (const auto& item : r.items()) {
            iv.items.push_back({item.name(), item.measured(), item.unit(), item.limit(),
                                item.verdict() != origo::v1::VERDICT_FAIL});
          }
          page->inspections.push_back(std::move(iv));
        } else if (record.has_quality_loss() &&
                   record.quality_loss().kind() == origo::v1::LOSS_KIND_RECALL &&
                   node_ids.count(record.quality_loss().lot())) {
          page->warnings.push_back({"recall",
                                    {{"lot", record.quality_loss().lot()},
                                     {"date", record.quality_loss().date()},
                                     {"reason", record.quality_loss().description()}}});
        }
      }
      origo::v1::ListBlacklistRequest request;
      request.set_view(origo::v1::BLACKLIST_VIEW_PUBLIC);
      request.set_usci(usci);
      ORIGO_ASSIGN_OR_RETURN(auto listed, src_.credit->ListBlacklist(server::Principal{}, request));
      for (const auto& entry : listed) {
        if (entry.status() != origo::v1::BLACKLIST_STATUS_LISTED) continue;
        std::string name;
        ORIGO_ASSIGN_OR_RETURN(auto profile, Profile(usci));
        if (profile != nullptr) name = profile->enterprise.name();
        if (usci == page->producer.usci) page->producer.blacklisted = true;
        page->warnings.push_back(
            {"blacklist",
             {{"usci", usci},
              {"enterprise", name},
              {"reason", entry.reason()},
              {"tier", EnumSuffix(origo::v1::Tier_Name(entry.tier()), "TIER_")},
              {"until", entry.max_until()}}});
        break;
      }
    }
    for (const auto& v : views) {
      if (v.blacklisted_producer() && v.creator() == page->producer.usci &&
          !page->producer.blacklisted) {
        page->producer.blacklisted = true;
        page->warnings.push_back(
            {"blacklist", {{"usci", v.creator()}, {"enterprise", v.creator_name()}}});
      }
    }
    for (const auto& i : page->inspections) {
      if (i.pass) continue;
      std::string failed;
      for (const auto& item : i.items) {
        if (!item.pass) failed += (failed.empty() ? "" : ", ") + item.name;
      }
      page->warnings.push_back(
          {"failed_inspection",
           {{"lab", i.lab}, {"date", i.date}, {"items", failed}, {"lot", i.lot}}});
    }
    (void)now;
    return absl::OkStatus();
  }

  // Temperature readings above the limit on logistics steps of a halal-sector (meat) chain.
  absl::Status ColdChain(const origo::v1::LotView& root, ProductPage* page) {
    if (!root.halal() && page->producer.sector != "halal") return absl::OkStatus();
    epcis::ValidationOptions parse;
    parse.now_unix_ms = std::numeric_limits<int64_t>::max() / 4;  // times were checked at capture
    parse.max_future_skew_ms = 0;
    for (const TimelineEntry& t : page->timeline) {
      if (!ColdChainSteps().count(t.biz_step)) continue;
      auto raw = crypto::HexDecode(t.event_id);
      if (!raw.ok()) continue;
      ORIGO_ASSIGN_OR_RETURN(auto index, src_.log->FindEvent(*raw, nullptr));
      if (!index.has_value()) continue;
      ORIGO_ASSIGN_OR_RETURN(std::string leaf_bytes, src_.log->GetLeaf(*index, nullptr));
      origo::v1::LogLeaf leaf;
      if (!leaf.ParseFromString(leaf_bytes)) continue;
      auto event = epcis::ParseEvent(leaf.event(), parse);
      if (!event.ok()) continue;
      for (const auto& element : event->event.sensor_element_list()) {
        for (const auto& report : element.sensor_report()) {
          if (report.type().find("Temperature") == std::string::npos) continue;
          std::optional<double> value;
          if (report.has_value()) value = report.value();
          if (report.has_max_value())
            value = std::max(value.value_or(report.max_value()), report.max_value());
          if (!value.has_value() || *value <= b_.options().cold_chain_max_celsius) continue;
          page->warnings.push_back({"cold_chain",
                                    {{"value", Num(*value)},
                                     {"limit", Num(b_.options().cold_chain_max_celsius)},
                                     {"time", report.time()},
                                     {"step", t.biz_step},
                                     {"place", t.place},
                                     {"enterprise", t.enterprise_name}}});
        }
      }
    }
    return absl::OkStatus();
  }

  const PageBuilder& b_;
  const PageBuilder::Sources& src_;
  std::map<std::string, std::optional<storage::EnterpriseProfile>> profiles_;
};

// --- JSON ---

class Json {
 public:
  Json& Key(std::string_view k) {
    Comma();
    out_ += JsonString(k);
    out_ += ':';
    fresh_ = true;
    return *this;
  }
  Json& Str(std::string_view v) {
    Comma();
    out_ += JsonString(v);
    return *this;
  }
  Json& Raw(std::string_view v) {
    Comma();
    out_ += v;
    return *this;
  }
  Json& Int(int64_t v) { return Raw(std::to_string(v)); }
  Json& Double(double v) { return Raw(Num(v)); }
  Json& Bool(bool v) { return Raw(v ? "true" : "false"); }
  Json& Open(char c) {
    Comma();
    out_ += c;
    fresh_ = true;
    return *this;
  }
  Json& Close(char c) {
    out_ += c;
    fresh_ = false;
    return *this;
  }
  std::string Take() { return std::move(out_); }

 private:
  void Comma() {
    if (!fresh_) out_ += ',';
    fresh_ = false;
  }
  std::string out_;
  bool fresh_ = true;
};

}  // namespace

PageOptions PageOptions::FromConfig(const origo::v1::ResolverConfig& config) {
  PageOptions o;
  if (config.scan_warning_threshold() > 0)
    o.scan_warning_threshold = config.scan_warning_threshold();
  if (config.has_cold_chain_max_celsius())
    o.cold_chain_max_celsius = config.cold_chain_max_celsius();
  if (config.proof_wait_ms() > 0) o.proof_wait = std::chrono::milliseconds(config.proof_wait_ms());
  return o;
}

PageBuilder::PageBuilder(Sources sources, PageOptions options, Clock clock)
    : sources_(sources), options_(options), clock_(clock ? std::move(clock) : SystemNowMs) {}

absl::StatusOr<ProductPage> PageBuilder::Build(const gs1::DigitalLink& link,
                                               bool count_scan) const {
  if (!link.IsItem() && !link.IsLot()) {
    return absl::InvalidArgumentError(
        "path: a lot (AI 10) or a serial number (AI 21) must follow "
        "the GTIN");
  }
  Gather gather(*this);
  return gather.Run(link, count_scan);
}

std::string PageBuilder::LogKeyJson() const {
  Json j;
  j.Open('{').Key("origin").Str(sources_.checkpointer->origin());
  j.Key("vkey").Str(sources_.checkpointer->Vkey()).Close('}');
  return j.Take();
}

absl::StatusOr<std::string> PageBuilder::ProofsJson(const gs1::DigitalLink& link) const {
  ORIGO_ASSIGN_OR_RETURN(ProductPage page, Build(link, /*count_scan=*/false));
  storage::EventLog* log = sources_.log;
  struct Entry {
    std::string id;
    uint64_t index;
  };
  std::vector<Entry> entries;
  uint64_t max_index = 0;
  for (const TimelineEntry& t : page.timeline) {
    auto raw = crypto::HexDecode(t.event_id);
    if (!raw.ok()) return absl::InternalError("timeline: bad event id " + t.event_id);
    ORIGO_ASSIGN_OR_RETURN(auto index, log->FindEvent(*raw, nullptr));
    if (!index.has_value()) return absl::InternalError("timeline: event not in log " + t.event_id);
    entries.push_back({t.event_id, *index});
    max_index = std::max(max_index, *index);
  }
  auto checkpoint = sources_.checkpointer->Latest();
  if (!entries.empty() && (!checkpoint.has_value() || checkpoint->size <= max_index)) {
    // A new event: wait (bounded) for the checkpoint that covers it, as GetInclusionProof does.
    auto covering = sources_.checkpointer->WaitCovering(max_index, options_.proof_wait);
    if (covering.ok()) {
      checkpoint = *std::move(covering);
    } else if (covering.status().code() != absl::StatusCode::kDeadlineExceeded) {
      return covering.status();
    } else {
      checkpoint = sources_.checkpointer->Latest();
    }
  }
  if (!checkpoint.has_value()) {
    return absl::UnavailableError("no checkpoint has been signed yet; try again shortly");
  }
  auto view = log->store()->Snapshot();
  Json j;
  j.Open('{').Key("checkpoint").Str(checkpoint->note);
  j.Key("tree_size").Int(static_cast<int64_t>(checkpoint->size));
  j.Key("events").Open('[');
  std::vector<std::string> pending;
  for (const Entry& e : entries) {
    if (e.index >= checkpoint->size) {
      pending.push_back(e.id);
      continue;
    }
    ORIGO_ASSIGN_OR_RETURN(std::string leaf_bytes, log->GetLeaf(e.index, view.get()));
    ORIGO_ASSIGN_OR_RETURN(auto proof, log->InclusionProof(e.index, checkpoint->size, view.get()));
    origo::v1::LogLeaf leaf;
    if (!leaf.ParseFromString(leaf_bytes)) {
      return absl::DataLossError("log leaf " + std::to_string(e.index) + " does not parse");
    }
    ORIGO_ASSIGN_OR_RETURN(origo::v1::BatchManifest manifest,
                           batch::ParseManifest(leaf.manifest()));
    ORIGO_ASSIGN_OR_RETURN(storage::KeyInfo key, sources_.registry->LookupKey(manifest.key_id()));
    j.Open('{').Key("event_id").Str(e.id);
    j.Key("leaf_index").Int(static_cast<int64_t>(e.index));
    j.Key("leaf").Str(crypto::Base64Encode(leaf_bytes));
    j.Key("inclusion").Open('[');
    for (const merkle::Hash& h : proof) {
      j.Str(crypto::Base64Encode(
          std::string_view(reinterpret_cast<const char*>(h.data()), h.size())));
    }
    j.Close(']');
    j.Key("producer_key").Open('{');
    j.Key("alg").Str(key.key.algorithm() == crypto::Algorithm::kEd25519 ? "ed25519" : "p256");
    j.Key("spki").Str(crypto::Base64Encode(key.key.ToDer()));
    j.Close('}').Close('}');
  }
  j.Close(']');
  if (!pending.empty()) {
    j.Key("pending").Open('[');
    for (const std::string& id : pending) j.Str(id);
    j.Close(']');
  }
  j.Close('}');
  return j.Take();
}

std::string JsonString(std::string_view s) { return JsonQuote(s, /*script_safe=*/true); }

std::string FormatDate(int64_t unix_ms) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixMillis(unix_ms), absl::FixedTimeZone(8 * 3600));
}

std::string FormatDateTime(int64_t unix_ms) {
  return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixMillis(unix_ms),
                          absl::FixedTimeZone(8 * 3600));
}

std::string ToJson(const ProductPage& page) {
  Json j;
  j.Open('{').Key("id").Str(page.id).Key("kind").Str(page.kind).Key("gtin").Str(page.gtin);
  if (!page.lot.empty()) j.Key("lot").Str(page.lot);
  if (!page.serial.empty()) j.Key("serial").Str(page.serial);
  if (!page.lot_id.empty()) j.Key("lot_id").Str(page.lot_id);
  const Producer& p = page.producer;
  j.Key("producer").Open('{').Key("usci").Str(p.usci).Key("name").Str(p.name);
  j.Key("sector").Str(p.sector).Key("grade").Str(p.grade);
  j.Key("supervision_class").Str(p.supervision_class).Key("rating_as_of").Str(p.rating_as_of);
  j.Key("blacklisted").Bool(p.blacklisted).Close('}');
  const Origin& o = page.origin;
  j.Key("origin").Open('{').Key("region").Str(o.region).Key("base").Str(o.base_name);
  j.Key("place").Str(o.place).Key("harvest_date").Str(o.harvest_date);
  j.Key("vintage").Str(o.vintage).Key("variety").Str(o.variety);
  j.Key("enterprise").Str(o.enterprise_name).Key("gi_zones").Open('[');
  for (const auto& z : o.gi_zones) j.Str(z);
  j.Close(']').Close('}');
  j.Key("attributes").Open('{');
  for (const auto& [k, v] : page.attributes) j.Key(k).Str(v);
  j.Close('}');
  j.Key("timeline").Open('[');
  for (const auto& t : page.timeline) {
    j.Open('{').Key("event_id").Str(t.event_id).Key("time").Str(FormatDateTime(t.time_unix_ms));
    j.Key("time_unix_ms").Int(t.time_unix_ms).Key("event_type").Str(t.event_type);
    j.Key("biz_step").Str(t.biz_step).Key("disposition").Str(t.disposition);
    j.Key("enterprise").Str(t.enterprise).Key("enterprise_name").Str(t.enterprise_name);
    j.Key("place").Str(t.place).Key("subject").Str(t.subject);
    if (t.quantity != 0) j.Key("quantity").Double(t.quantity).Key("uom").Str(t.uom);
    j.Close('}');
  }
  j.Close(']');
  j.Key("certificates").Open('[');
  for (const auto& c : page.certificates) {
    j.Open('{').Key("type").Str(c.type).Key("id").Str(c.id).Key("issuer").Str(c.issuer);
    j.Key("holder").Str(c.holder_name).Key("valid_from").Str(c.valid_from);
    j.Key("valid_to").Str(c.valid_to).Key("validity").Str(c.validity).Close('}');
  }
  j.Close(']');
  j.Key("inspections").Open('[');
  for (const auto& i : page.inspections) {
    j.Open('{').Key("lot").Str(i.lot).Key("kind").Str(i.kind).Key("lab").Str(i.lab);
    j.Key("date").Str(i.date).Key("report_no").Str(i.report_no).Key("pass").Bool(i.pass);
    j.Key("items").Open('[');
    for (const auto& item : i.items) {
      j.Open('{').Key("name").Str(item.name).Key("measured").Double(item.measured);
      j.Key("unit").Str(item.unit).Key("limit").Double(item.limit).Key("pass").Bool(item.pass);
      j.Close('}');
    }
    j.Close(']').Close('}');
  }
  j.Close(']');
  j.Key("warnings").Open('[');
  for (const auto& w : page.warnings) {
    j.Open('{').Key("kind").Str(w.kind);
    for (const auto& [k, v] : w.params) j.Key(k).Str(v);
    j.Close('}');
  }
  j.Close(']');
  if (page.scans.has_value()) {
    j.Key("scans").Open('{').Key("count").Int(static_cast<int64_t>(page.scans->count));
    j.Key("first").Str(page.scans->count ? FormatDateTime(page.scans->first_unix_ms) : "");
    j.Key("first_unix_ms").Int(page.scans->first_unix_ms).Close('}');
  }
  j.Key("truncated").Bool(page.truncated).Close('}');
  return j.Take();
}

}  // namespace origo::resolver
