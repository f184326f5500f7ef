// What the budget publishes, as types and zod schemas (validated by tests; the lead wires them):
//  - WebSocket envelopes `battery` (every evaluation) and `mode` (when the mode or status changes);
//  - the retained MQTT payload of `<baseTopic>/<deviceId>/mode` (mode, reason, projection);
//  - SQLite rows of the decision and projection history, with the migration SQL that creates them.
// Times on the wire are milliseconds on the device's sample timeline (`...Ms`), like the
// prediction envelopes; the MQTT payload adds ISO 8601 strings for people reading it.
import { z } from 'zod';
import type { ModeDecision } from './controller.ts';
import type { Projection } from './projection.ts';
import type { ChargeEstimate } from './charge-estimator.ts';
import type { OperatingMode } from './modes.ts';

const nullableMs = z.number().nullable();
const status = z.enum(['feasible', 'infeasible', 'targetReached', 'empty']);

export const modeProjectionSchema = z.strictObject({
  index: z.number().int().min(0),
  threshold: z.number().int().min(0).max(0xffff_ffff),
  accuracy: z.number().min(0).max(1),
  energyUj: z.number().min(0),
  powerUw: z.number().min(0),
  emptyAtMs: nullableMs,
  meetsTarget: z.boolean(),
});

export const projectionSchema = z.strictObject({
  currentModeIndex: z.number().int().min(0),
  currentModeEmptyAtMs: nullableMs,
  plannedEmptyAtMs: nullableMs,
  plannedMix: z.strictObject({ lowModeIndex: z.number().int().min(0), highModeIndex: z.number().int().min(0), highShare: z.number().min(0).max(1) }).nullable(),
  recentPowerUw: z.number().min(0).nullable(),
  recentEmptyAtMs: nullableMs,
  targetEndMs: nullableMs,
  targetPowerUw: z.number().positive().nullable(),
  modes: z.array(modeProjectionSchema),
});
export type ProjectionPayload = z.infer<typeof projectionSchema>;

export const batteryEnvelopeSchema = z.strictObject({
  type: z.literal('battery'),
  deviceId: z.string().min(1),
  atMs: z.number(),
  /** Estimated remaining charge, % of the rated capacity. */
  chargePct: z.number().min(0).max(100),
  /** One sigma of that estimate, percentage points. */
  chargeSigmaPct: z.number().min(0),
  usableRemainingUj: z.number().min(0),
  lastReport: z.strictObject({ kind: z.enum(['percent', 'millivolts']), atMs: z.number(), chargePct: z.number().min(0).max(100) }).nullable(),
  rejectedReports: z.record(z.string(), z.number().int().min(0)),
  projection: projectionSchema,
});
export type BatteryEnvelope = z.infer<typeof batteryEnvelopeSchema>;

export const modeEnvelopeSchema = z.strictObject({
  type: z.literal('mode'),
  deviceId: z.string().min(1),
  atMs: z.number(),
  modeIndex: z.number().int().min(0),
  threshold: z.number().int().min(0).max(0xffff_ffff),
  accuracy: z.number().min(0).max(1),
  previousModeIndex: z.number().int().min(0).nullable(),
  status,
  trigger: z.enum(['start', 'report', 'windows']),
  held: z.boolean(),
  budgetPerWindowUj: z.number().nullable(),
  modeEnergyUj: z.number().min(0),
  shortfallPerWindowUj: z.number().nullable(),
  reason: z.string().min(1),
});
export type ModeEnvelope = z.infer<typeof modeEnvelopeSchema>;

export const mqttModePayloadSchema = z.strictObject({
  deviceId: z.string().min(1),
  at: z.string(),
  mode: z.strictObject({ index: z.number().int().min(0), threshold: z.number().int().min(0).max(0xffff_ffff), accuracy: z.number().min(0).max(1) }),
  status,
  reason: z.string().min(1),
  projection: z.strictObject({
    chargePct: z.number().min(0).max(100),
    currentModeEndAt: z.string().nullable(),
    plannedEndAt: z.string().nullable(),
    targetEndAt: z.string().nullable(),
    targetPowerUw: z.number().positive().nullable(),
  }),
});
export type MqttModePayload = z.infer<typeof mqttModePayloadSchema>;

