// The consumer QR lookup over real HTTP: a real server on 127.0.0.1:0 with the demo data loaded
// through the public gRPC API, fetched with httplib::Client as a phone's browser would.

#include "services/resolver/resolver.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/client.h"
#include "clients/credit_client.h"
#include "core/batch/batch.h"
#include "core/checkpoint/checkpoint.h"
#include "core/crypto/hash.h"
#include "core/merkle/merkle.h"
#include "core/usci/usci.h"
#include "services/server/config.h"
#include "services/server/demo.h"
#include "services/server/server.h"
#include "storage/scan_counter.h"
#include "tests/server_util.h"
#include "tests/test_util.h"

namespace origo::resolver {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;
using origo::testing::NowMs;
using origo::testing::TempDir;

constexpr char kWinery[] = "91640100MA78WN1W25";
constexpr uint32_t kScanThreshold = 3;

Struct ParseJson(const std::string& body) {
  Struct s;
  auto status = google::protobuf::util::JsonStringToMessage(body, &s);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << body;
  return s;
}

bool Has(const std::string& body, const std::string& text) {
  return body.find(text) != std::string::npos;
}

// The text between `open` and the next `close` after it; empty when absent.
std::string Between(const std::string& body, const std::string& open, const std::string& close) {
  size_t start = body.find(open);
  if (start == std::string::npos) return "";
  start += open.size();
  size_t end = body.find(close, start);
  return end == std::string::npos ? "" : body.substr(start, end - start);
}

class ResolverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    origo::v1::Config config;
    config.set_data_dir(dir_->Sub("data"));
    config.mutable_resolver()->set_scan_warning_threshold(kScanThreshold);
    auto server = origo::testing::StartLocalServer(config);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
    auto loaded = server::LoadDemo(server_->grpc_address(), config.data_dir());
    ASSERT_TRUE(loaded.ok()) << loaded.status();
  }
  static void TearDownTestSuite() {
    if (server_ != nullptr) {
      EXPECT_TRUE(server_->Shutdown().ok());
    }
    delete server_;
    server_ = nullptr;
    delete dir_;
  }

  std::unique_ptr<httplib::Client> Http() {
    auto client = std::make_unique<httplib::Client>("127.0.0.1", server_->http_port());
    client->set_read_timeout(30, 0);
    return client;
  }

  static server::Server* server_;
  static TempDir* dir_;
};

server::Server* ResolverTest::server_ = nullptr;
TempDir* ResolverTest::dir_ = nullptr;

