#include "clients/spool/spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "clients/spool/crc32c.h"
#include "core/base/absl_view.h"
#include "core/base/status_macros.h"

namespace origo::spool {
namespace {

constexpr std::string_view kSegmentMagic = "ORIGOSEG";
constexpr std::string_view kAckMagic = "ORIGOACK";
constexpr uint8_t kFormatVersion = 1;
constexpr size_t kSegmentHeaderBytes = 8 + 1 + 8;
constexpr size_t kAckBytes = 8 + 1 + 8 + 4;
constexpr size_t kRecordHeaderBytes = 8;
constexpr uint8_t kEventRecord = 1;
constexpr uint8_t kCommitRecord = 2;
constexpr size_t kEventFixedBytes = 1 + 8 + 2;
constexpr size_t kCommitBytes = 1 + 8 + 4;
constexpr size_t kMaxSourceBytes = 1024;
constexpr std::string_view kQueueFile = "QUEUE";
constexpr std::string_view kLockFile = "LOCK";
constexpr std::string_view kAckedFile = "ACKED";
constexpr std::string_view kStateFile = "STATE";
constexpr std::string_view kDeadDir = "dead";
// STATE is rewritten at most this often for successes (errors are always written).
constexpr int64_t kStateIntervalMs = 1000;

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void PutU16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}
void PutU32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
void PutU64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
uint64_t GetBigEndian(std::string_view in, size_t at, size_t bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(in[at + i]);
  return v;
}

std::string SeqName(uint64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020llu", static_cast<unsigned long long>(seq));
  return buf;
}

std::string SegmentName(uint64_t first_seq) { return "seg-" + SeqName(first_seq) + ".log"; }

// The first sequence of a segment file name, or nullopt for other names.
std::optional<uint64_t> ParseSegmentName(std::string_view name) {
  if (name.size() != 4 + 20 + 4 || name.substr(0, 4) != "seg-" || name.substr(24) != ".log") {
    return std::nullopt;
  }
  uint64_t seq = 0;
  if (!absl::SimpleAtoi(AbslView(name.substr(4, 20)), &seq)) return std::nullopt;
  return seq;
}

// The lines of `text` (without their LF); a final empty piece is dropped.
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    lines.push_back(text.substr(0, newline));
    if (newline == std::string_view::npos) break;
    text.remove_prefix(newline + 1);
  }
  return lines;
}

std::string Join(const std::string& dir, std::string_view name) {
  return dir + "/" + std::string(name);
}

