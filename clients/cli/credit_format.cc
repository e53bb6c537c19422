#include "clients/cli/credit_format.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <vector>

#include "core/base/html_escape.h"

namespace origo::cli {
namespace {

std::string Fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
  return buf;
}

std::string Pad(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string Html(const std::string& s) { return HtmlEscape(s); }

std::string Csv(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out.push_back(c);
  }
  return out + "\"";
}

std::string ClassLabel(origo::v1::SupervisionClass c) {
  switch (c) {
    case origo::v1::SUPERVISION_CLASS_A:
      return "A";
    case origo::v1::SUPERVISION_CLASS_B:
      return "B";
    case origo::v1::SUPERVISION_CLASS_C:
      return "C";
    case origo::v1::SUPERVISION_CLASS_D:
      return "D";
    default:
      return "-";
  }
}

std::string StatusLabel(origo::v1::BlacklistStatus status) {
  switch (status) {
    case origo::v1::BLACKLIST_STATUS_LISTED:
      return "listed";
    case origo::v1::BLACKLIST_STATUS_REPAIRED:
      return "repaired";
    case origo::v1::BLACKLIST_STATUS_RELEASED:
      return "released";
    default:
      return "-";
  }
}

std::string TierLabel(origo::v1::Tier tier) {
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

// One horizontal bar chart: a label column, bars scaled to `max`, the value at the bar's end.
struct Bar {
  std::string label;
  double value = 0;
  std::string text;
};

std::string BarChart(const std::string& title, const std::vector<Bar>& bars, double max,
                     const std::string& color) {
  constexpr int kLabelWidth = 170, kBarWidth = 360, kRow = 24, kTop = 30;
  const int height = kTop + kRow * static_cast<int>(std::max<size_t>(bars.size(), 1)) + 10;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kLabelWidth + kBarWidth + 80
      << "\" height=\"" << height << "\" role=\"img\" aria-label=\"" << Html(title) << "\">"
      << "<text x=\"0\" y=\"18\" font-size=\"14\" font-weight=\"bold\">" << Html(title)
      << "</text>";
  if (bars.empty()) {
    svg << "<text x=\"0\" y=\"" << kTop + 16 << "\" font-size=\"12\">(no data / 无数据)</text>";
  }
  for (size_t i = 0; i < bars.size(); ++i) {
    const int y = kTop + kRow * static_cast<int>(i);
    const double share = max > 0 ? std::clamp(bars[i].value / max, 0.0, 1.0) : 0;
    const int width = static_cast<int>(share * kBarWidth);
    svg << "<text x=\"0\" y=\"" << y + 15 << "\" font-size=\"12\">" << Html(bars[i].label)
        << "</text><rect x=\"" << kLabelWidth << "\" y=\"" << y + 3 << "\" width=\"" << width
        << "\" height=\"16\" fill=\"" << color << "\"/><text x=\"" << kLabelWidth + width + 6
        << "\" y=\"" << y + 15 << "\" font-size=\"12\">" << Html(bars[i].text) << "</text>";
  }
  svg << "</svg>";
  return svg.str();
}

}  // namespace

std::string Hundredths(int64_t value) {
  const bool negative = value < 0;
  const uint64_t magnitude =
      negative ? static_cast<uint64_t>(-value) : static_cast<uint64_t>(value);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%s%llu.%02llu", negative ? "-" : "",
                static_cast<unsigned long long>(magnitude / 100),
                static_cast<unsigned long long>(magnitude % 100));
  return buf;
}

std::string GradeLabel(origo::v1::Grade grade) {
  switch (grade) {
    case origo::v1::GRADE_AAA:
      return "AAA";
    case origo::v1::GRADE_AA:
      return "AA";
    case origo::v1::GRADE_A:
      return "A";
    case origo::v1::GRADE_B:
      return "B";
    case origo::v1::GRADE_C:
      return "C";
    case origo::v1::GRADE_D:
      return "D";
    default:
      return "-";
  }
}

std::string SectorLabel(origo::v1::Sector sector) {
  switch (sector) {
    case origo::v1::SECTOR_WINE:
      return "wine";
    case origo::v1::SECTOR_GOJI:
      return "goji";
    case origo::v1::SECTOR_HALAL:
      return "halal";
    case origo::v1::SECTOR_AUTHORITY:
      return "authority";
    default:
      return "unspecified";
  }
}

