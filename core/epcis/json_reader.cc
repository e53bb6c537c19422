#include "core/epcis/json_reader.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <forward_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/base/absl_view.h"
#include "core/base/status_macros.h"
#include "core/epcis/event.h"
#include "google/protobuf/struct.pb.h"
#include "origo/v1/event.pb.h"

namespace origo::epcis::internal {
namespace {

using ::google::protobuf::ListValue;
using ::google::protobuf::Struct;
using ::google::protobuf::Value;
using ::origo::v1::BizLocation;
using ::origo::v1::BizTransaction;
using ::origo::v1::Destination;
using ::origo::v1::ErrorDeclaration;
using ::origo::v1::Event;
using ::origo::v1::PersistentDisposition;
using ::origo::v1::QuantityElement;
using ::origo::v1::ReadPoint;
using ::origo::v1::SensorElement;
using ::origo::v1::SensorMetadata;
using ::origo::v1::SensorReport;
using ::origo::v1::Source;

absl::Status Reject(const std::string& field, const std::string& rule) {
  return absl::InvalidArgumentError(field + ": " + rule);
}

// One step of the JSON path to the value being read; rendered only for an error.
struct PathFrame {
  const PathFrame* parent = nullptr;
  std::string_view key;  // Member name, when !is_index.
  size_t index = 0;
  bool is_index = false;
};

std::string PathString(const PathFrame* frame) {
  std::vector<const PathFrame*> frames;
  for (; frame != nullptr; frame = frame->parent) frames.push_back(frame);
  std::string out;
  for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
    const PathFrame* f = *it;
    if (f->is_index) {
      out += "[" + std::to_string(f->index) + "]";
    } else {
      if (!out.empty()) out += '.';
      out.append(f->key);
    }
  }
  return out.empty() ? "event" : out;
}

bool IsExtensionKey(std::string_view key) {
  return key == "@context" || key.find(':') != std::string_view::npos;
}

// Decodes the body of a JSON string already checked by Reader::ScanString into `out`.
void Unescape(std::string_view raw, std::string* out) {
  out->clear();
  out->reserve(raw.size());
  auto hex4 = [&](size_t at) {
    uint32_t v = 0;
    for (size_t k = at; k < at + 4; ++k) {
      const char c = raw[k];
      v = v * 16 + static_cast<uint32_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
  };
  size_t i = 0;
  while (i < raw.size()) {
    const size_t backslash = raw.find('\\', i);
    if (backslash == std::string_view::npos) {
      out->append(raw.data() + i, raw.size() - i);
      return;
    }
    out->append(raw.data() + i, backslash - i);
    i = backslash + 1;
    const char e = raw[i++];
    switch (e) {
      case 'b':
        *out += '\b';
        break;
      case 'f':
        *out += '\f';
        break;
      case 'n':
        *out += '\n';
        break;
      case 'r':
        *out += '\r';
        break;
      case 't':
        *out += '\t';
        break;
      case 'u': {
        uint32_t cp = hex4(i);
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(i + 2) - 0xDC00);
          i += 6;
        }
        if (cp < 0x80) {
          *out += static_cast<char>(cp);
        } else if (cp < 0x800) {
          *out += static_cast<char>(0xC0 | (cp >> 6));
          *out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
          *out += static_cast<char>(0xE0 | (cp >> 12));
          *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          *out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
          *out += static_cast<char>(0xF0 | (cp >> 18));
          *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
          *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          *out += static_cast<char>(0x80 | (cp & 0x3F));
        }
        break;
      }
      default:
        *out += e;  // '"', '\\' and '/'.
    }
  }
}

// The member names seen in one JSON object, for duplicate detection: a linear scan while the
// object is small, a hash set beyond that. Views must outlive the set.
class KeySet {
 public:
  // False if `key` was already present.
  bool Insert(std::string_view key) {
    if (set_.empty() && small_size_ < kSmall) {
      for (size_t i = 0; i < small_size_; ++i) {
        if (small_[i] == key) return false;
      }
      small_[small_size_++] = key;
      return true;
    }
    if (set_.empty()) {
      for (std::string_view k : small_) set_.insert(AbslView(k));
    }
    return set_.insert(AbslView(key)).second;
  }

