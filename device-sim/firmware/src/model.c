/* Boot-time validation of the model artifact in the model region (models/FORMAT.md,
 * "Validation"): every check a reader makes, in the order of the format description, reporting
 * the first violation as HARM_DETAIL(check, layer). Reads are bounds-checked against the region
 * before they happen. */
#include "harm.h"
#include "memory_map.h"

static uint32_t rd_u16(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }
static uint32_t rd_u32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

typedef struct {
  uint32_t net_begin; /* netOffset */
  uint32_t net_end;   /* metaOffset: tensors live in [net_begin, net_end) */
  uint32_t header_end; /* end of net header + stage table */
  uint32_t table_begin;
  uint32_t table_end;
} net_bounds;

/* A tensor [off, off + bytes) must be 4-byte aligned, inside the network section and clear of
 * the net header, stage table and layer table (FORMAT.md "Validation"). */
static int tensor_ok(const net_bounds *b, uint32_t off, uint32_t bytes) {
  if (off % 4u != 0u) return 0;
  if (off < b->net_begin || off > b->net_end || bytes > b->net_end - off) return 0;
  uint32_t end = off + bytes;
  if (off < b->header_end && end > b->net_begin) return 0;
  if (off < b->table_end && end > b->table_begin) return 0;
  return 1;
}

static int bits_248(uint32_t b) { return b == 2u || b == 4u || b == 8u; }

/* Shape a layer reads: the window, a backbone output, or the previous layer's output. */
typedef struct {
  uint32_t ch, len, bits, is_signed;
} act_shape;

static uint32_t check_bits(const harm_layer *l) {
  if (!bits_248(l->in_bits)) return HARM_CHECK_LAYER_BITS;
  if (l->in_signed > 1u || l->out_signed > 1u) return HARM_CHECK_LAYER_BITS;
  if (l->in_signed && l->in_bits != 8u) return HARM_CHECK_LAYER_BITS;
  if (l->out_signed ? (l->out_bits != 8u && l->out_bits != 16u) : !bits_248(l->out_bits))
    return HARM_CHECK_LAYER_BITS;
  int has_weights = l->kind == HARM_CONV1D || l->kind == HARM_LINEAR;
  if (has_weights ? !bits_248(l->weight_bits) : l->weight_bits != 0u) return HARM_CHECK_LAYER_BITS;
  if (!has_weights && (l->out_bits != l->in_bits || l->out_signed || l->in_signed))
    return HARM_CHECK_LAYER_BITS; /* pools: unsigned activations, outBits = inBits (ARITHMETIC.md 4) */
  return HARM_OK;
}

static uint32_t check_shape(const harm_layer *l) {
  if (l->in_ch == 0u || l->in_len == 0u || l->out_ch == 0u || l->out_len == 0u) return HARM_CHECK_LAYER_SHAPE;
  uint64_t macs = 0;
  switch (l->kind) {
    case HARM_CONV1D: {
      if (l->kernel < 1u || l->stride < 1u || l->dilation < 1u) return HARM_CHECK_LAYER_SHAPE;
      int32_t span = (int32_t)l->in_len + l->pad_left + l->pad_right - (int32_t)l->dilation * (l->kernel - 1) - 1;
      if (span < 0 || (uint32_t)span / l->stride + 1u != l->out_len) return HARM_CHECK_LAYER_SHAPE;
      macs = (uint64_t)l->out_len * l->out_ch * l->kernel * l->in_ch;
      break;
    }
    case HARM_MAXPOOL1D:
    case HARM_AVGPOOL1D:
      if (l->kernel < 1u || l->stride < 1u || l->dilation != 1u || l->pad_left || l->pad_right) return HARM_CHECK_LAYER_SHAPE;
      if (l->out_ch != l->in_ch || l->in_len < l->kernel) return HARM_CHECK_LAYER_SHAPE;
      if ((uint32_t)(l->in_len - l->kernel) / l->stride + 1u != l->out_len) return HARM_CHECK_LAYER_SHAPE;
      break;
    case HARM_GLOBALAVGPOOL:
      if (l->kernel != 0u || l->stride != 1u || l->dilation != 1u || l->pad_left || l->pad_right) return HARM_CHECK_LAYER_SHAPE;
      if (l->out_ch != l->in_ch || l->out_len != 1u) return HARM_CHECK_LAYER_SHAPE;
      break;
    case HARM_LINEAR:
      if (l->kernel != 1u || l->stride != 1u || l->dilation != 1u || l->pad_left || l->pad_right || l->out_len != 1u)
        return HARM_CHECK_LAYER_SHAPE;
      macs = (uint64_t)l->out_ch * l->in_len * l->in_ch;
      break;
    default:
      return HARM_CHECK_LAYER_KIND;
  }
  if (macs != l->macs) return HARM_CHECK_LAYER_MACS;
  return HARM_OK;
}

