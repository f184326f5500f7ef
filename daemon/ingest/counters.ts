// Ingest counters: per device and per kind, for stats, the WebSocket and the database.
import type { IngestErrorKind } from './kinds.ts';

export interface DeviceIngestCounters {
  batches: number;
  samples: number;
  batteryReports: number;
  /** Dropped payloads by kind. */
  errors: Partial<Record<IngestErrorKind, number>>;
}

export interface IngestCountersSnapshot {
  readonly batches: number;
  readonly samples: number;
  readonly batteryReports: number;
  readonly dropped: number;
  readonly errorsByKind: Partial<Record<IngestErrorKind, number>>;
  readonly devices: Readonly<Record<string, Readonly<DeviceIngestCounters>>>;
}

export class IngestCounters {
  private readonly devices = new Map<string, DeviceIngestCounters>();
  private readonly totalsByKind: Partial<Record<IngestErrorKind, number>> = {};
  private batches = 0;
  private samples = 0;
  private batteryReports = 0;
  private dropped = 0;

  get deviceCount(): number {
    return this.devices.size;
  }

  has(deviceId: string): boolean {
    return this.devices.has(deviceId);
  }

  batch(deviceId: string, samples: number): void {
    const d = this.device(deviceId);
    d.batches++;
    d.samples += samples;
    this.batches++;
    this.samples += samples;
  }

  battery(deviceId: string): void {
    this.device(deviceId).batteryReports++;
    this.batteryReports++;
  }

  /** Counts one dropped payload; returns true when it is the first of its kind for that device. */
  error(deviceId: string, kind: IngestErrorKind): boolean {
    const d = this.device(deviceId);
    const before = d.errors[kind] ?? 0;
    d.errors[kind] = before + 1;
    this.totalsByKind[kind] = (this.totalsByKind[kind] ?? 0) + 1;
    this.dropped++;
    return before === 0;
  }

  snapshot(): IngestCountersSnapshot {
    const devices: Record<string, DeviceIngestCounters> = {};
    for (const [id, d] of this.devices) devices[id] = { ...d, errors: { ...d.errors } };
    return {
      batches: this.batches,
      samples: this.samples,
      batteryReports: this.batteryReports,
      dropped: this.dropped,
      errorsByKind: { ...this.totalsByKind },
      devices,
    };
  }

  private device(deviceId: string): DeviceIngestCounters {
    let d = this.devices.get(deviceId);
    if (!d) {
      d = { batches: 0, samples: 0, batteryReports: 0, errors: {} };
      this.devices.set(deviceId, d);
    }
    return d;
  }
}
