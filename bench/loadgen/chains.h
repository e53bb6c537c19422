#ifndef ORIGO_BENCH_LOADGEN_CHAINS_H_
#define ORIGO_BENCH_LOADGEN_CHAINS_H_

// Synthetic supply chains for the benchmarks: valid EPCIS 2.0 JSON that passes capture's
// structural validation and the built-in sector rules (core/rules/rules.h), for all three sectors.
//
// Everything is a pure function of (enterprise count, cases per chain, chain index), so the Origo
// load generator and the PostgreSQL peer produce byte-identical events without sharing files, and
// the query phase can regenerate any chain to pick items to trace.
//
// One chain is one enterprise's production run:
//   wine   two vineyard-block harvests (Brix) -> two crushings -> two fermentations (sensor
//          temperatures) -> blend (vintage/variety claim) -> bottling runs (serialised bottles)
//          -> cases (SSCC aggregations of 12) -> pallets (aggregations of up to 40 cases) -> ship
//   goji   plot harvest -> drying -> grading -> packing runs (serialised 5 kg bags)
//          -> cartons (10 bags) -> pallets -> ship
//   halal  live animals bought in -> ante-mortem inspection (quarantine certificate) -> halal
//          slaughter (certificate, slaughterer id) -> post-mortem inspection -> cutting
//          -> packing runs (serialised 2 kg packs) -> cases (10 packs) -> pallets -> cold store
//          (temperatures) -> ship with halal and veterinary certificates
// Shipments go to a domestic place (CN): an export would need a residue inspection recorded by an
// inspector first (goji_export rule), which is not producer load.

#include <cstdint>
#include <string>
#include <vector>

namespace origo::bench {

enum class Sector { kWine = 0, kGoji = 1, kHalal = 2 };

struct EnterpriseSpec {
  std::string usci;
  Sector sector;
  std::string name;
  std::string gln;                // 13 digits; the site every event happens at
  std::string halal_certificate;  // halal enterprises only
  bool p256 = false;              // every fourth enterprise signs with ECDSA P-256
};

struct Chain {
  size_t enterprise = 0;            // index into Generator::enterprises()
  std::vector<std::string> events;  // in capture order
  std::vector<std::string> items;   // serialised items (canonical Digital Link paths)
  std::vector<std::string> lots;    // lots created (canonical paths); lots[0] is an origin lot
};

class Generator {
 public:
  // `cases_per_chain` >= 1 sets the chain length (about 10 + 1.1 x cases events).
  Generator(size_t enterprises, size_t cases_per_chain);

  const std::vector<EnterpriseSpec>& enterprises() const { return enterprises_; }
  // Chain `index` belongs to enterprise index % enterprises().size().
  Chain MakeChain(uint64_t index) const;
  // Events chain `index` has (without building it).
  size_t EventsPerChain(uint64_t index) const;

  // The season every chain happens in: August to November of last year (UTC), so that no event
  // lies in the future whatever the machine's date. Fixed for the process.
  static int SeasonYear();

  // The cases per chain that make `events` events over `lots` lots (about 4.7 lots per chain).
  static size_t CasesFor(uint64_t events, uint64_t lots);

 private:
  Chain Wine(uint64_t index) const;
  Chain Goji(uint64_t index) const;
  Chain Halal(uint64_t index) const;

  std::vector<EnterpriseSpec> enterprises_;
  size_t cases_;
};

}  // namespace origo::bench

#endif  // ORIGO_BENCH_LOADGEN_CHAINS_H_
