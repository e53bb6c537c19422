#include "storage/key_encoding.h"

#include <gtest/gtest.h>

#include "origo/store/v1/meta.pb.h"

namespace origo::storage {
namespace {

TEST(KeyEncodingTest, BigEndianIntegersSortNumerically) {
  EXPECT_LT(U64Key(1), U64Key(2));
  EXPECT_LT(U64Key(255), U64Key(256));
  EXPECT_LT(U64Key(0xffffffffull), U64Key(0x100000000ull));
  EXPECT_EQ(U64Key(0x0102030405060708ull), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
}

TEST(KeyEncodingTest, U64KeyRoundTripsAndRejectsWrongLength) {
  auto decoded = DecodeU64Key(U64Key(123456789012345ull));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, 123456789012345ull);
  EXPECT_EQ(DecodeU64Key("short").status().code(), absl::StatusCode::kDataLoss);
}

TEST(KeyEncodingTest, IdentifierKeysGroupByIdentifierThenIndex) {
  // A prefix scan for one identifier must not see a longer identifier that starts the same.
  std::string a1 = IdentifierKey("/01/1/10/A", 1);
  std::string a2 = IdentifierKey("/01/1/10/A", 2);
  std::string ab = IdentifierKey("/01/1/10/AB", 0);
  EXPECT_LT(a1, a2);
  EXPECT_EQ(a1.rfind(IdentifierPrefix("/01/1/10/A"), 0), 0u);
  EXPECT_NE(ab.rfind(IdentifierPrefix("/01/1/10/A"), 0), 0u);
  KeyReader reader(a2);
  std::string_view id;
  uint64_t index = 0;
  ASSERT_TRUE(reader.GetString(&id));
  ASSERT_TRUE(reader.GetU64(&index));
  EXPECT_TRUE(reader.Done());
  EXPECT_EQ(id, "/01/1/10/A");
  EXPECT_EQ(index, 2u);
}

TEST(KeyEncodingTest, TruncatedKeyIsReportedNotOverread) {
  KeyReader reader(
      std::string_view("\x00\x05"
                       "ab",
                       4));
  std::string_view s;
  EXPECT_FALSE(reader.GetString(&s));
}

TEST(ValueEncodingTest, VersionByteLeadsEveryValue) {
  origo::store::v1::StoreInfo info;
  info.set_format(7);
  std::string value = EncodeValue(info);
  ASSERT_FALSE(value.empty());
  EXPECT_EQ(static_cast<uint8_t>(value[0]), kValueVersion);
  origo::store::v1::StoreInfo back;
  ASSERT_TRUE(DecodeValue(value, &back, "store info").ok());
  EXPECT_EQ(back.format(), 7u);
}

TEST(ValueEncodingTest, UnknownVersionOrGarbageIsDataLoss) {
  origo::store::v1::StoreInfo info;
  std::string unknown_version = "\x09" + info.SerializeAsString();
  absl::Status s = DecodeValue(unknown_version, &info, "store info");
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("unknown format version 9"), std::string::npos);
  EXPECT_EQ(DecodeValue("", &info, "store info").code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeValue(std::string("\x01\xff\xff\xff", 4), &info, "store info").code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace origo::storage
