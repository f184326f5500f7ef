/* The optimized set's pooling (models/ARITHMETIC.md section 4) on 4 channels per word, SWAR
 * (SIMD within a register): activations are one per byte and a row of C channels is C bytes, so
 * with C % 4 == 0 and word-aligned buffers one 32-bit load carries channels 4n..4n+3 of a row.
 * Every result is the same integer operation as the plain kernel's (checked against them by
 * host/poolcheck.c); other shapes use the plain kernels (src/kernels_ref.c). */
#include "kernels.h"

/* Per byte max(x, y) of unsigned bytes. Bit 7 of c = [low 7 bits of x >= low 7 bits of y]
 * (each byte of x | H is >= 128 > the byte of y & ~H, so no borrow crosses bytes); then x >= y
 * iff x7 > y7, or x7 == y7 and c; the mask is 0xFF per byte where x >= y. */
static inline uint32_t swar_max_u8(uint32_t x, uint32_t y) {
  const uint32_t H = 0x80808080u;
  const uint32_t c = (x | H) - (y & ~H);
  const uint32_t ge = ((x & ~y) | ((x | ~y) & c)) & H;
  const uint32_t m = (ge >> 7) * 0xFFu;
  return y ^ ((x ^ y) & m);
}

/* The same for bytes below 128 (2- and 4-bit activations): 128 + x - y >= 128 iff x >= y, and
 * x ^ y < 128, so a 0x7F mask selects the whole byte. */
static inline uint32_t swar_max_u7(uint32_t x, uint32_t y) {
  const uint32_t ge = ((x | 0x80808080u) - y) & 0x80808080u;
  return y ^ ((x ^ y) & (ge - (ge >> 7)));
}

static int simd_pool_words_ok(const harm_layer *l, const uint8_t *in, const uint8_t *out) {
  return l->in_ch % 4u == 0u && ((uintptr_t)in & 3u) == 0u && ((uintptr_t)out & 3u) == 0u;
}

/* ARITHMETIC.md 4: out[t][c] = max_k x[t*stride + k][c], 4 channels per word. */
void simd_maxpool1d_u8(const harm_layer *l, const uint8_t *in, uint8_t *out) {
  if (!simd_pool_words_ok(l, in, out)) {
    ref_maxpool1d_u8(l, in, out);
    return;
  }
  const uint32_t words = l->in_ch / 4u, K = l->kernel, step = l->stride * words;
  const uint32_t *x = (const uint32_t *)(const void *)in;
  uint32_t *y = (uint32_t *)(void *)out;
  const int narrow = l->in_bits < 8u;
  for (uint32_t t = 0; t < l->out_len; t++, x += step, y += words) {
    for (uint32_t n = 0; n < words; n++) {
      uint32_t m = x[n];
      if (narrow)
        for (uint32_t k = 1; k < K; k++) m = swar_max_u7(m, x[k * words + n]);
      else
        for (uint32_t k = 1; k < K; k++) m = swar_max_u8(m, x[k * words + n]);
      y[n] = m;
    }
  }
}

/* ARITHMETIC.md 4: out[t][c] = floor((s + floor(K/2)) / K), s = sum_k x[t*stride + k][c], for
 * K a power of two: even and odd channels of a word summed in 16-bit lanes (K <= 256 rows of
 * values <= 255 stay below 2^16), rounded and shifted per lane; after a shift by log2(K) <= 8,
 * masking each lane to 8 bits drops what the upper lane shifted in (the result is <= 255). */
void simd_avgpool1d_u8(const harm_layer *l, const uint8_t *in, uint8_t *out) {
  const uint32_t K = l->kernel;
  if (!simd_pool_words_ok(l, in, out) || (K & (K - 1u)) != 0u || K > 256u) {
    ref_avgpool1d_u8(l, in, out);
    return;
  }
  uint32_t log2k = 0;
  while ((1u << log2k) < K) log2k++;
  const uint32_t words = l->in_ch / 4u, step = l->stride * words, round = (K / 2u) * 0x00010001u;
  const uint32_t *x = (const uint32_t *)(const void *)in;
  uint32_t *y = (uint32_t *)(void *)out;
  for (uint32_t t = 0; t < l->out_len; t++, x += step, y += words) {
    for (uint32_t n = 0; n < words; n++) {
      uint32_t even = round, odd = round;
      for (uint32_t k = 0; k < K; k++) {
        const uint32_t v = x[k * words + n];
        even += v & 0x00FF00FFu;
        odd += (v >> 8) & 0x00FF00FFu;
      }
      y[n] = ((even >> log2k) & 0x00FF00FFu) | (((odd >> log2k) & 0x00FF00FFu) << 8);
    }
  }
}

/* ARITHMETIC.md 4: out[c] = floor((s + floor(L/2)) / L), s = sum_t x[t][c]; even and odd
 * channels of a word summed in 16-bit lanes (exact while L <= 257: 257 * 255 < 2^16). */
#define SIMD_GAP_MAX_LEN 257u
void simd_globalavgpool_u8(const harm_layer *l, const uint8_t *in, uint8_t *out) {
  const uint32_t L = l->in_len;
  if (!simd_pool_words_ok(l, in, out) || L > SIMD_GAP_MAX_LEN) {
    ref_globalavgpool_u8(l, in, out);
    return;
  }
  const uint32_t words = l->in_ch / 4u, half = L / 2u;
  const uint32_t *x = (const uint32_t *)(const void *)in;
  for (uint32_t n = 0; n < words; n++, out += 4) {
    uint32_t even = 0, odd = 0;
    const uint32_t *p = x + n;
    for (uint32_t t = 0; t < L; t++, p += words) {
      const uint32_t v = *p;
      even += v & 0x00FF00FFu;
      odd += (v >> 8) & 0x00FF00FFu;
    }
    out[0] = (uint8_t)(((even & 0xFFFFu) + half) / L);
    out[1] = (uint8_t)(((odd & 0xFFFFu) + half) / L);
    out[2] = (uint8_t)(((even >> 16) + half) / L);
    out[3] = (uint8_t)(((odd >> 16) + half) / L);
  }
}
