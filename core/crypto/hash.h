#ifndef ORIGO_CORE_CRYPTO_HASH_H_
#define ORIGO_CORE_CRYPTO_HASH_H_

// SHA-256 and the two text encodings Origo uses for bytes: lowercase hex and standard base64.
//
// SHA-256 goes through OpenSSL 3 EVP with the digest fetched once per process. Hashing cannot
// fail on valid input; if OpenSSL itself fails (allocation failure, broken provider) the process
// aborts with a message on stderr, because no caller could do anything sensible with the error.
//
// Thread-safety: all free functions are thread-safe. Sha256Hasher is not (one per thread).

#include <openssl/evp.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/crypto/openssl_ptr.h"

namespace origo::crypto {

inline constexpr size_t kSha256Size = 32;
using Sha256Digest = std::array<uint8_t, kSha256Size>;

// The bytes of a digest viewed as a string_view (no copy; valid while `digest` lives).
inline std::string_view AsStringView(const Sha256Digest& digest) {
  return std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size());
}

// The process-wide SHA-256 EVP_MD, fetched once on first use from the default library context.
// Never null (aborts if OpenSSL has no SHA-256). Not owned by the caller.
const EVP_MD* Sha256Md();

// SHA-256 of `data`.
Sha256Digest Sha256(std::string_view data);

// Incremental SHA-256: Update any number of times, then Finish once. After Finish the hasher is
// reset and may be reused. Not thread-safe; movable, not copyable.
class Sha256Hasher {
 public:
  Sha256Hasher();
  Sha256Hasher(Sha256Hasher&&) = default;
  Sha256Hasher& operator=(Sha256Hasher&&) = default;

  Sha256Hasher& Update(std::string_view data);
  Sha256Digest Finish();

 private:
  EvpMdCtxPtr ctx_;
};

// Lowercase hex of `bytes` ("" for empty input).
std::string HexEncode(std::string_view bytes);
inline std::string HexEncode(const Sha256Digest& digest) { return HexEncode(AsStringView(digest)); }

// Decodes hex (either case). INVALID_ARGUMENT on odd length or a non-hex character.
absl::StatusOr<std::string> HexDecode(std::string_view hex);

// Standard base64 (RFC 4648 §4, alphabet A-Z a-z 0-9 + /) with '=' padding.
std::string Base64Encode(std::string_view bytes);

// Decodes standard padded base64, strictly: length a multiple of 4, '=' only as the last one or
// two characters, no whitespace or line breaks, and the unused low bits of the last symbol zero
// (so every byte string has exactly one accepted encoding). "" decodes to "".
// INVALID_ARGUMENT naming the offending position otherwise.
absl::StatusOr<std::string> Base64Decode(std::string_view text);

}  // namespace origo::crypto

#endif  // ORIGO_CORE_CRYPTO_HASH_H_
