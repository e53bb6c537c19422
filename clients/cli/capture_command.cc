// origo capture: queues EPCIS events (JSON lines, or scanner CSV with a template) in the local
// spool, durably, then signs and sends them in batches (clients/spool). It works offline: when
// the server cannot be reached the events stay queued and `origo sync` delivers them later.
//
// Modes: files (each regular file is checked whole before any of it is queued; a pipe or "-" is
// queued as it arrives), --follow FILE (tail a growing file or pipe, delivering as it goes), and
// --watch DIR (ingest files a scanner drops into DIR).

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "clients/cli/capture_input.h"
#include "clients/cli/cli.h"
#include "clients/cli/delivery.h"
#include "clients/cli/template.h"
#include "clients/cli/watch_folder.h"
#include "clients/spool/sender.h"

namespace origo::cli {
namespace {

// Events per spool commit (one fdatasync) during an import.
constexpr size_t kCommitEvents = 1000;
// A pipe that is quiet this long has its events so far committed.
constexpr auto kIdleCommit = std::chrono::milliseconds(200);
constexpr auto kWatchPoll = std::chrono::milliseconds(500);
constexpr auto kSpoolProgressInterval = std::chrono::seconds(1);

std::atomic<bool> g_interrupted{false};

extern "C" void OnStopSignal(int) { g_interrupted.store(true); }

// SIGINT and SIGTERM end --follow and --watch cleanly (what is queued stays queued).
void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

struct CaptureFlags {
  DeliveryFlags delivery;
  std::vector<std::string> files;
  std::string template_path;
  bool follow = false;
  std::string watch;
  bool dry_run = false;
};

// Queues events in commits (nothing counts as queued before its commit is durable) and reports
// import progress (events/s, ETA) on stderr. Thread-compatible.
class Importer {
 public:
  Importer(spool::Spool* queue, std::optional<uint64_t> total_bytes)
      : queue_(queue),
        total_bytes_(total_bytes),
        start_(std::chrono::steady_clock::now()),
        last_progress_(start_) {}

  absl::Status Add(spool::NewEvent event) {
    chunk_.push_back(std::move(event));
    return chunk_.size() >= kCommitEvents ? Commit() : absl::OkStatus();
  }

  absl::Status Commit() {
    if (chunk_.empty()) return absl::OkStatus();
    if (absl::Status appended = queue_->Append(chunk_); !appended.ok()) return appended;
    queued_ += chunk_.size();
    chunk_.clear();
    return absl::OkStatus();
  }

  // Prints progress at most once a second; `bytes_done` counts input consumed.
  void Progress(uint64_t bytes_done) {
    auto now = std::chrono::steady_clock::now();
    if (now - last_progress_ < kSpoolProgressInterval) return;
    last_progress_ = now;
    double seconds = std::chrono::duration<double>(now - start_).count();
    std::cerr << "spooling: " << queued_ << " events queued, "
              << static_cast<uint64_t>(static_cast<double>(queued_) / seconds) << " events/s";
    if (total_bytes_ && *total_bytes_ > 0 && bytes_done > 0) {
      double fraction =
          std::min(1.0, static_cast<double>(bytes_done) / static_cast<double>(*total_bytes_));
      double eta = seconds * (1.0 - fraction) / std::max(fraction, 1e-9);
      std::cerr << ", " << static_cast<int>(fraction * 100) << "%, ETA "
                << HumanDuration(std::chrono::milliseconds(static_cast<int64_t>(eta * 1000)));
    }
    std::cerr << std::endl;
  }

  uint64_t queued() const { return queued_; }

