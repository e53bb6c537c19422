// End-to-end: the packing line offline (issue 7), through the built origod and origo binaries.
// Capture with the server down, a client killed with SIGKILL half way through an import, a
// server killed and restarted in the middle of a sync; scanner CSV with a template giving the
// same events as JSON lines; a watched folder; dead letters.

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "core/crypto/hash.h"
#include "tests/e2e/process.h"
#include "tests/test_util.h"

namespace origo::testing {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(60);
constexpr auto kWaitTimeout = std::chrono::seconds(120);
constexpr const char* kGrower = "91640521MA76GJ0Q1B";

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// The value of the first `"key":` in a JSON output: a number, or a string without escapes.
std::string JsonValue(const std::string& json, const std::string& key) {
  std::string needle = "\"" + key + "\":";
  size_t at = json.find(needle);
  if (at == std::string::npos) return "";
  at += needle.size();
  if (at < json.size() && json[at] == '"') {
    size_t end = json.find('"', at + 1);
    return end == std::string::npos ? "" : json.substr(at + 1, end - at - 1);
  }
  size_t end = json.find_first_of(",}", at);
  return json.substr(at, end - at);
}

uint64_t JsonUint(const std::string& json, const std::string& key) {
  uint64_t value = 0;
  if (!absl::SimpleAtoi(JsonValue(json, key), &value)) return UINT64_MAX;
  return value;
}

std::string EventId(const std::string& event) { return crypto::HexEncode(crypto::Sha256(event)); }

// `count` serialised goji cartons commissioned one second apart (canonical JSON).
std::vector<std::string> Cartons(const std::string& prefix, int first, int count) {
  std::vector<std::string> events;
  for (int i = first; i < first + count; ++i) {
    char line[1024];
    std::snprintf(line, sizeof(line),
                  "{\"action\":\"ADD\",\"bizLocation\":{\"id\":\"https://id.gs1.org/414/"
                  "6971234000019\"},\"bizStep\":\"commissioning\",\"disposition\":\"active\","
                  "\"epcList\":[\"https://id.gs1.org/01/06971234000415/21/%s%06d\"],"
                  "\"eventTime\":\"2026-09-%02dT%02d:%02d:%02d+08:00\","
                  "\"eventTimeZoneOffset\":\"+08:00\",\"readPoint\":{\"id\":\"https://id.gs1.org/"
                  "414/6971234000019/254/packing-1\"},\"type\":\"ObjectEvent\"}",
                  prefix.c_str(), i, 1 + (i / 36000) % 28, 8 + (i / 3600) % 10, (i / 60) % 60,
                  i % 60);
    events.push_back(line);
  }
  return events;
}

std::string Jsonl(const std::vector<std::string>& events, size_t from = 0,
                  size_t to = std::string::npos) {
  std::string text;
  for (size_t i = from; i < std::min(to, events.size()); ++i) text += events[i] + "\n";
  return text;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t length = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

struct Server {
  std::unique_ptr<Process> process;
  std::string grpc;
};

Server StartOrigod(const std::string& data, const std::string& listen = "127.0.0.1:0") {
  Server server;
  server.process = std::make_unique<Process>(std::vector<std::string>{
      ORIGOD_PATH, "--data", data, "--grpc-listen", listen, "--http-listen", "127.0.0.1:0"});
  server.grpc = std::string(
      absl::StripAsciiWhitespace(server.process->WaitForLine("gRPC", kStartTimeout).value_or("")));
  server.process->WaitForLine("ready", kStartTimeout);
  return server;
}

// Runs origo against one server, with one spool.
class Cli {
 public:
  Cli(std::string server, std::string spool)
      : server_(std::move(server)), spool_(std::move(spool)) {}

  std::vector<std::string> Argv(const std::vector<std::string>& args,
                                const std::string& token = "") const {
    std::vector<std::string> argv = {ORIGO_CLI_PATH, "--server", server_};
    if (!token.empty()) {
      argv.push_back("--token");
      argv.push_back(token);
    }
    argv.insert(argv.end(), args.begin(), args.end());
    // Every command that takes --spool gets this test's spool.
    for (const char* cmd : {"capture", "sync", "status", "requeue"}) {
      if (std::find(args.begin(), args.end(), cmd) != args.end()) {
        argv.push_back("--spool");
        argv.push_back(spool_);
        break;
      }
    }
    return argv;
  }

  CommandResult Run(const std::vector<std::string>& args, const std::string& token = "") const {
    return RunCommand(Argv(args, token));
  }

  std::string Status() const {
    CommandResult r = Run({"--json", "spool", "status"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return r.out;
  }

  // Polls `origo --json checkpoint` until the tree size is at least `size`; returns it.
  uint64_t WaitForTreeSize(uint64_t size) const {
    auto deadline = std::chrono::steady_clock::now() + kWaitTimeout;
    uint64_t got = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      CommandResult r = Run({"--json", "checkpoint"});
      if (r.exit_code == 0) {
        got = JsonUint(r.out, "tree_size");
        if (got != UINT64_MAX && got >= size) return got;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ADD_FAILURE() << "no checkpoint of size >= " << size << " in time; last " << got;
    return got;
  }

  // Whether the log holds the event with these bytes (verified with the pinned log key).
  bool InLog(const std::string& event, const std::string& vkey) const {
    CommandResult r = Run({"--json", "verify", EventId(event), "--log-key", vkey});
    if (r.exit_code == 0) {
      EXPECT_EQ(r.out.find("FAILED"), std::string::npos) << r.out;
      return true;
    }
    EXPECT_NE(r.out.find("NOT_FOUND"), std::string::npos) << r.out << r.err;
    return false;
  }

 private:
  std::string server_;
  std::string spool_;
};

// Registers the grower with a fresh key (already generated at `key`); returns a producer token.
std::string Onboard(const Cli& cli, const std::string& data, const std::string& key) {
  std::string regulator(absl::StripAsciiWhitespace(ReadText(data + "/bootstrap-token")));
  CommandResult reg = cli.Run({"enterprise", "register", "--usci", kGrower, "--name",
                               "Zhongning goji grower", "--sector", "goji"},
                              regulator);
  EXPECT_EQ(reg.exit_code, 0) << reg.out << reg.err;
  CommandResult add = cli.Run(
      {"enterprise", "key", "add", "--usci", kGrower, "--pub", key + ".pub", "--label", "line-1"},
      regulator);
  EXPECT_EQ(add.exit_code, 0) << add.out << add.err;
  CommandResult token =
      cli.Run({"--json", "token", "create", "--role", "producer", "--usci", kGrower}, regulator);
  EXPECT_EQ(token.exit_code, 0) << token.out << token.err;
  return JsonValue(token.out, "token");
}

// Writes all of `data` to a non-blocking fd, waiting for room; false after `timeout`.
bool WriteWithin(int fd, const std::string& data, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t done = 0;
  while (done < data.size()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    pollfd pfd{fd, POLLOUT, 0};
    poll(&pfd, 1, 100);
  }
  return true;
}

// Delivery one call per batch, or pipelined on one CaptureStream.
class OfflineE2ETest : public ::testing::TestWithParam<bool> {};

TEST_P(OfflineE2ETest, ClientKilledServerRestartedNothingLostNothingTwice) {
  const bool stream = GetParam();
  TempDir dir;
  const std::string data = dir.Sub("data");
  const std::string address = "127.0.0.1:" + std::to_string(FreePort());
  Cli cli(address, dir.Sub("spool"));
  const std::string key = dir.Sub("line.key");
  CommandResult gen = cli.Run({"key", "gen", "--out", key});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;

  // The server is down: 10,000 events are queued, and capture still succeeds.
  std::vector<std::string> first = Cartons("A", 0, 10000);
  WriteText(dir.Sub("first.jsonl"), Jsonl(first));
  CommandResult offline =
      cli.Run({"capture", "--usci", kGrower, "--key", key, dir.Sub("first.jsonl")});
  ASSERT_EQ(offline.exit_code, 0) << offline.out << offline.err;
  EXPECT_NE(offline.out.find("queued 10000 events (server unreachable)"), std::string::npos)
      << offline.out;
  EXPECT_EQ(JsonUint(cli.Status(), "pending"), 10000u);

  // A second import of 10,000 arrives through a pipe; the client is killed with SIGKILL once
  // 5,500 of them are queued (and half of the next line has arrived).
  std::vector<std::string> second = Cartons("B", 0, 10000);
  const std::string fifo = dir.Sub("scanner.fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  int writer = open(fifo.c_str(), O_RDWR | O_NONBLOCK);  // never blocks, never SIGPIPE
  ASSERT_GE(writer, 0);
  Process importing(cli.Argv({"capture", "--usci", kGrower, "--key", key, fifo}));
  ASSERT_TRUE(WriteWithin(writer, Jsonl(second, 0, 5500) + second[5500].substr(0, 100),
                          std::chrono::seconds(60)));
  uint64_t pending = 0;
  for (auto deadline = std::chrono::steady_clock::now() + kWaitTimeout;
       std::chrono::steady_clock::now() < deadline;) {
    pending = JsonUint(cli.Status(), "pending");
    if (pending >= 15500) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(pending, 15500u);
  importing.Signal(SIGKILL);
  EXPECT_EQ(importing.Wait(), -SIGKILL) << importing.err();
  close(writer);
  const std::string status = cli.Status();
  EXPECT_EQ(JsonUint(status, "pending"), 15500u) << status;
  EXPECT_EQ(JsonUint(status, "dead_letter_batches"), 0u) << status;
  EXPECT_EQ(JsonValue(status, "code"), "UNAVAILABLE") << status;  // the last error

  // The server comes up (on the address the events were queued for).
  Server server = StartOrigod(data, address);
  ASSERT_EQ(server.grpc, address) << server.process->err();
  const std::string producer = Onboard(cli, data, key);
  ASSERT_FALSE(producer.empty());
  const std::string vkey = dir.Sub("log.vkey");
  ASSERT_EQ(cli.Run({"log-key", "--out", vkey}).exit_code, 0);

  // Sync; kill the server in the middle of it and start it again: the sync resumes.
  std::vector<std::string> sync_args = {"sync",         "--usci", kGrower,      "--key", key,
                                        "--batch-size", "50",     "--max-wait", "120"};
  if (stream) sync_args.push_back("--stream");
  Process sync(cli.Argv(sync_args, producer));
  ASSERT_TRUE(sync.WaitForLine("batch 20:", kWaitTimeout).has_value()) << sync.err();
  server.process->Signal(SIGKILL);
  server.process->Wait();
  server = StartOrigod(data, address);
  ASSERT_EQ(server.grpc, address) << server.process->err();
  EXPECT_EQ(sync.Wait(), 0) << sync.out() << sync.err();
  EXPECT_NE(sync.err().find("server unreachable"), std::string::npos) << sync.err();
  EXPECT_NE(sync.out().find("nothing pending"), std::string::npos) << sync.out();

  // Exactly the queued events are in the log, none twice.
  EXPECT_EQ(cli.WaitForTreeSize(15500), 15500u);
  EXPECT_TRUE(cli.InLog(first.front(), vkey));
  EXPECT_TRUE(cli.InLog(first.back(), vkey));
  EXPECT_TRUE(cli.InLog(second.front(), vkey));
  EXPECT_TRUE(cli.InLog(second[5499], vkey));
  EXPECT_FALSE(cli.InLog(second[5500], vkey));
  EXPECT_EQ(JsonUint(cli.Status(), "pending"), 0u);

  // Nothing is left to send; a second sync changes nothing.
  CommandResult again = cli.Run({"sync", "--usci", kGrower, "--key", key}, producer);
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("nothing pending"), std::string::npos) << again.out;
  EXPECT_EQ(cli.WaitForTreeSize(15500), 15500u);

  server.process->Signal(SIGTERM);
  EXPECT_EQ(server.process->Wait(), 0) << server.process->err();
}

INSTANTIATE_TEST_SUITE_P(Delivery, OfflineE2ETest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Stream" : "Unary";
                         });

constexpr const char* kTemplate = R"({
  "type": "ObjectEvent",
  "bizStep": "commissioning",
  "disposition": "active",
  "readPoint": "https://id.gs1.org/414/6971234000019/254/packing-1",
  "bizLocation": "https://id.gs1.org/414/6971234000019",
  "eventTimeZoneOffset": "+08:00",
  "gtin": "06971234000415",
  "lot": "GJ{yyyy}{mm}{dd}",
  "uom": "KGM"
})";

TEST(SpoolE2ETest, ScannerCsvWithATemplateMakesTheSameEventsAsJsonLines) {
  TempDir dir;
  const std::string data = dir.Sub("data");
  Server server = StartOrigod(data);
  ASSERT_FALSE(server.grpc.empty()) << server.process->err();
  Cli cli(server.grpc, dir.Sub("spool"));
  const std::string key = dir.Sub("line.key");
  ASSERT_EQ(cli.Run({"key", "gen", "--out", key}).exit_code, 0);
  const std::string producer = Onboard(cli, data, key);

  // 20 scans: 15 cartons by serial, 5 bulk weighings of the day's lot.
  std::string csv = "time,code,quantity,unit\n";
  std::vector<std::string> jsonl = Cartons("C", 0, 15);
  for (int i = 0; i < 15; ++i) {
    char row[128];
    std::snprintf(row, sizeof(row), "2026-09-01 08:%02d:%02d,C%06d,,\n", i / 60, i % 60, i);
    csv += row;
  }
  for (int i = 0; i < 5; ++i) {
    char row[128];
    std::snprintf(row, sizeof(row), "2026-09-02T10:00:%02d+08:00,,%d.50,\n", i, 10 + i);
    csv += row;
    jsonl.push_back(
        "{\"action\":\"ADD\",\"bizLocation\":{\"id\":\"https://id.gs1.org/414/6971234000019\"},"
        "\"bizStep\":\"commissioning\",\"disposition\":\"active\",\"eventTime\":\"2026-09-02T10:"
        "00:0" +
        std::to_string(i) +
        "+08:00\",\"eventTimeZoneOffset\":\"+08:00\",\"quantityList\":[{\"epcClass\":"
        "\"https://id.gs1.org/01/06971234000415/10/GJ20260902\",\"quantity\":" +
        std::to_string(10 + i) +
        ".5,\"uom\":\"KGM\"}],\"readPoint\":{\"id\":\"https://id.gs1.org/414/6971234000019/254/"
        "packing-1\"},\"type\":\"ObjectEvent\"}");
  }
  WriteText(dir.Sub("pack.json"), kTemplate);
  WriteText(dir.Sub("scans.csv"), csv);
  WriteText(dir.Sub("scans.jsonl"), Jsonl(jsonl));

  // The conversion, shown without queueing anything, is the JSON lines byte for byte.
  CommandResult dry =
      cli.Run({"capture", "--template", dir.Sub("pack.json"), "--dry-run", dir.Sub("scans.csv")});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(dry.out, Jsonl(jsonl));

  CommandResult from_csv = cli.Run({"--json", "capture", "--usci", kGrower, "--key", key,
                                    "--template", dir.Sub("pack.json"), dir.Sub("scans.csv")},
                                   producer);
  ASSERT_EQ(from_csv.exit_code, 0) << from_csv.out << from_csv.err;
  EXPECT_EQ(JsonUint(from_csv.out, "queued"), 20u) << from_csv.out;
  EXPECT_EQ(JsonUint(from_csv.out, "stored"), 20u) << from_csv.out;
  // The same events as JSON lines are all duplicates: the same bytes, the same event ids.
  CommandResult from_jsonl = cli.Run(
      {"--json", "capture", "--usci", kGrower, "--key", key, dir.Sub("scans.jsonl")}, producer);
  ASSERT_EQ(from_jsonl.exit_code, 0) << from_jsonl.out << from_jsonl.err;
  EXPECT_EQ(JsonUint(from_jsonl.out, "stored"), 0u) << from_jsonl.out;
  EXPECT_EQ(JsonUint(from_jsonl.out, "duplicates"), 20u) << from_jsonl.out;
  EXPECT_EQ(cli.WaitForTreeSize(20), 20u);
  const std::string vkey = dir.Sub("log.vkey");
  ASSERT_EQ(cli.Run({"log-key", "--out", vkey}).exit_code, 0);
  EXPECT_TRUE(cli.InLog(jsonl[3], vkey));
  EXPECT_TRUE(cli.InLog(jsonl[17], vkey));

  server.process->Signal(SIGTERM);
  EXPECT_EQ(server.process->Wait(), 0) << server.process->err();
}

TEST(SpoolE2ETest, WatchedFolderAndDeadLetters) {
  TempDir dir;
  const std::string data = dir.Sub("data");
  Server server = StartOrigod(data);
  ASSERT_FALSE(server.grpc.empty()) << server.process->err();
  Cli cli(server.grpc, dir.Sub("spool"));
  const std::string key = dir.Sub("line.key");
  ASSERT_EQ(cli.Run({"key", "gen", "--out", key}).exit_code, 0);
  const std::string producer = Onboard(cli, data, key);
  const std::string vkey = dir.Sub("log.vkey");
  ASSERT_EQ(cli.Run({"log-key", "--out", vkey}).exit_code, 0);
  WriteText(dir.Sub("pack.json"), kTemplate);
  const std::string inbox = dir.Sub("inbox");
  ASSERT_EQ(mkdir(inbox.c_str(), 0755), 0);

  Process watching(cli.Argv({"capture", "--usci", kGrower, "--key", key, "--template",
                             dir.Sub("pack.json"), "--watch", inbox},
                            producer));
  // A good CSV and a JSONL file with a malformed line 4.
  std::string csv = "time,code\n";
  for (int i = 0; i < 12; ++i) {
    char row[64];
    std::snprintf(row, sizeof(row), "2026-09-03 07:00:%02d,W%06d\n", i, i);
    csv += row;
  }
  std::vector<std::string> bad = Cartons("X", 0, 5);
  std::string bad_text = bad[0] + "\n" + bad[1] + "\n" + bad[2] + "\n" +
                         bad[3].substr(0, bad[3].size() - 1) + ",}\n" + bad[4] + "\n";
  WriteText(inbox + "/good.csv.part", csv);
  ASSERT_EQ(rename((inbox + "/good.csv.part").c_str(), (inbox + "/good.csv").c_str()), 0);
  WriteText(inbox + "/bad.jsonl", bad_text);

  for (auto deadline = std::chrono::steady_clock::now() + kWaitTimeout;
       std::chrono::steady_clock::now() < deadline &&
       !(Exists(inbox + "/done/good.csv") && Exists(inbox + "/failed/bad.jsonl.error"));) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(Exists(inbox + "/done/good.csv"));
  ASSERT_TRUE(Exists(inbox + "/failed/bad.jsonl"));
  EXPECT_FALSE(Exists(inbox + "/good.csv"));
  EXPECT_FALSE(Exists(inbox + "/bad.jsonl"));
  const std::string error = ReadText(inbox + "/failed/bad.jsonl.error");
  EXPECT_NE(error.find("bad.jsonl line 4: json: "), std::string::npos) << error;
  EXPECT_EQ(cli.WaitForTreeSize(12), 12u);
  for (auto deadline = std::chrono::steady_clock::now() + kWaitTimeout;
       std::chrono::steady_clock::now() < deadline && JsonUint(cli.Status(), "pending") != 0;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  watching.Signal(SIGTERM);
  EXPECT_EQ(watching.Wait(), 0) << watching.out() << watching.err();
  EXPECT_NE(watching.out().find("good.csv: queued 12 events"), std::string::npos) << watching.out();
  // Nothing of the bad file was sent, not even its good lines.
  EXPECT_FALSE(cli.InLog(bad[0], vkey));
  EXPECT_EQ(cli.WaitForTreeSize(12), 12u);

  // An event the server rejects (valid JSON, no eventTime): its batch becomes a dead letter,
  // the other batches are captured, and status shows it.
  std::vector<std::string> mixed = Cartons("M", 0, 4);
  std::string invalid = mixed[2];
  size_t time_at = invalid.find("\"eventTime\":");
  invalid.erase(time_at, invalid.find(',', time_at) + 1 - time_at);
  WriteText(dir.Sub("mixed.jsonl"), mixed[0] + "\n" + mixed[1] + "\n" + invalid + "\n" + mixed[3]);
  CommandResult rejected = cli.Run(
      {"capture", "--usci", kGrower, "--key", key, "--batch-size", "2", dir.Sub("mixed.jsonl")},
      producer);
  EXPECT_EQ(rejected.exit_code, 1) << rejected.out << rejected.err;
  EXPECT_NE(rejected.out.find("batch 1: 2 events, 2 stored"), std::string::npos) << rejected.out;
  EXPECT_NE(rejected.err.find("rejected batch 2 (" + dir.Sub("mixed.jsonl") +
                              " line 3): event 0: eventTime"),
            std::string::npos)
      << rejected.err;
  const std::string status = cli.Status();
  EXPECT_EQ(JsonUint(status, "pending"), 0u) << status;
  EXPECT_EQ(JsonUint(status, "dead_letter_batches"), 1u) << status;
  EXPECT_EQ(JsonUint(status, "dead_letter_events"), 2u) << status;
  EXPECT_NE(status.find("\"code\":\"INVALID_ARGUMENT\""), std::string::npos) << status;
  EXPECT_EQ(cli.WaitForTreeSize(14), 14u);
  EXPECT_FALSE(cli.InLog(mixed[3], vkey));  // in the dead letter with the invalid event
  CommandResult text_status = cli.Run({"spool", "status"});
  EXPECT_NE(text_status.out.find("mixed.jsonl lines 3..4: INVALID_ARGUMENT: event 0: eventTime"),
            std::string::npos)
      << text_status.out;

  // Requeued, the dead letter is sent again (and rejected again: the event is still invalid).
  CommandResult requeue = cli.Run({"spool", "requeue", "--usci", kGrower});
  EXPECT_EQ(requeue.exit_code, 0) << requeue.out << requeue.err;
  EXPECT_EQ(JsonUint(cli.Status(), "pending"), 2u);
  CommandResult resync = cli.Run({"sync", "--usci", kGrower, "--key", key}, producer);
  EXPECT_EQ(resync.exit_code, 1) << resync.out << resync.err;
  EXPECT_NE(resync.err.find("mixed.jsonl line 3): event 0: eventTime"), std::string::npos)
      << resync.err;
  EXPECT_EQ(JsonUint(cli.Status(), "dead_letter_batches"), 1u);

  server.process->Signal(SIGTERM);
  EXPECT_EQ(server.process->Wait(), 0) << server.process->err();
}

TEST(SpoolE2ETest, FollowDeliversAsTheScannerWrites) {
  TempDir dir;
  const std::string data = dir.Sub("data");
  Server server = StartOrigod(data);
  ASSERT_FALSE(server.grpc.empty()) << server.process->err();
  Cli cli(server.grpc, dir.Sub("spool"));
  const std::string key = dir.Sub("line.key");
  ASSERT_EQ(cli.Run({"key", "gen", "--out", key}).exit_code, 0);
  const std::string producer = Onboard(cli, data, key);

  std::vector<std::string> events = Cartons("F", 0, 30);
  const std::string log = dir.Sub("scanner.jsonl");
  WriteText(log, Jsonl(events, 0, 10) + events[10].substr(0, 50));  // a line half written
  Process following(
      cli.Argv({"capture", "--usci", kGrower, "--key", key, "--follow", log}, producer));
  EXPECT_EQ(cli.WaitForTreeSize(10), 10u);
  std::ofstream(log, std::ios::binary | std::ios::app) << events[10].substr(50) << "\n"
                                                       << Jsonl(events, 11, 30);
  EXPECT_EQ(cli.WaitForTreeSize(30), 30u);
  following.Signal(SIGTERM);
  EXPECT_EQ(following.Wait(), 0) << following.out() << following.err();
  EXPECT_EQ(JsonUint(cli.Status(), "pending"), 0u);
  const std::string vkey = dir.Sub("log.vkey");
  ASSERT_EQ(cli.Run({"log-key", "--out", vkey}).exit_code, 0);
  EXPECT_TRUE(cli.InLog(events[10], vkey));

  server.process->Signal(SIGTERM);
  EXPECT_EQ(server.process->Wait(), 0) << server.process->err();
}

TEST(SpoolE2ETest, SpoolCommandsHaveHelp) {
  for (std::vector<std::string> command : std::vector<std::vector<std::string>>{
           {"capture"}, {"sync"}, {"spool", "status"}, {"spool", "requeue"}}) {
    std::vector<std::string> argv = {ORIGO_CLI_PATH};
    argv.insert(argv.end(), command.begin(), command.end());
    argv.push_back("--help");
    CommandResult help = RunCommand(argv);
    EXPECT_EQ(help.exit_code, 0) << command.back();
    EXPECT_NE(help.out.find("Usage"), std::string::npos) << command.back() << help.out;
  }
  CommandResult capture_help = RunCommand({ORIGO_CLI_PATH, "capture", "--help"});
  EXPECT_NE(capture_help.out.find("checks only that each line is a JSON object"),
            std::string::npos);
}

}  // namespace
}  // namespace origo::testing
