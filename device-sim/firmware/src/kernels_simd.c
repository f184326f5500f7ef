/* The optimized kernels: conv1d and linear on the custom-0 SIMD dot products (include/simd.h),
 * in the manner of PULP-NN (Garofalo et al., "PULP-NN: accelerating quantized neural networks on
 * parallel ultra-low-power RISC-V processors", Phil. Trans. R. Soc. A 378, 2020); pooling on
 * 4 channels per word is in src/pool_simd.c.
 *
 * - lane width L = max(input bits, weight bits): 8 (4 lanes), 4 (8 lanes) or 2 (16 lanes);
 * - conv1d patches: 8-bit whole-word rows read in place (im2col rows at the padded edges);
 *   4/2-bit rows that are whole words from the input packed once per call at L bits with its
 *   zero padding; the 6-channel window from byte-shifted copies; otherwise an im2col row per
 *   step. Either way the element order is a weight row's (FORMAT.md "Weight packing"), so one
 *   32-bit load of each operand feeds one dot-product instruction;
 * - prepared layers (src/prepare.c, the usual case): interleaved lane-width weights and one exact
 *   requantization form per layer (include/requant_forms.h); the inner loop computes 4 output
 *   channels x 3 output steps (linear: 4 x 1) over the whole row in one asm statement, so each
 *   loaded activation word is used 4 times and each weight word 3 times (PULP-NN's "matmul");
 * - the fallback without room for prepared layers (simd_channels below): weights narrower than L
 *   widened once per layer call into the arena, requantization in 32-bit, split 16-bit or int64
 *   form.
 *
 * Exactness: the accumulator bound of ARITHMETIC.md 3 holds for every partial sum in any order,
 * and padding lanes are zero in the weights, so the sums equal the reference kernel's. */
#include "kernels.h"
#include "requant.h"
#include "requant_forms.h"
#include "simd.h"

typedef void (*dot_4x3_fn)(const uint32_t *a0, const uint32_t *a1, const uint32_t *a2, const uint32_t *w,
                           uint32_t row_words, int32_t acc[12]);
typedef void (*dot_4x1_fn)(const uint32_t *a0, const uint32_t *w, uint32_t row_words, int32_t acc[4]);
typedef int32_t (*dot_1x1_fn)(const uint32_t *a, const uint32_t *w, uint32_t words, int32_t acc);

#define SIMD_DOT_1X1(NAME, SDOT)                                                             \
  static int32_t NAME(const uint32_t *a, const uint32_t *w, uint32_t words, int32_t acc) {  \
    for (uint32_t n = 0; n < words; n++) acc = SDOT(acc, a[n], w[n]);                       \
    return acc;                                                                             \
  }

SIMD_DOT_4X3(dot_4x3_s8_i8, sdot8_ss, 0, 0)
SIMD_DOT_4X3(dot_4x3_u8_i8, sdot8_us, 2, 0)
SIMD_DOT_4X3(dot_4x3_u4_i4, sdot4_us, 2, 1)
SIMD_DOT_4X3(dot_4x3_u2_i2, sdot2_us, 2, 2)
SIMD_DOT_4X1(dot_4x1_s8_i8, sdot8_ss, 0, 0)
SIMD_DOT_4X1(dot_4x1_u8_i8, sdot8_us, 2, 0)
SIMD_DOT_4X1(dot_4x1_u4_i4, sdot4_us, 2, 1)
SIMD_DOT_4X1(dot_4x1_u2_i2, sdot2_us, 2, 2)
SIMD_DOT_1X1(dot_1x1_s8_i8, sdot8_ss)
SIMD_DOT_1X1(dot_1x1_u8_i8, sdot8_us)
SIMD_DOT_1X1(dot_1x1_u4_i4, sdot4_us)
SIMD_DOT_1X1(dot_1x1_u2_i2, sdot2_us)

/* Output steps computed together by the conv1d inner loop. */
#define SIMD_STEPS 3u

typedef struct {
  uint32_t lane_bits;
  uint32_t row_words;   /* words of one row (weights and patches) at lane_bits */
  const uint32_t *rows; /* weight rows at lane_bits, row_words apart */
  dot_4x3_fn dot_4x3;
  dot_4x1_fn dot_4x1;
  int flavour; /* SIMD_S8_I8 .. SIMD_U2_I2: which dot_4x3 the fast path inlines */
  dot_1x1_fn dot_1x1;
  /* Requantization of an unsigned output: SIMD_RQ_GENERAL (simd_requant), SIMD_RQ_SPLIT (every
   * shift >= 17: simd_requant_u) or SIMD_RQ_32 (layer flag requant32: one 32-bit multiply). */
  int requant;
} simd_plan;

enum { SIMD_RQ_GENERAL = 0, SIMD_RQ_SPLIT = 1, SIMD_RQ_32 = 2 };
enum { SIMD_S8_I8 = 0, SIMD_U8_I8 = 1, SIMD_U4_I4 = 2, SIMD_U2_I2 = 3 };

