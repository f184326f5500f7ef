/* Boot-time preparation of the weighted layers for the optimized kernels (src/kernels_simd.c),
 * into the arena after the working buffers (network.h, net_prepare_layers):
 *
 * 1. weights at the SIMD lane width, groups of 4 output channels interleaved word by word, so the
 *    4 x 3 inner loop reads the 4 rows through one pointer (harm.h, harm_layer.wq);
 * 2. per output channel {bias, p1, p2, p3}: the requantization of models/ARITHMETIC.md section 3,
 *        r = (acc * M + R) >> S,  R = 2^(S-1) (S > 0) else 0,  out = clamp(r, lo, hi),
 *    rewritten in the cheapest form that is exactly equal to it for every accumulator the layer
 *    can produce (enum harm_rq_kind). Each form comes with its proof below; none approximates.
 *
 * Nothing here runs per window. */
#include "network.h"
#include "requant.h"

/* f(acc) = the ARITHMETIC.md 3 requantization of a 2-bit unsigned output, clamped to [0, 3]. */
static int32_t rq_out2(int32_t acc, int32_t mul, uint32_t shift) { return requant_clamped(acc, mul, shift, 0, 3); }

/* HARM_RQ_THRESH2. For M >= 0, f is non-decreasing in acc (acc * M + R grows with acc, floor and
 * clamp preserve order), so {acc : f(acc) < k} is a down-set of the int32 range and
 *   clamp(r, 0, 3) = #{k in 1..3 : f(acc) >= k} = [t1 < acc] + [t2 < acc] + [t3 < acc]
 * with tk = max{a : f(a) < k}. tk exists: f(INT32_MIN) <= 0 < k, since acc < 0 gives
 * acc * M + R <= 2^(S-1) < 2^S. If f(INT32_MAX) < k, tk = INT32_MAX and [tk < acc] is 0 for
 * every int32 acc. The equality therefore holds for every int32 accumulator, not only within
 * the layer's bound. (Threshold-based sub-byte activations as in XpulpNN: Garofalo et al.,
 * "XpulpNN: enabling energy efficient and flexible inference of quantized neural networks on
 * RISC-V based IoT end nodes", IEEE TETC 2021.) tk is found by bisection on the exact f. */
static int32_t rq_threshold(int32_t mul, uint32_t shift, int32_t k) {
  if (rq_out2(INT32_MAX, mul, shift) < k) return INT32_MAX;
  int32_t lo = INT32_MIN, hi = INT32_MAX; /* invariant: f(lo) < k <= f(hi) */
  while ((uint32_t)hi - (uint32_t)lo > 1u) {
    const int32_t mid = (int32_t)((uint32_t)lo + ((uint32_t)hi - (uint32_t)lo) / 2u);
    if (rq_out2(mid, mul, shift) < k) lo = mid;
    else hi = mid;
  }
  return lo;
}

/* HARM_RQ_MUL32 for one channel: with z trailing zero bits of M taken out (z <= S - 1 so that
 * R stays an integer), M = m * 2^z, s = S - z, r = 2^(s-1) (s > 0) else 0, and
 *   acc * M + R = 2^z * (acc * m + r)   =>   (acc * M + R) >> S = (acc * m + r) >> s.
 * If |acc| <= bound (ARITHMETIC.md 3, the accumulator bound of this channel) and
 * bound * m + r <= 2^31 - 1, then acc * m + r lies in (-2^31, 2^31): exact in int32, and the
 * arithmetic shift is the floor division. Returns 0 when the channel does not qualify. */
static int rq_mul32(int32_t mul, uint32_t shift, uint32_t bound, int32_t rec[4]) {
  if (mul == 0) { /* r = floor(R / 2^S) = 0 for every acc */
    rec[1] = rec[2] = rec[3] = 0;
    return 1;
  }
  uint32_t m = (uint32_t)mul, s = shift;
  while (s > 1u && (m & 1u) == 0u) {
    m >>= 1;
    s--;
  }
  const uint64_t r = s > 0u ? (uint64_t)1u << (s - 1u) : 0u;
  if (s > 30u || (uint64_t)bound * m + r > 0x7FFFFFFFu) return 0;
  rec[1] = (int32_t)m;
  rec[2] = (int32_t)r;
  rec[3] = (int32_t)s;
  return 1;
}

/* ARITHMETIC.md 3: |bias| + sum |w| * xmax (validated at boot to fit 2^31 - 1). */
static uint32_t rq_acc_bound(const harm_layer *l, uint32_t o) {
  const uint32_t xmax = l->in_signed ? 128u : (1u << l->in_bits) - 1u;
  const int32_t bias = l->bias[o];
  uint64_t bound = bias < 0 ? (uint64_t)(-(int64_t)bias) : (uint64_t)bias;
  const uint8_t *row = l->weights + o * l->row_bytes;
  for (uint32_t i = 0; i < l->row_elems; i++) {
    const int32_t w = simd_weight_i(row, i, l->weight_bits);
    bound += (uint64_t)(w < 0 ? -w : w) * xmax;
  }
  return (uint32_t)bound;
}

