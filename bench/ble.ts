// `npm run bench -- ble [--notifications <n>]`: BLE decode cost per protocol on GENERATED frames
// (protocol/ble encoders and hand layouts; no device, no dataset). For each decoder: decode +
// acc/gyro pairing into SampleBatches (protocol/ble/assemble.ts) + binary batch encoding (what
// the daemon and the bridge do per notification). Prints µs per notification, samples/s, and
// how many real-time 52 Hz streams (acc+gyro pairs where paired) one core could decode.
import { parseArgs } from 'node:util';
import { BatchAssembler } from '../protocol/ble/assemble.ts';
import { createBleDecoder } from '../protocol/ble/index.ts';
import { encodePmdDeltaFrame, encodePmdRawFrame } from '../protocol/ble/polar-pmd-encode.ts';
import { POLAR_EPOCH_UNIX_MS } from '../protocol/ble/polar-pmd.ts';
import { encodeBinaryBatch } from '../protocol/binary-batch.ts';

interface Case {
  readonly name: string;
  readonly protocol: string;
  readonly settings: unknown;
  readonly gyro: boolean;
  /** Notification i (in order). */
  frame(i: number): Uint8Array;
}

const RATE_HZ = 52;
const PER_FRAME = 36;
const wave = (k: number, a: number, amp: number): number => Math.round(amp * Math.sin(k / 9 + a) + (a === 2 ? 1000 : 0));

function polarSamples(i: number, amp: number): number[][] {
  return Array.from({ length: PER_FRAME }, (_, s) => [0, 1, 2].map((a) => wave(i * PER_FRAME + s, a, amp)));
}
const lastMs = (i: number): number => POLAR_EPOCH_UNIX_MS + 1e9 + (((i >> 1) + 1) * PER_FRAME * 1000) / RATE_HZ;

const CASES: Case[] = [
  {
    name: 'polar-pmd delta (36 samples/frame, acc+gyro)',
    protocol: 'polar-pmd',
    settings: { acc: { sampleRateHz: RATE_HZ }, gyro: { sampleRateHz: RATE_HZ, factor: 0.0625 } },
    gyro: true,
    frame: (i) => encodePmdDeltaFrame(i % 2 === 0 ? 2 : 5, 0, lastMs(i), polarSamples(i >> 1, 300), { blocks: [{ count: 17 }, { count: 18 }] }),
  },
  {
    name: 'polar-pmd raw int16 (36 samples/frame, acc)',
    protocol: 'polar-pmd',
    settings: { acc: { sampleRateHz: RATE_HZ } },
    gyro: false,
    frame: (i) => encodePmdRawFrame(2, 1, 2, POLAR_EPOCH_UNIX_MS + 1e9 + ((i + 1) * PER_FRAME * 1000) / RATE_HZ, polarSamples(i, 300).flat()),
  },
  { name: 'thingy52 raw (1 sample)', protocol: 'thingy52', settings: { rateHz: RATE_HZ }, gyro: true, frame: (i) => Uint8Array.from({ length: 18 }, (_, k) => (i * 7 + k) & 0xff) },
  {
    name: 'metawear packed (3 samples, acc+gyro)',
    protocol: 'metawear',
    settings: { accRateHz: RATE_HZ, gyroRateHz: RATE_HZ },
    gyro: true,
    frame: (i) => Uint8Array.of(i % 2 === 0 ? 0x03 : 0x13, i % 2 === 0 ? 0x1c : 0x07, ...Array.from({ length: 18 }, (_, k) => (i + k) & 0xff)),
  },
  {
    name: 'generic-imu int16 (4 samples, counter)',
    protocol: 'generic-imu',
    settings: { rateHz: RATE_HZ, samplesPerFrame: 4, counter: 'uint8', accScaleG: 1 / 4096, gyroScaleRadS: 0.001 },
    gyro: true,
    frame: (i) => Uint8Array.of(i & 0xff, ...Array.from({ length: 48 }, (_, k) => (i * 3 + k) & 0xff)),
  },
];

export async function run(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { notifications: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log('usage: har-gateway bench ble [--notifications <n per protocol, default 20000>]');
    return 0;
  }
  await Promise.resolve();
  const n = values.notifications === undefined ? 20_000 : Number(values.notifications);
  if (!Number.isInteger(n) || n < 2) {
    console.error('--notifications must be an integer >= 2');
    return 1;
  }
  console.log(`BLE decode + pairing + binary encoding, ${n} generated notifications per protocol, node ${process.version}`);
  console.log('protocol                                        µs/notif   samples/s   rejected   52 Hz streams/core');
  for (const c of CASES) {
    const frames = Array.from({ length: n }, (_, i) => c.frame(i));
    const decoder = createBleDecoder(c.protocol, c.settings);
    const assembler = new BatchAssembler({ deviceId: 'bench', gyro: c.gyro });
    let samples = 0;
    let rejected = 0;
    let bytes = 0;
    const t0 = performance.now();
    for (const [i, frame] of frames.entries()) {
      const r = decoder.decode(frame);
      if (!r.ok) {
        rejected++;
        continue;
      }
      for (const b of assembler.push(r.chunks, i).batches) {
        samples += b.samples;
        bytes += encodeBinaryBatch(b).length;
      }
    }
    const ms = performance.now() - t0;
    const samplesPerS = (samples / ms) * 1000;
    console.log(
      `${c.name.padEnd(46)} ${((ms * 1000) / n).toFixed(2).padStart(9)} ${Math.round(samplesPerS).toString().padStart(11)} ${rejected.toString().padStart(10)} ${Math.floor(samplesPerS / RATE_HZ).toString().padStart(12)}` +
        (bytes === 0 ? '  (nothing encoded)' : ''),
    );
  }
  return 0;
}
