#include "services/server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/support/server_interceptor.h>
#include <httplib.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/base/json_quote.h"
#include "core/base/status_macros.h"
#include "services/server/authz.h"
#include "services/server/call_bounds.h"
#include "services/server/config.h"
#include "services/server/http_util.h"
#include "services/server/rate_limit.h"
#include "services/server/service_host.h"

namespace origo::server {
namespace {

std::string GrpcCodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  int i = static_cast<int>(code);
  return (i >= 0 && i <= 16) ? kNames[i] : "UNKNOWN";
}

// Records every RPC's result code and latency into Metrics.
class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(Metrics* metrics, std::string method)
      : metrics_(metrics), method_(std::move(method)), start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      metrics_->Record("grpc", method_, GrpcCodeName(methods->GetSendStatus().error_code()),
                       seconds);
    }
    methods->Proceed();
  }

 private:
  Metrics* metrics_;
  std::string method_;
  std::chrono::steady_clock::time_point start_;
};

class MetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(Metrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(metrics_, info->method() ? info->method() : "unknown");
  }

 private:
  Metrics* metrics_;
};

// Hands the server's CallWatchdog to gRPC, which owns (and deletes) its factories.
class WatchdogFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit WatchdogFactory(CallWatchdog* watchdog) : watchdog_(watchdog) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return watchdog_->CreateServerInterceptor(info);
  }

 private:
  CallWatchdog* watchdog_;
};

// Every HTTP request passes the authorization table and the rate limits before routing:
// 401/403 for the wrong role, 404 outside the table, 429 with Retry-After over budget.
httplib::Server::HandlerResponse GateHttp(const Authenticator& authenticator,
                                          const httplib::Request& req, httplib::Response& res) {
  auto reply = [&res](int status, const absl::Status& why) {
    res.status = status;
    res.set_content("{\"error\":" + JsonQuote(std::string(why.message())) + "}\n",
                    "application/json");
    return httplib::Server::HandlerResponse::Handled;
  };
  absl::StatusOr<Principal> principal =
      authenticator.Authenticate(req.get_header_value("Authorization"));
  RateLimiter* limiter = authenticator.rate_limiter();
  if (limiter != nullptr && (principal.ok() || absl::IsUnauthenticated(principal.status()))) {
    absl::Status charged =
        limiter->Charge(principal.ok() ? *principal : Principal{}, req.remote_addr);
    if (!charged.ok()) {
      const int64_t ms = absl::ToInt64Milliseconds(RateLimiter::RetryAfter(charged));
      res.set_header("Retry-After", std::to_string((ms + 999) / 1000));
      res.set_header("retry-after-ms", std::to_string(ms));
      return reply(429, charged);
    }
  }
  if (!principal.ok()) {
    if (absl::IsUnauthenticated(principal.status())) {
      res.set_header("WWW-Authenticate", "Bearer");
      return reply(401, principal.status());
    }
    return reply(503, principal.status());
  }
  absl::Status allowed = AuthorizeHttp(*principal, req.path, IsLoopback(req.remote_addr));
  if (allowed.ok()) return httplib::Server::HandlerResponse::Unhandled;
  switch (allowed.code()) {
    case absl::StatusCode::kUnauthenticated:
      res.set_header("WWW-Authenticate", "Bearer");
      return reply(401, allowed);
    case absl::StatusCode::kNotFound:
      return reply(404, allowed);
    default:
      return reply(403, allowed);
  }
}

absl::StatusOr<std::string> ReadPem(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) return absl::FailedPreconditionError(what + " " + path + " cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().find("-----BEGIN") == std::string::npos) {
    return absl::InvalidArgumentError(what + " " + path + " is not PEM");
  }
  return text.str();
}

