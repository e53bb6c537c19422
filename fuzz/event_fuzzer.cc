// libFuzzer target: EPCIS 2.0 JSON event parsing and structural validation
// (core/epcis/event.h ParseEvent).
//
// Input: the bytes of one event, as a producer would sign them. Checked:
//  - every rejection is INVALID_ARGUMENT with a message;
//  - an accepted event has event_id_hex = hex SHA-256 of the input, no recordTime, an eventTime
//    not after now + skew, and identifiers that are distinct canonical Digital Link paths;
//  - eventTime agrees with absl::ParseTime(RFC3339_full) to the millisecond;
//  - whitespace around the object does not change the parsed event;
//  - tighter limits accept a subset: with max_list_entries = 2, an accepted event is one the
//    default limits accept, parsed the same, and a rejection says which list is too long;
//  - differential (json_reader.h): an accepted event is the message protobuf's own JSON parser
//    builds from the same bytes (unknown top-level members, i.e. the dropped "@context" and
//    namespaced extensions, ignored). Set ORIGO_FUZZ_EVENT_DIFFERENTIAL=0 to skip this check.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "core/crypto/hash.h"
#include "core/epcis/event.h"
#include "core/gs1/digital_link.h"
#include "fuzz/fuzz_util.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"

namespace origo::fuzz {
namespace {

// 2027-01-01T00:00:00Z: after every event in the seed corpus.
constexpr int64_t kNowUnixMs = 1798761600000;

bool DifferentialEnabled() {
  static const bool enabled = [] {
    const char* value = std::getenv("ORIGO_FUZZ_EVENT_DIFFERENTIAL");
    return value == nullptr || std::string_view(value) != "0";
  }();
  return enabled;
}

void CheckAgainstProtobufJson(std::string_view input, const origo::v1::Event& event) {
  origo::v1::Event expected;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(input.data(), input.size()), &expected, options);
  ORIGO_FUZZ_CHECK(status.ok(),
                   "ParseEvent accepts what protobuf's JSON parser rejects: " + status.ToString());
  expected.clear_record_time();
  std::string differences;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&differences);
  ORIGO_FUZZ_CHECK(
      differencer.Compare(expected, event),
      "ParseEvent builds another message than protobuf's JSON parser:\n" + differences);
}

}  // namespace
}  // namespace origo::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  origo::fuzz::SilenceProtobufLogging();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace origo;
  using namespace origo::fuzz;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  epcis::ValidationOptions options;
  options.now_unix_ms = kNowUnixMs;

  auto parsed = epcis::ParseEvent(input, options);
  CheckRejection(parsed.status(), {absl::StatusCode::kInvalidArgument}, "ParseEvent");
  if (!parsed.ok()) return 0;

  ORIGO_FUZZ_CHECK(parsed->event_id_hex == crypto::HexEncode(crypto::Sha256(input)),
                   "event id is not the SHA-256 of the bytes");
  ORIGO_FUZZ_CHECK(parsed->event.record_time().empty(), "recordTime not cleared");
  ORIGO_FUZZ_CHECK(parsed->event_time_unix_ms <= kNowUnixMs + options.max_future_skew_ms,
                   "eventTime in the future accepted: " + parsed->event.event_time());
  std::set<std::string> seen;
  for (const std::string& id : parsed->identifiers) {
    auto link = gs1::ParseDigitalLink(id);
    ORIGO_FUZZ_CHECK(link.ok() && link->CanonicalPath() == id,
                     "identifier '" + id + "' is not a canonical Digital Link path");
    ORIGO_FUZZ_CHECK(seen.insert(id).second, "identifier '" + id + "' listed twice");
  }

  absl::Time event_time;
  std::string time_error;
  ORIGO_FUZZ_CHECK(
      absl::ParseTime(absl::RFC3339_full, parsed->event.event_time(), &event_time, &time_error) &&
          absl::ToUnixMillis(event_time) == parsed->event_time_unix_ms,
      "eventTime '" + parsed->event.event_time() + "' read as " +
          std::to_string(parsed->event_time_unix_ms) + " ms, absl says " +
          (time_error.empty() ? std::to_string(absl::ToUnixMillis(event_time)) : time_error));

  epcis::ValidationOptions tight = options;
  tight.max_list_entries = 2;
  auto limited = epcis::ParseEvent(input, tight);
  CheckRejection(limited.status(), {absl::StatusCode::kInvalidArgument}, "ParseEvent (tight)");
  if (limited.ok()) {
    ORIGO_FUZZ_CHECK(
        google::protobuf::util::MessageDifferencer::Equals(limited->event, parsed->event),
        "max_list_entries changes the parsed event");
  } else {
    ORIGO_FUZZ_CHECK(limited.status().message().find("more than 2 ") != std::string_view::npos,
                     "a limit rejection does not name the limit: " + limited.status().ToString());
  }

  if (DifferentialEnabled()) CheckAgainstProtobufJson(input, parsed->event);

  const std::string padded = " \n\t" + std::string(input) + "\r\n ";
  if (padded.size() > options.max_event_bytes) return 0;
  auto again = epcis::ParseEvent(padded, options);
  ORIGO_FUZZ_CHECK(again.ok(), "surrounding whitespace rejected: " + again.status().ToString());
  ORIGO_FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(again->event, parsed->event),
                   "surrounding whitespace changes the parsed event");
  ORIGO_FUZZ_CHECK(again->identifiers == parsed->identifiers,
                   "surrounding whitespace changes the identifiers");
  return 0;
}
