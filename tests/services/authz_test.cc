// The authorization table, tokens and limits through a real in-process server and real gRPC:
// every method of every service with every role and with none; token list and revoke; rate
// limits with their retry hints; the call-duration bound; protobuf's log under hostile input;
// and thousands of malformed capture requests that must change nothing.

#include "services/server/authz.h"

#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "core/batch/batch.h"
#include "core/crypto/keys.h"
#include "origo/v1/admin.grpc.pb.h"
#include "origo/v1/capture.grpc.pb.h"
#include "origo/v1/credit.grpc.pb.h"
#include "origo/v1/registry.grpc.pb.h"
#include "services/server/call_bounds.h"
#include "services/server/config.h"
#include "services/server/rate_limit.h"
#include "services/server/server.h"
#include "tests/server_util.h"
#include "tests/test_util.h"

namespace origo {
namespace {

using origo::testing::NowMs;
using origo::testing::TempDir;
using server::Role;

constexpr char kGrower[] = "91640521MA76GJ0Q1B";
constexpr char kExporter[] = "91640100MA77XL2X3M";
// Well-formed but never issued.
constexpr char kUnknownToken[] = "origo_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

std::string Event(int n, const std::string& gtin = "06971234000415") {
  return std::string(R"({"type":"ObjectEvent","eventTime":"2026-09-02T09:15:00+08:00",)") +
         R"("eventTimeZoneOffset":"+08:00","action":"ADD","bizStep":"commissioning",)" +
         R"("epcList":["https://id.gs1.org/01/)" + gtin + "/21/S" + std::to_string(n) + R"("]})";
}

// Every "/package.Service/Method" defined in the API's .proto files, read from the generated
// descriptor pool: a new RPC appears here without anyone listing it.
std::vector<std::string> ApiMethods() {
  std::vector<std::string> methods;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(ORIGO_SOURCE_DIR) + "/proto/origo/v1")) {
    if (entry.path().extension() != ".proto") continue;
    const std::string name = "origo/v1/" + entry.path().filename().string();
    const google::protobuf::FileDescriptor* file = pool->FindFileByName(name);
    if (file == nullptr) {
      ADD_FAILURE() << name << " is not in the server's descriptor pool";
      continue;
    }
    for (int s = 0; s < file->service_count(); ++s) {
      const auto* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        methods.push_back("/" + service->full_name() + "/" + service->method(m)->name());
      }
    }
  }
  return methods;
}

class AuthzTest : public ::testing::Test {
 protected:
  void Start(const std::function<void(origo::v1::Config*)>& tweak = nullptr) {
    origo::v1::Config config;
    config.set_data_dir(dir_.Sub("data"));
    config.mutable_log()->set_checkpoint_interval_ms(20);
    if (tweak) tweak(&config);
    auto started = origo::testing::StartLocalServer(config);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
    channel_ = grpc::CreateChannel(server_->grpc_address(), grpc::InsecureChannelCredentials());
    registry_ = origo::v1::RegistryService::NewStub(channel_);
    capture_ = origo::v1::CaptureService::NewStub(channel_);
    log_ = origo::v1::TransparencyService::NewStub(channel_);
    regulator_ = ReadFile(dir_.Sub("data/bootstrap-token"));
  }

