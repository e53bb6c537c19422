// origo token create|list|revoke (RegistryService; need a regulator token).

#include <cstdio>
#include <iostream>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "clients/cli/cli.h"

namespace origo::cli {
namespace {

struct TokenFlags {
  std::string role;
  std::string usci;
  std::string label;
  std::string expires;
};

// "90d", "12h", "1h30m", "45s": days are added to absl's duration units because token lifetimes
// are usually given in days. Must be positive.
absl::StatusOr<uint64_t> ParseLifetime(const std::string& text) {
  absl::Duration total = absl::ZeroDuration();
  std::string rest = text;
  if (const size_t d = rest.find('d'); d != std::string::npos) {
    int64_t days = 0;
    if (d == 0 || !absl::SimpleAtoi(rest.substr(0, d), &days) || days < 0) {
      return absl::InvalidArgumentError("--expires: '" + text +
                                        "' is not a duration like 90d, 12h or 1h30m");
    }
    total += absl::Hours(24 * days);
    rest = rest.substr(d + 1);
  }
  if (!rest.empty()) {
    absl::Duration part;
    if (!absl::ParseDuration(rest, &part)) {
      return absl::InvalidArgumentError("--expires: '" + text +
                                        "' is not a duration like 90d, 12h or 1h30m");
    }
    total += part;
  }
  if (total < absl::Seconds(1)) {
    return absl::InvalidArgumentError("--expires: must be at least one second; got '" + text + "'");
  }
  return static_cast<uint64_t>(absl::ToInt64Seconds(total));
}

int Create(const Globals& globals, const TokenFlags& flags) {
  origo::v1::CreateTokenRequest request;
  request.set_role(flags.role == "producer"    ? origo::v1::ROLE_PRODUCER
                   : flags.role == "inspector" ? origo::v1::ROLE_INSPECTOR
                                               : origo::v1::ROLE_REGULATOR);
  request.set_usci(flags.usci);
  request.set_label(flags.label);
  if (!flags.expires.empty()) {
    absl::StatusOr<uint64_t> seconds = ParseLifetime(flags.expires);
    if (!seconds.ok()) return ReportError(globals, seconds.status(), "token create");
    request.set_valid_for_seconds(*seconds);
  }
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

std::string RoleText(origo::v1::Role role) {
  switch (role) {
    case origo::v1::ROLE_PRODUCER:
      return "producer";
    case origo::v1::ROLE_INSPECTOR:
      return "inspector";
    case origo::v1::ROLE_REGULATOR:
      return "regulator";
    default:
      return "unknown";
  }
}

// RFC 3339 in UTC; "never" for 0 (no expiry).
std::string TimeText(int64_t unix_ms) {
  if (unix_ms == 0) return "never";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixMillis(unix_ms), absl::UTCTimeZone());
}

std::string TokenJson(const origo::v1::TokenInfo& t) {
  JsonObject out;
  out.Str("token_id", t.token_id())
      .Str("role", RoleText(t.role()))
      .Str("usci", t.usci())
      .Str("label", t.label())
      .Str("created", TimeText(t.created_unix_ms()))
      .Str("expires", TimeText(t.expires_unix_ms()))
      .Bool("revoked", t.revoked());
  return out.Build();
}

int List(const Globals& globals) {
  client::Client client(globals.ClientOptions());
  auto response = client.ListTokens({});
  if (!response.ok()) return ReportError(globals, response.status(), "token list");
  if (globals.json) {
    std::string tokens;
    for (const auto& t : response->tokens()) tokens += (tokens.empty() ? "" : ",") + TokenJson(t);
    std::cout << JsonObject().Bool("ok", true).Raw("tokens", "[" + tokens + "]").Build() << "\n";
    return 0;
  }
  std::printf("%-16s  %-9s  %-18s  %-20s  %-20s  %-7s  %s\n", "ID", "ROLE", "USCI", "CREATED",
              "EXPIRES", "REVOKED", "LABEL");
  for (const auto& t : response->tokens()) {
    std::printf("%-16s  %-9s  %-18s  %-20s  %-20s  %-7s  %s\n", t.token_id().c_str(),
                RoleText(t.role()).c_str(), t.usci().empty() ? "-" : t.usci().c_str(),
                TimeText(t.created_unix_ms()).c_str(), TimeText(t.expires_unix_ms()).c_str(),
                t.revoked() ? "yes" : "no", t.label().c_str());
  }
  return 0;
}

int Revoke(const Globals& globals, const std::string& token_id) {
  client::Client client(globals.ClientOptions());
  origo::v1::RevokeTokenRequest request;
  request.set_token_id(token_id);
  auto response = client.RevokeToken(request);
  if (!response.ok()) return ReportError(globals, response.status(), "token revoke");
  if (globals.json) {
    std::cout << JsonObject().Bool("ok", true).Raw("token", TokenJson(response->token())).Build()
              << "\n";
  } else {
    std::cout << "token " << response->token().token_id() << " ("
              << RoleText(response->token().role()) << ") revoked; calls with it are refused\n";
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
  create->add_option("--expires", flags->expires,
                     "lifetime, e.g. 90d, 12h or 1h30m (default: until revoked)");
  create->callback([&globals, flags] { globals.exit_code = Create(globals, *flags); });
  CLI::App* list = token->add_subcommand(
      "list", "List tokens: id, role, enterprise, label, created, expiry, revoked (no secrets)");
  list->callback([&globals] { globals.exit_code = List(globals); });
  auto token_id = std::make_shared<std::string>();
  CLI::App* revoke =
      token->add_subcommand("revoke", "Revoke a token by its id; it is refused from now on");
  revoke->add_option("id", *token_id, "token id, as `origo token list` shows it")->required();
  revoke->callback([&globals, token_id] { globals.exit_code = Revoke(globals, *token_id); });
}

}  // namespace origo::cli
