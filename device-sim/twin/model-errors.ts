// Names of the firmware's model checks: the high 16 bits of MAILBOX ERROR_DETAIL on
// STATUS = ERROR_MODEL, in the order of `enum harm_check` in device-sim/firmware/include/harm.h
// (keep the two in step; test/unit/device-sim/twin/model-errors.test.ts compares them).

export const FIRMWARE_MODEL_CHECKS = [
  'ok',
  'magic',
  'version',
  'headerBytes',
  'fileBytes',
  'crc',
  'sections',
  'netHeader',
  'stages',
  'layerKind',
  'layerBits',
  'layerShape',
  'layerMacs',
  'tensor',
  'requant',
  'accBound',
  'head',
  'limits',
  'weightPadding',
] as const;

export type FirmwareModelCheck = (typeof FIRMWARE_MODEL_CHECKS)[number];

const NO_LAYER = 0xffff;

/** Decodes ERROR_DETAIL = (check << 16) | layerIndex (0xFFFF: not about one layer). */
export function describeModelDetail(detail: number): { check: FirmwareModelCheck | 'unknown'; layer: number | null; text: string } {
  const checkIndex = detail >>> 16;
  const layerField = detail & 0xffff;
  const check = FIRMWARE_MODEL_CHECKS[checkIndex] ?? 'unknown';
  const layer = layerField === NO_LAYER ? null : layerField;
  const text = layer === null ? `check "${check}"` : `check "${check}" at layer ${layer}`;
  return { check, layer, text };
}
