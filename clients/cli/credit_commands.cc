// The credit commands (CreditService): origo inspect record, origo penalty record, origo loss
// record, origo feedback submit, origo credit show|archive, origo blacklist
// list|add|import|repair apply|repair decide, origo report quality.
//
// Records are signed locally, like capture: --usci names the author's organisation and --key its
// registered private key; the record is encoded as its canonical document and signed as a batch.
// Every record command also takes --file FILE: the record as JSON (the command's record message,
// proto3 JSON), instead of the field flags.

#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <iostream>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "clients/cli/cli.h"
#include "clients/cli/credit_format.h"
#include "clients/cli/files.h"
#include "clients/credit_client.h"
#include "core/credit/dates.h"
#include "core/crypto/keys.h"

namespace origo::cli {
namespace {

using origo::v1::CreditRecord;

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Today() { return credit::FormatDate(credit::DayOfUnixMs(NowUnixMs())); }

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(message, &out, options).ok()) return "null";
  return out;
}

// Flags of every signed-record command, and of each record kind.
struct RecordFlags {
  std::string usci;  // the author's organisation
  std::string key;
  std::string file;
  std::string enterprise;
  std::string lot;
  std::string date;
  // inspection
  std::string lab;
  std::string report_no;
  std::vector<std::string> items;
  std::string verdict;
  bool export_check = false;
  // penalty
  std::string authority;
  std::string decision_no;
  std::string tier;
  std::string legal_basis;
  std::vector<std::string> duties;
  // quality loss
  std::string kind;
  double loss_value = 0;
  double output_value = 0;
  std::string description;
  // listing
  std::string source;
  std::string list_name;
  std::string reference;
  std::string trigger;
  std::string reason;
  std::vector<std::string> evidence;
  // repair
  uint64_t entry = 0;
  std::string pledge;
  std::string pledge_file;
  std::vector<std::string> duties_met;
  bool approve = false;
  bool reject = false;
};

absl::Status Invalid(const std::string& flag, const std::string& rule) {
  return absl::InvalidArgumentError(flag + ": " + rule);
}

absl::StatusOr<origo::v1::Tier> ParseTier(const std::string& text) {
  if (text == "light") return origo::v1::TIER_LIGHT;
  if (text == "general") return origo::v1::TIER_GENERAL;
  if (text == "serious") return origo::v1::TIER_SERIOUS;
  return Invalid("--tier", "light, general or serious");
}

absl::StatusOr<origo::v1::Verdict> ParseVerdict(const std::string& flag, const std::string& text) {
  if (text == "pass") return origo::v1::VERDICT_PASS;
  if (text == "fail") return origo::v1::VERDICT_FAIL;
  return Invalid(flag, "pass or fail, not \"" + text + "\"");
}

absl::StatusOr<origo::v1::Trigger> ParseTrigger(const std::string& text) {
  static const std::map<std::string, origo::v1::Trigger> kTriggers = {
      {"safety_failure", origo::v1::TRIGGER_SAFETY_FAILURE},
      {"fake_halal", origo::v1::TRIGGER_FAKE_HALAL},
      {"heavy_penalty", origo::v1::TRIGGER_HEAVY_PENALTY},
      {"mass_balance", origo::v1::TRIGGER_MASS_BALANCE},
      {"gi_misuse", origo::v1::TRIGGER_GI_MISUSE},
      {"falsified_data", origo::v1::TRIGGER_FALSIFIED_DATA},
      {"refused_inspection", origo::v1::TRIGGER_REFUSED_INSPECTION},
      {"imported_listing", origo::v1::TRIGGER_IMPORTED_LISTING},
  };
  auto it = kTriggers.find(text);
  if (it == kTriggers.end()) {
    return Invalid("--trigger",
                   "one of safety_failure, fake_halal, heavy_penalty, mass_balance, gi_misuse, "
                   "falsified_data, refused_inspection, imported_listing");
  }
  return it->second;
}

