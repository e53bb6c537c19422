// The lineage index on a real store: effects written with the event in one WriteBatch, read back
// both ways; duplicates write nothing; inspections and violations.

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "core/batch/batch.h"
#include "core/crypto/hash.h"
#include "core/merkle/merkle.h"
#include "origo/v1/log.pb.h"
#include "storage/event_log.h"
#include "storage/key_encoding.h"
#include "storage/lineage_index.h"
#include "storage/registry_store.h"
#include "tests/test_util.h"

namespace origo::storage {
namespace {

using origo::testing::TempDir;

rules::Effects TransformEffects(const std::string& raw_id, const std::string& in,
                                const std::string& out) {
  rules::Effects fx;
  fx.event_id = raw_id;
  origo::store::v1::LineageFact consumed;
  consumed.set_role(origo::store::v1::FACT_CONSUMED);
  consumed.set_quantity(100);
  consumed.set_signer("91640521MA76GJ0Q1B");
  fx.AddFact(in, consumed);
  origo::store::v1::LineageFact created;
  created.set_role(origo::store::v1::FACT_CREATED);
  created.set_quantity(25);
  created.set_signer("91640521MA76GJ0Q1B");
  fx.AddFact(out, created);
  rules::Edge e;
  e.from = in;
  e.to = out;
  e.edge.set_kind(origo::store::v1::EDGE_TRANSFORM);
  fx.edges.push_back(e);
  return fx;
}

LeafToAppend Leaf(const std::string& event, const rules::Effects& fx) {
  LeafToAppend leaf;
  auto digest = crypto::Sha256(event);
  leaf.event_id.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
  leaf.leaf = event;
  leaf.leaf_hash = merkle::LeafHash(event);
  leaf.index_puts = LineageIndex::Encode(rules::Effects(fx));
  return leaf;
}

// A store with its registry, lineage index and event log, as origod opens them.
class LineageIndexTest : public ::testing::Test {
 protected:
  absl::Status AppendAll(const std::vector<LeafToAppend>& leaves) {
    std::vector<const LeafToAppend*> pointers;
    for (const auto& leaf : leaves) pointers.push_back(&leaf);
    return log->Append(pointers).status();
  }

  TempDir dir;
  std::unique_ptr<Store> store = Store::Open(dir.Sub("db")).value();
  RegistryStore registry{store.get()};
  LineageIndex index{store.get(), &registry};
  std::unique_ptr<EventLog> log = EventLog::Open(store.get()).value();
};

TEST_F(LineageIndexTest, EdgesAndFactsAreWrittenWithTheEventAndReadBothWays) {
  const std::string a = "/01/06971234000101/10/A", b = "/01/06971234000279/10/B",
                    c = "/01/06971234000347/10/C";
  LeafToAppend first = Leaf("event-1", TransformEffects(std::string(32, '\x01'), a, b));
  LeafToAppend second = Leaf("event-2", TransformEffects(std::string(32, '\x02'), b, c));
  ASSERT_TRUE(log->Append({&first, &second}).ok());

  auto view = store->Snapshot();
  auto up = index.Upstream(c, *view).value();
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].from, b);
  EXPECT_EQ(up[0].to, c);
  // Values are stored without the event id; it comes back from the key.
  EXPECT_EQ(up[0].edge.event_id(), crypto::HexEncode(std::string(32, '\x02')));
  auto down = index.Downstream(a, *view).value();
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].to, b);
  EXPECT_EQ(down[0].edge.event_id(), crypto::HexEncode(std::string(32, '\x01')));
  std::set<std::string> fact_events;
  const std::vector<origo::store::v1::LineageFact> b_facts = index.Facts(b, *view).value();
  for (const auto& f : b_facts) fact_events.insert(f.event_id());
  EXPECT_EQ(fact_events, (std::set<std::string>{crypto::HexEncode(std::string(32, '\x01')),
                                                crypto::HexEncode(std::string(32, '\x02'))}));
  rules::NodeState state = rules::Fold(index.Facts(b, *view).value());
  EXPECT_TRUE(state.known);
  EXPECT_EQ(state.produced, 25);
  EXPECT_EQ(state.consumed, 100);
  EXPECT_TRUE(index.Facts("/01/06971234000101/10/NONE", *view).value().empty());

  // A duplicate append writes none of its index puts.
  LeafToAppend again = Leaf("event-1", TransformEffects(std::string(32, '\x03'), a, c));
  auto appended = log->Append({&again}).value();
  EXPECT_TRUE(appended[0].duplicate);
  auto later = store->Snapshot();
  EXPECT_EQ(index.Downstream(a, *later).value().size(), 1u);
}

