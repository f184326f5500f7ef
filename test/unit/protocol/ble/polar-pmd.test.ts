import { describe, expect, it } from 'vitest';
import {
  PolarPmdDecoder,
  POLAR_EPOCH_UNIX_MS,
  PMD_MEASUREMENT,
  parsePmdControlResponse,
  pmdStartCommand,
  pmdSettingsRequest,
  PMD_SETTING,
} from '../../../../protocol/ble/polar-pmd.ts';
import { encodePmdDeltaFrame, encodePmdRawFrame, signedBitWidth } from '../../../../protocol/ble/polar-pmd-encode.ts';
import { BLE_ERROR_KINDS, type BleDecodeResult, type SensorChunk } from '../../../../protocol/ble/types.ts';
import { fromHex } from './hex.ts';

const accOnly = { acc: { sampleRateHz: 50 } };
function chunks(result: BleDecodeResult): readonly SensorChunk[] {
  if (!result.ok) throw new Error(`rejected: ${result.kind} ${result.detail}`);
  return result.chunks;
}
const values = (c: SensorChunk | undefined): number[] => Array.from(c?.xyz ?? []);

describe('Polar PMD decoder', () => {
  it('decodes a hand-built delta ACC frame sample by sample (mG -> g, last-sample timestamp)', () => {
    // type ACC | ts 1 s after 2000-01-01 (ns, LE) | frame type 0x80 (delta) | ref (100, -200, 1000)
    // | block width 4, count 2: deltas (1, -1, 2), (-8, 7, 0) packed LSB-first as nibbles.
    const frame = fromHex('02 00ca9a3b00000000 80 6400 38ff e803 04 02 f1 82 07');
    const [c] = chunks(new PolarPmdDecoder(accOnly).decode(frame));
    expect(c?.sensor).toBe('acc');
    expect(c?.samples).toBe(3);
    expect(values(c)).toEqual([100, -200, 1000, 101, -201, 1002, 93, -194, 1002].map((v) => v / 1000));
    // timestamp is the last sample's: first = last - 2 periods of 20 ms
    expect(c?.firstSampleMs).toBe(POLAR_EPOCH_UNIX_MS + 1000 - 40);
    expect(c?.rateHz).toBe(50);
  });

  it('decodes raw ACC frames of 8, 16 and 24 bits', () => {
    const decoder = new PolarPmdDecoder(accOnly);
    const c8 = chunks(decoder.decode(fromHex('02 0000000000000000 00 01 ff 7f')))[0];
    expect(values(c8)).toEqual([0.001, -0.001, 0.127]);
    const d = new PolarPmdDecoder(accOnly);
    const c16 = chunks(d.decode(fromHex('02 0000000000000000 01 e803 18fc 0000 0100 0200 0300')))[0];
    expect(c16?.samples).toBe(2);
    expect(values(c16)).toEqual([1, -1, 0, 0.001, 0.002, 0.003]);
    const c24 = chunks(new PolarPmdDecoder(accOnly).decode(fromHex('02 0000000000000000 02 a08601 6079fe 000000')))[0];
    expect(values(c24)).toEqual([100, -100, 0]);
  });

  it('decodes GYRO with the FACTOR setting in rad/s', () => {
    const decoder = new PolarPmdDecoder({ gyro: { sampleRateHz: 52, factor: 0.5 } });
    const [c] = chunks(decoder.decode(fromHex('05 0000000000000000 00 b400 4cff 0000')));
    expect(c?.sensor).toBe('gyro');
    const expected = [90, -90, 0].map((deg) => (deg * Math.PI) / 180);
    values(c).forEach((v, k) => expect(v).toBeCloseTo(expected[k] ?? NaN, 12));
  });

  it.each(Array.from({ length: 16 }, (_, k) => k + 1))('decodes delta blocks of bit width %i exactly', (width) => {
    const lim = 2 ** (width - 1);
    const samples: number[][] = [[1200, -3400, 560]];
    for (let s = 1; s <= 9; s++) {
      const prev = samples[s - 1] ?? [0, 0, 0];
      // deltas cycling through the full signed range of the width, including both extremes
      samples.push(prev.map((v, a) => v + (((s * 3 + a) % 3 === 0 ? -lim : (s + a) % 2 === 0 ? lim - 1 : ((s * 7 + a) % (2 * lim)) - lim))));
    }
    const frame = encodePmdDeltaFrame(PMD_MEASUREMENT.ACC, 0x00, POLAR_EPOCH_UNIX_MS + 5000, samples, { blocks: [{ count: 4, width }, { count: 5, width }] });
    expect(frame[PMD_HEADER_OFFSET_FIRST_BLOCK]).toBe(width);
    const [c] = chunks(new PolarPmdDecoder(accOnly).decode(frame));
    expect(values(c)).toEqual(samples.flat().map((v) => v / 1000));
  });

  it('chooses the smallest width that fits', () => {
    expect(signedBitWidth([0])).toBe(1);
    expect(signedBitWidth([-1, 0])).toBe(1);
    expect(signedBitWidth([1])).toBe(2);
    expect(signedBitWidth([-32768, 32767])).toBe(16);
  });

  it('reports lost samples from the timestamps, and rejects time going back', () => {
    const decoder = new PolarPmdDecoder(accOnly);
    const t = POLAR_EPOCH_UNIX_MS + 10_000;
    const three = [0, 0, 1000, 0, 0, 1000, 0, 0, 1000];
    expect(chunks(decoder.decode(encodePmdRawFrame(2, 1, 2, t, three)))[0]?.lostBefore).toBe(0);
    expect(chunks(decoder.decode(encodePmdRawFrame(2, 1, 2, t + 60, three)))[0]?.lostBefore).toBe(0);
    // next frame should end at t + 120; ends at t + 220: 5 samples missing
    expect(chunks(decoder.decode(encodePmdRawFrame(2, 1, 2, t + 220, three)))[0]?.lostBefore).toBe(5);
    const back = decoder.decode(encodePmdRawFrame(2, 1, 2, t, three));
    expect(back.ok ? 'ok' : back.kind).toBe('ble-counter-jump');
  });

  it.each([
    ['header cut', '02 00000000', 'ble-truncated'],
    ['unknown measurement', '09 0000000000000000 00 010203', 'ble-unknown-type'],
    ['ECG is not decoded', '00 0000000000000000 00 010203', 'ble-unknown-type'],
    ['raw length not a multiple of the sample (never completed)', '02 0000000000000000 01 0100 0200 03', 'ble-truncated'],
    ['unknown raw frame type', '02 0000000000000000 07 010203', 'ble-unknown-type'],
    ['delta reference cut (never completed)', '02 0000000000000000 80 0100 02', 'ble-truncated'],
    ['bit width 0', '02 0000000000000000 80 000000000000 00 05', 'ble-bad-bit-width'],
    ['bit width 17 > resolution', '02 0000000000000000 80 000000000000 11 01 ffffffffffffff', 'ble-bad-bit-width'],
    ['block longer than the frame (never completed)', '02 0000000000000000 80 000000000000 08 10 0102', 'ble-truncated'],
    ['block header cut (never completed)', '02 0000000000000000 80 000000000000 08', 'ble-truncated'],
    ['gyro without settings', '05 0000000000000000 00 010002000300', 'ble-bad-setting'],
  ])('rejects %s', (_name, hex, kind) => {
    // An incomplete frame waits for its continuation; the next frame start drops it, counted.
    const decoder = new PolarPmdDecoder(accOnly);
    const first = decoder.decode(fromHex(hex));
    if (!first.ok) return expect(first.kind).toBe(kind);
    expect(first.chunks).toEqual([]);
    const next = decoder.decode(encodePmdRawFrame(2, 1, 2, POLAR_EPOCH_UNIX_MS + 40, [1, 2, 3]));
    expect(next.dropped?.map((d) => d.kind)).toEqual([kind]);
    expect(next.ok && values(next.chunks[0])).toEqual([0.001, 0.002, 0.003]);
  });

  it('reassembles a delta frame split across notifications at every byte', () => {
    const samples = Array.from({ length: 12 }, (_, s) => [s * 37 - 200, 1000 - s * s, (s % 3) * 500]);
    const frame = encodePmdDeltaFrame(PMD_MEASUREMENT.ACC, 0, POLAR_EPOCH_UNIX_MS + 77_000, samples, { blocks: [{ count: 5 }, { count: 6 }] });
    const whole = chunks(new PolarPmdDecoder(accOnly).decode(frame));
    expect(values(whole[0])).toEqual(samples.flat().map((v) => v / 1000));
    // A cut exactly at a block boundary leaves a valid shorter frame: the format has no length
    // field, so that split cannot be told from a complete frame (docs/BLE.md). Every other cut is reassembled.
    const boundaries = [16, 16 + 2 + Math.ceil((15 * (frame[16] ?? 0)) / 8)];
    for (let cut = 11; cut < frame.length; cut++) {
      if (boundaries.includes(cut)) continue;
      const decoder = new PolarPmdDecoder(accOnly);
      expect(chunks(decoder.decode(frame.subarray(0, cut)))).toEqual([]);
      expect(chunks(decoder.decode(frame.subarray(cut)))).toEqual(whole);
      expect(decoder.flush()).toBeNull();
    }
    const three = new PolarPmdDecoder(accOnly);
    expect(chunks(three.decode(frame.subarray(0, 12)))).toEqual([]);
    expect(chunks(three.decode(frame.subarray(12, 20)))).toEqual([]);
    expect(chunks(three.decode(frame.subarray(20)))).toEqual(whole);
  });

  it('reports a frame left unfinished at the end of the input', () => {
    const decoder = new PolarPmdDecoder(accOnly);
    decoder.decode(fromHex('02 0000000000000000 80 000000000000 08 10 0102'));
    expect(decoder.flush()?.kind).toBe('ble-truncated');
    expect(decoder.flush()).toBeNull();
  });

  it('survives random and mutated frames without throwing', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const good = encodePmdDeltaFrame(2, 0, POLAR_EPOCH_UNIX_MS + 1, [[1, 2, 3], [4, 5, 6], [-7, 8, 9]]);
    const decoder = new PolarPmdDecoder({ acc: { sampleRateHz: 50 }, gyro: { sampleRateHz: 50 } });
    for (let i = 0; i < 3000; i++) {
      const bytes = i % 2 === 0 ? Uint8Array.from({ length: Math.floor(rand() * 60) }, () => Math.floor(rand() * 256)) : good.map((b) => (rand() < 0.1 ? Math.floor(rand() * 256) : b));
      const result = decoder.decode(bytes);
      if (result.ok) for (const c of result.chunks) expect(c.xyz.every(Number.isFinite)).toBe(true);
      else expect(BLE_ERROR_KINDS).toContain(result.kind);
    }
  });

  it('builds control point commands and parses responses', () => {
    expect(Array.from(pmdSettingsRequest(PMD_MEASUREMENT.ACC))).toEqual([0x01, 0x02]);
    // start ACC at 52 Hz, 16-bit, range 8 G: the PMD spec's example layout
    expect(Array.from(pmdStartCommand(PMD_MEASUREMENT.ACC, { sampleRate: 52, resolution: 16, range: 8 }))).toEqual([
      0x02, 0x02, 0x00, 0x01, 0x34, 0x00, 0x01, 0x01, 0x10, 0x00, 0x02, 0x01, 0x08, 0x00,
    ]);
    const response = parsePmdControlResponse(fromHex('f0 01 02 00 00 00 02 1900 3200 01 01 1000 05 01 0000803f'));
    expect(response?.status).toBe(0);
    expect(response?.settings.get(PMD_SETTING.SAMPLE_RATE)).toEqual([25, 50]);
    expect(response?.settings.get(PMD_SETTING.RESOLUTION)).toEqual([16]);
    expect(response?.settings.get(PMD_SETTING.FACTOR)).toEqual([1]);
    expect(parsePmdControlResponse(fromHex('f0 01 02 00 00 00 05 1900'))).toBeNull();
    expect(parsePmdControlResponse(fromHex('01 02'))).toBeNull();
  });
});

/** Offset of the first delta block's width byte: header 10 + int16 reference 6. */
const PMD_HEADER_OFFSET_FIRST_BLOCK = 16;
