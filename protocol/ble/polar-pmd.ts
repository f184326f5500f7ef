// Polar Measurement Data (PMD) service: Polar H10 and Verity Sense accelerometer / gyroscope.
// Source: Polar BLE SDK, "Polar Measurement Data Specification" (technical_documentation/) and
// its PmdControlPointCommand / PmdSetting / PmdDataFrame sources (github.com/polarofficial/polar-ble-sdk).
//
// GATT: PMD service FB005C80-02E7-F387-1CAD-8ACD2D8DF0C8, control point ...5C81 (write/indicate),
// data ...5C82 (notify).
//
// Data notification (PMD spec "Data frame"):
//   offset size field
//        0    1 measurement type (ACC = 0x02, GYRO = 0x05)
//        1    8 timestamp, uint64 LE, ns since 2000-01-01T00:00:00Z, of the LAST sample in the frame
//        9    1 frame type: bits 0-6 the type, bit 7 (0x80) set = delta-compressed frame
//       10  ... samples
// Raw ACC frame types: 0x00 int8 x3, 0x01 int16 x3, 0x02 int24 x3 (mG). Raw GYRO: 0x00 int16 x3
// (times the FACTOR setting, deg/s). Delta frames (compressed bit): one reference sample of
// `resolution` bits per channel (int16 LE when the resolution is 16), then blocks of
// [delta bit width (1 byte), sample count (1 byte), count x 3 signed deltas packed LSB-first
// with that width, padded to a whole byte]; each delta adds to the previous sample.
// ACC values are mG x factor, GYRO values deg/s x factor (factor from the FACTOR setting, 1 if absent).
import { bleReject, hexOf, type BleDecodeResult, type BleRejection, type BleDecoder, type SensorChunk, DEG_TO_RAD, BleSettingsError } from './types.ts';

export const PMD_SERVICE_UUID = 'fb005c80-02e7-f387-1cad-8acd2d8df0c8';
export const PMD_CONTROL_POINT_UUID = 'fb005c81-02e7-f387-1cad-8acd2d8df0c8';
export const PMD_DATA_UUID = 'fb005c82-02e7-f387-1cad-8acd2d8df0c8';

/** Measurement types (PMD spec "Measurement types"). */
export const PMD_MEASUREMENT = { ECG: 0x00, PPG: 0x01, ACC: 0x02, PPI: 0x03, GYRO: 0x05, MAG: 0x06 } as const;
/** Control point op codes (PMD spec "Control point"). */
export const PMD_OP = { GET_MEASUREMENT_SETTINGS: 0x01, REQUEST_MEASUREMENT_START: 0x02, STOP_MEASUREMENT: 0x03 } as const;
/** Setting types in settings TLVs (PMD spec "Measurement settings"). */
export const PMD_SETTING = { SAMPLE_RATE: 0x00, RESOLUTION: 0x01, RANGE: 0x02, RANGE_MILLIUNIT: 0x03, CHANNELS: 0x04, FACTOR: 0x05 } as const;
/** Control point response: first byte, then op code, measurement type, error code, more-frames flag. */
export const PMD_RESPONSE_CODE = 0xf0;
export const PMD_DELTA_FLAG = 0x80;
export const PMD_HEADER_BYTES = 10;
/** Largest unfinished frame kept for the next notification (a PMD frame fits an ATT MTU of 512). */
export const MAX_PENDING_FRAME_BYTES = 1024;
/** A notification whose timestamp is this close to the last frame's is taken for a new frame, not a continuation. */
export const MAX_FRAME_STEP_MS = 60_000;
/** 2000-01-01T00:00:00Z in ms since the Unix epoch (PMD timestamp epoch). */
export const POLAR_EPOCH_UNIX_MS = 946_684_800_000;
const AXES = 3;

export interface PmdSensorSettings {
  readonly sampleRateHz: number;
  /** FACTOR setting (float32): ACC mG per unit, GYRO deg/s per unit. Default 1. */
  readonly factor?: number;
  /** RESOLUTION setting in bits (reference sample width of delta frames). Default 16. */
  readonly resolutionBits?: number;
}
export interface PolarPmdSettings {
  readonly acc?: PmdSensorSettings;
  readonly gyro?: PmdSensorSettings;
}

/** Settings to ask for in REQUEST_MEASUREMENT_START: setting type -> one value. */
export type PmdStartSettings = Partial<Record<'sampleRate' | 'resolution' | 'range' | 'channels', number>>;

