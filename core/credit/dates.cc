#include "core/credit/dates.h"

#include "absl/strings/ascii.h"
#include "absl/time/civil_time.h"

namespace origo::credit {
namespace {

const absl::CivilDay kEpoch(1970, 1, 1);

absl::CivilDay ToCivil(Day day) { return kEpoch + day; }
Day FromCivil(absl::CivilDay civil) { return civil - kEpoch; }

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

absl::StatusOr<Day> ParseDate(std::string_view field, std::string_view text) {
  auto invalid = [&] {
    return absl::InvalidArgumentError(std::string(field) + ": \"" + std::string(text) +
                                      "\" is not a date (YYYY-MM-DD)");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return invalid();
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) return invalid();
  }
  auto number = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  const int year = number(0, 4), month = number(5, 2), dom = number(8, 2);
  if (year < 1900 || month < 1 || month > 12 || dom < 1) return invalid();
  absl::CivilDay civil(year, month, dom);
  // CivilDay normalises out-of-range fields (Feb 30 -> Mar 2); a real date survives unchanged.
  if (civil.year() != year || civil.month() != month || civil.day() != dom) return invalid();
  return FromCivil(civil);
}

std::string FormatDate(Day day) { return absl::FormatCivilTime(ToCivil(day)); }

std::string FormatMonth(Day day) { return absl::FormatCivilTime(absl::CivilMonth(ToCivil(day))); }

Day DayOfUnixMs(int64_t unix_ms) { return FloorDiv(unix_ms + kChinaUtcOffsetMs, kMsPerDay); }

int64_t StartOfDayUnixMs(Day day) { return day * kMsPerDay - kChinaUtcOffsetMs; }

Day AddMonths(Day day, int months) {
  const absl::CivilDay civil = ToCivil(day);
  const absl::CivilMonth target = absl::CivilMonth(civil) + months;
  const absl::CivilDay first(target);
  const int length = static_cast<int>((absl::CivilDay(target + 1) - first));
  const int dom = civil.day() < length ? civil.day() : length;
  return FromCivil(first + (dom - 1));
}

}  // namespace origo::credit