export const decisionRowSchema = z.strictObject({
  device_id: z.string().min(1),
  at_ms: z.number(),
  trigger: z.enum(['start', 'report', 'windows']),
  mode_index: z.number().int().min(0),
  threshold: z.number().int().min(0).max(0xffff_ffff),
  previous_mode_index: z.number().int().min(0).nullable(),
  changed: z.union([z.literal(0), z.literal(1)]),
  held: z.union([z.literal(0), z.literal(1)]),
  status,
  budget_per_window_uj: z.number().nullable(),
  mode_energy_uj: z.number().min(0),
  shortfall_per_window_uj: z.number().nullable(),
  reason: z.string().min(1),
});
export type DecisionRow = z.infer<typeof decisionRowSchema>;

export const projectionRowSchema = z.strictObject({
  device_id: z.string().min(1),
  at_ms: z.number(),
  charge_fraction: z.number().min(0).max(1),
  charge_sigma: z.number().min(0),
  usable_remaining_uj: z.number().min(0),
  current_mode_index: z.number().int().min(0),
  current_mode_empty_at_ms: nullableMs,
  planned_empty_at_ms: nullableMs,
  recent_power_uw: z.number().nullable(),
  recent_empty_at_ms: nullableMs,
  target_end_ms: nullableMs,
  target_power_uw: z.number().nullable(),
  /** JSON array of modeProjectionSchema. */
  modes_json: z.string(),
});
export type ProjectionRow = z.infer<typeof projectionRowSchema>;

// The budget tables are created by migration 4 of daemon/store/migrations.ts (the one place of
// their definition); changing the row shapes needs a new migration there. Insert statements use
// named parameters matching the row types' keys.

function columnsOf(schema: z.ZodObject): string[] {
  return Object.keys(schema.shape);
}

export const INSERT_DECISION_SQL = `INSERT INTO budget_decisions (${columnsOf(decisionRowSchema).join(', ')}) VALUES (${columnsOf(decisionRowSchema)
  .map((c) => `@${c}`)
  .join(', ')})`;
export const INSERT_PROJECTION_SQL = `INSERT INTO budget_projections (${columnsOf(projectionRowSchema).join(', ')}) VALUES (${columnsOf(projectionRowSchema)
  .map((c) => `@${c}`)
  .join(', ')})`;

