// Crash safety of capture: kill -9 of origod while a packing line streams batches; and a
// tampered leaf in a copy of the store is caught by `origo verify`.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "core/batch/batch.h"
#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/note.h"
#include "core/crypto/hash.h"
#include "core/merkle/merkle.h"
#include "origo/v1/capture.grpc.pb.h"
#include "origo/v1/registry.grpc.pb.h"
#include "storage/key_encoding.h"
#include "storage/store.h"
#include "tests/e2e/process.h"
#include "tests/test_util.h"

namespace origo::testing {
namespace {

constexpr char kUsci[] = "91640521MA76GJ0Q1B";

std::string Trim(std::string s) {
  size_t a = s.find_first_not_of(' ');
  size_t b = s.find_last_not_of(" \r\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return Trim(s.str());
}

struct Origod {
  std::unique_ptr<Process> process;
  std::string grpc;
};

// The drill checks every acknowledged event with one anonymous proof call each, far beyond the
// public per-address budget; durability, not rate limiting, is what it tests.
Origod StartOrigod(const std::string& data) {
  const std::string config = data + ".config.json";
  {
    std::ofstream out(config);
    out << R"({"limits": {"disable_rate_limits": true}})";
  }
  Origod o;
  o.process = std::make_unique<Process>(
      std::vector<std::string>{ORIGOD_PATH, "--config", config, "--data", data, "--grpc-listen",
                               "127.0.0.1:0", "--http-listen", "127.0.0.1:0"});
  o.grpc = Trim(o.process->WaitForLine("gRPC", std::chrono::seconds(60)).value_or(""));
  o.process->WaitForLine("ready", std::chrono::seconds(60));
  return o;
}

std::string Event(int n) {
  return std::string(R"({"type":"ObjectEvent","eventTime":"2026-09-02T09:15:00+08:00",)") +
         R"("eventTimeZoneOffset":"+08:00","action":"ADD","bizStep":"commissioning",)" +
         R"("epcList":["https://id.gs1.org/01/06971234000415/21/K)" + std::to_string(n) + R"("]})";
}

class Clients {
 public:
  explicit Clients(const std::string& address)
      : channel_(grpc::CreateChannel(address, grpc::InsecureChannelCredentials())),
        registry(origo::v1::RegistryService::NewStub(channel_)),
        capture(origo::v1::CaptureService::NewStub(channel_)),
        log(origo::v1::TransparencyService::NewStub(channel_)) {}
  static std::unique_ptr<grpc::ClientContext> Context(const std::string& token, int seconds = 30) {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
    if (!token.empty()) c->AddMetadata("authorization", "Bearer " + token);
    return c;
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;

 public:
  std::unique_ptr<origo::v1::RegistryService::Stub> registry;
  std::unique_ptr<origo::v1::CaptureService::Stub> capture;
  std::unique_ptr<origo::v1::TransparencyService::Stub> log;
};

// Registers the enterprise and a key; returns the producer token.
std::string Enroll(Clients& c, const std::string& regulator, const crypto::PrivateKey& key) {
  origo::v1::RegisterEnterpriseRequest reg;
  reg.mutable_enterprise()->set_usci(kUsci);
  reg.mutable_enterprise()->set_name("Zhongning grower");
  reg.mutable_enterprise()->set_sector(origo::v1::SECTOR_GOJI);
  origo::v1::RegisterEnterpriseResponse r1;
  EXPECT_TRUE(c.registry->RegisterEnterprise(Clients::Context(regulator).get(), reg, &r1).ok());
  origo::v1::AddKeyRequest add;
  add.set_usci(kUsci);
  add.set_public_key_pem(key.Public().ToPem());
  origo::v1::AddKeyResponse r2;
  EXPECT_TRUE(c.registry->AddKey(Clients::Context(regulator).get(), add, &r2).ok());
  origo::v1::CreateTokenRequest token;
  token.set_role(origo::v1::ROLE_PRODUCER);
  token.set_usci(kUsci);
  origo::v1::CreateTokenResponse r3;
  EXPECT_TRUE(c.registry->CreateToken(Clients::Context(regulator).get(), token, &r3).ok());
  return r3.token();
}

origo::v1::GetCheckpointResponse Checkpoint(Clients& c) {
  origo::v1::GetCheckpointResponse response;
  EXPECT_TRUE(c.log->GetCheckpoint(Clients::Context("").get(), {}, &response).ok());
  return response;
}

TEST(CrashE2ETest, Kill9DuringCaptureStreamLosesNothingAcknowledged) {
  TempDir dir;
  const std::string data = dir.Sub("data");
  auto key = crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value();
  std::string token;
  std::vector<std::pair<uint64_t, std::string>> checkpoints;  // (size, note) seen before crashes
  std::vector<std::string> acknowledged;                      // event ids
  std::string vkey;
  int next_event = 0;

  // `make crash-drill` sets ORIGO_CRASH_ROUNDS=20 and random kill moments; the suite runs 3.
  const char* rounds_env = std::getenv("ORIGO_CRASH_ROUNDS");
  const int rounds = rounds_env ? std::max(1, std::atoi(rounds_env)) : 3;
  std::mt19937 random(std::random_device{}());
  int kills = 0;
  for (int round = 0; round < rounds; ++round) {
    Origod server = StartOrigod(data);
    ASSERT_FALSE(server.grpc.empty()) << server.process->err();
    Clients c(server.grpc);
    if (round == 0) token = Enroll(c, ReadFile(data + "/bootstrap-token"), key);
    vkey = Checkpoint(c).log_vkey();

    // A packing line streams batches of 16 while the server is killed under it.
    std::atomic<bool> stop{false};
    std::thread line([&] {
      auto context = Clients::Context(token, 60);
      auto stream = c.capture->CaptureStream(context.get());
      for (uint64_t seq = 1; !stop; ++seq) {
        std::vector<std::string> events;
        for (int i = 0; i < 16; ++i) events.push_back(Event(next_event + i));
        origo::v1::CaptureRequest request;
        *request.mutable_batch() = batch::SignBatch(events, kUsci, key, NowMs()).value();
        request.set_sequence(seq);
        if (!stream->Write(request)) break;
        origo::v1::CaptureResponse response;
        if (!stream->Read(&response)) break;
        for (const auto& e : response.events()) acknowledged.push_back(e.event_id());
        next_event += 16;
      }
      stream->Finish();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(
        rounds_env ? std::uniform_int_distribution<int>(50, 1500)(random) : 400 + 300 * round));
    auto cp = Checkpoint(c);
    if (cp.checkpoint().tree_size() > 0) {
      checkpoints.emplace_back(cp.checkpoint().tree_size(), cp.checkpoint().note());
    }
    server.process->Signal(SIGKILL);
    EXPECT_EQ(server.process->Wait(), -SIGKILL);
    ++kills;
    stop = true;
    line.join();
    std::fprintf(stderr, "crash drill: kill %d of %d, %zu events acknowledged so far\n", kills,
                 rounds, acknowledged.size());
    // Events sent but not acknowledged may or may not be stored; the next round starts fresh.
    next_event += 16;
  }
  ASSERT_GT(acknowledged.size(), 0u);

  Origod server = StartOrigod(data);
  ASSERT_FALSE(server.grpc.empty()) << server.process->err();
  Clients c(server.grpc);
  auto verifier = checkpoint::NoteVerifier::FromVkey(vkey).value();
  // Every acknowledged event is present and provable (every one in the drill, a sample here).
  for (size_t i = 0; i < acknowledged.size(); i += rounds_env ? 1 : 7) {
    origo::v1::GetInclusionProofRequest request;
    request.set_event_id(acknowledged[i]);
    origo::v1::GetInclusionProofResponse proof;
    grpc::Status s = c.log->GetInclusionProof(Clients::Context("").get(), request, &proof);
    ASSERT_TRUE(s.ok()) << "acknowledged event " << acknowledged[i]
                        << " lost: " << s.error_message();
    auto head = checkpoint::VerifyCheckpoint(proof.checkpoint().note(), verifier);
    ASSERT_TRUE(head.ok()) << head.status();
    std::vector<merkle::Hash> hashes;
    for (const auto& h : proof.proof().hashes()) hashes.push_back(merkle::HashFromBytes(h).value());
    EXPECT_TRUE(merkle::VerifyInclusion(proof.index(), head->size, merkle::LeafHash(proof.leaf()),
                                        hashes, head->root)
                    .ok());
  }
  // The tree is consistent with every checkpoint signed before the crashes.
  auto latest = Checkpoint(c);
  auto now = checkpoint::VerifyCheckpoint(latest.checkpoint().note(), verifier).value();
  EXPECT_GE(now.size, acknowledged.size());
  for (const auto& [size, note] : checkpoints) {
    auto old = checkpoint::VerifyCheckpoint(note, verifier).value();
    if (old.size == now.size) {
      EXPECT_EQ(old.root, now.root);
      continue;
    }
    origo::v1::GetConsistencyProofRequest request;
    request.set_from_size(old.size);
    request.set_to_size(now.size);
    origo::v1::GetConsistencyProofResponse proof;
    ASSERT_TRUE(c.log->GetConsistencyProof(Clients::Context("").get(), request, &proof).ok());
    std::vector<merkle::Hash> hashes;
    for (const auto& h : proof.proof().hashes()) hashes.push_back(merkle::HashFromBytes(h).value());
    EXPECT_TRUE(merkle::VerifyConsistency(old.size, now.size, hashes, old.root, now.root).ok())
        << "checkpoint at " << old.size << " is not consistent with " << now.size;
  }
  server.process->Signal(SIGTERM);
  EXPECT_EQ(server.process->Wait(), 0);
}

TEST(CrashE2ETest, FlippedByteInAStoredLeafFailsVerifyAndSaysWhy) {
  TempDir dir;
  const std::string data = dir.Sub("data");
  auto key = crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value();
  std::string event_id;
  {
    Origod server = StartOrigod(data);
    ASSERT_FALSE(server.grpc.empty()) << server.process->err();
    Clients c(server.grpc);
    std::string token = Enroll(c, ReadFile(data + "/bootstrap-token"), key);
    std::vector<std::string> events;
    for (int i = 0; i < 8; ++i) events.push_back(Event(i));
    origo::v1::CaptureRequest request;
    *request.mutable_batch() = batch::SignBatch(events, kUsci, key, NowMs()).value();
    origo::v1::CaptureResponse response;
    ASSERT_TRUE(c.capture->Capture(Clients::Context(token).get(), request, &response).ok());
    event_id = response.events(5).event_id();
    std::ofstream(dir.Sub("log.vkey")) << Checkpoint(c).log_vkey() << "\n";
    server.process->Signal(SIGTERM);
    ASSERT_EQ(server.process->Wait(), 0);
  }
  // Verify passes on the original store.
  {
    Origod server = StartOrigod(data);
    CommandResult ok = RunCommand({ORIGO_CLI_PATH, "--server", server.grpc, "verify", event_id,
                                   "--log-key", dir.Sub("log.vkey")});
    EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
    server.process->Signal(SIGTERM);
    ASSERT_EQ(server.process->Wait(), 0);
  }
  // A copy of the store with one byte of leaf 5's event flipped.
  const std::string copy = dir.Sub("copy");
  std::filesystem::copy(data, copy, std::filesystem::copy_options::recursive);
  {
    auto store = storage::Store::Open(copy).value();
    auto value = store->Get(storage::ColumnFamily::kLogEntries, storage::U64Key(5)).value();
    ASSERT_TRUE(value.has_value());
    std::string tampered = *value;
    size_t at = tampered.find("ObjectEvent");
    ASSERT_NE(at, std::string::npos);
    tampered[at] = 'o';  // the leaf still parses; only the event bytes differ
    rocksdb::WriteBatch batch;
    batch.Put(store->Family(storage::ColumnFamily::kLogEntries), storage::U64Key(5), tampered);
    ASSERT_TRUE(store->Write(&batch).ok());
    ASSERT_TRUE(store->Close().ok());
  }
  Origod server = StartOrigod(copy);
  ASSERT_FALSE(server.grpc.empty()) << server.process->err();
  CommandResult bad = RunCommand(
      {ORIGO_CLI_PATH, "--server", server.grpc, "verify", "5", "--log-key", dir.Sub("log.vkey")});
  EXPECT_NE(bad.exit_code, 0) << bad.out;
  std::string all = bad.out + bad.err;
  EXPECT_NE(all.find("FAILED"), std::string::npos) << all;
  EXPECT_NE(all.find("batch path"), std::string::npos) << all;
  // The full audit finds the same leaf, and the checkpoint whose root no longer matches.
  CommandResult audit = RunCommand({ORIGO_CLI_PATH, "--server", server.grpc, "audit", "--full",
                                    "--log-key", dir.Sub("log.vkey")});
  EXPECT_EQ(audit.exit_code, 1) << audit.out << audit.err;
  EXPECT_NE(audit.out.find("FAILED  leaf 5: batch path"), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("FAILED  checkpoint at size 8: signed root"), std::string::npos)
      << audit.out;
  server.process->Signal(SIGTERM);
  EXPECT_EQ(server.process->Wait(), 0);
}

std::string JsonField(const std::string& json, const std::string& key) {
  size_t at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return "";
  at += key.size() + 3;
  if (json[at] == '"') return json.substr(at + 1, json.find('"', at + 1) - at - 1);
  return json.substr(at, json.find_first_of(",}", at) - at);
}

TEST(AdminE2ETest, BackupWhileServingRestoresTheSameRootAndAuditsClean) {
  TempDir dir;
  const std::string data = dir.Sub("data");
  auto key = crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value();
  std::string regulator, backup_json;
  {
    Origod server = StartOrigod(data);
    ASSERT_FALSE(server.grpc.empty()) << server.process->err();
    Clients c(server.grpc);
    regulator = ReadFile(data + "/bootstrap-token");
    std::string token = Enroll(c, regulator, key);
    std::ofstream(dir.Sub("log.vkey")) << Checkpoint(c).log_vkey() << "\n";
    // A packing line keeps capturing while the backup is taken.
    std::atomic<bool> stop{false};
    std::thread line([&] {
      for (int b = 0; !stop && b < 200; ++b) {
        std::vector<std::string> events;
        for (int i = 0; i < 32; ++i) events.push_back(Event(b * 32 + i));
        origo::v1::CaptureRequest request;
        *request.mutable_batch() = batch::SignBatch(events, kUsci, key, NowMs()).value();
        origo::v1::CaptureResponse response;
        ASSERT_TRUE(c.capture->Capture(Clients::Context(token).get(), request, &response).ok());
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CommandResult backup =
        RunCommand({ORIGO_CLI_PATH, "--server", server.grpc, "--token", regulator, "--json",
                    "admin", "backup", "--to", dir.Sub("backup")});
    stop = true;
    line.join();
    ASSERT_EQ(backup.exit_code, 0) << backup.out << backup.err;
    backup_json = backup.out;
    EXPECT_GT(std::stoull(JsonField(backup_json, "tree_size")), 0u) << backup_json;
    // Producers cannot take backups.
    CommandResult denied = RunCommand({ORIGO_CLI_PATH, "--server", server.grpc, "--token", token,
                                       "admin", "backup", "--to", dir.Sub("backup2")});
    EXPECT_NE(denied.exit_code, 0);
    EXPECT_NE(denied.err.find("PERMISSION_DENIED"), std::string::npos) << denied.err;
    server.process->Signal(SIGTERM);
    ASSERT_EQ(server.process->Wait(), 0);
  }
  // Restoring over an existing store is refused.
  Process refused({ORIGOD_PATH, "--data", data, "--restore-from", dir.Sub("backup"),
                   "--grpc-listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0"});
  EXPECT_NE(refused.Wait(), 0);
  EXPECT_NE(refused.err().find("already holds files"), std::string::npos) << refused.err();

  Origod restored = [&] {
    Origod o;
    o.process = std::make_unique<Process>(std::vector<std::string>{
        ORIGOD_PATH, "--data", dir.Sub("restored"), "--restore-from", dir.Sub("backup"),
        "--grpc-listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0"});
    o.grpc = Trim(o.process->WaitForLine("gRPC", std::chrono::seconds(60)).value_or(""));
    o.process->WaitForLine("ready", std::chrono::seconds(60));
    return o;
  }();
  ASSERT_FALSE(restored.grpc.empty()) << restored.process->err();
  Clients c(restored.grpc);
  // Same log key, and a checkpoint at the backed-up size with the backed-up root.
  EXPECT_EQ(Checkpoint(c).log_vkey() + "\n", ReadFile(dir.Sub("log.vkey")) + "\n");
  uint64_t size = std::stoull(JsonField(backup_json, "tree_size"));
  origo::v1::GetCheckpointResponse head;
  for (int i = 0; i < 100 && head.checkpoint().tree_size() != size; ++i) {
    head = Checkpoint(c);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(head.checkpoint().tree_size(), size);
  EXPECT_EQ(crypto::HexEncode(head.checkpoint().root_hash()), JsonField(backup_json, "root_hash"));
  CommandResult audit = RunCommand({ORIGO_CLI_PATH, "--server", restored.grpc, "audit", "--full",
                                    "--log-key", dir.Sub("log.vkey")});
  EXPECT_EQ(audit.exit_code, 0) << audit.out << audit.err;
  EXPECT_NE(audit.out.find("audit passed"), std::string::npos) << audit.out;
  restored.process->Signal(SIGTERM);
  EXPECT_EQ(restored.process->Wait(), 0);
}

}  // namespace
}  // namespace origo::testing
