/* CRC-32 as zlib computes it (IEEE 802.3 polynomial 0xEDB88320 reflected, initial value and
 * final xor 0xFFFFFFFF): FORMAT.md "Header", field crc32. Byte-wise with a 1 KiB table that is
 * built on first use (bss, not flash-resident data). */
#include "harm.h"

static uint32_t crc_table[256];
static int crc_table_ready;

static void crc_build_table(void) {
  for (uint32_t n = 0; n < 256u; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = (c & 1u) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
    crc_table[n] = c;
  }
  crc_table_ready = 1;
}

uint32_t harm_crc32(const uint8_t *data, uint32_t bytes) {
  if (!crc_table_ready) crc_build_table();
  uint32_t c = 0xFFFFFFFFu;
  for (uint32_t i = 0; i < bytes; i++) c = crc_table[(c ^ data[i]) & 0xFFu] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}