// Names in `dir` (without . and ..), sorted. NOT_FOUND when `dir` does not exist.
absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return ErrnoStatus(errno, "cannot list", dir);
  std::vector<std::string> names;
  while (dirent* entry = readdir(d)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

// One line, for the key/value text files.
std::string OneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

// "key value" lines into a map (first occurrence of each key wins).
std::map<std::string, std::string> ParseKeyValues(std::string_view text) {
  std::map<std::string, std::string> values;
  for (std::string_view line : Lines(text)) {
    size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    values.emplace(std::string(line.substr(0, space)), std::string(line.substr(space + 1)));
  }
  return values;
}

int64_t ToInt64(const std::map<std::string, std::string>& values, const std::string& key) {
  auto it = values.find(key);
  int64_t v = 0;
  if (it == values.end() || !absl::SimpleAtoi(it->second, &v)) return 0;
  return v;
}

std::string QueueMeta(const std::string& usci, const std::string& server) {
  return "origo-spool 1\nusci " + usci + "\nserver " + server + "\n";
}

struct QueueIdentity {
  std::string usci;
  std::string server;
};

absl::StatusOr<QueueIdentity> ReadQueueMeta(const std::string& dir) {
  const std::string path = Join(dir, kQueueFile);
  ORIGO_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  if (text.rfind("origo-spool 1\n", 0) != 0) {
    return absl::DataLossError(path + ": not an origo spool queue (version 1) file");
  }
  auto values = ParseKeyValues(text);
  QueueIdentity id{values["usci"], values["server"]};
  if (id.usci.empty() || id.server.empty()) {
    return absl::DataLossError(path + ": usci or server missing");
  }
  return id;
}

std::string EncodeAck(uint64_t next) {
  std::string out(kAckMagic);
  out.push_back(static_cast<char>(kFormatVersion));
  PutU64(out, next);
  PutU32(out, Crc32c(out));
  return out;
}

// The cursor; nullopt when there is no ACKED file yet.
absl::StatusOr<std::optional<uint64_t>> ReadAck(const std::string& dir) {
  const std::string path = Join(dir, kAckedFile);
  auto text = ReadWholeFile(path);
  if (!text.ok()) {
    if (text.status().code() == absl::StatusCode::kNotFound) return std::optional<uint64_t>();
    return text.status();
  }
  if (text->size() != kAckBytes || text->substr(0, 8) != kAckMagic ||
      static_cast<uint8_t>((*text)[8]) != kFormatVersion ||
      Crc32c(std::string_view(*text).substr(0, kAckBytes - 4)) !=
          GetBigEndian(*text, kAckBytes - 4, 4)) {
    return absl::DataLossError(path + ": damaged delivery cursor");
  }
  return std::optional<uint64_t>(GetBigEndian(*text, 9, 8));
}

// What a scan of one segment found.
struct SegmentScan {
  uint64_t first_seq = 0;
  struct Event {
    uint64_t offset;  // of the record body
    uint32_t length;
    int64_t commit_unix_ms;
  };
  std::vector<Event> committed;
  uint64_t valid_end = 0;  // end of the last commit (or of the header)
  uint64_t file_size = 0;
  std::string problem;  // why the bytes after valid_end are not part of the queue; "" if none
};

// Parses a whole segment file's bytes. DATA_LOSS only for a bad header; a damaged record is
// reported in `problem`, and the scan stops there.
absl::StatusOr<SegmentScan> ScanSegment(std::string_view bytes, uint64_t named_first_seq,
                                        const std::string& path) {
  SegmentScan scan;
  scan.file_size = bytes.size();
  if (bytes.size() < kSegmentHeaderBytes || bytes.substr(0, 8) != kSegmentMagic ||
      static_cast<uint8_t>(bytes[8]) != kFormatVersion) {
    return absl::DataLossError(path + ": not a version 1 spool segment");
  }
  scan.first_seq = GetBigEndian(bytes, 9, 8);
  if (scan.first_seq != named_first_seq) {
    return absl::DataLossError(path + ": header says first sequence " +
                               std::to_string(scan.first_seq));
  }
  scan.valid_end = kSegmentHeaderBytes;
  std::vector<SegmentScan::Event> uncommitted;
  uint64_t pos = kSegmentHeaderBytes;
  while (pos < bytes.size()) {
    if (bytes.size() - pos < kRecordHeaderBytes) {
      scan.problem = "torn record header at byte " + std::to_string(pos);
      break;
    }
    uint64_t length = GetBigEndian(bytes, pos, 4);
    uint32_t crc = static_cast<uint32_t>(GetBigEndian(bytes, pos + 4, 4));
    if (length == 0 || length > kMaxRecordBytes) {
      scan.problem = "bad record length at byte " + std::to_string(pos);
      break;
    }
    if (bytes.size() - pos - kRecordHeaderBytes < length) {
      scan.problem = "torn record at byte " + std::to_string(pos);
      break;
    }
    std::string_view body = bytes.substr(pos + kRecordHeaderBytes, length);
    if (Crc32c(body) != crc) {
      scan.problem = "checksum mismatch at byte " + std::to_string(pos);
      break;
    }
    uint8_t kind = static_cast<uint8_t>(body[0]);
    if (kind == kEventRecord) {
      if (body.size() < kEventFixedBytes ||
          body.size() < kEventFixedBytes + GetBigEndian(body, 9, 2) + 1) {
        scan.problem = "malformed event record at byte " + std::to_string(pos);
        break;
      }
      uncommitted.push_back({pos + kRecordHeaderBytes, static_cast<uint32_t>(length), 0});
    } else if (kind == kCommitRecord) {
      if (body.size() != kCommitBytes || GetBigEndian(body, 9, 4) != uncommitted.size()) {
        scan.problem = "malformed commit record at byte " + std::to_string(pos);
        break;
      }
      int64_t when = static_cast<int64_t>(GetBigEndian(body, 1, 8));
      for (SegmentScan::Event& e : uncommitted) {
        e.commit_unix_ms = when;
        scan.committed.push_back(e);
      }
      uncommitted.clear();
      scan.valid_end = pos + kRecordHeaderBytes + length;
    } else {
      scan.problem = "unknown record kind at byte " + std::to_string(pos);
      break;
    }
    pos += kRecordHeaderBytes + length;
  }
  if (scan.problem.empty() && !uncommitted.empty()) {
    scan.problem = std::to_string(uncommitted.size()) + " uncommitted events at the end";
  }
  return scan;
}

// Decodes an event record body.
SpooledEvent DecodeEvent(std::string_view body, uint64_t seq, int64_t commit_unix_ms) {
  SpooledEvent event;
  event.seq = seq;
  event.spooled_unix_ms = commit_unix_ms;
  event.origin.line = GetBigEndian(body, 1, 8);
  size_t source_length = GetBigEndian(body, 9, 2);
  event.origin.source = std::string(body.substr(kEventFixedBytes, source_length));
  event.bytes = std::string(body.substr(kEventFixedBytes + source_length));
  return event;
}

std::string EncodeRecord(std::string_view body) {
  std::string out;
  out.reserve(kRecordHeaderBytes + body.size());
  PutU32(out, static_cast<uint32_t>(body.size()));
  PutU32(out, Crc32c(body));
  out.append(body);
  return out;
}

absl::StatusOr<std::vector<std::pair<uint64_t, std::string>>> ListSegments(const std::string& dir) {
  ORIGO_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(dir));
  std::vector<std::pair<uint64_t, std::string>> segments;
  for (const std::string& name : names) {
    if (auto seq = ParseSegmentName(name)) segments.emplace_back(*seq, Join(dir, name));
  }
  std::sort(segments.begin(), segments.end());
  return segments;
}

