#include "clients/cli/json_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace origo::cli::json {
namespace {

class Parser {
 public:
  Parser(std::string_view text, const ParseOptions& options) : text_(text), options_(options) {}

  absl::StatusOr<Value> ParseText() {
    SkipSpace();
    if (pos_ == 0 && text_.substr(0, 3) == "\xEF\xBB\xBF") {
      return Error("a byte order mark is not allowed");
    }
    Value value;
    if (absl::Status s = ParseValue(value, 1); !s.ok()) return s;
    SkipSpace();
    if (pos_ != text_.size()) return Error("unexpected data after the value");
    return value;
  }

 private:
  absl::Status Error(const std::string& problem) const {
    return absl::InvalidArgumentError("json: " + problem + " at byte " + std::to_string(pos_));
  }

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Consume(std::string_view literal) {
    if (text_.substr(pos_, literal.size()) != literal) return false;
    pos_ += literal.size();
    return true;
  }

  absl::Status ParseValue(Value& out, size_t depth) {
    if (depth > options_.max_depth)
      return Error("nesting deeper than " + std::to_string(options_.max_depth));
    if (pos_ >= text_.size()) return Error("unexpected end of input");
    char c = text_[pos_];
    switch (c) {
      case '{':
        return ParseObject(out, depth);
      case '[':
        return ParseArray(out, depth);
      case '"':
        out.kind = Value::Kind::kString;
        return ParseString(out.string);
      case 't':
        if (!Consume("true")) return Error("invalid literal");
        out = Value::Bool(true);
        return absl::OkStatus();
      case 'f':
        if (!Consume("false")) return Error("invalid literal");
        out = Value::Bool(false);
        return absl::OkStatus();
      case 'n':
        if (!Consume("null")) return Error("invalid literal");
        out = Value();
        return absl::OkStatus();
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber(out);
        return Error(std::string("unexpected character '") +
                     (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x80
                          ? std::string("\\x") + "0123456789abcdef"[(c >> 4) & 0xF] +
                                "0123456789abcdef"[c & 0xF]
                          : std::string(1, c)) +
                     "'");
    }
  }

