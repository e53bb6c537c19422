#ifndef ORIGO_FUZZ_FUZZ_UTIL_H_
#define ORIGO_FUZZ_FUZZ_UTIL_H_

// Helpers shared by the libFuzzer targets in fuzz/.
//
// A target states the contract of the code under test as checks: the documented error codes,
// round trips (parse -> canonical form -> parse gives the same value) and agreement between two
// functions that must agree. A broken check prints what broke and aborts, which libFuzzer
// reports as a crash and saves the input. Crashes, leaks and undefined behaviour are caught by
// the sanitizers the targets are built with (-fsanitize=fuzzer,address,undefined).

#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/stubs/logging.h"

namespace origo::fuzz {

// Aborts with `what` and the failing expression when `condition` is false.
#define ORIGO_FUZZ_CHECK(condition, what)                                     \
  do {                                                                        \
    if (!(condition)) {                                                       \
      ::origo::fuzz::Fail(__FILE__, __LINE__, #condition, std::string(what)); \
    }                                                                         \
  } while (0)

[[noreturn]] inline void Fail(const char* file, int line, const char* condition,
                              const std::string& what) {
  std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n  %s\n", file, line, condition, what.c_str());
  std::fflush(stderr);
  std::abort();
}

// True if `status` is OK or carries one of `codes`.
inline bool CodeIn(const absl::Status& status, std::initializer_list<absl::StatusCode> codes) {
  if (status.ok()) return true;
  for (absl::StatusCode code : codes) {
    if (status.code() == code) return true;
  }
  return false;
}

// A rejection must be one of the documented codes and say what was wrong.
inline void CheckRejection(const absl::Status& status,
                           std::initializer_list<absl::StatusCode> codes, std::string_view what) {
  ORIGO_FUZZ_CHECK(CodeIn(status, codes),
                   std::string(what) + ": undocumented error code: " + status.ToString());
  ORIGO_FUZZ_CHECK(status.ok() || !status.message().empty(),
                   std::string(what) + ": error without a message: " + status.ToString());
}

// Discards protobuf's log lines (e.g. "String field ... contains invalid UTF-8 data"), which
// hostile bytes produce at every execution and which would slow the fuzzer down.
inline void SilenceProtobufLogging() { google::protobuf::SetLogHandler(nullptr); }

}  // namespace origo::fuzz

#endif  // ORIGO_FUZZ_FUZZ_UTIL_H_