std::string DeadErrorText(const std::vector<SpooledEvent>& batch, const absl::Status& error,
                          int64_t now_unix_ms) {
  std::string text = "origo-dead-letter 1\n";
  text += "code " + absl::StatusCodeToString(error.code()) + "\n";
  text += "message " + OneLine(std::string(error.message())) + "\n";
  text += "rejected-unix-ms " + std::to_string(now_unix_ms) + "\n";
  text += "first-seq " + std::to_string(batch.front().seq) + "\n";
  text += "events " + std::to_string(batch.size()) + "\n";
  text += "lines " + OneLine(DescribeOrigins(batch)) + "\n";
  for (const SpooledEvent& e : batch) {
    text += "origin " + std::to_string(e.origin.line) + " " + OneLine(e.origin.source) + "\n";
  }
  return text;
}

absl::StatusOr<DeadLetterInfo> ReadDeadLetter(const std::string& dead_dir, uint64_t first_seq) {
  const std::string base = Join(dead_dir, SeqName(first_seq));
  ORIGO_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(base + ".error"));
  auto values = ParseKeyValues(text);
  DeadLetterInfo info;
  info.events_file = base + ".jsonl";
  info.first_seq = first_seq;
  info.events = static_cast<uint64_t>(ToInt64(values, "events"));
  info.code = values["code"];
  info.message = values["message"];
  info.lines = values["lines"];
  info.rejected_unix_ms = ToInt64(values, "rejected-unix-ms");
  return info;
}

absl::StatusOr<std::vector<DeadLetterInfo>> ListDeadLetters(const std::string& dir) {
  const std::string dead_dir = Join(dir, kDeadDir);
  auto names = ListDir(dead_dir);
  if (!names.ok()) {
    if (names.status().code() == absl::StatusCode::kNotFound) {
      return std::vector<DeadLetterInfo>();
    }
    return names.status();
  }
  std::vector<DeadLetterInfo> letters;
  for (const std::string& name : *names) {
    uint64_t seq = 0;
    if (name.size() != 20 + 6 || name.substr(20) != ".error" ||
        !absl::SimpleAtoi(AbslView(name).substr(0, 20), &seq)) {
      continue;
    }
    ORIGO_ASSIGN_OR_RETURN(DeadLetterInfo info, ReadDeadLetter(dead_dir, seq));
    letters.push_back(std::move(info));
  }
  return letters;
}

// The pid written in LOCK when some process holds it.
std::optional<pid_t> LockHolder(const std::string& dir) {
  const std::string path = Join(dir, kLockFile);
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  if (flock(fd.get(), LOCK_SH | LOCK_NB) == 0) {
    flock(fd.get(), LOCK_UN);
    return std::nullopt;
  }
  auto text = ReadWholeFile(path);
  int64_t pid = 0;
  if (text.ok() && absl::SimpleAtoi(absl::StripAsciiWhitespace(*text), &pid) && pid > 0) {
    return static_cast<pid_t>(pid);
  }
  return static_cast<pid_t>(0);
}

}  // namespace