std::string RatingTable(const origo::v1::Rating& r) {
  std::ostringstream out;
  out << r.usci() << "  grade " << GradeLabel(r.grade()) << "  score "
      << Hundredths(r.score_centi()) << "  supervision class " << ClassLabel(r.supervision_class())
      << " (" << r.sampling_rate() << ", " << r.inspection_frequency() << ")\n"
      << "as of " << r.as_of() << ", window " << r.window_from() << " .. " << r.as_of()
      << ", rules " << r.rule_version() << "\n";
  if (!r.explained()) {
    out << "(the explanation is shown to inspectors, regulators and the enterprise itself)\n";
    return out.str();
  }
  out << "\n" << Pad("indicator", 30) << Pad("points", 16) << "inputs\n";
  int64_t sum = 0;
  for (const origo::v1::IndicatorExplanation& i : r.indicators()) {
    sum += i.points_centi();
    std::string inputs;
    for (const origo::v1::RatingInput& input : i.inputs()) {
      inputs += (inputs.empty() ? "" : "; ") + input.name() + " " + input.value();
    }
    out << Pad(i.name(), 30)
        << Pad(Hundredths(i.points_centi()) + " / " + Hundredths(i.weight_centi()), 16) << inputs
        << "\n"
        << Pad("", 30) << Pad("", 16) << "rule " << i.rule()
        << (i.note().empty() ? "" : "; " + i.note()) << "\n";
  }
  out << Pad("total", 30) << Hundredths(sum) << "  (grade by score: " << GradeLabel(r.score_grade())
      << ", " << r.grade_rule() << ")\n\ncaps\n";
  for (const origo::v1::CapExplanation& c : r.caps()) {
    out << "  " << (c.applied() ? "APPLIED  " : "-        ") << Pad(c.rule(), 32) << "max "
        << Pad(GradeLabel(c.cap()), 4) << c.reason() << "\n";
  }
  out << "final grade " << GradeLabel(r.grade()) << "; supervision " << r.supervision_rule()
      << "\n";
  return out.str();
}

std::string QualityReportJson(const origo::v1::QualityReport& report) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(report, &out, options).ok()) return "{}\n";
  return out;
}

std::string QualityReportCsv(const origo::v1::QualityReport& r) {
  std::ostringstream out;
  out << "section,key,value,value2,value3\n";
  auto row = [&](const std::string& section, const std::string& key, const std::string& v1,
                 const std::string& v2 = "", const std::string& v3 = "") {
    out << Csv(section) << "," << Csv(key) << "," << Csv(v1) << "," << Csv(v2) << "," << Csv(v3)
        << "\n";
  };
  row("summary", "sector", SectorLabel(r.sector()));
  row("summary", "from", r.from());
  row("summary", "to", r.to());
  row("summary", "rule_version", r.rule_version());
  row("summary", "enterprises", std::to_string(r.enterprises()));
  row("summary", "lots", std::to_string(r.lots()));
  row("summary", "inspections", std::to_string(r.inspections()));
  row("summary", "passed", std::to_string(r.passed()));
  row("summary", "pass_rate", Fixed(r.pass_rate(), 4));
  row("summary", "export_inspections", std::to_string(r.export_inspections()));
  row("summary", "export_passed", std::to_string(r.export_passed()));
  row("summary", "export_pass_rate", Fixed(r.export_pass_rate(), 4));
  row("summary", "penalties", std::to_string(r.penalties()));
  row("summary", "quality_loss_value", Fixed(r.quality_loss_value(), 2));
  row("summary", "feedback", std::to_string(r.feedback()));
  row("summary", "blacklist_entered", std::to_string(r.blacklist_entered_size()));
  row("summary", "blacklist_exited", std::to_string(r.blacklist_exited_size()));
  for (const auto& m : r.monthly()) {
    row("monthly", m.month(), std::to_string(m.inspections()), std::to_string(m.passed()));
  }
  for (const auto& item : r.top_failing_items()) {
    row("top_failing_item", item.name(), std::to_string(item.failures()),
        std::to_string(item.tested()));
  }
  for (const auto& g : r.grades())
    row("grade", GradeLabel(g.grade()), std::to_string(g.enterprises()));
  for (const auto& e : r.blacklist_entered()) {
    row("blacklist_entered", e.usci(), std::to_string(e.entry_id()), TierLabel(e.tier()),
        e.listed_date());
  }
  for (const auto& e : r.blacklist_exited()) {
    row("blacklist_exited", e.usci(), std::to_string(e.entry_id()), TierLabel(e.tier()),
        StatusLabel(e.status()));
  }
  return out.str();
}

