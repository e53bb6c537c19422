#ifndef ORIGO_CLIENTS_SPOOL_CRC32C_H_
#define ORIGO_CLIENTS_SPOOL_CRC32C_H_

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of the spool's records.
// Check value: Crc32c("123456789") == 0xE3069283.
//
// Thread-safety: thread-safe (the table is a compile-time constant).

#include <cstdint>
#include <string_view>

namespace origo::spool {

// CRC-32C of `data`, continuing from `crc` (the CRC of the bytes before it; 0 to start).
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);

}  // namespace origo::spool

#endif  // ORIGO_CLIENTS_SPOOL_CRC32C_H_
