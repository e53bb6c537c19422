#ifndef ORIGO_CORE_CRYPTO_OPENSSL_PTR_H_
#define ORIGO_CORE_CRYPTO_OPENSSL_PTR_H_

// The one place where OpenSSL objects get owning smart pointers. Every OpenSSL object Origo
// holds is owned by one of these aliases; a raw OpenSSL pointer never owns. Also home of the
// small helper that turns OpenSSL's thread-local error queue into message text.
//
// Each alias is a std::unique_ptr whose deleter calls the object's OpenSSL free function
// (all of which accept nullptr). Sharing an EVP_PKEY across owners is done with
// EVP_PKEY_up_ref plus a second EvpPkeyPtr, or by wrapping the owner in a std::shared_ptr.

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include <memory>
#include <string>

namespace origo::crypto {

// Deleter calling `Free` on a non-null pointer. Stateless, so the unique_ptr stays one word.
template <typename T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* ptr) const noexcept {
    if (ptr != nullptr) Free(ptr);
  }
};

// BIO_free returns int; adapt it to the void(T*) shape.
inline void BioFreeVoid(BIO* bio) { BIO_free(bio); }

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using EvpPkeyCtxPtr =
    std::unique_ptr<EVP_PKEY_CTX, OpenSslDeleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslDeleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EvpMdPtr = std::unique_ptr<EVP_MD, OpenSslDeleter<EVP_MD, EVP_MD_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO, BioFreeVoid>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BIGNUM, BN_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OpenSslDeleter<ECDSA_SIG, ECDSA_SIG_free>>;
using OsslParamBldPtr =
    std::unique_ptr<OSSL_PARAM_BLD, OpenSslDeleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using OsslParamPtr = std::unique_ptr<OSSL_PARAM, OpenSslDeleter<OSSL_PARAM, OSSL_PARAM_free>>;

// Drains this thread's OpenSSL error queue and returns its entries as "; "-joined text (empty
// when the queue was empty). Call it on every failure path so a stale entry never leaks into an
// unrelated later error message.
inline std::string DrainOpenSslErrors() {
  std::string text;
  char buf[256];
  for (unsigned long code = ERR_get_error(); code != 0; code = ERR_get_error()) {
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text;
}

}  // namespace origo::crypto

#endif  // ORIGO_CORE_CRYPTO_OPENSSL_PTR_H_
