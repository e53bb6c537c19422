// resolver_bench: consumer page latency over HTTP from a warm store (issue 6 budget: page server
// time p99 under 20 ms).
//
// Starts a real server (127.0.0.1, ephemeral ports) in a fresh data directory, loads the demo
// through the public gRPC API, warms the caches with one pass over the pages, then fetches the
// pages N times in turn with one keep-alive HTTP client and reports p50/p99/max per page kind.
// The figures are round trips over loopback, so they bound the server time from above. Item
// pages count a scan (one unsynced RocksDB merge) as a real scan would. Prints numbers; not a
// pass/fail test.
//
//   origo_resolver_bench [--requests N] [--dir PATH]

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "services/server/config.h"
#include "services/server/demo.h"
#include "services/server/server.h"

namespace {

struct Page {
  const char* name;
  std::string path;
  httplib::Headers headers;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  int requests = 2000;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--requests" && i + 1 < argc) {
      requests = std::atoi(argv[++i]);
    } else if (arg == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else {
      std::fprintf(stderr, "usage: origo_resolver_bench [--requests N] [--dir PATH]\n");
      return 2;
    }
  }
  const bool own_dir = dir.empty();
  if (own_dir) {
    dir = (std::filesystem::temp_directory_path() /
           ("origo-resolver-bench-" + std::to_string(::getpid())))
              .string();
  }
  origo::v1::Config config;
  config.set_data_dir(dir);
  config.set_grpc_listen("127.0.0.1:0");
  config.set_http_listen("127.0.0.1:0");
  // Page latency on a trusted loopback, not the per-address budget.
  config.mutable_limits()->set_disable_rate_limits(true);
  // Counting scans is part of the page; keep the scan warning out of the way of the figures.
  config.mutable_resolver()->set_scan_warning_threshold(1000000);
  origo::server::ApplyDefaults(&config);
  auto server = origo::server::Server::Start(config);
  if (!server.ok()) {
    std::fprintf(stderr, "start: %s\n", server.status().ToString().c_str());
    return 1;
  }
  auto loaded = origo::server::LoadDemo((*server)->grpc_address(), dir);
  if (!loaded.ok()) {
    std::fprintf(stderr, "demo: %s\n", loaded.status().ToString().c_str());
    return 1;
  }

  const std::vector<Page> pages = {
      {"wine bottle (item) HTML", origo::server::kDemoBottle, {}},
      {"goji bag (item) HTML", "/01/06971234000415/21/ZN26C0001", {}},
      {"halal cuts (lot) HTML", origo::server::kDemoHalalCuts, {}},
      {"wine bottle JSON", origo::server::kDemoBottle, {{"Accept", "application/json"}}},
      {"wine bottle proofs", std::string("/api/v1/proofs") + origo::server::kDemoBottle, {}},
  };
  httplib::Client client("127.0.0.1", (*server)->http_port());
  client.set_keep_alive(true);
  client.set_read_timeout(30, 0);
  std::map<std::string, size_t> bytes;
  for (const Page& p : pages) {  // warm-up pass (and a correctness check)
    auto res = client.Get(p.path, p.headers);
    if (!res || res->status != 200) {
      std::fprintf(stderr, "%s: HTTP %d\n", p.name, res ? res->status : -1);
      return 1;
    }
    bytes[p.name] = res->body.size();
  }
  std::map<std::string, std::vector<double>> ms;
  std::vector<double> all_pages;
  for (int i = 0; i < requests; ++i) {
    const Page& p = pages[static_cast<size_t>(i) % pages.size()];
    auto start = std::chrono::steady_clock::now();
    auto res = client.Get(p.path, p.headers);
    double elapsed =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!res || res->status != 200) {
      std::fprintf(stderr, "%s: HTTP %d\n", p.name, res ? res->status : -1);
      return 1;
    }
    ms[p.name].push_back(elapsed);
    if (std::string(p.name).find("HTML") != std::string::npos) all_pages.push_back(elapsed);
  }
  std::printf("resolver_bench: %d requests over HTTP/1.1 keep-alive, loopback, warm store\n",
              requests);
  std::printf("%-28s %8s %8s %8s %8s %9s\n", "page", "n", "p50 ms", "p99 ms", "max ms", "bytes");
  for (const Page& p : pages) {
    const auto& v = ms[p.name];
    std::printf("%-28s %8zu %8.2f %8.2f %8.2f %9zu\n", p.name, v.size(), Percentile(v, 0.5),
                Percentile(v, 0.99), v.empty() ? 0 : *std::max_element(v.begin(), v.end()),
                bytes[p.name]);
  }
  std::printf("%-28s %8zu %8.2f %8.2f\n", "all HTML pages", all_pages.size(),
              Percentile(all_pages, 0.5), Percentile(all_pages, 0.99));
  absl::Status closed = (*server)->Shutdown();
  if (own_dir) std::filesystem::remove_all(dir);
  return closed.ok() ? 0 : 1;
}