std::string QueueDir(const std::string& root, const std::string& usci, const std::string& server) {
  std::string name = usci + "@";
  for (char c : server) {
    bool safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-';
    name.push_back(safe ? c : '_');
  }
  return Join(root, name);
}

absl::StatusOr<std::string> DefaultSpoolRoot() {
  const char* home = std::getenv("HOME");
  std::string dir = home != nullptr ? home : "";
  if (dir.empty()) {
    if (passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_dir != nullptr) dir = pw->pw_dir;
  }
  if (dir.empty()) {
    return absl::FailedPreconditionError("no home directory for the default spool; pass --spool");
  }
  return dir + "/.origo/spool";
}

std::string DescribeOrigins(const std::vector<SpooledEvent>& events) {
  if (events.empty()) return "";
  auto one = [](const EventOrigin& o) { return o.source + " line " + std::to_string(o.line); };
  const EventOrigin& first = events.front().origin;
  const EventOrigin& last = events.back().origin;
  if (first.source != last.source) return one(first) + " .. " + one(last);
  if (first.line == last.line) return one(first);
  return first.source + " lines " + std::to_string(first.line) + ".." + std::to_string(last.line);
}

absl::StatusOr<QueueStatus> ReadQueueStatus(const std::string& dir) {
  QueueStatus status;
  status.dir = dir;
  auto id = ReadQueueMeta(dir);
  if (!id.ok()) {
    if (id.status().code() == absl::StatusCode::kNotFound) {
      return absl::NotFoundError(dir + " holds no spool queue");
    }
    return id.status();
  }
  status.usci = id->usci;
  status.server = id->server;
  // The cursor first: segments below it may be deleted while we read, never the reverse.
  ORIGO_ASSIGN_OR_RETURN(std::optional<uint64_t> acked, ReadAck(dir));
  ORIGO_ASSIGN_OR_RETURN(auto segments, ListSegments(dir));
  std::optional<uint64_t> end;
  std::optional<int64_t> oldest;
  uint64_t done = acked.value_or(segments.empty() ? 0 : segments.front().first);
  for (size_t i = 0; i < segments.size(); ++i) {
    auto bytes = ReadWholeFile(segments[i].second);
    if (!bytes.ok()) {
      if (bytes.status().code() == absl::StatusCode::kNotFound) continue;  // deleted meanwhile
      return bytes.status();
    }
    ORIGO_ASSIGN_OR_RETURN(SegmentScan scan,
                           ScanSegment(*bytes, segments[i].first, segments[i].second));
    bool last = i + 1 == segments.size();
    if (!last && !scan.problem.empty()) {
      return absl::DataLossError(segments[i].second + ": " + scan.problem);
    }
    for (size_t k = 0; k < scan.committed.size(); ++k) {
      if (!oldest && scan.first_seq + k >= done) oldest = scan.committed[k].commit_unix_ms;
    }
    end = scan.first_seq + scan.committed.size();
  }
  status.spooled = std::max(end.value_or(done), done);
  status.done = std::min(done, status.spooled);
  status.pending = status.spooled - status.done;
  if (status.pending > 0) status.oldest_pending_unix_ms = oldest;
  auto state = ReadWholeFile(Join(dir, kStateFile));
  if (state.ok()) {
    auto values = ParseKeyValues(*state);
    status.last_error_code = values["last-error-code"];
    status.last_error_message = values["last-error-message"];
    status.last_error_unix_ms = ToInt64(values, "last-error-unix-ms");
    status.last_delivery_unix_ms = ToInt64(values, "last-delivery-unix-ms");
  }
  status.locked_by = LockHolder(dir);
  ORIGO_ASSIGN_OR_RETURN(status.dead_letters, ListDeadLetters(dir));
  return status;
}

absl::StatusOr<std::vector<QueueStatus>> ReadSpoolStatus(const std::string& root) {
  auto names = ListDir(root);
  if (!names.ok()) {
    if (names.status().code() == absl::StatusCode::kNotFound) return std::vector<QueueStatus>();
    return names.status();
  }
  std::vector<QueueStatus> queues;
  for (const std::string& name : *names) {
    const std::string dir = Join(root, name);
    struct stat st;
    if (stat(Join(dir, kQueueFile).c_str(), &st) != 0) continue;
    ORIGO_ASSIGN_OR_RETURN(QueueStatus status, ReadQueueStatus(dir));
    queues.push_back(std::move(status));
  }
  return queues;
}

