#ifndef ORIGO_CLIENTS_CLI_TEMPLATE_H_
#define ORIGO_CLIENTS_CLI_TEMPLATE_H_

// Packing-line templates: how rows of a scanner's CSV become EPCIS events, for operators who do
// not write JSON (`origo capture --template pack.json scans.csv`).
//
// A template is one JSON object (unknown members are an error, so typos are caught):
//
//   member               default               meaning
//   type                 "ObjectEvent"         or "AggregationEvent" (packing into cases)
//   action               "ADD"                 "ADD", "OBSERVE" or "DELETE"
//   bizStep              none                  CBV word or URI, copied
//   disposition          none                  CBV word or URI, copied
//   readPoint            none                  location URI -> {"id": ...}
//   bizLocation          none                  location URI -> {"id": ...}
//   eventTimeZoneOffset  required              "+HH:MM" / "-HH:MM": the line's local offset
//   gtin                 none                  product GTIN-14 (check digit verified); needed for
//                                              bare serial codes and for quantity rows
//   lot                  none                  lot rule for quantity rows without a lot column:
//                                              text in which {yyyy} {mm} {dd} are replaced by the
//                                              event's date, e.g. "GJ{yyyy}{mm}{dd}"
//   uom                  none                  unit for quantity rows without a unit cell
//   resolver             "https://id.gs1.org"  GS1 Digital Link host of generated identifiers
//   delimiter            ","                   one character
//   columns              see below             CSV header names, case-insensitive
//   ilmd                 none                  object copied into every ObjectEvent
//
// The CSV's first non-blank line is a header naming the columns; defaults (override with
// "columns": {"time": "Scan time", ...}):
//   time      required  "YYYY-MM-DD[T ]hh:mm[:ss[.f]][Z|+hh:mm|-hh:mm]"; without an offset the
//                       template's is used. Written as "YYYY-MM-DDThh:mm:ss[.f]<offset>".
//   code      one of    codes separated by spaces, '|' or ';' (unless ';' is the delimiter):
//   quantity  these     a Digital Link or other URI (kept as is), a GS1 element string such as
//                       "(01)06901234567892(21)S1" or "(00)<SSCC>", or a bare serial of the
//                       template's GTIN. -> epcList (childEPCs for AggregationEvent).
//                       quantity: a decimal number > 0 -> quantityList (childQuantityList)
//                       [{"epcClass": <resolver>/01/<gtin>/10/<lot>, "quantity": q, "uom": unit}]
//   unit      optional  overrides the template's uom
//   lot       optional  overrides the template's lot rule
//   parent    optional  AggregationEvent's parentID (an SSCC, "(00)<SSCC>" or a URI); required
//                       for ADD and DELETE
// Fields are RFC 4180: quoted with '"', a doubled '"' inside quotes is one '"'; a quoted field
// may not span lines. Blank lines are skipped.
//
// Each row becomes one event in canonical JSON (json_text.h, RFC 8785): the same event written
// by hand in canonical form has the same bytes and so the same event id.
//
// Thread-safety: CaptureTemplate is immutable after Parse; CsvConverter is not thread-safe.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/cli/json_text.h"

namespace origo::cli {

class CaptureTemplate {
 public:
  // Parses a template. INVALID_ARGUMENT "template <name>: <member>: <rule>".
  static absl::StatusOr<CaptureTemplate> Parse(std::string_view json, const std::string& name);
  // Reads and parses the file at `path`.
  static absl::StatusOr<CaptureTemplate> Load(const std::string& path);

 private:
  friend class CsvConverter;
  CaptureTemplate() = default;

  std::string type_ = "ObjectEvent";
  std::string action_ = "ADD";
  std::string biz_step_, disposition_, read_point_, biz_location_;
  std::string offset_;
  std::string gtin_, lot_rule_, uom_;
  std::string resolver_ = "https://id.gs1.org";
  char delimiter_ = ',';
  // Column role ("time", "code", ...) -> header name, lower case.
  std::map<std::string, std::string> columns_;
  std::optional<json::Value> ilmd_;
};

// Turns a CSV's lines into events with a template. Not thread-safe.
class CsvConverter {
 public:
  // `tmpl` must outlive the converter.
  explicit CsvConverter(const CaptureTemplate* tmpl) : template_(tmpl) {}

  // Converts one line (without its line end). Returns the event's bytes, or nullopt for the
  // header and blank lines. INVALID_ARGUMENT "<column>: <rule>" for a malformed line (the
  // caller names the file and line).
  absl::StatusOr<std::optional<std::string>> Line(std::string_view line);

 private:
  absl::StatusOr<std::string> Row(const std::vector<std::string>& cells);

  const CaptureTemplate* template_;
  bool have_header_ = false;
  std::map<std::string, size_t> index_;  // column role -> cell index
  size_t header_cells_ = 0;
};

// Splits one CSV line (RFC 4180 quoting, no line breaks in fields). INVALID_ARGUMENT for an
// unterminated quote or text after a closing quote.
absl::StatusOr<std::vector<std::string>> SplitCsvLine(std::string_view line, char delimiter);

// Whether `digits` is 8, 12, 13, 14 or 18 digits whose last is the GS1 mod-10 check digit.
bool ValidGs1CheckDigit(std::string_view digits);

}  // namespace origo::cli

#endif  // ORIGO_CLIENTS_CLI_TEMPLATE_H_