 private:
  static constexpr size_t kSmall = 16;
  std::array<std::string_view, kSmall> small_;
  size_t small_size_ = 0;
  absl::flat_hash_set<absl::string_view> set_;
};

class Reader;

// A JSON field name of message M and the function that reads its value into an M. The value
// is read at `depth` (its object is at depth - 1) and reported at `path`.
template <typename M>
struct FieldSpec {
  std::string_view json_name;
  absl::Status (*read)(Reader& reader, M* message, const PathFrame* path, int depth);
};

// MessageFields<M>::kFields: every field of M, by JSON name (defined below, per message).
template <typename M>
struct MessageFields;

// Reads one event. Single use; not thread-safe (one per call).
class Reader {
 public:
  Reader(std::string_view in, size_t max_entries) : in_(in), max_entries_(max_entries) {}

  // The whole input: one object of message M (Event) at depth 1, with extension members.
  template <typename M>
  absl::Status ReadTopLevel(M* out) {
    SkipWhitespace();
    if (AtEnd()) return Syntax("empty input");
    if (Peek() != '{') return Reject("event", "must be a JSON object");
    ORIGO_RETURN_IF_ERROR(ReadMembers(out, nullptr, 1, /*top_level=*/true));
    SkipWhitespace();
    if (!AtEnd()) return Syntax("unexpected data after the event object");
    return absl::OkStatus();
  }

  // The typed readers below check the depth, then the JSON kind of the value at pos_, then
  // read it. A wrong kind is "<path>: must be <kind>".

  absl::Status ReadString(std::string* out, const PathFrame* path, int depth) {
    if (depth > kMaxDepth) return TooDeep(path);
    if (Peek() != '"') return Reject(PathString(path), "must be a string");
    return ReadStringValue(out, path);
  }

  absl::Status ReadNumber(double* out, const PathFrame* path, int depth) {
    if (depth > kMaxDepth) return TooDeep(path);
    const char c = Peek();
    if (c != '-' && !(c >= '0' && c <= '9')) return Reject(PathString(path), "must be a number");
    return ReadNumberValue(out, path);
  }

  template <typename M>
  absl::Status ReadMessage(M* out, const PathFrame* path, int depth) {
    if (depth > kMaxDepth) return TooDeep(path);
    if (Peek() != '{') return Reject(PathString(path), "must be an object");
    return ReadMembers(out, path, depth, /*top_level=*/false);
  }

  absl::Status ReadStruct(Struct* out, const PathFrame* path, int depth) {
    if (depth > kMaxDepth) return TooDeep(path);
    if (Peek() != '{') return Reject(PathString(path), "must be an object");
    return ReadFreeObject(out, path, depth);
  }

  // An array; read_element(element_path, element_depth) reads each element.
  template <typename ReadElement>
  absl::Status ReadArray(const PathFrame* path, int depth, const ReadElement& read_element) {
    if (depth > kMaxDepth) return TooDeep(path);
    if (Peek() != '[') return Reject(PathString(path), "must be an array");
    return ReadElements(path, depth, read_element);
  }

 private:
  bool AtEnd() const { return pos_ >= in_.size(); }
  char Peek() const { return AtEnd() ? '\0' : in_[pos_]; }

  void SkipWhitespace() {
    while (!AtEnd()) {
      const char c = in_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++pos_;
    }
  }

  absl::Status Syntax(const std::string& problem) const {
    return absl::InvalidArgumentError("json: " + problem + " at byte " + std::to_string(pos_));
  }

  static absl::Status TooDeep(const PathFrame* path) {
    return Reject(PathString(path), "nested deeper than " + std::to_string(kMaxDepth));
  }