/* dot_4x3 of the plan's flavour, inlined (no call, accumulators stay in registers). */
static inline __attribute__((always_inline)) void simd_dot_4x3(int flavour, const uint32_t *a0, const uint32_t *a1,
                                                               const uint32_t *a2, const uint32_t *w, uint32_t row_words,
                                                               int32_t acc[12]) {
  switch (flavour) {
    case SIMD_S8_I8: dot_4x3_s8_i8(a0, a1, a2, w, row_words, acc); break;
    case SIMD_U8_I8: dot_4x3_u8_i8(a0, a1, a2, w, row_words, acc); break;
    case SIMD_U4_I4: dot_4x3_u4_i4(a0, a1, a2, w, row_words, acc); break;
    default: dot_4x3_u2_i2(a0, a1, a2, w, row_words, acc); break;
  }
}

int32_t simd_weight_i(const uint8_t *row, uint32_t i, uint32_t bits) {
  uint32_t bit = i * bits;
  uint32_t v = ((uint32_t)row[bit >> 3] >> (bit & 7u)) & ((1u << bits) - 1u);
  uint32_t sign = 1u << (bits - 1u);
  return (int32_t)(v ^ sign) - (int32_t)sign;
}

void simd_widen_row(const harm_layer *l, uint32_t o, uint32_t lane, uint32_t *dst, uint32_t stride_words) {
  const uint32_t mask = (1u << lane) - 1u;
  const uint8_t *row = l->weights + o * l->row_bytes;
  uint32_t word = 0, sh = 0;
  for (uint32_t i = 0; i < l->row_elems; i++) {
    word |= ((uint32_t)simd_weight_i(row, i, l->weight_bits) & mask) << sh;
    sh += lane;
    if (sh == 32u) {
      *dst = word;
      dst += stride_words;
      word = 0;
      sh = 0;
    }
  }
  if (sh != 0u) *dst = word;
}

/* Re-packs every weight row at `lane` bits (two's complement, sign-extended) into scratch. */
static const uint32_t *simd_widen_weights(const harm_layer *l, uint32_t lane, uint32_t row_words, uint32_t *dst) {
  for (uint32_t o = 0; o < l->out_ch; o++) simd_widen_row(l, o, lane, dst + o * row_words, 1u);
  return dst;
}

static simd_plan simd_make_plan(const harm_layer *l, kernel_scratch *s) {
  simd_plan p;
  p.lane_bits = l->weight_bits > l->in_bits ? l->weight_bits : l->in_bits;
  p.row_words = (l->row_elems * p.lane_bits + 31u) / 32u;
  /* Prepared layers read l->wq (simd_channels_prepared); the others widen narrow weights here. */
  p.rows = l->wq                          ? l->wq
           : l->weight_bits == p.lane_bits ? (const uint32_t *)(const void *)l->weights
                                           : simd_widen_weights(l, p.lane_bits, p.row_words, s->wexp);
  int split = !l->out_signed;
  for (uint32_t o = 0; o < l->out_ch && split; o++) split = l->shift[o] >= 17u;
  p.requant = l->out_signed ? SIMD_RQ_GENERAL : l->requant32 ? SIMD_RQ_32 : split ? SIMD_RQ_SPLIT : SIMD_RQ_GENERAL;
  p.flavour = p.lane_bits == 8u ? (l->in_signed ? SIMD_S8_I8 : SIMD_U8_I8) : p.lane_bits == 4u ? SIMD_U4_I4 : SIMD_U2_I2;
  if (p.lane_bits == 8u) {
    p.dot_4x3 = l->in_signed ? dot_4x3_s8_i8 : dot_4x3_u8_i8;
    p.dot_4x1 = l->in_signed ? dot_4x1_s8_i8 : dot_4x1_u8_i8;
    p.dot_1x1 = l->in_signed ? dot_1x1_s8_i8 : dot_1x1_u8_i8;
  } else if (p.lane_bits == 4u) {
    p.dot_4x3 = dot_4x3_u4_i4;
    p.dot_4x1 = dot_4x1_u4_i4;
    p.dot_1x1 = dot_1x1_u4_i4;
  } else {
    p.dot_4x3 = dot_4x3_u2_i2;
    p.dot_4x1 = dot_4x1_u2_i2;
    p.dot_1x1 = dot_1x1_u2_i2;
  }
  return p;
}

/* Packs `n` one-per-byte activations (or n zeros if src is null) at `lane` bits, continuing the
 * partial word (*word, *sh); full words go to *dst. */
static void simd_pack(const uint8_t *src, uint32_t n, uint32_t lane, uint32_t **dst, uint32_t *word, uint32_t *sh) {
  const uint32_t mask = (1u << lane) - 1u;
  uint32_t w = *word, s = *sh;
  uint32_t *d = *dst;
  for (uint32_t i = 0; i < n; i++) {
    if (src) w |= ((uint32_t)src[i] & mask) << s;
    s += lane;
    if (s == 32u) {
      *d++ = w;
      w = 0;
      s = 0;
    }
  }
  *word = w;
  *sh = s;
  *dst = d;
}

/* The im2col row of output step t (conv1d): elements [k][c] of the patch, zero outside the
 * input (ARITHMETIC.md 3), at the plan's lane width, zero-filled to a whole number of words.
 * Returns the row: `col`, or a pointer into the input when it can be read in place. */
