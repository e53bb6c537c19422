#include "services/server/service_host.h"

namespace origo::server {
namespace {

// The foundation host: no domain services yet (health and reflection come from the Server).
class EmptyServiceHost : public ServiceHost {
 public:
  std::vector<grpc::Service*> GrpcServices() override { return {}; }
  void RegisterHttp(httplib::Server*) override {}
  void Stop() override {}
  std::vector<std::string> Notices() const override { return {}; }
  void RenderMetrics(std::string*) const override {}
};

}  // namespace

absl::StatusOr<std::unique_ptr<ServiceHost>> ServiceHost::Create(const origo::v1::Config&,
                                                                 storage::Store*, Metrics*) {
  return std::make_unique<EmptyServiceHost>();
}

}  // namespace origo::server
