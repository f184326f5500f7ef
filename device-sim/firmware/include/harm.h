/* The model artifact as the firmware sees it (models/FORMAT.md, version 1): the parsed header,
 * stage table and layer table, and the boot-time validation that fills them. The firmware reads
 * the header and the network section only; the metadata JSON is never parsed here. */
#ifndef HAR_HARM_H
#define HAR_HARM_H

#include <stdint.h>

#define HARM_HEADER_BYTES 32u
#define HARM_NET_HEADER_BYTES 16u
#define HARM_STAGE_RECORD_BYTES 8u
#define HARM_LAYER_RECORD_BYTES 48u
#define HARM_MAX_STAGES 4u
/* Firmware limit (not a format limit): layers over all stages. */
#define HARM_MAX_LAYERS 64u

/* FORMAT.md "Layer table", field kind */
enum harm_kind {
  HARM_CONV1D = 1,
  HARM_MAXPOOL1D = 2,
  HARM_AVGPOOL1D = 3,
  HARM_GLOBALAVGPOOL = 4,
  HARM_LINEAR = 5,
};

/* Which validation failed: the high 16 bits of MAILBOX_ERROR_DETAIL on ERROR_MODEL (the low 16
 * bits hold the layer index, or 0xFFFF when the check is not about one layer). Mirrored by
 * device-sim/twin/model-errors.ts: keep the two lists in the same order. */
enum harm_check {
  HARM_OK = 0,
  HARM_CHECK_MAGIC = 1,        /* header magic is not "HARM" */
  HARM_CHECK_VERSION = 2,      /* version != 1 */
  HARM_CHECK_HEADER_BYTES = 3, /* headerBytes != 32 */
  HARM_CHECK_FILE_BYTES = 4,   /* fileBytes larger than the model region or inconsistent */
  HARM_CHECK_CRC = 5,          /* CRC-32 of [16, fileBytes) differs */
  HARM_CHECK_SECTIONS = 6,     /* netOffset / netBytes / metaOffset / metaBytes */
  HARM_CHECK_NET_HEADER = 7,   /* stageCount, inputBits, layerCount, layer table placement */
  HARM_CHECK_STAGES = 8,       /* stage table not contiguous / inputSource / headLayers */
  HARM_CHECK_LAYER_KIND = 9,   /* unknown layer kind */
  HARM_CHECK_LAYER_BITS = 10,  /* bit-widths or signedness outside the allowed sets */
  HARM_CHECK_LAYER_SHAPE = 11, /* shape chain, outLen formula, kernel/stride/dilation */
  HARM_CHECK_LAYER_MACS = 12,  /* macs field differs from the formula */
  HARM_CHECK_TENSOR = 13,      /* tensor offset/size/alignment/overlap */
  HARM_CHECK_REQUANT = 14,     /* mul outside [0, 32767] or shift > 46 */
  HARM_CHECK_ACC_BOUND = 15,   /* ARITHMETIC.md section 3 accumulator bound broken */
  HARM_CHECK_HEAD = 16,        /* a head's last layer is not a classCount-wide signed output */
  HARM_CHECK_LIMITS = 17,      /* beyond this firmware's limits (layers, classes, window size) */
  HARM_CHECK_WEIGHT_PADDING = 18, /* non-zero padding bits at the end of a packed weight row */
};

/* Forms of the ARITHMETIC.md section 3 requantization, each exactly equal to it over every
 * accumulator the layer can produce (proofs in src/prepare.c); p1..p3 of harm_layer.rq:
 *   HARM_RQ_THRESH2  2-bit unsigned output: out = [t1 < acc] + [t2 < acc] + [t3 < acc], where
 *                    tk = the largest int32 acc whose requantized output is below k;
 *   HARM_RQ_MUL32    unsigned output, out = clip((acc * m + r) >> s) in int32: {m, r, s};
 *   HARM_RQ_MULH     unsigned output, out = clip((mulh(acc, M * 2^(32-j)) + 2^(S-1-j)) >> (S-j)):
 *                    {M * 2^(32-j), 2^(S-1-j), S-j} (one high-half multiply, j <= S - 1);
 *   HARM_RQ_GENERAL  anything else, signed outputs included: {M, S, 0} through the int64 form. */
enum harm_rq_kind { HARM_RQ_NONE = 0, HARM_RQ_THRESH2 = 1, HARM_RQ_MUL32 = 2, HARM_RQ_MULH = 3, HARM_RQ_GENERAL = 4 };

#define HARM_NO_LAYER 0xFFFFu
#define HARM_DETAIL(check, layer) (((uint32_t)(check) << 16) | ((uint32_t)(layer) & 0xFFFFu))

typedef struct {
  uint8_t kind;
  uint8_t in_bits;
  uint8_t in_signed;
  uint8_t out_bits;
  uint8_t out_signed;
  uint8_t weight_bits;
  uint8_t kernel;
  uint8_t stride;
  uint8_t dilation;
  uint8_t pad_left;
  uint8_t pad_right;
  uint16_t in_ch;
  uint16_t in_len;
  uint16_t out_ch;
  uint16_t out_len;
  uint32_t row_elems; /* conv1d: kernel * inCh; linear: inLen * inCh */
  uint32_t row_bytes; /* ceil(row_elems * weight_bits / 32) * 4 */
  const uint8_t *weights;
  const int32_t *bias;
  const int32_t *mul;
  const uint8_t *shift;
  uint32_t macs;
  /* 1 when every channel satisfies accBound * mul + 2^(shift-1) < 2^31 and shift <= 30, so the
   * requantization is exact in 32-bit arithmetic (computed at boot; used by the SIMD kernels). */
  uint8_t requant32;
  /* Prepared once at boot for the optimized kernels by net_prepare_layers (src/prepare.c) when
   * the arena has room; 0 = not prepared (the kernels then widen weights per call).
   * wq: the weight rows at the lane width max(inBits, weightBits), sign-extended, each group of 4
   *     rows interleaved word by word (word n of row 4g + j at wq[4g * rowWords + 4n + j]),
   *     then the last outCh % 4 rows one after the other;
   * rq: per output channel 4 words {bias, p1, p2, p3}, the requantization in the form rq_kind
   *     names (enum harm_rq_kind). */
  const uint32_t *wq;
  const int32_t *rq;
  uint8_t rq_kind;
} harm_layer;

typedef struct {
  uint8_t input_source; /* 0 = window, 1 = previous stage's backbone output */
  uint16_t first_layer;
  uint16_t backbone_layers;
  uint16_t head_layers;
} harm_stage;

typedef struct {
  uint16_t in_channels;
  uint16_t window_samples;
  uint16_t class_count;
  uint8_t stage_count;
  uint16_t layer_count;
  harm_stage stages[HARM_MAX_STAGES];
  harm_layer layers[HARM_MAX_LAYERS];
} harm_model;

/* Validates the artifact at `base` (at most `region_bytes` readable bytes) as FORMAT.md
 * "Validation" lists, and fills `model`. Returns 0, or a HARM_DETAIL(check, layer) value.
 * Never reads outside [base, base + region_bytes). */
uint32_t harm_load(const uint8_t *base, uint32_t region_bytes, harm_model *model);

/* CRC-32 (IEEE 802.3, reflected, as zlib crc32) of `bytes` bytes. */
uint32_t harm_crc32(const uint8_t *data, uint32_t bytes);

#endif
