/* Host (x86/arm) model of the custom-0 SIMD dot products in include/simd.h, so the optimized
 * kernels can be compiled and checked natively (device-sim/firmware/host/). Same names, same
 * results: rd + sum over lanes of rs1.lane (unsigned unless _ss) * rs2.lane (signed). */
#ifndef HAR_SIMD_H
#define HAR_SIMD_H

#include <stdint.h>

static inline int32_t host_lane(uint32_t word, uint32_t lane, uint32_t bits, int is_signed) {
  uint32_t v = (word >> (lane * bits)) & ((1u << bits) - 1u);
  if (!is_signed) return (int32_t)v;
  uint32_t sign = 1u << (bits - 1u);
  return (int32_t)(v ^ sign) - (int32_t)sign;
}

static inline int32_t host_sdot(int32_t acc, uint32_t a, uint32_t w, uint32_t bits, int a_signed) {
  for (uint32_t i = 0; i < 32u / bits; i++) acc += host_lane(a, i, bits, a_signed) * host_lane(w, i, bits, 1);
  return acc;
}

static inline int32_t sdot8_ss(int32_t acc, uint32_t a, uint32_t w) { return host_sdot(acc, a, w, 8, 1); }
static inline int32_t sdot8_us(int32_t acc, uint32_t a, uint32_t w) { return host_sdot(acc, a, w, 8, 0); }
static inline int32_t sdot4_us(int32_t acc, uint32_t a, uint32_t w) { return host_sdot(acc, a, w, 4, 0); }
static inline int32_t sdot2_us(int32_t acc, uint32_t a, uint32_t w) { return host_sdot(acc, a, w, 2, 0); }

/* C forms of include/simd.h's SIMD_DOT_4X3 / SIMD_DOT_4X1 (there: RISC-V assembly loops). */
#define SIMD_DOT_4X3(NAME, SDOT, F3, F7)                                                             \
  static inline __attribute__((always_inline)) void NAME(const uint32_t *a0, const uint32_t *a1, const uint32_t *a2, const uint32_t *w,  \
                   uint32_t row_words, int32_t acc[12]) {                                           \
    for (uint32_t j = 0; j < 4u; j++) {                                                             \
      const uint32_t *wr = w + j * row_words;                                                       \
      for (uint32_t n = 0; n < row_words; n++) {                                                    \
        acc[j] = SDOT(acc[j], a0[n], wr[n]);                                                        \
        acc[j + 4u] = SDOT(acc[j + 4u], a1[n], wr[n]);                                              \
        acc[j + 8u] = SDOT(acc[j + 8u], a2[n], wr[n]);                                              \
      }                                                                                             \
    }                                                                                               \
  }

#define SIMD_DOT_4X1(NAME, SDOT, F3, F7)                                                             \
  static void NAME(const uint32_t *a0, const uint32_t *w, uint32_t row_words, int32_t acc[4]) {     \
    for (uint32_t j = 0; j < 4u; j++)                                                               \
      for (uint32_t n = 0; n < row_words; n++) acc[j] = SDOT(acc[j], a0[n], w[j * row_words + n]);  \
  }

/* C forms of include/simd.h's SIMD_DOTQ_4X3 / SIMD_DOTQ_4X1 (interleaved weights: word n of row
 * j at w[4n + j]). */
#define SIMD_DOTQ_4X3(NAME, F3, F7)                                                                  \
  static inline __attribute__((always_inline)) void NAME(const uint32_t *a0, const uint32_t *a1,     \
                                                         const uint32_t *a2, const uint32_t *w,      \
                                                         uint32_t row_words, int32_t acc[12]) {      \
    for (uint32_t n = 0; n < row_words; n++)                                                        \
      for (uint32_t j = 0; j < 4u; j++) {                                                           \
        acc[j] = HOST_DOTQ_##F7(F3, acc[j], a0[n], w[4u * n + j]);                                  \
        acc[j + 4u] = HOST_DOTQ_##F7(F3, acc[j + 4u], a1[n], w[4u * n + j]);                        \
        acc[j + 8u] = HOST_DOTQ_##F7(F3, acc[j + 8u], a2[n], w[4u * n + j]);                        \
      }                                                                                             \
  }
#define SIMD_DOTQ_4X1(NAME, F3, F7)                                                                  \
  static inline __attribute__((always_inline)) void NAME(const uint32_t *a0, const uint32_t *w,      \
                                                         uint32_t row_words, int32_t acc[4]) {       \
    for (uint32_t n = 0; n < row_words; n++)                                                        \
      for (uint32_t j = 0; j < 4u; j++) acc[j] = HOST_DOTQ_##F7(F3, acc[j], a0[n], w[4u * n + j]);  \
  }
/* funct7 -> lane bits; funct3 0 = signed activations, 2 = unsigned (include/simd.h). */
#define HOST_DOTQ_0(F3, acc, a, w) host_sdot(acc, a, w, 8, (F3) == 0)
#define HOST_DOTQ_1(F3, acc, a, w) host_sdot(acc, a, w, 4, (F3) == 0)
#define HOST_DOTQ_2(F3, acc, a, w) host_sdot(acc, a, w, 2, (F3) == 0)

#endif
