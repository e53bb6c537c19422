#include "clients/cli/template.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_replace.h"
#include "clients/cli/files.h"

namespace origo::cli {
namespace {

constexpr std::string_view kRoles[] = {"time", "code", "quantity", "unit", "lot", "parent"};

bool IsDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// "+HH:MM" / "-HH:MM" within -12:00..+14:00.
bool ValidOffset(std::string_view s) {
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' || !IsDigits(s.substr(1, 2)) ||
      !IsDigits(s.substr(4, 2))) {
    return false;
  }
  int hours = (s[1] - '0') * 10 + (s[2] - '0');
  int minutes = (s[4] - '0') * 10 + (s[5] - '0');
  if (minutes > 59) return false;
  int total = hours * 60 + minutes;
  return s[0] == '+' ? total <= 14 * 60 : total <= 12 * 60;
}

// Percent-encodes everything outside RFC 3986's unreserved characters.
std::string PercentEncode(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out.push_back(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  return out;
}

// GS1 AI 21 / AI 10 values: 1-20 characters of GS1 character set 82 (printable ASCII without
// space, '#', '$', '@', '[', '\', ']', '^', '`', '{', '|', '}', '~').
bool ValidGs1Text(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (c <= ' ' || c > '~' ||
        std::string_view("#$@[\\]^`{|}~").find(c) != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

absl::Status TemplateError(const std::string& name, const std::string& member,
                           const std::string& rule) {
  return absl::InvalidArgumentError("template " + name + ": " + member + ": " + rule);
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

struct EventTime {
  std::string text;    // canonical eventTime
  std::string offset;  // the offset written in the cell, if numeric
  std::string yyyy, mm, dd;
};

// Parses and normalises a time cell (see the header comment).
absl::StatusOr<EventTime> ParseTime(std::string_view cell, const std::string& default_offset) {
  auto bad = [&](const std::string& why) {
    return absl::InvalidArgumentError("time: \"" + std::string(cell) + "\": " + why);
  };
  std::string_view s = cell;
  if (s.size() < 16 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
      s[13] != ':' || !IsDigits(s.substr(0, 4)) || !IsDigits(s.substr(5, 2)) ||
      !IsDigits(s.substr(8, 2)) || !IsDigits(s.substr(11, 2)) || !IsDigits(s.substr(14, 2))) {
    return bad("expected YYYY-MM-DDThh:mm[:ss[.f]][offset]");
  }
  int year = std::stoi(std::string(s.substr(0, 4)));
  int month = std::stoi(std::string(s.substr(5, 2)));
  int day = std::stoi(std::string(s.substr(8, 2)));
  int hour = std::stoi(std::string(s.substr(11, 2)));
  int minute = std::stoi(std::string(s.substr(14, 2)));
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) {
    return bad("no such date");
  }
  if (hour > 23 || minute > 59) return bad("no such time of day");
  EventTime out;
  out.yyyy = std::string(s.substr(0, 4));
  out.mm = std::string(s.substr(5, 2));
  out.dd = std::string(s.substr(8, 2));
  std::string seconds = "00";
  std::string fraction;
  size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (s.size() < pos + 3 || !IsDigits(s.substr(pos + 1, 2))) return bad("bad seconds");
    seconds = std::string(s.substr(pos + 1, 2));
    if (std::stoi(seconds) > 59) return bad("no such time of day");
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      size_t end = pos + 1;
      while (end < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[end]))) ++end;
      if (end == pos + 1 || end - pos - 1 > 9) return bad("bad fraction of a second");
      fraction = std::string(s.substr(pos, end - pos));
      pos = end;
    }
  }
  std::string zone;
  std::string_view rest = s.substr(pos);
  if (rest.empty()) {
    zone = default_offset;
  } else if (rest == "Z" || rest == "z") {
    zone = "Z";
  } else if (ValidOffset(rest)) {
    zone = std::string(rest);
    out.offset = zone;
  } else if (rest.size() == 5 && (rest[0] == '+' || rest[0] == '-') &&
             ValidOffset(std::string(rest.substr(0, 3)) + ":" + std::string(rest.substr(3)))) {
    zone = std::string(rest.substr(0, 3)) + ":" + std::string(rest.substr(3));
    out.offset = zone;
  } else {
    return bad("bad time zone offset (expected Z, +hh:mm or -hh:mm)");
  }
  out.text = std::string(s.substr(0, 10)) + "T" + std::string(s.substr(11, 5)) + ":" + seconds +
             fraction + zone;
  return out;
}

}  // namespace

