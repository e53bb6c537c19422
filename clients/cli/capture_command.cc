// origo capture: reads EPCIS events from JSONL files, signs them locally in batches, and sends
// them to CaptureService (one call per batch, or one bidirectional stream with --stream).

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>

#include "clients/cli/cli.h"
#include "clients/cli/files.h"
#include "clients/cli/jsonl.h"
#include "core/batch/batch.h"
#include "core/crypto/keys.h"

namespace origo::cli {
namespace {

constexpr size_t kMaxBatchSize = 10000;
// Batches signed and sent but not yet acknowledged, in --stream mode.
constexpr size_t kMaxInFlight = 16;
constexpr auto kProgressInterval = std::chrono::seconds(5);

struct CaptureFlags {
  std::string usci;
  std::string key;
  size_t batch_size = 100;
  bool stream = false;
  std::vector<std::string> files;
};

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Codes after which a batch may or may not have been captured (the call failed in transit).
bool FateUnknown(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded ||
         code == absl::StatusCode::kCancelled || code == absl::StatusCode::kUnknown ||
         code == absl::StatusCode::kAborted || code == absl::StatusCode::kInternal;
}

// Collects and prints the outcome of each batch; the one place that writes capture output.
// Thread-compatible: in --stream mode only the response-reading thread calls it until the stream
// is finished.
class Report {
 public:
  Report(const Globals& globals, const std::vector<std::string>& paths)
      : globals_(globals),
        paths_(paths),
        start_(std::chrono::steady_clock::now()),
        last_progress_(start_) {}

  // Checks the acknowledgement against the batch sent and records it. INTERNAL when the server
  // acknowledged other events than those sent.
  absl::Status Accept(uint64_t number, const InputBatch& batch,
                      const origo::v1::CaptureResponse& response) {
    if (static_cast<size_t>(response.events_size()) != batch.events.size()) {
      return absl::InternalError("the server acknowledged " +
                                 std::to_string(response.events_size()) + " events of batch " +
                                 std::to_string(number) + ", which has " +
                                 std::to_string(batch.events.size()));
    }
    uint64_t first = std::numeric_limits<uint64_t>::max(), last = 0;
    for (size_t i = 0; i < batch.events.size(); ++i) {
      const origo::v1::CapturedEvent& event = response.events(static_cast<int>(i));
      if (event.event_id() != batch::EventId(batch.events[i])) {
        return absl::InternalError("the server acknowledged event " + event.event_id() + " for " +
                                   DescribeLine(paths_, batch.positions[i]) +
                                   ", whose event id is " + batch::EventId(batch.events[i]));
      }
      first = std::min<uint64_t>(first, event.index());
      last = std::max<uint64_t>(last, event.index());
    }
    ++batches_;
    events_ += batch.events.size();
    stored_ += response.stored();
    duplicates_ += response.duplicates();
    tree_size_ = response.tree_size();
    JsonObject json;
    json.Uint("batch", number)
        .Uint("events", batch.events.size())
        .Uint("stored", response.stored())
        .Uint("duplicates", response.duplicates())
        .Uint("first_index", first)
        .Uint("last_index", last)
        .Uint("tree_size", response.tree_size())
        .Str("lines", DescribeBatch(paths_, batch));
    if (globals_.json) {
      batch_json_ += (batch_json_.empty() ? "" : ",") + json.Build();
    } else {
      std::cout << "batch " << number << ": " << batch.events.size() << " events, "
                << response.stored() << " stored, " << response.duplicates()
                << " duplicates, indexes " << first << ".." << last << std::endl;
    }
    auto now = std::chrono::steady_clock::now();
    if (now - last_progress_ >= kProgressInterval) {
      last_progress_ = now;
      double seconds = std::chrono::duration<double>(now - start_).count();
      std::cerr << "progress: " << events_ << " events in " << batches_ << " batches, "
                << static_cast<uint64_t>(static_cast<double>(events_) / seconds) << " events/s\n";
    }
    return absl::OkStatus();
  }

