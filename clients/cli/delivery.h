#ifndef ORIGO_CLIENTS_CLI_DELIVERY_H_
#define ORIGO_CLIENTS_CLI_DELIVERY_H_

// What `origo capture` and `origo sync` share: the spool and delivery flags, opening the
// enterprise's queue, and the report of each batch's fate.

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/cli/cli.h"
#include "clients/spool/sender.h"
#include "clients/spool/spool.h"
#include "core/crypto/keys.h"

namespace origo::cli {

struct DeliveryFlags {
  std::string usci;
  std::string key;
  std::string spool;  // root; default ~/.origo/spool
  size_t batch_size = 100;
  bool stream = false;
  double max_wait_seconds = 0;
  bool once = false;
};

// Adds --usci, --key, --spool, --batch-size, --stream, --max-wait (default `max_wait_default`
// seconds) and, when `with_once`, --once. --usci and --key are checked by the commands (a dry
// run needs neither).
void AddDeliveryFlags(CLI::App* cmd, DeliveryFlags* flags, double max_wait_default, bool with_once);

// The spool root: --spool, or ~/.origo/spool (created 0700).
absl::StatusOr<std::string> SpoolRoot(const std::string& flag);

// Opens the queue of flags.usci for globals.server under the spool root.
absl::StatusOr<std::unique_ptr<spool::Spool>> OpenQueue(const Globals& globals,
                                                        const DeliveryFlags& flags);

// Reads the private key PEM at `path`. INVALID_ARGUMENT naming --key when it does not parse.
absl::StatusOr<crypto::PrivateKey> LoadKey(const std::string& path);

// Sender options from the flags; `forever` retries until stopped (ignoring --max-wait).
spool::SenderOptions SenderOptionsFor(const Globals& globals, const DeliveryFlags& flags,
                                      bool forever);

// Prints each batch's fate: "batch N: ..." lines on stdout (collected as JSON with --json);
// rejections, retries and progress (events/s, ETA) on stderr. Called by one Sender, one call at
// a time.
class DeliveryReport : public spool::DeliveryObserver {
 public:
  DeliveryReport(const Globals& globals, const spool::Spool* queue);

  void Delivered(uint64_t number, const std::vector<spool::SpooledEvent>& batch,
                 const origo::v1::CaptureResponse& response) override;
  void Rejected(uint64_t number, const std::vector<spool::SpooledEvent>& batch,
                const absl::Status& error, const std::string& dead_letter) override;
  void Unreachable(const absl::Status& error, std::chrono::milliseconds wait,
                   bool giving_up) override;

  // Adds the totals, "batches" and "rejected" arrays to a --json result.
  void AddJson(JsonObject& out, const spool::DeliveryTotals& totals) const;
  // "captured 10 events in 1 batches: 10 stored, 0 duplicates; tree size 10".
  static std::string Totals(const spool::DeliveryTotals& totals);
  // Whether any batch was rejected (moved to dead letters).
  bool rejected_any() const { return !rejected_json_.empty(); }

 private:
  const Globals& globals_;
  const spool::Spool* queue_;
  std::chrono::steady_clock::time_point start_, last_progress_;
  uint64_t delivered_events_ = 0;
  std::string batch_json_;
  std::string rejected_json_;
};

// "1.5 s", "3 min 20 s", "2 h 5 min".
std::string HumanDuration(std::chrono::milliseconds duration);

}  // namespace origo::cli

#endif  // ORIGO_CLIENTS_CLI_DELIVERY_H_
