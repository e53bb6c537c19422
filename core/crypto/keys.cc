#include "core/crypto/keys.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>

#include <array>
#include <climits>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/base/absl_view.h"
#include "core/base/status_macros.h"
#include "core/crypto/hash.h"

namespace origo::crypto {
namespace {

constexpr size_t kP256CoordinateSize = 32;

// Status with `code` whose message is `what` plus the drained OpenSSL error queue, if any.
absl::Status SslError(absl::StatusCode code, std::string what) {
  std::string queue = DrainOpenSslErrors();
  if (!queue.empty()) absl::StrAppend(&what, " (openssl: ", queue, ")");
  return absl::Status(code, what);
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

absl::StatusOr<BioPtr> ReadOnlyBio(std::string_view data) {
  if (data.size() > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError("key input larger than 2 GiB");
  }
  BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (bio == nullptr) return SslError(absl::StatusCode::kInternal, "BIO_new_mem_buf failed");
  return bio;
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<size_t>(len)) : std::string();
}

// The digest to pass to EVP_DigestSign/VerifyInit: none for pure Ed25519, SHA-256 for ECDSA.
const EVP_MD* DigestFor(Algorithm algorithm) {
  return algorithm == Algorithm::kP256 ? Sha256Md() : nullptr;
}

bool IsP256Group(const char* name) {
  return OBJ_txt2nid(name) == NID_X9_62_prime256v1 ||
         EC_curve_nist2nid(name) == NID_X9_62_prime256v1;
}

// Classifies a parsed key. INVALID_ARGUMENT for anything but Ed25519 or EC over P-256.
absl::StatusOr<Algorithm> Classify(const EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "ED25519")) return Algorithm::kEd25519;
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char group[80] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), &len) != 1) {
      return SslError(absl::StatusCode::kInvalidArgument,
                      "EC key without a named curve (explicit parameters are not supported)");
    }
    if (!IsP256Group(group)) {
      DrainOpenSslErrors();
      return absl::InvalidArgumentError(
          absl::StrCat("unsupported EC curve \"", group, "\" (only P-256 is supported)"));
    }
    return Algorithm::kP256;
  }
  const char* type = EVP_PKEY_get0_type_name(pkey);
  DrainOpenSslErrors();
  return absl::InvalidArgumentError(absl::StrCat(
      "unsupported key type \"", type != nullptr ? type : "?", "\" (want Ed25519 or P-256)"));
}

// Rebuilds the public half of `pkey` from its raw components, so the result has one encoding per
// key (uncompressed point, named curve) whatever form it was parsed from.
absl::StatusOr<EvpPkeyPtr> CanonicalPublic(const EVP_PKEY* pkey, Algorithm algorithm) {
  if (algorithm == Algorithm::kEd25519) {
    std::array<unsigned char, kEd25519PublicKeySize> raw;
    size_t len = raw.size();
    if (EVP_PKEY_get_raw_public_key(pkey, raw.data(), &len) != 1 || len != raw.size()) {
      return SslError(absl::StatusCode::kInvalidArgument, "cannot read Ed25519 public key");
    }
    EvpPkeyPtr out(EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, raw.data(), len));
    if (out == nullptr) return SslError(absl::StatusCode::kInternal, "cannot rebuild Ed25519 key");
    return out;
  }
  BIGNUM* x_raw = nullptr;
  BIGNUM* y_raw = nullptr;
  const int got_x = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x_raw);
  BignumPtr x(x_raw);
  const int got_y = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y_raw);
  BignumPtr y(y_raw);
  // Uncompressed SEC1 point: 0x04 || X || Y.
  std::array<unsigned char, 1 + 2 * kP256CoordinateSize> point;
  point[0] = 0x04;
  if (got_x != 1 || got_y != 1 ||
      BN_bn2binpad(x.get(), point.data() + 1, kP256CoordinateSize) < 0 ||
      BN_bn2binpad(y.get(), point.data() + 1 + kP256CoordinateSize, kP256CoordinateSize) < 0) {
    return SslError(absl::StatusCode::kInvalidArgument, "cannot read P-256 public point");
  }
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_PKEY_fromdata_init(EC) failed");
  }
  char group[] = "prime256v1";  // OSSL_PARAM wants a mutable buffer; it is only read.
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end(),
  };
  EVP_PKEY* out_raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &out_raw, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return SslError(absl::StatusCode::kInvalidArgument, "invalid P-256 public point");
  }
  return EvpPkeyPtr(out_raw);
}

