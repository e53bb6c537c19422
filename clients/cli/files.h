#ifndef ORIGO_CLIENTS_CLI_FILES_H_
#define ORIGO_CLIENTS_CLI_FILES_H_

// Small file helpers for the CLI: whole-file reads and writes that never clobber by accident.
// Errors: NOT_FOUND when a file to read does not exist, ALREADY_EXISTS when a file to create
// exists and overwriting was not asked for, PERMISSION_DENIED / INTERNAL for other I/O failures;
// every message names the path.

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace origo::cli {

// The whole contents of `path`.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Creates `path` with exactly `mode` (umask does not apply) and writes `contents`, syncing it.
// The file is created with open(O_CREAT | O_EXCL | O_NOFOLLOW), so an existing file or symlink is
// never written through; with `overwrite` an existing file is removed first. On a write error the
// partial file is removed.
absl::Status WriteNewFile(const std::string& path, const std::string& contents, mode_t mode,
                          bool overwrite);

// Whether something exists at `path` (a dangling symlink counts).
bool PathExists(const std::string& path);

// The C2SP verifier key in a --log-key file: its first line, surrounding white space removed.
// INVALID_ARGUMENT when the file is empty.
absl::StatusOr<std::string> ReadVkeyFile(const std::string& path);

}  // namespace origo::cli

#endif  // ORIGO_CLIENTS_CLI_FILES_H_