TEST_F(LineageIndexTest, ValuesWrittenWithTheEventIdStillRead) {
  // Stores written before values dropped the event id keep it in the value.
  const std::string in = "/01/06971234000101/10/A", out = "/01/06971234000279/10/B";
  const std::string raw_id(32, '\x07');
  const std::string hex_id = crypto::HexEncode(raw_id);
  rules::Effects fx = TransformEffects(raw_id, in, out);
  std::vector<IndexPut> puts = LineageIndex::Encode(rules::Effects(fx));
  rocksdb::WriteBatch batch;
  for (const IndexPut& put : puts) {
    std::string value = put.value;
    if (put.family == ColumnFamily::kProvenance) {
      origo::store::v1::LineageFact fact;
      ASSERT_TRUE(DecodeValue(value, &fact, "fact").ok());
      fact.set_event_id(hex_id);
      value = EncodeValue(fact);
    } else {
      origo::store::v1::LineageEdge edge;
      ASSERT_TRUE(DecodeValue(value, &edge, "edge").ok());
      edge.set_event_id(hex_id);
      value = EncodeValue(edge);
    }
    batch.Put(store->Family(put.family), put.key, value);
  }
  ASSERT_TRUE(store->Write(&batch).ok());
  auto view = store->Snapshot();
  auto up = index.Upstream(out, *view).value();
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].from, in);
  EXPECT_EQ(up[0].edge.event_id(), hex_id);
  EXPECT_EQ(up[0].edge.kind(), origo::store::v1::EDGE_TRANSFORM);
  auto facts = index.Facts(out, *view).value();
  ASSERT_EQ(facts.size(), 1u);
  EXPECT_EQ(facts[0].event_id(), hex_id);
  EXPECT_EQ(facts[0].quantity(), 25);
}

// Encode leaves out the event ids from the values but hands the effects back as they were: capture
// overlays the same facts on the next events of the batch.
TEST_F(LineageIndexTest, EncodeLeavesTheEffectsAsTheyWere) {
  rules::Effects fx = TransformEffects(std::string(32, '\x07'), "/01/06971234000101/10/A",
                                       "/01/06971234000279/10/B");
  const std::string hex_id = crypto::HexEncode(fx.event_id);
  for (auto& [id, fact] : fx.facts) fact->set_event_id(hex_id);
  fx.edges[0].edge.set_event_id(hex_id);
  // Copies of Effects share their facts: keep what they said as bytes.
  std::vector<std::pair<std::string, std::string>> before;
  for (const auto& [id, fact] : fx.facts) before.emplace_back(id, fact->SerializeAsString());
  const std::string edge_before = fx.edges[0].edge.SerializeAsString();
  std::vector<IndexPut> puts = LineageIndex::Encode(fx);
  ASSERT_EQ(puts.size(), 5u);  // two facts, the lot by its creator, an edge each way
  for (const IndexPut& put : puts) {
    EXPECT_EQ(put.value.find(hex_id), std::string::npos) << put.key;
  }
  ASSERT_EQ(fx.facts.size(), before.size());
  for (size_t i = 0; i < fx.facts.size(); ++i) {
    EXPECT_EQ(fx.facts[i].first, before[i].first);
    EXPECT_EQ(fx.facts[i].second->SerializeAsString(), before[i].second);
  }
  EXPECT_EQ(fx.edges[0].edge.SerializeAsString(), edge_before);
}

