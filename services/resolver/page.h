#ifndef ORIGO_SERVICES_RESOLVER_PAGE_H_
#define ORIGO_SERVICES_RESOLVER_PAGE_H_

// The consumer view of one lot or serialised item (DESIGN §9): what the QR page shows, built
// from provenance (the lot, its trace to origin, containers), the credit service (the
// producer's grade and public blacklist status, lot inspections and recalls in the archive), the
// registry (certificates with validity, production bases) and the log itself (sensor readings
// of the chain's events, for the cold chain). Rendered as HTML (html.h) or JSON (ToJson).
//
// PageBuilder reads; the only write is the scan count of a serialised item, and only when asked.
// Errors: NOT_FOUND when nothing is recorded for the identifier; INVALID_ARGUMENT for an
// identifier that is not a lot or an item; storage errors pass through.
//
// Thread-safe: PageBuilder is immutable after construction; every call reads afresh.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/gs1/digital_link.h"
#include "origo/v1/config.pb.h"
#include "services/credit/credit.h"
#include "services/provenance/provenance.h"
#include "services/transparency/checkpointer.h"
#include "storage/credit_archive.h"
#include "storage/event_log.h"
#include "storage/registry_store.h"
#include "storage/scan_counter.h"

namespace origo::resolver {

// One step of the chain, in log terms and in the words the page uses.
struct TimelineEntry {
  std::string event_id;  // lowercase hex, as in the log
  int64_t time_unix_ms = 0;
  std::string event_type;
  std::string biz_step;  // without its CBV / Origo namespace, e.g. "crushing"
  std::string disposition;
  std::string enterprise;
  std::string enterprise_name;
  std::string place;    // production base name or location text; may be empty
  std::string subject;  // the identifier the entry is shown for
  double quantity = 0;
  std::string uom;
};

struct CertificateView {
  std::string type;  // halal, veterinary, phytosanitary, origin, animal_quarantine, gi, organic...
  std::string id;
  std::string issuer;
  std::string holder_name;
  std::string valid_from;  // YYYY-MM-DD, empty when not registered
  std::string valid_to;
  // "valid", "expired", "not_yet_valid", or "unregistered" (named by an event, not in the
  // registry), "claim" (a GI zone the registered production base lies in).
  std::string validity;
};

struct InspectionItemView {
  std::string name;
  double measured = 0;
  std::string unit;
  double limit = 0;
  bool pass = true;
};

struct InspectionView {
  std::string lot;
  std::string kind;
  std::string lab;
  std::string date;
  std::string report_no;
  bool pass = true;
  std::vector<InspectionItemView> items;
};

// A warning the page must not let anyone miss.
struct Warning {
  // "blacklist", "recall", "hold", "failed_inspection", "cold_chain", "scans".
  std::string kind;
  // Parameters for the sentence of each kind (see html.cc), e.g. {"enterprise": "..."}.
  std::map<std::string, std::string> params;
};

struct Producer {
  std::string usci;
  std::string name;
  std::string sector;             // "wine", "goji", "halal" or empty
  std::string grade;              // "AAA".."D", empty when no rating could be made
  std::string supervision_class;  // "A".."D"
  std::string rating_as_of;
  bool blacklisted = false;
};

struct Origin {
  std::string region;
  std::string base_name;
  std::string place;
  std::string harvest_date;
  std::string vintage;
  std::string variety;
  std::string enterprise_name;
  std::vector<std::string> gi_zones;
};

struct ProductPage {
  std::string id;    // canonical Digital Link path
  std::string kind;  // "lot" or "item"
  std::string gtin, lot, serial;
  std::string lot_id;  // an item's lot (canonical path), when known
  Producer producer;
  Origin origin;
  std::map<std::string, std::string> attributes;  // lot master data (ILMD), item's over its lot's
  std::vector<TimelineEntry> timeline;            // by time
  std::vector<CertificateView> certificates;
  std::vector<InspectionView> inspections;
  std::vector<Warning> warnings;
  std::optional<storage::ScanCount> scans;  // serialised items only
  bool truncated = false;                   // the trace hit its bounds
};

// Resolver settings with defaults applied.
struct PageOptions {
  uint32_t scan_warning_threshold = 20;
  double cold_chain_max_celsius = 4.0;
  std::chrono::milliseconds proof_wait{1000};
  static PageOptions FromConfig(const origo::v1::ResolverConfig& config);
};

class PageBuilder {
 public:
  using Clock = std::function<int64_t()>;  // Unix ms

  struct Sources {
    provenance::Provenance* provenance = nullptr;
    credit::CreditProcessor* credit = nullptr;
    storage::CreditArchive* archive = nullptr;
    storage::RegistryStore* registry = nullptr;
    storage::EventLog* log = nullptr;
    transparency::Checkpointer* checkpointer = nullptr;
    storage::ScanCounter* scans = nullptr;
  };

  // None of the pointers is owned; all must outlive the builder. `clock` defaults to the system
  // clock.
  PageBuilder(Sources sources, PageOptions options, Clock clock = nullptr);

  // The page of `link` (a lot or a serialised item). With `count_scan`, a serialised item's scan
  // is recorded first, so the page shows it.
  absl::StatusOr<ProductPage> Build(const gs1::DigitalLink& link, bool count_scan) const;

  // The proof bundle of the page's timeline events as JSON (see resolver.h for the contract).
  absl::StatusOr<std::string> ProofsJson(const gs1::DigitalLink& link) const;

  // {"origin": ..., "vkey": ...} of the log, for the page's verification hook.
  std::string LogKeyJson() const;

  const PageOptions& options() const { return options_; }
  const Sources& sources() const { return sources_; }
  int64_t Now() const { return clock_(); }

 private:
  Sources sources_;
  PageOptions options_;
  Clock clock_;
};

// The JSON form of the page (the body of the API and of Accept: application/json).
std::string ToJson(const ProductPage& page);

// JSON string literal of `s` (quotes included); '<', '>' and '&' escaped as \u00XX so the text is
// safe inside a <script> element.
std::string JsonString(std::string_view s);

// "YYYY-MM-DD" / "YYYY-MM-DD HH:MM" in China Standard Time (UTC+8), the zone of the chains.
std::string FormatDate(int64_t unix_ms);
std::string FormatDateTime(int64_t unix_ms);

}  // namespace origo::resolver

#endif  // ORIGO_SERVICES_RESOLVER_PAGE_H_
