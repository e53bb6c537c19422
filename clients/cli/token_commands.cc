// origo token create (RegistryService.CreateToken; needs a regulator token).

#include <iostream>

#include "clients/cli/cli.h"

namespace origo::cli {
namespace {

struct TokenFlags {
  std::string role;
  std::string usci;
  std::string label;
};

int Create(const Globals& globals, const TokenFlags& flags) {
  origo::v1::CreateTokenRequest request;
  request.set_role(flags.role == "producer"    ? origo::v1::ROLE_PRODUCER
                   : flags.role == "inspector" ? origo::v1::ROLE_INSPECTOR
                                               : origo::v1::ROLE_REGULATOR);
  request.set_usci(flags.usci);
  request.set_label(flags.label);
  if (request.role() == origo::v1::ROLE_PRODUCER && flags.usci.empty()) {
    return ReportError(globals, absl::InvalidArgumentError("--usci: required for a producer token"),
                       "token create");
  }
  client::Client client(globals.ClientOptions());
  auto response = client.CreateToken(request);
  if (!response.ok()) return ReportError(globals, response.status(), "token create");
  if (globals.json) {
    JsonObject out;
    out.Bool("ok", true)
        .Str("token", response->token())
        .Str("token_id", response->token_id())
        .Str("role", flags.role);
    if (!flags.usci.empty()) out.Str("usci", flags.usci);
    std::cout << out.Build() << "\n";
  } else {
    std::cout << response->token() << "\n";
    std::cerr << "token " << response->token_id() << " (" << flags.role
              << (flags.usci.empty() ? "" : ", " + flags.usci)
              << "): shown once; the server keeps only its hash\n";
  }
  return 0;
}

}  // namespace

void AddTokenCommands(CLI::App& app, Globals& globals) {
  CLI::App* token = app.add_subcommand("token", "Bearer tokens (need a regulator token)");
  token->require_subcommand(1);
  auto flags = std::make_shared<TokenFlags>();
  CLI::App* create = token->add_subcommand(
      "create", "Create a token and print it once (the server keeps only its hash)");
  create->add_option("--role", flags->role, "what the token may do")
      ->required()
      ->check(CLI::IsMember({"producer", "inspector", "regulator"}));
  create->add_option("--usci", flags->usci, "enterprise a producer token is bound to");
  create->add_option("--label", flags->label, "free text to recognise the token by");
  create->callback([&globals, flags] { globals.exit_code = Create(globals, *flags); });
}

}  // namespace origo::cli