  absl::Status TooManyMembers(const PathFrame* path) const {
    return Reject(PathString(path), "more than " + std::to_string(max_entries_) + " members");
  }

  // After a member name: optional whitespace, ':', optional whitespace.
  absl::Status ReadColon() {
    SkipWhitespace();
    if (Peek() != ':') return Syntax("expected ':'");
    ++pos_;
    SkipWhitespace();
    return absl::OkStatus();
  }

  // A member name at pos_ (on its opening quote) of the object at `path`. Escaped names are
  // decoded into `storage`, which must outlive the uses of `*key`.
  absl::Status ReadKey(std::string_view* key, std::forward_list<std::string>* storage,
                       const PathFrame* path) {
    std::string_view raw;
    bool escaped = false;
    size_t length = 0;
    ORIGO_RETURN_IF_ERROR(ScanString(&raw, &escaped, &length));
    *key = raw;
    if (escaped) {
      Unescape(raw, &storage->emplace_front());
      *key = storage->front();
    }
    if (length > kMaxStringBytes) {
      return Reject(PathString(path),
                    "member name longer than " + std::to_string(kMaxStringBytes) + " bytes");
    }
    return absl::OkStatus();
  }

  // After a member's value: optional whitespace, then ',' or '}' (sets *end).
  absl::Status EndOfMember(bool* end) {
    SkipWhitespace();
    const char c = Peek();
    ++pos_;
    if (c == '}') {
      *end = true;
      return absl::OkStatus();
    }
    if (c != ',') {
      --pos_;
      return Syntax("expected ',' or '}'");
    }
    return absl::OkStatus();
  }

  // The members of the object at pos_ ('{'), a message M. At the top level, "@context" and keys
  // with ':' are extension members: syntax-checked and dropped.
  template <typename M>
  absl::Status ReadMembers(M* out, const PathFrame* path, int depth, bool top_level) {
    static constexpr const auto& kFields = MessageFields<M>::kFields;
    static_assert(std::size(kFields) <= 64, "the seen-field mask is 64 bits");
    ++pos_;  // '{'
    SkipWhitespace();
    if (Peek() == '}') {
      ++pos_;
      return absl::OkStatus();
    }
    uint64_t seen = 0;
    std::optional<KeySet> extension_keys;  // Field names never look like extension keys.
    size_t extensions = 0;
    std::forward_list<std::string> unescaped_keys;
    for (bool end = false; !end;) {
      SkipWhitespace();
      if (Peek() != '"') return Syntax("expected a member name");
      std::string_view key;
      ORIGO_RETURN_IF_ERROR(ReadKey(&key, &unescaped_keys, path));
      const PathFrame frame{path, key, 0, false};
      size_t index = 0;
      while (index < std::size(kFields) && kFields[index].json_name != key) ++index;
      if (index < std::size(kFields)) {
        const uint64_t bit = uint64_t{1} << index;
        if ((seen & bit) != 0) return Reject(PathString(&frame), "duplicate key");
        seen |= bit;
        ORIGO_RETURN_IF_ERROR(ReadColon());
        ORIGO_RETURN_IF_ERROR(kFields[index].read(*this, out, &frame, depth + 1));
      } else if (top_level && IsExtensionKey(key)) {
        if (!extension_keys.has_value()) extension_keys.emplace();
        if (!extension_keys->Insert(key)) return Reject(PathString(&frame), "duplicate key");
        if (++extensions > max_entries_) return TooManyMembers(path);
        ORIGO_RETURN_IF_ERROR(ReadColon());
        ORIGO_RETURN_IF_ERROR(ReadAny(nullptr, &frame, depth + 1));
      } else {
        return Reject(PathString(&frame), "unknown field");
      }
      ORIGO_RETURN_IF_ERROR(EndOfMember(&end));
    }
    return absl::OkStatus();
  }