// SubjectPublicKeyInfo DER of the public half of `pkey`.
absl::StatusOr<std::string> SpkiDer(const EVP_PKEY* pkey) {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(pkey, &der);
  if (len <= 0) return SslError(absl::StatusCode::kInternal, "i2d_PUBKEY failed");
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

// Rejects anything but strict DER ECDSA-Sig-Value, so encoding variants are INVALID_ARGUMENT
// rather than a verification failure.
absl::Status CheckStrictDerEcdsa(std::string_view signature) {
  const unsigned char* p = Bytes(signature);
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(signature.size())));
  if (sig == nullptr || p != Bytes(signature) + signature.size()) {
    DrainOpenSslErrors();
    return absl::InvalidArgumentError("malformed ECDSA signature (want DER ECDSA-Sig-Value)");
  }
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  const bool same = len > 0 && static_cast<size_t>(len) == signature.size() &&
                    std::string_view(reinterpret_cast<const char*>(der), len) == signature;
  OPENSSL_free(der);
  if (!same) {
    DrainOpenSslErrors();
    return absl::InvalidArgumentError("ECDSA signature is not strict DER");
  }
  return absl::OkStatus();
}

int RejectPassword(char*, int, int, void*) { return -1; }

}  // namespace

std::string_view AlgorithmName(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kEd25519:
      return "ed25519";
    case Algorithm::kP256:
      return "p256";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------------------------
// PublicKey

absl::StatusOr<PublicKey> PublicKey::FromParsed(EvpPkeyPtr parsed) {
  ORIGO_ASSIGN_OR_RETURN(const Algorithm algorithm, Classify(parsed.get()));
  ORIGO_ASSIGN_OR_RETURN(EvpPkeyPtr canonical, CanonicalPublic(parsed.get(), algorithm));
  ORIGO_ASSIGN_OR_RETURN(std::string der, SpkiDer(canonical.get()));
  auto state = std::make_shared<State>();
  state->pkey = std::move(canonical);
  state->algorithm = algorithm;
  state->key_id = HexEncode(Sha256(der));
  state->der = std::move(der);
  if (algorithm == Algorithm::kEd25519) {
    state->raw_ed25519.resize(kEd25519PublicKeySize);
    size_t len = state->raw_ed25519.size();
    if (EVP_PKEY_get_raw_public_key(state->pkey.get(),
                                    reinterpret_cast<unsigned char*>(state->raw_ed25519.data()),
                                    &len) != 1 ||
        len != kEd25519PublicKeySize) {
      return SslError(absl::StatusCode::kInternal, "EVP_PKEY_get_raw_public_key failed");
    }
  }
  return PublicKey(std::move(state));
}

absl::StatusOr<PublicKey> PublicKey::FromPem(std::string_view pem) {
  ORIGO_ASSIGN_OR_RETURN(BioPtr bio, ReadOnlyBio(pem));
  EvpPkeyPtr parsed(PEM_read_bio_PUBKEY(bio.get(), nullptr, RejectPassword, nullptr));
  if (parsed == nullptr) {
    return SslError(absl::StatusCode::kInvalidArgument,
                    "not a PEM SubjectPublicKeyInfo (\"BEGIN PUBLIC KEY\")");
  }
  return FromParsed(std::move(parsed));
}

absl::StatusOr<PublicKey> PublicKey::FromDer(std::string_view der) {
  if (der.size() > static_cast<size_t>(LONG_MAX)) {
    return absl::InvalidArgumentError("public key DER too large");
  }
  const unsigned char* p = Bytes(der);
  EvpPkeyPtr parsed(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (parsed == nullptr) {
    return SslError(absl::StatusCode::kInvalidArgument, "not a DER SubjectPublicKeyInfo");
  }
  if (p != Bytes(der) + der.size()) {
    return absl::InvalidArgumentError(absl::StrCat("trailing data after SubjectPublicKeyInfo (",
                                                   Bytes(der) + der.size() - p, " bytes)"));
  }
  return FromParsed(std::move(parsed));
}

absl::StatusOr<PublicKey> PublicKey::FromRawEd25519(std::string_view raw) {
  if (raw.size() != kEd25519PublicKeySize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "raw Ed25519 public key must be ", kEd25519PublicKeySize, " bytes, got ", raw.size()));
  }
  EvpPkeyPtr parsed(
      EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, Bytes(raw), raw.size()));
  if (parsed == nullptr) {
    return SslError(absl::StatusCode::kInvalidArgument, "invalid raw Ed25519 public key");
  }
  return FromParsed(std::move(parsed));
}

