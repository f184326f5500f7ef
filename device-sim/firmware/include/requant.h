/* Requantization, models/ARITHMETIC.md section 3:
 *   r = (acc * M + R) >> S   with R = 2^(S-1) if S > 0 else 0   (int64, arithmetic shift)
 *   out = clamp(r, 0, 2^b - 1)                (outSigned = 0: ReLU + clip)
 *   out = clamp(r, -2^(b-1), 2^(b-1) - 1)     (outSigned = 1)
 * |acc * M| < 2^46, so the 64-bit sum never overflows. Written with 32-bit halves so that no
 * 64-bit shift helper from a runtime library is needed on RV32. */
#ifndef HAR_REQUANT_H
#define HAR_REQUANT_H

#include <stdint.h>

static inline int32_t requant_clamped(int32_t acc, int32_t mul, uint32_t shift, int32_t lo, int32_t hi) {
  int64_t p = (int64_t)acc * (int64_t)mul;
  if (shift > 0u) p += (int64_t)((uint64_t)1u << (shift - 1u));
  uint32_t p_lo = (uint32_t)(uint64_t)p;
  int32_t p_hi = (int32_t)(p >> 32);
  int32_t r_hi;
  uint32_t r_lo;
  if (shift == 0u) {
    r_hi = p_hi;
    r_lo = p_lo;
  } else if (shift < 32u) {
    r_lo = (p_lo >> shift) | ((uint32_t)p_hi << (32u - shift));
    r_hi = p_hi >> shift;
  } else {
    r_lo = (uint32_t)(p_hi >> (shift - 32u));
    r_hi = p_hi >> 31;
  }
  /* The 64-bit value (r_hi:r_lo) compared with the 32-bit bounds. */
  if (r_hi < 0 && !(r_hi == -1 && (int32_t)r_lo < 0)) return lo;
  if (r_hi > 0 || (r_hi == 0 && (int32_t)r_lo < 0)) return hi;
  int32_t r = (int32_t)r_lo;
  return r < lo ? lo : (r > hi ? hi : r);
}

static inline int32_t out_lo(uint32_t bits, uint32_t is_signed) {
  return is_signed ? -(int32_t)(1u << (bits - 1u)) : 0;
}
static inline int32_t out_hi(uint32_t bits, uint32_t is_signed) {
  return is_signed ? (int32_t)((1u << (bits - 1u)) - 1u) : (int32_t)((1u << bits) - 1u);
}

#endif
