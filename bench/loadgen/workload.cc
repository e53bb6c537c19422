#include "bench/loadgen/workload.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/batch/batch.h"

namespace origo::bench {

uint64_t ChainsFor(const Generator& generator, uint64_t first, uint64_t events) {
  uint64_t have = 0, i = first;
  while (have < events) have += generator.EventsPerChain(i++);
  return i;
}

std::vector<Unit> BuildUnits(const Generator& generator, uint64_t first, uint64_t last,
                             size_t batch_size, const std::vector<crypto::PrivateKey>& keys,
                             int64_t signed_unix_ms) {
  const size_t n = generator.enterprises().size();
  std::vector<std::vector<std::string>> pending(n);
  std::vector<Unit> units(n);
  for (size_t e = 0; e < n; ++e) units[e].enterprise = e;
  auto flush = [&](size_t e) {
    if (pending[e].empty()) return;
    auto signed_batch =
        batch::SignBatch(pending[e], generator.enterprises()[e].usci, keys[e], signed_unix_ms);
    if (!signed_batch.ok()) {
      std::fprintf(stderr, "SignBatch: %s\n", signed_batch.status().ToString().c_str());
      std::exit(1);
    }
    units[e].events += pending[e].size();
    units[e].batches.push_back(*std::move(signed_batch));
    pending[e].clear();
  };
  for (uint64_t i = first; i < last; ++i) {
    Chain chain = generator.MakeChain(i);
    for (auto& event : chain.events) {
      pending[chain.enterprise].push_back(std::move(event));
      if (pending[chain.enterprise].size() == batch_size) flush(chain.enterprise);
    }
  }
  for (size_t e = 0; e < n; ++e) flush(e);
  units.erase(std::remove_if(units.begin(), units.end(), [](const Unit& u) { return !u.events; }),
              units.end());
  return units;
}

std::vector<crypto::PrivateKey> MakeKeys(const Generator& generator) {
  std::vector<crypto::PrivateKey> keys;
  for (const auto& e : generator.enterprises()) {
    keys.push_back(crypto::PrivateKey::Generate(e.p256 ? crypto::Algorithm::kP256
                                                       : crypto::Algorithm::kEd25519)
                       .value());
  }
  return keys;
}

int64_t UnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double ProcessCpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) start at field 3 (state);
  // utime and stime are fields 14 and 15.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(std::llround(p * static_cast<double>(v.size() - 1)))];
}

Flags::Flags(int argc, char** argv, std::map<std::string, std::string> defaults)
    : values_(std::move(defaults)) {
  for (int i = 1; i < argc; i += 2) {
    std::string name = argv[i];
    if (name.rfind("--", 0) != 0 || i + 1 >= argc || !values_.count(name.substr(2))) {
      std::fprintf(stderr, "usage: %s", argv[0]);
      for (const auto& [k, v] : values_) std::fprintf(stderr, " [--%s %s]", k.c_str(), v.c_str());
      std::fprintf(stderr, "\nunknown or incomplete flag: %s\n", name.c_str());
      std::exit(2);
    }
    values_[name.substr(2)] = argv[i + 1];
  }
}

void JsonOut::Add(const std::string& key, double value) {
  char buf[64];
  if (!std::isfinite(value)) value = 0;
  std::snprintf(buf, sizeof(buf), "%.6g", value);
  fields_.emplace_back(key, buf);
}

void JsonOut::Add(const std::string& key, const std::string& value) {
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') quoted += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) quoted += c;
  }
  fields_.emplace_back(key, quoted + "\"");
}

std::string JsonOut::Text() const {
  std::string out = "{";
  for (size_t i = 0; i < fields_.size(); ++i) {
    out += (i ? ",\n \"" : "\"") + fields_[i].first + "\":" + fields_[i].second;
  }
  return out + "}\n";
}

}  // namespace origo::bench
