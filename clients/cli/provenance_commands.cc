// origo trace, origo lot show, origo events, origo inspection record, origo violations and
// origo base add (ProvenanceService, and the registry call the GI rule needs).

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <iostream>
#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "clients/cli/cli.h"
#include "origo/v1/provenance.grpc.pb.h"

namespace origo::cli {
namespace {

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(message, &out, options).ok()) return "null";
  return out;
}

std::string Date(int64_t unix_ms) {
  if (unix_ms == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixMillis(unix_ms),
                          absl::FixedTimeZone(8 * 3600));
}

std::string Short(const std::string& uri) {
  for (const char* prefix : {"urn:origo:bizstep:", "https://ref.gs1.org/cbv/BizStep-"}) {
    std::string p(prefix);
    if (uri.rfind(p, 0) == 0) return uri.substr(p.size());
  }
  return uri;
}

std::string Who(const std::string& name, const std::string& usci) {
  if (usci.empty()) return "-";
  return name.empty() ? usci : name + " (" + usci + ")";
}

// Runs one unary ProvenanceService call with the client's deadline and token.
template <typename Request, typename Response, typename Method>
absl::StatusOr<Response> Call(const Globals& globals, Method method, const Request& request) {
  client::Client client(globals.ClientOptions());
  auto stub = origo::v1::ProvenanceService::NewStub(client.channel());
  grpc::ClientContext context;
  client.Prepare(&context);
  Response response;
  grpc::Status status = ((*stub).*method)(&context, request, &response);
  if (!status.ok()) return client::FromGrpc(status);
  return response;
}

void PrintView(const origo::v1::LotView& v, const std::string& indent, bool forward) {
  std::cout << indent << v.id() << "  [" << v.kind() << "]\n";
  const std::string pad = std::string(indent.size(), ' ') + "    ";
  for (const auto& e : v.events()) {
    std::string what = Short(e.biz_step().empty() ? e.role() : e.biz_step());
    std::cout << pad << Date(e.event_time_unix_ms()) << "  " << what;
    if (e.quantity() > 0) std::cout << "  " << e.quantity() << " " << e.uom();
    std::cout << "  by " << Who(e.enterprise_name(), e.enterprise());
    if (!e.read_point().empty()) std::cout << "  at " << e.read_point();
    if (!e.disposition().empty()) std::cout << "  (" << e.disposition() << ")";
    std::cout << "\n";
  }
  std::vector<std::string> facts;
  for (const char* key : {"harvestDate", "vintage", "variety", "geographicIndication", "grade",
                          "slaughtererId", "dryingMethod"}) {
    auto it = v.ilmd().find(key);
    if (it != v.ilmd().end()) facts.push_back(std::string(key) + "=" + it->second);
  }
  if (v.halal()) facts.push_back("halal");
  if (!facts.empty()) {
    std::cout << pad << "ilmd:";
    for (const auto& f : facts) std::cout << " " << f;
    std::cout << "\n";
  }
  for (const auto& c : v.certificates()) std::cout << pad << "certificate: " << c << "\n";
  for (const auto& i : v.inspections()) {
    std::cout << pad << "inspection: " << i.kind() << " "
              << (i.conformant() ? "conformant" : "NON-CONFORMANT")
              << (i.report_no().empty() ? "" : " report " + i.report_no()) << "\n";
  }
  if (forward || !v.holder().empty()) {
    std::cout << pad << "holder: " << (v.holder().empty() ? "-" : v.holder())
              << (v.container().empty() ? "" : "  in " + v.container()) << "\n";
  }
  if (v.recalled()) std::cout << pad << "RECALLED\n";
}

