#ifndef ORIGO_SERVICES_SERVER_SERVICE_HOST_H_
#define ORIGO_SERVICES_SERVER_SERVICE_HOST_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "origo/v1/config.pb.h"
#include "storage/store.h"

namespace grpc {
class Service;
}
namespace httplib {
class Server;
}

namespace origo::server {

class Authenticator;
class Metrics;

// Owns the domain objects and gRPC service adapters that a Server hosts. Created after the
// store opens and destroyed before it closes. Thread-safe after Create.
class ServiceHost {
 public:
  static absl::StatusOr<std::unique_ptr<ServiceHost>> Create(const origo::v1::Config& config,
                                                             storage::Store* store,
                                                             Metrics* metrics);
  virtual ~ServiceHost() = default;
  // gRPC services to register; owned by the host.
  virtual std::vector<grpc::Service*> GrpcServices() = 0;
  // Adds the host's HTTP routes (beyond /healthz and /metrics).
  virtual void RegisterHttp(httplib::Server* http) = 0;
  // Called first on shutdown: stop background work (checkpoint signer, sequencer) and flush.
  virtual void Stop() = 0;
  // Lines printed to the operator once started (bootstrap token, log key).
  virtual std::vector<std::string> Notices() const = 0;
  // Appends host-specific Prometheus series to `out`.
  virtual void RenderMetrics(std::string* out) const = 0;
  // Checks bearer tokens and charges call budgets; the HTTP gateway uses it too.
  virtual const Authenticator* authenticator() const = 0;
};

}  // namespace origo::server

#endif  // ORIGO_SERVICES_SERVER_SERVICE_HOST_H_