  absl::Status ParseObject(Value& out, size_t depth) {
    out = Value::Object();
    ++pos_;  // {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return absl::OkStatus();
    }
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') return Error("expected a member name");
      size_t name_at = pos_;
      Member member;
      if (absl::Status s = ParseString(member.name); !s.ok()) return s;
      if (!options_.allow_duplicate_names) {
        for (const Member& m : out.object) {
          if (m.name == member.name) {
            pos_ = name_at;
            return Error("duplicate member name \"" + member.name + "\"");
          }
        }
      }
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':') return Error("expected ':'");
      ++pos_;
      SkipSpace();
      if (absl::Status s = ParseValue(member.value, depth + 1); !s.ok()) return s;
      out.object.push_back(std::move(member));
      SkipSpace();
      if (pos_ >= text_.size()) return Error("unexpected end of input in an object");
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (text_[pos_] == '}') {
        ++pos_;
        return absl::OkStatus();
      }
      return Error("expected ',' or '}'");
    }
  }

  absl::Status ParseArray(Value& out, size_t depth) {
    out = Value::Array();
    ++pos_;  // [
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return absl::OkStatus();
    }
    while (true) {
      SkipSpace();
      Value element;
      if (absl::Status s = ParseValue(element, depth + 1); !s.ok()) return s;
      out.array.push_back(std::move(element));
      SkipSpace();
      if (pos_ >= text_.size()) return Error("unexpected end of input in an array");
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (text_[pos_] == ']') {
        ++pos_;
        return absl::OkStatus();
      }
      return Error("expected ',' or ']'");
    }
  }

  static void AppendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool ReadHex4(uint32_t* value) {
    if (text_.size() - pos_ < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_ + static_cast<size_t>(i)];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    pos_ += 4;
    *value = v;
    return true;
  }

  // One UTF-8 sequence starting at pos_ (a lead byte >= 0x80), validated and copied.
  absl::Status CopyUtf8(std::string& out) {
    auto byte = [&](size_t i) { return static_cast<unsigned char>(text_[pos_ + i]); };
    unsigned char lead = byte(0);
    size_t length;
    uint32_t cp;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
      cp = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      cp = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      cp = lead & 0x07;
    } else {
      return Error("invalid UTF-8");
    }
    if (text_.size() - pos_ < length) return Error("invalid UTF-8");
    for (size_t i = 1; i < length; ++i) {
      if ((byte(i) & 0xC0) != 0x80) return Error("invalid UTF-8");
      cp = (cp << 6) | (byte(i) & 0x3F);
    }
    if ((length == 3 && cp < 0x800) || (length == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return Error("invalid UTF-8");
    }
    out.append(text_.substr(pos_, length));
    pos_ += length;
    return absl::OkStatus();
  }

  absl::Status ParseString(std::string& out) {
    ++pos_;  // "
    out.clear();
    while (true) {
      if (pos_ >= text_.size()) return Error("unterminated string");
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return absl::OkStatus();
      }
      if (c < 0x20) return Error("control character in a string");
      if (c >= 0x80) {
        if (absl::Status s = CopyUtf8(out); !s.ok()) return s;
        continue;
      }
      if (c != '\\') {
        out.push_back(static_cast<char>(c));
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= text_.size()) return Error("unterminated string");
      char e = text_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          uint32_t cp;
          if (!ReadHex4(&cp)) return Error("invalid \\u escape");
          if (cp >= 0xDC00 && cp <= 0xDFFF) return Error("lone low surrogate");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low;
            if (!Consume("\\u") || !ReadHex4(&low) || low < 0xDC00 || low > 0xDFFF) {
              return Error("lone high surrogate");
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(out, cp);
          break;
        }
        default:
          --pos_;
          return Error("invalid escape");
      }
    }
  }

  absl::Status ParseNumber(Value& out) {
    size_t start = pos_;
    auto digit = [&] { return pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; };
    if (text_[pos_] == '-') ++pos_;
    if (!digit()) return Error("invalid number");
    if (text_[pos_] == '0') {
      ++pos_;
      if (digit()) return Error("leading zero in a number");
    } else {
      while (digit()) ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (!digit()) return Error("invalid number");
      while (digit()) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!digit()) return Error("invalid number");
      while (digit()) ++pos_;
    }
    double value = 0;
    const char* first = text_.data() + start;
    auto [end, ec] = std::from_chars(first, text_.data() + pos_, value);
    std::string_view literal = text_.substr(start, pos_ - start);
    bool negative_exponent = literal.find("e-") != std::string_view::npos ||
                             literal.find("E-") != std::string_view::npos;
    if (ec == std::errc::result_out_of_range && negative_exponent) {
      value = 0;  // underflows to zero, as any JSON parser reads it
    } else if (ec != std::errc() || end != text_.data() + pos_ || !std::isfinite(value)) {
      pos_ = start;
      return Error("number out of range");
    }
    out = Value::Number(value);
    return absl::OkStatus();
  }

  std::string_view text_;
  const ParseOptions& options_;
  size_t pos_ = 0;
};