// An event's facts list it under their identifiers in log order, in place of the identifier
// index (which keeps the identifiers with no fact and the query terms). A store written before
// that holds old fact keys and full identifier index entries: EventsFor and Facts read both, in
// log order, with every event once.
TEST_F(LineageIndexTest, FactsListTheirEventsAndOldStoresStillRead) {
  const std::string in = "/01/06971234000101/10/A", out = "/01/06971234000279/10/B";
  const std::string gln = "/414/6971234000016";
  auto leaf_for = [&](const std::string& event, char id_byte, bool old_format) {
    rules::Effects fx = TransformEffects(std::string(32, id_byte), in, out);
    LeafToAppend leaf = Leaf(event, fx);
    leaf.identifiers = {in, out, gln};
    if (old_format) {
      for (IndexPut& put : leaf.index_puts) put.log_index_at = IndexPut::kNoLogIndex;
    } else {
      LineageIndex::EncodeInto(fx, &leaf);
    }
    return leaf;
  };
  // Event 0 as an older build wrote it; events 1 and 2 as this one does. The old event's id
  // sorts before the new ones' log indexes, so a scan that stopped at the first old key would
  // miss them.
  LeafToAppend old_event = leaf_for("event-old", '\x00', true);
  ASSERT_EQ(old_event.identifiers.size(), 3u);
  LeafToAppend first = leaf_for("event-new-1", '\x01', false);
  LeafToAppend second = leaf_for("event-new-2", '\x02', false);
  EXPECT_EQ(first.identifiers, std::vector<std::string>{gln});  // the facts stand in for the rest
  ASSERT_TRUE(AppendAll({old_event}).ok());
  ASSERT_TRUE(AppendAll({first, second}).ok());

  for (const std::string& id : {in, out}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(index.EventsFor(*log, id, SIZE_MAX, nullptr).value(),
              (std::vector<uint64_t>{0, 1, 2}));
    EXPECT_EQ(index.EventsFor(*log, id, 2, nullptr).value(), (std::vector<uint64_t>{0, 1}));
    EXPECT_EQ(index.EventsFor(*log, id, 1, nullptr, 1).value(), std::vector<uint64_t>{1});
    EXPECT_EQ(index.EventsFor(*log, id, SIZE_MAX, nullptr, 2).value(), std::vector<uint64_t>{2});
    // The identifier index alone knows only the old event now.
    EXPECT_EQ(log->EventsFor(id, SIZE_MAX, nullptr).value(), std::vector<uint64_t>{0});
    auto view = store->Snapshot();
    std::set<std::string> fact_events;
    const std::vector<origo::store::v1::LineageFact> facts = index.Facts(id, *view).value();
    for (const auto& f : facts) fact_events.insert(f.event_id());
    EXPECT_EQ(fact_events, (std::set<std::string>{crypto::HexEncode(std::string(32, '\x00')),
                                                  crypto::HexEncode(std::string(32, '\x01')),
                                                  crypto::HexEncode(std::string(32, '\x02'))}));
  }
  // An identifier without facts is listed by the identifier index alone.
  EXPECT_EQ(index.EventsFor(*log, gln, SIZE_MAX, nullptr).value(),
            (std::vector<uint64_t>{0, 1, 2}));
  EXPECT_TRUE(
      index.EventsFor(*log, "/01/06971234000101/10/NONE", SIZE_MAX, nullptr).value().empty());
}

