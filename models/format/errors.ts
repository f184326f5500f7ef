// Errors of the artifact reader and writer (models/FORMAT.md, "Validation"). Every rejection
// names the check that failed, the field and the file offset of that field, so a hostile or
// corrupted file is reported precisely and never read out of bounds.

export type ArtifactErrorCode =
  /** The file (or a table it points to) is shorter than the format needs. */
  | 'TRUNCATED'
  /** Header magic is not "HARM". */
  | 'MAGIC'
  /** Format version other than 1. */
  | 'VERSION'
  /** headerBytes or netOffset is not 32. */
  | 'HEADER_BYTES'
  /** fileBytes differs from the real length. */
  | 'FILE_BYTES'
  /** CRC-32 of [16, fileBytes) differs from the header. */
  | 'CRC'
  /** netBytes / metaOffset / metaBytes inconsistent, or the metadata padding is not zero. */
  | 'SECTIONS'
  /** Net header fields: counts, inputBits, reserved, layer table placement. */
  | 'NET_HEADER'
  /** Stage table: contiguity, inputSource, headLayers, reserved. */
  | 'STAGES'
  /** Unknown layer kind. */
  | 'LAYER_KIND'
  /** Bit-width or signedness outside the allowed sets. */
  | 'LAYER_BITS'
  /** Shape chain, outLen formula, kernel/stride/dilation/padding, reserved fields. */
  | 'LAYER_SHAPE'
  /** macs field differs from the formula. */
  | 'LAYER_MACS'
  /** Tensor offset/size/alignment/overlap with the tables, or a tensor where none is allowed. */
  | 'TENSOR'
  /** Non-zero padding bits at the end of a packed weight row (FORMAT.md "Weight packing"). */
  | 'WEIGHT_PADDING'
  /** mul outside [0, 32767] or shift outside [0, 46]. */
  | 'REQUANT'
  /** The accumulator bound of ARITHMETIC.md §3 is broken. */
  | 'ACC_BOUND'
  /** A head's last layer does not output classCount signed scores, or a signed output elsewhere. */
  | 'HEAD'
  /** The metadata is not UTF-8 JSON. */
  | 'METADATA_JSON'
  /** The metadata breaks the schema (models/format/metadata.ts). */
  | 'METADATA_SCHEMA'
  /** The metadata disagrees with the network section (class count, channels, stages, modes). */
  | 'METADATA_MISMATCH'
  /** The writer was given a spec it cannot turn into a valid artifact. */
  | 'SPEC';

export class ArtifactError extends Error {
  readonly code: ArtifactErrorCode;
  /** The FORMAT.md field concerned, e.g. `layers[3].macs` or `header.crc32`. */
  readonly field: string;
  /** File offset of that field (-1 when it is not about a position in the file). */
  readonly offset: number;

  constructor(code: ArtifactErrorCode, field: string, offset: number, message: string, options?: { cause?: unknown }) {
    super(`${code} at ${field}${offset >= 0 ? ` (offset ${offset})` : ''}: ${message}`, options);
    this.name = 'ArtifactError';
    this.code = code;
    this.field = field;
    this.offset = offset;
  }
}
