#include "services/registry/registry_service.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/base/status_macros.h"
#include "core/crypto/keys.h"
#include "core/gs1/gs1.h"
#include "core/usci/usci.h"
#include "services/server/grpc_auth.h"
#include "services/server/grpc_status.h"

namespace origo::registry {
namespace {

using server::Role;

constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMaxTypeBytes = 64;
constexpr size_t kMaxScopeBytes = 2000;
constexpr size_t kMaxZoneBytes = 100;
constexpr size_t kMaxClientIdBytes = 64;

absl::Status Invalid(std::string_view field, const std::string& rule) {
  return absl::InvalidArgumentError(std::string(field) + ": " + rule);
}

absl::Status ValidateUsciField(std::string_view field, std::string_view usci) {
  if (usci.empty()) return Invalid(field, "required (18-character unified social credit code)");
  absl::Status valid = usci::Validate(usci);
  if (!valid.ok()) return Invalid(field, std::string(valid.message()));
  return absl::OkStatus();
}

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

absl::Status ValidateText(std::string_view field, std::string_view value, size_t max_bytes,
                          bool required) {
  if (required && IsBlank(value)) return Invalid(field, "required");
  if (value.size() > max_bytes) {
    return Invalid(field, std::to_string(value.size()) + " bytes; at most " +
                              std::to_string(max_bytes) + " allowed");
  }
  return absl::OkStatus();
}

// Client-chosen ids (base, certificate): optional, at most 64 of [A-Za-z0-9._-].
absl::Status ValidateClientId(std::string_view field, std::string_view id) {
  if (id.size() > kMaxClientIdBytes) {
    return Invalid(field, "at most " + std::to_string(kMaxClientIdBytes) + " characters");
  }
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return Invalid(field, "only letters, digits, '.', '_' and '-' are allowed");
  }
  return absl::OkStatus();
}

absl::Status ValidateQuantity(std::string_view field, double value) {
  if (!std::isfinite(value) || value < 0) return Invalid(field, "must be a finite number >= 0");
  return absl::OkStatus();
}

// An RFC 3339 date ("2026-04-15") or date-time ("2026-04-15T08:00:00+08:00").
absl::StatusOr<absl::Time> ParseValidity(std::string_view field, const std::string& value) {
  if (value.empty()) return Invalid(field, "required (RFC 3339 date or date-time)");
  absl::Time time;
  std::string error;
  if (absl::ParseTime("%Y-%m-%d", value, absl::UTCTimeZone(), &time, &error) ||
      absl::ParseTime(absl::RFC3339_full, value, &time, &error)) {
    return time;
  }
  return Invalid(field, "\"" + value + "\" is not an RFC 3339 date or date-time");
}

absl::Status ValidateKeyId(std::string_view key_id) {
  bool ok = key_id.size() == 64;
  for (size_t i = 0; ok && i < key_id.size(); ++i) {
    const char c = key_id[i];
    ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }
  if (!ok) {
    return Invalid("key_id", "must be 64 lowercase hex characters (SHA-256 of the key's SPKI)");
  }
  return absl::OkStatus();
}

absl::StatusOr<Role> RoleFromProto(origo::v1::Role role) {
  switch (role) {
    case origo::v1::ROLE_PRODUCER:
      return Role::kProducer;
    case origo::v1::ROLE_INSPECTOR:
      return Role::kInspector;
    case origo::v1::ROLE_REGULATOR:
      return Role::kRegulator;
    default:
      return Invalid("role", "must be ROLE_PRODUCER, ROLE_INSPECTOR or ROLE_REGULATOR");
  }
}

}  // namespace

RegistryServiceImpl::RegistryServiceImpl(storage::RegistryStore* registry,
                                         server::Authenticator* authenticator)
    : registry_(registry), authenticator_(authenticator) {}

absl::StatusOr<server::Principal> RegistryServiceImpl::Authorize(
    grpc::ServerContext& context, std::string_view method,
    const google::protobuf::Message& request) const {
  return server::AuthorizeCall(*authenticator_, &context,
                               "/origo.v1.RegistryService/" + std::string(method), &request);
}

// --- Enterprises ---

absl::Status RegistryServiceImpl::DoRegisterEnterprise(
    grpc::ServerContext& context, const origo::v1::RegisterEnterpriseRequest& request,
    origo::v1::RegisterEnterpriseResponse* response) {
  ORIGO_RETURN_IF_ERROR(Authorize(context, "RegisterEnterprise", request).status());
  if (!request.has_enterprise()) return Invalid("enterprise", "required");
  const origo::v1::Enterprise& enterprise = request.enterprise();
  ORIGO_RETURN_IF_ERROR(ValidateUsciField("enterprise.usci", enterprise.usci()));
  ORIGO_RETURN_IF_ERROR(ValidateText("enterprise.name", enterprise.name(), kMaxNameBytes, true));
  if (enterprise.sector() == origo::v1::SECTOR_UNSPECIFIED ||
      !origo::v1::Sector_IsValid(enterprise.sector())) {
    return Invalid("enterprise.sector", "must be SECTOR_WINE, SECTOR_GOJI or SECTOR_HALAL");
  }
  ORIGO_ASSIGN_OR_RETURN(*response->mutable_enterprise(),
                         registry_->RegisterEnterprise(enterprise));
  return absl::OkStatus();
}

