#ifndef ORIGO_SERVICES_PROVENANCE_PROVENANCE_SERVICE_H_
#define ORIGO_SERVICES_PROVENANCE_PROVENANCE_SERVICE_H_

#include "origo/v1/provenance.grpc.pb.h"
#include "services/provenance/provenance.h"
#include "services/server/auth.h"

namespace origo::provenance {

// gRPC adapter of origo.v1.ProvenanceService over Provenance. Reads are public (a bad token is
// still UNAUTHENTICATED); RecordInspection and ListViolations need an inspector or regulator
// token. Thread-safe; pointers are not owned and must outlive the service.
class ProvenanceServiceImpl final : public origo::v1::ProvenanceService::Service {
 public:
  ProvenanceServiceImpl(Provenance* provenance, server::Authenticator* authenticator)
      : provenance_(provenance), authenticator_(authenticator) {}

  grpc::Status GetLot(grpc::ServerContext* context, const origo::v1::GetLotRequest* request,
                      origo::v1::GetLotResponse* response) override;
  grpc::Status GetItem(grpc::ServerContext* context, const origo::v1::GetItemRequest* request,
                       origo::v1::GetItemResponse* response) override;
  grpc::Status TraceBack(grpc::ServerContext* context, const origo::v1::TraceRequest* request,
                         origo::v1::TraceResponse* response) override;
  grpc::Status TraceForward(grpc::ServerContext* context, const origo::v1::TraceRequest* request,
                            origo::v1::TraceResponse* response) override;
  grpc::Status QueryEvents(grpc::ServerContext* context,
                           const origo::v1::QueryEventsRequest* request,
                           origo::v1::QueryEventsResponse* response) override;
  grpc::Status Resolve(grpc::ServerContext* context, const origo::v1::ResolveRequest* request,
                       origo::v1::ResolveResponse* response) override;
  grpc::Status RecordInspection(grpc::ServerContext* context,
                                const origo::v1::RecordInspectionRequest* request,
                                origo::v1::RecordInspectionResponse* response) override;
  grpc::Status ListViolations(grpc::ServerContext* context,
                              const origo::v1::ListViolationsRequest* request,
                              origo::v1::ListViolationsResponse* response) override;

 private:
  Provenance* provenance_;
  server::Authenticator* authenticator_;
};

}  // namespace origo::provenance

#endif  // ORIGO_SERVICES_PROVENANCE_PROVENANCE_SERVICE_H_