static const uint32_t *simd_conv_patch(const harm_layer *l, const simd_plan *p, const uint8_t *in, uint32_t t,
                                       uint32_t *col) {
  const uint32_t C = l->in_ch;
  const int32_t first = (int32_t)(t * l->stride) - (int32_t)l->pad_left;
  const int32_t last = first + (int32_t)(l->dilation * (l->kernel - 1u));
  const int inside = first >= 0 && last < (int32_t)l->in_len;
  if (p->lane_bits == 8u && inside && l->dilation == 1u && l->row_elems % 4u == 0u) {
    const uint8_t *src = in + (uint32_t)first * C;
    if (((uintptr_t)src & 3u) == 0u) return (const uint32_t *)(const void *)src;
  }
  uint32_t *d = col, word = 0, sh = 0;
  if (p->lane_bits == 8u && C % 4u == 0u && ((uintptr_t)in & 3u) == 0u) {
    /* Whole-word rows at 8 bits: a word copy per input row, zero words for the padding. */
    const uint32_t row_words = C / 4u;
    for (uint32_t k = 0; k < l->kernel; k++) {
      const int32_t pos = first + (int32_t)(k * l->dilation);
      const uint32_t *src = (pos >= 0 && pos < (int32_t)l->in_len) ? (const uint32_t *)(const void *)(in + (uint32_t)pos * C) : 0;
      for (uint32_t n = 0; n < row_words; n++) *d++ = src ? src[n] : 0u;
    }
    return col;
  }
  for (uint32_t k = 0; k < l->kernel; k++) {
    int32_t pos = first + (int32_t)(k * l->dilation);
    const uint8_t *src = (pos >= 0 && pos < (int32_t)l->in_len) ? in + (uint32_t)pos * C : 0;
    simd_pack(src, C, p->lane_bits, &d, &word, &sh);
  }
  if (sh != 0u) *d = word;
  return col;
}

static const uint32_t *simd_linear_patch(const harm_layer *l, const simd_plan *p, const uint8_t *in, uint32_t *col) {
  if (p->lane_bits == 8u && l->row_elems % 4u == 0u && ((uintptr_t)in & 3u) == 0u)
    return (const uint32_t *)(const void *)in;
  uint32_t *d = col, word = 0, sh = 0;
  simd_pack(in, l->row_elems, p->lane_bits, &d, &word, &sh);
  if (sh != 0u) *d = word;
  return col;
}

/* Per-layer output constants, hoisted out of the channel loops. */
typedef struct {
  int32_t lo, hi;
  uint32_t out_ch;
  int out_signed;
} simd_out;

/* ARITHMETIC.md 3 requantization, bit-exact, without 64-bit arithmetic when S >= 17 (the usual
 * case): with acc = a_hi * 2^16 + a_lo (a_lo in [0, 65535]) and R = 2^(S-1) = 2^(S-17) * 2^16,
 *   floor((acc * M + R) / 2^S) = (X + (Y >> 16)) >> (S - 16),  X = a_hi * M + 2^(S-17), Y = a_lo * M
 * (nested floor division by powers of two). |X| < 2^30 + 2^29 and 0 <= Y < 2^31 because
 * M <= 32767, so every step fits int32 and costs two 1-cycle MULs instead of a 5-cycle MULH and a
 * 64-bit shift. S <= 16 takes the int64 path of requant.h. */
static inline int32_t simd_requant(int32_t acc, int32_t mul, uint32_t shift, const simd_out *q) {
  int32_t r;
  if (shift >= 17u) {
    int32_t x = (acc >> 16) * mul + (int32_t)(1u << (shift - 17u));
    int32_t y = (int32_t)(((uint32_t)acc & 0xFFFFu) * (uint32_t)mul);
    r = (x + (y >> 16)) >> (shift - 16u);
  } else {
    return requant_clamped(acc, mul, shift, q->lo, q->hi);
  }
  return r < q->lo ? q->lo : (r > q->hi ? q->hi : r);
}

static inline void simd_store(const simd_out *q, uint32_t index, int32_t v, uint8_t *out_u8, int32_t *out_i32) {
  if (q->out_signed) out_i32[index] = v;
  else out_u8[index] = (uint8_t)v;
}

/* The hidden-layer case (unsigned output, every shift >= 17) without branches: simd_requant's
 * fast path, then ReLU and the upper clip with masks (a taken branch costs 3 cycles on this core,
 * and about half of the pre-ReLU values are negative). */
static inline int32_t simd_clip_u(int32_t r, int32_t hi) {
  /* The empty asm hides the sign masks from the compiler, which would otherwise turn them back
   * into min/max and those into branches (RV32IMC has no min/max instruction). */
  int32_t neg = r >> 31;
  __asm__("" : "+r"(neg));
  r &= ~neg;          /* r < 0  -> 0  */
  int32_t d = hi - r; /* r > hi -> hi */
  int32_t over = d >> 31;
  __asm__("" : "+r"(over));
  return r + (d & over);
}

/* SIMD_RQ_SPLIT: `round` = 2^(S-17), `shift16` = S - 16. */
static inline uint8_t simd_requant_u(int32_t acc, int32_t mul, int32_t round, uint32_t shift16, int32_t hi) {
  int32_t x = (acc >> 16) * mul + round;
  int32_t y = (int32_t)(((uint32_t)acc & 0xFFFFu) * (uint32_t)mul);
  return (uint8_t)simd_clip_u((x + (y >> 16)) >> shift16, hi);
}

