#ifndef ORIGO_CORE_EPCIS_EVENT_H_
#define ORIGO_CORE_EPCIS_EVENT_H_

// Parsing and structural validation of one EPCIS 2.0 JSON event (DESIGN.md §4, §7 "Structural").
//
// ParseEvent takes the exact bytes a producer signed: one JSON object, e.g. one line of
// testdata/capture/goji/*.jsonl without its newline. It runs three passes:
//
//  1. A strict, schema-aware scan of the bytes (RFC 8259 syntax, UTF-8, no duplicate keys at any
//     depth, every key a JSON field name of origo.v1.Event or its sub-messages, every value of the
//     JSON kind its field expects, size limits). It exists because the protobuf JSON parser is
//     lenient where a signed record must not be: it merges duplicate keys, accepts trailing
//     commas, proto field names ("biz_step") and "NaN" strings for numbers, and reports errors
//     with proto field names. Top-level EPCIS extension members — "@context" and any key
//     containing ':' ("example:foo") — are syntax-checked and then dropped; extension keys at
//     deeper levels are unknown fields. Keys inside `ilmd` are free-form.
//  2. google::protobuf::util::JsonToBinaryString + ParseFromString, which is what
//     JsonStringToMessage does, but through a type resolver that converts Event's descriptors
//     once per process instead of once per call (15-20% faster). When extension members were
//     present, a copy of the bytes without them is parsed; otherwise the bytes are parsed in place.
//  3. The structural rules below, on the parsed message.
//
// Structural rules (each violation is INVALID_ARGUMENT "<field>: <rule>", where <field> is the
// JSON path, e.g. "inputQuantityList[0].quantity: must be finite and > 0"):
//  - size: the event <= max_event_bytes; every array <= max_list_entries entries, and so are
//    the members of every free-form object (ilmd and extension values) and the top-level
//    extension members; every string and key <= kMaxStringBytes bytes (decoded UTF-8); nesting
//    <= kMaxDepth levels (the event object is level 1).
//  - type: ObjectEvent, AggregationEvent, TransformationEvent, TransactionEvent or
//    AssociationEvent.
//  - eventTime: required, RFC 3339 with "Z" or a numeric offset, not later than now + skew.
//    eventTimeZoneOffset: required, "+HH:MM" or "-HH:MM" within -12:00..+14:00. recordTime is
//    set by the server: a submitted value is not checked and is cleared in ParsedEvent::event.
//  - action: ADD, OBSERVE or DELETE; required for every type except TransformationEvent, where it
//    must be absent.
//  - what, per type (a field not listed for a type is rejected as "not allowed in <type>"):
//      ObjectEvent          epcList and/or quantityList, at least one entry; ilmd allowed.
//      AggregationEvent     parentID (required for ADD and DELETE); childEPCs and/or
//                           childQuantityList (at least one entry for ADD).
//      TransformationEvent  at least one input (inputEPCList / inputQuantityList) and one output
//                           (outputEPCList / outputQuantityList); transformationID; ilmd allowed.
//      TransactionEvent     bizTransactionList (required); parentID, epcList, quantityList.
//      AssociationEvent     parentID (required); childEPCs, childQuantityList.
//  - identifiers: every entry of epcList, childEPCs, inputEPCList, outputEPCList and parentID
//    parses with gs1::ParseIdentifier (Digital Link on any host, or EPC URN) and names an
//    instance (a GTIN needs a serial, AI 21); every quantity element's epcClass names a class:
//    a GTIN with or without lot (AI 10), no serial.
//  - quantities: finite and > 0; uom, if present, 2-3 upper-case letters or digits.
//  - readPoint.id / bizLocation.id (required when the object is present): an identifier that
//    looks like GS1 — an "urn:epc:" URN, or an http(s) URI with a path segment that is a GS1
//    primary key (00, 01, 414, 8004 or gtin, sscc, gln, giai) — must parse and be a GLN (AI 414,
//    optional 254 extension). Any other absolute URI (e.g. "urn:origo:place:AE-DXB") is allowed
//    and is not a GS1 identifier.
//  - bizStep, disposition, persistentDisposition.set/unset, and the type of sourceList,
//    destinationList and bizTransactionList entries, and errorDeclaration.reason: a bare CBV
//    word (lower-case letters and '_', starting with a letter, e.g. "in_transit") or an absolute
//    "urn:" / "https://" URI.
//    Source/destination types are required; a bizTransaction type is optional.
//  - URIs: sourceList[].source, destinationList[].destination, bizTransactionList[].
//    bizTransaction, certificationInfo[], eventID, transformationID and errorDeclaration.
//    correctiveEventIDs[] are absolute URIs (scheme ":" non-empty rest, no spaces or control
//    characters); source/destination are required and an "urn:origo:usci:<USCI>" value must hold
//    a valid USCI.
//  - sensorReport value/minValue/maxValue/meanValue finite; sensor and errorDeclaration times
//    RFC 3339 when present (declarationTime is required in an errorDeclaration).
//
// Thread-safety: ParseEvent is thread-safe and reentrant (process-wide tables are built once,
// on first use, and are read-only afterwards).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "origo/v1/event.pb.h"

