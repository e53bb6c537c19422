// origo admin backup, and origo audit --full: operations over the whole log.

#include <chrono>
#include <iostream>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "clients/cli/cli.h"
#include "clients/cli/files.h"
#include "core/batch/batch.h"
#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/note.h"
#include "core/crypto/dsse.h"
#include "core/crypto/hash.h"
#include "core/merkle/compact_range.h"

namespace origo::cli {
namespace {

std::string Hex(std::string_view bytes) { return crypto::HexEncode(bytes); }

int Backup(const Globals& globals, const std::string& to) {
  client::Client client(globals.ClientOptions());
  origo::v1::BackupRequest request;
  request.set_to_dir(to);
  auto response = client.Backup(request);
  if (!response.ok()) return ReportError(globals, response.status(), "admin backup");
  if (globals.json) {
    std::cout << JsonObject()
                     .Bool("ok", true)
                     .Str("dir", response->dir())
                     .Uint("tree_size", response->tree_size())
                     .Str("root_hash", Hex(response->root_hash()))
                     .Uint("bytes", response->bytes())
                     .Build()
              << "\n";
  } else {
    std::cout << "backup written to " << response->dir() << " on the server: tree size "
              << response->tree_size() << ", root " << Hex(response->root_hash()) << ", "
              << response->bytes() << " bytes\n"
              << "restore with: origod --data NEW_DIR --restore-from " << response->dir() << "\n";
  }
  return 0;
}

// One finding of the full audit.
struct Problem {
  std::string where;
  std::string what;
};

}  // namespace

// Recomputes the tree from every stored leaf, checks every stored checkpoint against it and its
// signature under the pinned key, and every leaf's batch evidence under its registered key.
int FullAudit(const Globals& globals, const std::string& log_key_file) {
  auto vkey = ReadVkeyFile(log_key_file);
  if (!vkey.ok()) return ReportError(globals, vkey.status(), "audit --full");
  auto verifier = checkpoint::NoteVerifier::FromVkey(*vkey);
  if (!verifier.ok()) return ReportError(globals, verifier.status(), "audit --full: log key");
  client::Client client(globals.ClientOptions());
  std::vector<Problem> problems;

  // Every checkpoint, verified, by size.
  std::map<uint64_t, merkle::Hash> checkpoints;
  for (uint64_t from = 0;;) {
    origo::v1::ListCheckpointsRequest request;
    request.set_from_size(from);
    auto page = client.ListCheckpoints(request);
    if (!page.ok()) return ReportError(globals, page.status(), "audit --full: list checkpoints");
    for (int i = 0; i < page->notes_size(); ++i) {
      auto parsed = checkpoint::VerifyCheckpoint(page->notes(i), *verifier);
      if (!parsed.ok()) {
        problems.push_back({"checkpoint at size " + std::to_string(page->sizes(i)),
                            "signature: " + std::string(parsed.status().message())});
        continue;
      }
      if (parsed->size != page->sizes(i)) {
        problems.push_back({"checkpoint at size " + std::to_string(page->sizes(i)),
                            "its note says size " + std::to_string(parsed->size)});
      }
      checkpoints[parsed->size] = parsed->root;
    }
    if (page->sizes_size() == 0) break;
    from = page->sizes(page->sizes_size() - 1) + 1;
  }
  auto latest = client.GetCheckpoint();
  if (!latest.ok()) return ReportError(globals, latest.status(), "audit --full");
  const uint64_t size = latest->checkpoint().tree_size();

  // Every leaf: recompute the tree; check batch evidence (signatures once per batch manifest).
  merkle::CompactRange range;
  absl::flat_hash_map<std::string, crypto::PublicKey> keys;   // key id -> key
  absl::flat_hash_map<std::string, bool> verified_manifests;  // manifest+signature -> ok
  uint64_t checked_checkpoints = checkpoints.count(0) ? 1 : 0;
  auto started = std::chrono::steady_clock::now();
  for (uint64_t start = 0; start < size;) {
    origo::v1::GetLeavesRequest request;
    request.set_start(start);
    request.set_count(static_cast<uint32_t>(std::min<uint64_t>(1000, size - start)));
    auto page = client.GetLeaves(request);
    if (!page.ok()) return ReportError(globals, page.status(), "audit --full: leaves");
    if (page->leaves_size() == 0) {
      problems.push_back({"leaf " + std::to_string(start), "missing from the log"});
      break;
    }
    for (const std::string& bytes : page->leaves()) {
      const uint64_t index = range.size();
      range.Append(merkle::LeafHash(bytes));
      if (auto it = checkpoints.find(range.size()); it != checkpoints.end()) {
        ++checked_checkpoints;
        if (it->second != range.Root()) {
          problems.push_back(
              {"checkpoint at size " + std::to_string(range.size()),
               "signed root " +
                   Hex(std::string_view(reinterpret_cast<const char*>(it->second.data()), 32)) +
                   " differs from the root recomputed from the leaves"});
        }
      }
      origo::v1::LogLeaf leaf;
      if (!leaf.ParseFromString(bytes)) {
        problems.push_back({"leaf " + std::to_string(index), "does not parse as a LogLeaf"});
        continue;
      }
      auto manifest = batch::ParseManifest(leaf.manifest());
      if (!manifest.ok()) {
        problems.push_back({"leaf " + std::to_string(index),
                            "manifest: " + std::string(manifest.status().message())});
        continue;
      }
      auto key = keys.find(manifest->key_id());
      if (key == keys.end()) {
        origo::v1::GetEnterpriseRequest get;
        get.set_usci(manifest->enterprise());
        auto enterprise = client.GetEnterprise(get);
        if (enterprise.ok()) {
          for (const auto& k : enterprise->keys()) {
            auto parsed = crypto::PublicKey::FromPem(k.public_key_pem());
            // The key id is the hash of the key itself: a server cannot substitute a key.
            if (parsed.ok() && parsed->KeyId() == k.key_id()) keys.emplace(k.key_id(), *parsed);
          }
        }
        key = keys.find(manifest->key_id());
      }
      if (key == keys.end()) {
        problems.push_back({"leaf " + std::to_string(index), "signing key " + manifest->key_id() +
                                                                 " of " + manifest->enterprise() +
                                                                 " is not in the registry"});
        continue;
      }
      std::string manifest_id = leaf.manifest() + leaf.signature();
      auto seen = verified_manifests.find(manifest_id);
      if (seen == verified_manifests.end()) {
        absl::Status evidence = batch::VerifyLeafEvidence(leaf, key->second);
        verified_manifests[manifest_id] = evidence.ok();
        if (!evidence.ok()) {
          problems.push_back({"leaf " + std::to_string(index), std::string(evidence.message())});
        }
        continue;
      }
      if (!seen->second) {
        problems.push_back(
            {"leaf " + std::to_string(index), "signature: its batch does not verify"});
        continue;
      }
      // Same signed manifest already verified: only the event's path to the batch root.
      std::vector<merkle::Hash> path;
      bool path_ok = true;
      for (const std::string& h : leaf.batch_path()) {
        auto hash = merkle::HashFromBytes(h);
        if (!hash.ok())
          path_ok = false;
        else
          path.push_back(*hash);
      }
      auto root = merkle::HashFromBytes(manifest->batch_root());
      if (!path_ok || !root.ok() ||
          !merkle::VerifyInclusion(leaf.batch_index(), manifest->batch_size(),
                                   merkle::LeafHash(leaf.event()), path, *root)
               .ok()) {
        problems.push_back({"leaf " + std::to_string(index),
                            "batch path: the event does not lead to its signed batch root"});
      }
    }
    start += static_cast<uint64_t>(page->leaves_size());
    if (!globals.json && size > 10000) {
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::fprintf(stderr, "\raudit: %llu / %llu leaves (%.0f leaves/s)",
                   static_cast<unsigned long long>(start), static_cast<unsigned long long>(size),
                   static_cast<double>(start) / std::max(seconds, 1e-3));
    }
  }
  if (!globals.json && size > 10000) std::fprintf(stderr, "\n");
  for (const auto& [cp_size, root] : checkpoints) {
    if (cp_size > range.size()) {
      problems.push_back({"checkpoint at size " + std::to_string(cp_size),
                          "beyond the " + std::to_string(range.size()) + " leaves served"});
    }
  }

  if (globals.json) {
    std::string list = "[";
    for (size_t i = 0; i < problems.size(); ++i) {
      list += (i ? "," : "") +
              JsonObject().Str("where", problems[i].where).Str("what", problems[i].what).Build();
    }
    list += "]";
    std::cout << JsonObject()
                     .Bool("ok", problems.empty())
                     .Uint("leaves", range.size())
                     .Uint("checkpoints", checked_checkpoints)
                     .Uint("batches", verified_manifests.size())
                     .Raw("problems", list)
                     .Build()
              << "\n";
  } else {
    std::cout << "leaves       " << range.size() << " recomputed into the tree\n"
              << "checkpoints  " << checked_checkpoints << " of " << checkpoints.size()
              << " matched at their size, every signature checked\n"
              << "batches      " << verified_manifests.size() << " signed manifests verified\n";
    for (const Problem& p : problems) std::cout << "FAILED  " << p.where << ": " << p.what << "\n";
    std::cout << (problems.empty() ? "audit passed\n"
                                   : std::to_string(problems.size()) + " problem(s) found\n");
  }
  return problems.empty() ? 0 : 1;
}

void AddAdminCommands(CLI::App& app, Globals& globals) {
  CLI::App* admin = app.add_subcommand("admin", "Operations (need a regulator token)");
  admin->require_subcommand(1);
  auto to = std::make_shared<std::string>();
  CLI::App* backup = admin->add_subcommand(
      "backup",
      "Back up the live store (and the log key) to a new directory on the server while it "
      "serves; restore with `origod --restore-from DIR`");
  backup->add_option("--to", *to, "absolute path on the server; must not exist")->required();
  backup->callback([&globals, to] { globals.exit_code = Backup(globals, *to); });
}

}  // namespace origo::cli
