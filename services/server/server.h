#ifndef ORIGO_SERVICES_SERVER_SERVER_H_
#define ORIGO_SERVICES_SERVER_SERVER_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "origo/v1/config.pb.h"
#include "services/server/metrics.h"
#include "storage/store.h"

namespace grpc {
class Server;
class Service;
}  // namespace grpc

namespace httplib {
class Server;
}

namespace origo::server {

class CallWatchdog;
class ServiceHost;

// The Origo server: one store, the gRPC services on one port (with grpc.health.v1 and server
// reflection) and the HTTP gateway on another. Used by origod and, in-process, by tests.
//
// Lifecycle: Start() opens the store and binds both ports (port 0 picks a free one);
// Shutdown() stops accepting, drains in-flight calls, flushes and closes the store.
// Thread-safe: Shutdown may be called from any thread, any number of times.
class Server {
 public:
  // Opens the store under config.data_dir and starts serving. `config` must have defaults
  // applied. Errors: FAILED_PRECONDITION when the data directory is locked by another process,
  // UNAVAILABLE when a port cannot be bound, DATA_LOSS when the store is corrupt.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const origo::v1::Config& config);

  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Stops accepting, waits up to `drain` for in-flight calls, then closes the store. Returns the
  // store's close status (OK on a clean close).
  absl::Status Shutdown(std::chrono::milliseconds drain = std::chrono::seconds(5));

  int grpc_port() const { return grpc_port_; }
  int http_port() const { return http_port_; }
  std::string grpc_address() const;
  std::string http_address() const;
  storage::Store* store() const { return store_.get(); }
  Metrics* metrics() const { return metrics_.get(); }
  const origo::v1::Config& config() const { return config_; }
  double UptimeSeconds() const;
  // Console lines to show an operator after start (bootstrap notices and the like).
  const std::vector<std::string>& notices() const { return notices_; }

 private:
  Server() = default;
  absl::Status StartHttp();

  origo::v1::Config config_;
  std::chrono::steady_clock::time_point started_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<ServiceHost> services_;
  // Declared before grpc_ so that it outlives the server whose calls it watches.
  std::unique_ptr<CallWatchdog> watchdog_;
  std::unique_ptr<grpc::Server> grpc_;
  std::unique_ptr<httplib::Server> http_;
  std::thread http_thread_;
  std::string grpc_host_;
  std::string http_host_;
  int grpc_port_ = 0;
  int http_port_ = 0;
  std::vector<std::string> notices_;
  absl::Mutex shutdown_mu_;
  bool shut_down_ ABSL_GUARDED_BY(shutdown_mu_) = false;
  absl::Status close_status_ ABSL_GUARDED_BY(shutdown_mu_);
};

}  // namespace origo::server

#endif  // ORIGO_SERVICES_SERVER_SERVER_H_
