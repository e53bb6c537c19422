#ifndef ORIGO_SERVICES_SERVER_CONFIG_H_
#define ORIGO_SERVICES_SERVER_CONFIG_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "origo/v1/config.pb.h"

namespace origo::server {

// Reads the JSON form of origo.v1.Config from `path`. Unknown fields are an error naming the
// field (a typo must not be silently ignored). Errors: NOT_FOUND when the file is missing,
// INVALID_ARGUMENT when it does not parse.
absl::StatusOr<origo::v1::Config> LoadConfigFile(const std::string& path);

// Parses the JSON form of origo.v1.Config from `json` (what LoadConfigFile does after reading the
// file, without the 1 MiB file-size check). Unknown fields are an error naming the field.
// Errors: INVALID_ARGUMENT with protobuf's description of the problem.
absl::StatusOr<origo::v1::Config> ParseConfigJson(std::string_view json);

// Fills every unset field with its documented default.
void ApplyDefaults(origo::v1::Config* config);

// Checks ranges and address forms; INVALID_ARGUMENT naming the field otherwise.
absl::Status ValidateConfig(const origo::v1::Config& config);

// Splits "host:port" (host may be [v6]); INVALID_ARGUMENT if malformed.
absl::Status SplitHostPort(const std::string& address, std::string* host, int* port);

}  // namespace origo::server

#endif  // ORIGO_SERVICES_SERVER_CONFIG_H_
