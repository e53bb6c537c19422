#include "clients/credit_client.h"

#include <grpcpp/grpcpp.h>

#include "core/base/status_macros.h"
#include "core/batch/batch.h"
#include "core/credit/records.h"
#include "origo/v1/credit.grpc.pb.h"

namespace origo::client {

using origo::v1::CreditService;

absl::StatusOr<origo::v1::SignedRecordsRequest> SignRecords(
    const std::vector<origo::v1::CreditRecord>& records, const std::string& usci,
    const crypto::PrivateKey& key, int64_t signed_unix_ms) {
  std::vector<std::string> documents;
  documents.reserve(records.size());
  for (const origo::v1::CreditRecord& record : records) {
    ORIGO_ASSIGN_OR_RETURN(std::string document, credit::EncodeRecord(record));
    documents.push_back(std::move(document));
  }
  origo::v1::SignedRecordsRequest request;
  ORIGO_ASSIGN_OR_RETURN(*request.mutable_batch(),
                         batch::SignBatch(documents, usci, key, signed_unix_ms));
  return request;
}

struct CreditClient::Stub {
  std::unique_ptr<CreditService::Stub> stub;
};

namespace {

template <typename Response, typename Request>
absl::StatusOr<Response> Call(const Client& client, CreditService::Stub* stub,
                              grpc::Status (CreditService::Stub::*method)(grpc::ClientContext*,
                                                                          const Request&,
                                                                          Response*),
                              const Request& request) {
  grpc::ClientContext context;
  client.Prepare(&context);
  Response response;
  grpc::Status status = (stub->*method)(&context, request, &response);
  if (!status.ok()) return FromGrpc(status);
  return response;
}

}  // namespace

CreditClient::CreditClient(const Client& client)
    : client_(client), stub_(new Stub{CreditService::NewStub(client.channel())}) {}

CreditClient::~CreditClient() = default;

CreditClient::Records CreditClient::RecordInspection(const origo::v1::SignedRecordsRequest& r) {
  return Call(client_, stub_->stub.get(), &CreditService::Stub::RecordInspection, r);
}
CreditClient::Records CreditClient::RecordPenalty(const origo::v1::SignedRecordsRequest& r) {
  return Call(client_, stub_->stub.get(), &CreditService::Stub::RecordPenalty, r);
}
CreditClient::Records CreditClient::RecordQualityLoss(const origo::v1::SignedRecordsRequest& r) {
  return Call(client_, stub_->stub.get(), &CreditService::Stub::RecordQualityLoss, r);
}
CreditClient::Records CreditClient::ImportListing(const origo::v1::SignedRecordsRequest& r) {
  return Call(client_, stub_->stub.get(), &CreditService::Stub::ImportListing, r);
}
CreditClient::Records CreditClient::AddBlacklistEntry(const origo::v1::SignedRecordsRequest& r) {
  return Call(client_, stub_->stub.get(), &CreditService::Stub::AddBlacklistEntry, r);
}
CreditClient::Records CreditClient::ApplyRepair(const origo::v1::SignedRecordsRequest& r) {
  return Call(client_, stub_->stub.get(), &CreditService::Stub::ApplyRepair, r);
}
CreditClient::Records CreditClient::DecideRepair(const origo::v1::SignedRecordsRequest& r) {
  return Call(client_, stub_->stub.get(), &CreditService::Stub::DecideRepair, r);
}

absl::StatusOr<origo::v1::SubmitFeedbackResponse> CreditClient::SubmitFeedback(
    const origo::v1::SubmitFeedbackRequest& r) {
  return Call(client_, stub_->stub.get(), &CreditService::Stub::SubmitFeedback, r);
}

absl::StatusOr<origo::v1::GetCreditProfileResponse> CreditClient::GetCreditProfile(
    const origo::v1::GetCreditProfileRequest& r) {
  return Call(client_, stub_->stub.get(), &CreditService::Stub::GetCreditProfile, r);
}

absl::StatusOr<origo::v1::GetRatingResponse> CreditClient::GetRating(
    const origo::v1::GetRatingRequest& r) {
  return Call(client_, stub_->stub.get(), &CreditService::Stub::GetRating, r);
}

absl::StatusOr<origo::v1::ListBlacklistResponse> CreditClient::ListBlacklist(
    const origo::v1::ListBlacklistRequest& r) {
  return Call(client_, stub_->stub.get(), &CreditService::Stub::ListBlacklist, r);
}

absl::StatusOr<origo::v1::QualityReportResponse> CreditClient::QualityReport(
    const origo::v1::QualityReportRequest& r) {
  return Call(client_, stub_->stub.get(), &CreditService::Stub::QualityReport, r);
}

}  // namespace origo::client
