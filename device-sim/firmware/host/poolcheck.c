/* Host check of the optimized set's pooling (word-wise SWAR, src/kernels_simd.c) against the
 * plain kernels (src/kernels_ref.c, ARITHMETIC.md section 4) on seeded random shapes and data:
 * whole-word rows (the SWAR paths), other rows (the fallback), kernels that are and are not
 * powers of two, strides 1-3, 4- and 8-bit activations with many values at the maximum.
 * Usage: poolcheck <layers> <seed>. Prints one JSON line; exit status 1 on any mismatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_common.h"
#include "kernels.h"

#define MAX_LEN 300u
#define MAX_CH 24u

int main(int argc, char **argv) {
  const long count = check_args(argc, argv, "poolcheck");
  if (count < 0) return 2;
  static uint32_t in_words[MAX_LEN * MAX_CH / 4u], want_words[MAX_LEN * MAX_CH / 4u], got_words[MAX_LEN * MAX_CH / 4u];
  uint8_t *in = (uint8_t *)in_words, *want = (uint8_t *)want_words, *got = (uint8_t *)got_words;
  long runs[3] = {0, 0, 0}, word_rows = 0, failures = 0;
  char first[160] = "";
  static const char *const NAMES[] = {"maxpool1d", "avgpool1d", "globalavgpool"};
  for (long n = 0; n < count; n++) {
    harm_layer l;
    memset(&l, 0, sizeof l);
    static const uint8_t kernels[] = {1, 2, 3, 4, 5, 8, 16, 64, 128};
    l.kernel = kernels[rnd() % sizeof kernels];
    l.stride = (uint8_t)(1u + rnd() % 3u);
    l.dilation = 1;
    l.in_ch = l.out_ch = (uint16_t)(rnd() % 4u == 0u ? 1u + rnd() % MAX_CH : 4u * (1u + rnd() % (MAX_CH / 4u)));
    l.in_bits = l.out_bits = rnd() % 2u ? 8u : 4u;
    l.in_len = (uint16_t)(l.kernel + rnd() % (MAX_LEN - l.kernel + 1u));
    word_rows += l.in_ch % 4u == 0u;
    const uint32_t max = (1u << l.in_bits) - 1u;
    for (uint32_t i = 0; i < (uint32_t)l.in_len * l.in_ch; i++) in[i] = (uint8_t)(rnd() % 3u == 0u ? max : rnd() & max);
    for (int kind = 0; kind < 3; kind++) {
      harm_layer k = l;
      k.kind = kind == 0 ? HARM_MAXPOOL1D : kind == 1 ? HARM_AVGPOOL1D : HARM_GLOBALAVGPOOL;
      if (kind == 2) {
        k.kernel = 0;
        k.stride = 1;
        k.out_len = 1;
      } else {
        k.out_len = (uint16_t)((l.in_len - l.kernel) / l.stride + 1u);
      }
      const uint32_t bytes = (uint32_t)k.out_len * k.out_ch;
      memset(want, 0xA5, bytes);
      memset(got, 0x5A, bytes);
      const pool_kernel ref = kind == 0 ? kernels_ref.maxpool1d : kind == 1 ? kernels_ref.avgpool1d : kernels_ref.globalavgpool;
      const pool_kernel opt = kind == 0 ? kernels_simd.maxpool1d : kind == 1 ? kernels_simd.avgpool1d : kernels_simd.globalavgpool;
      ref(&k, in, want);
      opt(&k, in, got);
      runs[kind]++;
      if (memcmp(want, got, bytes) != 0 && failures++ == 0)
        snprintf(first, sizeof first, "%s C %u len %u K %u stride %u bits %u", NAMES[kind], k.in_ch, k.in_len, k.kernel, k.stride, k.in_bits);
    }
  }
  printf("{\"failures\":%ld,\"first\":\"%s\",\"wordRows\":%ld,\"runs\":{\"maxpool1d\":%ld,\"avgpool1d\":%ld,\"globalavgpool\":%ld}}\n",
         failures, first, word_rows, runs[0], runs[1], runs[2]);
  return failures != 0;
}
