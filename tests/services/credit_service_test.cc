// The credit service: the domain processor over a real store with an injected clock (a blacklist
// entry's whole life, automatic release, catch-up from the log, authorship rules), and the gRPC
// service through a real in-process server and the real client (roles, proofs, feedback,
// reports).

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "clients/cli/credit_format.h"
#include "clients/client.h"
#include "clients/credit_client.h"
#include "core/batch/batch.h"
#include "core/credit/dates.h"
#include "core/crypto/hash.h"
#include "core/merkle/merkle.h"
#include "core/usci/usci.h"
#include "origo/v1/provenance.grpc.pb.h"
#include "rocksdb/write_batch.h"
#include "services/capture/sequencer.h"
#include "services/credit/credit.h"
#include "services/credit/feedback_limiter.h"
#include "services/server/config.h"
#include "services/server/server.h"
#include "storage/credit_archive.h"
#include "storage/event_log.h"
#include "storage/registry_store.h"
#include "tests/server_util.h"
#include "tests/test_util.h"

namespace origo::credit {
namespace {

using origo::testing::NowMs;
using origo::testing::TempDir;
using server::Principal;
using server::Role;

constexpr char kWinery[] = "91640521MA76GJ0Q1B";
constexpr char kGoji[] = "91640100MA77XL2X3M";
constexpr char kLot[] = "/01/06971234000415/10/GJ2026-0415";

std::string Usci(const std::string& first17) {
  return first17 + usci::ComputeCheckCharacter(first17);
}
const std::string kLab = Usci("12640000MB0000001");
const std::string kBureau = Usci("11640000MB0000002");

int64_t At(const char* date) {
  return StartOfDayUnixMs(ParseDate("test", date).value()) + 12 * 3600 * 1000;
}

std::string Today() { return FormatDate(DayOfUnixMs(NowMs())); }

origo::v1::CreditRecord Inspection(const std::string& subject, const std::string& date,
                                   bool safety_fail, const std::string& report = "NX-0001") {
  origo::v1::CreditRecord record;
  auto* r = record.mutable_inspection();
  r->set_enterprise(subject);
  r->set_lot(kLot);
  r->set_lab("Ningxia Product Quality Inspection Institute");
  r->set_sampling_date(date);
  r->set_report_no(report);
  auto* item = r->add_items();
  item->set_name("chlorpyrifos");
  item->set_measured(safety_fail ? 0.09 : 0.01);
  item->set_unit("mg/kg");
  item->set_limit(0.05);
  item->set_safety(true);
  item->set_verdict(safety_fail ? origo::v1::VERDICT_FAIL : origo::v1::VERDICT_PASS);
  r->set_verdict(safety_fail ? origo::v1::VERDICT_FAIL : origo::v1::VERDICT_PASS);
  return record;
}

origo::v1::CreditRecord Penalty(const std::string& subject, const std::string& date,
                                origo::v1::Tier tier) {
  origo::v1::CreditRecord record;
  auto* r = record.mutable_penalty();
  r->set_enterprise(subject);
  r->set_authority("Yinchuan Market Supervision Bureau");
  r->set_decision_no("YC-2026-17");
  r->set_tier(tier);
  r->set_date(date);
  r->add_duties("pay the fine");
  return record;
}

origo::v1::CreditRecord Listing(const std::string& subject, const std::string& date,
                                origo::v1::ListingSource source, origo::v1::Tier tier) {
  origo::v1::CreditRecord record;
  auto* l = record.mutable_listing();
  l->set_enterprise(subject);
  l->set_source(source);
  l->set_list_name("customs dishonest enterprises");
  l->set_reference("HG-2026-88");
  l->set_tier(tier);
  l->set_trigger(origo::v1::TRIGGER_IMPORTED_LISTING);
  l->set_listed_date(date);
  l->set_reason("false origin declaration");
  return record;
}

origo::v1::CreditRecord Application(const origo::v1::BlacklistEntry& entry, bool all_duties) {
  origo::v1::CreditRecord record;
  auto* a = record.mutable_repair_application();
  a->set_enterprise(entry.usci());
  a->set_entry_id(entry.entry_id());
  a->set_pledge("We pledge to keep every residue below the GB 2763 limits.");
  if (all_duties) {
    for (const std::string& d : entry.duties()) a->add_duties_met(d);
  }
  return record;
}

origo::v1::CreditRecord Decision(const origo::v1::BlacklistEntry& entry, bool approve) {
  origo::v1::CreditRecord record;
  auto* d = record.mutable_repair_decision();
  d->set_enterprise(entry.usci());
  d->set_entry_id(entry.entry_id());
  d->set_outcome(approve ? origo::v1::REPAIR_OUTCOME_APPROVED : origo::v1::REPAIR_OUTCOME_REJECTED);
  d->set_reason("rectification checked on site");
  return record;
}

// --- The domain processor, with an injected clock ---

class CreditDomainTest : public ::testing::Test {
 protected:
  const Principal inspector_{Role::kInspector, "", "inspector-token"};
  const Principal regulator_{Role::kRegulator, "", "regulator-token"};
  const Principal public_{};
  Principal Producer(const std::string& usci) { return {Role::kProducer, usci, "producer-token"}; }

