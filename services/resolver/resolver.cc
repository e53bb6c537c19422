#include "services/resolver/resolver.h"

#include <httplib.h>

#include <cstdlib>

#include "core/base/status_macros.h"
#include "core/gs1/digital_link.h"
#include "core/usci/usci.h"
#include "services/resolver/assets.h"
#include "services/resolver/html.h"
#include "services/server/http_util.h"

namespace origo::resolver {
namespace {

constexpr char kHtml[] = "text/html; charset=utf-8";
constexpr char kJson[] = "application/json";
constexpr char kLinksetJson[] = "application/linkset+json";
constexpr char kProofsPrefix[] = "/api/v1/proofs";
constexpr char kApiPrefix[] = "/api/v1";
constexpr char kFeedbackSuffix[] = "/feedback";

// GS1 link types the resolver serves, by compact name.
struct LinkType {
  const char* compact;
  const char* uri;
};
constexpr LinkType kLinkTypes[] = {
    {"gs1:pip", "https://gs1.org/voc/pip"},
    {"gs1:traceability", "https://gs1.org/voc/traceability"},
    {"gs1:certificationInfo", "https://gs1.org/voc/certificationInfo"},
    {"gs1:verificationService", "https://gs1.org/voc/verificationService"},
};

Lang LangOf(const httplib::Request& req) {
  return req.get_param_value("lang") == "en" ? Lang::kEn : Lang::kZh;
}

bool WantsJson(const httplib::Request& req) {
  const std::string accept = req.get_header_value("Accept");
  size_t json = accept.find("application/json");
  if (json == std::string::npos) return false;
  size_t html = accept.find("text/html");
  return html == std::string::npos || json < html;
}

std::string ErrorJson(const absl::Status& status) {
  return "{\"error\":{\"code\":" + JsonString(absl::StatusCodeToString(status.code())) +
         ",\"message\":" + JsonString(std::string(status.message())) + "}}\n";
}

int HttpStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return 503;
    default:
      return 500;
  }
}

// The Digital Link in a raw request target, between `prefix` and `suffix`.
struct Target {
  std::string path;  // the raw (percent-encoded) Digital Link path
  gs1::DigitalLink link;
};

absl::StatusOr<Target> ParseTarget(std::string_view target, std::string_view prefix,
                                   std::string_view suffix) {
  size_t end = target.find_first_of("?#");
  if (end != std::string_view::npos) target = target.substr(0, end);
  if (target.substr(0, prefix.size()) == prefix) target.remove_prefix(prefix.size());
  if (!suffix.empty() && target.size() >= suffix.size() &&
      target.substr(target.size() - suffix.size()) == suffix) {
    target.remove_suffix(suffix.size());
  }
  if (target.substr(0, 4) != "/01/") {
    return absl::InvalidArgumentError("path: must start with /01/{gtin}");
  }
  auto link = gs1::ParseDigitalLink(target);
  if (!link.ok()) return link.status();
  if (!link->IsLot() && !link->IsItem()) {
    return absl::InvalidArgumentError(
        "path: a lot (/10/{lot}) or a serial number (/21/{serial}) must follow the GTIN");
  }
  return Target{std::string(target), *std::move(link)};
}

// Parts of a path whose Digital Link did not parse, shown back on the 404 page: best effort.
struct Looked {
  std::string gtin, lot, serial;
};
Looked LookedUp(const gs1::DigitalLink& link) {
  return {link.primary_value, link.lot.value_or(""), link.serial.value_or("")};
}

std::string BaseUrl(const httplib::Request& req, bool tls) {
  std::string host = req.get_header_value("Host");
  if (host.empty()) host = "localhost";
  return std::string(tls ? "https" : "http") + "://" + host;
}

