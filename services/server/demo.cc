#include "services/server/demo.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "core/base/status_macros.h"
#include "core/batch/batch.h"
#include "core/crypto/keys.h"
#include "origo/v1/capture.grpc.pb.h"
#include "origo/v1/provenance.grpc.pb.h"
#include "origo/v1/registry.grpc.pb.h"

namespace origo::server {
namespace {

#include "services/server/demo_goji.inc"

constexpr char kGrower[] = "91640521MA76GJ0Q1B";
constexpr char kExporter[] = "91640100MA77XL2X3M";
constexpr char kWinery[] = "91640100MA78WN1W25";
constexpr char kAbattoir[] = "91640100MA79HL3H4A";
constexpr char kFarm[] = "91640100MA7AEX4E5C";
constexpr char kRetailer[] = "91640100MA7BTR5T64";

constexpr char kDl[] = "https://id.gs1.org";

absl::Status FromGrpc(const grpc::Status& s, const std::string& what) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      "demo: " + what + ": " + s.error_message());
}

std::string Q(const std::string& path, double qty, const std::string& uom) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%g", qty);
  return std::string(R"({"epcClass":")") + kDl + path + R"(","quantity":)" + buf + R"(,"uom":")" +
         uom + R"("})";
}

std::string Head(const std::string& type, const std::string& time) {
  return R"({"type":")" + type + R"(","eventTime":")" + time +
         R"(","eventTimeZoneOffset":"+08:00",)";
}

std::string Where(const std::string& read_point, const std::string& biz_location) {
  return std::string(R"("readPoint":{"id":")") + kDl + read_point + R"("},"bizLocation":{"id":")" +
         kDl + biz_location + R"("})";
}

std::string Parties(const std::string& from, const std::string& to) {
  return R"("sourceList":[{"type":"owning_party","source":"urn:origo:usci:)" + from +
         R"("}],"destinationList":[{"type":"owning_party","destination":"urn:origo:usci:)" + to +
         R"("}])";
}

std::string Temperature(const std::string& time, double value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", value);
  return R"({"sensorReport":[{"type":"gs1:Temperature","time":")" + time + R"(","value":)" + buf +
         R"(,"uom":"CEL"}]})";
}

