// The packing line's spool (clients/spool): durable appends, crash recovery at every byte of a
// torn write, the delivery cursor, segment clean-up, dead letters, the lock, status without the
// lock, and the retry backoff.

#include "clients/spool/spool.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "clients/spool/backoff.h"
#include "clients/spool/crc32c.h"
#include "clients/spool/sender.h"
#include "tests/test_util.h"

namespace origo::spool {
namespace {

using ::origo::testing::TempDir;
namespace fs = std::filesystem;

constexpr const char* kUsci = "91640521MA76GJ0Q1B";
constexpr const char* kServer = "127.0.0.1:50051";

SpoolOptions Options(uint64_t segment_bytes = 64 << 20) {
  SpoolOptions options;
  options.usci = kUsci;
  options.server = kServer;
  options.segment_bytes = segment_bytes;
  options.lock_wait = std::chrono::milliseconds(100);
  return options;
}

std::string Event(int i) { return "{\"type\":\"ObjectEvent\",\"n\":" + std::to_string(i) + "}"; }

std::vector<NewEvent> Events(int first, int count, const std::string& source = "scan.jsonl") {
  std::vector<NewEvent> events;
  for (int i = first; i < first + count; ++i) {
    events.push_back({Event(i), {source, static_cast<uint64_t>(i + 1)}});
  }
  return events;
}

std::vector<std::string> SegmentFiles(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename();
    if (name.rfind("seg-", 0) == 0) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void AppendBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::app) << bytes;
}

// An event record as the segment grammar writes it.
std::string EventRecord(const std::string& event, const std::string& source, uint64_t line) {
  std::string body(1, '\x01');
  for (int shift = 56; shift >= 0; shift -= 8) body.push_back(static_cast<char>(line >> shift));
  body.push_back(static_cast<char>(source.size() >> 8));
  body.push_back(static_cast<char>(source.size()));
  body += source + event;
  std::string record;
  uint32_t length = static_cast<uint32_t>(body.size()), crc = Crc32c(body);
  for (int shift = 24; shift >= 0; shift -= 8) record.push_back(static_cast<char>(length >> shift));
  for (int shift = 24; shift >= 0; shift -= 8) record.push_back(static_cast<char>(crc >> shift));
  return record + body;
}

TEST(Crc32cTest, CheckValue) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
  EXPECT_EQ(Crc32c("56789", Crc32c("1234")), 0xE3069283u);
}

