// origo enterprise register|get and origo enterprise key add|revoke|list (RegistryService).

#include <google/protobuf/util/json_util.h>

#include <iostream>

#include "absl/time/time.h"
#include "clients/cli/cli.h"
#include "clients/cli/files.h"
#include "core/crypto/keys.h"

namespace origo::cli {
namespace {

struct EnterpriseFlags {
  std::string usci;
  std::string name;
  std::string sector;
  std::string pub;
  std::string label;
  std::string key_id;
};

// The message as JSON with proto field names.
std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(message, &out, options).ok()) return "null";
  return out;
}

std::string FormatMillis(int64_t unix_ms) {
  if (unix_ms == 0) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixMillis(unix_ms), absl::UTCTimeZone());
}

std::string SectorName(origo::v1::Sector sector) {
  switch (sector) {
    case origo::v1::SECTOR_WINE:
      return "wine";
    case origo::v1::SECTOR_GOJI:
      return "goji";
    case origo::v1::SECTOR_HALAL:
      return "halal";
    case origo::v1::SECTOR_AUTHORITY:
      return "authority";
    default:
      return "unspecified";
  }
}

std::string KeyLine(const origo::v1::EnterpriseKey& key) {
  std::string status = key.status() == origo::v1::KEY_STATUS_REVOKED
                           ? "revoked " + FormatMillis(key.revoked_unix_ms())
                           : "active";
  std::string line = key.key_id() + "  " + key.algorithm() + "  " + status + "  added " +
                     FormatMillis(key.added_unix_ms());
  if (!key.label().empty()) line += "  " + key.label();
  return line;
}

void PrintJson(const std::string& field, const google::protobuf::Message& message) {
  std::cout << JsonObject().Bool("ok", true).Raw(field, ToJson(message)).Build() << "\n";
}

int Register(const Globals& globals, const EnterpriseFlags& flags) {
  client::Client client(globals.ClientOptions());
  origo::v1::RegisterEnterpriseRequest request;
  request.mutable_enterprise()->set_usci(flags.usci);
  request.mutable_enterprise()->set_name(flags.name);
  request.mutable_enterprise()->set_sector(flags.sector == "wine"   ? origo::v1::SECTOR_WINE
                                           : flags.sector == "goji" ? origo::v1::SECTOR_GOJI
                                           : flags.sector == "authority"
                                               ? origo::v1::SECTOR_AUTHORITY
                                               : origo::v1::SECTOR_HALAL);
  auto response = client.RegisterEnterprise(request);
  if (!response.ok()) return ReportError(globals, response.status(), "enterprise register");
  const origo::v1::Enterprise& e = response->enterprise();
  if (globals.json) {
    PrintJson("enterprise", e);
  } else {
    std::cout << "registered " << e.usci() << " " << e.name() << " (" << SectorName(e.sector())
              << ")\n";
  }
  return 0;
}

int Get(const Globals& globals, const EnterpriseFlags& flags) {
  client::Client client(globals.ClientOptions());
  origo::v1::GetEnterpriseRequest request;
  request.set_usci(flags.usci);
  auto response = client.GetEnterprise(request);
  if (!response.ok()) return ReportError(globals, response.status(), "enterprise get");
  if (globals.json) {
    PrintJson("enterprise", *response);
    return 0;
  }
  const origo::v1::Enterprise& e = response->enterprise();
  std::cout << e.usci() << "  " << e.name() << "\n"
            << "  sector        " << SectorName(e.sector()) << "\n"
            << "  registered    " << FormatMillis(e.registered_unix_ms()) << "\n"
            << "  keys          " << response->keys_size() << "\n";
  for (const origo::v1::EnterpriseKey& key : response->keys()) {
    std::cout << "    " << KeyLine(key) << "\n";
  }
  std::cout << "  bases         " << response->bases_size() << "\n";
  for (const origo::v1::ProductionBase& base : response->bases()) {
    std::cout << "    " << base.base_id() << "  " << base.name() << "  GLN " << base.gln()
              << (base.gln_extension().empty() ? "" : "/" + base.gln_extension()) << "\n";
  }
  std::cout << "  certificates  " << response->certificates_size() << "\n";
  for (const origo::v1::Certificate& c : response->certificates()) {
    std::cout << "    " << c.certificate_id() << "  " << c.type() << "  " << c.issuer() << "  "
              << c.valid_from() << ".." << c.valid_to() << "\n";
  }
  return 0;
}