std::vector<std::string> WineChain() {
  const std::string site = "/414/6971236000017";
  const std::string grapes_cs = "/01/06971236000109/10/HL25-A3-CS";
  const std::string grapes_ml = "/01/06971236000109/10/HL25-B1-ML";
  const std::string must_cs = "/01/06971236000116/10/M25-CS";
  const std::string must_ml = "/01/06971236000116/10/M25-ML";
  const std::string wine_cs = "/01/06971236000123/10/W25-CS";
  const std::string wine_ml = "/01/06971236000123/10/W25-ML";
  const std::string blend = "/01/06971236000130/10/BL25-01";
  const std::string barrel = "/8004/6971236000BRL42";
  const std::string case_sscc = "/00/069712360000000017";
  std::vector<std::string> e;
  e.push_back(Head("ObjectEvent", "2025-09-20T08:30:00+08:00") +
              R"("action":"ADD","bizStep":"commissioning","disposition":"active",)" +
              R"("quantityList":[)" + Q(grapes_cs, 12000, "KGM") + "]," +
              Where(site + "/254/block-A3", site) +
              R"(,"ilmd":{"harvestDate":"2025-09-20","vintage":"2025","variety":)"
              R"("Cabernet Sauvignon","brix":24.5,"geographicIndication":"贺兰山东麓",)"
              R"("originRegion":"Yinchuan, Ningxia"}})");
  e.push_back(Head("ObjectEvent", "2025-09-25T08:30:00+08:00") +
              R"("action":"ADD","bizStep":"commissioning","disposition":"active",)" +
              R"("quantityList":[)" + Q(grapes_ml, 4000, "KGM") + "]," +
              Where(site + "/254/block-B1", site) +
              R"(,"ilmd":{"harvestDate":"2025-09-25","vintage":"2025","variety":"Merlot",)"
              R"("brix":23.8,"geographicIndication":"贺兰山东麓"}})");
  e.push_back(Head("TransformationEvent", "2025-09-21T10:00:00+08:00") +
              R"("bizStep":"urn:origo:bizstep:crushing","disposition":"active",)"
              R"("transformationID":"urn:origo:tf:HL25-CR-A3","inputQuantityList":[)" +
              Q(grapes_cs, 12000, "KGM") + R"(],"outputQuantityList":[)" + Q(must_cs, 8400, "LTR") +
              "]," + Where(site + "/254/cellar", site) + "}");
  e.push_back(Head("TransformationEvent", "2025-09-26T10:00:00+08:00") +
              R"("bizStep":"urn:origo:bizstep:crushing","disposition":"active",)"
              R"("transformationID":"urn:origo:tf:HL25-CR-B1","inputQuantityList":[)" +
              Q(grapes_ml, 4000, "KGM") + R"(],"outputQuantityList":[)" + Q(must_ml, 2800, "LTR") +
              "]," + Where(site + "/254/cellar", site) + "}");
  e.push_back(Head("TransformationEvent", "2025-10-12T18:00:00+08:00") +
              R"("bizStep":"urn:origo:bizstep:fermenting","disposition":"active",)"
              R"("inputQuantityList":[)" +
              Q(must_cs, 8400, "LTR") + R"(],"outputQuantityList":[)" + Q(wine_cs, 8200, "LTR") +
              "]," + Where(site + "/254/tank-3", site) + R"(,"sensorElementList":[)" +
              Temperature("2025-10-01T08:00:00+08:00", 26.5) + "," +
              Temperature("2025-10-08T08:00:00+08:00", 24.0) + "]}");
  e.push_back(Head("TransformationEvent", "2025-10-16T18:00:00+08:00") +
              R"("bizStep":"urn:origo:bizstep:fermenting","disposition":"active",)"
              R"("inputQuantityList":[)" +
              Q(must_ml, 2800, "LTR") + R"(],"outputQuantityList":[)" + Q(wine_ml, 2750, "LTR") +
              "]," + Where(site + "/254/tank-4", site) + "}");
  e.push_back(Head("AssociationEvent", "2025-10-20T09:00:00+08:00") +
              R"("action":"ADD","bizStep":"urn:origo:bizstep:barrel_ageing",)"
              R"("disposition":"in_progress","parentID":")" +
              kDl + barrel + R"(","childQuantityList":[)" + Q(wine_cs, 225, "LTR") + "]," +
              Where(site + "/254/barrel-hall", site) + "}");
  e.push_back(
      Head("TransformationEvent", "2026-05-10T10:00:00+08:00") +
      R"("bizStep":"urn:origo:bizstep:blending","disposition":"active",)"
      R"("transformationID":"urn:origo:tf:HL25-BL01","inputQuantityList":[)" +
      Q(wine_cs, 6000, "LTR") + "," + Q(wine_ml, 1500, "LTR") + R"(],"outputQuantityList":[)" +
      Q(blend, 7500, "LTR") + "]," + Where(site + "/254/cellar", site) +
      R"(,"ilmd":{"vintage":"2025","variety":"Cabernet Sauvignon",)"
      R"("geographicIndication":"贺兰山东麓","alcohol":"13.5% vol","so2Total":"92 mg/L"}})");
  std::string bottles, children;
  for (int i = 1; i <= 12; ++i) {
    char serial[16];
    std::snprintf(serial, sizeof(serial), "HL25-%04d", i);
    std::string id = std::string("\"") + kDl + "/01/06971236000147/21/" + serial + "\"";
    bottles += (i > 1 ? "," : "") + id;
  }
  children = bottles;
  e.push_back(Head("TransformationEvent", "2026-06-02T09:00:00+08:00") +
              R"("bizStep":"urn:origo:bizstep:bottling","disposition":"active",)"
              R"("transformationID":"urn:origo:tf:HL25-BT0602","inputQuantityList":[)" +
              Q(blend, 9, "LTR") + R"(],"outputEPCList":[)" + bottles + "]," +
              Where(site + "/254/bottling-line", site) +
              R"(,"ilmd":{"netContent":"0.75 LTR","bottlingDate":"2026-06-02"}})");
  e.push_back(Head("AggregationEvent", "2026-06-02T11:00:00+08:00") +
              R"("action":"ADD","bizStep":"packing","disposition":"in_progress","parentID":")" +
              kDl + case_sscc + R"(","childEPCs":[)" + children + "]," +
              Where(site + "/254/bottling-line", site) + "}");
  e.push_back(
      Head("ObjectEvent", "2026-06-20T09:00:00+08:00") +
      R"("action":"OBSERVE","bizStep":"shipping","disposition":"in_transit",)"
      R"("epcList":[")" +
      kDl + case_sscc + R"("],"readPoint":{"id":")" + kDl + site +
      R"("},"destinationList":[{"type":"location","destination":"urn:origo:place:GB-LON"}],)"
      R"("certificationInfo":["urn:origo:cert:origin:CN-NX-2026-W0620"]})");
  return e;
}

