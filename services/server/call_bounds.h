#ifndef ORIGO_SERVICES_SERVER_CALL_BOUNDS_H_
#define ORIGO_SERVICES_SERVER_CALL_BOUNDS_H_

// Bounds that protect the server from callers who never stop: a longest call duration whatever
// deadline the client chose, and a protobuf log that a hostile client cannot flood.

#include <grpcpp/support/server_interceptor.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

namespace origo::server {

// Cancels gRPC calls that outlive their bound (`unary` for unary calls, `streaming` for the
// others), so a client with no deadline cannot hold a server thread forever. Calls whose own
// deadline comes first are left to it. A cancelled call ends CANCELLED for the client.
//
// Installed as a server interceptor factory; the factory must outlive the gRPC server.
// Thread-safe.
class CallWatchdog : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  CallWatchdog(std::chrono::milliseconds unary, std::chrono::milliseconds streaming);
  ~CallWatchdog() override;
  CallWatchdog(const CallWatchdog&) = delete;
  CallWatchdog& operator=(const CallWatchdog&) = delete;

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

  // Calls cancelled so far for running past their bound.
  uint64_t cancelled() const;

 private:
  friend class WatchedCall;
  using Clock = std::chrono::steady_clock;
  // Registers `context` to be cancelled at `at`; returns a ticket for Forget.
  uint64_t Watch(grpc::ServerContextBase* context, Clock::time_point at);
  void Forget(uint64_t ticket);
  void Run();

  const std::chrono::milliseconds unary_;
  const std::chrono::milliseconds streaming_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  bool stop_ = false;         // guarded by mu_
  uint64_t next_ticket_ = 1;  // guarded by mu_
  uint64_t cancelled_ = 0;    // guarded by mu_
  // (due, ticket) -> context; TryCancel is called with mu_ held so that Forget (which a call
  // makes before its context goes away) waits for a cancellation in progress.
  std::map<std::pair<Clock::time_point, uint64_t>, grpc::ServerContextBase*> due_;
  std::map<uint64_t, Clock::time_point> tickets_;  // guarded by mu_
  std::thread thread_;
};

// Routes protobuf's own log lines (google::protobuf::SetLogHandler) so that parse complaints a
// client can trigger at will (a string field with invalid UTF-8 logs an ERROR on every parse)
// are dropped: the parse fails and the caller is told, which is all that should happen. Other
// protobuf messages still reach stderr, at most `max_lines_per_minute` a minute. Idempotent;
// process-wide.
void InstallProtobufLogFilter(int max_lines_per_minute = 20);

// protobuf log lines dropped or suppressed so far by the filter.
uint64_t SuppressedProtobufLogLines();

}  // namespace origo::server

#endif  // ORIGO_SERVICES_SERVER_CALL_BOUNDS_H_