absl::Status RegistryServiceImpl::DoGetEnterprise(grpc::ServerContext& context,
                                                  const origo::v1::GetEnterpriseRequest& request,
                                                  origo::v1::GetEnterpriseResponse* response) {
  ORIGO_RETURN_IF_ERROR(Authorize(context, "GetEnterprise", request).status());
  ORIGO_RETURN_IF_ERROR(ValidateUsciField("usci", request.usci()));
  ORIGO_ASSIGN_OR_RETURN(storage::EnterpriseProfile profile, registry_->GetProfile(request.usci()));
  *response->mutable_enterprise() = std::move(profile.enterprise);
  for (auto& key : profile.keys) *response->add_keys() = std::move(key);
  for (auto& base : profile.bases) *response->add_bases() = std::move(base);
  for (auto& cert : profile.certificates) *response->add_certificates() = std::move(cert);
  return absl::OkStatus();
}

// --- Keys ---

absl::Status RegistryServiceImpl::DoAddKey(grpc::ServerContext& context,
                                           const origo::v1::AddKeyRequest& request,
                                           origo::v1::AddKeyResponse* response) {
  ORIGO_RETURN_IF_ERROR(Authorize(context, "AddKey", request).status());
  ORIGO_RETURN_IF_ERROR(ValidateUsciField("usci", request.usci()));
  if (request.public_key_pem().empty()) {
    return Invalid("public_key_pem", "required (SubjectPublicKeyInfo PEM, Ed25519 or P-256)");
  }
  absl::StatusOr<crypto::PublicKey> key = crypto::PublicKey::FromPem(request.public_key_pem());
  if (!key.ok()) return Invalid("public_key_pem", std::string(key.status().message()));
  ORIGO_RETURN_IF_ERROR(ValidateText("label", request.label(), kMaxNameBytes, false));
  ORIGO_ASSIGN_OR_RETURN(*response->mutable_key(),
                         registry_->AddKey(request.usci(), *key, request.label()));
  return absl::OkStatus();
}

absl::Status RegistryServiceImpl::DoRevokeKey(grpc::ServerContext& context,
                                              const origo::v1::RevokeKeyRequest& request,
                                              origo::v1::RevokeKeyResponse* response) {
  ORIGO_RETURN_IF_ERROR(Authorize(context, "RevokeKey", request).status());
  ORIGO_RETURN_IF_ERROR(ValidateUsciField("usci", request.usci()));
  ORIGO_RETURN_IF_ERROR(ValidateKeyId(request.key_id()));
  ORIGO_ASSIGN_OR_RETURN(*response->mutable_key(),
                         registry_->RevokeKey(request.usci(), request.key_id()));
  return absl::OkStatus();
}

absl::Status RegistryServiceImpl::DoListKeys(grpc::ServerContext& context,
                                             const origo::v1::ListKeysRequest& request,
                                             origo::v1::ListKeysResponse* response) {
  ORIGO_RETURN_IF_ERROR(Authorize(context, "ListKeys", request).status());
  ORIGO_RETURN_IF_ERROR(ValidateUsciField("usci", request.usci()));
  ORIGO_ASSIGN_OR_RETURN(auto keys, registry_->ListKeys(request.usci()));
  for (auto& key : keys) *response->add_keys() = std::move(key);
  return absl::OkStatus();
}

// --- Production bases and certificates ---