// "name=chlorpyrifos,value=0.01,unit=mg/kg,limit=0.05,verdict=pass[,safety]".
absl::StatusOr<origo::v1::TestItem> ParseItem(const std::string& text) {
  origo::v1::TestItem item;
  const std::string flag = "--item " + text;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    const std::string field(part);
    if (field == "safety") {
      item.set_safety(true);
      continue;
    }
    const size_t eq = field.find('=');
    if (eq == std::string::npos) return Invalid(flag, "\"" + field + "\" is not key=value");
    const std::string key = field.substr(0, eq), value = field.substr(eq + 1);
    double number = 0;
    if (key == "name") {
      item.set_name(value);
    } else if (key == "unit") {
      item.set_unit(value);
    } else if (key == "value" || key == "limit") {
      if (!absl::SimpleAtod(value, &number)) return Invalid(flag, key + " is not a number");
      key == "value" ? item.set_measured(number) : item.set_limit(number);
    } else if (key == "verdict") {
      auto verdict = ParseVerdict(flag, value);
      if (!verdict.ok()) return verdict.status();
      item.set_verdict(*verdict);
    } else {
      return Invalid(flag,
                     "unknown key \"" + key + "\" (name, value, unit, limit, verdict, safety)");
    }
  }
  return item;
}

// Reads --file into the record's `body` message (any proto3 JSON spelling; re-encoded
// canonically when signed).
absl::Status ReadRecordFile(const std::string& path, google::protobuf::Message* body) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  auto parsed = google::protobuf::util::JsonStringToMessage(*text, body);
  if (!parsed.ok()) return Invalid("--file " + path, parsed.message().ToString());
  return absl::OkStatus();
}

absl::StatusOr<CreditRecord> InspectionFromFlags(const RecordFlags& f) {
  CreditRecord record;
  auto* r = record.mutable_inspection();
  if (!f.file.empty()) {
    absl::Status read = ReadRecordFile(f.file, r);
    if (!read.ok()) return read;
    return record;
  }
  r->set_enterprise(f.enterprise);
  r->set_lot(f.lot);
  r->set_lab(f.lab);
  r->set_sampling_date(f.date.empty() ? Today() : f.date);
  r->set_report_no(f.report_no);
  r->set_export_(f.export_check);
  bool failed = false;
  for (const std::string& text : f.items) {
    auto item = ParseItem(text);
    if (!item.ok()) return item.status();
    failed = failed || item->verdict() == origo::v1::VERDICT_FAIL;
    *r->add_items() = *std::move(item);
  }
  if (f.verdict.empty()) {
    r->set_verdict(failed ? origo::v1::VERDICT_FAIL : origo::v1::VERDICT_PASS);
  } else {
    auto verdict = ParseVerdict("--verdict", f.verdict);
    if (!verdict.ok()) return verdict.status();
    r->set_verdict(*verdict);
  }
  return record;
}

absl::StatusOr<CreditRecord> PenaltyFromFlags(const RecordFlags& f) {
  CreditRecord record;
  auto* r = record.mutable_penalty();
  if (!f.file.empty()) {
    absl::Status read = ReadRecordFile(f.file, r);
    if (!read.ok()) return read;
    return record;
  }
  auto tier = ParseTier(f.tier);
  if (!tier.ok()) return tier.status();
  r->set_enterprise(f.enterprise);
  r->set_authority(f.authority);
  r->set_decision_no(f.decision_no);
  r->set_tier(*tier);
  r->set_legal_basis(f.legal_basis);
  r->set_date(f.date.empty() ? Today() : f.date);
  for (const std::string& d : f.duties) r->add_duties(d);
  return record;
}

absl::StatusOr<CreditRecord> LossFromFlags(const RecordFlags& f) {
  CreditRecord record;
  auto* r = record.mutable_quality_loss();
  if (!f.file.empty()) {
    absl::Status read = ReadRecordFile(f.file, r);
    if (!read.ok()) return read;
    return record;
  }
  r->set_enterprise(f.enterprise);
  r->set_lot(f.lot);
  r->set_kind(f.kind == "recall" ? origo::v1::LOSS_KIND_RECALL : origo::v1::LOSS_KIND_RETURN);
  r->set_loss_value(f.loss_value);
  r->set_output_value(f.output_value);
  r->set_date(f.date.empty() ? Today() : f.date);
  r->set_description(f.description);
  return record;
}