/* SIMD_RQ_32: the whole (acc * M + R) fits int32 (harm_layer.requant32); `round` = R. */
static inline uint8_t simd_requant_u32(int32_t acc, int32_t mul, int32_t round, uint32_t shift, int32_t hi) {
  return (uint8_t)simd_clip_u((acc * mul + round) >> shift, hi);
}

/* The common case (hidden layers: unsigned output, SIMD_RQ_SPLIT or SIMD_RQ_32 by the constant
 * rq32), everything hoisted and branch-free per output. */
#define SIMD_RQ_ROUND(sh) (rq32 ? ((sh) > 0u ? (int32_t)(1u << ((sh) - 1u)) : 0) : (int32_t)(1u << ((sh) - 17u)))
#define SIMD_RQ_SHIFT(sh) (rq32 ? (sh) : (sh) - 16u)
#define SIMD_RQ(acc, m, round, shn) (rq32 ? simd_requant_u32(acc, m, round, shn, hi) : simd_requant_u(acc, m, round, shn, hi))
static inline __attribute__((always_inline)) void simd_channels_fast(const harm_layer *l, const simd_plan *p,
                                                                      const uint32_t *const a[SIMD_STEPS], uint32_t t,
                                                                      uint32_t steps, uint8_t *out, const int rq32) {
  const int32_t hi = (int32_t)((1u << l->out_bits) - 1u);
  const uint32_t out_ch = l->out_ch, row_words = p->row_words;
  const int32_t *bias = l->bias, *mul = l->mul;
  const uint8_t *shift = l->shift;
  const uint32_t *rows = p->rows;
  uint8_t *row0 = out + t * out_ch, *row1 = row0 + out_ch, *row2 = row1 + out_ch;
  uint32_t o = 0;
  if (steps == 1u) {
    const dot_4x1_fn dot = p->dot_4x1;
    for (; o + 4u <= out_ch; o += 4u) {
      int32_t acc[4] = {bias[o], bias[o + 1u], bias[o + 2u], bias[o + 3u]};
      dot(a[0], rows + o * row_words, row_words, acc);
      for (uint32_t j = 0; j < 4u; j++) {
        const uint32_t sh = shift[o + j];
        row0[o + j] = SIMD_RQ(acc[j], mul[o + j], SIMD_RQ_ROUND(sh), SIMD_RQ_SHIFT(sh));
      }
    }
  } else {
    const int flavour = p->flavour;
    const int three = steps == 3u;
    const uint32_t *a2 = three ? a[2] : a[1];
    for (; o + 4u <= out_ch; o += 4u) {
      int32_t acc[12];
      for (uint32_t j = 0; j < 4u; j++) acc[j] = acc[j + 4u] = acc[j + 8u] = bias[o + j];
      simd_dot_4x3(flavour, a[0], a[1], a2, rows + o * row_words, row_words, acc);
      /* Unrolled by hand (the loop branch would cost 3 cycles per channel). */
#define SIMD_EMIT_CHANNEL(j)                                        \
  do {                                                              \
    const int32_t m = mul[o + (j)];                                 \
    const uint32_t sh = shift[o + (j)];                             \
    const int32_t round = SIMD_RQ_ROUND(sh);                        \
    const uint32_t shn = SIMD_RQ_SHIFT(sh);                         \
    row0[o + (j)] = SIMD_RQ(acc[(j)], m, round, shn);               \
    row1[o + (j)] = SIMD_RQ(acc[(j) + 4u], m, round, shn);          \
    if (three) row2[o + (j)] = SIMD_RQ(acc[(j) + 8u], m, round, shn); \
  } while (0)
      SIMD_EMIT_CHANNEL(0u);
      SIMD_EMIT_CHANNEL(1u);
      SIMD_EMIT_CHANNEL(2u);
      SIMD_EMIT_CHANNEL(3u);
#undef SIMD_EMIT_CHANNEL
    }
  }
  for (; o < out_ch; o++) {
    const uint32_t sh = shift[o];
    const int32_t round = SIMD_RQ_ROUND(sh);
    for (uint32_t k = 0; k < steps; k++)
      out[(t + k) * out_ch + o] = SIMD_RQ(p->dot_1x1(a[k], rows + o * row_words, row_words, bias[o]), mul[o], round, SIMD_RQ_SHIFT(sh));
  }
}

#undef SIMD_RQ_ROUND
#undef SIMD_RQ_SHIFT
#undef SIMD_RQ

/* ---- Prepared layers (src/prepare.c): interleaved weights and exact cheap requantization ---- */

SIMD_DOTQ_4X3(dotq_4x3_s8_i8, 0, 0)
SIMD_DOTQ_4X3(dotq_4x3_u8_i8, 2, 0)
SIMD_DOTQ_4X3(dotq_4x3_u4_i4, 2, 1)
SIMD_DOTQ_4X3(dotq_4x3_u2_i2, 2, 2)
SIMD_DOTQ_4X1(dotq_4x1_s8_i8, 0, 0)
SIMD_DOTQ_4X1(dotq_4x1_u8_i8, 2, 0)
SIMD_DOTQ_4X1(dotq_4x1_u4_i4, 2, 1)
SIMD_DOTQ_4X1(dotq_4x1_u2_i2, 2, 2)