 private:
  spool::Spool* queue_;
  std::optional<uint64_t> total_bytes_;
  std::chrono::steady_clock::time_point start_, last_progress_;
  std::vector<spool::NewEvent> chunk_;
  uint64_t queued_ = 0;
};

const CaptureTemplate* TemplateFor(const std::string& path, const CaptureTemplate* tmpl) {
  return IsCsvPath(path) ? tmpl : nullptr;
}

// Checks that every CSV input has a template.
absl::Status CheckTemplates(const std::vector<std::string>& paths, const CaptureTemplate* tmpl) {
  for (const std::string& path : paths) {
    if (IsCsvPath(path) && tmpl == nullptr) {
      return absl::InvalidArgumentError(path + ": a CSV input needs --template");
    }
  }
  return absl::OkStatus();
}

// Reads a whole input and checks every line, queueing nothing. Errors name file and line.
absl::Status CheckWholeFile(const std::string& path, const CaptureTemplate* tmpl) {
  auto feed = LineFeed::Open(path);
  if (!feed.ok()) return feed.status();
  EventLineParser parser(TemplateFor(path, tmpl));
  std::string line;
  uint64_t number = 0;
  while (true) {
    auto next = (*feed)->Next(std::chrono::hours(24), false, &line, &number);
    if (!next.ok()) return next.status();
    if (*next == LineFeed::Result::kEnd) return absl::OkStatus();
    if (*next != LineFeed::Result::kLine) continue;
    if (auto event = parser.Parse(line); !event.ok()) {
      return absl::InvalidArgumentError(path + " line " + std::to_string(number) + ": " +
                                        std::string(event.status().message()));
    }
  }
}

// Queues one input as it is read: in commits of kCommitEvents, and whenever a pipe goes quiet.
// With `follow`, waits for more input until interrupted (or a pipe is closed); `on_commit` runs
// after each commit. A malformed line stops it (the events before it stay queued).
absl::Status QueueInput(LineFeed& feed, const std::string& path, const CaptureTemplate* tmpl,
                        Importer& importer, bool follow, uint64_t bytes_before,
                        const std::function<void()>& on_commit, const std::atomic<bool>* stop) {
  EventLineParser parser(TemplateFor(path, tmpl));
  std::string line;
  uint64_t number = 0;
  while (stop == nullptr || !stop->load()) {
    auto next = feed.Next(kIdleCommit, follow, &line, &number);
    if (!next.ok()) return next.status();
    if (*next == LineFeed::Result::kLine) {
      auto event = parser.Parse(line);
      if (!event.ok()) {
        absl::Status committed = importer.Commit();
        if (committed.ok() && on_commit) on_commit();
        return absl::InvalidArgumentError(path + " line " + std::to_string(number) + ": " +
                                          std::string(event.status().message()));
      }
      if (*event) {
        size_t before = importer.queued();
        if (absl::Status added = importer.Add({**std::move(event), {path, number}}); !added.ok()) {
          return added;
        }
        if (importer.queued() != before && on_commit) on_commit();
      }
      importer.Progress(bytes_before + feed.bytes_read());
      continue;
    }
    if (absl::Status committed = importer.Commit(); !committed.ok()) return committed;
    if (on_commit) on_commit();
    if (*next == LineFeed::Result::kEnd) return absl::OkStatus();
  }
  absl::Status committed = importer.Commit();
  if (on_commit) on_commit();
  return committed;
}

// Prints the end of a capture and returns the exit code.
int Summarize(const Globals& globals, const DeliveryReport& report, const spool::Sender& sender,
              spool::DeliveryOutcome outcome, uint64_t queued, const spool::Spool& queue,
              const absl::Status& input_error) {
  const spool::DeliveryTotals& totals = sender.totals();
  const bool unreachable = outcome == spool::DeliveryOutcome::kUnreachable;
  absl::Status error = input_error;
  if (error.ok() && outcome == spool::DeliveryOutcome::kFailed) error = sender.last_error();
  int code = (!error.ok() || totals.rejected_batches > 0) ? 1 : 0;
  const uint64_t pending = queue.pending();
  if (globals.json) {
    JsonObject out;
    out.Bool("ok", code == 0).Uint("queued", queued).Bool("server_unreachable", unreachable);
    if (!error.ok()) {
      JsonObject e;
      e.Str("code", absl::StatusCodeToString(error.code()))
          .Str("message", std::string(error.message()))
          .Str("what", "capture");
      out.Raw("error", e.Build());
    }
    if (unreachable) {
      out.Str("last_error", absl::StatusCodeToString(sender.last_error().code()) + ": " +
                                std::string(sender.last_error().message()));
    }
    report.AddJson(out, totals);
    std::cout << out.Build() << std::endl;
    return code;
  }
  if (totals.batches > 0 || (pending == 0 && error.ok())) {
    std::cout << "captured " << DeliveryReport::Totals(totals) << std::endl;
  }
  if (!error.ok()) {
    std::cerr << "capture failed: " << absl::StatusCodeToString(error.code()) << ": "
              << error.message() << std::endl;
    if (pending > 0) {
      std::cerr << pending << " events stay queued in " << queue.dir()
                << "; `origo sync` delivers them" << std::endl;
    }
  } else if (unreachable) {
    std::cout << "queued " << queued << " events (server unreachable)";
    if (pending != queued) std::cout << "; " << pending << " pending in the spool";
    std::cout << "; `origo sync` delivers them" << std::endl;
    std::cerr << "last error: " << absl::StatusCodeToString(sender.last_error().code()) << ": "
              << sender.last_error().message() << std::endl;
  } else if (pending > 0) {
    std::cout << pending << " events still pending in " << queue.dir() << std::endl;
  }
  if (totals.rejected_batches > 0) {
    std::cerr << totals.rejected_batches << " batches (" << totals.rejected_events
              << " events) were rejected and moved to dead letters; see `origo spool status`"
              << std::endl;
  }
  return code;
}

class Capture {
 public:
  Capture(const Globals& globals, const CaptureFlags& flags) : globals_(globals), flags_(flags) {}

