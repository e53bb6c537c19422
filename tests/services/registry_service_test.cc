#include "services/registry/registry_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <sstream>

#include "clients/client.h"
#include "core/crypto/hash.h"
#include "core/crypto/keys.h"
#include "core/gs1/gs1.h"
#include "origo/v1/registry.grpc.pb.h"
#include "services/server/auth.h"
#include "storage/registry_store.h"
#include "storage/store.h"
#include "tests/test_util.h"

namespace origo::registry {
namespace {

using origo::testing::TempDir;
using origo::v1::RegistryService;
using server::Authenticator;
using server::Role;

constexpr char kGoji[] = "91640521MA76GJ0Q1B";
constexpr char kWinery[] = "91640100MA77XL2X3M";
// Passes the GB 32100 format but is never registered.
constexpr char kUnregistered[] = "91110000MA0000000H";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

std::string Pem(crypto::Algorithm algorithm) {
  auto key = crypto::PrivateKey::Generate(algorithm);
  EXPECT_TRUE(key.ok()) << key.status();
  return key->Public().ToPem();
}

std::string ValidGln() {
  return "690123456789" + std::string(1, gs1::ComputeCheckDigit("690123456789").value());
}

// A real gRPC server on 127.0.0.1:0 hosting only the registry service, over a real store.
class RegistryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::Store::Open(data_dir());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    registry_ = std::make_unique<storage::RegistryStore>(store_.get());
    auth_ = std::make_unique<Authenticator>(
        registry_.get(), [this] { return absl::FromUnixSeconds(now_seconds_.load()); });
    auto bootstrap = auth_->EnsureBootstrapToken(data_dir());
    ASSERT_TRUE(bootstrap.ok()) << bootstrap.status();
    ASSERT_TRUE(bootstrap->has_value());
    regulator_ = **bootstrap;

    service_ = std::make_unique<RegistryServiceImpl>(registry_.get(), auth_.get());
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_TRUE(server_ != nullptr);
    ASSERT_GT(port, 0);
    address_ = "127.0.0.1:" + std::to_string(port);
  }

  void TearDown() override {
    if (server_) {
      server_->Shutdown();
      server_->Wait();
    }
  }

  std::string data_dir() const { return dir_.path(); }

  // Calls `method` through a real client with `token` ("" sends no authorization header).
  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(const std::string& token,
                                grpc::Status (RegistryService::Stub::*method)(grpc::ClientContext*,
                                                                              const Request&,
                                                                              Response*),
                                const Request& request) {
    client::ClientOptions options;
    options.server = address_;
    options.token = token;
    client::Client client(options);
    auto stub = RegistryService::NewStub(client.channel());
    grpc::ClientContext context;
    client.Prepare(&context);
    Response response;
    grpc::Status status = ((*stub).*method)(&context, request, &response);
    if (!status.ok()) return client::FromGrpc(status);
    return response;
  }

  absl::Status Register(const std::string& token, const std::string& usci,
                        const std::string& name = "Ningxia Goji Co.") {
    origo::v1::RegisterEnterpriseRequest request;
    request.mutable_enterprise()->set_usci(usci);
    request.mutable_enterprise()->set_name(name);
    request.mutable_enterprise()->set_sector(origo::v1::SECTOR_GOJI);
    return Call(token, &RegistryService::Stub::RegisterEnterprise, request).status();
  }

  absl::StatusOr<origo::v1::EnterpriseKey> AddKey(const std::string& token, const std::string& usci,
                                                  const std::string& pem) {
    origo::v1::AddKeyRequest request;
    request.set_usci(usci);
    request.set_public_key_pem(pem);
    request.set_label("packing line");
    auto response = Call(token, &RegistryService::Stub::AddKey, request);
    if (!response.ok()) return response.status();
    return response->key();
  }

  absl::StatusOr<std::string> CreateToken(const std::string& token, origo::v1::Role role,
                                          const std::string& usci) {
    origo::v1::CreateTokenRequest request;
    request.set_role(role);
    request.set_usci(usci);
    request.set_label("test");
    auto response = Call(token, &RegistryService::Stub::CreateToken, request);
    if (!response.ok()) return response.status();
    EXPECT_EQ(response->token_id().size(), 16u);
    return response->token();
  }