// --- Spool ---------------------------------------------------------------------------------

Spool::Spool(std::string dir, SpoolOptions options, UniqueFd lock)
    : dir_(std::move(dir)), options_(std::move(options)), lock_(std::move(lock)) {}

Spool::~Spool() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_dirty_) WriteState();
}

absl::StatusOr<std::unique_ptr<Spool>> Spool::Open(const std::string& dir,
                                                   const SpoolOptions& options) {
  if (options.usci.empty() || options.server.empty()) {
    return absl::InvalidArgumentError("a spool queue needs an enterprise (usci) and a server");
  }
  ORIGO_RETURN_IF_ERROR(MakeDirs(dir, 0700));
  const std::string lock_path = Join(dir, kLockFile);
  UniqueFd lock(open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!lock.valid()) return ErrnoStatus(errno, "cannot open", lock_path);
  auto deadline = std::chrono::steady_clock::now() + options.lock_wait;
  while (flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) return ErrnoStatus(errno, "cannot lock", lock_path);
    if (std::chrono::steady_clock::now() >= deadline) {
      auto holder = ReadWholeFile(lock_path);
      std::string pid = holder.ok() ? std::string(absl::StripAsciiWhitespace(*holder)) : "";
      return absl::FailedPreconditionError("spool queue " + dir +
                                           " is in use by another origo process" +
                                           (pid.empty() ? std::string() : " (pid " + pid + ")") +
                                           "; stop it, or drop files into its watched folder");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(lock.get(), 0) != 0 || pwrite(lock.get(), pid.data(), pid.size(), 0) < 0) {
    return ErrnoStatus(errno, "cannot write", lock_path);
  }

  auto id = ReadQueueMeta(dir);
  if (!id.ok()) {
    if (id.status().code() != absl::StatusCode::kNotFound) return id.status();
    ORIGO_RETURN_IF_ERROR(
        ReplaceFile(Join(dir, kQueueFile), QueueMeta(options.usci, options.server), true));
  } else if (id->usci != options.usci || id->server != options.server) {
    return absl::FailedPreconditionError("spool queue " + dir + " holds events of " + id->usci +
                                         " for server " + id->server + ", not of " + options.usci +
                                         " for " + options.server);
  }
  std::unique_ptr<Spool> spool(new Spool(dir, options, std::move(lock)));
  ORIGO_RETURN_IF_ERROR(spool->Recover());
  return spool;
}

absl::Status Spool::Recover() {
  std::lock_guard<std::mutex> lock(mu_);
  ORIGO_ASSIGN_OR_RETURN(std::optional<uint64_t> acked, ReadAck(dir_));
  ORIGO_ASSIGN_OR_RETURN(auto listed, ListSegments(dir_));
  // Leftover temporary files from an interrupted replace or segment creation.
  if (auto names = ListDir(dir_); names.ok()) {
    for (const std::string& name : *names) {
      if (name.size() > 4 && name.substr(name.size() - 4) == ".tmp") {
        unlink(Join(dir_, name).c_str());
      }
    }
  }
  std::optional<uint64_t> expected;
  for (size_t i = 0; i < listed.size(); ++i) {
    const auto& [first_seq, path] = listed[i];
    bool last = i + 1 == listed.size();
    UniqueFd fd(open(path.c_str(), O_RDWR | O_CLOEXEC));
    if (!fd.valid()) return ErrnoStatus(errno, "cannot open", path);
    ORIGO_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(path));
    ORIGO_ASSIGN_OR_RETURN(SegmentScan scan, ScanSegment(bytes, first_seq, path));
    if (!scan.problem.empty()) {
      if (!last) return absl::DataLossError(path + ": " + scan.problem);
      // The tail was never committed: cut it off, durably.
      if (ftruncate(fd.get(), static_cast<off_t>(scan.valid_end)) != 0 || fsync(fd.get()) != 0) {
        return ErrnoStatus(errno, "cannot truncate the torn tail of", path);
      }
    }
    if (expected && first_seq != *expected) {
      return absl::DataLossError(path + ": starts at sequence " + std::to_string(first_seq) +
                                 " but the previous segment ends at " + std::to_string(*expected));
    }
    if (!expected) base_ = first_seq;
    for (const SegmentScan::Event& e : scan.committed) {
      locations_.push_back({first_seq, e.offset, e.length, e.commit_unix_ms});
    }
    expected = first_seq + scan.committed.size();
    Segment segment;
    segment.path = path;
    segment.fd = std::move(fd);
    segment.first_seq = first_seq;
    segment.size = scan.valid_end;
    segments_.emplace(first_seq, std::move(segment));
  }
  if (!expected) {
    base_ = acked.value_or(0);
    expected = base_;
  }
  spooled_ = *expected;
  done_ = acked.value_or(base_);
  if (done_ < base_) {
    return absl::DataLossError("spool queue " + dir_ + ": events " + std::to_string(done_) + ".." +
                               std::to_string(base_ - 1) +
                               " are pending but their segment is missing");
  }
  if (done_ > spooled_) {
    return absl::DataLossError("spool queue " + dir_ + ": the delivery cursor (" +
                               std::to_string(done_) + ") is past the spooled events (" +
                               std::to_string(spooled_) + ")");
  }
  if (auto state = ReadWholeFile(Join(dir_, kStateFile)); state.ok()) {
    auto values = ParseKeyValues(*state);
    last_error_code_ = values["last-error-code"];
    last_error_message_ = values["last-error-message"];
    last_error_unix_ms_ = ToInt64(values, "last-error-unix-ms");
    last_delivery_unix_ms_ = ToInt64(values, "last-delivery-unix-ms");
  }
  CollectGarbage();
  return absl::OkStatus();
}