namespace origo::epcis {

inline constexpr size_t kMaxStringBytes = 2048;
inline constexpr int kMaxDepth = 32;

// The five EPCIS 2.0 event types.
inline constexpr std::string_view kObjectEvent = "ObjectEvent";
inline constexpr std::string_view kAggregationEvent = "AggregationEvent";
inline constexpr std::string_view kTransformationEvent = "TransformationEvent";
inline constexpr std::string_view kTransactionEvent = "TransactionEvent";
inline constexpr std::string_view kAssociationEvent = "AssociationEvent";

// Limits and clock for ParseEvent. Value type.
struct ValidationOptions {
  // Largest accepted event, in bytes. Default 64 KiB.
  size_t max_event_bytes = 65536;
  // The server's clock, milliseconds since the Unix epoch. Required: there is no default clock
  // in core; the capture service passes its own.
  int64_t now_unix_ms = 0;
  // How far eventTime may lie ahead of now_unix_ms. Default 10 minutes.
  int64_t max_future_skew_ms = 600000;
  // Most entries in any JSON array (epcList, childEPCs...) or free-form object (ilmd). Default
  // 10000.
  size_t max_list_entries = 10000;
};

// A structurally valid event. Value type; not synchronised.
struct ParsedEvent {
  // The event as parsed, with record_time cleared (the server sets it).
  origo::v1::Event event;
  // SHA-256 of the exact bytes given to ParseEvent, lowercase hex (64 characters).
  std::string event_id_hex;
  // eventTime in milliseconds since the Unix epoch (fractions below 1 ms are truncated).
  int64_t event_time_unix_ms = 0;
  // Canonical Digital Link paths (gs1::DigitalLink::CanonicalPath) of every GS1 identifier the
  // event references, each once, in the order first met while reading epcList, quantityList,
  // parentID, childEPCs, childQuantityList, inputEPCList, inputQuantityList, outputEPCList,
  // outputQuantityList, readPoint, bizLocation. Non-GS1 locations are not included.
  std::vector<std::string> identifiers;
  // Each GS1 identifier as the event writes it (a URN, a Digital Link URI) -> the index of its
  // canonical path in `identifiers`: later passes (the sector rules) look it up instead of
  // parsing it again.
  absl::flat_hash_map<std::string, uint32_t> canonical;
};

// Parses and structurally validates one EPCIS 2.0 JSON event (see the top of this file).
// Whitespace around the object is accepted; the event id is still the hash of `json_bytes` as
// given. Every rejection is INVALID_ARGUMENT "<field>: <rule>"; malformed JSON is reported as
// "json: <problem> at byte <offset>".
absl::StatusOr<ParsedEvent> ParseEvent(std::string_view json_bytes,
                                       const ValidationOptions& options);

}  // namespace origo::epcis

#endif  // ORIGO_CORE_EPCIS_EVENT_H_