  // A free-form object at pos_ ('{'): any member names, any values. Filled into `out` unless
  // it is null (extension values are only checked).
  absl::Status ReadFreeObject(Struct* out, const PathFrame* path, int depth) {
    ++pos_;  // '{'
    SkipWhitespace();
    if (Peek() == '}') {
      ++pos_;
      return absl::OkStatus();
    }
    auto* fields = out != nullptr ? out->mutable_fields() : nullptr;
    KeySet keys;
    std::forward_list<std::string> unescaped_keys;
    size_t count = 0;
    for (bool end = false; !end;) {
      SkipWhitespace();
      if (Peek() != '"') return Syntax("expected a member name");
      std::string_view key;
      ORIGO_RETURN_IF_ERROR(ReadKey(&key, &unescaped_keys, path));
      const PathFrame frame{path, key, 0, false};
      if (!keys.Insert(key)) return Reject(PathString(&frame), "duplicate key");
      if (++count > max_entries_) return TooManyMembers(path);
      ORIGO_RETURN_IF_ERROR(ReadColon());
      Value* value = fields != nullptr ? &(*fields)[std::string(key)] : nullptr;
      ORIGO_RETURN_IF_ERROR(ReadAny(value, &frame, depth + 1));
      ORIGO_RETURN_IF_ERROR(EndOfMember(&end));
    }
    return absl::OkStatus();
  }

  // The elements of the array at pos_ ('[').
  template <typename ReadElement>
  absl::Status ReadElements(const PathFrame* path, int depth, const ReadElement& read_element) {
    ++pos_;  // '['
    SkipWhitespace();
    if (Peek() == ']') {
      ++pos_;
      return absl::OkStatus();
    }
    for (size_t index = 0;; ++index) {
      if (index >= max_entries_) {
        return Reject(PathString(path), "more than " + std::to_string(max_entries_) + " entries");
      }
      const PathFrame frame{path, {}, index, true};
      SkipWhitespace();
      ORIGO_RETURN_IF_ERROR(read_element(&frame, depth + 1));
      SkipWhitespace();
      const char c = Peek();
      ++pos_;
      if (c == ']') return absl::OkStatus();
      if (c != ',') {
        --pos_;
        return Syntax("expected ',' or ']'");
      }
    }
  }

  // Any JSON value (google.protobuf.Value), filled into `out` unless it is null.
  absl::Status ReadAny(Value* out, const PathFrame* path, int depth) {
    if (depth > kMaxDepth) return TooDeep(path);
    switch (Peek()) {
      case '{':
        return ReadFreeObject(out != nullptr ? out->mutable_struct_value() : nullptr, path, depth);
      case '[': {
        ListValue* list = out != nullptr ? out->mutable_list_value() : nullptr;
        return ReadElements(path, depth, [&](const PathFrame* element, int element_depth) {
          return ReadAny(list != nullptr ? list->add_values() : nullptr, element, element_depth);
        });
      }
      case '"':
        return ReadStringValue(out != nullptr ? out->mutable_string_value() : nullptr, path);
      case 't':
        ORIGO_RETURN_IF_ERROR(ReadLiteral("true"));
        if (out != nullptr) out->set_bool_value(true);
        return absl::OkStatus();
      case 'f':
        ORIGO_RETURN_IF_ERROR(ReadLiteral("false"));
        if (out != nullptr) out->set_bool_value(false);
        return absl::OkStatus();
      case 'n':
        ORIGO_RETURN_IF_ERROR(ReadLiteral("null"));
        if (out != nullptr) out->set_null_value(google::protobuf::NULL_VALUE);
        return absl::OkStatus();
      default: {
        const char c = Peek();
        if (c != '-' && !(c >= '0' && c <= '9')) return Syntax("expected a value");
        double number = 0;
        ORIGO_RETURN_IF_ERROR(ReadNumberValue(&number, path));
        if (out != nullptr) out->set_number_value(number);
        return absl::OkStatus();
      }
    }
  }

