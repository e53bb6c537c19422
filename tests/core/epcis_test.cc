#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/crypto/hash.h"
#include "core/epcis/event.h"
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
  EXPECT_EQ(MustParse(json).identifiers,
            (std::vector<std::string>{"/01/06971234000415/21/A1", "/414/6971235000025"}));
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

}  // namespace
}  // namespace origo::epcis
