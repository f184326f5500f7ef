// The validation report of a replay (issue 6 §3): per recording and overall, accuracy, macro F1,
// per-class precision/recall, the confusion matrix (true labels aligned with windows by the
// training protocol's rule: recording.ts windowLabel), share of each operating mode and of each
// exit, energy per window and the projected battery life, ingest-to-prediction latency
// p50/p99, windows dropped and ingest errors. Plain data: the writers (JSON, text, HTML) only
// format it.
import { ConfusionMatrix, type ClassificationReport } from '../../models/metrics.ts';
import { makeBatterySpec, secondsToEmpty, usableEnergyUj, devicePowerUw, type BatterySpec } from '../budget/battery.ts';
import type { GatewayModel } from '../pipeline/model.ts';
import { modeName } from '../pipeline/prediction-log.ts';
import type { WindowResult } from '../pipeline/pipeline.ts';
import { windowLabel, type ReplayRecording } from './recording.ts';
import { isStreamEventKind, type DeviceRun, type ReplayRun } from './runner.ts';

export const REPORT_FORMAT = 'har-gateway-replay-report/v1';

/** The battery the projection assumes unless told otherwise: the budget README's wristband (CR2032, 220 mAh, 15 µW baseline). */
export const DEFAULT_REPLAY_BATTERY = { chemistry: 'cr2032', capacityMah: 220, baselineUw: 15 } as const;

/** One window on the timeline (HTML report) and in the JSON. */
export interface TimelineWindow {
  readonly windowSeq: number;
  readonly t0Ms: number;
  readonly truth: string | null;
  readonly predicted: string;
  readonly mode: string;
  readonly exitTaken: number;
}

export interface Figures {
  readonly windows: number;
  /** Windows with a true label (the others are predicted but not scored). */
  readonly scoredWindows: number;
  readonly accuracy: number | null;
  readonly macroF1: number | null;
  readonly perClass: ReadonlyArray<{ readonly class: string; readonly precision: number; readonly recall: number; readonly f1: number; readonly support: number }>;
  /** [true][predicted] over the model's classes. */
  readonly confusion: number[][];
  /** Share of windows per operating mode (modeName: full, first-exit, T=<threshold>). */
  readonly modeShare: Readonly<Record<string, number>>;
  /** Share of windows per exit taken (0 = the first, cheapest exit). */
  readonly exitShare: Readonly<Record<string, number>>;
  /** Share of windows that left before the last exit. */
  readonly earlyExitShare: number;
  /** Mean energy per window on the MCU (null with the reference engine). */
  readonly energyPerWindowUj: number | null;
  readonly meanCycles: number | null;
  /** Projected battery life at this energy per window (null without energy). */
  readonly batteryLifeDays: number | null;
  readonly latencyMs: { readonly p50: number | null; readonly p99: number | null };
  readonly windowsDropped: number;
  readonly inferenceFailed: number;
  readonly ingestErrors: Readonly<Record<string, number>>;
  readonly streamEvents: Readonly<Record<string, number>>;
}

export interface RecordingReport extends Figures {
  readonly source: string;
  readonly name: string;
  readonly deviceId: string;
  readonly durationS: number;
  readonly labelled: boolean;
  readonly timeline: readonly TimelineWindow[];
}

export interface SkippedSource {
  readonly source: string;
  readonly code: string;
  readonly error: string;
}

