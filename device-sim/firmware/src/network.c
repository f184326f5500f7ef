/* The adaptive executor (models/ARITHMETIC.md 5-7, FORMAT.md "Stage table"): stages run in
 * order; after a stage that is not the last, continue iff margin < threshold (unsigned). A stage
 * with inputSource = 1 reads the previous stage's backbone output, which stays in its arena
 * buffer while the head runs; inputSource = 0 reads the window again (cascade). */
#include "network.h"

static uint32_t round4(uint32_t v) { return (v + 3u) & ~3u; }

void net_plan_arena(const harm_model *m, net_plan *plan) {
  uint32_t act = 0, col = 0, wexp = 0, xpack = 0, prepared = 0;
  for (uint32_t i = 0; i < m->layer_count; i++) {
    const harm_layer *l = &m->layers[i];
    uint32_t out = (uint32_t)l->out_ch * l->out_len;
    if (!l->out_signed && out > act) act = out;
    if (l->kind == HARM_CONV1D || l->kind == HARM_LINEAR) {
      uint32_t words8 = (l->row_elems + 3u) / 4u;
      if (words8 > col) col = words8;
      uint32_t lane = l->weight_bits > l->in_bits ? l->weight_bits : l->in_bits;
      if (l->kind == HARM_CONV1D) {
        uint32_t padded = ((uint32_t)l->in_len + l->pad_left + l->pad_right) * l->in_ch;
        /* packed at the lane width (<= one byte per element), or four shifted byte copies */
        uint32_t words = 4u * SIMD_SHIFTED_COPY_BYTES(padded) / 4u;
        if (words > xpack) xpack = words;
      }
      if (l->weight_bits < lane) {
        uint32_t words = (uint32_t)l->out_ch * ((l->row_elems * lane + 31u) / 32u);
        if (words > wexp) wexp = words;
      }
      prepared += net_prepared_bytes(l);
    }
  }
  plan->act_bytes = round4(act) + 4u; /* + one word: in-place 8-bit rows may read it (never used) */
  plan->col_words = col;
  plan->wexp_words = wexp;
  plan->xpack_words = xpack;
  plan->total_bytes = NET_ACT_BUFFERS * plan->act_bytes + NET_COL_ROWS * col * 4u + wexp * 4u + xpack * 4u;
  plan->prepared_bytes = prepared;
}

/* An arena buffer that is neither the current input nor the kept backbone output. */
static int pick_buffer(int busy_a, int busy_b) {
  for (int i = 0; i < (int)NET_ACT_BUFFERS; i++)
    if (i != busy_a && i != busy_b) return i;
  return -1; /* unreachable: three buffers, at most two busy */
}

/* ARITHMETIC.md 5: class = smallest index of the maximum; margin = top-1 minus top-2. */
static void net_decide(const int32_t *scores, uint32_t n, uint32_t *class_index, uint32_t *margin) {
  uint32_t best = 0;
  for (uint32_t i = 1; i < n; i++)
    if (scores[i] > scores[best]) best = i;
  int32_t second = 0;
  int have_second = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (i == best) continue;
    if (!have_second || scores[i] > second) second = scores[i];
    have_second = 1;
  }
  *class_index = best;
  *margin = have_second ? (uint32_t)(scores[best] - second) : 0u;
}

static void net_layer(const harm_layer *l, const kernel_set *k, const uint8_t *in, uint8_t *out, int32_t *scores,
                      kernel_scratch *s) {
  switch (l->kind) {
    case HARM_CONV1D: k->conv1d(l, in, out, scores, s); break;
    case HARM_LINEAR: k->linear(l, in, out, scores, s); break;
    case HARM_MAXPOOL1D: k->maxpool1d(l, in, out); break;
    case HARM_AVGPOOL1D: k->avgpool1d(l, in, out); break;
    default: k->globalavgpool(l, in, out); break;
  }
}

void net_run(const harm_model *m, const net_plan *plan, uint8_t *arena, const int8_t *window, uint32_t threshold,
             const kernel_set *kernels, net_result *r) {
  uint8_t *buf[NET_ACT_BUFFERS];
  for (uint32_t i = 0; i < NET_ACT_BUFFERS; i++) buf[i] = arena + i * plan->act_bytes;
  kernel_scratch scratch;
  scratch.col = (uint32_t *)(void *)(arena + NET_ACT_BUFFERS * plan->act_bytes);
  scratch.col_words = plan->col_words;
  scratch.wexp = scratch.col + NET_COL_ROWS * plan->col_words;
  scratch.wexp_words = plan->wexp_words;
  scratch.xpack = scratch.wexp + plan->wexp_words;
  scratch.xpack_words = plan->xpack_words;

  const uint8_t *win = (const uint8_t *)window;
  int prev_backbone = -1; /* buffer of the previous stage's backbone output; -1 = the window */
  r->macs = 0;
  for (uint32_t s = 0; s < m->stage_count; s++) {
    const harm_stage *st = &m->stages[s];
    int cur = st->input_source ? prev_backbone : -1;
    uint32_t li = st->first_layer;
    for (uint32_t i = 0; i < st->backbone_layers; i++, li++) {
      int out = pick_buffer(cur, -1);
      net_layer(&m->layers[li], kernels, cur < 0 ? win : buf[cur], buf[out], r->scores, &scratch);
      r->macs += m->layers[li].macs;
      cur = out;
    }
    const int backbone = cur;
    for (uint32_t i = 0; i < st->head_layers; i++, li++) {
      int out = pick_buffer(cur, backbone);
      net_layer(&m->layers[li], kernels, cur < 0 ? win : buf[cur], buf[out], r->scores, &scratch);
      r->macs += m->layers[li].macs;
      cur = out;
    }
    prev_backbone = backbone;
    net_decide(r->scores, m->class_count, &r->class_index, &r->margin);
    r->exit_taken = s;
    if (s + 1u < m->stage_count && !(r->margin < threshold)) break;
  }
}