TEST_F(LineageIndexTest, InspectionsAndViolationsRoundTrip) {
  origo::store::v1::StoredInspection inspection;
  inspection.set_id(std::string(64, 'a'));
  inspection.set_lot("/01/06971234000347/10/C");
  inspection.set_conformant(true);
  ASSERT_TRUE(index.PutInspection(inspection).ok());
  for (int i = 0; i < 3; ++i) {
    origo::store::v1::SuspectedViolation v;
    v.set_id(std::string(63, 'b') + std::to_string(i));
    v.set_rule("mass_balance@2026.1");
    v.set_recorded_unix_ms(1000 + i);
    ASSERT_TRUE(index.PutViolation(v).ok());
  }
  auto view = store->Snapshot();
  auto got = index.Inspections("/01/06971234000347/10/C", *view).value();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].conformant());
  auto violations = index.Violations(2, *view).value();
  ASSERT_EQ(violations.size(), 2u);
  EXPECT_EQ(violations[0].recorded_unix_ms(), 1002);  // newest first
}

// One Cursor serves many lookups through the same iterators, in any order: each lookup sees what
// the one-shot reads see, stops at its own identifier (not at a neighbour whose key starts the
// same), honours its limit, and an empty or past-the-end lookup does not disturb the next.
TEST_F(LineageIndexTest, CursorReadsWhatTheIndexReadsAcrossLookups) {
  // "A" fans out to three lots; "AB" sorts right after "A" and has edges of its own.
  const std::string a = "/01/06971234000101/10/A", ab = "/01/06971234000101/10/AB";
  const std::vector<std::string> outs = {"/01/06971234000279/10/B", "/01/06971234000279/10/C",
                                         "/01/06971234000279/10/D"};
  std::vector<LeafToAppend> leaves;
  for (size_t i = 0; i < outs.size(); ++i) {
    leaves.push_back(
        Leaf("event-" + std::to_string(i),
             TransformEffects(std::string(32, static_cast<char>('a' + i)), a, outs[i])));
  }
  leaves.push_back(Leaf("event-ab", TransformEffects(std::string(32, 'z'), ab, outs[0])));
  ASSERT_TRUE(AppendAll(leaves).ok());
  origo::store::v1::StoredInspection inspection;
  inspection.set_id(std::string(64, 'c'));
  inspection.set_lot(outs[1]);
  ASSERT_TRUE(index.PutInspection(inspection).ok());

  auto view = store->Snapshot();
  LineageIndex::Cursor cursor(&index, view.get());
  google::protobuf::Arena arena;
  auto same_edges = [](const std::vector<rules::Edge>& x, const std::vector<rules::Edge>& y) {
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (x[i].from != y[i].from || x[i].to != y[i].to ||
          x[i].edge.SerializeAsString() != y[i].edge.SerializeAsString()) {
        return false;
      }
    }
    return true;
  };
  const std::string none = "/01/06971234000101/10/NONE", last = "/01/99999999999999/10/Z";
  for (const std::string& id : {outs[2], a, none, ab, last, outs[0], a, outs[1]}) {
    SCOPED_TRACE(id);
    auto facts = cursor.Facts(id).value();
    auto expected = index.Facts(id, *view).value();
    ASSERT_EQ(facts.size(), expected.size());
    auto on_arena = cursor.Facts(id, &arena).value();
    ASSERT_EQ(on_arena.size(), expected.size());
    for (size_t i = 0; i < facts.size(); ++i) {
      EXPECT_EQ(facts[i].SerializeAsString(), expected[i].SerializeAsString());
      EXPECT_EQ(on_arena[i]->SerializeAsString(), expected[i].SerializeAsString());
      EXPECT_EQ(on_arena[i]->GetArena(), &arena);
    }
    EXPECT_TRUE(same_edges(cursor.Downstream(id).value(), index.Downstream(id, *view).value()));
    EXPECT_TRUE(same_edges(cursor.Upstream(id).value(), index.Upstream(id, *view).value()));
    EXPECT_TRUE(
        same_edges(cursor.Downstream(id, 2).value(), index.Downstream(id, *view, 2).value()));
    EXPECT_EQ(cursor.Inspections(id).value().size(), index.Inspections(id, *view).value().size());
  }
  EXPECT_EQ(cursor.Downstream(a).value().size(), 3u);  // not AB's edge
  EXPECT_EQ(cursor.Downstream(a, 2).value().size(), 2u);
  EXPECT_EQ(cursor.Upstream(outs[0]).value().size(), 2u);  // from A and from AB
  EXPECT_EQ(cursor.Inspections(outs[1]).value().size(), 1u);
  EXPECT_TRUE(cursor.Facts(none).value().empty());
}

