// Worker-thread inference with bounded concurrency, so inference never blocks ingest.
//
// - Device affinity: a device's windows always go to the same worker (hash of the id), and a
//   worker runs its windows one after the other, so a device's results come back in window order.
// - Bounded concurrency: at most `maxInFlightPerWorker` windows are posted to a worker at once;
//   the rest wait in the pool.
// - Bounded per-device queues, drop-oldest: a device may have at most `maxQueuedPerDevice`
//   windows waiting (not yet posted). When one more arrives, its OLDEST waiting window is
//   dropped and counted: for live activity the newest data matters most, and a device that
//   outpaces inference cannot grow the queue (nor delay the other devices on its worker).
// - Bounded per-worker queues, drop-oldest: many devices within their own bound can still
//   overload a worker; past `maxQueuedPerWorker` waiting windows the worker's oldest waiting
//   window (whatever its device) is dropped and counted. This bounds memory and the queueing
//   delay (maxQueuedPerWorker x the engine's time per window) when inference cannot keep up.
// - A worker that dies fails its in-flight windows (counted) and is started again.
import { Worker } from 'node:worker_threads';
import type { InferenceResult } from '../../models/engine.ts';
import type { EngineOptions } from './engines/engine-module.ts';
import { PipelineError } from './errors.ts';
import type { QuantizedWindow } from './types.ts';
import type { RunRequest, WorkerInit, WorkerReply } from './worker-protocol.ts';

const WORKER_BOOTSTRAP = new URL('./inference-worker.cjs', import.meta.url);

/** Windows posted to one worker before waiting for a reply: enough to hide the message round trip, small enough to keep drops meaningful. */
export const DEFAULT_MAX_IN_FLIGHT_PER_WORKER = 4;
/** Windows of one device waiting for a worker: 16 windows at stride 64 / 50 Hz is ~20 s of backlog (a broker reconnect's burst). */
export const DEFAULT_MAX_QUEUED_PER_DEVICE = 16;
/** Windows waiting for one worker: 256 windows of a ~1-4 ms engine is 0.25-1 s of queueing delay. */
export const DEFAULT_MAX_QUEUED_PER_WORKER = 256;
/** A worker that dies this many times in a row is not started again. */
const MAX_WORKER_RESTARTS = 5;

export interface InferenceJob {
  readonly window: QuantizedWindow;
  readonly threshold: number;
}

export interface InferenceOutcome {
  readonly job: InferenceJob;
  readonly result: InferenceResult;
  /** Wall time of engine.run in the worker, µs. */
  readonly computeUs: number;
}

export interface InferencePoolOptions {
  readonly workers: number;
  readonly engineModule: URL;
  readonly artifactBytes: Uint8Array;
  readonly engineOptions?: EngineOptions;
  readonly maxInFlightPerWorker?: number;
  readonly maxQueuedPerDevice?: number;
  readonly maxQueuedPerWorker?: number;
  readonly onResult: (outcome: InferenceOutcome) => void;
  /** A window dropped by the queue bound (drop-oldest). */
  readonly onDrop: (job: InferenceJob) => void;
  /** A window whose inference failed (engine error or worker death). */
  readonly onFailure: (job: InferenceJob, error: PipelineError) => void;
  /** A worker that died (logged by the caller). */
  readonly onWorkerError?: (workerIndex: number, error: Error) => void;
}

export interface InferencePoolStats {
  readonly submitted: number;
  readonly completed: number;
  readonly dropped: number;
  readonly failed: number;
  readonly queued: number;
  readonly inFlight: number;
  readonly workerRestarts: number;
}

interface WorkerSlot {
  readonly index: number;
  worker: Worker | null;
  /** Posted, not yet answered, by request id (Map keeps posting order). */
  readonly inFlight: Map<number, InferenceJob>;
  /** Waiting jobs in arrival order. */
  readonly waiting: InferenceJob[];
  restarts: number;
}

