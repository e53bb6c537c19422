#include "core/gs1/gs1.h"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/gs1/digital_link.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace origo::gs1 {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

template <typename T>
std::string Message(const absl::StatusOr<T>& result) {
  return std::string(result.status().message());
}

// ---------------------------------------------------------------------------------------------
// Check digits and key validators.

TEST(Gs1CheckDigitTest, ComputesKnownKeys) {
  EXPECT_EQ(ComputeCheckDigit("0690123456789").value(), '2');      // GTIN-14 06901234567892
  EXPECT_EQ(ComputeCheckDigit("400638133393").value(), '1');       // EAN-13 4006381333931
  EXPECT_EQ(ComputeCheckDigit("03600029145").value(), '2');        // UPC-A 036000291452
  EXPECT_EQ(ComputeCheckDigit("9638507").value(), '4');            // EAN-8 96385074
  EXPECT_EQ(ComputeCheckDigit("10614141234567890").value(), '8');  // SSCC
  EXPECT_EQ(ComputeCheckDigit("0").value(), '0');
}

TEST(Gs1CheckDigitTest, RejectsNonDigitsAndEmpty) {
  EXPECT_EQ(ComputeCheckDigit("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(ComputeCheckDigit("12a4")), HasSubstr("'a' at position 3"));
}

TEST(Gs1CheckDigitTest, MismatchNamesAiExpectedAndActual) {
  const absl::Status status = VerifyCheckDigit("01", "06901234567893");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "AI 01: check digit mismatch: expected 2, got 3");
  EXPECT_TRUE(VerifyCheckDigit("01", "06901234567892").ok());
  EXPECT_FALSE(VerifyCheckDigit("01", "2").ok());
}

TEST(GtinTest, NormalizesEveryLengthTo14Digits) {
  EXPECT_EQ(NormalizeGtin("96385074").value(), "00000096385074");
  EXPECT_EQ(NormalizeGtin("036000291452").value(), "00036000291452");
  EXPECT_EQ(NormalizeGtin("4006381333931").value(), "04006381333931");
  EXPECT_EQ(NormalizeGtin("06901234567892").value(), "06901234567892");
  EXPECT_TRUE(ValidateGtin("6901234567892").ok());
}

TEST(GtinTest, RejectsBadLengthCharactersAndCheckDigit) {
  EXPECT_THAT(Message(NormalizeGtin("123456789")),
              HasSubstr("AI 01: GTIN must be 8, 12, 13 or 14 digits, got 9"));
  EXPECT_THAT(Message(NormalizeGtin("")), HasSubstr("got 0"));
  EXPECT_THAT(Message(NormalizeGtin("0690123456789X")), HasSubstr("'X' at position 14"));
  EXPECT_EQ(Message(NormalizeGtin("06901234567893")),
            "AI 01: check digit mismatch: expected 2, got 3");
  EXPECT_EQ(ValidateGtin("96385075").code(), absl::StatusCode::kInvalidArgument);
}

TEST(GlnSsccTest, ValidatesLengthDigitsAndCheckDigit) {
  EXPECT_TRUE(ValidateGln("6971234000019").ok());
  EXPECT_TRUE(ValidateGln("0614141123452").ok());
  EXPECT_THAT(Message(ValidateGln("0614141123453")),
              HasSubstr("AI 414: check digit mismatch: expected 2, got 3"));
  EXPECT_THAT(Message(ValidateGln("614141123452")), HasSubstr("AI 414: GLN must be 13 digits"));
  EXPECT_THAT(Message(ValidateGln("061414112345A")), HasSubstr("'A' at position 13"));

  EXPECT_TRUE(ValidateSscc("069712340000000019").ok());
  EXPECT_TRUE(ValidateSscc("106141412345678908").ok());
  EXPECT_THAT(Message(ValidateSscc("106141412345678909")),
              HasSubstr("AI 00: check digit mismatch: expected 8, got 9"));
  EXPECT_THAT(Message(ValidateSscc("10614141234567890")), HasSubstr("AI 00: SSCC must be 18"));
}

TEST(GiaiTest, CompanyPrefixThenCharset82UpTo30) {
  EXPECT_TRUE(ValidateGiai("0614141BARREL-07").ok());
  EXPECT_TRUE(ValidateGiai("061414112345400").ok());
  EXPECT_TRUE(ValidateGiai(std::string(30, '7')).ok());
  EXPECT_THAT(Message(ValidateGiai(std::string(31, '7'))),
              HasSubstr("AI 8004: GIAI must be at most 30 characters, got 31"));
  EXPECT_THAT(Message(ValidateGiai("ABC12345")), HasSubstr("AI 8004: GIAI must begin with"));
  EXPECT_THAT(Message(ValidateGiai("0614141 7")),
              HasSubstr("' ' at position 8 is not in GS1 character set 82"));
  EXPECT_THAT(Message(ValidateGiai("")), HasSubstr("must not be empty"));
}

TEST(Gs1AttributeTest, SerialLotAndExtensionUseCharset82UpTo20) {
  EXPECT_TRUE(ValidateSerial("ZN26C0001").ok());
  EXPECT_TRUE(ValidateLot("GJ2026-0415").ok());
  EXPECT_TRUE(ValidateLot("!\"%&'()*+,-./:;<=>?_").ok());  // Every symbol in set 82.
  EXPECT_TRUE(ValidateGlnExtension("plot-07").ok());
  EXPECT_TRUE(ValidateCpv("2A").ok());
  EXPECT_TRUE(ValidateSerial(std::string(20, 'a')).ok());

  EXPECT_THAT(Message(ValidateSerial(std::string(21, 'a'))),
              HasSubstr("AI 21: serial must be at most 20 characters, got 21"));
  EXPECT_THAT(Message(ValidateLot("")), HasSubstr("AI 10: lot must not be empty"));
  EXPECT_THAT(Message(ValidateLot("GJ#1")),
              HasSubstr("AI 10: lot: '#' at position 3 is not in GS1 character set 82"));
  EXPECT_THAT(Message(ValidateGlnExtension("a b")), HasSubstr("AI 254:"));
  EXPECT_FALSE(ValidateSerial("\xE6\x89\xB9").ok());  // Non-ASCII.
  for (char c : std::string_view("#$@[\\]^`{|}~ ")) EXPECT_FALSE(IsCharset82(c)) << c;
}

TEST(Gs1ExpiryTest, AcceptsValidDatesAndDayZero) {
  EXPECT_TRUE(ValidateExpiry("261231").ok());
  EXPECT_TRUE(ValidateExpiry("260400").ok());  // Day 00: end of month.
  EXPECT_TRUE(ValidateExpiry("280229").ok());  // 2028 is a leap year.
  EXPECT_TRUE(ValidateExpiry("000229").ok());  // So is 2000.
}

TEST(Gs1ExpiryTest, RejectsBadMonthDayAndShape) {
  EXPECT_THAT(Message(ValidateExpiry("261331")), HasSubstr("AI 17: month must be 01-12, got 13"));
  EXPECT_THAT(Message(ValidateExpiry("260031")), HasSubstr("month must be 01-12, got 00"));
  EXPECT_THAT(Message(ValidateExpiry("260431")),
              HasSubstr("AI 17: day must be 00-30 for month 04, got 31"));
  EXPECT_THAT(Message(ValidateExpiry("270229")), HasSubstr("day must be 00-28"));
  EXPECT_THAT(Message(ValidateExpiry("2612")), HasSubstr("AI 17: expiry date must be 6 digits"));
  EXPECT_FALSE(ValidateExpiry("26-231").ok());
}

// ---------------------------------------------------------------------------------------------
// Digital Link.

TEST(DigitalLinkTest, ParsesLotPath) {
  absl::StatusOr<DigitalLink> link = ParseDigitalLink("/01/06901234567892/10/GJ2026-0415");
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_EQ(link->primary_ai, "01");
  EXPECT_EQ(link->primary_value, "06901234567892");
  EXPECT_THAT(link->lot, Optional(std::string("GJ2026-0415")));
  EXPECT_FALSE(link->serial.has_value());
  EXPECT_TRUE(link->IsLot());
  EXPECT_FALSE(link->IsItem());
  EXPECT_EQ(link->CanonicalPath(), "/01/06901234567892/10/GJ2026-0415");
}

TEST(DigitalLinkTest, ParsesUriOnAnyHostWithQuery) {
  absl::StatusOr<DigitalLink> link =
      ParseDigitalLink("https://id.example.cn/01/06901234567892/21/0001?17=261231&linkType=all");
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_THAT(link->serial, Optional(std::string("0001")));
  EXPECT_THAT(link->expiry, Optional(std::string("261231")));
  EXPECT_TRUE(link->IsItem());
  EXPECT_FALSE(link->IsLot());
  EXPECT_EQ(link->CanonicalPath(), "/01/06901234567892/21/0001");
}

TEST(DigitalLinkTest, SkipsResolverPathPrefix) {
  absl::StatusOr<DigitalLink> link = ParseDigitalLink(
      "HTTP://resolver.example.com:8080/some/prefix/01/06901234567892/10/GJ2026-0415/21/0001#x");
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_EQ(link->CanonicalPath(), "/01/06901234567892/10/GJ2026-0415/21/0001");
  EXPECT_TRUE(link->IsItem());

  // A prefix segment that looks like an AI but does not start a well-formed key is skipped.
  link = ParseDigitalLink("https://h/01/tenant/01/06901234567892");
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_EQ(link->CanonicalPath(), "/01/06901234567892");
}

TEST(DigitalLinkTest, NormalizesShortGtinAndShortNames) {
  absl::StatusOr<DigitalLink> link = ParseDigitalLink("/gtin/6901234567892/lot/A1/ser/7/");
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_EQ(link->primary_value, "06901234567892");
  EXPECT_EQ(link->CanonicalPath(), "/01/06901234567892/10/A1/21/7");
  EXPECT_EQ(ParseDigitalLink("01/96385074").value().CanonicalPath(), "/01/00000096385074");
}

TEST(DigitalLinkTest, PercentDecodesValuesAndEncodesCanonically) {
  absl::StatusOr<DigitalLink> link =
      ParseDigitalLink("https://h/01/06901234567892/22/2A/10/A%2FB%25c+d/21/x%3Ay");
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_THAT(link->cpv, Optional(std::string("2A")));
  EXPECT_THAT(link->lot, Optional(std::string("A/B%c+d")));
  EXPECT_THAT(link->serial, Optional(std::string("x:y")));
  EXPECT_EQ(link->CanonicalPath(), "/01/06901234567892/22/2A/10/A%2FB%25c%2Bd/21/x%3Ay");
  // The canonical path parses back to the same link.
  EXPECT_EQ(ParseDigitalLink(link->CanonicalPath()).value(), *link);
}

TEST(DigitalLinkTest, ParsesOtherPrimaryKeys) {
  absl::StatusOr<DigitalLink> sscc = ParseDigitalLink("https://id.gs1.org/00/069712340000000019");
  ASSERT_TRUE(sscc.ok()) << sscc.status();
  EXPECT_EQ(sscc->primary_ai, "00");
  EXPECT_EQ(sscc->CanonicalPath(), "/00/069712340000000019");
  EXPECT_FALSE(sscc->IsItem());
  EXPECT_FALSE(sscc->IsLot());

  absl::StatusOr<DigitalLink> gln = ParseDigitalLink("/414/6971234000019/254/dryer-2");
  ASSERT_TRUE(gln.ok()) << gln.status();
  EXPECT_EQ(gln->primary_ai, "414");
  EXPECT_THAT(gln->gln_extension, Optional(std::string("dryer-2")));
  EXPECT_EQ(gln->CanonicalPath(), "/414/6971234000019/254/dryer-2");

  absl::StatusOr<DigitalLink> giai = ParseDigitalLink("/8004/0614141BARREL-07");
  ASSERT_TRUE(giai.ok()) << giai.status();
  EXPECT_EQ(giai->primary_ai, "8004");
  EXPECT_EQ(giai->CanonicalPath(), "/8004/0614141BARREL-07");
}

TEST(DigitalLinkTest, ErrorsNameTheAiAndRule) {
  const absl::StatusOr<DigitalLink> bad_check = ParseDigitalLink("/01/06901234567893/10/X");
  EXPECT_EQ(bad_check.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(bad_check), "AI 01: check digit mismatch: expected 2, got 3");

  EXPECT_THAT(Message(ParseDigitalLink("/01/06901234567892/21/1/10/L")),
              HasSubstr("AI 01: key qualifier AI 10 must not follow AI 21"));
  EXPECT_THAT(Message(ParseDigitalLink("/01/06901234567892/10/L/10/M")),
              HasSubstr("AI 10 must not follow AI 10"));
  EXPECT_THAT(Message(ParseDigitalLink("/01/06901234567892/254/x")),
              HasSubstr("AI 01: '254' is not a key qualifier"));
  EXPECT_THAT(Message(ParseDigitalLink("/00/069712340000000019/21/1")),
              HasSubstr("AI 00: '21' is not a key qualifier of this primary key (allowed: none)"));
  EXPECT_THAT(Message(ParseDigitalLink("/01/06901234567892/10")),
              HasSubstr("AI 01: every AI in the path must be followed by a value"));
  EXPECT_THAT(Message(ParseDigitalLink("/01/06901234567892/10/GJ%2")),
              HasSubstr("AI 10: malformed percent-encoding"));
  EXPECT_THAT(Message(ParseDigitalLink("/01/06901234567892/10/GJ%ZZ1")),
              HasSubstr("AI 10: malformed percent-encoding"));
  EXPECT_THAT(Message(ParseDigitalLink("/01/06901234567892/10/A%20B")),
              HasSubstr("AI 10: lot: ' ' at position 2"));
  EXPECT_THAT(Message(ParseDigitalLink("/01/06901234567892/21/")),
              HasSubstr("must be followed by a value"));
  EXPECT_THAT(Message(ParseDigitalLink("/01/06901234567892?17=261331")),
              HasSubstr("AI 17: month must be 01-12"));
  EXPECT_THAT(Message(ParseDigitalLink("/01/06901234567892?17=261231&17=261230")),
              HasSubstr("AI 17: given twice"));
  EXPECT_THAT(Message(ParseDigitalLink("https://example.com/products/42")),
              HasSubstr("no primary key"));
  EXPECT_THAT(Message(ParseDigitalLink("ftp://h/01/06901234567892")),
              HasSubstr("scheme must be http or https"));
  EXPECT_THAT(Message(ParseDigitalLink("https:///01/06901234567892")), HasSubstr("no host"));
  EXPECT_EQ(ParseDigitalLink("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(ParseDigitalLink("/414/6971234000018")),
              HasSubstr("AI 414: check digit mismatch: expected 9, got 8"));
  EXPECT_THAT(Message(ParseDigitalLink("/8004/12")), HasSubstr("AI 8004:"));
}

TEST(DigitalLinkTest, IgnoresUnknownQueryParameters) {
  absl::StatusOr<DigitalLink> link =
      ParseDigitalLink("/01/06901234567892?linkType=gs1:pip&&exp=270100&3103=000500");
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_THAT(link->expiry, Optional(std::string("270100")));
}

TEST(PathBuilderTest, BuildsCanonicalPaths) {
  EXPECT_EQ(GtinPath("6901234567892").value(), "/01/06901234567892");
  EXPECT_EQ(LotPath("6901234567892", "GJ2026-0415").value(), "/01/06901234567892/10/GJ2026-0415");
  EXPECT_EQ(ItemPath("06971234000415", "ZN26C0001").value(), "/01/06971234000415/21/ZN26C0001");
  EXPECT_EQ(ItemPath("06971234000415", "a/b").value(), "/01/06971234000415/21/a%2Fb");
  EXPECT_EQ(SsccPath("069712340000000019").value(), "/00/069712340000000019");
  EXPECT_EQ(GlnPath("6971234000019").value(), "/414/6971234000019");
  EXPECT_EQ(GlnPath("6971234000019", "plot-07").value(), "/414/6971234000019/254/plot-07");
  EXPECT_EQ(GiaiPath("0614141BARREL-07").value(), "/8004/0614141BARREL-07");

  EXPECT_EQ(Message(LotPath("06901234567893", "L")),
            "AI 01: check digit mismatch: expected 2, got 3");
  EXPECT_THAT(Message(ItemPath("06901234567892", "")), HasSubstr("AI 21"));
  EXPECT_THAT(Message(SsccPath("1")), HasSubstr("AI 00"));
  EXPECT_THAT(Message(GlnPath("6971234000019", "a b")), HasSubstr("AI 254"));
}

// ---------------------------------------------------------------------------------------------
// EPCIS identifiers.

TEST(ParseIdentifierTest, AcceptsDigitalLinks) {
  absl::StatusOr<DigitalLink> link = ParseIdentifier("https://id.gs1.org/01/09521234543213/21/3");
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_EQ(link->CanonicalPath(), "/01/09521234543213/21/3");
}

TEST(ParseIdentifierTest, ConvertsSgtinMovingIndicatorAndComputingCheckDigit) {
  absl::StatusOr<DigitalLink> link = ParseIdentifier("urn:epc:id:sgtin:0614141.107346.2017");
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_EQ(link->CanonicalPath(), "/01/10614141073464/21/2017");
  EXPECT_TRUE(link->IsItem());
  // Escaped and dotted serials are decoded.
  EXPECT_EQ(ParseIdentifier("urn:epc:id:sgtin:0614141.107346.a.b%2Fc").value().serial,
            std::optional<std::string>("a.b/c"));
}

TEST(ParseIdentifierTest, ConvertsLgtinAndIdpat) {
  absl::StatusOr<DigitalLink> lot = ParseIdentifier("urn:epc:class:lgtin:4012345.012345.998877");
  ASSERT_TRUE(lot.ok()) << lot.status();
  EXPECT_EQ(lot->CanonicalPath(), "/01/04012345123456/10/998877");
  EXPECT_TRUE(lot->IsLot());

  absl::StatusOr<DigitalLink> product = ParseIdentifier("urn:epc:idpat:sgtin:4012345.012345.*");
  ASSERT_TRUE(product.ok()) << product.status();
  EXPECT_EQ(product->CanonicalPath(), "/01/04012345123456");
}

TEST(ParseIdentifierTest, ConvertsSsccSglnGiai) {
  EXPECT_EQ(ParseIdentifier("urn:epc:id:sscc:0614141.1234567890").value().CanonicalPath(),
            "/00/106141412345678908");
  EXPECT_EQ(ParseIdentifier("urn:epc:id:sgln:0614141.12345.400").value().CanonicalPath(),
            "/414/0614141123452/254/400");
  EXPECT_EQ(ParseIdentifier("urn:epc:id:sgln:0614141.12345.0").value().CanonicalPath(),
            "/414/0614141123452");
  EXPECT_EQ(ParseIdentifier("urn:epc:id:giai:0614141.12345400").value().CanonicalPath(),
            "/8004/061414112345400");
  EXPECT_EQ(ParseIdentifier("URN:EPC:ID:GIAI:0614141.BARREL-07").value().CanonicalPath(),
            "/8004/0614141BARREL-07");
}

TEST(ParseIdentifierTest, UrnAndDigitalLinkOfTheSameThingAgree) {
  EXPECT_EQ(ParseIdentifier("urn:epc:id:sgtin:9521234.054321.3").value(),
            ParseIdentifier("https://id.gs1.org/01/09521234543213/21/3").value());
}

TEST(ParseIdentifierTest, RejectsMalformedUrns) {
  EXPECT_THAT(Message(ParseIdentifier("urn:epc:id:sgtin:06141.1073460.1")),
              HasSubstr("EPC URN sgtin: company prefix must be 6-12 digits"));
  EXPECT_THAT(Message(ParseIdentifier("urn:epc:id:sgtin:0614141.10734.1")),
              HasSubstr("EPC URN sgtin: company prefix and reference must total 13 digits"));
  EXPECT_THAT(Message(ParseIdentifier("urn:epc:id:sgtin:0614141.107346")),
              HasSubstr("EPC URN sgtin: expected"));
  EXPECT_THAT(Message(ParseIdentifier("urn:epc:id:sgtin:0614141.107346.")), HasSubstr("AI 21"));
  EXPECT_THAT(Message(ParseIdentifier("urn:epc:id:sscc:0614141.123456789")),
              HasSubstr("must total 17 digits"));
  EXPECT_THAT(Message(ParseIdentifier("urn:epc:id:sgln:0614141.1234.0")),
              HasSubstr("must total 12 digits"));
  EXPECT_THAT(Message(ParseIdentifier("urn:epc:id:grai:0614141.12345.400")),
              HasSubstr("unsupported scheme 'urn:epc:id:grai'"));
  EXPECT_THAT(Message(ParseIdentifier("urn:epc:id")), HasSubstr("malformed"));
  EXPECT_THAT(Message(ParseIdentifier("urn:isbn:0451450523")), HasSubstr("urn:epc:"));
  EXPECT_THAT(Message(ParseIdentifier("urn:epc:idpat:sgtin:4012345.012345.7")),
              HasSubstr("only the pattern"));
}

// Every Digital Link in the goji capture fixtures parses, and its canonical path is the path
// the fixture used (they are already canonical).
TEST(ParseIdentifierTest, GojiFixtureIdentifiersParse) {
  std::set<std::string> uris;
  const std::regex uri_re("\"(https://id\\.gs1\\.org(/[^\"?#]*))\"");
  for (const char* file : {"grower.jsonl", "exporter.jsonl"}) {
    std::ifstream in(std::string(ORIGO_TESTDATA_DIR) + "/capture/goji/" + file);
    ASSERT_TRUE(in.good()) << file;
    std::stringstream text;
    text << in.rdbuf();
    const std::string content = text.str();
    for (std::sregex_iterator it(content.begin(), content.end(), uri_re), end; it != end; ++it) {
      uris.insert((*it)[1].str());
    }
  }
  ASSERT_GE(uris.size(), 20u);
  for (const std::string& uri : uris) {
    absl::StatusOr<DigitalLink> link = ParseIdentifier(uri);
    ASSERT_TRUE(link.ok()) << uri << ": " << link.status();
    EXPECT_EQ("https://id.gs1.org" + link->CanonicalPath(), uri);
  }
}

}  // namespace
}  // namespace origo::gs1