#define SIMD_INLINE static inline __attribute__((always_inline))

SIMD_INLINE void simd_dotq_4x3(int flavour, const uint32_t *a0, const uint32_t *a1, const uint32_t *a2, const uint32_t *w,
                               uint32_t row_words, int32_t acc[12]) {
  switch (flavour) {
    case SIMD_S8_I8: dotq_4x3_s8_i8(a0, a1, a2, w, row_words, acc); break;
    case SIMD_U8_I8: dotq_4x3_u8_i8(a0, a1, a2, w, row_words, acc); break;
    case SIMD_U4_I4: dotq_4x3_u4_i4(a0, a1, a2, w, row_words, acc); break;
    default: dotq_4x3_u2_i2(a0, a1, a2, w, row_words, acc); break;
  }
}

SIMD_INLINE void simd_dotq_4x1(int flavour, const uint32_t *a0, const uint32_t *w, uint32_t row_words, int32_t acc[4]) {
  switch (flavour) {
    case SIMD_S8_I8: dotq_4x1_s8_i8(a0, w, row_words, acc); break;
    case SIMD_U8_I8: dotq_4x1_u8_i8(a0, w, row_words, acc); break;
    case SIMD_U4_I4: dotq_4x1_u4_i4(a0, w, row_words, acc); break;
    default: dotq_4x1_u2_i2(a0, w, row_words, acc); break;
  }
}

/* Every output channel of a prepared unsigned layer for 3 output steps from t (patches a[0..3);
 * when steps < 3 the missing patches repeat a[0] and their outputs go to row t again, which
 * rewrites the same values). Per group of 4 channels: the 4 biases start 12 accumulators, one
 * SIMD_DOTQ_4X3 row, then per channel its record and 3 outputs. */
SIMD_INLINE void simd_groups_3(const harm_layer *l, const simd_plan *p, const int flavour, const int kind,
                               const uint32_t *const a[SIMD_STEPS], uint32_t t, uint32_t steps, uint8_t *out) {
  const uint32_t out_ch = l->out_ch, rw = p->row_words, groups = out_ch >> 2;
  const int32_t hi = (int32_t)((1u << l->out_bits) - 1u);
  const uint32_t *w = l->wq;
  const int32_t *rec = l->rq;
  uint8_t *r0 = out + t * out_ch;
  uint8_t *r1 = steps > 1u ? r0 + out_ch : r0;
  uint8_t *r2 = steps > 2u ? r1 + out_ch : r0;
  for (uint32_t g = 0; g < groups; g++, w += 4u * rw, rec += 16, r0 += 4, r1 += 4, r2 += 4) {
    int32_t acc[12];
    for (uint32_t j = 0; j < 4u; j++) acc[j] = acc[j + 4u] = acc[j + 8u] = rec[4u * j];
    simd_dotq_4x3(flavour, a[0], a[1], a[2], w, rw, acc);
    for (uint32_t j = 0; j < 4u; j++) {
      const int32_t q1 = rec[4u * j + 1u], q2 = rec[4u * j + 2u], q3 = rec[4u * j + 3u];
      r0[j] = rq_form_u8(kind, acc[j], q1, q2, q3, hi);
      r1[j] = rq_form_u8(kind, acc[j + 4u], q1, q2, q3, hi);
      r2[j] = rq_form_u8(kind, acc[j + 8u], q1, q2, q3, hi);
    }
  }
  for (uint32_t o = groups * 4u; o < out_ch; o++, w += rw, rec += 4)
    for (uint32_t k = 0; k < steps; k++)
      out[(t + k) * out_ch + o] = rq_form_u8(kind, p->dot_1x1(a[k], w, rw, rec[0]), rec[1], rec[2], rec[3], hi);
}

/* The same for one output step (linear layers, the last step of a conv1d): SIMD_DOTQ_4X1. */
SIMD_INLINE void simd_groups_1(const harm_layer *l, const simd_plan *p, const int flavour, const int kind,
                               const uint32_t *a0, uint32_t t, uint8_t *out) {
  const uint32_t out_ch = l->out_ch, rw = p->row_words, groups = out_ch >> 2;
  const int32_t hi = (int32_t)((1u << l->out_bits) - 1u);
  const uint32_t *w = l->wq;
  const int32_t *rec = l->rq;
  uint8_t *r0 = out + t * out_ch;
  for (uint32_t g = 0; g < groups; g++, w += 4u * rw, rec += 16, r0 += 4) {
    int32_t acc[4] = {rec[0], rec[4], rec[8], rec[12]};
    simd_dotq_4x1(flavour, a0, w, rw, acc);
    for (uint32_t j = 0; j < 4u; j++) r0[j] = rq_form_u8(kind, acc[j], rec[4u * j + 1u], rec[4u * j + 2u], rec[4u * j + 3u], hi);
  }
  for (uint32_t o = groups * 4u; o < out_ch; o++, w += rw, rec += 4, r0++)
    *r0 = rq_form_u8(kind, p->dot_1x1(a0, w, rw, rec[0]), rec[1], rec[2], rec[3], hi);
}

