import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRecord, RECORDING_MAGIC } from '../../../../daemon/recording/format.ts';
import { alignToProtocol, batchesFromSamples, deviceIdFrom, windowLabel, type ReplayRecording } from '../../../../daemon/replay/recording.ts';
import { resolveSources, runsOf } from '../../../../daemon/replay/sources.ts';
import { taskProtocol } from '../../../../models/datasets/index.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'har-src-'));
  dirs.push(d);
  return d;
};
const ctx = (dataDir: string) => ({ dataDir, modelTask: 'hapt6' });

function csvText(rows: number, label: (i: number) => string): string {
  const lines = ['# generated', 'timestamp[ms],acc_x[m/s^2],acc_y[m/s^2],acc_z[m/s^2],gyro_x[deg/s],gyro_y[deg/s],gyro_z[deg/s],label'];
  for (let i = 0; i < rows; i++) lines.push(`${i * 20},${(i % 7) * 0.5},1,9.80665,${i % 3},0,-1,${label(i)}`);
  return `${lines.join('\n')}\n`;
}

describe('replay sources', () => {
  it('reads a labelled CSV into contiguous batches in g and rad/s with its label runs', () => {
    const dir = tempDir();
    const path = join(dir, 'My Watch #1.csv');
    writeFileSync(path, csvText(120, (i) => (i < 60 ? 'WALKING' : i < 80 ? '' : 'SITTING')));
    const [outcome] = resolveSources([path], ctx(dir));
    expect(outcome?.ok).toBe(true);
    if (!outcome?.ok) return;
    const rec = outcome.recordings[0]!;
    expect(rec.deviceId).toBe('My-Watch-1');
    expect(rec.rateHz).toBe(50);
    expect(rec.batches.map((b) => b.batch.seq)).toEqual([0, 50, 100]);
    expect(rec.batches.map((b) => b.offsetMs)).toEqual([1000, 2000, 2400]);
    expect(rec.batches[0]!.batch.acc[2]).toBeCloseTo(1, 12);
    expect(rec.batches[0]!.batch.gyro![3]).toBeCloseTo(Math.PI / 180, 12);
    expect(rec.truth?.segments).toEqual([
      { startSample: 0, endSample: 60, label: 'WALKING' },
      { startSample: 80, endSample: 120, label: 'SITTING' },
    ]);
  });

  it('skips broken sources with the file and line or offset, keeps the good ones', () => {
    const dir = tempDir();
    const good = join(dir, 'good.csv');
    writeFileSync(good, csvText(10, () => 'WALKING'));
    const badCsv = join(dir, 'bad.csv');
    writeFileSync(badCsv, csvText(10, () => 'WALKING').replace('\n60,', '\n60,x'));
    const truncated = join(dir, 'wrist.hrec');
    const record = encodeRecord({ deviceId: 'w', seq: 0, t0Ms: 0, rateHz: 50, samples: 4, acc: new Float64Array(12), gyro: null }, 0);
    writeFileSync(truncated, Buffer.concat([RECORDING_MAGIC, record, record.subarray(0, 20)]));
    const outcomes = resolveSources([good, badCsv, truncated, join(dir, 'missing.csv'), 'hapt6:nosuchsplit', join(dir, 'notes.txt')], ctx(dir));
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, false, false, false, false]);
    const errors = outcomes.flatMap((o) => (o.ok ? [] : [o.error]));
    expect(errors[0]!.message).toMatch(/bad\.csv:6/);
    expect(errors[0]!.line).toBe(6);
    expect(errors[1]!.code).toBe('REPLAY_SOURCE_TRUNCATED');
    expect(errors[1]!.message).toMatch(new RegExp(`wrist\\.hrec: byte offset ${RECORDING_MAGIC.length + record.length}`));
    expect(errors[2]!.message).toMatch(/no such file/);
    expect(errors[3]!.message).toMatch(/unknown split "nosuchsplit"/);
    writeFileSync(join(dir, 'notes.txt'), 'x');
    expect(resolveSources([join(dir, 'notes.txt')], ctx(dir))[0]).toMatchObject({ ok: false });
  });

  it('a folder replays its CSV and recording files', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.csv'), csvText(10, () => 'WALKING'));
    writeFileSync(join(dir, 'b.csv'), csvText(12, () => 'SITTING'));
    writeFileSync(join(dir, 'readme.md'), 'not a recording');
    const [outcome] = resolveSources([dir], ctx(dir));
    expect(outcome?.ok && outcome.recordings.map((r) => r.name)).toEqual(['a', 'b']);
  });

  it('makes device ids the protocol accepts', () => {
    expect(deviceIdFrom('hapt exp01/user 01')).toBe('hapt-exp01-user-01');
    expect(deviceIdFrom('***')).toBe('replay');
    expect(deviceIdFrom('x'.repeat(80))).toHaveLength(64);
  });

  it('runsOf turns per-sample labels into segments, -1 unlabelled', () => {
    expect(runsOf(Int32Array.from([0, 0, -1, 1, 1, 0]), ['A', 'B'])).toEqual([
      { startSample: 0, endSample: 2, label: 'A' },
      { startSample: 3, endSample: 5, label: 'B' },
      { startSample: 5, endSample: 6, label: 'A' },
    ]);
  });
});

