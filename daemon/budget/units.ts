// Strict parsing of the quantities people type on the command line (`--battery 220mAh@3.0V`,
// `--baseline 15uW`, `--target 365d`). Every parser accepts one number (decimal, no sign, no
// exponent) followed directly or after one space by a unit from a fixed list, and throws a
// BudgetError('BAD_UNIT') whose message names the accepted forms.
import { BudgetError } from './errors.ts';

const NUMBER = String.raw`(\d+(?:\.\d+)?|\.\d+)`;

function parseQuantity(text: string, what: string, units: Readonly<Record<string, number>>, example: string): number {
  const trimmed = text.trim();
  const match = new RegExp(`^${NUMBER} ?([A-Za-zµ]+)$`).exec(trimmed);
  const unitList = Object.keys(units).join(', ');
  if (!match) {
    throw new BudgetError('BAD_UNIT', `${what}: "${text}" is not a number followed by a unit (${unitList}), e.g. ${example}`);
  }
  const value = Number(match[1]);
  const factor = units[match[2] ?? ''];
  if (factor === undefined) {
    throw new BudgetError('BAD_UNIT', `${what}: unknown unit "${match[2] ?? ''}" in "${text}" (accepted: ${unitList})`);
  }
  if (!Number.isFinite(value)) throw new BudgetError('BAD_UNIT', `${what}: "${text}" is not a finite number`);
  return value * factor;
}

/** Capacity in mAh from `220mAh` or `1.2Ah`. Must be > 0. */
export function parseCapacityMah(text: string): number {
  const mah = parseQuantity(text, 'battery capacity', { mAh: 1, Ah: 1000 }, '220mAh');
  if (!(mah > 0)) throw new BudgetError('BAD_UNIT', `battery capacity: "${text}" must be greater than 0`);
  return mah;
}

/** Voltage in volts from `3.0V` or `3700mV`. Must be > 0. */
export function parseVoltageV(text: string): number {
  const volts = parseQuantity(text, 'battery voltage', { V: 1, mV: 1e-3 }, '3.0V');
  if (!(volts > 0)) throw new BudgetError('BAD_UNIT', `battery voltage: "${text}" must be greater than 0`);
  return volts;
}

export interface BatteryArgument {
  readonly capacityMah: number;
  /** Null when the argument has no `@<voltage>` part (the chemistry's nominal voltage applies). */
  readonly nominalVoltageV: number | null;
}

/** `220mAh@3.0V` or `220mAh` (voltage from the chemistry). */
export function parseBatteryArgument(text: string): BatteryArgument {
  const parts = text.split('@');
  if (parts.length > 2) throw new BudgetError('BAD_UNIT', `battery: "${text}" has more than one "@" (expected e.g. 220mAh@3.0V)`);
  const capacityMah = parseCapacityMah(parts[0] ?? '');
  const voltage = parts[1];
  return { capacityMah, nominalVoltageV: voltage === undefined ? null : parseVoltageV(voltage) };
}

const POWER_UNITS_TO_UW: Readonly<Record<string, number>> = { nW: 1e-3, uW: 1, µW: 1, mW: 1e3, W: 1e6 };

/** Power in µW from `15uW`, `15µW`, `0.2mW`, `500nW`, `1W`. May be 0 (no baseline). */
export function parsePowerUw(text: string): number {
  return parseQuantity(text, 'power', POWER_UNITS_TO_UW, '15uW');
}

const DURATION_UNITS_TO_S: Readonly<Record<string, number>> = {
  s: 1,
  min: 60,
  h: 3600,
  d: 86_400,
  w: 7 * 86_400,
  // A year is 365 days here (documented in README: no calendar arithmetic in durations).
  y: 365 * 86_400,
};

/** Duration in seconds from `30s`, `90min`, `12h`, `365d`, `2w`, `1y` (= 365 d). Must be > 0. */
export function parseDurationS(text: string): number {
  const seconds = parseQuantity(text, 'duration', DURATION_UNITS_TO_S, '365d');
  if (!(seconds > 0)) throw new BudgetError('BAD_UNIT', `duration: "${text}" must be greater than 0`);
  return seconds;
}

/** How a budget target was written; resolved against a start time by target.ts. */
export type TargetArgument =
  | { readonly kind: 'duration'; readonly durationS: number }
  | { readonly kind: 'until'; readonly endMs: number }
  | { readonly kind: 'averagePower'; readonly powerUw: number };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * A target: a duration (`365d`), an average power of the whole device (`40uW`), or an end date
 * (`2027-06-30` = midnight UTC, or an ISO 8601 date-time with its offset).
 */
export function parseTargetArgument(text: string): TargetArgument {
  const trimmed = text.trim();
  if (ISO_DATE.test(trimmed)) {
    // A bare date or a date-time without an offset is read as UTC, so the result never depends
    // on the machine's time zone.
    const iso = trimmed.length === 10 ? `${trimmed}T00:00:00Z` : /(Z|[+-]\d{2}:\d{2})$/.test(trimmed) ? trimmed : `${trimmed}Z`;
    const endMs = Date.parse(iso);
    if (!Number.isFinite(endMs)) throw new BudgetError('BAD_UNIT', `target: "${text}" is not a valid date`);
    return { kind: 'until', endMs };
  }
  if (/W$/.test(trimmed)) {
    const powerUw = parsePowerUw(trimmed);
    if (!(powerUw > 0)) throw new BudgetError('BAD_UNIT', `target power: "${text}" must be greater than 0`);
    return { kind: 'averagePower', powerUw };
  }
  try {
    return { kind: 'duration', durationS: parseDurationS(trimmed) };
  } catch (err) {
    throw new BudgetError(
      'BAD_UNIT',
      `target: "${text}" is neither a duration (e.g. 365d, 12h, 2w, 1y), an average power (e.g. 40uW) nor a date (e.g. 2027-06-30)`,
      { cause: err },
    );
  }
}
