#ifndef ORIGO_SERVICES_SERVER_HTTP_UTIL_H_
#define ORIGO_SERVICES_SERVER_HTTP_UTIL_H_

#include <httplib.h>

#include <chrono>
#include <string>

#include "services/server/metrics.h"

namespace origo::server {

// Wraps an HTTP handler so that each request's status and latency are recorded under `route`
// (the route pattern, not the concrete path, so per-lot paths share one series).
inline httplib::Server::Handler Timed(Metrics* metrics, std::string route,
                                      httplib::Server::Handler handler) {
  return [metrics, route = std::move(route), handler = std::move(handler)](
             const httplib::Request& req, httplib::Response& res) {
    auto start = std::chrono::steady_clock::now();
    handler(req, res);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics->Record("http", req.method + " " + route, std::to_string(res.status), seconds);
  };
}

}  // namespace origo::server

#endif  // ORIGO_SERVICES_SERVER_HTTP_UTIL_H_
