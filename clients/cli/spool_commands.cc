// origo sync, origo spool status, origo spool requeue: delivering and inspecting the local spool
// that origo capture queues events in (clients/spool).

#include <signal.h>

#include <atomic>
#include <ctime>
#include <iostream>

#include "clients/cli/cli.h"
#include "clients/cli/delivery.h"
#include "clients/spool/sender.h"
#include "clients/spool/spool.h"

namespace origo::cli {
namespace {

// Exit code of `origo sync` when events are still pending because the server stayed away.
constexpr int kExitStillPending = 2;

std::atomic<bool> g_sync_interrupted{false};

extern "C" void OnSyncSignal(int) { g_sync_interrupted.store(true); }

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "2026-11-28T03:55:22Z (12.0 s ago)".
std::string When(int64_t unix_ms) {
  time_t seconds = static_cast<time_t>(unix_ms / 1000);
  tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(buf) + " (" + HumanDuration(std::chrono::milliseconds(NowUnixMs() - unix_ms)) +
         " ago)";
}

int Sync(const Globals& globals, const DeliveryFlags& flags) {
  if (flags.usci.empty()) {
    return ReportError(globals, absl::InvalidArgumentError("--usci is required"), "sync");
  }
  auto key = LoadKey(flags.key);
  if (!key.ok()) return ReportError(globals, key.status(), "sync");
  auto queue = OpenQueue(globals, flags);
  if (!queue.ok()) return ReportError(globals, queue.status(), "sync");
  struct sigaction action {};
  action.sa_handler = OnSyncSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  DeliveryReport report(globals, queue->get());
  const uint64_t pending_before = (*queue)->pending();
  if (!globals.json && pending_before > 0) {
    std::cerr << "syncing " << pending_before << " events from " << (*queue)->dir() << std::endl;
  }
  spool::Sender sender(queue->get(), &*key, SenderOptionsFor(globals, flags, false), &report);
  spool::DeliveryOutcome outcome = sender.DeliverPending(&g_sync_interrupted);
  const spool::DeliveryTotals& totals = sender.totals();
  const uint64_t pending = (*queue)->pending();

  int code = 0;
  std::string problem;
  switch (outcome) {
    case spool::DeliveryOutcome::kDrained:
      code = totals.rejected_batches > 0 ? 1 : 0;
      break;
    case spool::DeliveryOutcome::kUnreachable:
      code = kExitStillPending;
      problem = "gave up: server unreachable";
      break;
    case spool::DeliveryOutcome::kStopped:
      code = 1;
      problem = "interrupted";
      break;
    case spool::DeliveryOutcome::kFailed:
      code = 1;
      problem = "failed";
      break;
  }
  const absl::Status& error = sender.last_error();
  if (globals.json) {
    JsonObject out;
    out.Bool("ok", code == 0)
        .Bool("server_unreachable", outcome == spool::DeliveryOutcome::kUnreachable);
    if (!problem.empty()) {
      JsonObject e;
      e.Str("code", absl::StatusCodeToString(error.code()))
          .Str("message", problem + (error.ok() ? "" : ": " + std::string(error.message())))
          .Str("what", "sync");
      out.Raw("error", e.Build());
    }
    report.AddJson(out, totals);
    std::cout << out.Build() << std::endl;
    return code;
  }
  if (pending_before == 0 && totals.batches == 0 && totals.rejected_batches == 0) {
    std::cout << "nothing pending in " << (*queue)->dir() << std::endl;
    return code;
  }
  std::cout << "synced " << DeliveryReport::Totals(totals);
  if (pending == 0) {
    std::cout << "; nothing pending" << std::endl;
  } else {
    std::cout << "; " << pending << " events still pending" << std::endl;
  }
  if (!problem.empty()) {
    std::cerr << "sync " << problem;
    if (outcome == spool::DeliveryOutcome::kUnreachable) {
      std::cerr << " for "
                << HumanDuration(std::chrono::milliseconds(
                       static_cast<int64_t>(flags.once ? 0 : flags.max_wait_seconds * 1000)));
    }
    if (!error.ok()) {
      std::cerr << ": " << absl::StatusCodeToString(error.code()) << ": " << error.message();
    }
    std::cerr << "; " << pending << " events stay queued" << std::endl;
  }
  if (totals.rejected_batches > 0) {
    std::cerr << totals.rejected_batches << " batches (" << totals.rejected_events
              << " events) were rejected and moved to dead letters; see `origo spool status`"
              << std::endl;
  }
  return code;
}

struct StatusFlags {
  std::string spool;
  std::string usci;
};

std::string DeadLetterJson(const spool::DeadLetterInfo& d) {
  JsonObject json;
  json.Str("file", d.events_file)
      .Uint("first_seq", d.first_seq)
      .Uint("events", d.events)
      .Str("code", d.code)
      .Str("message", d.message)
      .Str("lines", d.lines)
      .Int("rejected_unix_ms", d.rejected_unix_ms);
  return json.Build();
}

int Status(const Globals& globals, const StatusFlags& flags) {
  auto root = SpoolRoot(flags.spool);
  if (!root.ok()) return ReportError(globals, root.status(), "spool status");
  auto queues = spool::ReadSpoolStatus(*root);
  if (!queues.ok()) return ReportError(globals, queues.status(), "spool status");
  std::vector<spool::QueueStatus> shown;
  for (spool::QueueStatus& q : *queues) {
    if (flags.usci.empty() || q.usci == flags.usci) shown.push_back(std::move(q));
  }
  uint64_t pending = 0, dead_batches = 0, dead_events = 0;
  for (const spool::QueueStatus& q : shown) {
    pending += q.pending;
    dead_batches += q.dead_letters.size();
    for (const spool::DeadLetterInfo& d : q.dead_letters) dead_events += d.events;
  }
  const int64_t now = NowUnixMs();
  if (globals.json) {
    std::string list;
    for (const spool::QueueStatus& q : shown) {
      JsonObject json;
      json.Str("usci", q.usci)
          .Str("server", q.server)
          .Str("dir", q.dir)
          .Uint("pending", q.pending)
          .Uint("done", q.done)
          .Uint("spooled", q.spooled);
      if (q.oldest_pending_unix_ms) {
        json.Int("oldest_pending_unix_ms", *q.oldest_pending_unix_ms)
            .Int("oldest_pending_age_ms", now - *q.oldest_pending_unix_ms);
      } else {
        json.Raw("oldest_pending_unix_ms", "null").Raw("oldest_pending_age_ms", "null");
      }
      if (q.last_delivery_unix_ms > 0) {
        json.Int("last_delivery_unix_ms", q.last_delivery_unix_ms);
      } else {
        json.Raw("last_delivery_unix_ms", "null");
      }
      if (!q.last_error_code.empty()) {
        JsonObject e;
        e.Str("code", q.last_error_code)
            .Str("message", q.last_error_message)
            .Int("unix_ms", q.last_error_unix_ms);
        json.Raw("last_error", e.Build());
      } else {
        json.Raw("last_error", "null");
      }
      if (q.locked_by) {
        json.Int("locked_by_pid", *q.locked_by);
      } else {
        json.Raw("locked_by_pid", "null");
      }
      std::string dead;
      for (const spool::DeadLetterInfo& d : q.dead_letters) {
        dead += (dead.empty() ? "" : ",") + DeadLetterJson(d);
      }
      json.Raw("dead_letters", "[" + dead + "]");
      list += (list.empty() ? "" : ",") + json.Build();
    }
    JsonObject out;
    out.Bool("ok", true)
        .Uint("pending", pending)
        .Uint("dead_letter_batches", dead_batches)
        .Uint("dead_letter_events", dead_events)
        .Str("spool", *root)
        .Raw("queues", "[" + list + "]");
    std::cout << out.Build() << std::endl;
    return 0;
  }
  std::cout << "spool " << *root << ": " << pending << " events pending, " << dead_batches
            << " dead letters" << std::endl;
  for (const spool::QueueStatus& q : shown) {
    std::cout << "\n" << q.usci << " -> " << q.server;
    if (q.locked_by) std::cout << "  (in use by pid " << *q.locked_by << ")";
    std::cout << "\n  pending       " << q.pending << " events";
    if (q.oldest_pending_unix_ms) {
      std::cout << ", oldest queued "
                << HumanDuration(std::chrono::milliseconds(now - *q.oldest_pending_unix_ms))
                << " ago";
    }
    std::cout << "\n  done          " << q.done << " events (delivered or dead letters)";
    std::cout << "\n  last delivery "
              << (q.last_delivery_unix_ms > 0 ? When(q.last_delivery_unix_ms) : "never");
    std::cout << "\n  last error    ";
    if (q.last_error_code.empty()) {
      std::cout << "none";
    } else {
      std::cout << q.last_error_code << ": " << q.last_error_message << ", "
                << When(q.last_error_unix_ms);
    }
    std::cout << "\n  dead letters  " << q.dead_letters.size();
    for (const spool::DeadLetterInfo& d : q.dead_letters) {
      std::cout << "\n    " << d.events_file << ": " << d.events << " events from " << d.lines
                << ": " << d.code << ": " << d.message;
    }
    std::cout << "\n  directory     " << q.dir << std::endl;
  }
  return 0;
}

int Requeue(const Globals& globals, const DeliveryFlags& flags) {
  if (flags.usci.empty()) {
    return ReportError(globals, absl::InvalidArgumentError("--usci is required"), "spool requeue");
  }
  auto queue = OpenQueue(globals, flags);
  if (!queue.ok()) return ReportError(globals, queue.status(), "spool requeue");
  auto count = (*queue)->Requeue();
  if (!count.ok()) return ReportError(globals, count.status(), "spool requeue");
  if (globals.json) {
    JsonObject out;
    out.Bool("ok", true).Uint("requeued", *count).Uint("pending", (*queue)->pending());
    std::cout << out.Build() << std::endl;
  } else {
    std::cout << "queued " << *count << " dead-letter events again; " << (*queue)->pending()
              << " pending; `origo sync` delivers them" << std::endl;
  }
  return 0;
}

}  // namespace

void AddSpoolCommands(CLI::App& app, Globals& globals) {
  auto sync_flags = std::make_shared<DeliveryFlags>();
  CLI::App* sync = app.add_subcommand(
      "sync",
      "Deliver the events `origo capture` queued in the spool for this enterprise and server: "
      "signs them in batches and captures them in order, retrying an unreachable server with "
      "exponential backoff and jitter for up to --max-wait. Exit 0 when nothing is pending, 2 "
      "when the server stayed unreachable (the rest stays queued), 1 on other errors or when a "
      "batch was rejected (it is moved to dead letters; the rest continue).");
  AddDeliveryFlags(sync, sync_flags.get(), 300, true);
  sync->callback([&globals, sync_flags] { globals.exit_code = Sync(globals, *sync_flags); });

  CLI::App* spool_cmd =
      app.add_subcommand("spool", "The local spool of events waiting to be captured");
  spool_cmd->require_subcommand(1);
  auto status_flags = std::make_shared<StatusFlags>();
  CLI::App* status = spool_cmd->add_subcommand(
      "status",
      "Show every queue in the spool: pending events and the age of the oldest, the last "
      "delivery and last error, and dead letters (rejected batches, with the server's error). "
      "Reads without locking, so it works while a capture is running.");
  status->add_option("--spool", status_flags->spool, "spool directory (default ~/.origo/spool)")
      ->envname("ORIGO_SPOOL");
  status->add_option("--usci", status_flags->usci, "only this enterprise's queues");
  status->callback(
      [&globals, status_flags] { globals.exit_code = Status(globals, *status_flags); });

  auto requeue_flags = std::make_shared<DeliveryFlags>();
  CLI::App* requeue = spool_cmd->add_subcommand(
      "requeue",
      "Queue the events of every dead letter of this enterprise and server again (after fixing "
      "what the server rejected, e.g. registering the key); `origo sync` then sends them.");
  requeue->add_option("--usci", requeue_flags->usci, "enterprise of the queue")->required();
  requeue->add_option("--spool", requeue_flags->spool, "spool directory (default ~/.origo/spool)")
      ->envname("ORIGO_SPOOL");
  requeue->callback(
      [&globals, requeue_flags] { globals.exit_code = Requeue(globals, *requeue_flags); });
}

}  // namespace origo::cli