std::string QualityReportHtml(const origo::v1::QualityReport& r) {
  std::vector<Bar> months;
  for (const auto& m : r.monthly()) {
    const double rate = m.inspections() > 0 ? 100.0 * m.passed() / m.inspections() : 0;
    months.push_back({m.month(), rate,
                      m.inspections() > 0
                          ? Fixed(rate, 1) + "% of " + std::to_string(m.inspections())
                          : "no inspections"});
  }
  std::vector<Bar> grades;
  double max_grade = 0;
  for (const auto& g : r.grades()) {
    grades.push_back({GradeLabel(g.grade()), static_cast<double>(g.enterprises()),
                      std::to_string(g.enterprises())});
    max_grade = std::max(max_grade, static_cast<double>(g.enterprises()));
  }
  std::vector<Bar> items;
  double max_failures = 0;
  for (const auto& item : r.top_failing_items()) {
    items.push_back({item.name(), static_cast<double>(item.failures()),
                     std::to_string(item.failures()) + " of " + std::to_string(item.tested())});
    max_failures = std::max(max_failures, static_cast<double>(item.failures()));
  }
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
      << "<title>质量分析报告 Quality analysis report — " << Html(SectorLabel(r.sector())) << " "
      << Html(r.from()) << " .. " << Html(r.to()) << "</title>"
      << "<style>body{font-family:sans-serif;margin:2em;max-width:60em}"
      << "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;"
      << "text-align:left}</style></head><body>\n"
      << "<h1>质量分析报告 Quality analysis report</h1>\n<p>行业 Sector: "
      << Html(SectorLabel(r.sector())) << " · 期间 Period: " << Html(r.from()) << " .. "
      << Html(r.to()) << " · 规则版本 Rules: " << Html(r.rule_version()) << "</p>\n"
      << "<table><tr><th>企业 Enterprises</th><td>" << r.enterprises() << "</td></tr>"
      << "<tr><th>批次 Lots inspected</th><td>" << r.lots() << "</td></tr>"
      << "<tr><th>抽检 Inspections</th><td>" << r.inspections() << "</td></tr>"
      << "<tr><th>合格率 Pass rate</th><td>" << Fixed(100 * r.pass_rate(), 2) << "%</td></tr>"
      << "<tr><th>出口检验 Export inspections</th><td>" << r.export_inspections() << " ("
      << Fixed(100 * r.export_pass_rate(), 2) << "% passed)</td></tr>"
      << "<tr><th>处罚 Penalties</th><td>" << r.penalties() << "</td></tr>"
      << "<tr><th>质量损失 Quality loss (CNY)</th><td>" << Fixed(r.quality_loss_value(), 2)
      << "</td></tr><tr><th>消费者反馈 Feedback</th><td>" << r.feedback() << "</td></tr>"
      << "<tr><th>黑名单 Blacklist entered / exited</th><td>" << r.blacklist_entered_size() << " / "
      << r.blacklist_exited_size() << "</td></tr></table>\n"
      << "<h2>图表 Charts</h2>\n<figure>"
      << BarChart("每月合格率 Pass rate by month (%)", months, 100, "#2e7d32")
      << "</figure>\n<figure>"
      << BarChart("信用等级分布 Grade distribution", grades, max_grade, "#1565c0")
      << "</figure>\n<figure>"
      << BarChart("主要不合格项目 Top failing test items", items, max_failures, "#c62828")
      << "</figure>\n<h2>黑名单变动 Blacklist changes</h2>\n<table><tr><th>USCI</th>"
      << "<th>entry</th><th>tier</th><th>listed</th><th>status</th><th>reason</th></tr>";
  auto entry_row = [&](const origo::v1::BlacklistEntry& e) {
    out << "<tr><td>" << Html(e.usci()) << "</td><td>" << e.entry_id() << "</td><td>"
        << TierLabel(e.tier()) << "</td><td>" << Html(e.listed_date()) << "</td><td>"
        << StatusLabel(e.status()) << "</td><td>" << Html(e.reason()) << "</td></tr>";
  };
  for (const auto& e : r.blacklist_entered()) entry_row(e);
  for (const auto& e : r.blacklist_exited()) entry_row(e);
  out << "</table>\n</body></html>\n";
  return out.str();
}

}  // namespace origo::cli
