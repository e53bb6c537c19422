// Provenance and the sector rules through a real in-process server and real stubs: every rule has
// a violating event (rejected, rule named, nothing stored) and a conforming one (accepted).

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "core/batch/batch.h"
#include "origo/v1/capture.grpc.pb.h"
#include "origo/v1/credit.grpc.pb.h"
#include "origo/v1/provenance.grpc.pb.h"
#include "origo/v1/registry.grpc.pb.h"
#include "services/server/config.h"
#include "services/server/server.h"
#include "tests/server_util.h"
#include "tests/test_util.h"

namespace origo {
namespace {

using origo::testing::NowMs;
using origo::testing::TempDir;

constexpr char kGrower[] = "91640521MA76GJ0Q1B";
constexpr char kExporter[] = "91640100MA77XL2X3M";
constexpr char kWinery[] = "91640100MA78WN1W25";
constexpr char kAbattoir[] = "91640100MA79HL3H4A";
constexpr char kFarm[] = "91640100MA7AEX4E5C";

constexpr char kHarvestLot[] = "/01/06971234000101/10/ZN2026-P07-0820";
constexpr char kDriedLot[] = "/01/06971234000279/10/ZN2026-D0823";
constexpr char kGradedLot[] = "/01/06971234000347/10/ZN2026-G0825-TY";
constexpr char kCarton1[] = "/01/06971234000415/21/ZN26C0001";
constexpr char kPallet[] = "/00/069712340000000019";

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

std::string Q(const std::string& path, double qty, const std::string& uom) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%g", qty);
  return R"({"epcClass":"https://id.gs1.org)" + path + R"(","quantity":)" + buf + R"(,"uom":")" +
         uom + R"("})";
}

std::string Head(const std::string& type, const std::string& time) {
  return R"({"type":")" + type + R"(","eventTime":")" + time +
         R"(","eventTimeZoneOffset":"+08:00",)";
}

// A commissioning ObjectEvent (ADD) of `quantities` at `read_point` (a GLN path).
std::string Commission(const std::string& time, const std::string& quantities,
                       const std::string& read_point, const std::string& ilmd = "{}") {
  return Head("ObjectEvent", time) + R"("action":"ADD","bizStep":"commissioning",)" +
         R"("quantityList":[)" + quantities + R"(],"readPoint":{"id":"https://id.gs1.org)" +
         read_point + R"("},"ilmd":)" + ilmd + "}";
}

std::string Transform(const std::string& time, const std::string& step, const std::string& inputs,
                      const std::string& outputs, const std::string& ilmd = "{}",
                      const std::string& extra = "") {
  return Head("TransformationEvent", time) + R"("bizStep":")" + step +
         R"(","inputQuantityList":[)" + inputs + R"(],"outputQuantityList":[)" + outputs +
         R"(],"ilmd":)" + ilmd + extra + "}";
}

std::string Observe(const std::string& time, const std::string& step, const std::string& epc,
                    const std::string& disposition, const std::string& extra = "") {
  return Head("ObjectEvent", time) + R"("action":"OBSERVE","bizStep":")" + step +
         R"(","disposition":")" + disposition + R"(","quantityList":[)" + epc + "]" + extra + "}";
}

class ProvenanceTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(origo::v1::Config()); }

  // Starts the server over a fresh data directory with `config`'s rules.
  void StartServer(origo::v1::Config config) {
    if (server_) {
      ASSERT_TRUE(server_->Shutdown().ok());
      server_.reset();
    }
    config.set_data_dir(dir_.Sub("data" + std::to_string(++starts_)));
    auto server = origo::testing::StartLocalServer(config);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(server_->grpc_address(), grpc::InsecureChannelCredentials());
    registry_ = origo::v1::RegistryService::NewStub(channel_);
    capture_ = origo::v1::CaptureService::NewStub(channel_);
    provenance_ = origo::v1::ProvenanceService::NewStub(channel_);
    credit_ = origo::v1::CreditService::NewStub(channel_);
    regulator_ = ReadFile(config.data_dir() + "/bootstrap-token");
  }

  std::unique_ptr<grpc::ClientContext> Context(const std::string& token = "") {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
    return context;
  }

  struct Producer {
    std::string usci;
    crypto::PrivateKey key;
    std::string token;
  };

  Producer Enroll(const std::string& usci, origo::v1::Sector sector) {
    auto key = crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value();
    origo::v1::RegisterEnterpriseRequest reg;
    reg.mutable_enterprise()->set_usci(usci);
    reg.mutable_enterprise()->set_name("enterprise " + usci);
    reg.mutable_enterprise()->set_sector(sector);
    origo::v1::RegisterEnterpriseResponse reg_response;
    EXPECT_TRUE(registry_->RegisterEnterprise(Context(regulator_).get(), reg, &reg_response).ok());
    origo::v1::AddKeyRequest add;
    add.set_usci(usci);
    add.set_public_key_pem(key.Public().ToPem());
    origo::v1::AddKeyResponse add_response;
    EXPECT_TRUE(registry_->AddKey(Context(regulator_).get(), add, &add_response).ok());
    origo::v1::CreateTokenRequest token;
    token.set_role(origo::v1::ROLE_PRODUCER);
    token.set_usci(usci);
    origo::v1::CreateTokenResponse token_response;
    EXPECT_TRUE(registry_->CreateToken(Context(regulator_).get(), token, &token_response).ok());
    return {usci, std::move(key), token_response.token()};
  }

  void AddBase(const std::string& usci, const std::string& id, const std::string& gln,
               const std::string& ext, const std::string& zone, double harvest) {
    origo::v1::AddProductionBaseRequest base;
    base.mutable_base()->set_usci(usci);
    base.mutable_base()->set_base_id(id);
    base.mutable_base()->set_name("base " + id);
    base.mutable_base()->set_gln(gln);
    base.mutable_base()->set_gln_extension(ext);
    if (!zone.empty()) base.mutable_base()->add_gi_zones(zone);
    base.mutable_base()->set_annual_harvest(harvest);
    origo::v1::AddProductionBaseResponse response;
    grpc::Status s = registry_->AddProductionBase(Context(regulator_).get(), base, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  grpc::Status Capture(const Producer& p, const std::vector<std::string>& events) {
    origo::v1::CaptureRequest request;
    *request.mutable_batch() = batch::SignBatch(events, p.usci, p.key, NowMs() + seq_++).value();
    origo::v1::CaptureResponse response;
    return capture_->Capture(Context(p.token).get(), request, &response);
  }

  // The enterprise's credit archive as a regulator reads it.
  origo::v1::GetCreditProfileResponse Profile(const std::string& usci) {
    origo::v1::GetCreditProfileRequest request;
    request.set_usci(usci);
    origo::v1::GetCreditProfileResponse response;
    grpc::Status s = credit_->GetCreditProfile(Context(regulator_).get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  // Events in the log, counted through QueryEvents.
  int EventCount() {
    origo::v1::QueryEventsRequest request;
    request.set_page_size(1000);
    origo::v1::QueryEventsResponse response;
    EXPECT_TRUE(provenance_->QueryEvents(Context().get(), request, &response).ok());
    return response.events_size();
  }

  // Expects `events` rejected with `code` and a message containing `text`, and nothing stored.
  void ExpectRejected(const Producer& p, const std::vector<std::string>& events,
                      grpc::StatusCode code, const std::string& text) {
    int before = EventCount();
    grpc::Status s = Capture(p, events);
    EXPECT_EQ(s.error_code(), code) << s.error_message();
    EXPECT_NE(s.error_message().find(text), std::string::npos) << s.error_message();
    EXPECT_EQ(EventCount(), before);
  }

  void ExpectAccepted(const Producer& p, const std::vector<std::string>& events) {
    grpc::Status s = Capture(p, events);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }

  origo::v1::TraceResponse Trace(const std::string& id, bool forward, uint32_t max_nodes = 0) {
    origo::v1::TraceRequest request;
    request.set_id(id);
    request.set_max_nodes(max_nodes);
    origo::v1::TraceResponse response;
    grpc::Status s = forward ? provenance_->TraceForward(Context().get(), request, &response)
                             : provenance_->TraceBack(Context().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  // The shared goji chain, with the inspection that lets the export through.
  void CaptureGojiChain(const Producer& grower, const Producer& exporter) {
    AddBase(kGrower, "plot-07", "6971234000019", "plot-07", "中宁枸杞", 5000);
    std::string dir = std::string(ORIGO_TESTDATA_DIR) + "/capture/goji/";
    ExpectAccepted(grower, ReadLines(dir + "grower.jsonl"));
    origo::v1::RecordInspectionRequest inspection;
    inspection.set_lot(kGradedLot);
    auto* item = inspection.add_items();
    item->set_name("imidacloprid");
    item->set_measured(0.05);
    origo::v1::RecordInspectionResponse recorded;
    ASSERT_TRUE(
        provenance_->RecordInspection(Context(regulator_).get(), inspection, &recorded).ok());
    ExpectAccepted(exporter, ReadLines(dir + "exporter.jsonl"));
  }

  TempDir dir_;
  std::unique_ptr<server::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<origo::v1::RegistryService::Stub> registry_;
  std::unique_ptr<origo::v1::CaptureService::Stub> capture_;
  std::unique_ptr<origo::v1::ProvenanceService::Stub> provenance_;
  std::unique_ptr<origo::v1::CreditService::Stub> credit_;
  std::string regulator_;
  int64_t seq_ = 0;
  int starts_ = 0;
};

TEST_F(ProvenanceTest, TraceBackFromCartonReachesPlotHarvestAndForwardListsEveryHolder) {
  Producer grower = Enroll(kGrower, origo::v1::SECTOR_GOJI);
  Producer exporter = Enroll(kExporter, origo::v1::SECTOR_GOJI);
  CaptureGojiChain(grower, exporter);

  origo::v1::TraceResponse back = Trace(std::string("https://example.org") + kCarton1, false);
  EXPECT_FALSE(back.truncated());
  ASSERT_EQ(back.origins_size(), 1);
  EXPECT_EQ(back.origins(0).id(), kHarvestLot);
  EXPECT_EQ(back.origins(0).harvest_date(), "2026-08-20");
  EXPECT_EQ(back.origins(0).base(), std::string(kGrower) + "/plot-07");
  bool saw_inspection = false;
  for (const auto& n : back.nodes()) {
    if (n.view().id() == kGradedLot) saw_inspection = n.view().inspections_size() == 1;
  }
  EXPECT_TRUE(saw_inspection);

  origo::v1::TraceResponse forward = Trace(kHarvestLot, true);
  EXPECT_FALSE(forward.truncated());
  int cartons = 0;
  bool pallet = false;
  for (const auto& n : forward.nodes()) {
    if (n.view().kind() == "item") {
      ++cartons;
      EXPECT_EQ(n.view().holder(), kExporter) << n.view().id();
      EXPECT_EQ(n.view().container(), kPallet);
    }
    if (n.view().id() == kPallet) {
      pallet = true;
      EXPECT_EQ(n.view().owner(), kExporter);
      EXPECT_EQ(n.view().certificates(0), "urn:origo:cert:phytosanitary:CN-NX-2026-118833");
    }
  }
  EXPECT_EQ(cartons, 20);
  EXPECT_TRUE(pallet);

  // A serial item resolves to the lot its packing consumed.
  origo::v1::GetItemRequest item;
  item.set_id(kCarton1);
  origo::v1::GetItemResponse got;
  ASSERT_TRUE(provenance_->GetItem(Context().get(), item, &got).ok());
  EXPECT_EQ(got.item().lot(), kGradedLot);
  EXPECT_EQ(got.lot().ilmd().at("grade"), "特优 (280 grains / 50 g)");
  EXPECT_EQ(got.item().creator(), kGrower);
  EXPECT_EQ(got.item().holder(), kExporter);

  // Bounded traces are flagged.
  origo::v1::TraceResponse small = Trace(kHarvestLot, true, 5);
  EXPECT_TRUE(small.truncated());
  EXPECT_EQ(small.nodes_size(), 5);
}

TEST_F(ProvenanceTest, RecallOfAnAncestorLotAndHoldOfThePalletReachTheCarton) {
  Producer grower = Enroll(kGrower, origo::v1::SECTOR_GOJI);
  Producer exporter = Enroll(kExporter, origo::v1::SECTOR_GOJI);
  Producer stranger = Enroll(kWinery, origo::v1::SECTOR_WINE);
  CaptureGojiChain(grower, exporter);
  auto item = [&]() {
    origo::v1::GetItemRequest request;
    request.set_id(std::string("https://example.org") + kCarton1);
    origo::v1::GetItemResponse response;
    grpc::Status s = provenance_->GetItem(Context().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  };
  origo::v1::GetItemResponse before = item();
  EXPECT_FALSE(before.item().recalled());
  EXPECT_FALSE(before.item().held());
  EXPECT_FALSE(before.lot().recalled());

  // The exporter holds the pallet (CBV non_sellable_other): every carton on it is held.
  auto on_pallet = [&](const std::string& time, const std::string& disposition) {
    return Head("ObjectEvent", time) + R"("action":"OBSERVE","bizStep":"storing","disposition":")" +
           disposition + R"(","epcList":["https://id.gs1.org)" + kPallet + R"("]})";
  };
  ExpectAccepted(exporter, {on_pallet("2026-09-13T09:00:00+08:00", "non_sellable_other")});
  origo::v1::GetItemResponse held = item();
  EXPECT_TRUE(held.item().held());
  EXPECT_EQ(held.item().hold_source(), kPallet);
  EXPECT_EQ(held.item().hold_event_id().size(), 64u);
  EXPECT_FALSE(held.item().recalled());
  // Released by a later disposition.
  ExpectAccepted(exporter, {on_pallet("2026-09-14T09:00:00+08:00", "sellable_not_accessible")});
  EXPECT_FALSE(item().item().held());

  // The grower recalls the dried lot, two steps upstream of the carton's lot; the carton and its
  // lot both show the recall and where it came from.
  const std::string recall =
      Observe("2026-09-20T08:00:00+08:00", "inspecting", Q(kDriedLot, 280, "KGM"), "recalled");
  ExpectRejected(stranger, {recall}, grpc::StatusCode::FAILED_PRECONDITION, "ownership@2026.1");
  ExpectAccepted(grower, {recall});
  origo::v1::GetItemResponse recalled = item();
  EXPECT_TRUE(recalled.item().recalled());
  EXPECT_EQ(recalled.item().recall_source(), kDriedLot);
  EXPECT_TRUE(recalled.lot().recalled());
  EXPECT_EQ(recalled.lot().id(), kGradedLot);
  origo::v1::GetLotRequest lot;
  lot.set_id(kHarvestLot);
  origo::v1::GetLotResponse upstream;
  ASSERT_TRUE(provenance_->GetLot(Context().get(), lot, &upstream).ok());
  EXPECT_FALSE(upstream.lot().recalled());  // a recall does not travel upstream

  // The creator may recall a carton it made though the exporter holds it now; nobody else may.
  const std::string carton2 = "/01/06971234000415/21/ZN26C0002";
  const std::string recall_carton =
      Head("ObjectEvent", "2026-09-21T08:00:00+08:00") +
      R"("action":"OBSERVE","bizStep":"inspecting","disposition":"recalled","epcList":[)" +
      R"("https://id.gs1.org)" + carton2 + R"("]})";
  ExpectRejected(stranger, {recall_carton}, grpc::StatusCode::FAILED_PRECONDITION,
                 "ownership@2026.1");
  ExpectAccepted(grower, {recall_carton});
  origo::v1::GetItemRequest request;
  request.set_id(carton2);
  origo::v1::GetItemResponse got;
  ASSERT_TRUE(provenance_->GetItem(Context().get(), request, &got).ok());
  EXPECT_TRUE(got.item().recalled());
  EXPECT_EQ(got.item().recall_source(), carton2);
  EXPECT_EQ(got.item().holder(), kExporter);
}

TEST_F(ProvenanceTest, UnknownIdIsNotFoundAndMalformedLinkNamesTheSegment) {
  origo::v1::ResolveRequest request;
  request.set_digital_link("https://id.gs1.org/01/06971234000101/10/NOPE");
  origo::v1::ResolveResponse response;
  grpc::Status s = provenance_->Resolve(Context().get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  request.set_digital_link("https://id.gs1.org/01/06971234000102/10/X");
  s = provenance_->Resolve(Context().get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("AI 01"), std::string::npos) << s.error_message();
  origo::v1::TraceRequest trace;
  trace.set_id("/00/069712340000000019");
  origo::v1::TraceResponse traced;
  EXPECT_EQ(provenance_->TraceBack(Context().get(), trace, &traced).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ProvenanceTest, OwnershipAndTimeOrder) {
  Producer grower = Enroll(kGrower, origo::v1::SECTOR_GOJI);
  Producer exporter = Enroll(kExporter, origo::v1::SECTOR_GOJI);
  ExpectAccepted(grower, {Commission("2026-10-01T08:00:00+08:00", Q(kHarvestLot, 1000, "KGM"),
                                     "/414/6971234000019")});
  const std::string drying = Transform("2026-10-03T08:00:00+08:00", "urn:origo:bizstep:drying",
                                       Q(kHarvestLot, 1000, "KGM"), Q(kDriedLot, 240, "KGM"));
  ExpectRejected(exporter, {drying}, grpc::StatusCode::FAILED_PRECONDITION,
                 "event 0: inputQuantityList[0].epcClass: ownership@2026.1: " +
                     std::string(kHarvestLot) + " is owned by " + kGrower);
  ExpectRejected(grower,
                 {Transform("2026-09-30T08:00:00+08:00", "urn:origo:bizstep:drying",
                            Q(kHarvestLot, 1000, "KGM"), Q(kDriedLot, 240, "KGM"))},
                 grpc::StatusCode::INVALID_ARGUMENT,
                 "inputQuantityList[0].epcClass: time_order@2026.1: eventTime");
  ExpectAccepted(grower, {drying});
  // Shipped with an owning-party change: the exporter now owns it and may receive it.
  const std::string parties =
      R"(,"sourceList":[{"type":"owning_party","source":"urn:origo:usci:)" + std::string(kGrower) +
      R"("}],"destinationList":[{"type":"owning_party","destination":"urn:origo:usci:)" +
      kExporter + R"("}])";
  ExpectAccepted(grower, {Observe("2026-10-04T08:00:00+08:00", "shipping", Q(kDriedLot, 240, "KGM"),
                                  "in_transit", parties)});
  ExpectRejected(
      grower,
      {Observe("2026-10-05T08:00:00+08:00", "storing", Q(kDriedLot, 240, "KGM"), "in_progress")},
      grpc::StatusCode::FAILED_PRECONDITION, "ownership@2026.1");
  ExpectAccepted(exporter, {Observe("2026-10-05T08:00:00+08:00", "receiving",
                                    Q(kDriedLot, 240, "KGM"), "in_progress", parties)});
  origo::v1::GetLotRequest lot;
  lot.set_id(kDriedLot);
  origo::v1::GetLotResponse got;
  ASSERT_TRUE(provenance_->GetLot(Context().get(), lot, &got).ok());
  EXPECT_EQ(got.lot().owner(), kExporter);
  EXPECT_EQ(got.lot().creator(), kGrower);
}

TEST_F(ProvenanceTest, MassBalanceBreachesAreRejectedAndKeptForInspectors) {
  Producer grower = Enroll(kGrower, origo::v1::SECTOR_GOJI);
  ExpectAccepted(grower, {Commission("2026-10-01T08:00:00+08:00", Q(kHarvestLot, 1200, "KGM"),
                                     "/414/6971234000019")});
  // 1,200 kg fresh cannot dry to 400 kg (yield bound 0.25).
  ExpectRejected(grower,
                 {Transform("2026-10-03T08:00:00+08:00", "urn:origo:bizstep:drying",
                            Q(kHarvestLot, 1200, "KGM"), Q(kDriedLot, 400, "KGM"))},
                 grpc::StatusCode::FAILED_PRECONDITION,
                 "event 0: outputQuantityList: mass_balance@2026.1: outputs total 400 exceed "
                 "inputs 1200 x yield bound 0.25");
  // Nor can a lot be consumed twice over (within one batch, too).
  ExpectRejected(grower,
                 {Transform("2026-10-03T08:00:00+08:00", "urn:origo:bizstep:drying",
                            Q(kHarvestLot, 1000, "KGM"), Q(kDriedLot, 240, "KGM")),
                  Transform("2026-10-03T09:00:00+08:00", "urn:origo:bizstep:drying",
                            Q(kHarvestLot, 1000, "KGM"), Q(kDriedLot, 240, "KGM"))},
                 grpc::StatusCode::FAILED_PRECONDITION,
                 "event 1: inputQuantityList[0].quantity: mass_balance@2026.1: consumes 1000 KGM");
  ExpectAccepted(grower, {Transform("2026-10-03T08:00:00+08:00", "urn:origo:bizstep:drying",
                                    Q(kHarvestLot, 1200, "KGM"), Q(kDriedLot, 280, "KGM"))});
  origo::v1::ListViolationsRequest request;
  origo::v1::ListViolationsResponse violations;
  ASSERT_TRUE(provenance_->ListViolations(Context(regulator_).get(), request, &violations).ok());
  ASSERT_EQ(violations.violations_size(), 2);
  EXPECT_EQ(violations.violations(0).rule(), "mass_balance@2026.1");
  EXPECT_EQ(violations.violations(0).enterprise(), kGrower);
  // Both are also credit records of the grower, signed by the server's log key, in the log.
  origo::v1::GetCreditProfileResponse profile = Profile(kGrower);
  int suspected = 0;
  for (const auto& e : profile.entries()) {
    if (!e.record().has_suspected_violation()) continue;
    ++suspected;
    EXPECT_EQ(e.author_usci(), "origo.local/log");
    EXPECT_EQ(e.record().suspected_violation().rule(), "mass_balance@2026.1");
    EXPECT_EQ(e.record().suspected_violation().enterprise(), kGrower);
    EXPECT_FALSE(e.record().suspected_violation().field().empty());
  }
  EXPECT_EQ(suspected, 2);
  EXPECT_EQ(provenance_->ListViolations(Context().get(), request, &violations).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(ProvenanceTest, ConfiguredRuleSetChangesTheVerdictAndIsNamedInIt) {
  // The built-in book (2026.1): 1,200 kg fresh cannot dry to 330 kg (bound 0.25).
  const std::string commission =
      Commission("2026-10-01T08:00:00+08:00", Q(kHarvestLot, 1200, "KGM"), "/414/6971234000019");
  const std::string drying = Transform("2026-10-03T08:00:00+08:00", "urn:origo:bizstep:drying",
                                       Q(kHarvestLot, 1200, "KGM"), Q(kDriedLot, 330, "KGM"));
  Producer grower = Enroll(kGrower, origo::v1::SECTOR_GOJI);
  ExpectAccepted(grower, {commission});
  ExpectRejected(grower, {drying}, grpc::StatusCode::FAILED_PRECONDITION,
                 "mass_balance@2026.1: outputs total 330 exceed inputs 1200 x yield bound 0.25");

  // A configured rule set from 2026-09-01 raises the drying bound to 0.30 (a variety that keeps
  // more water) and turns goji_export off; events before its date keep the old set.
  auto config = server::ParseConfigJson(R"({"rules":{"ruleSets":[
      {"version":"2026.1","effectiveFrom":"2000-01-01"},
      {"version":"2026.2","effectiveFrom":"2026-09-01",
       "yieldBounds":[{"bizStep":"urn:origo:bizstep:drying","maxOutputRatio":0.30}],
       "disabledRules":["goji_export"]}]}})");
  ASSERT_TRUE(config.ok()) << config.status();
  StartServer(*config);
  Producer again = Enroll(kGrower, origo::v1::SECTOR_GOJI);
  ExpectAccepted(again, {commission});
  ExpectRejected(again,
                 {Transform("2026-10-03T08:00:00+08:00", "urn:origo:bizstep:drying",
                            Q(kHarvestLot, 1200, "KGM"), Q(kDriedLot, 400, "KGM"))},
                 grpc::StatusCode::FAILED_PRECONDITION,
                 "outputQuantityList: mass_balance@2026.2: outputs total 400 exceed inputs 1200 x "
                 "yield bound 0.3");
  ExpectRejected(again,
                 {Transform("2026-08-03T08:00:00+08:00", "urn:origo:bizstep:drying",
                            Q(kHarvestLot, 1200, "KGM"), Q(kDriedLot, 330, "KGM"))},
                 grpc::StatusCode::INVALID_ARGUMENT, "time_order@2026.1");
  ExpectAccepted(again, {drying});
  origo::v1::GetLotRequest lot;
  lot.set_id(kDriedLot);
  origo::v1::GetLotResponse got;
  ASSERT_TRUE(provenance_->GetLot(Context().get(), lot, &got).ok());
  EXPECT_EQ(got.lot().quantity(), 330);
  ASSERT_FALSE(got.lot().events().empty());
  EXPECT_EQ(got.lot().events(0).rules_version(), "2026.2");
  // goji_export is off in 2026.2: export without an inspection passes.
  ExpectAccepted(again, {Observe("2026-10-05T08:00:00+08:00", "shipping", Q(kDriedLot, 330, "KGM"),
                                 "in_transit",
                                 R"(,"destinationList":[{"type":"location",)"
                                 R"("destination":"urn:origo:place:AE-DXB"}])")});
}