/* One function per lane flavour, the requantization form chosen once per call. */
#define SIMD_PREPARED_FN(NAME, FLAVOUR)                                                                         \
  static void NAME(const harm_layer *l, const simd_plan *p, const uint32_t *const a[SIMD_STEPS], uint32_t t,     \
                   uint32_t steps, uint8_t *out) {                                                              \
    if (steps == 1u) {                                                                                          \
      switch (l->rq_kind) {                                                                                     \
        case HARM_RQ_THRESH2: simd_groups_1(l, p, FLAVOUR, HARM_RQ_THRESH2, a[0], t, out); break;               \
        case HARM_RQ_MUL32: simd_groups_1(l, p, FLAVOUR, HARM_RQ_MUL32, a[0], t, out); break;                   \
        default: simd_groups_1(l, p, FLAVOUR, HARM_RQ_MULH, a[0], t, out); break;                              \
      }                                                                                                         \
      return;                                                                                                   \
    }                                                                                                           \
    switch (l->rq_kind) {                                                                                       \
      case HARM_RQ_THRESH2: simd_groups_3(l, p, FLAVOUR, HARM_RQ_THRESH2, a, t, steps, out); break;             \
      case HARM_RQ_MUL32: simd_groups_3(l, p, FLAVOUR, HARM_RQ_MUL32, a, t, steps, out); break;                 \
      default: simd_groups_3(l, p, FLAVOUR, HARM_RQ_MULH, a, t, steps, out); break;                            \
    }                                                                                                           \
  }
SIMD_PREPARED_FN(simd_prepared_s8_i8, SIMD_S8_I8)
SIMD_PREPARED_FN(simd_prepared_u8_i8, SIMD_U8_I8)
SIMD_PREPARED_FN(simd_prepared_u4_i4, SIMD_U4_I4)
SIMD_PREPARED_FN(simd_prepared_u2_i2, SIMD_U2_I2)

/* HARM_RQ_GENERAL (signed scores, or shifts below 17 that the 32-bit forms cannot take): the
 * interleaved rows with the int64 requantization of requant.h. Heads and rare layers only. */
static void simd_prepared_general(const harm_layer *l, const simd_plan *p, const uint32_t *const a[SIMD_STEPS], uint32_t t,
                                  uint32_t steps, uint8_t *out_u8, int32_t *out_i32) {
  const simd_out q = {out_lo(l->out_bits, l->out_signed), out_hi(l->out_bits, l->out_signed), l->out_ch, l->out_signed};
  const uint32_t rw = p->row_words, groups = q.out_ch >> 2;
  const uint32_t *w = l->wq;
  const int32_t *rec = l->rq;
  int32_t acc[12];
  for (uint32_t g = 0; g < groups; g++, w += 4u * rw, rec += 16) {
    for (uint32_t j = 0; j < 4u; j++) acc[j] = acc[j + 4u] = acc[j + 8u] = rec[4u * j];
    if (steps == 1u) simd_dotq_4x1(p->flavour, a[0], w, rw, acc);
    else simd_dotq_4x3(p->flavour, a[0], a[1], steps == 3u ? a[2] : a[1], w, rw, acc);
    for (uint32_t k = 0; k < steps; k++)
      for (uint32_t j = 0; j < 4u; j++)
        simd_store(&q, (t + k) * q.out_ch + 4u * g + j,
                   requant_clamped(acc[4u * k + j], rec[4u * j + 1u], (uint32_t)rec[4u * j + 2u], q.lo, q.hi), out_u8, out_i32);
  }
  for (uint32_t o = groups * 4u; o < q.out_ch; o++, w += rw, rec += 4)
    for (uint32_t k = 0; k < steps; k++)
      simd_store(&q, (t + k) * q.out_ch + o, requant_clamped(p->dot_1x1(a[k], w, rw, rec[0]), rec[1], (uint32_t)rec[2], q.lo, q.hi),
                 out_u8, out_i32);
}

static void simd_channels_prepared(const harm_layer *l, const simd_plan *p, const uint32_t *const a[SIMD_STEPS], uint32_t t,
                                   uint32_t steps, uint8_t *out_u8, int32_t *out_i32) {
  if (l->rq_kind == HARM_RQ_GENERAL) {
    simd_prepared_general(l, p, a, t, steps, out_u8, out_i32);
    return;
  }
  switch (p->flavour) {
    case SIMD_S8_I8: simd_prepared_s8_i8(l, p, a, t, steps, out_u8); break;
    case SIMD_U8_I8: simd_prepared_u8_i8(l, p, a, t, steps, out_u8); break;
    case SIMD_U4_I4: simd_prepared_u4_i4(l, p, a, t, steps, out_u8); break;
    default: simd_prepared_u2_i2(l, p, a, t, steps, out_u8); break;
  }
}

/* Every output channel for `steps` (1..3) output steps from t, patches a[0..steps): any output
 * (signed scores, small shifts) through simd_requant. */