  void SetUp() override {
    store_ = storage::Store::Open(dir_.Sub("db")).value();
    registry_ = std::make_unique<storage::RegistryStore>(store_.get());
    log_ = storage::EventLog::Open(store_.get()).value();
    sequencer_ = std::make_unique<capture::Sequencer>(log_.get());
    archive_ = std::make_unique<storage::CreditArchive>(store_.get());
    lab_key_ = Enroll(kLab, origo::v1::SECTOR_AUTHORITY);
    bureau_key_ = Enroll(kBureau, origo::v1::SECTOR_AUTHORITY);
    winery_key_ = Enroll(kWinery, origo::v1::SECTOR_WINE);
    goji_key_ = Enroll(kGoji, origo::v1::SECTOR_GOJI);
    processor_ = NewProcessor();
  }

  void TearDown() override {
    processor_.reset();
    sequencer_->Stop();
  }

  std::unique_ptr<CreditProcessor> NewProcessor() {
    auto processor =
        CreditProcessor::Create(registry_.get(), log_.get(), sequencer_.get(), archive_.get(),
                                CreditProcessor::Options(), [this] { return now_; });
    EXPECT_TRUE(processor.ok()) << processor.status();
    return processor.ok() ? *std::move(processor) : nullptr;
  }

  // The archive entries of the winery and the goji farm, and the whole blacklist, as bytes.
  std::string ArchiveState() {
    std::string state;
    for (const char* usci : {kWinery, kGoji}) {
      auto entries = archive_->AllEntries(usci, nullptr);
      if (!entries.ok()) return entries.status().ToString();
      for (const auto& e : *entries) state += e.SerializeAsString();
    }
    auto blacklist = archive_->ListBlacklist("", nullptr);
    if (!blacklist.ok()) return blacklist.status().ToString();
    for (const auto& b : *blacklist) state += b.SerializeAsString();
    return state;
  }

  std::unique_ptr<crypto::PrivateKey> Enroll(const std::string& usci, origo::v1::Sector sector) {
    origo::v1::Enterprise enterprise;
    enterprise.set_usci(usci);
    enterprise.set_name("org " + usci);
    enterprise.set_sector(sector);
    EXPECT_TRUE(registry_->RegisterEnterprise(enterprise).ok());
    auto key = std::make_unique<crypto::PrivateKey>(
        crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value());
    EXPECT_TRUE(registry_->AddKey(usci, key->Public(), "test").ok());
    return key;
  }

  absl::StatusOr<origo::v1::SignedRecordsResponse> Submit(const Principal& principal,
                                                          RecordAction action,
                                                          const origo::v1::CreditRecord& record,
                                                          const std::string& author,
                                                          const crypto::PrivateKey& key) {
    auto request = client::SignRecords({record}, author, key, now_);
    if (!request.ok()) return request.status();
    return processor_->Submit(principal, action, request->batch());
  }

  std::vector<origo::v1::BlacklistEntry> Blacklist(const Principal& principal,
                                                   origo::v1::BlacklistView view,
                                                   const std::string& as_of = "") {
    origo::v1::ListBlacklistRequest request;
    request.set_view(view);
    request.set_as_of(as_of);
    return processor_->ListBlacklist(principal, request).value();
  }

  origo::v1::Rating Rating(const Principal& principal, const std::string& usci) {
    origo::v1::GetRatingRequest request;
    request.set_usci(usci);
    return processor_->GetRating(principal, request).value();
  }