// Lookups in key order walk forward from where the last one stopped instead of seeking (the
// serials of a lot, mostly with nothing recorded): a cursor that skips seeks must still answer
// every lookup, in any order and with any limit, exactly as a fresh one-shot read does.
TEST_F(LineageIndexTest, CursorSkipsSeeksInKeyOrderAndAnswersAsOneShotReads) {
  // Serials of two lengths (the length prefix orders them in two runs); every third has a fact
  // and an edge from the lot, every seventh an inspection, the rest nothing.
  const std::string lot = "/01/06971234000101/10/L";
  std::vector<std::string> ids;
  for (int i = 0; i < 60; ++i) {
    ids.push_back("/01/06971234000279/21/S" + std::to_string(1000 + i));
    ids.push_back("/01/06971234000279/21/T" + std::to_string(10000 + i));
  }
  std::vector<LeafToAppend> leaves;
  for (size_t i = 0; i < ids.size(); i += 3) {
    leaves.push_back(
        Leaf("event-" + std::to_string(i),
             TransformEffects(std::string(31, 'e') + static_cast<char>(i), lot, ids[i])));
  }
  ASSERT_TRUE(AppendAll(leaves).ok());
  for (size_t i = 0; i < ids.size(); i += 7) {
    origo::store::v1::StoredInspection inspection;
    inspection.set_id(crypto::HexEncode(std::string(31, 'i') + static_cast<char>(i)));
    inspection.set_lot(ids[i]);
    ASSERT_TRUE(index.PutInspection(inspection).ok());
  }

  auto view = store->Snapshot();
  auto check = [&](LineageIndex::Cursor& cursor, const std::string& id, size_t limit) {
    SCOPED_TRACE(id + " limit " + std::to_string(limit));
    auto facts = cursor.Facts(id).value();
    auto expected = index.Facts(id, *view).value();
    ASSERT_EQ(facts.size(), expected.size());
    for (size_t i = 0; i < facts.size(); ++i) {
      EXPECT_EQ(facts[i].SerializeAsString(), expected[i].SerializeAsString());
    }
    auto up = cursor.Upstream(id, limit).value();
    auto up_expected = index.Upstream(id, *view, limit).value();
    ASSERT_EQ(up.size(), up_expected.size());
    for (size_t i = 0; i < up.size(); ++i) EXPECT_EQ(up[i].from, up_expected[i].from);
    EXPECT_EQ(cursor.Downstream(id, limit).value().size(),
              index.Downstream(id, *view, limit).value().size());
    auto inspections = cursor.Inspections(id).value();
    auto inspections_expected = index.Inspections(id, *view).value();
    ASSERT_EQ(inspections.size(), inspections_expected.size());
    for (size_t i = 0; i < inspections.size(); ++i) {
      EXPECT_EQ(inspections[i].id(), inspections_expected[i].id());
    }
  };

  // In key order (identifiers are stored length first): one seek per kind of lookup for the
  // whole run.
  std::vector<std::string> sorted = ids;
  std::sort(sorted.begin(), sorted.end(), [](const std::string& a, const std::string& b) {
    return std::make_pair(a.size(), a) < std::make_pair(b.size(), b);  // length-prefixed keys
  });
  {
    LineageIndex::Cursor cursor(&index, view.get());
    for (const std::string& id : sorted) check(cursor, id, SIZE_MAX);
    EXPECT_EQ(cursor.lookups(), 4 * sorted.size());
    EXPECT_LE(cursor.seeks(), 4u) << "lookups in key order should walk forward";
    EXPECT_EQ(cursor.Downstream(lot).value().size(), leaves.size());  // behind: a seek
    EXPECT_EQ(cursor.seeks(), 5u);
  }
  // Any order, small limits (a scan that stops on its limit leaves the position unknown), the
  // lot itself between serials, identifiers past the last key: the same answers.
  std::mt19937 random(7);
  for (int round = 0; round < 3; ++round) {
    std::vector<std::string> order = ids;
    order.push_back(lot);
    order.push_back("/01/99999999999999/21/Z");
    std::shuffle(order.begin(), order.end(), random);
    std::sort(order.begin(), order.begin() + static_cast<long>(order.size() / 2));
    LineageIndex::Cursor cursor(&index, view.get());
    for (const std::string& id : order) check(cursor, id, 1 + random() % 3);
    check(cursor, lot, 2);
    check(cursor, lot, SIZE_MAX);
    EXPECT_LT(cursor.seeks(), cursor.lookups());
  }
}

