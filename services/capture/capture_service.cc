#include "services/capture/capture_service.h"

#include "services/server/grpc_auth.h"
#include "services/server/grpc_status.h"

namespace origo::capture {

using server::ToGrpc;

grpc::Status CaptureServiceImpl::Capture(grpc::ServerContext* context,
                                         const origo::v1::CaptureRequest* request,
                                         origo::v1::CaptureResponse* response) {
  auto principal = server::AuthenticateCall(*authenticator_, *context);
  if (!principal.ok()) return ToGrpc(principal.status());
  auto result = processor_->Capture(*principal, request->batch());
  if (!result.ok()) return ToGrpc(result.status());
  *response = *std::move(result);
  response->set_sequence(request->sequence());
  return grpc::Status::OK;
}

grpc::Status CaptureServiceImpl::CaptureStream(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<origo::v1::CaptureResponse, origo::v1::CaptureRequest>* stream) {
  auto principal = server::AuthenticateCall(*authenticator_, *context);
  if (!principal.ok()) return ToGrpc(principal.status());
  origo::v1::CaptureRequest request;
  while (stream->Read(&request)) {
    auto result = processor_->Capture(*principal, request.batch());
    if (!result.ok()) {
      absl::Status s = result.status();
      return ToGrpc(absl::Status(s.code(), "batch with sequence " +
                                               std::to_string(request.sequence()) + ": " +
                                               std::string(s.message())));
    }
    result->set_sequence(request.sequence());
    if (!stream->Write(*result)) break;  // client went away; what was written is durable
  }
  return grpc::Status::OK;
}

}  // namespace origo::capture