  int Run() {
    if (!flags_.template_path.empty()) {
      auto loaded = CaptureTemplate::Load(flags_.template_path);
      if (!loaded.ok()) return Fail(loaded.status());
      template_.emplace(*std::move(loaded));
    }
    const CaptureTemplate* tmpl = template_ ? &*template_ : nullptr;
    const bool watching = !flags_.watch.empty();
    if (watching == !flags_.files.empty()) {
      return Fail(absl::InvalidArgumentError("give input files, or --watch DIR (not both)"));
    }
    if (flags_.follow && flags_.files.size() != 1) {
      return Fail(absl::InvalidArgumentError("--follow takes exactly one input (a file or -)"));
    }
    if (absl::Status ok = CheckTemplates(flags_.files, tmpl); !ok.ok()) return Fail(ok);
    if (flags_.dry_run) return DryRun(tmpl);
    if (flags_.delivery.usci.empty()) return Fail(absl::InvalidArgumentError("--usci is required"));
    auto key = LoadKey(flags_.delivery.key);
    if (!key.ok()) return Fail(key.status());
    key_.emplace(*std::move(key));
    auto queue = OpenQueue(globals_, flags_.delivery);
    if (!queue.ok()) return Fail(queue.status());
    queue_ = *std::move(queue);
    report_ = std::make_unique<DeliveryReport>(globals_, queue_.get());
    if (watching) return Watch(tmpl);
    if (flags_.follow) return Follow(tmpl);
    return Import(tmpl);
  }

 private:
  int Fail(const absl::Status& status) { return ReportError(globals_, status, "capture"); }

  int DryRun(const CaptureTemplate* tmpl) {
    for (const std::string& path : flags_.files) {
      auto events = ReadEventsFile(path, path, TemplateFor(path, tmpl));
      if (!events.ok()) return Fail(events.status());
      for (const spool::NewEvent& e : *events) std::cout << e.bytes << "\n";
    }
    std::cout.flush();
    return 0;
  }

  // Files and pipes, then one delivery pass.
  int Import(const CaptureTemplate* tmpl) {
    std::vector<std::unique_ptr<LineFeed>> feeds;
    uint64_t total_bytes = 0;
    bool sizes_known = true;
    for (const std::string& path : flags_.files) {
      auto feed = LineFeed::Open(path);
      if (!feed.ok()) return Fail(feed.status());
      if ((*feed)->regular()) {
        // A regular file is checked whole first: none of a malformed file is queued.
        if (absl::Status ok = CheckWholeFile(path, tmpl); !ok.ok()) return Fail(ok);
        total_bytes += *(*feed)->size();
      } else {
        sizes_known = false;
      }
      feeds.push_back(*std::move(feed));
    }
    Importer importer(queue_.get(),
                      sizes_known ? std::optional<uint64_t>(total_bytes) : std::nullopt);
    uint64_t bytes_before = 0;
    for (size_t i = 0; i < feeds.size(); ++i) {
      absl::Status queued = QueueInput(*feeds[i], flags_.files[i], tmpl, importer, false,
                                       bytes_before, nullptr, nullptr);
      if (!queued.ok()) {
        if (importer.queued() > 0) {
          std::cerr << importer.queued()
                    << " events read before it are queued; `origo sync` "
                       "delivers them"
                    << std::endl;
        }
        return Fail(queued);
      }
      bytes_before += feeds[i]->bytes_read();
    }
    spool::Sender sender(queue_.get(), &*key_, SenderOptionsFor(globals_, flags_.delivery, false),
                         report_.get());
    spool::DeliveryOutcome outcome = sender.DeliverPending(nullptr);
    return Summarize(globals_, *report_, sender, outcome, importer.queued(), *queue_,
                     absl::OkStatus());
  }

  // Runs delivery on its own thread until Stop() (or a failure it cannot retry); Wake() after a
  // commit starts it at once. Wake, Stop and the accessors are thread-safe; the Sender is used
  // only by the loop's thread while it runs.
  class DeliveryLoop {
   public:
    DeliveryLoop(spool::Spool* queue, spool::Sender* sender) : queue_(queue), sender_(sender) {
      thread_ = std::thread([this] { Run(); });
    }
    ~DeliveryLoop() { Stop(); }