absl::Status RegistryServiceImpl::DoAddProductionBase(
    grpc::ServerContext& context, const origo::v1::AddProductionBaseRequest& request,
    origo::v1::AddProductionBaseResponse* response) {
  ORIGO_RETURN_IF_ERROR(Authorize(context, "AddProductionBase", request).status());
  if (!request.has_base()) return Invalid("base", "required");
  const origo::v1::ProductionBase& base = request.base();
  ORIGO_RETURN_IF_ERROR(ValidateUsciField("base.usci", base.usci()));
  ORIGO_RETURN_IF_ERROR(ValidateClientId("base.base_id", base.base_id()));
  ORIGO_RETURN_IF_ERROR(ValidateText("base.name", base.name(), kMaxNameBytes, true));
  if (base.gln().empty()) return Invalid("base.gln", "required (13-digit location GLN)");
  absl::Status gln = gs1::ValidateGln(base.gln());
  if (!gln.ok()) return Invalid("base.gln", std::string(gln.message()));
  if (!base.gln_extension().empty()) {
    absl::Status extension = gs1::ValidateGlnExtension(base.gln_extension());
    if (!extension.ok()) return Invalid("base.gln_extension", std::string(extension.message()));
  }
  ORIGO_RETURN_IF_ERROR(ValidateText("base.region", base.region(), kMaxNameBytes, false));
  for (const std::string& zone : base.gi_zones()) {
    ORIGO_RETURN_IF_ERROR(ValidateText("base.gi_zones", zone, kMaxZoneBytes, true));
  }
  ORIGO_RETURN_IF_ERROR(ValidateQuantity("base.area_hectares", base.area_hectares()));
  ORIGO_RETURN_IF_ERROR(ValidateQuantity("base.annual_harvest", base.annual_harvest()));
  ORIGO_ASSIGN_OR_RETURN(*response->mutable_base(), registry_->AddBase(base));
  return absl::OkStatus();
}

absl::Status RegistryServiceImpl::DoAddCertificate(grpc::ServerContext& context,
                                                   const origo::v1::AddCertificateRequest& request,
                                                   origo::v1::AddCertificateResponse* response) {
  ORIGO_RETURN_IF_ERROR(Authorize(context, "AddCertificate", request).status());
  if (!request.has_certificate()) return Invalid("certificate", "required");
  const origo::v1::Certificate& cert = request.certificate();
  ORIGO_RETURN_IF_ERROR(ValidateUsciField("certificate.usci", cert.usci()));
  ORIGO_RETURN_IF_ERROR(ValidateClientId("certificate.certificate_id", cert.certificate_id()));
  ORIGO_RETURN_IF_ERROR(ValidateText("certificate.type", cert.type(), kMaxTypeBytes, true));
  ORIGO_RETURN_IF_ERROR(ValidateText("certificate.issuer", cert.issuer(), kMaxNameBytes, false));
  ORIGO_RETURN_IF_ERROR(ValidateText("certificate.scope", cert.scope(), kMaxScopeBytes, false));
  ORIGO_ASSIGN_OR_RETURN(absl::Time from,
                         ParseValidity("certificate.valid_from", cert.valid_from()));
  ORIGO_ASSIGN_OR_RETURN(absl::Time to, ParseValidity("certificate.valid_to", cert.valid_to()));
  if (to < from) return Invalid("certificate.valid_to", "is before certificate.valid_from");
  ORIGO_ASSIGN_OR_RETURN(*response->mutable_certificate(), registry_->AddCertificate(cert));
  return absl::OkStatus();
}

// --- Tokens ---

absl::Status RegistryServiceImpl::DoCreateToken(grpc::ServerContext& context,
                                                const origo::v1::CreateTokenRequest& request,
                                                origo::v1::CreateTokenResponse* response) {
  ORIGO_RETURN_IF_ERROR(Authorize(context, "CreateToken", request).status());
  ORIGO_ASSIGN_OR_RETURN(Role role, RoleFromProto(request.role()));
  if (role == Role::kProducer) {
    ORIGO_RETURN_IF_ERROR(ValidateUsciField("usci", request.usci()));
  }
  ORIGO_RETURN_IF_ERROR(ValidateText("label", request.label(), kMaxNameBytes, false));
  // Bounded so that an expiry is a real date, not an overflow.
  constexpr uint64_t kMaxValidForSeconds = 10ull * 366 * 24 * 3600;
  if (request.valid_for_seconds() > kMaxValidForSeconds) {
    return absl::InvalidArgumentError(absl::StrCat("valid_for_seconds: at most ",
                                                   kMaxValidForSeconds, " (ten years); got ",
                                                   request.valid_for_seconds()));
  }
  const absl::Time expires =
      request.valid_for_seconds() == 0
          ? absl::InfiniteFuture()
          : absl::Now() + absl::Seconds(static_cast<int64_t>(request.valid_for_seconds()));
  ORIGO_ASSIGN_OR_RETURN(
      server::IssuedToken issued,
      authenticator_->CreateToken(role, request.usci(), request.label(), expires));
  response->set_token(std::move(issued.token));
  response->set_token_id(std::move(issued.token_id));
  return absl::OkStatus();
}

