#include "storage/credit_archive.h"

#include <gtest/gtest.h>

#include "core/credit/blacklist.h"
#include "core/credit/dates.h"
#include "rocksdb/write_batch.h"
#include "storage/key_encoding.h"
#include "tests/test_util.h"

namespace origo::storage {
namespace {

using origo::testing::TempDir;

constexpr char kGoji[] = "91640521MA76GJ0Q1B";
constexpr char kWinery[] = "91640100MA77XL2X3M";

int64_t At(const char* date) {
  return credit::StartOfDayUnixMs(credit::ParseDate("test", date).value()) + 12 * 3600 * 1000;
}

origo::v1::ArchiveEntry Entry(const std::string& usci, uint64_t index) {
  origo::v1::ArchiveEntry entry;
  entry.set_index(index);
  entry.set_record_id("id" + std::to_string(index));
  entry.set_record_unix_ms(At("2026-05-01") + static_cast<int64_t>(index));
  entry.set_author_usci(kWinery);
  auto* inspection = entry.mutable_record()->mutable_inspection();
  inspection->set_type("InspectionRecord");
  inspection->set_enterprise(usci);
  inspection->set_report_no("R-" + std::to_string(index));
  return entry;
}

origo::v1::BlacklistEntry Listing(const std::string& usci, uint64_t id, origo::v1::Tier tier,
                                  const char* listed, const char* max_until) {
  origo::v1::BlacklistEntry entry;
  entry.set_usci(usci);
  entry.set_entry_id(id);
  entry.set_tier(tier);
  entry.set_listed_date(listed);
  entry.set_min_until(listed);
  entry.set_max_until(max_until);
  entry.set_listed_unix_ms(At(listed));
  return entry;
}

class CreditArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    auto store = Store::Open(dir_.Sub("db"));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    archive_ = std::make_unique<CreditArchive>(store_.get());
  }

  void Reopen() {
    archive_.reset();
    ASSERT_TRUE(store_->Close().ok());
    store_.reset();
    Open();
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<CreditArchive> archive_;
};

TEST_F(CreditArchiveTest, EntriesAreKeptPerEnterpriseInLogOrderAndPaged) {
  CreditArchive::Commit commit;
  for (uint64_t i : {9, 3, 5, 12, 7}) commit.entries.push_back(Entry(kGoji, i));
  commit.entries.push_back(Entry(kWinery, 4));
  ASSERT_TRUE(archive_->Write(commit).ok());

  auto all = archive_->AllEntries(kGoji, nullptr).value();
  ASSERT_EQ(all.size(), 5u);
  std::vector<uint64_t> indexes;
  for (const auto& e : all) indexes.push_back(e.index());
  EXPECT_EQ(indexes, (std::vector<uint64_t>{3, 5, 7, 9, 12}));

  auto first = archive_->ListEntries(kGoji, 0, 2, nullptr).value();
  ASSERT_EQ(first.entries.size(), 2u);
  ASSERT_TRUE(first.next_index.has_value());
  EXPECT_EQ(*first.next_index, 7u);
  auto second = archive_->ListEntries(kGoji, *first.next_index, 10, nullptr).value();
  ASSERT_EQ(second.entries.size(), 3u);
  EXPECT_FALSE(second.next_index.has_value());

  auto one = archive_->GetEntry(kWinery, 4, nullptr).value();
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->record().inspection().report_no(), "R-4");
  EXPECT_FALSE(archive_->GetEntry(kWinery, 5, nullptr).value().has_value());

  size_t visited = 0;
  ASSERT_TRUE(archive_
                  ->ForEachEntry(
                      [&](const origo::v1::ArchiveEntry&) {
                        ++visited;
                        return absl::OkStatus();
                      },
                      nullptr)
                  .ok());
  EXPECT_EQ(visited, 6u);
  absl::Status stopped = archive_->ForEachEntry(
      [](const origo::v1::ArchiveEntry&) { return absl::CancelledError("stop"); }, nullptr);
  EXPECT_EQ(stopped.code(), absl::StatusCode::kAborted);
}