int Trace(const Globals& globals, const std::string& id, bool forward, uint32_t depth,
          uint32_t nodes) {
  origo::v1::TraceRequest request;
  request.set_id(id);
  request.set_max_depth(depth);
  request.set_max_nodes(nodes);
  auto response = forward ? Call<origo::v1::TraceRequest, origo::v1::TraceResponse>(
                                globals, &origo::v1::ProvenanceService::Stub::TraceForward, request)
                          : Call<origo::v1::TraceRequest, origo::v1::TraceResponse>(
                                globals, &origo::v1::ProvenanceService::Stub::TraceBack, request);
  if (!response.ok()) return ReportError(globals, response.status(), "trace");
  if (globals.json) {
    std::cout << ToJson(*response) << "\n";
    return 0;
  }
  std::map<std::string, const origo::v1::LotView*> views;
  for (const auto& n : response->nodes()) views[n.view().id()] = &n.view();
  std::multimap<std::string, std::string> next;
  for (const auto& e : response->edges()) {
    if (forward) {
      next.emplace(e.from(), e.to());
    } else {
      next.emplace(e.to(), e.from());
    }
  }
  std::cout << (forward ? "trace forward from " : "trace back from ") << response->root() << "  ("
            << response->nodes_size() << " nodes" << (response->truncated() ? ", TRUNCATED" : "")
            << ")\n";
  std::set<std::string> printed;
  std::function<void(const std::string&, int)> walk = [&](const std::string& node, int level) {
    std::string indent(static_cast<size_t>(level) * 2, ' ');
    auto it = views.find(node);
    if (it == views.end()) return;
    if (!printed.insert(node).second) {
      std::cout << indent << node << "  (see above)\n";
      return;
    }
    PrintView(*it->second, indent + (level > 0 ? "<- " : ""), forward);
    auto range = next.equal_range(node);
    for (auto e = range.first; e != range.second; ++e) walk(e->second, level + 1);
  };
  walk(response->root(), 0);
  for (const auto& o : response->origins()) {
    std::cout << "origin: " << o.id() << "  " << Date(o.event_time_unix_ms()) << "  by "
              << Who(o.enterprise_name(), o.enterprise());
    if (!o.base_name().empty()) std::cout << "  base " << o.base_name();
    if (!o.region().empty()) std::cout << "  " << o.region();
    if (!o.harvest_date().empty()) std::cout << "  harvested " << o.harvest_date();
    std::cout << "  at " << o.read_point() << "\n";
  }
  return 0;
}

int LotShow(const Globals& globals, const std::string& id) {
  origo::v1::ResolveRequest request;
  request.set_digital_link(id);
  auto response = Call<origo::v1::ResolveRequest, origo::v1::ResolveResponse>(
      globals, &origo::v1::ProvenanceService::Stub::Resolve, request);
  if (!response.ok()) return ReportError(globals, response.status(), "lot show");
  if (globals.json) {
    std::cout << ToJson(*response) << "\n";
    return 0;
  }
  const origo::v1::LotView& v = response->view();
  std::cout << v.id() << "  [" << v.kind() << "]\n";
  std::cout << "  created   " << Date(v.created_unix_ms()) << " by "
            << Who(v.creator_name(), v.creator()) << "\n";
  std::cout << "  owner     " << Who(v.owner_name(), v.owner()) << "\n";
  std::cout << "  holder    " << (v.holder().empty() ? "-" : v.holder()) << "\n";
  if (!v.lot().empty()) std::cout << "  lot       " << v.lot() << "\n";
  if (!v.container().empty()) std::cout << "  in        " << v.container() << "\n";
  if (v.quantity() > 0) {
    std::cout << "  quantity  " << v.quantity() << " " << v.uom() << " (consumed " << v.consumed()
              << ")\n";
  }
  std::cout << "  status    " << (v.recalled() ? "recalled " : "") << (v.held() ? "held " : "")
            << (v.halal() ? "halal " : "") << (!v.recalled() && !v.held() ? "ok" : "") << "\n";
  if (v.recalled()) std::cout << "  recalled  via " << v.recall_source() << "\n";
  if (v.held()) std::cout << "  held      via " << v.hold_source() << "\n";
  if (v.blacklisted_producer()) {
    std::cout << "  WARNING   the producer is on the quality blacklist (entry "
              << v.blacklist_entry_id() << ")\n";
  }
  for (const auto& [k, val] : v.ilmd()) std::cout << "  ilmd      " << k << " = " << val << "\n";
  for (const auto& c : v.certificates()) std::cout << "  cert      " << c << "\n";
  for (const auto& c : v.enterprise_certificates()) {
    std::cout << "  cert      " << c.type() << " " << c.certificate_id() << " (" << c.issuer()
              << ", " << c.valid_from() << " .. " << c.valid_to() << ")\n";
  }
  for (const auto& i : v.inspections()) {
    std::cout << "  inspected " << i.kind() << " "
              << (i.conformant() ? "conformant" : "NON-CONFORMANT") << " " << i.report_no() << "\n";
  }
  std::cout << "  events    " << v.events_size() << "\n";
  for (const auto& e : v.events()) {
    std::cout << "    " << Date(e.event_time_unix_ms()) << "  " << e.role() << "  "
              << Short(e.biz_step()) << "  " << Who(e.enterprise_name(), e.enterprise()) << "  "
              << e.event_id().substr(0, 16) << "\n";
  }
  return 0;
}