  TempDir dir_;
  int64_t now_ = At("2026-05-10");
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::RegistryStore> registry_;
  std::unique_ptr<storage::EventLog> log_;
  std::unique_ptr<capture::Sequencer> sequencer_;
  std::unique_ptr<storage::CreditArchive> archive_;
  std::unique_ptr<CreditProcessor> processor_;
  std::unique_ptr<crypto::PrivateKey> lab_key_, bureau_key_, winery_key_, goji_key_;
};

TEST_F(CreditDomainTest, BlacklistEntryWholeLifeByMovingTheClock) {
  // Trigger: a failed residue test lists the winery (GENERAL: 3 to 12 months).
  auto recorded = Submit(inspector_, RecordAction::kRecordInspection,
                         Inspection(kWinery, "2026-05-08", true), kLab, *lab_key_);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  ASSERT_EQ(recorded->records(0).blacklist_size(), 1);
  const origo::v1::BlacklistEntry listed = recorded->records(0).blacklist(0);
  EXPECT_EQ(listed.entry_id(), recorded->records(0).index());
  EXPECT_EQ(listed.status(), origo::v1::BLACKLIST_STATUS_LISTED);
  EXPECT_EQ(listed.min_until(), "2026-08-10");
  EXPECT_EQ(listed.rule(), "blacklist.trigger.safety_failure@2026.1");

  // Listed: export refused (the capture hook), grade D for everyone, on the public list.
  auto active = archive_->ActiveListing(kWinery, now_).value();
  ASSERT_TRUE(active.has_value());
  EXPECT_EQ(active->entry_id(), listed.entry_id());
  origo::v1::Rating rating = Rating(public_, kWinery);
  EXPECT_EQ(rating.grade(), origo::v1::GRADE_D);
  EXPECT_FALSE(rating.explained());
  EXPECT_TRUE(rating.indicators().empty());
  EXPECT_EQ(Blacklist(public_, origo::v1::BLACKLIST_VIEW_PUBLIC).size(), 1u);

  // Refused the day before the minimum period ends; nothing is logged.
  now_ = At("2026-08-09");
  const uint64_t size_before = log_->Head().size;
  auto early = Submit(Producer(kWinery), RecordAction::kApplyRepair, Application(listed, true),
                      kWinery, *winery_key_);
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(early.status().message().find("2026-08-10"), std::string::npos) << early.status();
  EXPECT_EQ(log_->Head().size, size_before);

  // From the minimum on: duties must be met, and only the enterprise itself may apply.
  now_ = At("2026-08-10");
  auto unmet = Submit(Producer(kWinery), RecordAction::kApplyRepair, Application(listed, false),
                      kWinery, *winery_key_);
  EXPECT_EQ(unmet.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(unmet.status().message().find("duties not met"), std::string::npos);
  auto foreign = Submit(Producer(kGoji), RecordAction::kApplyRepair, Application(listed, true),
                        kWinery, *winery_key_);
  EXPECT_EQ(foreign.status().code(), absl::StatusCode::kPermissionDenied);
  auto applied = Submit(Producer(kWinery), RecordAction::kApplyRepair, Application(listed, true),
                        kWinery, *winery_key_);
  ASSERT_TRUE(applied.ok()) << applied.status();
  ASSERT_EQ(applied->records(0).blacklist(0).applications_size(), 1);
  EXPECT_EQ(applied->records(0).blacklist(0).applications(0).status(),
            origo::v1::REPAIR_STATUS_SUBMITTED);

  // Only a regulator decides.
  now_ = At("2026-08-12");
  EXPECT_EQ(
      Submit(inspector_, RecordAction::kDecideRepair, Decision(listed, true), kBureau, *bureau_key_)
          .status()
          .code(),
      absl::StatusCode::kPermissionDenied);
  auto decided = Submit(regulator_, RecordAction::kDecideRepair, Decision(listed, true), kBureau,
                        *bureau_key_);
  ASSERT_TRUE(decided.ok()) << decided.status();
  EXPECT_EQ(decided->records(0).blacklist(0).status(), origo::v1::BLACKLIST_STATUS_REPAIRED);

  // Repaired: gone from public views and from the export hook, kept whole in the archive.
  EXPECT_TRUE(Blacklist(public_, origo::v1::BLACKLIST_VIEW_PUBLIC).empty());
  EXPECT_FALSE(archive_->ActiveListing(kWinery, now_).value().has_value());
  auto inspector_view = Blacklist(inspector_, origo::v1::BLACKLIST_VIEW_INSPECTOR);
  ASSERT_EQ(inspector_view.size(), 1u);
  EXPECT_EQ(inspector_view[0].status(), origo::v1::BLACKLIST_STATUS_REPAIRED);
  EXPECT_EQ(inspector_view[0].applications(0).status(), origo::v1::REPAIR_STATUS_APPROVED);
  EXPECT_EQ(inspector_view[0].applications(0).decided_by(), kBureau);
  origo::v1::GetCreditProfileRequest profile_request;
  profile_request.set_usci(kWinery);
  auto profile = processor_->GetProfile(inspector_, profile_request).value();
  ASSERT_EQ(profile.entries_size(), 3);  // inspection, application, decision
  EXPECT_TRUE(profile.entries(0).record().has_inspection());
  EXPECT_TRUE(profile.entries(2).record().has_repair_decision());
  EXPECT_EQ(profile.entries(2).author_usci(), kBureau);
  // History: as of the day before the decision it was still public.
  EXPECT_EQ(Blacklist(public_, origo::v1::BLACKLIST_VIEW_PUBLIC, "2026-08-11").size(), 1u);
  EXPECT_NE(Rating(inspector_, kWinery).grade(), origo::v1::GRADE_D);
}

TEST_F(CreditDomainTest, ImportedListingIsReleasedAutomaticallyAtTheMaximum) {
  auto imported =
      Submit(inspector_, RecordAction::kImportListing,
             Listing(kGoji, "2026-05-10", origo::v1::LISTING_SOURCE_CUSTOMS, origo::v1::TIER_LIGHT),
             kLab, *lab_key_);
  ASSERT_TRUE(imported.ok()) << imported.status();
  const origo::v1::BlacklistEntry entry = imported->records(0).blacklist(0);
  EXPECT_EQ(entry.max_until(), "2026-08-10");
  now_ = At("2026-08-09");
  EXPECT_EQ(Blacklist(public_, origo::v1::BLACKLIST_VIEW_PUBLIC).size(), 1u);
  EXPECT_TRUE(archive_->ActiveListing(kGoji, now_).value().has_value());
  now_ = At("2026-08-10");
  EXPECT_TRUE(Blacklist(public_, origo::v1::BLACKLIST_VIEW_PUBLIC).empty());
  EXPECT_FALSE(archive_->ActiveListing(kGoji, now_).value().has_value());
  auto kept = Blacklist(inspector_, origo::v1::BLACKLIST_VIEW_INSPECTOR);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].status(), origo::v1::BLACKLIST_STATUS_RELEASED);
  auto late = Submit(Producer(kGoji), RecordAction::kApplyRepair, Application(entry, true), kGoji,
                     *goji_key_);
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(late.status().message().find("released"), std::string::npos);
}

TEST_F(CreditDomainTest, ArchiveIsRebuiltFromTheLog) {
  ASSERT_TRUE(Submit(inspector_, RecordAction::kRecordInspection,
                     Inspection(kWinery, "2026-05-08", true), kLab, *lab_key_)
                  .ok());
  ASSERT_TRUE(Submit(inspector_, RecordAction::kRecordPenalty,
                     Penalty(kGoji, "2026-05-09", origo::v1::TIER_SERIOUS), kLab, *lab_key_)
                  .ok());
  auto entry = archive_->ListBlacklist(kWinery, nullptr).value().at(0);
  now_ = At("2026-08-10");
  ASSERT_TRUE(Submit(Producer(kWinery), RecordAction::kApplyRepair, Application(entry, true),
                     kWinery, *winery_key_)
                  .ok());
  const std::string before = ArchiveState();
  ASSERT_EQ(archive_->ListBlacklist("", nullptr).value().size(), 2u);

  // Lose the whole archive (as if every archive write after its log append had been lost).
  processor_.reset();
  rocksdb::WriteBatch wipe;
  for (auto cf : {storage::ColumnFamily::kCreditRecords, storage::ColumnFamily::kBlacklist}) {
    auto view = store_->Snapshot();
    auto it = view->NewIterator(cf);
    for (it->SeekToFirst(); it->Valid(); it->Next()) wipe.Delete(store_->Family(cf), it->key());
  }
  ASSERT_TRUE(store_->Write(&wipe).ok());
  ASSERT_TRUE(archive_->AllEntries(kWinery, nullptr).value().empty());

  processor_ = NewProcessor();
  EXPECT_EQ(ArchiveState(), before);
  EXPECT_EQ(archive_->AppliedBelow(nullptr).value(), log_->Head().size);
}

// A restart catches up by reading the credit records above the watermark through the index,
// not every event logged since; a store whose watermark lacks the index mark (written by an older
// build) is read leaf by leaf once, to the same archive.
TEST_F(CreditDomainTest, CatchUpReadsTheLoggedRecordsNotTheEventsBetween) {
  ASSERT_TRUE(Submit(inspector_, RecordAction::kRecordInspection,
                     Inspection(kWinery, "2026-05-08", true), kLab, *lab_key_)
                  .ok());
  auto families = [&] {
    std::vector<std::pair<std::string, std::string>> kv;
    for (auto cf : {storage::ColumnFamily::kCreditRecords, storage::ColumnFamily::kBlacklist}) {
      auto view = store_->Snapshot();
      auto it = view->NewIterator(cf);
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        kv.emplace_back(std::string(1, static_cast<char>(cf)) + it->key().ToString(),
                        it->value().ToString());
      }
    }
    return kv;
  };
  const auto archive_after_first = families();