/** REQUEST_MEASUREMENT_START: [0x02, type, (setting type, count 1, uint16 LE value)...]. */
export function pmdStartCommand(measurementType: number, settings: PmdStartSettings): Uint8Array {
  const ids: Record<keyof PmdStartSettings, number> = {
    sampleRate: PMD_SETTING.SAMPLE_RATE,
    resolution: PMD_SETTING.RESOLUTION,
    range: PMD_SETTING.RANGE,
    channels: PMD_SETTING.CHANNELS,
  };
  const out = [PMD_OP.REQUEST_MEASUREMENT_START, measurementType];
  for (const key of ['sampleRate', 'resolution', 'range', 'channels'] as const) {
    const value = settings[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new BleSettingsError(`PMD ${key} ${value} is not a uint16`);
    out.push(ids[key], 1, value & 0xff, value >> 8);
  }
  return Uint8Array.from(out);
}

export function pmdSettingsRequest(measurementType: number): Uint8Array {
  return Uint8Array.of(PMD_OP.GET_MEASUREMENT_SETTINGS, measurementType);
}
export function pmdStopCommand(measurementType: number): Uint8Array {
  return Uint8Array.of(PMD_OP.STOP_MEASUREMENT, measurementType);
}

export interface PmdControlResponse {
  readonly opCode: number;
  readonly measurementType: number;
  /** 0 = success (PMD spec "Error codes"). */
  readonly status: number;
  /** Setting type -> values offered (GET_MEASUREMENT_SETTINGS) or in use. FACTOR is a float32. */
  readonly settings: ReadonlyMap<number, readonly number[]>;
}

/** Parses a control point indication: [0xF0, op, type, status, more, TLVs...]; null if malformed. */
export function parsePmdControlResponse(bytes: Uint8Array): PmdControlResponse | null {
  if (bytes.length < 4 || bytes[0] !== PMD_RESPONSE_CODE) return null;
  const settings = new Map<number, number[]>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 5;
  while (at + 2 <= bytes.length) {
    const type = bytes[at] ?? 0;
    const count = bytes[at + 1] ?? 0;
    const width = type === PMD_SETTING.FACTOR || type === PMD_SETTING.RANGE_MILLIUNIT ? 4 : 2;
    at += 2;
    if (at + count * width > bytes.length) return null;
    const values: number[] = [];
    for (let k = 0; k < count; k++, at += width) {
      values.push(type === PMD_SETTING.FACTOR ? view.getFloat32(at, true) : width === 4 ? view.getUint32(at, true) : view.getUint16(at, true));
    }
    settings.set(type, values);
  }
  return { opCode: bytes[1] ?? 0, measurementType: bytes[2] ?? 0, status: bytes[3] ?? 0xff, settings };
}

/** Reads `width` bits at bit position `bit` (LSB-first), sign-extended. width <= 32. */
function readSignedBits(bytes: Uint8Array, bit: number, width: number): number {
  let value = 0;
  for (let k = 0; k < width; k++) {
    const b = bit + k;
    if (((bytes[b >> 3] ?? 0) >> (b & 7)) & 1) value += 2 ** k;
  }
  return value >= 2 ** (width - 1) ? value - 2 ** width : value;
}

interface Continuity {
  lastSampleMs: number;
}

export class PolarPmdDecoder implements BleDecoder {
  readonly protocol = 'polar-pmd';
  private readonly settings: PolarPmdSettings;
  private readonly last = new Map<number, Continuity>();
  private pending: Uint8Array | null = null;

  constructor(settings: PolarPmdSettings = {}) {
    for (const [name, s] of Object.entries(settings) as [string, PmdSensorSettings | undefined][]) {
      if (!s) continue;
      if (!(Number.isFinite(s.sampleRateHz) && s.sampleRateHz > 0)) throw new BleSettingsError(`polar-pmd ${name}.sampleRateHz must be a positive number`);
      if (s.factor !== undefined && !(Number.isFinite(s.factor) && s.factor > 0)) throw new BleSettingsError(`polar-pmd ${name}.factor must be a positive number`);
      if (s.resolutionBits !== undefined && ![8, 16, 24].includes(s.resolutionBits)) throw new BleSettingsError(`polar-pmd ${name}.resolutionBits must be 8, 16 or 24`);
    }
    this.settings = settings;
  }

  reset(): void {
    this.last.clear();
    this.pending = null;
  }

  flush(): BleRejection | null {
    const pending = this.pending;
    this.pending = null;
    return pending ? bleReject('ble-truncated', `input ends inside a frame of ${pending.length} bytes`) : null;
  }

  /**
   * A PMD frame has no length field. When a frame ends inside a sample or a delta block, it is
   * kept and the next notification is appended, unless that notification is itself a plausible
   * frame start (known type and frame type, timestamp within MAX_FRAME_STEP_MS of the last one):
   * then the kept bytes are dropped as 'ble-truncated'.
   */
  decode(value: Uint8Array): BleDecodeResult {
    const dropped: BleRejection[] = [];
    let bytes = value;
    if (this.pending) {
      if (this.looksLikeFrameStart(value)) dropped.push(bleReject('ble-truncated', `frame of ${this.pending.length} bytes never completed`));
      else {
        bytes = new Uint8Array(this.pending.length + value.length);
        bytes.set(this.pending);
        bytes.set(value, this.pending.length);
      }
      this.pending = null;
    }
    const result = this.decodeFrame(bytes);
    if (!result.ok && (result.kind === 'ble-truncated' || result.kind === 'ble-length') && bytes.length <= MAX_PENDING_FRAME_BYTES && this.looksLikeFrameStart(bytes)) {
      this.pending = bytes.slice();
      return { ok: true, chunks: [], ...(dropped.length > 0 ? { dropped } : {}) };
    }
    return dropped.length > 0 ? { ...result, dropped } : result;
  }

  private looksLikeFrameStart(value: Uint8Array): boolean {
    if (value.length < PMD_HEADER_BYTES) return false;
    const type = value[0] ?? 0;
    const sensor = type === PMD_MEASUREMENT.ACC ? 'acc' : type === PMD_MEASUREMENT.GYRO ? 'gyro' : null;
    if (!sensor || !this.settings[sensor]) return false;
    const frameType = value[9] ?? 0xff;
    const known = frameType === PMD_DELTA_FLAG || (sensor === 'acc' ? frameType <= 2 : frameType === 0);
    if (!known) return false;
    const previous = this.last.get(type);
    if (!previous) return true;
    const ms = POLAR_EPOCH_UNIX_MS + Number(new DataView(value.buffer, value.byteOffset, value.byteLength).getBigUint64(1, true)) / 1e6;
    return Math.abs(ms - previous.lastSampleMs) <= MAX_FRAME_STEP_MS;
  }

  private decodeFrame(value: Uint8Array): BleDecodeResult {
    if (value.length < PMD_HEADER_BYTES) return bleReject('ble-truncated', `${value.length} bytes, PMD header needs ${PMD_HEADER_BYTES}`);
    const type = value[0] ?? 0;
    const sensor = type === PMD_MEASUREMENT.ACC ? 'acc' : type === PMD_MEASUREMENT.GYRO ? 'gyro' : null;
    if (!sensor) return bleReject('ble-unknown-type', `measurement type 0x${type.toString(16)} (decoded: ACC 0x02, GYRO 0x05)`);
    const settings = this.settings[sensor];
    if (!settings) return bleReject('ble-bad-setting', `no ${sensor} settings (sampleRateHz) for this device`);
    const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
    const timestampNs = view.getBigUint64(1, true);
    const frameType = value[9] ?? 0;
    const delta = (frameType & PMD_DELTA_FLAG) !== 0;
    const body = value.subarray(PMD_HEADER_BYTES);
    const raw = delta ? this.deltaSamples(body, settings.resolutionBits ?? 16) : this.rawSamples(sensor, frameType, body);
    if (!Array.isArray(raw)) return raw;
    const samples = raw.length / AXES;
    if (samples === 0) return bleReject('ble-truncated', 'frame without samples');
    const factor = settings.factor ?? 1;
    // ACC: mG -> g; GYRO: deg/s -> rad/s (PMD spec units).
    // (v x factor) / 1000 keeps a factor-1 mG value exactly the nearest double of v / 1000.
    const xyz = new Float64Array(raw.length);
    for (let k = 0; k < raw.length; k++) xyz[k] = sensor === 'acc' ? ((raw[k] ?? 0) * factor) / 1000 : (raw[k] ?? 0) * factor * DEG_TO_RAD;

    const periodMs = 1000 / settings.sampleRateHz;
    const lastSampleMs = POLAR_EPOCH_UNIX_MS + Number(timestampNs) / 1e6;
    const firstSampleMs = lastSampleMs - (samples - 1) * periodMs;
    let lostBefore = 0;
    const previous = this.last.get(type);
    if (previous) {
      const missing = (firstSampleMs - previous.lastSampleMs) / periodMs - 1;
      if (missing < -0.5) {
        this.last.delete(type);
        return bleReject('ble-counter-jump', `${sensor} timestamp goes back ${(-missing * periodMs).toFixed(1)} ms`);
      }
      lostBefore = Math.max(0, Math.round(missing));
    }
    this.last.set(type, { lastSampleMs });
    const chunk: SensorChunk = { sensor, xyz, samples, rateHz: settings.sampleRateHz, firstSampleMs, lostBefore };
    return { ok: true, chunks: [chunk] };
  }

  private rawSamples(sensor: 'acc' | 'gyro', frameType: number, body: Uint8Array): number[] | ReturnType<typeof bleReject> {
    const bytesPerValue = sensor === 'acc' ? ({ 0: 1, 1: 2, 2: 3 } as Record<number, number>)[frameType] : frameType === 0 ? 2 : undefined;
    if (bytesPerValue === undefined) return bleReject('ble-unknown-type', `${sensor} raw frame type 0x${frameType.toString(16)}`);
    const sampleBytes = bytesPerValue * AXES;
    if (body.length % sampleBytes !== 0) return bleReject('ble-length', `${body.length} data bytes is not a multiple of ${sampleBytes}`);
    const out: number[] = [];
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    for (let at = 0; at < body.length; at += bytesPerValue) {
      if (bytesPerValue === 1) out.push(view.getInt8(at));
      else if (bytesPerValue === 2) out.push(view.getInt16(at, true));
      else out.push(readSignedBits(body, at * 8, 24));
    }
    return out;
  }

  private deltaSamples(body: Uint8Array, resolutionBits: number): number[] | ReturnType<typeof bleReject> {
    const refBytes = (resolutionBits / 8) * AXES;
    if (body.length < refBytes) return bleReject('ble-truncated', `${body.length} bytes, the reference sample needs ${refBytes}`);
    const current = [0, 0, 0];
    for (let a = 0; a < AXES; a++) current[a] = readSignedBits(body, a * resolutionBits, resolutionBits);
    const out = [...current];
    let at = refBytes;
    while (at < body.length) {
      if (at + 2 > body.length) return bleReject('ble-truncated', `delta block header cut at byte ${at}`);
      const width = body[at] ?? 0;
      const count = body[at + 1] ?? 0;
      at += 2;
      if (width === 0 || width > resolutionBits) return bleReject('ble-bad-bit-width', `delta bit width ${width} (1..${resolutionBits})`);
      const blockBytes = Math.ceil((width * count * AXES) / 8);
      if (at + blockBytes > body.length) return bleReject('ble-truncated', `delta block of ${count} x ${width} bits needs ${blockBytes} bytes, ${body.length - at} left`);
      // Deltas packed LSB-first: a bit reservoir refilled a byte at a time (width <= 24, so it
      // never exceeds 31 bits and float arithmetic stays exact).
      const modulo = 2 ** width;
      const half = modulo / 2;
      let reservoir = 0;
      let bits = 0;
      let byte = at;
      for (let s = 0; s < count; s++) {
        for (let a = 0; a < AXES; a++) {
          while (bits < width) {
            reservoir += (body[byte++] ?? 0) * 2 ** bits;
            bits += 8;
          }
          const raw = reservoir % modulo;
          reservoir = (reservoir - raw) / modulo;
          bits -= width;
          current[a] = (current[a] ?? 0) + (raw >= half ? raw - modulo : raw);
          out.push(current[a] ?? 0);
        }
      }
      at += blockBytes;
    }
    return out;
  }
}

/** Test and tooling helper: the timestamp field for a last-sample time in ms since the Unix epoch. */
export function polarTimestampNs(lastSampleUnixMs: number): bigint {
  return BigInt(Math.round((lastSampleUnixMs - POLAR_EPOCH_UNIX_MS) * 1e6));
}

export function describePolarFrame(value: Uint8Array): string {
  return `PMD frame ${hexOf(value, 10)}`;
}
