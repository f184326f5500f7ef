import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCsvRecording, loadCsvRecording, parseCsvRecording } from '../../../../models/datasets/csv.ts';
import { STANDARD_GRAVITY_MS2 } from '../../../../models/datasets/wisdm.ts';

const SIX = [
  '# recorded by a test',
  'timestamp[s],acc_x[g],acc_y[g],acc_z[g],gyro_x[rad/s],gyro_y[rad/s],gyro_z[rad/s],label',
  '0.00,1,0,0,0.1,0.2,0.3,WALKING',
  '0.02,0.5,0.25,0,0,0,0,WALKING',
  '',
  '0.04,0,1,0,0,0,0,',
  '0.06,0,0,1,0,0,0,SITTING',
].join('\n');

function failure(text: string): { line: number | undefined; message: string } {
  try {
    parseCsvRecording(text, 'rec.csv');
  } catch (err) {
    const e = err as { code: string; line?: number; message: string };
    expect(e.code).toBe('DATASET_PARSE');
    return { line: e.line, message: e.message };
  }
  throw new Error('expected a parse error');
}

describe('CSV recordings', () => {
  it('reads timestamps, the six channels and labels (empty = unlabelled), skipping comments and blank lines', () => {
    const r = parseCsvRecording(SIX);
    expect(r.channels).toEqual(['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z']);
    expect(r.units).toEqual(['g', 'g', 'g', 'rad/s', 'rad/s', 'rad/s']);
    expect(r.sampleCount).toBe(4);
    expect([...r.timestampsS]).toEqual([0, 0.02, 0.04, 0.06]);
    expect([...r.samples.subarray(0, 12)]).toEqual([1, 0, 0, 0.1, 0.2, 0.3, 0.5, 0.25, 0, 0, 0, 0]);
    expect(r.rateHz).toBeCloseTo(50, 9);
    expect(r.labelNames).toEqual(['WALKING', 'SITTING']);
    expect([...r.labels!]).toEqual([0, 0, -1, 1]);
  });

  it('converts units: ms, m/s^2, mg, deg/s; accepts ";" or tab separators and "(unit)" headers; reorders channels', () => {
    const r = parseCsvRecording(['time (ms);gyro_z (deg/s);acc_z (m/s^2);acc_x (mg)', '1000;180;9.80665;500', '1020;-90;0;-1000'].join('\r\n'));
    expect(r.channels).toEqual(['acc_x', 'acc_z', 'gyro_z']);
    expect(r.sourceUnits).toEqual(['mg', 'm/s^2', 'deg/s']);
    expect([...r.timestampsS]).toEqual([1, 1.02]);
    expect(r.samples[0]).toBeCloseTo(0.5, 12);
    expect(r.samples[1]).toBeCloseTo(1, 12);
    expect(r.samples[2]).toBeCloseTo(Math.PI, 12);
    expect(r.samples[5]).toBeCloseTo(-Math.PI / 2, 12);
    expect(r.labels).toBeUndefined();
    const tab = parseCsvRecording('t[us]\tacc_x[m/s2]\n0\t' + String(STANDARD_GRAVITY_MS2) + '\n');
    expect(tab.samples[0]).toBeCloseTo(1, 12);
  });

  it.each([
    ['no header', '\n# only a comment\n', 1, /no header/],
    ['a time column without a unit', 'timestamp,acc_x[g]\n0,1\n', 1, /needs a unit/],
    ['an unknown unit', 'timestamp[s],acc_x[furlong]\n0,1\n', 1, /acc_x" needs a unit/],
    ['an unknown column', 'timestamp[s],acc_x[g],temp[C]\n0,1,2\n', 1, /unknown column "temp"/],
    ['no time column', 'acc_x[g]\n1\n', 1, /no time column/],
    ['no channel', 'timestamp[s],label\n0,WALKING\n', 1, /no channel/],
    ['a duplicated channel', 'timestamp[s],acc_x[g],acc_x[g]\n0,1,1\n', 1, /twice/],
    ['a short row', 'timestamp[s],acc_x[g],acc_y[g]\n0,1,2\n0.02,1\n', 3, /2 fields, the header has 3 \(truncated last line\?\)/],
    ['a non-number', 'timestamp[s],acc_x[g]\n0,1\n0.02,abc\n', 3, /"abc" is not a finite number/],
    ['an empty value', 'timestamp[s],acc_x[g]\n0,\n', 2, /is not a finite number/],
    ['time going back', 'timestamp[s],acc_x[g]\n1,1\n0.5,1\n', 3, /goes back in time/],
    ['no rows', 'timestamp[s],acc_x[g]\n', 1, /no sample rows/],
  ])('rejects %s with the line', (_what, text, line, message) => {
    const f = failure(text);
    expect(f.line).toBe(line);
    expect(f.message).toMatch(message);
    expect(f.message.startsWith(`rec.csv:${line}:`)).toBe(true);
  });

  it('round-trips what formatCsvRecording writes, exactly', () => {
    const timestampsS = [0, 0.02, 0.04];
    const samples = [0.1 + 0.2, -1 / 3, 9.875, 1e-7, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, Math.PI];
    const text = formatCsvRecording({ channels: ['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z'], units: ['g', 'g', 'g', 'rad/s', 'rad/s', 'rad/s'], timestampsS, samples, labels: ['LAYING', '', 'LAYING'] });
    const r = parseCsvRecording(text);
    expect([...r.samples]).toEqual(samples);
    expect([...r.timestampsS]).toEqual(timestampsS);
    expect([...r.labels!]).toEqual([0, -1, 0]);
    expect(() => formatCsvRecording({ channels: ['acc_x'], units: ['g'], timestampsS: [0], samples: [1], labels: ['a,b'] })).toThrow(/separator/);
    expect(() => formatCsvRecording({ channels: ['acc_x'], units: ['g'], timestampsS: [0, 1], samples: [1] })).toThrow(/1 values for 2 samples/);
  });

  it('reads from a file and names a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'csv-'));
    writeFileSync(join(dir, 'a.csv'), SIX);
    expect(loadCsvRecording(join(dir, 'a.csv')).sampleCount).toBe(4);
    expect(() => loadCsvRecording(join(dir, 'b.csv'))).toThrow(expect.objectContaining({ code: 'DATASET_MISSING_FILE', path: join(dir, 'b.csv') }));
    rmSync(dir, { recursive: true });
  });
});
