import { afterEach, describe, expect, it } from 'vitest';
import { InferencePool, type InferenceJob, type InferenceOutcome, type InferencePoolOptions } from '../../../../daemon/pipeline/inference-pool.ts';
import type { PipelineError } from '../../../../daemon/pipeline/errors.ts';

const FAKE_ENGINE = new URL('./fixtures/fake-engine.ts', import.meta.url);

function job(deviceId: string, windowSeq: number, first = 1): InferenceJob {
  const input = new Int8Array(8).fill(1);
  input[0] = first;
  return { window: { deviceId, windowSeq, segment: 0, startSample: windowSeq * 4, t0Ms: 0, receivedAtMs: 0, input }, threshold: 0xffffffff };
}

function harness(options: Partial<InferencePoolOptions> = {}) {
  const results: InferenceOutcome[] = [];
  const dropped: InferenceJob[] = [];
  const failed: Array<[InferenceJob, PipelineError]> = [];
  const pool = new InferencePool({
    workers: 2,
    engineModule: FAKE_ENGINE,
    artifactBytes: new Uint8Array(5),
    onResult: (o) => results.push(o),
    onDrop: (j) => dropped.push(j),
    onFailure: (j, e) => failed.push([j, e]),
    ...options,
  });
  pools.push(pool);
  return { pool, results, dropped, failed };
}
const pools: InferencePool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.stop()));
});

describe('InferencePool', () => {
  it('runs windows in worker threads and returns each device in window order', async () => {
    const { pool, results } = harness({ maxQueuedPerDevice: 20 });
    await pool.start();
    for (let seq = 0; seq < 20; seq++) for (const d of ['a', 'b', 'c']) pool.submit(job(d, seq, seq % 5));
    await pool.drain();
    expect(results).toHaveLength(60);
    for (const d of ['a', 'b', 'c']) {
      expect(results.filter((r) => r.job.window.deviceId === d).map((r) => r.job.window.windowSeq)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    }
    const r0 = results.find((r) => r.job.window.deviceId === 'a' && r.job.window.windowSeq === 3)!;
    expect(r0.result.scores).toEqual([3 + 7, 5, 1]); // computed in the worker from the input
    expect(r0.result.classIndex).toBe(10 % 4);
    expect(pool.stats()).toMatchObject({ submitted: 60, completed: 60, dropped: 0, queued: 0, inFlight: 0 });
  });

  it('drops the oldest waiting window of a device beyond its queue bound, and counts it', async () => {
    const { pool, results, dropped } = harness({ workers: 1, maxInFlightPerWorker: 1, maxQueuedPerDevice: 2, engineOptions: { busyMs: 30 } });
    await pool.start();
    for (let seq = 0; seq < 6; seq++) pool.submit(job('a', seq));
    pool.submit(job('b', 0));
    await pool.drain();
    // 0 is posted at once; 1..5 compete for 2 places: 1, 2, 3 are dropped (oldest first)
    expect(dropped.map((j) => j.window.windowSeq)).toEqual([1, 2, 3]);
    expect(results.map((r) => `${r.job.window.deviceId}${r.job.window.windowSeq}`)).toEqual(['a0', 'a4', 'a5', 'b0']);
    expect(pool.stats()).toMatchObject({ dropped: 3, completed: 4 });
  });

  it('bounds a worker\'s queue over all devices, dropping its oldest waiting window', async () => {
    const { pool, results, dropped } = harness({ workers: 1, maxInFlightPerWorker: 1, maxQueuedPerDevice: 8, maxQueuedPerWorker: 3, engineOptions: { busyMs: 30 } });
    await pool.start();
    for (const d of ['a', 'b', 'c', 'd', 'e']) pool.submit(job(d, 0));
    await pool.drain();
    // a is posted at once; b, c, d wait; e pushes out b (the oldest waiting)
    expect(dropped.map((j) => j.window.deviceId)).toEqual(['b']);
    expect(results.map((r) => r.job.window.deviceId)).toEqual(['a', 'c', 'd', 'e']);
    expect(pool.stats()).toMatchObject({ dropped: 1, queued: 0 });
  });

  it('fails one window on an engine error and keeps going', async () => {
    const { pool, results, failed } = harness({ engineOptions: { failOn: 99 } });
    await pool.start();
    pool.submit(job('a', 0));
    pool.submit(job('a', 1, 99));
    pool.submit(job('a', 2));
    await pool.drain();
    expect(results.map((r) => r.job.window.windowSeq)).toEqual([0, 2]);
    expect(failed.map(([j, e]) => [j.window.windowSeq, e.code])).toEqual([[1, 'engine-failed']]);
    expect(failed[0]![1].message).toContain('fake-fault');
  });

  it('restarts a worker that dies and fails only its in-flight windows', async () => {
    const errors: Error[] = [];
    const { pool, results, failed } = harness({ workers: 1, maxInFlightPerWorker: 1, engineOptions: { exitOn: 77 }, onWorkerError: (_i, e) => errors.push(e) });
    await pool.start();
    pool.submit(job('a', 0));
    pool.submit(job('a', 1, 77));
    pool.submit(job('a', 2));
    await pool.drain();
    expect(failed.map(([j, e]) => [j.window.windowSeq, e.code])).toEqual([[1, 'worker-failed']]);
    expect(results.map((r) => r.job.window.windowSeq)).toEqual([0, 2]);
    expect(pool.stats().workerRestarts).toBe(1);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('rejects start() when the engine cannot be built', async () => {
    const { pool } = harness({ engineOptions: { initFail: true } });
    await expect(pool.start()).rejects.toMatchObject({ code: 'engine-failed' });
  });
});