std::vector<std::string> FarmChain() {
  const std::string lambs = "/01/06971237000108/10/LAMB-2610";
  return {
      Head("ObjectEvent", "2026-10-20T07:00:00+08:00") +
          R"("action":"ADD","bizStep":"commissioning","disposition":"active","quantityList":[)" +
          Q(lambs, 1000, "KGM") + "]," + Where("/414/6971238000015", "/414/6971238000015") +
          R"(,"ilmd":{"breed":"Tan sheep","animalCount":25,"originRegion":"Yanchi, Ningxia"}})",
      Head("ObjectEvent", "2026-10-24T06:00:00+08:00") +
          R"("action":"OBSERVE","bizStep":"shipping","disposition":"in_transit","quantityList":[)" +
          Q(lambs, 1000, "KGM") + R"(],"readPoint":{"id":")" + kDl + "/414/6971238000015" +
          R"("},)" + Parties(kFarm, kAbattoir) +
          R"(,"certificationInfo":["urn:origo:cert:animal_quarantine:NX-YC-2026-3301"]})",
  };
}

std::vector<std::string> AbattoirChain() {
  const std::string site = "/414/6971237000016";
  const std::string lambs = "/01/06971237000108/10/LAMB-2610";
  const std::string carcass = "/01/06971237000115/10/CC-2610";
  const std::string cuts = "/01/06971237000122/10/CUT-2610";
  return {
      Head("ObjectEvent", "2026-10-24T09:00:00+08:00") +
          R"("action":"OBSERVE","bizStep":"receiving","disposition":"in_progress","quantityList":[)" +
          Q(lambs, 1000, "KGM") + "]," + Where(site + "/254/lairage", site) + "," +
          Parties(kFarm, kAbattoir) + "}",
      Head("ObjectEvent", "2026-10-24T16:00:00+08:00") +
          R"("action":"OBSERVE","bizStep":"inspecting","disposition":"conformant","quantityList":[)" +
          Q(lambs, 1000, "KGM") + "]," + Where(site + "/254/lairage", site) +
          R"(,"certificationInfo":["urn:origo:cert:animal_quarantine:NX-YC-2026-3301"]})",
      Head("TransformationEvent", "2026-10-25T06:30:00+08:00") +
          R"("bizStep":"urn:origo:bizstep:halal_slaughter","disposition":"active",)"
          R"("transformationID":"urn:origo:tf:CC-2610","inputQuantityList":[)" +
          Q(lambs, 1000, "KGM") + R"(],"outputQuantityList":[)" + Q(carcass, 520, "KGM") + "]," +
          Where(site + "/254/halal-line", site) +
          R"(,"certificationInfo":["urn:origo:cert:halal:HALAL-NX-2026-017"],)"
          R"("ilmd":{"slaughtererId":"HS-0042","slaughterDate":"2026-10-25"}})",
      Head("ObjectEvent", "2026-10-25T08:00:00+08:00") +
          R"("action":"OBSERVE","bizStep":"inspecting","disposition":"conformant","quantityList":[)" +
          Q(carcass, 520, "KGM") + "]," + Where(site + "/254/halal-line", site) + "}",
      Head("TransformationEvent", "2026-10-26T07:00:00+08:00") +
          R"("bizStep":"urn:origo:bizstep:cutting","disposition":"active",)"
          R"("inputQuantityList":[)" +
          Q(carcass, 520, "KGM") + R"(],"outputQuantityList":[)" + Q(cuts, 480, "KGM") + "]," +
          Where(site + "/254/cutting-room", site) + "}",
      Head("ObjectEvent", "2026-10-26T20:00:00+08:00") +
          R"("action":"OBSERVE","bizStep":"storing","disposition":"in_progress","quantityList":[)" +
          Q(cuts, 480, "KGM") + "]," + Where(site + "/254/cold-store", site) +
          R"(,"sensorElementList":[)" + Temperature("2026-10-26T20:00:00+08:00", 2.5) + "," +
          Temperature("2026-10-27T04:00:00+08:00", 3.1) + "]}",
      Head("ObjectEvent", "2026-10-27T06:00:00+08:00") +
          R"("action":"OBSERVE","bizStep":"shipping","disposition":"in_transit","quantityList":[)" +
          Q(cuts, 480, "KGM") + R"(],"readPoint":{"id":")" + kDl + site + R"("},)" +
          Parties(kAbattoir, kRetailer) +
          R"(,"certificationInfo":["urn:origo:cert:halal:HALAL-NX-2026-017",)"
          R"("urn:origo:cert:veterinary:NX-2026-VC-8812"],"sensorElementList":[)" +
          Temperature("2026-10-27T08:00:00+08:00", 3.4) + "]}",
  };
}

