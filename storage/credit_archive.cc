#include "storage/credit_archive.h"

#include <algorithm>

#include "core/base/status_macros.h"
#include "core/credit/blacklist.h"
#include "core/credit/records.h"
#include "origo/store/v1/credit.pb.h"
#include "rocksdb/write_batch.h"
#include "storage/key_encoding.h"

namespace origo::storage {
namespace {

constexpr uint8_t kRecordTag = 'R';
constexpr uint8_t kRecordFactTag = 'S';
constexpr uint8_t kFeedbackTag = 'F';
constexpr uint8_t kFeedbackFactTag = 'T';
constexpr uint8_t kWatermarkTag = 'W';

std::string TaggedPrefix(uint8_t tag, std::string_view usci) {
  std::string key;
  PutU8(&key, tag);
  PutString(&key, usci);
  return key;
}

std::string RecordKey(std::string_view usci, uint64_t index, uint8_t tag = kRecordTag) {
  std::string key = TaggedPrefix(tag, usci);
  PutU64(&key, index);
  return key;
}

std::string FeedbackKey(std::string_view usci, int64_t received_ms, uint32_t sequence,
                        uint8_t tag = kFeedbackTag) {
  std::string key = TaggedPrefix(tag, usci);
  PutU64(&key, static_cast<uint64_t>(received_ms));
  PutU32(&key, sequence);
  return key;
}

std::string WatermarkKey() {
  std::string key;
  PutU8(&key, kWatermarkTag);
  return key;
}

std::string BlacklistKey(std::string_view usci, uint64_t entry_id) {
  std::string key = StringPrefix(usci);
  PutU64(&key, entry_id);
  return key;
}

using origo::store::v1::RatingFact;

RatingFact ToStored(const credit::RecordFact& fact, int64_t known_unix_ms) {
  RatingFact stored;
  stored.set_known_unix_ms(known_unix_ms);
  if (const auto* f = std::get_if<credit::InspectionFact>(&fact)) {
    stored.set_kind(RatingFact::KIND_INSPECTION);
    stored.set_day(f->day);
    stored.set_passed(f->passed);
    stored.set_export_check(f->export_check);
  } else if (const auto* f = std::get_if<credit::PenaltyFact>(&fact)) {
    stored.set_kind(RatingFact::KIND_PENALTY);
    stored.set_day(f->day);
    stored.set_tier(f->tier);
    stored.set_index(f->index);
  } else if (const auto* f = std::get_if<credit::LossFact>(&fact)) {
    stored.set_kind(RatingFact::KIND_QUALITY_LOSS);
    stored.set_day(f->day);
    stored.set_loss_value(f->loss_value);
    stored.set_output_value(f->output_value);
  }
  return stored;
}

void AddStored(const RatingFact& f, credit::RatingFacts* facts) {
  switch (f.kind()) {
    case RatingFact::KIND_INSPECTION:
      facts->inspections.push_back({f.day(), f.passed(), f.export_check()});
      break;
    case RatingFact::KIND_PENALTY:
      facts->penalties.push_back({f.day(), f.tier(), f.index()});
      break;
    case RatingFact::KIND_QUALITY_LOSS:
      facts->losses.push_back({f.day(), f.loss_value(), f.output_value()});
      break;
    case RatingFact::KIND_FEEDBACK:
      facts->feedback.push_back({f.day(), f.rating()});
      break;
    default:
      break;
  }
}

bool HasPrefix(const rocksdb::Slice& key, std::string_view prefix) {
  return key.size() >= prefix.size() && key.ToStringView().substr(0, prefix.size()) == prefix;
}

// Iterates `cf` over keys starting with `prefix` from `start` (>= prefix), decoding each value
// as `Value` and handing it to `visit`.
template <typename Value>
absl::Status Scan(const ReadView& view, ColumnFamily cf, std::string_view prefix,
                  std::string_view start, std::string_view what,
                  const std::function<absl::Status(std::string_view key, Value&)>& visit) {
  auto it = view.NewIterator(cf);
  Value value;
  for (it->Seek(rocksdb::Slice(start.data(), start.size()));
       it->Valid() && HasPrefix(it->key(), prefix); it->Next()) {
    value.Clear();
    ORIGO_RETURN_IF_ERROR(DecodeValue(it->value().ToStringView(), &value, what));
    absl::Status status = visit(it->key().ToStringView(), value);
    if (status.code() == absl::StatusCode::kCancelled) return absl::OkStatus();  // stop early
    ORIGO_RETURN_IF_ERROR(status);
  }
  return FromRocks(it->status(), "scan " + std::string(what));
}

}  // namespace

absl::StatusOr<std::optional<std::string>> CreditArchive::Read(ColumnFamily cf,
                                                               std::string_view key,
                                                               const ReadView* view) const {
  if (view != nullptr) return view->Get(cf, key);
  return store_->Get(cf, key);
}

absl::Status CreditArchive::Write(const Commit& commit) {
  rocksdb::WriteBatch batch;
  rocksdb::ColumnFamilyHandle* records = store_->Family(ColumnFamily::kCreditRecords);
  rocksdb::ColumnFamilyHandle* blacklist = store_->Family(ColumnFamily::kBlacklist);
  origo::store::v1::ArchiveValue archive_value;
  for (const origo::v1::ArchiveEntry& entry : commit.entries) {
    const std::string& usci = credit::SubjectUsci(entry.record());
    if (usci.empty()) {
      return absl::InvalidArgumentError("archive entry at log index " +
                                        std::to_string(entry.index()) + " names no enterprise");
    }
    *archive_value.mutable_entry() = entry;
    batch.Put(records, RecordKey(usci, entry.index()), EncodeValue(archive_value));
    if (std::optional<credit::RecordFact> fact = credit::FactOf(entry)) {
      batch.Put(records, RecordKey(usci, entry.index(), kRecordFactTag),
                EncodeValue(ToStored(*fact, entry.record_unix_ms())));
    }
  }
  origo::store::v1::BlacklistValue blacklist_value;
  for (const origo::v1::BlacklistEntry& entry : commit.blacklist) {
    if (entry.usci().empty()) {
      return absl::InvalidArgumentError("blacklist entry " + std::to_string(entry.entry_id()) +
                                        " names no enterprise");
    }
    *blacklist_value.mutable_entry() = entry;
    blacklist_value.mutable_entry()->clear_status();
    batch.Put(blacklist, BlacklistKey(entry.usci(), entry.entry_id()),
              EncodeValue(blacklist_value));
  }
  for (const IndexPut& put : commit.index_puts) {
    batch.Put(store_->Family(put.family), put.key, put.value);
  }
  if (commit.applied_below.has_value()) {
    origo::store::v1::Watermark watermark;
    watermark.set_applied_below(*commit.applied_below);
    if (commit.records_indexed_from.has_value()) {
      watermark.set_records_indexed_from(*commit.records_indexed_from);
    }
    batch.Put(records, WatermarkKey(), EncodeValue(watermark));
  }
  if (batch.Count() == 0) return absl::OkStatus();
  return store_->Write(&batch);
}

absl::StatusOr<std::optional<origo::v1::ArchiveEntry>> CreditArchive::GetEntry(
    std::string_view usci, uint64_t index, const ReadView* view) const {
  ORIGO_ASSIGN_OR_RETURN(auto value,
                         Read(ColumnFamily::kCreditRecords, RecordKey(usci, index), view));
  if (!value.has_value()) return std::nullopt;
  origo::store::v1::ArchiveValue decoded;
  ORIGO_RETURN_IF_ERROR(DecodeValue(*value, &decoded, "credit archive entry"));
  return std::move(*decoded.mutable_entry());
}

absl::StatusOr<CreditArchive::Page> CreditArchive::ListEntries(std::string_view usci,
                                                               uint64_t start_index, size_t limit,
                                                               const ReadView* view) const {
  std::unique_ptr<ReadView> own;
  if (view == nullptr) view = (own = store_->Snapshot()).get();
  Page page;
  const std::string prefix = TaggedPrefix(kRecordTag, usci);
  ORIGO_RETURN_IF_ERROR(Scan<origo::store::v1::ArchiveValue>(
      *view, ColumnFamily::kCreditRecords, prefix, RecordKey(usci, start_index),
      "credit archive entry", [&](std::string_view, origo::store::v1::ArchiveValue& value) {
        if (page.entries.size() >= limit) {
          page.next_index = value.entry().index();
          return absl::CancelledError();
        }
        page.entries.push_back(std::move(*value.mutable_entry()));
        return absl::OkStatus();
      }));
  return page;
}

absl::StatusOr<std::vector<origo::v1::ArchiveEntry>> CreditArchive::AllEntries(
    std::string_view usci, const ReadView* view) const {
  ORIGO_ASSIGN_OR_RETURN(Page page, ListEntries(usci, 0, std::numeric_limits<size_t>::max(), view));
  return std::move(page.entries);
}

absl::Status CreditArchive::ForEachEntry(
    const std::function<absl::Status(const origo::v1::ArchiveEntry&)>& visit,
    const ReadView* view) const {
  std::unique_ptr<ReadView> own;
  if (view == nullptr) view = (own = store_->Snapshot()).get();
  std::string prefix;
  PutU8(&prefix, kRecordTag);
  return Scan<origo::store::v1::ArchiveValue>(
      *view, ColumnFamily::kCreditRecords, prefix, prefix, "credit archive entry",
      [&](std::string_view, origo::store::v1::ArchiveValue& value) {
        absl::Status status = visit(value.entry());
        // A visitor's CANCELLED must not be mistaken for Scan's early stop.
        if (status.code() == absl::StatusCode::kCancelled) {
          return absl::AbortedError(std::string(status.message()));
        }
        return status;
      });
}

absl::Status CreditArchive::AddFeedback(const origo::v1::Feedback& feedback,
                                        std::string_view source_hash) {
  if (feedback.enterprise().empty()) {
    return absl::InvalidArgumentError("feedback names no enterprise");
  }
  uint32_t sequence;
  {
    absl::MutexLock lock(&feedback_mu_);
    if (feedback.received_unix_ms() != last_feedback_ms_) {
      last_feedback_ms_ = feedback.received_unix_ms();
      feedback_sequence_ = 0;
    }
    sequence = feedback_sequence_++;
  }
  origo::store::v1::FeedbackValue value;
  *value.mutable_feedback() = feedback;
  value.set_source_hash(std::string(source_hash));
  RatingFact fact;
  fact.set_kind(RatingFact::KIND_FEEDBACK);
  fact.set_day(credit::DayOfUnixMs(feedback.received_unix_ms()));
  fact.set_known_unix_ms(feedback.received_unix_ms());
  fact.set_rating(feedback.rating());
  rocksdb::WriteBatch batch;
  rocksdb::ColumnFamilyHandle* records = store_->Family(ColumnFamily::kCreditRecords);
  batch.Put(records, FeedbackKey(feedback.enterprise(), feedback.received_unix_ms(), sequence),
            EncodeValue(value));
  batch.Put(
      records,
      FeedbackKey(feedback.enterprise(), feedback.received_unix_ms(), sequence, kFeedbackFactTag),
      EncodeValue(fact));
  return store_->Write(&batch);
}

absl::Status CreditArchive::LoadRatingFacts(std::string_view usci, int64_t known_by_unix_ms,
                                            credit::RatingFacts* facts,
                                            const ReadView* view) const {
  std::unique_ptr<ReadView> own;
  if (view == nullptr) view = (own = store_->Snapshot()).get();
  for (uint8_t tag : {kRecordFactTag, kFeedbackFactTag}) {
    const std::string prefix = TaggedPrefix(tag, usci);
    ORIGO_RETURN_IF_ERROR(Scan<RatingFact>(*view, ColumnFamily::kCreditRecords, prefix, prefix,
                                           "rating fact", [&](std::string_view, RatingFact& fact) {
                                             if (fact.known_unix_ms() <= known_by_unix_ms)
                                               AddStored(fact, facts);
                                             return absl::OkStatus();
                                           }));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<origo::v1::Feedback>> CreditArchive::ListFeedback(
    std::string_view usci, const ReadView* view) const {
  std::unique_ptr<ReadView> own;
  if (view == nullptr) view = (own = store_->Snapshot()).get();
  std::vector<origo::v1::Feedback> out;
  const std::string prefix = TaggedPrefix(kFeedbackTag, usci);
  ORIGO_RETURN_IF_ERROR(Scan<origo::store::v1::FeedbackValue>(
      *view, ColumnFamily::kCreditRecords, prefix, prefix, "feedback",
      [&](std::string_view, origo::store::v1::FeedbackValue& value) {
        out.push_back(std::move(*value.mutable_feedback()));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::optional<origo::v1::BlacklistEntry>> CreditArchive::GetBlacklistEntry(
    std::string_view usci, uint64_t entry_id, const ReadView* view) const {
  ORIGO_ASSIGN_OR_RETURN(auto value,
                         Read(ColumnFamily::kBlacklist, BlacklistKey(usci, entry_id), view));
  if (!value.has_value()) return std::nullopt;
  origo::store::v1::BlacklistValue decoded;
  ORIGO_RETURN_IF_ERROR(DecodeValue(*value, &decoded, "blacklist entry"));
  return std::move(*decoded.mutable_entry());
}

absl::StatusOr<std::vector<origo::v1::BlacklistEntry>> CreditArchive::ListBlacklist(
    std::string_view usci, const ReadView* view) const {
  std::unique_ptr<ReadView> own;
  if (view == nullptr) view = (own = store_->Snapshot()).get();
  std::vector<origo::v1::BlacklistEntry> out;
  const std::string prefix = usci.empty() ? std::string() : StringPrefix(usci);
  ORIGO_RETURN_IF_ERROR(Scan<origo::store::v1::BlacklistValue>(
      *view, ColumnFamily::kBlacklist, prefix, prefix, "blacklist entry",
      [&](std::string_view, origo::store::v1::BlacklistValue& value) {
        out.push_back(std::move(*value.mutable_entry()));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::optional<origo::v1::BlacklistEntry>> CreditArchive::ActiveListing(
    std::string_view usci, int64_t now_unix_ms) const {
  ORIGO_ASSIGN_OR_RETURN(std::vector<origo::v1::BlacklistEntry> entries,
                         ListBlacklist(usci, nullptr));
  std::optional<origo::v1::BlacklistEntry> worst;
  for (const origo::v1::BlacklistEntry& entry : entries) {
    if (!credit::IsListedAt(entry, now_unix_ms)) continue;
    if (!worst || entry.tier() > worst->tier() ||
        (entry.tier() == worst->tier() && entry.listed_date() < worst->listed_date())) {
      worst = credit::ViewAt(entry, now_unix_ms);
    }
  }
  return worst;
}

absl::StatusOr<uint64_t> CreditArchive::AppliedBelow(const ReadView* view) const {
  ORIGO_ASSIGN_OR_RETURN(origo::store::v1::Watermark watermark, Watermark(view));
  return watermark.applied_below();
}

absl::StatusOr<origo::store::v1::Watermark> CreditArchive::Watermark(const ReadView* view) const {
  origo::store::v1::Watermark decoded;
  ORIGO_ASSIGN_OR_RETURN(auto value, Read(ColumnFamily::kCreditRecords, WatermarkKey(), view));
  if (value.has_value()) {
    ORIGO_RETURN_IF_ERROR(DecodeValue(*value, &decoded, "credit archive watermark"));
  }
  return decoded;
}

}  // namespace origo::storage
