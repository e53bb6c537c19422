#ifndef ORIGO_CLIENTS_CLI_JSONL_H_
#define ORIGO_CLIENTS_CLI_JSONL_H_

// Capture input: EPCIS events as JSON Lines, read in batches that remember where each event came
// from, so that a rejection naming "event N" of a batch can be reported as a file and line.
//
//   input  = *( line )
//   line   = event-bytes [ CR ] LF | event-bytes [ CR ] EOF
//   event  = the exact bytes of a non-blank line without its line end; these bytes are what is
//            signed and hashed (event id = SHA-256 of them)
//   blank  = a line of only spaces and tabs (skipped)

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace origo::cli {

// Where one event came from: `file` indexes the reader's path list; `line` counts from 1.
struct LinePosition {
  size_t file = 0;
  uint64_t line = 0;
};

// Up to a batch's worth of events, with each event's source line.
struct InputBatch {
  std::vector<std::string> events;
  std::vector<LinePosition> positions;
};

// Reads events from JSONL files in the order given. Not thread-safe.
class JsonlReader {
 public:
  explicit JsonlReader(std::vector<std::string> paths) : paths_(std::move(paths)) {}

  // OK if every file can be opened for reading (so capture can fail before sending anything).
  // NOT_FOUND / PERMISSION_DENIED naming the file otherwise.
  absl::Status CheckReadable() const;

  // The next up to `max_events` events (max_events >= 1), crossing file boundaries as needed.
  // An empty batch means the input is exhausted. Errors name the file.
  absl::StatusOr<InputBatch> NextBatch(size_t max_events);

  const std::vector<std::string>& paths() const { return paths_; }

 private:
  std::vector<std::string> paths_;
  size_t current_ = 0;  // index of the file being read
  bool open_ = false;
  std::ifstream in_;
  uint64_t line_ = 0;  // lines read from the current file
};

// A capture error message taken apart:
//   message  = [ "batch with sequence " S ": " ] detail     ; CaptureStream names the batch
//   detail   = "event " N ": " field ": " rule | anything else
struct CaptureError {
  std::optional<uint64_t> sequence;  // S, when named
  std::optional<size_t> event;       // N, the event's position in its batch, when named
  std::string detail;                // the message without the sequence prefix
};
CaptureError ParseCaptureError(std::string_view message);

// "grower.jsonl line 257".
std::string DescribeLine(const std::vector<std::string>& paths, const LinePosition& position);

// The lines a batch came from: "a.jsonl lines 1..100", "a.jsonl line 7", or
// "a.jsonl line 901 .. b.jsonl line 50" when it spans files. "" for an empty batch.
std::string DescribeBatch(const std::vector<std::string>& paths, const InputBatch& batch);

}  // namespace origo::cli

#endif  // ORIGO_CLIENTS_CLI_JSONL_H_
