// Host checks of the optimized kernels' exact rewrites, compiled natively with the firmware's
// own sources (device-sim/firmware/host/build-host.sh):
// - host/rqcheck.c: the requantization forms (src/prepare.c: 2-bit thresholds, 32-bit multiply,
//   mulh) against the int64 definition of models/ARITHMETIC.md section 3 (include/requant.h) on
//   seeded random channels, at the ends of the accumulator range, at 0 and +-1, on both sides of
//   every step of the definition's output and at random points;
// - host/poolcheck.c: the word-wise (SWAR) pooling against the plain kernels (section 4).
// Tolerance zero; every form and path must be exercised.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir = '';
let rqcheck = '';
let poolcheck = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'har-fw-checks-'));
  rqcheck = join(dir, 'rqcheck');
  poolcheck = join(dir, 'poolcheck');
  execFileSync('bash', ['device-sim/firmware/host/build-host.sh', join(dir, 'harness'), rqcheck, poolcheck]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a check binary; exit status 1 (mismatches) still prints the JSON report. */
function runCheck<T>(binary: string, layers: number, seed: number): T {
  try {
    return JSON.parse(execFileSync(binary, [String(layers), String(seed)], { encoding: 'utf8' })) as T;
  } catch (error) {
    return JSON.parse(String((error as { stdout?: string }).stdout)) as T;
  }
}

interface RqReport {
  readonly failures: number;
  readonly first: string;
  readonly checks: Record<'thresh2' | 'mul32' | 'mulh', number>;
  readonly layers: Record<'thresh2' | 'mul32' | 'mulh' | 'general', number>;
}

interface PoolReport {
  readonly failures: number;
  readonly first: string;
  readonly wordRows: number;
  readonly runs: Record<'maxpool1d' | 'avgpool1d' | 'globalavgpool', number>;
}

describe('requantization forms = ARITHMETIC.md section 3', () => {
  it.each([1, 2, 3])('seed %i: no mismatch, every form exercised', (seed) => {
    const r = runCheck<RqReport>(rqcheck, 2000, seed);
    expect(r.first).toBe('');
    expect(r.failures).toBe(0);
    for (const form of ['thresh2', 'mul32', 'mulh'] as const) {
      expect(r.layers[form], form).toBeGreaterThan(50);
      expect(r.checks[form], form).toBeGreaterThan(10_000);
    }
    expect(r.layers.general).toBeGreaterThan(0);
  });
});

describe('word-wise pooling = ARITHMETIC.md section 4', () => {
  it.each([1, 2])('seed %i: no mismatch on word rows and fallbacks', (seed) => {
    const r = runCheck<PoolReport>(poolcheck, 2000, seed);
    expect(r.first).toBe('');
    expect(r.failures).toBe(0);
    expect(r.wordRows).toBeGreaterThan(1000);
    expect(r.wordRows).toBeLessThan(2000);
  });
});
