#include "clients/cli/cli.h"

#include <cstdio>
#include <iostream>

namespace origo::cli {

client::ClientOptions Globals::ClientOptions() const {
  client::ClientOptions options;
  options.server = server;
  options.token = token;
  options.tls_ca_file = tls_ca;
  options.tls_cert_file = tls_cert;
  options.tls_key_file = tls_key;
  return options;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
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

void JsonObject::Key(const std::string& key) {
  if (!members_.empty()) members_ += ",";
  members_ += JsonString(key) + ":";
}

JsonObject& JsonObject::Str(const std::string& key, const std::string& value) {
  Key(key);
  members_ += JsonString(value);
  return *this;
}

JsonObject& JsonObject::Int(const std::string& key, int64_t value) {
  Key(key);
  members_ += std::to_string(value);
  return *this;
}

JsonObject& JsonObject::Uint(const std::string& key, uint64_t value) {
  Key(key);
  members_ += std::to_string(value);
  return *this;
}

JsonObject& JsonObject::Bool(const std::string& key, bool value) {
  Key(key);
  members_ += value ? "true" : "false";
  return *this;
}

JsonObject& JsonObject::Raw(const std::string& key, const std::string& json) {
  Key(key);
  members_ += json;
  return *this;
}

}  // namespace origo::cli
