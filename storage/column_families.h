#ifndef ORIGO_STORAGE_COLUMN_FAMILIES_H_
#define ORIGO_STORAGE_COLUMN_FAMILIES_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace origo::storage {

// The column-family registry: a persisted, APPEND-ONLY enum. Values and names are part of the
// on-disk format; never renumber, rename or reuse one. A store that contains a family not listed
// here was written by a newer Origo and is refused on open.
enum class ColumnFamily : uint32_t {
  kDefault = 0,          // RocksDB's own default family; unused by Origo.
  kMeta = 1,             // store info, tree size, latest checkpoint
  kLogEntries = 2,       // log index -> leaf
  kTreeNodes = 3,        // (level, index) -> Merkle node hash
  kEventIndex = 4,       // event id -> log index
  kIdentifierIndex = 5,  // identifier or query term + log index -> "" (see key_encoding.h)
  kLineageForward = 6,   // upstream identifier -> downstream identifier (see key_encoding.h)
  kLineageBackward = 7,  // downstream identifier -> upstream identifier
  kEnterprises = 8,      // USCI -> enterprise record
  kKeys = 9,             // key id -> enterprise key record
  kCertificates = 10,    // certificate records
  kBases = 11,           // production bases
  kCreditRecords = 12,   // credit archive records
  kBlacklist = 13,       // blacklist entries
  kTokens = 14,          // hashed bearer token -> token record
  kCheckpoints = 15,     // tree size -> signed checkpoint note
  kProvenance = 16,      // lineage facts, inspections, suspected violations, GI harvest
  kScans = 17,           // serialised item -> consumer scan count (merge operator)
};

inline constexpr int kColumnFamilyCount = 18;

struct ColumnFamilyInfo {
  ColumnFamily id;
  std::string_view name;
  // Length of the key prefix that point/prefix lookups share (0 = no prefix extractor).
  int prefix_length;
  // True for families read mostly by point lookups, which get a bloom filter.
  bool point_lookups;
};

// The registry in enum order. Index i describes ColumnFamily(i).
inline constexpr std::array<ColumnFamilyInfo, kColumnFamilyCount> kColumnFamilies = {{
    {ColumnFamily::kDefault, "default", 0, false},
    {ColumnFamily::kMeta, "meta", 0, true},
    {ColumnFamily::kLogEntries, "log_entries", 0, true},
    {ColumnFamily::kTreeNodes, "tree_nodes", 0, true},
    {ColumnFamily::kEventIndex, "event_index", 0, true},
    {ColumnFamily::kIdentifierIndex, "identifier_index", 0, false},
    {ColumnFamily::kLineageForward, "lineage_forward", 0, false},
    {ColumnFamily::kLineageBackward, "lineage_backward", 0, false},
    {ColumnFamily::kEnterprises, "enterprises", 0, true},
    {ColumnFamily::kKeys, "keys", 0, true},
    {ColumnFamily::kCertificates, "certificates", 0, false},
    {ColumnFamily::kBases, "bases", 0, false},
    {ColumnFamily::kCreditRecords, "credit_records", 0, false},
    {ColumnFamily::kBlacklist, "blacklist", 0, false},
    {ColumnFamily::kTokens, "tokens", 0, true},
    {ColumnFamily::kCheckpoints, "checkpoints", 0, true},
    {ColumnFamily::kProvenance, "provenance", 0, false},
    {ColumnFamily::kScans, "scans", 0, true},
}};

inline constexpr std::string_view ColumnFamilyName(ColumnFamily cf) {
  return kColumnFamilies[static_cast<uint32_t>(cf)].name;
}

// Returns the family registered under `name`, or nullopt for an unknown name.
inline std::optional<ColumnFamily> ColumnFamilyByName(std::string_view name) {
  for (const ColumnFamilyInfo& info : kColumnFamilies) {
    if (info.name == name) return info.id;
  }
  return std::nullopt;
}

}  // namespace origo::storage

#endif  // ORIGO_STORAGE_COLUMN_FAMILIES_H_
