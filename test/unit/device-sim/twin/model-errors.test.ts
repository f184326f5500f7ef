import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIRMWARE_MODEL_CHECKS, describeModelDetail } from '../../../../device-sim/twin/model-errors.ts';

describe('firmware model checks', () => {
  it('mirror enum harm_check of the firmware in order', () => {
    const header = readFileSync('device-sim/firmware/include/harm.h', 'utf8');
    const body = /enum harm_check \{([\s\S]*?)\};/.exec(header)?.[1] ?? '';
    const values = [...body.matchAll(/HARM_(?:CHECK_)?(\w+) = (\d+)/g)].map((m) => Number(m[2]));
    expect(values).toEqual(FIRMWARE_MODEL_CHECKS.map((_, i) => i));
  });

  it('decodes ERROR_DETAIL', () => {
    expect(describeModelDetail((15 << 16) | 3)).toEqual({ check: 'accBound', layer: 3, text: 'check "accBound" at layer 3' });
    expect(describeModelDetail((5 << 16) | 0xffff).layer).toBeNull();
    expect(describeModelDetail(99 << 16).check).toBe('unknown');
  });
});
