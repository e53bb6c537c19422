#include "services/provenance/provenance_service.h"

#include "services/server/grpc_auth.h"
#include "services/server/grpc_status.h"

namespace origo::provenance {
namespace {

using server::ToGrpc;

// Runs `fn(principal)` once the authorization table allows the call to
// "/origo.v1.ProvenanceService/<method>".
template <typename Fn>
grpc::Status Call(const server::Authenticator& authenticator, grpc::ServerContext& context,
                  std::string_view method, Fn fn) {
  auto principal = server::AuthorizeCall(authenticator, &context,
                                         "/origo.v1.ProvenanceService/" + std::string(method));
  if (!principal.ok()) return ToGrpc(principal.status());
  return ToGrpc(fn(*principal));
}

template <typename T, typename Out>
absl::Status Assign(absl::StatusOr<T> result, Out* out) {
  if (!result.ok()) return result.status();
  *out = *std::move(result);
  return absl::OkStatus();
}

}  // namespace

grpc::Status ProvenanceServiceImpl::GetLot(grpc::ServerContext* context,
                                           const origo::v1::GetLotRequest* request,
                                           origo::v1::GetLotResponse* response) {
  return Call(*authenticator_, *context, "GetLot", [&](const server::Principal&) {
    return Assign(provenance_->GetLot(request->id()), response->mutable_lot());
  });
}

grpc::Status ProvenanceServiceImpl::GetItem(grpc::ServerContext* context,
                                            const origo::v1::GetItemRequest* request,
                                            origo::v1::GetItemResponse* response) {
  return Call(*authenticator_, *context, "GetItem", [&](const server::Principal&) {
    return Assign(provenance_->GetItem(request->id()), response);
  });
}

grpc::Status ProvenanceServiceImpl::TraceBack(grpc::ServerContext* context,
                                              const origo::v1::TraceRequest* request,
                                              origo::v1::TraceResponse* response) {
  return Call(*authenticator_, *context, "TraceBack", [&](const server::Principal&) {
    return Assign(provenance_->TraceBack(*request), response);
  });
}

grpc::Status ProvenanceServiceImpl::TraceForward(grpc::ServerContext* context,
                                                 const origo::v1::TraceRequest* request,
                                                 origo::v1::TraceResponse* response) {
  return Call(*authenticator_, *context, "TraceForward", [&](const server::Principal&) {
    return Assign(provenance_->TraceForward(*request), response);
  });
}

grpc::Status ProvenanceServiceImpl::QueryEvents(grpc::ServerContext* context,
                                                const origo::v1::QueryEventsRequest* request,
                                                origo::v1::QueryEventsResponse* response) {
  return Call(*authenticator_, *context, "QueryEvents", [&](const server::Principal&) {
    return Assign(provenance_->QueryEvents(*request), response);
  });
}

grpc::Status ProvenanceServiceImpl::Resolve(grpc::ServerContext* context,
                                            const origo::v1::ResolveRequest* request,
                                            origo::v1::ResolveResponse* response) {
  return Call(*authenticator_, *context, "Resolve", [&](const server::Principal&) {
    return Assign(provenance_->Resolve(request->digital_link()), response);
  });
}

grpc::Status ProvenanceServiceImpl::RecordInspection(
    grpc::ServerContext* context, const origo::v1::RecordInspectionRequest* request,
    origo::v1::RecordInspectionResponse* response) {
  return Call(*authenticator_, *context, "RecordInspection",
              [&](const server::Principal& principal) {
                return Assign(provenance_->RecordInspection(*request, principal.token_id),
                              response->mutable_inspection());
              });
}

grpc::Status ProvenanceServiceImpl::ListViolations(grpc::ServerContext* context,
                                                   const origo::v1::ListViolationsRequest* request,
                                                   origo::v1::ListViolationsResponse* response) {
  return Call(*authenticator_, *context, "ListViolations", [&](const server::Principal&) {
    return Assign(provenance_->ListViolations(request->limit()), response);
  });
}

}  // namespace origo::provenance