TEST(RulesConfigTest, UnknownFieldsRuleIdsAndBadBoundsStopTheServerNamingTheField) {
  auto unknown = server::ParseConfigJson(
      R"({"rules":{"ruleSets":[{"version":"x","effectiveFrom":"2026-01-01","yieldBoundz":[]}]}})");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("yieldBoundz"), std::string::npos) << unknown.status();

  auto start = [](const std::string& json) {
    auto config = server::ParseConfigJson(json);
    EXPECT_TRUE(config.ok()) << config.status();
    TempDir dir;
    config->set_data_dir(dir.Sub("data"));
    config->set_grpc_listen("127.0.0.1:0");
    config->set_http_listen("127.0.0.1:0");
    server::ApplyDefaults(&*config);
    auto server = server::Server::Start(*config);
    if (server.ok()) {
      EXPECT_TRUE((*server)->Shutdown().ok());
    }
    return server.status();
  };
  absl::Status s = start(R"({"rules":{"ruleSets":[{"version":"9","effectiveFrom":"2026-01-01",)"
                         R"("disabledRules":["mass_balanse"]}]}})");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("rules.rule_sets[0].disabled_rules[0]: unknown rule 'mass_balanse'"),
            std::string::npos)
      << s;
  s = start(R"({"rules":{"ruleSets":[{"version":"9","effectiveFrom":"2026-01-01",)"
            R"("yieldBounds":[{"bizStep":"urn:origo:bizstep:drying","maxOutputRatio":-1}]}]}})");
  EXPECT_NE(s.message().find("rules.rule_sets[0].yield_bounds[0].max_output_ratio"),
            std::string::npos)
      << s;
  s = start(R"({"rules":{"ruleSets":[{"version":"9","effectiveFrom":"2026-01-01"},)"
            R"({"version":"9","effectiveFrom":"2026-06-01"}]}})");
  EXPECT_NE(s.message().find("rules.rule_sets[1].version"), std::string::npos) << s;
  s = start(R"({"rules":{"ruleSets":[{"version":"9","effectiveFrom":"2026-01-01",)"
            R"("residueLimits":[{"pesticide":"imidacloprid","maxMgPerKg":0}]}]}})");
  EXPECT_NE(s.message().find("rules.rule_sets[0].residue_limits[0].max_mg_per_kg"),
            std::string::npos)
      << s;
}

