#include "bench/loadgen/enroll.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "absl/status/status.h"
#include "origo/v1/registry.grpc.pb.h"

namespace origo::bench {
namespace {

std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  c->AddMetadata("authorization", "Bearer " + token);
  return c;
}

// Registers enterprise `e` with `key`; returns its producer token.
absl::StatusOr<std::string> EnrollOne(origo::v1::RegistryService::Stub& registry,
                                      const std::string& regulator, const EnterpriseSpec& e,
                                      const crypto::PrivateKey& key) {
  auto failed = [&e](const std::string& step, const grpc::Status& s) {
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                        e.usci + " " + step + ": " + s.error_message());
  };
  origo::v1::RegisterEnterpriseRequest reg;
  reg.mutable_enterprise()->set_usci(e.usci);
  reg.mutable_enterprise()->set_name(e.name);
  reg.mutable_enterprise()->set_sector(e.sector == Sector::kWine   ? origo::v1::SECTOR_WINE
                                       : e.sector == Sector::kGoji ? origo::v1::SECTOR_GOJI
                                                                   : origo::v1::SECTOR_HALAL);
  origo::v1::RegisterEnterpriseResponse registered;
  grpc::Status s = registry.RegisterEnterprise(Context(regulator).get(), reg, &registered);
  if (!s.ok() && s.error_code() != grpc::StatusCode::ALREADY_EXISTS) return failed("register", s);

  origo::v1::AddKeyRequest add;
  add.set_usci(e.usci);
  add.set_public_key_pem(key.Public().ToPem());
  add.set_label("packing line");
  origo::v1::AddKeyResponse added;
  s = registry.AddKey(Context(regulator).get(), add, &added);
  if (!s.ok() && s.error_code() != grpc::StatusCode::ALREADY_EXISTS) return failed("key", s);

  if (!e.halal_certificate.empty()) {
    origo::v1::AddCertificateRequest cert;
    auto* c = cert.mutable_certificate();
    c->set_usci(e.usci);
    c->set_certificate_id(e.halal_certificate);
    c->set_type("halal");
    c->set_issuer("Ningxia Islamic Association");
    c->set_valid_from(std::to_string(Generator::SeasonYear()) + "-01-01");
    c->set_valid_to(std::to_string(Generator::SeasonYear()) + "-12-31");
    origo::v1::AddCertificateResponse certified;
    s = registry.AddCertificate(Context(regulator).get(), cert, &certified);
    if (!s.ok() && s.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
      return failed("certificate", s);
    }
  }

  origo::v1::CreateTokenRequest token;
  token.set_role(origo::v1::ROLE_PRODUCER);
  token.set_usci(e.usci);
  origo::v1::CreateTokenResponse created;
  s = registry.CreateToken(Context(regulator).get(), token, &created);
  if (!s.ok()) return failed("token", s);
  return created.token();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> Enroll(const std::shared_ptr<grpc::Channel>& channel,
                                                const std::string& regulator_token,
                                                const Generator& generator,
                                                const std::vector<crypto::PrivateKey>& keys,
                                                int threads) {
  const auto& specs = generator.enterprises();
  if (keys.size() != specs.size()) {
    return absl::InvalidArgumentError("enroll: " + std::to_string(keys.size()) + " keys for " +
                                      std::to_string(specs.size()) + " enterprises");
  }
  std::vector<std::string> tokens(specs.size());
  std::atomic<size_t> next{0};
  std::mutex mu;
  absl::Status first_error;  // guarded by mu
  std::atomic<bool> failed{false};
  std::vector<std::thread> workers;
  for (int t = 0; t < std::max(threads, 1); ++t) {
    workers.emplace_back([&] {
      auto registry = origo::v1::RegistryService::NewStub(channel);
      for (size_t i = next++; i < specs.size() && !failed; i = next++) {
        absl::StatusOr<std::string> token =
            EnrollOne(*registry, regulator_token, specs[i], keys[i]);
        if (!token.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          if (first_error.ok()) first_error = token.status();
          failed = true;
          return;
        }
        tokens[i] = *std::move(token);
      }
    });
  }
  for (auto& w : workers) w.join();
  if (!first_error.ok()) return first_error;
  return tokens;
}

}  // namespace origo::bench
