#ifndef ORIGO_TESTS_SERVER_UTIL_H_
#define ORIGO_TESTS_SERVER_UTIL_H_

#include <fstream>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/server/config.h"
#include "services/server/server.h"

namespace origo::testing {

// Starts origod's server in this process with `config` (its data directory and any options the
// test sets), listening on 127.0.0.1 with ports the kernel picks (gRPC and HTTP). The caller
// stops it with Shutdown().
inline absl::StatusOr<std::unique_ptr<server::Server>> StartLocalServer(origo::v1::Config config) {
  config.set_grpc_listen("127.0.0.1:0");
  config.set_http_listen("127.0.0.1:0");
  server::ApplyDefaults(&config);
  return server::Server::Start(config);
}

// The regulator token the server wrote on the first start over `data_dir`; empty if none.
inline std::string BootstrapToken(const std::string& data_dir) {
  std::ifstream in(data_dir + "/bootstrap-token");
  std::string token;
  std::getline(in, token);
  return token;
}

}  // namespace origo::testing

#endif  // ORIGO_TESTS_SERVER_UTIL_H_
