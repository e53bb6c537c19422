#include "core/gs1/digital_link.h"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/base/status_macros.h"
#include "core/gs1/gs1.h"

namespace origo::gs1 {
namespace {

absl::Status Invalid(std::string_view ai, const std::string& rule) {
  return absl::InvalidArgumentError("AI " + std::string(ai) + ": " + rule);
}

absl::Status InvalidLink(const std::string& rule) {
  return absl::InvalidArgumentError("Digital Link: " + rule);
}

absl::Status InvalidUrn(std::string_view scheme, const std::string& rule) {
  return absl::InvalidArgumentError("EPC URN " + std::string(scheme) + ": " + rule);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes %XX escapes; every '%' must start a valid escape. `label` prefixes the error.
absl::StatusOr<std::string> PercentDecode(std::string_view in, const std::string& label) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    const int hi = i + 2 < in.size() ? HexValue(in[i + 1]) : -1;
    const int lo = i + 2 < in.size() ? HexValue(in[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return absl::InvalidArgumentError(label + ": malformed percent-encoding at position " +
                                        std::to_string(i + 1));
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// Percent-encodes everything but the URI-unreserved characters, with upper-case hex.
std::string PercentEncode(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(c) ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      const auto u = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    }
  }
  return out;
}

// The numeric AI a path segment or query key stands for, accepting GS1 short names; nullopt for
// anything this parser does not know.
std::optional<std::string_view> ResolveAi(std::string_view segment) {
  struct Name {
    std::string_view numeric;
    std::string_view alias;
  };
  static constexpr std::array<Name, 9> kNames = {{
      {kAiGtin, "gtin"},
      {kAiCpv, "cpv"},
      {kAiLot, "lot"},
      {kAiSerial, "ser"},
      {kAiSscc, "sscc"},
      {kAiGln, "gln"},
      {kAiGlnExtension, "glnx"},
      {kAiGiai, "giai"},
      {kAiExpiry, "exp"},
  }};
  for (const Name& name : kNames) {
    if (segment == name.numeric || segment == name.alias) return name.numeric;
  }
  return std::nullopt;
}

// A primary key and the key qualifiers that may follow it, in their required order.
struct PrimaryKeyRule {
  std::string_view ai;
  std::array<std::string_view, 3> qualifiers;
  size_t qualifier_count;
};

constexpr std::array<PrimaryKeyRule, 4> kPrimaryKeys = {{
    {kAiGtin, {kAiCpv, kAiLot, kAiSerial}, 3},
    {kAiSscc, {}, 0},
    {kAiGln, {kAiGlnExtension}, 1},
    {kAiGiai, {}, 0},
}};

const PrimaryKeyRule* FindPrimaryKey(std::string_view ai) {
  for (const PrimaryKeyRule& rule : kPrimaryKeys) {
    if (rule.ai == ai) return &rule;
  }
  return nullptr;
}

std::string DescribeQualifiers(const PrimaryKeyRule& rule) {
  if (rule.qualifier_count == 0) return "none";
  std::string out;
  for (size_t i = 0; i < rule.qualifier_count; ++i) {
    if (i > 0) out += ", ";
    out += std::string(rule.qualifiers[i]);
  }
  return out;
}

// Checks that segments[start..] read "<primary>/<value>{/<qualifier>/<value>}" with qualifiers
// allowed for the primary key, in order and at most once each.
absl::Status CheckStructure(const PrimaryKeyRule& rule, const std::vector<std::string_view>& segs,
                            size_t start) {
  if ((segs.size() - start) % 2 != 0) {
    return Invalid(rule.ai, "every AI in the path must be followed by a value");
  }
  size_t next_allowed = 0;
  std::string_view previous;
  for (size_t j = start + 2; j < segs.size(); j += 2) {
    const std::optional<std::string_view> ai = ResolveAi(segs[j]);
    size_t index = rule.qualifier_count;
    for (size_t q = 0; ai.has_value() && q < rule.qualifier_count; ++q) {
      if (rule.qualifiers[q] == *ai) index = q;
    }
    if (index == rule.qualifier_count) {
      return Invalid(rule.ai, "'" + std::string(segs[j]) +
                                  "' is not a key qualifier of this primary key (allowed: " +
                                  DescribeQualifiers(rule) + ")");
    }
    if (index < next_allowed) {
      return Invalid(rule.ai, "key qualifier AI " + std::string(*ai) + " must not follow AI " +
                                  std::string(previous) + " (order: " + DescribeQualifiers(rule) +
                                  ")");
    }
    next_allowed = index + 1;
    previous = *ai;
  }
  return absl::OkStatus();
}

absl::Status SetQualifier(DigitalLink& link, std::string_view ai, std::string value) {
  if (ai == kAiCpv) {
    ORIGO_RETURN_IF_ERROR(ValidateCpv(value));
    link.cpv = std::move(value);
  } else if (ai == kAiLot) {
    ORIGO_RETURN_IF_ERROR(ValidateLot(value));
    link.lot = std::move(value);
  } else if (ai == kAiSerial) {
    ORIGO_RETURN_IF_ERROR(ValidateSerial(value));
    link.serial = std::move(value);
  } else if (ai == kAiGlnExtension) {
    ORIGO_RETURN_IF_ERROR(ValidateGlnExtension(value));
    link.gln_extension = std::move(value);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> NormalizePrimary(std::string_view ai, std::string_view value) {
  if (ai == kAiGtin) return NormalizeGtin(value);
  if (ai == kAiSscc) ORIGO_RETURN_IF_ERROR(ValidateSscc(value));
  if (ai == kAiGln) ORIGO_RETURN_IF_ERROR(ValidateGln(value));
  if (ai == kAiGiai) ORIGO_RETURN_IF_ERROR(ValidateGiai(value));
  return std::string(value);
}

absl::Status ParseQuery(std::string_view query, DigitalLink& link) {
  size_t begin = 0;
  while (begin <= query.size()) {
    size_t end = query.find('&', begin);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view param = query.substr(begin, end - begin);
    begin = end + 1;
    const size_t eq = param.find('=');
    const std::string_view key = param.substr(0, eq);
    if (ResolveAi(key) != kAiExpiry) continue;  // Other attributes and linkType etc. ignored.
    if (eq == std::string_view::npos) return Invalid(kAiExpiry, "query parameter has no value");
    ORIGO_ASSIGN_OR_RETURN(std::string value,
                           PercentDecode(param.substr(eq + 1), "AI " + std::string(kAiExpiry)));
    ORIGO_RETURN_IF_ERROR(ValidateExpiry(value));
    if (link.expiry.has_value() && *link.expiry != value) {
      return Invalid(kAiExpiry, "given twice with different values");
    }
    link.expiry = std::move(value);
  }
  return absl::OkStatus();
}

// Splits "a.b.c.rest" into at most `count` parts; the last part keeps any further dots.
std::vector<std::string_view> SplitDots(std::string_view s, size_t count) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < count) {
    const size_t dot = s.find('.');
    if (dot == std::string_view::npos) break;
    parts.push_back(s.substr(0, dot));
    s.remove_prefix(dot + 1);
  }
  parts.push_back(s);
  return parts;
}

absl::Status CheckCompanyPrefix(std::string_view scheme, std::string_view prefix) {
  if (prefix.size() < 6 || prefix.size() > 12 || !AllDigits(prefix)) {
    return InvalidUrn(scheme,
                      "company prefix must be 6-12 digits, got '" + std::string(prefix) + "'");
  }
  return absl::OkStatus();
}

// "<company prefix>.<lead digit><reference>" -> lead digit + prefix + reference + check digit,
// where prefix and reference together have `digits` digits (13 for GTIN, 17 for SSCC).
absl::StatusOr<std::string> KeyWithLeadDigit(std::string_view scheme, std::string_view prefix,
                                             std::string_view reference, size_t digits) {
  ORIGO_RETURN_IF_ERROR(CheckCompanyPrefix(scheme, prefix));
  if (!AllDigits(reference) || prefix.size() + reference.size() != digits) {
    return InvalidUrn(scheme, "company prefix and reference must total " + std::to_string(digits) +
                                  " digits, got '" + std::string(prefix) + "." +
                                  std::string(reference) + "'");
  }
  std::string body =
      std::string(reference.substr(0, 1)) + std::string(prefix) + std::string(reference.substr(1));
  ORIGO_ASSIGN_OR_RETURN(const char check, ComputeCheckDigit(body));
  body.push_back(check);
  return body;
}

absl::StatusOr<DigitalLink> ParseEpcUrn(std::string_view urn) {
  // The scheme is everything up to the fourth ':' ("urn:epc:id:sgtin").
  size_t colon = 0;
  for (int i = 0; i < 4 && colon != std::string_view::npos; ++i) {
    colon = urn.find(':', i == 0 ? 0 : colon + 1);
  }
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError("EPC URN: malformed '" + std::string(urn) + "'");
  }
  const std::string scheme = AsciiLower(urn.substr(0, colon));
  const std::string_view body = urn.substr(colon + 1);
  const std::string_view name = std::string_view(scheme).substr(scheme.rfind(':') + 1);

  DigitalLink link;
  if (scheme == "urn:epc:id:sgtin" || scheme == "urn:epc:class:lgtin" ||
      scheme == "urn:epc:idpat:sgtin") {
    const std::vector<std::string_view> parts = SplitDots(body, 3);
    if (parts.size() != 3) {
      return InvalidUrn(name, "expected <company prefix>.<indicator><item ref>.<value>");
    }
    ORIGO_ASSIGN_OR_RETURN(link.primary_value, KeyWithLeadDigit(name, parts[0], parts[1], 13));
    link.primary_ai = std::string(kAiGtin);
    if (scheme == "urn:epc:idpat:sgtin") {
      if (parts[2] != "*") return InvalidUrn(name, "only the pattern <gtin>.* is supported");
      return link;
    }
    const bool is_lot = scheme == "urn:epc:class:lgtin";
    const std::string_view ai = is_lot ? kAiLot : kAiSerial;
    ORIGO_ASSIGN_OR_RETURN(std::string value, PercentDecode(parts[2], "AI " + std::string(ai)));
    ORIGO_RETURN_IF_ERROR(SetQualifier(link, ai, std::move(value)));
    return link;
  }
  if (scheme == "urn:epc:id:sscc") {
    const std::vector<std::string_view> parts = SplitDots(body, 2);
    if (parts.size() != 2) {
      return InvalidUrn(name, "expected <company prefix>.<extension digit><serial ref>");
    }
    ORIGO_ASSIGN_OR_RETURN(link.primary_value, KeyWithLeadDigit(name, parts[0], parts[1], 17));
    link.primary_ai = std::string(kAiSscc);
    return link;
  }
  if (scheme == "urn:epc:id:sgln") {
    const std::vector<std::string_view> parts = SplitDots(body, 3);
    if (parts.size() != 3) {
      return InvalidUrn(name, "expected <company prefix>.<location ref>.<extension>");
    }
    ORIGO_RETURN_IF_ERROR(CheckCompanyPrefix(name, parts[0]));
    if (!AllDigits(parts[1]) || parts[0].size() + parts[1].size() != 12) {
      return InvalidUrn(name, "company prefix and location reference must total 12 digits");
    }
    std::string gln = std::string(parts[0]) + std::string(parts[1]);
    ORIGO_ASSIGN_OR_RETURN(const char check, ComputeCheckDigit(gln));
    gln.push_back(check);
    link.primary_ai = std::string(kAiGln);
    link.primary_value = std::move(gln);
    if (parts[2] != "0") {  // "0" is the EPC way of saying "no extension".
      ORIGO_ASSIGN_OR_RETURN(std::string ext,
                             PercentDecode(parts[2], "AI " + std::string(kAiGlnExtension)));
      ORIGO_RETURN_IF_ERROR(SetQualifier(link, kAiGlnExtension, std::move(ext)));
    }
    return link;
  }
  if (scheme == "urn:epc:id:giai") {
    const std::vector<std::string_view> parts = SplitDots(body, 2);
    if (parts.size() != 2) return InvalidUrn(name, "expected <company prefix>.<asset ref>");
    ORIGO_RETURN_IF_ERROR(CheckCompanyPrefix(name, parts[0]));
    ORIGO_ASSIGN_OR_RETURN(std::string asset,
                           PercentDecode(parts[1], "AI " + std::string(kAiGiai)));
    if (asset.empty()) return InvalidUrn(name, "asset reference must not be empty");
    std::string giai = std::string(parts[0]) + asset;
    ORIGO_RETURN_IF_ERROR(ValidateGiai(giai));
    link.primary_ai = std::string(kAiGiai);
    link.primary_value = std::move(giai);
    return link;
  }
  return absl::InvalidArgumentError("EPC URN: unsupported scheme '" + scheme +
                                    "' (supported: sgtin, lgtin, sscc, sgln, giai)");
}

bool StartsWithIgnoringCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && AsciiLower(s.substr(0, prefix.size())) == prefix;
}

}  // namespace