  // A string at pos_ (on its opening quote) of at most kMaxStringBytes decoded bytes, decoded
  // into `out` unless it is null.
  absl::Status ReadStringValue(std::string* out, const PathFrame* path) {
    std::string_view raw;
    bool escaped = false;
    size_t length = 0;
    ORIGO_RETURN_IF_ERROR(ScanString(&raw, &escaped, &length));
    if (length > kMaxStringBytes) {
      return Reject(PathString(path), "longer than " + std::to_string(kMaxStringBytes) + " bytes");
    }
    if (out != nullptr) {
      if (escaped) {
        Unescape(raw, out);
      } else {
        out->assign(raw.data(), raw.size());
      }
    }
    return absl::OkStatus();
  }

  // Scans a string at pos_ (on its opening quote): valid escapes, valid UTF-8 (RFC 3629), no
  // control characters, surrogate escapes paired. Sets the raw body, whether it has escapes, and
  // its decoded length in bytes.
  absl::Status ScanString(std::string_view* raw, bool* escaped, size_t* length) {
    ++pos_;  // '"'
    const size_t begin = pos_;
    size_t saved = 0;  // Raw bytes minus decoded bytes, from escapes.
    while (true) {
      // Plain printable ASCII, the common case.
      while (pos_ < in_.size()) {
        const auto c = static_cast<unsigned char>(in_[pos_]);
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
        ++pos_;
      }
      if (AtEnd()) return Syntax("unterminated string");
      const auto c = static_cast<unsigned char>(in_[pos_]);
      if (c == '"') break;
      if (c < 0x20) return Syntax("control character in a string");
      if (c == '\\') {
        *escaped = true;
        ORIGO_RETURN_IF_ERROR(ScanEscape(&saved));
        continue;
      }
      const size_t n = Utf8SequenceLength(pos_);
      if (n == 0) return Syntax("invalid UTF-8");
      pos_ += n;
    }
    *raw = in_.substr(begin, pos_ - begin);
    *length = raw->size() - saved;
    ++pos_;  // '"'
    return absl::OkStatus();
  }