describe('window labels and protocol alignment', () => {
  const samples = new Float64Array(1000 * 6).map((_, i) => i);
  const base = (truth: ReplayRecording['truth']): ReplayRecording => ({
    source: 't', name: 't', deviceId: 't', rateHz: 50, sampleCount: 1000, durationS: 20,
    batches: batchesFromSamples('t', samples, 6, 50), truth,
  });
  const model = { rateHz: 50, windowSamples: 128 };

  it('inside rule: a window inside one segment gets its label; segments after 0 only when aligned', () => {
    const rec = base({ segments: [{ startSample: 100, endSample: 400, label: 'WALKING' }], rule: { kind: 'inside' } });
    expect(windowLabel(rec, { segment: 0, startSample: 64 }, model)).toBeUndefined();
    expect(windowLabel(rec, { segment: 0, startSample: 128 }, model)).toBe('WALKING');
    expect(windowLabel(rec, { segment: 0, startSample: 272 }, model)).toBe('WALKING');
    expect(windowLabel(rec, { segment: 0, startSample: 273 }, model)).toBeUndefined();
    expect(windowLabel(rec, { segment: 1, startSample: 128 }, model)).toBeUndefined();
  });

  it('task rule follows labelStreamWindow (hapt6: transitions are not scored)', () => {
    const rec = base({ segments: [{ startSample: 0, endSample: 300, label: 'STANDING', activityId: 5 }, { startSample: 300, endSample: 400, label: 'STAND_TO_SIT', activityId: 8 }], rule: { kind: 'task', protocol: taskProtocol('hapt6') } });
    expect(windowLabel(rec, { segment: 0, startSample: 128 }, model)).toBe('STANDING');
    expect(windowLabel(rec, { segment: 0, startSample: 256 }, model)).toBeUndefined();
  });

  it('alignToProtocol replays each usable segment from its first sample behind a restart gap', () => {
    const rec = base({ segments: [{ startSample: 10, endSample: 300, label: 'A' }, { startSample: 300, endSample: 350, label: 'B' }, { startSample: 500, endSample: 700, label: 'C' }], rule: { kind: 'inside' } });
    const aligned = alignToProtocol(rec, 128);
    expect(aligned.alignedSegments?.map((s) => s.label)).toEqual(['A', 'C']); // B is shorter than a window
    expect(aligned.sampleCount).toBe(290 + 200);
    const firstOfC = aligned.batches.find((b) => b.batch.seq > 290)!;
    expect(firstOfC.batch.seq - 290).toBeGreaterThan(1 << 19);
    expect(firstOfC.batch.acc[0]).toBe(500 * 6); // the samples of C, from its first
    expect(aligned.batches[0]!.batch.acc[0]).toBe(10 * 6);
    expect(windowLabel(aligned, { segment: 1, startSample: 64 }, model)).toBe('C');
    expect(windowLabel(aligned, { segment: 0, startSample: 128 }, model)).toBe('A');
  });
});

describe('UniMiB-SHAR windows as a source', () => {
  it('one device per subject, each window its own labelled stream segment', async () => {
    const { unimibRecordings } = await import('../../../../daemon/replay/sources.ts');
    const W = 151;
    const count = 3;
    const x = Float64Array.from({ length: count * W * 3 }, (_, i) => i);
    const data = { classes: ['StandingUpFS', 'Walking'], classNamesSource: 'built-in', windowSamples: W, rateHz: 50, channels: ['acc_x', 'acc_y', 'acc_z'], units: ['g', 'g', 'g'], count, x, y: Uint8Array.from([1, 0, 1]), subject: Uint8Array.from([4, 4, 9]), trial: Uint8Array.from([1, 1, 1]) };
    const recs = unimibRecordings('unimib', data);
    expect(recs.map((r) => r.deviceId)).toEqual(['unimib-subject04', 'unimib-subject09']);
    const r4 = recs[0]!;
    expect(r4.batches).toHaveLength(2);
    expect(r4.batches[1]!.batch.seq - r4.batches[0]!.batch.seq).toBeGreaterThan(1 << 19);
    expect(r4.batches[1]!.batch.acc[0]).toBe(W * 3);
    expect(windowLabel(r4, { segment: 1, startSample: 10 }, { rateHz: 50, windowSamples: 128 })).toBe('StandingUpFS');
    expect(windowLabel(r4, { segment: 0, startSample: 0 }, { rateHz: 50, windowSamples: 128 })).toBe('Walking');
  });
});