namespace {

origo::v1::TokenInfo TokenInfoOf(const origo::store::v1::TokenRecord& record) {
  origo::v1::TokenInfo info;
  info.set_token_id(record.token_id());
  switch (record.role()) {
    case origo::store::v1::TOKEN_ROLE_PRODUCER:
      info.set_role(origo::v1::ROLE_PRODUCER);
      break;
    case origo::store::v1::TOKEN_ROLE_INSPECTOR:
      info.set_role(origo::v1::ROLE_INSPECTOR);
      break;
    case origo::store::v1::TOKEN_ROLE_REGULATOR:
      info.set_role(origo::v1::ROLE_REGULATOR);
      break;
    default:
      info.set_role(origo::v1::ROLE_UNSPECIFIED);
  }
  info.set_usci(record.usci());
  info.set_label(record.label());
  info.set_created_unix_ms(record.created_unix_ms());
  info.set_expires_unix_ms(record.expires_unix_ms());
  info.set_revoked(record.revoked());
  return info;
}

}  // namespace

absl::Status RegistryServiceImpl::DoListTokens(grpc::ServerContext& context,
                                               const origo::v1::ListTokensRequest& request,
                                               origo::v1::ListTokensResponse* response) {
  ORIGO_RETURN_IF_ERROR(Authorize(context, "ListTokens", request).status());
  ORIGO_ASSIGN_OR_RETURN(auto records, authenticator_->ListTokens());
  std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
    return std::make_tuple(a.created_unix_ms(), a.token_id()) <
           std::make_tuple(b.created_unix_ms(), b.token_id());
  });
  for (const auto& record : records) *response->add_tokens() = TokenInfoOf(record);
  return absl::OkStatus();
}

absl::Status RegistryServiceImpl::DoRevokeToken(grpc::ServerContext& context,
                                                const origo::v1::RevokeTokenRequest& request,
                                                origo::v1::RevokeTokenResponse* response) {
  ORIGO_RETURN_IF_ERROR(Authorize(context, "RevokeToken", request).status());
  ORIGO_ASSIGN_OR_RETURN(auto record, authenticator_->RevokeTokenById(request.token_id()));
  *response->mutable_token() = TokenInfoOf(record);
  return absl::OkStatus();
}

// --- gRPC entry points ---

grpc::Status RegistryServiceImpl::RegisterEnterprise(
    grpc::ServerContext* context, const origo::v1::RegisterEnterpriseRequest* request,
    origo::v1::RegisterEnterpriseResponse* response) {
  return server::ToGrpc(DoRegisterEnterprise(*context, *request, response));
}

grpc::Status RegistryServiceImpl::GetEnterprise(grpc::ServerContext* context,
                                                const origo::v1::GetEnterpriseRequest* request,
                                                origo::v1::GetEnterpriseResponse* response) {
  return server::ToGrpc(DoGetEnterprise(*context, *request, response));
}

grpc::Status RegistryServiceImpl::AddKey(grpc::ServerContext* context,
                                         const origo::v1::AddKeyRequest* request,
                                         origo::v1::AddKeyResponse* response) {
  return server::ToGrpc(DoAddKey(*context, *request, response));
}

grpc::Status RegistryServiceImpl::RevokeKey(grpc::ServerContext* context,
                                            const origo::v1::RevokeKeyRequest* request,
                                            origo::v1::RevokeKeyResponse* response) {
  return server::ToGrpc(DoRevokeKey(*context, *request, response));
}

grpc::Status RegistryServiceImpl::ListKeys(grpc::ServerContext* context,
                                           const origo::v1::ListKeysRequest* request,
                                           origo::v1::ListKeysResponse* response) {
  return server::ToGrpc(DoListKeys(*context, *request, response));
}

grpc::Status RegistryServiceImpl::AddProductionBase(
    grpc::ServerContext* context, const origo::v1::AddProductionBaseRequest* request,
    origo::v1::AddProductionBaseResponse* response) {
  return server::ToGrpc(DoAddProductionBase(*context, *request, response));
}

grpc::Status RegistryServiceImpl::AddCertificate(grpc::ServerContext* context,
                                                 const origo::v1::AddCertificateRequest* request,
                                                 origo::v1::AddCertificateResponse* response) {
  return server::ToGrpc(DoAddCertificate(*context, *request, response));
}

grpc::Status RegistryServiceImpl::CreateToken(grpc::ServerContext* context,
                                              const origo::v1::CreateTokenRequest* request,
                                              origo::v1::CreateTokenResponse* response) {
  return server::ToGrpc(DoCreateToken(*context, *request, response));
}

grpc::Status RegistryServiceImpl::ListTokens(grpc::ServerContext* context,
                                             const origo::v1::ListTokensRequest* request,
                                             origo::v1::ListTokensResponse* response) {
  return server::ToGrpc(DoListTokens(*context, *request, response));
}

grpc::Status RegistryServiceImpl::RevokeToken(grpc::ServerContext* context,
                                              const origo::v1::RevokeTokenRequest* request,
                                              origo::v1::RevokeTokenResponse* response) {
  return server::ToGrpc(DoRevokeToken(*context, *request, response));
}

}  // namespace origo::registry