  std::unique_ptr<grpc::ClientContext> Context(
      const std::string& token, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + timeout);
    if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
    return context;
  }

  void Register(const std::string& usci) {
    origo::v1::RegisterEnterpriseRequest reg;
    reg.mutable_enterprise()->set_usci(usci);
    reg.mutable_enterprise()->set_name("enterprise " + usci);
    reg.mutable_enterprise()->set_sector(origo::v1::SECTOR_GOJI);
    origo::v1::RegisterEnterpriseResponse out;
    grpc::Status status = registry_->RegisterEnterprise(Context(regulator_).get(), reg, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  crypto::PrivateKey AddKey(const std::string& usci) {
    auto key = crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value();
    origo::v1::AddKeyRequest add;
    add.set_usci(usci);
    add.set_public_key_pem(key.Public().ToPem());
    origo::v1::AddKeyResponse out;
    grpc::Status status = registry_->AddKey(Context(regulator_).get(), add, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return key;
  }

  std::pair<std::string, std::string> Token(origo::v1::Role role, const std::string& usci = "",
                                            const std::string& label = "") {
    origo::v1::CreateTokenRequest request;
    request.set_role(role);
    request.set_usci(usci);
    request.set_label(label);
    origo::v1::CreateTokenResponse out;
    grpc::Status status = registry_->CreateToken(Context(regulator_).get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {out.token(), out.token_id()};
  }

  // Calls `method` with an empty request over a generic stream (the same wire for unary and
  // streaming methods) and returns the status.
  grpc::Status CallEmpty(const std::string& method, const std::string& token) {
    grpc::GenericStub stub(channel_);
    auto context = Context(token, std::chrono::seconds(3));
    grpc::CompletionQueue cq;
    auto call = stub.PrepareCall(context.get(), method, &cq);
    void* tag = nullptr;
    bool ok = false;
    call->StartCall(reinterpret_cast<void*>(1));
    cq.Next(&tag, &ok);
    grpc::ByteBuffer empty;
    grpc::Slice nothing("", 0);
    empty = grpc::ByteBuffer(&nothing, 1);
    call->Write(empty, reinterpret_cast<void*>(2));
    cq.Next(&tag, &ok);
    call->WritesDone(reinterpret_cast<void*>(3));
    cq.Next(&tag, &ok);
    // Read every response (Finish waits for them), then the status.
    grpc::ByteBuffer response;
    for (int i = 0; i < 100; ++i) {
      call->Read(&response, reinterpret_cast<void*>(5));
      if (!cq.Next(&tag, &ok) || !ok) break;
    }
    grpc::Status status;
    call->Finish(&status, reinterpret_cast<void*>(4));
    while (cq.Next(&tag, &ok)) {
      if (tag == reinterpret_cast<void*>(4)) break;
    }
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
    return status;
  }

  origo::v1::SignedBatch Sign(const std::vector<std::string>& events, const std::string& usci,
                              const crypto::PrivateKey& key) {
    return batch::SignBatch(events, usci, key, NowMs()).value();
  }

  grpc::Status Capture(const std::string& token, const origo::v1::SignedBatch& batch) {
    origo::v1::CaptureRequest request;
    *request.mutable_batch() = batch;
    origo::v1::CaptureResponse response;
    return capture_->Capture(Context(token).get(), request, &response);
  }

  uint64_t TreeSize() { return server_->store() ? HeadSize() : 0; }
  uint64_t HeadSize() {
    // Leaves fetched by index: the size is the first index with no leaf.
    uint64_t lo = 0, hi = 1;
    auto exists = [&](uint64_t i) {
      origo::v1::GetLeavesRequest request;
      request.set_start(i);
      request.set_count(1);
      origo::v1::GetLeavesResponse response;
      return log_->GetLeaves(Context("").get(), request, &response).ok();
    };
    while (exists(hi - 1)) {
      lo = hi;
      hi *= 2;
    }
    // exists(lo - 1) (or lo == 0), !exists(hi - 1).
    while (lo + 1 < hi) {
      uint64_t mid = (lo + hi) / 2;
      if (exists(mid - 1)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return exists(0) ? lo : 0;
  }

  TempDir dir_;
  std::unique_ptr<server::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<origo::v1::RegistryService::Stub> registry_;
  std::unique_ptr<origo::v1::CaptureService::Stub> capture_;
  std::unique_ptr<origo::v1::TransparencyService::Stub> log_;
  std::string regulator_;
};

TEST(AuthzTableTest, EveryApiMethodHasExactlyOneEntryAndEveryEntryIsServed) {
  std::vector<std::string> methods = ApiMethods();
  ASSERT_GT(methods.size(), 30u);
  for (const std::string& method : methods) {
    EXPECT_NE(server::FindRpcRule(method), nullptr) << method << " has no authorization entry";
  }
  std::set<std::string> known(methods.begin(), methods.end());
  known.insert("/grpc.health.v1.Health/Check");
  known.insert("/grpc.health.v1.Health/Watch");
  known.insert("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo");
  std::set<std::string_view> seen;
  for (const server::RpcRule& rule : server::RpcTable()) {
    EXPECT_TRUE(known.count(std::string(rule.method))) << rule.method << " is not a served RPC";
    EXPECT_TRUE(seen.insert(rule.method).second) << rule.method << " is listed twice";
  }
  // An unlisted method is refused, not allowed.
  server::Principal regulator{Role::kRegulator, "", "0123456789abcdef"};
  EXPECT_EQ(server::Authorize(regulator, "/origo.v1.CaptureService/DropTable").code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(AuthzTableTest, LeastPrivilegeSpotChecks) {
  // Independent of the table's own wording: what the roles must and must not be able to do.
  server::Principal none;
  server::Principal producer{Role::kProducer, kGrower, "1111111111111111"};
  server::Principal inspector{Role::kInspector, "", "2222222222222222"};
  server::Principal regulator{Role::kRegulator, "", "3333333333333333"};
  auto ok = [](const server::Principal& p, const char* m) { return server::Authorize(p, m).ok(); };
  EXPECT_TRUE(ok(producer, "/origo.v1.CaptureService/Capture"));
  EXPECT_FALSE(ok(regulator, "/origo.v1.CaptureService/Capture"));
  EXPECT_FALSE(ok(inspector, "/origo.v1.CaptureService/CaptureStream"));
  EXPECT_FALSE(ok(producer, "/origo.v1.RegistryService/CreateToken"));
  EXPECT_FALSE(ok(inspector, "/origo.v1.RegistryService/ListTokens"));
  EXPECT_TRUE(ok(regulator, "/origo.v1.RegistryService/RevokeToken"));
  EXPECT_FALSE(ok(producer, "/origo.v1.CreditService/AddBlacklistEntry"));
  EXPECT_FALSE(ok(inspector, "/origo.v1.CreditService/DecideRepair"));
  EXPECT_FALSE(ok(none, "/origo.v1.AdminService/Backup"));
  EXPECT_TRUE(ok(none, "/origo.v1.TransparencyService/GetCheckpoint"));
  EXPECT_TRUE(ok(none, "/origo.v1.ProvenanceService/Resolve"));
  // HTTP: consumer routes are public, /metrics only on loopback or for a regulator.
  EXPECT_TRUE(server::AuthorizeHttp(none, "/01/06971234000415/10/L1", false).ok());
  EXPECT_TRUE(server::AuthorizeHttp(none, "/api/v1/lots/x", false).ok());
  EXPECT_TRUE(server::AuthorizeHttp(none, "/metrics", true).ok());
  EXPECT_EQ(server::AuthorizeHttp(none, "/metrics", false).code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(server::AuthorizeHttp(producer, "/metrics", false).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(server::AuthorizeHttp(regulator, "/metrics", false).ok());
  EXPECT_EQ(server::AuthorizeHttp(regulator, "/admin", true).code(), absl::StatusCode::kNotFound);
}

TEST_F(AuthzTest, EveryMethodWithEveryRoleAndNoneGetsTheTablesAnswer) {
  Start();
  Register(kGrower);
  std::map<Role, std::string> tokens = {
      {Role::kPublic, ""},
      {Role::kProducer, Token(origo::v1::ROLE_PRODUCER, kGrower).first},
      {Role::kInspector, Token(origo::v1::ROLE_INSPECTOR).first},
      {Role::kRegulator, regulator_},
  };
  std::vector<std::string> methods = ApiMethods();
  methods.push_back("/grpc.health.v1.Health/Check");
  methods.push_back("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo");
  int calls = 0;
  for (const std::string& method : methods) {
    const server::RpcRule* rule = server::FindRpcRule(method);
    ASSERT_NE(rule, nullptr) << method;
    const bool gated = method.rfind("/origo.", 0) == 0;
    for (const auto& [role, token] : tokens) {
      grpc::Status status = CallEmpty(method, token);
      ++calls;
      const std::string where = method + " as " + std::string(server::RoleName(role)) + ": " +
                                std::to_string(status.error_code()) + " " + status.error_message();
      if (rule->roles.Contains(Role::kPublic) || rule->roles.Contains(role)) {
        EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << where;
        EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << where;
        EXPECT_NE(status.error_code(), grpc::StatusCode::UNIMPLEMENTED) << where;
        EXPECT_NE(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << where;
        EXPECT_NE(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << where;
      } else if (role == Role::kPublic) {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << where;
        EXPECT_NE(status.error_message().find(rule->roles.Describe()), std::string::npos) << where;
      } else {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << where;
        EXPECT_NE(status.error_message().find(rule->roles.Describe()), std::string::npos) << where;
      }
    }
    if (gated) {
      // A token the server never issued is refused everywhere, even where the public may call.
      grpc::Status status = CallEmpty(method, kUnknownToken);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << method;
      EXPECT_EQ(status.error_message().find(kUnknownToken), std::string::npos) << method;
    }
  }
  EXPECT_GE(calls, 4 * 40);
}

TEST_F(AuthzTest, ProducerOfOneEnterpriseCannotCaptureOrReadForAnother) {
  Start();
  Register(kGrower);
  Register(kExporter);
  crypto::PrivateKey grower_key = AddKey(kGrower);
  crypto::PrivateKey exporter_key = AddKey(kExporter);
  const std::string grower = Token(origo::v1::ROLE_PRODUCER, kGrower).first;
  const std::string exporter = Token(origo::v1::ROLE_PRODUCER, kExporter).first;

  // Signed by the exporter's own key, but sent with the grower's token.
  grpc::Status status = Capture(grower, Sign({Event(1)}, kExporter, exporter_key));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_NE(status.error_message().find(kExporter), std::string::npos) << status.error_message();
  // The grower's token with the grower's key claiming the exporter's enterprise.
  status = Capture(grower, Sign({Event(2)}, kExporter, grower_key));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_EQ(TreeSize(), 0u);
  // Its own batch goes through.
  status = Capture(grower, Sign({Event(3)}, kGrower, grower_key));
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(TreeSize(), 1u);

  // Reading another enterprise's credit archive is refused by the table's binding.
  auto credit = origo::v1::CreditService::NewStub(channel_);
  origo::v1::GetCreditProfileRequest profile;
  profile.set_usci(kGrower);
  origo::v1::GetCreditProfileResponse out;
  status = credit->GetCreditProfile(Context(exporter).get(), profile, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_NE(status.error_message().find(kExporter), std::string::npos) << status.error_message();
  status = credit->GetCreditProfile(Context(grower).get(), profile, &out);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(AuthzTest, TokensAreListedWithoutSecretsAndRevokedTokensStopAtOnce) {
  Start();
  Register(kGrower);
  crypto::PrivateKey key = AddKey(kGrower);
  auto [producer, producer_id] = Token(origo::v1::ROLE_PRODUCER, kGrower, "packing line 2");
  auto [inspector, inspector_id] = Token(origo::v1::ROLE_INSPECTOR, "", "lab");
  ASSERT_TRUE(Capture(producer, Sign({Event(1)}, kGrower, key)).ok());

  origo::v1::ListTokensResponse list;
  grpc::Status status = registry_->ListTokens(Context(regulator_).get(), {}, &list);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(list.tokens_size(), 3);  // bootstrap, producer, inspector
  std::map<std::string, origo::v1::TokenInfo> by_id;
  for (const auto& t : list.tokens()) by_id[t.token_id()] = t;
  ASSERT_TRUE(by_id.count(producer_id));
  EXPECT_EQ(by_id[producer_id].role(), origo::v1::ROLE_PRODUCER);
  EXPECT_EQ(by_id[producer_id].usci(), kGrower);
  EXPECT_EQ(by_id[producer_id].label(), "packing line 2");
  EXPECT_GT(by_id[producer_id].created_unix_ms(), 0);
  EXPECT_FALSE(by_id[producer_id].revoked());
  EXPECT_EQ(by_id[inspector_id].role(), origo::v1::ROLE_INSPECTOR);
  // Neither a token nor its hash is on the wire.
  const std::string wire = list.SerializeAsString();
  for (const std::string& secret : {producer, inspector, regulator_}) {
    EXPECT_EQ(wire.find(secret), std::string::npos);
    EXPECT_EQ(wire.find(secret.substr(6, 20)), std::string::npos);
    const auto hash = server::Authenticator::HashToken(secret);
    EXPECT_EQ(wire.find(std::string(reinterpret_cast<const char*>(hash.data()), 8)),
              std::string::npos);
  }

  // Only the regulator lists and revokes.
  status = registry_->ListTokens(Context(inspector).get(), {}, &list);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  origo::v1::RevokeTokenRequest revoke;
  revoke.set_token_id(producer_id);
  origo::v1::RevokeTokenResponse revoked;
  status = registry_->RevokeToken(Context(producer).get(), revoke, &revoked);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  status = registry_->RevokeToken(Context(regulator_).get(), revoke, &revoked);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(revoked.token().revoked());
  // The very next call with it is refused, naming the token id but not the token.
  status = Capture(producer, Sign({Event(2)}, kGrower, key));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(status.error_message().find("revoked"), std::string::npos) << status.error_message();
  EXPECT_EQ(status.error_message().find(producer), std::string::npos);
  EXPECT_EQ(TreeSize(), 1u);
  // Revoking again is harmless; unknown and malformed ids are told apart.
  EXPECT_TRUE(registry_->RevokeToken(Context(regulator_).get(), revoke, &revoked).ok());
  revoke.set_token_id("00000000000000aa");
  EXPECT_EQ(registry_->RevokeToken(Context(regulator_).get(), revoke, &revoked).error_code(),
            grpc::StatusCode::NOT_FOUND);
  revoke.set_token_id("not-an-id");
  EXPECT_EQ(registry_->RevokeToken(Context(regulator_).get(), revoke, &revoked).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  status = registry_->ListTokens(Context(regulator_).get(), {}, &list);
  ASSERT_TRUE(status.ok());
  for (const auto& t : list.tokens()) EXPECT_EQ(t.revoked(), t.token_id() == producer_id);
  // The inspector's token still works.
  EXPECT_EQ(CallEmpty("/origo.v1.ProvenanceService/ListViolations", inspector).error_code(),
            grpc::StatusCode::OK);
}

TEST_F(AuthzTest, TokensWithALifetimeShowTheirExpiryAndUnboundedLifetimesAreRefused) {
  Start();
  origo::v1::CreateTokenRequest request;
  request.set_role(origo::v1::ROLE_INSPECTOR);
  request.set_label("field lab, one quarter");
  request.set_valid_for_seconds(90 * 24 * 3600);
  origo::v1::CreateTokenResponse created;
  grpc::Status status = registry_->CreateToken(Context(regulator_).get(), request, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  origo::v1::ListTokensResponse list;
  ASSERT_TRUE(registry_->ListTokens(Context(regulator_).get(), {}, &list).ok());
  bool found = false;
  for (const auto& t : list.tokens()) {
    if (t.token_id() != created.token_id()) continue;
    found = true;
    // The expiry is ninety days after creation (give or take the call's own duration).
    EXPECT_NEAR(static_cast<double>(t.expires_unix_ms() - t.created_unix_ms()),
                90.0 * 24 * 3600 * 1000, 5000.0);
  }
  EXPECT_TRUE(found);
  // The token works now.
  EXPECT_EQ(CallEmpty("/origo.v1.ProvenanceService/ListViolations", created.token()).error_code(),
            grpc::StatusCode::OK);
  // A lifetime past ten years is refused, naming the field; nothing is created.
  request.set_valid_for_seconds(uint64_t{1} << 62);
  status = registry_->CreateToken(Context(regulator_).get(), request, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("valid_for_seconds"), std::string::npos)
      << status.error_message();
  origo::v1::ListTokensResponse after;
  ASSERT_TRUE(registry_->ListTokens(Context(regulator_).get(), {}, &after).ok());
  EXPECT_EQ(after.tokens_size(), list.tokens_size());
}

TEST_F(AuthzTest, OverBudgetCallsAreResourceExhaustedWithARetryHint) {
  Start([](origo::v1::Config* c) {
    c->mutable_limits()->set_ip_calls_per_second(0.5);
    c->mutable_limits()->set_ip_burst(3);
    c->mutable_limits()->set_token_calls_per_second(0.5);
    c->mutable_limits()->set_token_burst(4);
    c->mutable_limits()->set_regulator_calls_per_second(0.5);
    c->mutable_limits()->set_regulator_burst(30);
  });
  // Setup spends regulator budget only.
  Register(kGrower);
  const std::string producer = Token(origo::v1::ROLE_PRODUCER, kGrower).first;

  // Per address, for calls without a token.
  for (int i = 0; i < 3; ++i) {
    origo::v1::GetCheckpointResponse out;
    ASSERT_TRUE(log_->GetCheckpoint(Context("").get(), {}, &out).ok()) << i;
  }
  auto context = Context("");
  origo::v1::GetCheckpointResponse out;
  grpc::Status status = log_->GetCheckpoint(context.get(), {}, &out);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(status.error_message().find("client address 127.0.0.1"), std::string::npos)
      << status.error_message();
  EXPECT_NE(status.error_message().find("retry after"), std::string::npos);
  auto hint = context->GetServerTrailingMetadata().find("retry-after-ms");
  ASSERT_NE(hint, context->GetServerTrailingMetadata().end());
  const int retry_ms = std::stoi(std::string(hint->second.data(), hint->second.size()));
  EXPECT_GT(retry_ms, 0);
  EXPECT_LE(retry_ms, 2000);  // one call refills in 2 s at 0.5/s
  // Bad tokens spend the same address budget: no free guessing.
  EXPECT_EQ(CallEmpty("/origo.v1.TransparencyService/GetCheckpoint", kUnknownToken).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);

  // Per token: the producer has its own budget, unaffected by the address's.
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(CallEmpty("/origo.v1.TransparencyService/GetCheckpoint", producer).error_code(),
              grpc::StatusCode::OK)
        << i;
  }
  status = CallEmpty("/origo.v1.TransparencyService/GetCheckpoint", producer);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(status.error_message().find("token "), std::string::npos) << status.error_message();
  // The regulator's larger budget still has room.
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(CallEmpty("/origo.v1.TransparencyService/GetCheckpoint", regulator_).error_code(),
              grpc::StatusCode::OK)
        << i;
  }

  // HTTP answers 429 with Retry-After for the same address budget.
  httplib::Client http("127.0.0.1", server_->http_port());
  auto res = http.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
  EXPECT_GE(std::stoi(res->get_header_value("Retry-After")), 1);
  EXPECT_NE(res->body.find("retry after"), std::string::npos) << res->body;

  // After the hint's wait, the address may call again.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_TRUE(log_->GetCheckpoint(Context("").get(), {}, &out).ok());
}

TEST(RateLimiterTest, BucketRefillsAtItsRateAndKeysAreBounded) {
  origo::v1::LimitsConfig limits;
  limits.set_ip_calls_per_second(10);
  limits.set_ip_burst(2);
  limits.set_token_calls_per_second(1);
  limits.set_token_burst(1);
  limits.set_regulator_calls_per_second(100);
  limits.set_regulator_burst(100);
  absl::Time now = absl::FromUnixSeconds(1000);
  server::RateLimiter limiter(
      limits, [&] { return now; }, /*max_keys=*/2);
  server::Principal none;
  EXPECT_TRUE(limiter.Charge(none, "10.0.0.1").ok());
  EXPECT_TRUE(limiter.Charge(none, "10.0.0.1").ok());
  absl::Status refused = limiter.Charge(none, "10.0.0.1");
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(server::RateLimiter::RetryAfter(refused), absl::Milliseconds(100));
  now += absl::Milliseconds(100);
  EXPECT_TRUE(limiter.Charge(none, "10.0.0.1").ok());
  // A second address has its own bucket; a third finds the table full (neither has refilled)
  // and is refused rather than growing it.
  EXPECT_TRUE(limiter.Charge(none, "10.0.0.2").ok());
  EXPECT_EQ(limiter.Charge(none, "10.0.0.3").code(), absl::StatusCode::kResourceExhausted);
  // Once the others have refilled they are dropped and the newcomer gets a bucket.
  now += absl::Seconds(1);
  EXPECT_TRUE(limiter.Charge(none, "10.0.0.3").ok());

  server::Principal producer{Role::kProducer, kGrower, "aaaaaaaaaaaaaaaa"};
  now += absl::Seconds(10);
  EXPECT_TRUE(limiter.Charge(producer, "10.0.0.9").ok());
  EXPECT_EQ(limiter.Charge(producer, "10.0.0.9").code(), absl::StatusCode::kResourceExhausted);

  EXPECT_EQ(server::PeerAddress("ipv4:127.0.0.1:5000"), "127.0.0.1");
  EXPECT_EQ(server::PeerAddress("ipv6:[::1]:5000"), "::1");
  EXPECT_TRUE(server::IsLoopback("127.0.0.1"));
  EXPECT_TRUE(server::IsLoopback("::1"));
  EXPECT_FALSE(server::IsLoopback("10.0.0.1"));
}

TEST_F(AuthzTest, HttpRoutesPassTheTable) {
  Start();
  httplib::Client http("127.0.0.1", server_->http_port());
  auto res = http.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  res = http.Get("/metrics");  // loopback scraper
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  res = http.Get("/no-such-route");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  httplib::Headers bad = {{"Authorization", std::string("Bearer ") + kUnknownToken}};
  res = http.Get("/healthz", bad);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(res->body.find(kUnknownToken), std::string::npos);
}

TEST_F(AuthzTest, LimitsOnBatchSizePageSizeAndMessageSizeAreEnforced) {
  Start([](origo::v1::Config* c) {
    c->mutable_capture()->set_max_batch_events(5);
    c->set_max_message_bytes(64 * 1024);
  });
  Register(kGrower);
  crypto::PrivateKey key = AddKey(kGrower);
  const std::string producer = Token(origo::v1::ROLE_PRODUCER, kGrower).first;
  std::vector<std::string> six;
  for (int i = 0; i < 6; ++i) six.push_back(Event(i));
  grpc::Status status = Capture(producer, Sign(six, kGrower, key));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("limit of 5"), std::string::npos) << status.error_message();
  six.pop_back();
  status = Capture(producer, Sign(six, kGrower, key));
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(TreeSize(), 5u);

  // A message over the size limit is refused by gRPC before any handler runs.
  origo::v1::SignedBatch big = Sign({Event(100)}, kGrower, key);
  big.add_events(std::string(70 * 1024, 'x'));
  status = Capture(producer, big);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();

  // Pages are bounded: asking for more leaves than the maximum is refused naming the range.
  origo::v1::GetLeavesRequest leaves;
  leaves.set_count(1000000);
  origo::v1::GetLeavesResponse got;
  status = log_->GetLeaves(Context("").get(), leaves, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("count"), std::string::npos);
  auto credit = origo::v1::CreditService::NewStub(channel_);
  origo::v1::GetCreditProfileRequest profile;
  profile.set_usci(kGrower);
  profile.set_page_size(1000000);
  origo::v1::GetCreditProfileResponse out;
  status = credit->GetCreditProfile(Context(regulator_).get(), profile, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_NE(status.error_message().find("page_size"), std::string::npos);
}

TEST_F(AuthzTest, CallsWithoutADeadlineAreCancelledAtTheServersBound) {
  Start([](origo::v1::Config* c) { c->mutable_limits()->set_max_stream_ms(300); });
  Register(kGrower);
  const std::string producer = Token(origo::v1::ROLE_PRODUCER, kGrower).first;
  grpc::ClientContext context;  // no deadline
  context.AddMetadata("authorization", "Bearer " + producer);
  auto started = std::chrono::steady_clock::now();
  auto stream = capture_->CaptureStream(&context);
  origo::v1::CaptureResponse response;
  EXPECT_FALSE(stream->Read(&response));  // the client sends nothing and waits
  grpc::Status status = stream->Finish();
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED) << status.error_message();
  EXPECT_GE(waited, std::chrono::milliseconds(250));
  EXPECT_LT(waited, std::chrono::seconds(20));
  // The server is still there.
  origo::v1::GetCheckpointResponse out;
  EXPECT_TRUE(log_->GetCheckpoint(Context("").get(), {}, &out).ok());
}

TEST_F(AuthzTest, UnaryCallsWithoutADeadlineAreCancelledAtTheServersBound) {
  Start([](origo::v1::Config* c) {
    // No checkpoint will cover a new entry during the test, so a proof request waits.
    c->mutable_log()->set_checkpoint_interval_ms(600000);
    c->mutable_log()->set_proof_wait_ms(3000);
    c->mutable_limits()->set_max_call_ms(300);
  });
  Register(kGrower);
  crypto::PrivateKey key = AddKey(kGrower);
  const std::string producer = Token(origo::v1::ROLE_PRODUCER, kGrower).first;
  ASSERT_TRUE(Capture(producer, Sign({Event(1)}, kGrower, key)).ok());
  grpc::ClientContext context;  // no deadline
  origo::v1::GetInclusionProofRequest request;
  request.set_index(0);
  origo::v1::GetInclusionProofResponse response;
  auto started = std::chrono::steady_clock::now();
  grpc::Status status = log_->GetInclusionProof(&context, request, &response);
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED) << status.error_message();
  EXPECT_GE(waited, std::chrono::milliseconds(250));
  EXPECT_LT(waited, std::chrono::milliseconds(2500));  // well before the 3 s proof wait
}

TEST_F(AuthzTest, InvalidUtf8InAManifestDoesNotReachTheLog) {
  Start();
  Register(kGrower);
  crypto::PrivateKey key = AddKey(kGrower);
  const std::string producer = Token(origo::v1::ROLE_PRODUCER, kGrower).first;
  origo::v1::SignedBatch batch = Sign({Event(1)}, kGrower, key);
  // Field 1 (enterprise), length-delimited, 4 bytes that are not UTF-8.
  std::string manifest = std::string("\x0a\x04\xff\xfe\xc0\x80", 6) + batch.manifest();
  batch.set_manifest(manifest);
  const uint64_t suppressed_before = server::SuppressedProtobufLogLines();
  ::testing::internal::CaptureStderr();
  for (int i = 0; i < 50; ++i) {
    grpc::Status status = Capture(producer, batch);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    EXPECT_NE(status.error_message().find("manifest"), std::string::npos);
  }
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err.find("UTF-8"), std::string::npos) << err.substr(0, 500);
  EXPECT_GE(server::SuppressedProtobufLogLines(), suppressed_before + 50);
  EXPECT_EQ(TreeSize(), 0u);
}

// 1,000 malformed capture requests of each kind: each gets a clear refusal, none is stored, and
// the server keeps serving.
TEST_F(AuthzTest, ThousandsOfMalformedBatchesEachGetAClearErrorAndChangeNothing) {
  Start([](origo::v1::Config* c) { c->mutable_limits()->set_disable_rate_limits(true); });
  Register(kGrower);
  crypto::PrivateKey key = AddKey(kGrower);
  const std::string producer = Token(origo::v1::ROLE_PRODUCER, kGrower).first;
  ASSERT_TRUE(Capture(producer, Sign({Event(0)}, kGrower, key)).ok());
  ASSERT_EQ(TreeSize(), 1u);

  std::mt19937_64 rng(20261128);
  auto random_bytes = [&](size_t n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    return s;
  };
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  constexpr int kEach = 1000;
  const std::set<grpc::StatusCode> clear = {grpc::StatusCode::INVALID_ARGUMENT,
                                            grpc::StatusCode::UNAUTHENTICATED,
                                            grpc::StatusCode::PERMISSION_DENIED};
  std::map<std::string, std::map<grpc::StatusCode, int>> outcomes;
  auto expect_refused = [&](const std::string& kind, const origo::v1::SignedBatch& batch) {
    grpc::Status status = Capture(producer, batch);
    outcomes[kind][status.error_code()]++;
    if (!clear.count(status.error_code()) || status.error_message().size() < 10) {
      ADD_FAILURE() << kind << ": " << status.error_code() << " " << status.error_message();
    }
  };

  for (int i = 0; i < kEach; ++i) {
    origo::v1::SignedBatch batch;
    batch.set_manifest(random_bytes(pick(300)));
    batch.set_signature(random_bytes(pick(200)));
    for (size_t e = pick(4); e > 0; --e) batch.add_events(random_bytes(pick(400)));
    expect_refused("random bytes", batch);
  }
  for (int i = 0; i < kEach; ++i) {
    std::vector<std::string> events = {Event(10 * i + 1), Event(10 * i + 2), Event(10 * i + 3)};
    origo::v1::SignedBatch batch = Sign(events, kGrower, key);
    switch (i % 3) {
      case 0:  // the manifest cut short
        batch.set_manifest(batch.manifest().substr(0, pick(batch.manifest().size())));
        break;
      case 1:  // an event cut short
        batch.set_events(1, batch.events(1).substr(0, pick(batch.events(1).size())));
        break;
      default:  // events missing from the end
        batch.mutable_events()->DeleteSubrange(1 + pick(2), 1);
        break;
    }
    expect_refused("truncated batch", batch);
  }
  crypto::PrivateKey stranger = crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value();
  for (int i = 0; i < kEach; ++i) {
    origo::v1::SignedBatch batch = Sign({Event(100000 + i)}, kGrower, key);
    if (i % 2 == 0) {
      std::string sig = batch.signature();
      sig[pick(sig.size())] ^= static_cast<char>(1 << pick(8));
      batch.set_signature(sig);
    } else {
      // A valid signature by an unregistered key over a manifest naming the registered key.
      origo::v1::SignedBatch forged = Sign({Event(100000 + i)}, kGrower, stranger);
      batch.set_signature(forged.signature());
    }
    expect_refused("bad signature", batch);
  }
  for (int i = 0; i < kEach; ++i) {
    // GTIN 0697123400041 + a wrong check digit (the right one is 5).
    std::string gtin = "0697123400041" + std::to_string((5 + 1 + pick(9)) % 10);
    expect_refused("wrong check digit", Sign({Event(200000 + i, gtin)}, kGrower, key));
  }
  const std::vector<std::string> huge = {
      std::string(R"({"type":"ObjectEvent","eventTime":"99999-09-02T09:15:00+08:00",)") +
          R"("eventTimeZoneOffset":"+08:00","action":"ADD","epcList":[]})",
      std::string(R"({"type":"ObjectEvent","eventTime":"2026-09-02T09:15:00+08:00",)") +
          R"("eventTimeZoneOffset":"+08:00","action":"ADD","bizStep":"commissioning",)" +
          R"("quantityList":[{"epcClass":"https://id.gs1.org/01/06971234000415/10/L1",)" +
          R"("quantity":1e999,"uom":"KGM"}]})",
      std::string(R"({"type":"ObjectEvent","eventTime":"2026-09-02T09:15:00+08:00",)") +
          R"("eventTimeZoneOffset":"+08:00","action":"ADD","bizStep":"commissioning",)" +
          R"("quantityList":[{"epcClass":"https://id.gs1.org/01/06971234000415/10/L1",)" +
          R"("quantity":)" + std::string(400, '9') + R"(,"uom":"KGM"}]})",
      std::string(R"({"type":"ObjectEvent","eventTime":"2026-09-02T09:15:00+08:00",)") +
          R"("eventTimeZoneOffset":"+08:00","action":"ADD","bizStep":"commissioning",)" +
          R"("epcList":["https://id.gs1.org/01/)" + std::string(300, '1') + R"(/21/S1"]})",
      std::string(R"({"type":"ObjectEvent","eventTime":"2026-09-02T09:15:00+08:00",)") +
          R"("eventTimeZoneOffset":"+999999999999:00","action":"ADD","epcList":[]})",
  };
  for (int i = 0; i < kEach; ++i) {
    expect_refused("huge numbers", Sign({huge[i % huge.size()]}, kGrower, key));
  }
  for (int i = 0; i < kEach; ++i) {
    const size_t depth = 50 + pick(20000);
    std::string nested = i % 2 ? std::string(depth, '[') + std::string(depth, ']') : "";
    if (i % 2 == 0) {
      for (size_t d = 0; d < depth; ++d) nested += "{\"a\":";
      nested += "1" + std::string(depth, '}');
    }
    const std::string event =
        std::string(R"({"type":"ObjectEvent","eventTime":"2026-09-02T09:15:00+08:00",)") +
        R"("eventTimeZoneOffset":"+08:00","action":"ADD","bizStep":"commissioning",)" +
        R"("epcList":["https://id.gs1.org/01/06971234000415/21/N)" + std::to_string(i) +
        R"("],"example:deep":)" + nested + "}";
    expect_refused("deep nesting", Sign({event}, kGrower, key));
  }

  for (const auto& [kind, codes] : outcomes) {
    int total = 0;
    std::string summary;
    for (const auto& [code, n] : codes) {
      total += n;
      summary += " " + std::to_string(code) + ":" + std::to_string(n);
    }
    EXPECT_EQ(total, kEach) << kind;
    std::printf("malformed %-18s %d refused (code:count%s)\n", kind.c_str(), total,
                summary.c_str());
  }
  EXPECT_EQ(TreeSize(), 1u);
  // Still serving: a good batch is accepted.
  EXPECT_TRUE(Capture(producer, Sign({Event(999999)}, kGrower, key)).ok());
  EXPECT_EQ(TreeSize(), 2u);
}

}  // namespace
}  // namespace origo
