#ifndef ORIGO_SERVICES_CREDIT_CREDIT_SERVICE_H_
#define ORIGO_SERVICES_CREDIT_CREDIT_SERVICE_H_

// The gRPC adapter of origo.v1.CreditService: authenticates each call, hands the request to the
// CreditProcessor (which checks roles, validates and does the work) and converts the result.
// Who may call what, and the errors, are those of services/credit/credit.h. A bad token is
// UNAUTHENTICATED on every call, public ones included.
//
// Thread-safe: the gRPC sync server runs handlers concurrently.

#include <grpcpp/grpcpp.h>

#include "origo/v1/credit.grpc.pb.h"
#include "services/credit/credit.h"
#include "services/server/auth.h"

namespace origo::credit {

class CreditServiceImpl final : public origo::v1::CreditService::Service {
 public:
  // Neither is owned; both must outlive the service.
  CreditServiceImpl(CreditProcessor* processor, server::Authenticator* authenticator)
      : processor_(processor), authenticator_(authenticator) {}

  grpc::Status RecordInspection(grpc::ServerContext* context,
                                const origo::v1::SignedRecordsRequest* request,
                                origo::v1::SignedRecordsResponse* response) override;
  grpc::Status RecordPenalty(grpc::ServerContext* context,
                             const origo::v1::SignedRecordsRequest* request,
                             origo::v1::SignedRecordsResponse* response) override;
  grpc::Status RecordQualityLoss(grpc::ServerContext* context,
                                 const origo::v1::SignedRecordsRequest* request,
                                 origo::v1::SignedRecordsResponse* response) override;
  grpc::Status ImportListing(grpc::ServerContext* context,
                             const origo::v1::SignedRecordsRequest* request,
                             origo::v1::SignedRecordsResponse* response) override;
  grpc::Status AddBlacklistEntry(grpc::ServerContext* context,
                                 const origo::v1::SignedRecordsRequest* request,
                                 origo::v1::SignedRecordsResponse* response) override;
  grpc::Status ApplyRepair(grpc::ServerContext* context,
                           const origo::v1::SignedRecordsRequest* request,
                           origo::v1::SignedRecordsResponse* response) override;
  grpc::Status DecideRepair(grpc::ServerContext* context,
                            const origo::v1::SignedRecordsRequest* request,
                            origo::v1::SignedRecordsResponse* response) override;
  grpc::Status SubmitFeedback(grpc::ServerContext* context,
                              const origo::v1::SubmitFeedbackRequest* request,
                              origo::v1::SubmitFeedbackResponse* response) override;
  grpc::Status GetCreditProfile(grpc::ServerContext* context,
                                const origo::v1::GetCreditProfileRequest* request,
                                origo::v1::GetCreditProfileResponse* response) override;
  grpc::Status GetRating(grpc::ServerContext* context, const origo::v1::GetRatingRequest* request,
                         origo::v1::GetRatingResponse* response) override;
  grpc::Status ListBlacklist(grpc::ServerContext* context,
                             const origo::v1::ListBlacklistRequest* request,
                             origo::v1::ListBlacklistResponse* response) override;
  grpc::Status QualityReport(grpc::ServerContext* context,
                             const origo::v1::QualityReportRequest* request,
                             origo::v1::QualityReportResponse* response) override;

 private:
  grpc::Status Record(grpc::ServerContext* context, RecordAction action,
                      const origo::v1::SignedRecordsRequest& request,
                      origo::v1::SignedRecordsResponse* response);

  CreditProcessor* const processor_;
  server::Authenticator* const authenticator_;
};

}  // namespace origo::credit

#endif  // ORIGO_SERVICES_CREDIT_CREDIT_SERVICE_H_