  TempDir dir_;
  std::atomic<int64_t> now_seconds_{1'776'000'000};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::RegistryStore> registry_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<RegistryServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  std::string regulator_;
};

TEST_F(RegistryServiceTest, RegulatorRegistersEnterpriseAndManagesKeys) {
  ASSERT_TRUE(Register(regulator_, kGoji).ok());

  absl::Status bad = Register(regulator_, "91640521MA76GJ0Q1C");
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("usci"), std::string::npos) << bad;
  EXPECT_EQ(Register(regulator_, kWinery, "   ").code(), absl::StatusCode::kInvalidArgument);
  absl::Status dup = Register(regulator_, kGoji, "Another name");
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists) << dup;

  auto ed = AddKey(regulator_, kGoji, Pem(crypto::Algorithm::kEd25519));
  ASSERT_TRUE(ed.ok()) << ed.status();
  EXPECT_EQ(ed->algorithm(), "ed25519");
  EXPECT_EQ(ed->status(), origo::v1::KEY_STATUS_ACTIVE);
  auto p256 = AddKey(regulator_, kGoji, Pem(crypto::Algorithm::kP256));
  ASSERT_TRUE(p256.ok()) << p256.status();
  EXPECT_EQ(p256->algorithm(), "p256");

  auto bad_pem = AddKey(regulator_, kGoji, "-----BEGIN PUBLIC KEY-----\nnope\n");
  EXPECT_EQ(bad_pem.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad_pem.status().message().find("public_key_pem"), std::string::npos);
  auto orphan = AddKey(regulator_, kUnregistered, Pem(crypto::Algorithm::kEd25519));
  EXPECT_EQ(orphan.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(orphan.status().message().find(kUnregistered), std::string::npos);

  origo::v1::RevokeKeyRequest revoke;
  revoke.set_usci(kGoji);
  revoke.set_key_id(ed->key_id());
  auto revoked = Call(regulator_, &RegistryService::Stub::RevokeKey, revoke);
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->key().status(), origo::v1::KEY_STATUS_REVOKED);
  EXPECT_TRUE(Call(regulator_, &RegistryService::Stub::RevokeKey, revoke).ok())
      << "revoking twice is idempotent";
  revoke.set_key_id("not-a-key-id");
  EXPECT_EQ(Call(regulator_, &RegistryService::Stub::RevokeKey, revoke).status().code(),
            absl::StatusCode::kInvalidArgument);

  // Key lists are public: verifiers need them without a token.
  origo::v1::ListKeysRequest list;
  list.set_usci(kGoji);
  auto keys = Call("", &RegistryService::Stub::ListKeys, list);
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->keys_size(), 2);
  EXPECT_EQ(keys->keys(0).key_id(), ed->key_id());
  EXPECT_EQ(keys->keys(0).status(), origo::v1::KEY_STATUS_REVOKED);
  EXPECT_EQ(keys->keys(1).key_id(), p256->key_id());
  EXPECT_EQ(keys->keys(1).status(), origo::v1::KEY_STATUS_ACTIVE);
  // The revocation is visible to capture's key lookups at once.
  EXPECT_EQ(registry_->ActiveKey(ed->key_id()).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(registry_->ActiveKey(p256->key_id()).ok());
}

