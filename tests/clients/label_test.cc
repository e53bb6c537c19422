// origo label: the drawn QR code decodes back to the Digital Link URI, with a QR decoder from
// Debian (zbarimg, zbar-tools); the SVG is rasterised with rsvg-convert (librsvg2-bin) first, so
// both formats are read the way a phone or scanner reads them. Bad input writes nothing.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/process.h"
#include "tests/test_util.h"

namespace origo {
namespace {

using origo::testing::CommandResult;
using origo::testing::RunCommand;
using origo::testing::TempDir;

CommandResult Label(std::vector<std::string> args) {
  args.insert(args.begin(), {ORIGO_CLI_PATH, "label"});
  return RunCommand(args);
}

// The text zbarimg decodes from a PNG, "" when it finds no symbol.
std::string Decode(const std::string& png) {
  CommandResult r =
      RunCommand({"/usr/bin/zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", png});
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 4) << r.err;  // 4: no symbol found
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

TEST(LabelTest, PngAndSvgDecodeToTheSameDigitalLinkUri) {
  TempDir dir;
  const std::string uri = "https://id.origo.example/01/09506000134352/10/ABC";
  CommandResult png = Label({"01/09506000134352/10/ABC", "--out", dir.Sub("lot.png")});
  ASSERT_EQ(png.exit_code, 0) << png.err;
  EXPECT_NE(png.out.find(uri), std::string::npos) << png.out;
  EXPECT_EQ(Decode(dir.Sub("lot.png")), uri);

  CommandResult svg = Label({"01/09506000134352/10/ABC", "--out", dir.Sub("lot.svg")});
  ASSERT_EQ(svg.exit_code, 0) << svg.err;
  std::string text = Slurp(dir.Sub("lot.svg"));
  EXPECT_NE(text.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_NE(text.find(">(01) 09506000134352</text>"), std::string::npos) << text;
  EXPECT_NE(text.find(">(10) ABC</text>"), std::string::npos) << text;
  CommandResult raster = RunCommand(
      {"/usr/bin/rsvg-convert", "--zoom", "8", "--output", dir.Sub("svg.png"), dir.Sub("lot.svg")});
  ASSERT_EQ(raster.exit_code, 0) << raster.err;
  EXPECT_EQ(Decode(dir.Sub("svg.png")), uri);
}

TEST(LabelTest, ItemOnOwnHostFromElementStringAndUriWithAwkwardSerial) {
  TempDir dir;
  // A demo bottle as an element string; the code carries the canonical path on --host.
  CommandResult bottle = Label({"(01)06971236000147(21)HL25-0007", "--host",
                                "https://trace.example.cn/", "--out", dir.Sub("bottle.png")});
  ASSERT_EQ(bottle.exit_code, 0) << bottle.err;
  EXPECT_EQ(Decode(dir.Sub("bottle.png")),
            "https://trace.example.cn/01/06971236000147/21/HL25-0007");

  // A serial with characters that must be percent-encoded in the path, given as a URI on
  // another host: the label points at --host (default) with the canonical path.
  CommandResult odd =
      Label({"https://id.gs1.org/01/9506000134352/21/A%2FB%25C", "--out", dir.Sub("odd.png")});
  ASSERT_EQ(odd.exit_code, 0) << odd.err;
  EXPECT_EQ(Decode(dir.Sub("odd.png")), "https://id.origo.example/01/09506000134352/21/A%2FB%25C");
}

TEST(LabelTest, BadIdNamesTheSegmentAndWritesNothing) {
  TempDir dir;
  struct Case {
    std::vector<std::string> args;
    std::string says;
  } cases[] = {
      {{"01/09506000134353/10/ABC"}, "AI 01: check digit mismatch"},
      {{"01/09506000134352/10/ABCDEFGHIJKLMNOPQRSTU"}, "AI 10"},
      {{"01/09506000134352"}, "01 + 10"},
      {{"00/069712340000000019"}, "got AI 00"},
      {{"(01)09506000134352(10"}, "element string"},
      {{"01/09506000134352/10/ABC", "--host", "ftp://x"}, "--host"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = c.args;
    args.insert(args.end(), {"--out", dir.Sub("bad.png")});
    CommandResult r = Label(args);
    EXPECT_EQ(r.exit_code, 1) << c.args[0];
    EXPECT_NE(r.err.find("INVALID_ARGUMENT"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_FALSE(Exists(dir.Sub("bad.png"))) << c.args[0];
  }
  CommandResult gif = Label({"01/09506000134352/10/ABC", "--out", dir.Sub("x.gif")});
  EXPECT_EQ(gif.exit_code, 1);
  EXPECT_NE(gif.err.find("--out"), std::string::npos) << gif.err;
  EXPECT_FALSE(Exists(dir.Sub("x.gif")));

  // An existing file is not overwritten without --force.
  ASSERT_EQ(Label({"01/09506000134352/10/ABC", "--out", dir.Sub("a.png")}).exit_code, 0);
  std::string before = Slurp(dir.Sub("a.png"));
  CommandResult again = Label({"01/09506000134352/10/XYZ", "--out", dir.Sub("a.png")});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(Slurp(dir.Sub("a.png")), before);
  ASSERT_EQ(Label({"01/09506000134352/10/XYZ", "--out", dir.Sub("a.png"), "--force"}).exit_code, 0);
  EXPECT_EQ(Decode(dir.Sub("a.png")), "https://id.origo.example/01/09506000134352/10/XYZ");
}

}  // namespace
}  // namespace origo
