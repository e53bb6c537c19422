// Capture inputs: the strict JSON syntax check, the canonical (RFC 8785) serialization, scanner
// CSV with a template producing exactly the bytes of the equivalent canonical JSON lines, input
// files and pipes read line by line, and the watched folder.

#include "clients/cli/capture_input.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "clients/cli/json_text.h"
#include "clients/cli/template.h"
#include "clients/cli/watch_folder.h"
#include "tests/test_util.h"

namespace origo::cli {
namespace {

using ::origo::testing::TempDir;

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// --- JSON ----------------------------------------------------------------------------------

TEST(JsonTextTest, AcceptsEventObjects) {
  EXPECT_TRUE(json::CheckEventSyntax("{}").ok());
  EXPECT_TRUE(json::CheckEventSyntax(
                  " {\"type\": \"ObjectEvent\", \"q\": [1, -2.5e3, 0.1], \"x\": {\"y\": null, "
                  "\"z\": [true, false]}, \"s\": \"\\u00e9\\ud83c\\udf47 \xe6\x9e\xb8\"} ")
                  .ok());
}

TEST(JsonTextTest, RejectsWhatIsNotOneJsonObject) {
  struct Case {
    std::string text;
    std::string problem;
  };
  for (const Case& c : std::vector<Case>{
           {"{\"a\": 1,}", "expected a member name at byte 8"},
           {"{\"a\": 1", "unexpected end of input in an object"},
           {"{\"a\": 01}", "leading zero"},
           {"{\"a\": \"x\ty\"}", "control character in a string"},
           {"{\"a\": \"\\ud800\"}", "lone high surrogate"},
           {"{\"a\": \"\xc3\x28\"}", "invalid UTF-8"},
           {"{\"a\": 1e400}", "number out of range"},
           {"{\"a\": NaN}", "unexpected character 'N'"},
           {"{\"a\": 1} {}", "unexpected data after the value"},
           {"[1, 2]", "an event must be a JSON object"},
           {"", "unexpected end of input"},
       }) {
    absl::Status status = json::CheckEventSyntax(c.text);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_NE(status.message().find(c.problem), std::string::npos) << c.text << ": " << status;
  }
}

TEST(JsonTextTest, DuplicateNamesOnlyWhenAllowed) {
  EXPECT_TRUE(json::Parse("{\"a\":1,\"a\":2}").ok());
  json::ParseOptions strict;
  strict.allow_duplicate_names = false;
  auto parsed = json::Parse("{\"a\":1,\"a\":2}", strict);
  EXPECT_NE(parsed.status().message().find("duplicate member name \"a\""), std::string::npos);
}

TEST(JsonTextTest, NumbersAsEcmaScriptWritesThem) {
  EXPECT_EQ(json::FormatNumber(0), "0");
  EXPECT_EQ(json::FormatNumber(-0.0), "0");
  EXPECT_EQ(json::FormatNumber(12.5), "12.5");
  EXPECT_EQ(json::FormatNumber(1000), "1000");
  EXPECT_EQ(json::FormatNumber(-3), "-3");
  EXPECT_EQ(json::FormatNumber(0.001), "0.001");
  EXPECT_EQ(json::FormatNumber(0.000001), "0.000001");
  EXPECT_EQ(json::FormatNumber(1e-7), "1e-7");
  EXPECT_EQ(json::FormatNumber(1.5e-7), "1.5e-7");
  EXPECT_EQ(json::FormatNumber(1e20), "100000000000000000000");
  EXPECT_EQ(json::FormatNumber(1e21), "1e+21");
  EXPECT_EQ(json::FormatNumber(123456789012345680000.0), "123456789012345680000");
  EXPECT_EQ(json::FormatNumber(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(json::FormatNumber(5e-324), "5e-324");
  EXPECT_EQ(json::FormatNumber(1.7976931348623157e308), "1.7976931348623157e+308");
}

// The example of RFC 8785 §3.2.2.
TEST(JsonTextTest, CanonicalFormIsRfc8785) {
  auto parsed = json::Parse(
      "{\n  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
      "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
      "  \"literals\": [null, true, false]\n}");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(json::Canonical(*parsed),
            "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
            "\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
  // Names sort by UTF-16 code units: U+FB33 (one unit) after U+1F600 (a surrogate pair).
  auto names = json::Parse("{\"\xef\xac\xb3\": 1, \"\xf0\x9f\x98\x80\": 2, \"b\": 3, \"a\": 4}");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(json::Canonical(*names), "{\"a\":4,\"b\":3,\"\xf0\x9f\x98\x80\":2,\"\xef\xac\xb3\":1}");
}

// --- templates and CSV ---------------------------------------------------------------------

constexpr const char* kPackTemplate = R"({
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

// The JSON-lines events the CSV below stands for, written by hand in canonical form.
const std::string kWhere =
    "\"bizLocation\":{\"id\":\"https://id.gs1.org/414/6971234000019\"},\"bizStep\":"
    "\"commissioning\",\"disposition\":\"active\",";
const std::string kReadPoint =
    "\"readPoint\":{\"id\":\"https://id.gs1.org/414/6971234000019/254/packing-1\"},"
    "\"type\":\"ObjectEvent\"}";

std::vector<std::string> ExpectedEvents() {
  return {
      "{\"action\":\"ADD\"," + kWhere +
          "\"epcList\":[\"https://id.gs1.org/01/06971234000415/21/S000001\"],"
          "\"eventTime\":\"2026-09-01T08:00:01+08:00\",\"eventTimeZoneOffset\":\"+08:00\"," +
          kReadPoint,
      "{\"action\":\"ADD\"," + kWhere +
          "\"epcList\":[\"https://id.gs1.org/01/06971234000415/21/S000002\","
          "\"https://id.gs1.org/01/06971234000415/21/S000003\"],"
          "\"eventTime\":\"2026-09-01T08:00:02+08:00\",\"eventTimeZoneOffset\":\"+08:00\"," +
          kReadPoint,
      "{\"action\":\"ADD\"," + kWhere +
          "\"eventTime\":\"2026-09-01T08:00:03+08:00\",\"eventTimeZoneOffset\":\"+08:00\","
          "\"quantityList\":[{\"epcClass\":\"https://id.gs1.org/01/06971234000415/10/GJ20260901\","
          "\"quantity\":12.5,\"uom\":\"KGM\"}]," +
          kReadPoint,
      "{\"action\":\"ADD\"," + kWhere +
          "\"epcList\":[\"https://id.gs1.org/01/06971234000415/21/A%2F1\"],"
          "\"eventTime\":\"2026-09-01T08:00:04.250Z\",\"eventTimeZoneOffset\":\"+08:00\","
          "\"quantityList\":[{\"epcClass\":\"https://id.gs1.org/01/06971234000415/10/L7\","
          "\"quantity\":2.5,\"uom\":\"LTR\"}]," +
          kReadPoint,
  };
}

constexpr const char* kScans =
    "Time,Code,Quantity,Unit,Lot\r\n"
    "2026-09-01 08:00:01,S000001,,,\r\n"
    "\r\n"
    "2026-09-01T08:00:02+08:00,S000002 S000003,,,\r\n"
    "2026-09-01 08:00:03,,12.50,,\r\n"
    "\"2026-09-01T08:00:04.250Z\",\"(01)06971234000415(21)A/1\",2.5,LTR,L7\r\n";

TEST(CaptureTemplateTest, CsvGivesTheSameBytesAsTheCanonicalJsonLines) {
  auto tmpl = CaptureTemplate::Parse(kPackTemplate, "pack.json");
  ASSERT_TRUE(tmpl.ok()) << tmpl.status();
  TempDir dir;
  Write(dir.Sub("scans.csv"), kScans);
  auto events = ReadEventsFile(dir.Sub("scans.csv"), "scans.csv", &*tmpl);
  ASSERT_TRUE(events.ok()) << events.status();
  std::vector<std::string> expected = ExpectedEvents();
  ASSERT_EQ(events->size(), expected.size());
  const uint64_t lines[] = {2, 4, 5, 6};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ((*events)[i].bytes, expected[i]);
    EXPECT_EQ((*events)[i].origin.source, "scans.csv");
    EXPECT_EQ((*events)[i].origin.line, lines[i]);
    // The hand-written line is valid JSON, and already canonical.
    auto reparsed = json::Parse(expected[i]);
    ASSERT_TRUE(reparsed.ok()) << expected[i];
    EXPECT_EQ(json::Canonical(*reparsed), expected[i]);
  }
  // And the same lines as JSONL are taken byte for byte.
  std::string jsonl;
  for (const std::string& e : expected) jsonl += e + "\n";
  Write(dir.Sub("same.jsonl"), jsonl);
  auto same = ReadEventsFile(dir.Sub("same.jsonl"), "same.jsonl", nullptr);
  ASSERT_TRUE(same.ok());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ((*same)[i].bytes, (*events)[i].bytes);
}

TEST(CaptureTemplateTest, AggregationIntoCases) {
  auto tmpl = CaptureTemplate::Parse(R"({"type": "AggregationEvent", "bizStep": "packing",
      "eventTimeZoneOffset": "+08:00", "gtin": "06971234000415",
      "columns": {"parent": "case", "code": "items"}, "delimiter": ";"})",
                                     "case.json");
  ASSERT_TRUE(tmpl.ok()) << tmpl.status();
  CsvConverter csv(&*tmpl);
  ASSERT_TRUE(csv.Line("time;case;items").ok());
  auto event = csv.Line("2026-09-01 09:00;069712340000000019;S1|S2");
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(**event,
            "{\"action\":\"ADD\",\"bizStep\":\"packing\",\"childEPCs\":["
            "\"https://id.gs1.org/01/06971234000415/21/S1\","
            "\"https://id.gs1.org/01/06971234000415/21/S2\"],"
            "\"eventTime\":\"2026-09-01T09:00:00+08:00\",\"eventTimeZoneOffset\":\"+08:00\","
            "\"parentID\":\"https://id.gs1.org/00/069712340000000019\","
            "\"type\":\"AggregationEvent\"}");
  auto bad_parent = csv.Line("2026-09-01 09:00;069712340000000013;S1");
  EXPECT_NE(bad_parent.status().message().find("parent: \"069712340000000013\": not a valid SSCC"),
            std::string::npos)
      << bad_parent.status();
}

TEST(CaptureTemplateTest, MalformedRowsNameTheColumnAndRule) {
  auto tmpl = CaptureTemplate::Parse(kPackTemplate, "pack.json");
  ASSERT_TRUE(tmpl.ok());
  struct Case {
    std::string row;
    std::string problem;
  };
  for (const Case& c : std::vector<Case>{
           {"2026-02-30 08:00,S1,,", "time: \"2026-02-30 08:00\": no such date"},
           {"08:00,S1,,", "expected YYYY-MM-DDThh:mm"},
           {"2026-09-01 08:00+0800x,S1,,", "bad time zone offset"},
           {"2026-09-01 08:00,,abc,", "quantity: \"abc\": must be a decimal number > 0"},
           {"2026-09-01 08:00,,-1,", "quantity: \"-1\""},
           {"2026-09-01 08:00,,,", "a row needs a code or a quantity"},
           {"2026-09-01 08:00,(01)06971234000416(21)X,,", "bad GTIN check digit"},
           {"2026-09-01 08:00,(01)06971234000415,,", "must name an item"},
           {"2026-09-01 08:00,S 1#,,", "\"1#\": not a serial"},
           {"2026-09-01 08:00,\"S1\"x,,", "text after a closing quote"},
           {"2026-09-01 08:00,\"S1,,", "unterminated quoted field"},
           {"2026-09-01 08:00,S1,,,extra", "5 fields, but the header has 4"},
       }) {
    CsvConverter csv(&*tmpl);
    ASSERT_TRUE(csv.Line("time,code,quantity,unit").ok());
    auto event = csv.Line(c.row);
    EXPECT_EQ(event.status().code(), absl::StatusCode::kInvalidArgument) << c.row;
    EXPECT_NE(event.status().message().find(c.problem), std::string::npos)
        << c.row << ": " << event.status();
  }
  CsvConverter no_time(&*tmpl);
  EXPECT_NE(no_time.Line("when,code").status().message().find("header: no \"time\" column"),
            std::string::npos);
}

TEST(CaptureTemplateTest, TemplateErrorsNameTheMember) {
  struct Case {
    std::string json;
    std::string problem;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"eventTimeZoneOffset": "+08:00", "bizstep": "x"})", "bizstep: unknown member"},
           {R"({"bizStep": "x"})", "eventTimeZoneOffset: required"},
           {R"({"eventTimeZoneOffset": "+15:00"})", "eventTimeZoneOffset: must be"},
           {R"({"eventTimeZoneOffset": "+08:00", "gtin": "06971234000416"})",
            "gtin: must be 14 digits with a valid check digit"},
           {R"({"eventTimeZoneOffset": "+08:00", "type": "TransformationEvent"})", "type:"},
           {R"({"eventTimeZoneOffset": "+08:00", "columns": {"serial": "x"}})",
            "columns.serial: unknown column role"},
           {R"({"eventTimeZoneOffset": "+08:00", "eventTimeZoneOffset": "+08:00"})",
            "duplicate member name"},
       }) {
    auto tmpl = CaptureTemplate::Parse(c.json, "t.json");
    EXPECT_EQ(tmpl.status().code(), absl::StatusCode::kInvalidArgument) << c.json;
    EXPECT_NE(tmpl.status().message().find("template t.json: "), std::string::npos);
    EXPECT_NE(tmpl.status().message().find(c.problem), std::string::npos)
        << c.json << ": " << tmpl.status();
  }
}

