// origo checkpoint, origo log-key and origo audit: the transparency log's signed checkpoints and
// their consistency over time (TransparencyService).

#include <iostream>

#include "clients/cli/cli.h"
#include "clients/cli/evidence.h"
#include "clients/cli/files.h"
#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/note.h"
#include "core/crypto/hash.h"

namespace origo::cli {
namespace {

struct LogFlags {
  std::string out;
  std::string log_key;
  std::string checkpoint;
  bool force = false;
  bool full = false;
};

std::string RootHex(const checkpoint::Checkpoint& c) {
  return crypto::HexEncode(
      std::string_view(reinterpret_cast<const char*>(c.root.data()), c.root.size()));
}

absl::StatusOr<checkpoint::NoteVerifier> LoadVerifier(const std::string& path) {
  auto vkey = ReadVkeyFile(path);
  if (!vkey.ok()) return vkey.status();
  auto verifier = checkpoint::NoteVerifier::FromVkey(*vkey);
  if (!verifier.ok()) {
    return absl::InvalidArgumentError("log key " + path + ": " +
                                      std::string(verifier.status().message()));
  }
  return verifier;
}

// The server answers GetCheckpoint with no checkpoint before it has signed its first one.
absl::Status RequireCheckpoint(const origo::v1::GetCheckpointResponse& response) {
  if (response.checkpoint().note().empty()) {
    return absl::FailedPreconditionError("the log has not signed a checkpoint yet");
  }
  return absl::OkStatus();
}

// Saves `text` to `path` (mode 0644), replacing it only with --force.
absl::Status Save(const std::string& path, const std::string& text, bool force) {
  return WriteNewFile(path, text, 0644, force);
}

int Checkpoint(const Globals& globals, const LogFlags& flags) {
  std::optional<checkpoint::NoteVerifier> verifier;
  if (!flags.log_key.empty()) {
    auto loaded = LoadVerifier(flags.log_key);
    if (!loaded.ok()) return ReportError(globals, loaded.status(), "checkpoint");
    verifier = *loaded;
  }
  client::Client client(globals.ClientOptions());
  auto response = client.GetCheckpoint();
  if (!response.ok()) return ReportError(globals, response.status(), "checkpoint");
  if (absl::Status has = RequireCheckpoint(*response); !has.ok()) {
    return ReportError(globals, has, "checkpoint");
  }
  const std::string& note = response->checkpoint().note();
  checkpoint::Checkpoint parsed;
  if (verifier) {
    auto verified = VerifySentCheckpoint(response->checkpoint(), *verifier);
    if (!verified.ok()) {
      return ReportError(globals, verified.status(),
                         "checkpoint: verifying against " + flags.log_key);
    }
    parsed = *verified;
  } else {
    // Unverified, but still parsed so that the output reports what the note says.
    auto opened = checkpoint::ParseNote(note);
    if (!opened.ok()) return ReportError(globals, opened.status(), "checkpoint");
    auto body = checkpoint::ParseBody(opened->text);
    if (!body.ok()) return ReportError(globals, body.status(), "checkpoint");
    parsed = *body;
  }
  if (!flags.out.empty()) {
    if (absl::Status saved = Save(flags.out, note, flags.force); !saved.ok()) {
      return ReportError(globals, saved, "checkpoint");
    }
  }
  if (globals.json) {
    JsonObject out;
    out.Bool("ok", true)
        .Str("origin", parsed.origin)
        .Uint("tree_size", parsed.size)
        .Str("root_hash", RootHex(parsed))
        .Bool("verified", verifier.has_value())
        .Str("note", note);
    if (!flags.out.empty()) out.Str("saved", flags.out);
    std::cout << out.Build() << "\n";
  } else if (!flags.out.empty()) {
    std::cout << "checkpoint of " << parsed.origin << " at size " << parsed.size << ", root "
              << RootHex(parsed) << (verifier ? " (signature verified)" : " (not verified)")
              << " saved to " << flags.out << "\n";
  } else {
    std::cout << note;
    if (verifier) std::cerr << "signature verified with " << flags.log_key << "\n";
  }
  return 0;
}

int LogKey(const Globals& globals, const LogFlags& flags) {
  client::Client client(globals.ClientOptions());
  auto response = client.GetCheckpoint();
  if (!response.ok()) return ReportError(globals, response.status(), "log-key");
  const std::string& vkey = response->log_vkey();
  auto verifier = checkpoint::NoteVerifier::FromVkey(vkey);
  if (!verifier.ok()) {
    return ReportError(globals,
                       absl::DataLossError("the server's log key \"" + vkey + "\" is malformed: " +
                                           std::string(verifier.status().message())),
                       "log-key");
  }
  // The key must at least sign the checkpoint it came with (if there is one yet).
  if (RequireCheckpoint(*response).ok()) {
    if (auto verified = VerifySentCheckpoint(response->checkpoint(), *verifier); !verified.ok()) {
      return ReportError(globals, verified.status(), "log-key: the current checkpoint");
    }
  }
  if (!flags.out.empty()) {
    if (absl::Status saved = Save(flags.out, vkey + "\n", flags.force); !saved.ok()) {
      return ReportError(globals, saved, "log-key");
    }
  }
  if (globals.json) {
    JsonObject out;
    out.Bool("ok", true).Str("vkey", vkey).Str("name", verifier->name());
    if (!flags.out.empty()) out.Str("saved", flags.out);
    std::cout << out.Build() << "\n";
  } else {
    std::cout << vkey << "\n";
    std::cerr << "compare this key with one published out of band before pinning it"
              << (flags.out.empty() ? "" : "; saved to " + flags.out) << "\n";
  }
  return 0;
}

int Audit(const Globals& globals, const LogFlags& flags) {
  auto verifier = LoadVerifier(flags.log_key);
  if (!verifier.ok()) return ReportError(globals, verifier.status(), "audit");
  auto saved_note = ReadFile(flags.checkpoint);
  if (!saved_note.ok()) return ReportError(globals, saved_note.status(), "audit");
  auto saved = checkpoint::VerifyCheckpoint(*saved_note, *verifier);
  if (!saved.ok()) {
    return ReportError(globals, saved.status(), "audit: saved checkpoint " + flags.checkpoint);
  }
  client::Client client(globals.ClientOptions());
  auto latest_response = client.GetCheckpoint();
  if (!latest_response.ok()) return ReportError(globals, latest_response.status(), "audit");
  if (absl::Status has = RequireCheckpoint(*latest_response); !has.ok()) {
    return ReportError(globals, has, "audit");
  }
  auto latest = VerifySentCheckpoint(latest_response->checkpoint(), *verifier);
  if (!latest.ok()) return ReportError(globals, latest.status(), "audit: latest checkpoint");

  std::vector<std::string> proof;
  if (saved->size > 0 && saved->size < latest->size) {
    origo::v1::GetConsistencyProofRequest request;
    request.set_from_size(saved->size);
    request.set_to_size(latest->size);
    auto response = client.GetConsistencyProof(request);
    if (!response.ok()) return ReportError(globals, response.status(), "audit");
    if (response->proof().from_size() != saved->size ||
        response->proof().to_size() != latest->size) {
      return ReportError(
          globals,
          absl::DataLossError("asked for a proof from " + std::to_string(saved->size) + " to " +
                              std::to_string(latest->size) + ", got one from " +
                              std::to_string(response->proof().from_size()) + " to " +
                              std::to_string(response->proof().to_size())),
          "audit");
    }
    proof.assign(response->proof().hashes().begin(), response->proof().hashes().end());
  }
  absl::Status consistent = CheckConsistency(*saved, *latest, proof);
  if (globals.json) {
    JsonObject out;
    out.Bool("ok", consistent.ok())
        .Str("origin", latest->origin)
        .Uint("saved_size", saved->size)
        .Str("saved_root", RootHex(*saved))
        .Uint("latest_size", latest->size)
        .Str("latest_root", RootHex(*latest))
        .Bool("consistent", consistent.ok());
    if (!consistent.ok()) {
      out.Raw("error", JsonObject()
                           .Str("code", absl::StatusCodeToString(consistent.code()))
                           .Str("message", std::string(consistent.message()))
                           .Str("what", "audit")
                           .Build());
    }
    std::cout << out.Build() << "\n";
  } else {
    std::cout << "saved   size " << saved->size << " root " << RootHex(*saved) << "  ok"
              << "  signature\n"
              << "latest  size " << latest->size << " root " << RootHex(*latest) << "  ok"
              << "  signature\n";
    if (consistent.ok()) {
      std::cout << "ok      consistent: the log at size " << latest->size
                << " extends the saved checkpoint"
                << (saved->size == 0 ? " (trivially: it was empty)" : "") << "\n";
    } else {
      std::cout << "FAILED  consistent: " << absl::StatusCodeToString(consistent.code()) << ": "
                << consistent.message() << "\n";
    }
  }
  return consistent.ok() ? 0 : 1;
}

}  // namespace

void AddLogCommands(CLI::App& app, Globals& globals) {
  auto checkpoint_flags = std::make_shared<LogFlags>();
  CLI::App* cp = app.add_subcommand(
      "checkpoint",
      "Print (or save) the log's latest signed checkpoint note; verify it with --log-key");
  cp->add_option("--out", checkpoint_flags->out, "save the note to FILE instead of printing it");
  cp->add_flag("--force", checkpoint_flags->force, "replace FILE if it exists");
  cp->add_option("--log-key", checkpoint_flags->log_key,
                 "pinned log verifier key file (from `origo log-key --out`)");
  cp->callback(
      [&globals, checkpoint_flags] { globals.exit_code = Checkpoint(globals, *checkpoint_flags); });

  auto key_flags = std::make_shared<LogFlags>();
  CLI::App* key = app.add_subcommand(
      "log-key", "Print (or save) the log's verifier key, to pin for verify and audit");
  key->add_option("--out", key_flags->out, "save the key to FILE");
  key->add_flag("--force", key_flags->force, "replace FILE if it exists");
  key->callback([&globals, key_flags] { globals.exit_code = LogKey(globals, *key_flags); });

  auto audit_flags = std::make_shared<LogFlags>();
  CLI::App* audit = app.add_subcommand(
      "audit",
      "Check that the log still extends a saved checkpoint (append-only): verifies both "
      "checkpoints with the pinned key and a consistency proof between them; exit 0 if "
      "consistent");
  audit->add_option("--checkpoint", audit_flags->checkpoint,
                    "saved checkpoint note (from `origo checkpoint --out`)");
  audit->add_flag("--full", audit_flags->full,
                  "recompute the tree from every stored leaf, check every stored checkpoint and "
                  "every batch signature, and list each mismatch");
  audit->add_option("--log-key", audit_flags->log_key, "pinned log verifier key file")->required();
  audit->callback([&globals, audit_flags] {
    if (audit_flags->full) {
      globals.exit_code = FullAudit(globals, audit_flags->log_key);
    } else if (audit_flags->checkpoint.empty()) {
      globals.exit_code = ReportError(
          globals, absl::InvalidArgumentError("give --checkpoint FILE, or --full"), "audit");
    } else {
      globals.exit_code = Audit(globals, *audit_flags);
    }
  });
}

}  // namespace origo::cli