struct EventFlags {
  origo::v1::QueryEventsRequest request;
  std::vector<std::string> epc, any_epc;
  std::string sensor_gt;
  uint32_t limit = 20;
};

int Events(const Globals& globals, EventFlags flags) {
  for (const auto& e : flags.epc) flags.request.add_match_epc(e);
  for (const auto& e : flags.any_epc) flags.request.add_match_any_epc(e);
  if (!flags.sensor_gt.empty()) {
    double v = 0;
    if (!absl::SimpleAtod(flags.sensor_gt, &v)) {
      return ReportError(globals, absl::InvalidArgumentError("--sensor-gt: not a number"),
                         "events");
    }
    flags.request.set_sensor_value_gt(v);
  }
  flags.request.set_page_size(flags.limit);
  auto response = Call<origo::v1::QueryEventsRequest, origo::v1::QueryEventsResponse>(
      globals, &origo::v1::ProvenanceService::Stub::QueryEvents, flags.request);
  if (!response.ok()) return ReportError(globals, response.status(), "events");
  if (globals.json) {
    std::cout << ToJson(*response) << "\n";
    return 0;
  }
  for (const auto& e : response->events()) {
    std::cout << e.index() << "  " << e.event().event_time() << "  " << e.event().type() << "  "
              << Short(e.event().biz_step()) << "  " << e.enterprise() << "  "
              << e.event_id().substr(0, 16) << "\n";
  }
  std::cout << response->events_size() << " events";
  if (!response->next_page_token().empty()) {
    std::cout << "; more with --page-token " << response->next_page_token();
  }
  std::cout << "\n";
  return 0;
}

struct InspectionFlags {
  origo::v1::RecordInspectionRequest request;
  std::vector<std::string> items;  // name=measured[:limit]
};

int RecordInspection(const Globals& globals, InspectionFlags flags) {
  for (const std::string& item : flags.items) {
    size_t eq = item.find('=');
    auto* out = flags.request.add_items();
    double measured = 0, limit = 0;
    std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    std::string limit_text;
    if (size_t colon = value.find(':'); colon != std::string::npos) {
      limit_text = value.substr(colon + 1);
      value = value.substr(0, colon);
    }
    if (eq == std::string::npos || !absl::SimpleAtod(value, &measured) ||
        (!limit_text.empty() && !absl::SimpleAtod(limit_text, &limit))) {
      return ReportError(
          globals,
          absl::InvalidArgumentError("--item " + item + ": expected name=measured[:limit] (mg/kg)"),
          "inspection record");
    }
    out->set_name(item.substr(0, eq));
    out->set_measured(measured);
    out->set_limit(limit);
  }
  auto response = Call<origo::v1::RecordInspectionRequest, origo::v1::RecordInspectionResponse>(
      globals, &origo::v1::ProvenanceService::Stub::RecordInspection, flags.request);
  if (!response.ok()) return ReportError(globals, response.status(), "inspection record");
  if (globals.json) {
    std::cout
        << JsonObject().Bool("ok", true).Raw("inspection", ToJson(response->inspection())).Build()
        << "\n";
    return 0;
  }
  const auto& i = response->inspection();
  std::cout << "recorded " << i.kind() << " inspection " << i.id().substr(0, 16) << " for "
            << i.lot() << ": " << (i.conformant() ? "conformant" : "NON-CONFORMANT") << " (rules "
            << i.rules_version() << ")\n";
  return 0;
}

