#ifndef ORIGO_CORE_BASE_HTML_ESCAPE_H_
#define ORIGO_CORE_BASE_HTML_ESCAPE_H_

// Escapes text for HTML element content and quoted attribute values: & < > " and '. Shared by
// the consumer pages (services/resolver) and the CLI's HTML quality report.

#include <string>
#include <string_view>

namespace origo {

inline std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace origo

#endif  // ORIGO_CORE_BASE_HTML_ESCAPE_H_