static int32_t weight_at(const uint8_t *row, uint32_t i, uint32_t bits) {
  uint32_t bit = i * bits;
  uint32_t v = ((uint32_t)row[bit >> 3] >> (bit & 7u)) & ((1u << bits) - 1u);
  uint32_t sign = 1u << (bits - 1u);
  return (int32_t)(v ^ sign) - (int32_t)sign;
}

/* Tensors, requantization ranges and the accumulator bound (ARITHMETIC.md 3). */
static uint32_t check_params(const net_bounds *b, const uint8_t *base, const uint8_t *rec, harm_layer *l) {
  uint32_t w_off = rd_u32(rec + 20), w_bytes = rd_u32(rec + 24);
  uint32_t b_off = rd_u32(rec + 28), m_off = rd_u32(rec + 32), s_off = rd_u32(rec + 36);
  if (l->kind != HARM_CONV1D && l->kind != HARM_LINEAR) {
    if (w_off || w_bytes || b_off || m_off || s_off) return HARM_CHECK_TENSOR;
    return HARM_OK;
  }
  l->row_elems = l->kind == HARM_CONV1D ? (uint32_t)l->kernel * l->in_ch : (uint32_t)l->in_len * l->in_ch;
  l->row_bytes = (l->row_elems * l->weight_bits + 31u) / 32u * 4u;
  uint32_t per_ch4 = (uint32_t)l->out_ch * 4u;
  uint32_t shift_bytes = ((uint32_t)l->out_ch + 3u) & ~3u;
  if ((uint64_t)l->out_ch * l->row_bytes != w_bytes) return HARM_CHECK_TENSOR;
  if (!tensor_ok(b, w_off, w_bytes) || !tensor_ok(b, b_off, per_ch4) || !tensor_ok(b, m_off, per_ch4) ||
      !tensor_ok(b, s_off, shift_bytes))
    return HARM_CHECK_TENSOR;
  l->weights = base + w_off;
  l->bias = (const int32_t *)(const void *)(base + b_off);
  l->mul = (const int32_t *)(const void *)(base + m_off);
  l->shift = base + s_off;
  /* FORMAT.md "Weight packing": padding bits at the end of a row are 0. */
  const uint32_t used_bits = l->row_elems * l->weight_bits;
  for (uint32_t o = 0; o < l->out_ch; o++) {
    const uint8_t *row = l->weights + o * l->row_bytes;
    for (uint32_t bit = used_bits; bit < l->row_bytes * 8u; bit++)
      if ((row[bit >> 3] >> (bit & 7u)) & 1u) return HARM_CHECK_WEIGHT_PADDING;
  }
  uint64_t xmax = l->in_signed ? 128u : (1u << l->in_bits) - 1u;
  l->requant32 = 1;
  for (uint32_t o = 0; o < l->out_ch; o++) {
    if (l->mul[o] < 0 || l->mul[o] > 32767 || l->shift[o] > 46u) return HARM_CHECK_REQUANT;
    const uint8_t *row = l->weights + o * l->row_bytes;
    int32_t bias = l->bias[o];
    uint64_t bound = bias < 0 ? (uint64_t)(-(int64_t)bias) : (uint64_t)bias;
    for (uint32_t i = 0; i < l->row_elems; i++) {
      int32_t w = weight_at(row, i, l->weight_bits);
      bound += (uint64_t)(w < 0 ? -w : w) * xmax;
    }
    if (bound > 0x7FFFFFFFu) return HARM_CHECK_ACC_BOUND;
    uint64_t round = l->shift[o] > 0u ? (uint64_t)1u << (l->shift[o] - 1u) : 0u;
    if (l->shift[o] > 30u || bound * (uint64_t)l->mul[o] + round > 0x7FFFFFFFu) l->requant32 = 0;
  }
  return HARM_OK;
}

