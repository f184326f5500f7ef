// A generic IMU notify characteristic with a configurable layout, for firmware you write
// yourself (the layout is the contract; there is no outside document). Frame, all fields in the
// configured byte order:
//   [counter: uint8|uint16|uint32]?  incremented by one per frame (wraps)
//   [timestamp: uint32|uint64]?      device time of the first sample, in `timestampUnitMs` ms
//   samplesPerFrame x channels x (int16 | float32)
// Channels are named from ax ay az gx gy gz (accelerometer mandatory; gyroscope all or none).
// A value is multiplied by accScaleG / gyroScaleRadS (int16: units per LSB; float32: usually 1).
// Notifications are treated as a byte stream: a frame may span notifications and one
// notification may hold several frames. A counter that does not follow is reported as lost
// samples when it jumps forward by at most `maxCounterJump` frames; anything else is rejected.
import { z } from 'zod';
import { bleReject, type BleDecodeResult, type BleRejection, type BleDecoder, type SensorChunk, BleSettingsError } from './types.ts';

const CHANNELS = ['ax', 'ay', 'az', 'gx', 'gy', 'gz'] as const;

export const genericImuSettingsSchema = z.strictObject({
  rateHz: z.number().positive().max(10_000),
  sampleType: z.enum(['int16', 'float32']).default('int16'),
  channels: z.array(z.enum(CHANNELS)).min(3).max(6).default(['ax', 'ay', 'az', 'gx', 'gy', 'gz']),
  samplesPerFrame: z.number().int().min(1).max(256).default(1),
  accScaleG: z.number().positive().default(1),
  gyroScaleRadS: z.number().positive().default(1),
  counter: z.enum(['uint8', 'uint16', 'uint32']).optional(),
  timestamp: z.enum(['uint32', 'uint64']).optional(),
  timestampUnitMs: z.number().positive().default(1),
  /** Added to the device timestamp to get ms since the Unix epoch (0 = it already is). */
  timestampEpochMs: z.number().default(0),
  littleEndian: z.boolean().default(true),
  maxCounterJump: z.number().int().min(1).default(64),
});
export type GenericImuSettings = z.input<typeof genericImuSettingsSchema>;
type Layout = z.output<typeof genericImuSettingsSchema>;

const COUNTER_BYTES = { uint8: 1, uint16: 2, uint32: 4 } as const;
const TIMESTAMP_BYTES = { uint32: 4, uint64: 8 } as const;

export class GenericImuDecoder implements BleDecoder {
  readonly protocol = 'generic-imu';
  readonly frameBytes: number;
  private readonly layout: Layout;
  private readonly order: number[];
  private readonly hasGyro: boolean;
  private pending = new Uint8Array(0);
  private lastCounter: number | null = null;

  constructor(settings: GenericImuSettings) {
    const parsed = genericImuSettingsSchema.safeParse(settings);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new BleSettingsError(`generic-imu settings: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
    }
    const layout = parsed.data;
    const set = new Set(layout.channels);
    if (set.size !== layout.channels.length) throw new BleSettingsError('generic-imu settings: channels repeat');
    if (!['ax', 'ay', 'az'].every((c) => set.has(c as (typeof CHANNELS)[number]))) throw new BleSettingsError('generic-imu settings: channels need ax, ay, az');
    const gyroCount = ['gx', 'gy', 'gz'].filter((c) => set.has(c as (typeof CHANNELS)[number])).length;
    if (gyroCount !== 0 && gyroCount !== 3) throw new BleSettingsError('generic-imu settings: gyroscope channels are gx, gy, gz together or none');
    this.layout = layout;
    this.hasGyro = gyroCount === 3;
    this.order = layout.channels.map((c) => CHANNELS.indexOf(c));
    const header = (layout.counter ? COUNTER_BYTES[layout.counter] : 0) + (layout.timestamp ? TIMESTAMP_BYTES[layout.timestamp] : 0);
    this.frameBytes = header + layout.samplesPerFrame * layout.channels.length * (layout.sampleType === 'int16' ? 2 : 4);
  }

  reset(): void {
    this.pending = new Uint8Array(0);
    this.lastCounter = null;
  }

  flush(): BleRejection | null {
    const left = this.pending.length;
    this.pending = new Uint8Array(0);
    return left > 0 ? bleReject('ble-truncated', `input ends inside a frame (${left} of ${this.frameBytes} bytes)`) : null;
  }

  decode(value: Uint8Array): BleDecodeResult {
    const joined = new Uint8Array(this.pending.length + value.length);
    joined.set(this.pending);
    joined.set(value, this.pending.length);
    const whole = Math.floor(joined.length / this.frameBytes) * this.frameBytes;
    this.pending = joined.slice(whole);
    const chunks: SensorChunk[] = [];
    for (let at = 0; at < whole; at += this.frameBytes) {
      const result = this.decodeFrame(joined.subarray(at, at + this.frameBytes));
      if (!result.ok) {
        // One bad frame poisons the byte stream's alignment: drop what is pending with it.
        this.pending = new Uint8Array(0);
        return result;
      }
      chunks.push(...result.chunks);
    }
    return { ok: true, chunks };
  }

  private decodeFrame(frame: Uint8Array): BleDecodeResult {
    const l = this.layout;
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    let at = 0;
    let lostFrames = 0;
    if (l.counter) {
      const counter = l.counter === 'uint8' ? view.getUint8(0) : l.counter === 'uint16' ? view.getUint16(0, l.littleEndian) : view.getUint32(0, l.littleEndian);
      at += COUNTER_BYTES[l.counter];
      if (this.lastCounter !== null) {
        const modulo = 2 ** (8 * COUNTER_BYTES[l.counter]);
        const step = (counter - this.lastCounter + modulo) % modulo;
        if (step === 0 || step - 1 > l.maxCounterJump) {
          const previous = this.lastCounter;
          this.lastCounter = null;
          return bleReject('ble-counter-jump', `counter ${previous} -> ${counter}`);
        }
        lostFrames = step - 1;
      }
      this.lastCounter = counter;
    }
    let firstSampleMs: number | null = null;
    if (l.timestamp) {
      const raw = l.timestamp === 'uint32' ? view.getUint32(at, l.littleEndian) : Number(view.getBigUint64(at, l.littleEndian));
      firstSampleMs = l.timestampEpochMs + raw * l.timestampUnitMs;
      at += TIMESTAMP_BYTES[l.timestamp];
    }
    const n = l.samplesPerFrame;
    const acc = new Float64Array(3 * n);
    const gyro = this.hasGyro ? new Float64Array(3 * n) : null;
    for (let s = 0; s < n; s++) {
      for (const channel of this.order) {
        const v = l.sampleType === 'int16' ? view.getInt16(at, l.littleEndian) : view.getFloat32(at, l.littleEndian);
        at += l.sampleType === 'int16' ? 2 : 4;
        if (!Number.isFinite(v)) return bleReject('ble-non-finite', `sample ${s} channel ${CHANNELS[channel] ?? '?'} is ${v}`);
        if (channel < 3) acc[3 * s + channel] = v * l.accScaleG;
        else if (gyro) gyro[3 * s + channel - 3] = v * l.gyroScaleRadS;
      }
    }
    const lostBefore = lostFrames * n;
    const chunks: SensorChunk[] = [{ sensor: 'acc', xyz: acc, samples: n, rateHz: l.rateHz, firstSampleMs, lostBefore }];
    if (gyro) chunks.push({ sensor: 'gyro', xyz: gyro, samples: n, rateHz: l.rateHz, firstSampleMs, lostBefore });
    return { ok: true, chunks };
  }
}