TEST(SpoolTest, AppendedEventsSurviveReopenWithOrigins) {
  TempDir dir;
  const std::string q = dir.Sub("q");
  {
    auto spool = Spool::Open(q, Options());
    ASSERT_TRUE(spool.ok()) << spool.status();
    ASSERT_TRUE((*spool)->Append(Events(0, 3)).ok());
    ASSERT_TRUE((*spool)->Append(Events(3, 2, "b.csv")).ok());
    EXPECT_EQ((*spool)->spooled(), 5u);
    EXPECT_EQ((*spool)->pending(), 5u);
  }
  struct stat st;
  ASSERT_EQ(stat(q.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  auto spool = Spool::Open(q, Options());
  ASSERT_TRUE(spool.ok()) << spool.status();
  EXPECT_EQ((*spool)->spooled(), 5u);
  auto events = (*spool)->Read(0, 10);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ((*events)[i].seq, static_cast<uint64_t>(i));
    EXPECT_EQ((*events)[i].bytes, Event(i));
    EXPECT_EQ((*events)[i].origin.line, static_cast<uint64_t>(i + 1));
    EXPECT_GT((*events)[i].spooled_unix_ms, 0);
  }
  EXPECT_EQ((*events)[4].origin.source, "b.csv");
  EXPECT_EQ(DescribeOrigins(*events), "scan.jsonl line 1 .. b.csv line 5");
}

TEST(SpoolTest, CursorMovesOnlyForwardAndPersists) {
  TempDir dir;
  {
    auto spool = Spool::Open(dir.Sub("q"), Options());
    ASSERT_TRUE(spool.ok());
    ASSERT_TRUE((*spool)->Append(Events(0, 10)).ok());
    ASSERT_TRUE((*spool)->Ack(4).ok());
    EXPECT_EQ((*spool)->Ack(3).code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ((*spool)->Ack(11).code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ((*spool)->Read(3, 1).status().code(), absl::StatusCode::kOutOfRange);
  }
  auto spool = Spool::Open(dir.Sub("q"), Options());
  ASSERT_TRUE(spool.ok());
  EXPECT_EQ((*spool)->done(), 4u);
  EXPECT_EQ((*spool)->pending(), 6u);
  auto next = (*spool)->Read((*spool)->done(), 3);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->size(), 3u);
  EXPECT_EQ(next->front().bytes, Event(4));
}

TEST(SpoolTest, EventsMustBeOneNonEmptyLine) {
  TempDir dir;
  auto spool = Spool::Open(dir.Sub("q"), Options());
  ASSERT_TRUE(spool.ok());
  std::vector<NewEvent> events = Events(0, 2);
  events[1].bytes = "{\"a\":\n1}";
  absl::Status status = (*spool)->Append(events);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("scan.jsonl line 2"), std::string::npos) << status;
  EXPECT_EQ((*spool)->spooled(), 0u);  // all or nothing
  events[1].bytes = "";
  EXPECT_EQ((*spool)->Append(events).code(), absl::StatusCode::kInvalidArgument);
}

// A crash can stop a write anywhere: cut the last commit at every byte and reopen. Only whole
// commits are queued; the next append continues cleanly after them.
TEST(SpoolTest, TornWriteAtAnyByteRecoversToTheLastCommit) {
  TempDir dir;
  const std::string q = dir.Sub("q");
  uint64_t after_first = 0, after_second = 0;
  {
    auto spool = Spool::Open(q, Options());
    ASSERT_TRUE(spool.ok());
    ASSERT_TRUE((*spool)->Append(Events(0, 2)).ok());
    after_first = fs::file_size(SegmentFiles(q).back());
    ASSERT_TRUE((*spool)->Append(Events(2, 3)).ok());
    after_second = fs::file_size(SegmentFiles(q).back());
  }
  const std::string segment_name = fs::path(SegmentFiles(q).back()).filename();
  for (uint64_t cut = after_first; cut < after_second; ++cut) {
    SCOPED_TRACE("cut at byte " + std::to_string(cut));
    const std::string copy = dir.Sub("copy");
    fs::remove_all(copy);
    fs::copy(q, copy);
    fs::remove(copy + "/LOCK");
    fs::resize_file(copy + "/" + segment_name, cut);
    {
      auto spool = Spool::Open(copy, Options());
      ASSERT_TRUE(spool.ok()) << spool.status();
      EXPECT_EQ((*spool)->spooled(), 2u);
      if ((cut - after_first) % 8 != 0) continue;  // appending after it: a sample of the cuts
      ASSERT_TRUE((*spool)->Append(Events(10, 1)).ok());
    }
    auto spool = Spool::Open(copy, Options());
    ASSERT_TRUE(spool.ok()) << spool.status();
    auto events = (*spool)->Read(0, 10);
    ASSERT_TRUE(events.ok());
    ASSERT_EQ(events->size(), 3u);
    EXPECT_EQ((*events)[1].bytes, Event(1));
    EXPECT_EQ((*events)[2].bytes, Event(10));
    EXPECT_EQ((*events)[2].seq, 2u);
  }
}

TEST(SpoolTest, EventsWithoutACommitAreNotQueued) {
  TempDir dir;
  const std::string q = dir.Sub("q");
  {
    auto spool = Spool::Open(q, Options());
    ASSERT_TRUE(spool.ok());
    ASSERT_TRUE((*spool)->Append(Events(0, 1)).ok());
  }
  // Two complete, checksummed event records, but the commit never made it.
  AppendBytes(SegmentFiles(q).back(),
              EventRecord(Event(1), "scan.jsonl", 2) + EventRecord(Event(2), "scan.jsonl", 3));
  auto status = ReadQueueStatus(q);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->pending, 1u);
  auto spool = Spool::Open(q, Options());
  ASSERT_TRUE(spool.ok()) << spool.status();
  EXPECT_EQ((*spool)->spooled(), 1u);
}