// A store written before the query terms and the lots-by-creator keys existed: Backfill adds
// them once, so QueryEvents' index and traceability completeness see the old events.
TEST_F(LineageIndexTest, BackfillIndexesEventsStoredBeforeTheQueryTerms) {
  const std::string usci = "91640521MA76GJ0Q1B";
  const std::string a = "/01/06971234000101/10/A", b = "/01/06971234000279/10/B";
  const std::string event =
      R"({"type":"TransformationEvent","eventTime":"2026-08-23T18:00:00+08:00",)"
      R"("eventTimeZoneOffset":"+08:00","bizStep":"urn:origo:bizstep:drying",)"
      R"("inputQuantityList":[{"epcClass":"https://id.gs1.org/01/06971234000101/10/A",)"
      R"("quantity":100,"uom":"KGM"}],"outputQuantityList":[{"epcClass":)"
      R"("https://id.gs1.org/01/06971234000279/10/B","quantity":25,"uom":"KGM"}]})";
  auto key = crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519).value();
  origo::v1::SignedBatch signed_batch = batch::SignBatch({event}, usci, key, 1).value();
  origo::v1::LogLeaf leaf_message;
  leaf_message.set_event(event);
  leaf_message.set_manifest(signed_batch.manifest());
  leaf_message.set_signature(signed_batch.signature());
  LeafToAppend leaf =
      Leaf(leaf_message.SerializeAsString(), TransformEffects(std::string(32, '\x03'), a, b));
  // As the code before the new indexes wrote it: no creation keys, no query terms.
  std::erase_if(leaf.index_puts, [](const IndexPut& put) { return put.key[0] == 'C'; });
  leaf.identifiers = {a, b};
  ASSERT_TRUE(log->Append({&leaf}).ok());
  const std::string signer_term = LineageIndex::SignerTerm(usci);
  EXPECT_TRUE(log->EventsFor(signer_term, 10, nullptr).value().empty());
  {
    auto view = store->Snapshot();
    EXPECT_EQ(index.Traceability(usci, INT64_MIN, INT64_MAX, *view).value().lots, 0u);
  }

  ASSERT_TRUE(index.Backfill(*log).ok());
  EXPECT_EQ(log->EventsFor(signer_term, 10, nullptr).value(), std::vector<uint64_t>{0});
  EXPECT_EQ(
      log->EventsFor(LineageIndex::BizStepTerm("urn:origo:bizstep:drying"), 10, nullptr).value(),
      std::vector<uint64_t>{0});
  auto view = store->Snapshot();
  EXPECT_EQ(index.Traceability(usci, INT64_MIN, INT64_MAX, *view).value().lots, 1u);
  ASSERT_TRUE(index.Backfill(*log).ok());  // marked: a second start does nothing
}