TEST_F(RegistryServiceTest, BasesAndCertificatesAreValidatedAndShownOnTheEnterprise) {
  ASSERT_TRUE(Register(regulator_, kGoji).ok());
  origo::v1::AddProductionBaseRequest base;
  base.mutable_base()->set_usci(kGoji);
  base.mutable_base()->set_name("Zhongning plot 7");
  base.mutable_base()->set_gln("6901234567890");
  base.mutable_base()->add_gi_zones("中宁枸杞");
  auto bad_gln = Call(regulator_, &RegistryService::Stub::AddProductionBase, base);
  EXPECT_EQ(bad_gln.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad_gln.status().message().find("base.gln"), std::string::npos) << bad_gln.status();
  base.mutable_base()->set_gln(ValidGln());
  auto added = Call(regulator_, &RegistryService::Stub::AddProductionBase, base);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_FALSE(added->base().base_id().empty());
  base.mutable_base()->set_usci(kUnregistered);
  EXPECT_EQ(Call(regulator_, &RegistryService::Stub::AddProductionBase, base).status().code(),
            absl::StatusCode::kNotFound);

  origo::v1::AddCertificateRequest cert;
  cert.mutable_certificate()->set_usci(kGoji);
  cert.mutable_certificate()->set_type("organic");
  cert.mutable_certificate()->set_issuer("CNCA");
  cert.mutable_certificate()->set_valid_from("2026-01-01");
  auto no_end = Call(regulator_, &RegistryService::Stub::AddCertificate, cert);
  EXPECT_EQ(no_end.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(no_end.status().message().find("valid_to"), std::string::npos);
  cert.mutable_certificate()->set_valid_to("2025-12-31");
  EXPECT_EQ(Call(regulator_, &RegistryService::Stub::AddCertificate, cert).status().code(),
            absl::StatusCode::kInvalidArgument);
  cert.mutable_certificate()->set_valid_to("2028-12-31T23:59:59+08:00");
  ASSERT_TRUE(Call(regulator_, &RegistryService::Stub::AddCertificate, cert).ok());

  origo::v1::GetEnterpriseRequest get;
  get.set_usci(kGoji);
  auto profile = Call("", &RegistryService::Stub::GetEnterprise, get);
  ASSERT_TRUE(profile.ok()) << profile.status();
  EXPECT_EQ(profile->enterprise().usci(), kGoji);
  EXPECT_GT(profile->enterprise().registered_unix_ms(), 0);
  ASSERT_EQ(profile->bases_size(), 1);
  EXPECT_EQ(profile->bases(0).gi_zones(0), "中宁枸杞");
  ASSERT_EQ(profile->certificates_size(), 1);
  EXPECT_EQ(profile->certificates(0).type(), "organic");
  get.set_usci(kUnregistered);
  EXPECT_EQ(Call("", &RegistryService::Stub::GetEnterprise, get).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(RegistryServiceTest, ProducerTokenIsDeniedWrites) {
  ASSERT_TRUE(Register(regulator_, kGoji).ok());
  auto producer = CreateToken(regulator_, origo::v1::ROLE_PRODUCER, kGoji);
  ASSERT_TRUE(producer.ok()) << producer.status();
  EXPECT_EQ(producer->rfind("origo_", 0), 0u);
  EXPECT_EQ(producer->size(), 6u + 43u);

  absl::Status write = Register(*producer, kWinery);
  EXPECT_EQ(write.code(), absl::StatusCode::kPermissionDenied) << write;
  EXPECT_NE(write.message().find("regulator"), std::string::npos);
  EXPECT_EQ(AddKey(*producer, kGoji, Pem(crypto::Algorithm::kEd25519)).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CreateToken(*producer, origo::v1::ROLE_REGULATOR, "").status().code(),
            absl::StatusCode::kPermissionDenied);
  // Reads stay open to it.
  origo::v1::ListKeysRequest list;
  list.set_usci(kGoji);
  EXPECT_TRUE(Call(*producer, &RegistryService::Stub::ListKeys, list).ok());

  auto principal = auth_->Authenticate("Bearer " + *producer);
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->role, Role::kProducer);
  EXPECT_EQ(principal->usci, kGoji);

  // Producer tokens need a registered enterprise; other roles take none.
  EXPECT_EQ(CreateToken(regulator_, origo::v1::ROLE_PRODUCER, kUnregistered).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(CreateToken(regulator_, origo::v1::ROLE_PRODUCER, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CreateToken(regulator_, origo::v1::ROLE_INSPECTOR, kGoji).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CreateToken(regulator_, origo::v1::ROLE_UNSPECIFIED, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  auto inspector = CreateToken(regulator_, origo::v1::ROLE_INSPECTOR, "");
  ASSERT_TRUE(inspector.ok()) << inspector.status();
  EXPECT_EQ(Register(*inspector, kWinery).code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(RegistryServiceTest, MissingTokenIsUnauthenticatedOnWritesButReadsArePublic) {
  ASSERT_TRUE(Register(regulator_, kGoji).ok());
  absl::Status none = Register("", kWinery);
  EXPECT_EQ(none.code(), absl::StatusCode::kUnauthenticated) << none;
  EXPECT_NE(none.message().find("none was sent"), std::string::npos) << none;
  origo::v1::GetEnterpriseRequest get;
  get.set_usci(kGoji);
  EXPECT_TRUE(Call("", &RegistryService::Stub::GetEnterprise, get).ok());
}

TEST_F(RegistryServiceTest, ForgedTokenIsUnauthenticatedAndNeverEchoed) {
  ASSERT_TRUE(Register(regulator_, kGoji).ok());
  // Well-formed but never issued; and not an Origo token at all.
  const std::string forged = "origo_" + std::string(43, 'A');
  for (const std::string& token : {forged, std::string("hunter2-secret")}) {
    absl::Status write = Register(token, kWinery);
    EXPECT_EQ(write.code(), absl::StatusCode::kUnauthenticated) << write;
    EXPECT_EQ(write.message().find(token), std::string::npos) << write;
    // A bad token is rejected even on a public read rather than silently downgraded.
    origo::v1::GetEnterpriseRequest get;
    get.set_usci(kGoji);
    EXPECT_EQ(Call(token, &RegistryService::Stub::GetEnterprise, get).status().code(),
              absl::StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(auth_->Authenticate("Basic dXNlcjpwYXNz").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(auth_->Authenticate("Bearer").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(auth_->Authenticate("bearer  " + regulator_ + " ")->role, Role::kRegulator);
  EXPECT_EQ(auth_->Authenticate("")->role, Role::kPublic);
}

TEST_F(RegistryServiceTest, RevokedAndExpiredTokensAreUnauthenticated) {
  auto expiring = auth_->CreateToken(Role::kInspector, "", "temp",
                                     absl::FromUnixSeconds(now_seconds_.load() + 3600));
  ASSERT_TRUE(expiring.ok()) << expiring.status();
  EXPECT_TRUE(auth_->Authenticate("Bearer " + expiring->token).ok());
  now_seconds_ += 7200;
  auto expired = auth_->Authenticate("Bearer " + expiring->token);
  EXPECT_EQ(expired.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(expired.status().message().find("expired"), std::string::npos) << expired.status();
  EXPECT_NE(expired.status().message().find(expiring->token_id), std::string::npos);
  EXPECT_EQ(
      auth_->CreateToken(Role::kInspector, "", "past", absl::FromUnixSeconds(1)).status().code(),
      absl::StatusCode::kInvalidArgument);

  auto regulator2 = auth_->CreateToken(Role::kRegulator, "", "second");
  ASSERT_TRUE(regulator2.ok());
  ASSERT_TRUE(Register(regulator2->token, kGoji).ok());
  ASSERT_TRUE(auth_->RevokeToken(regulator2->token).ok());
  ASSERT_TRUE(auth_->RevokeToken(regulator2->token).ok());
  absl::Status revoked = Register(regulator2->token, kWinery);
  EXPECT_EQ(revoked.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(revoked.message().find("revoked"), std::string::npos) << revoked;
}

TEST_F(RegistryServiceTest, BootstrapTokenFileIsPrivateAndNeverRewritten) {
  const std::string path = data_dir() + "/" + server::kBootstrapTokenFile;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(ReadFile(path), regulator_ + "\n");
  ASSERT_TRUE(Register(regulator_, kGoji).ok()) << "the bootstrap token is a regulator token";

  auto second = auth_->EnsureBootstrapToken(data_dir());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(second->has_value());
  Authenticator restarted(registry_.get());
  auto third = restarted.EnsureBootstrapToken(data_dir());
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_FALSE(third->has_value());
  EXPECT_EQ(ReadFile(path), regulator_ + "\n");
}

TEST(BootstrapTokenTest, StaleFileWithoutStoredTokenIsRefused) {
  TempDir dir;
  { std::ofstream(dir.Sub(server::kBootstrapTokenFile)) << "origo_stale\n"; }
  auto store = storage::Store::Open(dir.Sub("db"));
  ASSERT_TRUE(store.ok()) << store.status();
  storage::RegistryStore registry(store->get());
  Authenticator auth(&registry);
  auto result = auth.EnsureBootstrapToken(dir.path());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition) << result.status();
  EXPECT_FALSE(*registry.AnyToken()) << "no token is stored when the file cannot be written";
}

TEST_F(RegistryServiceTest, TokensAreStoredOnlyAsHashes) {
  ASSERT_TRUE(Register(regulator_, kGoji).ok());
  std::vector<std::string> tokens = {regulator_};
  for (auto role : {origo::v1::ROLE_INSPECTOR, origo::v1::ROLE_REGULATOR}) {
    auto token = CreateToken(regulator_, role, "");
    ASSERT_TRUE(token.ok()) << token.status();
    tokens.push_back(*token);
  }
  auto producer = CreateToken(regulator_, origo::v1::ROLE_PRODUCER, kGoji);
  ASSERT_TRUE(producer.ok());
  tokens.push_back(*producer);

  std::vector<std::string> secrets;  // the tokens and their raw random bytes
  for (const std::string& token : tokens) {
    secrets.push_back(token);
    std::string b64 = token.substr(6);
    for (char& c : b64) {
      if (c == '-') c = '+';
      if (c == '_') c = '/';
    }
    while (b64.size() % 4 != 0) b64.push_back('=');
    auto raw = crypto::Base64Decode(b64);
    ASSERT_TRUE(raw.ok()) << raw.status();
    ASSERT_EQ(raw->size(), 32u);
    secrets.push_back(*raw);
  }

  std::vector<std::string> keys;
  auto view = store_->Snapshot();
  auto it = view->NewIterator(storage::ColumnFamily::kTokens);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    keys.push_back(it->key().ToString());
    const std::string entry = it->key().ToString() + it->value().ToString();
    for (const std::string& secret : secrets) {
      EXPECT_EQ(entry.find(secret), std::string::npos) << "a token is stored in the clear";
    }
  }
  ASSERT_TRUE(it->status().ok());
  ASSERT_EQ(keys.size(), tokens.size());
  for (const std::string& token : tokens) {
    const std::string hash(crypto::AsStringView(crypto::Sha256(token)));
    EXPECT_NE(std::find(keys.begin(), keys.end(), hash), keys.end());
  }
}

}  // namespace
}  // namespace origo::registry