  // 300 events (not records) logged after the first record.
  constexpr int kEvents = 300;
  std::vector<storage::LeafToAppend> events(kEvents);
  std::vector<const storage::LeafToAppend*> pointers;
  for (int i = 0; i < kEvents; ++i) {
    origo::v1::LogLeaf leaf;
    leaf.set_event("{\"type\":\"ObjectEvent\",\"n\":" + std::to_string(i) + "}");
    const crypto::Sha256Digest id = crypto::Sha256(leaf.event());
    events[i].event_id.assign(reinterpret_cast<const char*>(id.data()), id.size());
    events[i].leaf = leaf.SerializeAsString();
    events[i].leaf_hash = merkle::LeafHash(events[i].leaf);
    pointers.push_back(&events[i]);
  }
  ASSERT_TRUE(log_->Append(pointers).ok());

  // A second record, then its archive write lost (as in a crash between the two writes).
  ASSERT_TRUE(Submit(inspector_, RecordAction::kRecordPenalty,
                     Penalty(kGoji, "2026-05-09", origo::v1::TIER_SERIOUS), kLab, *lab_key_)
                  .ok());
  const std::string whole = ArchiveState();
  ASSERT_EQ(archive_->ListBlacklist(kGoji, nullptr).value().size(), 1u);
  auto restore = [&](const std::vector<std::pair<std::string, std::string>>& kv,
                     bool drop_index_mark) {
    rocksdb::WriteBatch batch;
    for (const auto& [key, value] : families()) {
      batch.Delete(store_->Family(static_cast<storage::ColumnFamily>(key[0])), key.substr(1));
    }
    for (const auto& [key, value] : kv) {
      batch.Put(store_->Family(static_cast<storage::ColumnFamily>(key[0])), key.substr(1), value);
    }
    ASSERT_TRUE(store_->Write(&batch).ok());
    if (drop_index_mark) {
      origo::store::v1::Watermark old;
      old.set_applied_below(archive_->AppliedBelow(nullptr).value());
      storage::CreditArchive::Commit commit;
      commit.applied_below = old.applied_below();
      ASSERT_TRUE(archive_->Write(commit).ok());
      ASSERT_FALSE(archive_->Watermark(nullptr).value().has_records_indexed_from());
    }
  };
  processor_.reset();
  restore(archive_after_first, false);
  ASSERT_TRUE(archive_->ListBlacklist(kGoji, nullptr).value().empty());
  processor_ = NewProcessor();
  EXPECT_EQ(ArchiveState(), whole);
  EXPECT_EQ(archive_->AppliedBelow(nullptr).value(), log_->Head().size);
  EXPECT_FALSE(processor_->LastCatchUp().full_scan);
  EXPECT_EQ(processor_->LastCatchUp().leaves_read, 1u);  // the lost record only

  // The same loss on a store without the index mark: every leaf above the watermark is read.
  processor_.reset();
  restore(archive_after_first, true);
  const uint64_t watermark = archive_->AppliedBelow(nullptr).value();
  processor_ = NewProcessor();
  EXPECT_EQ(ArchiveState(), whole);
  EXPECT_TRUE(processor_->LastCatchUp().full_scan);
  EXPECT_EQ(processor_->LastCatchUp().leaves_read, log_->Head().size - watermark);
  EXPECT_GE(processor_->LastCatchUp().leaves_read, static_cast<uint64_t>(kEvents) + 1);
  // ... and the mark is back: the next restart reads nothing.
  processor_ = NewProcessor();
  EXPECT_FALSE(processor_->LastCatchUp().full_scan);
  EXPECT_EQ(processor_->LastCatchUp().leaves_read, 0u);
  EXPECT_EQ(ArchiveState(), whole);
}