int KeyAdd(const Globals& globals, const EnterpriseFlags& flags) {
  auto pem = ReadFile(flags.pub);
  if (!pem.ok()) return ReportError(globals, pem.status(), "enterprise key add");
  // Parse locally first: a clear error for a wrong file (e.g. the private key), and the key id
  // to compare with the server's.
  auto local = crypto::PublicKey::FromPem(*pem);
  if (!local.ok()) {
    return ReportError(globals,
                       absl::InvalidArgumentError(flags.pub + ": not a public key PEM: " +
                                                  std::string(local.status().message())),
                       "enterprise key add");
  }
  client::Client client(globals.ClientOptions());
  origo::v1::AddKeyRequest request;
  request.set_usci(flags.usci);
  request.set_public_key_pem(local->ToPem());
  request.set_label(flags.label);
  auto response = client.AddKey(request);
  if (!response.ok()) return ReportError(globals, response.status(), "enterprise key add");
  if (response->key().key_id() != local->KeyId()) {
    return ReportError(
        globals,
        absl::DataLossError("the server registered key id " + response->key().key_id() + ", but " +
                            flags.pub + " has key id " + local->KeyId()),
        "enterprise key add");
  }
  if (globals.json) {
    std::cout << JsonObject()
                     .Bool("ok", true)
                     .Str("key_id", response->key().key_id())
                     .Raw("key", ToJson(response->key()))
                     .Build()
              << "\n";
  } else {
    std::cout << response->key().key_id() << "\n";
  }
  return 0;
}

int KeyRevoke(const Globals& globals, const EnterpriseFlags& flags) {
  client::Client client(globals.ClientOptions());
  origo::v1::RevokeKeyRequest request;
  request.set_usci(flags.usci);
  request.set_key_id(flags.key_id);
  auto response = client.RevokeKey(request);
  if (!response.ok()) return ReportError(globals, response.status(), "enterprise key revoke");
  if (globals.json) {
    PrintJson("key", response->key());
  } else {
    std::cout << "revoked " << KeyLine(response->key()) << "\n";
  }
  return 0;
}

int KeyList(const Globals& globals, const EnterpriseFlags& flags) {
  client::Client client(globals.ClientOptions());
  origo::v1::ListKeysRequest request;
  request.set_usci(flags.usci);
  auto response = client.ListKeys(request);
  if (!response.ok()) return ReportError(globals, response.status(), "enterprise key list");
  if (globals.json) {
    PrintJson("keys", *response);
  } else {
    if (response->keys().empty()) std::cerr << flags.usci << " has no keys\n";
    for (const origo::v1::EnterpriseKey& key : response->keys()) {
      std::cout << KeyLine(key) << "\n";
    }
  }
  return 0;
}

}  // namespace

void AddEnterpriseCommands(CLI::App& app, Globals& globals) {
  CLI::App* enterprise =
      app.add_subcommand("enterprise", "Enterprises and their signing keys (RegistryService)");
  enterprise->require_subcommand(1);
  auto flags = std::make_shared<EnterpriseFlags>();

  CLI::App* reg =
      enterprise->add_subcommand("register", "Register an enterprise (needs a regulator token)");
  reg->add_option("--usci", flags->usci, "18-character unified social credit code")->required();
  reg->add_option("--name", flags->name, "registered name")->required();
  reg->add_option("--sector", flags->sector, "sector whose rules apply")
      ->required()
      ->check(CLI::IsMember({"wine", "goji", "halal", "authority"}));
  reg->callback([&globals, flags] { globals.exit_code = Register(globals, *flags); });

  CLI::App* get = enterprise->add_subcommand(
      "get", "Show an enterprise with its keys, production bases and certificates");
  get->add_option("--usci", flags->usci, "unified social credit code")->required();
  get->callback([&globals, flags] { globals.exit_code = Get(globals, *flags); });

  CLI::App* key = enterprise->add_subcommand("key", "An enterprise's registered signing keys");
  key->require_subcommand(1);

  CLI::App* add = key->add_subcommand(
      "add", "Register a public key (FILE.pub from `origo key gen`); prints its key id");
  add->add_option("--usci", flags->usci, "unified social credit code")->required();
  add->add_option("--pub", flags->pub, "SubjectPublicKeyInfo PEM file")->required();
  add->add_option("--label", flags->label, "free text, e.g. the packing line");
  add->callback([&globals, flags] { globals.exit_code = KeyAdd(globals, *flags); });

  CLI::App* revoke =
      key->add_subcommand("revoke", "Revoke a key: batches signed with it are refused from now on");
  revoke->add_option("--usci", flags->usci, "unified social credit code")->required();
  revoke->add_option("--key-id", flags->key_id, "key id (64 hex digits)")->required();
  revoke->callback([&globals, flags] { globals.exit_code = KeyRevoke(globals, *flags); });

  CLI::App* list = key->add_subcommand("list", "List an enterprise's keys, active and revoked");
  list->add_option("--usci", flags->usci, "unified social credit code")->required();
  list->callback([&globals, flags] { globals.exit_code = KeyList(globals, *flags); });
}

}  // namespace origo::cli
