import { describe, expect, it } from 'vitest';
import { decodeBatteryReport, encodeBatteryReport } from '../../../protocol/battery-report.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('battery report', () => {
  it('decodes percent, millivolts and both', () => {
    expect(decodeBatteryReport('w', enc('{"percent":87.5}'))).toEqual({ ok: true, report: { deviceId: 'w', percent: 87.5, millivolts: null, tMs: null } });
    expect(decodeBatteryReport('w', enc('{"millivolts":3950,"tMs":5}'))).toEqual({ ok: true, report: { deviceId: 'w', percent: null, millivolts: 3950, tMs: 5 } });
    const both = encodeBatteryReport({ percent: 50, millivolts: 3700, tMs: null });
    expect(decodeBatteryReport('w', both)).toEqual({ ok: true, report: { deviceId: 'w', percent: 50, millivolts: 3700, tMs: null } });
  });

  it.each([
    ['', 'empty'],
    ['87', 'not-an-object'],
    ['{"percent":', 'invalid-json'],
    ['{}', 'missing-field'],
    ['{"percent":"87"}', 'wrong-type'],
    ['{"percent":50,"volts":3.7}', 'unknown-field'],
    ['{"percent":101}', 'out-of-range'],
    ['{"percent":-1}', 'out-of-range'],
    ['{"millivolts":0}', 'out-of-range'],
    ['{"millivolts":1e999}', 'non-finite'],
    ['{"percent":5,"tMs":-3}', 'bad-timestamp'],
  ])('rejects %j as %s', (text, kind) => {
    const result = decodeBatteryReport('w', enc(text));
    expect(result.ok ? 'ok' : result.kind).toBe(kind);
  });
});
