#include "clients/cli/jsonl.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"

namespace origo::cli {
namespace {

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

absl::Status OpenError(const std::string& path, int error) {
  std::string message = "cannot read " + path + ": " + std::strerror(error);
  if (error == ENOENT) return absl::NotFoundError(message);
  if (error == EACCES || error == EPERM) return absl::PermissionDeniedError(message);
  return absl::InternalError(message);
}

}  // namespace

absl::Status JsonlReader::CheckReadable() const {
  for (const std::string& path : paths_) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return OpenError(path, errno);
  }
  return absl::OkStatus();
}

absl::StatusOr<InputBatch> JsonlReader::NextBatch(size_t max_events) {
  InputBatch batch;
  std::string line;
  while (batch.events.size() < max_events && current_ < paths_.size()) {
    if (!open_) {
      in_ = std::ifstream(paths_[current_], std::ios::binary);
      if (!in_) return OpenError(paths_[current_], errno);
      open_ = true;
      line_ = 0;
    }
    if (!std::getline(in_, line)) {
      if (in_.bad()) return OpenError(paths_[current_], errno);
      in_.close();
      open_ = false;
      ++current_;
      continue;
    }
    ++line_;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (IsBlank(line)) continue;
    batch.events.push_back(line);
    batch.positions.push_back(LinePosition{current_, line_});
  }
  return batch;
}

namespace {

// Reads `prefix` then decimal digits then ": " from the front of `text`, consuming them.
std::optional<uint64_t> ConsumeNumbered(std::string_view prefix, std::string_view& text) {
  if (text.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string_view rest = text.substr(prefix.size());
  size_t colon = rest.find(": ");
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string digits(rest.substr(0, colon));
  if (digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  uint64_t value = 0;
  if (!absl::SimpleAtoi(digits, &value)) return std::nullopt;
  text = rest.substr(colon + 2);
  return value;
}

}  // namespace

CaptureError ParseCaptureError(std::string_view message) {
  CaptureError error;
  error.sequence = ConsumeNumbered("batch with sequence ", message);
  error.detail = std::string(message);
  std::string_view rest = message;
  if (auto event = ConsumeNumbered("event ", rest)) error.event = static_cast<size_t>(*event);
  return error;
}

std::string DescribeLine(const std::vector<std::string>& paths, const LinePosition& position) {
  return paths[position.file] + " line " + std::to_string(position.line);
}

std::string DescribeBatch(const std::vector<std::string>& paths, const InputBatch& batch) {
  if (batch.positions.empty()) return "";
  const LinePosition& first = batch.positions.front();
  const LinePosition& last = batch.positions.back();
  if (first.file != last.file)
    return DescribeLine(paths, first) + " .. " + DescribeLine(paths, last);
  if (first.line == last.line) return DescribeLine(paths, first);
  return paths[first.file] + " lines " + std::to_string(first.line) + ".." +
         std::to_string(last.line);
}

}  // namespace origo::cli
