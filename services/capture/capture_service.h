#ifndef ORIGO_SERVICES_CAPTURE_CAPTURE_SERVICE_H_
#define ORIGO_SERVICES_CAPTURE_CAPTURE_SERVICE_H_

#include "origo/v1/capture.grpc.pb.h"
#include "services/capture/capture.h"
#include "services/server/auth.h"

namespace origo::capture {

// gRPC adapter for origo.v1.CaptureService: authenticates the call, hands each batch to the
// CaptureProcessor, converts the result. Thread-safe.
class CaptureServiceImpl final : public origo::v1::CaptureService::Service {
 public:
  CaptureServiceImpl(CaptureProcessor* processor, server::Authenticator* authenticator)
      : processor_(processor), authenticator_(authenticator) {}

  grpc::Status Capture(grpc::ServerContext* context, const origo::v1::CaptureRequest* request,
                       origo::v1::CaptureResponse* response) override;
  // One response per request, in order. A rejected batch ends the stream with its error; the
  // batches acknowledged before it are durable.
  grpc::Status CaptureStream(grpc::ServerContext* context,
                             grpc::ServerReaderWriter<origo::v1::CaptureResponse,
                                                      origo::v1::CaptureRequest>* stream) override;

 private:
  CaptureProcessor* processor_;
  server::Authenticator* authenticator_;
};

}  // namespace origo::capture

#endif  // ORIGO_SERVICES_CAPTURE_CAPTURE_SERVICE_H_
