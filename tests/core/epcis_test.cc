#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/crypto/hash.h"
#include "core/epcis/event.h"
#include "core/epcis/json_reader.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace origo::epcis {
namespace {

// 2027-01-01T00:00:00Z: after every goji fixture.
constexpr int64_t kNow = 1798761600000;

ValidationOptions Options() {
  ValidationOptions options;
  options.now_unix_ms = kNow;
  return options;
}

std::vector<std::string> ReadLines(const std::string& name) {
  std::ifstream in(std::string(ORIGO_TESTDATA_DIR) + "/capture/goji/" + name);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

const std::vector<std::string>& Grower() {
  static const auto* lines = new std::vector<std::string>(ReadLines("grower.jsonl"));
  return *lines;
}

const std::vector<std::string>& Exporter() {
  static const auto* lines = new std::vector<std::string>(ReadLines("exporter.jsonl"));
  return *lines;
}

// The harvest (commissioning ObjectEvent) and drying (TransformationEvent) fixtures.
const std::string& Harvest() { return Grower().at(0); }
const std::string& Drying() { return Grower().at(1); }

// `json` with the first `from` replaced by `to`; fails the test if `from` is absent.
std::string Replace(std::string json, std::string_view from, std::string_view to) {
  const size_t at = json.find(from);
  EXPECT_NE(at, std::string::npos) << "fixture lacks " << from;
  if (at != std::string::npos) json.replace(at, from.size(), to);
  return json;
}

// `json` (an object) with `members` inserted right after its opening brace.
std::string Prepend(const std::string& json, std::string_view members) {
  return "{" + std::string(members) + "," + json.substr(1);
}

ParsedEvent MustParse(std::string_view json, const ValidationOptions& options = Options()) {
  absl::StatusOr<ParsedEvent> parsed = ParseEvent(json, options);
  EXPECT_TRUE(parsed.ok()) << parsed.status() << "\n" << json;
  return parsed.ok() ? *std::move(parsed) : ParsedEvent{};
}

// Asserts INVALID_ARGUMENT whose message starts with "<field>: " and contains `rule`.
void ExpectRejected(std::string_view json, const std::string& field, const std::string& rule = "",
                    const ValidationOptions& options = Options()) {
  absl::StatusOr<ParsedEvent> parsed = ParseEvent(json, options);
  ASSERT_FALSE(parsed.ok()) << "accepted: " << json;
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << parsed.status();
  const std::string message(parsed.status().message());
  EXPECT_EQ(message.rfind(field + ": ", 0), 0u) << "message: " << message;
  EXPECT_NE(message.find(rule), std::string::npos) << "message: " << message;
}

std::string Item(int n) {
  return "\"https://id.gs1.org/01/06971234000415/21/ZN26C" + std::to_string(1000 + n) + "\"";
}

// ---------------------------------------------------------------------------------------------
// The goji fixtures.

TEST(ParseEventTest, EveryGojiFixtureParses) {
  ASSERT_EQ(Grower().size(), 6u);
  ASSERT_EQ(Exporter().size(), 2u);
  for (const auto* file : {&Grower(), &Exporter()}) {
    for (const std::string& line : *file) {
      const ParsedEvent parsed = MustParse(line);
      EXPECT_EQ(parsed.event_id_hex, crypto::HexEncode(crypto::Sha256(line)));
      EXPECT_EQ(parsed.event_id_hex.size(), 64u);
      EXPECT_FALSE(parsed.identifiers.empty());
    }
  }
}

TEST(ParseEventTest, HarvestEvent) {
  const ParsedEvent parsed = MustParse(Harvest());
  EXPECT_EQ(parsed.event.type(), "ObjectEvent");
  EXPECT_EQ(parsed.event.biz_step(), "commissioning");
  EXPECT_EQ(parsed.event.quantity_list(0).quantity(), 1200);
  EXPECT_EQ(parsed.event.ilmd().fields().at("variety").string_value(), "Ningqi No.7");
  EXPECT_EQ(parsed.event_time_unix_ms, 1787182200000);  // 2026-08-20T07:30:00+08:00
  EXPECT_EQ(parsed.identifiers,
            (std::vector<std::string>{"/01/06971234000101/10/ZN2026-P07-0820",
                                      "/414/6971234000019/254/plot-07", "/414/6971234000019"}));
}

TEST(ParseEventTest, DryingEventReferencesHarvestAndDriedLots) {
  const ParsedEvent parsed = MustParse(Drying());
  EXPECT_EQ(parsed.event.type(), "TransformationEvent");
  EXPECT_EQ(parsed.event_time_unix_ms, 1787479200000);  // 2026-08-23T18:00:00+08:00
  EXPECT_EQ(parsed.identifiers,
            (std::vector<std::string>{"/01/06971234000101/10/ZN2026-P07-0820",
                                      "/01/06971234000279/10/ZN2026-D0823",
                                      "/414/6971234000019/254/dryer-2", "/414/6971234000019"}));
}

TEST(ParseEventTest, PackingAndAggregationListEveryItem) {
  const ParsedEvent packing = MustParse(Grower().at(3));
  ASSERT_EQ(packing.identifiers.size(), 22u);  // input lot, 20 items, one GLN
  EXPECT_EQ(packing.identifiers[0], "/01/06971234000347/10/ZN2026-G0825-TY");
  EXPECT_EQ(packing.identifiers[1], "/01/06971234000415/21/ZN26C0001");
  EXPECT_EQ(packing.identifiers[21], "/414/6971234000019");

  const ParsedEvent aggregation = MustParse(Grower().at(4));
  ASSERT_EQ(aggregation.identifiers.size(), 22u);  // SSCC, 20 items, one GLN
  EXPECT_EQ(aggregation.identifiers[0], "/00/069712340000000019");
  EXPECT_EQ(aggregation.identifiers[20], "/01/06971234000415/21/ZN26C0020");
}

TEST(ParseEventTest, IdentifiersAreDeduplicatedAndSkipNonGs1Locations) {
  // readPoint and bizLocation are the same GLN.
  EXPECT_EQ(MustParse(Exporter().at(0)).identifiers,
            (std::vector<std::string>{"/00/069712340000000019", "/414/6971235000025"}));
  // The same item as a Digital Link on another host and as an EPC URN.
  const std::string json = Replace(
      Exporter().at(0), R"(["https://id.gs1.org/00/069712340000000019"])",
      R"(["https://example.com/01/06971234000415/21/A1", "urn:epc:id:sgtin:6971234.000041.A1"])");
  const ParsedEvent parsed = MustParse(json);
  EXPECT_EQ(parsed.identifiers,
            (std::vector<std::string>{"/01/06971234000415/21/A1", "/414/6971235000025"}));
  // Each spelling, as written, leads to its canonical path (what the sector rules look up).
  auto canonical = [&parsed](const std::string& raw) -> std::string {
    auto it = parsed.canonical.find(raw);
    return it == parsed.canonical.end() ? "(none)" : parsed.identifiers[it->second];
  };
  EXPECT_EQ(canonical("https://example.com/01/06971234000415/21/A1"), "/01/06971234000415/21/A1");
  EXPECT_EQ(canonical("urn:epc:id:sgtin:6971234.000041.A1"), "/01/06971234000415/21/A1");
  EXPECT_EQ(canonical("/01/06971234000415/21/A1"), "(none)");  // not written so in the event
  EXPECT_EQ(parsed.canonical.size(), 3u);  // the two spellings and the GLN of both locations
}

TEST(ParseEventTest, EventIdIsOverTheExactBytesIncludingWhitespace) {
  const std::string padded = "  \n" + Harvest() + " \t";
  const ParsedEvent parsed = MustParse(padded);
  EXPECT_EQ(parsed.event_id_hex, crypto::HexEncode(crypto::Sha256(padded)));
  EXPECT_NE(parsed.event_id_hex, MustParse(Harvest()).event_id_hex);
}

TEST(ParseEventTest, RecordTimeIsIgnoredAndCleared) {
  const ParsedEvent parsed = MustParse(Prepend(Harvest(), R"("recordTime": "not a time")"));
  EXPECT_EQ(parsed.event.record_time(), "");
}

TEST(ParseEventTest, EscapedKeysAndValuesAreDecoded) {
  const ParsedEvent parsed = MustParse(
      Replace(Replace(Harvest(), R"("type": "ObjectEvent")", R"("\u0074ype": "Object\u0045vent")"),
              "Ningqi No.7", R"(Ningqi \"No.7\" \u5b81\u590f \ud83c\udf47)"));
  EXPECT_EQ(parsed.event.type(), "ObjectEvent");
  EXPECT_EQ(parsed.event.ilmd().fields().at("variety").string_value(),
            "Ningqi \"No.7\" \xE5\xAE\x81\xE5\xA4\x8F \xF0\x9F\x8D\x87");
}

// ---------------------------------------------------------------------------------------------
// Unknown keys and EPCIS extensions.

TEST(ParseEventTest, ContextAndNamespacedExtensionKeysAreAcceptedAndDropped) {
  const std::string json = Prepend(
      Harvest(), R"("@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld",)"
                 R"( {"example": "https://example.com/epcis/"}],)"
                 R"( "example:foo": {"bar": [1, 2, {"baz": null}]})");
  const ParsedEvent parsed = MustParse(json);
  EXPECT_EQ(parsed.event_id_hex, crypto::HexEncode(crypto::Sha256(json)));
  const ParsedEvent plain = MustParse(Harvest());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(parsed.event, plain.event));
  EXPECT_EQ(parsed.identifiers, plain.identifiers);
}

TEST(ParseEventTest, ExtensionAsLastMemberIsDropped) {
  const std::string json = Harvest().substr(0, Harvest().size() - 1) + R"(, "example:foo": 1})";
  EXPECT_EQ(MustParse(json).identifiers, MustParse(Harvest()).identifiers);
}

TEST(ParseEventTest, UnknownTopLevelKeyIsRejectedByName) {
  ExpectRejected(Prepend(Harvest(), R"("bizstep": "commissioning")"), "bizstep", "unknown field");
}

TEST(ParseEventTest, ProtoFieldNamesAreNotJsonNames) {
  ExpectRejected(Prepend(Harvest(), R"("biz_location": {"id": "urn:x:y"})"), "biz_location",
                 "unknown field");
}

TEST(ParseEventTest, UnknownNestedKeyIsRejectedWithItsPath) {
  ExpectRejected(Replace(Drying(), R"("uom": "KGM"}], "outputQuantityList")",
                         R"("uom": "KGM", "quanity": 3}], "outputQuantityList")"),
                 "inputQuantityList[0].quanity", "unknown field");
  // Extensions are allowed at the top level only.
  ExpectRejected(Replace(Harvest(), R"({"id": "https://id.gs1.org/414/6971234000019"})",
                         R"({"id": "https://id.gs1.org/414/6971234000019", "ex:x": 1})"),
                 "bizLocation.ex:x", "unknown field");
}

TEST(ParseEventTest, DuplicateKeysAreRejected) {
  ExpectRejected(Prepend(Harvest(), R"("type": "ObjectEvent")"), "type", "duplicate key");
  ExpectRejected(Prepend(Harvest(), R"("\u0074ype": "ObjectEvent")"), "type", "duplicate key");
  ExpectRejected(Replace(Harvest(), R"("uom": "KGM")", R"("uom": "KGM", "uom": "LTR")"),
                 "quantityList[0].uom", "duplicate key");
  ExpectRejected(Replace(Harvest(), R"("variety": )", R"("harvestDate": "x", "variety": )"),
                 "ilmd.harvestDate", "duplicate key");
}

// ---------------------------------------------------------------------------------------------
// JSON syntax and value kinds.

TEST(ParseEventTest, MalformedJsonIsRejected) {
  ExpectRejected("", "json", "empty input");
  ExpectRejected("[1]", "event", "must be a JSON object");
  ExpectRejected(Harvest() + " x", "json", "unexpected data after the event object");
  ExpectRejected(Harvest().substr(0, Harvest().size() - 1) + ",}", "json", "member name");
  ExpectRejected(Harvest().substr(0, 100), "json");
  ExpectRejected(Replace(Harvest(), "Ningqi", "Ning\xC3qi"), "json", "invalid UTF-8");
  ExpectRejected(Replace(Harvest(), "Ningqi", "Ning\\x"), "json", "invalid escape");
  ExpectRejected(Replace(Harvest(), "Ningqi", "Ning\\udc00"), "json", "unpaired surrogate");
  ExpectRejected(Replace(Harvest(), "1200", "01200"), "json", "expected ',' or '}'");
}

TEST(ParseEventTest, ValuesMustHaveTheirFieldsJsonKind) {
  ExpectRejected(Replace(Harvest(), R"("2026-08-20T07:30:00+08:00")", "5"), "eventTime",
                 "must be a string");
  ExpectRejected(Replace(Harvest(), "\"quantity\": 1200", R"("quantity": "NaN")"),
                 "quantityList[0].quantity", "must be a number");
  ExpectRejected(Replace(Harvest(), R"("epcClass")", R"("epcClass": null, "x")"),
                 "quantityList[0].epcClass", "must be a string");
  ExpectRejected(Replace(Exporter().at(0), R"(["https://id.gs1.org/00/069712340000000019"])",
                         R"("https://id.gs1.org/00/069712340000000019")"),
                 "epcList", "must be an array");
  ExpectRejected(Replace(Harvest(), R"({"harvestDate")", R"([{"harvestDate")"), "ilmd",
                 "must be an object");
}

// ---------------------------------------------------------------------------------------------
// type, eventTime, eventTimeZoneOffset, action.

TEST(ParseEventTest, TypeIsRequiredAndKnown) {
  ExpectRejected(Replace(Harvest(), R"("type": "ObjectEvent", )", ""), "type", "required");
  ExpectRejected(Replace(Harvest(), R"("ObjectEvent")", R"("Foo")"), "type",
                 R"(unknown event type "Foo")");
}

TEST(ParseEventTest, EventTimeIsRequiredRfc3339WithOffset) {
  ExpectRejected(Replace(Harvest(), R"("eventTime": "2026-08-20T07:30:00+08:00", )", ""),
                 "eventTime", "required");
  for (const char* bad : {"2026-08-20T07:30:00", "2026-08-20 07:30:00+08:00",
                          "2026-02-29T07:30:00Z", "2026-08-20T24:00:00Z", "2026-08-20T07:30:00.Z",
                          "20260820T073000Z", "2026-08-20T07:30:00+0800"}) {
    ExpectRejected(Replace(Harvest(), "2026-08-20T07:30:00+08:00", bad), "eventTime", "RFC 3339");
  }
  EXPECT_EQ(MustParse(Replace(Harvest(), "2026-08-20T07:30:00+08:00", "2026-08-19T23:30:00.1259Z"))
                .event_time_unix_ms,
            1787182200125);
  EXPECT_EQ(MustParse(Replace(Harvest(), "2026-08-20T07:30:00+08:00", "2024-02-29T00:00:00-00:30"))
                .event_time_unix_ms,
            1709166600000);
}

TEST(ParseEventTest, EventTimeMayNotBeBeyondTheSkew) {
  ValidationOptions options = Options();
  options.now_unix_ms = 1787182200000 - 600000;  // eventTime is exactly now + skew.
  MustParse(Harvest(), options);
  options.now_unix_ms -= 1;
  ExpectRejected(Harvest(), "eventTime", "ahead of the server clock", options);
}

TEST(ParseEventTest, EventTimeZoneOffsetIsRequired) {
  ExpectRejected(Replace(Harvest(), R"(, "eventTimeZoneOffset": "+08:00")", ""),
                 "eventTimeZoneOffset", "required");
  for (const char* bad : {"+8", "+08", "08:00", "+15:00", "-13:00", "+08:60", "Z"}) {
    ExpectRejected(Replace(Harvest(), R"("eventTimeZoneOffset": "+08:00")",
                           std::string(R"("eventTimeZoneOffset": ")") + bad + "\""),
                   "eventTimeZoneOffset", "+HH:MM");
  }
  MustParse(Replace(Harvest(), R"("eventTimeZoneOffset": "+08:00")",
                    R"("eventTimeZoneOffset": "-12:00")"));
}

TEST(ParseEventTest, ActionIsRequiredExceptForTransformations) {
  ExpectRejected(Replace(Harvest(), R"("action": "ADD", )", ""), "action", "required");
  ExpectRejected(Replace(Harvest(), R"("ADD")", R"("UPDATE")"), "action",
                 "must be ADD, OBSERVE or DELETE");
  ExpectRejected(Prepend(Drying(), R"("action": "ADD")"), "action",
                 "not allowed in TransformationEvent");
}

// ---------------------------------------------------------------------------------------------
// What each event type needs.

TEST(ParseEventTest, ObjectEventNeedsEpcsOrQuantities) {
  ExpectRejected(
      Replace(Exporter().at(0), R"("epcList": ["https://id.gs1.org/00/069712340000000019"], )", ""),
      "epcList", "non-empty epcList or quantityList");
  ExpectRejected(Replace(Exporter().at(0), R"(["https://id.gs1.org/00/069712340000000019"])", "[]"),
                 "epcList", "non-empty epcList or quantityList");
}

TEST(ParseEventTest, FieldsOfOtherEventTypesAreRejected) {
  ExpectRejected(Prepend(Harvest(), R"("childEPCs": [)" + Item(1) + "]"), "childEPCs",
                 "not allowed in ObjectEvent");
  ExpectRejected(Prepend(Drying(), R"("epcList": [)" + Item(1) + "]"), "epcList",
                 "not allowed in TransformationEvent");
  ExpectRejected(
      Replace(Grower().at(4), R"("eventTimeZoneOffset")", R"("ilmd": {}, "eventTimeZoneOffset")"),
      "ilmd", "not allowed in AggregationEvent");
  ExpectRejected(Prepend(Harvest(), R"("transformationID": "urn:origo:tf:1")"), "transformationID",
                 "not allowed in ObjectEvent");
}

TEST(ParseEventTest, AggregationEventNeedsParentAndChildren) {
  const std::string& packing = Grower().at(4);
  ExpectRejected(
      Replace(packing, R"("parentID": "https://id.gs1.org/00/069712340000000019", )", ""),
      "parentID", "required for AggregationEvent with action ADD");
  const size_t begin = packing.find(R"("childEPCs")");
  const size_t end = packing.find(R"("readPoint")");
  std::string childless = packing;
  childless.erase(begin, end - begin);
  ExpectRejected(childless, "childEPCs", "childEPCs or childQuantityList");
  // DELETE without children (disaggregate everything) and OBSERVE without a parent are fine.
  MustParse(Replace(childless, R"("ADD")", R"("DELETE")"));
  MustParse(
      Replace(Replace(packing, R"("parentID": "https://id.gs1.org/00/069712340000000019", )", ""),
              R"("ADD")", R"("OBSERVE")"));
}

TEST(ParseEventTest, TransformationEventNeedsInputAndOutput) {
  const std::string no_output =
      Replace(Drying(),
              R"("outputQuantityList": [{"epcClass": )"
              R"("https://id.gs1.org/01/06971234000279/10/ZN2026-D0823", )"
              R"("quantity": 280, "uom": "KGM"}], )",
              "");
  ExpectRejected(no_output, "outputEPCList", "needs an output");
  const std::string no_input =
      Replace(Drying(),
              R"("inputQuantityList": [{"epcClass": )"
              R"("https://id.gs1.org/01/06971234000101/10/ZN2026-P07-0820", )"
              R"("quantity": 1200, "uom": "KGM"}], )",
              "");
  ExpectRejected(no_input, "inputEPCList", "needs an input");
}

TEST(ParseEventTest, TransactionEventNeedsBizTransactionList) {
  const std::string transaction =
      R"({"type": "TransactionEvent", "eventTime": "2026-09-05T08:00:00+08:00", )"
      R"("eventTimeZoneOffset": "+08:00", "action": "ADD", "bizStep": "accepting", )"
      R"("epcList": ["https://id.gs1.org/00/069712340000000019"], )"
      R"("bizTransactionList": [{"type": "po", "bizTransaction": "urn:origo:doc:po:7"}]})";
  const ParsedEvent parsed = MustParse(transaction);
  EXPECT_EQ(parsed.identifiers, (std::vector<std::string>{"/00/069712340000000019"}));
  ExpectRejected(
      Replace(transaction,
              R"(, "bizTransactionList": [{"type": "po", "bizTransaction": "urn:origo:doc:po:7"}])",
              ""),
      "bizTransactionList", "required for TransactionEvent");
  ExpectRejected(Replace(transaction, R"("urn:origo:doc:po:7")", R"("")"),
                 "bizTransactionList[0].bizTransaction", "required");
  ExpectRejected(Replace(transaction, R"("po")", R"("Purchase Order")"),
                 "bizTransactionList[0].type", "CBV word");
}

TEST(ParseEventTest, AssociationEventNeedsParent) {
  const std::string association =
      R"({"type": "AssociationEvent", "eventTime": "2026-09-05T08:00:00+08:00", )"
      R"("eventTimeZoneOffset": "+08:00", "action": "ADD", "bizStep": "assembling", )"
      R"("parentID": "urn:epc:id:giai:6971234.BARREL-07", )"
      R"("childQuantityList": [{"epcClass": "urn:epc:class:lgtin:6971234.000027.ZN2026-D0823", )"
      R"("quantity": 50, "uom": "KGM"}]})";
  EXPECT_EQ(
      MustParse(association).identifiers,
      (std::vector<std::string>{"/8004/6971234BARREL-07", "/01/06971234000279/10/ZN2026-D0823"}));
  ExpectRejected(Replace(association, R"("parentID": "urn:epc:id:giai:6971234.BARREL-07", )", ""),
                 "parentID", "required for AssociationEvent");
}

// ---------------------------------------------------------------------------------------------
// Identifiers and quantities.

TEST(ParseEventTest, EpcCheckDigitErrorNamesTheListEntry) {
  const std::string json = Replace(
      Exporter().at(0), R"(["https://id.gs1.org/00/069712340000000019"])",
      "[" + Item(1) + ", " + Item(2) + R"(, "https://id.gs1.org/01/06971234000416/21/ZN26C1003"])");
  ExpectRejected(json, "epcList[2]", "AI 01: check digit mismatch");
}

TEST(ParseEventTest, EpcListEntriesMustBeInstances) {
  ExpectRejected(Replace(Exporter().at(0), "https://id.gs1.org/00/069712340000000019",
                         "https://id.gs1.org/01/06971234000415/10/LOT1"),
                 "epcList[0]", "must identify an instance");
  ExpectRejected(Replace(Exporter().at(0), "https://id.gs1.org/00/069712340000000019", "pallet-7"),
                 "epcList[0]");
  ExpectRejected(Replace(Grower().at(4), R"("https://id.gs1.org/00/069712340000000019")",
                         R"("https://id.gs1.org/00/069712340000000018")"),
                 "parentID", "AI 00");
}

TEST(ParseEventTest, QuantityClassesAreGtinsOrLots) {
  ExpectRejected(Replace(Harvest(), "/10/ZN2026-P07-0820", "/21/ZN2026-P07-0820"),
                 "quantityList[0].epcClass", "not an instance");
  ExpectRejected(Replace(Harvest(), "https://id.gs1.org/01/06971234000101/10/ZN2026-P07-0820",
                         "https://id.gs1.org/00/069712340000000019"),
                 "quantityList[0].epcClass", "product class or lot");
  ExpectRejected(Replace(Drying(), "06971234000279", "06971234000278"),
                 "outputQuantityList[0].epcClass", "AI 01: check digit mismatch");
  // A class without a lot, and an EPC class URN, are fine.
  EXPECT_EQ(MustParse(Replace(Harvest(), "/10/ZN2026-P07-0820", "")).identifiers[0],
            "/01/06971234000101");
  EXPECT_EQ(MustParse(Replace(Harvest(), "https://id.gs1.org/01/06971234000101/10/ZN2026-P07-0820",
                              "urn:epc:class:lgtin:6971234.000010.ZN2026-P07-0820"))
                .identifiers[0],
            "/01/06971234000101/10/ZN2026-P07-0820");
}

TEST(ParseEventTest, QuantitiesMustBeFiniteAndPositive) {
  for (const char* bad : {"0", "-1", "-0.0"}) {
    ExpectRejected(Replace(Drying(), "\"quantity\": 1200", std::string("\"quantity\": ") + bad),
                   "inputQuantityList[0].quantity", "must be finite and > 0");
  }
  ExpectRejected(Replace(Drying(), "\"quantity\": 1200, ", ""), "inputQuantityList[0].quantity",
                 "must be finite and > 0");
  ExpectRejected(Replace(Drying(), "\"quantity\": 280", "\"quantity\": 1e999"),
                 "outputQuantityList[0].quantity", "out of the range of a double");
  MustParse(Replace(Drying(), "\"quantity\": 280", "\"quantity\": 2.8e2"));
}

TEST(ParseEventTest, UnitOfMeasureIsUnCefactCode) {
  for (const char* bad : {"kg", "K", "KGMS", "K G"}) {
    ExpectRejected(Replace(Harvest(), R"("uom": "KGM")", std::string(R"("uom": ")") + bad + "\""),
                   "quantityList[0].uom", "UN/CEFACT");
  }
  MustParse(Replace(Harvest(), R"("uom": "KGM")", R"("uom": "28")"));
  MustParse(Replace(Harvest(), R"(, "uom": "KGM")", ""));
}

// ---------------------------------------------------------------------------------------------
// Locations.

TEST(ParseEventTest, Gs1LocationsMustBeValidGlns) {
  ExpectRejected(Replace(Harvest(), "https://id.gs1.org/414/6971234000019/254/plot-07",
                         "https://id.gs1.org/414/6971234000018/254/plot-07"),
                 "readPoint.id", "AI 414: check digit mismatch");
  ExpectRejected(Replace(Harvest(), R"({"id": "https://id.gs1.org/414/6971234000019"})",
                         R"({"id": "https://id.gs1.org/01/06971234000101"})"),
                 "bizLocation.id", "must be a GLN (AI 414)");
  ExpectRejected(Replace(Harvest(), R"({"id": "https://id.gs1.org/414/6971234000019"})",
                         R"({"id": "urn:epc:id:sgln:6971234.00001"})"),
                 "bizLocation.id", "EPC URN sgln");
  ExpectRejected(
      Replace(Harvest(), R"({"id": "https://id.gs1.org/414/6971234000019"})", R"({"id": ""})"),
      "bizLocation.id", "required");
}

TEST(ParseEventTest, SglnAndNonGs1LocationsAreAccepted) {
  const ParsedEvent parsed = MustParse(
      Replace(Replace(Harvest(), R"({"id": "https://id.gs1.org/414/6971234000019"})",
                      R"({"id": "urn:epc:id:sgln:6971234.00001.0"})"),
              "https://id.gs1.org/414/6971234000019/254/plot-07", "urn:origo:plot:ZN-07"));
  EXPECT_EQ(parsed.identifiers, (std::vector<std::string>{"/01/06971234000101/10/ZN2026-P07-0820",
                                                          "/414/6971234000019"}));
  MustParse(Replace(Harvest(), "https://id.gs1.org/414/6971234000019/254/plot-07",
                    "https://farm.example.com/plots/7"));
  ExpectRejected(Replace(Harvest(), "https://id.gs1.org/414/6971234000019/254/plot-07", "plot 7"),
                 "readPoint.id", "absolute URI");
}

// ---------------------------------------------------------------------------------------------
// Why: vocabularies, sources and destinations, certificates.

TEST(ParseEventTest, BizStepAndDispositionAreCbvWordsOrUris) {
  for (const char* bad :
       {"Commissioning", "in transit", "http://example.com/step", "drying-1", "urn:", "https://"}) {
    ExpectRejected(Replace(Harvest(), R"("commissioning")", std::string("\"") + bad + "\""),
                   "bizStep", "CBV word");
    ExpectRejected(Replace(Harvest(), R"("active")", std::string("\"") + bad + "\""), "disposition",
                   "CBV word");
  }
  MustParse(Replace(Harvest(), R"("commissioning")",
                    R"("https://ref.gs1.org/cbv/BizStep-commissioning")"));
  MustParse(Replace(Harvest(), R"("active")", R"("urn:epcglobal:cbv:disp:active")"));
  ExpectRejected(
      Prepend(Harvest(), R"("persistentDisposition": {"set": ["completeness_verified", "Bad"]})"),
      "persistentDisposition.set[1]", "CBV word");
}

TEST(ParseEventTest, SourcesAndDestinationsNeedTypeAndUri) {
  const std::string& shipping = Exporter().at(1);
  ExpectRejected(Replace(shipping, R"("type": "owning_party", )", ""), "sourceList[0].type",
                 "required");
  ExpectRejected(Replace(shipping, R"("urn:origo:usci:91640100MA77XL2X3M")", R"("")"),
                 "sourceList[0].source", "required");
  ExpectRejected(Replace(shipping, R"("urn:origo:place:AE-DXB")", R"("Dubai")"),
                 "destinationList[0].destination", "absolute URI");
  ExpectRejected(Replace(shipping, "91640100MA77XL2X3M", "91640100MA77XL2X3N"),
                 "sourceList[0].source", "USCI");
  ExpectRejected(Replace(shipping, R"("type": "location")", R"("type": "Location")"),
                 "destinationList[0].type", "CBV word");
}

TEST(ParseEventTest, CertificationInfoAndIdsAreUris) {
  ExpectRejected(Replace(Exporter().at(1), "urn:origo:cert:phytosanitary:CN-NX-2026-118833",
                         "CN-NX-2026-118833"),
                 "certificationInfo[0]", "absolute URI");
  ExpectRejected(Prepend(Harvest(), R"("eventID": "not a uri")"), "eventID", "absolute URI");
  MustParse(Prepend(Harvest(), R"("eventID": "ni:///sha-256;abc?ver=CBV2.0")"));
  ExpectRejected(Replace(Drying(), "urn:origo:tf:ZN2026-D0823", "ZN2026 D0823"), "transformationID",
                 "absolute URI");
}

TEST(ParseEventTest, ErrorDeclarationNeedsDeclarationTime) {
  ExpectRejected(Prepend(Harvest(), R"("errorDeclaration": {"reason": "incorrect_data"})"),
                 "errorDeclaration.declarationTime", "required");
  MustParse(Prepend(Harvest(), R"("errorDeclaration": {"declarationTime": "2026-08-21T00:00:00Z",)"
                               R"( "reason": "incorrect_data"})"));
}

// ---------------------------------------------------------------------------------------------
// How: sensor reports.

TEST(ParseEventTest, SensorReportValuesMustBeFinite) {
  const std::string sensor =
      R"("sensorElementList": [{"sensorMetadata": {"time": "2026-08-20T07:00:00+08:00"},)"
      R"( "sensorReport": [{"type": "gs1:Temperature", "value": 26.5, "uom": "CEL"},)"
      R"( {"type": "gs1:RelativeHumidity", "minValue": 30, "maxValue": 45.5}]}])";
  MustParse(Prepend(Harvest(), sensor));
  ExpectRejected(Prepend(Harvest(), Replace(sensor, "45.5", "4e400")),
                 "sensorElementList[0].sensorReport[1].maxValue", "out of the range of a double");
  ExpectRejected(Prepend(Harvest(), Replace(sensor, "26.5", R"("Infinity")")),
                 "sensorElementList[0].sensorReport[0].value", "must be a number");
  ExpectRejected(Prepend(Harvest(), Replace(sensor, "2026-08-20T07:00:00+08:00", "yesterday")),
                 "sensorElementList[0].sensorMetadata.time", "RFC 3339");
}

// ---------------------------------------------------------------------------------------------
// Size limits.

TEST(ParseEventTest, EventSizeIsLimited) {
  ValidationOptions options = Options();
  options.max_event_bytes = Harvest().size();
  MustParse(Harvest(), options);
  options.max_event_bytes = Harvest().size() - 1;
  ExpectRejected(Harvest(), "event", "exceeds the limit", options);
}

TEST(ParseEventTest, ListsAreLimited) {
  ValidationOptions options = Options();
  options.max_list_entries = 20;
  MustParse(Grower().at(4), options);  // 20 children.
  options.max_list_entries = 19;
  ExpectRejected(Grower().at(4), "childEPCs", "more than 19 entries", options);
  options.max_list_entries = 3;
  ExpectRejected(Harvest(), "ilmd", "more than 3 members", options);
}

TEST(ParseEventTest, StringsAreLimitedTo2048Bytes) {
  const std::string long_id = "urn:origo:tf:" + std::string(2048 - 13, 'x');
  MustParse(Replace(Drying(), "urn:origo:tf:ZN2026-D0823", long_id));
  ExpectRejected(Replace(Drying(), "urn:origo:tf:ZN2026-D0823", long_id + "x"), "transformationID",
                 "longer than 2048 bytes");
  // Escapes count as the bytes they decode to: 1024 two-byte characters fit, 1025 do not.
  std::string escaped;
  for (int i = 0; i < 1024; ++i) escaped += "\\u00e9";
  MustParse(Replace(Harvest(), "Ningqi No.7", escaped));
  ExpectRejected(Replace(Harvest(), "Ningqi No.7", escaped + "\\u00e9"), "ilmd.variety",
                 "longer than 2048 bytes");
}

TEST(ParseEventTest, NestingDepthIsLimited) {
  std::string deep = "1";
  for (int i = 0; i < 40; ++i) deep = "[" + deep + "]";
  // The object is level 1, ilmd 2, variety 3: the 30th nested array is level 33.
  std::string path = "ilmd.variety";
  for (int i = 0; i < 30; ++i) path += "[0]";
  ExpectRejected(Replace(Harvest(), R"("Ningqi No.7")", deep), path, "nested deeper than 32");
}

// ---------------------------------------------------------------------------------------------
// The reader against protobuf's JSON parser (differential tests). google::protobuf::util::
// JsonStringToMessage is the reference for the message built: the reader must build the same
// message, including the sign of zeros (compared through deterministic serialization).

std::string DeterministicBytes(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

// protobuf's parse of `json`, ignoring unknown fields (the reader drops extension members).
absl::StatusOr<origo::v1::Event> ProtobufParse(std::string_view json) {
  origo::v1::Event event;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &event, options);
  if (!status.ok()) return absl::InvalidArgumentError(std::string(status.message()));
  return event;
}

absl::StatusOr<origo::v1::Event> ReaderParse(std::string_view json, size_t max_entries = 10000) {
  origo::v1::Event event;
  const absl::Status status = internal::ReadEventJson(json, max_entries, &event);
  if (!status.ok()) return status;
  return event;
}

::testing::AssertionResult SameMessage(const origo::v1::Event& mine,
                                       const origo::v1::Event& reference) {
  if (!google::protobuf::util::MessageDifferencer::Equals(mine, reference)) {
    return ::testing::AssertionFailure() << "reader:\n"
                                         << mine.DebugString() << "protobuf:\n"
                                         << reference.DebugString();
  }
  if (DeterministicBytes(mine) != DeterministicBytes(reference)) {
    return ::testing::AssertionFailure() << "equal, but serialize differently (signed zero?)";
  }
  return ::testing::AssertionSuccess();
}

// Events that together set every field of event.proto (see ReaderCoversEveryField), plus
// edge cases of JSON itself. Not all are structurally valid events.
std::vector<std::string> HandWrittenEvents() {
  std::vector<std::string> events = {
      // Every field.
      R"json({"type": "ObjectEvent", "eventID": "ni:///sha-256;abc?ver=CBV2.0",)json"
      R"json( "eventTime": "2026-08-20T07:30:00.125Z", "eventTimeZoneOffset": "-03:30",)json"
      R"json( "recordTime": "2026-08-20T08:00:00Z", "action": "OBSERVE", "bizStep": "inspecting",)json"
      R"json( "disposition": "conformant", "persistentDisposition": {"set":)json"
      R"json( ["completeness_verified", "urn:x:y"], "unset": ["completeness_inferred"]},)json"
      R"json( "readPoint": {"id": "urn:epc:id:sgln:6971234.00001.0"},)json"
      R"json( "bizLocation": {"id": "https://id.gs1.org/414/6971234000019"},)json"
      R"json( "bizTransactionList": [{"type": "po", "bizTransaction": "urn:origo:doc:po:7"},)json"
      R"json( {"bizTransaction": "urn:origo:doc:inv:9"}],)json"
      R"json( "sourceList": [{"type": "owning_party",)json"
      R"json( "source": "urn:origo:usci:91640100MA77XL2X3M"}],)json"
      R"json( "destinationList": [{"type": "location", "destination": "urn:origo:place:AE-DXB"}],)json"
      R"json( "sensorElementList": [{"sensorMetadata": {"time": "2026-08-20T07:00:00+08:00",)json"
      R"json( "deviceID": "urn:origo:dev:1", "deviceMetadata": "https://example.com/dev/1",)json"
      R"json( "rawData": "https://example.com/raw/1", "startTime": "2026-08-20T06:00:00+08:00",)json"
      R"json( "endTime": "2026-08-20T07:00:00+08:00",)json"
      R"json( "dataProcessingMethod": "https://example.com/method",)json"
      R"json( "bizRules": "https://example.com/rules"},)json"
      R"json( "sensorReport": [{"type": "gs1:Temperature", "deviceID": "urn:origo:dev:2",)json"
      R"json( "time": "2026-08-20T06:30:00+08:00", "uom": "CEL", "value": 26.5, "minValue": -0,)json"
      R"json( "maxValue": 1e300, "meanValue": -0.0, "stringValue": "ok", "booleanValue": "true",)json"
      R"json( "exception": "ALARM_CONDITION", "component": "https://example.com/component/x"},)json"
      R"json( {}]}, {}], "certificationInfo": ["urn:origo:cert:halal:1", "https://example.com/c/2"],)json"
      R"json( "errorDeclaration": {"declarationTime": "2026-08-21T00:00:00Z",)json"
      R"json( "reason": "incorrect_data", "correctiveEventIDs": ["urn:uuid:1", "urn:uuid:2"]},)json"
      R"json( "epcList": ["https://id.gs1.org/01/06971234000415/21/ZN26C0001",)json"
      R"json( "urn:epc:id:sscc:6971234.0000000019"],)json"
      R"json( "quantityList": [{"epcClass": "https://id.gs1.org/01/06971234000101/10/A",)json"
      R"json( "quantity": 1200, "uom": "KGM"}, {"epcClass": "urn:epc:class:lgtin:6971234.000010.A",)json"
      R"json( "quantity": 0.1}], "parentID": "https://id.gs1.org/00/069712340000000019",)json"
      R"json( "childEPCs": ["https://id.gs1.org/01/06971234000415/21/ZN26C0002"],)json"
      R"json( "childQuantityList": [{"epcClass": "https://id.gs1.org/01/06971234000101",)json"
      R"json( "quantity": 5e-1, "uom": "LTR"}],)json"
      R"json( "inputEPCList": ["https://id.gs1.org/01/06971234000415/21/ZN26C0003"],)json"
      R"json( "inputQuantityList": [{"epcClass": "https://id.gs1.org/01/06971234000279/10/B",)json"
      R"json( "quantity": 3}],)json"
      R"json( "outputEPCList": ["https://id.gs1.org/01/06971234000415/21/ZN26C0004"],)json"
      R"json( "outputQuantityList": [{"epcClass": "https://id.gs1.org/01/06971234000347/10/C",)json"
      R"json( "quantity": 2.75E+2, "uom": "KGM"}], "transformationID": "urn:origo:tf:1",)json"
      // ilmd: a Struct with every kind of JSON value, escapes and numbers at the edges.
      R"json( "ilmd": {"s": "a\"b\\c\/d\b\f\n\r\t\u00e9\u5b81\ud83c\udf47 \u0000 \u001f",)json"
      R"json( "n": [0, -0, 1, -1, 1.5, -2.5e-3, 1E10, 18446744073709551615, 18446744073709551616,)json"
      R"json( -9223372036854775808, -9223372036854775809, 123456789012345678901234567890, 0.1,)json"
      R"json( 4e-320, 2.2250738585072014e-308, 1.7976931348623157e308, -0.0, -0e5,)json"
      R"json( 9007199254740993, 0.30000000000000004, 1.00000000000000011102230246251565404236316680908203125,)json"
      R"json( 1.0000000000000001110223024625156540423631668090820312500000001],)json"
      R"json( "b": [true, false], "z": null,)json"
      R"json( "o": {"nested": {"deeper": [[], {}, [null, {"k": "v"}]]}},)json"
      R"json( "": "empty key", "\u00e9\u0000": "escaped key", "中宁": "枸杞 \ud83c\udf47"}})json",
      // Nothing, and empty messages, lists and objects; whitespace everywhere.
      "{}",
      " \t\r\n{ } \n",
      "{\"ilmd\":{},\"readPoint\":{},\"errorDeclaration\" :{ },\t\"persistentDisposition\"\n:\r"
      "{\"set\":[]},\"epcList\":[],\"sensorElementList\":[{\"sensorMetadata\":{}},"
      "{\"sensorReport\":[]}],\"quantityList\":[{}]}",
      // Escaped member names.
      R"json({"\u0074ype": "Object\u0045vent", "ev\u0065ntTime": "x", "ilmd": {"\"\\": 1}})json",
      // Extension members, dropped (protobuf here ignores them as unknown fields).
      R"json({"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld",)json"
      R"json( {"example": "https://example.com/epcis/"}], "example:foo": {"bar": [1, {"b": null}]},)json"
      R"json( "type": "ObjectEvent", "ex:\u00e9": [true, false, -0, "s"]})json",
  };
  // Free-form nesting to the depth limit, objects and arrays.
  std::string objects = "1";
  std::string arrays = "1";
  for (int i = 0; i < 29; ++i) {
    objects = R"({"a": )" + objects + "}";
    arrays = "[" + arrays + "]";
  }
  events.push_back(R"({"ilmd": {"o": )" + objects + R"(, "a": )" + arrays + "}}");
  // Strings at the length limit.
  events.push_back(R"({"transformationID": ")" + std::string(kMaxStringBytes, 'x') +
                   R"(", "ilmd": {")" + std::string(kMaxStringBytes, 'k') + R"(": 1}})");
  return events;
}

TEST(ReaderDifferentialTest, GojiEventsMatchProtobuf) {
  for (const auto* file : {&Grower(), &Exporter()}) {
    for (const std::string& line : *file) {
      origo::v1::Event reference;
      ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &reference).ok()) << line;
      const absl::StatusOr<origo::v1::Event> read = ReaderParse(line);
      ASSERT_TRUE(read.ok()) << read.status();
      EXPECT_TRUE(SameMessage(*read, reference)) << line;
      reference.clear_record_time();
      EXPECT_TRUE(SameMessage(MustParse(line).event, reference)) << line;
    }
  }
}

TEST(ReaderDifferentialTest, HandWrittenEventsMatchProtobuf) {
  for (const std::string& json : HandWrittenEvents()) {
    const absl::StatusOr<origo::v1::Event> reference = ProtobufParse(json);
    ASSERT_TRUE(reference.ok()) << reference.status() << "\n" << json;
    const absl::StatusOr<origo::v1::Event> read = ReaderParse(json);
    ASSERT_TRUE(read.ok()) << read.status() << "\n" << json;
    EXPECT_TRUE(SameMessage(*read, *reference)) << json;
  }
}

// Adds the full names of the fields set in `message` and its sub-messages to `set`.
void CollectSetFields(const google::protobuf::Message& message, std::set<std::string>* set) {
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  message.GetReflection()->ListFields(message, &fields);
  for (const google::protobuf::FieldDescriptor* field : fields) {
    set->insert(field->full_name());
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      const int n = message.GetReflection()->FieldSize(message, field);
      for (int i = 0; i < n; ++i) {
        CollectSetFields(message.GetReflection()->GetRepeatedMessage(message, field, i), set);
      }
    } else {
      CollectSetFields(message.GetReflection()->GetMessage(message, field), set);
    }
  }
}

TEST(ReaderDifferentialTest, HandWrittenEventsCoverEveryField) {
  std::set<std::string> set;
  for (const std::string& json : HandWrittenEvents()) {
    const absl::StatusOr<origo::v1::Event> read = ReaderParse(json);
    ASSERT_TRUE(read.ok()) << read.status();
    CollectSetFields(*read, &set);
  }
  // Every field of every origo.v1 message reachable from Event, with a non-default value.
  std::vector<const google::protobuf::Descriptor*> messages = {origo::v1::Event::descriptor()};
  for (size_t i = 0; i < messages.size(); ++i) {
    for (int f = 0; f < messages[i]->field_count(); ++f) {
      const google::protobuf::FieldDescriptor* field = messages[i]->field(f);
      EXPECT_TRUE(set.count(field->full_name())) << field->full_name() << " never set";
      const google::protobuf::Descriptor* sub = field->message_type();
      if (sub != nullptr && sub->file() == messages[0]->file() &&
          std::find(messages.begin(), messages.end(), sub) == messages.end()) {
        messages.push_back(sub);
      }
    }
  }
  EXPECT_EQ(messages.size(), 12u);
}

TEST(ReaderDifferentialTest, ValidRichEventsMatchProtobuf) {
  const std::vector<std::string> events = {
      Prepend(
          Harvest(),
          R"json("sensorElementList": [{"sensorMetadata": {"time": "2026-08-20T07:00:00+08:00",)json"
          R"json( "startTime": "2026-08-20T06:00:00Z", "endTime": "2026-08-20T07:00:00Z",)json"
          R"json( "deviceID": "urn:d:1", "deviceMetadata": "urn:d:m", "rawData": "urn:d:r",)json"
          R"json( "dataProcessingMethod": "urn:d:p", "bizRules": "urn:d:b"},)json"
          R"json( "sensorReport": [{"type": "gs1:Temperature", "value": 26.5, "uom": "CEL",)json"
          R"json( "time": "2026-08-20T06:30:00+08:00", "deviceID": "urn:d:2", "exception": "x",)json"
          R"json( "stringValue": "s", "booleanValue": "true", "component": "c"},)json"
          R"json( {"type": "gs1:RelativeHumidity", "minValue": 30, "maxValue": 45.5,)json"
          R"json( "meanValue": -0, "value": -0.0}]}],)json"
          R"json( "errorDeclaration": {"declarationTime": "2026-08-21T00:00:00Z",)json"
          R"json( "reason": "incorrect_data", "correctiveEventIDs": ["urn:uuid:1"]},)json"
          R"json( "persistentDisposition": {"set": ["completeness_verified"],)json"
          R"json( "unset": ["urn:x:y"]}, "certificationInfo": ["urn:origo:cert:1"],)json"
          R"json( "eventID": "urn:uuid:9", "recordTime": "2026-08-20T08:00:00Z")json"),
      R"json({"type": "AssociationEvent", "eventTime": "2026-09-05T08:00:00+08:00",)json"
      R"json( "eventTimeZoneOffset": "+08:00", "action": "ADD", "bizStep": "assembling",)json"
      R"json( "parentID": "urn:epc:id:giai:6971234.BARREL-07",)json"
      R"json( "childEPCs": ["https://id.gs1.org/01/06971234000415/21/ZN26C0002"],)json"
      R"json( "childQuantityList": [{"epcClass": "urn:epc:class:lgtin:6971234.000027.ZN2026-D0823",)json"
      R"json( "quantity": 50, "uom": "KGM"}]})json",
      R"json({"type": "TransactionEvent", "eventTime": "2026-09-05T08:00:00+08:00",)json"
      R"json( "eventTimeZoneOffset": "+08:00", "action": "ADD", "bizStep": "accepting",)json"
      R"json( "epcList": ["https://id.gs1.org/00/069712340000000019"],)json"
      R"json( "quantityList": [{"epcClass": "https://id.gs1.org/01/06971234000101", "quantity": 1}],)json"
      R"json( "parentID": "https://id.gs1.org/00/069712340000000019",)json"
      R"json( "bizTransactionList": [{"type": "po", "bizTransaction": "urn:origo:doc:po:7"}],)json"
      R"json( "sourceList": [{"type": "owning_party", "source": "urn:origo:usci:91640100MA77XL2X3M"}],)json"
      R"json( "destinationList": [{"type": "location", "destination": "urn:origo:place:AE-DXB"}]})json",
  };
  for (const std::string& json : events) {
    absl::StatusOr<origo::v1::Event> reference = ProtobufParse(json);
    ASSERT_TRUE(reference.ok()) << reference.status();
    reference->clear_record_time();
    EXPECT_TRUE(SameMessage(MustParse(json).event, *reference)) << json;
  }
}

TEST(ReaderDifferentialTest, IntegerMinusZeroIsPositiveZeroAsInProtobuf) {
  const ParsedEvent parsed = MustParse(
      Replace(Harvest(), R"("variety": "Ningqi No.7")", R"("variety": -0, "a": -0.0, "b": -0e0)"));
  const auto& fields = parsed.event.ilmd().fields();
  EXPECT_FALSE(std::signbit(fields.at("variety").number_value()));
  EXPECT_TRUE(std::signbit(fields.at("a").number_value()));
  EXPECT_TRUE(std::signbit(fields.at("b").number_value()));
}

// Mutated events (bytes deleted, duplicated, replaced, tokens inserted): ParseEvent and the
// reader never crash, and whatever they accept protobuf's parser accepts as the same message;
// whatever protobuf's parser rejects, the reader rejects.
TEST(ReaderDifferentialTest, RandomMutationsNeverCrashAndMatchProtobuf) {
  std::vector<std::string> seeds = HandWrittenEvents();
  for (const auto* file : {&Grower(), &Exporter()}) {
    seeds.insert(seeds.end(), file->begin(), file->end());
  }
  // clang-format off
  static constexpr const char* kTokens[] = {
      "\"", "\\", "{", "}", "[", "]", ",", ":", "-", "0", "e", ".", " ", "\n", "\x80", "\xC3",
      "\xED\xA0\x80", "\xF0\x9F\x8D\x87", "null", "true", "-0", "1e400", "18446744073709551616",
      "01", "\\u00e9", "\\ud83c\\udf47", "\\ud83c", "\\u0000", "\\x", "\"x\": 1, ",
      "\"ex:y\": [], ", "\"biz_step\": \"a\", ", "[]", "{}", "\"\""};
  // clang-format on
  std::mt19937_64 rng(20260820);
  int accepted = 0;
  int read = 0;
  for (int iteration = 0; iteration < 10000; ++iteration) {
    std::string json = seeds[rng() % seeds.size()];
    const int mutations = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < mutations && !json.empty(); ++k) {
      const size_t at = rng() % (json.size() + 1);
      switch (rng() % 4) {
        case 0:
          json.erase(at, 1 + rng() % 4);
          break;
        case 1:
          json.insert(at, json.substr(rng() % json.size(), 1 + rng() % 24));
          break;
        case 2:
          if (at < json.size()) json[at] = static_cast<char>(rng() % 256);
          break;
        default:
          json.insert(at, kTokens[rng() % std::size(kTokens)]);
      }
    }
    const size_t max_entries = rng() % 8 == 0 ? 1 + rng() % 4 : 10000;
    ValidationOptions options = Options();
    options.max_list_entries = max_entries;
    const absl::StatusOr<ParsedEvent> parsed = ParseEvent(json, options);
    const absl::StatusOr<origo::v1::Event> mine = ReaderParse(json, max_entries);
    absl::StatusOr<origo::v1::Event> reference = ProtobufParse(json);
    if (!reference.ok()) {
      EXPECT_FALSE(mine.ok()) << "protobuf rejects (" << reference.status() << "):\n" << json;
      continue;
    }
    if (mine.ok()) {
      ++read;
      EXPECT_TRUE(SameMessage(*mine, *reference)) << json;
    }
    if (parsed.ok()) {
      ++accepted;
      ASSERT_TRUE(mine.ok()) << json;
      reference->clear_record_time();
      EXPECT_TRUE(SameMessage(parsed->event, *reference)) << json;
    } else {
      EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
  // The mutations leave enough events intact for the comparison to mean something.
  EXPECT_GT(read, 500);
  EXPECT_GT(accepted, 100);
}

}  // namespace
}  // namespace origo::epcis
