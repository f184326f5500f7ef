import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingError } from '../../../../daemon/recording/errors.ts';
import { decodeRecordingFile, encodeRecord, RECORDING_FILE_HEADER_BYTES, RECORDING_MAGIC } from '../../../../daemon/recording/format.ts';
import { readRecordingIndex, readRecordingSession } from '../../../../daemon/recording/read.ts';
import { isRecorded, Recorder } from '../../../../daemon/recording/recorder.ts';
import type { SampleBatch } from '../../../../protocol/sample-batch.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function batch(seq: number, samples: number, gyro = true): SampleBatch {
  const acc = Float64Array.from({ length: samples * 3 }, (_, i) => Math.sin(seq + i) * 1.7 + 1e-17 * i);
  return { deviceId: 'd1', seq, t0Ms: 1_732_000_000_000.25 + seq * 20, rateHz: 50, samples, acc, gyro: gyro ? acc.map((v) => -v / 3) : null };
}

function fileOf(...records: Uint8Array[]): Uint8Array {
  const total = RECORDING_MAGIC.length + records.reduce((n, r) => n + r.length, 0);
  const out = new Uint8Array(total);
  out.set(RECORDING_MAGIC);
  let at = RECORDING_MAGIC.length;
  for (const r of records) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}

describe('recording format', () => {
  it('gives every batch back bit for bit, with and without gyroscope', () => {
    const batches = [batch(0, 25), batch(25, 25, false), batch(50, 1)];
    const decoded = decodeRecordingFile(fileOf(...batches.map((b, i) => encodeRecord(b, 1000 + i))), 'x.hrec', 'd1');
    expect(decoded.map((d) => d.receivedAtMs)).toEqual([1000, 1001, 1002]);
    decoded.forEach((d, i) => {
      const b = batches[i]!;
      expect(d.batch).toMatchObject({ deviceId: 'd1', seq: b.seq, t0Ms: b.t0Ms, rateHz: 50, samples: b.samples });
      expect(Buffer.from(d.batch.acc.buffer)).toEqual(Buffer.from(b.acc.buffer));
      expect(d.batch.gyro === null ? null : Buffer.from(d.batch.gyro.buffer)).toEqual(b.gyro === null ? null : Buffer.from(b.gyro.buffer));
    });
  });

  it('names the file and the offset of a truncated record', () => {
    const first = encodeRecord(batch(0, 10), 1);
    const bytes = fileOf(first, encodeRecord(batch(10, 10), 2));
    const cut = bytes.subarray(0, bytes.length - 7);
    expect(() => decodeRecordingFile(cut, 'rec/d1.hrec', 'd1')).toThrow(RecordingError);
    try {
      decodeRecordingFile(cut, 'rec/d1.hrec', 'd1');
    } catch (err) {
      const e = err as RecordingError;
      expect(e.code).toBe('RECORDING_TRUNCATED');
      expect(e.offset).toBe(RECORDING_FILE_HEADER_BYTES + first.length);
      expect(e.message).toMatch(/^rec\/d1\.hrec: byte offset \d+: record 1/);
    }
  });

  it('rejects a flipped bit (CRC), a bad magic and a header-only truncation', () => {
    const bytes = fileOf(encodeRecord(batch(0, 10), 1));
    bytes[bytes.length - 3]! ^= 0x10;
    expect(() => decodeRecordingFile(bytes, 'a.hrec', 'd1')).toThrow(/byte offset 8: record 0: CRC mismatch/);
    expect(() => decodeRecordingFile(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 'b.hrec', 'd1')).toThrow(/not a har-gateway recording/);
    expect(() => decodeRecordingFile(RECORDING_MAGIC.subarray(0, 5), 'c.hrec', 'd1')).toThrow(/RECORDING|file header/);
  });
});

describe('Recorder', () => {
  it('writes a session folder with an index that the reader checks against the files', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'har-rec-')), 'session');
    dirs.push(join(dir, '..'));
    let t = 5000;
    const recorder = new Recorder({ dir, select: ['d1', 'd2'], modelId: 'm', now: () => t++ });
    await recorder.start();
    recorder.record(batch(0, 5), 10);
    recorder.record({ ...batch(0, 5), deviceId: 'd2' }, 11);
    recorder.record({ ...batch(0, 5), deviceId: 'not-selected' }, 12);
    recorder.record(batch(5, 5), 13);
    await recorder.stop();
    const index = readRecordingIndex(dir);
    expect(index.complete).toBe(true);
    expect(Object.keys(index.devices).sort()).toEqual(['d1', 'd2']);
    expect(index.devices.d1).toMatchObject({ batches: 2, samples: 10, gyro: true, rateHz: 50 });
    const devices = readRecordingSession(dir);
    expect(devices.find((d) => d.deviceId === 'd1')!.batches.map((b) => b.receivedAtMs)).toEqual([10, 13]);

    // cut at a record boundary: every record decodes, but the index knows the file was longer
    const d1 = join(dir, 'd1.hrec');
    const size = readFileSync(d1).length;
    truncateSync(d1, size - encodeRecord(batch(5, 5), 0).length);
    expect(() => readRecordingSession(dir)).toThrow(/d1\.hrec: byte offset \d+: .* the index lists/);
    writeFileSync(join(dir, 'index.json'), '{"format": "nope"}');
    expect(() => readRecordingIndex(dir)).toThrow(/invalid index/);
  });

  it('selects devices', () => {
    expect(isRecorded(true, 'x')).toBe(true);
    expect(isRecorded(false, 'x')).toBe(false);
    expect(isRecorded(['a'], 'a')).toBe(true);
    expect(isRecorded(['a'], 'b')).toBe(false);
  });
});
