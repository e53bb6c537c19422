#include "clients/client.h"

#include <grpcpp/grpcpp.h>

#include <fstream>
#include <sstream>

#include "grpc/health/v1/health.grpc.pb.h"
#include "origo/v1/admin.grpc.pb.h"
#include "origo/v1/capture.grpc.pb.h"
#include "origo/v1/registry.grpc.pb.h"

namespace origo::client {
namespace {

using origo::v1::CaptureRequest;
using origo::v1::CaptureResponse;

// Runs one unary call on `stub` with a prepared context.
template <typename Response, typename Stub, typename Request>
absl::StatusOr<Response> Call(const Client& client, Stub* stub,
                              grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
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

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

struct Client::Stubs {
  explicit Stubs(const std::shared_ptr<grpc::Channel>& channel)
      : registry(origo::v1::RegistryService::NewStub(channel)),
        capture(origo::v1::CaptureService::NewStub(channel)),
        transparency(origo::v1::TransparencyService::NewStub(channel)),
        admin(origo::v1::AdminService::NewStub(channel)) {}

  std::unique_ptr<origo::v1::RegistryService::Stub> registry;
  std::unique_ptr<origo::v1::CaptureService::Stub> capture;
  std::unique_ptr<origo::v1::TransparencyService::Stub> transparency;
  std::unique_ptr<origo::v1::AdminService::Stub> admin;
};

struct CaptureStream::Impl {
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReaderWriter<CaptureRequest, CaptureResponse>> stream;
};

CaptureStream::CaptureStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

CaptureStream::~CaptureStream() = default;

absl::Status CaptureStream::Write(const CaptureRequest& request) {
  if (!impl_->stream->Write(request)) {
    return absl::FailedPreconditionError("capture stream: the server ended the stream");
  }
  return absl::OkStatus();
}

absl::Status CaptureStream::WritesDone() {
  if (!impl_->stream->WritesDone()) {
    return absl::FailedPreconditionError("capture stream: the server ended the stream");
  }
  return absl::OkStatus();
}

absl::StatusOr<CaptureResponse> CaptureStream::Read() {
  CaptureResponse response;
  if (!impl_->stream->Read(&response)) return absl::NotFoundError("end of stream");
  return response;
}

absl::Status CaptureStream::Finish() { return FromGrpc(impl_->stream->Finish()); }

void CaptureStream::Cancel() { impl_->context.TryCancel(); }

namespace {
// A missing or unreadable file yields an empty string; the TLS handshake then fails with a
// clear UNAVAILABLE naming the server, which is where the user looks.
std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}
}  // namespace

Client::Client(ClientOptions options) : options_(std::move(options)) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (!options_.tls_ca_file.empty()) {
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = ReadFileOrEmpty(options_.tls_ca_file);
    if (!options_.tls_cert_file.empty()) {
      tls.pem_cert_chain = ReadFileOrEmpty(options_.tls_cert_file);
      tls.pem_private_key = ReadFileOrEmpty(options_.tls_key_file);
    }
    credentials = grpc::SslCredentials(tls);
  }
  channel_ = grpc::CreateCustomChannel(options_.server, credentials, args);
  stubs_ = std::make_unique<Stubs>(channel_);
}

Client::~Client() = default;

void Client::Prepare(grpc::ClientContext* context) const {
  context->set_deadline(std::chrono::system_clock::now() + options_.timeout);
  if (!options_.token.empty()) context->AddMetadata("authorization", "Bearer " + options_.token);
}

absl::StatusOr<std::string> Client::Health() {
  auto stub = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext context;
  Prepare(&context);
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) return FromGrpc(status);
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
}

absl::StatusOr<origo::v1::RegisterEnterpriseResponse> Client::RegisterEnterprise(
    const origo::v1::RegisterEnterpriseRequest& request) {
  return Call(*this, stubs_->registry.get(), &origo::v1::RegistryService::Stub::RegisterEnterprise,
              request);
}

absl::StatusOr<origo::v1::GetEnterpriseResponse> Client::GetEnterprise(
    const origo::v1::GetEnterpriseRequest& request) {
  return Call(*this, stubs_->registry.get(), &origo::v1::RegistryService::Stub::GetEnterprise,
              request);
}

absl::StatusOr<origo::v1::AddKeyResponse> Client::AddKey(const origo::v1::AddKeyRequest& request) {
  return Call(*this, stubs_->registry.get(), &origo::v1::RegistryService::Stub::AddKey, request);
}

