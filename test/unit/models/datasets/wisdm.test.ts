import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWisdmRaw, parseWisdmRaw, STANDARD_GRAVITY_MS2 } from '../../../../models/datasets/wisdm.ts';

// Generated records in the published line format, with each quirk of the published file.
const TEXT = [
  '33,Jogging,49105962326000,-0.6946377,12.680544,0.50395286;',
  '33,Jogging,49106062271000,5.012288,11.264028,0.95342433;',
  '', // empty line
  '33,Jogging,49106112167000,4.903325,10.882658,-0.08172209;33,Jogging,49106162216000,-0.61291564,18.496431,3.0237172;', // two records
  '33,Jogging,49106212173000,-1.1849703,12.108489,7.205164', // no ';'
  '33,Jogging,49106262220000,1.3756552,-2.4925237,-6.510526,;', // trailing comma
  '33,Jogging,49106312167000,-0.61291564,10.56939,;', // z missing
  '33,Jogging,49106362216000,-0.50395286;', // fields missing
  '33,Jogging,4910641x,1,2,3;', // not a number
  '33,Dancing,49106462216000,1,2,3;', // unknown activity
  '17,Walking,0,0,9.80665,0;', // zero timestamp, new user and activity
  '17,Walking,57869902574000,0.5,9.5,-19.6133;',
  '17,Sitting,57870002574000,1,2,3;',
  '',
].join('\n');

describe('WISDM v1.1 raw reader', () => {
  it('keeps the valid records, splits runs by user and activity, and converts m/s^2 to g', () => {
    const data = parseWisdmRaw(TEXT);
    expect(data.rateHz).toBe(20);
    expect(data.records).toBe(9);
    expect(data.recordings.map((r) => [r.user, r.activity, r.classIndex, r.sampleCount, r.firstLine])).toEqual([
      [33, 'Jogging', 1, 6, 1],
      [17, 'Walking', 0, 2, 11],
      [17, 'Sitting', 4, 1, 13],
    ]);
    const jog = data.recordings[0]!;
    expect(jog.samples[1]).toBeCloseTo(12.680544 / STANDARD_GRAVITY_MS2, 12);
    expect(jog.samples[3 * 3 + 0]).toBeCloseTo(-0.61291564 / STANDARD_GRAVITY_MS2, 12); // 2nd record of the 2-record line
    expect(jog.samples[5 * 3 + 2]).toBeCloseTo(-6.510526 / STANDARD_GRAVITY_MS2, 12); // trailing-comma record
    expect(jog.timestampsNs[4]).toBe(49106212173000);
    const walk = data.recordings[1]!;
    expect([...walk.samples.subarray(0, 3)]).toEqual([0, 1, 0]);
    expect(walk.samples[5]).toBeCloseTo(-2, 12);
  });

  it('counts every malformed kind', () => {
    expect(parseWisdmRaw(TEXT).issues).toEqual({
      emptyLines: 1,
      multipleRecordsLines: 1,
      missingTerminator: 1,
      trailingComma: 1,
      missingFields: 2,
      badNumber: 1,
      unknownActivity: 1,
      zeroTimestamp: 1,
    });
  });

  it('gives the same samples for well-formed lines (fast path) and the same records written untidily (general path)', () => {
    const tidy = ['7,Upstairs,1000,1.5,-2.25e1,.5;', '7,Upstairs,2000,-0.1,+3,9.80665;', '8,Standing,0,0,0,0;'].join('\n');
    const untidy = [' 7,Upstairs,1000,1.5,-2.25e1,.5 ;', '7,Upstairs,2000,-0.1,+3,9.80665,;', '8,Standing,0,0,0,0'].join('\n');
    const a = parseWisdmRaw(tidy);
    const b = parseWisdmRaw(untidy);
    expect(b.recordings).toEqual(a.recordings);
    expect(a.issues).toMatchObject({ trailingComma: 0, missingTerminator: 0, zeroTimestamp: 1 });
    expect(b.issues).toMatchObject({ trailingComma: 1, missingTerminator: 1, zeroTimestamp: 1 });
  });

  it('handles CRLF line ends and a file without a final newline', () => {
    const data = parseWisdmRaw('1,Walking,1,1,2,3;\r\n1,Walking,2,1,2,3;');
    expect(data.records).toBe(2);
    expect(data.issues.missingTerminator).toBe(0);
  });

  it('keeps or counts every record of randomly garbled files (nothing dropped silently)', () => {
    const fragments = ['33', 'Jogging', 'Walking', 'Dancing', '49105962326000', '0', '-0.69', '12.68e0', 'x', '', ' ', ',', ';', '\n', '\r\n'];
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    for (let trial = 0; trial < 300; trial += 1) {
      const good = '1,Walking,1,1,2,3;\n';
      let text = good;
      for (let k = 0; k < 40; k += 1) text += fragments[next(fragments.length)];
      text += `\n${good}`;
      const data = parseWisdmRaw(text);
      // records offered = non-empty ';'-separated pieces of the non-empty lines
      const offered = text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.length > 0)
        .flatMap((l) => l.split(';').map((p) => p.trim()).filter((p) => p.length > 0)).length;
      const { missingFields, badNumber, unknownActivity } = data.issues;
      expect(data.records + missingFields + badNumber + unknownActivity).toBe(offered);
      expect(data.recordings.reduce((n, r) => n + r.sampleCount, 0)).toBe(data.records);
    }
  });

  it('rejects a file with no valid record', () => {
    expect(() => parseWisdmRaw('hello\n;\n', 'x.txt')).toThrow(expect.objectContaining({ code: 'DATASET_PARSE', path: 'x.txt' }));
  });

  describe('from disk', () => {
    let root = '';
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'wisdm-'));
      mkdirSync(join(root, 'wisdm', 'WISDM_ar_v1.1'), { recursive: true });
      writeFileSync(join(root, 'wisdm', 'WISDM_ar_v1.1', 'WISDM_ar_v1.1_raw.txt'), TEXT);
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('finds the file from the datasets folder, its own folder or its path', () => {
      for (const dir of [root, join(root, 'wisdm', 'WISDM_ar_v1.1'), join(root, 'wisdm', 'WISDM_ar_v1.1', 'WISDM_ar_v1.1_raw.txt')]) {
        expect(loadWisdmRaw(dir).records).toBe(9);
      }
    });

    it('names the expected file when it is missing', () => {
      const empty = mkdtempSync(join(tmpdir(), 'wisdm-none-'));
      expect(() => loadWisdmRaw(empty)).toThrow(
        expect.objectContaining({ code: 'DATASET_MISSING_FILE', path: join(empty, 'wisdm', 'WISDM_ar_v1.1', 'WISDM_ar_v1.1_raw.txt') }),
      );
      rmSync(empty, { recursive: true });
    });
  });
});
