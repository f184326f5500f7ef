/* The plain reference kernels: the formulas of models/ARITHMETIC.md written out one
 * multiply-accumulate at a time, for every precision (weights i2/i4/i8 unpacked on the fly from
 * the packed rows of FORMAT.md "Weight packing"; inputs s8 or u2/u4/u8 one per byte). */
#include "kernels.h"
#include "requant.h"

/* Element i of a packed row of `bits`-bit signed weights (FORMAT.md "Weight packing"). */
static int32_t ref_weight_i(const uint8_t *row, uint32_t i, uint32_t bits) {
  uint32_t bit = i * bits;
  uint32_t v = ((uint32_t)row[bit >> 3] >> (bit & 7u)) & ((1u << bits) - 1u);
  uint32_t sign = 1u << (bits - 1u);
  return (int32_t)(v ^ sign) - (int32_t)sign;
}

static int32_t ref_act(const uint8_t *in, uint32_t i, uint32_t is_signed) {
  return is_signed ? (int32_t)(int8_t)in[i] : (int32_t)in[i];
}

static void ref_store(const harm_layer *l, uint32_t index, int32_t acc, uint32_t o, uint8_t *out_u8, int32_t *out_i32) {
  int32_t v = requant_clamped(acc, l->mul[o], l->shift[o], out_lo(l->out_bits, l->out_signed),
                              out_hi(l->out_bits, l->out_signed));
  if (l->out_signed) out_i32[index] = v;
  else out_u8[index] = (uint8_t)v;
}

/* ARITHMETIC.md 3: acc = bias[o] + sum_k sum_c x[t*stride + k*dilation - padLeft][c] * w[o][k][c],
 * with x = 0 outside [0, inLen). */
static void ref_conv1d(const harm_layer *l, const uint8_t *in, uint8_t *out_u8, int32_t *out_i32, kernel_scratch *s) {
  (void)s;
  const uint32_t C = l->in_ch;
  for (uint32_t t = 0; t < l->out_len; t++) {
    for (uint32_t o = 0; o < l->out_ch; o++) {
      const uint8_t *row = l->weights + o * l->row_bytes;
      int32_t acc = l->bias[o];
      for (uint32_t k = 0; k < l->kernel; k++) {
        int32_t pos = (int32_t)(t * l->stride + k * l->dilation) - (int32_t)l->pad_left;
        if (pos < 0 || pos >= (int32_t)l->in_len) continue;
        for (uint32_t c = 0; c < C; c++)
          acc += ref_act(in, (uint32_t)pos * C + c, l->in_signed) * ref_weight_i(row, k * C + c, l->weight_bits);
      }
      ref_store(l, t * l->out_ch + o, acc, o, out_u8, out_i32);
    }
  }
}

/* FORMAT.md: the input [inLen][inCh] flattened time-major; weights [outCh][inLen * inCh]. */
static void ref_linear(const harm_layer *l, const uint8_t *in, uint8_t *out_u8, int32_t *out_i32, kernel_scratch *s) {
  (void)s;
  for (uint32_t o = 0; o < l->out_ch; o++) {
    const uint8_t *row = l->weights + o * l->row_bytes;
    int32_t acc = l->bias[o];
    for (uint32_t i = 0; i < l->row_elems; i++)
      acc += ref_act(in, i, l->in_signed) * ref_weight_i(row, i, l->weight_bits);
    ref_store(l, o, acc, o, out_u8, out_i32);
  }
}

/* ARITHMETIC.md 4: out[t][c] = max_k x[t*stride + k][c]. */
void ref_maxpool1d_u8(const harm_layer *l, const uint8_t *in, uint8_t *out) {
  const uint32_t C = l->in_ch;
  for (uint32_t t = 0; t < l->out_len; t++) {
    for (uint32_t c = 0; c < C; c++) {
      uint32_t m = 0;
      for (uint32_t k = 0; k < l->kernel; k++) {
        uint32_t v = in[(t * l->stride + k) * C + c];
        if (v > m) m = v;
      }
      out[t * C + c] = (uint8_t)m;
    }
  }
}

/* ARITHMETIC.md 4: out[t][c] = floor((s + floor(K/2)) / K). */
void ref_avgpool1d_u8(const harm_layer *l, const uint8_t *in, uint8_t *out) {
  const uint32_t C = l->in_ch, K = l->kernel;
  for (uint32_t t = 0; t < l->out_len; t++) {
    for (uint32_t c = 0; c < C; c++) {
      uint32_t s = 0;
      for (uint32_t k = 0; k < K; k++) s += in[(t * l->stride + k) * C + c];
      out[t * C + c] = (uint8_t)((s + K / 2u) / K);
    }
  }
}

/* ARITHMETIC.md 4: out[0][c] = floor((s + floor(L/2)) / L), L = inLen. */
void ref_globalavgpool_u8(const harm_layer *l, const uint8_t *in, uint8_t *out) {
  const uint32_t C = l->in_ch, L = l->in_len;
  for (uint32_t c = 0; c < C; c++) {
    uint32_t s = 0;
    for (uint32_t t = 0; t < L; t++) s += in[t * C + c];
    out[c] = (uint8_t)((s + L / 2u) / L);
  }
}

const kernel_set kernels_ref = {
    .name = "ref",
    .conv1d = ref_conv1d,
    .linear = ref_linear,
    .maxpool1d = ref_maxpool1d_u8,
    .avgpool1d = ref_avgpool1d_u8,
    .globalavgpool = ref_globalavgpool_u8,
};
