// The WebSocket's JSON envelopes: `{type, ...}`. A client gets one `snapshot` when it connects,
// then deltas: `prediction` (one per window), `error` (one per counted bad input / stream
// anomaly), `stats` (every websocket.statsIntervalMs), and from the battery budget `battery`
// (every evaluation of a device with a budget) and `mode` (when its mode or status changes);
// the shapes of those two are daemon/budget/messages.ts (zod schemas there).
import type { WindowResult } from '../pipeline/pipeline.ts';
import type { BatteryEnvelope, ModeEnvelope } from '../budget/messages.ts';

export type { BatteryEnvelope, ModeEnvelope };

/** One window's result as clients see it: the pipeline's WindowResult without its wall-clock stamps. */
export type PredictionEnvelope = { readonly type: 'prediction' } & Omit<WindowResult, 'receivedAtMs' | 'completedAtMs'>;

export interface DeviceSummary {
  readonly deviceId: string;
  readonly windows: number;
  readonly lastPrediction: PredictionEnvelope | null;
  /** Counted bad inputs and stream anomalies of this device, by kind. */
  readonly errors: Readonly<Record<string, number>>;
  /** Latest `battery` message of this device (null: no budget, or not evaluated yet). */
  readonly battery: BatteryEnvelope | null;
  /** Latest `mode` message of this device (null: no budget, or no decision yet). */
  readonly mode: ModeEnvelope | null;
}

/** Counters of the whole gateway (also the body of `stats`). */
export interface GatewayCounters {
  readonly uptimeMs: number;
  readonly devices: number;
  readonly predictions: number;
  /** Counted bad inputs and stream anomalies over all devices, by kind. */
  readonly errors: Readonly<Record<string, number>>;
  readonly pipeline: Readonly<Record<string, number>>;
  readonly store: Readonly<Record<string, number>>;
  /**
   * Battery budget: devicesWithBudget, devicesWithout, reportsAccepted, reportsRejected,
   * reportsWithoutTime, reportsIgnored (device without a budget), modeChanges, infeasibleDevices.
   */
  readonly budget?: Readonly<Record<string, number>>;
  readonly websocket: { readonly clients: number; readonly droppedSlowClients: number };
}

export interface SnapshotEnvelope {
  readonly type: 'snapshot';
  readonly modelId: string;
  readonly classes: readonly string[];
  readonly devices: readonly DeviceSummary[];
  readonly counters: GatewayCounters;
}

export interface StatsEnvelope extends GatewayCounters {
  readonly type: 'stats';
}

export interface ErrorEnvelope {
  readonly type: 'error';
  readonly deviceId: string;
  readonly kind: string;
  readonly detail: string;
  /** This device's count of this kind so far. */
  readonly count: number;
}

export type Envelope = SnapshotEnvelope | PredictionEnvelope | StatsEnvelope | ErrorEnvelope | BatteryEnvelope | ModeEnvelope;

export function predictionEnvelope(r: WindowResult): PredictionEnvelope {
  const { receivedAtMs: _receivedAtMs, completedAtMs: _completedAtMs, ...result } = r;
  return { type: 'prediction', ...result };
}