  // Reports the batch (if any) that `status` ended the capture at; returns the exit code.
  int Fail(std::optional<uint64_t> number, const InputBatch* batch, const absl::Status& status) {
    std::string code = absl::StatusCodeToString(status.code());
    const std::string original(status.message());
    std::string message = original;
    std::string headline = "capture failed: " + code + ": " + message;
    // The rejected event's source line, when the error names an event of this batch.
    const LinePosition* line = nullptr;
    size_t position = 0;
    if (number && batch != nullptr) {
      CaptureError parsed = ParseCaptureError(message);
      if (!parsed.sequence || *parsed.sequence == *number) message = parsed.detail;
      if (parsed.event && *parsed.event < batch->positions.size()) {
        position = *parsed.event;
        line = &batch->positions[position];
      }
      std::string where =
          line != nullptr ? DescribeLine(paths_, *line) : DescribeBatch(paths_, *batch);
      std::string name = "batch " + std::to_string(*number) + " (" + where + ")";
      if (FateUnknown(status.code())) {
        headline = name + " failed: " + code + ": " + message +
                   " (it may or may not be captured; resubmitting is safe: capture is "
                   "idempotent)";
      } else if (line != nullptr && status.code() == absl::StatusCode::kInvalidArgument) {
        headline = "rejected " + name + ": " + message;
      } else {
        headline = "rejected " + name + ": " + code + ": " + message;
      }
    }
    if (globals_.json) {
      JsonObject error;
      error.Str("code", code).Str("message", original).Str("what", "capture");
      JsonObject out;
      out.Bool("ok", false).Raw("error", error.Build());
      if (number) {
        JsonObject rejected;
        rejected.Uint("batch", *number);
        if (batch != nullptr) rejected.Str("lines", DescribeBatch(paths_, *batch));
        if (line != nullptr) {
          rejected.Uint("event", position).Str("file", paths_[line->file]).Uint("line", line->line);
        }
        out.Raw("rejected", rejected.Build());
      }
      Totals(out);
      std::cout << out.Build() << "\n";
    } else {
      std::cerr << headline << "\n";
      if (batches_ > 0) {
        std::cerr << "captured before that: " << events_ << " events in " << batches_
                  << " batches (" << stored_ << " stored, " << duplicates_ << " duplicates)\n";
      } else {
        std::cerr << "nothing was captured\n";
      }
    }
    return 1;
  }

  int Succeed() {
    if (globals_.json) {
      JsonObject out;
      out.Bool("ok", true);
      Totals(out);
      std::cout << out.Build() << "\n";
    } else {
      std::cout << "captured " << events_ << " events in " << batches_ << " batches: " << stored_
                << " stored, " << duplicates_ << " duplicates; tree size " << tree_size_ << "\n";
    }
    return 0;
  }

 private:
  void Totals(JsonObject& out) const {
    out.Uint("events", events_)
        .Uint("batches_captured", batches_)
        .Uint("stored", stored_)
        .Uint("duplicates", duplicates_)
        .Uint("tree_size", tree_size_)
        .Raw("batches", "[" + batch_json_ + "]");
  }

  const Globals& globals_;
  const std::vector<std::string>& paths_;
  std::chrono::steady_clock::time_point start_, last_progress_;
  uint64_t batches_ = 0, events_ = 0, stored_ = 0, duplicates_ = 0, tree_size_ = 0;
  std::string batch_json_;
};

class Capturer {
 public:
  Capturer(const Globals& globals, const CaptureFlags& flags, crypto::PrivateKey key)
      : globals_(globals),
        flags_(flags),
        key_(std::move(key)),
        reader_(flags.files),
        report_(globals, reader_.paths()),
        client_(Options(globals)) {}

  int Run() {
    if (absl::Status readable = reader_.CheckReadable(); !readable.ok()) {
      return report_.Fail(std::nullopt, nullptr, readable);
    }
    return flags_.stream ? RunStream() : RunUnary();
  }

 private:
  static client::ClientOptions Options(const Globals& globals) {
    client::ClientOptions options = globals.ClientOptions();
    options.timeout = std::chrono::minutes(2);  // a large batch on a busy server
    return options;
  }

  absl::StatusOr<origo::v1::CaptureRequest> Sign(uint64_t number, const InputBatch& batch) {
    auto signed_batch = batch::SignBatch(batch.events, flags_.usci, key_, NowUnixMs());
    if (!signed_batch.ok()) return signed_batch.status();
    origo::v1::CaptureRequest request;
    *request.mutable_batch() = *std::move(signed_batch);
    request.set_sequence(number);
    return request;
  }

  int RunUnary() {
    for (uint64_t number = 1;; ++number) {
      auto batch = reader_.NextBatch(flags_.batch_size);
      if (!batch.ok()) return report_.Fail(std::nullopt, nullptr, batch.status());
      if (batch->events.empty()) break;
      auto request = Sign(number, *batch);
      if (!request.ok()) return report_.Fail(std::nullopt, nullptr, request.status());
      auto response = client_.Capture(*request);
      if (!response.ok()) return report_.Fail(number, &*batch, response.status());
      if (absl::Status ok = report_.Accept(number, *batch, *response); !ok.ok()) {
        return report_.Fail(number, &*batch, ok);
      }
    }
    return report_.Succeed();
  }

  struct InFlight {
    uint64_t number;
    InputBatch batch;
  };

