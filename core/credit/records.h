#ifndef ORIGO_CORE_CREDIT_RECORDS_H_
#define ORIGO_CORE_CREDIT_RECORDS_H_

// Credit record documents: what authors sign and the log stores (see origo/v1/credit.proto).
//
// A document is the canonical proto3 JSON of one record message: printed by protobuf's
// MessageToJsonString with default options (lowerCamelCase names, fields in field-number order,
// default values omitted, no white space), and starting with its type member, e.g.
//   {"type":"PenaltyRecord","enterprise":"91640521MA76GJ0Q1B","authority":"...",...}
// A document must be byte-identical to the canonical encoding of what it parses to, so a signed
// record has exactly one reading: no duplicate or unknown members, no alternative spellings
// ("report_no" for "reportNo", 1.0 for 1), no white space.
//
// All functions are pure and thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/credit/dates.h"
#include "origo/v1/credit.pb.h"

namespace origo::credit {

// Largest accepted record document, in bytes.
inline constexpr size_t kMaxRecordBytes = 65536;
// Identifier prefix of an enterprise in the log's identifier index.
inline constexpr std::string_view kUsciUrnPrefix = "urn:origo:usci:";

// The record's type name ("InspectionRecord", "PenaltyRecord", "QualityLossRecord",
// "ListingRecord", "RepairApplication", "RepairDecision"); "" when no record is set.
std::string_view RecordTypeName(const origo::v1::CreditRecord& record);

// The canonical document of `record`, with its type member set. INVALID_ARGUMENT when no record
// is set or a number is not finite (JSON has no encoding for it).
absl::StatusOr<std::string> EncodeRecord(const origo::v1::CreditRecord& record);

// True when `document` starts like a credit record document ({"type":"<a record type>").
// A cheap test for telling credit records from events among log leaves.
bool LooksLikeRecord(std::string_view document);

// Parses a document. INVALID_ARGUMENT "record: <problem>" when it is too large, names no known
// type, does not parse as that type, or is not in canonical form (the message then shows where
// it first differs from the canonical encoding). Parsing does not validate the fields; see
// ValidateRecord.
absl::StatusOr<origo::v1::CreditRecord> ParseRecord(std::string_view document);

// The field rules of each record type. INVALID_ARGUMENT "<field>: <rule>" for the first
// violation, with JSON field names, e.g. "items[2].measured: must be finite". `today` bounds
// dates: no date may lie after today + 1 day.
//   all:          enterprise is a valid USCI; texts are bounded; lists are bounded.
//   inspection:   lot, when set, is a canonical lot path (GTIN + AI 10); lab, samplingDate,
//                 reportNo required; 1..200 items, each with a name, finite measured and limit
//                 and a verdict; verdict set, and FAIL when any item failed.
//   penalty:      authority, decisionNo, tier, date required.
//   quality loss: kind; lossValue and outputValue finite and > 0; date required.
//   listing:      source, tier, trigger, listedDate, reason required; a reference for imported
//                 (CUSTOMS, MARKET_SUPERVISION) listings; source RULE is never signed.
//   repair:       pledge required (application); outcome and reason required (decision).
absl::Status ValidateRecord(const origo::v1::CreditRecord& record, Day today);

// The USCI of the enterprise the record concerns.
const std::string& SubjectUsci(const origo::v1::CreditRecord& record);

// The identifiers the log indexes the record under: "urn:origo:usci:<USCI>" and, when the record
// names one, its lot path.
std::vector<std::string> RecordIdentifiers(const origo::v1::CreditRecord& record);

}  // namespace origo::credit

#endif  // ORIGO_CORE_CREDIT_RECORDS_H_
