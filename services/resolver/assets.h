#ifndef ORIGO_SERVICES_RESOLVER_ASSETS_H_
#define ORIGO_SERVICES_RESOLVER_ASSETS_H_

// Static files of the consumer page, compiled into the binary from services/resolver/assets/
// (see assets/assets.cmake). Served under /static/; immutable for the life of the process.
// Thread-safe: constant data.

#include <string_view>

namespace origo::resolver {

// /static/verify.js: checks the page's proof bundle in the browser with WebCrypto against the
// log key embedded in the page (contract in the file's header). Under 15 KB, no dependencies.
std::string_view VerifyJs();

}  // namespace origo::resolver

#endif  // ORIGO_SERVICES_RESOLVER_ASSETS_H_
