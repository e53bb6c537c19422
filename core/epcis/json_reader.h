#ifndef ORIGO_CORE_EPCIS_JSON_READER_H_
#define ORIGO_CORE_EPCIS_JSON_READER_H_

// Pass 1 of epcis::ParseEvent (event.h): one strict, schema-aware pass over the bytes of an
// EPCIS 2.0 JSON event that also fills origo.v1.Event, replacing protobuf's JSON parser.
//
// The accepted language is the strict scan described in event.h (RFC 8259 syntax, UTF-8, no
// duplicate keys, only the JSON field names of origo.v1.Event and its sub-messages, each value of
// its field's JSON kind, size and depth limits; top-level "@context" and namespaced keys are
// syntax-checked and dropped; `ilmd` is a free-form google.protobuf.Struct). The message built is
// the one google::protobuf::util::JsonStringToMessage builds from the same bytes (without the
// dropped members): strings decoded, numbers parsed to the nearest double (an integer literal
// "-0" gives +0, as protobuf's parser gives), a JSON member present with an empty object or array
// marks a sub-message present or adds nothing, respectively.
//
// Internal to origo_core_epcis; use epcis::ParseEvent.

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"
#include "origo/v1/event.pb.h"

namespace origo::epcis::internal {

// Reads `json` into `*event`, which should be empty. Every rejection is INVALID_ARGUMENT,
// "json: <problem> at byte <offset>" for malformed JSON, otherwise "<path>: <rule>", with the
// messages of event.h; `*event` is then partially filled. `max_entries` bounds every array and
// every free-form object (ilmd, extension values, and the top-level extension members).
absl::Status ReadEventJson(std::string_view json, size_t max_entries, origo::v1::Event* event);

}  // namespace origo::epcis::internal

#endif  // ORIGO_CORE_EPCIS_JSON_READER_H_