/** FNV-1a 32-bit: a stable device -> worker mapping. */
function hashDeviceId(deviceId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < deviceId.length; i++) {
    h ^= deviceId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class InferencePool {
  private readonly slots: WorkerSlot[] = [];
  private readonly queuedByDevice = new Map<string, number>();
  private readonly maxInFlight: number;
  private readonly maxQueued: number;
  private readonly maxQueuedPerWorker: number;
  private nextId = 1;
  private stopping = false;
  private drainWaiters: Array<() => void> = [];
  private counts = { submitted: 0, completed: 0, dropped: 0, failed: 0, workerRestarts: 0 };

  private readonly options: InferencePoolOptions;

  constructor(options: InferencePoolOptions) {
    this.options = options;
    this.maxInFlight = options.maxInFlightPerWorker ?? DEFAULT_MAX_IN_FLIGHT_PER_WORKER;
    this.maxQueued = options.maxQueuedPerDevice ?? DEFAULT_MAX_QUEUED_PER_DEVICE;
    this.maxQueuedPerWorker = options.maxQueuedPerWorker ?? DEFAULT_MAX_QUEUED_PER_WORKER;
  }

  /** Starts the workers and resolves when every engine is built (rejects if one cannot be). */
  async start(): Promise<void> {
    this.stopping = false;
    for (let index = 0; index < this.options.workers; index++) {
      this.slots.push({ index, worker: null, inFlight: new Map(), waiting: [], restarts: 0 });
    }
    try {
      await Promise.all(this.slots.map((slot) => this.spawn(slot)));
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Queues a window for its device's worker (may drop that device's oldest waiting window). */
  submit(job: InferenceJob): void {
    if (this.stopping || this.slots.length === 0) {
      this.counts.failed += 1;
      this.options.onFailure(job, new PipelineError('pool-stopped', 'the inference pool is not running'));
      return;
    }
    this.counts.submitted += 1;
    const deviceId = job.window.deviceId;
    const slot = this.slots[hashDeviceId(deviceId) % this.slots.length]!;
    const queued = this.queuedByDevice.get(deviceId) ?? 0;
    if (queued >= this.maxQueued) {
      const oldest = slot.waiting.findIndex((j) => j.window.deviceId === deviceId);
      const [dropped] = slot.waiting.splice(oldest, 1);
      this.counts.dropped += 1;
      this.options.onDrop(dropped!);
    } else {
      this.queuedByDevice.set(deviceId, queued + 1);
    }
    slot.waiting.push(job);
    if (slot.waiting.length > this.maxQueuedPerWorker) {
      const oldest = slot.waiting.shift()!;
      this.releaseQueued(oldest);
      this.counts.dropped += 1;
      this.options.onDrop(oldest);
    }
    this.pump(slot);
  }

  stats(): InferencePoolStats {
    let queued = 0;
    let inFlight = 0;
    for (const slot of this.slots) {
      queued += slot.waiting.length;
      inFlight += slot.inFlight.size;
    }
    return { ...this.counts, queued, inFlight };
  }

  /** Resolves when nothing is waiting or in flight. */
  drain(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Terminates the workers; windows still waiting or in flight are failed (call drain() first to finish them). */
  async stop(): Promise<void> {
    this.stopping = true;
    const slots = this.slots.splice(0);
    await Promise.all(
      slots.map(async (slot) => {
        const worker = slot.worker;
        slot.worker = null;
        for (const job of [...slot.inFlight.values(), ...slot.waiting]) this.fail(job, new PipelineError('pool-stopped', 'the inference pool stopped'));
        slot.inFlight.clear();
        slot.waiting.length = 0;
        if (worker) await worker.terminate();
      }),
    );
    this.queuedByDevice.clear();
    this.notifyIfIdle();
  }

  private idle(): boolean {
    return this.slots.every((slot) => slot.waiting.length === 0 && slot.inFlight.size === 0);
  }

  private notifyIfIdle(): void {
    if (!this.idle()) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private pump(slot: WorkerSlot): void {
    const worker = slot.worker;
    if (!worker) return;
    while (slot.inFlight.size < this.maxInFlight && slot.waiting.length > 0) {
      const job = slot.waiting.shift()!;
      this.releaseQueued(job);
      const id = this.nextId++;
      slot.inFlight.set(id, job);
      const request: RunRequest = { type: 'run', id, input: job.window.input, threshold: job.threshold };
      worker.postMessage(request);
    }
  }

  private fail(job: InferenceJob, error: PipelineError): void {
    this.counts.failed += 1;
    this.options.onFailure(job, error);
  }

  private spawn(slot: WorkerSlot): Promise<void> {
    const init: WorkerInit = {
      engineModule: this.options.engineModule.href,
      artifactBytes: this.options.artifactBytes,
      engineOptions: this.options.engineOptions ?? {},
    };
    const worker = new Worker(WORKER_BOOTSTRAP, { workerData: init });
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      worker.on('message', (reply: WorkerReply) => {
        switch (reply.type) {
          case 'ready':
            ready = true;
            slot.worker = worker;
            resolve();
            this.pump(slot);
            return;
          case 'init-failed':
            reject(new PipelineError('engine-failed', `inference worker ${slot.index}: ${reply.message}`));
            return;
          case 'result':
          case 'failed':
            this.onReply(slot, reply);
            return;
        }
      });
      worker.on('error', (err) => {
        if (!ready) reject(new PipelineError('worker-failed', `inference worker ${slot.index} failed to start: ${err.message}`, { cause: err }));
        else this.options.onWorkerError?.(slot.index, err);
      });
      worker.on('exit', (code) => {
        if (!ready) {
          reject(new PipelineError('worker-failed', `inference worker ${slot.index} exited with code ${code} before it was ready`));
          return;
        }
        if (slot.worker !== worker) return; // terminated by stop()
        this.onWorkerDeath(slot, code);
      });
    });
  }

  private onReply(slot: WorkerSlot, reply: Extract<WorkerReply, { type: 'result' | 'failed' }>): void {
    const job = slot.inFlight.get(reply.id);
    if (!job) return;
    slot.inFlight.delete(reply.id);
    if (reply.type === 'result') {
      this.counts.completed += 1;
      slot.restarts = 0;
      this.options.onResult({ job, result: reply.result, computeUs: reply.computeUs });
    } else {
      this.fail(job, new PipelineError('engine-failed', `${reply.code}: ${reply.message}`));
    }
    this.pump(slot);
    this.notifyIfIdle();
  }

  private onWorkerDeath(slot: WorkerSlot, exitCode: number): void {
    slot.worker = null;
    const error = new PipelineError('worker-failed', `inference worker ${slot.index} exited with code ${exitCode}`);
    this.options.onWorkerError?.(slot.index, error);
    for (const job of slot.inFlight.values()) this.fail(job, error);
    slot.inFlight.clear();
    if (this.stopping || slot.restarts >= MAX_WORKER_RESTARTS) {
      for (const job of slot.waiting.splice(0)) {
        this.releaseQueued(job);
        this.fail(job, error);
      }
      this.notifyIfIdle();
      return;
    }
    slot.restarts += 1;
    this.counts.workerRestarts += 1;
    this.spawn(slot).catch((err: unknown) => {
      this.options.onWorkerError?.(slot.index, err instanceof Error ? err : new Error(String(err)));
      for (const job of slot.waiting.splice(0)) {
        this.releaseQueued(job);
        this.fail(job, error);
      }
      this.notifyIfIdle();
    });
    this.notifyIfIdle();
  }

  private releaseQueued(job: InferenceJob): void {
    const deviceId = job.window.deviceId;
    const left = (this.queuedByDevice.get(deviceId) ?? 1) - 1;
    if (left > 0) this.queuedByDevice.set(deviceId, left);
    else this.queuedByDevice.delete(deviceId);
  }
}
