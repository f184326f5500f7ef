// Messages between the inference pool (main thread) and an inference worker.
import type { InferenceResult } from '../../models/engine.ts';
import type { EngineOptions } from './engines/engine-module.ts';

export interface WorkerInit {
  /** URL (href) of the engine module to import (engines.ts). */
  readonly engineModule: string;
  readonly artifactBytes: Uint8Array;
  readonly engineOptions: EngineOptions;
}

export interface RunRequest {
  readonly type: 'run';
  readonly id: number;
  readonly input: Int8Array;
  readonly threshold: number;
}

export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'init-failed'; readonly message: string }
  | { readonly type: 'result'; readonly id: number; readonly result: InferenceResult; readonly computeUs: number }
  | { readonly type: 'failed'; readonly id: number; readonly code: string; readonly message: string };