TEST_F(CreditArchiveTest, WritingARecordAgainChangesNothing) {
  CreditArchive::Commit commit;
  commit.entries.push_back(Entry(kGoji, 3));
  ASSERT_TRUE(archive_->Write(commit).ok());
  ASSERT_TRUE(archive_->Write(commit).ok());
  EXPECT_EQ(archive_->AllEntries(kGoji, nullptr).value().size(), 1u);
}

TEST_F(CreditArchiveTest, WatermarkIsWrittenWithItsEntriesAndSurvivesReopen) {
  EXPECT_EQ(archive_->AppliedBelow(nullptr).value(), 0u);
  CreditArchive::Commit commit;
  commit.entries.push_back(Entry(kGoji, 41));
  commit.applied_below = 42;
  ASSERT_TRUE(archive_->Write(commit).ok());
  Reopen();
  EXPECT_EQ(archive_->AppliedBelow(nullptr).value(), 42u);
  EXPECT_TRUE(archive_->GetEntry(kGoji, 41, nullptr).value().has_value());
  // The watermark is not an archive entry.
  size_t visited = 0;
  ASSERT_TRUE(archive_
                  ->ForEachEntry(
                      [&](const origo::v1::ArchiveEntry&) {
                        ++visited;
                        return absl::OkStatus();
                      },
                      nullptr)
                  .ok());
  EXPECT_EQ(visited, 1u);
}

TEST_F(CreditArchiveTest, FeedbackIsKeptInArrivalOrderApartFromRecords) {
  for (int i = 0; i < 3; ++i) {
    origo::v1::Feedback feedback;
    feedback.set_enterprise(kGoji);
    feedback.set_rating(static_cast<uint32_t>(i + 1));
    feedback.set_received_unix_ms(At("2026-05-02"));  // the same millisecond
    ASSERT_TRUE(archive_->AddFeedback(feedback, "hash").ok());
  }
  auto feedback = archive_->ListFeedback(kGoji, nullptr).value();
  ASSERT_EQ(feedback.size(), 3u);
  EXPECT_EQ(feedback[0].rating(), 1u);
  EXPECT_EQ(feedback[2].rating(), 3u);
  EXPECT_TRUE(archive_->AllEntries(kGoji, nullptr).value().empty());
  EXPECT_TRUE(archive_->ListFeedback(kWinery, nullptr).value().empty());
}

TEST_F(CreditArchiveTest, RatingFactsAreWrittenWithTheirRecordsAndFilteredByKnownTime) {
  CreditArchive::Commit commit;
  origo::v1::ArchiveEntry inspection = Entry(kGoji, 3);
  inspection.mutable_record()->mutable_inspection()->set_sampling_date("2026-04-30");
  inspection.mutable_record()->mutable_inspection()->set_verdict(origo::v1::VERDICT_PASS);
  inspection.set_record_unix_ms(At("2026-05-01"));
  commit.entries.push_back(inspection);
  origo::v1::ArchiveEntry penalty;
  penalty.set_index(8);
  penalty.set_record_unix_ms(At("2026-05-03"));
  auto* p = penalty.mutable_record()->mutable_penalty();
  p->set_enterprise(kGoji);
  p->set_tier(origo::v1::TIER_SERIOUS);
  p->set_date("2026-05-02");
  commit.entries.push_back(penalty);
  origo::v1::ArchiveEntry listing = Entry(kGoji, 9);  // carries no rating fact
  listing.mutable_record()->mutable_listing()->set_enterprise(kGoji);
  commit.entries.push_back(listing);
  ASSERT_TRUE(archive_->Write(commit).ok());
  origo::v1::Feedback feedback;
  feedback.set_enterprise(kGoji);
  feedback.set_rating(2);
  feedback.set_received_unix_ms(At("2026-05-02"));
  ASSERT_TRUE(archive_->AddFeedback(feedback, "hash").ok());

  credit::RatingFacts all;
  ASSERT_TRUE(archive_->LoadRatingFacts(kGoji, At("2026-06-01"), &all, nullptr).ok());
  ASSERT_EQ(all.inspections.size(), 1u);
  EXPECT_EQ(credit::FormatDate(all.inspections[0].day), "2026-04-30");
  EXPECT_TRUE(all.inspections[0].passed);
  ASSERT_EQ(all.penalties.size(), 1u);
  EXPECT_EQ(all.penalties[0].tier, origo::v1::TIER_SERIOUS);
  EXPECT_EQ(all.penalties[0].index, 8u);
  ASSERT_EQ(all.feedback.size(), 1u);
  EXPECT_EQ(all.feedback[0].rating, 2u);

  credit::RatingFacts early;
  ASSERT_TRUE(archive_->LoadRatingFacts(kGoji, At("2026-05-02"), &early, nullptr).ok());
  EXPECT_EQ(early.inspections.size(), 1u);
  EXPECT_TRUE(early.penalties.empty());  // recorded on 2026-05-03
  EXPECT_EQ(early.feedback.size(), 1u);
}