TEST_F(CreditDomainTest, ResubmissionIsADuplicateAndArchivedOnce) {
  auto request =
      client::SignRecords({Inspection(kWinery, "2026-05-08", false)}, kLab, *lab_key_, now_);
  ASSERT_TRUE(request.ok());
  auto first = processor_->Submit(inspector_, RecordAction::kRecordInspection, request->batch());
  ASSERT_TRUE(first.ok()) << first.status();
  now_ += 1000;
  auto second = processor_->Submit(inspector_, RecordAction::kRecordInspection, request->batch());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->records(0).duplicate());
  EXPECT_EQ(second->records(0).index(), first->records(0).index());
  EXPECT_EQ(second->records(0).record_id(), first->records(0).record_id());
  EXPECT_EQ(archive_->AllEntries(kWinery, nullptr).value().size(), 1u);
}

TEST_F(CreditDomainTest, AuthorshipAndKindRules) {
  const auto code = [](const absl::StatusOr<origo::v1::SignedRecordsResponse>& r) {
    return r.status().code();
  };
  // An enterprise is no inspection body, even with an inspector token.
  EXPECT_EQ(code(Submit(inspector_, RecordAction::kRecordInspection,
                        Inspection(kGoji, "2026-05-08", false), kWinery, *winery_key_)),
            absl::StatusCode::kPermissionDenied);
  // An unregistered key.
  auto stranger = crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value();
  EXPECT_EQ(code(Submit(inspector_, RecordAction::kRecordInspection,
                        Inspection(kGoji, "2026-05-08", false), kLab, stranger)),
            absl::StatusCode::kPermissionDenied);
  // A document of another kind, a lab recording about itself, an unregistered enterprise.
  auto wrong_kind = Submit(inspector_, RecordAction::kRecordPenalty,
                           Inspection(kGoji, "2026-05-08", false), kLab, *lab_key_);
  EXPECT_EQ(code(wrong_kind), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(wrong_kind.status().message(),
            "record 0: type: RecordPenalty takes PenaltyRecord documents, not InspectionRecord");
  EXPECT_EQ(code(Submit(inspector_, RecordAction::kRecordInspection,
                        Inspection(kLab, "2026-05-08", false), kLab, *lab_key_)),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(
      code(Submit(inspector_, RecordAction::kRecordInspection,
                  Inspection(Usci("91640100MA77XL2X4"), "2026-05-08", false), kLab, *lab_key_)),
      absl::StatusCode::kNotFound);
  // Listing sources belong to their calls; the regulator's own entry needs a regulator.
  EXPECT_EQ(code(Submit(inspector_, RecordAction::kImportListing,
                        Listing(kGoji, "2026-05-08", origo::v1::LISTING_SOURCE_ORIGO,
                                origo::v1::TIER_LIGHT),
                        kLab, *lab_key_)),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Submit(inspector_, RecordAction::kAddBlacklistEntry,
                        Listing(kGoji, "2026-05-08", origo::v1::LISTING_SOURCE_ORIGO,
                                origo::v1::TIER_LIGHT),
                        kBureau, *bureau_key_)),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(
      Submit(regulator_, RecordAction::kAddBlacklistEntry,
             Listing(kGoji, "2026-05-08", origo::v1::LISTING_SOURCE_ORIGO, origo::v1::TIER_LIGHT),
             kBureau, *bureau_key_)
          .ok());
  // Field rules come back with the record's position.
  origo::v1::CreditRecord future = Inspection(kGoji, "2026-06-30", false);
  auto rejected = Submit(inspector_, RecordAction::kRecordInspection, future, kLab, *lab_key_);
  EXPECT_EQ(code(rejected), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(rejected.status().message().rfind("record 0: samplingDate:", 0), 0u);
}

TEST_F(CreditDomainTest, RatingIsDeterministicAndExplainedToInspectors) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(Submit(inspector_, RecordAction::kRecordInspection,
                       Inspection(kGoji, "2026-05-0" + std::to_string(i + 1), false,
                                  "R-" + std::to_string(i)),
                       kLab, *lab_key_)
                    .ok());
  }
  ASSERT_TRUE(Submit(inspector_, RecordAction::kRecordPenalty,
                     Penalty(kGoji, "2026-05-09", origo::v1::TIER_GENERAL), kLab, *lab_key_)
                  .ok());
  const origo::v1::Rating a = Rating(inspector_, kGoji);
  const origo::v1::Rating b = Rating(Producer(kGoji), kGoji);
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
  EXPECT_TRUE(a.explained());
  int64_t sum = 0;
  for (const auto& i : a.indicators()) sum += i.points_centi();
  EXPECT_EQ(sum, a.score_centi());
  EXPECT_EQ(a.grade(), origo::v1::GRADE_C);  // no licence registered
  EXPECT_FALSE(Rating(Producer(kWinery), kGoji).explained());
  // As of before the penalty was recorded, the archive did not know it.
  origo::v1::GetRatingRequest earlier;
  earlier.set_usci(kGoji);
  earlier.set_as_of("2026-05-09");
  now_ = At("2026-05-11");
  auto before = processor_->GetRating(inspector_, earlier).value();
  EXPECT_EQ(before.as_of(), "2026-05-09");
  earlier.set_as_of("2026-05-12");
  EXPECT_EQ(processor_->GetRating(inspector_, earlier).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FeedbackLimiterTest, LimitsPerAddressAndPerLotAndRefills) {
  FeedbackLimiter limiter({2, 3, 100});
  const int64_t t = At("2026-05-10");
  EXPECT_TRUE(limiter.Allow("10.0.0.1", "lot-a", t).ok());
  EXPECT_TRUE(limiter.Allow("10.0.0.1", "lot-a", t).ok());
  absl::Status third = limiter.Allow("10.0.0.1", "lot-b", t);
  EXPECT_EQ(third.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(third.message().find("from one address"), std::string::npos);
  EXPECT_TRUE(limiter.Allow("10.0.0.2", "lot-a", t).ok());
  absl::Status lot = limiter.Allow("10.0.0.3", "lot-a", t);
  EXPECT_EQ(lot.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(lot.message().find("for one lot"), std::string::npos);
  // Half an hour refills one token per address (2/h).
  EXPECT_TRUE(limiter.Allow("10.0.0.1", "lot-b", t + 30 * 60 * 1000).ok());
  EXPECT_FALSE(limiter.Allow("10.0.0.1", "lot-b", t + 30 * 60 * 1000).ok());
}

// --- The gRPC service through a real server and the real client ---

class CreditServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    origo::v1::Config config;
    config.set_data_dir(dir_.Sub("data"));
    config.mutable_log()->set_checkpoint_interval_ms(20);
    auto server = origo::testing::StartLocalServer(config);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    regulator_ = origo::testing::BootstrapToken(config.data_dir());
    lab_key_ = Enroll(kLab, origo::v1::SECTOR_AUTHORITY);
    winery_key_ = Enroll(kWinery, origo::v1::SECTOR_WINE);
    inspector_ = Token(origo::v1::ROLE_INSPECTOR, "");
    producer_ = Token(origo::v1::ROLE_PRODUCER, kWinery);
  }

  void TearDown() override {
    if (server_) {
      EXPECT_TRUE(server_->Shutdown().ok());
    }
  }

  client::ClientOptions Options(const std::string& token) {
    client::ClientOptions options;
    options.server = server_->grpc_address();
    options.token = token;
    return options;
  }

  std::unique_ptr<crypto::PrivateKey> Enroll(const std::string& usci, origo::v1::Sector sector) {
    client::Client client(Options(regulator_));
    origo::v1::RegisterEnterpriseRequest reg;
    reg.mutable_enterprise()->set_usci(usci);
    reg.mutable_enterprise()->set_name("org " + usci);
    reg.mutable_enterprise()->set_sector(sector);
    EXPECT_TRUE(client.RegisterEnterprise(reg).ok());
    auto key = std::make_unique<crypto::PrivateKey>(
        crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value());
    origo::v1::AddKeyRequest add;
    add.set_usci(usci);
    add.set_public_key_pem(key->Public().ToPem());
    EXPECT_TRUE(client.AddKey(add).ok());
    return key;
  }

  std::string Token(origo::v1::Role role, const std::string& usci) {
    client::Client client(Options(regulator_));
    origo::v1::CreateTokenRequest request;
    request.set_role(role);
    request.set_usci(usci);
    auto token = client.CreateToken(request);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? token->token() : "";
  }

  origo::v1::SignedRecordsRequest Signed(const origo::v1::CreditRecord& record) {
    return client::SignRecords({record}, kLab, *lab_key_, NowMs()).value();
  }

  TempDir dir_;
  std::unique_ptr<server::Server> server_;
  std::string regulator_, inspector_, producer_;
  std::unique_ptr<crypto::PrivateKey> lab_key_, winery_key_;
};

TEST_F(CreditServiceTest, RolesAreCheckedOverGrpc) {
  client::Client as_public(Options("")), as_producer(Options(producer_)),
      as_inspector(Options(inspector_));
  client::CreditClient public_credit(as_public), producer_credit(as_producer),
      inspector_credit(as_inspector);
  const auto inspection = Signed(Inspection(kWinery, Today(), true));
  const auto penalty = Signed(Penalty(kWinery, Today(), origo::v1::TIER_GENERAL));

  // A producer token cannot record inspections or penalties, even correctly signed ones.
  EXPECT_EQ(producer_credit.RecordInspection(inspection).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(producer_credit.RecordPenalty(penalty).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(public_credit.RecordInspection(inspection).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(inspector_credit
                .AddBlacklistEntry(Signed(Listing(kWinery, Today(), origo::v1::LISTING_SOURCE_ORIGO,
                                                  origo::v1::TIER_LIGHT)))
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  auto recorded = inspector_credit.RecordInspection(inspection);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  ASSERT_TRUE(inspector_credit.RecordPenalty(penalty).ok());

  // The public reads grades and the public blacklist, not the inspector view or the archive.
  origo::v1::GetRatingRequest rating_request;
  rating_request.set_usci(kWinery);
  auto public_rating = public_credit.GetRating(rating_request);
  ASSERT_TRUE(public_rating.ok()) << public_rating.status();
  EXPECT_EQ(public_rating->rating().grade(), origo::v1::GRADE_D);
  EXPECT_FALSE(public_rating->rating().explained());
  auto inspector_rating = inspector_credit.GetRating(rating_request).value();
  EXPECT_TRUE(inspector_rating.rating().explained());
  EXPECT_EQ(inspector_rating.rating().indicators_size(), 6);
  EXPECT_EQ(inspector_rating.rating().score_centi(), public_rating->rating().score_centi());

  origo::v1::ListBlacklistRequest list;
  auto public_list = public_credit.ListBlacklist(list);
  ASSERT_TRUE(public_list.ok()) << public_list.status();
  ASSERT_EQ(public_list->entries_size(), 1);
  EXPECT_TRUE(public_list->entries(0).applications().empty());
  list.set_view(origo::v1::BLACKLIST_VIEW_INSPECTOR);
  EXPECT_EQ(public_credit.ListBlacklist(list).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(producer_credit.ListBlacklist(list).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(inspector_credit.ListBlacklist(list).ok());

  origo::v1::GetCreditProfileRequest profile;
  profile.set_usci(kWinery);
  EXPECT_EQ(public_credit.GetCreditProfile(profile).status().code(),
            absl::StatusCode::kUnauthenticated);
  auto own = producer_credit.GetCreditProfile(profile);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->entries_size(), 2);
  profile.set_usci(kLab);
  EXPECT_EQ(producer_credit.GetCreditProfile(profile).status().code(),
            absl::StatusCode::kPermissionDenied);

  // A bad token is refused even on public calls.
  client::Client bad(Options("origo_not-a-token"));
  EXPECT_EQ(client::CreditClient(bad).GetRating(rating_request).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(CreditServiceTest, BlacklistedEnterpriseCannotShipForExport) {
  auto Shipping = [](const std::string& destination, int n) {
    return std::string(R"({"type":"ObjectEvent","eventTime":"2026-09-12T14:0)") +
           std::to_string(n) + R"(:00+08:00",)" +
           R"("eventTimeZoneOffset":"+08:00","action":"OBSERVE","bizStep":"shipping",)" +
           R"("disposition":"in_transit","epcList":["https://id.gs1.org/00/069712340000000019"],)" +
           R"("destinationList":[{"type":"location","destination":")" + destination + R"("}]})";
  };
  client::Client producer(Options(producer_));
  auto capture = [&](const std::string& event) {
    origo::v1::CaptureRequest request;
    *request.mutable_batch() = batch::SignBatch({event}, kWinery, *winery_key_, NowMs()).value();
    return producer.Capture(request);
  };
  // Not listed: export shipping is accepted.
  auto before = capture(Shipping("urn:origo:place:AE-DXB", 1));
  ASSERT_TRUE(before.ok()) << before.status().ToString();

  client::Client as_inspector(Options(inspector_));
  client::CreditClient inspector_credit(as_inspector);
  ASSERT_TRUE(
      inspector_credit.RecordPenalty(Signed(Penalty(kWinery, Today(), origo::v1::TIER_SERIOUS)))
          .ok());
  client::Client as_public(Options(""));
  auto listed = client::CreditClient(as_public).ListBlacklist({});
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->entries_size(), 1);

  // Listed: export shipping is refused naming the listing; domestic shipping still works.
  auto refused = capture(Shipping("urn:origo:place:AE-DXB", 2));
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  EXPECT_NE(refused.status().message().find("export shipping refused"), std::string::npos)
      << refused.status();
  EXPECT_NE(refused.status().message().find("is on the quality blacklist (entry "),
            std::string::npos)
      << refused.status();
  auto domestic = capture(Shipping("urn:origo:place:CN-NX", 3));
  EXPECT_TRUE(domestic.ok()) << domestic.status();
}

TEST_F(CreditServiceTest, LotsOfABlacklistedProducerCarryTheWarningAndTheListing) {
  const std::string lot = "/01/06971236000123/10/W25-CS";
  const std::string commission =
      R"({"type":"ObjectEvent","eventTime":"2026-03-01T08:00:00+08:00",)"
      R"("eventTimeZoneOffset":"+08:00","action":"ADD","bizStep":"commissioning",)"
      R"("quantityList":[{"epcClass":"https://id.gs1.org)" +
      lot + R"(","quantity":800,"uom":"LTR"}]})";
  client::Client producer(Options(producer_));
  origo::v1::CaptureRequest capture;
  *capture.mutable_batch() = batch::SignBatch({commission}, kWinery, *winery_key_, NowMs()).value();
  ASSERT_TRUE(producer.Capture(capture).ok());

  auto channel = grpc::CreateChannel(server_->grpc_address(), grpc::InsecureChannelCredentials());
  auto provenance = origo::v1::ProvenanceService::NewStub(channel);
  auto get_lot = [&]() {
    grpc::ClientContext context;
    origo::v1::GetLotRequest request;
    request.set_id("https://id.gs1.org" + lot);
    origo::v1::GetLotResponse response;
    grpc::Status s = provenance->GetLot(&context, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.lot();
  };
  EXPECT_FALSE(get_lot().blacklisted_producer());
  EXPECT_EQ(get_lot().blacklist_entry_id(), 0u);

  client::Client as_inspector(Options(inspector_));
  ASSERT_TRUE(client::CreditClient(as_inspector)
                  .RecordPenalty(Signed(Penalty(kWinery, Today(), origo::v1::TIER_SERIOUS)))
                  .ok());
  client::Client as_public(Options(""));
  auto listed = client::CreditClient(as_public).ListBlacklist({});
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->entries_size(), 1);
  origo::v1::LotView view = get_lot();
  EXPECT_TRUE(view.blacklisted_producer());
  EXPECT_EQ(view.blacklist_entry_id(), listed->entries(0).entry_id());
  EXPECT_EQ(view.creator(), kWinery);
}

TEST_F(CreditServiceTest, RecordsAreProvablyInTheSameLogAsEvents) {
  client::Client as_inspector(Options(inspector_));
  client::CreditClient credit(as_inspector);
  const auto request = Signed(Inspection(kWinery, Today(), false));
  auto recorded = credit.RecordInspection(request);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  EXPECT_EQ(recorded->records(0).record_id(), batch::EventId(request.batch().events(0)));

  origo::v1::GetInclusionProofRequest proof_request;
  proof_request.set_event_id(recorded->records(0).record_id());
  auto proof = as_inspector.GetInclusionProof(proof_request);
  ASSERT_TRUE(proof.ok()) << proof.status();
  EXPECT_EQ(proof->index(), recorded->records(0).index());
  origo::v1::LogLeaf leaf;
  ASSERT_TRUE(leaf.ParseFromString(proof->leaf()));
  EXPECT_EQ(leaf.event(), request.batch().events(0));
  EXPECT_TRUE(batch::VerifyLeafEvidence(leaf, lab_key_->Public()).ok());
  std::vector<merkle::Hash> hashes;
  for (const auto& h : proof->proof().hashes()) hashes.push_back(merkle::HashFromBytes(h).value());
  auto root = merkle::HashFromBytes(proof->checkpoint().root_hash()).value();
  EXPECT_TRUE(merkle::VerifyInclusion(proof->index(), proof->proof().tree_size(),
                                      merkle::LeafHash(proof->leaf()), hashes, root)
                  .ok());
}

TEST_F(CreditServiceTest, FeedbackIsPublicAndRateLimited) {
  client::Client as_public(Options("")), as_inspector(Options(inspector_));
  client::CreditClient public_credit(as_public), inspector_credit(as_inspector);
  origo::v1::SubmitFeedbackRequest feedback;
  feedback.set_enterprise(kWinery);
  feedback.set_lot(kLot);
  feedback.set_rating(5);
  feedback.set_comment("香气很好");
  EXPECT_EQ(public_credit.SubmitFeedback(feedback).status().code(), absl::StatusCode::kNotFound)
      << "a lot the log does not know";
  ASSERT_TRUE(inspector_credit.RecordInspection(Signed(Inspection(kWinery, Today(), false))).ok());
  auto tree_size = [&] {
    auto checkpoint = as_public.GetCheckpoint();
    return checkpoint.ok() ? checkpoint->checkpoint().tree_size() : 0;
  };
  for (int i = 0; i < 500 && tree_size() < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(tree_size(), 1u);
  feedback.set_rating(6);
  EXPECT_EQ(public_credit.SubmitFeedback(feedback).status().code(),
            absl::StatusCode::kInvalidArgument);
  feedback.set_rating(4);
  for (int i = 0; i < 10; ++i) {
    auto accepted = public_credit.SubmitFeedback(feedback);
    ASSERT_TRUE(accepted.ok()) << i << ": " << accepted.status();
  }
  EXPECT_EQ(public_credit.SubmitFeedback(feedback).status().code(),
            absl::StatusCode::kResourceExhausted);
  origo::v1::GetCreditProfileRequest profile;
  profile.set_usci(kWinery);
  auto read = inspector_credit.GetCreditProfile(profile).value();
  EXPECT_EQ(read.feedback_count(), 10u);
  EXPECT_DOUBLE_EQ(read.feedback_average(), 4.0);
  // Feedback is not signed and does not enter the log.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(tree_size(), 1u);
}

TEST_F(CreditServiceTest, QualityReportRendersAsJsonCsvAndHtmlWithCharts) {
  client::Client as_inspector(Options(inspector_)), as_public(Options(""));
  client::CreditClient credit(as_inspector);
  ASSERT_TRUE(credit.RecordInspection(Signed(Inspection(kWinery, Today(), false, "R-1"))).ok());
  ASSERT_TRUE(credit.RecordInspection(Signed(Inspection(kWinery, Today(), true, "R-2"))).ok());
  origo::v1::QualityReportRequest request;
  request.set_sector(origo::v1::SECTOR_WINE);
  request.set_from(FormatDate(DayOfUnixMs(NowMs()) - 30));
  request.set_to(Today());
  EXPECT_EQ(client::CreditClient(as_public).QualityReport(request).status().code(),
            absl::StatusCode::kUnauthenticated);
  auto response = credit.QualityReport(request);
  ASSERT_TRUE(response.ok()) << response.status();
  const origo::v1::QualityReport& report = response->report();
  EXPECT_EQ(report.enterprises(), 1u);
  EXPECT_EQ(report.inspections(), 2u);
  EXPECT_DOUBLE_EQ(report.pass_rate(), 0.5);
  EXPECT_EQ(report.blacklist_entered_size(), 1);
  ASSERT_EQ(report.top_failing_items_size(), 1);

  const std::string html = cli::QualityReportHtml(report);
  size_t charts = 0;
  for (size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) {
    ++charts;
  }
  EXPECT_EQ(charts, 3u);
  EXPECT_NE(html.find("质量分析报告"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  const std::string csv = cli::QualityReportCsv(report);
  EXPECT_NE(csv.find("summary,inspections,2,,\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("top_failing_item,chlorpyrifos,1,2,\n"), std::string::npos) << csv;
  EXPECT_NE(cli::QualityReportJson(report).find("\"inspections\": 2"), std::string::npos);
}

}  // namespace
}  // namespace origo::credit