std::string Linkset(const std::string& base, const ProductPage& page) {
  const std::string page_url = base + page.id;
  std::string out = "{\"linkset\":[{\"anchor\":" + JsonString(page_url);
  out += ",\"https://gs1.org/voc/pip\":[{\"href\":" + JsonString(page_url) +
         ",\"title\":\"产品信息\",\"type\":\"text/html\",\"hreflang\":[\"zh-CN\"]},{\"href\":" +
         JsonString(page_url + "?lang=en") +
         ",\"title\":\"Product information\",\"type\":\"text/html\",\"hreflang\":[\"en\"]}]";
  out += ",\"https://gs1.org/voc/traceability\":[{\"href\":" +
         JsonString(base + kApiPrefix + page.id) +
         ",\"title\":\"Traceability: origin, chain, inspections\",\"type\":\"application/json\"}]";
  out += ",\"https://gs1.org/voc/certificationInfo\":[{\"href\":" +
         JsonString(page_url + "#certificates") +
         ",\"title\":\"Certificates (halal, GI, organic...) with validity\",\"type\":"
         "\"text/html\"}]";
  out += ",\"https://gs1.org/voc/verificationService\":[{\"href\":" +
         JsonString(base + kProofsPrefix + page.id) +
         ",\"title\":\"Signed log proofs of every event\",\"type\":\"application/json\"}]";
  out += ",\"https://gs1.org/voc/defaultLink\":[{\"href\":" + JsonString(page_url) + "}]";
  out += "}]}\n";
  return out;
}

std::string LinkHref(const std::string& base, const std::string& id, std::string_view type) {
  if (type == "gs1:traceability") return base + kApiPrefix + id;
  if (type == "gs1:certificationInfo") return base + id + "#certificates";
  if (type == "gs1:verificationService") return base + kProofsPrefix + id;
  return base + id;
}

// Seconds from a limiter message "...; try again in N s"; 60 when it does not say.
int RetryAfterSeconds(std::string_view message) {
  constexpr std::string_view kMarker = "try again in ";
  size_t at = message.find(kMarker);
  if (at == std::string_view::npos) return 60;
  int seconds = std::atoi(std::string(message.substr(at + kMarker.size())).c_str());
  return seconds > 0 ? seconds : 1;
}

void BadRequest(const httplib::Request& req, httplib::Response& res, const absl::Status& status,
                bool json) {
  res.status = 400;
  if (json) {
    res.set_content(ErrorJson(status), kJson);
    return;
  }
  res.set_content(RenderBadRequest(LangOf(req), req.target.substr(0, req.target.find('?')),
                                   std::string(status.message())),
                  kHtml);
}

void Failure(httplib::Response& res, const absl::Status& status) {
  res.status = HttpStatus(status);
  res.set_content(ErrorJson(status), kJson);
}

// Grade and supervision class names without their enum prefixes; empty when unspecified.
std::string GradeName(origo::v1::Grade grade) {
  return grade == origo::v1::GRADE_UNSPECIFIED ? "" : origo::v1::Grade_Name(grade).substr(6);
}
std::string ClassName(origo::v1::SupervisionClass c) {
  return c == origo::v1::SUPERVISION_CLASS_UNSPECIFIED
             ? ""
             : origo::v1::SupervisionClass_Name(c).substr(18);
}

}  // namespace

Resolver::Resolver(PageBuilder::Sources sources, const origo::v1::ResolverConfig& config, bool tls,
                   PageBuilder::Clock clock)
    : builder_(sources, PageOptions::FromConfig(config), std::move(clock)), tls_(tls) {}

