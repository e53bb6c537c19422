#ifndef ORIGO_STORAGE_KEY_ENCODING_H_
#define ORIGO_STORAGE_KEY_ENCODING_H_

// Every key and value format Origo writes to RocksDB, in one place.
//
// Integers are big-endian so that RocksDB's bytewise order is numeric order. Sizes, indexes and
// times are 64-bit. Strings inside composite keys are length-prefixed (u16) unless they end the
// key.
//
//   u8      := one byte
//   u16     := 2 bytes big-endian
//   u32     := 4 bytes big-endian
//   u64     := 8 bytes big-endian
//   str     := u16 length, then that many bytes
//   rest    := all remaining bytes of the key
//
// Keys, per column family:
//   meta             : rest                            ASCII name, e.g. "store", "tree_size"
//   log_entries      : u64 index                       log index of the leaf
//   tree_nodes       : u8 level, u64 index             perfect subtree covering
//                                                      [index << level, (index + 1) << level)
//   event_index      : rest = 32-byte event id         SHA-256 of the event bytes
//   identifier_index : str identifier, u64 index       canonical Digital Link path or query
//                                                      term -> log index (not written for an
//                                                      identifier the event has a lineage fact
//                                                      for: the fact's key has the index)
//   lineage_forward  : str from, str to, rest = 32-byte event id
//                                                      from = upstream (transformation input,
//                                                      aggregated/associated child), to =
//                                                      downstream (output, container parent);
//                                                      value LineageEdge (store/v1/lineage.proto)
//   lineage_backward : str to, str from, rest = 32-byte event id
//                                                      the same edge, read upstream
//   enterprises      : rest = USCI
//   keys             : rest = key id (hex)
//   certificates     : str USCI, rest = certificate id
//   bases            : str USCI, rest = base id
//   credit_records   : 'R' str USCI, u64 log index     signed credit record (ArchiveValue)
//                    | 'S' str USCI, u64 log index     its rating fact (RatingFact)
//                    | 'F' str USCI, u64 received ms, u32 sequence
//                                                      consumer feedback (FeedbackValue)
//                    | 'T' str USCI, u64 received ms, u32 sequence
//                                                      its rating fact (RatingFact)
//                    | 'W'                             log watermark (Watermark)
//                                                      ('R', 'S', 'F', 'T', 'W': one u8 tag)
//   blacklist        : str USCI, u64 entry id          entry id = log index of the record that
//                                                      created the entry (BlacklistValue)
//   tokens           : rest = SHA-256 of the token
//   checkpoints      : u64 tree size
//   provenance       : 'F' str identifier, u64 log index, rest = 32-byte event id
//                                                                   -> LineageFact
//                      ('F' str identifier, rest = 32-byte event id in stores written before
//                      the log index was in the key; both are read)
//                      'I' str identifier, rest = 32-byte inspection id -> StoredInspection
//                      'V' u64 recorded unix ms, rest = 32-byte id  -> SuspectedViolation
//                      'H' str base ("USCI/base id"), u16 year, rest = 32-byte event id
//                                                                   -> HarvestRecord
//                      (the tag is one u8; values in proto/origo/store/v1/lineage.proto)
//   scans            : rest = canonical Digital Link path of a serialised item (GTIN + AI 21)
//                      -> u8 version, u64 count, u64 first scan unix ms, u64 last scan unix ms
//                      (raw, not a proto: written only as merge operands that storage/
//                      scan_counter.h adds up, so concurrent page views need no read-modify-write)
//
// Values: every value starts with a format-version byte, then the payload:
//   value   := u8 version, payload
//   payload := serialized origo.store.v1 message | raw bytes (tree nodes: 32-byte hash)
// A value whose version byte is unknown, or whose payload does not parse, is reported as
// DATA_LOSS by the reader: corruption surfaces as an error, never a crash.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace google::protobuf {
class MessageLite;
}

namespace origo::storage {

// Current version byte for values written by this build.
inline constexpr uint8_t kValueVersion = 1;

void PutU8(std::string* out, uint8_t v);
void PutU16(std::string* out, uint16_t v);
void PutU32(std::string* out, uint32_t v);
void PutU64(std::string* out, uint64_t v);
// Appends `s` as a `str` (u16 length prefix). Strings longer than 65535 bytes are truncated by
// no one: callers bound identifier lengths well below that, and this function CHECK-fails in
// debug builds if violated.
void PutString(std::string* out, std::string_view s);

// A cursor over an encoded key. Each Get* returns false when the input is too short.
class KeyReader {
 public:
  explicit KeyReader(std::string_view in) : in_(in) {}
  bool GetU8(uint8_t* v);
  bool GetU16(uint16_t* v);
  bool GetU32(uint32_t* v);
  bool GetU64(uint64_t* v);
  bool GetString(std::string_view* v);
  std::string_view Rest() const { return in_; }
  bool Done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

// Convenience key builders.
std::string U64Key(uint64_t v);
std::string TreeNodeKey(uint8_t level, uint64_t index);
std::string IdentifierKey(std::string_view identifier, uint64_t index);
std::string IdentifierPrefix(std::string_view identifier);
std::string PairKey(std::string_view a, std::string_view b);
std::string StringPrefix(std::string_view a);

// Decodes a u64 key; DATA_LOSS if it is not exactly 8 bytes.
absl::StatusOr<uint64_t> DecodeU64Key(std::string_view key);

// Value framing: version byte + serialized message.
std::string EncodeValue(const google::protobuf::MessageLite& message);
std::string EncodeRawValue(std::string_view payload);
// Parses a value into `message`; DATA_LOSS naming `what` on an unknown version or bad payload.
absl::Status DecodeValue(std::string_view value, google::protobuf::MessageLite* message,
                         std::string_view what);
// Returns the payload of a raw value; DATA_LOSS on an unknown version.
absl::StatusOr<std::string_view> DecodeRawValue(std::string_view value, std::string_view what);

}  // namespace origo::storage

#endif  // ORIGO_STORAGE_KEY_ENCODING_H_
