#include "services/server/call_bounds.h"

#include <google/protobuf/stubs/logging.h>
#include <grpcpp/server_context.h>

#include <atomic>
#include <cstdio>
#include <string>

namespace origo::server {

// One call's interceptor: watched from its initial metadata until its status is sent.
class WatchedCall : public grpc::experimental::Interceptor {
 public:
  WatchedCall(CallWatchdog* watchdog, grpc::ServerContextBase* context,
              std::chrono::milliseconds bound)
      : watchdog_(watchdog), context_(context), bound_(bound) {}
  ~WatchedCall() override { Stop(); }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA) &&
        ticket_ == 0 && context_ != nullptr) {
      const auto due = CallWatchdog::Clock::now() + bound_;
      // The client's own deadline, when sooner, ends the call by itself.
      const auto client_left = context_->deadline() - std::chrono::system_clock::now();
      if (client_left > bound_) ticket_ = watchdog_->Watch(context_, due);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) ||
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_CLOSE)) {
      Stop();
    }
    methods->Proceed();
  }

 private:
  void Stop() {
    if (ticket_ != 0) watchdog_->Forget(ticket_);
    ticket_ = 0;
  }

  CallWatchdog* const watchdog_;
  grpc::ServerContextBase* const context_;
  const std::chrono::milliseconds bound_;
  uint64_t ticket_ = 0;
};

CallWatchdog::CallWatchdog(std::chrono::milliseconds unary, std::chrono::milliseconds streaming)
    : unary_(unary), streaming_(streaming), thread_([this] { Run(); }) {}

CallWatchdog::~CallWatchdog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

grpc::experimental::Interceptor* CallWatchdog::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  const bool unary = info->type() == grpc::experimental::ServerRpcInfo::Type::UNARY;
  return new WatchedCall(this, info->server_context(), unary ? unary_ : streaming_);
}

uint64_t CallWatchdog::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

uint64_t CallWatchdog::Watch(grpc::ServerContextBase* context, Clock::time_point at) {
  uint64_t ticket;
  bool earliest;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ticket = next_ticket_++;
    const auto inserted = due_.emplace(std::make_pair(at, ticket), context).first;
    earliest = inserted == due_.begin();
    tickets_.emplace(ticket, at);
  }
  // Run sleeps until the earliest deadline; only a new earliest one changes that. (Calls of one
  // kind share a bound, so this wakes the watchdog only when it had nothing to watch, instead
  // of on every call.)
  if (earliest) changed_.notify_all();
  return ticket;
}

void CallWatchdog::Forget(uint64_t ticket) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tickets_.find(ticket);
  if (it == tickets_.end()) return;
  due_.erase(std::make_pair(it->second, ticket));
  tickets_.erase(it);
}

void CallWatchdog::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (due_.empty()) {
      changed_.wait(lock);
      continue;
    }
    auto first = due_.begin();
    // A copy: waiting releases mu_, and the entry (and its key) may be erased meanwhile.
    const Clock::time_point due = first->first.first;
    if (due > Clock::now()) {
      changed_.wait_until(lock, due);
      continue;
    }
    // Under mu_: the call cannot Forget (and go away) while it is being cancelled.
    first->second->TryCancel();
    ++cancelled_;
    tickets_.erase(first->first.second);
    due_.erase(first);
  }
}

namespace {

std::atomic<int> max_lines_per_minute{20};
std::atomic<uint64_t> suppressed{0};
std::mutex log_mu;
std::chrono::steady_clock::time_point window_start;  // guarded by log_mu
int lines_in_window = 0;                             // guarded by log_mu

void FilteredProtobufLog(google::protobuf::LogLevel level, const char* filename, int line,
                         const std::string& message) {
  if (level != google::protobuf::LOGLEVEL_FATAL &&
      message.find("invalid UTF-8") != std::string::npos) {
    // The parse fails and the caller gets the error; a log line per hostile request would let
    // any client flood the operator's log.
    suppressed.fetch_add(1);
    return;
  }
  if (level != google::protobuf::LOGLEVEL_FATAL) {
    std::lock_guard<std::mutex> lock(log_mu);
    const auto now = std::chrono::steady_clock::now();
    if (now - window_start > std::chrono::minutes(1)) {
      window_start = now;
      lines_in_window = 0;
    }
    if (++lines_in_window > max_lines_per_minute.load()) {
      suppressed.fetch_add(1);
      return;
    }
  }
  static const char* const kLevels[] = {"INFO", "WARNING", "ERROR", "FATAL"};
  const int index = static_cast<int>(level);
  std::fprintf(stderr, "[libprotobuf %s %s:%d] %s\n",
               index >= 0 && index < 4 ? kLevels[index] : "?", filename, line, message.c_str());
}

}  // namespace

void InstallProtobufLogFilter(int lines_per_minute) {
  max_lines_per_minute.store(lines_per_minute);
  // SetLogHandler is not thread-safe; install it once, before any server thread parses.
  static std::once_flag once;
  std::call_once(once, [] { google::protobuf::SetLogHandler(&FilteredProtobufLog); });
}

uint64_t SuppressedProtobufLogLines() { return suppressed.load(); }

}  // namespace origo::server
