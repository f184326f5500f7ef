// Number and time formatting for the dashboard (plain functions, tested from node).

/** "3 d 4 h", "5 h 12 min", "42 s" for a duration in ms (null/negative handled). */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms <= 0) return 'now';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60} min`;
  const d = Math.floor(h / 24);
  return `${d} d ${h % 24} h`;
}

/** Projected time from `atMs` to `emptyAtMs` (both on the device's sample timeline). */
export function timeToEmpty(atMs, emptyAtMs) {
  if (emptyAtMs === null || emptyAtMs === undefined || !Number.isFinite(atMs)) return '—';
  return formatDuration(emptyAtMs - atMs);
}

/** A timeline instant as an ISO date and time to the minute (UTC), e.g. 2026-11-24 15:30Z. */
export function formatInstant(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

/** Grouped integer, e.g. 1 234 567. */
export function formatCount(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
}

/** A number with `digits` decimals and a unit, or a dash. */
export function formatNumber(n, digits, unit = '') {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return unit ? `${n.toFixed(digits)} ${unit}` : n.toFixed(digits);
}

/** Fraction 0..1 as a percentage with one decimal. */
export function formatFraction(f) {
  return formatNumber(Number.isFinite(f) ? f * 100 : null, 1, '%');
}

/** Uptime from ms: "2 h 3 min". */
export function formatUptime(ms) {
  return formatDuration(ms);
}

/** A stable hue (0..359) per class index, for the timeline and the class badge. */
export function classHue(classIndex) {
  // golden-angle steps keep neighbouring classes apart
  return Math.round((classIndex * 137.508) % 360);
}

/** The largest threshold (0xFFFFFFFF): every window takes the late exit (MQTT activity says `full`). */
export const FULL_THRESHOLD = 0xffff_ffff;

/** A window's threshold: `full` for FULL_THRESHOLD, else the number. */
export function formatThreshold(threshold) {
  if (!Number.isFinite(threshold)) return '—';
  return threshold === FULL_THRESHOLD ? 'full' : String(threshold);
}

/** Projected end against the target end: `on target` within a minute, else how far before/after. */
export function endVsTarget(plannedEndMs, targetEndMs) {
  if (plannedEndMs === null || plannedEndMs === undefined || targetEndMs === null || targetEndMs === undefined) return '—';
  const diffMs = plannedEndMs - targetEndMs;
  if (Math.abs(diffMs) < 60_000) return 'on target';
  return diffMs > 0 ? `${formatDuration(diffMs)} after the target` : `${formatDuration(-diffMs)} before the target`;
}
