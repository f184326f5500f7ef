// The optimized kernels' requantization forms (device-sim/firmware/src/prepare.c: 2-bit
// thresholds, 32-bit multiply, mulh) against the int64 definition of models/ARITHMETIC.md
// section 3 (include/requant.h), compiled natively (host/rqcheck.c): on seeded random channels,
// at the ends of the accumulator range, at 0 and +-1, on both sides of every step of the
// definition's output and at random points. Tolerance zero; every form must be exercised.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir = '';
let rqcheck = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'har-fw-rq-'));
  rqcheck = join(dir, 'rqcheck');
  execFileSync('bash', ['device-sim/firmware/host/build-host.sh', join(dir, 'harness'), rqcheck]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface RqReport {
  readonly failures: number;
  readonly first: string;
  readonly checks: Record<'thresh2' | 'mul32' | 'mulh', number>;
  readonly layers: Record<'thresh2' | 'mul32' | 'mulh' | 'general', number>;
}

function runCheck(layers: number, seed: number): RqReport {
  try {
    return JSON.parse(execFileSync(rqcheck, [String(layers), String(seed)], { encoding: 'utf8' })) as RqReport;
  } catch (error) {
    // exit code 1 = mismatches: the JSON line is still on stdout
    return JSON.parse(String((error as { stdout?: string }).stdout)) as RqReport;
  }
}

describe('requantization forms = ARITHMETIC.md section 3', () => {
  it.each([1, 2, 3])('seed %i: no mismatch, every form exercised', (seed) => {
    const r = runCheck(2000, seed);
    expect(r.first).toBe('');
    expect(r.failures).toBe(0);
    for (const form of ['thresh2', 'mul32', 'mulh'] as const) {
      expect(r.layers[form], form).toBeGreaterThan(50);
      expect(r.checks[form], form).toBeGreaterThan(10_000);
    }
    expect(r.layers.general).toBeGreaterThan(0);
  });
});