export interface ReplayReport {
  readonly format: typeof REPORT_FORMAT;
  readonly model: string;
  readonly classes: readonly string[];
  readonly engine: string;
  readonly via: string;
  readonly speed: string;
  readonly mode: string;
  readonly battery: BatterySpec;
  readonly recordingS: number;
  readonly wallS: number;
  /** Recording time over wall time. */
  readonly speedup: number;
  readonly overall: Figures;
  readonly recordings: readonly RecordingReport[];
  readonly skipped: readonly SkippedSource[];
  readonly unattributedErrors: Readonly<Record<string, number>>;
  readonly unsettledWindows: number;
  /** Backpressure waits that gave up after 5 s without a result (0 in a healthy run). */
  readonly flowStalls: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

interface Collected {
  readonly results: readonly WindowResult[];
  /** Per result: the class index of the truth in the model's classes, or -1. */
  readonly truth: readonly number[];
  readonly errors: Readonly<Record<string, number>>;
}

export interface ReportContext {
  readonly model: GatewayModel;
  /** Index of the model's last exit (stages - 1). */
  readonly lastExit: number;
  readonly engine: string;
  readonly mode: string;
  readonly battery?: BatterySpec;
}

function figures(parts: readonly Collected[], ctx: ReportContext, battery: BatterySpec): Figures {
  const classes = ctx.model.classes;
  const matrix = new ConfusionMatrix(classes.length);
  const modes: Record<string, number> = {};
  const exits: Record<string, number> = {};
  const latencies: number[] = [];
  let windows = 0;
  let scored = 0;
  let early = 0;
  let energy = 0;
  let cycles = 0;
  let measured = 0;
  const ingestErrors: Record<string, number> = {};
  const streamEvents: Record<string, number> = {};
  for (const part of parts) {
    part.results.forEach((r, i) => {
      windows += 1;
      const t = part.truth[i] ?? -1;
      if (t >= 0) {
        matrix.add(t, r.classIndex);
        scored += 1;
      }
      const m = modeName(r.threshold);
      modes[m] = (modes[m] ?? 0) + 1;
      exits[String(r.exitTaken)] = (exits[String(r.exitTaken)] ?? 0) + 1;
      if (r.exitTaken < ctx.lastExit) early += 1;
      if (r.energyUj !== null) {
        energy += r.energyUj;
        cycles += r.cycles ?? 0;
        measured += 1;
      }
      latencies.push(r.ingestToPredictionMs);
    });
    for (const [kind, n] of Object.entries(part.errors)) {
      const into = isStreamEventKind(kind) ? streamEvents : ingestErrors;
      into[kind] = (into[kind] ?? 0) + n;
    }
  }
  latencies.sort((a, b) => a - b);
  const report: ClassificationReport | null = scored > 0 ? matrix.report() : null;
  const share = (counts: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, windows ? n / windows : 0]));
  const energyPerWindowUj = measured ? energy / measured : null;
  const timing = { rateHz: ctx.model.input.rateHz, strideSamples: ctx.model.input.strideSamples };
  const lifeS = energyPerWindowUj === null ? null : secondsToEmpty(usableEnergyUj(battery, 1), devicePowerUw(battery, timing, energyPerWindowUj));
  return {
    windows,
    scoredWindows: scored,
    accuracy: report?.accuracy ?? null,
    macroF1: report?.macroF1 ?? null,
    perClass: classes.map((name, i) => {
      const p = report?.perClass[i];
      return { class: name, precision: p?.precision ?? 0, recall: p?.recall ?? 0, f1: p?.f1 ?? 0, support: p?.support ?? 0 };
    }),
    confusion: report?.confusion ?? classes.map(() => classes.map(() => 0)),
    modeShare: share(modes),
    exitShare: share(exits),
    earlyExitShare: windows ? early / windows : 0,
    energyPerWindowUj,
    meanCycles: measured ? cycles / measured : null,
    batteryLifeDays: lifeS === null ? null : lifeS / 86_400,
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    windowsDropped: streamEvents['window-dropped'] ?? 0,
    inferenceFailed: streamEvents['inference-failed'] ?? 0,
    ingestErrors,
    streamEvents,
  };
}

/** Labels every result of a device (model class index of the truth, -1 when unscored). */
export function truthOf(recording: ReplayRecording, run: DeviceRun, model: GatewayModel): number[] {
  const byName = new Map(model.classes.map((c, i) => [c.toLowerCase(), i]));
  return run.results.map((r) => {
    const label = windowLabel(recording, r, model.input);
    return label === undefined ? -1 : (byName.get(label.toLowerCase()) ?? -1);
  });
}

export function buildReport(run: ReplayRun, recordings: readonly ReplayRecording[], skipped: readonly SkippedSource[], ctx: ReportContext): ReplayReport {
  const battery = ctx.battery ?? makeBatterySpec(DEFAULT_REPLAY_BATTERY);
  const collected = recordings.map((recording) => {
    const deviceRun = run.devices.get(recording.deviceId) ?? { deviceId: recording.deviceId, results: [], errors: {}, batchesSent: 0 };
    const results = [...deviceRun.results].sort((a, b) => a.windowSeq - b.windowSeq);
    const sortedRun = { ...deviceRun, results };
    return { recording, part: { results, truth: truthOf(recording, sortedRun, ctx.model), errors: deviceRun.errors } };
  });
  const perRecording: RecordingReport[] = collected.map(({ recording, part }) => ({
    source: recording.source,
    name: recording.name,
    deviceId: recording.deviceId,
    durationS: recording.durationS,
    labelled: recording.truth !== null,
    ...figures([part], ctx, battery),
    timeline: part.results.map((r, i) => {
      const t = part.truth[i] ?? -1;
      return { windowSeq: r.windowSeq, t0Ms: r.t0Ms, truth: t >= 0 ? (ctx.model.classes[t] ?? null) : null, predicted: r.className, mode: modeName(r.threshold), exitTaken: r.exitTaken };
    }),
  }));
  const overall = figures(collected.map((c) => c.part), ctx, battery);
  const wallS = run.wallMs / 1000;
  return {
    format: REPORT_FORMAT,
    model: ctx.model.id,
    classes: ctx.model.classes,
    engine: ctx.engine,
    via: run.via,
    speed: String(run.speed),
    mode: ctx.mode,
    battery,
    recordingS: run.recordingS,
    wallS,
    speedup: wallS > 0 ? run.recordingS / wallS : 0,
    overall,
    recordings: perRecording,
    skipped,
    unattributedErrors: run.unattributedErrors,
    unsettledWindows: run.unsettledWindows,
    flowStalls: run.flowStalls,
  };
}