bool ValidGs1CheckDigit(std::string_view digits) {
  if (!IsDigits(digits)) return false;
  size_t n = digits.size();
  if (n != 8 && n != 12 && n != 13 && n != 14 && n != 18) return false;
  int sum = 0;
  for (size_t i = 0; i + 1 < n; ++i) {
    int d = digits[n - 2 - i] - '0';
    sum += (i % 2 == 0) ? 3 * d : d;
  }
  return (10 - sum % 10) % 10 == digits[n - 1] - '0';
}

absl::StatusOr<CaptureTemplate> CaptureTemplate::Load(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path);
}

absl::StatusOr<CaptureTemplate> CaptureTemplate::Parse(std::string_view text,
                                                       const std::string& name) {
  json::ParseOptions options;
  options.allow_duplicate_names = false;
  auto parsed = json::Parse(text, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError("template " + name + ": " +
                                      std::string(parsed.status().message()));
  }
  if (parsed->kind != json::Value::Kind::kObject) {
    return absl::InvalidArgumentError("template " + name + ": must be a JSON object");
  }
  CaptureTemplate t;
  for (std::string_view role : kRoles) t.columns_[std::string(role)] = std::string(role);
  for (const json::Member& m : parsed->object) {
    auto string_member = [&](std::string* field) -> absl::Status {
      if (m.value.kind != json::Value::Kind::kString || m.value.string.empty()) {
        return TemplateError(name, m.name, "must be a non-empty string");
      }
      *field = m.value.string;
      return absl::OkStatus();
    };
    absl::Status status;
    if (m.name == "type") {
      status = string_member(&t.type_);
      if (status.ok() && t.type_ != "ObjectEvent" && t.type_ != "AggregationEvent") {
        status = TemplateError(name, m.name, "must be \"ObjectEvent\" or \"AggregationEvent\"");
      }
    } else if (m.name == "action") {
      status = string_member(&t.action_);
      if (status.ok() && t.action_ != "ADD" && t.action_ != "OBSERVE" && t.action_ != "DELETE") {
        status = TemplateError(name, m.name, "must be \"ADD\", \"OBSERVE\" or \"DELETE\"");
      }
    } else if (m.name == "bizStep") {
      status = string_member(&t.biz_step_);
    } else if (m.name == "disposition") {
      status = string_member(&t.disposition_);
    } else if (m.name == "readPoint") {
      status = string_member(&t.read_point_);
    } else if (m.name == "bizLocation") {
      status = string_member(&t.biz_location_);
    } else if (m.name == "eventTimeZoneOffset") {
      status = string_member(&t.offset_);
      if (status.ok() && !ValidOffset(t.offset_)) {
        status = TemplateError(name, m.name, "must be +HH:MM or -HH:MM within -12:00..+14:00");
      }
    } else if (m.name == "gtin") {
      status = string_member(&t.gtin_);
      if (status.ok() && (t.gtin_.size() != 14 || !ValidGs1CheckDigit(t.gtin_))) {
        status = TemplateError(name, m.name, "must be 14 digits with a valid check digit");
      }
    } else if (m.name == "lot") {
      status = string_member(&t.lot_rule_);
    } else if (m.name == "uom") {
      status = string_member(&t.uom_);
    } else if (m.name == "resolver") {
      status = string_member(&t.resolver_);
      if (status.ok()) {
        while (!t.resolver_.empty() && t.resolver_.back() == '/') t.resolver_.pop_back();
        if (t.resolver_.rfind("https://", 0) != 0 && t.resolver_.rfind("http://", 0) != 0) {
          status = TemplateError(name, m.name, "must be an http(s) URL");
        }
      }
    } else if (m.name == "delimiter") {
      std::string d;
      status = string_member(&d);
      if (status.ok() && (d.size() != 1 || d == "\"" || d == "\n" || d == "\r")) {
        status = TemplateError(name, m.name, "must be one character other than '\"'");
      }
      if (status.ok()) t.delimiter_ = d[0];
    } else if (m.name == "columns") {
      if (m.value.kind != json::Value::Kind::kObject) {
        status = TemplateError(name, m.name, "must be an object");
      }
      for (const json::Member& c : m.value.object) {
        if (!status.ok()) break;
        bool known = false;
        for (std::string_view role : kRoles) known = known || c.name == role;
        if (!known) {
          status = TemplateError(name, "columns." + c.name,
                                 "unknown column role (time, code, quantity, unit, lot, parent)");
        } else if (c.value.kind != json::Value::Kind::kString || c.value.string.empty()) {
          status = TemplateError(name, "columns." + c.name, "must be a non-empty string");
        } else {
          t.columns_[c.name] = absl::AsciiStrToLower(absl::StripAsciiWhitespace(c.value.string));
        }
      }
    } else if (m.name == "ilmd") {
      if (m.value.kind != json::Value::Kind::kObject) {
        status = TemplateError(name, m.name, "must be an object");
      } else {
        t.ilmd_ = m.value;
      }
    } else {
      status = TemplateError(name, m.name, "unknown member");
    }
    if (!status.ok()) return status;
  }
  if (t.offset_.empty()) {
    return TemplateError(name, "eventTimeZoneOffset", "required (e.g. \"+08:00\")");
  }
  if (t.ilmd_ && t.type_ != "ObjectEvent") {
    return TemplateError(name, "ilmd", "only for ObjectEvent");
  }
  return t;
}

