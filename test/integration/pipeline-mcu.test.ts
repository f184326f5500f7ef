// The pipeline with engine kind 'mcu' (the emulated RISC-V twin) plugged in by name: the same
// windows as the reference executor, bit for bit, plus cycles, energy and latency.
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ENGINE_MODULES } from '../../daemon/pipeline/engines.ts';
import { InferencePool } from '../../daemon/pipeline/inference-pool.ts';
import { gatewayModelFromBytes } from '../../daemon/pipeline/model.ts';
import { Pipeline, type WindowResult } from '../../daemon/pipeline/pipeline.ts';
import { readArtifact } from '../../models/format/read.ts';
import { quantizeWindow } from '../../models/quantize.ts';
import { createReferenceEngine } from '../../models/reference/executor.ts';
import type { SampleBatch } from '../../protocol/sample-batch.ts';
import { batchesOf, expectedWindows, generatedRecording } from '../unit/daemon/pipeline/fixtures/signals.ts';
import { buildTestModel } from '../unit/daemon/pipeline/fixtures/test-model.ts';

describe('Pipeline with the mcu engine', () => {
  it('gives the reference executor\'s results with cycles, energy and latency from the twin', async () => {
    const bytes = buildTestModel();
    const model = gatewayModelFromBytes(bytes);
    const batches$ = new Subject<SampleBatch>();
    const results: WindowResult[] = [];
    const pipeline = new Pipeline({
      batches$,
      modelId: model.id,
      input: model.input,
      classes: model.classes,
      gap: { fill: 'hold', maxGapFillSamples: 0 },
      thresholdFor: () => 0xffffffff,
      now: () => performance.now(),
      onEvent: () => undefined,
      drainTimeoutMs: 60_000,
      createRunner: (callbacks) => new InferencePool({ workers: 1, engineModule: ENGINE_MODULES.mcu, artifactBytes: bytes, ...callbacks }),
    });
    pipeline.results$.subscribe((r) => results.push(r));
    await pipeline.start();
    const rec = generatedRecording(2, 256);
    for (const b of batchesOf('mcu-1', rec, 32)) batches$.next(b);
    await pipeline.stop();

    const engine = createReferenceEngine(readArtifact(bytes));
    const expected = expectedWindows(rec, 128, 64).map((w) => engine.run(quantizeWindow(w, model.input.scale), 0xffffffff));
    expect(results.map((r) => [r.classIndex, r.scores, r.margin, r.exitTaken, r.macs])).toEqual(expected.map((e) => [e.classIndex, [...e.scores], e.margin, e.exitTaken, e.macs]));
    for (const r of results) {
      expect(r.cycles).toBeGreaterThan(0);
      expect(r.energyUj).toBeGreaterThan(0);
      expect(r.latencyUs).toBeGreaterThan(0);
    }
  }, 120_000);
});
