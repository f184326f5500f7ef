import { describe, expect, it } from 'vitest';
import { budgetSchema, deviceBudgetSettings } from '../../../../daemon/budget/config.ts';

const CLASSES = {
  wristband: { battery: { chemistry: 'cr2032', capacityMah: 220, baselineUw: 15 }, target: { durationDays: 365 } },
};

function issues(input: unknown): string[] {
  const r = budgetSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('budget config', () => {
  it('defaults: no classes, no devices, the controller defaults', () => {
    const cfg = budgetSchema.parse(undefined);
    expect(cfg).toEqual({ classes: {}, devices: {}, controller: { hysteresisFraction: 0.02, minDwellS: 1800, reevaluateEveryWindows: 64 } });
    expect(deviceBudgetSettings(cfg, 'any')).toBeNull();
  });

  it('a device gets its class merged with its overrides', () => {
    const cfg = budgetSchema.parse({
      classes: CLASSES,
      devices: { 'wrist-07': { class: 'wristband', battery: { baselineUw: 22 }, target: { until: '2027-06-30T00:00:00Z' } } },
    });
    const s = deviceBudgetSettings(cfg, 'wrist-07');
    expect(s?.battery).toMatchObject({ chemistry: 'cr2032', capacityMah: 220, baselineUw: 22, nominalVoltageV: 3, usableFraction: 0.9 });
    expect(s?.target).toEqual({ kind: 'until', endMs: Date.UTC(2027, 5, 30) });
    expect(deviceBudgetSettings(cfg, 'other')).toBeNull();
  });

  it('the default class covers unlisted devices', () => {
    const cfg = budgetSchema.parse({ classes: CLASSES, defaultClass: 'wristband' });
    expect(deviceBudgetSettings(cfg, 'x')?.target).toEqual({ kind: 'duration', durationS: 365 * 86400 });
  });

  it.each([
    [{ classes: CLASSES, defaultClass: 'nope' }, /defaultClass: no class named "nope"/],
    [{ devices: { a: { class: 'nope' } } }, /devices.a.class: no class named/],
    [{ devices: { a: { battery: { chemistry: 'lipo' }, target: { durationDays: 3 } } } }, /devices.a: needs a class or battery/],
    [{ classes: { c: { battery: { chemistry: 'nicd', capacityMah: 1, baselineUw: 1 }, target: { durationDays: 1 } } } }, /chemistry/],
    [{ classes: { c: { battery: { chemistry: 'lipo', capacityMah: 1, baselineUw: 1, capacity: 3 }, target: { durationDays: 1 } } } }, /capacity/],
    [{ classes: { c: { battery: { chemistry: 'lipo', capacityMah: -1, baselineUw: 1 }, target: { durationDays: 1 } } } }, /capacityMah/],
    [{ classes: { c: { battery: { chemistry: 'lipo', capacityMah: 1, baselineUw: 1 }, target: { durationDays: 1, averagePowerUw: 3 } } } }, /target/],
    [{ controller: { minDwellS: -1 } }, /controller.minDwellS/],
  ])('rejects %j', (input, message) => {
    expect(issues(input).join('\n')).toMatch(message);
  });
});