void Resolver::Register(httplib::Server* http, server::Metrics* metrics) {
  using server::Timed;
  using Request = httplib::Request;
  using Response = httplib::Response;
  http->Get(R"(/01/.*)", Timed(metrics, "/01/{gtin}/...",
                               [this](const Request& q, Response& r) { ServePage(q, r); }));
  http->Post(R"(/01/.*/feedback)",
             Timed(metrics, "/01/{gtin}/.../feedback",
                   [this](const Request& q, Response& r) { ServeFeedback(q, r); }));
  http->Get(R"(/api/v1/proofs/01/.*)",
            Timed(metrics, "/api/v1/proofs/01/...",
                  [this](const Request& q, Response& r) { ServeProofs(q, r); }));
  http->Get(R"(/api/v1/01/.*)",
            Timed(metrics, "/api/v1/01/...",
                  [this](const Request& q, Response& r) { ServeApiPage(q, r); }));
  http->Get(R"(/enterprise/([^/]+))",
            Timed(metrics, "/enterprise/{usci}",
                  [this](const Request& q, Response& r) { ServeEnterprise(q, r, WantsJson(q)); }));
  http->Get(R"(/api/v1/enterprises/([^/]+))",
            Timed(metrics, "/api/v1/enterprises/{usci}",
                  [this](const Request& q, Response& r) { ServeEnterprise(q, r, true); }));
  http->Get("/blacklist", Timed(metrics, "/blacklist", [this](const Request& q, Response& r) {
              ServeBlacklist(q, r, WantsJson(q));
            }));
  http->Get("/api/v1/blacklist",
            Timed(metrics, "/api/v1/blacklist",
                  [this](const Request& q, Response& r) { ServeBlacklist(q, r, true); }));
  http->Get("/.well-known/gs1resolver",
            Timed(metrics, "/.well-known/gs1resolver",
                  [this](const Request& q, Response& r) { ServeWellKnown(q, r); }));
  http->Get("/static/verify.js",
            Timed(metrics, "/static/verify.js", [](const Request&, Response& r) {
              r.set_header("Cache-Control", "public, max-age=300");
              r.set_content(std::string(VerifyJs()), "text/javascript; charset=utf-8");
            }));
}

ProductPageContext Resolver::Context(const ProductPage& page, Lang lang,
                                     std::string feedback) const {
  ProductPageContext context;
  context.lang = lang;
  context.path = page.id;
  context.proofs_path = kProofsPrefix + page.id;
  context.log_key_json = builder_.LogKeyJson();
  context.feedback = std::move(feedback);
  return context;
}

void Resolver::ServePage(const httplib::Request& req, httplib::Response& res) const {
  const bool json = WantsJson(req);
  auto target = ParseTarget(req.target, "", "");
  if (!target.ok()) return BadRequest(req, res, target.status(), json);
  const std::string link_type = req.get_param_value("linkType");
  const bool linkset =
      link_type == "all" || req.get_header_value("Accept").find(kLinksetJson) != std::string::npos;
  res.set_header("Vary", "Accept");
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Content-Type-Options", "nosniff");
  if (!link_type.empty() && link_type != "all") {
    for (const LinkType& t : kLinkTypes) {
      if (link_type == t.compact || link_type == t.uri) {
        res.status = 307;
        res.set_header("Location",
                       LinkHref(BaseUrl(req, tls_), target->link.CanonicalPath(), t.compact));
        return;
      }
    }
    return Failure(res, absl::NotFoundError("linkType: no link of type " + link_type +
                                            " here; try linkType=all"));
  }
  // A page view (HTML or JSON) is a scan; a linkset fetch or a HEAD request is not.
  const bool count_scan = !linkset && req.method == "GET";
  auto page = builder_.Build(target->link, count_scan);
  if (!page.ok()) {
    if (page.status().code() == absl::StatusCode::kNotFound && !json && !linkset) {
      Looked l = LookedUp(target->link);
      res.status = 404;
      res.set_content(RenderNotFound(LangOf(req), target->path, l.gtin, l.lot, l.serial), kHtml);
      return;
    }
    if (page.status().code() == absl::StatusCode::kInvalidArgument) {
      return BadRequest(req, res, page.status(), json || linkset);
    }
    return Failure(res, page.status());
  }
  const std::string base = BaseUrl(req, tls_);
  if (linkset) {
    res.set_header(
        "Link", "<" + base + page->id + ">; rel=\"https://gs1.org/voc/pip\"; type=\"text/html\"");
    res.set_content(Linkset(base, *page), kLinksetJson);
  } else if (json) {
    res.set_content(ToJson(*page) + "\n", kJson);
  } else {
    res.set_content(
        RenderProductPage(*page, Context(*page, LangOf(req), req.get_param_value("feedback"))),
        kHtml);
  }
}