// gRPC credentials for the configured TLS (insecure when no certificate is configured).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> GrpcCredentials(
    const origo::v1::TlsConfig& tls) {
  if (tls.cert_file().empty()) return grpc::InsecureServerCredentials();
  if (tls.key_file().empty()) {
    return absl::InvalidArgumentError("tls.key_file: required with tls.cert_file");
  }
  grpc::SslServerCredentialsOptions options;
  ORIGO_ASSIGN_OR_RETURN(std::string cert, ReadPem(tls.cert_file(), "tls.cert_file"));
  ORIGO_ASSIGN_OR_RETURN(std::string key, ReadPem(tls.key_file(), "tls.key_file"));
  options.pem_key_cert_pairs.push_back({key, cert});
  if (!tls.client_ca_file().empty()) {
    ORIGO_ASSIGN_OR_RETURN(options.pem_root_certs,
                           ReadPem(tls.client_ca_file(), "tls.client_ca_file"));
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const origo::v1::Config& config) {
  ORIGO_RETURN_IF_ERROR(ValidateConfig(config));
  InstallProtobufLogFilter();
  std::unique_ptr<Server> server(new Server());
  server->config_ = config;
  server->started_ = std::chrono::steady_clock::now();
  server->metrics_ = std::make_unique<Metrics>();

  storage::StoreOptions store_options;
  store_options.block_cache_mb = config.storage().block_cache_mb();
  store_options.write_buffer_mb = config.storage().write_buffer_mb();
  store_options.background_threads = static_cast<int>(config.storage().background_threads());
  store_options.index_write_buffer_mb = config.storage().index_write_buffer_mb();
  store_options.max_wal_mb = config.storage().max_wal_mb();
  store_options.idle_flush_seconds = static_cast<int>(config.storage().idle_flush_seconds());
  ORIGO_ASSIGN_OR_RETURN(server->store_, storage::Store::Open(config.data_dir(), store_options));
  ORIGO_ASSIGN_OR_RETURN(server->services_,
                         ServiceHost::Create(config, server->store_.get(), server->metrics_.get()));
  server->notices_ = server->services_->Notices();

  int requested_port = 0;
  ORIGO_RETURN_IF_ERROR(SplitHostPort(config.grpc_listen(), &server->grpc_host_, &requested_port));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  ORIGO_ASSIGN_OR_RETURN(auto credentials, GrpcCredentials(config.tls()));
  builder.AddListeningPort(config.grpc_listen(), credentials, &server->grpc_port_);
  builder.SetMaxReceiveMessageSize(static_cast<int>(config.max_message_bytes()));
  builder.SetMaxSendMessageSize(static_cast<int>(config.max_message_bytes()));
  grpc::ResourceQuota quota("origod");
  quota.SetMaxThreads(static_cast<int>(config.grpc_threads()));
  builder.SetResourceQuota(quota);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 2);
  for (grpc::Service* service : server->services_->GrpcServices()) {
    builder.RegisterService(service);
  }
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  creators.push_back(std::make_unique<MetricsInterceptorFactory>(server->metrics_.get()));
  server->watchdog_ =
      std::make_unique<CallWatchdog>(std::chrono::milliseconds(config.limits().max_call_ms()),
                                     std::chrono::milliseconds(config.limits().max_stream_ms()));
  creators.push_back(std::make_unique<WatchdogFactory>(server->watchdog_.get()));
  builder.experimental().SetInterceptorCreators(std::move(creators));
  server->grpc_ = builder.BuildAndStart();
  if (!server->grpc_ || server->grpc_port_ == 0) {
    server->services_->Stop();
    return absl::UnavailableError("cannot listen for gRPC on " + config.grpc_listen() +
                                  " (address in use or not local?)");
  }
  if (auto* health = server->grpc_->GetHealthCheckService()) {
    health->SetServingStatus(true);
  }
  absl::Status http = server->StartHttp();
  if (!http.ok()) {
    absl::Status ignored = server->Shutdown(std::chrono::milliseconds(0));
    (void)ignored;  // the bind error is the one to report
    return http;
  }
  return server;
}

