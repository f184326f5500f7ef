import { describe, expect, it } from 'vitest';
import { crc32, crc32Table } from '../../../../models/format/crc32.ts';
import { randomInt, seededRandom } from './fixtures.ts';

describe('crc32 (IEEE 802.3, as zlib)', () => {
  it('gives the check value of "123456789"', () => {
    const data = new TextEncoder().encode('123456789');
    expect(crc32(data)).toBe(0xcbf43926);
    expect(crc32Table(data)).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('table and native implementations agree', () => {
    const rng = seededRandom(7);
    for (let i = 0; i < 20; i++) {
      const data = Uint8Array.from({ length: randomInt(rng, 0, 300) }, () => randomInt(rng, 0, 255));
      expect(crc32Table(data)).toBe(crc32(data));
    }
  });
});
