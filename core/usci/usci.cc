#include "core/usci/usci.h"

#include <array>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace origo::usci {
namespace {

constexpr std::array<int, 17> kWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                          29, 25, 13, 8,  24, 10, 30, 28};
constexpr std::array<int, 8> kOrganizationWeights = {3, 7, 9, 10, 5, 8, 4, 2};

// Value of `c` in kCharset, or -1.
int CharValue(char c) {
  const size_t pos = kCharset.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// Value of `c` in a GB 11714 organisation code body (0-9, A-Z = 10-35), or -1.
int OrganizationCharValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return -1;
}

std::string Quote(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u <= 0x7e) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 0xf];
}

absl::Status Invalid(const std::string& what, const std::string& rule) {
  return absl::InvalidArgumentError(what + ": " + rule);
}

}  // namespace

char ComputeCheckCharacter(std::string_view first17) {
  if (first17.size() != kWeights.size()) return '\0';
  int sum = 0;
  for (size_t i = 0; i < first17.size(); ++i) {
    const int value = CharValue(first17[i]);
    if (value < 0) return '\0';
    sum += value * kWeights[i];
  }
  const int check = 31 - sum % 31;
  return kCharset[check == 31 ? 0 : check];
}

absl::Status Validate(std::string_view code) {
  if (code.size() != kLength) {
    return Invalid("USCI", "must be 18 characters, got " + std::to_string(code.size()));
  }
  for (size_t i = 0; i < code.size(); ++i) {
    if (CharValue(code[i]) < 0) {
      const char c = code[i];
      const bool lower = c >= 'a' && c <= 'z';
      return Invalid(
          "USCI",
          Quote(c) + " at position " + std::to_string(i + 1) + " is not allowed (" +
              (lower ? "letters must be upper case" : "allowed: 0-9 and A-Z except I, O, S, V, Z") +
              ")");
    }
  }
  for (size_t i = 2; i < 8; ++i) {
    if (code[i] < '0' || code[i] > '9') {
      return Invalid("USCI", Quote(code[i]) + " at position " + std::to_string(i + 1) +
                                 " is not a digit (positions 3-8 are the administrative division "
                                 "code)");
    }
  }
  const char expected = ComputeCheckCharacter(code.substr(0, 17));
  if (expected != code[17]) {
    return Invalid("USCI", std::string("check character mismatch at position 18: expected '") +
                               expected + "', got '" + code[17] + "'");
  }
  return absl::OkStatus();
}

std::string_view OrganizationCode(std::string_view code) {
  if (code.size() < 17) return {};
  return code.substr(8, 9);
}

char ComputeOrganizationCheckCharacter(std::string_view first8) {
  if (first8.size() != kOrganizationWeights.size()) return '\0';
  int sum = 0;
  for (size_t i = 0; i < first8.size(); ++i) {
    const int value = OrganizationCharValue(first8[i]);
    if (value < 0) return '\0';
    sum += value * kOrganizationWeights[i];
  }
  const int check = 11 - sum % 11;
  if (check == 10) return 'X';
  if (check == 11) return '0';
  return static_cast<char>('0' + check);
}

absl::Status ValidateOrganizationCode(std::string_view org_code) {
  if (org_code.size() != 9) {
    return Invalid("organisation code",
                   "must be 9 characters, got " + std::to_string(org_code.size()));
  }
  for (size_t i = 0; i < 8; ++i) {
    if (OrganizationCharValue(org_code[i]) < 0) {
      return Invalid("organisation code", Quote(org_code[i]) + " at position " +
                                              std::to_string(i + 1) +
                                              " is not a digit or upper-case letter");
    }
  }
  const char expected = ComputeOrganizationCheckCharacter(org_code.substr(0, 8));
  if (expected != org_code[8]) {
    return Invalid("organisation code",
                   std::string("check character mismatch at position 9: expected '") + expected +
                       "', got '" + org_code[8] + "'");
  }
  return absl::OkStatus();
}

}  // namespace origo::usci