std::string DigitalLink::CanonicalPath() const {
  std::string path = "/" + primary_ai + "/" + PercentEncode(primary_value);
  const auto append = [&path](std::string_view ai, const std::optional<std::string>& value) {
    if (!value.has_value()) return;
    path += "/";
    path += std::string(ai);
    path += "/";
    path += PercentEncode(*value);
  };
  append(kAiCpv, cpv);
  append(kAiLot, lot);
  append(kAiSerial, serial);
  append(kAiGlnExtension, gln_extension);
  return path;
}

bool DigitalLink::IsItem() const { return primary_ai == kAiGtin && serial.has_value(); }

bool DigitalLink::IsLot() const {
  return primary_ai == kAiGtin && lot.has_value() && !serial.has_value();
}

absl::StatusOr<DigitalLink> ParseDigitalLink(std::string_view uri_or_path) {
  if (uri_or_path.empty()) return InvalidLink("empty");
  std::string_view rest = uri_or_path;
  if (const size_t hash = rest.find('#'); hash != std::string_view::npos) {
    rest = rest.substr(0, hash);
  }
  std::string_view query;
  if (const size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view path = rest;
  if (const size_t sep = rest.find("://"); sep != std::string_view::npos) {
    const std::string scheme = AsciiLower(rest.substr(0, sep));
    if (scheme != "http" && scheme != "https") {
      return InvalidLink("scheme must be http or https, got '" + scheme + "'");
    }
    const std::string_view after = rest.substr(sep + 3);
    const size_t slash = after.find('/');
    if (after.empty() || slash == 0) return InvalidLink("URI has no host");
    path = slash == std::string_view::npos ? std::string_view() : after.substr(slash);
  }

  std::vector<std::string_view> segs;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  while (!path.empty()) {
    const size_t slash = path.find('/');
    segs.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
    if (path.empty()) segs.push_back(path);
  }

  // The primary key is the leftmost segment naming a primary-key AI from which the rest of the
  // path is well-formed; anything before it is a resolver's path prefix.
  const PrimaryKeyRule* rule = nullptr;
  size_t start = 0;
  absl::Status first_error;
  for (size_t i = 0; i < segs.size() && rule == nullptr; ++i) {
    const std::optional<std::string_view> ai = ResolveAi(segs[i]);
    const PrimaryKeyRule* candidate = ai.has_value() ? FindPrimaryKey(*ai) : nullptr;
    if (candidate == nullptr) continue;
    absl::Status status = CheckStructure(*candidate, segs, i);
    if (status.ok()) {
      rule = candidate;
      start = i;
    } else if (first_error.ok()) {
      first_error = std::move(status);
    }
  }
  if (rule == nullptr) {
    if (!first_error.ok()) return first_error;
    return InvalidLink("no primary key (AI 01, 00, 414 or 8004) in '" + std::string(uri_or_path) +
                       "'");
  }

  DigitalLink link;
  link.primary_ai = std::string(rule->ai);
  ORIGO_ASSIGN_OR_RETURN(std::string primary,
                         PercentDecode(segs[start + 1], "AI " + std::string(rule->ai)));
  ORIGO_ASSIGN_OR_RETURN(link.primary_value, NormalizePrimary(rule->ai, primary));
  for (size_t j = start + 2; j < segs.size(); j += 2) {
    const std::string_view ai = *ResolveAi(segs[j]);  // CheckStructure resolved it.
    ORIGO_ASSIGN_OR_RETURN(std::string value, PercentDecode(segs[j + 1], "AI " + std::string(ai)));
    ORIGO_RETURN_IF_ERROR(SetQualifier(link, ai, std::move(value)));
  }
  if (!query.empty()) ORIGO_RETURN_IF_ERROR(ParseQuery(query, link));
  return link;
}

absl::StatusOr<DigitalLink> ParseIdentifier(std::string_view identifier) {
  if (StartsWithIgnoringCase(identifier, "urn:")) {
    if (!StartsWithIgnoringCase(identifier, "urn:epc:")) {
      return absl::InvalidArgumentError("identifier: unsupported URN namespace in '" +
                                        std::string(identifier) + "' (expected urn:epc:)");
    }
    return ParseEpcUrn(identifier);
  }
  return ParseDigitalLink(identifier);
}

absl::StatusOr<std::string> GtinPath(std::string_view gtin) {
  DigitalLink link;
  link.primary_ai = std::string(kAiGtin);
  ORIGO_ASSIGN_OR_RETURN(link.primary_value, NormalizeGtin(gtin));
  return link.CanonicalPath();
}

absl::StatusOr<std::string> LotPath(std::string_view gtin, std::string_view lot) {
  DigitalLink link;
  link.primary_ai = std::string(kAiGtin);
  ORIGO_ASSIGN_OR_RETURN(link.primary_value, NormalizeGtin(gtin));
  ORIGO_RETURN_IF_ERROR(SetQualifier(link, kAiLot, std::string(lot)));
  return link.CanonicalPath();
}

absl::StatusOr<std::string> ItemPath(std::string_view gtin, std::string_view serial) {
  DigitalLink link;
  link.primary_ai = std::string(kAiGtin);
  ORIGO_ASSIGN_OR_RETURN(link.primary_value, NormalizeGtin(gtin));
  ORIGO_RETURN_IF_ERROR(SetQualifier(link, kAiSerial, std::string(serial)));
  return link.CanonicalPath();
}

absl::StatusOr<std::string> SsccPath(std::string_view sscc) {
  ORIGO_RETURN_IF_ERROR(ValidateSscc(sscc));
  DigitalLink link;
  link.primary_ai = std::string(kAiSscc);
  link.primary_value = std::string(sscc);
  return link.CanonicalPath();
}

absl::StatusOr<std::string> GlnPath(std::string_view gln, std::string_view extension) {
  ORIGO_RETURN_IF_ERROR(ValidateGln(gln));
  DigitalLink link;
  link.primary_ai = std::string(kAiGln);
  link.primary_value = std::string(gln);
  if (!extension.empty()) {
    ORIGO_RETURN_IF_ERROR(SetQualifier(link, kAiGlnExtension, std::string(extension)));
  }
  return link.CanonicalPath();
}

absl::StatusOr<std::string> GiaiPath(std::string_view giai) {
  ORIGO_RETURN_IF_ERROR(ValidateGiai(giai));
  DigitalLink link;
  link.primary_ai = std::string(kAiGiai);
  link.primary_value = std::string(giai);
  return link.CanonicalPath();
}

}  // namespace origo::gs1
