// End-to-end: the built origod and origo binaries, on a temp directory and free ports.

#include <gtest/gtest.h>

#include "tests/e2e/process.h"
#include "tests/test_util.h"

namespace origo::testing {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(30);

struct RunningServer {
  std::unique_ptr<Process> process;
  std::string grpc;
  std::string http;
};

RunningServer StartOrigod(const std::string& data_dir) {
  RunningServer server;
  server.process = std::make_unique<Process>(
      std::vector<std::string>{ORIGOD_PATH, "--data", data_dir, "--grpc-listen", "127.0.0.1:0",
                               "--http-listen", "127.0.0.1:0"});
  server.grpc = server.process->WaitForLine("gRPC", kStartTimeout).value_or("");
  server.http = server.process->WaitForLine("HTTP", kStartTimeout).value_or("");
  auto trim = [](std::string s) {
    size_t start = s.find_first_not_of(' ');
    return start == std::string::npos ? std::string() : s.substr(start);
  };
  server.grpc = trim(server.grpc);
  server.http = trim(server.http);
  // Wait for the ready line so that the process has finished starting.
  server.process->WaitForLine("ready", kStartTimeout);
  return server;
}

TEST(OrigodE2ETest, ServesHealthThenStopsCleanlyOnSigterm) {
  TempDir dir;
  RunningServer server = StartOrigod(dir.Sub("data"));
  ASSERT_FALSE(server.grpc.empty()) << server.process->err();
  ASSERT_EQ(server.http.rfind("http://127.0.0.1:", 0), 0u) << server.http;

  CommandResult health = RunCommand({ORIGO_CLI_PATH, "--server", server.grpc, "--json", "health"});
  EXPECT_EQ(health.exit_code, 0) << health.err;
  EXPECT_NE(health.out.find("\"status\":\"SERVING\""), std::string::npos) << health.out;

  server.process->Signal(SIGTERM);
  EXPECT_EQ(server.process->Wait(), 0) << server.process->err();
  EXPECT_NE(server.process->err().find("stopped cleanly"), std::string::npos);

  // Nothing listens any more: origo health fails with a non-zero exit.
  CommandResult after = RunCommand({ORIGO_CLI_PATH, "--server", server.grpc, "health"});
  EXPECT_NE(after.exit_code, 0);
  EXPECT_NE(after.err.find("UNAVAILABLE"), std::string::npos) << after.err;
}

TEST(OrigodE2ETest, TokenListShowsNoSecretAndRevokeStopsTheToken) {
  TempDir dir;
  RunningServer server = StartOrigod(dir.Sub("data"));
  ASSERT_FALSE(server.grpc.empty()) << server.process->err();
  CommandResult boot = RunCommand({"/bin/cat", dir.Sub("data/bootstrap-token")});
  const std::string regulator = boot.out.substr(0, boot.out.find('\n'));
  auto origo = [&](const std::string& token, std::vector<std::string> args) {
    std::vector<std::string> argv = {ORIGO_CLI_PATH, "--server", server.grpc, "--token", token};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  };
  CommandResult created =
      origo(regulator, {"--json", "token", "create", "--role", "inspector", "--label", "lab 3"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto field = [](const std::string& json, const std::string& key) {
    size_t at = json.find("\"" + key + "\":\"");
    if (at == std::string::npos) return std::string();
    at += key.size() + 4;
    return json.substr(at, json.find('"', at) - at);
  };
  const std::string inspector = field(created.out, "token");
  const std::string id = field(created.out, "token_id");
  ASSERT_FALSE(inspector.empty()) << created.out;

  CommandResult list = origo(regulator, {"token", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(id), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("inspector"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("lab 3"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find(inspector), std::string::npos) << "the secret was listed";
  EXPECT_EQ(list.out.find(regulator), std::string::npos) << "the secret was listed";
  // Only a regulator may list.
  CommandResult denied = origo(inspector, {"token", "list"});
  EXPECT_NE(denied.exit_code, 0);
  EXPECT_NE(denied.err.find("PERMISSION_DENIED"), std::string::npos) << denied.err;

  CommandResult revoked = origo(regulator, {"token", "revoke", id});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  CommandResult after = origo(inspector, {"violations"});
  EXPECT_NE(after.exit_code, 0);
  EXPECT_NE(after.err.find("UNAUTHENTICATED"), std::string::npos) << after.err;
  EXPECT_NE(after.err.find("revoked"), std::string::npos) << after.err;
  CommandResult json = origo(regulator, {"--json", "token", "list"});
  EXPECT_NE(json.out.find("\"token_id\":\"" + id + "\""), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"revoked\":true"), std::string::npos) << json.out;
  server.process->Signal(SIGTERM);
  EXPECT_EQ(server.process->Wait(), 0);
  // The first start tells the operator where the regulator token is, never the token itself:
  // origod's output often ends up in a journal that more people can read than the 0600 file.
  ASSERT_FALSE(regulator.empty());
  EXPECT_EQ(server.process->out().find(regulator), std::string::npos) << "the secret was printed";
  EXPECT_EQ(server.process->err().find(regulator), std::string::npos) << "the secret was logged";
  EXPECT_NE(
      server.process->out().find("export ORIGO_TOKEN=$(cat " + dir.Sub("data/bootstrap-token")),
      std::string::npos)
      << server.process->out();
}

TEST(OrigodE2ETest, SecondServerOnSameDataExitsNamingTheLock) {
  TempDir dir;
  RunningServer first = StartOrigod(dir.Sub("data"));
  ASSERT_FALSE(first.grpc.empty()) << first.process->err();
  Process second({ORIGOD_PATH, "--data", dir.Sub("data"), "--grpc-listen", "127.0.0.1:0",
                  "--http-listen", "127.0.0.1:0"});
  int code = second.Wait();
  EXPECT_NE(code, 0);
  EXPECT_NE(second.err().find("LOCK"), std::string::npos) << second.err();
  // The first server keeps serving.
  EXPECT_EQ(RunCommand({ORIGO_CLI_PATH, "--server", first.grpc, "health"}).exit_code, 0);
}

TEST(OrigodE2ETest, StoreReopensAfterKill9) {
  TempDir dir;
  {
    RunningServer server = StartOrigod(dir.Sub("data"));
    ASSERT_FALSE(server.grpc.empty()) << server.process->err();
    server.process->Signal(SIGKILL);
    EXPECT_EQ(server.process->Wait(), -SIGKILL);
  }
  RunningServer again = StartOrigod(dir.Sub("data"));
  ASSERT_FALSE(again.grpc.empty()) << again.process->err();
  EXPECT_EQ(RunCommand({ORIGO_CLI_PATH, "--server", again.grpc, "health"}).exit_code, 0);
  again.process->Signal(SIGTERM);
  EXPECT_EQ(again.process->Wait(), 0);
}

TEST(OrigodE2ETest, HelpDescribesFlags) {
  CommandResult help = RunCommand({ORIGOD_PATH, "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag : {"--data", "--grpc-listen", "--http-listen", "--config"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag;
  }
  CommandResult cli_help = RunCommand({ORIGO_CLI_PATH, "health", "--help"});
  EXPECT_EQ(cli_help.exit_code, 0);
  EXPECT_NE(cli_help.out.find("SERVING"), std::string::npos) << cli_help.out;
}

}  // namespace
}  // namespace origo::testing
