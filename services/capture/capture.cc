#include "services/capture/capture.h"

#include <chrono>
#include <limits>

#include "absl/container/flat_hash_set.h"
#include "core/base/status_macros.h"
#include "core/batch/batch.h"
#include "core/crypto/hash.h"
#include "core/epcis/event.h"
#include "rocksdb/db.h"

namespace origo::capture {
namespace {

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string HashBytes(const merkle::Hash& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

}  // namespace

CaptureProcessor::CaptureProcessor(storage::RegistryStore* registry, Sequencer* sequencer,
                                   origo::v1::CaptureConfig config, Clock clock,
                                   storage::LineageIndex* lineage, const rules::Engine* rules)
    : registry_(registry),
      sequencer_(sequencer),
      config_(std::move(config)),
      clock_(clock ? std::move(clock) : Clock(SystemNowMs)),
      lineage_(lineage),
      rules_(rules) {}

absl::StatusOr<origo::v1::CaptureResponse> CaptureProcessor::Capture(
    const server::Principal& principal, const origo::v1::SignedBatch& batch) {
  ORIGO_ASSIGN_OR_RETURN(PreparedBatch prepared, Prepare(principal, batch));
  ORIGO_ASSIGN_OR_RETURN(std::vector<storage::AppendedLeaf> appended, Submit(prepared).get());
  return Respond(prepared, appended);
}

std::future<Sequencer::Result> CaptureProcessor::Submit(PreparedBatch& prepared) {
  auto result =
      sequencer_->SubmitAsync(std::move(prepared.leaves), std::move(prepared.write_begun));
  // A registered handle holds a null pointer (only its deleter matters): test the count.
  if (prepared.pending.use_count() == 0) return result;
  // The batch's effects stay pending until its write has completed (or failed).
  return std::async(std::launch::deferred,
                    [result = std::move(result), pending = std::move(prepared.pending)]() mutable {
                      Sequencer::Result r = result.get();
                      pending.reset();
                      return r;
                    });
}

void CaptureProcessor::SubmitTo(PreparedBatch& prepared, Sequencer::Sink* sink, uint64_t ticket) {
  sequencer_->SubmitTo(std::move(prepared.leaves), sink, ticket, std::move(prepared.write_begun));
}

absl::StatusOr<CaptureProcessor::PreparedBatch> CaptureProcessor::Prepare(
    const server::Principal& principal, const origo::v1::SignedBatch& batch) {
  if (principal.role != server::Role::kProducer) {
    return absl::PermissionDeniedError(
        "capture needs a producer token bound to the signing enterprise; this call has the " +
        std::string(server::RoleName(principal.role)) + " role");
  }
  if (batch.events_size() == 0) {
    return absl::InvalidArgumentError("batch.events: a batch needs at least one event");
  }
  if (static_cast<uint32_t>(batch.events_size()) > config_.max_batch_events()) {
    return absl::InvalidArgumentError("batch.events: " + std::to_string(batch.events_size()) +
                                      " events, more than the limit of " +
                                      std::to_string(config_.max_batch_events()));
  }
  ORIGO_ASSIGN_OR_RETURN(origo::v1::BatchManifest manifest, batch::ParseManifest(batch.manifest()));
  if (manifest.enterprise() != principal.usci) {
    return absl::PermissionDeniedError("manifest.enterprise: the batch is signed for " +
                                       manifest.enterprise() + " but the token is bound to " +
                                       principal.usci);
  }
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
  // One tree serves both the root check and every event's batch path.
  batch::BatchTree tree(batch.events());
  ORIGO_RETURN_IF_ERROR(batch::VerifyBatch(batch, manifest, key->key, tree));

  const int64_t now = clock_();
  epcis::ValidationOptions options;
  options.now_unix_ms = now;
  options.max_event_bytes = config_.max_event_bytes();
  options.max_future_skew_ms = int64_t{config_.max_future_skew_seconds()} * 1000;

  std::vector<storage::LeafToAppend> leaves(static_cast<size_t>(batch.events_size()));
  origo::v1::LogLeaf leaf;
  leaf.set_manifest(batch.manifest());
  leaf.set_signature(batch.signature());
  leaf.set_record_unix_ms(now);
  std::vector<epcis::ParsedEvent> parsed_events(leaves.size());
  for (int i = 0; i < batch.events_size(); ++i) {
    auto parsed = epcis::ParseEvent(batch.events(i), options);
    if (!parsed.ok()) {
      return absl::Status(parsed.status().code(), "event " + std::to_string(i) + ": " +
                                                      std::string(parsed.status().message()));
    }
    storage::LeafToAppend& out = leaves[static_cast<size_t>(i)];
    // ParseEvent already hashed the bytes: the raw id is its hex id decoded.
    ORIGO_ASSIGN_OR_RETURN(out.event_id, crypto::HexDecode(parsed->event_id_hex));
    out.identifiers = parsed->identifiers;
    // QueryEvents' index terms, written with the event.
    for (std::string& t : storage::LineageIndex::QueryTerms(parsed->event, principal.usci)) {
      out.identifiers.push_back(std::move(t));
    }
    parsed_events[static_cast<size_t>(i)] = *std::move(parsed);

    ORIGO_ASSIGN_OR_RETURN(std::vector<merkle::Hash> path, tree.Path(static_cast<uint64_t>(i)));
    leaf.set_event(batch.events(i));
    leaf.set_batch_index(static_cast<uint32_t>(i));
    leaf.clear_batch_path();
    for (const merkle::Hash& h : path) leaf.add_batch_path(HashBytes(h));
    out.leaf = batch::DeterministicBytes(leaf);
    out.leaf_hash = merkle::LeafHash(out.leaf);
  }

  if (lineage_ != nullptr && rules_ != nullptr) {
    ORIGO_RETURN_IF_ERROR(CheckExportGate(manifest.enterprise(), parsed_events, now));
  }
  PreparedBatch prepared;
  if (lineage_ != nullptr && rules_ != nullptr) {
    ORIGO_RETURN_IF_ERROR(ApplyRules(manifest.enterprise(), parsed_events, &leaves, now,
                                     &prepared.pending, &prepared.write_begun));
  }

  prepared.event_ids.reserve(leaves.size());
  for (const auto& l : leaves) prepared.event_ids.push_back(l.event_id);
  prepared.leaves = std::move(leaves);
  return prepared;
}

absl::Status CaptureProcessor::CheckExportGate(const std::string& signer,
                                               const std::vector<epcis::ParsedEvent>& events,
                                               int64_t now) const {
  if (!export_gate_) return absl::OkStatus();
  for (size_t i = 0; i < events.size(); ++i) {
    const origo::v1::Event& event = events[i].event;
    if (event.biz_step() != "shipping") continue;
    bool abroad = false;
    for (const auto& d : event.destination_list()) {
      constexpr std::string_view kPlace = "urn:origo:place:";
      if (d.destination().rfind(kPlace, 0) != 0) continue;
      std::string country = d.destination().substr(kPlace.size());
      if (country.substr(0, country.find('-')) != "CN") abroad = true;
    }
    if (!abroad) continue;
    absl::Status gate = export_gate_(signer, now);
    if (!gate.ok()) {
      return absl::Status(gate.code(), "event " + std::to_string(i) +
                                           ": destinationList: " + std::string(gate.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status CaptureProcessor::ApplyRules(const std::string& signer,
                                          const std::vector<epcis::ParsedEvent>& events,
                                          std::vector<storage::LeafToAppend>* leaves, int64_t now,
                                          std::shared_ptr<void>* pending,
                                          std::shared_ptr<std::atomic<uint64_t>>* write_begun) {
  // Judge and register under the identifiers' locks (core/rules/pending.h): concurrent batches
  // on the same lots cannot both pass against the same state.
  std::vector<std::string> ids;
  for (const auto& leaf : *leaves) {
    for (const std::string& id : leaf.identifiers) {
      if (id.rfind(storage::LineageIndex::kQueryTermPrefix, 0) != 0) ids.push_back(id);
    }
  }
  rules::PendingEffects::Lock lock = pending_.LockIds(ids);
  // The pending entries first, then the snapshot: a batch released in between was written
  // before the snapshot and is in it. In the other order, a batch written after the snapshot
  // and released before the entries were read would be in neither, and this batch would be
  // judged as if it had never happened.
  const std::vector<std::shared_ptr<const rules::PendingEffects::Entry>> entries =
      pending_.Entries();
  if (between_entries_and_snapshot_) between_entries_and_snapshot_();
  std::unique_ptr<storage::ReadView> view = lineage_->store()->Snapshot();
  std::unique_ptr<rules::StateReader> reader = lineage_->Reader(view.get());
  rules::BatchState state(reader.get());
  // A pending batch whose write had not begun when looked at after the snapshot was taken, or
  // began after the snapshot's sequence number, is not in it. For the others, and for the
  // batch's own events (already stored: a retry), one index lookup: a pending batch whose
  // first event the snapshot shows is not overlaid, or it would count twice.
  const rocksdb::Snapshot* snapshot = view->options().snapshot;
  const uint64_t snapshot_sequence =
      snapshot != nullptr ? snapshot->GetSequenceNumber() : std::numeric_limits<uint64_t>::max();
  std::vector<std::string_view> keys;
  keys.reserve(leaves->size() + entries.size());
  for (const storage::LeafToAppend& leaf : *leaves) keys.push_back(leaf.event_id);
  std::vector<bool> maybe_written(entries.size(), true);
  {
    std::lock_guard<std::mutex> lock(write_begun_mu_);
    for (size_t e = 0; e < entries.size(); ++e) {
      auto it = write_begun_.find(entries[e]->first_event_id);
      // Not found: released after Entries() (written or failed), so look.
      if (it == write_begun_.end()) continue;
      const uint64_t begun = it->second->load();
      if (begun == 0 || snapshot_sequence < begun) maybe_written[e] = false;
    }
  }
  for (size_t e = 0; e < entries.size(); ++e) {
    if (maybe_written[e]) keys.push_back(entries[e]->first_event_id);
  }
  ORIGO_ASSIGN_OR_RETURN(auto existing, view->MultiGet(storage::ColumnFamily::kEventIndex, keys));
  // The batch's events judged here: not stored, not repeated within the batch, and not in a
  // pending batch (a retry of one still in flight).
  absl::flat_hash_set<std::string_view> judge;
  for (size_t i = 0; i < leaves->size(); ++i) {
    if (!existing[i].has_value()) judge.insert((*leaves)[i].event_id);
  }
  for (size_t e = 0, looked = leaves->size(); e < entries.size(); ++e) {
    const auto& entry = entries[e];
    if (maybe_written[e] && existing[looked++].has_value()) continue;  // in the snapshot
    state.AddOverlay(std::shared_ptr<const rules::EffectsIndex>(entry, &entry->effects));
    if (judge.empty()) continue;
    for (const std::string& id : entry->event_ids) judge.erase(id);
  }
  rules::PendingEffects::Entry mine;
  for (size_t i = 0; i < events.size(); ++i) {
    storage::LeafToAppend& leaf = (*leaves)[i];
    // erase: a repeat later in the batch is not judged twice.
    if (judge.erase(leaf.event_id) == 0) continue;  // stored, in flight, or a repeat: a retry
    std::optional<rules::Violation> violation;
    auto effects = rules_->Evaluate(events[i], leaf.event_id, signer, state, &violation);
    if (!effects.ok()) {
      if (violation.has_value()) {
        origo::store::v1::SuspectedViolation record;
        record.set_rule(violation->rule);
        record.set_enterprise(signer);
        record.set_event_id(events[i].event_id_hex);
        record.set_field(violation->field);
        record.set_reason(violation->reason);
        record.set_recorded_unix_ms(now);
        for (const auto& id : violation->identifiers) record.add_identifiers(id);
        record.set_id(crypto::HexEncode(
            crypto::Sha256(events[i].event_id_hex + "|" + violation->rule + "|" + signer)));
        absl::Status kept = lineage_->PutViolation(record);
        if (!kept.ok()) return kept;
      }
      return absl::Status(effects.status().code(), "event " + std::to_string(i) + ": " +
                                                       std::string(effects.status().message()));
    }
    storage::LineageIndex::EncodeInto(*effects, &leaf);
    state.Apply(*std::move(effects));
    if (mine.event_ids.empty()) mine.first_event_id = leaf.event_id;
    mine.event_ids.push_back(leaf.event_id);
  }
  if (!mine.event_ids.empty()) {
    mine.effects = state.ReleaseOwn();
    auto begun = std::make_shared<std::atomic<uint64_t>>(0);
    std::string first = mine.first_event_id;
    {
      std::lock_guard<std::mutex> lock(write_begun_mu_);
      write_begun_[first] = begun;
    }
    std::shared_ptr<void> entry = pending_.Add(std::move(mine));
    // Released after the batch's write: out of pending_ first, then out of write_begun_, so
    // an entry still listed by Entries() but no longer found there is looked up.
    auto release = [this, first = std::move(first), begun,
                    entry = std::move(entry)](void*) mutable {
      entry.reset();
      std::lock_guard<std::mutex> lock(write_begun_mu_);
      auto it = write_begun_.find(first);
      if (it != write_begun_.end() && it->second == begun) write_begun_.erase(it);
    };
    *pending = std::shared_ptr<void>(nullptr, std::move(release));
    *write_begun = std::move(begun);
  }
  return absl::OkStatus();
}

origo::v1::CaptureResponse CaptureProcessor::Respond(
    const PreparedBatch& prepared, const std::vector<storage::AppendedLeaf>& appended) {
  origo::v1::CaptureResponse response;
  uint32_t stored = 0, duplicates = 0;
  uint64_t tree_size = 0;
  for (size_t i = 0; i < appended.size(); ++i) {
    auto* event = response.add_events();
    event->set_event_id(crypto::HexEncode(prepared.event_ids[i]));
    event->set_index(appended[i].index);
    event->set_duplicate(appended[i].duplicate);
    (appended[i].duplicate ? duplicates : stored)++;
    tree_size = std::max(tree_size, appended[i].tree_size);
  }
  response.set_stored(stored);
  response.set_duplicates(duplicates);
  response.set_tree_size(tree_size);
  return response;
}

}  // namespace origo::capture
