// A device's budget target: last until a date, last for a duration, or keep the device's
// average power at or below a figure. A duration is anchored at the first timestamp the
// device's budget sees (its first window or report), never at a clock read.
import { BudgetError } from './errors.ts';

export type BudgetTarget =
  | { readonly kind: 'until'; readonly endMs: number }
  | { readonly kind: 'duration'; readonly durationS: number }
  | { readonly kind: 'averagePower'; readonly powerUw: number };

export type ResolvedTarget =
  | { readonly kind: 'until'; readonly endMs: number }
  | { readonly kind: 'averagePower'; readonly powerUw: number };

export function validateTarget(target: BudgetTarget): void {
  const ok =
    target.kind === 'until' ? Number.isFinite(target.endMs)
    : target.kind === 'duration' ? Number.isFinite(target.durationS) && target.durationS > 0
    : Number.isFinite(target.powerUw) && target.powerUw > 0;
  if (!ok) throw new BudgetError('BAD_TARGET', `invalid ${target.kind} target: ${JSON.stringify(target)}`);
}

/** Anchors a duration at `startMs`; the other kinds are already absolute. */
export function resolveTarget(target: BudgetTarget, startMs: number): ResolvedTarget {
  validateTarget(target);
  if (target.kind === 'duration') return { kind: 'until', endMs: startMs + target.durationS * 1000 };
  return target;
}

export function describeTarget(target: BudgetTarget | ResolvedTarget): string {
  switch (target.kind) {
    case 'until':
      return `until ${new Date(target.endMs).toISOString()}`;
    case 'duration':
      return `for ${formatDurationS(target.durationS)}`;
    case 'averagePower':
      return `an average power of ${formatPowerUw(target.powerUw)}`;
  }
}

/** "3.2 y", "41.5 d", "5.3 h", "12 min", "40 s"; "never" for Infinity. */
export function formatDurationS(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'never';
  const abs = Math.abs(seconds);
  const sign = seconds < 0 ? '-' : '';
  if (abs >= 2 * 365 * 86_400) return `${sign}${(abs / (365 * 86_400)).toFixed(1)} y`;
  if (abs >= 2 * 86_400) return `${sign}${(abs / 86_400).toFixed(1)} d`;
  if (abs >= 2 * 3600) return `${sign}${(abs / 3600).toFixed(1)} h`;
  if (abs >= 120) return `${sign}${(abs / 60).toFixed(0)} min`;
  return `${sign}${abs.toFixed(0)} s`;
}

export function formatPowerUw(powerUw: number): string {
  if (powerUw >= 1e5) return `${(powerUw / 1000).toFixed(0)} mW`;
  if (powerUw >= 1000) return `${(powerUw / 1000).toPrecision(3)} mW`;
  return `${powerUw.toPrecision(3)} µW`;
}

export function formatEnergyUj(energyUj: number): string {
  if (!Number.isFinite(energyUj)) return 'unlimited';
  if (Math.abs(energyUj) >= 1e8) return `${(energyUj / 1e6).toFixed(0)} J`;
  if (Math.abs(energyUj) >= 1e6) return `${(energyUj / 1e6).toPrecision(3)} J`;
  if (Math.abs(energyUj) >= 1e3) return `${(energyUj / 1e3).toPrecision(3)} mJ`;
  return `${energyUj.toPrecision(3)} µJ`;
}
