#ifndef ORIGO_SERVICES_RESOLVER_RESOLVER_H_
#define ORIGO_SERVICES_RESOLVER_RESOLVER_H_

// The consumer QR lookup on the HTTP port (DESIGN §9, issue 6): a GS1 Digital Link resolver for
// lots and serialised items, from any host name.
//
//   GET  /01/{gtin}/10/{lot}, /01/{gtin}/21/{serial}, /01/{gtin}/10/{lot}/21/{serial}
//          the consumer page: HTML by default (?lang=en for English), the page's JSON for
//          Accept: application/json, an RFC 9264 linkset (application/linkset+json) for
//          ?linkType=all or Accept: application/linkset+json; ?linkType=gs1:<type> redirects
//          (307) to that link. A serialised item's page view counts as a scan.
//          404: nothing recorded (a page that says what was looked up and how to check the
//          code); 400: malformed path, naming the segment and the rule.
//   POST /01/.../feedback        form-encoded rating (1-5) and comment; 303 back to the page,
//                                429 with Retry-After when rate limited, 400 naming the field.
//   GET  /.well-known/gs1resolver                 the resolver's description (JSON)
//   GET  /enterprise/{usci}, /blacklist           public credit page, public blacklist (HTML)
//   GET  /static/verify.js                        the in-browser verifier (assets.h)
//   GET  /api/v1/01/...                           the page as JSON (no scan counted)
//   GET  /api/v1/proofs/01/...                    proof bundle for the page's timeline events:
//        {"checkpoint": signed note, "tree_size": N, "events": [{"event_id", "leaf_index",
//         "leaf": base64 LogLeaf bytes, "inclusion": [base64 hash...], "producer_key":
//         {"alg": "ed25519"|"p256", "spki": base64 DER}}], "pending": [ids not yet covered]}
//   GET  /api/v1/enterprises/{usci}, /api/v1/blacklist              JSON of the public pages
//
// Paths are parsed from the raw request target (percent-encoded as sent), never from the
// decoded path, so a lot containing "%2F" stays one segment.
//
// Thread-safe: handlers run concurrently on the HTTP server's pool.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "origo/v1/config.pb.h"
#include "services/resolver/html.h"
#include "services/resolver/page.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace origo::server {
class Metrics;
}

namespace origo::resolver {

class Resolver {
 public:
  // `tls` says whether the HTTP port serves HTTPS (for absolute links in linksets).
  Resolver(PageBuilder::Sources sources, const origo::v1::ResolverConfig& config, bool tls,
           PageBuilder::Clock clock = nullptr);

  // Adds the routes above to `http`; `metrics` records each route's status and latency.
  void Register(httplib::Server* http, server::Metrics* metrics);

  const PageBuilder& builder() const { return builder_; }

 private:
  void ServePage(const httplib::Request& req, httplib::Response& res) const;
  void ServeFeedback(const httplib::Request& req, httplib::Response& res) const;
  void ServeProofs(const httplib::Request& req, httplib::Response& res) const;
  void ServeApiPage(const httplib::Request& req, httplib::Response& res) const;
  void ServeEnterprise(const httplib::Request& req, httplib::Response& res, bool json) const;
  void ServeBlacklist(const httplib::Request& req, httplib::Response& res, bool json) const;
  void ServeWellKnown(const httplib::Request& req, httplib::Response& res) const;
  // Grade, supervision class and public blacklist status of `usci`. INVALID_ARGUMENT for a
  // malformed USCI, NOT_FOUND for an unregistered one.
  absl::StatusOr<EnterprisePageData> Enterprise(const std::string& usci) const;
  ProductPageContext Context(const ProductPage& page, Lang lang, std::string feedback) const;

  PageBuilder builder_;
  bool tls_;
};

}  // namespace origo::resolver

#endif  // ORIGO_SERVICES_RESOLVER_RESOLVER_H_
