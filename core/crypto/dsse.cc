#include "core/crypto/dsse.h"

#include <string>

namespace origo::crypto {

std::string PreAuthEncoding(std::string_view payload_type, std::string_view payload) {
  const std::string type_len = std::to_string(payload_type.size());
  const std::string body_len = std::to_string(payload.size());
  std::string pae;
  pae.reserve(7 + type_len.size() + 1 + payload_type.size() + 1 + body_len.size() + 1 +
              payload.size());
  pae.append("DSSEv1 ").append(type_len).append(" ").append(payload_type).append(" ");
  pae.append(body_len).append(" ").append(payload);
  return pae;
}

absl::StatusOr<std::string> SignDsse(const PrivateKey& key, std::string_view payload_type,
                                     std::string_view payload) {
  return key.Sign(PreAuthEncoding(payload_type, payload));
}

absl::Status VerifyDsse(const PublicKey& key, std::string_view payload_type,
                        std::string_view payload, std::string_view signature) {
  return key.Verify(PreAuthEncoding(payload_type, payload), signature);
}

}  // namespace origo::crypto