static uint32_t load_layer(const net_bounds *b, const uint8_t *base, uint32_t index, const act_shape *in,
                           harm_model *m) {
  const uint8_t *rec = base + b->table_begin + index * HARM_LAYER_RECORD_BYTES;
  harm_layer *l = &m->layers[index];
  l->kind = rec[0];
  l->in_bits = rec[1];
  l->in_signed = rec[2];
  l->out_bits = rec[3];
  l->out_signed = rec[4];
  l->weight_bits = rec[5];
  l->kernel = rec[6];
  l->stride = rec[7];
  l->dilation = rec[8];
  l->pad_left = rec[9];
  l->pad_right = rec[10];
  l->in_ch = (uint16_t)rd_u16(rec + 12);
  l->in_len = (uint16_t)rd_u16(rec + 14);
  l->out_ch = (uint16_t)rd_u16(rec + 16);
  l->out_len = (uint16_t)rd_u16(rec + 18);
  l->macs = rd_u32(rec + 40);
  l->row_elems = 0;
  l->row_bytes = 0;
  l->weights = 0;
  l->bias = 0;
  l->mul = 0;
  l->shift = 0;
  l->requant32 = 0;
  l->wq = 0;
  l->rq = 0;
  l->rq_kind = HARM_RQ_NONE;
  if (l->kind < HARM_CONV1D || l->kind > HARM_LINEAR) return HARM_DETAIL(HARM_CHECK_LAYER_KIND, index);
  if (rec[11] != 0u || rd_u32(rec + 44) != 0u) return HARM_DETAIL(HARM_CHECK_LAYER_SHAPE, index); /* reserved */
  uint32_t c = check_bits(l);
  if (c == HARM_OK) c = check_shape(l);
  if (c != HARM_OK) return HARM_DETAIL(c, index);
  if (l->in_ch != in->ch || l->in_len != in->len || l->in_bits != in->bits || l->in_signed != in->is_signed)
    return HARM_DETAIL(HARM_CHECK_LAYER_SHAPE, index);
  c = check_params(b, base, rec, l);
  return c == HARM_OK ? 0u : HARM_DETAIL(c, index);
}

static uint32_t load_stages(const net_bounds *b, const uint8_t *base, harm_model *m) {
  const act_shape window = {m->in_channels, m->window_samples, 8u, 1u};
  act_shape prev_backbone = window;
  uint32_t next_layer = 0;
  for (uint32_t s = 0; s < m->stage_count; s++) {
    const uint8_t *rec = base + b->net_begin + HARM_NET_HEADER_BYTES + s * HARM_STAGE_RECORD_BYTES;
    harm_stage *st = &m->stages[s];
    st->input_source = rec[0];
    st->first_layer = (uint16_t)rd_u16(rec + 2);
    st->backbone_layers = (uint16_t)rd_u16(rec + 4);
    st->head_layers = (uint16_t)rd_u16(rec + 6);
    if (st->input_source > 1u || (s == 0u && st->input_source != 0u) || rec[1] != 0u || st->head_layers < 1u ||
        st->first_layer != next_layer ||
        (uint32_t)st->backbone_layers + st->head_layers > (uint32_t)m->layer_count - next_layer)
      return HARM_DETAIL(HARM_CHECK_STAGES, HARM_NO_LAYER);
    act_shape cur = st->input_source ? prev_backbone : window;
    for (uint32_t i = 0; i < st->backbone_layers; i++) {
      uint32_t d = load_layer(b, base, next_layer, &cur, m);
      if (d) return d;
      const harm_layer *l = &m->layers[next_layer];
      cur = (act_shape){l->out_ch, l->out_len, l->out_bits, l->out_signed};
      next_layer++;
    }
    const act_shape backbone = cur;
    for (uint32_t i = 0; i < st->head_layers; i++) {
      uint32_t d = load_layer(b, base, next_layer, &cur, m);
      if (d) return d;
      const harm_layer *l = &m->layers[next_layer];
      int last = i + 1u == st->head_layers;
      int head_shape = (l->kind == HARM_CONV1D || l->kind == HARM_LINEAR) && l->out_ch == m->class_count &&
                       l->out_len == 1u && l->out_signed == 1u;
      if (last != 0 ? !head_shape : l->out_signed != 0u) return HARM_DETAIL(HARM_CHECK_HEAD, next_layer);
      cur = (act_shape){l->out_ch, l->out_len, l->out_bits, l->out_signed};
      next_layer++;
    }
    prev_backbone = backbone;
  }
  if (next_layer != m->layer_count) return HARM_DETAIL(HARM_CHECK_STAGES, HARM_NO_LAYER);
  return 0;
}