/* HARM_RQ_MULH for one channel. With P = acc * M and 1 <= j <= S - 1 (so 2^(S-1-j) is an
 * integer), nested floor division by powers of two gives
 *   floor((P + 2^(S-1)) / 2^S) = floor((floor(P / 2^j) + 2^(S-1-j)) / 2^(S-j)),
 * and floor(P / 2^j) = floor(acc * (M * 2^(32-j)) / 2^32) is exactly the high word of the
 * 64-bit product, RISC-V mulh(acc, M * 2^(32-j)), when M * 2^(32-j) < 2^31 (a valid signed
 * operand) and j <= 32. j = min(S - 1, 32) is the largest choice; it qualifies iff
 * M < 2^(j-1). Then |mulh| < 2^30 and the rounding term is at most 2^13 (S <= 46): no overflow.
 * The shift S - j >= 1 is an arithmetic shift, i.e. the floor. Returns 0 if the channel does not
 * qualify. */
static int rq_mulh(int32_t mul, uint32_t shift, int32_t rec[4]) {
  if (shift < 2u) return 0;
  const uint32_t j = shift - 1u > 32u ? 32u : shift - 1u;
  if ((uint64_t)(uint32_t)mul << (32u - j) > 0x7FFFFFFFu) return 0;
  rec[1] = (int32_t)((uint32_t)mul << (32u - j));
  rec[2] = (int32_t)(1u << (shift - 1u - j));
  rec[3] = (int32_t)(shift - j);
  return 1;
}

/* The cheapest exact form for the whole layer (one form per layer keeps the kernels' code
 * straight), and every channel's record. */
void net_prepare_requant(harm_layer *l, int32_t *rec) {
  const uint32_t n = l->out_ch;
  int kind = HARM_RQ_GENERAL;
  if (!l->out_signed && l->out_bits == 2u) {
    kind = HARM_RQ_THRESH2;
  } else if (!l->out_signed) {
    kind = HARM_RQ_MUL32;
    for (uint32_t o = 0; o < n && kind == HARM_RQ_MUL32; o++)
      if (!rq_mul32(l->mul[o], l->shift[o], rq_acc_bound(l, o), rec + 4u * o)) kind = HARM_RQ_MULH;
    for (uint32_t o = 0; o < n && kind == HARM_RQ_MULH; o++)
      if (!rq_mulh(l->mul[o], l->shift[o], rec + 4u * o)) kind = HARM_RQ_GENERAL;
  }
  for (uint32_t o = 0; o < n; o++) {
    int32_t *r = rec + 4u * o;
    r[0] = l->bias[o];
    if (kind == HARM_RQ_THRESH2) {
      for (int32_t k = 1; k <= 3; k++) r[k] = rq_threshold(l->mul[o], l->shift[o], k);
    } else if (kind == HARM_RQ_GENERAL) {
      r[1] = l->mul[o];
      r[2] = (int32_t)l->shift[o];
      r[3] = 0;
    } /* HARM_RQ_MUL32 / HARM_RQ_MULH: filled by rq_mul32 / rq_mulh above */
  }
  l->rq = rec;
  l->rq_kind = (uint8_t)kind;
}

/* Weights at the lane width: groups of 4 rows interleaved word by word, then the rest. */
static void wq_prepare(harm_layer *l, uint32_t *dst) {
  const uint32_t lane = simd_lane_bits(l), rw = simd_row_words(l), groups = l->out_ch / 4u;
  for (uint32_t o = 0; o < l->out_ch; o++) {
    if (o < groups * 4u) simd_widen_row(l, o, lane, dst + (o / 4u) * 4u * rw + (o % 4u), 4u);
    else simd_widen_row(l, o, lane, dst + groups * 4u * rw + (o - groups * 4u) * rw, 1u);
  }
  l->wq = dst;
}

uint32_t net_prepared_bytes(const harm_layer *l) {
  if (l->kind != HARM_CONV1D && l->kind != HARM_LINEAR) return 0;
  return (uint32_t)l->out_ch * (simd_row_words(l) * 4u + 16u);
}

int net_prepare_layers(harm_model *m, const net_plan *plan, uint8_t *arena, uint32_t arena_bytes) {
  if (plan->prepared_bytes == 0u || plan->total_bytes + plan->prepared_bytes > arena_bytes) return 0;
  uint32_t *dst = (uint32_t *)(void *)(arena + plan->total_bytes);
  for (uint32_t i = 0; i < m->layer_count; i++) {
    harm_layer *l = &m->layers[i];
    if (net_prepared_bytes(l) == 0u) continue;
    wq_prepare(l, dst);
    dst += (uint32_t)l->out_ch * simd_row_words(l);
    net_prepare_requant(l, (int32_t *)(void *)dst);
    dst += 4u * (uint32_t)l->out_ch;
  }
  return 1;
}