std::vector<std::string> RetailChain() {
  return {Head("ObjectEvent", "2026-10-27T11:00:00+08:00") +
          R"("action":"OBSERVE","bizStep":"receiving","disposition":"sellable_not_accessible",)"
          R"("quantityList":[)" +
          Q("/01/06971237000122/10/CUT-2610", 480, "KGM") + "]," +
          Where("/414/6971238000022", "/414/6971238000022") + "," + Parties(kAbattoir, kRetailer) +
          "}"};
}

class Loader {
 public:
  Loader(const std::string& address, std::string regulator)
      : channel_(grpc::CreateChannel(address, grpc::InsecureChannelCredentials())),
        registry_(origo::v1::RegistryService::NewStub(channel_)),
        capture_(origo::v1::CaptureService::NewStub(channel_)),
        provenance_(origo::v1::ProvenanceService::NewStub(channel_)),
        regulator_(std::move(regulator)) {}

  std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    context->AddMetadata("authorization", "Bearer " + token);
    return context;
  }

  absl::StatusOr<bool> Loaded() {
    origo::v1::GetEnterpriseRequest request;
    request.set_usci(kWinery);
    origo::v1::GetEnterpriseResponse response;
    grpc::Status s = registry_->GetEnterprise(Context(regulator_).get(), request, &response);
    if (s.ok()) return true;
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) return false;
    return FromGrpc(s, "check for demo data");
  }

  absl::Status Enroll(const std::string& usci, const std::string& name, origo::v1::Sector sector) {
    origo::v1::RegisterEnterpriseRequest reg;
    reg.mutable_enterprise()->set_usci(usci);
    reg.mutable_enterprise()->set_name(name);
    reg.mutable_enterprise()->set_sector(sector);
    origo::v1::RegisterEnterpriseResponse registered;
    ORIGO_RETURN_IF_ERROR(
        FromGrpc(registry_->RegisterEnterprise(Context(regulator_).get(), reg, &registered), name));
    ORIGO_ASSIGN_OR_RETURN(crypto::PrivateKey key,
                           crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519));
    origo::v1::AddKeyRequest add;
    add.set_usci(usci);
    add.set_public_key_pem(key.Public().ToPem());
    add.set_label("demo");
    origo::v1::AddKeyResponse added;
    ORIGO_RETURN_IF_ERROR(
        FromGrpc(registry_->AddKey(Context(regulator_).get(), add, &added), name + " key"));
    origo::v1::CreateTokenRequest token;
    token.set_role(origo::v1::ROLE_PRODUCER);
    token.set_usci(usci);
    token.set_label("demo");
    origo::v1::CreateTokenResponse created;
    ORIGO_RETURN_IF_ERROR(FromGrpc(
        registry_->CreateToken(Context(regulator_).get(), token, &created), name + " token"));
    producers_.emplace(usci, Producer{std::move(key), created.token()});
    return absl::OkStatus();
  }

  absl::Status Base(const std::string& usci, const std::string& id, const std::string& name,
                    const std::string& gln, const std::string& ext, const std::string& region,
                    const std::string& zone, double harvest) {
    origo::v1::AddProductionBaseRequest request;
    auto* b = request.mutable_base();
    b->set_usci(usci);
    b->set_base_id(id);
    b->set_name(name);
    b->set_gln(gln);
    b->set_gln_extension(ext);
    b->set_region(region);
    if (!zone.empty()) b->add_gi_zones(zone);
    b->set_annual_harvest(harvest);
    origo::v1::AddProductionBaseResponse response;
    return FromGrpc(registry_->AddProductionBase(Context(regulator_).get(), request, &response),
                    "base " + id);
  }

  absl::Status Certificate(const std::string& usci, const std::string& id, const std::string& type,
                           const std::string& issuer) {
    origo::v1::AddCertificateRequest request;
    auto* c = request.mutable_certificate();
    c->set_usci(usci);
    c->set_certificate_id(id);
    c->set_type(type);
    c->set_issuer(issuer);
    c->set_valid_from("2026-01-01");
    c->set_valid_to("2026-12-31");
    origo::v1::AddCertificateResponse response;
    return FromGrpc(registry_->AddCertificate(Context(regulator_).get(), request, &response),
                    "certificate " + id);
  }

  absl::Status Capture(const std::string& usci, const std::vector<std::string>& events) {
    const Producer& p = producers_.at(usci);
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    ORIGO_ASSIGN_OR_RETURN(origo::v1::SignedBatch batch,
                           batch::SignBatch(events, usci, p.key, now));
    origo::v1::CaptureRequest request;
    *request.mutable_batch() = std::move(batch);
    origo::v1::CaptureResponse response;
    ORIGO_RETURN_IF_ERROR(FromGrpc(capture_->Capture(Context(p.token).get(), request, &response),
                                   "capture for " + usci));
    events_ += response.stored();
    return absl::OkStatus();
  }

  absl::Status Inspection(const std::string& lot, const std::string& usci) {
    origo::v1::RecordInspectionRequest request;
    request.set_lot(lot);
    request.set_enterprise(usci);
    request.set_report_no("NXQI-2026-0830-117");
    request.set_lab("Ningxia Quality Inspection Institute");
    request.set_sampling_date("2026-08-30");
    for (auto [name, measured] :
         {std::pair{"imidacloprid", 0.12}, {"acetamiprid", 0.05}, {"chlorpyrifos", 0.005}}) {
      auto* item = request.add_items();
      item->set_name(name);
      item->set_measured(measured);
    }
    origo::v1::RecordInspectionResponse response;
    return FromGrpc(provenance_->RecordInspection(Context(regulator_).get(), request, &response),
                    "residue inspection");
  }

  uint32_t events() const { return events_; }

 private:
  struct Producer {
    crypto::PrivateKey key;
    std::string token;
  };
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<origo::v1::RegistryService::Stub> registry_;
  std::unique_ptr<origo::v1::CaptureService::Stub> capture_;
  std::unique_ptr<origo::v1::ProvenanceService::Stub> provenance_;
  std::string regulator_;
  std::map<std::string, Producer> producers_;
  uint32_t events_ = 0;
};

}  // namespace