  // An escape at pos_ (on its backslash); adds the raw bytes it saves over its decoding.
  absl::Status ScanEscape(size_t* saved) {
    ++pos_;  // '\\'
    if (AtEnd()) return Syntax("unterminated string");
    const char e = in_[pos_++];
    if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
        e == 't') {
      *saved += 1;  // 2 bytes -> 1.
      return absl::OkStatus();
    }
    if (e != 'u') return Syntax("invalid escape");
    uint32_t unit = 0;
    ORIGO_RETURN_IF_ERROR(ScanHex4(&unit));
    if (unit >= 0xDC00 && unit <= 0xDFFF) return Syntax("unpaired surrogate escape");
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      uint32_t low = 0;
      if (in_.substr(pos_, 2) != "\\u") return Syntax("unpaired surrogate escape");
      pos_ += 2;
      ORIGO_RETURN_IF_ERROR(ScanHex4(&low));
      if (low < 0xDC00 || low > 0xDFFF) return Syntax("unpaired surrogate escape");
      *saved += 12 - 4;
      return absl::OkStatus();
    }
    *saved += 6 - (unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3);
    return absl::OkStatus();
  }

  absl::Status ScanHex4(uint32_t* value) {
    if (pos_ + 4 > in_.size()) return Syntax("invalid \\u escape");
    for (size_t k = 0; k < 4; ++k) {
      const char c = in_[pos_ + k];
      uint32_t digit;
      if (c >= '0' && c <= '9') {
        digit = static_cast<uint32_t>(c - '0');
      } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
        digit = static_cast<uint32_t>((c | 0x20) - 'a' + 10);
      } else {
        return Syntax("invalid \\u escape");
      }
      *value = *value * 16 + digit;
    }
    pos_ += 4;
    return absl::OkStatus();
  }

  // Length of the well-formed UTF-8 sequence of 2-4 bytes at `at`, or 0 (Unicode Table 3-7).
  size_t Utf8SequenceLength(size_t at) const {
    auto byte = [&](size_t k) -> unsigned {
      return at + k < in_.size() ? static_cast<unsigned char>(in_[at + k]) : 0u;
    };
    auto cont = [&](size_t k) { return (byte(k) & 0xC0) == 0x80; };
    const unsigned b0 = byte(0);
    if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
    if (b0 >= 0xE0 && b0 <= 0xEF) {
      const unsigned b1 = byte(1);
      const bool ok1 = b0 == 0xE0   ? (b1 >= 0xA0 && b1 <= 0xBF)
                       : b0 == 0xED ? (b1 >= 0x80 && b1 <= 0x9F)
                                    : cont(1);
      return ok1 && cont(2) ? 3 : 0;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
      const unsigned b1 = byte(1);
      const bool ok1 = b0 == 0xF0   ? (b1 >= 0x90 && b1 <= 0xBF)
                       : b0 == 0xF4 ? (b1 >= 0x80 && b1 <= 0x8F)
                                    : cont(1);
      return ok1 && cont(2) && cont(3) ? 4 : 0;
    }
    return 0;
  }

  // RFC 8259 number grammar; the value must be a finite double. It is the nearest double, as
  // protobuf's JSON parser gives, which parses an integer literal as a 64-bit integer first:
  // "-0" is +0 (but "-0.0" is -0).
  absl::Status ReadNumberValue(double* value, const PathFrame* path) {
    const size_t begin = pos_;
    auto digits = [&] {
      const size_t start = pos_;
      while (!AtEnd() && in_[pos_] >= '0' && in_[pos_] <= '9') ++pos_;
      return pos_ - start;
    };
    bool integer = true;
    if (Peek() == '-') ++pos_;
    if (Peek() == '0') {
      ++pos_;
    } else if (digits() == 0) {
      return Syntax("invalid number");
    }
    if (Peek() == '.') {
      integer = false;
      ++pos_;
      if (digits() == 0) return Syntax("invalid number");
    }
    if (Peek() == 'e' || Peek() == 'E') {
      integer = false;
      ++pos_;
      if (Peek() == '+' || Peek() == '-') ++pos_;
      if (digits() == 0) return Syntax("invalid number");
    }
    double parsed = 0;
    const auto result = std::from_chars(in_.data() + begin, in_.data() + pos_, parsed);
    if (result.ec != std::errc() || !std::isfinite(parsed)) {
      return Reject(PathString(path), "number out of the range of a double");
    }
    if (integer && parsed == 0) parsed = 0;  // Drops the sign of "-0".
    *value = parsed;
    return absl::OkStatus();
  }

  absl::Status ReadLiteral(std::string_view word) {
    if (in_.substr(pos_, word.size()) != word) return Syntax("expected a value");
    pos_ += word.size();
    return absl::OkStatus();
  }

  std::string_view in_;
  size_t pos_ = 0;
  size_t max_entries_;
};

// ---------------------------------------------------------------------------------------------
// Field readers, one per kind of field, parameterised by the generated accessor.

template <typename M, std::string* (M::*kMutable)()>
absl::Status StringField(Reader& r, M* m, const PathFrame* path, int depth) {
  return r.ReadString((m->*kMutable)(), path, depth);
}

template <typename M, void (M::*kSet)(double)>
absl::Status DoubleField(Reader& r, M* m, const PathFrame* path, int depth) {
  double value = 0;
  ORIGO_RETURN_IF_ERROR(r.ReadNumber(&value, path, depth));
  (m->*kSet)(value);
  return absl::OkStatus();
}

template <typename M, typename S, S* (M::*kMutable)()>
absl::Status MessageField(Reader& r, M* m, const PathFrame* path, int depth) {
  return r.ReadMessage((m->*kMutable)(), path, depth);
}

template <typename M, Struct* (M::*kMutable)()>
absl::Status StructField(Reader& r, M* m, const PathFrame* path, int depth) {
  return r.ReadStruct((m->*kMutable)(), path, depth);
}