int Violations(const Globals& globals, uint32_t limit) {
  origo::v1::ListViolationsRequest request;
  request.set_limit(limit);
  auto response = Call<origo::v1::ListViolationsRequest, origo::v1::ListViolationsResponse>(
      globals, &origo::v1::ProvenanceService::Stub::ListViolations, request);
  if (!response.ok()) return ReportError(globals, response.status(), "violations");
  if (globals.json) {
    std::cout << ToJson(*response) << "\n";
    return 0;
  }
  for (const auto& v : response->violations()) {
    std::cout << Date(v.recorded_unix_ms()) << "  " << v.rule() << "  " << v.enterprise() << "  "
              << v.field() << ": " << v.reason() << "\n";
  }
  return 0;
}

struct BaseFlags {
  origo::v1::ProductionBase base;
  std::vector<std::string> zones;
  double harvest = 0;
};

int AddBase(const Globals& globals, BaseFlags flags) {
  for (const auto& z : flags.zones) flags.base.add_gi_zones(z);
  flags.base.set_annual_harvest(flags.harvest);
  client::Client client(globals.ClientOptions());
  origo::v1::AddProductionBaseRequest request;
  *request.mutable_base() = flags.base;
  auto response = client.AddProductionBase(request);
  if (!response.ok()) return ReportError(globals, response.status(), "base add");
  if (globals.json) {
    std::cout << JsonObject().Bool("ok", true).Raw("base", ToJson(response->base())).Build()
              << "\n";
  } else {
    std::cout << "added base " << response->base().base_id() << " to " << response->base().usci()
              << "\n";
  }
  return 0;
}

}  // namespace

