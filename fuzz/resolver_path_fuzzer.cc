// libFuzzer target: HTTP path handling of the Digital Link resolver.
//
// For now the only HTTP path Origo interprets itself is the resolver's: the request target
// ("/01/06901234567892/10/LOT?17=261231") goes to gs1::ParseDigitalLink, and the canonical path
// it yields keys the lookup (services/provenance Provenance::Resolve). This target feeds the raw
// request target (a leading '/' is added when missing, as an HTTP origin-form target always has
// one) and checks what a resolver relies on:
//  - rejections are INVALID_ARGUMENT with a message (the resolver answers 400);
//  - the host does not matter: "https://<host>" + target gives the same link;
//  - a resolver path prefix does not matter: "/<prefix>" + target gives the same link;
//  - the canonical path is a fixed point, and a query string (linkType etc.) or a fragment
//    appended to it does not change the key.
// The target must be the raw request target, not httplib's Request::path, which is already
// percent-decoded ("%2F" in a lot would become a path separator).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/gs1/digital_link.h"
#include "fuzz/fuzz_util.h"

namespace origo::fuzz {
namespace {

using gs1::DigitalLink;

void CheckSameLink(const DigitalLink& link, const std::string& variant, const std::string& target,
                   bool same_expiry) {
  auto parsed = gs1::ParseDigitalLink(variant);
  ORIGO_FUZZ_CHECK(parsed.ok(), "'" + target + "' parses but '" + variant +
                                    "' does not: " + parsed.status().ToString());
  DigitalLink want = link;
  if (!same_expiry) want.expiry.reset();
  ORIGO_FUZZ_CHECK(*parsed == want, "'" + variant + "' names another thing than '" + target + "'");
}

}  // namespace
}  // namespace origo::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace origo;
  using namespace origo::fuzz;
  std::string target(reinterpret_cast<const char*>(data), size);
  if (target.empty() || target.front() != '/') target.insert(target.begin(), '/');

  auto link = gs1::ParseDigitalLink(target);
  CheckRejection(link.status(), {absl::StatusCode::kInvalidArgument}, "ParseDigitalLink");
  if (!link.ok()) return 0;

  CheckSameLink(*link, "https://id.example.org" + target, target, /*same_expiry=*/true);
  CheckSameLink(*link, "/resolver" + target, target, /*same_expiry=*/true);

  const std::string canonical = link->CanonicalPath();
  CheckSameLink(*link, canonical, target, /*same_expiry=*/false);
  CheckSameLink(*link, canonical + "?linkType=gs1:pip&context=x#top", target,
                /*same_expiry=*/false);
  auto again = gs1::ParseDigitalLink(canonical);
  ORIGO_FUZZ_CHECK(again.ok() && again->CanonicalPath() == canonical,
                   "canonical path '" + canonical + "' is not a fixed point");
  return 0;
}