absl::StatusOr<CreditRecord> ListingFromFlags(const RecordFlags& f, bool imported) {
  CreditRecord record;
  auto* l = record.mutable_listing();
  if (!f.file.empty()) {
    absl::Status read = ReadRecordFile(f.file, l);
    if (!read.ok()) return read;
    return record;
  }
  auto tier = ParseTier(f.tier);
  if (!tier.ok()) return tier.status();
  auto trigger = ParseTrigger(f.trigger.empty() && imported ? "imported_listing" : f.trigger);
  if (!trigger.ok()) return trigger.status();
  l->set_enterprise(f.enterprise);
  l->set_source(!imported               ? origo::v1::LISTING_SOURCE_ORIGO
                : f.source == "customs" ? origo::v1::LISTING_SOURCE_CUSTOMS
                                        : origo::v1::LISTING_SOURCE_MARKET_SUPERVISION);
  l->set_list_name(f.list_name);
  l->set_reference(f.reference);
  l->set_tier(*tier);
  l->set_trigger(*trigger);
  l->set_listed_date(f.date.empty() ? Today() : f.date);
  l->set_reason(f.reason);
  for (const std::string& d : f.duties) l->add_duties(d);
  for (const std::string& e : f.evidence) l->add_evidence(e);
  return record;
}

absl::StatusOr<CreditRecord> ApplicationFromFlags(const RecordFlags& f) {
  CreditRecord record;
  auto* a = record.mutable_repair_application();
  if (!f.file.empty()) {
    absl::Status read = ReadRecordFile(f.file, a);
    if (!read.ok()) return read;
    return record;
  }
  a->set_enterprise(f.usci);
  a->set_entry_id(f.entry);
  if (!f.pledge_file.empty()) {
    auto pledge = ReadFile(f.pledge_file);
    if (!pledge.ok()) return pledge.status();
    a->set_pledge(*pledge);
  } else {
    a->set_pledge(f.pledge);
  }
  for (const std::string& d : f.duties_met) a->add_duties_met(d);
  for (const std::string& e : f.evidence) a->add_evidence(e);
  return record;
}

absl::StatusOr<CreditRecord> DecisionFromFlags(const RecordFlags& f) {
  CreditRecord record;
  auto* d = record.mutable_repair_decision();
  if (!f.file.empty()) {
    absl::Status read = ReadRecordFile(f.file, d);
    if (!read.ok()) return read;
    return record;
  }
  if (f.approve == f.reject) return Invalid("--approve/--reject", "give exactly one");
  d->set_enterprise(f.enterprise);
  d->set_entry_id(f.entry);
  d->set_outcome(f.approve ? origo::v1::REPAIR_OUTCOME_APPROVED
                           : origo::v1::REPAIR_OUTCOME_REJECTED);
  d->set_reason(f.reason);
  return record;
}

std::string TierName(origo::v1::Tier tier) {
  switch (tier) {
    case origo::v1::TIER_LIGHT:
      return "LIGHT";
    case origo::v1::TIER_GENERAL:
      return "GENERAL";
    case origo::v1::TIER_SERIOUS:
      return "SERIOUS";
    default:
      return "-";
  }
}