uint32_t harm_load(const uint8_t *base, uint32_t region_bytes, harm_model *m) {
  if (region_bytes < HARM_HEADER_BYTES) return HARM_DETAIL(HARM_CHECK_FILE_BYTES, HARM_NO_LAYER);
  if (base[0] != 'H' || base[1] != 'A' || base[2] != 'R' || base[3] != 'M') return HARM_DETAIL(HARM_CHECK_MAGIC, HARM_NO_LAYER);
  if (rd_u16(base + 4) != 1u) return HARM_DETAIL(HARM_CHECK_VERSION, HARM_NO_LAYER);
  if (rd_u16(base + 6) != HARM_HEADER_BYTES) return HARM_DETAIL(HARM_CHECK_HEADER_BYTES, HARM_NO_LAYER);
  uint32_t file_bytes = rd_u32(base + 8);
  if (file_bytes > region_bytes || file_bytes < HARM_HEADER_BYTES + HARM_NET_HEADER_BYTES || file_bytes % 4u != 0u)
    return HARM_DETAIL(HARM_CHECK_FILE_BYTES, HARM_NO_LAYER);
  uint32_t net_offset = rd_u32(base + 16), net_bytes = rd_u32(base + 20);
  uint32_t meta_offset = rd_u32(base + 24), meta_bytes = rd_u32(base + 28);
  if (net_offset != HARM_HEADER_BYTES || net_bytes % 4u != 0u || net_bytes > file_bytes - net_offset ||
      meta_offset != net_offset + net_bytes || net_bytes < HARM_NET_HEADER_BYTES)
    return HARM_DETAIL(HARM_CHECK_SECTIONS, HARM_NO_LAYER);
  if (meta_bytes > file_bytes - meta_offset || meta_offset + ((meta_bytes + 3u) & ~3u) != file_bytes)
    return HARM_DETAIL(HARM_CHECK_FILE_BYTES, HARM_NO_LAYER);
  if (harm_crc32(base + 16, file_bytes - 16u) != rd_u32(base + 12)) return HARM_DETAIL(HARM_CHECK_CRC, HARM_NO_LAYER);
  for (uint32_t i = meta_offset + meta_bytes; i < file_bytes; i++) /* metadata zero padding */
    if (base[i] != 0u) return HARM_DETAIL(HARM_CHECK_SECTIONS, HARM_NO_LAYER);

  const uint8_t *net = base + net_offset;
  m->in_channels = (uint16_t)rd_u16(net + 0);
  m->window_samples = (uint16_t)rd_u16(net + 2);
  m->class_count = (uint16_t)rd_u16(net + 4);
  m->stage_count = net[6];
  uint32_t input_bits = net[7];
  m->layer_count = (uint16_t)rd_u16(net + 8);
  uint32_t table = rd_u32(net + 12);
  net_bounds b;
  b.net_begin = net_offset;
  b.net_end = meta_offset;
  b.header_end = net_offset + HARM_NET_HEADER_BYTES + (uint32_t)m->stage_count * HARM_STAGE_RECORD_BYTES;
  b.table_begin = table;
  b.table_end = table + (uint32_t)m->layer_count * HARM_LAYER_RECORD_BYTES;
  if (m->stage_count < 1u || m->stage_count > HARM_MAX_STAGES || input_bits != 8u || rd_u16(net + 10) != 0u ||
      m->layer_count < 1u || m->in_channels < 1u || m->window_samples < 1u || m->class_count < 1u ||
      b.header_end > meta_offset || table % 4u != 0u || table < b.header_end || table > meta_offset ||
      (uint32_t)m->layer_count * HARM_LAYER_RECORD_BYTES > meta_offset - table)
    return HARM_DETAIL(HARM_CHECK_NET_HEADER, HARM_NO_LAYER);
  if (m->layer_count > HARM_MAX_LAYERS || m->class_count > MAILBOX_MAX_SCORES ||
      (uint32_t)m->in_channels * m->window_samples > MAILBOX_MAX_WINDOW_BYTES)
    return HARM_DETAIL(HARM_CHECK_LIMITS, HARM_NO_LAYER);
  return load_stages(&b, base, m);
}
