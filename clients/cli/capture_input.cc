#include "clients/cli/capture_input.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "absl/strings/ascii.h"
#include "clients/cli/json_text.h"

namespace origo::cli {

EventLineParser::EventLineParser(const CaptureTemplate* tmpl) {
  if (tmpl != nullptr) csv_.emplace(tmpl);
}

absl::StatusOr<std::optional<std::string>> EventLineParser::Parse(std::string_view line) {
  if (csv_) return csv_->Line(line);
  if (line.find_first_not_of(" \t") == std::string_view::npos) {
    return std::optional<std::string>();
  }
  if (absl::Status syntax = json::CheckEventSyntax(line); !syntax.ok()) return syntax;
  return std::optional<std::string>(std::string(line));
}

bool IsCsvPath(std::string_view path) {
  return path.size() >= 4 &&
         absl::AsciiStrToLower(std::string(path.substr(path.size() - 4))) == ".csv";
}

absl::StatusOr<std::vector<spool::NewEvent>> ReadEventsFile(const std::string& path,
                                                            const std::string& source,
                                                            const CaptureTemplate* tmpl) {
  auto feed = LineFeed::Open(path);
  if (!feed.ok()) return feed.status();
  EventLineParser parser(tmpl);
  std::vector<spool::NewEvent> events;
  std::string line;
  uint64_t number = 0;
  while (true) {
    auto next = (*feed)->Next(std::chrono::hours(24), false, &line, &number);
    if (!next.ok()) return next.status();
    if (*next == LineFeed::Result::kEnd) break;
    if (*next != LineFeed::Result::kLine) continue;
    auto event = parser.Parse(line);
    if (!event.ok()) {
      return absl::InvalidArgumentError(source + " line " + std::to_string(number) + ": " +
                                        std::string(event.status().message()));
    }
    if (*event) events.push_back(spool::NewEvent{**std::move(event), {source, number}});
  }
  return events;
}

absl::StatusOr<std::unique_ptr<LineFeed>> LineFeed::Open(const std::string& path) {
  spool::UniqueFd fd(path == "-" ? dup(0) : open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return spool::ErrnoStatus(errno, "cannot read", path);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return spool::ErrnoStatus(errno, "cannot stat", path);
  if (S_ISDIR(st.st_mode)) return absl::InvalidArgumentError(path + " is a directory");
  std::optional<uint64_t> size;
  if (S_ISREG(st.st_mode)) size = static_cast<uint64_t>(st.st_size);
  return std::unique_ptr<LineFeed>(new LineFeed(std::move(fd), path, size));
}

absl::StatusOr<LineFeed::Result> LineFeed::Next(std::chrono::milliseconds idle, bool follow,
                                                std::string* line, uint64_t* line_number) {
  auto deadline = std::chrono::steady_clock::now() + idle;
  while (true) {
    size_t newline = buffer_.find('\n', start_);
    if (newline != std::string::npos) {
      line->assign(buffer_, start_, newline - start_);
      start_ = newline + 1;
      if (!line->empty() && line->back() == '\r') line->pop_back();
      *line_number = ++line_;
      return Result::kLine;
    }
    // No complete line buffered: compact, then read more.
    buffer_.erase(0, start_);
    start_ = 0;
    bool at_end = eof_;
    if (!at_end) {
      if (!regular()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd pfd{fd_.get(), POLLIN, 0};
        int ready = poll(&pfd, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
        if (ready < 0 && errno != EINTR) return spool::ErrnoStatus(errno, "cannot poll", path_);
        if (ready <= 0) return Result::kIdle;
      }
      char buf[1 << 16];
      ssize_t n = read(fd_.get(), buf, sizeof(buf));
      if (n < 0) {
        if (errno == EINTR) continue;
        return spool::ErrnoStatus(errno, "cannot read", path_);
      }
      if (n > 0) {
        buffer_.append(buf, static_cast<size_t>(n));
        bytes_read_ += static_cast<uint64_t>(n);
        continue;
      }
      at_end = true;
      if (!regular()) eof_ = true;
    }
    // At the end of what there is.
    if (regular() && follow) {
      auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::milliseconds(0)) return Result::kIdle;
      std::this_thread::sleep_for(
          std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(100)));
      if (std::chrono::steady_clock::now() >= deadline) return Result::kIdle;
      continue;
    }
    if (!buffer_.empty() && !follow) {
      line->swap(buffer_);
      buffer_.clear();
      if (!line->empty() && line->back() == '\r') line->pop_back();
      *line_number = ++line_;
      return Result::kLine;
    }
    if (follow && !eof_) return Result::kIdle;
    if (follow && !buffer_.empty()) {
      // The writer closed the pipe after a last line without LF: it is complete.
      line->swap(buffer_);
      buffer_.clear();
      if (!line->empty() && line->back() == '\r') line->pop_back();
      *line_number = ++line_;
      return Result::kLine;
    }
    return Result::kEnd;
  }
}

}  // namespace origo::cli