void AddProvenanceCommands(CLI::App& app, Globals& globals) {
  // origo trace
  struct TraceFlags {
    std::string id;
    bool forward = false;
    uint32_t depth = 0, nodes = 0;
  };
  auto trace_flags = std::make_shared<TraceFlags>();
  CLI::App* trace = app.add_subcommand(
      "trace", "Trace a lot, item or logistic unit back to its origin (or --forward: recall list)");
  trace->add_option("id", trace_flags->id, "Digital Link URI or path, or EPC URN")->required();
  trace->add_flag("--forward", trace_flags->forward, "downstream with current holders");
  trace->add_option("--depth", trace_flags->depth, "most hops (default 32)");
  trace->add_option("--max-nodes", trace_flags->nodes, "most nodes (default 1000)");
  trace->callback([&globals, trace_flags] {
    globals.exit_code = Trace(globals, trace_flags->id, trace_flags->forward, trace_flags->depth,
                              trace_flags->nodes);
  });

  // origo lot show
  auto lot_id = std::make_shared<std::string>();
  CLI::App* lot = app.add_subcommand("lot", "Lots and items");
  lot->require_subcommand(1);
  CLI::App* show = lot->add_subcommand("show",
                                       "Show a lot or item: ILMD, owner, certificates, "
                                       "inspections, events");
  show->add_option("id", *lot_id, "Digital Link URI or path")->required();
  show->callback([&globals, lot_id] { globals.exit_code = LotShow(globals, *lot_id); });

  // origo events
  auto ef = std::make_shared<EventFlags>();
  CLI::App* events = app.add_subcommand("events", "Query events (EPCIS-style filters)");
  events->add_option("--type", *ef->request.mutable_event_type(), "ObjectEvent, ...");
  events->add_option("--biz-step", *ef->request.mutable_biz_step(), "bizStep");
  events->add_option("--disposition", *ef->request.mutable_disposition(), "disposition");
  events->add_option("--from", *ef->request.mutable_ge_event_time(), "eventTime >= (RFC 3339)");
  events->add_option("--to", *ef->request.mutable_lt_event_time(), "eventTime < (RFC 3339)");
  events->add_option("--epc", ef->epc, "MATCH_epc (repeatable)");
  events->add_option("--any-epc", ef->any_epc, "MATCH_anyEPC (repeatable)");
  events->add_option("--biz-location", *ef->request.mutable_biz_location(), "bizLocation id");
  events->add_option("--read-point", *ef->request.mutable_read_point(), "readPoint id");
  events->add_option("--enterprise", *ef->request.mutable_enterprise(), "signer USCI");
  events->add_option("--sensor-type", *ef->request.mutable_sensor_type(), "e.g. gs1:Temperature");
  events->add_option("--sensor-gt", ef->sensor_gt, "sensor value above");
  events->add_option("--limit", ef->limit, "page size (default 20, at most 1000)");
  events->add_option("--page-token", *ef->request.mutable_page_token(), "next page");
  events->callback([&globals, ef] { globals.exit_code = Events(globals, *ef); });

  // origo inspection record
  auto inf = std::make_shared<InspectionFlags>();
  CLI::App* inspection = app.add_subcommand("inspection", "Inspections (inspector, regulator)");
  inspection->require_subcommand(1);
  CLI::App* record = inspection->add_subcommand(
      "record", "Record a pesticide-residue inspection result for a lot");
  record->add_option("--lot", *inf->request.mutable_lot(), "lot Digital Link")->required();
  record->add_option("--enterprise", *inf->request.mutable_enterprise(), "inspected USCI");
  record->add_option("--kind", *inf->request.mutable_kind(), "default pesticide_residue");
  record->add_option("--item", inf->items, "name=measured[:limit] in mg/kg (repeatable)")
      ->required();
  record->add_option("--report-no", *inf->request.mutable_report_no(), "report number");
  record->add_option("--lab", *inf->request.mutable_lab(), "laboratory");
  record->callback([&globals, inf] { globals.exit_code = RecordInspection(globals, *inf); });

  // origo violations
  auto limit = std::make_shared<uint32_t>(100);
  CLI::App* violations =
      app.add_subcommand("violations", "Suspected mass-balance and GI violations (inspector)");
  violations->add_option("--limit", *limit, "most records (default 100)");
  violations->callback([&globals, limit] { globals.exit_code = Violations(globals, *limit); });

  // origo base add
  auto bf = std::make_shared<BaseFlags>();
  CLI::App* base = app.add_subcommand("base", "Production bases (regulator)");
  base->require_subcommand(1);
  CLI::App* add = base->add_subcommand("add", "Register a production base (plot, vineyard block)");
  add->add_option("--usci", *bf->base.mutable_usci(), "enterprise")->required();
  add->add_option("--id", *bf->base.mutable_base_id(), "base id");
  add->add_option("--name", *bf->base.mutable_name(), "name")->required();
  add->add_option("--gln", *bf->base.mutable_gln(), "GLN (13 digits)")->required();
  add->add_option("--ext", *bf->base.mutable_gln_extension(), "GLN extension (AI 254)");
  add->add_option("--region", *bf->base.mutable_region(), "administrative region");
  add->add_option("--zone", bf->zones, "GI zone (repeatable)");
  add->add_option("--harvest", bf->harvest, "recorded annual harvest (kg or L)");
  add->callback([&globals, bf] { globals.exit_code = AddBase(globals, *bf); });
}

}  // namespace origo::cli