TEST(SpoolTest, GarbageAfterTheLastCommitIsCutOff) {
  TempDir dir;
  const std::string q = dir.Sub("q");
  {
    auto spool = Spool::Open(q, Options());
    ASSERT_TRUE(spool.ok());
    ASSERT_TRUE((*spool)->Append(Events(0, 2)).ok());
  }
  const std::string segment = SegmentFiles(q).back();
  const uint64_t good = fs::file_size(segment);
  std::string flipped = EventRecord(Event(2), "scan.jsonl", 3);
  flipped.back() ^= 0x01;  // checksum mismatch
  AppendBytes(segment, flipped);
  {
    auto spool = Spool::Open(q, Options());
    ASSERT_TRUE(spool.ok()) << spool.status();
    EXPECT_EQ((*spool)->spooled(), 2u);
  }
  EXPECT_EQ(fs::file_size(segment), good);
}

TEST(SpoolTest, DamageBeforeTheLastSegmentIsDataLoss) {
  TempDir dir;
  const std::string q = dir.Sub("q");
  {
    auto spool = Spool::Open(q, Options(/*segment_bytes=*/200));
    ASSERT_TRUE(spool.ok());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE((*spool)->Append(Events(i * 3, 3)).ok());
  }
  std::vector<std::string> segments = SegmentFiles(q);
  ASSERT_GE(segments.size(), 3u);
  std::string bytes = ReadAll(segments[0]);
  bytes[bytes.size() - 3] ^= 0x40;
  std::ofstream(segments[0], std::ios::binary | std::ios::trunc) << bytes;
  auto spool = Spool::Open(q, Options(200));
  EXPECT_EQ(spool.status().code(), absl::StatusCode::kDataLoss) << spool.status();
  EXPECT_NE(spool.status().message().find(fs::path(segments[0]).filename().string()),
            std::string::npos);
  EXPECT_EQ(ReadQueueStatus(q).status().code(), absl::StatusCode::kDataLoss);
}

TEST(SpoolTest, DoneSegmentsAreDeletedAndNumberingContinues) {
  TempDir dir;
  const std::string q = dir.Sub("q");
  {
    auto spool = Spool::Open(q, Options(200));
    ASSERT_TRUE(spool.ok());
    for (int i = 0; i < 6; ++i) ASSERT_TRUE((*spool)->Append(Events(i * 2, 2)).ok());
    size_t before = SegmentFiles(q).size();
    ASSERT_GE(before, 3u);
    ASSERT_TRUE((*spool)->Ack(5).ok());
    EXPECT_LT(SegmentFiles(q).size(), before);
    auto rest = (*spool)->Read(5, 100);
    ASSERT_TRUE(rest.ok()) << rest.status();
    EXPECT_EQ(rest->size(), 7u);
    EXPECT_EQ(rest->front().bytes, Event(5));
    ASSERT_TRUE((*spool)->Ack(12).ok());
    EXPECT_TRUE(SegmentFiles(q).empty());
  }
  auto spool = Spool::Open(q, Options(200));
  ASSERT_TRUE(spool.ok()) << spool.status();
  EXPECT_EQ((*spool)->spooled(), 12u);
  EXPECT_EQ((*spool)->pending(), 0u);
  ASSERT_TRUE((*spool)->Append(Events(100, 1)).ok());
  auto events = (*spool)->Read(12, 5);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().seq, 12u);
  EXPECT_EQ(events->front().bytes, Event(100));
}

