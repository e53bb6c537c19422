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

}  // namespace

Resolver::Resolver(PageBuilder::Sources sources, const origo::v1::ResolverConfig& config, bool tls,
                   PageBuilder::Clock clock)
    : builder_(sources, PageOptions::FromConfig(config), std::move(clock)), tls_(tls) {}

void Resolver::Register(httplib::Server* http, server::Metrics* metrics) {
  using server::Timed;

  auto bad_request = [](const httplib::Request& req, httplib::Response& res,
                        const absl::Status& status, bool json) {
    res.status = 400;
    if (json) {
      res.set_content(ErrorJson(status), kJson);
    } else {
      size_t end = req.target.find('?');
      res.set_content(
          RenderBadRequest(LangOf(req), req.target.substr(0, end), std::string(status.message())),
          kHtml);
    }
  };
  auto failure = [](httplib::Response& res, const absl::Status& status) {
    res.status = HttpStatus(status);
    res.set_content(ErrorJson(status), kJson);
  };

  // The consumer page, its JSON and its linkset.
  http->Get(
      R"(/01/.*)",
      Timed(metrics, "/01/{gtin}/...",
            [this, bad_request, failure](const httplib::Request& req, httplib::Response& res) {
              const bool json = WantsJson(req);
              auto target = ParseTarget(req.target, "", "");
              if (!target.ok()) return bad_request(req, res, target.status(), json);
              const std::string link_type = req.get_param_value("linkType");
              const bool linkset = link_type == "all" || req.get_header_value("Accept").find(
                                                             kLinksetJson) != std::string::npos;
              res.set_header("Vary", "Accept");
              res.set_header("Cache-Control", "no-store");
              if (!link_type.empty() && link_type != "all") {
                for (const LinkType& t : kLinkTypes) {
                  if (link_type == t.compact || link_type == t.uri) {
                    res.status = 307;
                    res.set_header("Location", LinkHref(BaseUrl(req, tls_),
                                                        target->link.CanonicalPath(), t.compact));
                    return;
                  }
                }
                res.status = 404;
                res.set_content(ErrorJson(absl::NotFoundError("linkType: no link of type " +
                                                              link_type + "; try linkType=all")),
                                kJson);
                return;
              }
              auto page = builder_.Build(target->link, /*count_scan=*/!linkset);
              if (!page.ok()) {
                if (page.status().code() == absl::StatusCode::kNotFound && !json && !linkset) {
                  Looked l = LookedUp(target->link);
                  res.status = 404;
                  res.set_content(
                      RenderNotFound(LangOf(req), target->path, l.gtin, l.lot, l.serial), kHtml);
                  return;
                }
                if (page.status().code() == absl::StatusCode::kInvalidArgument && !linkset) {
                  return bad_request(req, res, page.status(), json);
                }
                return failure(res, page.status());
              }
              if (linkset) {
                res.set_header("Link",
                               "<" + BaseUrl(req, tls_) + page->id +
                                   ">; rel=\"https://gs1.org/voc/pip\"; type=\"text/html\"");
                res.set_content(Linkset(BaseUrl(req, tls_), *page), kLinksetJson);
                return;
              }
              if (json) {
                res.set_content(ToJson(*page) + "\n", kJson);
                return;
              }
              ProductPageContext context;
              context.lang = LangOf(req);
              context.path = page->id;
              context.proofs_path = kProofsPrefix + page->id;
              context.log_key_json = builder_.LogKeyJson();
              context.feedback = req.get_param_value("feedback");
              res.set_content(RenderProductPage(*page, context), kHtml);
            }));

  // Consumer feedback (form-encoded, from the page's form).
  http->Post(
      R"(/01/.*/feedback)",
      Timed(metrics, "/01/{gtin}/.../feedback",
            [this, bad_request, failure](const httplib::Request& req, httplib::Response& res) {
              const bool json = WantsJson(req);
              auto target = ParseTarget(req.target, "", kFeedbackSuffix);
              if (!target.ok()) return bad_request(req, res, target.status(), json);
              const std::string rating_text = req.get_param_value("rating");
              int rating = 0;
              if (rating_text.size() == 1 && rating_text[0] >= '1' && rating_text[0] <= '5') {
                rating = rating_text[0] - '0';
              } else {
                return bad_request(
                    req, res,
                    absl::InvalidArgumentError("rating: must be a whole number from 1 to 5"), json);
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
                return failure(res, view.status());
              }
              origo::v1::SubmitFeedbackRequest request;
              request.set_enterprise(view->creator());
              request.set_lot(view->lot().empty() ? id : view->lot());
              request.set_rating(static_cast<uint32_t>(rating));
              request.set_comment(req.get_param_value("comment"));
              auto stored = builder_.sources().credit->SubmitFeedback(server::Principal{},
                                                                      req.remote_addr, request);
              const bool en = req.get_param_value("lang") == "en";
              if (!stored.ok()) {
                if (stored.status().code() == absl::StatusCode::kResourceExhausted) {
                  res.set_header(
                      "Retry-After",
                      std::to_string(RetryAfterSeconds(std::string(stored.status().message()))));
                  if (!json) {
                    auto page = builder_.Build(target->link, /*count_scan=*/false);
                    if (page.ok()) {
                      res.status = 429;
                      ProductPageContext context;
                      context.lang = en ? Lang::kEn : Lang::kZh;
                      context.path = page->id;
                      context.proofs_path = kProofsPrefix + page->id;
                      context.log_key_json = builder_.LogKeyJson();
                      context.feedback = "limited";
                      res.set_content(RenderProductPage(*page, context), kHtml);
                      return;
                    }
                  }
                }
                if (stored.status().code() == absl::StatusCode::kInvalidArgument) {
                  return bad_request(req, res, stored.status(), json);
                }
                return failure(res, stored.status());
              }
              if (json) {
                res.status = 201;
                res.set_content("{\"accepted\":true,\"rating\":" + std::to_string(rating) + "}\n",
                                kJson);
                return;
              }
              res.status = 303;
              res.set_header("Location", id + "?feedback=thanks" + (en ? "&lang=en" : ""));
            }));

  // The page as JSON, and the proof bundle of its events.
  http->Get(R"(/api/v1/proofs/01/.*)",
            Timed(metrics, "/api/v1/proofs/01/...",
                  [this, failure](const httplib::Request& req, httplib::Response& res) {
                    auto target = ParseTarget(req.target, kProofsPrefix, "");
                    if (!target.ok()) return failure(res, target.status());
                    auto bundle = builder_.ProofsJson(target->link);
                    if (!bundle.ok()) return failure(res, bundle.status());
                    res.set_header("Cache-Control", "no-store");
                    res.set_content(*bundle + "\n", kJson);
                  }));
  http->Get(R"(/api/v1/01/.*)",
            Timed(metrics, "/api/v1/01/...",
                  [this, failure](const httplib::Request& req, httplib::Response& res) {
                    auto target = ParseTarget(req.target, kApiPrefix, "");
                    if (!target.ok()) return failure(res, target.status());
                    auto page = builder_.Build(target->link, /*count_scan=*/false);
                    if (!page.ok()) return failure(res, page.status());
                    res.set_content(ToJson(*page) + "\n", kJson);
                  }));

  // Enterprise credit pages and the public blacklist.
  auto enterprise = [this](const std::string& usci) -> absl::StatusOr<EnterprisePageData> {
    ORIGO_RETURN_IF_ERROR(usci::Validate(usci));
    EnterprisePageData data;
    ORIGO_ASSIGN_OR_RETURN(data.enterprise, builder_.sources().registry->GetEnterprise(usci));
    origo::v1::GetRatingRequest rating_request;
    rating_request.set_usci(usci);
    auto rating = builder_.sources().credit->GetRating(server::Principal{}, rating_request);
    if (rating.ok()) {
      std::string grade = origo::v1::Grade_Name(rating->grade());
      std::string klass = origo::v1::SupervisionClass_Name(rating->supervision_class());
      data.grade = grade.substr(grade.rfind('_') + 1);
      data.supervision_class = klass.substr(klass.rfind('_') + 1);
      if (data.grade == "UNSPECIFIED") data.grade.clear();
      if (data.supervision_class == "UNSPECIFIED") data.supervision_class.clear();
      data.sampling_rate = rating->sampling_rate();
      data.inspection_frequency = rating->inspection_frequency();
      data.rating_as_of = rating->as_of();
    }
    origo::v1::ListBlacklistRequest request;
    request.set_view(origo::v1::BLACKLIST_VIEW_PUBLIC);
    request.set_usci(usci);
    ORIGO_ASSIGN_OR_RETURN(data.listed,
                           builder_.sources().credit->ListBlacklist(server::Principal{}, request));
    return data;
  };
  auto enterprise_page = [enterprise, failure](const httplib::Request& req, httplib::Response& res,
                                               bool json) {
    const std::string usci = req.matches[1];
    auto data = enterprise(usci);
    if (!data.ok()) {
      if (json) return failure(res, data.status());
      res.status = HttpStatus(data.status());
      if (res.status == 400 || res.status == 404) {
        res.set_content(RenderBadRequest(LangOf(req), "/enterprise/" + usci,
                                         std::string(data.status().message())),
                        kHtml);
      } else {
        failure(res, data.status());
      }
      return;
    }
    if (json) {
      res.set_content(EnterpriseJson(*data) + "\n", kJson);
    } else {
      res.set_content(RenderEnterprise(LangOf(req), "/enterprise/" + usci, *data), kHtml);
    }
  };
  http->Get(R"(/enterprise/([^/]+))",
            Timed(metrics, "/enterprise/{usci}",
                  [enterprise_page](const httplib::Request& req, httplib::Response& res) {
                    enterprise_page(req, res, WantsJson(req));
                  }));
  http->Get(R"(/api/v1/enterprises/([^/]+))",
            Timed(metrics, "/api/v1/enterprises/{usci}",
                  [enterprise_page](const httplib::Request& req, httplib::Response& res) {
                    enterprise_page(req, res, true);
                  }));
  auto blacklist = [this, failure](const httplib::Request& req, httplib::Response& res, bool json) {
    origo::v1::ListBlacklistRequest request;
    request.set_view(origo::v1::BLACKLIST_VIEW_PUBLIC);
    auto entries = builder_.sources().credit->ListBlacklist(server::Principal{}, request);
    if (!entries.ok()) return failure(res, entries.status());
    std::vector<std::string> names;
    for (const auto& e : *entries) {
      auto enterprise = builder_.sources().registry->GetEnterprise(e.usci());
      names.push_back(enterprise.ok() ? enterprise->name() : "");
    }
    if (json) {
      res.set_content(BlacklistJson(*entries, names) + "\n", kJson);
    } else {
      res.set_content(RenderBlacklist(LangOf(req), *entries, names), kHtml);
    }
  };
  http->Get("/blacklist", Timed(metrics, "/blacklist",
                                [blacklist](const httplib::Request& req, httplib::Response& res) {
                                  blacklist(req, res, WantsJson(req));
                                }));
  http->Get("/api/v1/blacklist",
            Timed(metrics, "/api/v1/blacklist",
                  [blacklist](const httplib::Request& req, httplib::Response& res) {
                    blacklist(req, res, true);
                  }));

  http->Get(
      "/.well-known/gs1resolver",
      Timed(metrics, "/.well-known/gs1resolver",
            [this](const httplib::Request& req, httplib::Response& res) {
              const std::string base = BaseUrl(req, tls_);
              std::string link_types;
              for (const LinkType& t : kLinkTypes) {
                link_types += std::string(link_types.empty() ? "" : ",") +
                              "{\"compact\":" + JsonString(t.compact) +
                              ",\"uri\":" + JsonString(t.uri) + "}";
              }
              res.set_content(
                  "{\"name\":\"Origo traceability resolver\",\"resolverRoot\":" + JsonString(base) +
                      ",\"supportedPrimaryKeys\":[\"gtin\"],\"supportedQualifiers\":"
                      "[\"lot\",\"ser\"],\"supportedPaths\":[\"/01/{gtin}/10/{lot}\","
                      "\"/01/{gtin}/21/{serial}\",\"/01/{gtin}/10/{lot}/21/{serial}\"],"
                      "\"linkTypeDefaultCanBeLinkset\":false,\"linkset\":"
                      "\"?linkType=all\",\"supportedLinkTypes\":[" +
                      link_types +
                      "],\"supportedContextValuesEnumerated\":{\"lang\":[\"zh-CN\","
                      "\"en\"]},\"defaultLanguage\":\"zh-CN\",\"verification\":{"
                      "\"proofs\":" +
                      JsonString(base + kProofsPrefix + "/01/{gtin}/...") +
                      ",\"log\":" + builder_.LogKeyJson() + "}}\n",
                  kJson);
            }));

  http->Get(
      "/static/verify.js",
      Timed(metrics, "/static/verify.js", [](const httplib::Request&, httplib::Response& res) {
        std::string_view js = VerifyJs();
        res.set_header("Cache-Control", "public, max-age=300");
        res.set_content(std::string(js), "text/javascript; charset=utf-8");
      }));
}

}  // namespace origo::resolver
