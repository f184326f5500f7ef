import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { PredictionLog, modeName, quantile } from '../../../../daemon/pipeline/prediction-log.ts';
import type { WindowResult } from '../../../../daemon/pipeline/pipeline.ts';

function capture() {
  const records: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) records.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: pino({ level: 'info' }, stream), records };
}

function result(deviceId: string, className: string, latencyMs: number): WindowResult {
  return {
    deviceId, modelId: 'm', windowSeq: 3, segment: 0, startSample: 192, t0Ms: 0, threshold: 4294967295, classIndex: 0, className, scores: [1], margin: 42,
    exitTaken: 1, macs: 1, cycles: null, energyUj: null, latencyUs: null, computeUs: 1, receivedAtMs: 0, completedAtMs: latencyMs, ingestToPredictionMs: latencyMs,
  };
}

describe('PredictionLog', () => {
  it('logs readable lines up to its budget, then one summary of what it did not show', async () => {
    const { logger, records } = capture();
    const log = new PredictionLog(logger, 2, 60_000);
    log.start();
    log.record(result('wrist-1', 'WALKING', 3.14));
    log.record(result('wrist-2', 'SITTING', 5));
    for (let i = 0; i < 8; i++) log.record(result(`d${i}`, i < 6 ? 'WALKING' : 'LAYING', 10 + i));
    log.stop();
    await new Promise((r) => setImmediate(r));
    expect(records.map((r) => r.msg)).toEqual([
      'wrist-1: WALKING (margin 42, mode full, 3.1 ms)',
      'wrist-2: SITTING (margin 42, mode full, 5 ms)',
      '10 predictions from 10 devices in 60 s (8 not shown): WALKING 70%, LAYING 20%, SITTING 10%; ingest-to-prediction p50 12 ms, p99 17 ms',
    ]);
    expect(records[0]).toMatchObject({ device: 'wrist-1', class: 'WALKING', margin: 42, mode: 'full', exit: 1, latencyMs: 3.1 });
  });

  it('writes no summary when every prediction was shown', async () => {
    const { logger, records } = capture();
    const log = new PredictionLog(logger, 5, 60_000);
    log.record(result('a', 'X', 1));
    log.stop();
    await new Promise((r) => setImmediate(r));
    expect(records).toHaveLength(1);
  });

  it('names modes and takes nearest-rank quantiles', () => {
    expect([modeName(4294967295), modeName(0), modeName(17)]).toEqual(['full', 'first-exit', 'T=17']);
    expect(quantile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(quantile([5, 1, 4, 2, 3], 0.99)).toBe(5);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
