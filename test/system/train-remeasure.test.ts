// `npm run train -- remeasure`: the shipped zoo's simulation-measured metadata (mode accuracy,
// macroF1, continueShare, avgMacs; test and validation metrics) is what the integer simulation
// measures on the float64 windows (ARITHMETIC.md §1), and a re-measure restores damaged figures
// while leaving the network section and the device-sim columns alone. Needs /usr/bin/python3
// with python3-torch and the window cache of the real recordings (.cache/windows, made by
// models/datasets/export-cache.ts).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');
const ZOO = join(REPO, 'models', 'zoo');
const CLI = join(REPO, 'models', 'train', 'cli.py');

function train(args: readonly string[]): { status: number | null; out: string } {
  const r = spawnSync('/usr/bin/python3', [CLI, ...args], { cwd: REPO, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

// Rewrites the metadata of an artifact with wrong simulation figures (through harm.with_metadata,
// so the file stays valid) and returns nothing; the network section is untouched.
const DAMAGE = `
import sys, json
sys.path.insert(0, 'models/train')
import harm
p = sys.argv[1]
data = open(p, 'rb').read()
md = harm.read_artifact(data).metadata
for m in md['modes']:
    m['accuracy'] = 0.25
    m['continueShare'] = 0.5
md['metrics']['test']['accuracy'] = 0.125
open(p, 'wb').write(harm.with_metadata(data, md))
`;

describe('npm run train -- remeasure', () => {
  it('finds the shipped zoo up to date (--check writes nothing, exits 0)', () => {
    const r = train(['remeasure', '--check']);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/^0 of \d+ artifacts out of date/m);
    expect(r.out).not.toMatch(/would pick other thresholds|another input scale/);
  });

  it('restores damaged figures byte for byte, reports them, and --check flags them first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'har-remeasure-'));
    try {
      const ids = ['hapt6-ee-w8', 'hapt6-tiny-w8'];
      for (const id of ids) copyFileSync(join(ZOO, `${id}.harm`), join(dir, `${id}.harm`));
      const target = join(dir, 'hapt6-ee-w8.harm');
      const damage = spawnSync('/usr/bin/python3', ['-c', DAMAGE, target], { cwd: REPO, encoding: 'utf8' });
      expect(damage.status, damage.stderr).toBe(0);
      const damaged = readFileSync(target);
      expect(damaged.equals(readFileSync(join(ZOO, 'hapt6-ee-w8.harm')))).toBe(false);

      const check = train(['remeasure', '--check', '--zoo', dir]);
      expect(check.status, check.out).toBe(1);
      expect(check.out).toMatch(/^1 of 2 artifacts out of date: hapt6-ee-w8$/m);
      expect(readFileSync(target).equals(damaged)).toBe(true);

      const fix = train(['remeasure', '--zoo', dir]);
      expect(fix.status, fix.out).toBe(0);
      expect(fix.out).toMatch(/metrics\.test\.accuracy 0\.125 -> 0\.93/);
      expect(fix.out).toMatch(/^rewrote 1 of 2 artifacts \(metadata only\)/m);
      for (const id of ids) {
        expect(readFileSync(join(dir, `${id}.harm`)).equals(readFileSync(join(ZOO, `${id}.harm`))), id).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
