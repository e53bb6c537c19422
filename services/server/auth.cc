#include "services/server/auth.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/base/status_macros.h"
#include "core/crypto/hash.h"
#include "core/usci/usci.h"

namespace origo::server {
namespace {

using origo::store::v1::TokenRecord;
using origo::store::v1::TokenRole;

constexpr std::string_view kTokenPrefix = "origo_";
constexpr size_t kTokenRandomBytes = 32;
// Unpadded base64url of 32 bytes.
constexpr size_t kTokenBodyLength = 43;
constexpr size_t kTokenIdBytes = 8;

TokenRole ToStored(Role role) {
  switch (role) {
    case Role::kProducer:
      return origo::store::v1::TOKEN_ROLE_PRODUCER;
    case Role::kInspector:
      return origo::store::v1::TOKEN_ROLE_INSPECTOR;
    case Role::kRegulator:
      return origo::store::v1::TOKEN_ROLE_REGULATOR;
    case Role::kPublic:
      break;
  }
  return origo::store::v1::TOKEN_ROLE_UNSPECIFIED;
}

absl::StatusOr<Role> FromStored(TokenRole role) {
  switch (role) {
    case origo::store::v1::TOKEN_ROLE_PRODUCER:
      return Role::kProducer;
    case origo::store::v1::TOKEN_ROLE_INSPECTOR:
      return Role::kInspector;
    case origo::store::v1::TOKEN_ROLE_REGULATOR:
      return Role::kRegulator;
    default:
      return absl::DataLossError("stored token has unknown role " +
                                 std::to_string(static_cast<int>(role)));
  }
}

absl::StatusOr<std::string> RandomBytes(size_t n) {
  std::string bytes(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)) != 1) {
    return absl::InternalError("OpenSSL RAND_bytes failed while minting a token");
  }
  return bytes;
}

std::string Base64UrlNoPad(std::string_view bytes) {
  std::string out = crypto::Base64Encode(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

bool IsBase64Url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

std::string ErrnoText(int err) { return std::string(std::strerror(err)); }

absl::Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError("write " + path + ": " + ErrnoText(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

// Creates `path` exclusively with mode 0600 holding `contents`, and makes it durable.
absl::Status WriteSecretFile(const std::string& dir, const std::string& path,
                             std::string_view contents) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return absl::FailedPreconditionError(
          path +
          " exists but the store holds no token: an earlier bootstrap did not finish, or "
          "the store was replaced. Remove the file to mint a new bootstrap token.");
    }
    return absl::UnavailableError("create " + path + ": " + ErrnoText(errno));
  }
  absl::Status status;
  // The umask can only clear bits; this makes the mode exact whatever the umask was.
  if (::fchmod(fd, 0600) != 0) {
    status = absl::UnavailableError("chmod " + path + ": " + ErrnoText(errno));
  }
  if (status.ok()) status = WriteAll(fd, contents, path);
  if (status.ok() && ::fsync(fd) != 0) {
    status = absl::UnavailableError("fsync " + path + ": " + ErrnoText(errno));
  }
  if (::close(fd) != 0 && status.ok()) {
    status = absl::UnavailableError("close " + path + ": " + ErrnoText(errno));
  }
  if (status.ok()) {
    // The directory entry must be durable too.
    int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0 || ::fsync(dir_fd) != 0) {
      status = absl::UnavailableError("fsync directory " + dir + ": " + ErrnoText(errno));
    }
    if (dir_fd >= 0) ::close(dir_fd);
  }
  if (!status.ok()) ::unlink(path.c_str());
  return status;
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kPublic:
      return "public";
    case Role::kProducer:
      return "producer";
    case Role::kInspector:
      return "inspector";
    case Role::kRegulator:
      return "regulator";
  }
  return "unknown";
}

absl::Status RequireOneOf(const Principal& principal, std::initializer_list<Role> roles) {
  std::string wanted;
  for (Role role : roles) {
    if (role == Role::kPublic || role == principal.role) return absl::OkStatus();
    if (!wanted.empty()) wanted += " or ";
    wanted += RoleName(role);
  }
  if (principal.role == Role::kPublic) {
    return absl::UnauthenticatedError("this call needs a " + wanted +
                                      " bearer token; none was sent");
  }
  return absl::PermissionDeniedError("this call needs a " + wanted + " token; token " +
                                     principal.token_id + " has role " +
                                     std::string(RoleName(principal.role)));
}