template <typename M, std::string* (M::*kAdd)()>
absl::Status StringListField(Reader& r, M* m, const PathFrame* path, int depth) {
  return r.ReadArray(path, depth, [&](const PathFrame* element, int element_depth) {
    return r.ReadString((m->*kAdd)(), element, element_depth);
  });
}

template <typename M, typename S, S* (M::*kAdd)()>
absl::Status MessageListField(Reader& r, M* m, const PathFrame* path, int depth) {
  return r.ReadArray(path, depth, [&](const PathFrame* element, int element_depth) {
    return r.ReadMessage((m->*kAdd)(), element, element_depth);
  });
}

// ---------------------------------------------------------------------------------------------
// The schema: every field of proto/origo/v1/event.proto by its JSON name. Proto field names
// ("biz_step") are not accepted. The tests check that every field is covered.

template <>
struct MessageFields<QuantityElement> {
  using M = QuantityElement;
  static constexpr FieldSpec<M> kFields[] = {
      {"epcClass", &StringField<M, &M::mutable_epc_class>},
      {"quantity", &DoubleField<M, &M::set_quantity>},
      {"uom", &StringField<M, &M::mutable_uom>},
  };
};

template <>
struct MessageFields<ReadPoint> {
  using M = ReadPoint;
  static constexpr FieldSpec<M> kFields[] = {
      {"id", &StringField<M, &M::mutable_id>},
  };
};

template <>
struct MessageFields<BizLocation> {
  using M = BizLocation;
  static constexpr FieldSpec<M> kFields[] = {
      {"id", &StringField<M, &M::mutable_id>},
  };
};

template <>
struct MessageFields<BizTransaction> {
  using M = BizTransaction;
  static constexpr FieldSpec<M> kFields[] = {
      {"type", &StringField<M, &M::mutable_type>},
      {"bizTransaction", &StringField<M, &M::mutable_biz_transaction>},
  };
};

template <>
struct MessageFields<Source> {
  using M = Source;
  static constexpr FieldSpec<M> kFields[] = {
      {"type", &StringField<M, &M::mutable_type>},
      {"source", &StringField<M, &M::mutable_source>},
  };
};

template <>
struct MessageFields<Destination> {
  using M = Destination;
  static constexpr FieldSpec<M> kFields[] = {
      {"type", &StringField<M, &M::mutable_type>},
      {"destination", &StringField<M, &M::mutable_destination>},
  };
};

template <>
struct MessageFields<SensorMetadata> {
  using M = SensorMetadata;
  static constexpr FieldSpec<M> kFields[] = {
      {"time", &StringField<M, &M::mutable_time>},
      {"deviceID", &StringField<M, &M::mutable_device_id>},
      {"deviceMetadata", &StringField<M, &M::mutable_device_metadata>},
      {"rawData", &StringField<M, &M::mutable_raw_data>},
      {"startTime", &StringField<M, &M::mutable_start_time>},
      {"endTime", &StringField<M, &M::mutable_end_time>},
      {"dataProcessingMethod", &StringField<M, &M::mutable_data_processing_method>},
      {"bizRules", &StringField<M, &M::mutable_biz_rules>},
  };
};

template <>
struct MessageFields<SensorReport> {
  using M = SensorReport;
  static constexpr FieldSpec<M> kFields[] = {
      {"type", &StringField<M, &M::mutable_type>},
      {"deviceID", &StringField<M, &M::mutable_device_id>},
      {"time", &StringField<M, &M::mutable_time>},
      {"uom", &StringField<M, &M::mutable_uom>},
      {"value", &DoubleField<M, &M::set_value>},
      {"minValue", &DoubleField<M, &M::set_min_value>},
      {"maxValue", &DoubleField<M, &M::set_max_value>},
      {"meanValue", &DoubleField<M, &M::set_mean_value>},
      {"stringValue", &StringField<M, &M::mutable_string_value>},
      {"booleanValue", &StringField<M, &M::mutable_boolean_value>},
      {"exception", &StringField<M, &M::mutable_exception>},
      {"component", &StringField<M, &M::mutable_component>},
  };
};

