#ifndef ORIGO_SERVICES_TRANSPARENCY_CHECKPOINTER_H_
#define ORIGO_SERVICES_TRANSPARENCY_CHECKPOINTER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "core/checkpoint/note.h"
#include "core/crypto/keys.h"
#include "storage/event_log.h"

namespace origo::transparency {

struct SignedCheckpoint {
  uint64_t size = 0;
  merkle::Hash root{};
  std::string note;
};

// Loads the log signing key from DATA/keys/log-ed25519.pem, creating it (directory 0700,
// file 0600, fsynced) on first start. Errors: the file exists but does not parse (DATA_LOSS),
// or cannot be written.
absl::StatusOr<crypto::PrivateKey> LoadOrCreateLogKey(const std::string& data_dir);

// Signs C2SP checkpoints of the event log: at most every `interval` when the tree grew. It
// never signs two inconsistent checkpoints: every signed root comes from the one append-only
// tree, and on start the latest stored checkpoint must match the stored tree at its size.
//
// Thread-safe.
class Checkpointer {
 public:
  static absl::StatusOr<std::unique_ptr<Checkpointer>> Start(storage::EventLog* log,
                                                             checkpoint::NoteSigner signer,
                                                             std::string origin,
                                                             std::chrono::milliseconds interval);
  ~Checkpointer();

  // The latest signed checkpoint, nullopt before the first one (empty log).
  std::optional<SignedCheckpoint> Latest() const;
  // Waits until a checkpoint covers log index `index` (size > index), at most `timeout`.
  // DEADLINE_EXCEEDED when none does in time (e.g. the index is beyond the tree).
  absl::StatusOr<SignedCheckpoint> WaitCovering(uint64_t index, std::chrono::milliseconds timeout);
  // Signs a checkpoint of the current tree now if it grew (used at shutdown and by tests).
  absl::Status SignNow();
  // The verifier key string (C2SP vkey) for this log.
  std::string Vkey() const { return signer_.Vkey(); }
  const std::string& origin() const { return origin_; }
  void Stop();

 private:
  Checkpointer(storage::EventLog* log, checkpoint::NoteSigner signer, std::string origin,
               std::chrono::milliseconds interval)
      : log_(log), signer_(std::move(signer)), origin_(std::move(origin)), interval_(interval) {}
  void Run();

  storage::EventLog* log_;
  checkpoint::NoteSigner signer_;
  std::string origin_;
  std::chrono::milliseconds interval_;
  std::mutex sign_mu_;  // serializes SignNow
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::optional<SignedCheckpoint> latest_;  // guarded by mu_
  bool stopping_ = false;                   // guarded by mu_
  std::thread thread_;
};

}  // namespace origo::transparency

#endif  // ORIGO_SERVICES_TRANSPARENCY_CHECKPOINTER_H_
