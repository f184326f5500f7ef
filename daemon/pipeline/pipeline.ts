// The Pipeline part: consumes SampleBatches (from any ingest), cuts per-device windows, runs
// them through the inference runner and emits one WindowResult per window, per device in
// window order. The only clock it reads is the injected `now`, at the edges: when a batch
// arrives and when its window's result comes back (ingest-to-prediction latency).
import { Subject, map, type Observable, type Subscription } from 'rxjs';
import type { InferenceResult } from '../../models/engine.ts';
import type { SampleBatch } from '../../protocol/sample-batch.ts';
import { deviceWindows, splitByDevice } from './device-stream.ts';
import type { PipelineError } from './errors.ts';
import type { InferenceJob, InferenceOutcome, InferencePoolStats } from './inference-pool.ts';
import { quantizeWindows } from './quantize-stage.ts';
import type { GapPolicy } from './sequence.ts';
import type { ModelInputSpec, StreamEvent, StreamEventKind } from './types.ts';
import type { ReceivedBatch } from './operators.ts';

export interface WindowResult {
  readonly deviceId: string;
  readonly modelId: string;
  readonly windowSeq: number;
  readonly segment: number;
  readonly startSample: number;
  /** Timestamp of the window's first sample (device time), ms since the epoch. */
  readonly t0Ms: number;
  readonly threshold: number;
  readonly classIndex: number;
  readonly className: string;
  readonly scores: readonly number[];
  readonly margin: number;
  readonly exitTaken: number;
  readonly macs: number;
  readonly cycles: number | null;
  readonly energyUj: number | null;
  /** Engine latency at the MCU clock (MCU engine only). */
  readonly latencyUs: number | null;
  /** Wall time of the engine run in its worker. */
  readonly computeUs: number;
  readonly receivedAtMs: number;
  readonly completedAtMs: number;
  /** From the arrival of the batch that completed the window to its result. */
  readonly ingestToPredictionMs: number;
}

/** What the pipeline needs of an inference runner (InferencePool, or a fake in tests). */
export interface InferenceRunner {
  start(): Promise<void>;
  submit(job: InferenceJob): void;
  drain(): Promise<void>;
  stop(): Promise<void>;
  stats(): InferencePoolStats;
}

export interface RunnerCallbacks {
  readonly onResult: (outcome: InferenceOutcome) => void;
  readonly onDrop: (job: InferenceJob) => void;
  readonly onFailure: (job: InferenceJob, error: PipelineError) => void;
}

export interface PipelineOptions {
  readonly batches$: Observable<SampleBatch>;
  readonly modelId: string;
  readonly input: ModelInputSpec;
  readonly classes: readonly string[];
  readonly gap: GapPolicy;
  /** The adaptive threshold of a device's next window (models/ARITHMETIC.md section 6). */
  readonly thresholdFor: (deviceId: string) => number;
  readonly createRunner: (callbacks: RunnerCallbacks) => InferenceRunner;
  readonly now: () => number;
  readonly onEvent: (event: StreamEvent) => void;
  /** Longest wait for windows in flight on stop(). */
  readonly drainTimeoutMs?: number;
}

export interface PipelineStats {
  readonly batches: number;
  readonly samples: number;
  readonly windows: number;
  readonly results: number;
  readonly events: Readonly<Partial<Record<StreamEventKind, number>>>;
  readonly inference: InferencePoolStats;
}

const DEFAULT_DRAIN_TIMEOUT_MS = 2000;

export class Pipeline {
  private readonly results = new Subject<WindowResult>();
  /** One WindowResult per window that completed inference. */
  readonly results$: Observable<WindowResult> = this.results.asObservable();
  private readonly runner: InferenceRunner;
  private subscription: Subscription | null = null;
  private counts = { batches: 0, samples: 0, windows: 0, results: 0 };
  private readonly eventCounts: Partial<Record<StreamEventKind, number>> = {};

  private readonly options: PipelineOptions;

  constructor(options: PipelineOptions) {
    this.options = options;
    this.runner = options.createRunner({
      onResult: (outcome) => this.emitResult(outcome),
      onDrop: (job) => this.event({ deviceId: job.window.deviceId, kind: 'window-dropped', detail: `window ${job.window.windowSeq} dropped (queue full, drop-oldest)` }),
      onFailure: (job, error) =>
        error.code === 'pool-stopped'
          ? this.event({ deviceId: job.window.deviceId, kind: 'window-dropped', detail: `window ${job.window.windowSeq} not inferred before shutdown (drain timeout)` })
          : this.event({ deviceId: job.window.deviceId, kind: 'inference-failed', detail: `window ${job.window.windowSeq}: ${error.message}` }),
    });
  }

  async start(): Promise<void> {
    await this.runner.start();
    const { input, gap } = this.options;
    const onEvent = (event: StreamEvent): void => this.event(event);
    this.subscription = this.options.batches$
      .pipe(
        map((batch): ReceivedBatch => {
          this.counts.batches += 1;
          this.counts.samples += batch.samples;
          return { batch, receivedAtMs: this.options.now() };
        }),
        splitByDevice(
          () => (source) => source.pipe(deviceWindows(input, gap, onEvent), quantizeWindows(input.scale)),
          (deviceId, error) => this.event({ deviceId, kind: 'stream-error', detail: error instanceof Error ? error.message : String(error) }),
        ),
      )
      .subscribe((window) => {
        this.counts.windows += 1;
        try {
          this.runner.submit({ window, threshold: this.options.thresholdFor(window.deviceId) });
        } catch (error) {
          // never let a throw escape into RxJS (it would end every device's stream)
          this.event({ deviceId: window.deviceId, kind: 'stream-error', detail: `window ${window.windowSeq} not submitted: ${error instanceof Error ? error.message : String(error)}` });
        }
      });
  }

  /** Stops taking batches, waits (bounded) for the windows in flight, stops the workers. */
  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = null;
    const timeoutMs = this.options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.runner.drain(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    await this.runner.stop();
    this.results.complete();
  }

  stats(): PipelineStats {
    return { ...this.counts, events: { ...this.eventCounts }, inference: this.runner.stats() };
  }

  private event(event: StreamEvent): void {
    this.eventCounts[event.kind] = (this.eventCounts[event.kind] ?? 0) + 1;
    this.options.onEvent(event);
  }

  private emitResult({ job, result, computeUs }: InferenceOutcome): void {
    const completedAtMs = this.options.now();
    const { window, threshold } = job;
    this.counts.results += 1;
    this.results.next(toWindowResult(this.options.modelId, this.options.classes, window, threshold, result, computeUs, completedAtMs));
  }
}

function toWindowResult(
  modelId: string,
  classes: readonly string[],
  window: InferenceJob['window'],
  threshold: number,
  result: InferenceResult,
  computeUs: number,
  completedAtMs: number,
): WindowResult {
  return {
    deviceId: window.deviceId,
    modelId,
    windowSeq: window.windowSeq,
    segment: window.segment,
    startSample: window.startSample,
    t0Ms: window.t0Ms,
    threshold,
    classIndex: result.classIndex,
    className: classes[result.classIndex] ?? `class ${result.classIndex}`,
    scores: result.scores,
    margin: result.margin,
    exitTaken: result.exitTaken,
    macs: result.macs,
    cycles: result.cycles,
    energyUj: result.energyUj,
    latencyUs: result.latencyUs,
    computeUs,
    receivedAtMs: window.receivedAtMs,
    completedAtMs,
    ingestToPredictionMs: completedAtMs - window.receivedAtMs,
  };
}
