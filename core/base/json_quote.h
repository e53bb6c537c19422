#ifndef ORIGO_CORE_BASE_JSON_QUOTE_H_
#define ORIGO_CORE_BASE_JSON_QUOTE_H_

// A JSON string literal (quotes included) for hand-built JSON: the CLI's --json output, the
// HTTP error and health bodies, the resolver's JSON and the data embedded in its pages.
// '"', '\\' and control characters are escaped (\n as \n, others as \u00XX); bytes >= 0x80 pass
// through, so UTF-8 text stays readable. With `script_safe`, '<', '>' and '&' are escaped as
// \u003c, \u003e and \u0026 too, so the literal cannot close a <script> element it sits in.

#include <cstdio>
#include <string>
#include <string_view>

namespace origo {

inline std::string JsonQuote(std::string_view s, bool script_safe = false) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (u < 0x20 || (script_safe && (c == '<' || c == '>' || c == '&'))) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", u);
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace origo

#endif  // ORIGO_CORE_BASE_JSON_QUOTE_H_
