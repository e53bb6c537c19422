#include "services/credit/credit.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "core/base/status_macros.h"
#include "core/batch/batch.h"
#include "core/credit/blacklist.h"
#include "core/credit/records.h"
#include "core/credit/report.h"
#include "core/crypto/hash.h"
#include "core/gs1/digital_link.h"
#include "core/usci/usci.h"

namespace origo::credit {
namespace {

using origo::v1::BlacklistEntry;
using origo::v1::CreditRecord;
using server::Principal;
using server::Role;
using EntryKey = std::pair<std::string, uint64_t>;

constexpr size_t kMaxCommentBytes = 500;
constexpr uint32_t kDefaultPageSize = 100;
constexpr uint32_t kMaxPageSize = 500;
constexpr uint64_t kCatchUpChunk = 1000;
constexpr Day kMaxReportDays = 3660;

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string HashBytes(const merkle::Hash& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

absl::Status Invalid(std::string_view field, const std::string& rule) {
  return absl::InvalidArgumentError(std::string(field) + ": " + rule);
}

// `status` with "record N: " before its message.
absl::Status AtRecord(int i, const absl::Status& status) {
  return absl::Status(status.code(),
                      "record " + std::to_string(i) + ": " + std::string(status.message()));
}

struct ActionInfo {
  std::string_view method;
  CreditRecord::RecordCase kind;
  std::string_view type;
};

ActionInfo Info(RecordAction action) {
  switch (action) {
    case RecordAction::kRecordInspection:
      return {"RecordInspection", CreditRecord::kInspection, "InspectionRecord"};
    case RecordAction::kRecordPenalty:
      return {"RecordPenalty", CreditRecord::kPenalty, "PenaltyRecord"};
    case RecordAction::kRecordQualityLoss:
      return {"RecordQualityLoss", CreditRecord::kQualityLoss, "QualityLossRecord"};
    case RecordAction::kImportListing:
      return {"ImportListing", CreditRecord::kListing, "ListingRecord"};
    case RecordAction::kAddBlacklistEntry:
      return {"AddBlacklistEntry", CreditRecord::kListing, "ListingRecord"};
    case RecordAction::kApplyRepair:
      return {"ApplyRepair", CreditRecord::kRepairApplication, "RepairApplication"};
    case RecordAction::kDecideRepair:
      return {"DecideRepair", CreditRecord::kRepairDecision, "RepairDecision"};
  }
  return {"", CreditRecord::RECORD_NOT_SET, ""};
}

absl::Status RequireRole(const Principal& principal, RecordAction action) {
  switch (action) {
    case RecordAction::kRecordInspection:
    case RecordAction::kRecordPenalty:
    case RecordAction::kRecordQualityLoss:
    case RecordAction::kImportListing:
      return server::RequireOneOf(principal, {Role::kInspector, Role::kRegulator});
    case RecordAction::kAddBlacklistEntry:
    case RecordAction::kDecideRepair:
      return server::Require(principal, Role::kRegulator);
    case RecordAction::kApplyRepair:
      return server::Require(principal, Role::kProducer);
  }
  return absl::InternalError("unknown record action");
}

// The listing sources each listing call accepts.
absl::Status CheckListingSource(RecordAction action, const origo::v1::ListingRecord& listing) {
  const bool imported = listing.source() == origo::v1::LISTING_SOURCE_CUSTOMS ||
                        listing.source() == origo::v1::LISTING_SOURCE_MARKET_SUPERVISION;
  if (action == RecordAction::kImportListing && !imported) {
    return Invalid("source",
                   "ImportListing takes LISTING_SOURCE_CUSTOMS or "
                   "LISTING_SOURCE_MARKET_SUPERVISION listings; a regulator's own entry goes "
                   "through AddBlacklistEntry");
  }
  if (action == RecordAction::kAddBlacklistEntry &&
      listing.source() != origo::v1::LISTING_SOURCE_ORIGO) {
    return Invalid("source",
                   "AddBlacklistEntry takes LISTING_SOURCE_ORIGO listings; external listings go "
                   "through ImportListing");
  }
  return absl::OkStatus();
}

absl::Status ValidateUsciField(std::string_view field, std::string_view usci) {
  if (usci.empty()) return Invalid(field, "required (18-character unified social credit code)");
  absl::Status valid = usci::Validate(usci);
  if (!valid.ok()) return Invalid(field, std::string(valid.message()));
  return absl::OkStatus();
}

// The time a view "as of" `text` is taken at: now for an empty text or today, else the end of
// that day. INVALID_ARGUMENT for a malformed or future date.
absl::StatusOr<int64_t> AsOf(std::string_view field, const std::string& text, int64_t now) {
  if (text.empty()) return now;
  ORIGO_ASSIGN_OR_RETURN(Day day, ParseDate(field, text));
  const Day today = DayOfUnixMs(now);
  if (day > today)
    return Invalid(field, text + " is in the future (today is " + FormatDate(today) + ")");
  return day == today ? now : EndOfDayUnixMs(day);
}

// The (usci, entry id) a repair record names, if it is one.
std::optional<EntryKey> RepairTarget(const CreditRecord& record) {
  if (record.has_repair_application()) {
    return EntryKey(record.repair_application().enterprise(),
                    record.repair_application().entry_id());
  }
  if (record.has_repair_decision()) {
    return EntryKey(record.repair_decision().enterprise(), record.repair_decision().entry_id());
  }
  return std::nullopt;
}

// "ipv4:10.1.2.3:5555" -> "10.1.2.3"; "ipv6:[::1]:5555" -> "::1".
std::string AddressOnly(std::string_view peer) {
  size_t colon = peer.find(':');
  if (colon != std::string_view::npos &&
      (peer.substr(0, colon) == "ipv4" || peer.substr(0, colon) == "ipv6")) {
    peer.remove_prefix(colon + 1);
  }
  if (!peer.empty() && peer.front() == '[') {
    size_t close = peer.find(']');
    if (close != std::string_view::npos) return std::string(peer.substr(1, close - 1));
  }
  size_t last = peer.rfind(':');
  if (last != std::string_view::npos && peer.find(':') == last) peer = peer.substr(0, last);
  return std::string(peer);
}

}  // namespace

// One batch being applied: its archive entries and the blacklist entries it reads or changes.
struct CreditProcessor::Pending {
  storage::CreditArchive::Commit commit;
  std::map<EntryKey, BlacklistEntry> entries;
  std::set<EntryKey> changed;
  // Per applied record (in commit.entries order): the blacklist entries it created or changed.
  std::vector<std::vector<EntryKey>> touched;

