/* Running a validated model: arena planning and the adaptive policy (models/ARITHMETIC.md 5-7). */
#ifndef HAR_NETWORK_H
#define HAR_NETWORK_H

#include "harm.h"
#include "kernels.h"
#include "memory_map.h"

/* Arena layout, computed from the model (no guessing, no malloc): three activation buffers
 * (input, output and the kept backbone output of an early-exit stage), three im2col rows and the
 * widened-weight and packed-input buffers of the optimized kernels. */
typedef struct {
  uint32_t act_bytes;  /* one activation buffer, 4-byte multiple */
  uint32_t col_words;  /* one im2col row at 8-bit lanes */
  uint32_t wexp_words; /* widest re-packed weight tensor */
  uint32_t xpack_words; /* widest padded conv1d input, packed (at most one byte per element) */
  uint32_t total_bytes;
  /* Optional, after total_bytes: every weighted layer prepared once at boot for the optimized
   * kernels (src/prepare.c: interleaved lane-width weights and requantization records). */
  uint32_t prepared_bytes;
} net_plan;

#define NET_ACT_BUFFERS 3u
/* im2col rows: one per output step of the optimized conv1d inner loop (SIMD_STEPS). */
#define NET_COL_ROWS 3u

typedef struct {
  int32_t scores[MAILBOX_MAX_SCORES];
  uint32_t class_index;
  uint32_t margin;
  uint32_t exit_taken;
  uint32_t macs;
} net_result;

void net_plan_arena(const harm_model *m, net_plan *plan);

/* If the arena has room after plan->total_bytes for every prepared layer (src/prepare.c), prepares
 * them there once and returns 1 (the optimized kernels then run their fast path); else 0 (they
 * widen weights per call and requantize in the general forms). The model keeps pointers into
 * the arena. */
int net_prepare_layers(harm_model *m, const net_plan *plan, uint8_t *arena, uint32_t arena_bytes);
/* Chooses layer l's requantization form (harm.h, enum harm_rq_kind) and writes its per-channel
 * records {bias, p1, p2, p3} to rec (4 * out_ch words); sets l->rq and l->rq_kind. */
void net_prepare_requant(harm_layer *l, int32_t *rec);
/* Bytes net_prepare_layers needs for layer l (0 for pooling layers). */
uint32_t net_prepared_bytes(const harm_layer *l);

/* Runs the stages on `window` (int8, [windowSamples][inChannels]) with threshold T
 * (ARITHMETIC.md 6). `arena` must hold plan->total_bytes, 4-byte aligned. */
void net_run(const harm_model *m, const net_plan *plan, uint8_t *arena, const int8_t *window, uint32_t threshold,
             const kernel_set *kernels, net_result *result);

#endif
