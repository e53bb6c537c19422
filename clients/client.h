#ifndef ORIGO_CLIENTS_CLIENT_H_
#define ORIGO_CLIENTS_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace grpc {
class Channel;
class ClientContext;
class Status;
}  // namespace grpc

namespace origo::client {

struct ClientOptions {
  // gRPC target host:port. Default 127.0.0.1:50051.
  std::string server = "127.0.0.1:50051";
  // Bearer token sent as `authorization: Bearer <token>`; empty sends none.
  std::string token;
  // Deadline for each call. Default 10 s.
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
};

// Converts a gRPC status to the process-wide error type, keeping the code.
absl::Status FromGrpc(const grpc::Status& status);

// The client library shared by the origo CLI and the integration tests: one channel, typed calls,
// errors as absl::Status with the server's gRPC code. Thread-safe.
class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();

  // grpc.health.v1 Check of the whole server. Returns "SERVING", "NOT_SERVING", ...;
  // UNAVAILABLE when the server cannot be reached.
  absl::StatusOr<std::string> Health();

  const ClientOptions& options() const { return options_; }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  // Prepares a context with the deadline and the bearer token.
  void Prepare(grpc::ClientContext* context) const;

 private:
  ClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace origo::client

#endif  // ORIGO_CLIENTS_CLIENT_H_
