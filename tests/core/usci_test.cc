#include "core/usci/usci.h"

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace origo::usci {
namespace {

using ::testing::HasSubstr;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

// Codes as published for real enterprises; each satisfies both check characters (verified with an
// independent script, not with this implementation).
constexpr std::string_view kRealCodes[] = {
    "91350100M000100Y43", "91110108551385082Q", "91310000132149237G",
    "914403001922038216", "91110000100010249W", "91230184MA1BUFLT44",
    "92371000MA3MXH0E3W", "91440300MA5H0HLK5U", "91133100MA0D8N1J7G",
};

TEST(UsciTest, RealCodesValidate) {
  for (std::string_view code : kRealCodes) {
    EXPECT_TRUE(Validate(code).ok()) << code << ": " << Validate(code);
    EXPECT_EQ(ComputeCheckCharacter(code.substr(0, 17)), code[17]) << code;
  }
}

TEST(UsciTest, RealCodesCarryAValidOrganizationCode) {
  for (std::string_view code : kRealCodes) {
    EXPECT_TRUE(ValidateOrganizationCode(OrganizationCode(code)).ok())
        << code << ": " << ValidateOrganizationCode(OrganizationCode(code));
  }
}

// The enterprises in testdata/capture/goji must be accepted. Their embedded organisation codes
// do not satisfy GB 11714, which is why Validate does not enforce that check.
TEST(UsciTest, GojiFixtureEnterprisesValidate) {
  EXPECT_TRUE(Validate("91640521MA76GJ0Q1B").ok()) << Validate("91640521MA76GJ0Q1B");
  EXPECT_TRUE(Validate("91640100MA77XL2X3M").ok()) << Validate("91640100MA77XL2X3M");
  EXPECT_FALSE(ValidateOrganizationCode(OrganizationCode("91640521MA76GJ0Q1B")).ok());
  EXPECT_FALSE(ValidateOrganizationCode(OrganizationCode("91640100MA77XL2X3M")).ok());
}

TEST(UsciTest, RemainderZeroIsWrittenAsZero) {
  // Weighted sum of the first 17 characters is a multiple of 31: 31 - 0 = 31 -> '0'.
  EXPECT_EQ(ComputeCheckCharacter("91110000MA000000F"), '0');
  EXPECT_TRUE(Validate("91110000MA000000F0").ok());
}

TEST(UsciTest, ComputeCheckCharacterRejectsBadInput) {
  EXPECT_EQ(ComputeCheckCharacter("91350100M000100Y"), '\0');    // 16 characters.
  EXPECT_EQ(ComputeCheckCharacter("91350100M000100YI"), '\0');   // I is not in the charset.
  EXPECT_EQ(ComputeCheckCharacter("91350100M000100Y43"), '\0');  // 18 characters.
}

TEST(UsciTest, CheckCharacterMismatchNamesExpectedAndActual) {
  // An example often quoted as valid; its check character is really 'M'.
  const absl::Status status = Validate("911100001000057008");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(status), HasSubstr("position 18: expected 'M', got '8'"));

  EXPECT_THAT(Message(Validate("91350100M000100Y44")), HasSubstr("expected '3', got '4'"));
}

TEST(UsciTest, WrongLengthIsRejected) {
  for (std::string_view code : {"", "91350100M000100Y4", "91350100M000100Y433"}) {
    const absl::Status status = Validate(code);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << code;
    EXPECT_THAT(Message(status), HasSubstr("must be 18 characters")) << code;
  }
}

TEST(UsciTest, LowercaseIsRejected) {
  const absl::Status status = Validate("91350100m000100Y43");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(status), HasSubstr("'m' at position 9"));
  EXPECT_THAT(Message(status), HasSubstr("upper case"));
}

TEST(UsciTest, ForbiddenLettersAreRejected) {
  for (char forbidden : {'I', 'O', 'Z', 'S', 'V'}) {
    std::string code = "91350100M000100Y43";
    code[9] = forbidden;
    const absl::Status status = Validate(code);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << code;
    EXPECT_THAT(Message(status), HasSubstr("at position 10 is not allowed")) << code;
  }
  EXPECT_THAT(Message(Validate("91350100M000100Y4-")), HasSubstr("position 18"));
  EXPECT_THAT(Message(Validate(std::string_view("91350100M000100\0"
                                                "43",
                                                18))),
              HasSubstr("byte 0x00 at position 16"));
}

TEST(UsciTest, AdministrativeDivisionMustBeDigits) {
  const absl::Status status = Validate("9135A100M000100Y43");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(status), HasSubstr("position 5 is not a digit"));
}

TEST(UsciTest, OrganizationCodeCheckCharacter) {
  EXPECT_EQ(OrganizationCode("91350100M000100Y43"), "M000100Y4");
  EXPECT_EQ(OrganizationCode("9135"), "");
  EXPECT_EQ(ComputeOrganizationCheckCharacter("M000100Y"), '4');
  EXPECT_EQ(ComputeOrganizationCheckCharacter("10000018"), 'X');  // 11 - 1 = 10 -> 'X'.
  EXPECT_EQ(ComputeOrganizationCheckCharacter("10000004"), '0');  // 11 - 0 = 11 -> '0'.
  EXPECT_EQ(ComputeOrganizationCheckCharacter("1000000"), '\0');
  EXPECT_EQ(ComputeOrganizationCheckCharacter("1000000a"), '\0');
  EXPECT_TRUE(ValidateOrganizationCode("10000018X").ok());
  EXPECT_TRUE(ValidateOrganizationCode("100000040").ok());

  const absl::Status mismatch = ValidateOrganizationCode("M000100Y5");
  EXPECT_EQ(mismatch.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(mismatch), HasSubstr("position 9: expected '4', got '5'"));
  EXPECT_THAT(Message(ValidateOrganizationCode("M000100Y")), HasSubstr("must be 9 characters"));
  EXPECT_THAT(Message(ValidateOrganizationCode("m000100Y4")), HasSubstr("position 1"));
}

}  // namespace
}  // namespace origo::usci