TEST(SpoolTest, DeadLettersAreListedAndRequeued) {
  TempDir dir;
  const std::string q = dir.Sub("q");
  auto spool = Spool::Open(q, Options());
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE((*spool)->Append(Events(0, 4)).ok());
  auto batch = (*spool)->Read(0, 2);
  ASSERT_TRUE(batch.ok());
  auto later = (*spool)->Read(2, 2);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ((*spool)->DeadLetter(*later, absl::InvalidArgumentError("x"), 1).status().code(),
            absl::StatusCode::kInvalidArgument);  // must start at the cursor
  auto dead = (*spool)->DeadLetter(
      *batch, absl::InvalidArgumentError("event 1: eventTime: required\nsecond line"), 1234);
  ASSERT_TRUE(dead.ok()) << dead.status();
  EXPECT_EQ(ReadAll(*dead), Event(0) + "\n" + Event(1) + "\n");
  EXPECT_EQ((*spool)->done(), 2u);

  auto status = ReadQueueStatus(q);
  ASSERT_TRUE(status.ok()) << status.status();
  ASSERT_EQ(status->dead_letters.size(), 1u);
  const DeadLetterInfo& letter = status->dead_letters[0];
  EXPECT_EQ(letter.events_file, *dead);
  EXPECT_EQ(letter.events, 2u);
  EXPECT_EQ(letter.code, "INVALID_ARGUMENT");
  EXPECT_EQ(letter.message, "event 1: eventTime: required second line");
  EXPECT_EQ(letter.lines, "scan.jsonl lines 1..2");
  EXPECT_EQ(letter.rejected_unix_ms, 1234);
  EXPECT_EQ(status->pending, 2u);

  auto requeued = (*spool)->Requeue();
  ASSERT_TRUE(requeued.ok()) << requeued.status();
  EXPECT_EQ(*requeued, 2u);
  EXPECT_EQ((*spool)->pending(), 4u);
  auto again = (*spool)->Read(4, 10);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 2u);
  EXPECT_EQ((*again)[0].bytes, Event(0));
  EXPECT_EQ((*again)[1].origin.source, "scan.jsonl");
  EXPECT_EQ((*again)[1].origin.line, 2u);
  EXPECT_TRUE(ReadQueueStatus(q)->dead_letters.empty());
}

TEST(SpoolTest, OneProcessAtATimeAndStatusWithoutTheLock) {
  TempDir dir;
  const std::string q = dir.Sub("q");
  auto first = Spool::Open(q, Options());
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE((*first)->Append(Events(0, 3)).ok());
  // flock locks belong to the open file description, so another open in this process conflicts
  // just as another process would.
  auto second = Spool::Open(q, Options());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("pid " + std::to_string(getpid())), std::string::npos)
      << second.status();
  auto status = ReadQueueStatus(q);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->pending, 3u);
  ASSERT_TRUE(status->locked_by.has_value());
  EXPECT_EQ(*status->locked_by, getpid());
  first->reset();
  EXPECT_FALSE(ReadQueueStatus(q)->locked_by.has_value());
  EXPECT_TRUE(Spool::Open(q, Options()).ok());
}

TEST(SpoolTest, AQueueBelongsToOneEnterpriseAndServer) {
  TempDir dir;
  ASSERT_TRUE(Spool::Open(dir.Sub("q"), Options()).ok());
  SpoolOptions other = Options();
  other.server = "10.0.0.1:50051";
  auto opened = Spool::Open(dir.Sub("q"), other);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(opened.status().message().find("127.0.0.1:50051"), std::string::npos);
  EXPECT_EQ(QueueDir("/s", kUsci, "[::1]:50051"), std::string("/s/") + kUsci + "@___1__50051");
}

TEST(SpoolTest, StatusShowsPendingAgeAndLastError) {
  TempDir dir;
  const std::string root = dir.Sub("spool");
  const std::string q = QueueDir(root, kUsci, kServer);
  {
    auto spool = Spool::Open(q, Options());
    ASSERT_TRUE(spool.ok());
    ASSERT_TRUE((*spool)->Append(Events(0, 5)).ok());
    ASSERT_TRUE((*spool)->Ack(2).ok());
    (*spool)->RecordAttempt(absl::UnavailableError("connection refused"), 42);
  }
  auto all = ReadSpoolStatus(root);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 1u);
  const QueueStatus& s = all->front();
  EXPECT_EQ(s.usci, kUsci);
  EXPECT_EQ(s.server, kServer);
  EXPECT_EQ(s.spooled, 5u);
  EXPECT_EQ(s.done, 2u);
  EXPECT_EQ(s.pending, 3u);
  ASSERT_TRUE(s.oldest_pending_unix_ms.has_value());
  EXPECT_GT(*s.oldest_pending_unix_ms, 0);
  EXPECT_EQ(s.last_error_code, "UNAVAILABLE");
  EXPECT_EQ(s.last_error_message, "connection refused");
  EXPECT_EQ(s.last_error_unix_ms, 42);
  EXPECT_TRUE(ReadSpoolStatus(dir.Sub("none"))->empty());
}

