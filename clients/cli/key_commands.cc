// origo key gen: a producer's signing key pair, written locally (the private key never leaves
// the machine).

#include <iostream>

#include "clients/cli/cli.h"
#include "clients/cli/files.h"
#include "core/crypto/keys.h"

namespace origo::cli {
namespace {

struct KeyGenFlags {
  std::string out;
  std::string algorithm = "ed25519";
  bool force = false;
};

int KeyGen(const Globals& globals, const KeyGenFlags& flags) {
  const std::string pub_path = flags.out + ".pub";
  if (!flags.force) {
    for (const std::string& path : {flags.out, pub_path}) {
      if (PathExists(path)) {
        return ReportError(globals,
                           absl::AlreadyExistsError(path + " already exists; pass --force to "
                                                           "replace it"),
                           "key gen");
      }
    }
  }
  crypto::Algorithm algorithm =
      flags.algorithm == "p256" ? crypto::Algorithm::kP256 : crypto::Algorithm::kEd25519;
  auto key = crypto::PrivateKey::Generate(algorithm);
  if (!key.ok()) return ReportError(globals, key.status(), "key gen");
  auto pem = key->ToPem();
  if (!pem.ok()) return ReportError(globals, pem.status(), "key gen");
  crypto::PublicKey public_key = key->Public();
  if (absl::Status written = WriteNewFile(flags.out, *pem, 0600, flags.force); !written.ok()) {
    return ReportError(globals, written, "key gen");
  }
  if (absl::Status written = WriteNewFile(pub_path, public_key.ToPem(), 0644, flags.force);
      !written.ok()) {
    return ReportError(globals, written, "key gen");
  }
  if (globals.json) {
    std::cout << JsonObject()
                     .Bool("ok", true)
                     .Str("key_id", public_key.KeyId())
                     .Str("algorithm", std::string(crypto::AlgorithmName(algorithm)))
                     .Str("private_key", flags.out)
                     .Str("public_key", pub_path)
                     .Build()
              << "\n";
  } else {
    std::cout << public_key.KeyId() << "\n";
    std::cerr << "wrote " << crypto::AlgorithmName(algorithm) << " private key " << flags.out
              << " (0600) and public key " << pub_path << "; register the public key with "
              << "`origo enterprise key add --usci CODE --pub " << pub_path << "`\n";
  }
  return 0;
}

}  // namespace

void AddKeyCommands(CLI::App& app, Globals& globals) {
  CLI::App* key = app.add_subcommand("key", "Signing keys kept on this machine");
  key->require_subcommand(1);

  auto flags = std::make_shared<KeyGenFlags>();
  CLI::App* gen = key->add_subcommand(
      "gen",
      "Generate a signing key pair: FILE (PKCS#8 PEM private key, mode 0600) and FILE.pub "
      "(SubjectPublicKeyInfo PEM); prints the key id (hex SHA-256 of the public key)");
  gen->add_option("--out", flags->out, "private key file to create")->required();
  gen->add_option("--alg", flags->algorithm, "key algorithm")
      ->check(CLI::IsMember({"ed25519", "p256"}))
      ->capture_default_str();
  gen->add_flag("--force", flags->force, "replace FILE and FILE.pub if they exist");
  gen->callback([&globals, flags] { globals.exit_code = KeyGen(globals, *flags); });
}

}  // namespace origo::cli
