// origo: the command-line client for producers, inspectors and regulators.

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "clients/cli/cli.h"

int main(int argc, char** argv) {
  CLI::App app{"origo " ORIGO_VERSION " - command-line client for the Origo server", "origo"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "origo " ORIGO_VERSION);
  origo::cli::Globals globals;
  globals.server = "127.0.0.1:50051";
  app.add_option("--server", globals.server, "gRPC address of origod")
      ->envname("ORIGO_SERVER")
      ->capture_default_str();
  app.add_option("--token", globals.token, "bearer token (role and enterprise)")
      ->envname("ORIGO_TOKEN");
  app.add_option("--tls-ca", globals.tls_ca, "PEM CA to trust: connect with TLS")
      ->envname("ORIGO_TLS_CA");
  app.add_option("--tls-cert", globals.tls_cert, "PEM client certificate (mutual TLS)")
      ->envname("ORIGO_TLS_CERT");
  app.add_option("--tls-key", globals.tls_key, "PEM key of --tls-cert")->envname("ORIGO_TLS_KEY");
  app.add_flag("--json", globals.json, "machine-readable JSON on stdout");
  app.fallthrough();

  origo::cli::AddHealthCommand(app, globals);
  origo::cli::AddAdminCommands(app, globals);
  origo::cli::AddKeyCommands(app, globals);
  origo::cli::AddEnterpriseCommands(app, globals);
  origo::cli::AddTokenCommands(app, globals);
  origo::cli::AddCaptureCommand(app, globals);
  origo::cli::AddSpoolCommands(app, globals);
  origo::cli::AddLogCommands(app, globals);
  origo::cli::AddVerifyCommand(app, globals);
  origo::cli::AddProvenanceCommands(app, globals);
  origo::cli::AddCreditCommands(app, globals);
  origo::cli::AddLabelCommand(app, globals);

  CLI11_PARSE(app, argc, argv);
  return globals.exit_code;
}
