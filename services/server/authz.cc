#include "services/server/authz.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

namespace origo::server {
namespace {

constexpr Role kPublic = Role::kPublic;
constexpr Role kProducer = Role::kProducer;
constexpr Role kInspector = Role::kInspector;
constexpr Role kRegulator = Role::kRegulator;

constexpr std::string_view kSignedManifest =
    "the signed manifest's enterprise must be the token's (checked after the signature by the "
    "domain service)";

}  // namespace

// The table. Least privilege: reads of what a consumer or a log witness may see are public;
// writes need the role that owns the decision; nothing needs more than one role to work.
const std::vector<RpcRule>& RpcTable() {
  static const std::vector<RpcRule>* const table = new std::vector<RpcRule>{
      // Registry: the regulator enrols enterprises, keys and tokens; profiles and keys are
      // public so anyone can check a signature.
      {"/origo.v1.RegistryService/RegisterEnterprise", {kRegulator}, "", ""},
      {"/origo.v1.RegistryService/GetEnterprise", {kPublic}, "", ""},
      {"/origo.v1.RegistryService/AddKey", {kRegulator}, "", ""},
      {"/origo.v1.RegistryService/RevokeKey", {kRegulator}, "", ""},
      {"/origo.v1.RegistryService/ListKeys", {kPublic}, "", ""},
      {"/origo.v1.RegistryService/AddProductionBase", {kRegulator}, "", ""},
      {"/origo.v1.RegistryService/AddCertificate", {kRegulator}, "", ""},
      {"/origo.v1.RegistryService/CreateToken", {kRegulator}, "", ""},
      {"/origo.v1.RegistryService/ListTokens", {kRegulator}, "", ""},
      {"/origo.v1.RegistryService/RevokeToken", {kRegulator}, "", ""},
      // Capture: producers only, each for its own enterprise.
      {"/origo.v1.CaptureService/Capture", {kProducer}, "", kSignedManifest},
      {"/origo.v1.CaptureService/CaptureStream", {kProducer}, "", kSignedManifest},
      // The transparency log is public: witnesses and consumers verify without an account.
      {"/origo.v1.TransparencyService/GetCheckpoint", {kPublic}, "", ""},
      {"/origo.v1.TransparencyService/GetInclusionProof", {kPublic}, "", ""},
      {"/origo.v1.TransparencyService/GetConsistencyProof", {kPublic}, "", ""},
      {"/origo.v1.TransparencyService/GetLeaves", {kPublic}, "", ""},
      // Provenance: the consumer view is public; inspection results and violations are not.
      {"/origo.v1.ProvenanceService/GetLot", {kPublic}, "", ""},
      {"/origo.v1.ProvenanceService/GetItem", {kPublic}, "", ""},
      {"/origo.v1.ProvenanceService/TraceBack", {kPublic}, "", ""},
      {"/origo.v1.ProvenanceService/TraceForward", {kPublic}, "", ""},
      {"/origo.v1.ProvenanceService/QueryEvents", {kPublic}, "", ""},
      {"/origo.v1.ProvenanceService/Resolve", {kPublic}, "", ""},
      {"/origo.v1.ProvenanceService/RecordInspection", {kInspector, kRegulator}, "", ""},
      {"/origo.v1.ProvenanceService/ListViolations", {kInspector, kRegulator}, "", ""},
      // Credit: inspectors and the regulator record; only the regulator lists and decides; a
      // producer applies for repair of its own listing and reads its own archive.
      {"/origo.v1.CreditService/RecordInspection", {kInspector, kRegulator}, "", ""},
      {"/origo.v1.CreditService/RecordPenalty", {kInspector, kRegulator}, "", ""},
      {"/origo.v1.CreditService/RecordQualityLoss", {kInspector, kRegulator}, "", ""},
      {"/origo.v1.CreditService/ImportListing", {kInspector, kRegulator}, "", ""},
      {"/origo.v1.CreditService/AddBlacklistEntry", {kRegulator}, "", ""},
      {"/origo.v1.CreditService/ApplyRepair", {kProducer}, "", kSignedManifest},
      {"/origo.v1.CreditService/DecideRepair", {kRegulator}, "", ""},
      {"/origo.v1.CreditService/SubmitFeedback", {kPublic}, "", ""},
      {"/origo.v1.CreditService/GetCreditProfile", {kProducer, kInspector, kRegulator}, "usci", ""},
      {"/origo.v1.CreditService/GetRating",
       {kPublic},
       "",
       "the explanation only for inspectors, regulators and the enterprise itself"},
      {"/origo.v1.CreditService/ListBlacklist", {kPublic}, "", ""},
      {"/origo.v1.CreditService/QualityReport", {kInspector, kRegulator}, "", ""},
      // Admin: backups write to the server's disk; checkpoints are public signed notes.
      {"/origo.v1.AdminService/Backup", {kRegulator}, "", ""},
      {"/origo.v1.AdminService/ListCheckpoints", {kPublic}, "", ""},
      // Served by gRPC itself (no adapter of ours sees these calls; they never authenticate).
      {"/grpc.health.v1.Health/Check", {kPublic}, "", ""},
      {"/grpc.health.v1.Health/Watch", {kPublic}, "", ""},
      {"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", {kPublic}, "", ""},
  };
  return *table;
}

const std::vector<HttpRule>& HttpTable() {
  static const std::vector<HttpRule>* const table = new std::vector<HttpRule>{
      {"/healthz", {kPublic}},
      // Operational detail (call counts per method, store size): the node's own scraper on
      // loopback, or a regulator from elsewhere. No role is given to a remote scraper by default
      // because every role can also write.
      {"/metrics", {kRegulator}, /*loopback_public=*/true},
      // The consumer resolver: GS1 Digital Link pages, its JSON API and assets, enterprise pages,
      // the public blacklist and the resolver description.
      {"/01/", {kPublic}},
      {"/api/v1/", {kPublic}},
      {"/static/", {kPublic}},
      {"/enterprise/", {kPublic}},
      {"/blacklist", {kPublic}},
      {"/.well-known/gs1resolver", {kPublic}},
  };
  return *table;
}

std::string RoleSet::Describe() const {
  std::string out;
  for (Role role : {kPublic, kProducer, kInspector, kRegulator}) {
    if (!Contains(role)) continue;
    if (!out.empty()) out += " or ";
    out += RoleName(role);
  }
  return out;
}

const RpcRule* FindRpcRule(std::string_view method) {
  for (const RpcRule& rule : RpcTable()) {
    if (rule.method == method) return &rule;
  }
  return nullptr;
}

const HttpRule* FindHttpRule(std::string_view path) {
  const HttpRule* best = nullptr;
  for (const HttpRule& rule : HttpTable()) {
    if (rule.path == path) return &rule;
    if (rule.path.back() == '/' && path.substr(0, rule.path.size()) == rule.path &&
        (best == nullptr || rule.path.size() > best->path.size())) {
      best = &rule;
    }
  }
  return best;
}

namespace {

absl::Status CheckRoles(const Principal& principal, RoleSet roles, std::string_view what) {
  if (roles.Contains(kPublic) || roles.Contains(principal.role)) return absl::OkStatus();
  if (principal.role == kPublic) {
    return absl::UnauthenticatedError(std::string(what) + " needs a " + roles.Describe() +
                                      " bearer token; none was sent");
  }
  return absl::PermissionDeniedError(std::string(what) + " needs a " + roles.Describe() +
                                     " token; token " + principal.token_id + " has role " +
                                     std::string(RoleName(principal.role)));
}

}  // namespace

absl::Status Authorize(const Principal& principal, std::string_view method,
                       const google::protobuf::Message* request) {
  const RpcRule* rule = FindRpcRule(method);
  if (rule == nullptr) {
    // Fail closed: an RPC nobody classified is refused for everyone.
    return absl::PermissionDeniedError(std::string(method) +
                                       " has no entry in the authorization table");
  }
  absl::Status allowed = CheckRoles(principal, rule->roles, method);
  if (!allowed.ok()) return allowed;
  if (principal.role != kProducer || rule->usci_field.empty() || request == nullptr) {
    return absl::OkStatus();
  }
  const google::protobuf::FieldDescriptor* field =
      request->GetDescriptor()->FindFieldByName(std::string(rule->usci_field));
  if (field == nullptr || field->type() != google::protobuf::FieldDescriptor::TYPE_STRING ||
      field->is_repeated()) {
    return absl::InternalError("authorization table: " + std::string(method) + " names field " +
                               std::string(rule->usci_field) + ", which its request lacks");
  }
  const std::string named = request->GetReflection()->GetString(*request, field);
  if (!named.empty() && named != principal.usci) {
    return absl::PermissionDeniedError(std::string(rule->usci_field) + ": token " +
                                       principal.token_id + " is bound to " + principal.usci +
                                       "; this request names " + named);
  }
  return absl::OkStatus();
}

absl::Status AuthorizeHttp(const Principal& principal, std::string_view path, bool loopback) {
  const HttpRule* rule = FindHttpRule(path);
  if (rule == nullptr) return absl::NotFoundError("no route " + std::string(path));
  if (rule->loopback_public && loopback) return absl::OkStatus();
  return CheckRoles(principal, rule->roles, "GET " + std::string(path));
}

}  // namespace origo::server