static void simd_channels(const harm_layer *l, const simd_plan *p, const uint32_t *const a[SIMD_STEPS], uint32_t t,
                          uint32_t steps, uint8_t *out_u8, int32_t *out_i32) {
  if (l->rq_kind != HARM_RQ_NONE) {
    simd_channels_prepared(l, p, a, t, steps, out_u8, out_i32);
    return;
  }
  if (p->requant == SIMD_RQ_32) {
    simd_channels_fast(l, p, a, t, steps, out_u8, 1);
    return;
  }
  if (p->requant == SIMD_RQ_SPLIT) {
    simd_channels_fast(l, p, a, t, steps, out_u8, 0);
    return;
  }
  const simd_out q = {out_lo(l->out_bits, l->out_signed), out_hi(l->out_bits, l->out_signed), l->out_ch, l->out_signed};
  const uint32_t row_words = p->row_words;
  int32_t acc[12];
  uint32_t o = 0;
  for (; o + 4u <= q.out_ch; o += 4u) {
    for (uint32_t j = 0; j < 4u; j++) acc[j] = acc[j + 4u] = acc[j + 8u] = l->bias[o + j];
    if (steps == 1u) p->dot_4x1(a[0], p->rows + o * row_words, row_words, acc);
    else p->dot_4x3(a[0], a[1], steps == 3u ? a[2] : a[1], p->rows + o * row_words, row_words, acc);
    for (uint32_t k = 0; k < steps; k++)
      for (uint32_t j = 0; j < 4u; j++)
        simd_store(&q, (t + k) * q.out_ch + o + j, simd_requant(acc[4u * k + j], l->mul[o + j], l->shift[o + j], &q), out_u8, out_i32);
  }
  for (; o < q.out_ch; o++)
    for (uint32_t k = 0; k < steps; k++)
      simd_store(&q, (t + k) * q.out_ch + o,
                 simd_requant(p->dot_1x1(a[k], p->rows + o * row_words, row_words, l->bias[o]), l->mul[o], l->shift[o], &q),
                 out_u8, out_i32);
}

/* Packs n one-per-byte activations from a word-aligned `src` at `lane` bits into dst, with
 * n * lane a multiple of 32: 8 bits is a word copy; 4 and 2 bits fold 4 bytes per loaded word
 * (values already < 2^lane, so no masking of the inputs is needed). */
static void simd_pack_words(const uint8_t *src, uint32_t n, uint32_t lane, uint32_t *dst) {
  const uint32_t *s = (const uint32_t *)(const void *)src;
  const uint32_t words = n * lane / 32u;
  if (lane == 8u) {
    for (uint32_t i = 0; i < words; i++) dst[i] = s[i];
  } else if (lane == 4u) {
    for (uint32_t i = 0; i < words; i++, s += 2) {
      uint32_t u = s[0] | (s[0] >> 4), v = s[1] | (s[1] >> 4); /* bytes 0 and 2 hold nibble pairs */
      dst[i] = (u & 0xFFu) | ((u >> 8) & 0xFF00u) | ((v & 0xFFu) << 16) | ((v << 8) & 0xFF000000u);
    }
  } else {
    for (uint32_t i = 0; i < words; i++, s += 4) {
      uint32_t word = 0;
      for (uint32_t b = 0; b < 4u; b++) {
        uint32_t u = s[b] | (s[b] >> 6);      /* bits 0-3: elements 0,1; bits 16-19: elements 2,3 */
        u = (u & 0xFu) | ((u >> 12) & 0xF0u); /* one byte: elements 0..3 */
        word |= u << (8u * b);
      }
      dst[i] = word;
    }
  }
}

/* Whole-input packing: when a row of the input is a whole number of words at the lane width
 * and dilation is 1, the input is packed once per call, with padLeft / padRight zero rows, into
 * scratch; the patch of output step t is then the contiguous run of words starting at row
 * t * stride, read in place (no im2col per step). Otherwise each step gets its im2col row. */
static int simd_can_pack_input(const harm_layer *l, uint32_t lane, const uint8_t *in) {
  /* 8-bit lanes with whole-word rows need no packing: simd_conv_patch reads every patch in place
   * and copies words only for the padded edge steps (cheaper than copying the whole input). */
  if (lane == 8u && l->in_ch % 4u == 0u) return 0;
  return l->dilation == 1u && ((uint32_t)l->in_ch * lane) % 32u == 0u && ((uintptr_t)in & 3u) == 0u;
}

/* n bytes from a word-aligned src to any dst: one load per 4 bytes, stored as a word, two
 * halfwords or four bytes depending on dst's alignment. */
static void simd_copy_from_aligned(uint8_t *dst, const uint8_t *src, uint32_t n) {
  const uint32_t *s = (const uint32_t *)(const void *)src;
  if (((uintptr_t)dst & 3u) == 0u) {
    uint32_t *d = (uint32_t *)(void *)dst;
    for (; n >= 4u; n -= 4u) *d++ = *s++;
    dst = (uint8_t *)(void *)d;
  } else if (((uintptr_t)dst & 1u) == 0u) {
    uint16_t *d = (uint16_t *)(void *)dst;
    for (; n >= 4u; n -= 4u, d += 2, s++) {
      const uint32_t w = *s;
      d[0] = (uint16_t)w;
      d[1] = (uint16_t)(w >> 16);
    }
    dst = (uint8_t *)(void *)d;
  } else {
    for (; n >= 4u; n -= 4u, dst += 4, s++) {
      const uint32_t w = *s;
      dst[0] = (uint8_t)w;
      dst[1] = (uint8_t)(w >> 8);
      dst[2] = (uint8_t)(w >> 16);
      dst[3] = (uint8_t)(w >> 24);
    }
  }
  const uint8_t *tail = (const uint8_t *)(const void *)s;
  for (uint32_t i = 0; i < n; i++) dst[i] = tail[i];
}

