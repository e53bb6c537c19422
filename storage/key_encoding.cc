#include "storage/key_encoding.h"

#include <cassert>

#include "absl/status/status.h"
#include "google/protobuf/message_lite.h"

namespace origo::storage {

void PutU8(std::string* out, uint8_t v) { out->push_back(static_cast<char>(v)); }

void PutU16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}

void PutU32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

void PutU64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

void PutString(std::string* out, std::string_view s) {
  assert(s.size() <= 0xffff);
  PutU16(out, static_cast<uint16_t>(s.size()));
  out->append(s.data(), s.size() > 0xffff ? 0xffff : s.size());
}

namespace {
uint64_t ReadBigEndian(std::string_view in, int width) {
  uint64_t v = 0;
  for (int i = 0; i < width; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}
}  // namespace

bool KeyReader::GetU8(uint8_t* v) {
  if (in_.size() < 1) return false;
  *v = static_cast<uint8_t>(in_[0]);
  in_.remove_prefix(1);
  return true;
}

bool KeyReader::GetU16(uint16_t* v) {
  if (in_.size() < 2) return false;
  *v = static_cast<uint16_t>(ReadBigEndian(in_, 2));
  in_.remove_prefix(2);
  return true;
}

bool KeyReader::GetU32(uint32_t* v) {
  if (in_.size() < 4) return false;
  *v = static_cast<uint32_t>(ReadBigEndian(in_, 4));
  in_.remove_prefix(4);
  return true;
}

bool KeyReader::GetU64(uint64_t* v) {
  if (in_.size() < 8) return false;
  *v = ReadBigEndian(in_, 8);
  in_.remove_prefix(8);
  return true;
}

bool KeyReader::GetString(std::string_view* v) {
  uint16_t len = 0;
  if (!GetU16(&len) || in_.size() < len) return false;
  *v = in_.substr(0, len);
  in_.remove_prefix(len);
  return true;
}

std::string U64Key(uint64_t v) {
  std::string key;
  PutU64(&key, v);
  return key;
}

std::string TreeNodeKey(uint8_t level, uint64_t index) {
  std::string key;
  PutU8(&key, level);
  PutU64(&key, index);
  return key;
}

std::string IdentifierKey(std::string_view identifier, uint64_t index) {
  std::string key = IdentifierPrefix(identifier);
  PutU64(&key, index);
  return key;
}

std::string IdentifierPrefix(std::string_view identifier) {
  std::string key;
  PutString(&key, identifier);
  return key;
}

std::string PairKey(std::string_view a, std::string_view b) {
  std::string key;
  PutString(&key, a);
  PutString(&key, b);
  return key;
}

std::string StringPrefix(std::string_view a) {
  std::string key;
  PutString(&key, a);
  return key;
}

absl::StatusOr<uint64_t> DecodeU64Key(std::string_view key) {
  if (key.size() != 8) {
    return absl::DataLossError("key of " + std::to_string(key.size()) +
                               " bytes where an 8-byte integer was expected");
  }
  return ReadBigEndian(key, 8);
}

std::string EncodeValue(const google::protobuf::MessageLite& message) {
  std::string value;
  value.reserve(1 + message.ByteSizeLong());
  PutU8(&value, kValueVersion);
  message.AppendToString(&value);
  return value;
}

std::string EncodeRawValue(std::string_view payload) {
  std::string value;
  value.reserve(1 + payload.size());
  PutU8(&value, kValueVersion);
  value.append(payload);
  return value;
}

absl::StatusOr<std::string_view> DecodeRawValue(std::string_view value, std::string_view what) {
  if (value.empty()) {
    return absl::DataLossError("stored " + std::string(what) + " is empty (no version byte)");
  }
  const uint8_t version = static_cast<uint8_t>(value[0]);
  if (version != kValueVersion) {
    return absl::DataLossError("stored " + std::string(what) + " has unknown format version " +
                               std::to_string(version));
  }
  return value.substr(1);
}

absl::Status DecodeValue(std::string_view value, google::protobuf::MessageLite* message,
                         std::string_view what) {
  auto payload = DecodeRawValue(value, what);
  if (!payload.ok()) return payload.status();
  if (!message->ParseFromArray(payload->data(), static_cast<int>(payload->size()))) {
    return absl::DataLossError("stored " + std::string(what) + " does not parse");
  }
  return absl::OkStatus();
}

}  // namespace origo::storage
