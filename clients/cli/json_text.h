#ifndef ORIGO_CLIENTS_CLI_JSON_TEXT_H_
#define ORIGO_CLIENTS_CLI_JSON_TEXT_H_

// JSON for the capture client: a strict parser (RFC 8259) and the canonical serialization that
// events made from scanner CSV are written in.
//
// Client-side checking of events is deliberately only this syntax check: the server does the
// full EPCIS validation (event.h) and reports the field and rule; the client only makes sure a
// line is one JSON object, so a typo is caught before it is queued.
//
// Canonical form = the JSON Canonicalization Scheme (RFC 8785, "JCS"):
//   - no whitespace between tokens;
//   - object members sorted by their names' UTF-16 code units (for ASCII names: byte order);
//   - strings: '"' and '\' escaped, U+0008/0009/000A/000C/000D as \b \t \n \f \r, other
//     controls below U+0020 as \u00xx (lower-case hex), everything else as literal UTF-8;
//   - numbers as ECMAScript's Number.prototype.toString: shortest round-trip digits, integers up
//     to 1e21 without exponent, "-0" as "0", e.g. 12.5, 1000, 0.001, 1e+21, 1.5e-7.
// The same event written this way by hand has the same bytes, hence the same event id.
//
// Thread-safety: all functions are thread-safe; Value is a plain value type.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace origo::cli::json {

struct Member;

// A JSON value. Object members keep their source order (Canonical sorts them).
struct Value {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Value> array;
  std::vector<Member> object;

  static Value Bool(bool b);
  static Value Number(double n);
  static Value String(std::string s);
  static Value Array();
  static Value Object();

  // The member named `name` of an object, or null.
  const Value* Find(std::string_view name) const;
  // Appends a member (object) or an element (array); returns *this.
  Value& Add(std::string name, Value value);
  Value& Push(Value value);
};

struct Member {
  std::string name;
  Value value;
};

struct ParseOptions {
  // Whether an object may repeat a member name (RFC 8259 allows it; templates do not).
  bool allow_duplicate_names = true;
  // Deepest nesting accepted. Default 64.
  size_t max_depth = 64;
};

// Parses exactly one JSON text (surrounding whitespace allowed). INVALID_ARGUMENT
// "json: <problem> at byte <offset>" otherwise, e.g. a trailing comma, a control character in a
// string, invalid UTF-8, a lone surrogate escape, a number that overflows a double.
absl::StatusOr<Value> Parse(std::string_view text, const ParseOptions& options = {});

// OK when `text` is one JSON object (what an event line must be); the Parse error otherwise, or
// INVALID_ARGUMENT "json: an event must be a JSON object" for another kind of value.
absl::Status CheckEventSyntax(std::string_view text);

// The canonical (JCS) serialization of `value`.
std::string Canonical(const Value& value);

// `number` as ECMAScript writes it (finite numbers only; non-finite numbers give "null").
std::string FormatNumber(double number);

}  // namespace origo::cli::json

#endif  // ORIGO_CLIENTS_CLI_JSON_TEXT_H_
