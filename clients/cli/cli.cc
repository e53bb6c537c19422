#include "clients/cli/cli.h"

#include <cstdio>
#include <iostream>

namespace origo::cli {

client::ClientOptions Globals::ClientOptions() const {
  client::ClientOptions options;
  options.server = server;
  options.token = token;
  return options;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  return out + "\"";
}

int ReportError(const Globals& globals, const absl::Status& status, const std::string& what) {
  std::string code = absl::StatusCodeToString(status.code());
  if (globals.json) {
    std::cout << "{\"ok\":false,\"error\":{\"code\":" << JsonString(code)
              << ",\"message\":" << JsonString(std::string(status.message()))
              << ",\"what\":" << JsonString(what) << "}}\n";
  } else {
    std::cerr << "origo: " << what << ": " << code << ": " << status.message() << "\n";
  }
  return 1;
}

}  // namespace origo::cli
