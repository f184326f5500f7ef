import { describe, expect, it } from 'vitest';
import { parseBatteryArgument, parseDurationS, parsePowerUw, parseTargetArgument } from '../../../../daemon/budget/units.ts';
import { BudgetError } from '../../../../daemon/budget/errors.ts';

describe('unit parsing', () => {
  it.each([
    ['220mAh@3.0V', { capacityMah: 220, nominalVoltageV: 3 }],
    ['1.2Ah@3700mV', { capacityMah: 1200, nominalVoltageV: 3.7 }],
    ['40mAh', { capacityMah: 40, nominalVoltageV: null }],
  ])('battery %s', (text, expected) => {
    const got = parseBatteryArgument(text);
    expect(got.capacityMah).toBeCloseTo(expected.capacityMah, 9);
    if (expected.nominalVoltageV === null) expect(got.nominalVoltageV).toBeNull();
    else expect(got.nominalVoltageV).toBeCloseTo(expected.nominalVoltageV, 9);
  });

  it.each(['220', '220mah', '-5mAh', '0mAh', '220mAh@', '220mAh@3.0V@2', '220mAh@3.0X', 'abcmAh', '1e3mAh', '220mAh@0V'])(
    'rejects battery %s with a BAD_UNIT error',
    (text) => {
      expect(() => parseBatteryArgument(text)).toThrow(BudgetError);
      try {
        parseBatteryArgument(text);
      } catch (err) {
        expect((err as BudgetError).code).toBe('BAD_UNIT');
      }
    },
  );

  it.each([
    ['15uW', 15],
    ['15µW', 15],
    ['0.2mW', 200],
    ['500nW', 0.5],
    ['0uW', 0],
    ['15 uW', 15],
  ])('power %s = %f µW', (text, uw) => {
    expect(parsePowerUw(text)).toBeCloseTo(uw, 9);
  });

  it.each(['15', '15w', '15 u W', '-3uW', 'uW'])('rejects power %s', (text) => {
    expect(() => parsePowerUw(text)).toThrow(/power/);
  });

  it.each([
    ['365d', 365 * 86400],
    ['12h', 43200],
    ['90min', 5400],
    ['2w', 14 * 86400],
    ['1y', 365 * 86400],
    ['30s', 30],
  ])('duration %s', (text, s) => {
    expect(parseDurationS(text)).toBe(s);
  });

  it('targets: duration, average power, date', () => {
    expect(parseTargetArgument('365d')).toEqual({ kind: 'duration', durationS: 365 * 86400 });
    expect(parseTargetArgument('40uW')).toEqual({ kind: 'averagePower', powerUw: 40 });
    expect(parseTargetArgument('2027-06-30')).toEqual({ kind: 'until', endMs: Date.UTC(2027, 5, 30) });
    expect(parseTargetArgument('2027-06-30T12:00')).toEqual({ kind: 'until', endMs: Date.UTC(2027, 5, 30, 12) });
    expect(parseTargetArgument('2027-06-30T12:00:00+02:00')).toEqual({ kind: 'until', endMs: Date.UTC(2027, 5, 30, 10) });
  });

  it.each(['0d', 'soon', '365', '2027-13-45', '0uW'])('rejects target %s', (text) => {
    expect(() => parseTargetArgument(text)).toThrow(BudgetError);
  });
});
