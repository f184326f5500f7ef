import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exportWindowCache, main } from '../../../../models/datasets/export-cache.ts';
import { clearHaptCache, loadTaskWindows } from '../../../../models/datasets/index.ts';
import { decodeNpy } from '../../../../models/datasets/npy.ts';
import { writeFakeHapt } from './hapt-fixture.ts';

describe('export-cache', () => {
  let root = '';
  let out = '';
  beforeAll(() => {
    clearHaptCache();
    root = writeFakeHapt([
      { experiment: 1, user: 1, samples: 600, labels: [[1, 1, 256], [8, 257, 356], [4, 357, 600]] },
      { experiment: 2, user: 2, samples: 300, labels: [[2, 1, 300]] },
      { experiment: 3, user: 22, samples: 300, labels: [[3, 1, 300]] },
    ]);
    out = mkdtempSync(join(tmpdir(), 'window-cache-'));
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('writes meta.json and per split x, y, subject, experiment, start as .npy, equal to loadTaskWindows', () => {
    const meta = exportWindowCache('hapt12', root, out);
    const dir = join(out, 'hapt12');
    const onDisk = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as typeof meta;
    expect(onDisk).toEqual(meta);
    expect(meta).toMatchObject({
      task: 'hapt12',
      protocol: 'hapt12/v1',
      windowSamples: 128,
      strideSamples: 64,
      rateHz: 50,
      channels: ['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z'],
      units: ['g', 'g', 'g', 'rad/s', 'rad/s', 'rad/s'],
      splits: { train: 6, validation: 3, test: 3 },
    });
    expect(meta.classCounts.train).toEqual([3, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0]);
    for (const split of ['train', 'validation', 'test'] as const) {
      const w = loadTaskWindows('hapt12', split, root);
      const x = decodeNpy(readFileSync(join(dir, `${split}.x.npy`)));
      expect(x.dtype).toBe('<f4');
      expect(x.shape).toEqual([w.count, 128, 6]);
      expect([...x.data]).toEqual(Array.from(w.x, Math.fround));
      const x64 = decodeNpy(readFileSync(join(dir, `${split}.x64.npy`)));
      expect(x64.dtype).toBe('<f8');
      expect(x64.shape).toEqual([w.count, 128, 6]);
      expect(x64.data).toEqual(w.x);
      for (const [name, values] of [['y', w.y], ['subject', w.subject], ['experiment', w.experiment], ['start', w.start]] as const) {
        const arr = decodeNpy(readFileSync(join(dir, `${split}.${name}.npy`)));
        expect(arr.dtype).toBe('<i8');
        expect(arr.shape).toEqual([w.count]);
        expect([...arr.data]).toEqual([...values]);
      }
    }
  });

  it('records the SHA-256 of every file and one content hash that changes only with the data', () => {
    const a = exportWindowCache('hapt6', root, out);
    for (const [file, hash] of Object.entries(a.sha256)) {
      expect(createHash('sha256').update(readFileSync(join(out, 'hapt6', file))).digest('hex')).toBe(hash);
    }
    expect(Object.keys(a.sha256)).toHaveLength(18);
    expect(exportWindowCache('hapt6', root, out).contentSha256).toBe(a.contentSha256);
    const other = writeFakeHapt([{ experiment: 1, user: 1, samples: 600, labels: [[1, 1, 256]] }]);
    expect(exportWindowCache('hapt6', other, out).contentSha256).not.toBe(a.contentSha256);
    rmSync(other, { recursive: true, force: true });
  });

  it('main() prints the counts per split and class', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(main(['--task', 'hapt6', '--data', root, '--out', out])).toBe(0);
    const printed = log.mock.calls.map((c) => String(c[0])).join('\n');
    log.mockRestore();
    expect(printed).toMatch(/train\s+5\s+3 0 0 2 0 0/);
    expect(printed).toMatch(/test\s+3\s+0 3 0 0 0 0/);
  });

  it('main() fails with a message naming what is missing', () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const empty = mkdtempSync(join(tmpdir(), 'no-data-'));
    expect(main(['--task', 'hapt6', '--data', empty, '--out', out])).toBe(1);
    expect(main(['--task', 'hapt9', '--data', root, '--out', out])).toBe(1);
    expect(main(['--data', root])).toBe(1);
    const printed = err.mock.calls.map((c) => String(c[0])).join('\n');
    err.mockRestore();
    rmSync(empty, { recursive: true });
    expect(printed).toContain(join(empty, 'hapt', 'HAPT Data Set', 'RawData'));
    expect(printed).toContain('DATASET_MISSING_FILE');
    expect(printed).toContain('unknown task "hapt9"');
    expect(printed).toContain('--task is required');
  });
});
