#include "core/credit/report.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/base/status_macros.h"
#include "core/credit/blacklist.h"
#include "core/credit/rating.h"

namespace origo::credit {
namespace {

constexpr size_t kTopFailingItems = 10;

bool Within(Day day, Day from, Day to) { return day >= from && day <= to; }

}  // namespace

absl::StatusOr<origo::v1::QualityReport> BuildQualityReport(
    origo::v1::Sector sector, Day from, Day to, const std::vector<ReportEnterprise>& enterprises,
    const RuleBook& rules) {
  if (from > to) {
    return absl::InvalidArgumentError("from: " + FormatDate(from) + " is after to " +
                                      FormatDate(to));
  }
  ORIGO_ASSIGN_OR_RETURN(const RuleSet* rule_set, rules.At(to));
  const int64_t known_by = EndOfDayUnixMs(to);

  origo::v1::QualityReport report;
  report.set_sector(sector);
  report.set_from(FormatDate(from));
  report.set_to(FormatDate(to));
  report.set_rule_version(rule_set->version);

  std::set<std::string> lots;
  struct ItemCount {
    uint32_t failures = 0;
    uint32_t tested = 0;
  };
  std::map<std::string, ItemCount> items;
  std::map<std::string, origo::v1::MonthlyInspections> monthly;
  for (Day d = from; d <= to; d = AddMonths(d, 1)) {
    monthly[FormatMonth(d)].set_month(FormatMonth(d));
  }
  monthly[FormatMonth(to)].set_month(FormatMonth(to));
  std::map<origo::v1::Grade, uint32_t> grades;
  uint32_t enterprise_count = 0;

  for (const ReportEnterprise& e : enterprises) {
    if (e.sector != sector) continue;
    ++enterprise_count;
    RatingFacts facts;
    facts.usci = e.usci;
    facts.sector = e.sector;
    for (const origo::v1::ArchiveEntry& entry : e.entries) {
      if (entry.record_unix_ms() > known_by) continue;
      AddArchiveEntry(entry, &facts);
      const origo::v1::CreditRecord& record = entry.record();
      if (record.has_inspection()) {
        const origo::v1::InspectionRecord& r = record.inspection();
        auto day = ParseDate("samplingDate", r.sampling_date());
        if (!day.ok() || !Within(*day, from, to)) continue;
        const bool passed = r.verdict() == origo::v1::VERDICT_PASS;
        report.set_inspections(report.inspections() + 1);
        report.set_passed(report.passed() + (passed ? 1 : 0));
        if (r.export_()) {
          report.set_export_inspections(report.export_inspections() + 1);
          report.set_export_passed(report.export_passed() + (passed ? 1 : 0));
        }
        if (!r.lot().empty()) lots.insert(r.lot());
        origo::v1::MonthlyInspections& month = monthly[FormatMonth(*day)];
        month.set_inspections(month.inspections() + 1);
        month.set_passed(month.passed() + (passed ? 1 : 0));
        for (const origo::v1::TestItem& item : r.items()) {
          ItemCount& count = items[item.name()];
          ++count.tested;
          if (item.verdict() == origo::v1::VERDICT_FAIL) ++count.failures;
        }
      } else if (record.has_penalty()) {
        auto day = ParseDate("date", record.penalty().date());
        if (day.ok() && Within(*day, from, to)) report.set_penalties(report.penalties() + 1);
      } else if (record.has_quality_loss()) {
        auto day = ParseDate("date", record.quality_loss().date());
        if (day.ok() && Within(*day, from, to)) {
          report.set_quality_loss_value(report.quality_loss_value() +
                                        record.quality_loss().loss_value());
        }
      }
    }
    for (const origo::v1::Feedback& f : e.feedback) {
      if (f.received_unix_ms() > known_by) continue;
      AddFeedback(f, &facts);
      if (Within(DayOfUnixMs(f.received_unix_ms()), from, to)) {
        report.set_feedback(report.feedback() + 1);
      }
    }
    for (const origo::v1::Certificate& c : e.certificates) AddCertificate(c, &facts);
    for (const origo::v1::BlacklistEntry& b : e.blacklist) {
      if (b.listed_unix_ms() > known_by) continue;
      const origo::v1::BlacklistEntry view = ViewAt(b, known_by);
      facts.blacklist.push_back(view);
      auto listed = ParseDate("listed_date", b.listed_date());
      if (listed.ok() && Within(*listed, from, to)) *report.add_blacklist_entered() = view;
      const bool repaired_within =
          view.repaired_unix_ms() != 0 && Within(DayOfUnixMs(view.repaired_unix_ms()), from, to);
      auto max_until = ParseDate("max_until", b.max_until());
      const bool released_within = view.status() == origo::v1::BLACKLIST_STATUS_RELEASED &&
                                   max_until.ok() && Within(*max_until, from, to);
      if (repaired_within || released_within) *report.add_blacklist_exited() = view;
    }
    ++grades[Rate(facts, *rule_set, known_by).grade()];
  }

  report.set_enterprises(enterprise_count);
  report.set_lots(static_cast<uint32_t>(lots.size()));
  if (report.inspections() > 0) {
    report.set_pass_rate(static_cast<double>(report.passed()) / report.inspections());
  }
  if (report.export_inspections() > 0) {
    report.set_export_pass_rate(static_cast<double>(report.export_passed()) /
                                report.export_inspections());
  }
  std::vector<std::pair<std::string, ItemCount>> failing;
  for (const auto& [name, count] : items) {
    if (count.failures > 0) failing.emplace_back(name, count);
  }
  std::stable_sort(failing.begin(), failing.end(), [](const auto& a, const auto& b) {
    return a.second.failures > b.second.failures;
  });
  for (size_t i = 0; i < failing.size() && i < kTopFailingItems; ++i) {
    origo::v1::FailingItem* item = report.add_top_failing_items();
    item->set_name(failing[i].first);
    item->set_failures(failing[i].second.failures);
    item->set_tested(failing[i].second.tested);
  }
  for (int g = origo::v1::GRADE_AAA; g <= origo::v1::GRADE_D; ++g) {
    origo::v1::GradeCount* count = report.add_grades();
    count->set_grade(static_cast<origo::v1::Grade>(g));
    count->set_enterprises(grades[static_cast<origo::v1::Grade>(g)]);
  }
  for (const auto& [month, value] : monthly) *report.add_monthly() = value;
  return report;
}

}  // namespace origo::credit