  void Finish() {
    for (const EntryKey& key : changed) commit.blacklist.push_back(entries.at(key));
  }
};

CreditProcessor::CreditProcessor(storage::RegistryStore* registry, storage::EventLog* log,
                                 capture::Sequencer* sequencer, storage::CreditArchive* archive,
                                 Options options, Clock clock)
    : registry_(registry),
      log_(log),
      sequencer_(sequencer),
      archive_(archive),
      options_([&] {
        if (options.rules == nullptr) options.rules = &RuleBook::Default();
        return std::move(options);
      }()),
      clock_(clock ? std::move(clock) : Clock(SystemNowMs)),
      limiter_(options_.feedback) {}

CreditProcessor::Options CreditProcessor::WithLineage(storage::LineageIndex* lineage,
                                                      const ::origo::rules::Engine* sector_rules) {
  Options options;
  options.lineage = lineage;
  options.sector_rules = sector_rules;
  options.traceability = [lineage](std::string_view usci, Day from,
                                   Day to) -> absl::StatusOr<std::optional<TraceabilityFact>> {
    std::unique_ptr<storage::ReadView> view = lineage->store()->Snapshot();
    ORIGO_ASSIGN_OR_RETURN(
        TraceabilityFact fact,
        lineage->Traceability(usci, StartOfDayUnixMs(from), EndOfDayUnixMs(to), *view));
    if (fact.lots == 0) return std::nullopt;
    return fact;
  };
  return options;
}

absl::StatusOr<std::unique_ptr<CreditProcessor>> CreditProcessor::Create(
    storage::RegistryStore* registry, storage::EventLog* log, capture::Sequencer* sequencer,
    storage::CreditArchive* archive, Options options, Clock clock) {
  std::unique_ptr<CreditProcessor> processor(
      new CreditProcessor(registry, log, sequencer, archive, std::move(options), std::move(clock)));
  ORIGO_RETURN_IF_ERROR(processor->CatchUp());
  if (processor->options_.lineage != nullptr && processor->options_.server_key) {
    CreditProcessor* p = processor.get();
    processor->options_.lineage->SetViolationListener(
        [p](const origo::store::v1::SuspectedViolation& v) {
          absl::Status logged = p->RecordViolation(v);
          // The rejection stands either way; the violation is still in the lineage index.
          if (!logged.ok()) std::cerr << "suspected violation not logged: " << logged << "\n";
        });
  }
  return processor;
}

absl::Status CreditProcessor::RecordViolation(const origo::store::v1::SuspectedViolation& v) {
  CreditRecord record;
  auto* r = record.mutable_suspected_violation();
  r->set_enterprise(v.enterprise());
  r->set_rule(v.rule());
  r->set_event_id(v.event_id());
  r->set_field(v.field());
  r->set_reason(v.reason().substr(0, 2000));
  for (int i = 0; i < v.identifiers_size() && i < 50; ++i) r->add_identifiers(v.identifiers(i));
  r->set_detected_date(FormatDate(DayOfUnixMs(v.recorded_unix_ms())));
  return RecordAsServer({std::move(record)}).status();
}

// The lineage index's copy of an archived inspection of a lot (what lot views and the goji
// export rule read). Pesticide residue: an item named in the residue table of the sector rules.
static std::optional<origo::store::v1::StoredInspection> LineageInspection(
    const origo::v1::ArchiveEntry& entry, const ::origo::rules::Engine* sector_rules) {
  const origo::v1::InspectionRecord& r = entry.record().inspection();
  if (r.lot().empty()) return std::nullopt;
  origo::store::v1::StoredInspection stored;
  stored.set_id(entry.record_id());
  stored.set_lot(r.lot());
  stored.set_enterprise(r.enterprise());
  bool residue = false;
  for (const origo::v1::TestItem& item : r.items()) {
    auto* out = stored.add_items();
    out->set_name(item.name());
    out->set_measured(item.measured());
    out->set_unit(item.unit());
    out->set_limit(item.limit());
    out->set_pass(item.verdict() == origo::v1::VERDICT_PASS);
    if (sector_rules != nullptr) {
      for (const auto& l : sector_rules->SetAt(entry.record_unix_ms()).residue_limits()) {
        residue = residue || l.pesticide() == item.name();
      }
    }
  }
  stored.set_kind(residue ? "pesticide_residue" : (r.export_() ? "export" : "sampling"));
  stored.set_conformant(r.verdict() == origo::v1::VERDICT_PASS);
  stored.set_report_no(r.report_no());
  stored.set_lab(r.lab());
  stored.set_sampling_date(r.sampling_date());
  stored.set_recorded_unix_ms(entry.record_unix_ms());
  stored.set_recorded_by(entry.author_usci());
  if (sector_rules != nullptr) {
    stored.set_rules_version(sector_rules->SetAt(entry.record_unix_ms()).version());
  }
  return stored;
}

absl::StatusOr<origo::v1::Sector> CreditProcessor::SectorOf(std::string_view usci) const {
  ORIGO_ASSIGN_OR_RETURN(origo::v1::Enterprise enterprise, registry_->GetEnterprise(usci));
  return enterprise.sector();
}

bool CreditProcessor::MaySeeArchive(const Principal& principal, std::string_view usci) {
  return principal.role == Role::kInspector || principal.role == Role::kRegulator ||
         (principal.role == Role::kProducer && principal.usci == usci);
}

// --- Applying logged records ---

absl::Status CreditProcessor::Apply(const origo::v1::ArchiveEntry& entry, Pending* pending) {
  const CreditRecord& record = entry.record();
  auto rules = options_.rules->At(DayOfUnixMs(entry.record_unix_ms()));
  if (!rules.ok()) return absl::FailedPreconditionError(std::string(rules.status().message()));
  const RecordContext context{entry.index(), entry.record_unix_ms(), entry.author_usci()};
  pending->commit.entries.push_back(entry);
  std::vector<EntryKey>& touched = pending->touched.emplace_back();
  if (record.has_inspection() && options_.lineage != nullptr) {
    if (auto stored = LineageInspection(entry, options_.sector_rules)) {
      pending->commit.index_puts.push_back(storage::LineageIndex::EncodeInspection(*stored));
    }
  }

  ORIGO_ASSIGN_OR_RETURN(std::optional<BlacklistEntry> created,
                         EntryCreatedBy(record, context, **rules));
  if (created.has_value()) {
    EntryKey key(created->usci(), created->entry_id());
    pending->entries[key] = *std::move(created);
    pending->changed.insert(key);
    touched.push_back(key);
  }
  std::optional<EntryKey> target = RepairTarget(record);
  if (!target.has_value()) return absl::OkStatus();
  auto it = pending->entries.find(*target);
  if (it == pending->entries.end()) {
    ORIGO_ASSIGN_OR_RETURN(auto stored,
                           archive_->GetBlacklistEntry(target->first, target->second, nullptr));
    // Only a record that passed the checks reaches the log, so the entry exists; an archive
    // rebuilt without it keeps the record and skips the effect.
    if (!stored.has_value()) return absl::OkStatus();
    it = pending->entries.emplace(*target, *std::move(stored)).first;
  }
  if (record.has_repair_application()) {
    ApplyRepairApplication(&it->second, record.repair_application(), context, **rules);
  } else {
    ApplyRepairDecision(&it->second, record.repair_decision(), context, **rules);
  }
  pending->changed.insert(*target);
  touched.push_back(*target);
  return absl::OkStatus();
}

absl::Status CreditProcessor::CatchUp() {
  absl::MutexLock lock(&write_mu_);
  return CatchUpLocked();
}

CreditProcessor::CatchUpStats CreditProcessor::LastCatchUp() const {
  absl::MutexLock lock(&write_mu_);
  return last_catch_up_;
}

absl::Status CreditProcessor::CatchUpLocked() {
  ORIGO_ASSIGN_OR_RETURN(origo::store::v1::Watermark watermark, archive_->Watermark(nullptr));
  const uint64_t from = watermark.applied_below();
  const uint64_t head = log_->Head().size;
  // Records from records_indexed_from on are in the identifier index. Without it (a new store,
  // or one an older build wrote), read every leaf above the watermark once; every record this
  // processor logs from then on is indexed, so the head is where the index starts.
  const bool indexed =
      watermark.has_records_indexed_from() && watermark.records_indexed_from() <= from;
  records_indexed_from_ = indexed ? watermark.records_indexed_from() : head;
  last_catch_up_ = CatchUpStats{0, !indexed && from < head};
  auto apply_leaf = [&](uint64_t index, const std::string& bytes, Pending* pending) {
    ++last_catch_up_.leaves_read;
    origo::v1::LogLeaf leaf;
    if (!leaf.ParseFromString(bytes)) {
      return absl::DataLossError("log leaf " + std::to_string(index) + " does not parse");
    }
    if (!LooksLikeRecord(leaf.event())) return absl::OkStatus();  // an event
    auto record = ParseRecord(leaf.event());
    auto manifest = batch::ParseManifest(leaf.manifest());
    if (!record.ok() || !manifest.ok()) return absl::OkStatus();
    origo::v1::ArchiveEntry entry;
    entry.set_index(index);
    entry.set_record_id(crypto::HexEncode(crypto::Sha256(leaf.event())));
    entry.set_record_unix_ms(leaf.record_unix_ms());
    entry.set_author_usci(manifest->enterprise());
    entry.set_key_id(manifest->key_id());
    auto sector = SectorOf(SubjectUsci(*record));
    entry.set_sector(sector.ok() ? *sector : origo::v1::SECTOR_UNSPECIFIED);
    *entry.mutable_record() = *std::move(record);
    return Apply(entry, pending);
  };
  auto commit = [&](Pending& pending, uint64_t applied_below) {
    pending.Finish();
    pending.commit.applied_below = applied_below;
    pending.commit.records_indexed_from = records_indexed_from_;
    return archive_->Write(pending.commit);
  };
  if (indexed) {
    for (uint64_t start = from; start < head;) {
      ORIGO_ASSIGN_OR_RETURN(std::vector<uint64_t> indexes,
                             log_->EventsFor(kCreditRecordTerm, kCatchUpChunk, nullptr, start));
      Pending pending;
      uint64_t next = head;
      for (uint64_t index : indexes) {
        if (index >= head) break;
        ORIGO_ASSIGN_OR_RETURN(std::string bytes, log_->GetLeaf(index, nullptr));
        ORIGO_RETURN_IF_ERROR(apply_leaf(index, bytes, &pending));
        next = index + 1;
      }
      if (indexes.size() < kCatchUpChunk || indexes.back() >= head) next = head;
      ORIGO_RETURN_IF_ERROR(commit(pending, next));
      start = next;
    }
  } else {
    for (uint64_t start = from; start < head; start += kCatchUpChunk) {
      const uint64_t count = std::min(kCatchUpChunk, head - start);
      ORIGO_ASSIGN_OR_RETURN(std::vector<std::string> leaves,
                             log_->GetLeaves(start, count, nullptr));
      Pending pending;
      for (size_t i = 0; i < leaves.size(); ++i) {
        ORIGO_RETURN_IF_ERROR(apply_leaf(start + i, leaves[i], &pending));
      }
      ORIGO_RETURN_IF_ERROR(commit(pending, start + leaves.size()));
    }
    if (from >= head) {
      // Nothing to read, but record where the index starts: a store that logs only events
      // until its next restart would otherwise be read from the watermark again then.
      Pending none;
      ORIGO_RETURN_IF_ERROR(commit(none, head));
    }
  }
  behind_ = false;
  return absl::OkStatus();
}

// --- Signed records ---

absl::StatusOr<origo::v1::SignedRecordsResponse> CreditProcessor::Submit(
    const Principal& principal, RecordAction action, const origo::v1::SignedBatch& batch) {
  const ActionInfo info = Info(action);
  ORIGO_RETURN_IF_ERROR(RequireRole(principal, action));
  if (batch.events_size() == 0) {
    return Invalid("batch.events", "a batch needs at least one record document");
  }
  if (static_cast<size_t>(batch.events_size()) > options_.max_batch_records) {
    return Invalid("batch.events", std::to_string(batch.events_size()) +
                                       " record documents, more than the limit of " +
                                       std::to_string(options_.max_batch_records));
  }
  ORIGO_ASSIGN_OR_RETURN(origo::v1::BatchManifest manifest, batch::ParseManifest(batch.manifest()));
  auto key = registry_->ActiveKey(manifest.key_id());
  if (!key.ok()) {
    if (key.status().code() == absl::StatusCode::kNotFound) {
      return absl::PermissionDeniedError("manifest.key_id: key " + manifest.key_id() +
                                         " is not registered");
    }
    return key.status();
  }
  if (key->usci != manifest.enterprise()) {
    return absl::PermissionDeniedError("manifest.key_id: key " + manifest.key_id() +
                                       " is registered to " + key->usci + ", not " +
                                       manifest.enterprise());
  }
  ORIGO_RETURN_IF_ERROR(batch::VerifyBatch(batch, manifest, key->key));
  const std::string& author = manifest.enterprise();
  ORIGO_ASSIGN_OR_RETURN(origo::v1::Sector author_sector, SectorOf(author));
  if (action == RecordAction::kApplyRepair) {
    if (principal.usci != author) {
      return absl::PermissionDeniedError("manifest.enterprise: the application is signed for " +
                                         author + " but the token is bound to " + principal.usci);
    }
  } else if (author_sector != origo::v1::SECTOR_AUTHORITY) {
    return absl::PermissionDeniedError(
        "manifest.enterprise: " + std::string(info.type) +
        " documents must be signed by an "
        "inspection body or regulator (an organisation registered with SECTOR_AUTHORITY); " +
        author + " is registered as " + origo::v1::Sector_Name(author_sector));
  }

  // Documents parse and match the call before anything is locked.
  std::vector<CreditRecord> records(static_cast<size_t>(batch.events_size()));
  for (int i = 0; i < batch.events_size(); ++i) {
    auto parsed = ParseRecord(batch.events(i));
    if (!parsed.ok()) return AtRecord(i, parsed.status());
    if (parsed->record_case() != info.kind) {
      return AtRecord(
          i, Invalid("type", std::string(info.method) + " takes " + std::string(info.type) +
                                 " documents, not " + std::string(RecordTypeName(*parsed))));
    }
    if (parsed->has_listing()) {
      absl::Status source = CheckListingSource(action, parsed->listing());
      if (!source.ok()) return AtRecord(i, source);
    }
    records[static_cast<size_t>(i)] = *std::move(parsed);
  }
  return Commit(action, batch, manifest, std::move(records));
}

absl::StatusOr<origo::v1::SignedRecordsResponse> CreditProcessor::RecordAsServer(
    std::vector<CreditRecord> records) {
  if (!options_.server_key) {
    return absl::FailedPreconditionError("the server has no key to sign credit records with");
  }
  std::vector<std::string> documents;
  for (const CreditRecord& record : records) {
    ORIGO_ASSIGN_OR_RETURN(std::string document, EncodeRecord(record));
    documents.push_back(std::move(document));
  }
  ORIGO_ASSIGN_OR_RETURN(
      origo::v1::SignedBatch batch,
      batch::SignBatch(documents, options_.server_author, *options_.server_key, clock_()));
  ORIGO_ASSIGN_OR_RETURN(origo::v1::BatchManifest manifest, batch::ParseManifest(batch.manifest()));
  return Commit(RecordAction::kRecordInspection, batch, manifest, std::move(records));
}

absl::StatusOr<origo::v1::SignedRecordsResponse> CreditProcessor::Commit(
    RecordAction action, const origo::v1::SignedBatch& batch,
    const origo::v1::BatchManifest& manifest, std::vector<CreditRecord> records) {
  const std::string& author = manifest.enterprise();
  absl::MutexLock lock(&write_mu_);
  if (behind_) ORIGO_RETURN_IF_ERROR(CatchUpLocked());
  const int64_t now = clock_();
  const Day today = DayOfUnixMs(now);
  auto rules = options_.rules->At(today);
  if (!rules.ok()) return absl::FailedPreconditionError(std::string(rules.status().message()));

  // State checks, in batch order, against the archive as changed by the records before.
  std::map<EntryKey, BlacklistEntry> state;
  std::vector<origo::v1::Sector> sectors(records.size(), origo::v1::SECTOR_UNSPECIFIED);
  std::vector<std::string> ids(records.size());
  for (size_t n = 0; n < records.size(); ++n) {
    const int i = static_cast<int>(n);
    const CreditRecord& record = records[n];
    const crypto::Sha256Digest id = crypto::Sha256(batch.events(i));
    ids[n] = std::string(crypto::AsStringView(id));
    ORIGO_ASSIGN_OR_RETURN(std::optional<uint64_t> logged, log_->FindEvent(ids[n], nullptr));
    if (logged.has_value()) continue;  // a resubmission: answered with its original index
    absl::Status valid = ValidateRecord(record, today);
    if (!valid.ok()) return AtRecord(i, valid);
    const std::string& subject = SubjectUsci(record);
    auto sector = SectorOf(subject);
    if (!sector.ok()) return AtRecord(i, sector.status());
    sectors[n] = *sector;
    if (action == RecordAction::kApplyRepair && subject != author) {
      return AtRecord(i, absl::PermissionDeniedError("enterprise: " + author +
                                                     " may apply for repair only of its own "
                                                     "blacklist entries, not " +
                                                     subject + "'s"));
    }
    if (action != RecordAction::kApplyRepair && subject == author) {
      return AtRecord(
          i, absl::PermissionDeniedError("enterprise: " + author + " cannot record about itself"));
    }
    std::optional<EntryKey> target = RepairTarget(record);
    if (!target.has_value()) continue;
    auto it = state.find(*target);
    if (it == state.end()) {
      ORIGO_ASSIGN_OR_RETURN(auto stored,
                             archive_->GetBlacklistEntry(target->first, target->second, nullptr));
      if (!stored.has_value()) {
        return AtRecord(
            i, absl::NotFoundError("entryId: " + target->first + " has no blacklist entry " +
                                   std::to_string(target->second)));
      }
      it = state.emplace(*target, *std::move(stored)).first;
    }
    const RecordContext provisional{0, now, author};
    if (record.has_repair_application()) {
      absl::Status ok =
          CheckRepairApplication(it->second, record.repair_application(), now, **rules);
      if (!ok.ok()) return AtRecord(i, ok);
      ApplyRepairApplication(&it->second, record.repair_application(), provisional, **rules);
    } else {
      absl::Status ok = CheckRepairDecision(it->second, record.repair_decision(), now, **rules);
      if (!ok.ok()) return AtRecord(i, ok);
      ApplyRepairDecision(&it->second, record.repair_decision(), provisional, **rules);
    }
  }

  // Leaves, exactly as capture builds them.
  batch::BatchTree tree(batch.events());
  std::vector<storage::LeafToAppend> leaves(records.size());
  origo::v1::LogLeaf leaf;
  leaf.set_manifest(batch.manifest());
  leaf.set_signature(batch.signature());
  leaf.set_record_unix_ms(now);
  for (size_t n = 0; n < records.size(); ++n) {
    storage::LeafToAppend& out = leaves[n];
    out.event_id = ids[n];
    out.identifiers = RecordIdentifiers(records[n]);
    out.identifiers.emplace_back(kCreditRecordTerm);
    ORIGO_ASSIGN_OR_RETURN(std::vector<merkle::Hash> path, tree.Path(n));
    leaf.set_event(batch.events(static_cast<int>(n)));
    leaf.set_batch_index(static_cast<uint32_t>(n));
    leaf.clear_batch_path();
    for (const merkle::Hash& h : path) leaf.add_batch_path(HashBytes(h));
    out.leaf = batch::DeterministicBytes(leaf);
    out.leaf_hash = merkle::LeafHash(out.leaf);
  }
  ORIGO_ASSIGN_OR_RETURN(std::vector<storage::AppendedLeaf> appended,
                         sequencer_->Submit(std::move(leaves)));

  // The archive, from the log's answer.
  Pending pending;
  std::vector<int> applied(records.size(), -1);
  uint64_t tree_size = 0;
  std::optional<uint64_t> highest_new;
  for (size_t n = 0; n < records.size(); ++n) {
    tree_size = std::max(tree_size, appended[n].index + 1);
    if (appended[n].duplicate) continue;
    highest_new = std::max(highest_new.value_or(0), appended[n].index);
    origo::v1::ArchiveEntry entry;
    entry.set_index(appended[n].index);
    entry.set_record_id(crypto::HexEncode(ids[n]));
    entry.set_record_unix_ms(now);
    entry.set_author_usci(author);
    entry.set_key_id(manifest.key_id());
    entry.set_sector(sectors[n]);
    *entry.mutable_record() = records[n];
    applied[n] = static_cast<int>(pending.touched.size());
    absl::Status ok = Apply(entry, &pending);
    if (!ok.ok()) {
      behind_ = true;
      return ok;
    }
  }
  pending.Finish();
  if (highest_new.has_value()) {
    pending.commit.applied_below = *highest_new + 1;
    pending.commit.records_indexed_from = records_indexed_from_;
  }
  absl::Status written = archive_->Write(pending.commit);
  if (!written.ok()) {
    behind_ = true;
    return absl::Status(written.code(),
                        "the records are in the log but the archive write failed (it will catch "
                        "up from the log): " +
                            std::string(written.message()));
  }

  origo::v1::SignedRecordsResponse response;
  response.set_tree_size(tree_size);
  for (size_t n = 0; n < records.size(); ++n) {
    origo::v1::RecordedEntry* out = response.add_records();
    out->set_record_id(crypto::HexEncode(ids[n]));
    out->set_index(appended[n].index);
    out->set_duplicate(appended[n].duplicate);
    if (applied[n] >= 0) {
      for (const EntryKey& key : pending.touched[static_cast<size_t>(applied[n])]) {
        *out->add_blacklist() = ViewAt(pending.entries.at(key), now);
      }
      continue;
    }
    // A resubmission: the entries its original changed, as they stand now.
    ORIGO_ASSIGN_OR_RETURN(auto entries, archive_->ListBlacklist(SubjectUsci(records[n]), nullptr));
    for (const BlacklistEntry& e : entries) {
      bool related = e.entry_id() == appended[n].index;
      for (const auto& a : e.applications()) {
        related = related || a.index() == appended[n].index ||
                  (a.decided_unix_ms() != 0 && a.decision_index() == appended[n].index);
      }
      if (related) *out->add_blacklist() = ViewAt(e, now);
    }
  }
  return response;
}

// --- Feedback ---

absl::StatusOr<origo::v1::Feedback> CreditProcessor::SubmitFeedback(
    const Principal& principal, std::string_view address,
    const origo::v1::SubmitFeedbackRequest& request) {
  ORIGO_RETURN_IF_ERROR(ValidateUsciField("enterprise", request.enterprise()));
  if (request.lot().empty()) return Invalid("lot", "required (the lot's Digital Link path)");
  auto link = gs1::ParseDigitalLink(request.lot());
  if (!link.ok()) return Invalid("lot", std::string(link.status().message()));
  if (!link->IsLot()) return Invalid("lot", "must name a lot (GTIN and AI 10, no serial)");
  if (request.rating() < 1 || request.rating() > 5) {
    return Invalid("rating", "must be 1 to 5, not " + std::to_string(request.rating()));
  }
  if (request.comment().size() > kMaxCommentBytes) {
    return Invalid("comment", std::to_string(request.comment().size()) + " bytes; at most " +
                                  std::to_string(kMaxCommentBytes) + " allowed");
  }
  ORIGO_RETURN_IF_ERROR(registry_->GetEnterprise(request.enterprise()).status());
  const std::string lot = link->CanonicalPath();
  // The lot's facts list its events too (LineageIndex::EventsFor); without a lineage index,
  // capture writes none.
  ORIGO_ASSIGN_OR_RETURN(std::vector<uint64_t> events,
                         options_.lineage != nullptr
                             ? options_.lineage->EventsFor(*log_, lot, 1, nullptr)
                             : log_->EventsFor(lot, 1, nullptr));
  if (events.empty()) return absl::NotFoundError("lot: " + lot + " has no events in the log");
  const int64_t now = clock_();
  const std::string source = AddressOnly(address);
  ORIGO_RETURN_IF_ERROR(limiter_.Allow(source, lot, now));
  origo::v1::Feedback feedback;
  feedback.set_enterprise(request.enterprise());
  feedback.set_lot(lot);
  feedback.set_rating(request.rating());
  feedback.set_comment(request.comment());
  feedback.set_received_unix_ms(now);
  ORIGO_RETURN_IF_ERROR(
      archive_->AddFeedback(feedback, std::string(crypto::AsStringView(crypto::Sha256(source)))));
  return feedback;
}

// --- Reads ---

absl::StatusOr<origo::v1::GetCreditProfileResponse> CreditProcessor::GetProfile(
    const Principal& principal, const origo::v1::GetCreditProfileRequest& request) {
  ORIGO_RETURN_IF_ERROR(
      server::RequireOneOf(principal, {Role::kInspector, Role::kRegulator, Role::kProducer}));
  ORIGO_RETURN_IF_ERROR(ValidateUsciField("usci", request.usci()));
  if (!MaySeeArchive(principal, request.usci())) {
    return absl::PermissionDeniedError(
        "a producer token may read only its own enterprise's "
        "archive; token " +
        principal.token_id + " is bound to " + principal.usci);
  }
  if (request.page_size() > kMaxPageSize) {
    return Invalid("page_size", "at most " + std::to_string(kMaxPageSize));
  }
  const uint32_t page_size = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  uint64_t start = 0;
  if (!request.page_token().empty() && !absl::SimpleAtoi(request.page_token(), &start)) {
    return Invalid("page_token", "not a token this service returned");
  }
  origo::v1::GetCreditProfileResponse response;
  ORIGO_ASSIGN_OR_RETURN(*response.mutable_enterprise(), registry_->GetEnterprise(request.usci()));
  const int64_t now = clock_();
  std::unique_ptr<storage::ReadView> view = archive_->store()->Snapshot();
  ORIGO_ASSIGN_OR_RETURN(storage::CreditArchive::Page page,
                         archive_->ListEntries(request.usci(), start, page_size, view.get()));
  for (auto& entry : page.entries) *response.add_entries() = std::move(entry);
  if (page.next_index.has_value()) response.set_next_page_token(std::to_string(*page.next_index));
  ORIGO_ASSIGN_OR_RETURN(auto blacklist, archive_->ListBlacklist(request.usci(), view.get()));
  for (const BlacklistEntry& entry : blacklist) *response.add_blacklist() = ViewAt(entry, now);
  ORIGO_ASSIGN_OR_RETURN(auto feedback, archive_->ListFeedback(request.usci(), view.get()));
  uint64_t sum = 0;
  for (const origo::v1::Feedback& f : feedback) sum += f.rating();
  response.set_feedback_count(static_cast<uint32_t>(feedback.size()));
  if (!feedback.empty()) {
    response.set_feedback_average(static_cast<double>(sum) / static_cast<double>(feedback.size()));
  }
  return response;
}

absl::StatusOr<RatingFacts> CreditProcessor::Facts(std::string_view usci, int64_t as_of_unix_ms,
                                                   const RuleSet& rules) const {
  RatingFacts facts;
  facts.usci = std::string(usci);
  ORIGO_ASSIGN_OR_RETURN(storage::EnterpriseProfile profile, registry_->GetProfile(usci));
  facts.sector = profile.enterprise.sector();
  for (const origo::v1::Certificate& c : profile.certificates) AddCertificate(c, &facts);
  std::unique_ptr<storage::ReadView> view = archive_->store()->Snapshot();
  ORIGO_RETURN_IF_ERROR(archive_->LoadRatingFacts(usci, as_of_unix_ms, &facts, view.get()));
  ORIGO_ASSIGN_OR_RETURN(auto blacklist, archive_->ListBlacklist(usci, view.get()));
  for (const BlacklistEntry& b : blacklist) {
    if (b.listed_unix_ms() <= as_of_unix_ms) facts.blacklist.push_back(ViewAt(b, as_of_unix_ms));
  }
  if (options_.traceability) {
    const Day to = DayOfUnixMs(as_of_unix_ms);
    ORIGO_ASSIGN_OR_RETURN(facts.traceability,
                           options_.traceability(usci, to - rules.window_days + 1, to));
  }
  return facts;
}

absl::StatusOr<origo::v1::Rating> CreditProcessor::GetRating(
    const Principal& principal, const origo::v1::GetRatingRequest& request) {
  ORIGO_RETURN_IF_ERROR(ValidateUsciField("usci", request.usci()));
  ORIGO_ASSIGN_OR_RETURN(int64_t as_of, AsOf("as_of", request.as_of(), clock_()));
  auto rules = options_.rules->At(DayOfUnixMs(as_of));
  if (!rules.ok()) return Invalid("as_of", std::string(rules.status().message()));
  ORIGO_ASSIGN_OR_RETURN(RatingFacts facts, Facts(request.usci(), as_of, **rules));
  origo::v1::Rating rating = Rate(facts, **rules, as_of);
  if (!MaySeeArchive(principal, request.usci())) {
    rating.clear_indicators();
    rating.clear_caps();
    rating.set_explained(false);
  }
  return rating;
}

absl::StatusOr<std::vector<BlacklistEntry>> CreditProcessor::ListBlacklist(
    const Principal& principal, const origo::v1::ListBlacklistRequest& request) {
  const bool inspector = request.view() == origo::v1::BLACKLIST_VIEW_INSPECTOR;
  if (inspector) {
    ORIGO_RETURN_IF_ERROR(server::RequireOneOf(principal, {Role::kInspector, Role::kRegulator}));
  } else if (request.view() != origo::v1::BLACKLIST_VIEW_UNSPECIFIED &&
             request.view() != origo::v1::BLACKLIST_VIEW_PUBLIC) {
    return Invalid("view", "must be BLACKLIST_VIEW_PUBLIC or BLACKLIST_VIEW_INSPECTOR");
  }
  if (!request.usci().empty()) ORIGO_RETURN_IF_ERROR(ValidateUsciField("usci", request.usci()));
  ORIGO_ASSIGN_OR_RETURN(int64_t as_of, AsOf("as_of", request.as_of(), clock_()));
  ORIGO_ASSIGN_OR_RETURN(auto entries, archive_->ListBlacklist(request.usci(), nullptr));
  std::vector<BlacklistEntry> out;
  for (const BlacklistEntry& entry : entries) {
    if (entry.listed_unix_ms() > as_of) continue;
    if (inspector) {
      out.push_back(ViewAt(entry, as_of));
    } else if (IsListedAt(entry, as_of)) {
      out.push_back(PublicView(entry, as_of));
    }
  }
  return out;
}

absl::StatusOr<origo::v1::QualityReport> CreditProcessor::QualityReport(
    const Principal& principal, const origo::v1::QualityReportRequest& request) {
  ORIGO_RETURN_IF_ERROR(server::RequireOneOf(principal, {Role::kInspector, Role::kRegulator}));
  const origo::v1::Sector sector = request.sector();
  if (sector != origo::v1::SECTOR_WINE && sector != origo::v1::SECTOR_GOJI &&
      sector != origo::v1::SECTOR_HALAL) {
    return Invalid("sector", "must be SECTOR_WINE, SECTOR_GOJI or SECTOR_HALAL");
  }
  if (request.from().empty()) return Invalid("from", "required (YYYY-MM-DD)");
  if (request.to().empty()) return Invalid("to", "required (YYYY-MM-DD)");
  ORIGO_ASSIGN_OR_RETURN(Day from, ParseDate("from", request.from()));
  ORIGO_ASSIGN_OR_RETURN(Day to, ParseDate("to", request.to()));
  const Day today = DayOfUnixMs(clock_());
  if (to > today) return Invalid("to", request.to() + " is in the future");
  if (from > to) return Invalid("from", request.from() + " is after to " + request.to());
  if (to - from >= kMaxReportDays) return Invalid("from", "a report covers at most 10 years");

  std::map<std::string, ReportEnterprise> by_usci;
  std::unique_ptr<storage::ReadView> view = archive_->store()->Snapshot();
  ORIGO_RETURN_IF_ERROR(archive_->ForEachEntry(
      [&](const origo::v1::ArchiveEntry& entry) {
        if (entry.sector() != sector) return absl::OkStatus();
        const std::string& usci = SubjectUsci(entry.record());
        ReportEnterprise& e = by_usci[usci];
        e.usci = usci;
        e.sector = sector;
        e.entries.push_back(entry);
        return absl::OkStatus();
      },
      view.get()));
  std::vector<ReportEnterprise> enterprises;
  enterprises.reserve(by_usci.size());
  for (auto& [usci, e] : by_usci) {
    ORIGO_ASSIGN_OR_RETURN(e.feedback, archive_->ListFeedback(usci, view.get()));
    ORIGO_ASSIGN_OR_RETURN(e.blacklist, archive_->ListBlacklist(usci, view.get()));
    auto certificates = registry_->ListCertificates(usci);
    if (certificates.ok()) e.certificates = *std::move(certificates);
    enterprises.push_back(std::move(e));
  }
  return BuildQualityReport(sector, from, to, enterprises, *options_.rules);
}

}  // namespace origo::credit