std::string PublicKey::ToPem() const {
  static constexpr size_t kLineWidth = 64;
  const std::string b64 = Base64Encode(state_->der);
  std::string pem = "-----BEGIN PUBLIC KEY-----\n";
  for (size_t i = 0; i < b64.size(); i += kLineWidth) {
    pem.append(b64, i, kLineWidth).append("\n");
  }
  pem += "-----END PUBLIC KEY-----\n";
  return pem;
}

absl::StatusOr<std::string> PublicKey::RawPublicKey() const {
  if (state_->algorithm != Algorithm::kEd25519) {
    return absl::FailedPreconditionError("RawPublicKey is only defined for Ed25519 keys");
  }
  return state_->raw_ed25519;
}

absl::Status PublicKey::Verify(std::string_view message, std::string_view signature) const {
  if (state_->algorithm == Algorithm::kEd25519) {
    if (signature.size() != kEd25519SignatureSize) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Ed25519 signature must be ", kEd25519SignatureSize, " bytes, got ", signature.size()));
    }
    // sodium_init is thread-safe and idempotent; it fails only if the system has no randomness
    // source, which verification does not use (OpenSSL is the fallback then).
    static const bool sodium_ready = sodium_init() >= 0;
    if (sodium_ready) {
      if (crypto_sign_verify_detached(Bytes(signature), Bytes(message), message.size(),
                                      Bytes(state_->raw_ed25519)) == 0) {
        return absl::OkStatus();
      }
      return absl::UnauthenticatedError("signature does not verify");
    }
  } else {
    ORIGO_RETURN_IF_ERROR(CheckStrictDerEcdsa(signature));
  }
  // A fresh context per call: reusing one per thread measured no faster (the curve arithmetic,
  // ~100 us for Ed25519, dwarfs the allocation), and a fresh one cannot leak state between calls.
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || EVP_DigestVerifyInit(ctx.get(), nullptr, DigestFor(state_->algorithm),
                                             nullptr, state_->pkey.get()) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_DigestVerifyInit failed");
  }
  const int rc = EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(message),
                                  message.size());
  if (rc == 1) return absl::OkStatus();
  // The signature is well-formed (checked above), so any failure means it is not valid.
  DrainOpenSslErrors();
  return absl::UnauthenticatedError("signature does not verify");
}

// ---------------------------------------------------------------------------------------------
// PrivateKey

absl::StatusOr<PrivateKey> PrivateKey::FromParsed(EvpPkeyPtr parsed) {
  ORIGO_RETURN_IF_ERROR(Classify(parsed.get()).status());
  ORIGO_ASSIGN_OR_RETURN(const std::string der, SpkiDer(parsed.get()));
  ORIGO_ASSIGN_OR_RETURN(PublicKey public_key, PublicKey::FromDer(der));
  return PrivateKey(std::move(parsed), std::move(public_key));
}

absl::StatusOr<PrivateKey> PrivateKey::Generate(Algorithm algorithm) {
  EvpPkeyPtr pkey;
  switch (algorithm) {
    case Algorithm::kEd25519:
      pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
      break;
    case Algorithm::kP256:
      pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
      break;
  }
  if (pkey == nullptr) {
    return SslError(
        absl::StatusCode::kInternal,
        absl::StrCat("key generation failed for ", std::string(AlgorithmName(algorithm))));
  }
  return FromParsed(std::move(pkey));
}

