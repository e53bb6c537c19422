// origo verify: checks one event's evidence end to end, trusting only the pinned log key and the
// key ids in signed manifests.

#include <iostream>

#include "clients/cli/cli.h"
#include "clients/cli/evidence.h"
#include "clients/cli/files.h"
#include "core/checkpoint/note.h"

namespace origo::cli {
namespace {

struct VerifyFlags {
  std::string entry;
  std::string log_key;
};

int Verify(const Globals& globals, const VerifyFlags& flags) {
  auto entry = ParseEntryRef(flags.entry);
  if (!entry.ok()) return ReportError(globals, entry.status(), "verify");
  client::Client client(globals.ClientOptions());

  // The log key: pinned from a file, or (saying so) the server's own.
  bool pinned = !flags.log_key.empty();
  std::string vkey;
  if (pinned) {
    auto loaded = ReadVkeyFile(flags.log_key);
    if (!loaded.ok()) return ReportError(globals, loaded.status(), "verify");
    vkey = *loaded;
  } else {
    auto response = client.GetCheckpoint();
    if (!response.ok()) return ReportError(globals, response.status(), "verify: log key");
    vkey = response->log_vkey();
    if (!globals.json) {
      std::cerr << "warning: the log key is not pinned (no --log-key); using the key the server "
                   "sent, so this only shows the server is self-consistent\n";
    }
  }
  auto verifier = checkpoint::NoteVerifier::FromVkey(vkey);
  if (!verifier.ok()) {
    return ReportError(
        globals, absl::InvalidArgumentError("log key: " + std::string(verifier.status().message())),
        "verify");
  }

  origo::v1::GetInclusionProofRequest request;
  if (entry->event_id) {
    request.set_event_id(*entry->event_id);
  } else {
    request.set_index(*entry->index);
  }
  auto response = client.GetInclusionProof(request);
  if (!response.ok()) return ReportError(globals, response.status(), "verify " + flags.entry);

  auto fetch_keys =
      [&client](const std::string& usci) -> absl::StatusOr<std::vector<origo::v1::EnterpriseKey>> {
    origo::v1::GetEnterpriseRequest get;
    get.set_usci(usci);
    auto enterprise = client.GetEnterprise(get);
    if (enterprise.ok() && !enterprise->keys().empty()) {
      return std::vector<origo::v1::EnterpriseKey>(enterprise->keys().begin(),
                                                   enterprise->keys().end());
    }
    origo::v1::ListKeysRequest list;
    list.set_usci(usci);
    auto keys = client.ListKeys(list);
    if (!keys.ok()) return enterprise.ok() ? keys.status() : enterprise.status();
    return std::vector<origo::v1::EnterpriseKey>(keys->keys().begin(), keys->keys().end());
  };
  EventReport report = VerifyEventEvidence(*entry, *response, fetch_keys, *verifier);
  const char* trust = pinned ? "pinned" : "unpinned";

  if (globals.json) {
    std::string checks;
    for (const Check& check : report.checks) {
      checks += (checks.empty() ? "" : ",") + JsonObject()
                                                  .Str("name", check.name)
                                                  .Bool("ok", check.ok)
                                                  .Str("detail", check.detail)
                                                  .Build();
    }
    std::cout << JsonObject()
                     .Bool("ok", report.ok())
                     .Uint("index", report.index)
                     .Str("event_id", report.event_id)
                     .Str("enterprise", report.enterprise)
                     .Str("key_id", report.key_id)
                     .Uint("tree_size", report.tree_size)
                     .Str("log_key", trust)
                     .Str("event", report.event)
                     .Raw("checks", "[" + checks + "]")
                     .Build()
              << "\n";
  } else {
    std::cout << "index   " << report.index << "\n"
              << "event   " << report.event_id << "\n"
              << report.event << "\n";
    for (const Check& check : report.checks) {
      std::cout << (check.ok ? "ok      " : "FAILED  ") << check.name << ": " << check.detail
                << "\n";
    }
    if (report.ok()) {
      std::cout << "verified (" << trust << " log key " << verifier->name() << ")\n";
    } else {
      std::cout << "NOT verified (" << trust << " log key " << verifier->name() << ")\n";
    }
  }
  return report.ok() ? 0 : 1;
}

}  // namespace

void AddVerifyCommand(CLI::App& app, Globals& globals) {
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "Verify one event end to end: its leaf, its enterprise's registered signing key (by key "
      "id), the batch signature and path, the checkpoint signature by the pinned log key, and "
      "its inclusion proof. Prints each check; exit 0 only if all pass.");
  cmd->add_option("entry", flags->entry, "event id (64 hex digits) or log index")->required();
  cmd->add_option("--log-key", flags->log_key,
                  "pinned log verifier key file (from `origo log-key --out`); without it the "
                  "server's key is used and the result is marked unpinned");
  cmd->callback([&globals, flags] { globals.exit_code = Verify(globals, *flags); });
}

}  // namespace origo::cli
