#ifndef ORIGO_CLIENTS_CLI_CLI_H_
#define ORIGO_CLIENTS_CLI_CLI_H_

#include <CLI/CLI.hpp>
#include <string>

#include "absl/status/status.h"
#include "clients/client.h"

namespace origo::cli {

// Flags shared by every command, filled before any command callback runs.
struct Globals {
  std::string server;  // --server / ORIGO_SERVER
  std::string token;   // --token / ORIGO_TOKEN
  bool json = false;   // --json: machine-readable output on stdout
  int exit_code = 0;   // set by the command that ran

  client::ClientOptions ClientOptions() const;
};

// Prints `status` as an error (JSON object on stdout with --json, text on stderr otherwise) and
// returns the process exit code for it (1).
int ReportError(const Globals& globals, const absl::Status& status, const std::string& what);

// Quotes `s` as a JSON string.
std::string JsonString(const std::string& s);

// Command registration; each adds its subcommand(s) to `app`.
void AddHealthCommand(CLI::App& app, Globals& globals);

}  // namespace origo::cli

#endif  // ORIGO_CLIENTS_CLI_CLI_H_
