#include "storage/scan_counter.h"

#include <algorithm>
#include <string>

#include "storage/key_encoding.h"

namespace origo::storage {
namespace {

constexpr size_t kValueSize = 1 + 3 * 8;

std::string Encode(const ScanCount& c) {
  std::string out;
  out.reserve(kValueSize);
  PutU8(&out, kValueVersion);
  PutU64(&out, c.count);
  PutU64(&out, static_cast<uint64_t>(c.first_unix_ms));
  PutU64(&out, static_cast<uint64_t>(c.last_unix_ms));
  return out;
}

bool Decode(std::string_view in, ScanCount* c) {
  if (in.size() != kValueSize) return false;
  KeyReader r(in);
  uint8_t version = 0;
  uint64_t first = 0, last = 0;
  if (!r.GetU8(&version) || version != kValueVersion || !r.GetU64(&c->count) || !r.GetU64(&first) ||
      !r.GetU64(&last)) {
    return false;
  }
  c->first_unix_ms = static_cast<int64_t>(first);
  c->last_unix_ms = static_cast<int64_t>(last);
  return true;
}

// Sums counts, keeps the earliest first and the latest last scan. Associative, so RocksDB may
// combine operands in any grouping. A malformed operand fails the merge, which RocksDB reports as
// corruption on read (DATA_LOSS): a bad value surfaces instead of being silently reset.
class ScanCountMerge : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    ScanCount add;
    if (!Decode(std::string_view(value.data(), value.size()), &add)) return false;
    if (existing == nullptr) {
      *new_value = Encode(add);
      return true;
    }
    ScanCount sum;
    if (!Decode(std::string_view(existing->data(), existing->size()), &sum)) return false;
    sum.count += add.count;
    sum.first_unix_ms = std::min(sum.first_unix_ms, add.first_unix_ms);
    sum.last_unix_ms = std::max(sum.last_unix_ms, add.last_unix_ms);
    *new_value = Encode(sum);
    return true;
  }
  const char* Name() const override { return "origo.ScanCountMerge.v1"; }
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> ScanCountMergeOperator() {
  static const auto* const op = new std::shared_ptr<rocksdb::MergeOperator>(new ScanCountMerge());
  return *op;
}

absl::Status ScanCounter::Record(std::string_view item, int64_t now_unix_ms) {
  rocksdb::WriteOptions options;
  options.sync = false;
  return FromRocks(store_->db()->Merge(options, store_->Family(ColumnFamily::kScans),
                                       rocksdb::Slice(item.data(), item.size()),
                                       Encode(ScanCount{1, now_unix_ms, now_unix_ms})),
                   "record scan");
}

absl::StatusOr<ScanCount> ScanCounter::Get(std::string_view item) const {
  auto value = store_->Get(ColumnFamily::kScans, item);
  if (!value.ok()) return value.status();
  ScanCount count;
  if (!value->has_value()) return count;
  if (!Decode(**value, &count)) {
    return absl::DataLossError("scans: the stored count of " + std::string(item) +
                               " does not decode");
  }
  return count;
}

}  // namespace origo::storage
