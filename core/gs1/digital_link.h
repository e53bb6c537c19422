#ifndef ORIGO_CORE_GS1_DIGITAL_LINK_H_
#define ORIGO_CORE_GS1_DIGITAL_LINK_H_

// GS1 Digital Link: Origo's one canonical key for products, lots, items, logistic units,
// locations and assets. The canonical form is a path such as
//   /01/06901234567892/10/GJ2026-0415
// Any resolver host is accepted on input; the server resolves a link by its path alone.
//
// Path grammar accepted by ParseDigitalLink (after an optional "http(s)://host" and any prefix
// segments, and before an optional "?query" and "#fragment"):
//   path      = gtin-path / sscc-path / gln-path / giai-path
//   gtin-path = "/01/" gtin [ "/22/" cpv ] [ "/10/" lot ] [ "/21/" serial ]
//   sscc-path = "/00/" sscc
//   gln-path  = "/414/" gln [ "/254/" gln-extension ]
//   giai-path = "/8004/" giai
//   query     = attribute *( "&" attribute ) ; "17=" YYMMDD is read, other keys are ignored
// Values are percent-decoded and then validated (see gs1.h). A GTIN may be 8, 12, 13 or 14
// digits; it is stored as 14. The GS1 short names gtin, cpv, lot, ser, sscc, gln, glnx, giai and
// exp are accepted in place of the numeric AIs.
//
// All functions are pure and thread-safe. Errors are INVALID_ARGUMENT naming the AI and the rule.

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace origo::gs1 {

// A parsed, validated Digital Link. Value type; not synchronised.
struct DigitalLink {
  // The primary key: kAiGtin ("01"), kAiSscc ("00"), kAiGln ("414") or kAiGiai ("8004").
  std::string primary_ai;
  // The primary key's value, decoded; a GTIN is always 14 digits.
  std::string primary_value;
  // Key qualifiers. cpv (AI 22), lot (AI 10) and serial (AI 21) occur only with a GTIN;
  // gln_extension (AI 254) only with a GLN.
  std::optional<std::string> cpv;
  std::optional<std::string> lot;
  std::optional<std::string> serial;
  std::optional<std::string> gln_extension;
  // Data attribute AI 17 (YYMMDD) from the query string. Not part of the canonical key.
  std::optional<std::string> expiry;

  // The canonical path: numeric AIs, GTIN-14, qualifiers in the grammar's order, values
  // percent-encoded except for the URI-unreserved characters A-Z a-z 0-9 - . _ ~. Data
  // attributes (expiry) are not included. Two links name the same thing iff their canonical
  // paths are equal.
  std::string CanonicalPath() const;

  // True for a serialised trade item: a GTIN with a serial (a lot may also be present).
  bool IsItem() const;
  // True for a lot/batch: a GTIN with a lot and no serial.
  bool IsLot() const;

  friend bool operator==(const DigitalLink&, const DigitalLink&) = default;
};

// Parses a Digital Link given as a path ("/01/06901234567892/10/GJ2026-0415") or as an
// http(s) URI on any host, with or without path segments before the primary key
// ("https://host/some/prefix/01/...?17=261231"). Every value is validated; INVALID_ARGUMENT
// names the AI and the rule (e.g. "AI 01: check digit mismatch: expected 2, got 3").
absl::StatusOr<DigitalLink> ParseDigitalLink(std::string_view uri_or_path);

// Parses any identifier found in an EPCIS 2.0 event: a Digital Link (see ParseDigitalLink) or
// an EPC pure-identity / class URN, converted to the equivalent Digital Link:
//   urn:epc:id:sgtin:<company prefix>.<indicator><item ref>.<serial>   -> /01/<gtin>/21/<serial>
//   urn:epc:class:lgtin:<company prefix>.<indicator><item ref>.<lot>   -> /01/<gtin>/10/<lot>
//   urn:epc:idpat:sgtin:<company prefix>.<indicator><item ref>.*       -> /01/<gtin>
//   urn:epc:id:sscc:<company prefix>.<extension><serial ref>           -> /00/<sscc>
//   urn:epc:id:sgln:<company prefix>.<location ref>.<extension>        -> /414/<gln>[/254/<ext>]
//   urn:epc:id:giai:<company prefix>.<asset ref>                       -> /8004/<giai>
// The company prefix is 6-12 digits; check digits are computed. In SGLN an extension of "0"
// means "no extension". Escaped characters (%xx) in URN components are decoded.
absl::StatusOr<DigitalLink> ParseIdentifier(std::string_view identifier);

// Canonical paths built from parts. Each validates its inputs like ParseDigitalLink does and
// normalises the GTIN to 14 digits. GlnPath omits "/254/..." when `extension` is empty.
absl::StatusOr<std::string> GtinPath(std::string_view gtin);
absl::StatusOr<std::string> LotPath(std::string_view gtin, std::string_view lot);
absl::StatusOr<std::string> ItemPath(std::string_view gtin, std::string_view serial);
absl::StatusOr<std::string> SsccPath(std::string_view sscc);
absl::StatusOr<std::string> GlnPath(std::string_view gln, std::string_view extension = {});
absl::StatusOr<std::string> GiaiPath(std::string_view giai);

}  // namespace origo::gs1

#endif  // ORIGO_CORE_GS1_DIGITAL_LINK_H_
