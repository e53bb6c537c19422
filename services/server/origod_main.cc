// origod: the Origo server. Opens the store, serves gRPC and HTTP, shuts down cleanly on
// SIGINT/SIGTERM (stop accepting, drain, flush, close the store, exit 0).

#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "absl/synchronization/mutex.h"
#include "services/admin/backup.h"
#include "services/server/config.h"
#include "services/server/demo.h"
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
  std::string restore_from;
  app.add_option("--restore-from", restore_from,
                 "make the (empty) --data directory a copy of this backup, then serve it");
  std::string tls_cert, tls_key, client_ca;
  app.add_option("--tls-cert", tls_cert, "PEM certificate chain: serve gRPC and HTTPS with TLS");
  app.add_option("--tls-key", tls_key, "PEM private key of --tls-cert");
  app.add_option("--client-ca", client_ca, "PEM CA: require client certificates (mutual TLS)");
  bool demo = false;
  app.add_flag("--demo", demo,
               "load the demo enterprises and signed wine, goji and halal chains into a new store");
  app.set_version_flag("--version", "origod " ORIGO_VERSION);
  CLI11_PARSE(app, argc, argv);
  // Debian builds Abseil without NDEBUG, so by default every absl::Mutex acquisition (ours and
  // gRPC's) also records lock order in a process-wide graph to detect deadlock cycles: 2% of the
  // server's CPU on small queries. The tests keep the check; the server does not pay for it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

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
  if (!tls_cert.empty()) config.mutable_tls()->set_cert_file(tls_cert);
  if (!tls_key.empty()) config.mutable_tls()->set_key_file(tls_key);
  if (!client_ca.empty()) config.mutable_tls()->set_client_ca_file(client_ca);
  origo::server::ApplyDefaults(&config);

  // Block the shutdown signals before any thread starts, so that every thread inherits the mask
  // and only the sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  if (!restore_from.empty()) {
    absl::Status restored = origo::admin::RestoreBackup(restore_from, config.data_dir());
    if (!restored.ok()) {
      std::cerr << "origod: " << restored.message() << "\n";
      return 1;
    }
    std::fprintf(stderr, "origod: restored %s into %s\n", restore_from.c_str(),
                 config.data_dir().c_str());
  }
  auto server = origo::server::Server::Start(config);
  if (!server.ok()) {
    std::cerr << "origod: cannot start: " << server.status().ToString() << "\n";
    return 1;
  }
  std::printf("origod %s\n", ORIGO_VERSION);
  std::printf("  data   %s\n", config.data_dir().c_str());
  const bool tls = !config.tls().cert_file().empty();
  std::printf("  gRPC   %s%s\n", (*server)->grpc_address().c_str(),
              tls ? (config.tls().client_ca_file().empty() ? " (TLS)" : " (mutual TLS)") : "");
  std::printf("  HTTP   %s://%s\n", tls ? "https" : "http", (*server)->http_address().c_str());
  for (const std::string& notice : (*server)->notices()) std::printf("%s\n", notice.c_str());
  if (demo) {
    auto lines = origo::server::LoadDemo((*server)->grpc_address(), config.data_dir());
    if (!lines.ok()) {
      std::fprintf(stderr, "origod: %s\n", lines.status().ToString().c_str());
    } else {
      for (const std::string& line : *lines) std::printf("%s\n", line.c_str());
    }
  }
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