absl::Status Server::StartHttp() {
  int requested_port = 0;
  ORIGO_RETURN_IF_ERROR(SplitHostPort(config_.http_listen(), &http_host_, &requested_port));
  if (config_.tls().cert_file().empty()) {
    http_ = std::make_unique<httplib::Server>();
  } else {
    const auto& tls = config_.tls();
    auto https = std::make_unique<httplib::SSLServer>(
        tls.cert_file().c_str(), tls.key_file().c_str(),
        tls.client_ca_file().empty() ? nullptr : tls.client_ca_file().c_str());
    if (!https->is_valid()) {
      return absl::InvalidArgumentError(
          "tls: the HTTPS server rejected the certificate, key or "
          "client CA (" +
          tls.cert_file() + ")");
    }
    http_ = std::move(https);
  }
  http_->set_payload_max_length(1 << 20);
  // Headers and body go out in separate writes: without NODELAY, Nagle holds the second one for
  // the client's delayed ACK (~40 ms per page, twice the consumer page's budget).
  http_->set_tcp_nodelay(true);
  http_->set_read_timeout(10, 0);
  http_->set_write_timeout(10, 0);
  http_->new_task_queue = [] { return new httplib::ThreadPool(4); };
  http_->set_pre_routing_handler([authenticator = services_->authenticator()](
                                     const httplib::Request& req, httplib::Response& res) {
    return GateHttp(*authenticator, req, res);
  });
  http_->Get(
      "/healthz",
      Timed(metrics_.get(), "/healthz", [this](const httplib::Request&, httplib::Response& res) {
        storage::StoreStats stats = store_->Stats();
        char uptime[32];
        std::snprintf(uptime, sizeof(uptime), "%.3f", UptimeSeconds());
        std::string body = "{\"status\":\"SERVING\",\"version\":\"" ORIGO_VERSION
                           "\",\"uptime_seconds\":" +
                           std::string(uptime) +
                           ",\"store\":{\"state\":\"open\",\"path\":" + JsonQuote(store_->path()) +
                           ",\"bytes\":" + std::to_string(stats.TotalBytes()) + "}}\n";
        res.set_content(body, "application/json");
      }));
  http_->Get(
      "/metrics",
      Timed(metrics_.get(), "/metrics", [this](const httplib::Request&, httplib::Response& res) {
        std::string out;
        metrics_->Render(&out);
        storage::StoreStats stats = store_->Stats();
        out += "# HELP origo_store_bytes Bytes held by the store, by kind.\n";
        out += "# TYPE origo_store_bytes gauge\n";
        out += "origo_store_bytes{kind=\"sst\"} " + std::to_string(stats.sst_bytes) + "\n";
        out +=
            "origo_store_bytes{kind=\"memtable\"} " + std::to_string(stats.memtable_bytes) + "\n";
        out += "origo_store_bytes{kind=\"wal\"} " + std::to_string(stats.wal_bytes) + "\n";
        char uptime[32];
        std::snprintf(uptime, sizeof(uptime), "%.3f", UptimeSeconds());
        out += "# HELP origo_uptime_seconds Seconds since the server started.\n";
        out += "# TYPE origo_uptime_seconds gauge\n";
        out += "origo_uptime_seconds " + std::string(uptime) + "\n";
        out += "# HELP origo_calls_cancelled_total Calls cancelled for running past their bound.\n";
        out += "# TYPE origo_calls_cancelled_total counter\n";
        out += "origo_calls_cancelled_total " + std::to_string(watchdog_->cancelled()) + "\n";
        out += "# HELP origo_protobuf_log_suppressed_total protobuf log lines dropped or capped.\n";
        out += "# TYPE origo_protobuf_log_suppressed_total counter\n";
        out += "origo_protobuf_log_suppressed_total " +
               std::to_string(SuppressedProtobufLogLines()) + "\n";
        services_->RenderMetrics(&out);
        res.set_content(out, "text/plain; version=0.0.4");
      }));
  services_->RegisterHttp(http_.get());

  if (requested_port == 0) {
    http_port_ = http_->bind_to_any_port(http_host_);
    if (http_port_ <= 0) http_port_ = 0;
  } else if (http_->bind_to_port(http_host_, requested_port)) {
    http_port_ = requested_port;
  }
  if (http_port_ == 0) {
    return absl::UnavailableError("cannot listen for HTTP on " + config_.http_listen() +
                                  " (address in use?)");
  }
  http_thread_ = std::thread([this] { http_->listen_after_bind(); });
  // stop() before the listen loop runs would be lost; wait until it is accepting.
  while (!http_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return absl::OkStatus();
}

absl::Status Server::Shutdown(std::chrono::milliseconds drain) {
  absl::MutexLock lock(&shutdown_mu_);
  if (shut_down_) return close_status_;
  shut_down_ = true;
  if (grpc_) {
    if (auto* health = grpc_->GetHealthCheckService()) health->SetServingStatus(false);
  }
  if (http_) {
    http_->stop();
    if (http_thread_.joinable()) http_thread_.join();
  }
  if (grpc_) {
    grpc_->Shutdown(std::chrono::system_clock::now() + drain);
    grpc_->Wait();
  }
  if (services_) services_->Stop();
  grpc_.reset();
  http_.reset();
  services_.reset();
  if (store_) close_status_ = store_->Close();
  return close_status_;
}

Server::~Server() {
  absl::Status closed = Shutdown();
  (void)closed;  // the explicit Shutdown() is where callers see close errors
}

std::string Server::grpc_address() const { return grpc_host_ + ":" + std::to_string(grpc_port_); }

std::string Server::http_address() const { return http_host_ + ":" + std::to_string(http_port_); }

double Server::UptimeSeconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

}  // namespace origo::server
