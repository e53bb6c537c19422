#include "clients/cli/cli.h"

#include <cstdio>
#include <iostream>

#include "core/base/json_quote.h"

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

std::string JsonString(const std::string& s) { return JsonQuote(s); }

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