template <>
struct MessageFields<SensorElement> {
  using M = SensorElement;
  static constexpr FieldSpec<M> kFields[] = {
      {"sensorMetadata", &MessageField<M, SensorMetadata, &M::mutable_sensor_metadata>},
      {"sensorReport", &MessageListField<M, SensorReport, &M::add_sensor_report>},
  };
};

template <>
struct MessageFields<ErrorDeclaration> {
  using M = ErrorDeclaration;
  static constexpr FieldSpec<M> kFields[] = {
      {"declarationTime", &StringField<M, &M::mutable_declaration_time>},
      {"reason", &StringField<M, &M::mutable_reason>},
      {"correctiveEventIDs", &StringListField<M, &M::add_corrective_event_ids>},
  };
};

template <>
struct MessageFields<PersistentDisposition> {
  using M = PersistentDisposition;
  static constexpr FieldSpec<M> kFields[] = {
      {"set", &StringListField<M, &M::add_set>},
      {"unset", &StringListField<M, &M::add_unset>},
  };
};

template <>
struct MessageFields<Event> {
  using M = Event;
  // Roughly in the order fields appear in events, since lookup is a linear scan.
  static constexpr FieldSpec<M> kFields[] = {
      {"type", &StringField<M, &M::mutable_type>},
      {"eventTime", &StringField<M, &M::mutable_event_time>},
      {"eventTimeZoneOffset", &StringField<M, &M::mutable_event_time_zone_offset>},
      {"action", &StringField<M, &M::mutable_action>},
      {"bizStep", &StringField<M, &M::mutable_biz_step>},
      {"disposition", &StringField<M, &M::mutable_disposition>},
      {"epcList", &StringListField<M, &M::add_epc_list>},
      {"quantityList", &MessageListField<M, QuantityElement, &M::add_quantity_list>},
      {"readPoint", &MessageField<M, ReadPoint, &M::mutable_read_point>},
      {"bizLocation", &MessageField<M, BizLocation, &M::mutable_biz_location>},
      {"ilmd", &StructField<M, &M::mutable_ilmd>},
      {"transformationID", &StringField<M, &M::mutable_transformation_id>},
      {"inputEPCList", &StringListField<M, &M::add_input_epc_list>},
      {"inputQuantityList", &MessageListField<M, QuantityElement, &M::add_input_quantity_list>},
      {"outputEPCList", &StringListField<M, &M::add_output_epc_list>},
      {"outputQuantityList", &MessageListField<M, QuantityElement, &M::add_output_quantity_list>},
      {"parentID", &StringField<M, &M::mutable_parent_id>},
      {"childEPCs", &StringListField<M, &M::add_child_epcs>},
      {"childQuantityList", &MessageListField<M, QuantityElement, &M::add_child_quantity_list>},
      {"bizTransactionList", &MessageListField<M, BizTransaction, &M::add_biz_transaction_list>},
      {"sourceList", &MessageListField<M, Source, &M::add_source_list>},
      {"destinationList", &MessageListField<M, Destination, &M::add_destination_list>},
      {"certificationInfo", &StringListField<M, &M::add_certification_info>},
      {"eventID", &StringField<M, &M::mutable_event_id>},
      {"recordTime", &StringField<M, &M::mutable_record_time>},
      {"persistentDisposition",
       &MessageField<M, PersistentDisposition, &M::mutable_persistent_disposition>},
      {"sensorElementList", &MessageListField<M, SensorElement, &M::add_sensor_element_list>},
      {"errorDeclaration", &MessageField<M, ErrorDeclaration, &M::mutable_error_declaration>},
  };
};

}  // namespace

absl::Status ReadEventJson(std::string_view json, size_t max_entries, Event* event) {
  Reader reader(json, max_entries);
  return reader.ReadTopLevel(event);
}

}  // namespace origo::epcis::internal