    void Wake() { wake_.notify_all(); }
    void Stop() {
      stop_.store(true);
      wake_.notify_all();
      if (thread_.joinable()) thread_.join();
    }
    // Set when delivery hit an error it cannot retry (a refused token, a spool failure).
    bool failed() const { return failed_.load(); }
    spool::DeliveryOutcome last_outcome() const { return last_outcome_.load(); }

   private:
    void Run() {
      while (!stop_.load()) {
        spool::DeliveryOutcome outcome = sender_->DeliverPending(&stop_);
        last_outcome_.store(outcome);
        if (outcome == spool::DeliveryOutcome::kFailed) {
          failed_.store(true);
          return;
        }
        if (outcome == spool::DeliveryOutcome::kStopped) return;
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait_for(lock, std::chrono::milliseconds(500),
                       [this] { return stop_.load() || queue_->pending() > 0; });
      }
    }

    spool::Spool* queue_;
    spool::Sender* sender_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> failed_{false};
    std::atomic<spool::DeliveryOutcome> last_outcome_{spool::DeliveryOutcome::kDrained};
    std::mutex mu_;
    std::condition_variable wake_;
    std::thread thread_;
  };

  // Waits up to --max-wait for the queue to drain (after the input ended).
  void Drain(const DeliveryLoop& loop) {
    auto deadline =
        std::chrono::steady_clock::now() +
        std::chrono::milliseconds(static_cast<int64_t>(flags_.delivery.max_wait_seconds * 1000.0));
    while (queue_->pending() > 0 && !loop.failed() && !g_interrupted.load() &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  // How a delivery loop ended, for the summary.
  spool::DeliveryOutcome OutcomeAfterLoop(bool failed, const spool::Sender& sender) const {
    if (failed) return spool::DeliveryOutcome::kFailed;
    if (queue_->pending() > 0 && !sender.last_error().ok()) {
      return spool::DeliveryOutcome::kUnreachable;
    }
    return spool::DeliveryOutcome::kDrained;
  }

  int Follow(const CaptureTemplate* tmpl) {
    InstallStopHandlers();
    const std::string& path = flags_.files.front();
    auto feed = LineFeed::Open(path);
    if (!feed.ok()) return Fail(feed.status());
    spool::Sender sender(queue_.get(), &*key_, SenderOptionsFor(globals_, flags_.delivery, true),
                         report_.get());
    Importer importer(queue_.get(), std::nullopt);
    absl::Status input;
    bool failed = false;
    {
      DeliveryLoop loop(queue_.get(), &sender);
      std::atomic<bool> stop{false};
      std::thread watchdog([&] {
        while (!stop.load()) {
          if (g_interrupted.load() || loop.failed()) stop.store(true);
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      });
      uint64_t reported = 0;
      input = QueueInput(
          **feed, path, tmpl, importer, true, 0,
          [&] {
            loop.Wake();
            if (importer.queued() != reported && !globals_.json) {
              std::cerr << "queued " << importer.queued() - reported << " events" << std::endl;
              reported = importer.queued();
            }
          },
          &stop);
      if (input.ok() && !stop.load()) Drain(loop);
      stop.store(true);
      watchdog.join();
      loop.Stop();
      failed = loop.failed();
    }
    spool::DeliveryOutcome outcome = OutcomeAfterLoop(failed, sender);
    return Summarize(globals_, *report_, sender, outcome, importer.queued(), *queue_, input);
  }

  int Watch(const CaptureTemplate* tmpl) {
    InstallStopHandlers();
    auto folder = WatchFolder::Open(flags_.watch);
    if (!folder.ok()) return Fail(folder.status());
    spool::Sender sender(queue_.get(), &*key_, SenderOptionsFor(globals_, flags_.delivery, true),
                         report_.get());
    uint64_t queued = 0;
    absl::Status error;
    bool failed = false;
    {
      DeliveryLoop loop(queue_.get(), &sender);
      if (!globals_.json) {
        std::cerr << "watching " << flags_.watch << " (done/ and failed/ beside it); Ctrl-C stops"
                  << std::endl;
      }
      while (!g_interrupted.load() && !loop.failed() && error.ok()) {
        auto ready = folder->Ready();
        if (!ready.ok()) {
          error = ready.status();
          break;
        }
        for (const std::string& name : *ready) {
          if (g_interrupted.load()) break;
          error = Ingest(*folder, name, tmpl, &queued);
          if (!error.ok()) break;
          loop.Wake();
        }
        for (auto until = std::chrono::steady_clock::now() + kWatchPoll;
             std::chrono::steady_clock::now() < until && !g_interrupted.load();) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
      loop.Stop();
      failed = loop.failed();
    }
    spool::DeliveryOutcome outcome = OutcomeAfterLoop(failed, sender);
    return Summarize(globals_, *report_, sender, outcome, queued, *queue_, error);
  }

  // One dropped file: checked whole, queued in one commit, moved to done/; or moved to failed/
  // with the reason (and nothing queued). Errors are only those of the spool or the folder.
  absl::Status Ingest(WatchFolder& folder, const std::string& name, const CaptureTemplate* tmpl,
                      uint64_t* queued) {
    const std::string path = folder.PathOf(name);
    absl::StatusOr<std::vector<spool::NewEvent>> events =
        IsCsvPath(name) && tmpl == nullptr
            ? absl::StatusOr<std::vector<spool::NewEvent>>(
                  absl::InvalidArgumentError(path + ": a CSV file needs --template"))
            : ReadEventsFile(path, path, TemplateFor(name, tmpl));
    if (!events.ok()) {
      auto moved = folder.MarkFailed(name, std::string(events.status().message()));
      if (!moved.ok()) return moved.status();
      if (globals_.json) {
        JsonObject out;
        out.Str("file", path)
            .Str("failed", std::string(events.status().message()))
            .Str("moved_to", *moved);
        std::cout << out.Build() << std::endl;
      } else {
        std::cerr << "not queued: " << events.status().message() << "; moved to " << *moved
                  << std::endl;
      }
      return absl::OkStatus();
    }
    if (absl::Status appended = queue_->Append(*events); !appended.ok()) return appended;
    *queued += events->size();
    auto moved = folder.MarkDone(name);
    if (!moved.ok()) return moved.status();
    if (globals_.json) {
      JsonObject out;
      out.Str("file", path).Uint("queued", events->size()).Str("moved_to", *moved);
      std::cout << out.Build() << std::endl;
    } else {
      std::cout << path << ": queued " << events->size() << " events" << std::endl;
    }
    return absl::OkStatus();
  }

  const Globals& globals_;
  const CaptureFlags& flags_;
  std::optional<CaptureTemplate> template_;
  std::optional<crypto::PrivateKey> key_;
  std::unique_ptr<spool::Spool> queue_;
  std::unique_ptr<DeliveryReport> report_;
};

}  // namespace

void AddCaptureCommand(CLI::App& app, Globals& globals) {
  auto flags = std::make_shared<CaptureFlags>();
  CLI::App* cmd = app.add_subcommand(
      "capture",
      "Queue EPCIS events in the local spool (durably: fsynced before it says \"queued\"), then "
      "sign them in batches with a registered key and capture them; prints one line per batch. "
      "Input: JSON lines (one EPCIS event per line; the client checks only that each line is a "
      "JSON object, the server validates the events) or scanner CSV with --template. A regular "
      "file is checked whole before any of it is queued; a malformed line fails it, naming the "
      "line. When the server is unreachable the events stay queued (\"queued N events (server "
      "unreachable)\", exit 0) and `origo sync` delivers them. A batch the server rejects is "
      "moved to dead letters (`origo spool status`), the rest continue, and the exit code is 1. "
      "Capture is idempotent on event ids: re-sending is always safe.");
  AddDeliveryFlags(cmd, &flags->delivery, 0, false);
  cmd->add_option("--template", flags->template_path,
                  "template for CSV inputs (*.csv): event type, bizStep, disposition, "
                  "locations, GTIN, lot rule, columns; see README \"Packing lines offline\"");
  cmd->add_flag("--follow", flags->follow,
                "keep reading the one input as it grows (a file or -), delivering as it goes, "
                "until Ctrl-C/SIGTERM; at the end of a pipe, wait --max-wait for delivery");
  cmd->add_option("--watch", flags->watch,
                  "ingest files dropped into DIR until Ctrl-C/SIGTERM: each is checked whole, "
                  "queued, and moved to DIR/done/; a file with a malformed line is moved to "
                  "DIR/failed/ with a .error file naming the line, and nothing of it is queued");
  cmd->add_flag("--dry-run", flags->dry_run,
                "print the events the inputs make (CSV converted), one per line; queue nothing");
  cmd->add_option("files", flags->files, "JSONL or CSV files (- for standard input), in order");
  cmd->callback([&globals, flags] { globals.exit_code = Capture(globals, *flags).Run(); });
}

}  // namespace origo::cli