absl::Status Spool::StartSegment() {
  const std::string path = Join(dir_, SegmentName(spooled_));
  const std::string temp = path + ".tmp";
  std::string header(kSegmentMagic);
  header.push_back(static_cast<char>(kFormatVersion));
  PutU64(header, spooled_);
  {
    UniqueFd fd(open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd.valid()) return ErrnoStatus(errno, "cannot create", temp);
    ORIGO_RETURN_IF_ERROR(WriteAll(fd.get(), header, temp));
    if (fsync(fd.get()) != 0) return ErrnoStatus(errno, "cannot sync", temp);
  }
  if (rename(temp.c_str(), path.c_str()) != 0) return ErrnoStatus(errno, "cannot rename", temp);
  ORIGO_RETURN_IF_ERROR(SyncDir(dir_));
  Segment segment;
  segment.path = path;
  segment.fd = UniqueFd(open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (!segment.fd.valid()) return ErrnoStatus(errno, "cannot open", path);
  segment.first_seq = spooled_;
  segment.size = header.size();
  if (segments_.empty()) base_ = spooled_;
  segments_[spooled_] = std::move(segment);
  return absl::OkStatus();
}

absl::Status Spool::Append(const std::vector<NewEvent>& events) {
  for (const NewEvent& e : events) {
    std::string where = e.origin.source + " line " + std::to_string(e.origin.line);
    if (e.bytes.empty()) return absl::InvalidArgumentError(where + ": empty event");
    if (e.bytes.find_first_of("\r\n") != std::string::npos) {
      return absl::InvalidArgumentError(where + ": an event must be one line (no CR or LF)");
    }
    if (e.bytes.size() + kEventFixedBytes + kMaxSourceBytes > kMaxRecordBytes) {
      return absl::InvalidArgumentError(where + ": event larger than " +
                                        std::to_string(kMaxRecordBytes - kMaxSourceBytes) +
                                        " bytes");
    }
  }
  if (events.empty()) return absl::OkStatus();
  std::lock_guard<std::mutex> lock(mu_);
  return AppendLocked(events, NowUnixMs());
}

absl::Status Spool::AppendLocked(const std::vector<NewEvent>& events, int64_t now_unix_ms) {
  if (broken_) {
    return absl::FailedPreconditionError("spool queue " + dir_ +
                                         ": an earlier write failed to sync; reopen the queue");
  }
  if (segments_.empty() || segments_.rbegin()->second.size >= options_.segment_bytes) {
    ORIGO_RETURN_IF_ERROR(StartSegment());
  }
  Segment& segment = segments_.rbegin()->second;
  std::string buffer;
  std::vector<EventLocation> added;
  added.reserve(events.size());
  std::string body;
  for (const NewEvent& e : events) {
    std::string_view source = std::string_view(e.origin.source).substr(0, kMaxSourceBytes);
    body.clear();
    body.push_back(static_cast<char>(kEventRecord));
    PutU64(body, e.origin.line);
    PutU16(body, static_cast<uint16_t>(source.size()));
    body.append(source);
    body.append(e.bytes);
    added.push_back({segment.first_seq, segment.size + buffer.size() + kRecordHeaderBytes,
                     static_cast<uint32_t>(body.size()), now_unix_ms});
    buffer += EncodeRecord(body);
  }
  body.clear();
  body.push_back(static_cast<char>(kCommitRecord));
  PutU64(body, static_cast<uint64_t>(now_unix_ms));
  PutU32(body, static_cast<uint32_t>(events.size()));
  buffer += EncodeRecord(body);

  if (lseek(segment.fd.get(), static_cast<off_t>(segment.size), SEEK_SET) < 0) {
    return ErrnoStatus(errno, "cannot seek in", segment.path);
  }
  if (absl::Status written = WriteAll(segment.fd.get(), buffer, segment.path); !written.ok()) {
    // Nothing of this commit is queued; take the partial write back so later commits follow the
    // last good one (Open would cut it off anyway).
    if (ftruncate(segment.fd.get(), static_cast<off_t>(segment.size)) != 0) broken_ = true;
    return written;
  }
  if (fdatasync(segment.fd.get()) != 0) {
    broken_ = true;
    return ErrnoStatus(errno, "cannot sync", segment.path);
  }
  segment.size += buffer.size();
  for (EventLocation& l : added) locations_.push_back(l);
  spooled_ += events.size();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<SpooledEvent>> Spool::Read(uint64_t from, size_t max_events) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (from < done_ || from > spooled_) {
    return absl::OutOfRangeError("spool queue " + dir_ + ": no pending event " +
                                 std::to_string(from) + " (pending are " + std::to_string(done_) +
                                 ".." + std::to_string(spooled_) + ")");
  }
  std::vector<SpooledEvent> events;
  uint64_t end = std::min<uint64_t>(spooled_, from + max_events);
  events.reserve(end - from);
  for (uint64_t seq = from; seq < end; ++seq) {
    const EventLocation& l = locations_[seq - base_];
    const Segment& segment = segments_.at(l.segment_first_seq);
    ORIGO_ASSIGN_OR_RETURN(std::string body,
                           ReadAt(segment.fd.get(), l.offset, l.length, segment.path));
    events.push_back(DecodeEvent(body, seq, l.commit_unix_ms));
  }
  return events;
}

absl::Status Spool::Ack(uint64_t next) {
  std::lock_guard<std::mutex> lock(mu_);
  return AckLocked(next);
}

absl::Status Spool::AckLocked(uint64_t next) {
  if (next < done_ || next > spooled_) {
    return absl::InvalidArgumentError("spool queue " + dir_ + ": cannot move the cursor from " +
                                      std::to_string(done_) + " to " + std::to_string(next) +
                                      " (spooled " + std::to_string(spooled_) + ")");
  }
  if (next == done_) return absl::OkStatus();
  ORIGO_RETURN_IF_ERROR(ReplaceFile(Join(dir_, kAckedFile), EncodeAck(next), true));
  done_ = next;
  CollectGarbage();
  return absl::OkStatus();
}

void Spool::CollectGarbage() {
  while (!segments_.empty()) {
    auto first = segments_.begin();
    auto second = std::next(first);
    uint64_t end = second == segments_.end() ? spooled_ : second->first;
    if (end > done_) break;
    // Entirely done (the last segment too, once everything is done: the next append starts a
    // new one at spooled_, which ACKED records).
    if (second == segments_.end() && done_ != spooled_) break;
    unlink(first->second.path.c_str());
    uint64_t count = end - first->second.first_seq;
    locations_.erase(locations_.begin(), locations_.begin() + static_cast<ptrdiff_t>(count));
    base_ = end;
    segments_.erase(first);
  }
  if (segments_.empty()) base_ = spooled_;
}

absl::StatusOr<std::string> Spool::DeadLetter(const std::vector<SpooledEvent>& batch,
                                              const absl::Status& error, int64_t now_unix_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (batch.empty() || batch.front().seq != done_) {
    return absl::InvalidArgumentError("spool queue " + dir_ +
                                      ": a dead letter must start at the first pending event");
  }
  for (size_t i = 1; i < batch.size(); ++i) {
    if (batch[i].seq != batch[i - 1].seq + 1) {
      return absl::InvalidArgumentError("spool queue " + dir_ +
                                        ": a dead letter must be consecutive events");
    }
  }
  const std::string dead_dir = Join(dir_, kDeadDir);
  ORIGO_RETURN_IF_ERROR(MakeDirs(dead_dir, 0700));
  const std::string base = Join(dead_dir, SeqName(batch.front().seq));
  std::string events;
  for (const SpooledEvent& e : batch) events += e.bytes + "\n";
  ORIGO_RETURN_IF_ERROR(ReplaceFile(base + ".jsonl", events, true));
  ORIGO_RETURN_IF_ERROR(
      ReplaceFile(base + ".error", DeadErrorText(batch, error, now_unix_ms), true));
  ORIGO_RETURN_IF_ERROR(AckLocked(batch.back().seq + 1));
  return base + ".jsonl";
}

absl::StatusOr<uint64_t> Spool::Requeue() {
  std::lock_guard<std::mutex> lock(mu_);
  ORIGO_ASSIGN_OR_RETURN(std::vector<DeadLetterInfo> letters, ListDeadLetters(dir_));
  std::vector<NewEvent> events;
  for (const DeadLetterInfo& letter : letters) {
    ORIGO_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(letter.events_file));
    ORIGO_ASSIGN_OR_RETURN(
        std::string error_text,
        ReadWholeFile(letter.events_file.substr(0, letter.events_file.size() - 6) + ".error"));
    std::vector<EventOrigin> origins;
    for (std::string_view line : Lines(error_text)) {
      if (line.substr(0, 7) != "origin ") continue;
      line.remove_prefix(7);
      size_t space = line.find(' ');
      EventOrigin origin;
      if (space == std::string_view::npos ||
          !absl::SimpleAtoi(AbslView(line.substr(0, space)), &origin.line)) {
        continue;
      }
      origin.source = std::string(line.substr(space + 1));
      origins.push_back(std::move(origin));
    }
    size_t i = 0;
    for (std::string_view line : Lines(text)) {
      if (line.empty()) continue;
      NewEvent event;
      event.bytes = std::string(line);
      event.origin = i < origins.size() ? origins[i] : EventOrigin{letter.events_file, i + 1};
      events.push_back(std::move(event));
      ++i;
    }
  }
  if (!events.empty()) ORIGO_RETURN_IF_ERROR(AppendLocked(events, NowUnixMs()));
  for (const DeadLetterInfo& letter : letters) {
    std::string base = letter.events_file.substr(0, letter.events_file.size() - 6);
    // The .error file goes first: a letter without it is no longer listed.
    unlink((base + ".error").c_str());
    unlink(letter.events_file.c_str());
  }
  if (!letters.empty()) ORIGO_RETURN_IF_ERROR(SyncDir(Join(dir_, kDeadDir)));
  return events.size();
}

