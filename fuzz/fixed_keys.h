#ifndef ORIGO_FUZZ_FIXED_KEYS_H_
#define ORIGO_FUZZ_FIXED_KEYS_H_

// The fixed test keys of the batch and checkpoint fuzz targets. The signed seeds in fuzz/corpus
// were made with them (origo_fuzz_seeds), so the targets can reach the code behind a valid
// signature. Test keys only: never use them for anything else.

#include <string>

#include "core/crypto/keys.h"
#include "fuzz/fuzz_util.h"

namespace origo::fuzz {

// Ed25519, RFC 8032 seed bytes 0x00..0x1f.
inline const crypto::PrivateKey& FixedEd25519Key() {
  static const crypto::PrivateKey* key = [] {
    std::string seed;
    for (int i = 0; i < 32; ++i) seed.push_back(static_cast<char>(i));
    auto parsed = crypto::PrivateKey::FromEd25519Seed(seed);
    if (!parsed.ok()) Fail(__FILE__, __LINE__, "FromEd25519Seed", parsed.status().ToString());
    return new crypto::PrivateKey(*std::move(parsed));
  }();
  return *key;
}

// ECDSA P-256.
inline const crypto::PrivateKey& FixedP256Key() {
  static const crypto::PrivateKey* key = [] {
    static constexpr char kPem[] = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg4Ozv7/Z06ykv+kyr
YeBxAYBGThEYEdtprzAfXOBPap2hRANCAAQtO2WKrThfMKSNk25hy3qMYfpizNjI
F0T8DRxpIz2DRNc/YNxtVnqt/hM07/XNK/20eOvEYNszRDQtjVdoDHTj
-----END PRIVATE KEY-----
)";
    auto parsed = crypto::PrivateKey::FromPem(kPem);
    if (!parsed.ok()) Fail(__FILE__, __LINE__, "FromPem", parsed.status().ToString());
    return new crypto::PrivateKey(*std::move(parsed));
  }();
  return *key;
}

// Key name of the checkpoint target's note signer.
inline constexpr char kFixedNoteKeyName[] = "origo.fuzz/log";

}  // namespace origo::fuzz

#endif  // ORIGO_FUZZ_FIXED_KEYS_H_