static void simd_conv1d(const harm_layer *l, const uint8_t *in, uint8_t *out_u8, int32_t *out_i32, kernel_scratch *s) {
  const simd_plan p = simd_make_plan(l, s);
  const uint32_t *a[SIMD_STEPS];
  if (simd_can_pack_input(l, p.lane_bits, in)) {
    const uint32_t row_words = (uint32_t)l->in_ch * p.lane_bits / 32u;
    uint32_t *x = s->xpack;
    for (uint32_t i = 0; i < row_words * l->pad_left; i++) *x++ = 0;
    simd_pack_words(in, (uint32_t)l->in_len * l->in_ch, p.lane_bits, x);
    x += row_words * l->in_len;
    for (uint32_t i = 0; i < row_words * l->pad_right; i++) *x++ = 0;
    const uint32_t step_words = row_words * l->stride;
    for (uint32_t t = 0; t < l->out_len; t += SIMD_STEPS) {
      const uint32_t steps = l->out_len - t < SIMD_STEPS ? l->out_len - t : SIMD_STEPS;
      for (uint32_t k = 0; k < SIMD_STEPS; k++) a[k] = s->xpack + (t + (k < steps ? k : 0u)) * step_words;
      simd_channels(l, &p, a, t, steps, out_u8, out_i32);
    }
    return;
  }
  if (p.lane_bits == 8u && l->dilation == 1u && l->in_ch % 4u != 0u) {
    /* 8-bit lanes whose rows are not whole words (e.g. the 6-channel window): four copies of the
     * zero-padded input, copy j starting j bytes into its word, so that the patch of every step
     * (byte offset t * stride * C) starts on a word boundary in one of them and is read in place.
     * Bytes past a patch's end meet zero weight padding (checked at boot). */
    const uint32_t C = l->in_ch;
    const uint32_t padded = ((uint32_t)l->pad_left + l->in_len + l->pad_right) * C;
    const uint32_t copy_bytes = SIMD_SHIFTED_COPY_BYTES(padded);
    uint8_t *base = (uint8_t *)(void *)s->xpack;
    /* Patch starts are multiples of stride * C: with (stride * C) % 4 == 0 only copy 0 is read,
     * with 2 only copies 0 and 2 (the 6-channel window at stride 1); build just those. */
    const uint32_t start_res = (l->stride * C) & 3u;
    for (uint32_t j = 0; j < 4u; j++) {
      if ((start_res == 0u && j != 0u) || (start_res == 2u && (j & 1u) != 0u)) continue;
      uint8_t *d = base + j * copy_bytes + j;
      for (uint32_t i = 0; i < (uint32_t)l->pad_left * C; i++) *d++ = 0;
      simd_copy_from_aligned(d, in, (uint32_t)l->in_len * C);
      d += (uint32_t)l->in_len * C;
      for (uint32_t i = 0; i < (uint32_t)l->pad_right * C; i++) *d++ = 0;
    }
    for (uint32_t t = 0; t < l->out_len; t += SIMD_STEPS) {
      const uint32_t steps = l->out_len - t < SIMD_STEPS ? l->out_len - t : SIMD_STEPS;
      for (uint32_t k = 0; k < SIMD_STEPS; k++) {
        const uint32_t start = (t + (k < steps ? k : 0u)) * l->stride * C;
        const uint32_t j = (4u - (start & 3u)) & 3u;
        a[k] = (const uint32_t *)(const void *)(base + j * copy_bytes + j + start);
      }
      simd_channels(l, &p, a, t, steps, out_u8, out_i32);
    }
    return;
  }
  for (uint32_t t = 0; t < l->out_len; t += SIMD_STEPS) {
    const uint32_t steps = l->out_len - t < SIMD_STEPS ? l->out_len - t : SIMD_STEPS;
    for (uint32_t k = 0; k < SIMD_STEPS; k++) a[k] = k < steps ? simd_conv_patch(l, &p, in, t + k, s->col + k * s->col_words) : a[0];
    simd_channels(l, &p, a, t, steps, out_u8, out_i32);
  }
}

static void simd_linear(const harm_layer *l, const uint8_t *in, uint8_t *out_u8, int32_t *out_i32, kernel_scratch *s) {
  const simd_plan p = simd_make_plan(l, s);
  const uint32_t *a[SIMD_STEPS];
  a[0] = a[1] = a[2] = simd_linear_patch(l, &p, in, s->col);
  simd_channels(l, &p, a, 0, 1, out_u8, out_i32);
}

const kernel_set kernels_simd = {
    .name = "simd",
    .conv1d = simd_conv1d,
    .linear = simd_linear,
    .maxpool1d = simd_maxpool1d_u8,
    .avgpool1d = simd_avgpool1d_u8,
    .globalavgpool = simd_globalavgpool_u8,
};
