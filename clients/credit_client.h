#ifndef ORIGO_CLIENTS_CREDIT_CLIENT_H_
#define ORIGO_CLIENTS_CREDIT_CLIENT_H_

// Client side of origo.v1.CreditService: typed calls over a Client's channel, and signing of
// credit record documents (what inspectors, regulators and enterprises sign).

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/client.h"
#include "core/crypto/keys.h"
#include "origo/v1/credit.pb.h"

namespace origo::client {

// Encodes each record as its canonical document (core/credit/records.h) and signs them as one
// batch for organisation `usci` with `key` (batch::SignBatch). INVALID_ARGUMENT for a record that
// cannot be encoded.
absl::StatusOr<origo::v1::SignedRecordsRequest> SignRecords(
    const std::vector<origo::v1::CreditRecord>& records, const std::string& usci,
    const crypto::PrivateKey& key, int64_t signed_unix_ms);

// Thread-safe. `client` must outlive this object; calls use its deadline and token.
class CreditClient {
 public:
  explicit CreditClient(const Client& client);
  ~CreditClient();

  using Records = absl::StatusOr<origo::v1::SignedRecordsResponse>;
  Records RecordInspection(const origo::v1::SignedRecordsRequest& request);
  Records RecordPenalty(const origo::v1::SignedRecordsRequest& request);
  Records RecordQualityLoss(const origo::v1::SignedRecordsRequest& request);
  Records ImportListing(const origo::v1::SignedRecordsRequest& request);
  Records AddBlacklistEntry(const origo::v1::SignedRecordsRequest& request);
  Records ApplyRepair(const origo::v1::SignedRecordsRequest& request);
  Records DecideRepair(const origo::v1::SignedRecordsRequest& request);
  absl::StatusOr<origo::v1::SubmitFeedbackResponse> SubmitFeedback(
      const origo::v1::SubmitFeedbackRequest& request);
  absl::StatusOr<origo::v1::GetCreditProfileResponse> GetCreditProfile(
      const origo::v1::GetCreditProfileRequest& request);
  absl::StatusOr<origo::v1::GetRatingResponse> GetRating(
      const origo::v1::GetRatingRequest& request);
  absl::StatusOr<origo::v1::ListBlacklistResponse> ListBlacklist(
      const origo::v1::ListBlacklistRequest& request);
  absl::StatusOr<origo::v1::QualityReportResponse> QualityReport(
      const origo::v1::QualityReportRequest& request);

 private:
  struct Stub;
  const Client& client_;
  std::unique_ptr<Stub> stub_;
};

}  // namespace origo::client

#endif  // ORIGO_CLIENTS_CREDIT_CLIENT_H_
