#ifndef ORIGO_CORE_USCI_USCI_H_
#define ORIGO_CORE_USCI_USCI_H_

// The Unified Social Credit Code (USCI, 统一社会信用代码, GB 32100-2015) that identifies every
// enterprise Origo signs events for. Layout of the 18 characters:
//   position 1      registration authority
//   position 2      organisation category
//   positions 3-8   administrative division code (GB/T 2260), digits
//   positions 9-17  subject identifier = GB 11714 organisation code (8 characters + its check)
//   position 18     check character over positions 1-17
// Characters come from "0123456789ABCDEFGHJKLMNPQRTUWXY" (no I, O, S, V, Z), valued 0-30.
//
// Validate() enforces what GB 32100 makes the code's validity: length, alphabet, digits in 3-8
// and the check character. It deliberately does NOT enforce the embedded GB 11714 check
// character (ValidateOrganizationCode): every real code checked while writing this passes it,
// but codes Origo must accept (the goji fixtures 91640521MA76GJ0Q1B and 91640100MA77XL2X3M)
// fail it while carrying a correct GB 32100 check character. Callers wanting the stricter test
// can call ValidateOrganizationCode(OrganizationCode(code)) themselves.
//
// All functions are pure and thread-safe.

#include <string_view>

#include "absl/status/status.h"

namespace origo::usci {

inline constexpr size_t kLength = 18;
inline constexpr std::string_view kCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY";

// Validates a USCI as described above. INVALID_ARGUMENT names the position and the rule, e.g.
// "USCI: check character mismatch at position 18: expected 'B', got 'C'".
absl::Status Validate(std::string_view code);

// The GB 32100 check character for `first17`: 31 - (sum of value x weight mod 31), with weights
// 1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28 and 31 written as '0'. Returns '\0' if
// `first17` is not 17 characters of kCharset.
char ComputeCheckCharacter(std::string_view first17);

// Positions 9-17 of `code` (the embedded organisation code); empty if `code` is shorter.
std::string_view OrganizationCode(std::string_view code);

// The GB 11714 check character for the 8-character body of an organisation code: 11 - (sum of
// value x weight mod 11) with weights 3,7,9,10,5,8,4,2, digits valued 0-9 and letters A-Z
// 10-35; 10 is written 'X' and 11 '0'. Returns '\0' if `first8` is not 8 digits or upper-case
// letters.
char ComputeOrganizationCheckCharacter(std::string_view first8);

// Validates a 9-character GB 11714 organisation code (8 digits/upper-case letters and its check
// character). INVALID_ARGUMENT names the position and the rule.
absl::Status ValidateOrganizationCode(std::string_view org_code);

}  // namespace origo::usci

#endif  // ORIGO_CORE_USCI_USCI_H_
