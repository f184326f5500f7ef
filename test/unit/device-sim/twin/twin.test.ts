import { describe, expect, it } from 'vitest';
import { TwinError } from '../../../../device-sim/twin/errors.ts';
import { createTwin } from '../../../../device-sim/twin/twin.ts';
import { FakeCore, fakeModelBytes, type FakeBehaviour } from './fake-core.ts';

const profile = { name: 'test', clockHz: 100e6, activeEnergyPerCyclePj: 20 };

function twinWith(script: FakeBehaviour[]) {
  let step = 0;
  const cores: FakeCore[] = [];
  const lines: string[] = [];
  const twin = createTwin({
    firmwareElf: new Uint8Array(4),
    modelBytes: fakeModelBytes(),
    profile,
    maxCyclesPerWindow: 5000,
    coreFactory: () => {
      const core = new FakeCore(() => script[Math.min(step++, script.length - 1)] ?? 'answer');
      cores.push(core);
      return core;
    },
    onConsole: (line) => lines.push(line),
  });
  return { twin, cores, lines };
}

const window = Int8Array.from({ length: 24 }, (_, i) => i - 12);

describe('twin (fake core)', () => {
  it('runs a window over the mailbox and converts cycles with the profile', () => {
    const { twin, lines } = twinWith(['answer']);
    const r = twin.run(window, 4294967295);
    expect(r.scores).toEqual([-12, -5]);
    expect(r).toMatchObject({ classIndex: 0, margin: 7, exitTaken: 1, macs: 999, cycles: 1234, instret: 1000 });
    expect(r.latencyUs).toBeCloseTo(12.34, 10); // 1234 cycles at 100 MHz
    expect(r.energyUj).toBeCloseTo(1234 * 20e-6, 12);
    expect(lines).toEqual(['har-fw: ready']);
  });

  it('rejects a window of the wrong size before running the core', () => {
    const { twin, cores } = twinWith(['answer']);
    expect(() => twin.run(new Int8Array(23), 0)).toThrow(expect.objectContaining({ code: 'TWIN_WINDOW' }));
    expect(cores).toHaveLength(1);
  });

  it('rejects thresholds outside u32 and unknown kernel sets', () => {
    const { twin } = twinWith(['answer']);
    expect(() => twin.run(window, -1)).toThrow(expect.objectContaining({ code: 'TWIN_ARGUMENT' }));
    expect(() => twin.run(window, 2 ** 32)).toThrow(expect.objectContaining({ code: 'TWIN_ARGUMENT' }));
    expect(() => twin.run(window, 1.5)).toThrow(expect.objectContaining({ code: 'TWIN_ARGUMENT' }));
    // @ts-expect-error: not a kernel set
    expect(() => twin.run(window, 0, 'fast')).toThrow(expect.objectContaining({ code: 'TWIN_ARGUMENT' }));
  });

  it('stops a runaway firmware at the budget, resets, and serves the next window', () => {
    const { twin, cores } = twinWith(['answer', 'loop', 'answer']);
    let error: unknown;
    try {
      twin.run(window, 0);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TwinError);
    expect((error as TwinError).code).toBe('TWIN_BUDGET');
    expect((error as TwinError).message).toContain('5000 cycles');
    expect(twin.resets).toBe(1);
    expect(cores).toHaveLength(2);
    expect(twin.run(window, 0).scores).toEqual([-12, -5]);
  });

  it('reports a trap (halt through the exit device) as a fault and resets', () => {
    const { twin } = twinWith(['answer', 'trap', 'answer']);
    expect(() => twin.run(window, 0)).toThrow(expect.objectContaining({ code: 'TWIN_FAULT' }));
    expect(twin.resets).toBe(1);
    expect(twin.run(window, 0).macs).toBe(999);
  });

  it('fails construction with the firmware check that rejected the model', () => {
    expect(() => twinWith(['bad-model'])).toThrow(/rejected the model: check "crc"/);
  });

  it('refuses a model larger than the model region', () => {
    expect(() =>
      createTwin({ firmwareElf: new Uint8Array(4), modelBytes: new Uint8Array(200 * 1024), profile, coreFactory: () => new FakeCore(() => 'answer') }),
    ).toThrow(expect.objectContaining({ code: 'TWIN_ARGUMENT' }));
  });
});
