// Types of format.js for the node tests.
export function formatDuration(ms: number | null | undefined): string;
export function timeToEmpty(atMs: number, emptyAtMs: number | null | undefined): string;
export function formatInstant(ms: number | null | undefined): string;
export function formatCount(n: number | null | undefined): string;
export function formatNumber(n: number | null | undefined, digits: number, unit?: string): string;
export function formatFraction(f: number): string;
export function formatUptime(ms: number | null | undefined): string;
export function classHue(classIndex: number): number;
export const FULL_THRESHOLD: number;
export function formatThreshold(threshold: number | null | undefined): string;
export function endVsTarget(plannedEndMs: number | null | undefined, targetEndMs: number | null | undefined): string;
