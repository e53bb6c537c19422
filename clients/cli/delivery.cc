#include "clients/cli/delivery.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <limits>

#include "clients/cli/files.h"
#include "clients/cli/jsonl.h"
#include "clients/spool/file_io.h"

namespace origo::cli {
namespace {

constexpr size_t kMaxBatchSize = 10000;
constexpr auto kProgressInterval = std::chrono::seconds(2);

}  // namespace

std::string HumanDuration(std::chrono::milliseconds duration) {
  int64_t ms = std::max<int64_t>(0, duration.count());
  char buf[64];
  if (ms < 60 * 1000) {
    std::snprintf(buf, sizeof(buf), "%.1f s", static_cast<double>(ms) / 1000.0);
  } else if (ms < 3600 * 1000) {
    std::snprintf(buf, sizeof(buf), "%lld min %lld s", static_cast<long long>(ms / 60000),
                  static_cast<long long>((ms / 1000) % 60));
  } else {
    std::snprintf(buf, sizeof(buf), "%lld h %lld min", static_cast<long long>(ms / 3600000),
                  static_cast<long long>((ms / 60000) % 60));
  }
  return buf;
}

void AddDeliveryFlags(CLI::App* cmd, DeliveryFlags* flags, double max_wait_default,
                      bool with_once) {
  cmd->add_option("--usci", flags->usci, "enterprise the events belong to (required)");
  cmd->add_option("--key", flags->key, "private key PEM (from `origo key gen`; required)");
  cmd->add_option("--spool", flags->spool,
                  "spool directory (default ~/.origo/spool; one queue per enterprise and server)")
      ->envname("ORIGO_SPOOL");
  cmd->add_option("--batch-size", flags->batch_size, "events per signed batch")
      ->check(CLI::Range(size_t{1}, kMaxBatchSize))
      ->capture_default_str();
  cmd->add_flag("--stream", flags->stream,
                "send batches on one bidirectional stream (pipelined, for packing lines)");
  flags->max_wait_seconds = max_wait_default;
  cmd->add_option("--max-wait", flags->max_wait_seconds,
                  "keep retrying an unreachable server for up to SECONDS since the last "
                  "delivered batch (exponential backoff with jitter, capped at 15 s)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  if (with_once) {
    cmd->add_flag("--once", flags->once, "one attempt, no retries (same as --max-wait 0)");
  }
}

absl::StatusOr<std::string> SpoolRoot(const std::string& flag) {
  std::string root = flag;
  if (root.empty()) {
    auto fallback = spool::DefaultSpoolRoot();
    if (!fallback.ok()) return fallback.status();
    root = *fallback;
  }
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return root;
}

absl::StatusOr<std::unique_ptr<spool::Spool>> OpenQueue(const Globals& globals,
                                                        const DeliveryFlags& flags) {
  auto root = SpoolRoot(flags.spool);
  if (!root.ok()) return root.status();
  if (absl::Status made = spool::MakeDirs(*root, 0700); !made.ok()) return made;
  spool::SpoolOptions options;
  options.usci = flags.usci;
  options.server = globals.server;
  return spool::Spool::Open(spool::QueueDir(*root, flags.usci, globals.server), options);
}

absl::StatusOr<crypto::PrivateKey> LoadKey(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("--key is required to sign batches");
  auto pem = ReadFile(path);
  if (!pem.ok()) return pem.status();
  auto key = crypto::PrivateKey::FromPem(*pem);
  if (!key.ok()) {
    return absl::InvalidArgumentError("--key " + path + ": " + std::string(key.status().message()));
  }
  return key;
}

spool::SenderOptions SenderOptionsFor(const Globals& globals, const DeliveryFlags& flags,
                                      bool forever) {
  spool::SenderOptions options;
  options.usci = flags.usci;
  options.client = globals.ClientOptions();
  options.client.timeout = std::chrono::seconds(60);  // a large batch on a busy server
  options.batch_size = flags.batch_size;
  options.stream = flags.stream;
  if (forever) {
    options.max_wait = std::chrono::milliseconds::max();
  } else if (!flags.once) {
    options.max_wait =
        std::chrono::milliseconds(static_cast<int64_t>(flags.max_wait_seconds * 1000.0));
  }
  return options;
}

DeliveryReport::DeliveryReport(const Globals& globals, const spool::Spool* queue)
    : globals_(globals),
      queue_(queue),
      start_(std::chrono::steady_clock::now()),
      last_progress_(start_) {}

void DeliveryReport::Delivered(uint64_t number, const std::vector<spool::SpooledEvent>& batch,
                               const origo::v1::CaptureResponse& response) {
  uint64_t first = std::numeric_limits<uint64_t>::max(), last = 0;
  for (const origo::v1::CapturedEvent& e : response.events()) {
    first = std::min<uint64_t>(first, e.index());
    last = std::max<uint64_t>(last, e.index());
  }
  delivered_events_ += batch.size();
  if (globals_.json) {
    JsonObject json;
    json.Uint("batch", number)
        .Uint("events", batch.size())
        .Uint("stored", response.stored())
        .Uint("duplicates", response.duplicates())
        .Uint("first_index", first)
        .Uint("last_index", last)
        .Uint("tree_size", response.tree_size())
        .Str("lines", spool::DescribeOrigins(batch));
    batch_json_ += (batch_json_.empty() ? "" : ",") + json.Build();
  } else {
    std::cout << "batch " << number << ": " << batch.size() << " events, " << response.stored()
              << " stored, " << response.duplicates() << " duplicates, indexes " << first << ".."
              << last << std::endl;
  }
  auto now = std::chrono::steady_clock::now();
  if (now - last_progress_ >= kProgressInterval) {
    last_progress_ = now;
    double seconds = std::chrono::duration<double>(now - start_).count();
    double rate = static_cast<double>(delivered_events_) / std::max(seconds, 1e-3);
    uint64_t pending = queue_->pending();
    std::cerr << "progress: " << delivered_events_ << " events delivered, "
              << static_cast<uint64_t>(rate) << " events/s, " << pending << " pending";
    if (pending > 0 && rate > 0) {
      std::cerr << ", ETA "
                << HumanDuration(std::chrono::milliseconds(
                       static_cast<int64_t>(1000.0 * static_cast<double>(pending) / rate)));
    }
    std::cerr << std::endl;
  }
}

void DeliveryReport::Rejected(uint64_t number, const std::vector<spool::SpooledEvent>& batch,
                              const absl::Status& error, const std::string& dead_letter) {
  const std::string code = absl::StatusCodeToString(error.code());
  CaptureError parsed = ParseCaptureError(std::string(error.message()));
  const spool::EventOrigin* origin = nullptr;
  if (parsed.event && *parsed.event < batch.size()) origin = &batch[*parsed.event].origin;
  std::string where = origin != nullptr ? origin->source + " line " + std::to_string(origin->line)
                                        : spool::DescribeOrigins(batch);
  std::string name = "batch " + std::to_string(number) + " (" + where + ")";
  std::string headline = origin != nullptr && error.code() == absl::StatusCode::kInvalidArgument
                             ? "rejected " + name + ": " + parsed.detail
                             : "rejected " + name + ": " + code + ": " + parsed.detail;
  std::cerr << headline << "\n  its " << batch.size() << " events are in the dead letter "
            << dead_letter << " (`origo spool requeue` queues them again)" << std::endl;
  JsonObject json;
  json.Uint("batch", number)
      .Uint("events", batch.size())
      .Str("code", code)
      .Str("message", std::string(error.message()))
      .Str("lines", spool::DescribeOrigins(batch))
      .Str("dead_letter", dead_letter);
  if (origin != nullptr) {
    json.Uint("event", *parsed.event).Str("file", origin->source).Uint("line", origin->line);
  }
  rejected_json_ += (rejected_json_.empty() ? "" : ",") + json.Build();
}

void DeliveryReport::Unreachable(const absl::Status& error, std::chrono::milliseconds wait,
                                 bool giving_up) {
  if (giving_up) return;  // the command's summary says so
  std::cerr << "server unreachable (" << absl::StatusCodeToString(error.code()) << ": "
            << error.message() << "); retrying in " << HumanDuration(wait) << ", "
            << queue_->pending() << " events pending" << std::endl;
}

void DeliveryReport::AddJson(JsonObject& out, const spool::DeliveryTotals& totals) const {
  out.Uint("events", totals.events)
      .Uint("batches_captured", totals.batches)
      .Uint("stored", totals.stored)
      .Uint("duplicates", totals.duplicates)
      .Uint("tree_size", totals.tree_size)
      .Uint("rejected_batches", totals.rejected_batches)
      .Uint("rejected_events", totals.rejected_events)
      .Uint("pending", queue_->pending())
      .Str("spool", queue_->dir())
      .Raw("batches", "[" + batch_json_ + "]")
      .Raw("rejected", "[" + rejected_json_ + "]");
}

std::string DeliveryReport::Totals(const spool::DeliveryTotals& totals) {
  return std::to_string(totals.events) + " events in " + std::to_string(totals.batches) +
         " batches: " + std::to_string(totals.stored) + " stored, " +
         std::to_string(totals.duplicates) + " duplicates; tree size " +
         std::to_string(totals.tree_size);
}

}  // namespace origo::cli