TEST_F(CreditArchiveTest, ActiveListingIsTheExportRefusalQuery) {
  EXPECT_FALSE(archive_->ActiveListing(kGoji, At("2026-06-01")).value().has_value());
  CreditArchive::Commit commit;
  commit.blacklist.push_back(Listing(kGoji, 10, origo::v1::TIER_LIGHT, "2026-05-01", "2026-08-01"));
  commit.blacklist.push_back(
      Listing(kGoji, 20, origo::v1::TIER_SERIOUS, "2026-05-10", "2029-05-10"));
  commit.blacklist.push_back(
      Listing(kWinery, 30, origo::v1::TIER_GENERAL, "2026-05-10", "2027-05-10"));
  commit.blacklist.back().set_status(origo::v1::BLACKLIST_STATUS_LISTED);  // never stored
  ASSERT_TRUE(archive_->Write(commit).ok());

  EXPECT_EQ(archive_->GetBlacklistEntry(kWinery, 30, nullptr).value()->status(),
            origo::v1::BLACKLIST_STATUS_UNSPECIFIED);
  EXPECT_EQ(archive_->ListBlacklist("", nullptr).value().size(), 3u);
  EXPECT_EQ(archive_->ListBlacklist(kGoji, nullptr).value().size(), 2u);

  // Before the SERIOUS listing only the LIGHT one is active; then the most severe.
  auto active = archive_->ActiveListing(kGoji, At("2026-05-05")).value();
  ASSERT_TRUE(active.has_value());
  EXPECT_EQ(active->entry_id(), 10u);
  EXPECT_EQ(active->status(), origo::v1::BLACKLIST_STATUS_LISTED);
  active = archive_->ActiveListing(kGoji, At("2026-06-01")).value();
  ASSERT_TRUE(active.has_value());
  EXPECT_EQ(active->entry_id(), 20u);
  absl::Status refused = credit::RefuseExport(*active);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("entry 20, TIER_SERIOUS"), std::string::npos) << refused;

  // Repairing the SERIOUS one leaves the LIGHT one until its release at the maximum.
  origo::v1::BlacklistEntry repaired = *archive_->GetBlacklistEntry(kGoji, 20, nullptr).value();
  repaired.set_repaired_unix_ms(At("2026-06-02"));
  CreditArchive::Commit repair;
  repair.blacklist.push_back(repaired);
  ASSERT_TRUE(archive_->Write(repair).ok());
  EXPECT_EQ(archive_->ActiveListing(kGoji, At("2026-06-03")).value()->entry_id(), 10u);
  EXPECT_FALSE(archive_->ActiveListing(kGoji, At("2026-08-01")).value().has_value());
  EXPECT_TRUE(archive_->ActiveListing(kWinery, At("2026-08-01")).value().has_value());
}

TEST_F(CreditArchiveTest, CorruptValueIsDataLoss) {
  rocksdb::WriteBatch batch;
  std::string key;
  PutString(&key, kGoji);
  PutU64(&key, 5);
  batch.Put(store_->Family(ColumnFamily::kBlacklist), key, std::string("\x07garbage"));
  ASSERT_TRUE(store_->Write(&batch).ok());
  EXPECT_EQ(archive_->ListBlacklist(kGoji, nullptr).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(archive_->ActiveListing(kGoji, At("2026-06-01")).status().code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace origo::storage
