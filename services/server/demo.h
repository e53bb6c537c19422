#ifndef ORIGO_SERVICES_SERVER_DEMO_H_
#define ORIGO_SERVICES_SERVER_DEMO_H_

// The demo seed (`origod --demo`): registered demo enterprises with fresh Ed25519 keys, production
// bases and certificates, and three signed chains captured through the public API, so every
// sector rule judges them like any producer's events:
//   wine   贺兰山东麓 vineyard blocks -> harvest -> crush -> ferment -> barrel -> blend -> bottling
//          into 12 serial bottles -> case (SSCC) -> export shipping;
//   goji   the shared example chain (plot-07 -> ... -> pallet -> exporter -> Dubai), with the
//          regulator's conformant residue inspection recorded before the export;
//   halal  farm -> live purchase -> ante-mortem quarantine -> halal slaughter -> post-mortem ->
//          cutting -> cold chain with temperature readings -> retail.

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace origo::server {

// Identifiers worth tracing in the demo.
inline constexpr char kDemoBottle[] = "/01/06971236000147/21/HL25-0007";
inline constexpr char kDemoGojiHarvest[] = "/01/06971234000101/10/ZN2026-P07-0820";
inline constexpr char kDemoHalalCuts[] = "/01/06971237000122/10/CUT-2610";

// Loads the demo through the gRPC server at `grpc_address`, authenticating with the bootstrap
// regulator token in `data_dir`/bootstrap-token. Returns lines to show the operator. When the
// demo enterprises are already registered it loads nothing and says so. FAILED_PRECONDITION when
// the bootstrap token file is absent (the demo needs the store's first start); any rejection of a
// demo event is returned as is (a bug in the seed).
absl::StatusOr<std::vector<std::string>> LoadDemo(const std::string& grpc_address,
                                                  const std::string& data_dir);

}  // namespace origo::server

#endif  // ORIGO_SERVICES_SERVER_DEMO_H_
