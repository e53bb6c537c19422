#ifndef ORIGO_CORE_BASE_STATUS_MACROS_H_
#define ORIGO_CORE_BASE_STATUS_MACROS_H_

// The two error-propagation macros used across Origo. Portable C++ (no GNU statement
// expressions): ORIGO_RETURN_IF_ERROR(expr) returns the Status of `expr` when it is not OK;
// ORIGO_ASSIGN_OR_RETURN(lhs, expr) evaluates a StatusOr, returns its Status on error and
// otherwise move-assigns the value to `lhs` (which may be a declaration such as `auto x`).

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define ORIGO_STATUS_CONCAT_INNER_(a, b) a##b
#define ORIGO_STATUS_CONCAT_(a, b) ORIGO_STATUS_CONCAT_INNER_(a, b)

#define ORIGO_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::absl::Status origo_status_ = (expr);         \
    if (!origo_status_.ok()) return origo_status_; \
  } while (0)

#define ORIGO_ASSIGN_OR_RETURN(lhs, expr) \
  ORIGO_ASSIGN_OR_RETURN_IMPL_(ORIGO_STATUS_CONCAT_(origo_statusor_, __LINE__), lhs, expr)

#define ORIGO_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr)  \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // ORIGO_CORE_BASE_STATUS_MACROS_H_
