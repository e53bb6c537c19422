#include "core/epcis/event.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/base/absl_view.h"
#include "core/base/status_macros.h"
#include "core/crypto/hash.h"
#include "core/epcis/json_reader.h"
#include "core/gs1/digital_link.h"
#include "core/gs1/gs1.h"
#include "core/usci/usci.h"
#include "origo/v1/event.pb.h"

namespace origo::epcis {
namespace {

// ---------------------------------------------------------------------------------------------
// Errors.

absl::Status Reject(const std::string& field, const std::string& rule) {
  return absl::InvalidArgumentError(field + ": " + rule);
}

// A JSON field path, rendered only when an error is reported so that a valid event builds no
// path strings: `base`, then "[index]" when index >= 0, then ".member" when member is non-empty.
struct FieldPath {
  FieldPath(const char* base) : base(base) {}  // Implicit: Invalid("eventTime", ...).
  FieldPath(std::string_view base, int index, std::string_view member = {})
      : base(base), index(index), member(member) {}

  std::string ToString() const {
    std::string out(base);
    if (index >= 0) out += "[" + std::to_string(index) + "]";
    if (!member.empty()) out += "." + std::string(member);
    return out;
  }

  std::string_view base;
  int index = -1;
  std::string_view member;
};

absl::Status Invalid(const FieldPath& field, const std::string& rule) {
  return Reject(field.ToString(), rule);
}

std::string Indexed(const std::string& list, int index) {
  return list + "[" + std::to_string(index) + "]";
}

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// ---------------------------------------------------------------------------------------------
// Times.

// Days from 1970-01-01 to the proleptic Gregorian date y-m-d (H. Hinnant, days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Reads exactly `n` digits at `s[*at]`.
bool ReadDigits(std::string_view s, size_t* at, size_t n, int64_t* value) {
  if (*at + n > s.size()) return false;
  int64_t v = 0;
  for (size_t k = 0; k < n; ++k) {
    const char c = s[*at + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *at += n;
  *value = v;
  return true;
}

bool Expect(std::string_view s, size_t* at, char c) {
  if (*at >= s.size() || s[*at] != c) return false;
  ++*at;
  return true;
}

// "+HH:MM" / "-HH:MM" at s[*at] as signed minutes; hours 00-23, minutes 00-59.
bool ReadNumericOffset(std::string_view s, size_t* at, int64_t* minutes) {
  if (*at >= s.size() || (s[*at] != '+' && s[*at] != '-')) return false;
  const int64_t sign = s[*at] == '-' ? -1 : 1;
  ++*at;
  int64_t hh = 0;
  int64_t mm = 0;
  if (!ReadDigits(s, at, 2, &hh) || !Expect(s, at, ':') || !ReadDigits(s, at, 2, &mm)) {
    return false;
  }
  if (hh > 23 || mm > 59) return false;
  *minutes = sign * (hh * 60 + mm);
  return true;
}

// RFC 3339 date-time ("2026-08-20T07:30:00+08:00", "2026-08-20T07:30:00.125Z") in milliseconds
// since the Unix epoch, or nullopt. 'T' and 'Z' may be lower case (RFC 3339 §5.6); leap seconds
// (:60) are not accepted.
std::optional<int64_t> ParseRfc3339Ms(std::string_view s) {
  size_t at = 0;
  int64_t year, month, day, hour, minute, second;
  if (!ReadDigits(s, &at, 4, &year) || !Expect(s, &at, '-') || !ReadDigits(s, &at, 2, &month) ||
      !Expect(s, &at, '-') || !ReadDigits(s, &at, 2, &day)) {
    return std::nullopt;
  }
  if (at >= s.size() || (s[at] != 'T' && s[at] != 't')) return std::nullopt;
  ++at;
  if (!ReadDigits(s, &at, 2, &hour) || !Expect(s, &at, ':') || !ReadDigits(s, &at, 2, &minute) ||
      !Expect(s, &at, ':') || !ReadDigits(s, &at, 2, &second)) {
    return std::nullopt;
  }
  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  if (day > kDaysInMonth[month - 1] + (month == 2 && IsLeapYear(year) ? 1 : 0)) {
    return std::nullopt;
  }
  int64_t millis = 0;
  if (at < s.size() && s[at] == '.') {
    ++at;
    size_t n = 0;
    for (; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at, ++n) {
      if (n < 3) millis = millis * 10 + (s[at] - '0');
    }
    if (n == 0) return std::nullopt;
    for (; n < 3; ++n) millis *= 10;
  }
  int64_t offset_minutes = 0;
  if (at < s.size() && (s[at] == 'Z' || s[at] == 'z')) {
    ++at;
  } else if (!ReadNumericOffset(s, &at, &offset_minutes)) {
    return std::nullopt;
  }
  if (at != s.size()) return std::nullopt;
  const int64_t seconds = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 +
                          second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

// ---------------------------------------------------------------------------------------------
// Vocabulary and URIs.

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool StartsWithIgnoringCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if ((s[i] | 0x20) != (prefix[i] | 0x20)) return false;
  }
  return true;
}

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// scheme ":" rest (RFC 3986 scheme; rest non-empty, no spaces or control characters).
bool IsAbsoluteUri(std::string_view s) {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size()) return false;
  if (!IsAlpha(s[0])) return false;
  for (size_t i = 1; i < colon; ++i) {
    const char c = s[i];
    if (!IsAlpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
  }
  for (size_t i = colon + 1; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c <= 0x20 || c == 0x7F) return false;
  }
  return true;
}

// A bare CBV word: a lower-case letter, then lower-case letters and '_'.
bool IsCbvWord(std::string_view s) {
  if (s.empty() || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  for (char c : s) {
    if (!(c >= 'a' && c <= 'z') && c != '_') return false;
  }
  return true;
}

constexpr char kVocabularyRule[] =
    "must be a CBV word (lower-case letters and '_') or an absolute urn: or https:// URI";

bool IsVocabulary(std::string_view s) {
  if (IsCbvWord(s)) return true;
  if (StartsWith(s, "https://")) return s.size() > 8 && IsAbsoluteUri(s);
  return StartsWith(s, "urn:") && IsAbsoluteUri(s);
}

absl::Status CheckVocabulary(const FieldPath& field, std::string_view value) {
  if (IsVocabulary(value)) return absl::OkStatus();
  return Invalid(field, std::string(kVocabularyRule) + ", got " + Quoted(value));
}

absl::Status CheckUri(const FieldPath& field, std::string_view value) {
  if (value.empty()) return Invalid(field, "required");
  if (!IsAbsoluteUri(value)) return Invalid(field, "must be an absolute URI, got " + Quoted(value));
  return absl::OkStatus();
}

// Source / destination party or location: an absolute URI; urn:origo:usci:<USCI> checked.
absl::Status CheckParty(const FieldPath& field, std::string_view value) {
  ORIGO_RETURN_IF_ERROR(CheckUri(field, value));
  static constexpr std::string_view kUsciPrefix = "urn:origo:usci:";
  if (StartsWith(value, kUsciPrefix)) {
    const absl::Status status = usci::Validate(value.substr(kUsciPrefix.size()));
    if (!status.ok()) return Invalid(field, std::string(status.message()));
  }
  return absl::OkStatus();
}

absl::Status CheckTime(const FieldPath& field, std::string_view value) {
  if (ParseRfc3339Ms(value).has_value()) return absl::OkStatus();
  return Invalid(field,
                 "must be an RFC 3339 date-time with offset, e.g. 2026-08-20T07:30:00+08:00,"
                 " got " +
                     Quoted(value));
}

// True for an http(s) URI with a path segment naming a GS1 primary key, or an urn:epc: URN.
bool LooksLikeGs1(std::string_view uri) {
  if (StartsWithIgnoringCase(uri, "urn:epc:")) return true;
  size_t path;
  if (StartsWithIgnoringCase(uri, "https://")) {
    path = uri.find('/', 8);
  } else if (StartsWithIgnoringCase(uri, "http://")) {
    path = uri.find('/', 7);
  } else {
    return false;
  }
  if (path == std::string_view::npos) return false;
  std::string_view rest = uri.substr(path + 1);
  rest = rest.substr(0, rest.find_first_of("?#"));
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment == gs1::kAiSscc || segment == gs1::kAiGtin || segment == gs1::kAiGln ||
        segment == gs1::kAiGiai || segment == "gtin" || segment == "sscc" || segment == "gln" ||
        segment == "giai") {
      return true;
    }
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Structural rules (pass 3).

enum class EventType { kObject, kAggregation, kTransformation, kTransaction, kAssociation };

// Canonical Digital Link paths in first-seen order, without repeats.
class IdentifierList {
 public:
  explicit IdentifierList(size_t capacity) {
    // Reserved so that the views in `seen_` (into the strings) never move.
    paths_.reserve(capacity);
    seen_.reserve(capacity);
  }

  // `path` is the canonical form of `raw`, the identifier as the event writes it.
  void Add(std::string_view raw, std::string path) {
    uint32_t index;
    if (auto it = seen_.find(AbslView(path)); it != seen_.end()) {
      index = it->second;
    } else {
      index = static_cast<uint32_t>(paths_.size());
      paths_.push_back(std::move(path));
      seen_.emplace(AbslView(paths_.back()), index);
    }
    canonical_.try_emplace(std::string(raw), index);
  }

  std::vector<std::string> ReleasePaths() { return std::move(paths_); }
  absl::flat_hash_map<std::string, uint32_t> ReleaseCanonical() { return std::move(canonical_); }

 private:
  std::vector<std::string> paths_;
  absl::flat_hash_map<absl::string_view, uint32_t> seen_;  // path -> index in paths_
  absl::flat_hash_map<std::string, uint32_t> canonical_;   // raw -> index in paths_
};

class Validator {
 public:
  Validator(const origo::v1::Event& event, const ValidationOptions& options)
      : event_(event), options_(options), ids_(CountIdentifiers(event)) {}

  absl::Status Run() {
    ORIGO_RETURN_IF_ERROR(CheckType());
    ORIGO_RETURN_IF_ERROR(CheckTimes());
    ORIGO_RETURN_IF_ERROR(CheckAction());
    ORIGO_RETURN_IF_ERROR(CheckWhatForType());

    ORIGO_RETURN_IF_ERROR(CheckEpcs("epcList", event_.epc_list()));
    ORIGO_RETURN_IF_ERROR(CheckQuantities("quantityList", event_.quantity_list()));
    if (!event_.parent_id().empty()) {
      ORIGO_RETURN_IF_ERROR(CheckEpc("parentID", event_.parent_id()));
    }
    ORIGO_RETURN_IF_ERROR(CheckEpcs("childEPCs", event_.child_epcs()));
    ORIGO_RETURN_IF_ERROR(CheckQuantities("childQuantityList", event_.child_quantity_list()));
    ORIGO_RETURN_IF_ERROR(CheckEpcs("inputEPCList", event_.input_epc_list()));
    ORIGO_RETURN_IF_ERROR(CheckQuantities("inputQuantityList", event_.input_quantity_list()));
    ORIGO_RETURN_IF_ERROR(CheckEpcs("outputEPCList", event_.output_epc_list()));
    ORIGO_RETURN_IF_ERROR(CheckQuantities("outputQuantityList", event_.output_quantity_list()));
    if (event_.has_read_point()) {
      ORIGO_RETURN_IF_ERROR(CheckLocation("readPoint.id", event_.read_point().id()));
    }
    if (event_.has_biz_location()) {
      ORIGO_RETURN_IF_ERROR(CheckLocation("bizLocation.id", event_.biz_location().id()));
    }

    ORIGO_RETURN_IF_ERROR(CheckWhy());
    return CheckHowAndRest();
  }

  int64_t event_time_unix_ms() const { return event_time_unix_ms_; }
  // The identifiers in first-seen order and, by each one as written, its index there.
  void ReleaseIdentifiers(ParsedEvent* parsed) && {
    parsed->identifiers = ids_.ReleasePaths();
    parsed->canonical = ids_.ReleaseCanonical();
  }

 private:
  static size_t CountIdentifiers(const origo::v1::Event& e) {
    return static_cast<size_t>(e.epc_list_size() + e.quantity_list_size() + e.child_epcs_size() +
                               e.child_quantity_list_size() + e.input_epc_list_size() +
                               e.input_quantity_list_size() + e.output_epc_list_size() +
                               e.output_quantity_list_size()) +
           3;  // parentID, readPoint, bizLocation.
  }

  absl::Status CheckType() {
    const std::string& type = event_.type();
    if (type.empty()) return Invalid("type", "required");
    if (type == kObjectEvent) {
      type_ = EventType::kObject;
    } else if (type == kAggregationEvent) {
      type_ = EventType::kAggregation;
    } else if (type == kTransformationEvent) {
      type_ = EventType::kTransformation;
    } else if (type == kTransactionEvent) {
      type_ = EventType::kTransaction;
    } else if (type == kAssociationEvent) {
      type_ = EventType::kAssociation;
    } else {
      return Invalid("type", "unknown event type " + Quoted(type));
    }
    return absl::OkStatus();
  }

  absl::Status CheckTimes() {
    if (event_.event_time().empty()) return Invalid("eventTime", "required");
    ORIGO_RETURN_IF_ERROR(CheckTime("eventTime", event_.event_time()));
    event_time_unix_ms_ = *ParseRfc3339Ms(event_.event_time());
    if (event_time_unix_ms_ - options_.max_future_skew_ms > options_.now_unix_ms) {
      return Invalid("eventTime", "more than " + std::to_string(options_.max_future_skew_ms) +
                                      " ms ahead of the server clock");
    }
    const std::string& offset = event_.event_time_zone_offset();
    if (offset.empty()) return Invalid("eventTimeZoneOffset", "required");
    size_t at = 0;
    int64_t minutes = 0;
    if (!ReadNumericOffset(offset, &at, &minutes) || at != offset.size() || minutes < -12 * 60 ||
        minutes > 14 * 60) {
      return Invalid("eventTimeZoneOffset",
                     "must be +HH:MM or -HH:MM within -12:00..+14:00, got " + Quoted(offset));
    }
    return absl::OkStatus();
  }

  absl::Status CheckAction() {
    const std::string& action = event_.action();
    if (type_ == EventType::kTransformation) {
      if (!action.empty()) return Invalid("action", "not allowed in TransformationEvent");
      return absl::OkStatus();
    }
    if (action.empty()) return Invalid("action", "required for " + event_.type());
    if (action != "ADD" && action != "OBSERVE" && action != "DELETE") {
      return Invalid("action", "must be ADD, OBSERVE or DELETE, got " + Quoted(action));
    }
    return absl::OkStatus();
  }

  // Which "what" fields the type allows and requires.
  absl::Status CheckWhatForType() {
    const std::string& type = event_.type();
    const bool object = type_ == EventType::kObject;
    const bool aggregation = type_ == EventType::kAggregation;
    const bool transformation = type_ == EventType::kTransformation;
    const bool transaction = type_ == EventType::kTransaction;
    const bool association = type_ == EventType::kAssociation;
    struct Presence {
      const char* field;
      bool present;
      bool allowed;
    };
    const Presence fields[] = {
        {"epcList", event_.epc_list_size() > 0, object || transaction},
        {"quantityList", event_.quantity_list_size() > 0, object || transaction},
        {"parentID", !event_.parent_id().empty(), aggregation || transaction || association},
        {"childEPCs", event_.child_epcs_size() > 0, aggregation || association},
        {"childQuantityList", event_.child_quantity_list_size() > 0, aggregation || association},
        {"inputEPCList", event_.input_epc_list_size() > 0, transformation},
        {"inputQuantityList", event_.input_quantity_list_size() > 0, transformation},
        {"outputEPCList", event_.output_epc_list_size() > 0, transformation},
        {"outputQuantityList", event_.output_quantity_list_size() > 0, transformation},
        {"transformationID", !event_.transformation_id().empty(), transformation},
        {"ilmd", event_.has_ilmd(), object || transformation},
    };
    for (const Presence& p : fields) {
      if (p.present && !p.allowed) return Invalid(p.field, "not allowed in " + type);
    }
    const std::string& action = event_.action();
    switch (type_) {
      case EventType::kObject:
        if (event_.epc_list_size() == 0 && event_.quantity_list_size() == 0) {
          return Invalid("epcList", "ObjectEvent needs a non-empty epcList or quantityList");
        }
        break;
      case EventType::kAggregation:
        if (action != "OBSERVE" && event_.parent_id().empty()) {
          return Invalid("parentID", "required for AggregationEvent with action " + action);
        }
        if (action == "ADD" && event_.child_epcs_size() == 0 &&
            event_.child_quantity_list_size() == 0) {
          return Invalid("childEPCs",
                         "AggregationEvent ADD needs a non-empty childEPCs or childQuantityList");
        }
        break;
      case EventType::kTransformation:
        if (event_.input_epc_list_size() == 0 && event_.input_quantity_list_size() == 0) {
          return Invalid("inputEPCList",
                         "TransformationEvent needs an input in inputEPCList or "
                         "inputQuantityList");
        }
        if (event_.output_epc_list_size() == 0 && event_.output_quantity_list_size() == 0) {
          return Invalid("outputEPCList",
                         "TransformationEvent needs an output in outputEPCList or "
                         "outputQuantityList");
        }
        break;
      case EventType::kTransaction:
        if (event_.biz_transaction_list_size() == 0) {
          return Invalid("bizTransactionList", "required for TransactionEvent");
        }
        break;
      case EventType::kAssociation:
        if (event_.parent_id().empty()) return Invalid("parentID", "required for AssociationEvent");
        break;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<gs1::DigitalLink> ParseGs1(const FieldPath& field, std::string_view value) {
    if (value.empty()) return Invalid(field, "required");
    absl::StatusOr<gs1::DigitalLink> link = gs1::ParseIdentifier(value);
    if (!link.ok()) return Invalid(field, std::string(link.status().message()));
    return link;
  }

  // An instance: item (GTIN + serial), SSCC, GLN or GIAI.
  absl::Status CheckEpc(const FieldPath& field, std::string_view value) {
    ORIGO_ASSIGN_OR_RETURN(gs1::DigitalLink link, ParseGs1(field, value));
    if (link.primary_ai == gs1::kAiGtin && !link.serial.has_value()) {
      return Invalid(field,
                     "must identify an instance: a GTIN needs a serial (AI 21); product classes "
                     "and lots belong in a quantity list");
    }
    ids_.Add(value, link.CanonicalPath());
    return absl::OkStatus();
  }

  absl::Status CheckEpcs(const char* list,
                         const google::protobuf::RepeatedPtrField<std::string>& epcs) {
    for (int i = 0; i < epcs.size(); ++i) {
      ORIGO_RETURN_IF_ERROR(CheckEpc(FieldPath(list, i), epcs[i]));
    }
    return absl::OkStatus();
  }

  absl::Status CheckQuantities(
      const char* list, const google::protobuf::RepeatedPtrField<origo::v1::QuantityElement>& q) {
    for (int i = 0; i < q.size(); ++i) {
      const origo::v1::QuantityElement& e = q[i];
      ORIGO_ASSIGN_OR_RETURN(gs1::DigitalLink link,
                             ParseGs1(FieldPath(list, i, "epcClass"), e.epc_class()));
      if (link.primary_ai != gs1::kAiGtin || link.serial.has_value()) {
        return Invalid(FieldPath(list, i, "epcClass"),
                       "must be a product class or lot (a GTIN, optionally with AI 10), not an "
                       "instance");
      }
      if (!std::isfinite(e.quantity()) || e.quantity() <= 0) {
        return Invalid(FieldPath(list, i, "quantity"), "must be finite and > 0");
      }
      if (!e.uom().empty()) {
        const std::string& uom = e.uom();
        bool ok = uom.size() >= 2 && uom.size() <= 3;
        for (char c : uom) ok = ok && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
        if (!ok) {
          return Invalid(
              FieldPath(list, i, "uom"),
              "must be a UN/CEFACT code of 2-3 upper-case letters or digits, got " + Quoted(uom));
        }
      }
      ids_.Add(e.epc_class(), link.CanonicalPath());
    }
    return absl::OkStatus();
  }

  // A GLN (AI 414) when the id looks like GS1, otherwise any absolute URI (not listed).
  absl::Status CheckLocation(const FieldPath& field, std::string_view value) {
    if (value.empty()) return Invalid(field, "required");
    if (!LooksLikeGs1(value)) return CheckUri(field, value);
    ORIGO_ASSIGN_OR_RETURN(gs1::DigitalLink link, ParseGs1(field, value));
    if (link.primary_ai != gs1::kAiGln) {
      return Invalid(field, "a GS1 location must be a GLN (AI 414), got AI " + link.primary_ai);
    }
    ids_.Add(value, link.CanonicalPath());
    return absl::OkStatus();
  }

  absl::Status CheckWhy() {
    if (!event_.biz_step().empty()) {
      ORIGO_RETURN_IF_ERROR(CheckVocabulary("bizStep", event_.biz_step()));
    }
    if (!event_.disposition().empty()) {
      ORIGO_RETURN_IF_ERROR(CheckVocabulary("disposition", event_.disposition()));
    }
    const origo::v1::PersistentDisposition& pd = event_.persistent_disposition();
    for (int i = 0; i < pd.set_size(); ++i) {
      ORIGO_RETURN_IF_ERROR(CheckVocabulary(FieldPath("persistentDisposition.set", i), pd.set(i)));
    }
    for (int i = 0; i < pd.unset_size(); ++i) {
      ORIGO_RETURN_IF_ERROR(
          CheckVocabulary(FieldPath("persistentDisposition.unset", i), pd.unset(i)));
    }
    for (int i = 0; i < event_.biz_transaction_list_size(); ++i) {
      const origo::v1::BizTransaction& t = event_.biz_transaction_list(i);
      if (!t.type().empty()) {
        ORIGO_RETURN_IF_ERROR(
            CheckVocabulary(FieldPath("bizTransactionList", i, "type"), t.type()));
      }
      ORIGO_RETURN_IF_ERROR(
          CheckUri(FieldPath("bizTransactionList", i, "bizTransaction"), t.biz_transaction()));
    }
    for (int i = 0; i < event_.source_list_size(); ++i) {
      const origo::v1::Source& s = event_.source_list(i);
      if (s.type().empty()) return Invalid(FieldPath("sourceList", i, "type"), "required");
      ORIGO_RETURN_IF_ERROR(CheckVocabulary(FieldPath("sourceList", i, "type"), s.type()));
      ORIGO_RETURN_IF_ERROR(CheckParty(FieldPath("sourceList", i, "source"), s.source()));
    }
    for (int i = 0; i < event_.destination_list_size(); ++i) {
      const origo::v1::Destination& d = event_.destination_list(i);
      if (d.type().empty()) return Invalid(FieldPath("destinationList", i, "type"), "required");
      ORIGO_RETURN_IF_ERROR(CheckVocabulary(FieldPath("destinationList", i, "type"), d.type()));
      ORIGO_RETURN_IF_ERROR(
          CheckParty(FieldPath("destinationList", i, "destination"), d.destination()));
    }
    return absl::OkStatus();
  }

  absl::Status CheckHowAndRest() {
    for (int i = 0; i < event_.sensor_element_list_size(); ++i) {
      // Sensor data is rare: these paths are built eagerly.
      const std::string metadata = Indexed("sensorElementList", i) + ".sensorMetadata";
      const std::string reports = Indexed("sensorElementList", i) + ".sensorReport";
      const origo::v1::SensorElement& se = event_.sensor_element_list(i);
      const origo::v1::SensorMetadata& md = se.sensor_metadata();
      const std::pair<const char*, const std::string*> metadata_times[] = {
          {"time", &md.time()}, {"startTime", &md.start_time()}, {"endTime", &md.end_time()}};
      for (const auto& [name, value] : metadata_times) {
        if (!value->empty()) {
          ORIGO_RETURN_IF_ERROR(CheckTime(FieldPath(metadata, -1, name), *value));
        }
      }
      for (int j = 0; j < se.sensor_report_size(); ++j) {
        const origo::v1::SensorReport& r = se.sensor_report(j);
        const std::pair<const char*, std::optional<double>> values[] = {
            {"value", r.has_value() ? std::optional<double>(r.value()) : std::nullopt},
            {"minValue", r.has_min_value() ? std::optional<double>(r.min_value()) : std::nullopt},
            {"maxValue", r.has_max_value() ? std::optional<double>(r.max_value()) : std::nullopt},
            {"meanValue",
             r.has_mean_value() ? std::optional<double>(r.mean_value()) : std::nullopt},
        };
        for (const auto& [name, value] : values) {
          if (value.has_value() && !std::isfinite(*value)) {
            return Invalid(FieldPath(reports, j, name), "must be finite");
          }
        }
        if (!r.time().empty())
          ORIGO_RETURN_IF_ERROR(CheckTime(FieldPath(reports, j, "time"), r.time()));
      }
    }
    for (int i = 0; i < event_.certification_info_size(); ++i) {
      ORIGO_RETURN_IF_ERROR(
          CheckUri(FieldPath("certificationInfo", i), event_.certification_info(i)));
    }
    if (!event_.event_id().empty()) ORIGO_RETURN_IF_ERROR(CheckUri("eventID", event_.event_id()));
    if (!event_.transformation_id().empty()) {
      ORIGO_RETURN_IF_ERROR(CheckUri("transformationID", event_.transformation_id()));
    }
    if (event_.has_error_declaration()) {
      const origo::v1::ErrorDeclaration& ed = event_.error_declaration();
      if (ed.declaration_time().empty()) {
        return Invalid("errorDeclaration.declarationTime", "required");
      }
      ORIGO_RETURN_IF_ERROR(CheckTime("errorDeclaration.declarationTime", ed.declaration_time()));
      if (!ed.reason().empty()) {
        ORIGO_RETURN_IF_ERROR(CheckVocabulary("errorDeclaration.reason", ed.reason()));
      }
      for (int i = 0; i < ed.corrective_event_ids_size(); ++i) {
        ORIGO_RETURN_IF_ERROR(CheckUri(FieldPath("errorDeclaration.correctiveEventIDs", i),
                                       ed.corrective_event_ids(i)));
      }
    }
    return absl::OkStatus();
  }

  const origo::v1::Event& event_;
  const ValidationOptions& options_;
  EventType type_ = EventType::kObject;
  int64_t event_time_unix_ms_ = 0;
  IdentifierList ids_;
};

}  // namespace

absl::StatusOr<ParsedEvent> ParseEvent(std::string_view json_bytes,
                                       const ValidationOptions& options) {
  if (json_bytes.size() > options.max_event_bytes) {
    return Invalid("event", std::to_string(json_bytes.size()) + " bytes exceeds the limit of " +
                                std::to_string(options.max_event_bytes));
  }

  // Pass 1: strict scan, filling the message (json_reader.h).
  ParsedEvent parsed;
  ORIGO_RETURN_IF_ERROR(
      internal::ReadEventJson(json_bytes, options.max_list_entries, &parsed.event));

  // Pass 2: structural rules.
  Validator validator(parsed.event, options);
  ORIGO_RETURN_IF_ERROR(validator.Run());
  parsed.event_time_unix_ms = validator.event_time_unix_ms();
  std::move(validator).ReleaseIdentifiers(&parsed);
  parsed.event.clear_record_time();
  parsed.event_id_hex = crypto::HexEncode(crypto::Sha256(json_bytes));
  return parsed;
}

}  // namespace origo::epcis