void Spool::RecordAttempt(const absl::Status& status, int64_t now_unix_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (status.ok()) {
    last_delivery_unix_ms_ = now_unix_ms;
    if (now_unix_ms - state_written_unix_ms_ < kStateIntervalMs) {
      state_dirty_ = true;
      return;
    }
  } else {
    last_error_code_ = absl::StatusCodeToString(status.code());
    last_error_message_ = OneLine(std::string(status.message()));
    last_error_unix_ms_ = now_unix_ms;
  }
  state_written_unix_ms_ = now_unix_ms;
  WriteState();
}

void Spool::WriteState() {
  std::string text = "last-error-code " + last_error_code_ + "\n" + "last-error-message " +
                     last_error_message_ + "\n" + "last-error-unix-ms " +
                     std::to_string(last_error_unix_ms_) + "\n" + "last-delivery-unix-ms " +
                     std::to_string(last_delivery_unix_ms_) + "\n";
  ReplaceFile(Join(dir_, kStateFile), text, false).IgnoreError();  // informational only
  state_dirty_ = false;
}

uint64_t Spool::done() const {
  std::lock_guard<std::mutex> lock(mu_);
  return done_;
}

uint64_t Spool::spooled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return spooled_;
}

uint64_t Spool::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return spooled_ - done_;
}

}  // namespace origo::spool