std::u16string Utf16(std::string_view utf8) {
  std::u16string out;
  for (size_t i = 0; i < utf8.size();) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    uint32_t cp;
    size_t length;
    if (c < 0x80) {
      cp = c;
      length = 1;
    } else if (c < 0xE0) {
      cp = c & 0x1F;
      length = 2;
    } else if (c < 0xF0) {
      cp = c & 0x0F;
      length = 3;
    } else {
      cp = c & 0x07;
      length = 4;
    }
    for (size_t k = 1; k < length && i + k < utf8.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    }
    i += length;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

void WriteString(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void WriteCanonical(std::string& out, const Value& value) {
  switch (value.kind) {
    case Value::Kind::kNull:
      out += "null";
      return;
    case Value::Kind::kBool:
      out += value.boolean ? "true" : "false";
      return;
    case Value::Kind::kNumber:
      out += FormatNumber(value.number);
      return;
    case Value::Kind::kString:
      WriteString(out, value.string);
      return;
    case Value::Kind::kArray:
      out.push_back('[');
      for (size_t i = 0; i < value.array.size(); ++i) {
        if (i > 0) out.push_back(',');
        WriteCanonical(out, value.array[i]);
      }
      out.push_back(']');
      return;
    case Value::Kind::kObject: {
      std::vector<std::pair<std::u16string, const Member*>> sorted;
      sorted.reserve(value.object.size());
      for (const Member& m : value.object) sorted.emplace_back(Utf16(m.name), &m);
      std::sort(sorted.begin(), sorted.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      out.push_back('{');
      for (size_t i = 0; i < sorted.size(); ++i) {
        if (i > 0) out.push_back(',');
        WriteString(out, sorted[i].second->name);
        out.push_back(':');
        WriteCanonical(out, sorted[i].second->value);
      }
      out.push_back('}');
      return;
    }
  }
}

}  // namespace

Value Value::Bool(bool b) {
  Value v;
  v.kind = Kind::kBool;
  v.boolean = b;
  return v;
}

Value Value::Number(double n) {
  Value v;
  v.kind = Kind::kNumber;
  v.number = n;
  return v;
}

Value Value::String(std::string s) {
  Value v;
  v.kind = Kind::kString;
  v.string = std::move(s);
  return v;
}

Value Value::Array() {
  Value v;
  v.kind = Kind::kArray;
  return v;
}

Value Value::Object() {
  Value v;
  v.kind = Kind::kObject;
  return v;
}

const Value* Value::Find(std::string_view name) const {
  for (const Member& m : object) {
    if (m.name == name) return &m.value;
  }
  return nullptr;
}

Value& Value::Add(std::string name, Value value) {
  object.push_back(Member{std::move(name), std::move(value)});
  return *this;
}

Value& Value::Push(Value value) {
  array.push_back(std::move(value));
  return *this;
}

absl::StatusOr<Value> Parse(std::string_view text, const ParseOptions& options) {
  return Parser(text, options).ParseText();
}

absl::Status CheckEventSyntax(std::string_view text) {
  auto value = Parse(text);
  if (!value.ok()) return value.status();
  if (value->kind != Value::Kind::kObject) {
    return absl::InvalidArgumentError("json: an event must be a JSON object");
  }
  return absl::OkStatus();
}

std::string Canonical(const Value& value) {
  std::string out;
  WriteCanonical(out, value);
  return out;
}

std::string FormatNumber(double number) {
  if (!std::isfinite(number)) return "null";
  if (number == 0) return "0";
  if (number < 0) return "-" + FormatNumber(-number);
  // Shortest round-trip digits and decimal exponent, from the scientific form "d.ddde±x".
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), number, std::chars_format::scientific);
  std::string sci(buf, end);
  size_t e_at = sci.find('e');
  std::string digits = sci.substr(0, e_at);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  int exponent = std::stoi(sci.substr(e_at + 1));
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;  // the decimal point sits after n digits
  if (k <= n && n <= 21) return digits + std::string(static_cast<size_t>(n - k), '0');
  if (0 < n && n <= 21) {
    return digits.substr(0, static_cast<size_t>(n)) + "." + digits.substr(static_cast<size_t>(n));
  }
  if (-6 < n && n <= 0) return "0." + std::string(static_cast<size_t>(-n), '0') + digits;
  std::string mantissa = k == 1 ? digits : digits.substr(0, 1) + "." + digits.substr(1);
  int e = n - 1;
  return mantissa + "e" + (e < 0 ? "-" : "+") + std::to_string(e < 0 ? -e : e);
}

}  // namespace origo::cli::json
