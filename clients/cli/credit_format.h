#ifndef ORIGO_CLIENTS_CLI_CREDIT_FORMAT_H_
#define ORIGO_CLIENTS_CLI_CREDIT_FORMAT_H_

// How the origo CLI shows credit data: the rating explanation as a table, and quality analysis
// reports as JSON, CSV or a self-contained HTML page whose charts are inline SVG (no scripts, no
// external resources, so the page can be mailed or archived as is).
//
// All functions are pure and thread-safe.

#include <string>

#include "origo/v1/credit.pb.h"

namespace origo::cli {

// A rating as readable text: grade, score, supervision class, then one row per indicator (inputs,
// points / weight) and one per cap, ending with the points' sum, which equals the score.
std::string RatingTable(const origo::v1::Rating& rating);

// The report as pretty-printed JSON (proto field names).
std::string QualityReportJson(const origo::v1::QualityReport& report);
// The report as CSV: one "section,key,value..." row per figure, RFC 4180 quoting.
std::string QualityReportCsv(const origo::v1::QualityReport& report);
// The report as an HTML page (Chinese first, then English) with three SVG charts: inspections
// and pass rate per month, grade distribution, top failing test items.
std::string QualityReportHtml(const origo::v1::QualityReport& report);

// "87.34" for 8734 hundredths.
std::string Hundredths(int64_t value);
// "AAA".."D"; "A".."D" for supervision classes; "wine", "goji", "halal", "authority".
std::string GradeLabel(origo::v1::Grade grade);
std::string SectorLabel(origo::v1::Sector sector);

}  // namespace origo::cli

#endif  // ORIGO_CLIENTS_CLI_CREDIT_FORMAT_H_
