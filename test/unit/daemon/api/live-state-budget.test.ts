// LiveState keeps each device's latest battery-budget messages for the WebSocket snapshot.
import { describe, expect, it } from 'vitest';
import { LiveState } from '../../../../daemon/api/live-state.ts';
import type { BatteryEnvelope, ModeEnvelope } from '../../../../daemon/budget/messages.ts';

const mode = (deviceId: string, modeIndex: number): ModeEnvelope => ({
  type: 'mode',
  deviceId,
  atMs: 1000 + modeIndex,
  modeIndex,
  threshold: modeIndex * 10,
  accuracy: 0.9,
  previousModeIndex: null,
  status: 'feasible',
  trigger: 'windows',
  held: false,
  budgetPerWindowUj: 5,
  modeEnergyUj: 4,
  shortfallPerWindowUj: null,
  reason: 'fits',
});

const battery = (deviceId: string, chargePct: number): BatteryEnvelope => ({
  type: 'battery',
  deviceId,
  atMs: 1000,
  chargePct,
  chargeSigmaPct: 1,
  usableRemainingUj: 1e6,
  lastReport: null,
  rejectedReports: {},
  projection: { currentModeIndex: 0, currentModeEmptyAtMs: null, plannedEmptyAtMs: null, plannedMix: null, recentPowerUw: null, recentEmptyAtMs: null, targetEndMs: null, targetPowerUw: null, modes: [] },
});

describe('LiveState budget messages', () => {
  it('keeps the latest battery and mode message per device; devices without them show null', () => {
    const live = new LiveState();
    live.recordBudget(mode('a', 1));
    live.recordBudget(battery('a', 80));
    live.recordBudget(mode('a', 2));
    live.recordBudget(battery('a', 79));
    live.recordError('b', 'gap-restart');
    const byId = new Map(live.devicesSummary().map((d) => [d.deviceId, d]));
    expect(byId.get('a')).toMatchObject({ mode: { modeIndex: 2 }, battery: { chargePct: 79 }, windows: 0 });
    expect(byId.get('b')).toMatchObject({ mode: null, battery: null });
  });
});
