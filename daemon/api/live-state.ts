// What the gateway knows right now, for the WebSocket snapshot and /health: the last
// prediction and the error counts of every device. Bounded by the number of devices (the
// ingest side bounds that: ingest.maxDevices).
import type { WindowResult } from '../pipeline/pipeline.ts';
import { predictionEnvelope, type BatteryEnvelope, type DeviceSummary, type ModeEnvelope, type PredictionEnvelope } from './envelopes.ts';

interface DeviceState {
  windows: number;
  lastPrediction: PredictionEnvelope | null;
  errors: Record<string, number>;
  battery: BatteryEnvelope | null;
  mode: ModeEnvelope | null;
}

export class LiveState {
  /** Key of errors that no valid device can be charged with (daemon/ingest/kinds.ts UNKNOWN_DEVICE). */
  private readonly unknownDeviceId: string;
  private readonly devices = new Map<string, DeviceState>();
  private readonly errorTotals: Record<string, number> = {};
  private predictionCount = 0;

  constructor(unknownDeviceId = '?') {
    this.unknownDeviceId = unknownDeviceId;
  }

  private device(deviceId: string): DeviceState {
    let state = this.devices.get(deviceId);
    if (!state) {
      state = { windows: 0, lastPrediction: null, errors: {}, battery: null, mode: null };
      this.devices.set(deviceId, state);
    }
    return state;
  }

  /** Records a prediction and returns its envelope. */
  recordPrediction(result: WindowResult): PredictionEnvelope {
    const envelope = predictionEnvelope(result);
    const state = this.device(result.deviceId);
    state.windows += 1;
    state.lastPrediction = envelope;
    this.predictionCount += 1;
    return envelope;
  }

  /** Keeps a device's latest battery-budget messages for the snapshot; returns the envelope. */
  recordBudget<E extends BatteryEnvelope | ModeEnvelope>(envelope: E): E {
    const state = this.device(envelope.deviceId);
    if (envelope.type === 'battery') state.battery = envelope;
    else state.mode = envelope;
    return envelope;
  }

  /** Counts an error of a device (unknownDeviceId for none) and returns the device's count of that kind. */
  recordError(deviceId: string, kind: string): number {
    this.errorTotals[kind] = (this.errorTotals[kind] ?? 0) + 1;
    const state = this.device(deviceId);
    const count = (state.errors[kind] ?? 0) + 1;
    state.errors[kind] = count;
    return count;
  }

  devicesSummary(): DeviceSummary[] {
    return [...this.devices.entries()]
      .filter(([deviceId]) => deviceId !== this.unknownDeviceId)
      .map(([deviceId, s]) => ({ deviceId, windows: s.windows, lastPrediction: s.lastPrediction, errors: { ...s.errors }, battery: s.battery, mode: s.mode }));
  }

  deviceCount(): number {
    return this.devices.has(this.unknownDeviceId) ? this.devices.size - 1 : this.devices.size;
  }

  predictions(): number {
    return this.predictionCount;
  }

  errorTotalsByKind(): Record<string, number> {
    return { ...this.errorTotals };
  }
}
