#include "services/server/config.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>
#include <tuple>
#include <utility>

#include "core/base/status_macros.h"
#include "google/protobuf/util/json_util.h"

namespace origo::server {

absl::StatusOr<origo::v1::Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("config file " + path + " cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().size() > (1 << 20)) {
    return absl::InvalidArgumentError("config file " + path + " is larger than 1 MiB");
  }
  auto config = ParseConfigJson(text.str());
  if (!config.ok()) {
    return absl::InvalidArgumentError("config file " + path + ": " +
                                      std::string(config.status().message()));
  }
  return config;
}

absl::StatusOr<origo::v1::Config> ParseConfigJson(std::string_view json) {
  origo::v1::Config config;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &config, options);
  if (!parsed.ok()) return absl::InvalidArgumentError(std::string(parsed.message()));
  return config;
}

void ApplyDefaults(origo::v1::Config* config) {
  if (config->data_dir().empty()) config->set_data_dir("./data");
  if (config->grpc_listen().empty()) config->set_grpc_listen("127.0.0.1:50051");
  if (config->http_listen().empty()) config->set_http_listen("127.0.0.1:8080");
  if (config->grpc_threads() == 0) {
    config->set_grpc_threads(std::max(64u, 16 * std::thread::hardware_concurrency()));
  }
  if (config->max_message_bytes() == 0) config->set_max_message_bytes(16 << 20);
  auto* storage = config->mutable_storage();
  if (storage->block_cache_mb() == 0) storage->set_block_cache_mb(256);
  if (storage->write_buffer_mb() == 0) storage->set_write_buffer_mb(64);
  if (storage->background_threads() == 0) storage->set_background_threads(2);
  if (storage->index_write_buffer_mb() == 0) storage->set_index_write_buffer_mb(256);
  if (storage->max_wal_mb() == 0) storage->set_max_wal_mb(1024);
  if (storage->idle_flush_seconds() == 0) storage->set_idle_flush_seconds(30);
  auto* log = config->mutable_log();
  if (log->origin().empty()) log->set_origin("origo.local/log");
  if (log->checkpoint_interval_ms() == 0) log->set_checkpoint_interval_ms(200);
  if (log->proof_wait_ms() == 0) log->set_proof_wait_ms(5000);
  auto* capture = config->mutable_capture();
  if (capture->max_batch_events() == 0) capture->set_max_batch_events(10000);
  if (capture->max_event_bytes() == 0) capture->set_max_event_bytes(65536);
  if (capture->max_future_skew_seconds() == 0) capture->set_max_future_skew_seconds(600);
  auto* limits = config->mutable_limits();
  if (limits->ip_calls_per_second() == 0) limits->set_ip_calls_per_second(200);
  if (limits->ip_burst() == 0) limits->set_ip_burst(400);
  if (limits->token_calls_per_second() == 0) limits->set_token_calls_per_second(200);
  if (limits->token_burst() == 0) limits->set_token_burst(400);
  if (limits->regulator_calls_per_second() == 0) limits->set_regulator_calls_per_second(1000);
  if (limits->regulator_burst() == 0) limits->set_regulator_burst(2000);
  if (limits->max_call_ms() == 0) limits->set_max_call_ms(120000);
  if (limits->max_stream_ms() == 0) limits->set_max_stream_ms(86400000);
}

absl::Status SplitHostPort(const std::string& address, std::string* host, int* port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return absl::InvalidArgumentError("address '" + address + "' is not host:port");
  }
  std::string h = address.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  int p = 0;
  for (char c : address.substr(colon + 1)) {
    if (c < '0' || c > '9' || p > 65535) {
      return absl::InvalidArgumentError("address '" + address + "' has a bad port");
    }
    p = p * 10 + (c - '0');
  }
  if (p > 65535) return absl::InvalidArgumentError("address '" + address + "' has a bad port");
  *host = h;
  *port = p;
  return absl::OkStatus();
}

absl::Status ValidateConfig(const origo::v1::Config& config) {
  std::string host;
  int port = 0;
  if (auto s = SplitHostPort(config.grpc_listen(), &host, &port); !s.ok()) {
    return absl::InvalidArgumentError("grpc_listen: " + std::string(s.message()));
  }
  if (auto s = SplitHostPort(config.http_listen(), &host, &port); !s.ok()) {
    return absl::InvalidArgumentError("http_listen: " + std::string(s.message()));
  }
  if (config.grpc_threads() > 1024) {
    return absl::InvalidArgumentError("grpc_threads: at most 1024");
  }
  if (config.max_message_bytes() > (256u << 20)) {
    return absl::InvalidArgumentError("max_message_bytes: at most 256 MiB");
  }
  const auto& storage = config.storage();
  for (auto [name, value, most] : {std::tuple<const char*, uint32_t, uint32_t>{
                                       "block_cache_mb", storage.block_cache_mb(), 1u << 20},
                                   {"write_buffer_mb", storage.write_buffer_mb(), 4096},
                                   {"index_write_buffer_mb", storage.index_write_buffer_mb(), 4096},
                                   {"max_wal_mb", storage.max_wal_mb(), 1u << 16},
                                   {"idle_flush_seconds", storage.idle_flush_seconds(), 86400},
                                   {"background_threads", storage.background_threads(), 64}}) {
    if (value > most) {
      return absl::InvalidArgumentError("storage." + std::string(name) + ": at most " +
                                        std::to_string(most));
    }
  }
  if (config.capture().max_batch_events() > 100000) {
    return absl::InvalidArgumentError("capture.max_batch_events: at most 100000");
  }
  const auto& limits = config.limits();
  for (auto [name, value] :
       {std::pair<const char*, double>{"ip_calls_per_second", limits.ip_calls_per_second()},
        {"ip_burst", limits.ip_burst()},
        {"token_calls_per_second", limits.token_calls_per_second()},
        {"token_burst", limits.token_burst()},
        {"regulator_calls_per_second", limits.regulator_calls_per_second()},
        {"regulator_burst", limits.regulator_burst()}}) {
    if (!std::isfinite(value) || value < 0) {
      return absl::InvalidArgumentError("limits." + std::string(name) +
                                        ": must be a finite number >= 0 (0 = default)");
    }
  }
  for (auto [name, value] : {std::pair<const char*, double>{"ip_burst", limits.ip_burst()},
                             {"token_burst", limits.token_burst()},
                             {"regulator_burst", limits.regulator_burst()}}) {
    if (value != 0 && value < 1) {
      return absl::InvalidArgumentError("limits." + std::string(name) +
                                        ": at least 1 (a burst below one call admits nothing)");
    }
  }
  return absl::OkStatus();
}

}  // namespace origo::server
