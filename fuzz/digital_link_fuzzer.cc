// libFuzzer target: GS1 Digital Link and EPC URN identifiers (core/gs1/digital_link.h).
//
// Input: any bytes, read as one identifier. Checked:
//  - ParseIdentifier and ParseDigitalLink reject with INVALID_ARGUMENT and a message, never
//    another code.
//  - An accepted link is well-formed: a known primary AI, a 14-digit GTIN, qualifiers only on the
//    primary key that allows them.
//  - Canonical round trip: ParseDigitalLink(link.CanonicalPath()) succeeds, gives the same link
//    (without the expiry, a data attribute) and the same canonical path.
//  - The path builders (GtinPath, LotPath, ...), fed the input split at its first LF, return only
//    canonical paths that parse back to themselves.
//  - The element-string validators of gs1.h agree with independent oracles written here from
//    the GS1 General Specifications (mod-10 check digit, lengths, character set 82, YYMMDD).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/gs1/digital_link.h"
#include "core/gs1/gs1.h"
#include "fuzz/fuzz_util.h"

namespace origo::fuzz {
namespace {

using gs1::DigitalLink;

void CheckWellFormed(const DigitalLink& link, std::string_view input) {
  const std::string& ai = link.primary_ai;
  ORIGO_FUZZ_CHECK(
      ai == gs1::kAiGtin || ai == gs1::kAiSscc || ai == gs1::kAiGln || ai == gs1::kAiGiai,
      "unknown primary AI '" + ai + "' from '" + std::string(input) + "'");
  const bool gtin = ai == gs1::kAiGtin;
  if (gtin) {
    ORIGO_FUZZ_CHECK(link.primary_value.size() == 14 && gs1::ValidateGtin(link.primary_value).ok(),
                     "GTIN not normalised to a valid GTIN-14: '" + link.primary_value + "'");
  }
  ORIGO_FUZZ_CHECK(gtin || (!link.cpv && !link.lot && !link.serial),
                   "cpv/lot/serial on a non-GTIN key from '" + std::string(input) + "'");
  ORIGO_FUZZ_CHECK(ai == gs1::kAiGln || !link.gln_extension,
                   "GLN extension on a non-GLN key from '" + std::string(input) + "'");
  ORIGO_FUZZ_CHECK(!(link.IsItem() && link.IsLot()), "a link is both an item and a lot");
}

// The canonical path parses back to the same key and is a fixed point.
void CheckCanonicalRoundTrip(const DigitalLink& link, std::string_view input) {
  const std::string canonical = link.CanonicalPath();
  auto again = gs1::ParseDigitalLink(canonical);
  ORIGO_FUZZ_CHECK(again.ok(), "canonical path '" + canonical + "' of '" + std::string(input) +
                                   "' does not parse: " + again.status().ToString());
  DigitalLink without_attributes = link;
  without_attributes.expiry.reset();
  ORIGO_FUZZ_CHECK(*again == without_attributes, "canonical path '" + canonical +
                                                     "' parses to another link than '" +
                                                     std::string(input) + "'");
  ORIGO_FUZZ_CHECK(again->CanonicalPath() == canonical, "canonical path is not a fixed point: '" +
                                                            canonical + "' -> '" +
                                                            again->CanonicalPath() + "'");
  auto as_identifier = gs1::ParseIdentifier(canonical);
  ORIGO_FUZZ_CHECK(as_identifier.ok() && *as_identifier == *again,
                   "ParseIdentifier disagrees with ParseDigitalLink on '" + canonical + "'");
}

void CheckParsed(const absl::StatusOr<DigitalLink>& link, std::string_view input,
                 std::string_view what) {
  CheckRejection(link.status(), {absl::StatusCode::kInvalidArgument}, what);
  if (!link.ok()) return;
  CheckWellFormed(*link, input);
  CheckCanonicalRoundTrip(*link, input);
}

// ---- Oracles, written independently of core/gs1 ----

bool IsDigitChar(char c) { return c >= '0' && c <= '9'; }

bool AllDigitChars(std::string_view s) {
  for (char c : s) {
    if (!IsDigitChar(c)) return false;
  }
  return true;
}

// GS1 mod-10: from the right, the digit next to the check digit weighs 3, then 1, 3, 1...
bool CheckDigitHolds(std::string_view key) {
  if (key.size() < 2 || !AllDigitChars(key)) return false;
  int sum = 0;
  for (size_t from_right = 1; from_right < key.size(); ++from_right) {
    const int digit = key[key.size() - 1 - from_right] - '0';
    sum += digit * (from_right % 2 == 1 ? 3 : 1);
  }
  return (10 - sum % 10) % 10 == key.back() - '0';
}

bool InCharset82(char c) {
  static constexpr std::string_view kSet82 =
      "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
  return kSet82.find(c) != std::string_view::npos;
}

bool Charset82Value(std::string_view s, size_t max_length) {
  if (s.empty() || s.size() > max_length) return false;
  for (char c : s) {
    if (!InCharset82(c)) return false;
  }
  return true;
}

bool ValidExpiryOracle(std::string_view s) {
  if (s.size() != 6 || !AllDigitChars(s)) return false;
  const int yy = (s[0] - '0') * 10 + (s[1] - '0');
  const int mm = (s[2] - '0') * 10 + (s[3] - '0');
  const int dd = (s[4] - '0') * 10 + (s[5] - '0');
  if (mm < 1 || mm > 12) return false;
  int days = 31;
  if (mm == 4 || mm == 6 || mm == 9 || mm == 11) days = 30;
  if (mm == 2) days = yy % 4 == 0 ? 29 : 28;
  return dd <= days;
}

void CheckAgrees(bool code_says, bool oracle_says, std::string_view what, std::string_view value) {
  ORIGO_FUZZ_CHECK(
      code_says == oracle_says,
      std::string(what) + (code_says ? " accepts" : " rejects") + " '" + std::string(value) + "'");
}

void CheckValidators(std::string_view v) {
  const size_t n = v.size();
  const bool gtin_length = n == 8 || n == 12 || n == 13 || n == 14;
  CheckAgrees(gs1::ValidateGtin(v).ok(), gtin_length && CheckDigitHolds(v), "ValidateGtin", v);
  CheckAgrees(gs1::ValidateGln(v).ok(), n == 13 && CheckDigitHolds(v), "ValidateGln", v);
  CheckAgrees(gs1::ValidateSscc(v).ok(), n == 18 && CheckDigitHolds(v), "ValidateSscc", v);
  CheckAgrees(gs1::ValidateSerial(v).ok(), Charset82Value(v, 20), "ValidateSerial", v);
  CheckAgrees(gs1::ValidateLot(v).ok(), Charset82Value(v, 20), "ValidateLot", v);
  CheckAgrees(gs1::ValidateGlnExtension(v).ok(), Charset82Value(v, 20), "ValidateGlnExtension", v);
  const bool giai_prefix = n >= 4 && AllDigitChars(v.substr(0, 4));
  CheckAgrees(gs1::ValidateGiai(v).ok(), Charset82Value(v, 30) && giai_prefix, "ValidateGiai", v);
  CheckAgrees(gs1::ValidateExpiry(v).ok(), ValidExpiryOracle(v), "ValidateExpiry", v);
  if (n >= 2 && AllDigitChars(v)) {
    auto check = gs1::ComputeCheckDigit(v.substr(0, n - 1));
    ORIGO_FUZZ_CHECK(check.ok() && (*check == v.back()) == CheckDigitHolds(v),
                     "ComputeCheckDigit disagrees on '" + std::string(v) + "'");
  }
}

void CheckBuilt(const absl::StatusOr<std::string>& path, std::string_view what) {
  CheckRejection(path.status(), {absl::StatusCode::kInvalidArgument}, what);
  if (!path.ok()) return;
  auto link = gs1::ParseDigitalLink(*path);
  ORIGO_FUZZ_CHECK(link.ok(), std::string(what) + " built '" + *path +
                                  "', which does not parse: " + link.status().ToString());
  ORIGO_FUZZ_CHECK(link->CanonicalPath() == *path,
                   std::string(what) + " built the non-canonical path '" + *path + "'");
}

}  // namespace
}  // namespace origo::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace origo;
  using namespace origo::fuzz;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  CheckParsed(gs1::ParseIdentifier(input), input, "ParseIdentifier");
  CheckParsed(gs1::ParseDigitalLink(input), input, "ParseDigitalLink");

  const size_t lf = input.find('\n');
  const std::string_view first = input.substr(0, lf);
  const std::string_view second = lf == std::string_view::npos ? "" : input.substr(lf + 1);
  CheckValidators(first);
  CheckBuilt(gs1::GtinPath(first), "GtinPath");
  CheckBuilt(gs1::SsccPath(first), "SsccPath");
  CheckBuilt(gs1::GiaiPath(first), "GiaiPath");
  CheckBuilt(gs1::GlnPath(first, second), "GlnPath");
  CheckBuilt(gs1::LotPath(first, second), "LotPath");
  CheckBuilt(gs1::ItemPath(first, second), "ItemPath");
  return 0;
}