// kill -9 while appending: whatever Append returned OK for is there after reopening, in order,
// and nothing else but whole commits.
TEST(SpoolTest, KilledWhileAppendingLosesNothingAcknowledged) {
  TempDir dir;
  const std::string q = dir.Sub("q");
  int report[2];
  ASSERT_EQ(pipe(report), 0);
  pid_t child = fork();
  if (child == 0) {
    close(report[0]);
    auto spool = Spool::Open(q, Options(4096));
    if (!spool.ok()) _exit(2);
    for (int i = 0;; ++i) {
      if (!(*spool)->Append(Events(i * 7, 7)).ok()) _exit(3);
      uint32_t commits = static_cast<uint32_t>(i + 1);
      if (write(report[1], &commits, sizeof(commits)) != sizeof(commits)) _exit(4);
    }
  }
  close(report[1]);
  uint32_t acknowledged = 0, value = 0;
  while (acknowledged < 40 && read(report[0], &value, sizeof(value)) == sizeof(value)) {
    acknowledged = value;
  }
  kill(child, SIGKILL);
  int wstatus = 0;
  waitpid(child, &wstatus, 0);
  while (read(report[0], &value, sizeof(value)) == sizeof(value)) acknowledged = value;
  close(report[0]);
  ASSERT_GE(acknowledged, 40u);
  auto spool = Spool::Open(q, Options(4096));
  ASSERT_TRUE(spool.ok()) << spool.status();
  uint64_t spooled = (*spool)->spooled();
  EXPECT_GE(spooled, uint64_t{acknowledged} * 7);
  EXPECT_EQ(spooled % 7, 0u);
  auto events = (*spool)->Read(0, spooled);
  ASSERT_TRUE(events.ok()) << events.status();
  for (uint64_t i = 0; i < spooled; ++i) {
    ASSERT_EQ((*events)[i].bytes, Event(static_cast<int>(i)));
  }
}

TEST(BackoffTest, GrowsToTheCapWithJitterAndResets) {
  BackoffPolicy policy;
  policy.initial = std::chrono::milliseconds(100);
  policy.max = std::chrono::milliseconds(1000);
  policy.multiplier = 2;
  policy.jitter = 0.5;
  Backoff backoff(policy, 7);
  const int64_t delays[] = {100, 200, 400, 800, 1000, 1000, 1000};
  for (int64_t delay : delays) {
    int64_t wait = backoff.Next().count();
    EXPECT_LE(wait, delay);
    EXPECT_GE(wait, delay / 2);
  }
  backoff.Reset();
  EXPECT_LE(backoff.Next().count(), 100);
  // Jitter spreads clients out.
  std::set<int64_t> seen;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    Backoff b(policy, seed);
    seen.insert(b.Next().count());
  }
  EXPECT_GT(seen.size(), 5u);
}

TEST(SenderTest, ErrorKinds) {
  EXPECT_EQ(Classify(absl::StatusCode::kUnavailable), ErrorKind::kTransient);
  EXPECT_EQ(Classify(absl::StatusCode::kDeadlineExceeded), ErrorKind::kTransient);
  EXPECT_EQ(Classify(absl::StatusCode::kResourceExhausted), ErrorKind::kTransient);
  EXPECT_EQ(Classify(absl::StatusCode::kInvalidArgument), ErrorKind::kRejected);
  EXPECT_EQ(Classify(absl::StatusCode::kPermissionDenied), ErrorKind::kRejected);
  EXPECT_EQ(Classify(absl::StatusCode::kUnauthenticated), ErrorKind::kFatal);
}

}  // namespace
}  // namespace origo::spool
