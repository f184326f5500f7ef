// The Pipeline with its real parts: per-device RxJS stages, the worker-thread pool, and the
// reference executor on a writer-built model. Device streams at 50, 100 and 52 Hz must give
// the predictions of the reference executor on windows cut from the same signal by a plain,
// non-streaming oracle (resampled over the whole recording at once).
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINE_MODULES } from '../../daemon/pipeline/engines.ts';
import { InferencePool } from '../../daemon/pipeline/inference-pool.ts';
import { gatewayModelFromBytes } from '../../daemon/pipeline/model.ts';
import { Pipeline, type WindowResult } from '../../daemon/pipeline/pipeline.ts';
import type { StreamEvent } from '../../daemon/pipeline/types.ts';
import { readArtifact } from '../../models/format/read.ts';
import { quantizeWindow } from '../../models/quantize.ts';
import { createReferenceEngine } from '../../models/reference/executor.ts';
import type { SampleBatch } from '../../protocol/sample-batch.ts';
import { batchesOf, generatedRecording } from '../unit/daemon/pipeline/fixtures/signals.ts';
import { buildTestModel } from '../unit/daemon/pipeline/fixtures/test-model.ts';

const BYTES = buildTestModel();
const MODEL = gatewayModelFromBytes(BYTES);
const pipelines: Pipeline[] = [];
afterEach(async () => {
  await Promise.all(pipelines.splice(0).map((p) => p.stop()));
});

async function startPipeline(batches$: Subject<SampleBatch>, events: StreamEvent[], threshold = 0xffffffff): Promise<{ pipeline: Pipeline; results: WindowResult[] }> {
  const results: WindowResult[] = [];
  const pipeline = new Pipeline({
    batches$,
    modelId: MODEL.id,
    input: MODEL.input,
    classes: MODEL.classes,
    gap: { fill: 'linear', maxGapFillSamples: 8 },
    thresholdFor: () => threshold,
    now: () => performance.now(),
    onEvent: (e) => events.push(e),
    createRunner: (callbacks) => new InferencePool({ workers: 2, engineModule: ENGINE_MODULES.reference, artifactBytes: BYTES, maxQueuedPerDevice: 64, ...callbacks }),
  });
  pipeline.results$.subscribe((r) => results.push(r));
  pipelines.push(pipeline);
  await pipeline.start();
  return { pipeline, results };
}

/** Oracle: the whole recording resampled to 50 Hz at once (linear, position k * inRate / 50), six channels time-major. */
function resampledWhole(rec: { acc: Float64Array; gyro: Float64Array; rateHz: number }): Float64Array {
  const n = rec.acc.length / 3;
  const outN = Math.floor(((n - 1) * 50) / rec.rateHz) + 1;
  const out = new Float64Array(outN * 6);
  const at = (arr: Float64Array, i: number, a: number) => arr[i * 3 + a]!;
  for (let k = 0; k < outN; k++) {
    const num = k * rec.rateHz;
    const i = Math.floor(num / 50);
    const f = (num - i * 50) / 50;
    for (let a = 0; a < 6; a++) {
      const arr = a < 3 ? rec.acc : rec.gyro;
      const x0 = at(arr, i, a % 3);
      out[k * 6 + a] = f === 0 ? x0 : x0 + (at(arr, i + 1, a % 3) - x0) * f;
    }
  }
  return out;
}

function expectedFor(rec: { acc: Float64Array; gyro: Float64Array; rateHz: number }, threshold: number) {
  const engine = createReferenceEngine(readArtifact(BYTES));
  const series = resampledWhole(rec);
  const total = series.length / 6;
  const out = [];
  for (let start = 0; start + 128 <= total; start += 64) {
    const r = engine.run(quantizeWindow(series.slice(start * 6, (start + 128) * 6), MODEL.input.scale), threshold);
    out.push([start, r.classIndex, [...r.scores], r.margin, r.exitTaken, r.macs]);
  }
  return out;
}

describe('Pipeline with worker threads and the reference executor', () => {
  it('matches the oracle window for window at 50, 100 and 52 Hz, devices interleaved', async () => {
    const batches$ = new Subject<SampleBatch>();
    const events: StreamEvent[] = [];
    const { pipeline, results } = await startPipeline(batches$, events);
    const recs = { 'at-50': generatedRecording(0, 700, 50), 'at-100': generatedRecording(1, 1400, 100), 'at-52': generatedRecording(2, 728, 52) };
    const streams = Object.entries(recs).map(([id, rec]) => batchesOf(id, rec, 13 + id.length));
    for (let k = 0; streams.some((s) => k < s.length); k++) for (const s of streams) if (k < s.length) batches$.next(s[k]!);
    await pipeline.stop();
    pipelines.length = 0;
    expect(events).toEqual([]);
    for (const [id, rec] of Object.entries(recs)) {
      const got = results.filter((r) => r.deviceId === id).map((r) => [r.startSample, r.classIndex, r.scores, r.margin, r.exitTaken, r.macs]);
      const expected = expectedFor(rec, 0xffffffff);
      expect(expected.length).toBeGreaterThanOrEqual(9);
      expect(got).toEqual(expected);
    }
  });

  it('runs the early exit with threshold 0 (first stage only)', async () => {
    const batches$ = new Subject<SampleBatch>();
    const { pipeline, results } = await startPipeline(batches$, [], 0);
    const rec = generatedRecording(4, 400, 50);
    for (const b of batchesOf('d', rec, 50)) batches$.next(b);
    await pipeline.stop();
    pipelines.length = 0;
    expect(results.map((r) => [r.startSample, r.classIndex, r.scores, r.margin, r.exitTaken, r.macs])).toEqual(expectedFor(rec, 0));
    expect(results.every((r) => r.exitTaken === 0 && r.threshold === 0)).toBe(true);
  });

  it('counts a large gap and restarts that device only', async () => {
    const batches$ = new Subject<SampleBatch>();
    const events: StreamEvent[] = [];
    const { pipeline, results } = await startPipeline(batches$, events);
    const a = batchesOf('a', generatedRecording(0, 512, 50), 32);
    const b = batchesOf('b', generatedRecording(1, 512, 50), 32);
    a.splice(5, 2); // 64 samples missing: > 8, the window restarts
    for (let k = 0; k < b.length; k++) {
      if (a[k]) batches$.next(a[k]!);
      batches$.next(b[k]!);
    }
    await pipeline.stop();
    pipelines.length = 0;
    expect(events.map((e) => [e.deviceId, e.kind])).toEqual([['a', 'gap-restart']]);
    expect(results.filter((r) => r.deviceId === 'b').map((r) => r.startSample)).toEqual([0, 64, 128, 192, 256, 320, 384]);
    // a: segment 0 has 160 samples (1 window), segment 1 has 288 (3 windows)
    expect(results.filter((r) => r.deviceId === 'a').map((r) => [r.segment, r.startSample, r.windowSeq])).toEqual([[0, 0, 0], [1, 0, 1], [1, 64, 2], [1, 128, 3]]);
  });
});