TEST_F(ProvenanceTest, ConcurrentBatchesCannotTogetherConsumeMoreThanALotHolds) {
  Producer grower = Enroll(kGrower, origo::v1::SECTOR_GOJI);
  ExpectAccepted(grower, {Commission("2026-10-01T08:00:00+08:00", Q(kHarvestLot, 1000, "KGM"),
                                     "/414/6971234000019")});
  // Eight batches, each drying 600 of the 1,000 kg into its own lot, sent at once: only one
  // may pass; the others must see its consumption though it is not yet written.
  constexpr int kBatches = 8;
  std::vector<std::thread> threads;
  std::vector<grpc::Status> results(kBatches);
  std::vector<origo::v1::SignedBatch> batches;
  for (int i = 0; i < kBatches; ++i) {
    batches.push_back(
        batch::SignBatch({Transform("2026-10-03T08:00:00+08:00", "urn:origo:bizstep:drying",
                                    Q(kHarvestLot, 600, "KGM"),
                                    Q("/01/06971234000279/10/D-" + std::to_string(i), 140, "KGM"))},
                         grower.usci, grower.key, NowMs() + i)
            .value());
  }
  std::atomic<bool> go{false};
  for (int i = 0; i < kBatches; ++i) {
    threads.emplace_back([&, i] {
      origo::v1::CaptureRequest request;
      *request.mutable_batch() = batches[i];
      origo::v1::CaptureResponse response;
      auto context = Context(grower.token);
      while (!go.load()) std::this_thread::yield();
      results[i] = capture_->Capture(context.get(), request, &response);
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  int accepted = 0;
  for (const grpc::Status& s : results) {
    if (s.ok()) {
      ++accepted;
      continue;
    }
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
    EXPECT_NE(s.error_message().find("mass_balance@2026.1: consumes 600 KGM of " +
                                     std::string(kHarvestLot) + " but only 400 remain"),
              std::string::npos)
        << s.error_message();
  }
  EXPECT_EQ(accepted, 1);
  origo::v1::GetLotRequest lot;
  lot.set_id(kHarvestLot);
  origo::v1::GetLotResponse got;
  ASSERT_TRUE(provenance_->GetLot(Context().get(), lot, &got).ok());
  EXPECT_EQ(got.lot().consumed(), 600);
}

// Pipelined on one stream, each batch is judged while the ones before it are pending or just
// written: it must see each of them exactly once (not twice: 600 + 400 fit the 1,000 kg lot;
// not never: the third batch's 1 kg does not), repeated so the judgement meets both states.
TEST_F(ProvenanceTest, PipelinedBatchesOnAStreamSeeEarlierConsumptionExactlyOnce) {
  Producer grower = Enroll(kGrower, origo::v1::SECTOR_GOJI);
  for (int round = 0; round < 8; ++round) {
    const std::string lot = "/01/06971234000101/10/R" + std::to_string(round);
    ExpectAccepted(grower, {Commission("2026-10-01T08:00:00+08:00", Q(lot, 1000, "KGM"),
                                       "/414/6971234000019")});
    auto context = Context(grower.token);
    auto stream = capture_->CaptureStream(context.get());
    const double consumed[] = {600, 400, 1};
    for (int b = 0; b < 3; ++b) {
      const std::string out =
          "/01/06971234000279/10/R" + std::to_string(round) + "-" + std::to_string(b);
      origo::v1::CaptureRequest request;
      *request.mutable_batch() =
          batch::SignBatch({Transform("2026-10-03T08:00:00+08:00", "urn:origo:bizstep:drying",
                                      Q(lot, consumed[b], "KGM"), Q(out, 0.25, "KGM"))},
                           grower.usci, grower.key, NowMs())
              .value();
      request.set_sequence(static_cast<uint64_t>(b + 1));
      if (!stream->Write(request)) break;
    }
    stream->WritesDone();
    std::vector<uint64_t> acknowledged;
    origo::v1::CaptureResponse response;
    while (stream->Read(&response)) acknowledged.push_back(response.sequence());
    EXPECT_EQ(acknowledged, (std::vector<uint64_t>{1, 2})) << "round " << round;
    grpc::Status s = stream->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
    EXPECT_NE(s.error_message().find("batch with sequence 3: event 0: "), std::string::npos)
        << s.error_message();
    EXPECT_NE(s.error_message().find("consumes 1 KGM of " + lot + " but only 0 remain"),
              std::string::npos)
        << s.error_message();
    origo::v1::GetLotRequest get;
    get.set_id(lot);
    origo::v1::GetLotResponse got;
    ASSERT_TRUE(provenance_->GetLot(Context().get(), get, &got).ok());
    EXPECT_EQ(got.lot().consumed(), 1000) << "round " << round;
  }
}

TEST_F(ProvenanceTest, GiClaimsNeedARegisteredBaseInTheZoneAndItsHarvest) {
  Producer grower = Enroll(kGrower, origo::v1::SECTOR_GOJI);
  AddBase(kGrower, "plot-07", "6971234000019", "plot-07", "中宁枸杞", 2000);
  const std::string gi = R"({"geographicIndication":"中宁枸杞"})";
  ExpectRejected(grower,
                 {Commission("2026-10-01T08:00:00+08:00", Q(kHarvestLot, 1000, "KGM"),
                             "/414/6971234000019/254/plot-99", gi)},
                 grpc::StatusCode::FAILED_PRECONDITION,
                 "ilmd.geographicIndication: gi_claim@2026.1: claims 中宁枸杞 but the "
                 "readPoint/bizLocation is not a registered production base");
  ExpectRejected(grower,
                 {Commission("2026-10-01T08:00:00+08:00", Q(kHarvestLot, 2500, "KGM"),
                             "/414/6971234000019/254/plot-07", gi)},
                 grpc::StatusCode::FAILED_PRECONDITION,
                 "above its recorded annual harvest of 2000");
  ExpectRejected(
      grower,
      {Commission("2026-10-01T08:00:00+08:00", Q(kHarvestLot, 1000, "KGM"),
                  "/414/6971234000019/254/plot-07", R"({"geographicIndication":"贺兰山东麓"})")},
      grpc::StatusCode::FAILED_PRECONDITION, "gi_claim@2026.1: claims 贺兰山东麓");
  ExpectAccepted(grower, {Commission("2026-10-01T08:00:00+08:00", Q(kHarvestLot, 1000, "KGM"),
                                     "/414/6971234000019/254/plot-07", gi)});
  // Downstream: the wider zone (宁夏枸杞) may be claimed; a lot from outside the zone may not.
  ExpectAccepted(grower, {Transform("2026-10-03T08:00:00+08:00", "urn:origo:bizstep:drying",
                                    Q(kHarvestLot, 1000, "KGM"), Q(kDriedLot, 240, "KGM"),
                                    R"({"geographicIndication":"宁夏枸杞"})")});
  ExpectAccepted(
      grower, {Commission("2026-10-01T08:00:00+08:00", Q("/01/06971234000101/10/OTHER", 500, "KGM"),
                          "/414/6971234000019")});
  ExpectRejected(grower,
                 {Transform("2026-10-03T08:00:00+08:00", "urn:origo:bizstep:drying",
                            Q("/01/06971234000101/10/OTHER", 500, "KGM"),
                            Q("/01/06971234000279/10/OTHER-D", 100, "KGM"), gi)},
                 grpc::StatusCode::FAILED_PRECONDITION,
                 "gi_claim@2026.1: claims 中宁枸杞 but not every input");
}

TEST_F(ProvenanceTest, HalalSlaughterNeedsCertificateSlaughtererAndAnteMortem) {
  Producer abattoir = Enroll(kAbattoir, origo::v1::SECTOR_HALAL);
  const std::string live = "/01/06971237000108/10/LAMB-1001";
  const std::string carcass = "/01/06971237000115/10/CC-1001";
  const std::string pork = "/01/06971237000139/10/OTHER-1";
  const std::string step = "urn:origo:bizstep:halal_slaughter";
  const std::string who = R"({"slaughtererId":"HS-0042"})";
  ExpectAccepted(abattoir, {Commission("2026-10-01T08:00:00+08:00", Q(live, 1000, "KGM"),
                                       "/414/6971237000016")});
  const std::string slaughter = Transform("2026-10-02T08:00:00+08:00", step, Q(live, 1000, "KGM"),
                                          Q(carcass, 520, "KGM"), who);
  ExpectRejected(abattoir, {slaughter}, grpc::StatusCode::FAILED_PRECONDITION,
                 "event 0: bizStep: halal@2026.1: halal slaughter by " + std::string(kAbattoir) +
                     " without a halal certificate valid on 2026-10-02");
  origo::v1::AddCertificateRequest cert;
  cert.mutable_certificate()->set_usci(kAbattoir);
  cert.mutable_certificate()->set_certificate_id("HALAL-NX-2026-001");
  cert.mutable_certificate()->set_type("halal");
  cert.mutable_certificate()->set_issuer("Ningxia Islamic Association");
  cert.mutable_certificate()->set_valid_from("2026-01-01");
  cert.mutable_certificate()->set_valid_to("2026-12-31");
  origo::v1::AddCertificateResponse added;
  ASSERT_TRUE(registry_->AddCertificate(Context(regulator_).get(), cert, &added).ok());
  ExpectRejected(
      abattoir,
      {Transform("2026-10-02T08:00:00+08:00", step, Q(live, 1000, "KGM"), Q(carcass, 520, "KGM"))},
      grpc::StatusCode::FAILED_PRECONDITION, "ilmd.slaughtererId: halal@2026.1");
  ExpectRejected(abattoir, {slaughter}, grpc::StatusCode::FAILED_PRECONDITION,
                 "inputQuantityList[0].epcClass: halal@2026.1: no ante-mortem inspection");
  ExpectAccepted(abattoir, {Observe("2026-10-01T18:00:00+08:00", "inspecting", Q(live, 1000, "KGM"),
                                    "conformant"),
                            slaughter});
  // Mixing the halal carcass with a non-halal lot is rejected.
  ExpectAccepted(abattoir, {Commission("2026-10-01T08:00:00+08:00", Q(pork, 100, "KGM"),
                                       "/414/6971237000016")});
  ExpectRejected(abattoir,
                 {Transform("2026-10-03T08:00:00+08:00", "urn:origo:bizstep:cutting",
                            Q(carcass, 500, "KGM") + "," + Q(pork, 100, "KGM"),
                            Q("/01/06971237000122/10/CUT-1", 580, "KGM"))},
                 grpc::StatusCode::FAILED_PRECONDITION,
                 "inputQuantityList[1].epcClass: halal@2026.1: mixes non-halal");
  ExpectAccepted(abattoir,
                 {Transform("2026-10-03T08:00:00+08:00", "urn:origo:bizstep:cutting",
                            Q(carcass, 500, "KGM"), Q("/01/06971237000122/10/CUT-1", 480, "KGM"))});
  origo::v1::GetLotRequest lot;
  lot.set_id("/01/06971237000122/10/CUT-1");
  origo::v1::GetLotResponse got;
  ASSERT_TRUE(provenance_->GetLot(Context().get(), lot, &got).ok());
  EXPECT_TRUE(got.lot().halal());
}

TEST_F(ProvenanceTest, GojiExportNeedsAConformantResidueInspection) {
  Producer grower = Enroll(kGrower, origo::v1::SECTOR_GOJI);
  ExpectAccepted(grower, {Commission("2026-10-01T08:00:00+08:00", Q(kHarvestLot, 1000, "KGM"),
                                     "/414/6971234000019"),
                          Transform("2026-10-03T08:00:00+08:00", "urn:origo:bizstep:drying",
                                    Q(kHarvestLot, 1000, "KGM"), Q(kDriedLot, 240, "KGM"))});
  const std::string export_event =
      Observe("2026-10-05T08:00:00+08:00", "shipping", Q(kDriedLot, 240, "KGM"), "in_transit",
              R"(,"destinationList":[{"type":"location","destination":"urn:origo:place:AE-DXB"}])");
  ExpectRejected(
      grower, {export_event}, grpc::StatusCode::FAILED_PRECONDITION,
      "event 0: quantityList[0].epcClass: goji_export@2026.1: export of " + std::string(kDriedLot));
  // A conformant residue inspection on the ancestor lets the export through. The inspection is
  // the credit service's: a server-signed record in the grower's archive.
  origo::v1::RecordInspectionRequest inspection;
  inspection.set_lot(kHarvestLot);
  auto* item = inspection.add_items();
  item->set_name("chlorpyrifos");
  item->set_measured(0.01);
  origo::v1::RecordInspectionResponse recorded;
  EXPECT_EQ(provenance_->RecordInspection(Context(grower.token).get(), inspection, &recorded)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(provenance_->RecordInspection(Context(regulator_).get(), inspection, &recorded).ok());
  EXPECT_TRUE(recorded.inspection().conformant());
  EXPECT_EQ(recorded.inspection().kind(), "pesticide_residue");
  EXPECT_EQ(recorded.inspection().enterprise(), kGrower);
  ExpectAccepted(grower, {export_event});
  origo::v1::GetCreditProfileResponse profile = Profile(kGrower);
  ASSERT_EQ(profile.entries_size(), 1);
  EXPECT_EQ(profile.entries(0).record_id(), recorded.inspection().id());
  EXPECT_EQ(profile.entries(0).record().inspection().lot(), kHarvestLot);

  // A residue over the GB 2763 limit fails the lot, lists the grower (a failed safety item) and
  // so stops its next export; the consumer view of the lot shows both.
  inspection.set_lot(kDriedLot);
  item->set_measured(0.5);
  ASSERT_TRUE(provenance_->RecordInspection(Context(regulator_).get(), inspection, &recorded).ok());
  EXPECT_FALSE(recorded.inspection().conformant());
  origo::v1::GetLotRequest lot;
  lot.set_id(kDriedLot);
  origo::v1::GetLotResponse got;
  ASSERT_TRUE(provenance_->GetLot(Context().get(), lot, &got).ok());
  EXPECT_TRUE(got.lot().blacklisted_producer());
  ASSERT_EQ(got.lot().inspections_size(), 1);
  EXPECT_FALSE(got.lot().inspections(0).conformant());
  ExpectRejected(
      grower,
      {Observe("2026-10-06T08:00:00+08:00", "shipping", Q(kDriedLot, 240, "KGM"), "in_transit",
               R"(,"destinationList":[{"type":"location",)"
               R"("destination":"urn:origo:place:AE-DXB"}])")},
      grpc::StatusCode::FAILED_PRECONDITION, "export shipping refused");
}

TEST_F(ProvenanceTest, TraceabilityCompletenessCountsLotsThatReachARegisteredBase) {
  Producer grower = Enroll(kGrower, origo::v1::SECTOR_GOJI);
  Producer exporter = Enroll(kExporter, origo::v1::SECTOR_GOJI);
  CaptureGojiChain(grower, exporter);
  auto completeness = [&]() {
    origo::v1::GetRatingRequest request;
    request.set_usci(kGrower);
    origo::v1::GetRatingResponse response;
    grpc::Status s = credit_->GetRating(Context(regulator_).get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::map<std::string, std::string> inputs;
    for (const auto& indicator : response.rating().indicators()) {
      if (indicator.name() != "traceability completeness") continue;
      for (const auto& input : indicator.inputs()) inputs[input.name()] = input.value();
    }
    return inputs;
  };
  auto before = completeness();
  ASSERT_TRUE(before.count("lots with a full chain")) << before["lots"];
  EXPECT_EQ(before["lots"], before["lots with a full chain"]);
  EXPECT_EQ(before["completeness"], "100.00%");
  // A lot commissioned away from any registered base has no full chain.
  ExpectAccepted(grower,
                 {Commission("2026-10-01T08:00:00+08:00",
                             Q("/01/06971234000101/10/NOBASE", 100, "KGM"), "/414/6971234000019")});
  auto after = completeness();
  EXPECT_EQ(std::stoi(after["lots"]), std::stoi(before["lots"]) + 1);
  EXPECT_EQ(after["lots with a full chain"], before["lots with a full chain"]);
}

TEST_F(ProvenanceTest, WineVintageAndVarietyClaimsNeedTheBlendBehindThem) {
  Producer winery = Enroll(kWinery, origo::v1::SECTOR_WINE);
  const std::string a = "/01/06971236000123/10/W25-CS", b = "/01/06971236000123/10/W24-ML";
  ExpectAccepted(winery,
                 {Commission("2026-03-01T08:00:00+08:00", Q(a, 8000, "LTR"), "/414/6971236000017",
                             R"({"vintage":"2025","variety":"Cabernet Sauvignon"})"),
                  Commission("2026-03-01T08:00:00+08:00", Q(b, 4000, "LTR"), "/414/6971236000017",
                             R"({"vintage":"2024","variety":"Merlot"})")});
  const std::string claim = R"({"vintage":"2025","variety":"Cabernet Sauvignon"})";
  ExpectRejected(winery,
                 {Transform("2026-04-01T08:00:00+08:00", "urn:origo:bizstep:blending",
                            Q(a, 7000, "LTR") + "," + Q(b, 3000, "LTR"),
                            Q("/01/06971236000130/10/BL-1", 10000, "LTR"), claim)},
                 grpc::StatusCode::FAILED_PRECONDITION,
                 "ilmd.vintage: wine_claim@2026.1: claims vintage 2025 but only 70% of the input "
                 "volume");
  ExpectRejected(winery,
                 {Transform("2026-04-01T08:00:00+08:00", "urn:origo:bizstep:blending",
                            Q(a, 8000, "LTR") + "," + Q(b, 2000, "LTR"),
                            Q("/01/06971236000130/10/BL-1", 10000, "LTR"),
                            R"({"vintage":"2025","variety":"Merlot"})")},
                 grpc::StatusCode::FAILED_PRECONDITION, "ilmd.variety: wine_claim@2026.1");
  ExpectAccepted(winery, {Transform("2026-04-01T08:00:00+08:00", "urn:origo:bizstep:blending",
                                    Q(a, 8000, "LTR") + "," + Q(b, 2000, "LTR"),
                                    Q("/01/06971236000130/10/BL-1", 10000, "LTR"), claim)});
}

TEST_F(ProvenanceTest, QueryEventsFiltersAndPagesStayStableUnderWrites) {
  Producer grower = Enroll(kGrower, origo::v1::SECTOR_GOJI);
  std::vector<std::string> events;
  for (int i = 0; i < 5; ++i) {
    events.push_back(Commission("2026-10-0" + std::to_string(i + 1) + "T08:00:00+08:00",
                                Q("/01/06971234000101/10/L" + std::to_string(i), 10, "KGM"),
                                "/414/6971234000019"));
  }
  ExpectAccepted(grower, events);
  origo::v1::QueryEventsRequest request;
  request.set_biz_step("commissioning");
  request.set_page_size(2);
  origo::v1::QueryEventsResponse page;
  ASSERT_TRUE(provenance_->QueryEvents(Context().get(), request, &page).ok());
  ASSERT_EQ(page.events_size(), 2);
  EXPECT_EQ(page.events(0).index(), 0u);
  EXPECT_EQ(page.events(0).enterprise(), kGrower);
  ASSERT_FALSE(page.next_page_token().empty());
  // Writes between pages do not shift what the next page returns.
  ExpectAccepted(grower,
                 {Commission("2026-10-09T08:00:00+08:00", Q("/01/06971234000101/10/L9", 10, "KGM"),
                             "/414/6971234000019")});
  std::vector<uint64_t> seen = {page.events(0).index(), page.events(1).index()};
  while (!page.next_page_token().empty()) {
    request.set_page_token(page.next_page_token());
    ASSERT_TRUE(provenance_->QueryEvents(Context().get(), request, &page).ok());
    for (const auto& e : page.events()) seen.push_back(e.index());
  }
  EXPECT_EQ(seen, (std::vector<uint64_t>{0, 1, 2, 3, 4, 5}));
  // Exact EPC match and event-time range.
  origo::v1::QueryEventsRequest by_epc;
  by_epc.add_match_any_epc("https://id.gs1.org/01/06971234000101/10/L3");
  ASSERT_TRUE(provenance_->QueryEvents(Context().get(), by_epc, &page).ok());
  ASSERT_EQ(page.events_size(), 1);
  EXPECT_EQ(page.events(0).index(), 3u);
  origo::v1::QueryEventsRequest by_time;
  by_time.set_ge_event_time("2026-10-02T00:00:00+08:00");
  by_time.set_lt_event_time("2026-10-04T00:00:00+08:00");
  ASSERT_TRUE(provenance_->QueryEvents(Context().get(), by_time, &page).ok());
  EXPECT_EQ(page.events_size(), 2);
  by_time.set_ge_event_time("yesterday");
  EXPECT_EQ(provenance_->QueryEvents(Context().get(), by_time, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ProvenanceTest, QueryEventsByEnterpriseDispositionAndPlaceFollowTheIndex) {
  Producer grower = Enroll(kGrower, origo::v1::SECTOR_GOJI);
  Producer winery = Enroll(kWinery, origo::v1::SECTOR_WINE);
  auto lot = [](const std::string& name) { return "/01/06971234000101/10/" + name; };
  ExpectAccepted(grower, {Commission("2026-10-01T08:00:00+08:00", Q(lot("G0"), 10, "KGM"),
                                     "/414/6971234000019")});  // index 0
  std::vector<std::string> wine;
  for (int i = 0; i < 4; ++i) {
    wine.push_back(Commission("2026-10-02T08:00:00+08:00",
                              Q("/01/06971236000123/10/W" + std::to_string(i), 10, "LTR"),
                              "/414/6971236000017"));
  }
  ExpectAccepted(winery, wine);  // indexes 1-4
  ExpectAccepted(grower, {Commission("2026-10-03T08:00:00+08:00", Q(lot("G1"), 10, "KGM"),
                                     "/414/6971234000019"),
                          Observe("2026-10-04T08:00:00+08:00", "storing", Q(lot("G1"), 10, "KGM"),
                                  "non_sellable_other")});  // indexes 5, 6

  origo::v1::QueryEventsRequest request;
  request.set_enterprise(kGrower);
  request.set_page_size(1);
  origo::v1::QueryEventsResponse page;
  ASSERT_TRUE(provenance_->QueryEvents(Context().get(), request, &page).ok());
  ASSERT_EQ(page.events_size(), 1);
  EXPECT_EQ(page.events(0).index(), 0u);
  // The token names the grower's next event, past the winery's four: the query followed the
  // enterprise index instead of reading the log in between.
  EXPECT_EQ(page.next_page_token(), "e5");
  std::vector<uint64_t> seen{page.events(0).index()};
  while (!page.next_page_token().empty()) {
    request.set_page_token(page.next_page_token());
    ASSERT_TRUE(provenance_->QueryEvents(Context().get(), request, &page).ok());
    for (const auto& e : page.events()) seen.push_back(e.index());
  }
  EXPECT_EQ(seen, (std::vector<uint64_t>{0, 5, 6}));

  origo::v1::QueryEventsRequest held;
  held.set_disposition("non_sellable_other");
  ASSERT_TRUE(provenance_->QueryEvents(Context().get(), held, &page).ok());
  ASSERT_EQ(page.events_size(), 1);
  EXPECT_EQ(page.events(0).index(), 6u);
  EXPECT_EQ(page.events(0).event().biz_step(), "storing");

  origo::v1::QueryEventsRequest at_winery;
  at_winery.set_read_point("https://id.gs1.org/414/6971236000017");
  at_winery.set_biz_step("commissioning");
  at_winery.set_page_size(3);
  ASSERT_TRUE(provenance_->QueryEvents(Context().get(), at_winery, &page).ok());
  ASSERT_EQ(page.events_size(), 3);
  EXPECT_EQ(page.events(0).index(), 1u);
  EXPECT_EQ(page.events(0).enterprise(), kWinery);
  EXPECT_EQ(page.next_page_token(), "e4");
}

}  // namespace
}  // namespace origo
