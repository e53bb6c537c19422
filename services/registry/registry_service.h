#ifndef ORIGO_SERVICES_REGISTRY_REGISTRY_SERVICE_H_
#define ORIGO_SERVICES_REGISTRY_REGISTRY_SERVICE_H_

// The gRPC adapter of the registry (origo.v1.RegistryService).
//
// Who may call what:
//   RegisterEnterprise, AddKey, RevokeKey, AddProductionBase, AddCertificate, CreateToken:
//       regulator tokens only. No token: UNAUTHENTICATED; another role: PERMISSION_DENIED.
//   GetEnterprise, ListKeys: anyone, including callers without a token, because verifiers need
//       an enterprise's keys to check signatures. A bad token is still UNAUTHENTICATED.
//
// Requests are validated here, at the edge, before the registry is touched; every error is
// INVALID_ARGUMENT with a message that starts with the offending field ("enterprise.usci: ...",
// "public_key_pem: ...", "base.gln: ..."). Rules: USCIs pass GB 32100; names are non-blank and at
// most 200 bytes; a sector is set; a key is an Ed25519 or P-256 SubjectPublicKeyInfo PEM; a base
// has a valid GLN (and extension, if given); a certificate has a type and a validity period whose
// ends are RFC 3339 dates or date-times, in order. Keys, bases and certificates need a registered
// enterprise: NOT_FOUND naming the USCI otherwise. Registry errors keep their codes
// (ALREADY_EXISTS for a duplicate USCI or key, ...).
//
// Thread-safe: the gRPC sync server may run handlers concurrently.

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "origo/v1/registry.grpc.pb.h"
#include "services/server/auth.h"
#include "storage/registry_store.h"

namespace origo::registry {

class RegistryServiceImpl final : public origo::v1::RegistryService::Service {
 public:
  // Neither is owned; both must outlive the service.
  RegistryServiceImpl(storage::RegistryStore* registry, server::Authenticator* authenticator);

  grpc::Status RegisterEnterprise(grpc::ServerContext* context,
                                  const origo::v1::RegisterEnterpriseRequest* request,
                                  origo::v1::RegisterEnterpriseResponse* response) override;
  grpc::Status GetEnterprise(grpc::ServerContext* context,
                             const origo::v1::GetEnterpriseRequest* request,
                             origo::v1::GetEnterpriseResponse* response) override;
  grpc::Status AddKey(grpc::ServerContext* context, const origo::v1::AddKeyRequest* request,
                      origo::v1::AddKeyResponse* response) override;
  grpc::Status RevokeKey(grpc::ServerContext* context, const origo::v1::RevokeKeyRequest* request,
                         origo::v1::RevokeKeyResponse* response) override;
  grpc::Status ListKeys(grpc::ServerContext* context, const origo::v1::ListKeysRequest* request,
                        origo::v1::ListKeysResponse* response) override;
  grpc::Status AddProductionBase(grpc::ServerContext* context,
                                 const origo::v1::AddProductionBaseRequest* request,
                                 origo::v1::AddProductionBaseResponse* response) override;
  grpc::Status AddCertificate(grpc::ServerContext* context,
                              const origo::v1::AddCertificateRequest* request,
                              origo::v1::AddCertificateResponse* response) override;
  grpc::Status CreateToken(grpc::ServerContext* context,
                           const origo::v1::CreateTokenRequest* request,
                           origo::v1::CreateTokenResponse* response) override;
  grpc::Status ListTokens(grpc::ServerContext* context, const origo::v1::ListTokensRequest* request,
                          origo::v1::ListTokensResponse* response) override;
  grpc::Status RevokeToken(grpc::ServerContext* context,
                           const origo::v1::RevokeTokenRequest* request,
                           origo::v1::RevokeTokenResponse* response) override;

 private:
  // server::AuthorizeCall for "/origo.v1.RegistryService/<method>".
  absl::StatusOr<server::Principal> Authorize(grpc::ServerContext& context, std::string_view method,
                                              const google::protobuf::Message& request) const;

  absl::Status DoRegisterEnterprise(grpc::ServerContext& context,
                                    const origo::v1::RegisterEnterpriseRequest& request,
                                    origo::v1::RegisterEnterpriseResponse* response);
  absl::Status DoGetEnterprise(grpc::ServerContext& context,
                               const origo::v1::GetEnterpriseRequest& request,
                               origo::v1::GetEnterpriseResponse* response);
  absl::Status DoAddKey(grpc::ServerContext& context, const origo::v1::AddKeyRequest& request,
                        origo::v1::AddKeyResponse* response);
  absl::Status DoRevokeKey(grpc::ServerContext& context, const origo::v1::RevokeKeyRequest& request,
                           origo::v1::RevokeKeyResponse* response);
  absl::Status DoListKeys(grpc::ServerContext& context, const origo::v1::ListKeysRequest& request,
                          origo::v1::ListKeysResponse* response);
  absl::Status DoAddProductionBase(grpc::ServerContext& context,
                                   const origo::v1::AddProductionBaseRequest& request,
                                   origo::v1::AddProductionBaseResponse* response);
  absl::Status DoAddCertificate(grpc::ServerContext& context,
                                const origo::v1::AddCertificateRequest& request,
                                origo::v1::AddCertificateResponse* response);
  absl::Status DoCreateToken(grpc::ServerContext& context,
                             const origo::v1::CreateTokenRequest& request,
                             origo::v1::CreateTokenResponse* response);
  absl::Status DoListTokens(grpc::ServerContext& context,
                            const origo::v1::ListTokensRequest& request,
                            origo::v1::ListTokensResponse* response);
  absl::Status DoRevokeToken(grpc::ServerContext& context,
                             const origo::v1::RevokeTokenRequest& request,
                             origo::v1::RevokeTokenResponse* response);

  storage::RegistryStore* const registry_;
  server::Authenticator* const authenticator_;
};

}  // namespace origo::registry

#endif  // ORIGO_SERVICES_REGISTRY_REGISTRY_SERVICE_H_
