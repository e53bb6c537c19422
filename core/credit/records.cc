#include "core/credit/records.h"

#include <google/protobuf/util/json_util.h>

#include <cmath>

#include "core/base/status_macros.h"
#include "core/gs1/digital_link.h"
#include "core/usci/usci.h"

namespace origo::credit {
namespace {

using origo::v1::CreditRecord;

constexpr std::string_view kInspection = "InspectionRecord";
constexpr std::string_view kPenalty = "PenaltyRecord";
constexpr std::string_view kQualityLoss = "QualityLossRecord";
constexpr std::string_view kListing = "ListingRecord";
constexpr std::string_view kRepairApplication = "RepairApplication";
constexpr std::string_view kRepairDecision = "RepairDecision";
constexpr std::string_view kSuspectedViolation = "SuspectedViolationRecord";
constexpr std::string_view kTypePrefix = "{\"type\":\"";

constexpr size_t kMaxText = 200;
constexpr size_t kMaxLongText = 2000;
constexpr size_t kMaxListEntries = 50;
constexpr int kMaxItems = 200;

absl::Status Invalid(std::string_view field, const std::string& rule) {
  return absl::InvalidArgumentError(std::string(field) + ": " + rule);
}

// The record's message, mutable; nullptr when `name` is not a record type.
google::protobuf::Message* MutableByName(std::string_view name, CreditRecord* record) {
  if (name == kInspection) return record->mutable_inspection();
  if (name == kPenalty) return record->mutable_penalty();
  if (name == kQualityLoss) return record->mutable_quality_loss();
  if (name == kListing) return record->mutable_listing();
  if (name == kRepairApplication) return record->mutable_repair_application();
  if (name == kRepairDecision) return record->mutable_repair_decision();
  if (name == kSuspectedViolation) return record->mutable_suspected_violation();
  return nullptr;
}

bool AllFinite(const CreditRecord& record) {
  if (record.has_inspection()) {
    for (const auto& item : record.inspection().items()) {
      if (!std::isfinite(item.measured()) || !std::isfinite(item.limit())) return false;
    }
  }
  if (record.has_quality_loss()) {
    return std::isfinite(record.quality_loss().loss_value()) &&
           std::isfinite(record.quality_loss().output_value());
  }
  return true;
}

absl::StatusOr<std::string> PrintCanonical(const google::protobuf::Message& message) {
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(message, &out);
  if (!status.ok()) {
    return absl::InvalidArgumentError("record: cannot be encoded: " + status.message().ToString());
  }
  return out;
}

// --- Field rules ---

absl::Status CheckUsci(std::string_view field, const std::string& value) {
  if (value.empty()) return Invalid(field, "required (18-character unified social credit code)");
  absl::Status valid = usci::Validate(value);
  if (!valid.ok()) return Invalid(field, std::string(valid.message()));
  return absl::OkStatus();
}

absl::Status CheckText(std::string_view field, const std::string& value, size_t max_bytes,
                       bool required) {
  if (required && value.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Invalid(field, "required");
  }
  if (value.size() > max_bytes) {
    return Invalid(field, std::to_string(value.size()) + " bytes; at most " +
                              std::to_string(max_bytes) + " allowed");
  }
  return absl::OkStatus();
}

absl::Status CheckTexts(std::string_view field,
                        const google::protobuf::RepeatedPtrField<std::string>& values) {
  if (values.size() > static_cast<int>(kMaxListEntries)) {
    return Invalid(field, "at most " + std::to_string(kMaxListEntries) + " entries");
  }
  for (int i = 0; i < values.size(); ++i) {
    ORIGO_RETURN_IF_ERROR(
        CheckText(std::string(field) + "[" + std::to_string(i) + "]", values[i], kMaxText, true));
  }
  return absl::OkStatus();
}

absl::Status CheckDate(std::string_view field, const std::string& value, Day today) {
  if (value.empty()) return Invalid(field, "required (YYYY-MM-DD)");
  ORIGO_ASSIGN_OR_RETURN(Day day, ParseDate(field, value));
  if (day > today + 1) {
    return Invalid(field, value + " lies in the future (today is " + FormatDate(today) + ")");
  }
  return absl::OkStatus();
}

absl::Status CheckLot(std::string_view field, const std::string& lot) {
  if (lot.empty()) return absl::OkStatus();
  auto link = gs1::ParseDigitalLink(lot);
  if (!link.ok()) return Invalid(field, std::string(link.status().message()));
  if (!link->IsLot()) return Invalid(field, "must name a lot (GTIN and AI 10, no serial)");
  if (link->CanonicalPath() != lot) {
    return Invalid(field, "must be the canonical path " + link->CanonicalPath());
  }
  return absl::OkStatus();
}

absl::Status CheckFinite(std::string_view field, double value, bool positive) {
  if (!std::isfinite(value)) return Invalid(field, "must be finite");
  if (positive && !(value > 0)) return Invalid(field, "must be > 0");
  return absl::OkStatus();
}

absl::Status CheckTier(std::string_view field, origo::v1::Tier tier) {
  if (tier == origo::v1::TIER_UNSPECIFIED || !origo::v1::Tier_IsValid(tier)) {
    return Invalid(field, "required (TIER_LIGHT, TIER_GENERAL or TIER_SERIOUS)");
  }
  return absl::OkStatus();
}

absl::Status ValidateInspection(const origo::v1::InspectionRecord& r, Day today) {
  ORIGO_RETURN_IF_ERROR(CheckUsci("enterprise", r.enterprise()));
  ORIGO_RETURN_IF_ERROR(CheckLot("lot", r.lot()));
  ORIGO_RETURN_IF_ERROR(CheckText("lab", r.lab(), kMaxText, true));
  ORIGO_RETURN_IF_ERROR(CheckDate("samplingDate", r.sampling_date(), today));
  ORIGO_RETURN_IF_ERROR(CheckText("reportNo", r.report_no(), kMaxText, true));
  if (r.items_size() == 0) return Invalid("items", "at least one test item is required");
  if (r.items_size() > kMaxItems) {
    return Invalid("items", "at most " + std::to_string(kMaxItems) + " test items");
  }
  bool any_failed = false;
  for (int i = 0; i < r.items_size(); ++i) {
    const origo::v1::TestItem& item = r.items(i);
    const std::string at = "items[" + std::to_string(i) + "].";
    ORIGO_RETURN_IF_ERROR(CheckText(at + "name", item.name(), kMaxText, true));
    ORIGO_RETURN_IF_ERROR(CheckFinite(at + "measured", item.measured(), false));
    ORIGO_RETURN_IF_ERROR(CheckFinite(at + "limit", item.limit(), false));
    ORIGO_RETURN_IF_ERROR(CheckText(at + "unit", item.unit(), 32, false));
    if (item.verdict() != origo::v1::VERDICT_PASS && item.verdict() != origo::v1::VERDICT_FAIL) {
      return Invalid(at + "verdict", "required (VERDICT_PASS or VERDICT_FAIL)");
    }
    any_failed = any_failed || item.verdict() == origo::v1::VERDICT_FAIL;
  }
  if (r.verdict() != origo::v1::VERDICT_PASS && r.verdict() != origo::v1::VERDICT_FAIL) {
    return Invalid("verdict", "required (VERDICT_PASS or VERDICT_FAIL)");
  }
  if (any_failed && r.verdict() == origo::v1::VERDICT_PASS) {
    return Invalid("verdict", "is VERDICT_PASS but a test item failed");
  }
  return absl::OkStatus();
}

absl::Status ValidatePenalty(const origo::v1::PenaltyRecord& r, Day today) {
  ORIGO_RETURN_IF_ERROR(CheckUsci("enterprise", r.enterprise()));
  ORIGO_RETURN_IF_ERROR(CheckText("authority", r.authority(), kMaxText, true));
  ORIGO_RETURN_IF_ERROR(CheckText("decisionNo", r.decision_no(), kMaxText, true));
  ORIGO_RETURN_IF_ERROR(CheckTier("tier", r.tier()));
  ORIGO_RETURN_IF_ERROR(CheckText("legalBasis", r.legal_basis(), kMaxLongText, false));
  ORIGO_RETURN_IF_ERROR(CheckDate("date", r.date(), today));
  return CheckTexts("duties", r.duties());
}

absl::Status ValidateQualityLoss(const origo::v1::QualityLossRecord& r, Day today) {
  ORIGO_RETURN_IF_ERROR(CheckUsci("enterprise", r.enterprise()));
  ORIGO_RETURN_IF_ERROR(CheckLot("lot", r.lot()));
  if (r.kind() != origo::v1::LOSS_KIND_RECALL && r.kind() != origo::v1::LOSS_KIND_RETURN) {
    return Invalid("kind", "required (LOSS_KIND_RECALL or LOSS_KIND_RETURN)");
  }
  ORIGO_RETURN_IF_ERROR(CheckFinite("lossValue", r.loss_value(), true));
  ORIGO_RETURN_IF_ERROR(CheckFinite("outputValue", r.output_value(), true));
  ORIGO_RETURN_IF_ERROR(CheckDate("date", r.date(), today));
  return CheckText("description", r.description(), kMaxLongText, false);
}

absl::Status ValidateListing(const origo::v1::ListingRecord& r, Day today) {
  ORIGO_RETURN_IF_ERROR(CheckUsci("enterprise", r.enterprise()));
  switch (r.source()) {
    case origo::v1::LISTING_SOURCE_ORIGO:
      break;
    case origo::v1::LISTING_SOURCE_CUSTOMS:
    case origo::v1::LISTING_SOURCE_MARKET_SUPERVISION:
      ORIGO_RETURN_IF_ERROR(CheckText("reference", r.reference(), kMaxText, true));
      break;
    default:
      return Invalid("source",
                     "must be LISTING_SOURCE_ORIGO, LISTING_SOURCE_CUSTOMS or "
                     "LISTING_SOURCE_MARKET_SUPERVISION");
  }
  ORIGO_RETURN_IF_ERROR(CheckText("listName", r.list_name(), kMaxText, false));
  ORIGO_RETURN_IF_ERROR(CheckText("reference", r.reference(), kMaxText, false));
  ORIGO_RETURN_IF_ERROR(CheckTier("tier", r.tier()));
  if (r.trigger() == origo::v1::TRIGGER_UNSPECIFIED || !origo::v1::Trigger_IsValid(r.trigger())) {
    return Invalid("trigger", "required (a TRIGGER_* value)");
  }
  ORIGO_RETURN_IF_ERROR(CheckDate("listedDate", r.listed_date(), today));
  ORIGO_RETURN_IF_ERROR(CheckText("reason", r.reason(), kMaxLongText, true));
  ORIGO_RETURN_IF_ERROR(CheckTexts("duties", r.duties()));
  return CheckTexts("evidence", r.evidence());
}

absl::Status ValidateApplication(const origo::v1::RepairApplication& r) {
  ORIGO_RETURN_IF_ERROR(CheckUsci("enterprise", r.enterprise()));
  ORIGO_RETURN_IF_ERROR(CheckText("pledge", r.pledge(), kMaxLongText, true));
  ORIGO_RETURN_IF_ERROR(CheckTexts("dutiesMet", r.duties_met()));
  return CheckTexts("evidence", r.evidence());
}

absl::Status ValidateDecision(const origo::v1::RepairDecision& r) {
  ORIGO_RETURN_IF_ERROR(CheckUsci("enterprise", r.enterprise()));
  if (r.outcome() != origo::v1::REPAIR_OUTCOME_APPROVED &&
      r.outcome() != origo::v1::REPAIR_OUTCOME_REJECTED) {
    return Invalid("outcome", "required (REPAIR_OUTCOME_APPROVED or REPAIR_OUTCOME_REJECTED)");
  }
  return CheckText("reason", r.reason(), kMaxLongText, true);
}

absl::Status ValidateViolation(const origo::v1::SuspectedViolationRecord& r, Day today) {
  ORIGO_RETURN_IF_ERROR(CheckUsci("enterprise", r.enterprise()));
  ORIGO_RETURN_IF_ERROR(CheckText("rule", r.rule(), kMaxText, true));
  if (r.rule().find('@') == std::string::npos) return Invalid("rule", "must be rule_id@version");
  if (r.event_id().size() != 64 ||
      r.event_id().find_first_not_of("0123456789abcdef") != std::string::npos) {
    return Invalid("eventId", "must be 64 lowercase hex characters");
  }
  ORIGO_RETURN_IF_ERROR(CheckText("field", r.field(), kMaxText, true));
  ORIGO_RETURN_IF_ERROR(CheckText("reason", r.reason(), kMaxLongText, true));
  ORIGO_RETURN_IF_ERROR(CheckTexts("identifiers", r.identifiers()));
  return CheckDate("detectedDate", r.detected_date(), today);
}

}  // namespace

std::string_view RecordTypeName(const CreditRecord& record) {
  switch (record.record_case()) {
    case CreditRecord::kInspection:
      return kInspection;
    case CreditRecord::kPenalty:
      return kPenalty;
    case CreditRecord::kQualityLoss:
      return kQualityLoss;
    case CreditRecord::kListing:
      return kListing;
    case CreditRecord::kRepairApplication:
      return kRepairApplication;
    case CreditRecord::kRepairDecision:
      return kRepairDecision;
    case CreditRecord::kSuspectedViolation:
      return kSuspectedViolation;
    case CreditRecord::RECORD_NOT_SET:
      break;
  }
  return "";
}

absl::StatusOr<std::string> EncodeRecord(const CreditRecord& record) {
  if (record.record_case() == CreditRecord::RECORD_NOT_SET) {
    return absl::InvalidArgumentError("record: no record is set");
  }
  if (!AllFinite(record)) {
    return absl::InvalidArgumentError("record: numbers must be finite");
  }
  CreditRecord copy = record;
  google::protobuf::Message* body = MutableByName(RecordTypeName(record), &copy);
  const auto* type = body->GetDescriptor()->FindFieldByName("type");
  body->GetReflection()->SetString(body, type, std::string(RecordTypeName(record)));
  return PrintCanonical(*body);
}

bool LooksLikeRecord(std::string_view document) {
  if (document.substr(0, kTypePrefix.size()) != kTypePrefix) return false;
  std::string_view rest = document.substr(kTypePrefix.size());
  for (std::string_view name : {kInspection, kPenalty, kQualityLoss, kListing, kRepairApplication,
                                kRepairDecision, kSuspectedViolation}) {
    if (rest.size() > name.size() && rest.substr(0, name.size()) == name &&
        rest[name.size()] == '"') {
      return true;
    }
  }
  return false;
}

absl::StatusOr<CreditRecord> ParseRecord(std::string_view document) {
  if (document.size() > kMaxRecordBytes) {
    return absl::InvalidArgumentError("record: " + std::to_string(document.size()) +
                                      " bytes; at most " + std::to_string(kMaxRecordBytes));
  }
  if (!LooksLikeRecord(document)) {
    return absl::InvalidArgumentError(
        "record: must start with {\"type\":\"<type>\" naming InspectionRecord, PenaltyRecord, "
        "QualityLossRecord, ListingRecord, RepairApplication or RepairDecision");
  }
  std::string_view rest = document.substr(kTypePrefix.size());
  const std::string name(rest.substr(0, rest.find('"')));
  CreditRecord record;
  google::protobuf::Message* body = MutableByName(name, &record);
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(document.data(), document.size()), body, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError("record: not a valid " + name + ": " +
                                      parsed.message().ToString());
  }
  ORIGO_ASSIGN_OR_RETURN(std::string canonical, PrintCanonical(*body));
  if (canonical != document) {
    size_t at = 0;
    while (at < canonical.size() && at < document.size() && canonical[at] == document[at]) ++at;
    const size_t from = at > 20 ? at - 20 : 0;
    return absl::InvalidArgumentError(
        "record: not in canonical form: differs at byte " + std::to_string(at) + ": expected \"" +
        canonical.substr(from, 40) + "\", got \"" + std::string(document.substr(from, 40)) + "\"");
  }
  return record;
}

