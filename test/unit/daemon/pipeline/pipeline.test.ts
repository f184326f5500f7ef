// Pipeline with a fake runner (no workers): results in order with their latency from the
// injected clock, and the stop path: a bounded drain, then windows not inferred are counted.
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../../../daemon/pipeline/errors.ts';
import type { InferenceJob } from '../../../../daemon/pipeline/inference-pool.ts';
import { Pipeline, type RunnerCallbacks, type WindowResult } from '../../../../daemon/pipeline/pipeline.ts';
import type { StreamEvent } from '../../../../daemon/pipeline/types.ts';
import type { SampleBatch } from '../../../../protocol/sample-batch.ts';
import { sampleBatch } from './helpers.ts';

const INPUT = { channels: ['acc_x', 'gyro_z'], rateHz: 50, windowSamples: 4, strideSamples: 2, scale: [1, 1] };

function harness(drainNever: boolean) {
  const batches$ = new Subject<SampleBatch>();
  const events: StreamEvent[] = [];
  const results: WindowResult[] = [];
  const jobs: InferenceJob[] = [];
  let callbacks!: RunnerCallbacks;
  const clock = { ms: 1000 };
  const pipeline = new Pipeline({
    batches$, modelId: 'm', input: INPUT, classes: ['A', 'B'], gap: { fill: 'hold', maxGapFillSamples: 0 },
    thresholdFor: (d) => (d === 'x' ? 0 : 7), now: () => clock.ms, onEvent: (e) => events.push(e), drainTimeoutMs: 20,
    createRunner: (cb) => {
      callbacks = cb;
      return {
        start: () => Promise.resolve(),
        submit: (job) => jobs.push(job),
        drain: () => (drainNever ? new Promise<void>(() => undefined) : Promise.resolve()),
        stop: () => {
          for (const job of jobs.splice(0)) callbacks.onFailure(job, new PipelineError('pool-stopped', 'stopped'));
          return Promise.resolve();
        },
        stats: () => ({ submitted: 0, completed: 0, dropped: 0, failed: 0, queued: 0, inFlight: 0, workerRestarts: 0 }),
      };
    },
  });
  pipeline.results$.subscribe((r) => results.push(r));
  return { pipeline, batches$, events, results, jobs, clock, callbacks: () => callbacks };
}

describe('Pipeline', () => {
  it('submits quantized windows with the device threshold and turns outcomes into results with latencies', async () => {
    const h = harness(false);
    await h.pipeline.start();
    h.batches$.next(sampleBatch('x', 0, 6)); // windows at 0 and 2
    expect(h.jobs.map((j) => [j.window.deviceId, j.window.startSample, j.threshold, Array.from(j.window.input)])).toEqual([
      ['x', 0, 0, [0, 50, 1, 51, 2, 52, 3, 53]],
      ['x', 2, 0, [2, 52, 3, 53, 4, 54, 5, 55]],
    ]);
    h.clock.ms = 1012.5;
    const job = h.jobs.shift()!;
    h.callbacks().onResult({ job, computeUs: 40, result: { classIndex: 1, scores: [3, 9], margin: 6, exitTaken: 0, macs: 10, cycles: null, instret: null, energyUj: null, latencyUs: null } });
    expect(h.results).toEqual([expect.objectContaining({ deviceId: 'x', windowSeq: 0, className: 'B', margin: 6, threshold: 0, receivedAtMs: 1000, completedAtMs: 1012.5, ingestToPredictionMs: 12.5, computeUs: 40 })]);
    expect(h.pipeline.stats()).toMatchObject({ batches: 1, samples: 6, windows: 2, results: 1 });
    h.jobs.length = 0;
    await h.pipeline.stop();
  });

  it('waits a bounded time on stop, then counts the windows not inferred as dropped', async () => {
    const h = harness(true);
    await h.pipeline.start();
    h.batches$.next(sampleBatch('y', 0, 4));
    const t0 = performance.now();
    await h.pipeline.stop();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(h.events.map((e) => [e.deviceId, e.kind])).toEqual([['y', 'window-dropped']]);
    expect(h.pipeline.stats().events).toEqual({ 'window-dropped': 1 });
  });
});