/** `<baseTopic>/<deviceId>/mode` (retained). */
export function modeTopic(baseTopic: string, deviceId: string): string {
  return `${baseTopic}/${deviceId}/mode`;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function clampPct(fraction: number): number {
  return Math.min(100, Math.max(0, fraction * 100));
}

export function projectionPayload(projection: Projection): ProjectionPayload {
  const current = projection.modes.find((m) => m.index === projection.currentModeIndex);
  return {
    currentModeIndex: projection.currentModeIndex,
    currentModeEmptyAtMs: current?.emptyAtMs ?? null,
    plannedEmptyAtMs: projection.plannedEmptyAtMs,
    plannedMix: projection.plannedMix,
    recentPowerUw: projection.recentPowerUw,
    recentEmptyAtMs: projection.recentEmptyAtMs,
    targetEndMs: projection.targetEndMs,
    targetPowerUw: projection.targetPowerUw,
    modes: projection.modes.map((m) => ({
      index: m.index,
      threshold: m.threshold,
      accuracy: m.accuracy,
      energyUj: m.energyUj,
      powerUw: m.powerUw,
      emptyAtMs: m.emptyAtMs,
      meetsTarget: m.meetsTarget,
    })),
  };
}

export function batteryEnvelope(deviceId: string, charge: ChargeEstimate, projection: Projection): BatteryEnvelope {
  return {
    type: 'battery',
    deviceId,
    atMs: projection.atMs,
    chargePct: clampPct(charge.chargeFraction),
    chargeSigmaPct: charge.sigma * 100,
    usableRemainingUj: charge.usableRemainingUj,
    lastReport: charge.lastReport === null ? null : { kind: charge.lastReport.kind, atMs: charge.lastReport.timestampMs, chargePct: clampPct(charge.lastReport.fraction) },
    rejectedReports: { ...charge.rejected },
    projection: projectionPayload(projection),
  };
}

export function modeEnvelope(deviceId: string, decision: ModeDecision, mode: OperatingMode): ModeEnvelope {
  return {
    type: 'mode',
    deviceId,
    atMs: decision.atMs,
    modeIndex: decision.modeIndex,
    threshold: decision.threshold,
    accuracy: mode.accuracy,
    previousModeIndex: decision.previousModeIndex,
    status: decision.status,
    trigger: decision.trigger,
    held: decision.held,
    budgetPerWindowUj: decision.budgetPerWindowUj,
    modeEnergyUj: decision.modeEnergyUj,
    shortfallPerWindowUj: decision.shortfallPerWindowUj,
    reason: decision.reason,
  };
}

export function mqttModePayload(deviceId: string, decision: ModeDecision, mode: OperatingMode, projection: Projection): MqttModePayload {
  const current = projection.modes.find((m) => m.index === projection.currentModeIndex);
  return {
    deviceId,
    at: new Date(decision.atMs).toISOString(),
    mode: { index: mode.index, threshold: mode.threshold, accuracy: mode.accuracy },
    status: decision.status,
    reason: decision.reason,
    projection: {
      chargePct: clampPct(projection.chargeFraction),
      currentModeEndAt: iso(current?.emptyAtMs ?? null),
      plannedEndAt: iso(projection.plannedEmptyAtMs),
      targetEndAt: iso(projection.targetEndMs),
      targetPowerUw: projection.targetPowerUw,
    },
  };
}

export function decisionRow(deviceId: string, decision: ModeDecision): DecisionRow {
  return {
    device_id: deviceId,
    at_ms: decision.atMs,
    trigger: decision.trigger,
    mode_index: decision.modeIndex,
    threshold: decision.threshold,
    previous_mode_index: decision.previousModeIndex,
    changed: decision.changed ? 1 : 0,
    held: decision.held ? 1 : 0,
    status: decision.status,
    budget_per_window_uj: decision.budgetPerWindowUj,
    mode_energy_uj: decision.modeEnergyUj,
    shortfall_per_window_uj: decision.shortfallPerWindowUj,
    reason: decision.reason,
  };
}

export function projectionRow(deviceId: string, projection: Projection): ProjectionRow {
  const payload = projectionPayload(projection);
  return {
    device_id: deviceId,
    at_ms: projection.atMs,
    charge_fraction: Math.min(1, Math.max(0, projection.chargeFraction)),
    charge_sigma: projection.chargeSigma,
    usable_remaining_uj: projection.usableRemainingUj,
    current_mode_index: projection.currentModeIndex,
    current_mode_empty_at_ms: payload.currentModeEmptyAtMs,
    planned_empty_at_ms: projection.plannedEmptyAtMs,
    recent_power_uw: projection.recentPowerUw,
    recent_empty_at_ms: projection.recentEmptyAtMs,
    target_end_ms: projection.targetEndMs,
    target_power_uw: projection.targetPowerUw,
    modes_json: JSON.stringify(payload.modes),
  };
}

/** Everything one budget update asks the daemon to publish or store (null: nothing of that kind). */
export interface BudgetOutputs {
  /** WebSocket `battery` envelope: every evaluation. */
  readonly battery: BatteryEnvelope | null;
  /** WebSocket `mode` envelope: when the mode or the status changed. */
  readonly mode: ModeEnvelope | null;
  /** Retained MQTT message: when the mode or the status changed. */
  readonly mqttMode: { readonly topic: string; readonly payload: MqttModePayload; readonly retain: true } | null;
  /** SQLite: a decision row when the mode or status changed, a projection row every evaluation. */
  readonly decisionRow: DecisionRow | null;
  readonly projectionRow: ProjectionRow | null;
}

export interface BudgetUpdateLike {
  readonly decision: ModeDecision | null;
  readonly projection: Projection | null;
  readonly modeChanged: boolean;
}

/** Turns an update of DeviceBudget into the messages to send (see README "Wiring"). */
export function budgetOutputs(
  deviceId: string,
  baseTopic: string,
  update: BudgetUpdateLike,
  charge: ChargeEstimate,
  modes: readonly OperatingMode[],
): BudgetOutputs {
  const { decision, projection } = update;
  if (!decision || !projection) return { battery: null, mode: null, mqttMode: null, decisionRow: null, projectionRow: null };
  const mode = modes[decision.modeIndex];
  const battery = batteryEnvelope(deviceId, charge, projection);
  if (!mode || !update.modeChanged) {
    return { battery, mode: null, mqttMode: null, decisionRow: null, projectionRow: projectionRow(deviceId, projection) };
  }
  return {
    battery,
    mode: modeEnvelope(deviceId, decision, mode),
    mqttMode: { topic: modeTopic(baseTopic, deviceId), payload: mqttModePayload(deviceId, decision, mode, projection), retain: true },
    decisionRow: decisionRow(deviceId, decision),
    projectionRow: projectionRow(deviceId, projection),
  };
}
