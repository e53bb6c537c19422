#include <iostream>

#include "clients/cli/cli.h"

namespace origo::cli {

void AddHealthCommand(CLI::App& app, Globals& globals) {
  CLI::App* cmd = app.add_subcommand(
      "health", "Ask the server whether it is serving (exit 0 only when SERVING)");
  cmd->callback([&globals] {
    client::Client client(globals.ClientOptions());
    auto status = client.Health();
    if (!status.ok()) {
      globals.exit_code = ReportError(globals, status.status(), "health " + globals.server);
      return;
    }
    if (globals.json) {
      std::cout << "{\"ok\":" << (*status == "SERVING" ? "true" : "false")
                << ",\"status\":" << JsonString(*status)
                << ",\"server\":" << JsonString(globals.server) << "}\n";
    } else {
      std::cout << globals.server << ": " << *status << "\n";
    }
    globals.exit_code = *status == "SERVING" ? 0 : 1;
  });
}

}  // namespace origo::cli
