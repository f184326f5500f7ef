import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clearHaptCache } from '../../../../models/datasets/hapt.ts';
import { inspectDatasets, main } from '../../../../models/datasets/inspect.ts';
import { writeFakeHapt } from './hapt-fixture.ts';

describe('inspect', () => {
  let root = '';
  beforeAll(() => {
    clearHaptCache();
    root = writeFakeHapt([
      { experiment: 1, user: 1, samples: 300, labels: [[5, 1, 200], [7, 201, 280]] },
      { experiment: 2, user: 2, samples: 100, labels: [] },
    ]);
    mkdirSync(join(root, 'wisdm', 'WISDM_ar_v1.1'), { recursive: true });
    writeFileSync(join(root, 'wisdm', 'WISDM_ar_v1.1', 'WISDM_ar_v1.1_raw.txt'), '1,Walking,1,1,2,3;\n1,Walking,2,1,2;\n\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('summarises the datasets it can read and gives the reason for the others', () => {
    const reports = inspectDatasets(root);
    expect(reports.map((r) => [r.dataset, r.ok])).toEqual([
      ['HAPT raw', true],
      ['UCI HAR Inertial Signals', false],
      ['WISDM v1.1 raw', true],
      ['UniMiB-SHAR', false],
    ]);
    expect(reports[0]!.lines).toEqual(['2 experiments, 2 volunteers, 400 samples at 50 Hz', 'segments per activity 1-12: 0 0 0 0 1 0 1 0 0 0 0 0']);
    expect(reports[1]!.lines[0]).toMatch(/^DATASET_MISSING_FILE: .*y_train\.txt/);
    expect(reports[2]!.lines).toEqual(['1 records in 3 lines, 1 recordings of 1 users at 20 Hz', 'issues: emptyLines=1 missingFields=1']);
    expect(reports[3]!.lines[0]).toMatch(/acc_data\.mat/);
  });

  it('exits 1 when no dataset can be read', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const empty = mkdtempSync(join(tmpdir(), 'inspect-none-'));
    expect(main(['--data', empty])).toBe(1);
    expect(main(['--data', root])).toBe(0);
    const printed = log.mock.calls.map((c) => String(c[0])).join('\n');
    log.mockRestore();
    rmSync(empty, { recursive: true });
    expect(printed).toMatch(/^read {5}HAPT raw/m);
    expect(printed).toMatch(/^not read UniMiB-SHAR/m);
  });
});
