#ifndef ORIGO_CORE_CREDIT_REPORT_H_
#define ORIGO_CORE_CREDIT_REPORT_H_

// Quality analysis reports (质量分析报告) per sector and period: lots, inspections, pass rates,
// top failing test items, grade distribution, penalties, quality loss, feedback and blacklist
// entries and exits. Pure: the caller gathers each enterprise's archive, the report only counts.
//
// Thread-safety: pure functions; value types.

#include <vector>

#include "absl/status/statusor.h"
#include "core/credit/dates.h"
#include "core/credit/rules.h"
#include "origo/v1/credit.pb.h"
#include "origo/v1/registry.pb.h"

namespace origo::credit {

// One enterprise's archive as the report reads it.
struct ReportEnterprise {
  std::string usci;
  origo::v1::Sector sector = origo::v1::SECTOR_UNSPECIFIED;
  std::vector<origo::v1::ArchiveEntry> entries;
  std::vector<origo::v1::Feedback> feedback;
  std::vector<origo::v1::BlacklistEntry> blacklist;
  std::vector<origo::v1::Certificate> certificates;
};

// The report for `sector` over the days [from, to]. Enterprises of other sectors are skipped.
// Inspections count by sampling date, penalties and losses by their dates, feedback by the day
// received; only records logged by the end of `to` count. Grades are the ratings as of the end
// of `to` under the rule set in force that day. Blacklist entries count as entered when listed
// within the period and as exited when repaired or released within it.
// INVALID_ARGUMENT when from > to; NOT_FOUND when no rule set covers `to`.
absl::StatusOr<origo::v1::QualityReport> BuildQualityReport(
    origo::v1::Sector sector, Day from, Day to, const std::vector<ReportEnterprise>& enterprises,
    const RuleBook& rules);

}  // namespace origo::credit

#endif  // ORIGO_CORE_CREDIT_REPORT_H_