std::string EntryLine(const origo::v1::BlacklistEntry& e) {
  std::string status = e.status() == origo::v1::BLACKLIST_STATUS_LISTED     ? "listed"
                       : e.status() == origo::v1::BLACKLIST_STATUS_REPAIRED ? "repaired"
                       : e.status() == origo::v1::BLACKLIST_STATUS_RELEASED ? "released"
                                                                            : "-";
  std::string line = e.usci() + "  entry " + std::to_string(e.entry_id()) + "  " +
                     TierName(e.tier()) + "  " + status + "  listed " + e.listed_date() +
                     ", repair from " + e.min_until() + ", release " + e.max_until() + "  " +
                     e.reason();
  for (const auto& a : e.applications()) {
    const std::string state = a.status() == origo::v1::REPAIR_STATUS_SUBMITTED  ? "submitted"
                              : a.status() == origo::v1::REPAIR_STATUS_APPROVED ? "approved"
                                                                                : "rejected";
    line += "\n    repair application at log index " + std::to_string(a.index()) + ": " + state +
            (a.reason().empty() ? "" : " (" + a.reason() + ")");
  }
  return line;
}

using Send =
    client::CreditClient::Records (client::CreditClient::*)(const origo::v1::SignedRecordsRequest&);

// Builds, signs and sends one record; prints the outcome.
int SignAndSend(const Globals& globals, const RecordFlags& flags, const std::string& what,
                const std::function<absl::StatusOr<CreditRecord>()>& build, Send send) {
  auto record = build();
  if (!record.ok()) return ReportError(globals, record.status(), what);
  auto pem = ReadFile(flags.key);
  if (!pem.ok()) return ReportError(globals, pem.status(), what);
  auto key = crypto::PrivateKey::FromPem(*pem);
  if (!key.ok()) {
    return ReportError(globals, Invalid("--key " + flags.key, std::string(key.status().message())),
                       what);
  }
  auto request = client::SignRecords({*record}, flags.usci, *key, NowUnixMs());
  if (!request.ok()) return ReportError(globals, request.status(), what);
  client::Client client(globals.ClientOptions());
  client::CreditClient credit(client);
  auto response = (credit.*send)(*request);
  if (!response.ok()) return ReportError(globals, response.status(), what);
  if (globals.json) {
    std::cout << JsonObject().Bool("ok", true).Raw("response", ToJson(*response)).Build() << "\n";
    return 0;
  }
  for (const origo::v1::RecordedEntry& r : response->records()) {
    std::cout << (r.duplicate() ? "already recorded " : "recorded ") << r.record_id()
              << " at log index " << r.index() << "\n";
    for (const origo::v1::BlacklistEntry& e : r.blacklist()) {
      std::cout << "  blacklist: " << EntryLine(e) << "\n";
    }
  }
  return 0;
}

void SignerOptions(CLI::App* cmd, RecordFlags* f, const std::string& who) {
  cmd->add_option("--usci", f->usci, who + " (the signing organisation's USCI)")->required();
  cmd->add_option("--key", f->key, "private key PEM registered to --usci")->required();
  cmd->add_option("--file", f->file, "the record as a JSON file instead of the field flags");
}

int ShowRating(const Globals& globals, const std::string& usci, const std::string& as_of) {
  client::Client client(globals.ClientOptions());
  origo::v1::GetRatingRequest request;
  request.set_usci(usci);
  request.set_as_of(as_of);
  auto response = client::CreditClient(client).GetRating(request);
  if (!response.ok()) return ReportError(globals, response.status(), "credit show");
  if (globals.json) {
    std::cout << JsonObject().Bool("ok", true).Raw("rating", ToJson(response->rating())).Build()
              << "\n";
  } else {
    std::cout << RatingTable(response->rating());
  }
  return 0;
}