// Facts that recall or hold flag their identifier, in the event's batch; the flagged set is read
// at a view (a later recall is not in an older snapshot), and a store written before the flags
// existed gets them from Backfill.
TEST_F(LineageIndexTest, RecallAndHoldFactsFlagTheirIdentifiers) {
  const std::string a = "/01/06971234000101/10/A", b = "/01/06971234000279/10/B";
  const std::string c = "/01/06971234000279/10/C";
  auto observe = [](const std::string& raw_id, const std::string& id,
                    const std::string& disposition) {
    rules::Effects fx;
    fx.event_id = raw_id;
    origo::store::v1::LineageFact f;
    f.set_role(origo::store::v1::FACT_OBSERVED);
    f.set_disposition(disposition);
    f.set_signer("91640521MA76GJ0Q1B");
    fx.AddFact(id, f);
    return fx;
  };
  // Leaves Backfill's log pass reads and skips (no manifest: not an event).
  auto leaf_bytes = [](const std::string& name) {
    origo::v1::LogLeaf leaf;
    leaf.set_event(name);
    return leaf.SerializeAsString();
  };
  auto flagged = [&](const ReadView* view, size_t limit = SIZE_MAX) {
    LineageIndex::Cursor cursor(&index, view);
    return cursor.Flagged(limit).value();
  };
  LeafToAppend made = Leaf(leaf_bytes("made"), TransformEffects(std::string(32, '\x01'), a, b));
  LeafToAppend active = Leaf(leaf_bytes("active"), observe(std::string(32, '\x02'), c, "active"));
  ASSERT_TRUE(log->Append({&made, &active}).ok());
  auto before = store->Snapshot();
  EXPECT_EQ(flagged(before.get()), absl::flat_hash_set<std::string>());

  LeafToAppend recall =
      Leaf(leaf_bytes("recall"), observe(std::string(32, '\x03'), a, rules::kRecalled));
  LeafToAppend hold = Leaf(leaf_bytes("hold"), observe(std::string(32, '\x04'), b, rules::kHeld));
  LeafToAppend hold_again =
      Leaf(leaf_bytes("hold-again"), observe(std::string(32, '\x05'), b, rules::kHeld));
  ASSERT_TRUE(log->Append({&recall, &hold, &hold_again}).ok());
  auto after = store->Snapshot();
  EXPECT_EQ(flagged(after.get()), (absl::flat_hash_set<std::string>{a, b}));
  EXPECT_EQ(flagged(after.get(), 3), (absl::flat_hash_set<std::string>{a, b}));  // 3 keys
  EXPECT_EQ(flagged(after.get(), 2), std::nullopt);  // more keys than the limit: not listed
  EXPECT_EQ(flagged(before.get()), absl::flat_hash_set<std::string>());

  // As a store from before the flags: backfilled to v2, but no flag keys and no v3 marker.
  // Backfill restores them.
  ASSERT_TRUE(index.Backfill(*log).ok());
  std::unique_ptr<rocksdb::Iterator> it(
      store->db()->NewIterator({}, store->Family(ColumnFamily::kProvenance)));
  rocksdb::WriteBatch strip;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string key = it->key().ToString();
    if (key[0] == 'S' || key == "Mindex-v3") {
      strip.Delete(store->Family(ColumnFamily::kProvenance), key);
    }
  }
  ASSERT_TRUE(store->Write(&strip).ok());
  EXPECT_EQ(flagged(store->Snapshot().get()), absl::flat_hash_set<std::string>());
  std::vector<std::string> lines;
  auto progress = [&lines](const std::string& line) { lines.push_back(line); };
  ASSERT_TRUE(index.Backfill(*log, progress).ok());
  EXPECT_EQ(flagged(store->Snapshot().get()), (absl::flat_hash_set<std::string>{a, b}));
  // The v2 pass over the log was done before: only the fact pass runs, and says so.
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "index backfill: lots by creator and status flags from the lineage facts");
  EXPECT_EQ(lines[1], "index backfill: done, 6 facts read");
  lines.clear();
  ASSERT_TRUE(index.Backfill(*log, progress).ok());  // marked: nothing to do, nothing said
  EXPECT_TRUE(lines.empty());
}

}  // namespace
}  // namespace origo::storage
