// origod: the Origo server. Opens the store, serves gRPC and HTTP, shuts down cleanly on
// SIGINT/SIGTERM (stop accepting, drain, flush, close the store, exit 0).

#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "services/server/config.h"
#include "services/server/server.h"

int main(int argc, char** argv) {
  CLI::App app{"origod " ORIGO_VERSION
               " - Origo traceability and quality-credit server.\n"
               "Serves gRPC (capture, registry, transparency log, health, reflection) and HTTP "
               "(/healthz, /metrics, consumer pages) on an embedded RocksDB store.",
               "origod"};
  std::string config_file, data_dir, grpc_listen, http_listen;
  app.add_option("--config", config_file, "JSON file with an origo.v1.Config; flags override it");
  app.add_option("--data", data_dir, "data directory (default ./data)");
  app.add_option("--grpc-listen", grpc_listen, "gRPC address host:port (default 127.0.0.1:50051)");
  app.add_option("--http-listen", http_listen, "HTTP address host:port (default 127.0.0.1:8080)");
  app.set_version_flag("--version", "origod " ORIGO_VERSION);
  CLI11_PARSE(app, argc, argv);

  origo::v1::Config config;
  if (!config_file.empty()) {
    auto loaded = origo::server::LoadConfigFile(config_file);
    if (!loaded.ok()) {
      std::cerr << "origod: " << loaded.status().message() << "\n";
      return 2;
    }
    config = *std::move(loaded);
  }
  if (!data_dir.empty()) config.set_data_dir(data_dir);
  if (!grpc_listen.empty()) config.set_grpc_listen(grpc_listen);
  if (!http_listen.empty()) config.set_http_listen(http_listen);
  origo::server::ApplyDefaults(&config);

  // Block the shutdown signals before any thread starts, so that every thread inherits the mask
  // and only the sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto server = origo::server::Server::Start(config);
  if (!server.ok()) {
    std::cerr << "origod: cannot start: " << server.status().ToString() << "\n";
    return 1;
  }
  std::printf("origod %s\n", ORIGO_VERSION);
  std::printf("  data   %s\n", config.data_dir().c_str());
  std::printf("  gRPC   %s\n", (*server)->grpc_address().c_str());
  std::printf("  HTTP   http://%s\n", (*server)->http_address().c_str());
  for (const std::string& notice : (*server)->notices()) std::printf("%s\n", notice.c_str());
  std::printf("ready; Ctrl-C or SIGTERM stops the server cleanly\n");
  std::fflush(stdout);

  int received = 0;
  sigwait(&signals, &received);
  std::fprintf(stderr, "origod: received %s, shutting down\n",
               received == SIGINT ? "SIGINT" : "SIGTERM");
  absl::Status closed = (*server)->Shutdown();
  if (!closed.ok()) {
    std::fprintf(stderr, "origod: store did not close cleanly: %s\n", closed.ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "origod: stopped cleanly\n");
  return 0;
}
