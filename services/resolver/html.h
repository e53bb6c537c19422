#ifndef ORIGO_SERVICES_RESOLVER_HTML_H_
#define ORIGO_SERVICES_RESOLVER_HTML_H_

// Server-rendered consumer pages: mobile first, Chinese first with an English switch, readable
// without JavaScript, inline CSS only, every dynamic text HTML-escaped. Pure functions of their
// inputs; thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "origo/v1/credit.pb.h"
#include "origo/v1/registry.pb.h"
#include "services/resolver/page.h"

namespace origo::resolver {

enum class Lang { kZh, kEn };

// `text` with & < > " ' replaced by entities.
std::string HtmlEscape(std::string_view text);

struct ProductPageContext {
  Lang lang = Lang::kZh;
  // The page's own path (raw, as requested, without query) for the language links and the form.
  std::string path;
  std::string proofs_path;   // /api/v1/proofs/01/...
  std::string log_key_json;  // {"origin":...,"vkey":...}
  // "", "thanks" or "limited": the outcome of a feedback post, shown above the form.
  std::string feedback;
};

std::string RenderProductPage(const ProductPage& page, const ProductPageContext& context);

// 404: nothing recorded for a well-formed identifier. `gtin`, `lot`, `serial` as looked up.
std::string RenderNotFound(Lang lang, const std::string& path, const std::string& gtin,
                           const std::string& lot, const std::string& serial);
// 400: a malformed path; `problem` names the segment and the rule.
std::string RenderBadRequest(Lang lang, const std::string& path, const std::string& problem);

struct EnterprisePageData {
  origo::v1::Enterprise enterprise;
  std::string grade;
  std::string supervision_class;
  std::string sampling_rate;
  std::string inspection_frequency;
  std::string rating_as_of;
  std::vector<origo::v1::BlacklistEntry> listed;  // public (LISTED) entries only
};
std::string RenderEnterprise(Lang lang, const std::string& path, const EnterprisePageData& data);
std::string EnterpriseJson(const EnterprisePageData& data);

// The public blacklist; `names` gives each entry's enterprise name (same order).
std::string RenderBlacklist(Lang lang, const std::vector<origo::v1::BlacklistEntry>& entries,
                            const std::vector<std::string>& names);
std::string BlacklistJson(const std::vector<origo::v1::BlacklistEntry>& entries,
                          const std::vector<std::string>& names);

}  // namespace origo::resolver

#endif  // ORIGO_SERVICES_RESOLVER_HTML_H_