absl::StatusOr<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  if (pem.find("ENCRYPTED") != std::string_view::npos) {
    return absl::InvalidArgumentError("encrypted PEM private keys are not supported");
  }
  ORIGO_ASSIGN_OR_RETURN(BioPtr bio, ReadOnlyBio(pem));
  EvpPkeyPtr parsed(PEM_read_bio_PrivateKey(bio.get(), nullptr, RejectPassword, nullptr));
  if (parsed == nullptr) {
    return SslError(absl::StatusCode::kInvalidArgument,
                    "not a PEM private key (\"BEGIN PRIVATE KEY\")");
  }
  return FromParsed(std::move(parsed));
}

absl::StatusOr<PrivateKey> PrivateKey::FromEd25519Seed(std::string_view seed) {
  if (seed.size() != kEd25519SeedSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("Ed25519 seed must be ", kEd25519SeedSize, " bytes, got ", seed.size()));
  }
  EvpPkeyPtr pkey(
      EVP_PKEY_new_raw_private_key_ex(nullptr, "ED25519", nullptr, Bytes(seed), seed.size()));
  if (pkey == nullptr) {
    return SslError(absl::StatusCode::kInvalidArgument, "invalid Ed25519 seed");
  }
  return FromParsed(std::move(pkey));
}

absl::StatusOr<std::string> PrivateKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0,
                                                      nullptr, nullptr) != 1) {
    return SslError(absl::StatusCode::kInternal, "PEM_write_bio_PKCS8PrivateKey failed");
  }
  return BioContents(bio.get());
}

absl::StatusOr<std::string> PrivateKey::Ed25519Seed() const {
  if (algorithm() != Algorithm::kEd25519) {
    return absl::FailedPreconditionError("Ed25519Seed is only defined for Ed25519 keys");
  }
  std::string seed(kEd25519SeedSize, '\0');
  size_t len = seed.size();
  if (EVP_PKEY_get_raw_private_key(pkey_.get(), reinterpret_cast<unsigned char*>(seed.data()),
                                   &len) != 1 ||
      len != seed.size()) {
    return SslError(absl::StatusCode::kInternal, "EVP_PKEY_get_raw_private_key failed");
  }
  return seed;
}

absl::StatusOr<std::string> PrivateKey::Sign(std::string_view message) const {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, DigestFor(algorithm()), nullptr, pkey_.get()) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_DigestSignInit failed");
  }
  const int max_size = EVP_PKEY_get_size(pkey_.get());
  if (max_size <= 0) return SslError(absl::StatusCode::kInternal, "EVP_PKEY_get_size failed");
  std::string signature(static_cast<size_t>(max_size), '\0');
  size_t len = signature.size();
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len,
                     Bytes(message), message.size()) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_DigestSign failed");
  }
  signature.resize(len);
  return signature;
}

// ---------------------------------------------------------------------------------------------
// KeyCache

PublicKey KeyCache::Insert(const PublicKey& key) {
  absl::MutexLock lock(&mu_);
  return keys_.try_emplace(key.KeyId(), key).first->second;
}

absl::StatusOr<PublicKey> KeyCache::InsertDer(std::string_view der) {
  const std::string id = HexEncode(Sha256(der));
  {
    absl::ReaderMutexLock lock(&mu_);
    if (auto it = keys_.find(id); it != keys_.end()) return it->second;
  }
  ORIGO_ASSIGN_OR_RETURN(PublicKey key, PublicKey::FromDer(der));
  return Insert(key);
}

absl::StatusOr<PublicKey> KeyCache::Lookup(std::string_view key_id) const {
  absl::ReaderMutexLock lock(&mu_);
  if (auto it = keys_.find(AbslView(key_id)); it != keys_.end()) return it->second;
  return absl::NotFoundError(absl::StrCat("no public key with id ", std::string(key_id)));
}

bool KeyCache::Erase(std::string_view key_id) {
  absl::MutexLock lock(&mu_);
  auto it = keys_.find(AbslView(key_id));
  if (it == keys_.end()) return false;
  keys_.erase(it);
  return true;
}

size_t KeyCache::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return keys_.size();
}

}  // namespace origo::crypto
