// TLS end to end: origod with --tls-cert/--tls-key (and --client-ca), origo with --tls-ca.
// Certificates are made by the openssl command line for each test.

#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/e2e/process.h"
#include "tests/test_util.h"

namespace origo::testing {
namespace {

std::string Trim(std::string s) {
  size_t a = s.find_first_not_of(' ');
  return a == std::string::npos ? "" : s.substr(a);
}

// A CA, a server certificate for 127.0.0.1/localhost, and a client certificate, all P-256.
class TlsE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string d = dir_.path();
    std::string script =
        "set -e; cd " + d +
        ";"
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
        "  -subj /CN=origo-test-ca -keyout ca.key -out ca.pem 2>/dev/null;"
        "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext;"
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost "
        "  -keyout server.key -out server.csr 2>/dev/null;"
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
        "  -extfile san.ext -out server.pem 2>/dev/null;"
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=line-1 "
        "  -keyout client.key -out client.csr 2>/dev/null;"
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
        "  -out client.pem 2>/dev/null";
    ASSERT_EQ(std::system(script.c_str()), 0) << "openssl could not make test certificates";
  }

  std::unique_ptr<Process> Start(bool mutual, std::string* grpc, std::string* http) {
    std::vector<std::string> argv = {ORIGOD_PATH,
                                     "--data",
                                     dir_.Sub("data"),
                                     "--grpc-listen",
                                     "127.0.0.1:0",
                                     "--http-listen",
                                     "127.0.0.1:0",
                                     "--tls-cert",
                                     dir_.Sub("server.pem"),
                                     "--tls-key",
                                     dir_.Sub("server.key")};
    if (mutual) {
      argv.push_back("--client-ca");
      argv.push_back(dir_.Sub("ca.pem"));
    }
    auto p = std::make_unique<Process>(argv);
    std::string g = Trim(p->WaitForLine("gRPC", std::chrono::seconds(60)).value_or(""));
    *grpc = g.substr(0, g.find(' '));
    *http = Trim(p->WaitForLine("HTTP", std::chrono::seconds(60)).value_or(""));
    p->WaitForLine("ready", std::chrono::seconds(60));
    return p;
  }

  TempDir dir_;
};

TEST_F(TlsE2ETest, GrpcAndHttpsServeOnlyOverTls) {
  std::string grpc, http;
  auto server = Start(false, &grpc, &http);
  ASSERT_FALSE(grpc.empty()) << server->err();
  EXPECT_EQ(http.rfind("https://127.0.0.1:", 0), 0u) << http;

  CommandResult ok =
      RunCommand({ORIGO_CLI_PATH, "--server", grpc, "--tls-ca", dir_.Sub("ca.pem"), "health"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  // A plaintext client cannot talk to the TLS port.
  CommandResult plain = RunCommand({ORIGO_CLI_PATH, "--server", grpc, "health"});
  EXPECT_NE(plain.exit_code, 0);

  CommandResult curl =
      RunCommand({"/usr/bin/curl", "-s", "--cacert", dir_.Sub("ca.pem"), http + "/healthz"});
  EXPECT_EQ(curl.exit_code, 0) << curl.err;
  EXPECT_NE(curl.out.find("\"status\":\"SERVING\""), std::string::npos) << curl.out;
  CommandResult untrusted = RunCommand({"/usr/bin/curl", "-s", http + "/healthz"});
  EXPECT_NE(untrusted.exit_code, 0);

  server->Signal(SIGTERM);
  EXPECT_EQ(server->Wait(), 0);
}

TEST_F(TlsE2ETest, MutualTlsRequiresAClientCertificate) {
  std::string grpc, http;
  auto server = Start(true, &grpc, &http);
  ASSERT_FALSE(grpc.empty()) << server->err();
  CommandResult with_cert =
      RunCommand({ORIGO_CLI_PATH, "--server", grpc, "--tls-ca", dir_.Sub("ca.pem"), "--tls-cert",
                  dir_.Sub("client.pem"), "--tls-key", dir_.Sub("client.key"), "health"});
  EXPECT_EQ(with_cert.exit_code, 0) << with_cert.err;
  CommandResult without =
      RunCommand({ORIGO_CLI_PATH, "--server", grpc, "--tls-ca", dir_.Sub("ca.pem"), "health"});
  EXPECT_NE(without.exit_code, 0);
  CommandResult curl_cert =
      RunCommand({"/usr/bin/curl", "-s", "--cacert", dir_.Sub("ca.pem"), "--cert",
                  dir_.Sub("client.pem"), "--key", dir_.Sub("client.key"), http + "/healthz"});
  EXPECT_EQ(curl_cert.exit_code, 0) << curl_cert.err;
  CommandResult curl_none =
      RunCommand({"/usr/bin/curl", "-s", "--cacert", dir_.Sub("ca.pem"), http + "/healthz"});
  EXPECT_NE(curl_none.exit_code, 0);
  server->Signal(SIGTERM);
  EXPECT_EQ(server->Wait(), 0);
}

TEST_F(TlsE2ETest, MissingKeyIsAClearStartupError) {
  Process p({ORIGOD_PATH, "--data", dir_.Sub("data2"), "--grpc-listen", "127.0.0.1:0",
             "--http-listen", "127.0.0.1:0", "--tls-cert", dir_.Sub("server.pem")});
  EXPECT_NE(p.Wait(), 0);
  EXPECT_NE(p.err().find("tls.key_file"), std::string::npos) << p.err();
}

}  // namespace
}  // namespace origo::testing