absl::StatusOr<origo::v1::RevokeKeyResponse> Client::RevokeKey(
    const origo::v1::RevokeKeyRequest& request) {
  return Call(*this, stubs_->registry.get(), &origo::v1::RegistryService::Stub::RevokeKey, request);
}

absl::StatusOr<origo::v1::ListKeysResponse> Client::ListKeys(
    const origo::v1::ListKeysRequest& request) {
  return Call(*this, stubs_->registry.get(), &origo::v1::RegistryService::Stub::ListKeys, request);
}

absl::StatusOr<origo::v1::AddProductionBaseResponse> Client::AddProductionBase(
    const origo::v1::AddProductionBaseRequest& request) {
  return Call(*this, stubs_->registry.get(), &origo::v1::RegistryService::Stub::AddProductionBase,
              request);
}

absl::StatusOr<origo::v1::AddCertificateResponse> Client::AddCertificate(
    const origo::v1::AddCertificateRequest& request) {
  return Call(*this, stubs_->registry.get(), &origo::v1::RegistryService::Stub::AddCertificate,
              request);
}

absl::StatusOr<origo::v1::CreateTokenResponse> Client::CreateToken(
    const origo::v1::CreateTokenRequest& request) {
  return Call(*this, stubs_->registry.get(), &origo::v1::RegistryService::Stub::CreateToken,
              request);
}

absl::StatusOr<origo::v1::ListTokensResponse> Client::ListTokens(
    const origo::v1::ListTokensRequest& request) {
  return Call(*this, stubs_->registry.get(), &origo::v1::RegistryService::Stub::ListTokens,
              request);
}

absl::StatusOr<origo::v1::RevokeTokenResponse> Client::RevokeToken(
    const origo::v1::RevokeTokenRequest& request) {
  return Call(*this, stubs_->registry.get(), &origo::v1::RegistryService::Stub::RevokeToken,
              request);
}

absl::StatusOr<CaptureResponse> Client::Capture(const CaptureRequest& request) {
  return Call(*this, stubs_->capture.get(), &origo::v1::CaptureService::Stub::Capture, request);
}

std::unique_ptr<CaptureStream> Client::OpenCaptureStream() {
  auto impl = std::make_unique<CaptureStream::Impl>();
  impl->context.set_deadline(std::chrono::system_clock::now() + options_.stream_timeout);
  if (!options_.token.empty()) {
    impl->context.AddMetadata("authorization", "Bearer " + options_.token);
  }
  impl->stream = stubs_->capture->CaptureStream(&impl->context);
  return std::unique_ptr<CaptureStream>(new CaptureStream(std::move(impl)));
}

absl::StatusOr<origo::v1::GetCheckpointResponse> Client::GetCheckpoint(
    const origo::v1::GetCheckpointRequest& request) {
  return Call(*this, stubs_->transparency.get(),
              &origo::v1::TransparencyService::Stub::GetCheckpoint, request);
}

absl::StatusOr<origo::v1::GetInclusionProofResponse> Client::GetInclusionProof(
    const origo::v1::GetInclusionProofRequest& request) {
  return Call(*this, stubs_->transparency.get(),
              &origo::v1::TransparencyService::Stub::GetInclusionProof, request);
}

absl::StatusOr<origo::v1::GetConsistencyProofResponse> Client::GetConsistencyProof(
    const origo::v1::GetConsistencyProofRequest& request) {
  return Call(*this, stubs_->transparency.get(),
              &origo::v1::TransparencyService::Stub::GetConsistencyProof, request);
}

absl::StatusOr<origo::v1::GetLeavesResponse> Client::GetLeaves(
    const origo::v1::GetLeavesRequest& request) {
  return Call(*this, stubs_->transparency.get(), &origo::v1::TransparencyService::Stub::GetLeaves,
              request);
}

absl::StatusOr<origo::v1::BackupResponse> Client::Backup(const origo::v1::BackupRequest& request) {
  return Call(*this, stubs_->admin.get(), &origo::v1::AdminService::Stub::Backup, request);
}

absl::StatusOr<origo::v1::ListCheckpointsResponse> Client::ListCheckpoints(
    const origo::v1::ListCheckpointsRequest& request) {
  return Call(*this, stubs_->admin.get(), &origo::v1::AdminService::Stub::ListCheckpoints, request);
}

}  // namespace origo::client
