// Body of an inference worker thread: builds one engine from the artifact, then runs windows in
// the order they arrive and replies to each (worker-protocol.ts). An engine error fails that
// window only; the engine stays usable (models/engine.ts).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { InferenceEngine } from '../../models/engine.ts';
import type { EngineModule } from './engines/engine-module.ts';
import type { RunRequest, WorkerInit, WorkerReply } from './worker-protocol.ts';

const port = parentPort;
if (!port) throw new Error('inference-worker-main.ts must run in a worker thread');
const init = workerData as WorkerInit;

function reply(message: WorkerReply): void {
  port!.postMessage(message);
}

/**
 * Loads an engine module (a file: URL). Through require, not import(): this thread has tsx's
 * CommonJS loader only (inference-worker.cjs), so a dynamic import() could not load TypeScript.
 */
function loadEngineModule(url: string): EngineModule {
  return createRequire(import.meta.url)(fileURLToPath(url)) as EngineModule;
}

async function start(): Promise<InferenceEngine | null> {
  try {
    return await loadEngineModule(init.engineModule).createEngine(init.artifactBytes, init.engineOptions);
  } catch (err) {
    reply({ type: 'init-failed', message: err instanceof Error ? err.message : String(err) });
    port!.close();
    process.exit(1);
    return null;
  }
}

void start().then((engine) => {
  if (!engine) return;
  port.on('message', (request: RunRequest) => {
    const startMs = performance.now();
    try {
      const result = engine.run(request.input, request.threshold);
      const computeUs = Math.round((performance.now() - startMs) * 1000);
      reply({ type: 'result', id: request.id, result, computeUs });
    } catch (err) {
      const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'engine-error';
      reply({ type: 'failed', id: request.id, code, message: err instanceof Error ? err.message : String(err) });
    }
  });
  reply({ type: 'ready' });
});
