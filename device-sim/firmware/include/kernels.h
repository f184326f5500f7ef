/* Kernel interface shared by the plain reference set (src/kernels_ref.c) and the optimized set
 * (src/kernels_simd.c). Both are bit-exact implementations of models/ARITHMETIC.md sections 3-4.
 *
 * Activations live in the arena one element per byte (int8 for the input window, uint8 for the
 * 2/4/8-bit unsigned hidden activations), time-major: element [t][c] at t * C + c. A head's last
 * layer (outSigned = 1) writes int32 scores instead.
 *
 * Names carry what they compute: conv1d_<in>_<w> style names are resolved at run time from the
 * layer's bit-widths (in: s8 window or u2/u4/u8 activations; weights: i2/i4/i8), so one body per
 * kernel kind serves every precision instead of one generated file per combination. */
#ifndef HAR_KERNELS_H
#define HAR_KERNELS_H

#include "harm.h"

/* Caller-owned scratch space inside the arena (sizes from net_plan_arena in network.h). */
typedef struct {
  uint32_t *col;       /* three im2col rows: 3 * col_words words */
  uint32_t col_words;  /* words of one im2col row at 8-bit lanes (the widest) */
  uint32_t *wexp;      /* weights re-packed at a wider lane width (optimized set only) */
  uint32_t wexp_words;
  uint32_t *xpack;     /* a conv1d input packed at its lane width with its zero padding */
  uint32_t xpack_words;
} kernel_scratch;

/* `out_u8` receives unsigned activations; `out_i32` receives the scores of a signed layer. */
typedef void (*weighted_kernel)(const harm_layer *l, const uint8_t *in, uint8_t *out_u8, int32_t *out_i32,
                                kernel_scratch *scratch);
typedef void (*pool_kernel)(const harm_layer *l, const uint8_t *in, uint8_t *out);

typedef struct {
  const char *name;
  weighted_kernel conv1d;
  weighted_kernel linear;
  pool_kernel maxpool1d;
  pool_kernel avgpool1d;
  pool_kernel globalavgpool;
} kernel_set;

/* Bytes of one of the four shifted copies of a padded 8-bit conv1d input (src/kernels_simd.c):
 * the data, up to 3 bytes of shift and 4 bytes a last partial word may read, rounded to words. */
#define SIMD_SHIFTED_COPY_BYTES(padded_bytes) ((((padded_bytes) + 7u) + 3u) & ~3u)

/* Lane width of the optimized kernels for a layer: max(inBits, weightBits). */
static inline uint32_t simd_lane_bits(const harm_layer *l) { return l->weight_bits > l->in_bits ? l->weight_bits : l->in_bits; }
/* Words of one weight row re-packed at the lane width. */
static inline uint32_t simd_row_words(const harm_layer *l) { return (l->row_elems * simd_lane_bits(l) + 31u) / 32u; }
/* Element i of a packed row of `bits`-bit signed weights (FORMAT.md "Weight packing"). */
int32_t simd_weight_i(const uint8_t *row, uint32_t i, uint32_t bits);
/* Re-packs weight row o of l at `lane` bits (sign-extended), word n to dst[n * stride_words]. */
void simd_widen_row(const harm_layer *l, uint32_t o, uint32_t lane, uint32_t *dst, uint32_t stride_words);

extern const kernel_set kernels_ref;  /* plain C, one MAC per multiply */
extern const kernel_set kernels_simd; /* custom-0 SIMD dot products (docs/ARCHITECTURE.md) */

/* Plain pooling (ARITHMETIC.md 4): the reference set's, and the optimized set's fallback for
 * rows that are not whole words (and avgpool kernels that are not a power of two). */
void ref_maxpool1d_u8(const harm_layer *l, const uint8_t *in, uint8_t *out);
void ref_avgpool1d_u8(const harm_layer *l, const uint8_t *in, uint8_t *out);
void ref_globalavgpool_u8(const harm_layer *l, const uint8_t *in, uint8_t *out);
/* The optimized set's pooling, 4 channels per word (src/pool_simd.c). */
void simd_maxpool1d_u8(const harm_layer *l, const uint8_t *in, uint8_t *out);
void simd_avgpool1d_u8(const harm_layer *l, const uint8_t *in, uint8_t *out);
void simd_globalavgpool_u8(const harm_layer *l, const uint8_t *in, uint8_t *out);

#endif