int ShowArchive(const Globals& globals, const std::string& usci, uint32_t page_size,
                const std::string& page_token) {
  client::Client client(globals.ClientOptions());
  origo::v1::GetCreditProfileRequest request;
  request.set_usci(usci);
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  auto response = client::CreditClient(client).GetCreditProfile(request);
  if (!response.ok()) return ReportError(globals, response.status(), "credit archive");
  if (globals.json) {
    std::cout << JsonObject().Bool("ok", true).Raw("profile", ToJson(*response)).Build() << "\n";
    return 0;
  }
  std::cout << response->enterprise().usci() << "  " << response->enterprise().name() << "  ("
            << SectorLabel(response->enterprise().sector()) << ")\n";
  for (const origo::v1::ArchiveEntry& e : response->entries()) {
    std::string kind = e.record().has_inspection()           ? "inspection"
                       : e.record().has_penalty()            ? "penalty"
                       : e.record().has_quality_loss()       ? "quality loss"
                       : e.record().has_listing()            ? "listing"
                       : e.record().has_repair_application() ? "repair application"
                       : e.record().has_suspected_violation()
                           ? "suspected violation " + e.record().suspected_violation().rule()
                           : "repair decision";
    std::cout << "  log " << e.index() << "  " << kind << "  by " << e.author_usci() << "  "
              << e.record_id().substr(0, 16) << "\n";
  }
  std::cout << "feedback: " << response->feedback_count() << " (average "
            << response->feedback_average() << ")\n";
  for (const origo::v1::BlacklistEntry& b : response->blacklist()) {
    std::cout << "blacklist: " << EntryLine(b) << "\n";
  }
  if (!response->next_page_token().empty()) {
    std::cout << "more: --page-token " << response->next_page_token() << "\n";
  }
  return 0;
}

int ListBlacklist(const Globals& globals, const std::string& usci, const std::string& view,
                  const std::string& as_of) {
  client::Client client(globals.ClientOptions());
  origo::v1::ListBlacklistRequest request;
  request.set_usci(usci);
  request.set_as_of(as_of);
  request.set_view(view == "inspector" ? origo::v1::BLACKLIST_VIEW_INSPECTOR
                                       : origo::v1::BLACKLIST_VIEW_PUBLIC);
  auto response = client::CreditClient(client).ListBlacklist(request);
  if (!response.ok()) return ReportError(globals, response.status(), "blacklist list");
  if (globals.json) {
    std::cout << JsonObject().Bool("ok", true).Raw("blacklist", ToJson(*response)).Build() << "\n";
    return 0;
  }
  if (response->entries().empty()) std::cerr << "no entries\n";
  for (const origo::v1::BlacklistEntry& e : response->entries()) std::cout << EntryLine(e) << "\n";
  return 0;
}

struct ReportFlags {
  std::string sector;
  std::string from;
  std::string to;
  std::string format = "json";
  std::string out;
  bool overwrite = false;
};

int QualityReport(const Globals& globals, const ReportFlags& flags) {
  client::Client client(globals.ClientOptions());
  origo::v1::QualityReportRequest request;
  request.set_sector(flags.sector == "wine"   ? origo::v1::SECTOR_WINE
                     : flags.sector == "goji" ? origo::v1::SECTOR_GOJI
                                              : origo::v1::SECTOR_HALAL);
  request.set_from(flags.from);
  request.set_to(flags.to);
  auto response = client::CreditClient(client).QualityReport(request);
  if (!response.ok()) return ReportError(globals, response.status(), "report quality");
  const std::string text = flags.format == "csv"    ? QualityReportCsv(response->report())
                           : flags.format == "html" ? QualityReportHtml(response->report())
                                                    : QualityReportJson(response->report());
  if (flags.out.empty()) {
    std::cout << text;
    return 0;
  }
  absl::Status written = WriteNewFile(flags.out, text, 0644, flags.overwrite);
  if (!written.ok()) return ReportError(globals, written, "report quality");
  std::cerr << "wrote " << flags.out << "\n";
  return 0;
}

int SubmitFeedback(const Globals& globals, const origo::v1::SubmitFeedbackRequest& request) {
  client::Client client(globals.ClientOptions());
  auto response = client::CreditClient(client).SubmitFeedback(request);
  if (!response.ok()) return ReportError(globals, response.status(), "feedback submit");
  if (globals.json) {
    std::cout << JsonObject().Bool("ok", true).Raw("feedback", ToJson(response->feedback())).Build()
              << "\n";
  } else {
    std::cout << "thank you: rating " << response->feedback().rating() << " recorded for "
              << response->feedback().lot() << "\n";
  }
  return 0;
}

}  // namespace

