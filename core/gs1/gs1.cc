#include "core/gs1/gs1.h"

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/base/status_macros.h"

namespace origo::gs1 {
namespace {

absl::Status Invalid(std::string_view ai, const std::string& rule) {
  return absl::InvalidArgumentError("AI " + std::string(ai) + ": " + rule);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// Index of the first character that is not a digit; s.size() if there is none.
size_t FirstNonDigit(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (!IsDigit(s[i])) return i;
  }
  return s.size();
}

// Describes a character for an error message: printable ASCII as 'c', anything else as a byte.
std::string DescribeChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u <= 0x7e) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 0xf];
}

// Fixed-length numeric key with a mod-10 check digit (GLN, SSCC).
absl::Status ValidateNumericKey(std::string_view ai, std::string_view name, size_t length,
                                std::string_view key) {
  if (key.size() != length) {
    return Invalid(ai, std::string(name) + " must be " + std::to_string(length) + " digits, got " +
                           std::to_string(key.size()) + " characters");
  }
  const size_t bad = FirstNonDigit(key);
  if (bad != key.size()) {
    return Invalid(ai, std::string(name) + " must be digits only, found " + DescribeChar(key[bad]) +
                           " at position " + std::to_string(bad + 1));
  }
  return VerifyCheckDigit(ai, key);
}

// 1..max_length characters of set 82.
absl::Status ValidateCharset82(std::string_view ai, std::string_view name, size_t max_length,
                               std::string_view value) {
  if (value.empty()) return Invalid(ai, std::string(name) + " must not be empty");
  if (value.size() > max_length) {
    return Invalid(ai, std::string(name) + " must be at most " + std::to_string(max_length) +
                           " characters, got " + std::to_string(value.size()));
  }
  for (size_t i = 0; i < value.size(); ++i) {
    if (!IsCharset82(value[i])) {
      return Invalid(ai, std::string(name) + ": " + DescribeChar(value[i]) + " at position " +
                             std::to_string(i + 1) + " is not in GS1 character set 82");
    }
  }
  return absl::OkStatus();
}

int TwoDigits(std::string_view s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

}  // namespace

bool IsCharset82(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(c)) return true;
  static constexpr std::string_view kSymbols = "!\"%&'()*+,-./:;<=>?_";
  return kSymbols.find(c) != std::string_view::npos;
}

absl::StatusOr<char> ComputeCheckDigit(std::string_view digits) {
  if (digits.empty()) return absl::InvalidArgumentError("check digit: no digits given");
  int sum = 0;
  // The rightmost digit of the body carries weight 3, then alternating 1, 3, ...
  int weight = 3;
  for (size_t i = digits.size(); i-- > 0;) {
    if (!IsDigit(digits[i])) {
      return absl::InvalidArgumentError("check digit: " + DescribeChar(digits[i]) +
                                        " at position " + std::to_string(i + 1) +
                                        " is not a digit");
    }
    sum += (digits[i] - '0') * weight;
    weight = 4 - weight;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

absl::Status VerifyCheckDigit(std::string_view ai, std::string_view key) {
  if (key.size() < 2) return Invalid(ai, "key too short to carry a check digit");
  if (!AllDigits(key)) return Invalid(ai, "key must be digits only");
  absl::StatusOr<char> expected = ComputeCheckDigit(key.substr(0, key.size() - 1));
  if (!expected.ok()) return Invalid(ai, std::string(expected.status().message()));
  const char got = key.back();
  if (*expected != got) {
    return Invalid(ai, std::string("check digit mismatch: expected ") + *expected + ", got " + got);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> NormalizeGtin(std::string_view gtin) {
  const size_t n = gtin.size();
  if (n != 8 && n != 12 && n != 13 && n != 14) {
    return Invalid(kAiGtin,
                   "GTIN must be 8, 12, 13 or 14 digits, got " + std::to_string(n) + " characters");
  }
  const size_t bad = FirstNonDigit(gtin);
  if (bad != n) {
    return Invalid(kAiGtin, "GTIN must be digits only, found " + DescribeChar(gtin[bad]) +
                                " at position " + std::to_string(bad + 1));
  }
  ORIGO_RETURN_IF_ERROR(VerifyCheckDigit(kAiGtin, gtin));
  return std::string(14 - n, '0') + std::string(gtin);
}

absl::Status ValidateGtin(std::string_view gtin) { return NormalizeGtin(gtin).status(); }

absl::Status ValidateGln(std::string_view gln) {
  return ValidateNumericKey(kAiGln, "GLN", 13, gln);
}

absl::Status ValidateSscc(std::string_view sscc) {
  return ValidateNumericKey(kAiSscc, "SSCC", 18, sscc);
}

absl::Status ValidateGiai(std::string_view giai) {
  ORIGO_RETURN_IF_ERROR(ValidateCharset82(kAiGiai, "GIAI", kMaxGiaiLength, giai));
  if (FirstNonDigit(giai) < kMinCompanyPrefixLength) {
    return Invalid(kAiGiai, "GIAI must begin with a GS1 Company Prefix of at least " +
                                std::to_string(kMinCompanyPrefixLength) + " digits");
  }
  return absl::OkStatus();
}

absl::Status ValidateSerial(std::string_view serial) {
  return ValidateCharset82(kAiSerial, "serial", kMaxAttributeLength, serial);
}

absl::Status ValidateLot(std::string_view lot) {
  return ValidateCharset82(kAiLot, "lot", kMaxAttributeLength, lot);
}

absl::Status ValidateCpv(std::string_view cpv) {
  return ValidateCharset82(kAiCpv, "consumer product variant", kMaxAttributeLength, cpv);
}

absl::Status ValidateGlnExtension(std::string_view extension) {
  return ValidateCharset82(kAiGlnExtension, "GLN extension", kMaxAttributeLength, extension);
}

absl::Status ValidateExpiry(std::string_view yymmdd) {
  if (yymmdd.size() != 6 || !AllDigits(yymmdd)) {
    return Invalid(kAiExpiry,
                   "expiry date must be 6 digits YYMMDD, got '" + std::string(yymmdd) + "'");
  }
  const int yy = TwoDigits(yymmdd.substr(0, 2));
  const int mm = TwoDigits(yymmdd.substr(2, 2));
  const int dd = TwoDigits(yymmdd.substr(4, 2));
  if (mm < 1 || mm > 12) {
    return Invalid(kAiExpiry, "month must be 01-12, got " + std::string(yymmdd.substr(2, 2)));
  }
  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int days = kDaysInMonth[mm - 1];
  if (mm == 2 && yy % 4 == 0) days = 29;
  if (dd > days) {
    return Invalid(kAiExpiry, "day must be 00-" + std::to_string(days) + " for month " +
                                  std::string(yymmdd.substr(2, 2)) + ", got " +
                                  std::string(yymmdd.substr(4, 2)));
  }
  return absl::OkStatus();
}

}  // namespace origo::gs1