TEST(CaptureTemplateTest, Gs1CheckDigits) {
  EXPECT_TRUE(ValidGs1CheckDigit("06971234000415"));
  EXPECT_TRUE(ValidGs1CheckDigit("6971234000019"));
  EXPECT_TRUE(ValidGs1CheckDigit("069712340000000019"));
  EXPECT_FALSE(ValidGs1CheckDigit("06971234000414"));
  EXPECT_FALSE(ValidGs1CheckDigit("0697123400041"));
}

// --- input files and pipes -----------------------------------------------------------------

TEST(CaptureInputTest, AMalformedLineFailsTheWholeFileNamingIt) {
  TempDir dir;
  Write(dir.Sub("a.jsonl"), "{\"a\":1}\r\n\n  \n{\"b\":2}\n{\"c\":3,}\n{\"d\":4}");
  auto events = ReadEventsFile(dir.Sub("a.jsonl"), "a.jsonl", nullptr);
  EXPECT_EQ(events.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(events.status().message().find("a.jsonl line 5: json: expected a member name"),
            std::string::npos)
      << events.status();
  Write(dir.Sub("b.jsonl"), "{\"a\":1}\r\n\n{\"b\":2}");  // no final LF
  auto good = ReadEventsFile(dir.Sub("b.jsonl"), "b.jsonl", nullptr);
  ASSERT_TRUE(good.ok()) << good.status();
  ASSERT_EQ(good->size(), 2u);
  EXPECT_EQ((*good)[0].bytes, "{\"a\":1}");
  EXPECT_EQ((*good)[1].bytes, "{\"b\":2}");
  EXPECT_EQ((*good)[1].origin.line, 3u);
  EXPECT_EQ(ReadEventsFile(dir.Sub("none"), "none", nullptr).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(CaptureInputTest, APipeIsIdleUntilALineIsComplete) {
  TempDir dir;
  const std::string fifo = dir.Sub("fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  int writer = open(fifo.c_str(), O_RDWR);  // keeps the pipe open without blocking
  ASSERT_GE(writer, 0);
  auto feed = LineFeed::Open(fifo);
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_FALSE((*feed)->regular());
  std::string line;
  uint64_t number = 0;
  ASSERT_EQ(write(writer, "{\"a\":1}\n{\"b\"", 12), 12);
  auto next = (*feed)->Next(std::chrono::milliseconds(500), false, &line, &number);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(*next, LineFeed::Result::kLine);
  EXPECT_EQ(line, "{\"a\":1}");
  // Half a line: nothing yet.
  next = (*feed)->Next(std::chrono::milliseconds(100), false, &line, &number);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, LineFeed::Result::kIdle);
  ASSERT_EQ(write(writer, ":2}\n", 4), 4);
  next = (*feed)->Next(std::chrono::milliseconds(500), false, &line, &number);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(*next, LineFeed::Result::kLine);
  EXPECT_EQ(line, "{\"b\":2}");
  EXPECT_EQ(number, 2u);
  close(writer);
}

TEST(CaptureInputTest, AFollowedFileWaitsForMore) {
  TempDir dir;
  const std::string path = dir.Sub("grow.jsonl");
  Write(path, "{\"a\":1}\n{\"b\"");
  auto feed = LineFeed::Open(path);
  ASSERT_TRUE(feed.ok());
  std::string line;
  uint64_t number = 0;
  ASSERT_EQ(*(*feed)->Next(std::chrono::milliseconds(100), true, &line, &number),
            LineFeed::Result::kLine);
  EXPECT_EQ(*(*feed)->Next(std::chrono::milliseconds(100), true, &line, &number),
            LineFeed::Result::kIdle);
  std::ofstream(path, std::ios::binary | std::ios::app) << ":2}\n";
  ASSERT_EQ(*(*feed)->Next(std::chrono::milliseconds(500), true, &line, &number),
            LineFeed::Result::kLine);
  EXPECT_EQ(line, "{\"b\":2}");
}

// --- the watched folder --------------------------------------------------------------------

TEST(WatchFolderTest, TakesSettledFilesAndSortsThemOut) {
  TempDir dir;
  auto folder = WatchFolder::Open(dir.path());
  ASSERT_TRUE(folder.ok()) << folder.status();
  Write(dir.Sub("a.csv"), "x");
  Write(dir.Sub("b.jsonl"), "y");
  Write(dir.Sub("c.csv.part"), "being written");
  Write(dir.Sub(".hidden"), "z");
  EXPECT_TRUE(folder->Ready()->empty());  // first sight: not yet known to be settled
  auto ready = folder->Ready();
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(*ready, (std::vector<std::string>{"a.csv", "b.jsonl"}));
  auto done = folder->MarkDone("a.csv");
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(*done, dir.Sub("done/a.csv"));
  auto failed = folder->MarkFailed("b.jsonl", "b.jsonl line 3: json: bad");
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ(Read(dir.Sub("failed/b.jsonl.error")), "b.jsonl line 3: json: bad\n");
  // A second file of the same name does not replace the first.
  Write(dir.Sub("a.csv"), "again");
  folder->Ready().IgnoreError();
  ASSERT_EQ(*folder->Ready(), std::vector<std::string>{"a.csv"});
  EXPECT_EQ(*folder->MarkDone("a.csv"), dir.Sub("done/a.csv.1"));
  EXPECT_EQ(Read(dir.Sub("done/a.csv")), "x");
}

}  // namespace
}  // namespace origo::cli
