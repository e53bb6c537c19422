// libFuzzer target: server configuration parsing (services/server/config.h).
//
// Input: the text of an origod --config file. Checked:
//  - ParseConfigJson rejects with INVALID_ARGUMENT only;
//  - an accepted config, after ApplyDefaults, passes ValidateConfig or is rejected with
//    INVALID_ARGUMENT; ApplyDefaults is idempotent and leaves no defaulted field unset;
//  - SplitHostPort (fed the input, and each listen address) rejects with INVALID_ARGUMENT only
//    and returns a port in 0..65535.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/server/config.h"

namespace origo::fuzz {
namespace {

void CheckHostPort(const std::string& address) {
  std::string host;
  int port = -1;
  const absl::Status split = server::SplitHostPort(address, &host, &port);
  CheckRejection(split, {absl::StatusCode::kInvalidArgument}, "SplitHostPort");
  if (split.ok()) {
    ORIGO_FUZZ_CHECK(port >= 0 && port <= 65535,
                     "port " + std::to_string(port) + " from '" + address + "'");
  }
}

}  // namespace
}  // namespace origo::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  origo::fuzz::SilenceProtobufLogging();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace origo;
  using namespace origo::fuzz;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckHostPort(std::string(input));

  auto config = server::ParseConfigJson(input);
  CheckRejection(config.status(), {absl::StatusCode::kInvalidArgument}, "ParseConfigJson");
  if (!config.ok()) return 0;

  server::ApplyDefaults(&*config);
  origo::v1::Config twice = *config;
  server::ApplyDefaults(&twice);
  ORIGO_FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(twice, *config),
                   "ApplyDefaults is not idempotent");
  ORIGO_FUZZ_CHECK(!config->data_dir().empty() && !config->grpc_listen().empty() &&
                       !config->http_listen().empty() && config->grpc_threads() > 0 &&
                       config->max_message_bytes() > 0 && !config->log().origin().empty(),
                   "ApplyDefaults left a defaulted field unset");
  CheckRejection(server::ValidateConfig(*config), {absl::StatusCode::kInvalidArgument},
                 "ValidateConfig");
  CheckHostPort(config->grpc_listen());
  CheckHostPort(config->http_listen());
  return 0;
}