absl::StatusOr<std::vector<std::string>> SplitCsvLine(std::string_view line, char delimiter) {
  std::vector<std::string> cells;
  std::string cell;
  size_t i = 0;
  while (true) {
    cell.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) return absl::InvalidArgumentError("unterminated quoted field");
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            cell.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        cell.push_back(line[i++]);
      }
      if (i < line.size() && line[i] != delimiter) {
        return absl::InvalidArgumentError("text after a closing quote in field " +
                                          std::to_string(cells.size() + 1));
      }
    } else {
      while (i < line.size() && line[i] != delimiter) cell.push_back(line[i++]);
    }
    cells.push_back(cell);
    if (i >= line.size()) break;
    ++i;  // delimiter
  }
  return cells;
}

absl::StatusOr<std::optional<std::string>> CsvConverter::Line(std::string_view line) {
  if (line.find_first_not_of(" \t\r\n\v\f") == std::string_view::npos) {
    return std::optional<std::string>();
  }
  if (!have_header_ && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // BOM
  auto cells = SplitCsvLine(line, template_->delimiter_);
  if (!cells.ok()) return cells.status();
  if (!have_header_) {
    for (size_t i = 0; i < cells->size(); ++i) {
      std::string header = absl::AsciiStrToLower(absl::StripAsciiWhitespace((*cells)[i]));
      for (const auto& [role, column] : template_->columns_) {
        if (header == column) {
          if (index_.count(role) != 0) {
            return absl::InvalidArgumentError("header: column \"" + column + "\" appears twice");
          }
          index_[role] = i;
        }
      }
    }
    if (index_.count("time") == 0) {
      return absl::InvalidArgumentError("header: no \"" + template_->columns_.at("time") +
                                        "\" column");
    }
    if (index_.count("code") == 0 && index_.count("quantity") == 0) {
      return absl::InvalidArgumentError("header: needs a \"" + template_->columns_.at("code") +
                                        "\" or a \"" + template_->columns_.at("quantity") +
                                        "\" column");
    }
    header_cells_ = cells->size();
    have_header_ = true;
    return std::optional<std::string>();
  }
  if (cells->size() > header_cells_) {
    return absl::InvalidArgumentError(std::to_string(cells->size()) +
                                      " fields, but the header has " +
                                      std::to_string(header_cells_));
  }
  auto event = Row(*cells);
  if (!event.ok()) return event.status();
  return std::optional<std::string>(*std::move(event));
}

absl::StatusOr<std::string> CsvConverter::Row(const std::vector<std::string>& cells) {
  const CaptureTemplate& t = *template_;
  auto cell = [&](const std::string& role) -> std::string {
    auto it = index_.find(role);
    if (it == index_.end() || it->second >= cells.size()) return "";
    return std::string(absl::StripAsciiWhitespace(cells[it->second]));
  };
  const bool aggregation = t.type_ == "AggregationEvent";

  std::string time_cell = cell("time");
  if (time_cell.empty()) return absl::InvalidArgumentError("time: empty");
  auto time = ParseTime(time_cell, t.offset_);
  if (!time.ok()) return time.status();

  // Codes -> instance identifiers.
  json::Value epcs = json::Value::Array();
  std::string codes = cell("code");
  std::string separators = " \t|";
  if (t.delimiter_ != ';') separators.push_back(';');
  size_t start = 0;
  while (start < codes.size()) {
    size_t end = codes.find_first_of(separators, start);
    if (end == std::string::npos) end = codes.size();
    std::string code = codes.substr(start, end - start);
    start = end + 1;
    if (code.empty()) continue;
    std::string uri;
    if (code.rfind("https://", 0) == 0 || code.rfind("http://", 0) == 0 ||
        code.rfind("urn:", 0) == 0) {
      uri = code;
    } else if (code[0] == '(') {
      // GS1 element string: (AI)value pairs.
      std::map<std::string, std::string> ais;
      size_t p = 0;
      while (p < code.size()) {
        size_t close = code.find(')', p);
        if (code[p] != '(' || close == std::string::npos) {
          return absl::InvalidArgumentError("code: \"" + code + "\": bad GS1 element string");
        }
        std::string ai = code.substr(p + 1, close - p - 1);
        size_t next = code.find('(', close);
        if (next == std::string::npos) next = code.size();
        ais[ai] = code.substr(close + 1, next - close - 1);
        p = next;
      }
      if (ais.count("00") != 0 && ais.size() == 1) {
        if (ais["00"].size() != 18 || !ValidGs1CheckDigit(ais["00"])) {
          return absl::InvalidArgumentError("code: \"" + code + "\": bad SSCC check digit");
        }
        uri = t.resolver_ + "/00/" + ais["00"];
      } else if (ais.count("01") != 0 && ais.count("21") != 0) {
        if (ais["01"].size() != 14 || !ValidGs1CheckDigit(ais["01"])) {
          return absl::InvalidArgumentError("code: \"" + code + "\": bad GTIN check digit");
        }
        if (!ValidGs1Text(ais["21"])) {
          return absl::InvalidArgumentError("code: \"" + code + "\": bad serial (AI 21)");
        }
        uri = t.resolver_ + "/01/" + ais["01"] + "/21/" + PercentEncode(ais["21"]);
      } else {
        return absl::InvalidArgumentError(
            "code: \"" + code + "\": must name an item ((01) and (21)) or an SSCC ((00))");
      }
    } else {
      if (t.gtin_.empty()) {
        return absl::InvalidArgumentError("code: \"" + code +
                                          "\": a bare serial needs the template's gtin");
      }
      if (!ValidGs1Text(code)) {
        return absl::InvalidArgumentError("code: \"" + code +
                                          "\": not a serial (1-20 GS1 characters)");
      }
      uri = t.resolver_ + "/01/" + t.gtin_ + "/21/" + PercentEncode(code);
    }
    epcs.Push(json::Value::String(uri));
  }

  // Quantity -> class quantity of the lot.
  json::Value quantities = json::Value::Array();
  std::string quantity_cell = cell("quantity");
  if (!quantity_cell.empty()) {
    double quantity = 0;
    auto [end, ec] = std::from_chars(quantity_cell.data(),
                                     quantity_cell.data() + quantity_cell.size(), quantity);
    bool plain = quantity_cell.find_first_not_of("0123456789.") == std::string::npos;
    if (!plain || ec != std::errc() || end != quantity_cell.data() + quantity_cell.size() ||
        !std::isfinite(quantity) || quantity <= 0) {
      return absl::InvalidArgumentError("quantity: \"" + quantity_cell +
                                        "\": must be a decimal number > 0");
    }
    if (t.gtin_.empty()) {
      return absl::InvalidArgumentError("quantity: needs the template's gtin");
    }
    std::string lot = cell("lot");
    if (lot.empty()) {
      lot = absl::StrReplaceAll(t.lot_rule_,
                                {{"{yyyy}", time->yyyy}, {"{mm}", time->mm}, {"{dd}", time->dd}});
    }
    if (lot.empty()) {
      return absl::InvalidArgumentError("lot: empty, and the template has no lot rule");
    }
    if (!ValidGs1Text(lot)) {
      return absl::InvalidArgumentError("lot: \"" + lot + "\": not a lot (1-20 GS1 characters)");
    }
    json::Value q = json::Value::Object();
    q.Add("epcClass",
          json::Value::String(t.resolver_ + "/01/" + t.gtin_ + "/10/" + PercentEncode(lot)));
    q.Add("quantity", json::Value::Number(quantity));
    std::string unit = cell("unit");
    if (unit.empty()) unit = t.uom_;
    if (!unit.empty()) q.Add("uom", json::Value::String(unit));
    quantities.Push(std::move(q));
  }

  json::Value event = json::Value::Object();
  event.Add("type", json::Value::String(t.type_));
  event.Add("eventTime", json::Value::String(time->text));
  event.Add("eventTimeZoneOffset",
            json::Value::String(time->offset.empty() ? t.offset_ : time->offset));
  event.Add("action", json::Value::String(t.action_));
  if (!t.biz_step_.empty()) event.Add("bizStep", json::Value::String(t.biz_step_));
  if (!t.disposition_.empty()) event.Add("disposition", json::Value::String(t.disposition_));
  if (!t.read_point_.empty()) {
    event.Add("readPoint", json::Value::Object().Add("id", json::Value::String(t.read_point_)));
  }
  if (!t.biz_location_.empty()) {
    event.Add("bizLocation", json::Value::Object().Add("id", json::Value::String(t.biz_location_)));
  }
  if (aggregation) {
    std::string parent = cell("parent");
    if (!parent.empty()) {
      std::string uri = parent;
      std::string digits = parent.rfind("(00)", 0) == 0 ? parent.substr(4) : parent;
      if (IsDigits(digits)) {
        if (digits.size() != 18 || !ValidGs1CheckDigit(digits)) {
          return absl::InvalidArgumentError("parent: \"" + parent + "\": not a valid SSCC");
        }
        uri = t.resolver_ + "/00/" + digits;
      }
      event.Add("parentID", json::Value::String(uri));
    } else if (t.action_ != "OBSERVE") {
      return absl::InvalidArgumentError("parent: required for an " + t.action_ +
                                        " AggregationEvent");
    }
    if (!epcs.array.empty()) event.Add("childEPCs", std::move(epcs));
    if (!quantities.array.empty()) event.Add("childQuantityList", std::move(quantities));
  } else {
    if (epcs.array.empty() && quantities.array.empty()) {
      return absl::InvalidArgumentError("code: a row needs a code or a quantity");
    }
    if (!epcs.array.empty()) event.Add("epcList", std::move(epcs));
    if (!quantities.array.empty()) event.Add("quantityList", std::move(quantities));
    if (t.ilmd_) event.Add("ilmd", *t.ilmd_);
  }
  return json::Canonical(event);
}

}  // namespace origo::cli
