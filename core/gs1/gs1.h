#ifndef ORIGO_CORE_GS1_GS1_H_
#define ORIGO_CORE_GS1_GS1_H_

// Validation of the GS1 element strings Origo uses as keys: GTIN (AI 01), SSCC (AI 00),
// GLN (AI 414) with its extension (AI 254), GIAI (AI 8004), and the attributes lot (AI 10),
// serial (AI 21), consumer product variant (AI 22) and expiry date (AI 17).
//
// Every function is pure and thread-safe. Every error is INVALID_ARGUMENT with a message that
// starts with the AI and names the broken rule, e.g.
//   "AI 01: check digit mismatch: expected 2, got 3".

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace origo::gs1 {

// Application identifiers, as they appear in Digital Link paths.
inline constexpr std::string_view kAiSscc = "00";
inline constexpr std::string_view kAiGtin = "01";
inline constexpr std::string_view kAiLot = "10";
inline constexpr std::string_view kAiExpiry = "17";
inline constexpr std::string_view kAiSerial = "21";
inline constexpr std::string_view kAiCpv = "22";
inline constexpr std::string_view kAiGlnExtension = "254";
inline constexpr std::string_view kAiGln = "414";
inline constexpr std::string_view kAiGiai = "8004";

// Limits from the GS1 General Specifications.
inline constexpr size_t kMaxAttributeLength = 20;  // AI 10, 21, 22 and 254.
inline constexpr size_t kMaxGiaiLength = 30;
// The shortest GS1 Company Prefix; a GIAI must begin with at least this many digits.
inline constexpr size_t kMinCompanyPrefixLength = 4;

// True when `c` belongs to GS1 AI encodable character set 82:
//   ! " % & ' ( ) * + , - . / 0-9 : ; < = > ? A-Z _ a-z
bool IsCharset82(char c);

// The GS1 mod-10 check digit ('0'..'9') for `digits`, the key without its check digit
// (weights 3,1,3,... from the rightmost digit). INVALID_ARGUMENT if `digits` is empty or holds a
// non-digit.
absl::StatusOr<char> ComputeCheckDigit(std::string_view digits);

// Verifies that the last digit of `key` is the mod-10 check digit of the digits before it.
// `ai` only labels the error ("AI <ai>: check digit mismatch: expected 2, got 3"). INVALID_ARGUMENT
// if `key` is shorter than 2 characters, holds a non-digit, or the check digit is wrong.
absl::Status VerifyCheckDigit(std::string_view ai, std::string_view key);

// Validates a GTIN-8, -12, -13 or -14 (digits only, correct check digit) and returns it as a
// GTIN-14, left-padded with zeros.
absl::StatusOr<std::string> NormalizeGtin(std::string_view gtin);

// Validates a GTIN of any accepted length (see NormalizeGtin).
absl::Status ValidateGtin(std::string_view gtin);

// Validates a GLN: exactly 13 digits with a correct check digit.
absl::Status ValidateGln(std::string_view gln);

// Validates an SSCC: exactly 18 digits with a correct check digit.
absl::Status ValidateSscc(std::string_view sscc);

// Validates a GIAI (AI 8004): at most 30 characters of set 82 that begin with at least
// kMinCompanyPrefixLength digits (the GS1 Company Prefix, whose exact length is not known here).
// A GIAI has no check digit.
absl::Status ValidateGiai(std::string_view giai);

// Validate a serial number (AI 21), lot/batch (AI 10), consumer product variant (AI 22) or GLN
// extension (AI 254): 1 to 20 characters of set 82.
absl::Status ValidateSerial(std::string_view serial);
absl::Status ValidateLot(std::string_view lot);
absl::Status ValidateCpv(std::string_view cpv);
absl::Status ValidateGlnExtension(std::string_view extension);

// Validates an expiry date (AI 17): YYMMDD, month 01-12, day 00-31 and not past the end of the
// month. Day 00 means "end of the month" and is accepted. February has 29 days when YY is a
// multiple of 4, which is exact for every year 1901-2099 that GS1's sliding century window yields.
absl::Status ValidateExpiry(std::string_view yymmdd);

}  // namespace origo::gs1

#endif  // ORIGO_CORE_GS1_GS1_H_
