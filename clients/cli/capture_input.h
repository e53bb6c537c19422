#ifndef ORIGO_CLIENTS_CLI_CAPTURE_INPUT_H_
#define ORIGO_CLIENTS_CLI_CAPTURE_INPUT_H_

// What `origo capture` reads: EPCIS JSON lines (each line's exact bytes are the event) or a
// scanner's CSV with a template (template.h), from files, standard input, pipes, or files that
// are still growing (--follow).
//
// The client checks JSON lines only for JSON syntax (one JSON object per line); the server does
// the full EPCIS validation. Blank lines are skipped; a CR before LF is not part of the event.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/cli/template.h"
#include "clients/spool/file_io.h"
#include "clients/spool/spool.h"

namespace origo::cli {

// Turns one input's lines into event bytes. Not thread-safe.
class EventLineParser {
 public:
  // JSON lines when `tmpl` is null, else CSV with `tmpl` (which must outlive the parser).
  explicit EventLineParser(const CaptureTemplate* tmpl);

  // The event for `line` (without its line end), or nullopt for a blank or header line.
  // INVALID_ARGUMENT with the reason (the caller names file and line).
  absl::StatusOr<std::optional<std::string>> Parse(std::string_view line);

 private:
  std::optional<CsvConverter> csv_;
};

// Whether `path` names a CSV input (ends in ".csv", any case).
bool IsCsvPath(std::string_view path);

// Reads every line of the file at `path` and converts it; the first malformed line fails the
// whole file with INVALID_ARGUMENT "<source> line N: <reason>", so nothing of a bad file is
// queued. `source` is the name recorded as each event's origin.
absl::StatusOr<std::vector<spool::NewEvent>> ReadEventsFile(const std::string& path,
                                                            const std::string& source,
                                                            const CaptureTemplate* tmpl);

// Reads complete lines from a file or standard input ("-"), telling "no more input for now"
// (kIdle) from "end of input" (kEnd), so a slow pipe or a followed file can be committed as it
// comes. Not thread-safe.
class LineFeed {
 public:
  enum class Result { kLine, kIdle, kEnd };

  // NOT_FOUND / PERMISSION_DENIED naming the path.
  static absl::StatusOr<std::unique_ptr<LineFeed>> Open(const std::string& path);

  // The next complete line into *line (CR LF or LF removed) and its number (from 1). Waits up to
  // `idle` for input; kIdle if none came. kEnd at end of input: for a followed regular file
  // never (its end is kIdle: more may be appended); otherwise at end of file, after a last line
  // without LF. With `follow`, a last line without LF is held until its LF arrives.
  absl::StatusOr<Result> Next(std::chrono::milliseconds idle, bool follow, std::string* line,
                              uint64_t* line_number);

  // Bytes consumed so far, and the file's size when it was opened (regular files only).
  uint64_t bytes_read() const { return bytes_read_; }
  std::optional<uint64_t> size() const { return size_; }
  bool regular() const { return size_.has_value(); }

 private:
  LineFeed(spool::UniqueFd fd, std::string path, std::optional<uint64_t> size)
      : fd_(std::move(fd)), path_(std::move(path)), size_(size) {}

  spool::UniqueFd fd_;
  std::string path_;
  std::optional<uint64_t> size_;
  std::string buffer_;
  size_t start_ = 0;  // first unconsumed byte of buffer_
  bool eof_ = false;  // a pipe's writer closed it
  uint64_t bytes_read_ = 0;
  uint64_t line_ = 0;
};

}  // namespace origo::cli

#endif  // ORIGO_CLIENTS_CLI_CAPTURE_INPUT_H_
