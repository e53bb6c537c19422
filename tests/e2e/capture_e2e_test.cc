// End-to-end: signed capture and the transparency log, through the built origod and origo
// binaries on a temp directory and free ports.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/crypto/hash.h"
#include "tests/e2e/process.h"
#include "tests/test_util.h"

namespace origo::testing {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(60);
constexpr auto kCheckpointTimeout = std::chrono::seconds(180);
constexpr const char* kGrower = "91640521MA76GJ0Q1B";
constexpr const char* kExporter = "91640100MA77XL2X3M";

struct RunningServer {
  std::unique_ptr<Process> process;
  std::string grpc;
};

RunningServer StartOrigod(const std::string& data_dir) {
  RunningServer server;
  server.process = std::make_unique<Process>(
      std::vector<std::string>{ORIGOD_PATH, "--data", data_dir, "--grpc-listen", "127.0.0.1:0",
                               "--http-listen", "127.0.0.1:0"});
  std::string grpc = server.process->WaitForLine("gRPC", kStartTimeout).value_or("");
  server.grpc = std::string(absl::StripAsciiWhitespace(grpc));
  server.process->WaitForLine("ready", kStartTimeout);
  return server;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

// The value of the first `"key":` in a flat JSON output: a number, or a string without escapes.
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

// `count` valid ObjectEvents: serialised goji cartons commissioned one second apart.
std::vector<std::string> ObjectEvents(int first, int count) {
  std::vector<std::string> events;
  for (int i = first; i < first + count; ++i) {
    char serial[16];
    std::snprintf(serial, sizeof(serial), "S%06d", i);
    int minutes = (i / 60) % 60, seconds = i % 60, hour = 8 + (i / 3600) % 10;
    char time[40];
    std::snprintf(time, sizeof(time), "2026-09-01T%02d:%02d:%02d+08:00", hour, minutes, seconds);
    events.push_back(std::string("{\"type\": \"ObjectEvent\", \"eventTime\": \"") + time +
                     "\", \"eventTimeZoneOffset\": \"+08:00\", \"action\": \"ADD\", "
                     "\"bizStep\": \"commissioning\", \"disposition\": \"active\", "
                     "\"epcList\": [\"https://id.gs1.org/01/06971234000415/21/" +
                     serial +
                     "\"], \"readPoint\": {\"id\": "
                     "\"https://id.gs1.org/414/6971234000019/254/packing-1\"}, "
                     "\"bizLocation\": {\"id\": \"https://id.gs1.org/414/6971234000019\"}}");
  }
  return events;
}

std::string Jsonl(const std::vector<std::string>& events) {
  std::string text;
  for (const std::string& e : events) text += e + "\n";
  return text;
}

// Runs origo against one server.
class Cli {
 public:
  explicit Cli(std::string server) : server_(std::move(server)) {}
  void set_server(std::string server) { server_ = std::move(server); }

  CommandResult Run(const std::vector<std::string>& args, const std::string& token = "") const {
    std::vector<std::string> argv = {ORIGO_CLI_PATH, "--server", server_};
    if (!token.empty()) {
      argv.push_back("--token");
      argv.push_back(token);
    }
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  }

  // Polls `origo --json checkpoint` until the signed tree size is at least `size`; returns the
  // last output.
  std::string WaitForCheckpoint(uint64_t size, const std::string& vkey_file) const {
    auto deadline = std::chrono::steady_clock::now() + kCheckpointTimeout;
    std::string last;
    while (std::chrono::steady_clock::now() < deadline) {
      CommandResult r = Run({"--json", "checkpoint", "--log-key", vkey_file});
      last = r.out + r.err;
      if (r.exit_code == 0) {
        uint64_t got = JsonUint(r.out, "tree_size");
        if (got != UINT64_MAX && got >= size) return r.out;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ADD_FAILURE() << "no checkpoint of size >= " << size << " in time; last: " << last;
    return last;
  }

 private:
  std::string server_;
};

std::string FirstLine(const std::string& text) {
  return std::string(absl::StripAsciiWhitespace(text.substr(0, text.find('\n'))));
}

// Registers `usci` (sector goji), adds a fresh key and creates a producer token for it. Returns
// {key file, producer token}.
std::pair<std::string, std::string> Onboard(const Cli& cli, const std::string& regulator,
                                            const std::string& usci, const std::string& name,
                                            const std::string& key_file, bool register_first) {
  if (register_first) {
    CommandResult reg = cli.Run(
        {"enterprise", "register", "--usci", usci, "--name", name, "--sector", "goji"}, regulator);
    EXPECT_EQ(reg.exit_code, 0) << reg.out << reg.err;
  }
  CommandResult gen = cli.Run({"key", "gen", "--out", key_file});
  EXPECT_EQ(gen.exit_code, 0) << gen.err;
  CommandResult add = cli.Run(
      {"enterprise", "key", "add", "--usci", usci, "--pub", key_file + ".pub", "--label", "e2e"},
      regulator);
  EXPECT_EQ(add.exit_code, 0) << add.out << add.err;
  EXPECT_EQ(FirstLine(add.out), FirstLine(gen.out));
  CommandResult token =
      cli.Run({"--json", "token", "create", "--role", "producer", "--usci", usci}, regulator);
  EXPECT_EQ(token.exit_code, 0) << token.out << token.err;
  return {key_file, JsonValue(token.out, "token")};
}

TEST(CaptureE2ETest, SignedCaptureVerifyRevokeRestartAndAudit) {
  TempDir dir;
  const std::string data = dir.Sub("data");
  RunningServer server = StartOrigod(data);
  ASSERT_FALSE(server.grpc.empty()) << server.process->err();
  Cli cli(server.grpc);
  std::string regulator(absl::StripAsciiWhitespace(ReadText(data + "/bootstrap-token")));
  ASSERT_FALSE(regulator.empty()) << "no " << data << "/bootstrap-token";
  EXPECT_EQ(ModeOf(data + "/bootstrap-token"), 0600u);

  // Onboarding: the enterprise, its key (private key 0600), a producer token.
  auto [key, producer] =
      Onboard(cli, regulator, kGrower, "Zhongning goji grower", dir.Sub("grower.key"), true);
  ASSERT_FALSE(producer.empty());
  EXPECT_EQ(ModeOf(key), 0600u);
  EXPECT_EQ(ModeOf(key + ".pub"), 0644u);
  CommandResult got = cli.Run({"enterprise", "get", "--usci", kGrower}, regulator);
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_NE(got.out.find("goji"), std::string::npos) << got.out;

  // Pin the log key.
  const std::string vkey = dir.Sub("log.vkey");
  CommandResult log_key = cli.Run({"log-key", "--out", vkey});
  ASSERT_EQ(log_key.exit_code, 0) << log_key.out << log_key.err;

  // 1,000 events in batches of 100.
  std::vector<std::string> events = ObjectEvents(0, 1000);
  const std::string events_file = dir.Sub("events.jsonl");
  WriteText(events_file, Jsonl(events));
  CommandResult capture = cli.Run(
      {"capture", "--usci", kGrower, "--key", key, "--batch-size", "100", events_file}, producer);
  ASSERT_EQ(capture.exit_code, 0) << capture.out << capture.err;
  EXPECT_NE(capture.out.find("batch 1: 100 events, 100 stored, 0 duplicates, indexes 0..99"),
            std::string::npos)
      << capture.out;
  EXPECT_NE(capture.out.find("batch 10: 100 events, 100 stored, 0 duplicates, indexes 900..999"),
            std::string::npos)
      << capture.out;
  std::string checkpoint = cli.WaitForCheckpoint(1000, vkey);
  EXPECT_EQ(JsonUint(checkpoint, "tree_size"), 1000u) << checkpoint;

  // Verify a random event, by index and by event id, with the pinned log key.
  std::random_device seed_source;
  unsigned seed = seed_source();
  std::mt19937 random(seed);
  int pick = static_cast<int>(random() % 1000);
  SCOPED_TRACE("seed " + std::to_string(seed) + ", event " + std::to_string(pick));
  CommandResult verify = cli.Run({"verify", std::to_string(pick), "--log-key", vkey}, producer);
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find(events[pick]), std::string::npos) << verify.out;
  EXPECT_EQ(verify.out.find("FAILED"), std::string::npos) << verify.out;
  EXPECT_NE(verify.out.find("verified (pinned"), std::string::npos) << verify.out;
  int other = static_cast<int>(random() % 1000);
  CommandResult by_id =
      cli.Run({"--json", "verify", EventId(events[other]), "--log-key", vkey}, producer);
  EXPECT_EQ(by_id.exit_code, 0) << by_id.out << by_id.err;
  EXPECT_EQ(JsonUint(by_id.out, "index"), static_cast<uint64_t>(other)) << by_id.out;
  EXPECT_EQ(JsonValue(by_id.out, "log_key"), "pinned");
  CommandResult unpinned = cli.Run({"verify", std::to_string(pick)}, producer);
  EXPECT_EQ(unpinned.exit_code, 0) << unpinned.out << unpinned.err;
  EXPECT_NE(unpinned.out.find("unpinned"), std::string::npos) << unpinned.out;
  EXPECT_NE(unpinned.err.find("not pinned"), std::string::npos) << unpinned.err;

  // A batch signed by a key the enterprise never registered is refused; nothing is appended.
  CommandResult gen_stranger = cli.Run({"key", "gen", "--out", dir.Sub("stranger.key")});
  ASSERT_EQ(gen_stranger.exit_code, 0) << gen_stranger.err;
  const std::string fresh_file = dir.Sub("fresh.jsonl");
  WriteText(fresh_file, Jsonl(ObjectEvents(5000, 10)));
  CommandResult stranger = cli.Run(
      {"capture", "--usci", kGrower, "--key", dir.Sub("stranger.key"), fresh_file}, producer);
  EXPECT_NE(stranger.exit_code, 0) << stranger.out;
  EXPECT_NE(stranger.err.find("PERMISSION_DENIED"), std::string::npos) << stranger.err;
  EXPECT_NE(stranger.err.find("rejected batch 1"), std::string::npos) << stranger.err;
  EXPECT_EQ(JsonUint(cli.WaitForCheckpoint(1000, vkey), "tree_size"), 1000u);

  // Resubmitting the same file appends nothing and reports every event as a duplicate.
  CommandResult again =
      cli.Run({"--json", "capture", "--usci", kGrower, "--key", key, events_file}, producer);
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(JsonUint(again.out, "stored"), 0u) << again.out;
  EXPECT_EQ(JsonUint(again.out, "duplicates"), 1000u) << again.out;
  EXPECT_EQ(JsonUint(again.out, "tree_size"), 1000u) << again.out;
  EXPECT_EQ(JsonUint(cli.WaitForCheckpoint(1000, vkey), "tree_size"), 1000u);

  // A rejected event is reported by file and line; the batch before it stays captured.
  std::vector<std::string> good = ObjectEvents(6000, 3);
  std::string bad = good[2];
  size_t time_at = bad.find("\"eventTime\"");
  bad.erase(time_at, bad.find(", ", time_at) + 2 - time_at);  // drop eventTime
  const std::string bad_file = dir.Sub("bad.jsonl");
  WriteText(bad_file, good[0] + "\n" + good[1] + "\r\n\n" + bad + "\n");
  CommandResult rejected = cli.Run(
      {"capture", "--usci", kGrower, "--key", key, "--batch-size", "2", bad_file}, producer);
  EXPECT_EQ(rejected.exit_code, 1) << rejected.out << rejected.err;
  EXPECT_NE(rejected.out.find("batch 1: 2 events, 2 stored"), std::string::npos) << rejected.out;
  EXPECT_NE(rejected.err.find("rejected batch 2 (" + bad_file + " line 4): event 0: eventTime"),
            std::string::npos)
      << rejected.err;

  // On a stream too: batch 1 is now a duplicate, batch 2 is rejected the same way.
  CommandResult rejected_streamed = cli.Run(
      {"capture", "--usci", kGrower, "--key", key, "--stream", "--batch-size", "2", bad_file},
      producer);
  EXPECT_EQ(rejected_streamed.exit_code, 1) << rejected_streamed.out << rejected_streamed.err;
  EXPECT_NE(rejected_streamed.out.find("batch 1: 2 events, 0 stored, 2 duplicates"),
            std::string::npos)
      << rejected_streamed.out;
  EXPECT_NE(
      rejected_streamed.err.find("rejected batch 2 (" + bad_file + " line 4): event 0: eventTime"),
      std::string::npos)
      << rejected_streamed.err;

  // Many batches through one bidirectional stream.
  const std::string stream_file = dir.Sub("stream.jsonl");
  WriteText(stream_file, Jsonl(ObjectEvents(7000, 300)));
  CommandResult streamed = cli.Run(
      {"capture", "--usci", kGrower, "--key", key, "--stream", "--batch-size", "50", stream_file},
      producer);
  ASSERT_EQ(streamed.exit_code, 0) << streamed.out << streamed.err;
  EXPECT_NE(streamed.out.find("batch 6: 50 events, 50 stored, 0 duplicates, indexes 1252..1301"),
            std::string::npos)
      << streamed.out;
  const uint64_t size_before_revoke = 1302;
  EXPECT_EQ(JsonUint(cli.WaitForCheckpoint(size_before_revoke, vkey), "tree_size"),
            size_before_revoke);

  // Revoking the key stops its capture.
  CommandResult list =
      cli.Run({"--json", "enterprise", "key", "list", "--usci", kGrower}, regulator);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  std::string key_id = JsonValue(list.out, "key_id");
  ASSERT_EQ(key_id.size(), 64u) << list.out;
  CommandResult revoke =
      cli.Run({"enterprise", "key", "revoke", "--usci", kGrower, "--key-id", key_id}, regulator);
  ASSERT_EQ(revoke.exit_code, 0) << revoke.out << revoke.err;
  CommandResult refused =
      cli.Run({"capture", "--usci", kGrower, "--key", key, fresh_file}, producer);
  EXPECT_NE(refused.exit_code, 0) << refused.out;
  EXPECT_NE(refused.err.find("PERMISSION_DENIED"), std::string::npos) << refused.err;
  // Events signed before the revocation still verify.
  CommandResult still = cli.Run({"verify", std::to_string(pick), "--log-key", vkey}, producer);
  EXPECT_EQ(still.exit_code, 0) << still.out << still.err;

  // Save a checkpoint; restart the server; same tree; the saved checkpoint audits.
  const std::string saved = dir.Sub("saved.note");
  CommandResult save = cli.Run({"--json", "checkpoint", "--log-key", vkey, "--out", saved});
  ASSERT_EQ(save.exit_code, 0) << save.out << save.err;
  EXPECT_EQ(JsonUint(save.out, "tree_size"), size_before_revoke);
  server.process->Signal(SIGTERM);
  ASSERT_EQ(server.process->Wait(), 0) << server.process->err();
  server = StartOrigod(data);
  ASSERT_FALSE(server.grpc.empty()) << server.process->err();
  cli.set_server(server.grpc);
  std::string after = cli.WaitForCheckpoint(size_before_revoke, vkey);
  EXPECT_EQ(JsonUint(after, "tree_size"), size_before_revoke) << after;
  EXPECT_EQ(JsonValue(after, "root_hash"), JsonValue(save.out, "root_hash")) << after;
  CommandResult audit = cli.Run({"audit", "--checkpoint", saved, "--log-key", vkey});
  EXPECT_EQ(audit.exit_code, 0) << audit.out << audit.err;
  EXPECT_NE(audit.out.find("ok      consistent"), std::string::npos) << audit.out;

  // The goji chain from the shared test data: two enterprises (the grower with a new key).
  auto [grower_key, grower_token] =
      Onboard(cli, regulator, kGrower, "", dir.Sub("grower2.key"), false);
  auto [exporter_key, exporter_token] =
      Onboard(cli, regulator, kExporter, "Yinchuan exporter", dir.Sub("exporter.key"), true);
  const std::string goji = std::string(ORIGO_TESTDATA_DIR) + "/capture/goji/";
  // The harvest claims 中宁枸杞: the grower's plot must be a registered base in that zone.
  CommandResult base = cli.Run(
      {"base", "add", "--usci", kGrower, "--id", "plot-07", "--name", "Zhongning plot 07", "--gln",
       "6971234000019", "--ext", "plot-07", "--zone", "中宁枸杞", "--harvest", "5000"},
      regulator);
  EXPECT_EQ(base.exit_code, 0) << base.out << base.err;
  CommandResult grower = cli.Run(
      {"capture", "--usci", kGrower, "--key", grower_key, goji + "grower.jsonl"}, grower_token);
  EXPECT_EQ(grower.exit_code, 0) << grower.out << grower.err;
  // The export shipping is rejected (goji_export rule) until a regulator records a conformant
  // residue inspection for the graded lot; then the same file is accepted.
  CommandResult exporter =
      cli.Run({"capture", "--usci", kExporter, "--key", exporter_key, goji + "exporter.jsonl"},
              exporter_token);
  EXPECT_NE(exporter.exit_code, 0) << exporter.out << exporter.err;
  EXPECT_NE((exporter.out + exporter.err).find("goji_export@2026.1"), std::string::npos)
      << exporter.out << exporter.err;
  CommandResult inspected =
      cli.Run({"inspection", "record", "--lot", "/01/06971234000347/10/ZN2026-G0825-TY",
               "--enterprise", kGrower, "--item", "imidacloprid=0.1"},
              regulator);
  EXPECT_EQ(inspected.exit_code, 0) << inspected.out << inspected.err;
  exporter =
      cli.Run({"capture", "--usci", kExporter, "--key", exporter_key, goji + "exporter.jsonl"},
              exporter_token);
  EXPECT_EQ(exporter.exit_code, 0) << exporter.out << exporter.err;
  // Eight events, and the regulator's inspection, which is a signed credit record in the log.
  const uint64_t final_size = size_before_revoke + 8 + 1;
  EXPECT_EQ(JsonUint(cli.WaitForCheckpoint(final_size, vkey), "tree_size"), final_size);
  // The last exported event verifies, and the log since the saved checkpoint is consistent.
  std::vector<std::string> exporter_lines =
      absl::StrSplit(ReadText(goji + "exporter.jsonl"), '\n', absl::SkipWhitespace());
  ASSERT_FALSE(exporter_lines.empty());
  CommandResult last =
      cli.Run({"verify", EventId(exporter_lines.back()), "--log-key", vkey}, exporter_token);
  EXPECT_EQ(last.exit_code, 0) << last.out << last.err;
  CommandResult audit2 = cli.Run({"--json", "audit", "--checkpoint", saved, "--log-key", vkey});
  EXPECT_EQ(audit2.exit_code, 0) << audit2.out << audit2.err;
  EXPECT_EQ(JsonValue(audit2.out, "consistent"), "true") << audit2.out;
  EXPECT_EQ(JsonUint(audit2.out, "latest_size"), final_size) << audit2.out;

  server.process->Signal(SIGTERM);
  EXPECT_EQ(server.process->Wait(), 0) << server.process->err();
}

TEST(CaptureE2ETest, EveryCommandHasHelp) {
  for (std::vector<std::string> command :
       std::vector<std::vector<std::string>>{{"key", "gen"},
                                             {"enterprise", "register"},
                                             {"enterprise", "get"},
                                             {"enterprise", "key", "add"},
                                             {"enterprise", "key", "revoke"},
                                             {"enterprise", "key", "list"},
                                             {"token", "create"},
                                             {"capture"},
                                             {"checkpoint"},
                                             {"log-key"},
                                             {"verify"},
                                             {"audit"}}) {
    std::vector<std::string> argv = {ORIGO_CLI_PATH};
    argv.insert(argv.end(), command.begin(), command.end());
    argv.push_back("--help");
    CommandResult help = RunCommand(argv);
    EXPECT_EQ(help.exit_code, 0) << command.back();
    EXPECT_NE(help.out.find("Usage"), std::string::npos) << command.back() << help.out;
  }
}

TEST(CaptureE2ETest, KeyGenRefusesToOverwrite) {
  TempDir dir;
  CommandResult first = RunCommand({ORIGO_CLI_PATH, "key", "gen", "--out", dir.Sub("k")});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::string pem = ReadText(dir.Sub("k"));
  CommandResult second = RunCommand({ORIGO_CLI_PATH, "key", "gen", "--out", dir.Sub("k")});
  EXPECT_NE(second.exit_code, 0);
  EXPECT_NE(second.err.find("already exists"), std::string::npos) << second.err;
  EXPECT_EQ(ReadText(dir.Sub("k")), pem);
  CommandResult forced = RunCommand(
      {ORIGO_CLI_PATH, "--json", "key", "gen", "--out", dir.Sub("k"), "--alg", "p256", "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(JsonValue(forced.out, "algorithm"), "p256");
  EXPECT_EQ(ModeOf(dir.Sub("k")), 0600u);
  EXPECT_NE(ReadText(dir.Sub("k")), pem);
}

}  // namespace
}  // namespace origo::testing
