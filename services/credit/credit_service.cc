#include "services/credit/credit_service.h"

#include "services/server/grpc_auth.h"
#include "services/server/grpc_status.h"

namespace origo::credit {

using server::ToGrpc;

namespace {

constexpr char kService[] = "/origo.v1.CreditService/";

// The full gRPC name of the call that submits records of `action`.
std::string MethodOf(RecordAction action) {
  switch (action) {
    case RecordAction::kRecordInspection:
      return std::string(kService) + "RecordInspection";
    case RecordAction::kRecordPenalty:
      return std::string(kService) + "RecordPenalty";
    case RecordAction::kRecordQualityLoss:
      return std::string(kService) + "RecordQualityLoss";
    case RecordAction::kImportListing:
      return std::string(kService) + "ImportListing";
    case RecordAction::kAddBlacklistEntry:
      return std::string(kService) + "AddBlacklistEntry";
    case RecordAction::kApplyRepair:
      return std::string(kService) + "ApplyRepair";
    case RecordAction::kDecideRepair:
      return std::string(kService) + "DecideRepair";
  }
  return std::string(kService) + "unknown";  // no table entry: refused
}

}  // namespace

grpc::Status CreditServiceImpl::Record(grpc::ServerContext* context, RecordAction action,
                                       const origo::v1::SignedRecordsRequest& request,
                                       origo::v1::SignedRecordsResponse* response) {
  auto principal = server::AuthorizeCall(*authenticator_, context, MethodOf(action));
  if (!principal.ok()) return ToGrpc(principal.status());
  auto result = processor_->Submit(*principal, action, request.batch());
  if (!result.ok()) return ToGrpc(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

grpc::Status CreditServiceImpl::RecordInspection(grpc::ServerContext* context,
                                                 const origo::v1::SignedRecordsRequest* request,
                                                 origo::v1::SignedRecordsResponse* response) {
  return Record(context, RecordAction::kRecordInspection, *request, response);
}

grpc::Status CreditServiceImpl::RecordPenalty(grpc::ServerContext* context,
                                              const origo::v1::SignedRecordsRequest* request,
                                              origo::v1::SignedRecordsResponse* response) {
  return Record(context, RecordAction::kRecordPenalty, *request, response);
}

grpc::Status CreditServiceImpl::RecordQualityLoss(grpc::ServerContext* context,
                                                  const origo::v1::SignedRecordsRequest* request,
                                                  origo::v1::SignedRecordsResponse* response) {
  return Record(context, RecordAction::kRecordQualityLoss, *request, response);
}

grpc::Status CreditServiceImpl::ImportListing(grpc::ServerContext* context,
                                              const origo::v1::SignedRecordsRequest* request,
                                              origo::v1::SignedRecordsResponse* response) {
  return Record(context, RecordAction::kImportListing, *request, response);
}

grpc::Status CreditServiceImpl::AddBlacklistEntry(grpc::ServerContext* context,
                                                  const origo::v1::SignedRecordsRequest* request,
                                                  origo::v1::SignedRecordsResponse* response) {
  return Record(context, RecordAction::kAddBlacklistEntry, *request, response);
}

grpc::Status CreditServiceImpl::ApplyRepair(grpc::ServerContext* context,
                                            const origo::v1::SignedRecordsRequest* request,
                                            origo::v1::SignedRecordsResponse* response) {
  return Record(context, RecordAction::kApplyRepair, *request, response);
}

grpc::Status CreditServiceImpl::DecideRepair(grpc::ServerContext* context,
                                             const origo::v1::SignedRecordsRequest* request,
                                             origo::v1::SignedRecordsResponse* response) {
  return Record(context, RecordAction::kDecideRepair, *request, response);
}

grpc::Status CreditServiceImpl::SubmitFeedback(grpc::ServerContext* context,
                                               const origo::v1::SubmitFeedbackRequest* request,
                                               origo::v1::SubmitFeedbackResponse* response) {
  auto principal = server::AuthorizeCall(*authenticator_, context,
                                         kService + std::string("SubmitFeedback"), request);
  if (!principal.ok()) return ToGrpc(principal.status());
  auto feedback = processor_->SubmitFeedback(*principal, context->peer(), *request);
  if (!feedback.ok()) return ToGrpc(feedback.status());
  *response->mutable_feedback() = *std::move(feedback);
  return grpc::Status::OK;
}

grpc::Status CreditServiceImpl::GetCreditProfile(grpc::ServerContext* context,
                                                 const origo::v1::GetCreditProfileRequest* request,
                                                 origo::v1::GetCreditProfileResponse* response) {
  auto principal = server::AuthorizeCall(*authenticator_, context,
                                         kService + std::string("GetCreditProfile"), request);
  if (!principal.ok()) return ToGrpc(principal.status());
  auto profile = processor_->GetProfile(*principal, *request);
  if (!profile.ok()) return ToGrpc(profile.status());
  *response = *std::move(profile);
  return grpc::Status::OK;
}

grpc::Status CreditServiceImpl::GetRating(grpc::ServerContext* context,
                                          const origo::v1::GetRatingRequest* request,
                                          origo::v1::GetRatingResponse* response) {
  auto principal =
      server::AuthorizeCall(*authenticator_, context, kService + std::string("GetRating"), request);
  if (!principal.ok()) return ToGrpc(principal.status());
  auto rating = processor_->GetRating(*principal, *request);
  if (!rating.ok()) return ToGrpc(rating.status());
  *response->mutable_rating() = *std::move(rating);
  return grpc::Status::OK;
}

grpc::Status CreditServiceImpl::ListBlacklist(grpc::ServerContext* context,
                                              const origo::v1::ListBlacklistRequest* request,
                                              origo::v1::ListBlacklistResponse* response) {
  auto principal = server::AuthorizeCall(*authenticator_, context,
                                         kService + std::string("ListBlacklist"), request);
  if (!principal.ok()) return ToGrpc(principal.status());
  auto entries = processor_->ListBlacklist(*principal, *request);
  if (!entries.ok()) return ToGrpc(entries.status());
  for (auto& entry : *entries) *response->add_entries() = std::move(entry);
  return grpc::Status::OK;
}

grpc::Status CreditServiceImpl::QualityReport(grpc::ServerContext* context,
                                              const origo::v1::QualityReportRequest* request,
                                              origo::v1::QualityReportResponse* response) {
  auto principal = server::AuthorizeCall(*authenticator_, context,
                                         kService + std::string("QualityReport"), request);
  if (!principal.ok()) return ToGrpc(principal.status());
  auto report = processor_->QualityReport(*principal, *request);
  if (!report.ok()) return ToGrpc(report.status());
  *response->mutable_report() = *std::move(report);
  return grpc::Status::OK;
}

}  // namespace origo::credit
