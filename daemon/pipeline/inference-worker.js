// Bootstrap of an inference worker thread: registers tsx's loader in this thread (loader hooks
// of the main thread do not reach workers), then runs the TypeScript worker body.
import { register } from 'tsx/esm/api';

register();
await import('./inference-worker-main.ts');
