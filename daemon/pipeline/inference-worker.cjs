// Bootstrap of an inference worker thread: registers tsx's in-thread CommonJS loader, then runs
// the TypeScript worker body. Not tsx's ESM loader: Node runs ESM loader hooks on an extra
// thread of their own, which costs every inference worker ~28 MB of RSS (measured: 2 workers
// 120 MB with ESM hooks vs 62 MB this way); the worker body and the engine modules it loads
// (daemon/pipeline/engines/*.ts) are compiled to CommonJS by tsx in this thread instead.
require('tsx/cjs/api').register();
require('./inference-worker-main.ts');
