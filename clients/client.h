#ifndef ORIGO_CLIENTS_CLIENT_H_
#define ORIGO_CLIENTS_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "origo/v1/admin.pb.h"
#include "origo/v1/capture.pb.h"
#include "origo/v1/registry.pb.h"

namespace grpc {
class Channel;
class ClientContext;
class Status;
}  // namespace grpc

namespace origo::client {

struct ClientOptions {
  // gRPC target host:port. Default 127.0.0.1:50051.
  std::string server = "127.0.0.1:50051";
  // Bearer token sent as `authorization: Bearer <token>`; empty sends none.
  std::string token;
  // Deadline for each unary call. Default 10 s.
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
  // Deadline for a whole CaptureStream. Default 24 h.
  std::chrono::milliseconds stream_timeout = std::chrono::hours(24);
  // TLS: a PEM CA file to trust turns TLS on; cert and key add a client certificate (mutual
  // TLS). Empty: plaintext.
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
};

// Converts a gRPC status to the process-wide error type, keeping the code.
absl::Status FromGrpc(const grpc::Status& status);

// One CaptureService.CaptureStream call: batches in, one response per batch, in order. A rejected
// batch ends the stream; Finish() then returns its error, and the responses read before it are
// for batches that are durable.
//
// Thread-safety: one thread may Write/WritesDone while another Reads; Finish must be called once,
// after Read has returned NOT_FOUND or an error and no Write is in progress.
class CaptureStream {
 public:
  ~CaptureStream();
  CaptureStream(const CaptureStream&) = delete;
  CaptureStream& operator=(const CaptureStream&) = delete;

  // Sends one batch. FAILED_PRECONDITION when the stream is already broken (the server ended it;
  // Finish() says why).
  absl::Status Write(const origo::v1::CaptureRequest& request);
  // Tells the server no more batches follow.
  absl::Status WritesDone();
  // The next response, in request order. NOT_FOUND("end of stream") once the server has ended the
  // stream (successfully or not): call Finish() for the final status.
  absl::StatusOr<origo::v1::CaptureResponse> Read();
  // The stream's final status: OK, or the error that ended it (e.g. the rejected batch's
  // INVALID_ARGUMENT or PERMISSION_DENIED).
  absl::Status Finish();
  // Cancels the call (safe from any thread); pending Reads and Writes fail.
  void Cancel();

 private:
  friend class Client;
  struct Impl;
  explicit CaptureStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The client library shared by the origo CLI and the integration tests: one channel, typed calls
// returning the API's protobuf messages, errors as absl::Status with the server's gRPC code.
// Thread-safe.
class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();

  // grpc.health.v1 Check of the whole server. Returns "SERVING", "NOT_SERVING", ...;
  // UNAVAILABLE when the server cannot be reached.
  absl::StatusOr<std::string> Health();

  // origo.v1.RegistryService.
  absl::StatusOr<origo::v1::RegisterEnterpriseResponse> RegisterEnterprise(
      const origo::v1::RegisterEnterpriseRequest& request);
  absl::StatusOr<origo::v1::GetEnterpriseResponse> GetEnterprise(
      const origo::v1::GetEnterpriseRequest& request);
  absl::StatusOr<origo::v1::AddKeyResponse> AddKey(const origo::v1::AddKeyRequest& request);
  absl::StatusOr<origo::v1::RevokeKeyResponse> RevokeKey(
      const origo::v1::RevokeKeyRequest& request);
  absl::StatusOr<origo::v1::ListKeysResponse> ListKeys(const origo::v1::ListKeysRequest& request);
  absl::StatusOr<origo::v1::AddProductionBaseResponse> AddProductionBase(
      const origo::v1::AddProductionBaseRequest& request);
  absl::StatusOr<origo::v1::AddCertificateResponse> AddCertificate(
      const origo::v1::AddCertificateRequest& request);
  absl::StatusOr<origo::v1::CreateTokenResponse> CreateToken(
      const origo::v1::CreateTokenRequest& request);
  absl::StatusOr<origo::v1::ListTokensResponse> ListTokens(
      const origo::v1::ListTokensRequest& request);
  absl::StatusOr<origo::v1::RevokeTokenResponse> RevokeToken(
      const origo::v1::RevokeTokenRequest& request);

  // origo.v1.CaptureService.
  absl::StatusOr<origo::v1::CaptureResponse> Capture(const origo::v1::CaptureRequest& request);
  // Opens a CaptureStream (deadline options().stream_timeout). Errors surface on first use.
  std::unique_ptr<CaptureStream> OpenCaptureStream();

  // origo.v1.TransparencyService.
  absl::StatusOr<origo::v1::GetCheckpointResponse> GetCheckpoint(
      const origo::v1::GetCheckpointRequest& request = {});
  absl::StatusOr<origo::v1::GetInclusionProofResponse> GetInclusionProof(
      const origo::v1::GetInclusionProofRequest& request);
  absl::StatusOr<origo::v1::GetConsistencyProofResponse> GetConsistencyProof(
      const origo::v1::GetConsistencyProofRequest& request);
  absl::StatusOr<origo::v1::GetLeavesResponse> GetLeaves(
      const origo::v1::GetLeavesRequest& request);

  // origo.v1.AdminService.
  absl::StatusOr<origo::v1::BackupResponse> Backup(const origo::v1::BackupRequest& request);
  absl::StatusOr<origo::v1::ListCheckpointsResponse> ListCheckpoints(
      const origo::v1::ListCheckpointsRequest& request);

  const ClientOptions& options() const { return options_; }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  // Prepares a context with the unary deadline and the bearer token.
  void Prepare(grpc::ClientContext* context) const;

 private:
  struct Stubs;

  ClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<Stubs> stubs_;
};

}  // namespace origo::client

#endif  // ORIGO_CLIENTS_CLIENT_H_