absl::StatusOr<std::vector<std::string>> LoadDemo(const std::string& grpc_address,
                                                  const std::string& data_dir) {
  std::ifstream in(data_dir + "/bootstrap-token");
  std::string token;
  if (!in || !std::getline(in, token) || token.empty()) {
    return absl::FailedPreconditionError(
        "demo: no bootstrap token in " + data_dir +
        "; --demo loads into a new data directory (remove it or pick another)");
  }
  Loader loader(grpc_address, token);
  ORIGO_ASSIGN_OR_RETURN(bool loaded, loader.Loaded());
  if (loaded) return std::vector<std::string>{"  demo   already loaded"};

  using origo::v1::SECTOR_GOJI;
  using origo::v1::SECTOR_HALAL;
  using origo::v1::SECTOR_WINE;
  ORIGO_RETURN_IF_ERROR(
      loader.Enroll(kGrower, "中宁枸杞种植加工合作社 Zhongning goji grower", SECTOR_GOJI));
  ORIGO_RETURN_IF_ERROR(
      loader.Enroll(kExporter, "银川枸杞出口公司 Yinchuan goji exporter", SECTOR_GOJI));
  ORIGO_RETURN_IF_ERROR(
      loader.Enroll(kWinery, "贺兰山东麓酒庄 Helan Mountain winery", SECTOR_WINE));
  ORIGO_RETURN_IF_ERROR(loader.Enroll(kFarm, "盐池滩羊养殖场 Yanchi Tan sheep farm", SECTOR_HALAL));
  ORIGO_RETURN_IF_ERROR(
      loader.Enroll(kAbattoir, "吴忠清真屠宰厂 Wuzhong halal abattoir", SECTOR_HALAL));
  ORIGO_RETURN_IF_ERROR(
      loader.Enroll(kRetailer, "银川清真超市 Yinchuan halal market", SECTOR_HALAL));
  ORIGO_RETURN_IF_ERROR(loader.Base(kGrower, "plot-07", "中宁 plot 07", "6971234000019", "plot-07",
                                    "Zhongning, Ningxia", "中宁枸杞", 5000));
  ORIGO_RETURN_IF_ERROR(loader.Base(kWinery, "block-A3", "Vineyard block A3", "6971236000017",
                                    "block-A3", "Helan, Yinchuan, Ningxia", "贺兰山东麓", 60000));
  ORIGO_RETURN_IF_ERROR(loader.Base(kWinery, "block-B1", "Vineyard block B1", "6971236000017",
                                    "block-B1", "Helan, Yinchuan, Ningxia", "贺兰山东麓", 30000));
  ORIGO_RETURN_IF_ERROR(
      loader.Base(kFarm, "pen-1", "Yanchi pasture", "6971238000015", "", "Yanchi, Ningxia", "", 0));
  ORIGO_RETURN_IF_ERROR(loader.Certificate(kAbattoir, "HALAL-NX-2026-017", "halal",
                                           "宁夏伊斯兰教协会 Ningxia Islamic Association"));
  ORIGO_RETURN_IF_ERROR(loader.Certificate(kAbattoir, "NX-2026-VC-8812", "veterinary",
                                           "Wuzhong animal health supervision"));
  ORIGO_RETURN_IF_ERROR(
      loader.Certificate(kExporter, "CN-NX-2026-118833", "phytosanitary", "Yinchuan Customs"));

  ORIGO_RETURN_IF_ERROR(loader.Capture(kWinery, WineChain()));
  ORIGO_RETURN_IF_ERROR(
      loader.Capture(kGrower, {std::begin(kGojiGrowerEvents), std::end(kGojiGrowerEvents)}));
  ORIGO_RETURN_IF_ERROR(loader.Inspection("/01/06971234000347/10/ZN2026-G0825-TY", kGrower));
  ORIGO_RETURN_IF_ERROR(
      loader.Capture(kExporter, {std::begin(kGojiExporterEvents), std::end(kGojiExporterEvents)}));
  ORIGO_RETURN_IF_ERROR(loader.Capture(kFarm, FarmChain()));
  ORIGO_RETURN_IF_ERROR(loader.Capture(kAbattoir, AbattoirChain()));
  ORIGO_RETURN_IF_ERROR(loader.Capture(kRetailer, RetailChain()));
  return std::vector<std::string>{
      "  demo   loaded " + std::to_string(loader.events()) +
          " signed events (wine, goji, halal chains); try:",
      std::string("    origo trace ") + kDemoBottle,
      std::string("    origo trace --forward ") + kDemoGojiHarvest,
      std::string("    origo trace ") + kDemoHalalCuts,
  };
}

}  // namespace origo::server