absl::Status Require(const Principal& principal, Role role) {
  return RequireOneOf(principal, {role});
}

Authenticator::Authenticator(storage::RegistryStore* registry, Clock clock)
    : registry_(registry), clock_(clock ? std::move(clock) : Clock([] { return absl::Now(); })) {}

crypto::Sha256Digest Authenticator::HashToken(std::string_view token) {
  return crypto::Sha256(token);
}

absl::StatusOr<IssuedToken> Authenticator::MintToken() {
  ORIGO_ASSIGN_OR_RETURN(std::string secret, RandomBytes(kTokenRandomBytes));
  ORIGO_ASSIGN_OR_RETURN(std::string id, RandomBytes(kTokenIdBytes));
  IssuedToken issued;
  issued.token = std::string(kTokenPrefix) + Base64UrlNoPad(secret);
  issued.token_id = crypto::HexEncode(id);
  return issued;
}

absl::StatusOr<IssuedToken> Authenticator::StoreToken(IssuedToken issued, Role role,
                                                      std::string_view usci, std::string_view label,
                                                      absl::Time expires) {
  TokenRecord record;
  record.set_token_id(issued.token_id);
  record.set_role(ToStored(role));
  record.set_usci(std::string(usci));
  record.set_label(std::string(label));
  record.set_created_unix_ms(absl::ToUnixMillis(clock_()));
  record.set_expires_unix_ms(expires == absl::InfiniteFuture() ? 0 : absl::ToUnixMillis(expires));
  ORIGO_RETURN_IF_ERROR(registry_->PutToken(HashToken(issued.token), record));
  return issued;
}

absl::StatusOr<IssuedToken> Authenticator::CreateToken(Role role, std::string_view usci,
                                                       std::string_view label, absl::Time expires) {
  if (role == Role::kPublic) {
    return absl::InvalidArgumentError("role: the public role needs no token");
  }
  if (role == Role::kProducer) {
    if (usci.empty()) {
      return absl::InvalidArgumentError(
          "usci: a producer token must be bound to a registered enterprise");
    }
    absl::Status valid = usci::Validate(usci);
    if (!valid.ok()) return absl::InvalidArgumentError("usci: " + std::string(valid.message()));
    ORIGO_RETURN_IF_ERROR(registry_->GetEnterprise(usci).status());
  } else if (!usci.empty()) {
    return absl::InvalidArgumentError("usci: only producer tokens are bound to an enterprise; a " +
                                      std::string(RoleName(role)) + " token takes none");
  }
  if (expires <= clock_()) {
    return absl::InvalidArgumentError(
        "expires: " + absl::FormatTime(absl::RFC3339_sec, expires, absl::UTCTimeZone()) +
        " is not in the future");
  }
  ORIGO_ASSIGN_OR_RETURN(IssuedToken issued, MintToken());
  return StoreToken(std::move(issued), role, usci, label, expires);
}