  int RunStream() {
    std::unique_ptr<client::CaptureStream> stream = client_.OpenCaptureStream();
    std::mutex mu;
    std::condition_variable cv;
    std::deque<InFlight> in_flight;  // guarded by mu
    bool reading_done = false;       // guarded by mu
    absl::Status reader_error;       // set by the reading thread before reading_done

    std::thread reading([&] {
      while (true) {
        auto response = stream->Read();
        if (!response.ok()) break;
        std::unique_lock<std::mutex> lock(mu);
        if (in_flight.empty() || response->sequence() != in_flight.front().number) {
          reader_error = absl::InternalError(
              "the server answered batch " + std::to_string(response->sequence()) +
              (in_flight.empty() ? std::string(", which was not sent")
                                 : ", expected batch " + std::to_string(in_flight.front().number)));
          stream->Cancel();
          break;
        }
        InFlight done = std::move(in_flight.front());
        in_flight.pop_front();
        lock.unlock();
        cv.notify_all();
        if (absl::Status ok = report_.Accept(done.number, done.batch, *response); !ok.ok()) {
          reader_error = ok;
          stream->Cancel();
          break;
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      reading_done = true;
      cv.notify_all();
    });

    absl::Status local_error;
    bool all_written = false;
    for (uint64_t number = 1;; ++number) {
      auto batch = reader_.NextBatch(flags_.batch_size);
      if (!batch.ok()) {
        local_error = batch.status();
        break;
      }
      if (batch->events.empty()) {
        all_written = true;
        break;
      }
      auto request = Sign(number, *batch);
      if (!request.ok()) {
        local_error = request.status();
        break;
      }
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return reading_done || in_flight.size() < kMaxInFlight; });
        if (reading_done) break;
        in_flight.push_back(InFlight{number, *std::move(batch)});
      }
      if (!stream->Write(*request).ok()) break;  // the server ended the stream; Finish says why
    }
    if (all_written) {
      stream->WritesDone().IgnoreError();  // a failure shows in Finish
    } else if (!local_error.ok()) {
      stream->Cancel();
    }
    reading.join();
    absl::Status finished = stream->Finish();

    if (!local_error.ok()) return report_.Fail(std::nullopt, nullptr, local_error);
    if (!reader_error.ok()) {
      if (in_flight.empty()) return report_.Fail(std::nullopt, nullptr, reader_error);
      return report_.Fail(in_flight.front().number, &in_flight.front().batch, reader_error);
    }
    if (!finished.ok()) {
      if (in_flight.empty()) return report_.Fail(std::nullopt, nullptr, finished);
      // The server ends the stream at the rejected batch: the first unanswered one (its error
      // may name it too).
      const InFlight* rejected = &in_flight.front();
      std::optional<uint64_t> named = ParseCaptureError(std::string(finished.message())).sequence;
      for (const InFlight& b : in_flight) {
        if (named && b.number == *named) rejected = &b;
      }
      return report_.Fail(rejected->number, &rejected->batch, finished);
    }
    if (!in_flight.empty()) {
      return report_.Fail(in_flight.front().number, &in_flight.front().batch,
                          absl::InternalError("the server ended the stream without answering"));
    }
    return report_.Succeed();
  }

  const Globals& globals_;
  const CaptureFlags& flags_;
  crypto::PrivateKey key_;
  JsonlReader reader_;
  Report report_;
  client::Client client_;
};

int Capture(const Globals& globals, const CaptureFlags& flags) {
  auto pem = ReadFile(flags.key);
  if (!pem.ok()) return ReportError(globals, pem.status(), "capture");
  auto key = crypto::PrivateKey::FromPem(*pem);
  if (!key.ok()) {
    return ReportError(globals,
                       absl::InvalidArgumentError("--key " + flags.key + ": " +
                                                  std::string(key.status().message())),
                       "capture");
  }
  Capturer capturer(globals, flags, *std::move(key));
  return capturer.Run();
}

}  // namespace

void AddCaptureCommand(CLI::App& app, Globals& globals) {
  auto flags = std::make_shared<CaptureFlags>();
  CLI::App* cmd = app.add_subcommand(
      "capture",
      "Sign EPCIS events (one JSON object per line) in batches with a registered key and capture "
      "them; prints one line per batch. Exits 1 at the first rejected batch, naming its file and "
      "line; batches before it stay captured. Capture is idempotent: resubmitting is safe.");
  cmd->add_option("--usci", flags->usci, "enterprise the events belong to")->required();
  cmd->add_option("--key", flags->key, "private key PEM (from `origo key gen`)")->required();
  cmd->add_option("--batch-size", flags->batch_size, "events per signed batch")
      ->check(CLI::Range(size_t{1}, kMaxBatchSize))
      ->capture_default_str();
  cmd->add_flag("--stream", flags->stream,
                "send batches on one bidirectional stream (for packing lines)");
  cmd->add_option("files", flags->files, "JSONL files, read in order")->required();
  cmd->callback([&globals, flags] { globals.exit_code = Capture(globals, *flags); });
}

}  // namespace origo::cli
