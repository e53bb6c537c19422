#ifndef ORIGO_CORE_CRYPTO_DSSE_H_
#define ORIGO_CORE_CRYPTO_DSSE_H_

// DSSE (Dead Simple Signing Envelope, secure-systems-lab/dsse v1) signatures.
//
// A DSSE signature is a signature over the pre-authentication encoding (PAE) of the payload type
// and the payload, never over the payload alone, so a signature cannot be replayed under another
// payload type:
//
//   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
//   SP              = one ASCII space (0x20)
//   LEN(s)          = byte length of s as ASCII decimal, no leading zeros
//
// Thread-safety: free functions; thread-safe (see PrivateKey / PublicKey).

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/crypto/keys.h"

namespace origo::crypto {

// PAE(payload_type, payload) as above.
std::string PreAuthEncoding(std::string_view payload_type, std::string_view payload);

// key.Sign(PAE(payload_type, payload)). Errors as PrivateKey::Sign.
absl::StatusOr<std::string> SignDsse(const PrivateKey& key, std::string_view payload_type,
                                     std::string_view payload);

// key.Verify(PAE(payload_type, payload), signature): OK, UNAUTHENTICATED for a signature that
// does not verify (including one made for a different payload type), INVALID_ARGUMENT for a
// malformed signature.
absl::Status VerifyDsse(const PublicKey& key, std::string_view payload_type,
                        std::string_view payload, std::string_view signature);

}  // namespace origo::crypto

#endif  // ORIGO_CORE_CRYPTO_DSSE_H_
