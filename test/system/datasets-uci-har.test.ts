// The shared copy of UCI HAR holds only its label, subject and documentation files: the reader
// must say which signal file is missing (a partial copy), and read the labels it does have.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadUciHarWindows } from '../../models/datasets/uci-har.ts';

const DATA_DIR = resolve(process.env.HAR_DATA_DIR ?? '../shared/datasets');
const ROOT = join(DATA_DIR, 'uci-har', 'UCI HAR Dataset');
const hasSignals = existsSync(join(ROOT, 'train', 'Inertial Signals'));

describe('UCI HAR on the shared copy', () => {
  it.skipIf(hasSignals)('names the first missing Inertial Signals file of the partial copy', () => {
    for (const split of ['train', 'test'] as const) {
      expect(() => loadUciHarWindows(DATA_DIR, split)).toThrow(
        expect.objectContaining({ code: 'DATASET_MISSING_FILE', path: join(ROOT, split, 'Inertial Signals', `total_acc_x_${split}.txt`) }),
      );
    }
  });

  it.skipIf(!hasSignals)('reads the published 7352 training and 2947 test windows', () => {
    expect(loadUciHarWindows(DATA_DIR, 'train').count).toBe(7352);
    expect(loadUciHarWindows(DATA_DIR, 'test').count).toBe(2947);
  });
});
