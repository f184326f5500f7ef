/* Host check of the requantization forms (src/prepare.c, include/requant_forms.h) against the
 * definition (include/requant.h, models/ARITHMETIC.md section 3), on seeded random channels:
 * for every form the prepared layer uses, the output at the extremes of the accumulator range,
 * at 0 and +-1, on both sides of every step of the definition's output (found by bisection on
 * the definition, independently of the thresholds prepare.c computes) and at random points.
 * Usage: rqcheck <layers> <seed>. Prints one JSON line with the counts and the first mismatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_common.h"

#include "network.h"
#include "requant.h"
#include "requant_forms.h"

static int32_t rnd_in(int32_t lo, int32_t hi) { return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1)); }

#define MAX_CH 4u
#define MAX_ELEMS 512u
static const char *const KIND_NAMES[] = {"none", "thresh2", "mul32", "mulh", "general"};
static long checks[5], layers[5], failures;
static char first[256];

/* Smallest a in [lo, hi] with def(a) >= k, or hi + 1. def is non-decreasing in acc. */
static int64_t step_at(int32_t lo, int32_t hi, int32_t k, int32_t mul, uint32_t shift, int32_t out_hi) {
  if (requant_clamped(hi, mul, shift, 0, out_hi) < k) return (int64_t)hi + 1;
  int64_t a = lo, b = hi; /* def(b) >= k */
  while (a < b) {
    const int64_t m = a + (b - a) / 2;
    if (requant_clamped((int32_t)m, mul, shift, 0, out_hi) >= k) b = m;
    else a = m + 1;
  }
  return a;
}

static void check(const harm_layer *l, const int32_t *rec, uint32_t o, int64_t acc, int32_t bound) {
  /* MUL32 is exact within the accumulator bound (never exceeded by the layer); THRESH2 and MULH
   * for every int32. */
  if (acc < INT32_MIN || acc > INT32_MAX) return;
  if (l->rq_kind == HARM_RQ_MUL32 && (acc < -(int64_t)bound || acc > bound)) return;
  const int32_t hi = (int32_t)((1u << l->out_bits) - 1u);
  const int32_t want = requant_clamped((int32_t)acc, l->mul[o], l->shift[o], 0, hi);
  const int32_t got = rq_form_u8(l->rq_kind, (int32_t)acc, rec[1], rec[2], rec[3], hi);
  checks[l->rq_kind]++;
  if (got != want && failures++ == 0)
    snprintf(first, sizeof first, "form %s acc %lld mul %d shift %u outBits %u: got %d want %d", KIND_NAMES[l->rq_kind],
             (long long)acc, l->mul[o], l->shift[o], l->out_bits, got, want);
}

int main(int argc, char **argv) {
  const long count = check_args(argc, argv, "rqcheck");
  if (count < 0) return 2;
  static uint8_t weights[MAX_CH * MAX_ELEMS];
  static int32_t bias[MAX_CH], mul[MAX_CH], rec[4u * MAX_CH];
  static uint8_t shift[MAX_CH];
  for (long n = 0; n < count; n++) {
    harm_layer l;
    memset(&l, 0, sizeof l);
    l.kind = HARM_CONV1D;
    const uint32_t bits[] = {2u, 4u, 8u};
    l.in_signed = rnd() % 4u == 0u;
    l.in_bits = l.in_signed ? 8u : (uint8_t)bits[rnd() % 3u];
    l.weight_bits = (uint8_t)bits[rnd() % 3u];
    l.out_bits = (uint8_t)bits[rnd() % 3u];
    l.out_ch = (uint16_t)(1u + rnd() % MAX_CH);
    l.row_elems = 1u + rnd() % (rnd() % 2u ? 16u : MAX_ELEMS);
    l.row_bytes = (l.row_elems * l.weight_bits + 31u) / 32u * 4u;
    memset(weights, 0, sizeof weights);
    for (uint32_t o = 0; o < l.out_ch; o++) {
      for (uint32_t i = 0; i < l.row_elems; i++) {
        const uint32_t v = rnd() & ((1u << l.weight_bits) - 1u), bit = i * l.weight_bits;
        weights[o * l.row_bytes + bit / 8u] |= (uint8_t)(v << (bit % 8u));
      }
      bias[o] = rnd_in(-100000, 100000) >> (rnd() % 17u);
      /* multipliers: full range, small, powers of two times odd numbers (the trailing-zero path) */
      const uint32_t pick = rnd() % 4u;
      mul[o] = pick == 0u ? rnd_in(0, 32767) : pick == 1u ? rnd_in(0, 64) : pick == 2u ? (rnd_in(1, 255) << rnd_in(0, 7)) : rnd_in(16384, 32767);
      shift[o] = (uint8_t)(rnd() % 3u == 0u ? rnd_in(0, 46) : rnd_in(8, 30));
    }
    l.weights = weights;
    l.bias = bias;
    l.mul = mul;
    l.shift = shift;
    net_prepare_requant(&l, rec);
    layers[l.rq_kind]++;
    if (l.rq_kind == HARM_RQ_GENERAL) continue; /* the kernels use requant.h itself */
    const uint32_t xmax = l.in_signed ? 128u : (1u << l.in_bits) - 1u;
    for (uint32_t o = 0; o < l.out_ch; o++) {
      int64_t b64 = bias[o] < 0 ? -(int64_t)bias[o] : bias[o];
      for (uint32_t i = 0; i < l.row_elems; i++) {
        const int32_t w = simd_weight_i(weights + o * l.row_bytes, i, l.weight_bits);
        b64 += (int64_t)(w < 0 ? -w : w) * xmax;
      }
      const int32_t bound = (int32_t)b64; /* <= 512 * 128 * 128 + 100000: fits */
      const int32_t *r = rec + 4u * o;
      const int32_t edges[] = {0, 1, -1, bound, -bound, bound - 1, -bound + 1, INT32_MIN, INT32_MAX, INT32_MIN + 1, INT32_MAX - 1};
      for (uint32_t e = 0; e < sizeof edges / sizeof edges[0]; e++) check(&l, r, o, edges[e], bound);
      const int32_t hi = (int32_t)((1u << l.out_bits) - 1u);
      for (int32_t k = 1; k <= hi; k++) {
        const int64_t a = step_at(-bound, bound, k, mul[o], shift[o], hi);
        for (int64_t d = -1; d <= 1; d++) check(&l, r, o, a + d, bound);
      }
      for (uint32_t i = 0; i < 64u; i++) check(&l, r, o, rnd_in(-bound, bound), bound);
    }
  }
  printf("{\"failures\":%ld,\"first\":\"%s\",\"checks\":{", failures, first);
  for (int k = 1; k <= 3; k++) printf("%s\"%s\":%ld", k > 1 ? "," : "", KIND_NAMES[k], checks[k]);
  printf("},\"layers\":{");
  for (int k = 1; k <= 4; k++) printf("%s\"%s\":%ld", k > 1 ? "," : "", KIND_NAMES[k], layers[k]);
  printf("}}\n");
  return failures != 0;
}
