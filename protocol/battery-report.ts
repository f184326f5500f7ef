// Payload of `<base>/<deviceId>/battery` (README.md "Battery report"): a JSON object with the
// state of charge in percent, the cell voltage in millivolts, or both, and optionally the time
// of the reading:
//
//   { "percent": 87.5 }    { "millivolts": 3950, "tMs": 1732450000000 }
//
// Strict: unknown keys are rejected; at least one of percent / millivolts is required.
import { z } from 'zod';
import { reject, type PayloadRejection } from './payload-errors.ts';

export interface BatteryReport {
  readonly deviceId: string;
  /** State of charge, 0..100, or null when the device sent only a voltage. */
  readonly percent: number | null;
  /** Cell voltage in mV (bounds: 1..10000), or null. */
  readonly millivolts: number | null;
  /** Time of the reading (ms since the epoch) when the device sent one. */
  readonly tMs: number | null;
}

export const MAX_BATTERY_MILLIVOLTS = 10_000;

const batterySchema = z.strictObject({
  percent: z.number().optional(),
  millivolts: z.number().optional(),
  tMs: z.number().optional(),
});

export type BatteryDecodeResult = { readonly ok: true; readonly report: BatteryReport } | PayloadRejection;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeBatteryReport(deviceId: string, bytes: Uint8Array): BatteryDecodeResult {
  if (bytes.length === 0) return reject('empty', 'zero-byte payload');
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch (err) {
    return reject('invalid-json', err instanceof Error ? err.message.slice(0, 120) : 'not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return reject('not-an-object', 'expected a JSON object');
  const parsed = batterySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === 'unrecognized_keys') return reject('unknown-field', `unknown field(s): ${issue.keys.slice(0, 5).join(', ')}`);
    const key = String(issue?.path[0] ?? '');
    const v = (value as Record<string, unknown>)[key];
    if (typeof v === 'number') return reject('non-finite', `${key} is ${v}`);
    return reject('wrong-type', `${key}: ${issue?.message ?? 'invalid'}`);
  }
  const { percent, millivolts, tMs } = parsed.data;
  if (percent === undefined && millivolts === undefined) return reject('missing-field', 'neither "percent" nor "millivolts"');
  if (percent !== undefined && (percent < 0 || percent > 100)) return reject('out-of-range', `percent ${percent} outside [0, 100]`);
  if (millivolts !== undefined && (millivolts <= 0 || millivolts > MAX_BATTERY_MILLIVOLTS)) {
    return reject('out-of-range', `millivolts ${millivolts} outside (0, ${MAX_BATTERY_MILLIVOLTS}]`);
  }
  if (tMs !== undefined && tMs < 0) return reject('bad-timestamp', `tMs ${tMs} is negative`);
  return { ok: true, report: { deviceId, percent: percent ?? null, millivolts: millivolts ?? null, tMs: tMs ?? null } };
}

export function encodeBatteryReport(report: Omit<BatteryReport, 'deviceId'>): Uint8Array {
  const out: Record<string, number> = {};
  if (report.percent !== null) out.percent = report.percent;
  if (report.millivolts !== null) out.millivolts = report.millivolts;
  if (report.tMs !== null) out.tMs = report.tMs;
  return new TextEncoder().encode(JSON.stringify(out));
}