void AddCreditCommands(CLI::App& app, Globals& globals) {
  auto f = std::make_shared<RecordFlags>();

  // origo inspect record
  CLI::App* inspect = app.add_subcommand("inspect", "Inspection records (inspection bodies)");
  inspect->require_subcommand(1);
  CLI::App* inspect_record = inspect->add_subcommand(
      "record", "Sign and record an inspection result in the credit archive and the log");
  SignerOptions(inspect_record, f.get(), "inspection body");
  inspect_record->add_option("--enterprise", f->enterprise, "USCI of the inspected enterprise");
  inspect_record->add_option("--lot", f->lot, "lot path, e.g. /01/06971234000415/10/GJ2026-0415");
  inspect_record->add_option("--lab", f->lab, "laboratory or authority that tested");
  inspect_record->add_option("--sampling-date", f->date, "YYYY-MM-DD (default today)");
  inspect_record->add_option("--report-no", f->report_no, "inspection report number");
  inspect_record->add_option(
      "--item", f->items,
      "test item: name=N,value=V,unit=U,limit=L,verdict=pass|fail[,safety] (repeatable)");
  inspect_record->add_option("--verdict", f->verdict,
                             "pass|fail (default: fail if an item failed)");
  inspect_record->add_flag("--export", f->export_check, "an export (customs) inspection");
  inspect_record->callback([&globals, f] {
    globals.exit_code = SignAndSend(
        globals, *f, "inspect record", [f] { return InspectionFromFlags(*f); },
        &client::CreditClient::RecordInspection);
  });

  // origo penalty record
  CLI::App* penalty = app.add_subcommand("penalty", "Penalty decisions (authorities)");
  penalty->require_subcommand(1);
  CLI::App* penalty_record =
      penalty->add_subcommand("record", "Sign and record a penalty decision");
  SignerOptions(penalty_record, f.get(), "deciding authority");
  penalty_record->add_option("--enterprise", f->enterprise, "USCI of the penalised enterprise");
  penalty_record->add_option("--authority", f->authority, "authority name");
  penalty_record->add_option("--decision-no", f->decision_no, "decision document number");
  penalty_record->add_option("--tier", f->tier, "light|general|serious");
  penalty_record->add_option("--legal-basis", f->legal_basis, "articles applied");
  penalty_record->add_option("--date", f->date, "decision date YYYY-MM-DD (default today)");
  penalty_record->add_option("--duty", f->duties, "a duty imposed (repeatable)");
  penalty_record->callback([&globals, f] {
    globals.exit_code = SignAndSend(
        globals, *f, "penalty record", [f] { return PenaltyFromFlags(*f); },
        &client::CreditClient::RecordPenalty);
  });

  // origo loss record
  CLI::App* loss = app.add_subcommand("loss", "Quality losses: recalls and returns");
  loss->require_subcommand(1);
  CLI::App* loss_record = loss->add_subcommand("record", "Sign and record a quality loss");
  SignerOptions(loss_record, f.get(), "inspection body");
  loss_record->add_option("--enterprise", f->enterprise, "USCI of the enterprise");
  loss_record->add_option("--lot", f->lot, "lot path (optional)");
  loss_record->add_option("--kind", f->kind, "recall|return")
      ->check(CLI::IsMember({"recall", "return"}));
  loss_record->add_option("--loss-value", f->loss_value, "value lost, CNY");
  loss_record->add_option("--output-value", f->output_value, "annual output value, CNY");
  loss_record->add_option("--date", f->date, "YYYY-MM-DD (default today)");
  loss_record->add_option("--description", f->description, "what happened");
  loss_record->callback([&globals, f] {
    globals.exit_code = SignAndSend(
        globals, *f, "loss record", [f] { return LossFromFlags(*f); },
        &client::CreditClient::RecordQualityLoss);
  });

  // origo feedback submit
  auto feedback = std::make_shared<origo::v1::SubmitFeedbackRequest>();
  auto rating = std::make_shared<uint32_t>(0);
  CLI::App* fb = app.add_subcommand("feedback", "Consumer feedback (public)");
  fb->require_subcommand(1);
  CLI::App* fb_submit = fb->add_subcommand("submit", "Rate a lot 1-5 (no token needed)");
  fb_submit
      ->add_option_function<std::string>(
          "--enterprise", [feedback](const std::string& v) { feedback->set_enterprise(v); },
          "producer USCI")
      ->required();
  fb_submit
      ->add_option_function<std::string>(
          "--lot", [feedback](const std::string& v) { feedback->set_lot(v); }, "lot path")
      ->required();
  fb_submit->add_option("--rating", *rating, "1..5")->required()->check(CLI::Range(1, 5));
  fb_submit->add_option_function<std::string>(
      "--comment", [feedback](const std::string& v) { feedback->set_comment(v); }, "comment");
  fb_submit->callback([&globals, feedback, rating] {
    feedback->set_rating(*rating);
    globals.exit_code = SubmitFeedback(globals, *feedback);
  });

  // origo credit show|archive
  auto usci = std::make_shared<std::string>();
  auto as_of = std::make_shared<std::string>();
  auto page_size = std::make_shared<uint32_t>(0);
  auto page_token = std::make_shared<std::string>();
  CLI::App* credit = app.add_subcommand("credit", "Quality-credit ratings and archives");
  credit->require_subcommand(1);
  CLI::App* show = credit->add_subcommand(
      "show", "An enterprise's grade, score and (for inspectors) the explanation");
  show->add_option("usci", *usci, "enterprise USCI")->required();
  show->add_option("--as-of", *as_of, "rating date YYYY-MM-DD (default today)");
  show->callback(
      [&globals, usci, as_of] { globals.exit_code = ShowRating(globals, *usci, *as_of); });
  CLI::App* archive = credit->add_subcommand("archive", "An enterprise's credit archive, paged");
  archive->add_option("usci", *usci, "enterprise USCI")->required();
  archive->add_option("--page-size", *page_size, "entries per page (default 100)");
  archive->add_option("--page-token", *page_token, "from the previous page");
  archive->callback([&globals, usci, page_size, page_token] {
    globals.exit_code = ShowArchive(globals, *usci, *page_size, *page_token);
  });

  // origo blacklist list|add|import|repair apply|repair decide
  auto view = std::make_shared<std::string>("public");
  CLI::App* blacklist = app.add_subcommand("blacklist", "The quality blacklist and credit repair");
  blacklist->require_subcommand(1);
  CLI::App* list = blacklist->add_subcommand("list", "Published entries, or all (inspector view)");
  list->add_option("--usci", *usci, "only this enterprise");
  list->add_option("--view", *view, "public|inspector")
      ->check(CLI::IsMember({"public", "inspector"}))
      ->capture_default_str();
  list->add_option("--as-of", *as_of, "YYYY-MM-DD (default now)");
  list->callback([&globals, usci, view, as_of] {
    globals.exit_code = ListBlacklist(globals, *usci, *view, *as_of);
  });

  CLI::App* add = blacklist->add_subcommand("add", "A regulator's blacklist entry (signed)");
  SignerOptions(add, f.get(), "regulator");
  add->add_option("--enterprise", f->enterprise, "USCI of the enterprise to list");
  add->add_option("--tier", f->tier, "light|general|serious");
  add->add_option("--trigger", f->trigger, "safety_failure, fake_halal, heavy_penalty, ...");
  add->add_option("--reason", f->reason, "why");
  add->add_option("--reference", f->reference, "decision document number");
  add->add_option("--listed-date", f->date, "YYYY-MM-DD (default today)");
  add->add_option("--duty", f->duties, "a duty to meet before repair (repeatable)");
  add->add_option("--evidence", f->evidence, "record ids, report numbers (repeatable)");
  add->callback([&globals, f] {
    globals.exit_code = SignAndSend(
        globals, *f, "blacklist add", [f] { return ListingFromFlags(*f, false); },
        &client::CreditClient::AddBlacklistEntry);
  });

  CLI::App* import = blacklist->add_subcommand(
      "import", "Import a customs or market-supervision listing (signed)");
  SignerOptions(import, f.get(), "importing inspection body");
  import->add_option("--enterprise", f->enterprise, "USCI of the listed enterprise");
  import->add_option("--source", f->source, "customs|market")
      ->check(CLI::IsMember({"customs", "market"}));
  import->add_option("--list-name", f->list_name, "the external list");
  import->add_option("--reference", f->reference, "listing document number");
  import->add_option("--tier", f->tier, "light|general|serious");
  import->add_option("--trigger", f->trigger, "default imported_listing");
  import->add_option("--reason", f->reason, "why");
  import->add_option("--listed-date", f->date, "YYYY-MM-DD (default today)");
  import->add_option("--duty", f->duties, "a duty to meet before repair (repeatable)");
  import->callback([&globals, f] {
    globals.exit_code = SignAndSend(globals, *f, "blacklist import",
                                    [f] { return ListingFromFlags(*f, true);
},
                                    &client::CreditClient::ImportListing);
}  // namespace origo::cli
);

CLI::App* repair = blacklist->add_subcommand("repair", "Credit repair (信用修复)");
repair->require_subcommand(1);
CLI::App* apply = repair->add_subcommand(
    "apply", "Apply for repair of your enterprise's entry (producer token; signed)");
SignerOptions(apply, f.get(), "the listed enterprise");
apply->add_option("--entry", f->entry, "blacklist entry id");
apply->add_option("--pledge", f->pledge, "the credit pledge text");
apply->add_option("--pledge-file", f->pledge_file, "the credit pledge, from a file");
apply->add_option("--duty-met", f->duties_met, "a duty of the entry fulfilled (repeatable)");
apply->add_option("--evidence", f->evidence, "receipts, reports (repeatable)");
apply->callback([&globals, f] {
  globals.exit_code = SignAndSend(
      globals, *f, "blacklist repair apply", [f] { return ApplicationFromFlags(*f); },
      &client::CreditClient::ApplyRepair);
});
CLI::App* decide = repair->add_subcommand(
    "decide", "Approve or reject the pending application (regulator; signed)");
SignerOptions(decide, f.get(), "regulator");
decide->add_option("--enterprise", f->enterprise, "USCI of the listed enterprise");
decide->add_option("--entry", f->entry, "blacklist entry id");
decide->add_flag("--approve", f->approve, "approve: the entry leaves public views");
decide->add_flag("--reject", f->reject, "reject: the entry stays listed");
decide->add_option("--reason", f->reason, "the decision's reason");
decide->callback([&globals, f] {
  globals.exit_code = SignAndSend(
      globals, *f, "blacklist repair decide", [f] { return DecisionFromFlags(*f); },
      &client::CreditClient::DecideRepair);
});

// origo report quality
auto report = std::make_shared<ReportFlags>();
CLI::App* reports = app.add_subcommand("report", "Reports (inspectors, regulators)");
reports->require_subcommand(1);
CLI::App* quality = reports->add_subcommand(
    "quality", "Quality analysis report per sector and period (JSON, CSV or HTML with charts)");
quality->add_option("--sector", report->sector, "wine|goji|halal")
    ->required()
    ->check(CLI::IsMember({"wine", "goji", "halal"}));
quality->add_option("--from", report->from, "first day YYYY-MM-DD")->required();
quality->add_option("--to", report->to, "last day YYYY-MM-DD")->required();
quality->add_option("--format", report->format, "json|csv|html")
    ->check(CLI::IsMember({"json", "csv", "html"}))
    ->capture_default_str();
quality->add_option("--out", report->out, "write to FILE instead of stdout");
quality->add_flag("--overwrite", report->overwrite, "replace an existing --out file");
quality->callback([&globals, report] { globals.exit_code = QualityReport(globals, *report); });
}

}  // namespace origo::cli