void Resolver::ServeFeedback(const httplib::Request& req, httplib::Response& res) const {
  const bool json = WantsJson(req);
  auto target = ParseTarget(req.target, "", kFeedbackSuffix);
  if (!target.ok()) return BadRequest(req, res, target.status(), json);
  const std::string rating = req.get_param_value("rating");
  if (rating.size() != 1 || rating[0] < '1' || rating[0] > '5') {
    return BadRequest(
        req, res, absl::InvalidArgumentError("rating: must be a whole number from 1 to 5"), json);
  }
  const std::string id = target->link.CanonicalPath();
  auto view = builder_.sources().provenance->GetLot(id);
  if (!view.ok()) {
    if (view.status().code() == absl::StatusCode::kNotFound && !json) {
      Looked l = LookedUp(target->link);
      res.status = 404;
      res.set_content(RenderNotFound(LangOf(req), id, l.gtin, l.lot, l.serial), kHtml);
      return;
    }
    return Failure(res, view.status());
  }
  origo::v1::SubmitFeedbackRequest request;
  request.set_enterprise(view->creator());
  // An item's feedback is about its lot (the limiter's per-lot bucket then covers all bottles).
  request.set_lot(view->lot().empty() ? id : view->lot());
  request.set_rating(static_cast<uint32_t>(rating[0] - '0'));
  request.set_comment(req.get_param_value("comment"));
  auto stored =
      builder_.sources().credit->SubmitFeedback(server::Principal{}, req.remote_addr, request);
  const Lang lang = LangOf(req);
  if (!stored.ok()) {
    const absl::Status& status = stored.status();
    if (status.code() == absl::StatusCode::kInvalidArgument) {
      return BadRequest(req, res, status, json);
    }
    if (status.code() != absl::StatusCode::kResourceExhausted) return Failure(res, status);
    res.set_header("Retry-After", std::to_string(RetryAfterSeconds(std::string(status.message()))));
    auto page = json ? absl::StatusOr<ProductPage>(status)
                     : builder_.Build(target->link, /*count_scan=*/false);
    if (!page.ok()) return Failure(res, status);
    res.status = 429;
    res.set_content(RenderProductPage(*page, Context(*page, lang, "limited")), kHtml);
    return;
  }
  if (json) {
    res.status = 201;
    res.set_content("{\"accepted\":true,\"rating\":" + rating + "}\n", kJson);
    return;
  }
  res.status = 303;  // back to the page, which thanks the consumer (post/redirect/get)
  res.set_header("Location", id + "?feedback=thanks" + (lang == Lang::kEn ? "&lang=en" : ""));
}

void Resolver::ServeProofs(const httplib::Request& req, httplib::Response& res) const {
  auto target = ParseTarget(req.target, kProofsPrefix, "");
  if (!target.ok()) return Failure(res, target.status());
  auto bundle = builder_.ProofsJson(target->link);
  if (!bundle.ok()) return Failure(res, bundle.status());
  res.set_header("Cache-Control", "no-store");
  res.set_content(*bundle + "\n", kJson);
}

void Resolver::ServeApiPage(const httplib::Request& req, httplib::Response& res) const {
  auto target = ParseTarget(req.target, kApiPrefix, "");
  if (!target.ok()) return Failure(res, target.status());
  auto page = builder_.Build(target->link, /*count_scan=*/false);
  if (!page.ok()) return Failure(res, page.status());
  res.set_content(ToJson(*page) + "\n", kJson);
}