absl::StatusOr<Principal> Authenticator::Authenticate(std::string_view authorization) const {
  authorization = TrimSpace(authorization);
  if (authorization.empty()) return Principal{};
  const size_t space = authorization.find_first_of(" \t");
  if (space == std::string_view::npos ||
      !EqualsIgnoreCase(authorization.substr(0, space), "bearer")) {
    return absl::UnauthenticatedError("the authorization header must be \"Bearer <token>\"");
  }
  const std::string_view token = TrimSpace(authorization.substr(space + 1));
  bool well_formed = token.size() == kTokenPrefix.size() + kTokenBodyLength &&
                     token.substr(0, kTokenPrefix.size()) == kTokenPrefix;
  for (size_t i = kTokenPrefix.size(); well_formed && i < token.size(); ++i) {
    well_formed = IsBase64Url(token[i]);
  }
  if (!well_formed) {
    return absl::UnauthenticatedError(
        "the bearer token is not an Origo token (expected \"origo_\" and 43 base64url "
        "characters)");
  }
  absl::StatusOr<TokenRecord> record = registry_->GetToken(HashToken(token));
  if (absl::IsNotFound(record.status())) {
    return absl::UnauthenticatedError(
        "unknown bearer token: this server never issued it (or its store was replaced)");
  }
  if (!record.ok()) return record.status();
  if (record->revoked()) {
    return absl::UnauthenticatedError("bearer token " + record->token_id() + " has been revoked");
  }
  if (record->expires_unix_ms() != 0 &&
      absl::FromUnixMillis(record->expires_unix_ms()) <= clock_()) {
    return absl::UnauthenticatedError(
        "bearer token " + record->token_id() + " expired at " +
        absl::FormatTime(absl::RFC3339_sec, absl::FromUnixMillis(record->expires_unix_ms()),
                         absl::UTCTimeZone()));
  }
  ORIGO_ASSIGN_OR_RETURN(Role role, FromStored(record->role()));
  Principal principal;
  principal.role = role;
  principal.usci = record->usci();
  principal.token_id = record->token_id();
  return principal;
}

absl::Status Authenticator::RevokeToken(std::string_view token) {
  const crypto::Sha256Digest hash = HashToken(token);
  absl::StatusOr<TokenRecord> record = registry_->GetToken(hash);
  if (absl::IsNotFound(record.status())) {
    return absl::UnauthenticatedError("unknown bearer token: nothing to revoke");
  }
  if (!record.ok()) return record.status();
  if (record->revoked()) return absl::OkStatus();
  record->set_revoked(true);
  return registry_->PutToken(hash, *record);
}

absl::StatusOr<std::vector<TokenRecord>> Authenticator::ListTokens() const {
  ORIGO_ASSIGN_OR_RETURN(auto tokens, registry_->ListTokens());
  std::vector<TokenRecord> out;
  out.reserve(tokens.size());
  for (auto& [hash, record] : tokens) out.push_back(std::move(record));
  return out;
}

absl::StatusOr<TokenRecord> Authenticator::RevokeTokenById(std::string_view token_id) {
  bool well_formed = token_id.size() == 2 * kTokenIdBytes;
  for (char c : token_id)
    well_formed = well_formed && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!well_formed) {
    return absl::InvalidArgumentError("token_id: must be " + std::to_string(2 * kTokenIdBytes) +
                                      " lowercase hex characters (as `origo token list` shows)");
  }
  // Serialized with bootstrap: two revocations of one token must not interleave read and write.
  absl::MutexLock lock(&bootstrap_mu_);
  ORIGO_ASSIGN_OR_RETURN(auto tokens, registry_->ListTokens());
  for (auto& [hash, record] : tokens) {
    if (record.token_id() != token_id) continue;
    if (record.revoked()) return record;
    record.set_revoked(true);
    ORIGO_RETURN_IF_ERROR(registry_->PutToken(hash, record));
    return record;
  }
  return absl::NotFoundError("token_id: no token " + std::string(token_id));
}

absl::StatusOr<std::optional<std::string>> Authenticator::EnsureBootstrapToken(
    const std::string& data_dir) {
  absl::MutexLock lock(&bootstrap_mu_);
  ORIGO_ASSIGN_OR_RETURN(bool any, registry_->AnyToken());
  if (any) return std::nullopt;
  ORIGO_ASSIGN_OR_RETURN(IssuedToken issued, MintToken());
  const std::string path = data_dir + "/" + kBootstrapTokenFile;
  // File first, then the store: a crash in between leaves a file the next start refuses
  // (FAILED_PRECONDITION) rather than a stored regulator token nobody can read.
  ORIGO_RETURN_IF_ERROR(WriteSecretFile(data_dir, path, issued.token + "\n"));
  absl::StatusOr<IssuedToken> stored =
      StoreToken(std::move(issued), Role::kRegulator, "", "bootstrap", absl::InfiniteFuture());
  if (!stored.ok()) {
    ::unlink(path.c_str());
    return stored.status();
  }
  return std::optional<std::string>(std::move(stored->token));
}

}  // namespace origo::server
