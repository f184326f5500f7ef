// Readable prediction lines in the log, rate-limited: up to `maxLinesPerInterval` predictions
// are logged one by one per interval; past that they are only counted, and a summary line per
// interval (predictions, devices, class shares, ingest-to-prediction p50/p99) says what was not
// shown. So a few demo wearables log every window, a thousand log one summary every few seconds.
import type { Logger } from 'pino';
import { THRESHOLD_FIRST_EXIT, THRESHOLD_FULL } from '../../models/engine.ts';
import type { WindowResult } from './pipeline.ts';

/** Per-prediction lines per interval before summarising: about two lines a second. */
export const DEFAULT_PREDICTION_LINES_PER_INTERVAL = 10;
export const DEFAULT_PREDICTION_LOG_INTERVAL_MS = 5_000;

export function modeName(threshold: number): string {
  if (threshold === THRESHOLD_FULL) return 'full';
  if (threshold === THRESHOLD_FIRST_EXIT) return 'first-exit';
  return `T=${threshold}`;
}

/** The q-quantile (0..1) of an unsorted sample, nearest rank; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Latency samples kept per interval for the summary's quantiles (a uniform subsample beyond it). */
const MAX_LATENCY_SAMPLES = 10_000;

export class PredictionLog {
  private readonly logger: Logger;
  private readonly maxLines: number;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private lines = 0;
  private predictions = 0;
  private readonly devices = new Set<string>();
  private readonly classes = new Map<string, number>();
  private latencies: number[] = [];

  constructor(logger: Logger, maxLinesPerInterval = DEFAULT_PREDICTION_LINES_PER_INTERVAL, intervalMs = DEFAULT_PREDICTION_LOG_INTERVAL_MS) {
    this.logger = logger;
    this.maxLines = maxLinesPerInterval;
    this.intervalMs = intervalMs;
  }

  start(): void {
    this.timer = setInterval(() => this.summarise(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.summarise();
  }

  record(r: WindowResult): void {
    this.predictions += 1;
    this.devices.add(r.deviceId);
    this.classes.set(r.className, (this.classes.get(r.className) ?? 0) + 1);
    if (this.latencies.length < MAX_LATENCY_SAMPLES) this.latencies.push(r.ingestToPredictionMs);
    else this.latencies[Math.floor(Math.random() * MAX_LATENCY_SAMPLES)] = r.ingestToPredictionMs;
    if (this.lines >= this.maxLines) return;
    this.lines += 1;
    this.logger.info(
      { device: r.deviceId, window: r.windowSeq, class: r.className, margin: r.margin, mode: modeName(r.threshold), exit: r.exitTaken, latencyMs: round1(r.ingestToPredictionMs) },
      `${r.deviceId}: ${r.className} (margin ${r.margin}, mode ${modeName(r.threshold)}, ${round1(r.ingestToPredictionMs)} ms)`,
    );
  }

  /** Logs the interval's summary when some predictions were not shown, then starts a new interval. */
  private summarise(): void {
    const hidden = this.predictions - this.lines;
    if (hidden > 0) {
      const shares = [...this.classes.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([name, n]) => `${name} ${Math.round((100 * n) / this.predictions)}%`)
        .join(', ');
      const p50 = round1(quantile(this.latencies, 0.5));
      const p99 = round1(quantile(this.latencies, 0.99));
      this.logger.info(
        { predictions: this.predictions, devices: this.devices.size, notShown: hidden, p50Ms: p50, p99Ms: p99 },
        `${this.predictions} predictions from ${this.devices.size} devices in ${this.intervalMs / 1000} s (${hidden} not shown): ${shares}; ingest-to-prediction p50 ${p50} ms, p99 ${p99} ms`,
      );
    }
    this.lines = 0;
    this.predictions = 0;
    this.devices.clear();
    this.classes.clear();
    this.latencies = [];
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
