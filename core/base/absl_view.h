#ifndef ORIGO_CORE_BASE_ABSL_VIEW_H_
#define ORIGO_CORE_BASE_ABSL_VIEW_H_

// Debian 12's abseil is built with its own absl::string_view, a type apart from
// std::string_view, so abseil's hashed containers and parsers do not take a std::string_view.
// AbslView converts without copying.

#include <string_view>

#include "absl/strings/string_view.h"

namespace origo {

inline absl::string_view AbslView(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace origo

#endif  // ORIGO_CORE_BASE_ABSL_VIEW_H_
