#ifndef ORIGO_CORE_CREDIT_DATES_H_
#define ORIGO_CORE_CREDIT_DATES_H_

// Civil dates for the credit rules. Records carry dates as "YYYY-MM-DD" (decision, sampling and
// listing dates); rolling windows and publication periods are counted in whole days and calendar
// months. The server's clock (Unix milliseconds) is turned into a date in China Standard Time
// (UTC+08:00, no daylight saving), the time zone of every authority whose rules apply.
//
// All functions are pure and thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace origo::credit {

// Days since 1970-01-01 in the proleptic Gregorian calendar.
using Day = int64_t;

inline constexpr int64_t kChinaUtcOffsetMs = int64_t{8} * 3600 * 1000;
inline constexpr int64_t kMsPerDay = int64_t{86400} * 1000;

// Parses "YYYY-MM-DD" (exactly that form, a real calendar date, years 1900..9999).
// INVALID_ARGUMENT "<field>: ..." otherwise.
absl::StatusOr<Day> ParseDate(std::string_view field, std::string_view text);

// "YYYY-MM-DD".
std::string FormatDate(Day day);
// "YYYY-MM".
std::string FormatMonth(Day day);

// The China Standard Time date of a Unix millisecond time.
Day DayOfUnixMs(int64_t unix_ms);
// Unix milliseconds at 00:00 China Standard Time of `day`.
int64_t StartOfDayUnixMs(Day day);
// Unix milliseconds of the last millisecond of `day` (23:59:59.999 China Standard Time).
inline int64_t EndOfDayUnixMs(Day day) { return StartOfDayUnixMs(day + 1) - 1; }

// `day` plus `months` calendar months; the day of month is clamped to the target month's length
// (2026-01-31 + 1 month = 2026-02-28).
Day AddMonths(Day day, int months);

}  // namespace origo::credit

#endif  // ORIGO_CORE_CREDIT_DATES_H_