TEST_F(ResolverTest, BottlePageShowsOriginProducerGradeAndTimelineInChinese) {
  auto res = Http()->Get(server::kDemoBottle, {{"Host", "qr.example.cn"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  const std::string& html = res->body;
  EXPECT_TRUE(Has(html, "<html lang=\"zh-CN\"")) << html.substr(0, 200);
  EXPECT_TRUE(Has(html, "贺兰山东麓酒庄 Helan Mountain winery"));  // producer
  EXPECT_TRUE(Has(html, "质量信用等级"));
  EXPECT_TRUE(std::regex_search(html, std::regex("class=\"grade g-(AAA|AA|A|B|C)\"")))
      << "a graded producer";
  EXPECT_TRUE(Has(html, "Vineyard block A3"));         // production base
  EXPECT_TRUE(Has(html, "Helan, Yinchuan, Ningxia"));  // region
  EXPECT_TRUE(Has(html, "<dd>2025</dd>"));             // vintage
  EXPECT_TRUE(Has(html, "贺兰山东麓"));                // geographic indication
  EXPECT_TRUE(Has(html, "破碎压榨"));                  // crushing, in plain words
  EXPECT_TRUE(Has(html, "装瓶"));                      // bottling
  EXPECT_TRUE(Has(html, "发货"));  // the case's export shipping reaches the bottle's page
  EXPECT_TRUE(Has(html, "<p id=\"verify-status\" data-state=\"pending\">正在验证…</p>"));
  EXPECT_TRUE(Has(html, "<script src=\"/static/verify.js\" defer></script>"));
  EXPECT_TRUE(Has(html, "data-proofs=\"/api/v1/proofs/01/06971236000147/21/HL25-0007\""));
  EXPECT_TRUE(Has(html, "href=\"/01/06971236000147/21/HL25-0007?lang=en\""));
  // Closed network: no external fonts, scripts or styles.
  EXPECT_FALSE(Has(html, "src=\"http"));
  EXPECT_FALSE(Has(html, "<link rel=\"stylesheet\""));
  EXPECT_FALSE(Has(html, "@import"));
  auto js = Http()->Get("/static/verify.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_LT(html.size() + js->body.size(), 100u * 1024) << "page and script budget";

  // Every timeline entry names its event.
  std::regex event_attr("data-event-id=\"([0-9a-f]{64})\"");
  size_t entries = std::distance(std::sregex_iterator(html.begin(), html.end(), event_attr),
                                 std::sregex_iterator());
  EXPECT_GE(entries, 10u) << "harvest ... bottling, packing, shipping";
  // The log key the browser checks against.
  Struct log =
      ParseJson(Between(html, "<script type=\"application/json\" id=\"origo-log\">", "</script>"));
  EXPECT_EQ(log.fields().at("origin").string_value(), server_->config().log().origin());
  EXPECT_EQ(log.fields().at("vkey").string_value().rfind(server_->config().log().origin() + "+", 0),
            0u);
}

TEST_F(ResolverTest, EnglishSwitchLinksBack) {
  auto res = Http()->Get(std::string(server::kDemoBottle) + "?lang=en");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_TRUE(Has(res->body, "<html lang=\"en\""));
  EXPECT_TRUE(Has(res->body, "Quality-credit grade"));
  EXPECT_TRUE(Has(res->body, "From origin to you"));
  EXPECT_TRUE(Has(res->body, "Verifying…"));
  EXPECT_TRUE(Has(res->body, "Crushed"));
  EXPECT_TRUE(Has(res->body, "href=\"/01/06971236000147/21/HL25-0007?lang=zh\""));
}

TEST_F(ResolverTest, HalalCutsShowCertificateValidityAndNoColdChainBreach) {
  auto res = Http()->Get(server::kDemoHalalCuts);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_TRUE(Has(res->body, "data-cert-type=\"halal\""));
  EXPECT_TRUE(Has(res->body, "HALAL-NX-2026-017"));
  EXPECT_TRUE(Has(res->body, "宁夏伊斯兰教协会"));  // issuer
  EXPECT_TRUE(Has(res->body, "2026-01-01 – 2026-12-31"));
  EXPECT_TRUE(Has(res->body, "清真屠宰"));
  EXPECT_TRUE(Has(res->body, "Yanchi"));  // origin: the farm
  // The demo's cold chain stays at 2.5-3.4 °C: no breach warning.
  EXPECT_FALSE(Has(res->body, "data-warning=\"cold_chain\""));
}

TEST_F(ResolverTest, GojiBagShowsResidueInspectionOfItsLot) {
  auto res = Http()->Get("/01/06971234000415/21/ZN26C0001");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_TRUE(Has(res->body, "Ningxia Quality Inspection Institute"));
  EXPECT_TRUE(Has(res->body, "imidacloprid"));
  EXPECT_TRUE(Has(res->body, "中宁枸杞"));
  EXPECT_TRUE(Has(res->body, "Zhongning, Ningxia"));
  EXPECT_FALSE(Has(res->body, "role=\"alert\"")) << "a clean chain shows no warning";
}

TEST_F(ResolverTest, JsonForAcceptApplicationJson) {
  auto res = Http()->Get(server::kDemoGojiHarvest, {{"Accept", "application/json"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(res->get_header_value("Vary"), "Accept");
  Struct page = ParseJson(res->body);
  EXPECT_EQ(page.fields().at("id").string_value(), server::kDemoGojiHarvest);
  EXPECT_EQ(page.fields().at("kind").string_value(), "lot");
  const auto& producer = page.fields().at("producer").struct_value().fields();
  EXPECT_EQ(producer.at("usci").string_value(), "91640521MA76GJ0Q1B");
  EXPECT_FALSE(producer.at("grade").string_value().empty());
  const auto& origin = page.fields().at("origin").struct_value().fields();
  EXPECT_EQ(origin.at("harvest_date").string_value(), "2026-08-20");
  EXPECT_GE(page.fields().at("timeline").list_value().values_size(), 1);

  // The API form is the same JSON.
  auto api = Http()->Get(std::string("/api/v1") + server::kDemoGojiHarvest);
  ASSERT_TRUE(api);
  ASSERT_EQ(api->status, 200);
  EXPECT_EQ(ParseJson(api->body).fields().at("id").string_value(), server::kDemoGojiHarvest);
}

TEST_F(ResolverTest, LinksetForLinkTypeAll) {
  auto res =
      Http()->Get(std::string(server::kDemoBottle) + "?linkType=all", {{"Host", "qr.example.cn"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/linkset+json");
  Struct linkset = ParseJson(res->body);
  const auto& set = linkset.fields().at("linkset").list_value();
  ASSERT_EQ(set.values_size(), 1);
  const auto& links = set.values(0).struct_value().fields();
  EXPECT_EQ(links.at("anchor").string_value(),
            std::string("http://qr.example.cn") + server::kDemoBottle);
  for (const char* type : {"pip", "traceability", "certificationInfo", "verificationService"}) {
    ASSERT_TRUE(links.count(std::string("https://gs1.org/voc/") + type)) << type;
    const auto& targets = links.at(std::string("https://gs1.org/voc/") + type).list_value();
    ASSERT_GE(targets.values_size(), 1);
    EXPECT_EQ(targets.values(0).struct_value().fields().at("href").string_value().rfind(
                  "http://qr.example.cn/", 0),
              0u);
  }
  // One link type: a redirect to it.
  auto one = Http()->Get(std::string(server::kDemoBottle) + "?linkType=gs1:verificationService");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->status, 307);
  EXPECT_TRUE(
      Has(one->get_header_value("Location"), std::string("/api/v1/proofs") + server::kDemoBottle));
}

TEST_F(ResolverTest, WellKnownDescribesTheResolver) {
  auto res = Http()->Get("/.well-known/gs1resolver", {{"Host", "qr.example.cn"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  Struct about = ParseJson(res->body);
  EXPECT_EQ(about.fields().at("resolverRoot").string_value(), "http://qr.example.cn");
  EXPECT_EQ(about.fields().at("supportedPrimaryKeys").list_value().values(0).string_value(),
            "gtin");
  EXPECT_EQ(about.fields().at("supportedLinkTypes").list_value().values_size(), 4);
}

TEST_F(ResolverTest, UnknownLotGets404PageThatHelps) {
  auto res = Http()->Get("/01/06971236000147/10/NO-SUCH-LOT");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_TRUE(Has(res->body, "<dd>06971236000147</dd>"));
  EXPECT_TRUE(Has(res->body, "<dd>NO-SUCH-LOT</dd>"));
  EXPECT_TRUE(Has(res->body, "12315"));
  EXPECT_TRUE(Has(res->body, "二维码下方印刷的文字"));

  // The raw target is parsed: an encoded "/" stays inside the lot, and is shown decoded.
  auto encoded = Http()->Get("/01/06971236000147/10/A%2FB");
  ASSERT_TRUE(encoded);
  EXPECT_EQ(encoded->status, 404);
  EXPECT_TRUE(Has(encoded->body, "<dd>A/B</dd>")) << encoded->body;

  auto json = Http()->Get("/01/06971236000147/10/NO-SUCH-LOT", {{"Accept", "application/json"}});
  ASSERT_TRUE(json);
  EXPECT_EQ(json->status, 404);
  EXPECT_EQ(
      ParseJson(json->body).fields().at("error").struct_value().fields().at("code").string_value(),
      "NOT_FOUND");
}

TEST_F(ResolverTest, MalformedPathGets400NamingTheSegment) {
  auto bad_digit = Http()->Get("/01/06971236000148/10/HL25");
  ASSERT_TRUE(bad_digit);
  EXPECT_EQ(bad_digit->status, 400);
  EXPECT_TRUE(Has(Between(bad_digit->body, "<code id=\"problem\">", "</code>"), "AI 01"))
      << bad_digit->body;
  EXPECT_TRUE(Has(bad_digit->body, "check digit"));

  auto bad_lot = Http()->Get("/01/06971236000147/10/THIS-LOT-IS-FAR-TOO-LONG-FOR-AI-10");
  ASSERT_TRUE(bad_lot);
  EXPECT_EQ(bad_lot->status, 400);
  EXPECT_TRUE(Has(bad_lot->body, "AI 10")) << bad_lot->body;

  auto no_lot = Http()->Get("/01/06971236000147");
  ASSERT_TRUE(no_lot);
  EXPECT_EQ(no_lot->status, 400);
  EXPECT_TRUE(Has(no_lot->body, "/10/{lot}")) << no_lot->body;

  auto json = Http()->Get("/01/06971236000148/10/HL25", {{"Accept", "application/json"}});
  ASSERT_TRUE(json);
  EXPECT_EQ(json->status, 400);
  EXPECT_TRUE(Has(ParseJson(json->body)
                      .fields()
                      .at("error")
                      .struct_value()
                      .fields()
                      .at("message")
                      .string_value(),
                  "AI 01"));
}

TEST_F(ResolverTest, EnterpriseCreditPageAndPublicBlacklist) {
  auto res = Http()->Get(std::string("/enterprise/") + kWinery);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_TRUE(Has(res->body, "贺兰山东麓酒庄 Helan Mountain winery"));
  EXPECT_TRUE(std::regex_search(res->body, std::regex("class=\"grade g-[A-D]+\"")));
  EXPECT_TRUE(Has(res->body, "分级分类监管类别"));
  EXPECT_TRUE(Has(res->body, "data-listed=\"false\""));

  auto json = Http()->Get(std::string("/api/v1/enterprises/") + kWinery);
  ASSERT_TRUE(json);
  ASSERT_EQ(json->status, 200);
  Struct e = ParseJson(json->body);
  EXPECT_FALSE(e.fields().at("grade").string_value().empty());
  EXPECT_FALSE(e.fields().at("blacklisted").bool_value());

  auto bad = Http()->Get("/enterprise/91640100MA78WN1W26");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400) << "a USCI with a wrong check character";

  auto list = Http()->Get("/blacklist");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200);
  EXPECT_TRUE(Has(list->body, "质量失信黑名单"));
  EXPECT_TRUE(Has(list->body, "id=\"empty\"")) << "the demo lists no one";
  auto list_json = Http()->Get("/api/v1/blacklist");
  ASSERT_TRUE(list_json);
  EXPECT_EQ(ParseJson(list_json->body).fields().at("entries").list_value().values_size(), 0);
}

TEST_F(ResolverTest, FeedbackIsAcceptedThenRateLimited) {
  const std::string path = std::string(server::kDemoHalalCuts) + "/feedback";
  auto bad = Http()->Post(path, "rating=9&comment=x", "application/x-www-form-urlencoded");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_TRUE(Has(bad->body, "rating")) << bad->body;

  auto first = Http()->Post(path, "rating=5&comment=%E5%BE%88%E5%A5%BD&lang=en",
                            "application/x-www-form-urlencoded");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 303) << first->body;
  EXPECT_EQ(first->get_header_value("Location"),
            std::string(server::kDemoHalalCuts) + "?feedback=thanks&lang=en");
  auto thanks = Http()->Get(first->get_header_value("Location"));
  ASSERT_TRUE(thanks);
  EXPECT_TRUE(Has(thanks->body, "Thank you for your feedback"));

  // The credit service's limiter: 10 per address per hour by default.
  int accepted = 1;
  std::shared_ptr<httplib::Response> limited;
  for (int i = 0; i < 20 && !limited; ++i) {
    auto res = Http()->Post(path, "rating=4", "application/x-www-form-urlencoded");
    ASSERT_TRUE(res);
    if (res->status == 429) {
      limited = std::make_shared<httplib::Response>(*res);
    } else {
      EXPECT_EQ(res->status, 303);
      ++accepted;
    }
  }
  ASSERT_TRUE(limited) << "never limited";
  EXPECT_EQ(accepted, 10);
  int retry_after = std::atoi(limited->get_header_value("Retry-After").c_str());
  EXPECT_GT(retry_after, 0);
  EXPECT_TRUE(Has(limited->body, "提交太频繁"));
}

TEST_F(ResolverTest, ScansOfASerialAreCountedAndTooManyWarn) {
  const std::string bottle = "/01/06971236000147/21/HL25-0003";
  for (uint32_t n = 1; n <= kScanThreshold; ++n) {
    auto res = Http()->Get(bottle);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200);
    EXPECT_TRUE(Has(res->body, "data-count=\"" + std::to_string(n) + "\"")) << n;
    EXPECT_TRUE(Has(res->body, "首次扫描于 ")) << n;
    EXPECT_FALSE(Has(res->body, "data-warning=\"scans\"")) << n;
  }
  auto res = Http()->Get(bottle + "?lang=en");
  ASSERT_TRUE(res);
  EXPECT_TRUE(Has(res->body, "data-count=\"" + std::to_string(kScanThreshold + 1) + "\""));
  EXPECT_TRUE(Has(res->body, "First scanned on "));
  EXPECT_TRUE(Has(res->body, "data-warning=\"scans\""));
  EXPECT_TRUE(Has(res->body, "the code may have been copied"));
  // Lots are not items: no scan line.
  auto lot = Http()->Get(server::kDemoHalalCuts);
  ASSERT_TRUE(lot);
  EXPECT_FALSE(Has(lot->body, "id=\"scans\""));
  // The proofs and API reads do not count as scans.
  ASSERT_TRUE(Http()->Get("/api/v1" + bottle));
  auto again = Http()->Get(bottle, {{"Accept", "application/json"}});
  ASSERT_TRUE(again);
  Struct json = ParseJson(again->body);
  const auto& scans = json.fields().at("scans").struct_value().fields();
  EXPECT_EQ(scans.at("count").number_value(), kScanThreshold + 2.0)
      << "the JSON page view counts; the API read does not";
}

TEST_F(ResolverTest, ProofBundleVerifiesWithTheCppVerifier) {
  auto page = Http()->Get(server::kDemoBottle);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  Struct log = ParseJson(
      Between(page->body, "<script type=\"application/json\" id=\"origo-log\">", "</script>"));
  auto verifier = checkpoint::NoteVerifier::FromVkey(log.fields().at("vkey").string_value());
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  std::set<std::string> page_events;
  std::regex event_attr("data-event-id=\"([0-9a-f]{64})\"");
  for (auto it = std::sregex_iterator(page->body.begin(), page->body.end(), event_attr);
       it != std::sregex_iterator(); ++it) {
    page_events.insert((*it)[1]);
  }
  const std::string proofs_path = Between(page->body, "data-proofs=\"", "\"");
  ASSERT_EQ(proofs_path, std::string("/api/v1/proofs") + server::kDemoBottle);

  auto res = Http()->Get(proofs_path);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  Struct bundle = ParseJson(res->body);
  auto checkpoint =
      checkpoint::VerifyCheckpoint(bundle.fields().at("checkpoint").string_value(), *verifier);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  EXPECT_EQ(checkpoint->size,
            static_cast<uint64_t>(bundle.fields().at("tree_size").number_value()));
  merkle::Hash root;
  std::copy(checkpoint->root.begin(), checkpoint->root.end(), root.begin());
  EXPECT_FALSE(bundle.fields().count("pending")) << "the demo is long checkpointed";

  std::set<std::string> proved;
  for (const Value& v : bundle.fields().at("events").list_value().values()) {
    const auto& e = v.struct_value().fields();
    const std::string id = e.at("event_id").string_value();
    auto leaf_bytes = crypto::Base64Decode(e.at("leaf").string_value());
    ASSERT_TRUE(leaf_bytes.ok());
    origo::v1::LogLeaf leaf;
    ASSERT_TRUE(leaf.ParseFromString(*leaf_bytes));
    EXPECT_EQ(batch::EventId(leaf.event()), id) << "the leaf holds the page's event";
    const auto& key = e.at("producer_key").struct_value().fields();
    EXPECT_EQ(key.at("alg").string_value(), "ed25519");
    auto spki = crypto::Base64Decode(key.at("spki").string_value());
    ASSERT_TRUE(spki.ok());
    auto public_key = crypto::PublicKey::FromDer(*spki);
    ASSERT_TRUE(public_key.ok()) << public_key.status();
    EXPECT_TRUE(batch::VerifyLeafEvidence(leaf, *public_key).ok()) << id;
    std::vector<merkle::Hash> path;
    for (const Value& h : e.at("inclusion").list_value().values()) {
      auto raw = crypto::Base64Decode(h.string_value());
      ASSERT_TRUE(raw.ok());
      auto hash = merkle::HashFromBytes(*raw);
      ASSERT_TRUE(hash.ok());
      path.push_back(*hash);
    }
    const auto index = static_cast<uint64_t>(e.at("leaf_index").number_value());
    EXPECT_TRUE(
        merkle::VerifyInclusion(index, checkpoint->size, merkle::LeafHash(*leaf_bytes), path, root)
            .ok())
        << id;
    // A changed leaf no longer proves: the check can fail.
    std::string tampered = *leaf_bytes;
    tampered[tampered.size() / 2] ^= 1;
    EXPECT_FALSE(
        merkle::VerifyInclusion(index, checkpoint->size, merkle::LeafHash(tampered), path, root)
            .ok());
    proved.insert(id);
  }
  EXPECT_EQ(proved, page_events) << "every timeline entry is covered by the bundle";
}

// --- Warnings that cannot be missed: a failed safety inspection (and the blacklisting it
// triggers), a recall and a cold-chain breach, recorded through the public APIs on the demo's
// halal cuts. ---

constexpr char kAbattoir[] = "91640100MA79HL3H4A";
constexpr char kRetailer[] = "91640100MA7BTR5T64";

class ResolverWarningsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    origo::v1::Config config;
    config.set_data_dir(dir_.Sub("data"));
    config.mutable_log()->set_checkpoint_interval_ms(20);
    auto server = origo::testing::StartLocalServer(config);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ASSERT_TRUE(server::LoadDemo(server_->grpc_address(), config.data_dir()).ok());
    regulator_ = origo::testing::BootstrapToken(config.data_dir());
  }
  void TearDown() override {
    if (server_) {
      EXPECT_TRUE(server_->Shutdown().ok());
    }
  }

  client::ClientOptions Options(const std::string& token) {
    client::ClientOptions options;
    options.server = server_->grpc_address();
    options.token = token;
    return options;
  }

  // A key for `usci` (registered by the regulator) and a token of `role`.
  crypto::PrivateKey Key(const std::string& usci) {
    client::Client regulator(Options(regulator_));
    auto key = crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value();
    origo::v1::AddKeyRequest add;
    add.set_usci(usci);
    add.set_public_key_pem(key.Public().ToPem());
    EXPECT_TRUE(regulator.AddKey(add).ok());
    return key;
  }
  std::string Token(origo::v1::Role role, const std::string& usci) {
    client::Client regulator(Options(regulator_));
    origo::v1::CreateTokenRequest request;
    request.set_role(role);
    request.set_usci(usci);
    auto token = regulator.CreateToken(request);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? token->token() : "";
  }

  TempDir dir_;
  std::unique_ptr<server::Server> server_;
  std::string regulator_;
};

TEST_F(ResolverWarningsTest, FailedInspectionBlacklistRecallAndColdChainBreachAreShown) {
  const std::string lab =
      std::string("12640000MB0000001") + usci::ComputeCheckCharacter("12640000MB0000001");
  {
    client::Client regulator(Options(regulator_));
    origo::v1::RegisterEnterpriseRequest reg;
    reg.mutable_enterprise()->set_usci(lab);
    reg.mutable_enterprise()->set_name("宁夏产品质量检验院 Ningxia inspection institute");
    reg.mutable_enterprise()->set_sector(origo::v1::SECTOR_AUTHORITY);
    ASSERT_TRUE(regulator.RegisterEnterprise(reg).ok());
  }
  crypto::PrivateKey lab_key = Key(lab);
  client::Client inspector(Options(Token(origo::v1::ROLE_INSPECTOR, "")));
  client::CreditClient credit(inspector);
  const std::string today = absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone());

  origo::v1::CreditRecord inspection;
  auto* r = inspection.mutable_inspection();
  r->set_enterprise(kAbattoir);
  r->set_lot(server::kDemoHalalCuts);
  r->set_lab("Ningxia Product Quality Inspection Institute");
  r->set_sampling_date(today);
  r->set_report_no("NX-HALAL-0099");
  auto* item = r->add_items();
  item->set_name("clenbuterol");
  item->set_measured(0.8);
  item->set_unit("ug/kg");
  item->set_limit(0.1);
  item->set_safety(true);
  item->set_verdict(origo::v1::VERDICT_FAIL);
  r->set_verdict(origo::v1::VERDICT_FAIL);
  auto recorded =
      credit.RecordInspection(client::SignRecords({inspection}, lab, lab_key, NowMs()).value());
  ASSERT_TRUE(recorded.ok()) << recorded.status();

  origo::v1::CreditRecord recall;
  auto* loss = recall.mutable_quality_loss();
  loss->set_enterprise(kAbattoir);
  loss->set_lot(server::kDemoHalalCuts);
  loss->set_kind(origo::v1::LOSS_KIND_RECALL);
  loss->set_loss_value(12000);
  loss->set_output_value(5000000);
  loss->set_date(today);
  loss->set_description("clenbuterol residue");
  auto recalled =
      credit.RecordQualityLoss(client::SignRecords({recall}, lab, lab_key, NowMs()).value());
  ASSERT_TRUE(recalled.ok()) << recalled.status();

  // The retailer's cold store logs 9.5 °C.
  crypto::PrivateKey retail_key = Key(kRetailer);
  client::Client retailer(Options(Token(origo::v1::ROLE_PRODUCER, kRetailer)));
  const std::string event =
      R"({"type":"ObjectEvent","eventTime":"2026-10-27T15:00:00+08:00",)"
      R"("eventTimeZoneOffset":"+08:00","action":"OBSERVE","bizStep":"storing",)"
      R"("disposition":"sellable_not_accessible","quantityList":[{"epcClass":)"
      R"("https://id.gs1.org/01/06971237000122/10/CUT-2610","quantity":480,"uom":"KGM"}],)"
      R"("readPoint":{"id":"https://id.gs1.org/414/6971238000022"},)"
      R"("bizLocation":{"id":"https://id.gs1.org/414/6971238000022"},"sensorElementList":[)"
      R"({"sensorReport":[{"type":"gs1:Temperature","time":"2026-10-27T15:00:00+08:00",)"
      R"("value":9.5,"uom":"CEL"}]}]})";
  origo::v1::CaptureRequest capture;
  *capture.mutable_batch() = batch::SignBatch({event}, kRetailer, retail_key, NowMs()).value();
  auto captured = retailer.Capture(capture);
  ASSERT_TRUE(captured.ok()) << captured.status();

  httplib::Client http("127.0.0.1", server_->http_port());
  auto res = http.Get(server::kDemoHalalCuts);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const std::string alert = Between(res->body, "<div class=\"warn\" role=\"alert\"", "</div>");
  EXPECT_TRUE(Has(alert, "data-warning=\"failed_inspection\"")) << res->body;
  EXPECT_TRUE(Has(alert, "clenbuterol"));
  EXPECT_TRUE(Has(alert, "data-warning=\"recall\""));
  EXPECT_TRUE(Has(alert, "请勿食用"));
  EXPECT_TRUE(Has(alert, "data-warning=\"cold_chain\""));
  EXPECT_TRUE(Has(alert, "9.5 °C"));
  EXPECT_TRUE(Has(alert, "data-warning=\"blacklist\""))
      << "a failed safety item lists the producer";
  EXPECT_TRUE(Has(res->body, "class=\"grade g-D\""));
  // The alert comes before everything else on the page.
  EXPECT_LT(res->body.find("role=\"alert\""), res->body.find("<h1>"));

  auto list = http.Get("/blacklist?lang=en");
  ASSERT_TRUE(list);
  EXPECT_TRUE(Has(list->body, std::string("data-usci=\"") + kAbattoir + "\"")) << list->body;
  auto page = http.Get(std::string("/enterprise/") + kAbattoir);
  ASSERT_TRUE(page);
  EXPECT_TRUE(Has(page->body, "data-listed=\"true\""));

  // The new event is in the proof bundle (waited for, or listed as pending).
  auto proofs = http.Get(std::string("/api/v1/proofs") + server::kDemoHalalCuts);
  ASSERT_TRUE(proofs);
  ASSERT_EQ(proofs->status, 200) << proofs->body;
  EXPECT_TRUE(Has(proofs->body, batch::EventId(event)));
}

TEST(ScanCounterTest, CountsSurviveReopenAndKeepFirstScan) {
  TempDir dir;
  {
    auto store = storage::Store::Open(dir.Sub("db"));
    ASSERT_TRUE(store.ok()) << store.status();
    storage::ScanCounter counter(store->get());
    ASSERT_TRUE(counter.Record("/01/06971236000147/21/A", 2000).ok());
    ASSERT_TRUE(counter.Record("/01/06971236000147/21/A", 1000).ok());
    ASSERT_TRUE(counter.Record("/01/06971236000147/21/A", 3000).ok());
    ASSERT_TRUE((*store)->Close().ok());
  }
  auto store = storage::Store::Open(dir.Sub("db"));
  ASSERT_TRUE(store.ok()) << store.status();
  storage::ScanCounter counter(store->get());
  auto a = counter.Get("/01/06971236000147/21/A");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->count, 3u);
  EXPECT_EQ(a->first_unix_ms, 1000);
  EXPECT_EQ(a->last_unix_ms, 3000);
  auto none = counter.Get("/01/06971236000147/21/B");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->count, 0u);
}

}  // namespace
}  // namespace origo::resolver