absl::StatusOr<EnterprisePageData> Resolver::Enterprise(const std::string& usci) const {
  ORIGO_RETURN_IF_ERROR(usci::Validate(usci));
  const PageBuilder::Sources& src = builder_.sources();
  EnterprisePageData data;
  ORIGO_ASSIGN_OR_RETURN(data.enterprise, src.registry->GetEnterprise(usci));
  origo::v1::GetRatingRequest rating_request;
  rating_request.set_usci(usci);
  auto rating = src.credit->GetRating(server::Principal{}, rating_request);
  if (rating.ok()) {
    data.grade = GradeName(rating->grade());
    data.supervision_class = ClassName(rating->supervision_class());
    data.sampling_rate = rating->sampling_rate();
    data.inspection_frequency = rating->inspection_frequency();
    data.rating_as_of = rating->as_of();
  }
  origo::v1::ListBlacklistRequest request;
  request.set_view(origo::v1::BLACKLIST_VIEW_PUBLIC);
  request.set_usci(usci);
  ORIGO_ASSIGN_OR_RETURN(data.listed, src.credit->ListBlacklist(server::Principal{}, request));
  return data;
}

void Resolver::ServeEnterprise(const httplib::Request& req, httplib::Response& res,
                               bool json) const {
  const std::string usci = req.matches[1];
  auto data = Enterprise(usci);
  if (!data.ok()) {
    const int status = HttpStatus(data.status());
    if (json || (status != 400 && status != 404)) return Failure(res, data.status());
    res.status = status;
    res.set_content(
        RenderBadRequest(LangOf(req), "/enterprise/" + usci, std::string(data.status().message())),
        kHtml);
    return;
  }
  if (json) {
    res.set_content(EnterpriseJson(*data) + "\n", kJson);
  } else {
    res.set_content(RenderEnterprise(LangOf(req), "/enterprise/" + usci, *data), kHtml);
  }
}

void Resolver::ServeBlacklist(const httplib::Request& req, httplib::Response& res,
                              bool json) const {
  const PageBuilder::Sources& src = builder_.sources();
  origo::v1::ListBlacklistRequest request;
  request.set_view(origo::v1::BLACKLIST_VIEW_PUBLIC);
  auto entries = src.credit->ListBlacklist(server::Principal{}, request);
  if (!entries.ok()) return Failure(res, entries.status());
  std::vector<std::string> names;
  for (const auto& e : *entries) {
    auto enterprise = src.registry->GetEnterprise(e.usci());
    names.push_back(enterprise.ok() ? enterprise->name() : "");
  }
  if (json) {
    res.set_content(BlacklistJson(*entries, names) + "\n", kJson);
  } else {
    res.set_content(RenderBlacklist(LangOf(req), *entries, names), kHtml);
  }
}

void Resolver::ServeWellKnown(const httplib::Request& req, httplib::Response& res) const {
  const std::string base = BaseUrl(req, tls_);
  std::string link_types;
  for (const LinkType& t : kLinkTypes) {
    link_types += std::string(link_types.empty() ? "" : ",") +
                  "{\"compact\":" + JsonString(t.compact) + ",\"uri\":" + JsonString(t.uri) + "}";
  }
  res.set_content(
      "{\"name\":\"Origo traceability resolver\",\"resolverRoot\":" + JsonString(base) +
          ",\"supportedPrimaryKeys\":[\"gtin\"],\"supportedQualifiers\":[\"lot\",\"ser\"],"
          "\"supportedPaths\":[\"/01/{gtin}/10/{lot}\",\"/01/{gtin}/21/{serial}\","
          "\"/01/{gtin}/10/{lot}/21/{serial}\"],\"linkTypeDefaultCanBeLinkset\":false,"
          "\"linkset\":\"?linkType=all\",\"supportedLinkTypes\":[" +
          link_types +
          "],\"supportedContextValuesEnumerated\":{\"lang\":[\"zh-CN\",\"en\"]},"
          "\"defaultLanguage\":\"zh-CN\",\"verification\":{\"proofs\":" +
          JsonString(base + kProofsPrefix + "/01/{gtin}/...") +
          ",\"log\":" + builder_.LogKeyJson() + "}}\n",
      kJson);
}

}  // namespace origo::resolver
