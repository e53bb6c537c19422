#ifndef ORIGO_CLIENTS_CLI_CLI_H_
#define ORIGO_CLIENTS_CLI_CLI_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "clients/client.h"

namespace origo::cli {

// Flags shared by every command, filled before any command callback runs.
struct Globals {
  std::string server;    // --server / ORIGO_SERVER
  std::string token;     // --token / ORIGO_TOKEN
  bool json = false;     // --json: machine-readable output on stdout
  int exit_code = 0;     // set by the command that ran
  std::string tls_ca;    // --tls-ca / ORIGO_TLS_CA: trust this CA and use TLS
  std::string tls_cert;  // --tls-cert: client certificate for mutual TLS
  std::string tls_key;   // --tls-key: its private key

  client::ClientOptions ClientOptions() const;
};

// Prints `status` as an error (JSON object on stdout with --json, text on stderr otherwise) and
// returns the process exit code for it (1).
int ReportError(const Globals& globals, const absl::Status& status, const std::string& what);

// Quotes `s` as a JSON string.
std::string JsonString(const std::string& s);

// Builds one flat JSON object, members in insertion order. Values given as Raw must already be
// valid JSON (a nested object or array).
class JsonObject {
 public:
  JsonObject& Str(const std::string& key, const std::string& value);
  JsonObject& Int(const std::string& key, int64_t value);
  JsonObject& Uint(const std::string& key, uint64_t value);
  JsonObject& Bool(const std::string& key, bool value);
  JsonObject& Raw(const std::string& key, const std::string& json);
  // "{...}".
  std::string Build() const { return "{" + members_ + "}"; }

 private:
  void Key(const std::string& key);
  std::string members_;
};

// Command registration; each adds its subcommand(s) to `app`.
void AddHealthCommand(CLI::App& app, Globals& globals);
// origo admin backup (admin_commands.cc).
void AddAdminCommands(CLI::App& app, Globals& globals);
// The body of `origo audit --full` (admin_commands.cc); returns the exit code.
int FullAudit(const Globals& globals, const std::string& log_key_file);
// origo key gen.
void AddKeyCommands(CLI::App& app, Globals& globals);
// origo enterprise register|get|key add|key revoke|key list.
void AddEnterpriseCommands(CLI::App& app, Globals& globals);
// origo token create|list|revoke.
void AddTokenCommands(CLI::App& app, Globals& globals);
// origo capture.
void AddCaptureCommand(CLI::App& app, Globals& globals);
// origo sync, origo spool status|requeue.
void AddSpoolCommands(CLI::App& app, Globals& globals);
// origo checkpoint, origo log-key, origo audit.
void AddLogCommands(CLI::App& app, Globals& globals);
// origo verify.
void AddVerifyCommand(CLI::App& app, Globals& globals);
// origo trace, lot show, events, inspection record, violations, base add.
void AddProvenanceCommands(CLI::App& app, Globals& globals);
// origo inspect record, penalty record, loss record, feedback submit, credit show|archive,
// blacklist list|add|import|repair apply|repair decide, report quality.
void AddCreditCommands(CLI::App& app, Globals& globals);
// origo label (label_command.cc).
void AddLabelCommand(CLI::App& app, Globals& globals);

}  // namespace origo::cli

#endif  // ORIGO_CLIENTS_CLI_CLI_H_
