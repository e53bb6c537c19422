// origod --demo, then the built origo traces the demo's wine bottle, goji harvest and halal cuts.

#include <gtest/gtest.h>

#include <chrono>

#include "absl/strings/ascii.h"
#include "tests/e2e/process.h"
#include "tests/test_util.h"

namespace origo {
namespace {

using origo::testing::CommandResult;
using origo::testing::Process;
using origo::testing::RunCommand;
using origo::testing::TempDir;

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(DemoE2ETest, DemoBottleTracesToItsVineyardBlockAndGojiForwardListsHolders) {
  TempDir dir;
  Process origod({ORIGOD_PATH, "--data", dir.Sub("data"), "--grpc-listen", "127.0.0.1:0",
                  "--http-listen", "127.0.0.1:0", "--demo"});
  std::string grpc = std::string(absl::StripAsciiWhitespace(
      origod.WaitForLine("gRPC", std::chrono::seconds(30)).value_or("")));
  ASSERT_FALSE(grpc.empty()) << origod.err();
  auto loaded = origod.WaitForLine("demo", std::chrono::seconds(60));
  ASSERT_TRUE(loaded.has_value()) << origod.out() << origod.err();
  EXPECT_NE(loaded->find("loaded 29 signed events"), std::string::npos) << *loaded;
  auto origo = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {ORIGO_CLI_PATH, "--server", grpc});
    return RunCommand(args);
  };

  // Back from a bottle's serial to the vineyard block harvest.
  CommandResult bottle = origo({"trace", "https://id.gs1.org/01/06971236000147/21/HL25-0007"});
  ASSERT_EQ(bottle.exit_code, 0) << bottle.err;
  EXPECT_NE(bottle.out.find("origin: /01/06971236000109/10/HL25-A3-CS"), std::string::npos)
      << bottle.out;
  EXPECT_NE(bottle.out.find("base Vineyard block A3"), std::string::npos) << bottle.out;
  EXPECT_NE(bottle.out.find("harvested 2025-09-20"), std::string::npos) << bottle.out;

  // Forward from the goji plot harvest: every carton and the pallet, held by the exporter.
  CommandResult forward =
      origo({"--json", "trace", "--forward", "/01/06971234000101/10/ZN2026-P07-0820"});
  ASSERT_EQ(forward.exit_code, 0) << forward.err;
  EXPECT_EQ(Count(forward.out, "\"kind\":\"item\""), 20u) << forward.out;
  EXPECT_EQ(Count(forward.out, "\"holder\":\"91640100MA77XL2X3M\""), 21u);  // cartons + pallet
  EXPECT_NE(forward.out.find("\"id\":\"/00/069712340000000019\""), std::string::npos);

  // The halal chain shows the certificate and the quarantine along the way.
  CommandResult halal = origo({"trace", "/01/06971237000122/10/CUT-2610"});
  ASSERT_EQ(halal.exit_code, 0) << halal.err;
  EXPECT_NE(halal.out.find("certificate: urn:origo:cert:halal:HALAL-NX-2026-017"),
            std::string::npos)
      << halal.out;
  EXPECT_NE(halal.out.find("inspecting  1000 KGM"), std::string::npos) << halal.out;
  EXPECT_NE(halal.out.find("(conformant)"), std::string::npos) << halal.out;

  // lot show, events, and errors.
  CommandResult lot = origo({"lot", "show", "/01/06971236000147/21/HL25-0007"});
  ASSERT_EQ(lot.exit_code, 0) << lot.err;
  EXPECT_NE(lot.out.find("lot       /01/06971236000130/10/BL25-01"), std::string::npos) << lot.out;
  CommandResult events = origo({"events", "--sensor-type", "gs1:Temperature", "--sensor-gt", "3"});
  ASSERT_EQ(events.exit_code, 0) << events.err;
  EXPECT_NE(events.out.find("3 events"), std::string::npos) << events.out;
  CommandResult unknown = origo({"trace", "/01/06971236000147/21/NOPE"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("NOT_FOUND"), std::string::npos) << unknown.err;

  origod.Signal(SIGTERM);
  EXPECT_EQ(origod.Wait(), 0) << origod.err();
}

}  // namespace
}  // namespace origo