absl::Status ValidateRecord(const CreditRecord& record, Day today) {
  switch (record.record_case()) {
    case CreditRecord::kInspection:
      return ValidateInspection(record.inspection(), today);
    case CreditRecord::kPenalty:
      return ValidatePenalty(record.penalty(), today);
    case CreditRecord::kQualityLoss:
      return ValidateQualityLoss(record.quality_loss(), today);
    case CreditRecord::kListing:
      return ValidateListing(record.listing(), today);
    case CreditRecord::kRepairApplication:
      return ValidateApplication(record.repair_application());
    case CreditRecord::kRepairDecision:
      return ValidateDecision(record.repair_decision());
    case CreditRecord::kSuspectedViolation:
      return ValidateViolation(record.suspected_violation(), today);
    case CreditRecord::RECORD_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("record: no record is set");
}

const std::string& SubjectUsci(const CreditRecord& record) {
  switch (record.record_case()) {
    case CreditRecord::kInspection:
      return record.inspection().enterprise();
    case CreditRecord::kPenalty:
      return record.penalty().enterprise();
    case CreditRecord::kQualityLoss:
      return record.quality_loss().enterprise();
    case CreditRecord::kListing:
      return record.listing().enterprise();
    case CreditRecord::kRepairApplication:
      return record.repair_application().enterprise();
    case CreditRecord::kRepairDecision:
      return record.repair_decision().enterprise();
    case CreditRecord::kSuspectedViolation:
      return record.suspected_violation().enterprise();
    case CreditRecord::RECORD_NOT_SET:
      break;
  }
  return record.inspection().enterprise();  // the default instance's empty string
}

std::vector<std::string> RecordIdentifiers(const CreditRecord& record) {
  std::vector<std::string> ids;
  ids.push_back(std::string(kUsciUrnPrefix) + SubjectUsci(record));
  const std::string* lot = nullptr;
  if (record.has_inspection()) lot = &record.inspection().lot();
  if (record.has_quality_loss()) lot = &record.quality_loss().lot();
  if (lot != nullptr && !lot->empty()) ids.push_back(*lot);
  return ids;
}

}  // namespace origo::credit
