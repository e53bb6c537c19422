#include "services/server/server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "clients/client.h"
#include "services/server/config.h"
#include "storage/store.h"
#include "tests/test_util.h"

namespace origo::server {
namespace {

using origo::testing::TempDir;

origo::v1::Config TestConfig(const TempDir& dir) {
  origo::v1::Config config;
  config.set_data_dir(dir.Sub("data"));
  config.set_grpc_listen("127.0.0.1:0");
  config.set_http_listen("127.0.0.1:0");
  ApplyDefaults(&config);
  return config;
}

TEST(ServerTest, ServesHealthOverGrpcAndHttp) {
  TempDir dir;
  auto server = Server::Start(TestConfig(dir));
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_GT((*server)->grpc_port(), 0);
  EXPECT_GT((*server)->http_port(), 0);

  client::ClientOptions options;
  options.server = (*server)->grpc_address();
  client::Client client(options);
  auto health = client.Health();
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, "SERVING");

  httplib::Client http("127.0.0.1", (*server)->http_port());
  auto res = http.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  EXPECT_NE(res->body.find("\"status\":\"SERVING\""), std::string::npos) << res->body;
  EXPECT_NE(res->body.find("\"version\":\"" ORIGO_VERSION "\""), std::string::npos);
  EXPECT_NE(res->body.find("\"uptime_seconds\":"), std::string::npos);
  EXPECT_NE(res->body.find("\"state\":\"open\""), std::string::npos);

  EXPECT_TRUE((*server)->Shutdown().ok());
}

TEST(ServerTest, MetricsCountRequestsPerMethod) {
  TempDir dir;
  auto server = Server::Start(TestConfig(dir));
  ASSERT_TRUE(server.ok()) << server.status();
  client::ClientOptions options;
  options.server = (*server)->grpc_address();
  client::Client client(options);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.Health().ok());

  httplib::Client http("127.0.0.1", (*server)->http_port());
  auto res = http.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("origo_requests_total{kind=\"grpc\",method=\"/grpc.health.v1.Health/"
                           "Check\",code=\"OK\"} 3"),
            std::string::npos)
      << res->body;
  EXPECT_NE(res->body.find("origo_request_duration_seconds_count{kind=\"grpc\",method=\"/grpc."
                           "health.v1.Health/Check\"} 3"),
            std::string::npos);
  EXPECT_NE(res->body.find("origo_store_bytes{kind=\"sst\"}"), std::string::npos);
}

TEST(ServerTest, SecondServerOnSameDataIsRefusedNamingTheLock) {
  TempDir dir;
  auto first = Server::Start(TestConfig(dir));
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = Server::Start(TestConfig(dir));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("LOCK"), std::string::npos) << second.status();
  // The first one is unaffected.
  client::ClientOptions options;
  options.server = (*first)->grpc_address();
  EXPECT_EQ(client::Client(options).Health().value_or(""), "SERVING");
}

TEST(ServerTest, ShutdownStopsServingAndIsIdempotent) {
  TempDir dir;
  auto server = Server::Start(TestConfig(dir));
  ASSERT_TRUE(server.ok()) << server.status();
  std::string address = (*server)->grpc_address();
  ASSERT_TRUE((*server)->Shutdown().ok());
  ASSERT_TRUE((*server)->Shutdown().ok());
  client::ClientOptions options;
  options.server = address;
  options.timeout = std::chrono::milliseconds(500);
  auto health = client::Client(options).Health();
  EXPECT_FALSE(health.ok());
  // The store was closed: a new server can open the same data directory.
  auto again = Server::Start(TestConfig(dir));
  EXPECT_TRUE(again.ok()) << again.status();
}

TEST(ServerTest, StorageSettingsReachTheStore) {
  TempDir dir;
  origo::v1::Config config = TestConfig(dir);
  config.mutable_storage()->set_write_buffer_mb(8);
  config.mutable_storage()->set_index_write_buffer_mb(24);
  config.mutable_storage()->set_max_wal_mb(96);
  config.mutable_storage()->set_idle_flush_seconds(1);
  auto server = Server::Start(config);
  ASSERT_TRUE(server.ok()) << server.status();
  storage::Store* store = (*server)->store();
  rocksdb::DB* db = store->db();
  EXPECT_EQ(db->GetOptions(store->Family(storage::ColumnFamily::kProvenance)).write_buffer_size,
            size_t{24} << 20);
  EXPECT_EQ(db->GetOptions(store->Family(storage::ColumnFamily::kLogEntries)).write_buffer_size,
            size_t{8} << 20);
  EXPECT_EQ(db->GetDBOptions().max_total_wal_size, uint64_t{96} << 20);
  // Start-up wrote to the store (store info, bootstrap token); a second later it is flushed.
  for (int waited = 0; waited < 100 && store->idle_flushes() == 0; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_GE(store->idle_flushes(), 1u);
  EXPECT_TRUE((*server)->Shutdown().ok());
}

TEST(ConfigTest, FileIsReadAndUnknownFieldsAreRejected) {
  TempDir dir;
  {
    std::ofstream(dir.Sub("good.json")) << R"({"dataDir": "/srv/origo", "log": {"origin": "x/y"}})";
    std::ofstream(dir.Sub("typo.json")) << R"({"data_dri": "/srv/origo"})";
  }
  auto good = LoadConfigFile(dir.Sub("good.json"));
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->data_dir(), "/srv/origo");
  EXPECT_EQ(good->log().origin(), "x/y");
  ApplyDefaults(&*good);
  EXPECT_EQ(good->grpc_listen(), "127.0.0.1:50051");
  EXPECT_EQ(good->http_listen(), "127.0.0.1:8080");

  auto typo = LoadConfigFile(dir.Sub("typo.json"));
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(typo.status().message().find("data_dri"), std::string::npos) << typo.status();

  EXPECT_EQ(LoadConfigFile(dir.Sub("absent.json")).status().code(), absl::StatusCode::kNotFound);
}

TEST(ConfigTest, BadListenAddressNamesTheField) {
  TempDir dir;
  origo::v1::Config config = TestConfig(dir);
  config.set_http_listen("localhost");
  absl::Status s = ValidateConfig(config);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("http_listen"), std::string::npos);
}

TEST(ConfigTest, StorageSettingsHaveDefaultsAndBounds) {
  TempDir dir;
  origo::v1::Config config = TestConfig(dir);
  config.clear_storage();
  ApplyDefaults(&config);
  EXPECT_EQ(config.storage().index_write_buffer_mb(), 256u);
  EXPECT_EQ(config.storage().max_wal_mb(), 1024u);
  EXPECT_EQ(config.storage().idle_flush_seconds(), 30u);
  EXPECT_TRUE(ValidateConfig(config).ok());

  config.mutable_storage()->set_idle_flush_seconds(100000);
  absl::Status idle = ValidateConfig(config);
  EXPECT_EQ(idle.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(idle.message().find("storage.idle_flush_seconds"), std::string::npos) << idle;
  config.mutable_storage()->set_idle_flush_seconds(30);

  config.mutable_storage()->set_index_write_buffer_mb(5000);
  absl::Status s = ValidateConfig(config);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("storage.index_write_buffer_mb"), std::string::npos) << s;

  config.mutable_storage()->set_index_write_buffer_mb(256);
  config.mutable_storage()->set_max_wal_mb(1u << 20);
  s = ValidateConfig(config);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("storage.max_wal_mb"), std::string::npos) << s;
}

}  // namespace
}  // namespace origo::server
